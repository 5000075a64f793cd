// The pieces of a SARIF 2.1.0 log that secgrade writes, each a plain object (JSON.stringify makes
// the text, so a hostile string from the scanned site can never break the document). Field limits
// and required fields follow GitHub's "SARIF support for code scanning" reference, the consumer
// the format is for; src/render/sarif.ts assembles them into the streamed document.
import { createHash } from 'node:crypto';

import type { Severity } from '../model/constants.js';
import type { Finding, Report } from '../model/report.js';
import { severityRank } from '../model/severity.js';
import { atOrAbove, findingFamily, referenceUrls, targetName, targetUri } from './families.js';

/** GitHub's example `$schema` (its docs) — the OASIS 2.1.0 schema as SchemaStore serves it. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SECGRADE_URI = 'https://secgrade.dev/';

/** GitHub code scanning's documented limits (a file over a hard limit is rejected whole). */
export const GITHUB_LIMITS = {
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  locationsPerResult: 10,
  tagsPerRule: 20,
  ruleNameChars: 255,
  descriptionChars: 1024,
} as const;

/**
 * `security-severity` as GitHub reads it: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9
 * low. Info has none: GitHub then shows it as a plain note, not a security alert.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string | null>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: null,
};

export type SarifLevel = 'error' | 'warning' | 'note';

/**
 * The result level. With --fail-on, a finding at or above it is `error` (what the gate fails on)
 * and the rest are `warning` (medium and up) or `note`; without it, critical and high are errors.
 */
export function sarifLevel(severity: Severity, failOn: Severity | null): SarifLevel {
  if (failOn) return atOrAbove(severity, failOn) ? 'error' : atOrAbove(severity, 'medium') ? 'warning' : 'note';
  return atOrAbove(severity, 'high') ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** Cut to GitHub's limit on a description, marking the cut. */
export function clip(text: string, max: number = GITHUB_LIMITS.descriptionChars): string {
  const t = text.trim() || '(none)';
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** A title and a detail as one message; GitHub shows the first sentence as the alert's title. */
function sentence(title: string, detail: string): string {
  const head = /[.!?]$/.test(title) ? title : `${title}.`;
  return detail ? `${head} ${detail}` : head;
}

/**
 * The artifact a finding is about. GitHub converts an absolute URI against the checkout (a file:
 * URI under Actions) and rejects the whole upload when the schemes differ ("SARIF URI scheme https
 * did not match the checkout URI scheme file"), so the target is written as a relative reference,
 * host:port and path with the colon escaped; the real URL is in the description.
 */
export function artifactLocation(report: Pick<Report, 'target'>): { uri: string; description: { text: string } } {
  const url = targetUri(report.target);
  let path = '/';
  try {
    const u = new URL(url);
    path = `${u.pathname}${u.search}`;
  } catch {
    // a target URL that does not parse: its host:port alone still names it
  }
  return { uri: `${encodeURIComponent(targetName(report.target))}${path}`, description: { text: url } };
}

/** The location of a finding or a notification: the target (physical) and its subject (logical). */
export function sarifLocation(report: Pick<Report, 'target'>, subject: string): Record<string, unknown> {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(report),
      // GitHub lists a region as required; a site has no lines, so the region is the resource's start.
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    },
    logicalLocations: [{ name: subject, fullyQualifiedName: `${targetName(report.target)}/${subject}`, kind: 'resource' }],
  };
}

/** Stable across runs: the finding's identity (id@subject) on this target, hashed. */
export function fingerprint(f: Pick<Finding, 'id' | 'subject'>, report: Pick<Report, 'target'>): Record<string, string> {
  const hash = createHash('sha256').update(`${f.id}\n${f.subject}\n${targetName(report.target)}`).digest('hex');
  // GitHub matches alerts across uploads by primaryLocationLineHash only (its docs); the shape
  // (16 hex digits, ":occurrence") is the one its own tools write.
  return { primaryLocationLineHash: `${hash.slice(0, 16)}:1`, 'secgrade/identity/v1': hash };
}

/** What a rule keeps while the results are written: the first finding seen and the worst severity. */
export interface RuleDigest {
  id: string;
  index: number;
  family: string;
  title: string;
  detail: string;
  remediation: string;
  references: string[];
  severity: Severity;
}

export function ruleDigest(f: Finding, index: number): RuleDigest {
  return {
    id: f.id,
    index,
    family: findingFamily(f.id),
    title: f.title,
    detail: f.detail,
    remediation: f.remediation,
    references: f.references,
    severity: f.severity,
  };
}

/** The worse of the two severities. */
export const worse = (a: Severity, b: Severity): Severity => (severityRank(b) < severityRank(a) ? b : a);

const mdEscape = (s: string): string => s.replace(/([\\[\]])/g, '\\$1');

/** A reference as a Markdown list item: a link when it carries a URL. */
function referenceMarkdown(ref: string): string {
  const url = referenceUrls(ref)[0];
  if (!url) return `- ${ref}`;
  const label = ref.replace(/\s*\(?\s*https?:\/\/[^\s()<>"]+\s*\)?/, '').replace(/[,\s]+$/, '') || url;
  return `- [${mdEscape(label)}](${url})`;
}

/** `tls.cert.expired` → `TlsCertExpired`. */
export const ruleName = (id: string): string =>
  id
    .split(/[.-]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** One rule (reportingDescriptor) per finding id, with its help from the remediation and references. */
export function sarifRule(r: RuleDigest, failOn: Severity | null): Record<string, unknown> {
  const helpUri = r.references.flatMap(referenceUrls)[0];
  const refsText = r.references.length ? `\n\nReferences:\n${r.references.map((x) => `- ${x}`).join('\n')}` : '';
  const refsMd = r.references.length ? `\n\n**References**\n\n${r.references.map(referenceMarkdown).join('\n')}` : '';
  const score = SECURITY_SEVERITY[r.severity];
  return {
    id: r.id,
    // SARIF wants a name that differs from the opaque id: the id in PascalCase (TlsCertExpired).
    name: clip(ruleName(r.id), GITHUB_LIMITS.ruleNameChars),
    shortDescription: { text: clip(r.title) },
    // A rule should change only with the tool, so the description is the check, not one target's detail.
    fullDescription: { text: clip(`${sentence(r.title, '')} A secgrade ${r.family} check (${r.id}); the result's message says what was seen.`) },
    ...(helpUri ? { helpUri } : {}),
    help: { text: `${r.remediation}${refsText}`, markdown: `**Remediation:** ${r.remediation}${refsMd}` },
    defaultConfiguration: { level: sarifLevel(r.severity, failOn) },
    properties: {
      tags: ['security', r.family],
      precision: 'high',
      ...(score ? { 'security-severity': score } : {}),
      severity: r.severity,
    },
  };
}

/** One result per finding: rule, level, message, the target and subject as its location, the evidence. */
export function sarifResult(f: Finding, report: Report, ruleIndex: number, failOn: Severity | null): Record<string, unknown> {
  return {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel(f.severity, failOn),
    message: { text: sentence(f.title, f.detail) },
    locations: [sarifLocation(report, f.subject)],
    partialFingerprints: fingerprint(f, report),
    properties: {
      severity: f.severity,
      target: targetName(report.target),
      url: targetUri(report.target),
      subject: f.subject,
      ...(f.endpoint ? { endpoint: f.endpoint } : {}),
      evidence: f.evidence,
    },
  };
}
