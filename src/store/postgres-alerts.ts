// The monitor's alert state in the PostgreSQL store (secgrade.monitor_alerts, migration 2). open()
// relies on the partial unique index: of several monitors opening one key at once, one inserts.
// JSON columns are read back as text so a record round-trips exactly (key order, a null baseline).
import type { AlertStateStore } from '../monitor/alerts.js';
import type { AlertRecord } from '../monitor/types.js';
import { alertFromRow, alertTimeMs, baselineJson, type AlertRow } from './alert-rows.js';
import { PG_SCHEMA } from './migrations.js';

const T = `${PG_SCHEMA}.monitor_alerts`;
const SELECT = `key, rule, target, subject, severity, summary, changes::text AS changes, baseline::text AS baseline, opened_at, last_seen_at, last_notified_at, resolved_at`;
const iso = (d: Date): string => d.toISOString();
const time = (at: string | null): Date | null => (at === null ? null : new Date(alertTimeMs(at)));

/** The store's bounded query (deadline, one-line StoreError). */
export type PgQuery = <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

export class PostgresAlertState implements AlertStateStore {
  constructor(private readonly query: PgQuery) {}

  async openAlerts(target?: string): Promise<AlertRecord[]> {
    const rows = await this.query<AlertRow<Date> & Record<string, unknown>>(
      `SELECT ${SELECT} FROM ${T} WHERE resolved_at IS NULL AND ($1::text IS NULL OR target = $1) ORDER BY id`,
      [target ?? null],
    );
    return rows.map((r) => alertFromRow(r, iso));
  }

  async open(a: AlertRecord): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO ${T} (key, rule, target, subject, severity, summary, changes, baseline, opened_at, last_seen_at, last_notified_at, resolved_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, $9, $10, $11, $12)
       ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
      [a.key, a.rule, a.target, a.subject, a.severity, a.summary, JSON.stringify(a.changes), baselineJson(a), time(a.openedAt), time(a.lastSeenAt), time(a.lastNotifiedAt), time(a.resolvedAt)],
    );
    return rows.length === 1;
  }

  async touch(key: string, at: string, u: Pick<AlertRecord, 'severity' | 'summary' | 'changes'>): Promise<void> {
    await this.query(`UPDATE ${T} SET severity = $1, summary = $2, changes = $3::json, last_seen_at = $4 WHERE key = $5 AND resolved_at IS NULL`, [
      u.severity,
      u.summary,
      JSON.stringify(u.changes),
      time(at),
      key,
    ]);
  }

  async markNotified(key: string, at: string): Promise<void> {
    await this.query(`UPDATE ${T} SET last_notified_at = $1 WHERE key = $2 AND resolved_at IS NULL`, [time(at), key]);
  }

  async resolve(key: string, at: string): Promise<AlertRecord | null> {
    const [row] = await this.query<AlertRow<Date> & Record<string, unknown>>(`UPDATE ${T} SET resolved_at = $1 WHERE key = $2 AND resolved_at IS NULL RETURNING ${SELECT}`, [time(at), key]);
    return row ? alertFromRow(row, iso) : null;
  }

  async pruneResolved(before: string): Promise<number> {
    const rows = await this.query<{ key: string }>(`DELETE FROM ${T} WHERE resolved_at IS NOT NULL AND resolved_at < $1 RETURNING key`, [time(before)]);
    return rows.length;
  }
}
