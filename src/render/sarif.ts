// `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning first).
//
// One run for the whole document, whether it holds one target or a batch: GitHub rejects a file
// of more than 20 runs, so a run per target cannot carry a fleet, while one run of secgrade's rules
// (one rule per finding id) is what its docs describe. `automationDetails.id` names the category —
// the target for one report, `batch` for several — so uploads of different targets or of a
// fleet do not close each other's alerts.
//
// The document is streamed from two passes over the reports: the first writes the invocation (the
// checks that could not be tested, as tool execution notifications: GitHub has no "skipped", and a
// could-not-test is never a passing result) and counts the results by severity; the second writes
// the results, collecting the rules as they appear, and the driver with its rules comes last (key
// order does not matter in JSON; `ruleIndex` is the rule's place in that list). Memory holds the
// rules and the notification descriptors only, never the reports.
import type { Severity } from '../model/constants.js';
import { SEVERITIES } from '../model/constants.js';
import type { Finding, Report } from '../model/report.js';
import { TOOL_VERSION } from '../version.js';
import { atOrAbove, isUntestedFinding, probeFamily, targetName } from './families.js';
import type { Renderer, RenderOptions, ReportSource } from './renderer.js';
import {
  GITHUB_LIMITS,
  ruleDigest,
  SARIF_SCHEMA_URI,
  sarifLocation,
  sarifResult,
  sarifRule,
  SECGRADE_URI,
  worse,
  type RuleDigest,
} from './sarif-parts.js';

/** A finding written as a result: tested (untested ones are notifications) and not hidden by --severity. */
const listed = (f: Finding, opts: RenderOptions): boolean => !isUntestedFinding(f) && (!opts.minSeverity || atOrAbove(f.severity, opts.minSeverity));

interface Notice {
  descriptor: { id: string; text: string };
  level: 'error' | 'warning';
  message: string;
  subject: string;
  properties: Record<string, unknown>;
}

/** Why part of a target was not tested: the scan's failure, failed probes, incomplete checks, undecided checks. */
export function untestedNotices(report: Report): Notice[] {
  const target = targetName(report.target);
  const out: Notice[] = [];
  if (report.status === 'error' || report.status === 'interrupted') {
    out.push({
      descriptor: { id: `scan.${report.status}`, text: report.status === 'error' ? 'The target could not be scanned' : 'The scan was interrupted' },
      level: 'error',
      message: `${target}: ${report.status === 'error' ? 'not scanned' : 'scan interrupted'}: ${report.reason ?? report.status}`,
      subject: `domain:${report.target.host}`,
      properties: { target, status: report.status },
    });
  }
  const failed = new Set<string>();
  for (const p of report.probes) {
    if (p.status !== 'error') continue;
    failed.add(`${p.id}\n${p.subject}`);
    out.push({
      descriptor: { id: `probe.${p.id}`, text: `The ${p.id} probe could not complete` },
      level: 'error',
      message: `${target}: ${p.id} on ${p.subject} failed${p.errorKind ? ` (${p.errorKind})` : ''}: ${p.reason ?? 'no reason given'}`,
      subject: p.subject,
      properties: { target, probe: p.id, family: probeFamily(p.id), ...(p.errorKind ? { errorKind: p.errorKind } : {}) },
    });
  }
  for (const i of report.incomplete ?? []) {
    const subject = i.subject ?? `domain:${report.target.host}`;
    if (failed.has(`${i.probe}\n${subject}`)) continue;
    out.push({
      descriptor: { id: `probe.${i.probe}`, text: `The ${i.probe} probe could not complete` },
      level: 'warning',
      message: `${target}: ${i.probe} on ${subject} not tested: ${i.reason}`,
      subject,
      properties: { target, probe: i.probe, family: probeFamily(i.probe), section: i.section },
    });
  }
  for (const f of report.findings) {
    if (!isUntestedFinding(f)) continue;
    out.push({
      descriptor: { id: f.id, text: f.title },
      level: 'warning',
      message: `${target}: ${f.title}. ${f.detail}`,
      subject: f.subject,
      properties: { target, finding: f.id, evidence: f.evidence },
    });
  }
  return out;
}

/** How many results of each severity fit GitHub's per-run limit, the most severe first. */
export function resultAllowance(counts: Readonly<Record<Severity, number>>, limit: number = GITHUB_LIMITS.resultsPerRun): Record<Severity, number> {
  let room = limit;
  const out = {} as Record<Severity, number>;
  for (const s of SEVERITIES) {
    out[s] = Math.min(counts[s], room);
    room -= out[s];
  }
  return out;
}

const zeroCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

async function* streamSarif(source: ReportSource, opts: RenderOptions): AsyncGenerator<string> {
  // Pass 1: the invocation — notifications as they come, then what the whole run says.
  const descriptors = new Map<string, { index: number; text: string }>();
  const counts = zeroCounts(); // every tested finding (--severity does not change the counts)
  const listedCounts = zeroCounts(); // those written as results, before GitHub's limit
  let targets = 0;
  let single = '';
  let failedScan = false;
  let start: number | null = null;
  let end: number | null = null;
  let notices = 0;
  yield `{"$schema":${JSON.stringify(SARIF_SCHEMA_URI)},"version":"2.1.0","runs":[{"invocations":[{"toolExecutionNotifications":[`;
  for await (const report of source()) {
    targets++;
    single = targetName(report.target);
    if (report.status === 'error' || report.status === 'interrupted') failedScan = true;
    const t0 = Date.parse(report.startedAt);
    if (Number.isFinite(t0)) {
      start = start === null ? t0 : Math.min(start, t0);
      end = end === null ? t0 + report.durationMs : Math.max(end, t0 + report.durationMs);
    }
    for (const f of report.findings) {
      if (!isUntestedFinding(f)) counts[f.severity]++;
      if (listed(f, opts)) listedCounts[f.severity]++;
    }
    let chunk = '';
    for (const n of untestedNotices(report)) {
      let d = descriptors.get(n.descriptor.id);
      if (!d) descriptors.set(n.descriptor.id, (d = { index: descriptors.size, text: n.descriptor.text }));
      const notification = {
        level: n.level,
        message: { text: n.message },
        descriptor: { id: n.descriptor.id, index: d.index },
        locations: [sarifLocation(report, n.subject)],
        properties: n.properties,
      };
      chunk += (notices++ ? ',\n' : '\n') + JSON.stringify(notification);
    }
    if (chunk) yield chunk;
  }
  const allowance = resultAllowance(listedCounts);
  const omitted = SEVERITIES.filter((s) => allowance[s] < listedCounts[s]).map((s) => `${listedCounts[s] - allowance[s]} ${s}`);
  if (omitted.length) {
    const id = 'sarif.result-limit';
    descriptors.set(id, { index: descriptors.size, text: 'Results left out to stay within GitHub code scanning limits' });
    const notification = {
      level: 'warning',
      message: {
        text: `${omitted.join(', ')} finding(s) not written as results: GitHub code scanning rejects a run of more than ${GITHUB_LIMITS.resultsPerRun} results; the most severe are kept (the JSON/NDJSON report has them all).`,
      },
      descriptor: { id, index: descriptors.get(id)!.index },
    };
    yield (notices++ ? ',\n' : '\n') + JSON.stringify(notification);
  }
  // The reports' own clocks (when each target's scan started and how long it took), never ours.
  const invocation = {
    executionSuccessful: !failedScan,
    ...(start !== null ? { startTimeUtc: new Date(start).toISOString() } : {}),
    ...(end !== null ? { endTimeUtc: new Date(end).toISOString() } : {}),
  };
  yield `${notices ? '\n' : ''}],${JSON.stringify(invocation).slice(1, -1)}}],"results":[`;

  // Pass 2: the results, the rules collected as they appear.
  const rules = new Map<string, RuleDigest>();
  const written = zeroCounts();
  let results = 0;
  for await (const report of source()) {
    let chunk = '';
    for (const f of report.findings) {
      if (!listed(f, opts) || written[f.severity] >= allowance[f.severity]) continue;
      written[f.severity]++;
      let rule = rules.get(f.id);
      if (!rule) rules.set(f.id, (rule = ruleDigest(f, rules.size)));
      else rule.severity = worse(rule.severity, f.severity);
      chunk += (results++ ? ',\n' : '\n') + JSON.stringify(sarifResult(f, report, rule.index, opts.failOn));
    }
    if (chunk) yield chunk;
  }

  const category = targets === 1 ? single : 'batch';
  const tail = {
    automationDetails: { id: `secgrade/${category}/${opts.generatedAt.toISOString()}` },
    properties: {
      generatedAt: opts.generatedAt.toISOString(),
      targets,
      failOn: opts.failOn,
      minSeverity: opts.minSeverity,
      findingsBySeverity: counts,
      resultsBySeverity: written,
    },
    tool: {
      driver: {
        name: 'secgrade',
        version: TOOL_VERSION,
        semanticVersion: TOOL_VERSION,
        informationUri: SECGRADE_URI,
        rules: [...rules.values()].map((r) => sarifRule(r, opts.failOn)),
        notifications: [...descriptors].map(([id, d]) => ({ id, shortDescription: { text: d.text } })),
      },
    },
  };
  yield `\n],${JSON.stringify(tail).slice(1, -1)}}]}\n`;
}

export const sarifRenderer: Renderer = {
  id: 'sarif',
  extensions: ['.sarif', '.sarif.json'],
  stream: streamSarif,
};
