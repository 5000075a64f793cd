// Pure assembly of probe outcomes into the Report: each section from the fields its probes own,
// findings with their subjects, a status per section that keeps "could not test" apart from pass
// and fail, every probe run listed, then the grades, made in one step by src/grade.
import { gradeScan } from '../grade/index.js';
import { SUBJECT, withSubject, type CheckFinding } from '../model/finding.js';
import { sortFindings } from '../model/severity.js';
import { REPORT_SCHEMA_ID, type ProbeErrorKind, type ProbeStatus } from '../model/constants.js';
import type { DnsResult, EmailResult, EndpointReport, Finding, HttpResult, ProbeRun, Report, TlsResult } from '../model/report.js';
import { httpSiteProbe } from '../probes/http/site.js';
import { tlsHstsRawProbe } from '../probes/tls/hsts-raw.js';
import { applyProfiles, profileDefinitions, type ProfileId } from '../tls/profiles/index.js';
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
  /** A skipped probe that could not be tested (a dependency failed, no address), as opposed to one that does not apply. */
  untested?: boolean;
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
  /** A non-web target's scheme (imap, imaps …) and STARTTLS dialogue. */
  scheme?: string;
  starttls?: string | null;
  /** Why HTTP and email are not graded for this target (a non-web service): not "untested". */
  notApplicable?: string;
  startedAt: string;
  durationMs: number;
  endpoints: readonly Endpoint[];
  /** Why there are no endpoints, when there are none. */
  resolutionError: string | null;
  /** The resolution failure leaves nothing to test (no such name): the scan is an error. */
  resolutionFatal?: boolean;
  /** Every probe the scan meant to run (with dependencies), to tell what could not run at all. */
  selected?: readonly AnyProbe[];
  /** The sections whose grade was asked for. */
  requested?: Readonly<Record<'tls' | 'http' | 'email', boolean>>;
  /** The user stopped the scan (Ctrl-C). */
  interrupted?: boolean;
  /** Addresses beyond --max-endpoints, not scanned. */
  omittedEndpoints?: { addresses: readonly string[]; limit: number } | null;
  outcomes: readonly TaskOutcome[];
  /** --profile: configuration profiles every endpoint is held to (none: no `tls.profiles`). */
  profiles?: readonly ProfileId[];
}

type Incomplete = NonNullable<Report['incomplete']>[number];

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

/**
 * A probe of a section not asked for (--checks) ran only because a requested probe needed it (the
 * certificate verdict for the HTTP grade). Its failure leaves nothing requested untested when every
 * requested section is decided — a letter, or the Observatory's refusal to grade — since the
 * graders give no letter when the missing dependency could change it (an http-only site with
 * `--checks http`: nothing on 443, the TLS probes fail, the HTTP grade is decided all the same).
 * Otherwise it stays listed: it may be why a requested grade is missing. The probe run keeps its
 * error in `probes[]` either way.
 */
function dropIrrelevantDependencies(incomplete: Incomplete[], requested: Readonly<Record<'tls' | 'http' | 'email', boolean>>, graded: ReturnType<typeof gradeScan>): void {
  const sections = ['tls', 'http', 'email'] as const;
  const decided = (k: (typeof sections)[number]) => graded.grades[k] !== null || (k === 'http' && graded.http?.observatoryNotGraded != null);
  if (!sections.every((k) => !requested[k] || decided(k))) return;
  const notAskedFor = new Set<string>(sections.filter((k) => !requested[k]));
  for (let i = incomplete.length - 1; i >= 0; i--) if (notAskedFor.has(incomplete[i]!.section)) incomplete.splice(i, 1);
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

  // What was asked for and did not complete: failed probes, probes that could not run for want of a
  // dependency or an address, and endpoint probes with no endpoint to run on.
  const incomplete: Incomplete[] = [];
  for (const o of outcomes) {
    if (o.status === 'error' || (o.status === 'skipped' && o.untested)) {
      incomplete.push({ section: o.probe.section as string, probe: o.probe.id, subject: subjectOf(o), reason: o.reason ?? o.status });
    }
  }
  const omitted = input.omittedEndpoints;
  if (omitted) {
    const list = omitted.addresses.slice(0, 5).join(', ') + (omitted.addresses.length > 5 ? ' …' : '');
    const reason = `${omitted.addresses.length} more address(es) not scanned (--max-endpoints ${omitted.limit}): ${list}`;
    for (const p of input.selected ?? []) if (runsPerEndpoint(p)) incomplete.push({ section: p.section as string, probe: p.id, subject: SUBJECT.domain(host), reason });
  }
  if (input.endpoints.length === 0 && input.resolutionError && !input.resolutionFatal) {
    for (const p of input.selected ?? []) {
      if (runsPerEndpoint(p)) incomplete.push({ section: p.section as string, probe: p.id, subject: SUBJECT.domain(host), reason: input.resolutionError });
    }
  }

  const requested = input.requested ?? { tls: true, http: true, email: true };
  const graded = gradeScan({
    endpoints,
    http,
    email,
    httpSite: evidenceOf(outcomes, httpSiteProbe),
    hstsRaw: evidenceOf(outcomes, tlsHstsRawProbe),
    hstsRawFailed: outcomes.some((o) => o.probe === tlsHstsRawProbe && o.status === 'error'),
    requested,
    ...(input.notApplicable ? { notApplicable: input.notApplicable } : {}),
    noAddress: input.endpoints.length === 0 ? input.resolutionError : null,
    unscannedEndpoints: omitted ? omitted.addresses.length : 0,
  });
  findings.push(...graded.findings);
  dropIrrelevantDependencies(incomplete, requested, graded);
  // Profiles read the finished sections (the site's HSTS included), like the graders, and add no grade.
  const profiled = applyProfiles(profileDefinitions(input.profiles ?? []), graded.endpoints, graded.http);
  findings.push(...profiled.findings);

  let status: Report['status'] = 'ok';
  let reason: string | undefined;
  const completed = outcomes.some((o) => o.status === 'ok');
  if (input.interrupted) {
    status = 'interrupted';
    reason = 'scan interrupted';
  } else if (input.resolutionFatal || (input.endpoints.length === 0 && !completed)) {
    status = 'error';
    reason = input.resolutionError ?? 'no address to connect to';
  } else if (incomplete.length) {
    const networked = outcomes.filter((o) => o.probe.scope === 'endpoint' || o.probe.section === 'http');
    const unreachable = networked.some((o) => o.status === 'error') && !networked.some((o) => o.status === 'ok');
    // Nothing completed at all: the scan could not be made. Otherwise it is partial, never "ok".
    status = completed ? 'partial' : 'error';
    reason = unreachable
      ? `target unreachable: ${networked.find((o) => o.status === 'error')?.reason ?? 'every connection failed'}`
      : `${incomplete.length} requested check(s) could not be completed: ${incomplete
          .slice(0, 3)
          .map((i) => `${i.probe} (${i.reason})`)
          .join('; ')}${incomplete.length > 3 ? ' …' : ''}`;
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
      ...(input.scheme ? { scheme: input.scheme } : {}),
      ...(input.starttls ? { starttls: input.starttls } : {}),
    },
    status,
    ...(reason !== undefined ? { reason } : {}),
    ...(incomplete.length ? { incomplete } : {}),
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    grades: graded.grades,
    ...(Object.keys(graded.gradeReasons).length ? { gradeReasons: graded.gradeReasons } : {}),
    probes,
    // Each section in its fixed field order, whichever probes ran and whatever the grades added.
    endpoints: profiled.endpoints.map((e) => ({ ...e, tls: inFieldOrder(e.tls, FIELD_ORDER.tls) })),
    http: graded.http && inFieldOrder(graded.http, FIELD_ORDER.http),
    email: graded.email && inFieldOrder(graded.email, FIELD_ORDER.email),
    ...(dns ? { dns: inFieldOrder(dns, FIELD_ORDER.dns) } : {}),
    ...(dataSources.size ? { dataSources: [...dataSources.values()] } : {}),
    findings: sortFindings(findings),
  };
}
