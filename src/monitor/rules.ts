// Alert rules: pure functions of a target's previous report, its current report, their diff, the
// statuses of its recent runs and its open alerts. Each returns the conditions that hold now (each
// with a stable key: rule|target|subject) and what it could not judge. "Not tested" is never a
// change: an untested field neither opens an alert nor resolves one (it is listed as unknown, and
// the alert state machine keeps such alerts as they are).
//
// Rules about a change (a grade dropped, HSTS shortened …) open on the change and stay open while
// the target is still worse than before it (the "before" is kept with the alert as its baseline),
// so the alert resolves when the configuration comes back, not one run after the change.
import { diffGradeRank } from '../diff/grades.js';
import { reportFacts, sectionOf } from '../diff/facts.js';
import type { DiffSection, TargetDiff } from '../diff/types.js';
import { severityRank } from '../model/severity.js';
import type { EndpointReport, GradeLetter, HttpResult, Report, Severity } from '../model/report.js';
import { endpointKey } from '../model/target.js';
import { CIPHER_FINDINGS } from '../tls/ciphers.js';
import type { RuleConfig } from './config.js';
import type { AlertChange, AlertCondition, AlertRecord, RuleId, RuleOutcome, RuleUnknown, RunStatuses } from './types.js';

export interface RuleInput {
  /** The target's name (the store's and the config's). */
  target: string;
  /** Its last report that was not an error, or null on its first run. */
  previous: Report | null;
  current: Report;
  /** previous → current, or null without a previous report. */
  diff: TargetDiff | null;
  /** Newest first, the current run's status first. */
  statuses: RunStatuses;
  /** The target's open alerts (their baselines). */
  open: readonly AlertRecord[];
}

const DAY_MS = 86_400_000;

export const alertKey = (rule: RuleId, target: string, subject: string): string => `${rule}|${target}|${subject}`;

/** Does an unknown cover this alert subject? (an endpoint's unknown covers its certificates, protocols and suites) */
export function unknownCovers(u: RuleUnknown, rule: RuleId, subject: string): boolean {
  return u.rule === rule && (u.subject === null || u.subject === subject || subject.startsWith(`${u.subject}#`));
}

class Collector {
  readonly conditions: AlertCondition[] = [];
  readonly unknown: RuleUnknown[] = [];
  constructor(private readonly input: RuleInput) {}
  open(rule: RuleId, subject: string): AlertRecord | undefined {
    return this.input.open.find((a) => a.rule === rule && a.subject === subject);
  }
  openOf(rule: RuleId): AlertRecord[] {
    return this.input.open.filter((a) => a.rule === rule);
  }
  hold(rule: RuleId, subject: string, severity: Severity, summary: string, changes: AlertChange[], baseline?: unknown): void {
    const c: AlertCondition = { key: alertKey(rule, this.input.target, subject), rule, target: this.input.target, subject, severity, summary, changes };
    if (baseline !== undefined) c.baseline = baseline;
    this.conditions.push(c);
  }
  cannot(rule: RuleId, subject: string | null, reason: string): void {
    this.unknown.push({ rule, subject, reason });
  }
}

/** Why a probe did not answer on this report (for a subject), or null when it did. */
function probeProblem(r: Report, id: string, subject?: string): string | null {
  const p = r.probes.find((x) => x.id === id && (subject === undefined || x.subject === subject) && x.status !== 'ok');
  return p ? `${id} ${p.status === 'skipped' ? 'skipped' : 'failed'}${p.reason ? `: ${p.reason}` : ''}` : null;
}

function endpointProblem(r: Report, ep: EndpointReport, probe: string): string | null {
  if (ep.tls.status === 'error') return `TLS not tested: ${ep.tls.reason ?? 'error'}`;
  const own = ep.tls.probes[probe];
  if (own && own.status !== 'ok') return `${probe} ${own.status}${own.reason ? `: ${own.reason}` : ''}`;
  return probeProblem(r, probe, `endpoint:${endpointKey(ep)}`);
}

/** The report tested TLS (has endpoints and is not an error): an endpoint missing from it is gone. */
const tlsTested = (r: Report): boolean => r.status !== 'error' && r.status !== 'interrupted' && r.endpoints.length > 0;

const endpointOf = (r: Report, subject: string): EndpointReport | undefined => r.endpoints.find((e) => `endpoint:${endpointKey(e)}` === subject);

// --- grade dropped --------------------------------------------------------------------------------

function gradeDropped(c: Collector, input: RuleInput, sections: readonly DiffSection[]): void {
  const { current, diff } = input;
  for (const section of sections) {
    const subject = `grade.${section}`;
    const now = (current.grades as Record<string, GradeLetter | null | undefined>)[section];
    if (now === undefined) continue; // ssh on a report without it
    const open = c.open('grade-dropped', subject);
    if (now === null) {
      const why = (current.gradeReasons as Record<string, string | undefined> | undefined)?.[section];
      c.cannot('grade-dropped', subject, `no ${section} grade${why ? `: ${why}` : ''}`);
      continue;
    }
    const severity: Severity = ['F', 'T', 'M'].includes(now) ? 'high' : 'medium';
    if (open) {
      const before = (open.baseline as { before?: GradeLetter } | undefined)?.before;
      if (before && diffGradeRank(now) < diffGradeRank(before)) {
        c.hold('grade-dropped', subject, severity, `${section} grade dropped ${before} → ${now}`, [{ what: subject, before, after: now }], { before });
      }
      continue;
    }
    const drop = diff?.grades.find((g) => g.section === section && g.change === 'worse');
    if (drop && drop.before && drop.after) {
      c.hold('grade-dropped', subject, severity, `${section} grade dropped ${drop.before} → ${drop.after}`, [{ what: subject, before: drop.before, after: drop.after }], {
        before: drop.before,
      });
    }
  }
}

// --- new finding ----------------------------------------------------------------------------------

/** Why the report cannot say whether a finding is there, or null when it can. */
function findingUntested(r: Report, id: string): string | null {
  if (r.status === 'error' || r.status === 'interrupted') return `the scan ${r.status === 'error' ? 'did not complete' : 'was interrupted'}`;
  const section = sectionOf(id);
  if (!section) return null;
  const untested = reportFacts(r).untested[section];
  if (untested) return `${section} ${untested}`;
  const cut = r.incomplete?.find((i) => i.section === section);
  return cut ? `${cut.probe} did not complete: ${cut.reason}` : null;
}

function newFinding(c: Collector, input: RuleInput, bar: Severity): void {
  const { current, diff } = input;
  const limit = severityRank(bar);
  const now = new Map(current.findings.map((f) => [`${f.id}@${f.subject}`, f]));
  for (const a of c.openOf('new-finding')) {
    const f = now.get(a.subject);
    if (f) {
      if (severityRank(f.severity) <= limit) c.hold('new-finding', a.subject, f.severity, `${f.severity} finding: ${f.title} (${a.subject})`, a.changes);
      continue;
    }
    const why = findingUntested(current, a.subject.split('@')[0]!);
    if (why) c.cannot('new-finding', a.subject, why);
  }
  if (!diff) return;
  const fresh = [
    ...diff.findings.added.map((f) => ({ ...f, before: null as Severity | null })),
    ...diff.findings.severityChanged
      .filter((f) => severityRank(f.after) < severityRank(f.before) && severityRank(f.before) > limit)
      .map((f) => ({ id: f.id, subject: f.subject, title: f.title, severity: f.after, before: f.before as Severity | null })),
  ];
  for (const f of fresh) {
    const subject = `${f.id}@${f.subject}`;
    if (severityRank(f.severity) > limit || c.open('new-finding', subject)) continue;
    c.hold('new-finding', subject, f.severity, `new ${f.severity} finding: ${f.title} (${subject})`, [{ what: subject, before: f.before, after: f.severity }]);
  }
}

// --- certificate expiry (check_ssl_cert: days left, or percent of the lifetime left) ---------------

function certExpiry(c: Collector, input: RuleInput, days: number, percent: number | null): void {
  const { current, previous } = input;
  if (!tlsTested(current)) return c.cannot('cert-expiry', null, current.status === 'error' ? `the scan did not complete (${current.reason ?? 'error'})` : 'no endpoint was tested');
  const at = Date.parse(current.startedAt);
  for (const ep of current.endpoints) {
    const epSubject = `endpoint:${endpointKey(ep)}`;
    const problem = endpointProblem(current, ep, 'tls-certificates');
    if (problem) {
      c.cannot('cert-expiry', epSubject, problem);
      continue;
    }
    ep.tls.certificates
      .filter((cert) => (cert.servedIndex ?? 0) === 0)
      .forEach((leaf, i) => {
        const chain = leaf.chain ?? i;
        const notAfter = Date.parse(leaf.notAfter);
        const notBefore = Date.parse(leaf.notBefore);
        if (!Number.isFinite(notAfter) || !Number.isFinite(notBefore)) return c.cannot('cert-expiry', `${epSubject}#cert.${chain}`, 'unreadable validity dates');
        const left = notAfter - at;
        const lifetime = notAfter - notBefore;
        const leftPct = lifetime > 0 ? (left / lifetime) * 100 : 0;
        const byDays = left < days * DAY_MS;
        const byPct = percent !== null && leftPct < percent;
        if (!byDays && !byPct) return;
        const d = Math.floor(left / DAY_MS);
        const when = left <= 0 ? `expired ${Math.max(0, -d - 1) === 0 ? 'today' : `${-d - 1} day(s) ago`}` : `expires in ${d} day(s) (${leftPct.toFixed(0)}% of its ${Math.round(lifetime / DAY_MS)}-day lifetime left)`;
        const before = previous ? endpointOf(previous, epSubject)?.tls.certificates.find((x) => (x.servedIndex ?? 0) === 0 && (x.chain ?? 0) === chain)?.notAfter ?? null : null;
        c.hold('cert-expiry', `${epSubject}#cert.${chain}`, left <= 0 ? 'critical' : 'high', `certificate ${leaf.subject} on ${endpointKey(ep)} ${when}`, [
          { what: `cert.${chain}.notAfter`, before, after: leaf.notAfter },
        ]);
      });
  }
}

// --- weak protocols and suites --------------------------------------------------------------------

const WEAK_PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1'] as const;

function weakProtocol(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  if (!tlsTested(current)) return c.cannot('weak-protocol', null, 'no endpoint was tested');
  for (const ep of current.endpoints) {
    const epSubject = `endpoint:${endpointKey(ep)}`;
    const problem = endpointProblem(current, ep, 'tls-protocols');
    if (problem) {
      c.cannot('weak-protocol', epSubject, problem);
      continue;
    }
    const prevEp = previous ? endpointOf(previous, epSubject) : undefined;
    for (const p of WEAK_PROTOCOLS) {
      const subject = `${epSubject}#${p}`;
      const now = ep.tls.protocols[p];
      if (now === null || now === undefined) {
        if (c.open('weak-protocol', subject)) c.cannot('weak-protocol', subject, `${p} not tested`);
        continue;
      }
      if (now !== true) continue;
      const summary = `${p} offered on ${endpointKey(ep)}`;
      if (c.open('weak-protocol', subject)) {
        c.hold('weak-protocol', subject, 'high', summary, [{ what: `tls.protocol.${p}`, before: false, after: true }]);
        continue;
      }
      // Newly: refused before on this endpoint, or the endpoint is new on a run that tested TLS.
      const before = prevEp ? (endpointProblem(previous!, prevEp, 'tls-protocols') ? null : prevEp.tls.protocols[p]) : previous && tlsTested(previous) ? false : null;
      if (before === false) c.hold('weak-protocol', subject, 'high', `${summary} (newly)`, [{ what: `tls.protocol.${p}`, before: prevEp ? false : null, after: true }]);
    }
  }
}

const WEAK_SUITE_IDS: readonly string[] = [CIPHER_FINDINGS.null, CIPHER_FINDINGS.anonymous, CIPHER_FINDINGS.export, CIPHER_FINDINGS.rc4, CIPHER_FINDINGS.weakKey, CIPHER_FINDINGS.block64];

/** The suites a report's own findings mark weak, by endpoint subject and suite: the worst severity and the protocols. */
function weakSuites(r: Report): Map<string, { severity: Severity; why: string; protocols: string[] }> {
  const out = new Map<string, { severity: Severity; why: string; protocols: string[] }>();
  for (const f of r.findings) {
    if (!WEAK_SUITE_IDS.includes(f.id)) continue;
    const suites = (f.evidence as { suites?: Record<string, unknown> }).suites ?? {};
    for (const [p, names] of Object.entries(suites)) {
      if (!Array.isArray(names)) continue;
      for (const name of names) {
        if (typeof name !== 'string') continue;
        const key = `${f.subject}#${name}`;
        const seen = out.get(key);
        if (!seen) out.set(key, { severity: f.severity, why: f.id, protocols: [p] });
        else {
          if (!seen.protocols.includes(p)) seen.protocols.push(p);
          if (severityRank(f.severity) < severityRank(seen.severity)) Object.assign(seen, { severity: f.severity, why: f.id });
        }
      }
    }
  }
  return out;
}

/** The suites an endpoint accepted on a protocol, or null when that is not known. */
function acceptedBefore(prev: Report, epSubject: string, protocol: string): Set<string> | null {
  const ep = endpointOf(prev, epSubject);
  if (!ep) return tlsTested(prev) ? new Set() : null; // a new endpoint accepted nothing before
  if (endpointProblem(prev, ep, 'tls-protocols') || endpointProblem(prev, ep, 'tls-ciphers')) return null;
  const offered = (ep.tls.protocols as Record<string, boolean | null>)[protocol];
  if (offered === false) return new Set();
  if (offered !== true || ep.tls.cipherSuitesIncomplete?.[protocol]) return null;
  const list = ep.tls.cipherSuites[protocol];
  return list ? new Set(list) : null;
}

function weakSuite(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  if (!tlsTested(current)) return c.cannot('weak-suite', null, 'no endpoint was tested');
  const now = weakSuites(current);
  for (const ep of current.endpoints) {
    const problem = endpointProblem(current, ep, 'tls-ciphers') ?? (Object.keys(ep.tls.cipherSuitesIncomplete ?? {}).length ? 'suite enumeration stopped early' : null);
    if (problem) c.cannot('weak-suite', `endpoint:${endpointKey(ep)}`, problem);
  }
  for (const [subject, w] of now) {
    const [epSubject, suite] = subject.split('#') as [string, string];
    const summary = `weak suite ${suite} accepted on ${epSubject.slice('endpoint:'.length)} (${w.protocols.join(', ')}; ${w.why})`;
    if (c.open('weak-suite', subject)) {
      c.hold('weak-suite', subject, w.severity, summary, [{ what: `tls.suites`, before: null, after: suite }]);
      continue;
    }
    if (!previous) continue;
    const newly = w.protocols.filter((p) => acceptedBefore(previous, epSubject, p)?.has(suite) === false);
    if (newly.length) c.hold('weak-suite', subject, w.severity, `${summary} (newly)`, newly.map((p) => ({ what: `tls.suites.${p}`, before: null, after: suite })));
  }
}

// --- HSTS -----------------------------------------------------------------------------------------

type Hsts = HttpResult['hsts'];

/** Why the report's HSTS cannot be read, or null. */
function httpUntested(r: Report): string | null {
  if (!r.http) return 'HTTP not tested';
  if (r.http.status !== 'ok') return `HTTP ${r.http.status}${r.http.reason ? `: ${r.http.reason}` : ''}`;
  return probeProblem(r, 'http-headers');
}

/** How `now` is weaker than `base`, or [] when it is not. */
function hstsWeakening(base: Hsts, now: Hsts): string[] {
  if (!base) return [];
  if (!now) return ['header gone'];
  const out: string[] = [];
  if ((now.maxAge ?? 0) < (base.maxAge ?? 0)) out.push(`max-age ${base.maxAge} → ${now.maxAge ?? 'none'}`);
  if (base.includeSubDomains && !now.includeSubDomains) out.push('includeSubDomains dropped');
  if (base.preload && !now.preload) out.push('preload dropped');
  return out;
}

function hstsWeakened(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  const why = httpUntested(current);
  if (why) return c.cannot('hsts-weakened', null, why);
  const subject = `url:${current.http!.url}`;
  const now = current.http!.hsts;
  const open = c.open('hsts-weakened', subject);
  const base: Hsts | undefined = open ? (open.baseline as { hsts: Hsts } | undefined)?.hsts : previous && !httpUntested(previous) && previous.http!.url === current.http!.url ? previous.http!.hsts : undefined;
  if (base === undefined) return;
  const how = hstsWeakening(base, now);
  if (how.length) c.hold('hsts-weakened', subject, 'medium', `HSTS weakened on ${current.http!.url}: ${how.join(', ')}`, [{ what: 'http.hsts', before: base, after: now }], { hsts: base });
}

// --- DMARC and SPF --------------------------------------------------------------------------------

function emailUntested(r: Report): string | null {
  if (!r.email) return 'email not tested';
  if (r.email.status !== 'ok') return `email ${r.email.status}${r.email.reason ? `: ${r.email.reason}` : ''}`;
  return probeProblem(r, 'email-records');
}

const DMARC_RANK: Record<string, number> = { reject: 3, quarantine: 2, none: 1 };
interface DmarcStrength {
  p: string;
  rank: number;
  pct: number;
}

/** A DMARC record's strength; without a usable record (missing, invalid, two) no policy applies. null: the lookup failed. */
function dmarcStrength(r: Report): DmarcStrength | null {
  const d = r.email!.dmarc;
  if (!d || d.status === 'error') return null;
  if (d.status !== 'found' || !d.policy) return { p: `(${d.status} record)`, rank: 0, pct: 0 };
  return { p: d.policy, rank: DMARC_RANK[d.policy] ?? 0, pct: d.pct ?? 100 };
}

function dmarcWeakened(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  const why = emailUntested(current);
  const subject = `domain:${current.target.host}`;
  if (why) return c.cannot('dmarc-weakened', null, why);
  const now = dmarcStrength(current);
  if (!now) return c.cannot('dmarc-weakened', subject, `DMARC lookup failed${current.email!.dmarc?.reason ? `: ${current.email!.dmarc.reason}` : ''}`);
  const open = c.open('dmarc-weakened', subject);
  const base = open ? (open.baseline as { dmarc?: DmarcStrength } | undefined)?.dmarc : previous && !emailUntested(previous) ? dmarcStrength(previous) : null;
  if (!base || base.rank === 0) return;
  const weaker = now.rank < base.rank || (now.rank === base.rank && now.pct < base.pct);
  if (!weaker) return;
  const what = now.rank < base.rank ? `p=${base.p} → ${now.rank ? `p=${now.p}` : now.p}` : `pct=${base.pct} → pct=${now.pct}`;
  c.hold('dmarc-weakened', subject, 'medium', `DMARC weakened for ${current.target.host}: ${what}`, [{ what: 'email.dmarc', before: base, after: now }], { dmarc: base });
}

const SPF_RANK: Record<string, number> = { '-all': 4, '~all': 3, '?all': 2, '+all': 1, all: 1 };
/** The final all's qualifier (following redirect=); no all, or no usable record, is neutral (?all). null: lookup failed. */
function spfAll(r: Report): { all: string; rank: number } | null {
  const s = r.email!.spf;
  if (!s || s.status === 'error') return null;
  if (s.status !== 'found') return { all: `(${s.status} record)`, rank: 2 };
  const q = [s.effectiveAll, s.all].find((x): x is string => typeof x === 'string' && x in SPF_RANK);
  return q ? { all: q === 'all' ? '+all' : q, rank: SPF_RANK[q]! } : { all: '(no all: neutral)', rank: 2 };
}

function spfWeakened(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  const why = emailUntested(current);
  const subject = `domain:${current.target.host}`;
  if (why) return c.cannot('spf-weakened', null, why);
  const now = spfAll(current);
  if (!now) return c.cannot('spf-weakened', subject, `SPF lookup failed${current.email!.spf?.reason ? `: ${current.email!.spf.reason}` : ''}`);
  const open = c.open('spf-weakened', subject);
  const base = open ? (open.baseline as { spf?: { all: string; rank: number } } | undefined)?.spf : previous && !emailUntested(previous) ? spfAll(previous) : null;
  if (!base || now.rank >= base.rank) return;
  c.hold('spf-weakened', subject, 'medium', `SPF loosened for ${current.target.host}: ${base.all} → ${now.all}`, [{ what: 'email.spf.all', before: base.all, after: now.all }], { spf: base });
}

// --- MX STARTTLS ----------------------------------------------------------------------------------

function mxStarttlsLost(c: Collector, input: RuleInput): void {
  const { current, previous } = input;
  const why = emailUntested(current) ?? probeProblem(current, 'email-mx-records') ?? (current.email?.mxStatus === 'error' ? 'MX lookup failed' : null);
  if (why) return c.cannot('mx-starttls-lost', null, why);
  const mxProblem = probeProblem(current, 'email-mx');
  for (const mx of current.email!.mx) {
    const subject = `mx:${mx.host.toLowerCase()}`;
    const open = c.open('mx-starttls-lost', subject);
    if (mx.starttls === null || mxProblem) {
      if (open) c.cannot('mx-starttls-lost', subject, mxProblem ?? `STARTTLS not tested${mx.reason ? `: ${mx.reason}` : ''}`);
      continue;
    }
    if (mx.starttls) continue;
    const summary = `MX ${mx.host} no longer offers STARTTLS`;
    if (open) {
      c.hold('mx-starttls-lost', subject, 'high', summary, open.changes);
      continue;
    }
    const before = previous?.email?.mx.find((m) => m.host.toLowerCase() === mx.host.toLowerCase())?.starttls;
    if (before === true) c.hold('mx-starttls-lost', subject, 'high', summary, [{ what: 'email.starttls', before: true, after: false }]);
  }
}

// --- scan keeps failing ---------------------------------------------------------------------------

const FAILED = new Set<Report['status']>(['error', 'partial']);

function scanFailing(c: Collector, input: RuleInput, runs: number): void {
  const { current } = input;
  // An interrupted run (we stopped it) says nothing about the target.
  if (current.status === 'interrupted') return c.cannot('scan-failing', null, 'the scan was interrupted');
  if (!FAILED.has(current.status)) return;
  const judged = input.statuses.filter((s) => s !== 'interrupted');
  let streak = 0;
  while (streak < judged.length && FAILED.has(judged[streak]!)) streak++;
  const open = c.open('scan-failing', 'scan');
  if (!open && streak < runs) return;
  c.hold('scan-failing', 'scan', 'high', `${streak} scan(s) in a row did not complete: ${current.reason ?? current.status}`, [
    { what: 'status', before: null, after: current.status },
  ]);
}

// --------------------------------------------------------------------------------------------------

/** Every configured rule over one target's run. */
export function evaluateRules(rules: readonly RuleConfig[], input: RuleInput): RuleOutcome {
  const c = new Collector(input);
  const cut = input.current.status === 'error' || input.current.status === 'interrupted';
  for (const r of rules) {
    // A scan that did not complete tests nothing: only the failing-scan rule judges it.
    if (cut && r.rule !== 'scan-failing') {
      c.cannot(r.rule, null, `the scan ${input.current.status === 'error' ? `did not complete (${input.current.reason ?? 'error'})` : 'was interrupted'}`);
      continue;
    }
    switch (r.rule) {
      case 'grade-dropped':
        gradeDropped(c, input, r.sections);
        break;
      case 'new-finding':
        newFinding(c, input, r.severity);
        break;
      case 'cert-expiry':
        certExpiry(c, input, r.days, r.percent);
        break;
      case 'weak-protocol':
        weakProtocol(c, input);
        break;
      case 'weak-suite':
        weakSuite(c, input);
        break;
      case 'hsts-weakened':
        hstsWeakened(c, input);
        break;
      case 'dmarc-weakened':
        dmarcWeakened(c, input);
        break;
      case 'spf-weakened':
        spfWeakened(c, input);
        break;
      case 'mx-starttls-lost':
        mxStarttlsLost(c, input);
        break;
      case 'scan-failing':
        scanFailing(c, input, r.runs);
        break;
    }
  }
  return { conditions: c.conditions, unknown: c.unknown };
}
