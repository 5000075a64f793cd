// The monitor's alert records as rows of monitor_alerts, shared by both backends: JSON columns as
// text (the record's `changes` and optional `baseline`), times as the backend stores them.
import type { AlertRecord } from '../monitor/types.js';

export interface AlertRow<Time> {
  key: string;
  rule: string;
  target: string;
  subject: string;
  severity: string;
  summary: string;
  /** JSON text. */
  changes: string;
  /** JSON text; SQL NULL: the alert has no baseline (a JSON `null` baseline is the text "null"). */
  baseline: string | null;
  opened_at: Time;
  last_seen_at: Time;
  last_notified_at: Time | null;
  resolved_at: Time | null;
}

export const ALERT_COLUMNS = 'key, rule, target, subject, severity, summary, changes, baseline, opened_at, last_seen_at, last_notified_at, resolved_at';

/** A row back to the record the state machine wrote (times as ISO strings). */
export function alertFromRow<Time>(row: AlertRow<Time>, iso: (t: Time) => string): AlertRecord {
  const a: AlertRecord = {
    key: row.key,
    rule: row.rule as AlertRecord['rule'],
    target: row.target,
    subject: row.subject,
    severity: row.severity as AlertRecord['severity'],
    summary: row.summary,
    changes: JSON.parse(row.changes) as AlertRecord['changes'],
    openedAt: iso(row.opened_at),
    lastSeenAt: iso(row.last_seen_at),
    lastNotifiedAt: row.last_notified_at === null ? null : iso(row.last_notified_at),
    resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
  };
  if (row.baseline !== null) a.baseline = JSON.parse(row.baseline) as unknown;
  return a;
}

/** An ISO time the state machine gave, as milliseconds; a malformed one is a caller's bug, not a row to write. */
export function alertTimeMs(at: string): number {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`alert time "${at}" is not an ISO time`);
  return ms;
}

export const baselineJson = (a: AlertRecord): string | null => (a.baseline === undefined ? null : JSON.stringify(a.baseline));
