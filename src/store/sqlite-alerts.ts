// The monitor's alert state in the SQLite store (table monitor_alerts, migration 2). Times are
// milliseconds like the history's. open() relies on the partial unique index: at most one open row
// per key, so a second open (this process or another on the file) inserts nothing.
import type Database from 'better-sqlite3';
import type { AlertStateStore } from '../monitor/alerts.js';
import type { AlertRecord } from '../monitor/types.js';
import { ALERT_COLUMNS, alertFromRow, alertTimeMs, baselineJson, type AlertRow } from './alert-rows.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export class SqliteAlertState implements AlertStateStore {
  private readonly q;

  /** `guard` turns a database failure into the store's one-line StoreError. */
  constructor(
    db: Database.Database,
    private readonly guard: <T>(f: () => T) => T,
  ) {
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    this.q = {
      all: p<AlertRow<number>>(`SELECT ${ALERT_COLUMNS} FROM monitor_alerts WHERE resolved_at IS NULL ORDER BY id`),
      ofTarget: p<AlertRow<number>>(`SELECT ${ALERT_COLUMNS} FROM monitor_alerts WHERE resolved_at IS NULL AND target = ? ORDER BY id`),
      open: p(
        `INSERT INTO monitor_alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING`,
      ),
      touch: p('UPDATE monitor_alerts SET severity = ?, summary = ?, changes = ?, last_seen_at = ? WHERE key = ? AND resolved_at IS NULL'),
      notified: p('UPDATE monitor_alerts SET last_notified_at = ? WHERE key = ? AND resolved_at IS NULL'),
      resolve: p<AlertRow<number>>(`UPDATE monitor_alerts SET resolved_at = ? WHERE key = ? AND resolved_at IS NULL RETURNING ${ALERT_COLUMNS}`),
      prune: p('DELETE FROM monitor_alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?'),
    };
  }

  async openAlerts(target?: string): Promise<AlertRecord[]> {
    const rows = this.guard(() => (target === undefined ? this.q.all.all() : this.q.ofTarget.all(target)));
    return rows.map((r) => alertFromRow(r, iso));
  }

  async open(a: AlertRecord): Promise<boolean> {
    const args = [
      a.key, a.rule, a.target, a.subject, a.severity, a.summary, JSON.stringify(a.changes), baselineJson(a),
      alertTimeMs(a.openedAt), alertTimeMs(a.lastSeenAt), a.lastNotifiedAt === null ? null : alertTimeMs(a.lastNotifiedAt), a.resolvedAt === null ? null : alertTimeMs(a.resolvedAt),
    ];
    return this.guard(() => this.q.open.run(...args).changes === 1);
  }

  async touch(key: string, at: string, u: Pick<AlertRecord, 'severity' | 'summary' | 'changes'>): Promise<void> {
    const ms = alertTimeMs(at);
    this.guard(() => this.q.touch.run(u.severity, u.summary, JSON.stringify(u.changes), ms, key));
  }

  async markNotified(key: string, at: string): Promise<void> {
    const ms = alertTimeMs(at);
    this.guard(() => this.q.notified.run(ms, key));
  }

  async resolve(key: string, at: string): Promise<AlertRecord | null> {
    const ms = alertTimeMs(at);
    const row = this.guard(() => this.q.resolve.get(ms, key));
    return row ? alertFromRow(row, iso) : null;
  }

  async pruneResolved(before: string): Promise<number> {
    const ms = alertTimeMs(before);
    return this.guard(() => this.q.prune.run(ms).changes);
  }
}
