// Pure assembly of probe outcomes into the Report: each section from the fields its probes own,
// findings with their subjects, a status per section that keeps "could not test" apart from pass
// and fail, every probe run listed, then the grades, made in one step by src/grade.
import { gradeScan } from '../grade/index.js';
import { SUBJECT, withSubject, type CheckFinding } from '../model/finding.js';
import { sortFindings } from '../model/severity.js';
import { REPORT_SCHEMA_ID, type ProbeErrorKind, type ProbeStatus } from '../model/constants.js';
import type { DnsResult, EmailResult, EndpointReport, Finding, HttpResult, ProbeRun, Report, TlsResult } from '../model/report.js';
import { httpSiteProbe } from '../probes/http/site.js';
import { ALGORITHM_VERSION, TOOL_VERSION } from '../version.js';
import { endpointKey, runsPerEndpoint, type AnyProbe, type DataSource, type Endpoint, type Probe, type ScanTarget, type SectionName } from './probe.js';
import { emptyDns, emptyEmail, emptyHttp, emptyTls, FIELD_ORDER, inFieldOrder, mergeFragment } from './sections.js';

export interface TaskOutcome {
  probe: AnyProbe;
  /** The endpoint an endpoint (or per-endpoint derived) probe ran on; the first endpoint, or null, for the rest. */
  endpoint: Endpoint | null;
  status: ProbeStatus;
  reason?: string;
  errorKind?: ProbeErrorKind;
  evidence: unknown;
  /** What the probe's check made of the evidence ([] unless ok). */
  findings: readonly CheckFinding[];
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
}

/** The evidence of a probe that completed (the first such run), typed by the probe. */
export function evidenceOf<E>(outcomes: readonly TaskOutcome[], probe: Probe<E, any, any>): E | null {
  const o = outcomes.find((x) => x.probe === probe && x.status === 'ok');
  return o ? (o.evidence as E) : null;
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

/** A section from its empty form, the fragments of its probes that completed, and its status. */
function buildSection<T extends { status: ProbeStatus; reason?: string }>(empty: T, outcomes: readonly TaskOutcome[]): T {
  let section = empty;
  for (const o of outcomes) if (o.status === 'ok') section = mergeFragment(section, o.probe, o.probe.fields(o.evidence));
  const { status, reason } = sectionStatus(outcomes);
  const out: T = { ...section, status };
  if (reason === undefined) delete out.reason;
  else out.reason = reason;
  return out;
}

function tlsSection(ep: Endpoint, outcomes: readonly TaskOutcome[]): TlsResult {
  const mine = outcomes.filter((o) => o.endpoint === ep && o.probe.section === 'tls' && runsPerEndpoint(o.probe));
  if (!mine.length) return emptyTls();
  const tls = buildSection(emptyTls(), mine);
  for (const o of mine) {
    tls.probes[o.probe.id] = {
      status: o.status,
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
      durationMs: o.durationMs,
      connections: o.connections,
    };
  }
  return tls;
}

export function assembleReport(input: AssembleInput): Report {
  const { outcomes } = input;
  const host = input.target.host;
  const authority = host.includes(':') ? `[${host}]` : host;
  const defaultUrl = `https://${authority}${input.target.port === 443 ? '' : `:${input.target.port}`}${input.target.path}`;
  const of = (section: SectionName) => outcomes.filter((o) => o.probe.section === section && !runsPerEndpoint(o.probe));

  const endpoints: EndpointReport[] = input.endpoints.map((ep) => ({ ip: ep.ip, port: ep.port, tls: tlsSection(ep, outcomes), grade: null }));
  const httpOutcomes = of('http');
  const http: HttpResult | null = httpOutcomes.length ? buildSection(emptyHttp(defaultUrl), httpOutcomes) : null;
  const emailOutcomes = of('email');
  const email: EmailResult | null = emailOutcomes.length ? buildSection(emptyEmail(), emailOutcomes) : null;
  const dnsOutcomes = of('dns');
  const dns: DnsResult | null = dnsOutcomes.length ? buildSection(emptyDns(), dnsOutcomes) : null;

  // What each probe run is about: its endpoint, the site, or the domain.
  const subjectOf = (o: Pick<TaskOutcome, 'probe' | 'endpoint'>): string =>
    runsPerEndpoint(o.probe) && o.endpoint
      ? SUBJECT.endpoint(endpointKey(o.endpoint))
      : o.probe.section === 'http'
        ? SUBJECT.url(http?.url ?? defaultUrl)
        : SUBJECT.domain(host);

  const findings: Finding[] = [];
  const dataSources = new Map<string, DataSource>();
  for (const o of outcomes) {
    if (o.status !== 'ok') continue;
    const at = runsPerEndpoint(o.probe) && o.endpoint ? { endpoint: endpointKey(o.endpoint) } : {};
    findings.push(...o.findings.map((f) => withSubject({ ...f, ...at }, subjectOf(o))));
    for (const d of o.probe.dataSources?.(o.evidence) ?? []) dataSources.set(`${d.name}@${d.version}`, d);
  }

  const graded = gradeScan({ endpoints, http, email, httpSite: evidenceOf(outcomes, httpSiteProbe) });
  findings.push(...graded.findings);

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
    const networked = outcomes.filter((o) => o.probe.scope === 'endpoint' || o.probe.section === 'http');
    // Skipped probes (e.g. waiting on a failed one) neither prove nor disprove reachability.
    if (networked.some((o) => o.status === 'error') && !networked.some((o) => o.status === 'ok')) {
      status = 'error';
      reason = `target unreachable: ${networked[0]?.reason ?? 'every connection failed'}`;
    }
  }

  const probes: ProbeRun[] = outcomes.map((o) => ({
    id: o.probe.id,
    subject: subjectOf(o),
    status: o.status,
    ...(o.errorKind !== undefined ? { errorKind: o.errorKind } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    durationMs: o.durationMs,
    ...(o.probe.scope !== 'derived' ? { connections: o.connections } : {}),
  }));

  return {
    schema: REPORT_SCHEMA_ID,
    tool: { name: 'secgrade', version: TOOL_VERSION },
    algorithmVersion: ALGORITHM_VERSION,
    target: {
      host,
      port: input.target.port,
      ...(input.url ? { url: input.url } : {}),
      ...(input.portSource ? { portSource: input.portSource } : {}),
    },
    status,
    ...(reason !== undefined ? { reason } : {}),
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    grades: graded.grades,
    probes,
    // Each section in its fixed field order, whichever probes ran and whatever the grades added.
    endpoints: graded.endpoints.map((e) => ({ ...e, tls: inFieldOrder(e.tls, FIELD_ORDER.tls) })),
    http: graded.http && inFieldOrder(graded.http, FIELD_ORDER.http),
    email: graded.email && inFieldOrder(graded.email, FIELD_ORDER.email),
    ...(dns ? { dns: inFieldOrder(dns, FIELD_ORDER.dns) } : {}),
    ...(dataSources.size ? { dataSources: [...dataSources.values()] } : {}),
    findings: sortFindings(findings),
  };
}
