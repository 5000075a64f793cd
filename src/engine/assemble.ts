// Pure assembly of probe outcomes into the Report: sections from evidence, findings from checks,
// a status per section that keeps "could not test" apart from pass and fail.
import { gradeEmail } from '../grade/email-input.js';
import { sortFindings } from '../model/severity.js';
import { REPORT_SCHEMA_ID, untestedProtocols, type ProbeStatus } from '../model/constants.js';
import type { DnsResult, EmailResult, EndpointReport, Finding, HttpResult, Report, TlsResult } from '../model/report.js';
import { sslLabsComponents, sslLabsGrade } from '../grade/ssllabs.js';
import { gradeFindings } from '../grade/findings.js';
import { worstGrade } from '../model/severity.js';
import { ALGORITHM_VERSION, TOOL_VERSION } from '../version.js';
import { endpointKey, type DataSource, type Endpoint, type Probe, type ScanTarget } from './probe.js';

export interface TaskOutcome {
  probe: Probe<any>;
  endpoint: Endpoint | null;
  status: ProbeStatus;
  reason?: string;
  evidence: unknown;
  durationMs: number;
  connections: number;
}

export interface AssembleInput {
  target: ScanTarget;
  url?: string;
  portSource: Report['target']['portSource'];
  startedAt: string;
  durationMs: number;
  endpoints: readonly Endpoint[];
  resolutionError: string | null;
  outcomes: readonly TaskOutcome[];
  now: Date;
}

export function emptyTls(): TlsResult {
  return {
    status: 'skipped',
    reason: 'no TLS checks selected',
    negotiated: null,
    protocols: untestedProtocols(),
    cipherSuites: {},
    serverPreference: {},
    groups: null,
    certificates: [],
    vulnerabilities: {},
    probes: {},
  };
}

function emptyHttp(url: string): HttpResult {
  return { status: 'skipped', url, finalUrl: null, statusCode: null, redirects: [], headers: {}, cookies: [], hsts: null, score: null, grade: null };
}

function emptyEmail(): EmailResult {
  return { status: 'skipped', spf: null, dmarc: null, dkim: null, mtaSts: null, tlsRpt: null, mx: [], dnssec: null, grade: null };
}

/**
 * A section is ok when any of its probes produced evidence, error when none did and one failed
 * (with that probe's reason), skipped when every probe was skipped.
 */
function sectionStatus(outcomes: readonly TaskOutcome[]): { status: ProbeStatus; reason?: string } {
  if (outcomes.some((o) => o.status === 'ok')) return { status: 'ok' };
  const failed = outcomes.find((o) => o.status === 'error');
  if (failed) return { status: 'error', reason: failed.reason ?? 'failed' };
  const skipped = outcomes.find((o) => o.status === 'skipped');
  return { status: 'skipped', reason: skipped?.reason ?? 'not selected' };
}

function applyStatus<S extends { status: ProbeStatus; reason?: string }>(section: S, outcomes: readonly TaskOutcome[]): S {
  const { status, reason } = sectionStatus(outcomes);
  const out = { ...section, status };
  if (reason === undefined) delete out.reason;
  else out.reason = reason;
  return out;
}

function runCheck(o: TaskOutcome, input: AssembleInput): Finding[] {
  const facts = { target: input.target, endpoint: o.endpoint, now: input.now };
  const findings = o.probe.check(o.evidence, facts);
  return o.probe.scope === 'endpoint' && o.endpoint ? findings.map((f) => ({ ...f, endpoint: endpointKey(o.endpoint!) })) : findings;
}

export function assembleReport(input: AssembleInput): Report {
  const findings: Finding[] = [];
  const ok = (o: TaskOutcome) => o.status === 'ok';

  // Each HTTP report fragment is built once (it scores the site): the TLS letter reads its HSTS for
  // A+, the http section merges them below.
  const httpOutcomes = input.outcomes.filter((o) => o.probe.section === 'http');
  const httpFragments = httpOutcomes.filter(ok).map((o) => o.probe.report(o.evidence) as Partial<HttpResult>);
  const hstsMaxAge = httpFragments.map((h) => h.hsts).find((h) => h)?.maxAge ?? null;

  const endpoints: EndpointReport[] = input.endpoints.map((ep) => {
    const mine = input.outcomes.filter((o) => o.probe.scope === 'endpoint' && o.endpoint === ep && o.probe.section === 'tls');
    let tls = emptyTls();
    for (const o of mine) {
      tls.probes[o.probe.id] = {
        status: o.status,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        durationMs: o.durationMs,
        connections: o.connections,
      };
      if (ok(o)) {
        const fragment = o.probe.report(o.evidence) as Partial<TlsResult>;
        // Several probes each contribute their own vulnerability verdicts: merge, never replace.
        tls = { ...tls, ...fragment, vulnerabilities: { ...tls.vulnerabilities, ...fragment.vulnerabilities } };
      }
    }
    tls = mine.length ? applyStatus(tls, mine) : tls;
    // The rating's categories need the enumerated suites; without them there is nothing to score.
    let grade: EndpointReport['grade'] = null;
    if (tls.status === 'ok' && Object.keys(tls.cipherSuites).length > 0) {
      const rating = sslLabsComponents(tls);
      const letter = sslLabsGrade(tls, rating, hstsMaxAge);
      grade = letter.letter;
      tls = { ...tls, rating: { ...rating, letter: letter.letter, ignoringTrust: letter.ignoringTrust, warnings: letter.warnings, notAPlus: letter.notAPlus } };
      findings.push(...gradeFindings(rating, letter).map((f) => ({ ...f, endpoint: endpointKey(ep) })));
    }
    return { ip: ep.ip, port: ep.port, tls, grade };
  });

  const authority = input.target.host.includes(':') ? `[${input.target.host}]` : input.target.host;
  const defaultUrl = `https://${authority}${input.target.port === 443 ? '' : `:${input.target.port}`}${input.target.path}`;
  let http: HttpResult | null = null;
  if (httpOutcomes.length) {
    http = emptyHttp(defaultUrl);
    for (const fragment of httpFragments) http = { ...http, ...fragment };
    http = applyStatus(http, httpOutcomes);
  }

  const emailOutcomes = input.outcomes.filter((o) => o.probe.section === 'email');
  let email: EmailResult | null = null;
  if (emailOutcomes.length) {
    email = emptyEmail();
    for (const o of emailOutcomes.filter(ok)) email = { ...email, ...(o.probe.report(o.evidence) as Partial<EmailResult>) };
    email = applyStatus(email, emailOutcomes);
    if (email.status === 'ok') {
      const g = gradeEmail(email);
      email = {
        ...email,
        grade: g.grade,
        rating: {
          score: g.score,
          checks: g.checks.map(({ id, label, weight, status, points, max, reason }) => ({ id, label, weight, status, points, max, reason })),
          caps: g.caps.map(({ grade, reason }) => ({ grade, reason })),
          pending: g.pending,
          reasons: g.reasons,
        },
      };
    }
  }

  const dnsOutcomes = input.outcomes.filter((o) => o.probe.section === 'dns');
  let dns: DnsResult | null = null;
  if (dnsOutcomes.length) {
    dns = { status: 'skipped', caa: null };
    for (const o of dnsOutcomes.filter(ok)) dns = { ...dns, ...(o.probe.report(o.evidence) as Partial<DnsResult>) };
    dns = applyStatus(dns, dnsOutcomes);
  }

  const dataSources = new Map<string, DataSource>();
  for (const o of input.outcomes.filter(ok)) {
    findings.push(...runCheck(o, input));
    for (const d of o.probe.dataSources?.(o.evidence) ?? []) dataSources.set(`${d.name}@${d.version}`, d);
  }

  // Unreachable: resolution failed, or endpoints exist but not one probe could connect to anything.
  let status: Report['status'] = 'ok';
  let reason: string | undefined;
  if (input.resolutionError) {
    status = 'error';
    reason = input.resolutionError;
  } else if (input.endpoints.length === 0) {
    status = 'error';
    reason = 'no address to connect to';
  } else {
    const networked = input.outcomes.filter((o) => o.probe.scope === 'endpoint' || o.probe.section === 'http');
    // Skipped probes (e.g. waiting on a failed one) neither prove nor disprove reachability.
    if (networked.some((o) => o.status === 'error') && !networked.some((o) => o.status === 'ok')) {
      status = 'error';
      reason = `target unreachable: ${networked[0]?.reason ?? 'every connection failed'}`;
    }
  }

  const httpGrade = http?.status === 'ok' ? http.grade : null;
  const emailGrade = email?.status === 'ok' ? email.grade : null;
  // An endpoint without a letter makes the whole TLS grade unknown: its worst could be anything.
  const tlsGrade = endpoints.length && endpoints.every((e) => e.grade !== null) ? worstGrade(endpoints.map((e) => e.grade)) : null;

  return {
    schema: REPORT_SCHEMA_ID,
    tool: { name: 'secgrade', version: TOOL_VERSION },
    algorithmVersion: ALGORITHM_VERSION,
    target: {
      host: input.target.host,
      port: input.target.port,
      ...(input.url ? { url: input.url } : {}),
      ...(input.portSource ? { portSource: input.portSource } : {}),
    },
    status,
    ...(reason !== undefined ? { reason } : {}),
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    // TLS: the worst endpoint (a client may land on any). HTTP: the Observatory letter. Overall:
    // the worst section grade that exists, null when none does.
    grades: { tls: tlsGrade, http: httpGrade, email: emailGrade, overall: worstGrade([tlsGrade, httpGrade, emailGrade]) },
    endpoints,
    http,
    email,
    ...(dns ? { dns } : {}),
    ...(dataSources.size ? { dataSources: [...dataSources.values()] } : {}),
    findings: sortFindings(findings),
  };
}
