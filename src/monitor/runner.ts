// The monitor's run of one target: scan, keep the report, diff it against the target's previous
// report, evaluate the rules, drive the alerts, notify, update the metrics. `runOnce` runs every
// target once through the batch scheduler (src/batch/run.ts); `start` runs each on its cron
// schedule until the signal aborts. The scan itself is injected (the CLI wires the engine as
// `batch` does), so this file does no network I/O of its own besides the notifiers.
import PQueue from 'p-queue';
import { newRunId } from '../batch/jobs.js';
import { runJobs } from '../batch/run.js';
import { diffReports } from '../diff/diff.js';
import type { TargetDiff } from '../diff/types.js';
import type { Report } from '../model/report.js';
import { applyOutcome, type AlertStateStore } from './alerts.js';
import type { RuleConfig } from './config.js';
import type { MonitorMetrics } from './metrics.js';
import { deliver, type Notifier } from './notify/index.js';
import { evaluateRules } from './rules.js';
import { CronScheduler, type Clock } from './schedule.js';
import type { AlertEvent, RuleId } from './types.js';

export interface MonitorTarget {
  /** The target's name: the store's, the alerts' and the metrics' label. */
  name: string;
  schedule: string;
}

/**
 * Where the monitor reads a target's past from and keeps its reports. In memory until the store is
 * wired; the store-backed one answers `previous` with lastReports and `statuses` with history.
 */
export interface ReportHistory {
  /** The target's last report that tested something (not error, not interrupted), or null. */
  previous(target: string): Promise<Report | null>;
  /** The statuses of its last `n` runs, newest first. */
  statuses(target: string, n: number): Promise<Array<Report['status']>>;
  /** Keeps a run's report (after previous/statuses were read for it). */
  record(target: string, report: Report, runId: string): Promise<void>;
}

/** Statuses kept per target by the memory history (more than any scan-failing rule may ask). */
const MEMORY_STATUSES = 100;

export class MemoryHistory implements ReportHistory {
  private readonly last = new Map<string, Report>();
  private readonly runs = new Map<string, Array<Report['status']>>();
  async previous(target: string): Promise<Report | null> {
    return this.last.get(target) ?? null;
  }
  async statuses(target: string, n: number): Promise<Array<Report['status']>> {
    return (this.runs.get(target) ?? []).slice(0, n);
  }
  async record(target: string, report: Report): Promise<void> {
    if (report.status !== 'error' && report.status !== 'interrupted') this.last.set(target, report);
    this.runs.set(target, [report.status, ...(this.runs.get(target) ?? [])].slice(0, MEMORY_STATUSES));
  }
}

export interface MonitorDeps<T extends MonitorTarget> {
  targets: readonly T[];
  rules: readonly RuleConfig[];
  /** Scans a target; never rejects for the target's own failures (the report says them). */
  scan(target: T, signal: AbortSignal): Promise<Report>;
  history: ReportHistory;
  alerts: AlertStateStore;
  notifiers: readonly Notifier[];
  metrics: MonitorMetrics;
  targetsInFlight: number;
  /** One line for the user (stderr). */
  log(line: string): void;
  clock?: Clock;
  timezone?: string | null;
  /** How long targets in flight may finish after an interruption (runOnce), in ms. */
  graceMs?: number;
}

export interface TargetRun {
  target: string;
  runId: string;
  report: Report;
  diff: TargetDiff | null;
  events: AlertEvent[];
  /** The alert state could not be read or written (a store gone away): this run's alerting is incomplete. */
  alertStateFailed?: boolean;
}

export class Monitor<T extends MonitorTarget> {
  private readonly ruleIds: ReadonlySet<RuleId>;
  private readonly statusesNeeded: number;

  constructor(private readonly deps: MonitorDeps<T>) {
    this.ruleIds = new Set(deps.rules.map((r) => r.rule));
    this.statusesNeeded = Math.max(1, ...deps.rules.map((r) => (r.rule === 'scan-failing' ? r.runs : 1)));
  }

  /** One target, start to end. An interrupted scan (shutdown) is not judged: it tested nothing we can trust. */
  async runTarget(target: T, signal: AbortSignal): Promise<TargetRun> {
    const { history, alerts, metrics } = this.deps;
    const runId = newRunId();
    const scanned = await this.deps.scan(target, signal);
    const report: Report = { ...scanned, job: { key: `${target.name}|monitor|${runId}`, runId, input: target.name } };
    if (report.status === 'interrupted') return { target: target.name, runId, report, diff: null, events: [] };
    // A history that fails (a store gone away) costs this run its diff, never the run itself.
    const fromHistory = async <V>(what: string, fn: () => Promise<V>, fallback: V): Promise<V> => {
      try {
        return await fn();
      } catch (err) {
        this.deps.log(`${target.name}: history ${what} failed: ${((err as Error).message ?? String(err)).split('\n')[0]}`);
        return fallback;
      }
    };
    const previous = await fromHistory('read', () => history.previous(target.name), null);
    const before = await fromHistory('read', () => history.statuses(target.name, this.statusesNeeded - 1), [] as Array<Report['status']>);
    await fromHistory('save', () => history.record(target.name, report, runId), undefined);
    const diff = previous && report.status !== 'error' ? diffReports(previous, report) : null;
    const at = new Date().toISOString();
    // Alert state in a store that fails costs this run its alerts: nothing is sent that the state
    // does not record, and a condition still holding opens (and is sent) on the next run.
    let alertStateFailed = false;
    const fromAlerts = async <V>(what: string, fn: () => Promise<V>, fallback: V): Promise<V> => {
      try {
        return await fn();
      } catch (err) {
        alertStateFailed = true;
        this.deps.log(`${target.name}: alert state ${what} failed: ${((err as Error).message ?? String(err)).split('\n')[0]}`);
        return fallback;
      }
    };
    const events = await fromAlerts(
      'update',
      async () => {
        const outcome = evaluateRules(this.deps.rules, {
          target: target.name,
          previous,
          current: report,
          diff,
          statuses: [report.status, ...before],
          open: await alerts.openAlerts(target.name),
        });
        return applyOutcome(alerts, { target: target.name, outcome, rules: this.ruleIds, runId, at, diff });
      },
      [] as AlertEvent[],
    );
    for (const event of events) {
      // Notifications finish even when the monitor is stopping: an alert half-sent is worse.
      const result = await deliver(this.deps.notifiers, event, AbortSignal.timeout(5 * 60_000));
      for (const e of result.errors) this.deps.log(`${target.name}: ${event.state} ${event.alert.rule} not delivered: ${e}`);
      if (event.state === 'firing' && result.delivered > 0) await fromAlerts('save', () => alerts.markNotified(event.alert.key, new Date().toISOString()), undefined);
    }
    metrics.record(target.name, report);
    const open = await fromAlerts('read', () => alerts.openAlerts(target.name), null);
    if (open) metrics.setAlertsOpen(target.name, open.length);
    return { target: target.name, runId, report, diff, events, ...(alertStateFailed ? { alertStateFailed } : {}) };
  }

  /** Every target once (for cron and CI), at most targetsInFlight at a time. */
  async runOnce(signal: AbortSignal): Promise<{ runs: TargetRun[]; notStarted: number; interrupted: boolean }> {
    const runs: TargetRun[] = [];
    const result = await runJobs<T, TargetRun>({
      jobs: this.deps.targets,
      targetsInFlight: this.deps.targetsInFlight,
      signal,
      graceMs: this.deps.graceMs ?? 10_000,
      scan: (t, s) => this.runTarget(t, s),
      onResult: async (_t, run) => void runs.push(run),
    });
    return { runs, notStarted: result.notStarted, interrupted: result.interrupted };
  }

  /**
   * Each target on its schedule until `signal` aborts; then waits for the runs in flight (their
   * scans see the abort and end as interrupted). `onRun` sees every finished run, `onRunStart` each
   * run as it starts scanning (past the queue of targets in flight: the dashboard's "scanning").
   */
  async start(signal: AbortSignal, onRun?: (run: TargetRun) => void, onRunStart?: (target: string) => void): Promise<CronScheduler> {
    const queue = new PQueue({ concurrency: this.deps.targetsInFlight });
    const scheduler = new CronScheduler({
      ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      timezone: this.deps.timezone ?? null,
      onSkip: (id, n) => {
        this.deps.metrics.skippedTick(id);
        this.deps.log(`${id}: scheduled scan skipped, the previous one is still running (${n} skipped so far)`);
      },
      onError: (id, err) => this.deps.log(`${id}: ${(err as Error).message ?? String(err)}`),
    });
    for (const t of this.deps.targets) {
      scheduler.add(t.name, t.schedule, async () => {
        if (signal.aborted) return;
        const run = await queue.add(async () => {
          if (signal.aborted) return undefined;
          onRunStart?.(t.name);
          return await this.runTarget(t, signal);
        });
        if (run) onRun?.(run);
      });
    }
    scheduler.start();
    const stop = (): void => {
      queue.clear();
      void scheduler.stop();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    return scheduler;
  }
}
