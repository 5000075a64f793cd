// diffReports / diffRuns: what changed between two runs of the same targets, keyed by (target,
// finding id@subject). Pure: reports in, a DiffResult out. "Not tested" on either side is never a
// change: it is listed as unknown, with the reason, and can never make a regression.
import { severityRank } from '../model/severity.js';
import type { Finding, Grade, Report } from '../model/report.js';
import { pairEndpoints, renameEndpoints } from './endpoints.js';
import { reportFacts, sectionOf, type FactEntry, type ReportFacts } from './facts.js';
import { compareGrades } from './grades.js';
import {
  DIFF_SCHEMA_ID,
  DIFF_SECTIONS,
  type DiffFinding,
  type DiffOptions,
  type DiffResult,
  type FactChange,
  type GradeChange,
  type TargetDiff,
  type UnknownItem,
} from './types.js';

/** The name a target is matched by across runs: a batch's input, else the host (with the port only when the user gave one). */
export function targetName(r: Report): string {
  if (r.job?.input) return r.job.input;
  const host = r.target.host.includes(':') ? `[${r.target.host}]` : r.target.host;
  const explicitPort = r.target.portSource === 'target' || (r.target.portSource === undefined && r.target.port !== 443);
  return explicitPort ? `${host}:${r.target.port}` : host;
}

/** Code-point order: stable across locales, and much cheaper than localeCompare on large runs. */
const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

const findingKey = (f: { id: string; subject: string }): string => `${f.id}@${f.subject}`;
const brief = (f: Finding): DiffFinding => ({ id: f.id, subject: f.subject, severity: f.severity, title: f.title });

function gradeOf(r: Report, section: string): Grade | undefined {
  return (r.grades as Record<string, Grade | undefined>)[section];
}

function gradeReason(r: Report, section: string): string | undefined {
  return (r.gradeReasons as Record<string, string | undefined> | undefined)?.[section];
}

function diffGrades(a: Report, b: Report, unknown: UnknownItem[]): GradeChange[] {
  const changes: GradeChange[] = [];
  for (const section of DIFF_SECTIONS) {
    const before = gradeOf(a, section);
    const after = gradeOf(b, section);
    if (before === undefined && after === undefined) continue; // ssh on neither side
    if ((before ?? null) === (after ?? null)) continue;
    if (before == null || after == null) {
      const [side, r] = before == null ? (['A', a] as const) : (['B', b] as const);
      unknown.push({ what: `grade.${section}`, reason: `no ${section} grade in ${side}${gradeReason(r, section) ? `: ${gradeReason(r, section)}` : ' (not decided)'}` });
      continue;
    }
    const change = compareGrades(before, after);
    if (change !== 'same') changes.push({ section, before, after, change });
  }
  return changes;
}

/**
 * Findings made only when the run asked for them: the handshake simulation (its own --checks family,
 * which a batch leaves out by default) and each --profile. A run that did not ask says nothing of them.
 */
function notAsked(r: Report, id: string): string | null {
  if (id.startsWith('tls.simulation.') && !r.probes.some((p) => p.id === 'tls-simulation')) return 'the handshake simulation was not run (--checks simulation)';
  const profile = /^tls\.profile\.([^.]+)\./.exec(id)?.[1];
  if (profile && !r.endpoints.some((e) => e.tls?.profiles?.some((p) => p.profile === profile))) return `profile ${profile} was not asked for (--profile)`;
  return null;
}

/** Probe families a finding's id can come from (a finding does not name its probe). */
const PROBE_PREFIXES: Record<string, string[]> = { tls: ['tls-', 'vuln-'], http: ['http-', 'tls-hsts-raw'], email: ['email-'], dns: ['dns-'] };

/**
 * Why this report cannot say whether the finding is there, or null when it can: its section was not
 * tested, the scan was cut short there, or a probe of its family failed on its subject.
 */
function findingUnknown(r: Report, facts: ReportFacts, f: { id: string; subject: string }): string | null {
  if (r.status === 'interrupted') return 'the scan was interrupted';
  const asked = notAsked(r, f.id);
  if (asked) return asked;
  const section = sectionOf(f.id);
  if (section && facts.untested[section]) return `${section} ${facts.untested[section]}`;
  const cut = r.incomplete?.find((i) => (section === null || i.section === section) && (!i.subject || i.subject === f.subject || !f.subject.startsWith('endpoint:')));
  if (cut) return `${cut.probe} did not complete: ${cut.reason}`;
  const prefixes = section ? PROBE_PREFIXES[section]! : [''];
  const failed = r.probes.find(
    (p) => p.status === 'error' && prefixes.some((x) => p.id.startsWith(x)) && (!f.subject.startsWith('endpoint:') || p.subject === f.subject),
  );
  return failed ? `${failed.id} failed${failed.errorKind ? ` (${failed.errorKind})` : ''}${failed.reason ? `: ${failed.reason}` : ''}` : null;
}

function diffFindings(a: Report, b: Report, fa: ReportFacts, fb: ReportFacts, unknown: UnknownItem[]): TargetDiff['findings'] {
  const before = new Map(a.findings.map((f) => [findingKey(f), f]));
  const after = new Map(b.findings.map((f) => [findingKey(f), f]));
  const out: TargetDiff['findings'] = { added: [], removed: [], severityChanged: [] };
  for (const [key, f] of after) {
    const old = before.get(key);
    if (old) {
      if (old.severity !== f.severity) out.severityChanged.push({ id: f.id, subject: f.subject, title: f.title, before: old.severity, after: f.severity });
      continue;
    }
    const why = findingUnknown(a, fa, f);
    if (why) unknown.push({ what: key, reason: `seen in B; A cannot tell: ${why}` });
    else out.added.push(brief(f));
  }
  for (const [key, f] of before) {
    if (after.has(key)) continue;
    const why = findingUnknown(b, fb, f);
    if (why) unknown.push({ what: key, reason: `seen in A; B cannot tell: ${why}` });
    else out.removed.push(brief(f));
  }
  const order = (x: { severity: Finding['severity']; id: string; subject: string }, y: typeof x): number =>
    severityRank(x.severity) - severityRank(y.severity) || cmp(x.id, y.id) || cmp(x.subject, y.subject);
  out.added.sort(order);
  out.removed.sort(order);
  out.severityChanged.sort((x, y) => cmp(x.id, y.id) || cmp(x.subject, y.subject));
  return out;
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
/** Subjects that come and go as a whole (an endpoint, an MX host): reported once, not fact by fact. */
const wholeSubject = (subject: string): boolean => subject.startsWith('endpoint:') || subject.startsWith('mx:');

function diffFacts(fa: ReportFacts, fb: ReportFacts, unknown: UnknownItem[]): FactChange[] {
  const changes: FactChange[] = [];
  for (const [section, whyA] of Object.entries(fa.untested)) {
    const whyB = fb.untested[section as keyof typeof fb.untested];
    if (whyA && !whyB) unknown.push({ what: section, reason: `A: ${whyA}` });
    else if (whyB && !whyA) unknown.push({ what: section, reason: `B: ${whyB}` });
  }
  for (const subject of [...fa.subjects].filter((s) => !fb.subjects.has(s) && s.startsWith('endpoint:') && !fb.untested.tls)) {
    changes.push({ subject, fact: 'endpoint', before: 'present', after: null });
  }
  for (const subject of [...fb.subjects].filter((s) => !fa.subjects.has(s) && s.startsWith('endpoint:') && !fa.untested.tls)) {
    changes.push({ subject, fact: 'endpoint', before: null, after: 'present' });
  }
  const keys = new Set([...fa.facts.keys(), ...fb.facts.keys()]);
  for (const key of keys) {
    const x = fa.facts.get(key);
    const y = fb.facts.get(key);
    const { subject, fact } = (x ?? y)!;
    const section = sectionOf(fact);
    if (section && (fa.untested[section] || fb.untested[section])) continue;
    if (wholeSubject(subject) && !(fa.subjects.has(subject) && fb.subjects.has(subject))) continue;
    // A protocol's suites are compared where both offer it; the protocol's own fact says the rest.
    if ((!x || !y) && fact.startsWith('tls.suites.')) continue;
    const unknownOf = (e: FactEntry | undefined): string | null => (e && 'unknown' in e ? e.unknown : null);
    const ux = unknownOf(x);
    const uy = unknownOf(y);
    if (ux || uy) {
      // Untested on both sides for the plain reason "not tested" (never asked for) is not worth a line.
      if (ux && uy && ux === 'not tested' && uy === 'not tested') continue;
      const reason = [ux ? `A: ${ux}` : null, uy ? `B: ${uy}` : null].filter(Boolean).join('; ');
      unknown.push({ what: fact, subject, reason });
      continue;
    }
    const before = x && 'value' in x ? x.value : null;
    const after = y && 'value' in y ? y.value : null;
    if (!same(before, after)) changes.push({ subject, fact, before, after });
  }
  return changes.sort((p, q) => cmp(p.subject, q.subject) || cmp(p.fact, q.fact));
}

function emptyDiff(target: string, status: TargetDiff['status']): TargetDiff {
  return { target, status, regression: false, regressions: [], grades: [], findings: { added: [], removed: [], severityChanged: [] }, facts: [], unknown: [] };
}

/** The diff of two reports of the same target (A before, B after). */
export function diffReports(a: Report, b: Report, opts: DiffOptions = {}): TargetDiff {
  const unknown: UnknownItem[] = [];
  if (a.status === 'error' || b.status === 'error') {
    const [side, r] = a.status === 'error' ? (['A', a] as const) : (['B', b] as const);
    unknown.push({ what: 'target', reason: `${side}: the scan did not complete (${r.reason ?? 'error'})` });
  }
  // Endpoints whose address changed are compared with their partner in B (endpoints.ts).
  const pairs = pairEndpoints(a, b);
  const renamed = renameEndpoints(a, pairs);
  const fa = reportFacts(renamed);
  const fb = reportFacts(b);
  const grades = diffGrades(a, b, unknown);
  const findings = diffFindings(renamed, b, fa, fb, unknown);
  const moved: FactChange[] = [...pairs].map(([from, to]) => ({ subject: to, fact: 'endpoint.address', before: from.slice('endpoint:'.length), after: to.slice('endpoint:'.length) }));
  const facts = [...moved, ...diffFacts(fa, fb, unknown)].sort((p, q) => cmp(p.subject, q.subject) || cmp(p.fact, q.fact));
  const regressions: string[] = grades.filter((g) => g.change === 'worse').map((g) => `${g.section} grade ${g.before} → ${g.after}`);
  const bar = opts.failOn ? severityRank(opts.failOn) : null;
  if (bar !== null) {
    for (const f of findings.added) if (severityRank(f.severity) <= bar) regressions.push(`new ${f.severity} finding ${f.id}@${f.subject}`);
    for (const f of findings.severityChanged) {
      if (severityRank(f.after) < severityRank(f.before) && severityRank(f.after) <= bar) regressions.push(`finding ${f.id}@${f.subject} raised ${f.before} → ${f.after}`);
    }
  }
  const changed = grades.length + findings.added.length + findings.removed.length + findings.severityChanged.length + facts.length > 0;
  return { target: targetName(b), status: changed ? 'changed' : 'unchanged', regression: regressions.length > 0, regressions, grades, findings, facts, unknown };
}

/** The diff of two runs (sets of reports), matched by target name; a target listed twice counts by its last report. */
export function diffRuns(a: readonly Report[], b: readonly Report[], opts: DiffOptions = {}): DiffResult {
  const byName = (list: readonly Report[]): Map<string, Report> => {
    const m = new Map<string, Report>();
    for (const r of list) {
      const name = targetName(r);
      m.delete(name); // keeps the order of last reports
      m.set(name, r);
    }
    return m;
  };
  const ma = byName(a);
  const mb = byName(b);
  const targets: TargetDiff[] = [];
  for (const [name, ra] of ma) {
    const rb = mb.get(name);
    targets.push(rb ? { ...diffReports(ra, rb, opts), target: name } : emptyDiff(name, 'only-in-a'));
  }
  for (const name of mb.keys()) if (!ma.has(name)) targets.push(emptyDiff(name, 'only-in-b'));
  const count = (s: TargetDiff['status']): number => targets.filter((t) => t.status === s).length;
  const regressions = targets.filter((t) => t.regression).length;
  return {
    schema: DIFF_SCHEMA_ID,
    failOn: opts.failOn ?? null,
    regression: regressions > 0,
    summary: {
      targets: targets.length,
      changed: count('changed'),
      unchanged: count('unchanged'),
      onlyInA: count('only-in-a'),
      onlyInB: count('only-in-b'),
      regressions,
      unknown: targets.reduce((n, t) => n + t.unknown.length, 0),
    },
    targets,
  };
}
