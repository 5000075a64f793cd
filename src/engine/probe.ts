// The probe contract. A probe collects evidence over the network (`collect`); a pure check turns that
// evidence into findings (`check`, code under src/<domain>); `fields` maps it onto the report fields
// the probe owns. Grades are never made here: src/grade does that once per scan, after assembly.
// Adding a probe = one file under src/probes/<family>/ plus one line in src/probes/index.ts.
import type { ReferenceData } from '../data/reference.js';
import type { CheckFinding } from '../model/finding.js';
import type { ProbeErrorKind, VulnerabilityKey } from '../model/constants.js';
import type { DataSource, DnsResult, EmailResult, HttpResult, TlsResult } from '../model/report.js';
import type { Resolver } from '../net/dns/resolver.js';
import type { TrustStore } from '../trust/store.js';
import type { StartTlsSpec } from '../net/starttls/types.js';
import type { ProbeOption } from './options.js';
import type { HostFeedback } from './backoff.js';

/** The `--checks` families. */
export const CHECK_CATEGORIES = ['tls', 'cert', 'vulns', 'http', 'email', 'simulation'] as const;
export type CheckCategory = (typeof CHECK_CATEGORIES)[number];

/**
 * What a scan runs when neither --checks nor --probes says: every family but the handshake
 * simulation, which costs about as many handshakes again as all the rest and grades nothing. A
 * single `scan` asks for it too (src/cli/main.ts); a batch, a worker or a monitor only by name.
 */
export const DEFAULT_CHECKS: ReadonlySet<CheckCategory> = new Set(CHECK_CATEGORIES.filter((c) => c !== 'simulation'));

export interface Endpoint {
  ip: string;
  port: number;
  family: 4 | 6;
}

export { endpointKey } from '../model/target.js';

export interface ScanTarget {
  /** Host name (or IP literal) being graded; also the SNI and Host header unless overridden. */
  host: string;
  port: number;
  path: string;
  /** The server name sent in SNI (--sni), or null for an IP literal without --sni. */
  sni: string | null;
  /**
   * The plaintext dialogue before every TLS connection (imap://, --starttls imap …); absent or
   * null: TLS from the first byte. With one, the HTTP and email checks do not apply.
   */
  starttls?: StartTlsSpec | null;
}

const NO_PREAMBLE: { starttls?: StartTlsSpec } = Object.freeze({});

/** What every TLS connection to the target spreads into its options: its STARTTLS dialogue, if any. */
export function preambleOf(target: ScanTarget): { starttls?: StartTlsSpec } {
  return target.starttls ? { starttls: target.starttls } : NO_PREAMBLE;
}

export type { DataSource } from '../model/report.js';

// ---------------------------------------------------------------------------------------------
// What a probe may write: per section, the report fields that are evidence. Status, reason and the
// per-probe list are the engine's; letters, scores and ratings are src/grade's.

export interface SectionFields {
  tls: Omit<TlsResult, 'status' | 'reason' | 'probes' | 'rating'>;
  http: Omit<HttpResult, 'status' | 'reason' | 'score' | 'grade' | 'observatory' | 'securityHeaders'>;
  email: Omit<EmailResult, 'status' | 'reason' | 'grade' | 'rating'>;
  dns: Omit<DnsResult, 'status' | 'reason'>;
}
export type SectionName = keyof SectionFields;

/** A field a probe owns: a top-level field of its section, or (TLS) one verdict of `vulnerabilities`. */
export type FieldPath<S extends SectionName> =
  | (keyof SectionFields[S] & string)
  | (S extends 'tls' ? `vulnerabilities.${VulnerabilityKey}` : never);

type TopOf<K extends string> = K extends `${infer H}.${string}` ? H : K;

/** What `fields()` returns: the owned fields (for vulnerabilities: the owned verdicts). */
export type FragmentOf<S extends SectionName, K extends FieldPath<S>> = {
  [P in TopOf<K> & keyof SectionFields[S]]?: P extends 'vulnerabilities' ? SectionFields['tls']['vulnerabilities'] : SectionFields[S][P];
};

// ---------------------------------------------------------------------------------------------
// Context and dependencies

/** Where a host the scanned site led to can be reached, or why it may not (or cannot) be. */
export type LedTo =
  | { ok: true; address: string }
  /** `refused`: the policy forbids every address; `absent`: the name has none (NXDOMAIN, no A/AAAA). */
  | { ok: false; reason: string; refused: boolean; absent: boolean };

interface ContextBase {
  target: ScanTarget;
  endpoints: readonly Endpoint[];
  resolver: Resolver;
  /**
   * The address of a host the scanned site led to (a redirect, an MX host, an AIA or OCSP URL, the
   * MTA-STS policy host), resolved like the target and held to the address policy: `refused` when
   * every address is one the scan may not be led to.
   */
  addressOf(host: string): Promise<LedTo>;
  trust: TrustStore;
  /** Dated reference lists (CT log list, HSTS preload list, root store, PSL), loaded once per process. */
  reference: ReferenceData;
  /** A probe option's value (the flag's, else the spec's default). */
  option<V>(spec: ProbeOption<V>): V;
  /** Aborted at the target's deadline or on interruption; every I/O must honour it. */
  signal: AbortSignal;
  /** Per-connection deadline in ms (bounded by the target deadline through `signal`). */
  connectTimeoutMs: number;
  /**
   * Run one network connection under the per-host connection limit; counts connections so the
   * report can show what each probe cost. `retryAlone`: when the result says the server did not
   * answer in time and other connections to the host were open meanwhile, ask once more with none
   * open (single-threaded servers serve one connection at a time).
   */
  withConnection<T>(host: string, fn: () => Promise<T>, opts?: ConnectionOptions<T>): Promise<T>;
  /**
   * Work other targets of the run would repeat against the same third-party host (an MX host that
   * many domains of a batch name): done once per run and read by each (engine/shared-work.ts). `fn`
   * must use the scope's signal and connections, not this context's: the work outlives this
   * target's deadline while another target still waits for it. The key names everything the
   * result depends on.
   */
  shared<T>(key: string, fn: (scope: SharedScope) => Promise<T>): Promise<T>;
  now(): Date;
}

/** What shared work connects with: its own signal, and connections under the run's limits. */
export interface SharedScope {
  signal: AbortSignal;
  withConnection: ContextBase['withConnection'];
}

export interface ConnectionOptions<T> {
  /** The result is a timeout that another open connection may have caused. */
  retryAlone?: (result: T) => boolean;
  /**
   * How the host took this connection, for the per-host back-off: 'throttled' (HTTP 429/421),
   * 'reset', 'timeout', 'ok', or null when the result says nothing about the host. Default: a
   * `retryAlone` timeout says nothing (a dropped TLS hello is a refusal too), anything else 'ok'.
   */
  feedback?: (result: T) => HostFeedback | null;
}

/** An endpoint probe runs once per ip:port and always has one. */
export interface EndpointContext extends ContextBase {
  endpoint: Endpoint;
}

/** A target probe runs once per target; `endpoint` is the first one, null when none resolved. */
export interface TargetContext extends ContextBase {
  endpoint: Endpoint | null;
}

export type ProbeContext = EndpointContext | TargetContext;

/** The evidence (and findings) of the probes listed in `after`, on the same endpoint. */
export interface Deps {
  /** The probe's evidence, or undefined when it did not complete. */
  get<E>(probe: Probe<E, any, any>): E | undefined;
  /** The probe's evidence; when it did not complete this probe is skipped, untested: "`why` (<id> did not complete)". */
  need<E>(probe: Probe<E, any, any>, why: string): E;
  /** The findings the probe's check made of its evidence ([] when it did not complete). */
  findings(probe: Probe<any, any, any>): readonly CheckFinding[];
  /** Why the probe did not complete (its error kind when it failed); undefined when it completed. */
  failure(probe: Probe<any, any, any>): { reason: string; errorKind?: ProbeErrorKind } | undefined;
}

/** What a pure check may know besides the evidence. */
export interface CheckFacts {
  target: ScanTarget;
  endpoint: Endpoint | null;
  now: Date;
}

// ---------------------------------------------------------------------------------------------
// Probes

interface ProbeBase<E, S extends SectionName, K extends FieldPath<S>> {
  id: string;
  title: string;
  /** The `--checks` families that select this probe. */
  categories: readonly CheckCategory[];
  section: S;
  /** The report fields this probe owns; no two probes of a section own the same one. */
  owns: readonly K[];
  /** Probes whose evidence this one reads (through `deps`); they run first, on the same endpoint. */
  after?: readonly Probe<any, any, any>[];
  /** Flags this probe reads through `ctx.option`. */
  options?: readonly ProbeOption<any>[];
  /** It speaks HTTP over TLS (HSTS, BREACH): it does not apply to imap://, smtp:// … targets. */
  speaksHttp?: true;
  check(evidence: E, facts: CheckFacts): CheckFinding[];
  /** The evidence as the report shows it: a plain mapping onto the owned fields, no judgement. */
  fields(evidence: E): FragmentOf<S, K>;
  /** Dated reference data the evidence was judged with (listed once per report). */
  dataSources?(evidence: E): DataSource[];
}

/** Connects once per endpoint (ip:port). */
export interface EndpointProbe<E, S extends SectionName = SectionName, K extends FieldPath<S> = FieldPath<S>> extends ProbeBase<E, S, K> {
  scope: 'endpoint';
  collect(ctx: EndpointContext, deps: Deps): Promise<E>;
}

/** Runs once per target (DNS records, the site over HTTP through the first endpoint). */
export interface TargetProbe<E, S extends SectionName = SectionName, K extends FieldPath<S> = FieldPath<S>> extends ProbeBase<E, S, K> {
  scope: 'target';
  collect(ctx: TargetContext, deps: Deps): Promise<E>;
}

/**
 * Makes no connection at all: its evidence is derived from other probes' evidence and findings
 * (the configuration vulnerabilities). It has no context, so it cannot do I/O.
 */
export interface DerivedProbe<E, S extends SectionName = SectionName, K extends FieldPath<S> = FieldPath<S>> extends ProbeBase<E, S, K> {
  scope: 'derived';
  after: readonly Probe<any, any, any>[];
  derive(deps: Deps): E;
}

export type Probe<E = unknown, S extends SectionName = SectionName, K extends FieldPath<S> = FieldPath<S>> =
  | EndpointProbe<E, S, K>
  | TargetProbe<E, S, K>
  | DerivedProbe<E, S, K>;

/** Any probe of the registry. */
export type AnyProbe = Probe<any, any, any>;

/** Derived probes run where their first dependency runs (per endpoint, or per target). */
export function runsPerEndpoint(p: AnyProbe): boolean {
  return p.scope === 'endpoint' || (p.scope === 'derived' && p.after.some(runsPerEndpoint));
}

export function defineEndpointProbe<E, const S extends SectionName, const K extends FieldPath<S>>(p: EndpointProbe<E, S, K>): EndpointProbe<E, S, K> {
  return p;
}
export function defineTargetProbe<E, const S extends SectionName, const K extends FieldPath<S>>(p: TargetProbe<E, S, K>): TargetProbe<E, S, K> {
  return p;
}
export function defineDerivedProbe<E, const S extends SectionName, const K extends FieldPath<S>>(p: DerivedProbe<E, S, K>): DerivedProbe<E, S, K> {
  return p;
}

/**
 * Thrown by collect() when the probe does not run: it does not apply (email checks on an IP
 * literal: the scan is still complete), or it could not be tested (`untested`: a dependency did not
 * complete, there is no address to connect to): the scan is then partial.
 */
export class ProbeSkipped extends Error {
  override name = 'ProbeSkipped';
  readonly untested: boolean;
  constructor(message: string, opts: { untested?: boolean } = {}) {
    super(message);
    this.untested = opts.untested ?? false;
  }
}

/** Thrown by collect() for "could not test": a human reason and its kind. */
export class ProbeFailed extends Error {
  override name = 'ProbeFailed';
  constructor(
    message: string,
    readonly kind: ProbeErrorKind,
  ) {
    super(message);
  }
}

/** What every TLS connection of a probe shares: the pinned endpoint, SNI, deadline. */
export function pinnedTls(ctx: ProbeContext, ep: Endpoint) {
  return {
    ip: ep.ip,
    port: ep.port,
    servername: ctx.target.sni,
    timeoutMs: ctx.connectTimeoutMs,
    signal: ctx.signal,
    ...preambleOf(ctx.target),
  };
}

/** The selected probes plus, transitively, those they need evidence from, in registry order. */
export function withDependencies(selected: readonly AnyProbe[], registry: readonly AnyProbe[]): AnyProbe[] {
  const wanted = new Set<AnyProbe>();
  const add = (p: AnyProbe): void => {
    if (wanted.has(p)) return;
    wanted.add(p);
    for (const dep of p.after ?? []) add(dep);
  };
  selected.forEach(add);
  return registry.filter((p) => wanted.has(p));
}
