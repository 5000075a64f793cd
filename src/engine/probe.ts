// The probe contract: a probe collects evidence over the network, a check turns that evidence into
// findings without I/O, and `report` says where the evidence lands in the Report. Adding a check =
// adding one file under probes/ and listing it in probes/index.ts.
import type { Resolver } from '../net/dns/resolver.js';
import type { DnsResult, EmailResult, Finding, HttpResult, TlsResult } from '../model/report.js';
import type { TrustStore } from '../trust/store.js';

/** The `--checks` families. */
export const CHECK_CATEGORIES = ['tls', 'cert', 'vulns', 'http', 'email'] as const;
export type CheckCategory = (typeof CHECK_CATEGORIES)[number];

export interface Endpoint {
  ip: string;
  port: number;
  family: 4 | 6;
}

export function endpointKey(e: Pick<Endpoint, 'ip' | 'port'>): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export interface ScanTarget {
  /** Host name (or IP literal) being graded; also the SNI and Host header unless overridden. */
  host: string;
  port: number;
  path: string;
  /** The server name sent in SNI (--sni), or null for an IP literal without --sni. */
  sni: string | null;
}

/** Opt-in behaviours that reach beyond the target (third-party servers) or swap reference data. */
export interface ProbeSettings {
  /** --online-revocation: ask the certificate's OCSP responder (a CA's server) for its status. */
  onlineRevocation: boolean;
  /** --fetch-intermediates: download missing intermediates from the AIA caIssuers URL. */
  fetchIntermediates: boolean;
  /** --ct-log-list: a CT log list file to use instead of the shipped snapshot / cache. */
  ctLogListPath: string | null;
  /** --http-port: where the site's plain HTTP listens (the http → https check); null = 80. */
  httpPort: number | null;
  /** --smtp-port: where every MX host's SMTP listens (STARTTLS checks); null = 25. */
  smtpPort: number | null;
  /** --dkim-selector: selectors tried besides the default list. */
  dkimSelectors: readonly string[];
  /** --spf-ip: evaluate the SPF policy (check_host) for this sender address. */
  spfIp: string | null;
}

export const DEFAULT_PROBE_SETTINGS: ProbeSettings = {
  onlineRevocation: false,
  fetchIntermediates: false,
  ctLogListPath: null,
  httpPort: null,
  smtpPort: null,
  dkimSelectors: [],
  spfIp: null,
};

export interface DataSource {
  name: string;
  version: string;
  date: string;
  source: string;
}

export interface ProbeContext {
  target: ScanTarget;
  /** The endpoint this run is for (endpoint probes) or the first endpoint (target probes); null when none. */
  endpoint: Endpoint | null;
  endpoints: readonly Endpoint[];
  resolver: Resolver;
  trust: TrustStore;
  settings: ProbeSettings;
  /** Aborted at the target's deadline or on interruption; every I/O must honour it. */
  signal: AbortSignal;
  /** Per-connection deadline in ms (bounded by the target deadline through `signal`). */
  connectTimeoutMs: number;
  /**
   * Run one network connection under the per-host connection limit; counts connections so the
   * report can show what each probe cost.
   */
  withConnection<T>(host: string, fn: () => Promise<T>): Promise<T>;
  now(): Date;
}

/** What a pure check may know besides the evidence. */
export interface CheckFacts {
  target: ScanTarget;
  endpoint: Endpoint | null;
  now: Date;
}

/** Where a probe's evidence lands in the report. */
export type ReportSlot =
  | { section: 'tls'; fragment: Partial<Omit<TlsResult, 'status' | 'reason' | 'probes'>> }
  | { section: 'http'; fragment: Partial<Omit<HttpResult, 'status' | 'reason'>> }
  | { section: 'email'; fragment: Partial<Omit<EmailResult, 'status' | 'reason'>> }
  | { section: 'dns'; fragment: Partial<Omit<DnsResult, 'status' | 'reason'>> };

export interface Probe<E = unknown> {
  id: string;
  title: string;
  /** The `--checks` families that select this probe. */
  categories: readonly CheckCategory[];
  /** endpoint: once per ip:port; target: once per target (HTTP through the first endpoint, DNS records). */
  scope: 'endpoint' | 'target';
  section: ReportSlot['section'];
  /** Probes that must finish first on the same endpoint (their evidence is passed in `deps`). */
  after?: readonly string[];
  collect(ctx: ProbeContext, deps: ReadonlyMap<string, unknown>): Promise<E>;
  check(evidence: E, facts: CheckFacts): Finding[];
  report(evidence: E): ReportSlot['fragment'];
  /** Dated reference data the evidence was judged with (listed once per report). */
  dataSources?(evidence: E): DataSource[];
}

/** Thrown by collect() when the probe does not apply (e.g. email checks on an IP literal). */
export class ProbeSkipped extends Error {
  override name = 'ProbeSkipped';
}

/** Thrown by collect() for "could not test" with a human reason (timeout, refused …). */
export class ProbeFailed extends Error {
  override name = 'ProbeFailed';
}

/** What every TLS connection of a probe shares: the pinned endpoint, SNI, trust, deadline. */
export function pinnedTls(ctx: ProbeContext, ep: Endpoint) {
  return {
    ip: ep.ip,
    port: ep.port,
    servername: ctx.target.sni,
    extraCa: ctx.trust.extraCaPem,
    timeoutMs: ctx.connectTimeoutMs,
    signal: ctx.signal,
  };
}

/** The selected probes plus, transitively, those they need evidence from, in registry order. */
export function withDependencies(selected: readonly Probe<any>[], registry: readonly Probe<any>[]): Probe<any>[] {
  const byId = new Map(registry.map((p) => [p.id, p]));
  const wanted = new Set<string>();
  const add = (p: Probe<any>): void => {
    if (wanted.has(p.id)) return;
    wanted.add(p.id);
    for (const dep of p.after ?? []) {
      const d = byId.get(dep);
      if (d) add(d);
    }
  };
  selected.forEach(add);
  return registry.filter((p) => wanted.has(p.id));
}

export function defineProbe<E>(probe: Probe<E>): Probe<E> {
  return probe;
}
