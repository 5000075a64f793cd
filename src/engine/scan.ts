// The engine: target → endpoints → planned probe tasks → evidence → findings → Report.
// Network I/O happens only inside probes' collect(); everything after is pure assembly.
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { ALL_PROBES } from '../../probes/index.js';
import type { Report } from '../model/report.js';
import { DEFAULT_HTTPS_PORT, type Target } from '../model/target.js';
import { memoizeResolver } from '../net/dns/memo-resolver.js';
import type { Resolver } from '../net/dns/resolver.js';
import type { TrustStore } from '../trust/store.js';
import { assembleReport, type TaskOutcome } from './assemble.js';
import type { ScanEventListener } from './events.js';
import { createLimits, type Limits } from './limits.js';
import {
  DEFAULT_PROBE_SETTINGS,
  endpointKey,
  withDependencies,
  ProbeFailed,
  ProbeSkipped,
  type CheckCategory,
  type Endpoint,
  type Probe,
  type ProbeContext,
  type ProbeSettings,
  type ScanTarget,
} from './probe.js';

export interface ScanOptions {
  resolver: Resolver;
  trust: TrustStore;
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
  probes?: readonly Probe<any>[];
  limits?: Limits;
  settings?: ProbeSettings;
  now?: () => Date;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function defaultLimits(): Limits {
  return createLimits({ concurrency: 32, perHostConnections: 4 });
}

interface Resolved {
  port: number;
  portSource: 'default' | 'target' | 'dns-https-record';
  endpoints: Endpoint[];
  error: string | null;
}

/** How long the optional HTTPS-record lookup may outlast the address lookup. */
const HTTPS_RECORD_GRACE_MS = 1000;

/** The port named by the host's HTTPS record (RFC 9460 `port`), or null. Never rejects. */
async function httpsRecordPort(host: string, opts: ScanOptions, signal: AbortSignal): Promise<number | null> {
  const res = await opts.resolver.query(host, 'HTTPS', signal);
  if (res.status !== 'ok') return null;
  for (const r of res.records) {
    if (r.type === 'HTTPS' && r.priority > 0 && r.params.port !== undefined) return r.params.port;
  }
  return null;
}

/**
 * Endpoints and port. The port comes from the target, else from the name's HTTPS record (as
 * browsers do), else 443. The HTTPS lookup runs beside the address lookup and is given up after a
 * short grace, so an /etc/hosts pin with unreachable DNS servers is not held up by it.
 */
async function resolveTarget(target: Target, opts: ScanOptions, signal: AbortSignal): Promise<Resolved> {
  const wantRecord = target.port === null && isIP(target.host) === 0 && !opts.ips?.length;
  const recordPort = wantRecord ? httpsRecordPort(target.host, opts, signal) : Promise.resolve(null);
  const addresses = opts.ips?.length
    ? Promise.resolve({ status: 'ok' as const, addresses: opts.ips.map((ip) => ({ address: ip })) })
    : opts.resolver.addresses(target.host, signal);
  const res = await addresses;
  let grace: NodeJS.Timeout | undefined;
  const fromRecord = await Promise.race([
    recordPort,
    new Promise<null>((resolve) => (grace = setTimeout(() => resolve(null), HTTPS_RECORD_GRACE_MS))),
  ]);
  clearTimeout(grace);
  const port = target.port ?? fromRecord ?? DEFAULT_HTTPS_PORT;
  const portSource = target.port !== null ? 'target' : fromRecord !== null ? 'dns-https-record' : 'default';
  if (res.status === 'ok') {
    const endpoints = res.addresses.map((a): Endpoint => ({ ip: a.address, port, family: isIP(a.address) === 6 ? 6 : 4 }));
    return { port, portSource, endpoints, error: null };
  }
  const why = res.status === 'nxdomain' ? `could not resolve ${target.host}: the name does not exist (NXDOMAIN)`
    : res.status === 'nodata' ? `could not resolve ${target.host}: no A or AAAA records`
    : res.reason.startsWith('could not resolve') ? res.reason : `could not resolve ${target.host}: ${res.reason}`;
  return { port, portSource, endpoints: [], error: why };
}

function abortReason(signal: AbortSignal, timeoutMs: number): string {
  const r: unknown = signal.reason;
  if (r instanceof DOMException && r.name === 'TimeoutError') return `timed out: scan deadline of ${timeoutMs} ms reached`;
  return 'scan interrupted';
}

/** Resolve when the signal aborts; never rejects, so it can be raced against a probe. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function scanTarget(target: Target, opts: ScanOptions): Promise<Report> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const now = opts.now ?? (() => new Date());
  const emit = opts.onEvent ?? (() => undefined);
  const name = target.input;
  const limits = opts.limits ?? defaultLimits();
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  // Every task and connection listens for the deadline; that is by design, not a leak.
  setMaxListeners(0, signal);
  emit({ type: 'target-start', target: name, at: Date.now() });

  const resolved = await Promise.race([
    resolveTarget(target, opts, signal),
    whenAborted(signal).then(
      (): Resolved => ({ port: target.port ?? DEFAULT_HTTPS_PORT, portSource: 'default', endpoints: [], error: abortReason(signal, opts.timeoutMs) }),
    ),
  ]);
  emit({ type: 'target-resolved', target: name, endpoints: resolved.endpoints.map(endpointKey), at: Date.now() });

  const scope: ScanTarget = {
    host: target.host,
    port: resolved.port,
    path: target.path,
    sni: opts.sni ?? (isIP(target.host) ? null : target.host),
  };
  const checks = opts.checks;
  const probes = withDependencies(
    (opts.probes ?? ALL_PROBES).filter((p) => !checks || p.categories.some((c) => checks.has(c))),
    opts.probes ?? ALL_PROBES,
  );
  const tasks = resolved.error
    ? []
    : probes.flatMap((probe) =>
        probe.scope === 'endpoint'
          ? resolved.endpoints.map((endpoint) => ({ probe, endpoint }))
          : [{ probe, endpoint: resolved.endpoints[0] ?? null }],
      );
  emit({
    type: 'target-planned',
    target: name,
    tasks: tasks.map((t) => ({
      probeId: t.probe.id,
      title: t.probe.title,
      endpoint: t.probe.scope === 'endpoint' && t.endpoint ? endpointKey(t.endpoint) : null,
    })),
    at: Date.now(),
  });

  const connectTimeoutMs = Math.min(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts.timeoutMs);
  // The target's probes share their DNS answers (all of them ask under the same deadline).
  const resolver = memoizeResolver(opts.resolver);
  const results = new Map<string, Promise<TaskOutcome>>();
  const taskKey = (probeId: string, endpoint: Endpoint | null) => `${probeId}@${endpoint ? endpointKey(endpoint) : '-'}`;

  for (const { probe, endpoint } of tasks) {
    const evKey = probe.scope === 'endpoint' && endpoint ? endpointKey(endpoint) : null;
    const run = async (): Promise<TaskOutcome> => {
      const deps = new Map<string, unknown>();
      for (const dep of probe.after ?? []) {
        const d = results.get(taskKey(dep, endpoint));
        const outcome = d ? await d : undefined;
        if (outcome?.status === 'ok') deps.set(dep, outcome.evidence);
      }
      return limits.task(async () => {
        const t0 = Date.now();
        emit({ type: 'probe-start', target: name, probeId: probe.id, endpoint: evKey, at: t0 });
        let connections = 0;
        const ctx: ProbeContext = {
          target: scope,
          endpoint,
          endpoints: resolved.endpoints,
          resolver,
          trust: opts.trust,
          settings: opts.settings ?? DEFAULT_PROBE_SETTINGS,
          signal,
          connectTimeoutMs,
          withConnection: (host, fn) =>
            limits.connection(host, () => {
              // A connection that only gets its slot after the deadline must not be opened at all.
              if (signal.aborted) return Promise.reject(new ProbeFailed(abortReason(signal, opts.timeoutMs)));
              connections++;
              return fn();
            }),
          now,
        };
        let outcome: TaskOutcome;
        if (signal.aborted) {
          outcome = { probe, endpoint, status: 'error', reason: abortReason(signal, opts.timeoutMs), evidence: null, durationMs: 0, connections };
        } else {
          const collected = await Promise.race([
            probe.collect(ctx, deps).then(
              (evidence) => ({ status: 'ok' as const, evidence }),
              (err: unknown) =>
                err instanceof ProbeSkipped
                  ? { status: 'skipped' as const, reason: err.message }
                  : { status: 'error' as const, reason: err instanceof Error ? err.message : String(err) },
            ),
            // A probe that ignores the signal still ends at the deadline.
            whenAborted(signal).then(() => ({ status: 'error' as const, reason: abortReason(signal, opts.timeoutMs) })),
          ]);
          const durationMs = Date.now() - t0;
          outcome =
            collected.status === 'ok'
              ? { probe, endpoint, status: 'ok', evidence: collected.evidence, durationMs, connections }
              : { probe, endpoint, status: collected.status, reason: collected.reason, evidence: null, durationMs, connections };
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
      });
    };
    results.set(taskKey(probe.id, endpoint), run());
  }

  const outcomes = await Promise.all(results.values());
  const report = assembleReport({
    target: scope,
    url: target.path !== '/' ? `https://${target.host}:${resolved.port}${target.path}` : undefined,
    portSource: resolved.portSource,
    startedAt,
    durationMs: Date.now() - started,
    endpoints: resolved.endpoints,
    resolutionError: resolved.error,
    outcomes,
    now: now(),
  });
  emit({ type: 'target-end', target: name, report, at: Date.now() });
  return report;
}

/** Scan several targets with shared limits; reports come back in input order. */
export async function scanTargets(targets: readonly Target[], opts: ScanOptions, parallelTargets = 4): Promise<Report[]> {
  const limits = opts.limits ?? defaultLimits();
  if (opts.signal) setMaxListeners(0, opts.signal); // one derived deadline signal per target
  const reports: Report[] = new Array(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      reports[i] = await scanTarget(targets[i] as Target, { ...opts, limits });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelTargets, targets.length) }, worker));
  return reports;
}
