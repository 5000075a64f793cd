// The alert state machine: a condition that starts to hold opens an alert once ("firing" is sent),
// an open alert is not sent again while it holds, and it resolves ("resolved" is sent) only when a
// run that *tested* it finds the condition gone. An untested subject keeps its alert as it is.
//
// The state lives behind AlertStateStore so it survives restarts when the history store backs it
// (Store.alertState(): migration 2, src/store/sqlite-alerts.ts and postgres-alerts.ts):
//   monitor_alerts(id PK, key TEXT, rule TEXT, target TEXT, subject TEXT, severity TEXT,
//                  summary TEXT, changes JSON, baseline JSON NULL, opened_at, last_seen_at,
//                  last_notified_at NULL, resolved_at NULL)
//   UNIQUE (key) WHERE resolved_at IS NULL      -- at most one open alert per key
//   INDEX (target) WHERE resolved_at IS NULL    -- "open alerts of a target"
// open() is an INSERT that the unique index makes idempotent; resolve() an UPDATE … RETURNING.
import type { TargetDiff } from '../diff/types.js';
import { unknownCovers } from './rules.js';
import type { AlertEvent, AlertRecord, RuleId, RuleOutcome } from './types.js';

export interface AlertStateStore {
  /** Open alerts (resolvedAt null): of one target, or all. */
  openAlerts(target?: string): Promise<AlertRecord[]>;
  /** Records a new open alert; false (and nothing written) when one with its key is already open. */
  open(alert: AlertRecord): Promise<boolean>;
  /** The condition still holds: its latest wording and when it was last seen. */
  touch(key: string, at: string, update: Pick<AlertRecord, 'severity' | 'summary' | 'changes'>): Promise<void>;
  /** "firing" was delivered. */
  markNotified(key: string, at: string): Promise<void>;
  /** Closes the open alert with this key; returns it closed, or null when none was open. */
  resolve(key: string, at: string): Promise<AlertRecord | null>;
  /** Deletes alerts resolved before `before` (open ones are never touched); returns how many. */
  pruneResolved(before: string): Promise<number>;
}

/** How long resolved alerts are kept in the store (the monitor prunes older ones at start and daily). */
export const RESOLVED_ALERTS_KEEP_DAYS = 90;

/** What a MemoryAlertState keeps: a plain object, so two instances can share it (a "restart" in tests). */
export interface AlertStateData {
  alerts: AlertRecord[];
}

/** The in-process state (monitor --no-store, tests): open and resolved alerts in an array. */
export class MemoryAlertState implements AlertStateStore {
  /** Resolved alerts kept for reading back, at most. */
  static readonly KEEP_RESOLVED = 1000;
  constructor(readonly data: AlertStateData = { alerts: [] }) {}

  private find(key: string): AlertRecord | undefined {
    return this.data.alerts.find((a) => a.key === key && a.resolvedAt === null);
  }
  async openAlerts(target?: string): Promise<AlertRecord[]> {
    return this.data.alerts.filter((a) => a.resolvedAt === null && (target === undefined || a.target === target)).map((a) => structuredClone(a));
  }
  async open(alert: AlertRecord): Promise<boolean> {
    if (this.find(alert.key)) return false;
    this.data.alerts.push(structuredClone(alert));
    return true;
  }
  async touch(key: string, at: string, update: Pick<AlertRecord, 'severity' | 'summary' | 'changes'>): Promise<void> {
    const a = this.find(key);
    if (a) Object.assign(a, structuredClone(update), { lastSeenAt: at });
  }
  async markNotified(key: string, at: string): Promise<void> {
    const a = this.find(key);
    if (a) a.lastNotifiedAt = at;
  }
  async resolve(key: string, at: string): Promise<AlertRecord | null> {
    const a = this.find(key);
    if (!a) return null;
    a.resolvedAt = at;
    const resolved = this.data.alerts.filter((x) => x.resolvedAt !== null);
    if (resolved.length > MemoryAlertState.KEEP_RESOLVED) {
      const drop = new Set(resolved.slice(0, resolved.length - MemoryAlertState.KEEP_RESOLVED));
      this.data.alerts = this.data.alerts.filter((x) => !drop.has(x));
    }
    return structuredClone(a);
  }
  async pruneResolved(before: string): Promise<number> {
    const limit = Date.parse(before);
    const kept = this.data.alerts.filter((a) => a.resolvedAt === null || Date.parse(a.resolvedAt) >= limit);
    const pruned = this.data.alerts.length - kept.length;
    this.data.alerts = kept;
    return pruned;
  }
}

export interface ApplyInput {
  target: string;
  outcome: RuleOutcome;
  /** The rules that were evaluated: an open alert of a rule no longer configured is left alone. */
  rules: ReadonlySet<RuleId>;
  runId: string;
  at: string;
  diff: TargetDiff | null;
}

/**
 * Drives the state from one target's rule outcome; returns the events to send. A "firing" that no
 * notifier delivered is returned again on the next run (lastNotifiedAt stays null) until one does.
 */
export async function applyOutcome(state: AlertStateStore, input: ApplyInput): Promise<AlertEvent[]> {
  const { target, outcome, runId, at, diff } = input;
  const open = new Map((await state.openAlerts(target)).map((a) => [a.key, a]));
  const events: AlertEvent[] = [];
  const holding = new Set<string>();
  for (const c of outcome.conditions) {
    if (holding.has(c.key)) continue; // one condition per key and run
    holding.add(c.key);
    const existing = open.get(c.key);
    if (existing) {
      await state.touch(c.key, at, { severity: c.severity, summary: c.summary, changes: c.changes });
      if (existing.lastNotifiedAt === null) {
        events.push({ type: 'alert', state: 'firing', alert: { ...existing, severity: c.severity, summary: c.summary, changes: c.changes, lastSeenAt: at }, runId, at, diff });
      }
      continue;
    }
    const record: AlertRecord = {
      key: c.key,
      rule: c.rule,
      target: c.target,
      subject: c.subject,
      severity: c.severity,
      summary: c.summary,
      changes: c.changes,
      ...(c.baseline !== undefined ? { baseline: c.baseline } : {}),
      openedAt: at,
      lastSeenAt: at,
      lastNotifiedAt: null,
      resolvedAt: null,
    };
    // false: another monitor sharing the state opened it in the meantime; it notifies.
    if (await state.open(record)) events.push({ type: 'alert', state: 'firing', alert: record, runId, at, diff });
  }
  for (const a of open.values()) {
    if (holding.has(a.key) || !input.rules.has(a.rule)) continue;
    if (outcome.unknown.some((u) => unknownCovers(u, a.rule, a.subject))) continue;
    const closed = await state.resolve(a.key, at);
    // An alert nobody was told about resolves silently.
    if (closed && closed.lastNotifiedAt !== null) events.push({ type: 'alert', state: 'resolved', alert: closed, runId, at, diff });
  }
  return events;
}
