// The `--checks` families (tls, cert, vulns, http, email, simulation) as the machine formats group by them: a
// JUnit test case per family, a SARIF rule tag. A renderer may not import the probe registry (the
// architecture test), so the family is read from the ids the report carries; a unit test holds
// this table against every probe's declared `categories`, so a new probe cannot drift silently.
import type { Severity } from '../model/constants.js';
import type { Finding } from '../model/report.js';
import { severityRank } from '../model/severity.js';

/** The families in the order the formats list them (CHECK_CATEGORIES). */
export const FAMILIES = ['tls', 'cert', 'vulns', 'http', 'email'] as const;

/** Probes whose family is not the prefix of their id. */
const PROBE_FAMILY: Readonly<Record<string, string>> = {
  'tls-certificates': 'cert',
  'dns-caa': 'cert',
  'tls-hsts-raw': 'http',
  'tls-simulation': 'simulation',
};

/** The family of a probe run (by probe id: `vuln-heartbleed` → vulns, `tls-certificates` → cert). */
export function probeFamily(probeId: string): string {
  return memo(probeCache, probeId, probeFamilyOf);
}

function probeFamilyOf(probeId: string): string {
  const fixed = PROBE_FAMILY[probeId];
  if (fixed) return fixed;
  const head = probeId.split('-')[0] ?? probeId;
  return head === 'vuln' ? 'vulns' : head;
}

/**
 * The family of a finding id. Certificate and CAA rules (`tls.cert.*`, `cert.*`, `ct.*`, the
 * SSL Labs caps on the certificate) are cert; `tls.vuln.*` is vulns; the other `tls.*` and the
 * rating guide's caps and warnings (`ssllabs.*`) are tls.
 */
export function findingFamily(id: string): string {
  return memo(findingCache, id, findingFamilyOf);
}

function findingFamilyOf(id: string): string {
  const [head = id, second = ''] = id.split('.');
  const third = id.split('.')[2] ?? '';
  if (head === 'tls' && second === 'cert') return 'cert';
  if (head === 'tls' && (second === 'vuln' || second === 'vulnerabilities')) return 'vulns';
  if (head === 'tls' && second === 'simulation') return 'simulation';
  if (head === 'cert' || head === 'ct' || (head === 'dns' && second === 'caa')) return 'cert';
  if (head === 'ssllabs' && second === 'cap' && (third.startsWith('cert-') || third.startsWith('chain-'))) return 'cert';
  if (head === 'ssllabs') return 'tls';
  if (head === 'vuln') return 'vulns';
  return head;
}

// A batch asks the same few hundred ids again for every target: remember the answers (bounded).
const probeCache = new Map<string, string>();
const findingCache = new Map<string, string>();
function memo(cache: Map<string, string>, key: string, compute: (k: string) => string): string {
  let v = cache.get(key);
  if (v === undefined) {
    v = compute(key);
    if (cache.size < 10_000) cache.set(key, v);
  }
  return v;
}

/** The fixed families first, then any other the reports name (e.g. ssh), in first-seen order. */
export function orderedFamilies(seen: Iterable<string>): string[] {
  const extra = [...new Set(seen)].filter((f) => !(FAMILIES as readonly string[]).includes(f));
  return [...FAMILIES, ...extra];
}

/** True when `s` is `threshold` or more severe. */
export const atOrAbove = (s: Severity, threshold: Severity): boolean => severityRank(s) <= severityRank(threshold);

/** A vulnerability (or other) check that could not decide: reported as an info finding `*.untested`. */
export const isUntestedFinding = (f: Pick<Finding, 'id'>): boolean => f.id.endsWith('.untested');

/** The URLs in a reference ("RFC 8446 — TLS 1.3 (https://…)"); references are citations with the URL inside. */
export function referenceUrls(reference: string): string[] {
  return [...reference.matchAll(/https?:\/\/[^\s()<>"]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''));
}

/** The target as a URL: the report's URL when the target was given as one, else https://host:port/. */
export function targetUri(target: { host: string; port: number; url?: string | undefined }): string {
  if (target.url) return target.url;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `https://${host}:${target.port}/`;
}

/** host:port ([v6]:port), the name a target goes by in the machine formats. */
export function targetName(target: { host: string; port: number }): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}
