// The configuration facts of a report that a diff compares, each named (subject, fact) and either
// a value or "unknown, because …". Volatile fields (days remaining, timestamps, durations,
// connection counts, OCSP thisUpdate/nextUpdate, run ids, job keys) are never read here, so they
// can never show up as a change.
import { PROTOCOLS, type CertificateInfo, type Protocols, type EmailResult, type HttpResult, type ProbeRun, type Report, type TlsResult } from '../model/report.js';
import { endpointKey } from '../model/target.js';
import type { FactValue } from './types.js';

export type FactEntry = { subject: string; fact: string; value: FactValue } | { subject: string; fact: string; unknown: string };

/** The sections whose facts are compared; a section untested on one side is one "unknown" line. */
export const FACT_SECTIONS = ['tls', 'http', 'email', 'dns'] as const;
export type FactSection = (typeof FACT_SECTIONS)[number];

export interface ReportFacts {
  /** Per section: null when tested, else why not (its facts are then not listed). */
  untested: Record<FactSection, string | null>;
  /** Keyed by `subject|fact`. */
  facts: Map<string, FactEntry>;
  /** Endpoint subjects (endpoint:IP:PORT) and MX hosts (mx:HOST) present: a subject on one side only is reported once, not fact by fact. */
  subjects: Set<string>;
}

const sorted = (list: readonly string[]): string[] => [...list].sort();

/** Why a probe did not answer on this report, when it did not (error or skipped). */
function probeProblem(probes: readonly ProbeRun[], id: string, subject?: string): string | null {
  const run = probes.find((p) => p.id === id && (subject === undefined || p.subject === subject) && p.status !== 'ok');
  if (!run) return null;
  return `${id} ${run.status === 'skipped' ? 'skipped' : `failed${run.errorKind ? ` (${run.errorKind})` : ''}`}${run.reason ? `: ${run.reason}` : ''}`;
}

class FactList {
  readonly facts = new Map<string, FactEntry>();
  add(subject: string, fact: string, value: FactValue): void {
    this.facts.set(`${subject}|${fact}`, { subject, fact, value });
  }
  unknown(subject: string, fact: string, reason: string): void {
    this.facts.set(`${subject}|${fact}`, { subject, fact, unknown: reason });
  }
  /** value, or unknown when the probe that measures it did not answer. */
  measured(subject: string, fact: string, problem: string | null, value: () => FactValue | undefined, nullReason = 'not tested'): void {
    if (problem) return this.unknown(subject, fact, problem);
    const v = value();
    if (v === undefined) this.unknown(subject, fact, nullReason);
    else this.add(subject, fact, v);
  }
}

/** The tls.probes entry of an endpoint (the per-endpoint record) or the report's probes[] entry. */
function tlsProbeProblem(report: Report, tls: TlsResult, subject: string, id: string): string | null {
  const own = tls.probes[id];
  if (own && own.status !== 'ok') return `${id} ${own.status}${own.reason ? `: ${own.reason}` : ''}`;
  return probeProblem(report.probes, id, subject);
}

const keyOf = (c: CertificateInfo): string => [c.keyType, c.keyBits ?? '?', c.curve ?? ''].filter((x) => x !== '').join(' ');

function tlsFacts(report: Report, out: FactList, subjects: Set<string>): void {
  for (const ep of report.endpoints) {
    const subject = `endpoint:${endpointKey(ep)}`;
    subjects.add(subject);
    const tls = ep.tls;
    if (tls.status === 'error') {
      out.unknown(subject, 'tls', `TLS not tested: ${tls.reason ?? 'error'}`);
      continue;
    }
    const protocols = tls.protocols as Protocols;
    const protoProblem = tlsProbeProblem(report, tls, subject, 'tls-protocols');
    for (const p of PROTOCOLS) out.measured(subject, `tls.protocol.${p}`, protoProblem, () => protocols[p] ?? undefined);
    const suitesProblem = tlsProbeProblem(report, tls, subject, 'tls-ciphers');
    for (const p of PROTOCOLS) {
      // Suites are compared where the protocol is offered; a protocol that came or went is its own fact.
      if (protocols[p] !== true) continue;
      const cut = tls.cipherSuitesIncomplete?.[p];
      out.measured(subject, `tls.suites.${p}`, suitesProblem ?? (cut ? `suite enumeration stopped early: ${cut}` : null), () =>
        tls.cipherSuites[p] ? sorted(tls.cipherSuites[p]) : undefined,
      );
    }
    const groupsCut = tls.groupsIncomplete?.length ? `group enumeration stopped early: ${tls.groupsIncomplete.join(', ')}` : null;
    out.measured(subject, 'tls.groups', tlsProbeProblem(report, tls, subject, 'tls-groups') ?? groupsCut, () => (tls.groups ? sorted(tls.groups) : undefined));
    const certProblem = tlsProbeProblem(report, tls, subject, 'tls-certificates');
    const leaves = tls.certificates.filter((c) => (c.servedIndex ?? 0) === 0);
    if (certProblem) out.unknown(subject, 'cert', certProblem);
    else
      leaves.forEach((leaf, i) => {
        const chain = leaf.chain ?? i;
        out.add(subject, `cert.${chain}.serial`, leaf.serialNumber);
        out.add(subject, `cert.${chain}.subject`, leaf.subject);
        out.add(subject, `cert.${chain}.issuer`, leaf.issuer);
        out.add(subject, `cert.${chain}.notAfter`, leaf.notAfter);
        out.add(subject, `cert.${chain}.key`, keyOf(leaf));
        out.add(subject, `cert.${chain}.sans`, sorted(leaf.sans));
      });
  }
}

/** enforced, report-only or absent: what the site's Content-Security-Policy headers are. */
function cspPresence(http: HttpResult): string {
  if (http.headers['content-security-policy'] !== undefined) return 'enforced';
  if (http.headers['content-security-policy-report-only'] !== undefined) return 'report-only';
  return 'absent';
}

function httpFacts(report: Report, http: HttpResult, out: FactList): void {
  const subject = `url:${http.url}`;
  const problem = probeProblem(report.probes, 'http-headers');
  // hsts null on a page that was read = no (valid) HSTS header.
  out.measured(subject, 'http.hsts.maxAge', problem, () => http.hsts?.maxAge ?? null);
  out.measured(subject, 'http.hsts.includeSubDomains', problem, () => http.hsts?.includeSubDomains ?? null);
  out.measured(subject, 'http.hsts.preload', problem, () => http.hsts?.preload ?? null);
  out.measured(subject, 'http.csp', problem, () => cspPresence(http));
}

function emailFacts(report: Report, email: EmailResult, out: FactList, subjects: Set<string>): void {
  const subject = `domain:${report.target.host}`;
  const records = probeProblem(report.probes, 'email-records');
  const lookupFailed = (status: string | undefined, reason: string | undefined): string | null =>
    status === 'error' ? `lookup failed${reason ? `: ${reason}` : ''}` : null;
  const spf = email.spf;
  out.measured(subject, 'email.spf.all', records ?? lookupFailed(spf?.status, spf?.reason), () =>
    spf ? (spf.status === 'missing' ? '(no SPF record)' : spf.all ?? `(${spf.status})`) : undefined,
  );
  const dmarc = email.dmarc;
  const dmarcProblem = records ?? lookupFailed(dmarc?.status, dmarc?.reason);
  const found = dmarc?.status === 'found';
  out.measured(subject, 'email.dmarc.p', dmarcProblem, () => (dmarc ? (found ? dmarc.policy : `(${dmarc.status} record)`) : undefined));
  out.measured(subject, 'email.dmarc.sp', dmarcProblem, () => (dmarc ? (found ? dmarc.subdomainPolicy : null) : undefined));
  out.measured(subject, 'email.dmarc.pct', dmarcProblem, () => (dmarc ? (found ? dmarc.pct : null) : undefined));
  const sts = email.mtaSts;
  out.measured(subject, 'email.mtaSts.mode', records, () => (sts ? (sts.mode ?? `(${sts.status})`) : undefined));
  out.measured(subject, 'email.dnssec', probeProblem(report.probes, 'email-dnssec'), () => email.dnssec ?? undefined);
  const mxRecords = probeProblem(report.probes, 'email-mx-records') ?? (email.mxStatus === 'error' ? 'MX lookup failed' : null);
  out.measured(subject, 'email.mx', mxRecords, () =>
    email.mxStatus === 'null-mx' ? '(null MX: no mail)' : sorted(email.mx.map((m) => m.host.toLowerCase())),
  );
  if (mxRecords) return;
  const mxProblem = probeProblem(report.probes, 'email-mx');
  for (const mx of email.mx) {
    const mxSubject = `mx:${mx.host.toLowerCase()}`;
    subjects.add(mxSubject);
    out.measured(mxSubject, 'email.starttls', mxProblem, () => mx.starttls ?? undefined, mx.reason ? `not tested: ${mx.reason}` : 'not tested');
  }
}

function dnsFacts(report: Report, out: FactList): void {
  const caa = report.dns?.caa;
  const subject = `domain:${report.target.host}`;
  out.measured(subject, 'dns.caa', probeProblem(report.probes, 'dns-caa') ?? (report.dns?.status === 'error' ? (report.dns.reason ?? 'CAA lookup failed') : null), () =>
    caa ? sorted(caa.records.map((r) => `${r.flags} ${r.tag} "${r.value}"`)) : undefined,
  );
}

/** Why a whole section has no facts on this report, or null when it was tested. */
function sectionUntested(report: Report, section: FactSection): string | null {
  if (report.status === 'error') return `the scan did not complete (${report.reason ?? 'error'})`;
  const failed = (s: { status: string; reason?: string } | null | undefined): string | null =>
    !s ? 'not tested' : s.status === 'error' ? `not tested: ${s.reason ?? 'error'}` : s.status === 'skipped' ? `skipped${s.reason ? `: ${s.reason}` : ''}` : null;
  switch (section) {
    case 'tls':
      return report.endpoints.length ? null : 'no endpoint was tested';
    case 'http':
      return failed(report.http);
    case 'email':
      return failed(report.email);
    case 'dns':
      return failed(report.dns);
  }
}

export function reportFacts(report: Report): ReportFacts {
  const out = new FactList();
  const subjects = new Set<string>();
  const untested = Object.fromEntries(FACT_SECTIONS.map((s) => [s, sectionUntested(report, s)])) as Record<FactSection, string | null>;
  if (!untested.tls) tlsFacts(report, out, subjects);
  if (!untested.http && report.http) httpFacts(report, report.http, out);
  if (!untested.email && report.email) emailFacts(report, report.email, out, subjects);
  if (!untested.dns) dnsFacts(report, out);
  return { untested, facts: out.facts, subjects };
}

/** The section a fact or a finding id belongs to (its first dotted part; cert and vuln live with tls). */
export function sectionOf(idOrFact: string): FactSection | null {
  const head = idOrFact.split('.')[0];
  if (head === 'tls' || head === 'cert' || head === 'vuln') return 'tls';
  if (head === 'http' || head === 'email' || head === 'dns') return head;
  return null;
}
