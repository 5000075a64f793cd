// `secgrade monitor CONFIG.yaml [--once] [--metrics ADDR] [--store PATH|URL]`: scheduled scans of
// the configured targets, each diffed against its previous report, alert rules, deduplicated
// alerts to the configured notifiers, and a Prometheus endpoint. The scans run in this process
// with the batch's wiring (shared limits, a DNS cache per DNS server, shared MX work).
//
// --once: every target once, then exit 3 if a scan (or the alert state in the store) could not
// complete, 1 if an alert is firing, 0 otherwise (for cron and CI). Without it: until SIGINT/SIGTERM.
// With a store, alert state persists: an alert open since an earlier run is not sent again.
// On a terminal (not --once, not --quiet) the long-lived monitor shows a dashboard on stderr
// (ui/monitor-live.tsx, loaded only then); elsewhere it logs lines.
import type { Command } from 'commander';
import { targetName } from '../batch/jobs.js';
import { createLimits } from '../engine/limits.js';
import { createRunEngine } from '../engine/run.js';
import { optionFlagName, optionKey } from '../engine/options.js';
import type { ConfigTarget, MonitorConfig, RawTargetFlags } from '../monitor/config.js';
import type { MetricsServer } from '../monitor/metrics.js';
import type { MonitorTarget, ReportHistory } from '../monitor/runner.js';
import { createDnsRateLimiter } from '../net/dns/rate-limit.js';
import { PROBE_OPTIONS } from '../probes/index.js';
import type { Store } from '../store/types.js';
import type { AlertStateStore } from '../monitor/alerts.js';
import type { CronScheduler } from '../monitor/schedule.js';
import type { MonitorUi } from '../../ui/monitor-live.js';
import type { QueuedScanner } from '../worker/queued-scan.js';
import { BATCH_DEFAULTS, jobOptions } from './batch-flags.js';
import { EXIT, UsageError } from './exit.js';
import type { RunIo } from './io.js';
import { parseScanFlags, targetScanOptions, type RawScanFlags, type ScanSettings } from './options.js';
import { scanContext } from './scan-context.js';

// The monitor's own modules (YAML, cron, nodemailer, undici …) are loaded only by this command.
const load = async () => {
  const [config, metrics, notify, runner, schedule, alerts, storeHistory] = await Promise.all([
    import('../monitor/config.js'),
    import('../monitor/metrics.js'),
    import('../monitor/notify/index.js'),
    import('../monitor/runner.js'),
    import('../monitor/schedule.js'),
    import('../monitor/alerts.js'),
    import('../monitor/store-history.js'),
  ]);
  return { ...config, ...metrics, ...notify, ...runner, ...schedule, ...alerts, ...storeHistory };
};

export interface RawMonitorFlags extends RawScanFlags {
  once?: boolean;
  quiet?: boolean;
  metrics?: string;
  /** A path or URL; false with --no-store (history in memory only). */
  store?: string | false;
  /** Scale-out: enqueue each run on this Redis queue for `secgrade worker`s instead of scanning here. */
  queue?: string;
  /** With --queue: how long a run waits for a worker past its scan deadline, in ms. */
  queueWait?: string;
}

/** How long a queued run waits for a worker beyond its own scan deadline, unless --queue-wait says. */
const DEFAULT_QUEUE_WAIT_MS = 300_000;

export function addMonitorFlags(cmd: Command): Command {
  cmd
    .option('--once', 'scan every target once, then exit (3: a scan did not complete, 1: an alert is firing, 0: none)')
    .option('--quiet', 'no dashboard on a terminal: the plain log lines only')
    .option('--metrics <addr>', 'serve Prometheus metrics on [HOST]:PORT (a port alone: 127.0.0.1), overriding the config')
    .option('--store <path|url>', 'history store (SQLite file or postgres:// URL), overriding the config (default: $XDG_DATA_HOME/secgrade/history.db)')
    .option('--no-store', 'keep the history in memory only (diffs start over at each start)')
    .option('--dns <ip[:port]>', 'DNS server for every lookup (default: the system resolver)')
    .option('--ca-file <pem>', 'extra trust anchors (PEM) beside the Mozilla roots')
    .option('--ct-log-list <file>', 'CT log list (Google v3 JSON) to use instead of the shipped/updated one')
    .option('--timeout <ms>', 'deadline per target in milliseconds')
    .option('--allow-private', 'let redirects, MX hosts, AIA/OCSP … reach loopback and private addresses')
    .option('--queue <redis-url>', 'enqueue each run on this Redis queue (redis://HOST:PORT/DB) for `secgrade worker`s instead of scanning here')
    .option('--queue-wait <ms>', `with --queue: how long a run waits for a worker beyond its scan deadline (default ${DEFAULT_QUEUE_WAIT_MS})`);
  for (const o of PROBE_OPTIONS) cmd.option(o.flag, o.description);
  return cmd;
}

interface Target extends MonitorTarget {
  settings: ScanSettings;
}

/** Keys of `--no-…` probe flags: commander sets them true by default, which the user did not say. */
const NEGATED_KEYS = new Set(PROBE_OPTIONS.filter((o) => optionFlagName(o).startsWith('--no-')).map((o) => optionKey(o)));

/** The flags the command line gave (commander leaves the others undefined; defaults of negated flags are not "given"). */
function givenFlags(flags: RawMonitorFlags): RawScanFlags {
  const out: RawScanFlags = {};
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || k === 'once' || k === 'quiet' || k === 'metrics' || k === 'store' || k === 'queue' || k === 'queueWait') continue;
    if (NEGATED_KEYS.has(k) && v === true) continue;
    out[k] = v;
  }
  return out;
}

const OPTIONS_BY_NAME = new Map(PROBE_OPTIONS.map((o) => [optionFlagName(o).replace(/^--(no-)?/, ''), o]));

/** A config's flags as commander would have given them (probe options by their commander key). */
function rawFlags(file: string, where: string, f: RawTargetFlags): RawScanFlags {
  const out: RawScanFlags = {};
  if (f.ip) out.ip = f.ip;
  if (f.sni) out.sni = f.sni;
  if (f.dns) out.dns = f.dns;
  if (f.checks) out.checks = f.checks;
  if (f.caFile) out.caFile = f.caFile;
  if (f.ctLogList) out.ctLogList = f.ctLogList;
  if (f.allowPrivate !== undefined) out.allowPrivate = f.allowPrivate;
  if (f.timeout) out.timeout = f.timeout;
  for (const [name, value] of Object.entries(f.options ?? {})) {
    const spec = OPTIONS_BY_NAME.get(name);
    if (!spec) throw new UsageError(`${file}: ${where}.options.${name} is not a probe option (one of ${[...OPTIONS_BY_NAME.keys()].join(', ')})`);
    out[optionKey(spec)] = value;
  }
  return out;
}

/** Each config target's scan settings: config defaults, then the command line, then the target's own. */
export function targetSettings(config: MonitorConfig, flags: RawMonitorFlags): { base: ScanSettings; targets: Target[] } {
  const file = config.path.split('/').pop()!;
  const defaults = rawFlags(file, 'defaults', config.defaults);
  const cli = givenFlags(flags);
  let base: ScanSettings;
  try {
    base = parseScanFlags([], { ...defaults, ...cli }, false);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${file}: defaults: ${err.message}`);
    throw err;
  }
  const seen = new Map<string, string>();
  const targets = config.targets.map((t: ConfigTarget): Target => {
    const own = rawFlags(file, t.where, t.flags);
    let settings: ScanSettings;
    try {
      settings = parseScanFlags([t.input], { ...defaults, ...cli, ...own });
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${file}: ${t.where}: ${err.message}`);
      throw err;
    }
    const name = targetName(settings.targets[0]!);
    const first = seen.get(name);
    if (first) throw new UsageError(`${file}: ${t.where}: ${name} is already monitored (${first})`);
    seen.set(name, t.where);
    return { name, schedule: t.schedule, settings };
  });
  return { base, targets };
}

/** The history: the store (a store named wrong is exit 2, one that does not answer exit 3, via openCliStore), or memory. */
async function openHistory(m: Awaited<ReturnType<typeof load>>, spec: string | null): Promise<{ history: ReportHistory; store: Store | null }> {
  if (spec === null) return { history: new m.MemoryHistory(), store: null };
  const { openCliStore } = await import('./store-flag.js');
  const store = await openCliStore(spec);
  return { history: new m.StoreHistory(store), store };
}

/**
 * The dashboard, seeded with what is known before the first run: each target's last runs (trend,
 * grades) from the store and the alerts still open from earlier runs.
 */
async function startDashboard(
  stream: NodeJS.WriteStream,
  color: boolean,
  targets: readonly Target[],
  scheduler: CronScheduler,
  opened: { store: Store | null },
  alerts: AlertStateStore,
  metrics: string | null,
): Promise<MonitorUi> {
  const [{ startMonitorUi }, { TREND_RUNS }] = await Promise.all([import('../../ui/monitor-live.js'), import('../../ui/monitor-state.js')]);
  const names = targets.map((t) => t.name);
  const ui = startMonitorUi({
    stream,
    color,
    targets: names,
    history: opened.store ? opened.store.location : 'in memory',
    metrics,
    nextRuns: () => Object.fromEntries(names.map((n) => [n, scheduler.nextRunOf(n)])),
  });
  const seeds = names.map(async (target) => {
    if (!opened.store) return;
    const entries = await opened.store.history(target, { limit: TREND_RUNS });
    const runs = entries.reverse().map((e) => ({ grades: e.grades, status: e.status, reason: e.reason, endedAt: Date.parse(e.startedAt) + e.durationMs }));
    ui.dispatch({ type: 'history', target, runs });
  });
  const open = alerts.openAlerts().then((all) => {
    for (const target of names) ui.dispatch({ type: 'alerts', target, open: all.filter((a) => a.target === target) });
  });
  // What cannot be read now shows after the targets' next runs; the monitor itself goes on.
  for (const r of await Promise.allSettled([...seeds, open])) {
    if (r.status === 'rejected') ui.dispatch({ type: 'log', line: `dashboard: ${((r.reason as Error)?.message ?? String(r.reason)).split('\n')[0]}` });
  }
  return ui;
}

export async function runMonitor(configPath: string, flags: RawMonitorFlags, io: RunIo): Promise<number> {
  const m = await load();
  let config: MonitorConfig;
  try {
    config = await m.loadMonitorConfig(configPath);
  } catch (err) {
    if (err instanceof m.ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const { base, targets } = targetSettings(config, flags);
  let listen = config.metrics;
  if (flags.metrics !== undefined) {
    listen = m.parseListenAddress(flags.metrics);
    if (!listen) throw new UsageError(`--metrics "${flags.metrics}" is not a listen address (:PORT, HOST:PORT or [IPv6]:PORT)`);
  }
  // Under the dashboard, lines go into it (a write to stderr would tear its frame).
  let ui: MonitorUi | null = null;
  const say = (line: string): void => (ui ? ui.dispatch({ type: 'log', line }) : void io.stderr.write(`secgrade: ${line}\n`));
  const { trust, reference } = await scanContext(base);
  // --queue is opened first thing in the try below, so the finally closes whatever was opened.
  let queued: QueuedScanner | null = null;
  const { defaultStorePath } = await import('../store/spec.js');
  const storeSpec = flags.store === false ? null : (flags.store ?? config.store ?? defaultStorePath(io.env));
  const opened = await openHistory(m, storeSpec);

  // The batch's wiring: shared connection limits, one DNS cache per DNS server, shared MX work —
  // read for a minute only: the targets due at one tick share it, the next ticks look again.
  const limits = createLimits({
    concurrency: Math.max(32, 4 * config.targetsInFlight),
    perHostConnections: BATCH_DEFAULTS.maxConnectionsPerHost,
    connectionsPerSecond: BATCH_DEFAULTS.rate,
  });
  const engine = createRunEngine({ trust, reference, limits, dnsRate: createDnsRateLimiter(BATCH_DEFAULTS.dnsRate), sharedTtlMs: 60_000 });
  const metrics = new m.MonitorMetrics(targets.map((t) => t.name));
  // With a store the alert state lives in it: an open alert is not sent again after a restart or
  // by the next --once run, and its "resolved" is sent once.
  const alerts = opened.store ? opened.store.alertState() : new m.MemoryAlertState();
  // Resolved alerts are history, not state: kept RESOLVED_ALERTS_KEEP_DAYS, pruned at start and daily.
  const prune = (): Promise<unknown> =>
    alerts.pruneResolved(new Date(Date.now() - m.RESOLVED_ALERTS_KEEP_DAYS * 86_400_000).toISOString()).catch((err: Error) => say(`pruning resolved alerts failed: ${err.message.split('\n')[0]}`));
  await prune();
  const pruneTimer = setInterval(() => void prune(), 86_400_000);
  pruneTimer.unref();
  const notifiers = m.createNotifiers(config.notify, {
    writeStdout: (line) => void (io.stdoutError() ?? io.stdout.write(line)),
    stdoutGone: () => io.stdoutError() !== null,
  });
  const monitor = new m.Monitor<Target>({
    targets,
    rules: config.rules,
    scan: (t, signal) =>
      queued
        ? queued.scan(t.settings.targets[0]!, jobOptions(t.settings), signal)
        : engine.scan(t.settings.targets[0]!, { ...targetScanOptions(t.settings), dns: t.settings.dns, signal }),
    history: opened.history,
    alerts,
    notifiers,
    metrics,
    targetsInFlight: config.targetsInFlight,
    timezone: config.timezone,
    log: say,
  });

  let server: MetricsServer | null = null;
  try {
    if (flags.queue !== undefined) queued = await openQueue(flags, base, { trust, reference });
    if (listen) {
      try {
        server = await m.serveMetrics(metrics, listen);
      } catch (err) {
        throw new UsageError(`metrics ${listen.host}:${listen.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      say(`metrics on http://${server.address}/metrics`);
    }
    if (flags.once) {
      const { runs, notStarted, interrupted } = await monitor.runOnce(io.signal);
      const incomplete = runs.filter((r) => r.report.status !== 'ok');
      for (const r of incomplete) say(`${r.target}: scan ${r.report.status === 'error' ? 'incomplete' : r.report.status}: ${r.report.reason ?? 'unknown reason'}`);
      const open = await alerts.openAlerts();
      const fired = runs.reduce((n, r) => n + r.events.filter((e) => e.state === 'firing').length, 0);
      const resolved = runs.reduce((n, r) => n + r.events.filter((e) => e.state === 'resolved').length, 0);
      say(`monitor: ${runs.length} target(s) scanned${notStarted ? `, ${notStarted} not started` : ''}; ${open.length} alert(s) open (${fired} fired, ${resolved} resolved this run)`);
      if (interrupted || notStarted > 0 || incomplete.length || runs.some((r) => r.alertStateFailed)) return EXIT.incomplete;
      return open.length ? EXIT.failed : EXIT.ok;
    }
    const stderr = io.stderr as NodeJS.WriteStream;
    const dashboard = !flags.quiet && stderr.isTTY === true;
    const scheduler = await monitor.start(
      io.signal,
      (run) => {
        // Off the dashboard, one line per run: a log shows the monitor is alive and what it saw.
        if (!ui) say(`${run.target}: ${run.report.status}, overall ${run.report.grades.overall ?? '—'}${run.events.length ? `; ${run.events.map((e) => `${e.state} ${e.alert.rule}`).join(', ')}` : ''}`);
        ui?.dispatch({ type: 'run-finished', run });
        // The runner logs an alert state that fails; the view keeps its last count then.
        void alerts.openAlerts(run.target).then((open) => ui?.dispatch({ type: 'alerts', target: run.target, open }), () => undefined);
      },
      (target) => ui?.dispatch({ type: 'run-started', target }),
    );
    if (dashboard) ui = await startDashboard(stderr, !io.env['NO_COLOR'], targets, scheduler, opened, alerts, server?.address ?? null);
    const now = Date.now();
    const next = targets.map((t) => m.nextRun(t.schedule, config.timezone, now)).filter((n): n is number => n !== null);
    if (!ui) say(`monitoring ${targets.length} target(s)${next.length ? `; first scan at ${new Date(Math.min(...next)).toISOString()}` : ''}; history: ${opened.store ? opened.store.location : 'in memory'}; Ctrl-C to stop`);
    // The scheduler's timers are unref'd: without a metrics server nothing else kept the process
    // alive (it ended at once, exit 13, an unsettled top-level await). This timer does, until the signal.
    const alive = setInterval(() => undefined, 2 ** 30);
    await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(alive);
    await scheduler.stop();
    return EXIT.ok;
  } finally {
    clearInterval(pruneTimer);
    await ui?.stop();
    ui = null;
    await server?.close();
    await Promise.all(notifiers.map((n) => n.close?.()));
    await opened.store?.close();
    await queued?.close();
  }
}

/**
 * --queue: the runs go to workers. The queue's address policy is this monitor's --allow-private
 * (a queue made with another one is refused); workers need the same trust (--ca-file) and data.
 */
async function openQueue(flags: RawMonitorFlags, base: ScanSettings, ctx: Pick<Parameters<typeof createRunEngine>[0], 'trust' | 'reference'>): Promise<QueuedScanner> {
  // Loaded only with --queue: BullMQ and ioredis cost every other start-up.
  const [{ parseQueueAddress, QueueAddressError }, { openQueuedScanner }, { QueueMetaMismatch }] = await Promise.all([
    import('../worker/address.js'),
    import('../worker/queued-scan.js'),
    import('../worker/store.js'),
  ]);
  let waitMs = DEFAULT_QUEUE_WAIT_MS;
  if (flags.queueWait !== undefined) {
    if (!/^\d+$/.test(flags.queueWait) || Number(flags.queueWait) > 86_400_000) throw new UsageError(`--queue-wait "${flags.queueWait}" must be a number of milliseconds (at most 86400000)`);
    waitMs = Number(flags.queueWait);
  }
  let address;
  try {
    address = parseQueueAddress(flags.queue!);
  } catch (err) {
    if (err instanceof QueueAddressError) throw new UsageError(`--queue ${err.message}`);
    throw err;
  }
  try {
    return await openQueuedScanner({ address, allowPrivate: base.allowPrivate, trust: ctx.trust, reference: ctx.reference, waitMs });
  } catch (err) {
    if (err instanceof QueueMetaMismatch) throw new UsageError(`--queue ${address.display} ${err.message}`);
    throw err; // QueueUnavailable: one line, exit 3, as any run that could not be made
  }
}
