// The engine: target → resolve → plan → probes collect evidence (and their checks make findings)
// → assembly (sections, then grades) → Report. Network I/O happens only inside probes' collect().
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import type { ReferenceData } from '../data/reference.js';
import type { CheckFinding } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { defaultPortOf, isServiceTarget, type Target } from '../model/target.js';
import { addressClass, createAddressPolicy } from '../net/address-policy.js';
import { memoizeResolver } from '../net/dns/memo-resolver.js';
import type { Resolver } from '../net/dns/resolver.js';
import { ALL_PROBES } from '../probes/index.js';
import type { TrustStore } from '../trust/store.js';
import { assembleReport, type TaskOutcome } from './assemble.js';
import type { ProfileId } from '../tls/profiles/index.js';
import { errorKindOf } from './errors.js';
import { ledTo } from './led-to.js';
import type { ScanEventListener } from './events.js';
import { targetSignal } from './deadline.js';
import { createLimits, type Limits } from './limits.js';
import { NO_OPTIONS, optionValue, type OptionValues } from './options.js';
import { planTasks, selectProbes, type Task } from './plan.js';
import { createSharedWork, type SharedWork } from './shared-work.js';
import {
  endpointKey,
  runsPerEndpoint,
  ProbeFailed,
  ProbeSkipped,
  type AnyProbe,
  DEFAULT_CHECKS,
  type CheckCategory,
  type Deps,
  type Endpoint,
  type ScanTarget,
  type TargetContext,
} from './probe.js';
import { resolveTarget, type Resolved } from './resolve.js';

export interface ScanOptions {
  resolver: Resolver;
  trust: TrustStore;
  reference: ReferenceData;
  /** --ip: connect to these instead of resolving (repeatable). */
  ips?: readonly string[];
  /** --sni: server name to send instead of the target host. */
  sni?: string | null;
  checks?: ReadonlySet<CheckCategory>;
  /** Deadline for a whole target, in ms. */
  timeoutMs: number;
  /** Deadline for one connection, in ms (never more than the target's). */
  connectTimeoutMs?: number;
  /** Interruption (Ctrl-C): aborts every target. */
  signal?: AbortSignal;
  onEvent?: ScanEventListener;
  /** The probe registry to plan from (default: every probe). */
  probes?: readonly AnyProbe[];
  limits?: Limits;
  /** Work shared by the targets of a run (MX hosts many domains name); default: this target's own. */
  shared?: SharedWork;
  /** Probe option values (--http-port …); a probe reads the spec's default for anything not set. */
  options?: OptionValues;
  /**
   * --allow-private: let what the scanned site leads to (redirects, AIA/OCSP, MTA-STS, MX hosts,
   * HTTPS-record ports) reach loopback, private, link-local or metadata addresses.
   */
  allowPrivate?: boolean;
  /** --max-endpoints: addresses scanned per target (default DEFAULT_MAX_ENDPOINTS). */
  maxEndpoints?: number;
  /** --xmpp-host: the `to=` domain of an XMPP target's stream header (default: the target host). */
  xmppHost?: string | null;
  /**
   * A worker's rule: the target comes from a queue, not from the operator, so without
   * `allowPrivate` its own addresses are held to the address policy too (and nothing it leads to
   * is allowed for being in the target's range). `allowHint` says what would allow them.
   */
  strictTarget?: { allowHint: string };
  /** A reason the target may not be scanned at all (a worker's check of the job): nothing is connected to. */
  refusal?: string | null;
  now?: () => Date;
  /** --profile: configuration profiles every endpoint is held to (src/tls/profiles). */
  profiles?: readonly ProfileId[];
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Addresses scanned per target unless --max-endpoints says otherwise. */
export const DEFAULT_MAX_ENDPOINTS = 16;

export function defaultLimits(): Limits {
  return createLimits({ concurrency: 32, perHostConnections: 4 });
}

function abortReason(signal: AbortSignal, timeoutMs: number): string {
  const r: unknown = signal.reason;
  if (r instanceof DOMException && r.name === 'TimeoutError') return `timed out: scan deadline of ${timeoutMs} ms reached`;
  return 'scan interrupted';
}

function abortKind(signal: AbortSignal): 'timeout' | 'interrupted' {
  const r: unknown = signal.reason;
  return r instanceof DOMException && r.name === 'TimeoutError' ? 'timeout' : 'interrupted';
}

/** Resolve when the signal aborts; never rejects, so it can be raced against a probe. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

type Collected =
  | { status: 'ok'; evidence: unknown }
  | { status: 'skipped'; reason: string; untested: boolean }
  | { status: 'error'; reason: string; errorKind: TaskOutcome['errorKind'] };

/** The dependencies' outcomes as a probe reads them. */
function depsOf(probe: AnyProbe, outcomes: ReadonlyMap<AnyProbe, TaskOutcome | undefined>): Deps {
  const outcome = (p: AnyProbe): TaskOutcome | undefined => {
    if (!(probe.after ?? []).includes(p)) throw new Error(`probe ${probe.id} reads ${p.id}, which is not in its \`after\``);
    return outcomes.get(p);
  };
  return {
    get: <E>(p: AnyProbe) => {
      const o = outcome(p);
      return (o?.status === 'ok' ? o.evidence : undefined) as E | undefined;
    },
    need: <E>(p: AnyProbe, why: string) => {
      const o = outcome(p);
      if (o?.status !== 'ok') throw new ProbeSkipped(`${why} (${p.id} did not complete)`, { untested: true });
      return o.evidence as E;
    },
    findings: (p: AnyProbe): readonly CheckFinding[] => outcome(p)?.findings ?? [],
    failure: (p: AnyProbe) => {
      const o = outcome(p);
      if (o?.status === 'ok') return undefined;
      return { reason: o?.reason ?? 'did not run', ...(o?.errorKind !== undefined ? { errorKind: o.errorKind } : {}) };
    },
  };
}

export async function scanTarget(target: Target, opts: ScanOptions): Promise<Report> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const now = opts.now ?? (() => new Date());
  const emit = opts.onEvent ?? (() => undefined);
  const name = target.input;
  const limits = opts.limits ?? defaultLimits();
  // The run's interruption or this target's deadline; released once the probes are done (deadline.ts).
  const { signal, release } = targetSignal(opts.signal, opts.timeoutMs);
  // Every task and connection listens for the deadline; that is by design, not a leak.
  setMaxListeners(0, signal);
  emit({ type: 'target-start', target: name, at: Date.now() });

  const refused = (why: string): Resolved => ({ port: target.port ?? defaultPortOf(target), portSource: target.port !== null ? 'target' : 'default', endpoints: [], error: why, errorKind: 'fatal' });
  let resolved = opts.refusal ? refused(opts.refusal) : await Promise.race([
    resolveTarget(target, opts, signal),
    whenAborted(signal).then(
      (): Resolved => ({ port: target.port ?? defaultPortOf(target), portSource: 'default', endpoints: [], error: abortReason(signal, opts.timeoutMs), errorKind: 'fatal' }),
    ),
  ]);
  // A name with a hundred addresses is not a hundred scans: the rest are listed as not scanned.
  const maxEndpoints = opts.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS;
  const omitted = resolved.endpoints.slice(maxEndpoints).map((e) => e.ip);
  if (omitted.length) resolved.endpoints = resolved.endpoints.slice(0, maxEndpoints);
  const strict = opts.strictTarget && !opts.allowPrivate ? opts.strictTarget : null;
  if (strict) {
    // Every address counts, the omitted ones too: a name that also points inside is refused whole.
    const inside = createAddressPolicy({ allowPrivate: false, targetAddresses: [] });
    const first = [...resolved.endpoints.map((e) => e.ip), ...omitted].find((ip) => inside.refuses(ip) !== null);
    if (first !== undefined) resolved = refused(`target refused: ${first} is a ${addressClass(first)} address (${strict.allowHint})`);
  }
  emit({ type: 'target-resolved', target: name, endpoints: resolved.endpoints.map(endpointKey), at: Date.now() });

  const scope: ScanTarget = {
    host: target.host,
    port: resolved.port,
    path: target.path,
    sni: opts.sni ?? (isIP(target.host) ? null : target.host),
    ...(target.starttls ? { starttls: { protocol: target.starttls, xmppHost: opts.xmppHost ?? opts.sni ?? target.host } } : {}),
  };
  // imap://, smtp:// … are not web sites and carry no mail domain: only TLS (and DNS) checks apply.
  const service = isServiceTarget(target);
  const registry = service ? (opts.probes ?? ALL_PROBES).filter(appliesToServices) : (opts.probes ?? ALL_PROBES);
  const checks = opts.checks ?? (opts.probes ? undefined : DEFAULT_CHECKS);
  const selected = selectProbes(registry, checks);
  // A name without an address still has DNS records and mail to grade: only a fatal resolution
  // failure (no such name, the scan stopped) leaves nothing to test.
  const tasks: Task[] = resolved.errorKind === 'fatal' ? [] : planTasks(selected, resolved.endpoints);
  const where = (t: Task): string | null => (runsPerEndpoint(t.probe) && t.endpoint ? endpointKey(t.endpoint) : null);
  emit({
    type: 'target-planned',
    target: name,
    tasks: tasks.map((t) => ({ probeId: t.probe.id, title: t.probe.title, endpoint: where(t) })),
    at: Date.now(),
  });

  const connectTimeoutMs = Math.min(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts.timeoutMs);
  const policy = createAddressPolicy({
    allowPrivate: opts.allowPrivate ?? false,
    targetAddresses: strict ? [] : resolved.endpoints.map((e) => e.ip),
    ...(strict ? { allowHint: strict.allowHint } : {}),
  });
  // The target's probes share their DNS answers (all of them ask under the same deadline).
  const resolver = memoizeResolver(opts.resolver);
  const options = opts.options ?? NO_OPTIONS;
  const results = new Map<string, Promise<TaskOutcome>>();
  const taskKey = (probe: AnyProbe, endpoint: Endpoint | null) => `${probe.id}@${endpoint ? endpointKey(endpoint) : '-'}`;

  const sharedWork = opts.shared ?? createSharedWork();
  /** ProbeContext.withConnection for connections made under `sig`, counted by `count`. */
  const connector =
    (sig: AbortSignal, count: () => void): TargetContext['withConnection'] =>
    (host, fn, connection) => {
      const open = () => {
        // A connection that only gets its slot after the deadline must not be opened at all.
        if (sig.aborted) return Promise.reject(new ProbeFailed(abortReason(sig, opts.timeoutMs), abortKind(sig)));
        count();
        return fn();
      };
      // A timeout beside other connections, from a host that does answer, may be a server that
      // serves one at a time: asked alone (a host that never answered is silent: no second wait).
      return limits.connect(host, open, connection?.retryAlone, connection?.feedback);
    };

  /** collect() (or derive()) of one task, never rejecting: evidence, or why there is none. */
  const collect = async (task: Task, deps: Deps, count: () => void): Promise<Collected> => {
    const { probe, endpoint } = task;
    const failed = (err: unknown): Collected =>
      err instanceof ProbeSkipped
        ? { status: 'skipped', reason: err.message, untested: err.untested }
        : { status: 'error', reason: err instanceof Error ? err.message : String(err), errorKind: errorKindOf(err) };
    if (probe.scope === 'derived') {
      try {
        return { status: 'ok', evidence: probe.derive(deps) };
      } catch (err) {
        return failed(err);
      }
    }
    const ctx: TargetContext = {
      target: scope,
      endpoint,
      endpoints: resolved.endpoints,
      resolver,
      addressOf: (host) => ledTo(host, resolver, policy, signal),
      trust: opts.trust,
      reference: opts.reference,
      option: (spec) => optionValue(options, spec),
      signal,
      connectTimeoutMs,
      withConnection: connector(signal, count),
      // Connections of shared work count for the target that started it.
      shared: (key, fn) => sharedWork.run(key, signal, (s) => fn({ signal: s, withConnection: connector(s, count) })),
      now,
    };
    let running: Promise<unknown>;
    try {
      if (probe.scope === 'endpoint') {
        if (!endpoint) return { status: 'error', reason: 'no endpoint to connect to', errorKind: 'bug' };
        running = probe.collect({ ...ctx, endpoint }, deps);
      } else {
        running = probe.collect(ctx, deps);
      }
    } catch (err) {
      // A collect() that throws before its first await (a missing dependency) fails like one that rejects.
      return failed(err);
    }
    return Promise.race([
      running.then((evidence): Collected => ({ status: 'ok', evidence }), failed),
      // A probe that ignores the signal still ends at the deadline.
      whenAborted(signal).then((): Collected => ({ status: 'error', reason: abortReason(signal, opts.timeoutMs), errorKind: abortKind(signal) })),
    ]);
  };

  for (const task of tasks) {
    const { probe, endpoint } = task;
    const evKey = where(task);
    const run = async (): Promise<TaskOutcome> => {
      const before = new Map<AnyProbe, TaskOutcome | undefined>();
      for (const dep of probe.after ?? []) before.set(dep, await results.get(taskKey(dep, endpoint)));
      const deps = depsOf(probe, before);
      const execute = async (): Promise<TaskOutcome> => {
        const t0 = Date.now();
        emit({ type: 'probe-start', target: name, probeId: probe.id, endpoint: evKey, at: t0 });
        let connections = 0;
        // A derived probe makes no connection: it still reads what its dependencies left, deadline or not.
        const lateStart = signal.aborted && probe.scope !== 'derived';
        const collected: Collected = lateStart
          ? { status: 'error', reason: abortReason(signal, opts.timeoutMs), errorKind: abortKind(signal) }
          : await collect(task, deps, () => connections++);
        const durationMs = lateStart ? 0 : Date.now() - t0;
        let outcome: TaskOutcome;
        if (collected.status === 'ok') {
          const facts = { target: scope, endpoint, now: now() };
          outcome = { probe, endpoint, status: 'ok', evidence: collected.evidence, findings: probe.check(collected.evidence, facts), durationMs, connections };
        } else {
          outcome = {
            probe,
            endpoint,
            status: collected.status,
            reason: collected.reason,
            ...(collected.status === 'error' ? { errorKind: collected.errorKind } : { untested: collected.untested }),
            evidence: null,
            findings: [],
            durationMs,
            connections,
          };
        }
        emit({
          type: 'probe-end',
          target: name,
          probeId: probe.id,
          endpoint: evKey,
          status: outcome.status,
          ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
          durationMs: outcome.durationMs,
          at: Date.now(),
        });
        return outcome;
      };
      // A derived probe only reads evidence: it takes no slot among the probe tasks.
      return probe.scope === 'derived' ? execute() : limits.task(execute);
    };
    results.set(taskKey(probe, endpoint), run());
  }

  const outcomes = await Promise.all(results.values());
  release();
  const report = assembleReport({
    target: scope,
    url: target.path !== '/' && !service ? `https://${target.host}:${resolved.port}${target.path}` : undefined,
    ...(service ? { scheme: target.scheme, starttls: target.starttls ?? null, notApplicable: `not applicable to ${target.scheme}:// targets (a service, not a web site or mail domain: TLS only)` } : {}),
    portSource: resolved.portSource,
    startedAt,
    durationMs: Date.now() - started,
    endpoints: resolved.endpoints,
    resolutionError: resolved.error,
    resolutionFatal: resolved.errorKind === 'fatal',
    omittedEndpoints: omitted.length ? { addresses: omitted, limit: maxEndpoints } : null,
    selected,
    requested: requestedSections(registry, checks),
    interrupted: opts.signal?.aborted === true,
    outcomes,
    ...(opts.profiles?.length ? { profiles: opts.profiles } : {}),
  });
  emit({ type: 'target-end', target: name, report, at: Date.now() });
  return report;
}

/** Whether a probe applies to a non-web service target: not the HTTP and email checks, nor TLS ones that speak HTTP. */
function appliesToServices(p: AnyProbe): boolean {
  return p.section !== 'http' && p.section !== 'email' && p.speaksHttp !== true;
}

/** The sections whose grade the selection asks for (the probes chosen, before their dependencies). */
function requestedSections(registry: readonly AnyProbe[], checks: ReadonlySet<CheckCategory> | undefined): Record<'tls' | 'http' | 'email', boolean> {
  const chosen = registry.filter((p) => !checks || p.categories.some((c) => checks.has(c)));
  const asks = (c: CheckCategory) => chosen.some((p) => p.categories.includes(c));
  return { tls: asks('tls'), http: asks('http'), email: asks('email') };
}

/** Scan several targets with shared limits; reports come back in input order. */
export async function scanTargets(targets: readonly Target[], opts: ScanOptions, parallelTargets = 4): Promise<Report[]> {
  const limits = opts.limits ?? defaultLimits();
  const shared = opts.shared ?? createSharedWork();
  if (opts.signal) setMaxListeners(0, opts.signal); // one derived deadline signal per target
  const reports: Report[] = new Array(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      reports[i] = await scanTarget(targets[i] as Target, { ...opts, limits, shared });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelTargets, targets.length) }, worker));
  return reports;
}
