// The store's schema, as numbered migrations in both dialects side by side so the two backends stay
// in step. Each migration is applied once, in order, in its own transaction, and recorded in
// schema_migrations; a store whose highest version is above the last one here was written by a
// newer secgrade and is refused (its rows may mean things this version does not know).
// Version 2 holds the monitor's alert state (src/monitor/alerts.ts), so dedup and "resolved"
// survive restarts. Never edit a released migration: add one.

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** PostgreSQL: everything lives in its own schema, so a shared database's other tables never clash. */
export const PG_SCHEMA = 'secgrade';

/** SQLite: PRAGMA application_id of a secgrade store ("SGHS"), so another program's database is not taken for one. */
export const SQLITE_APPLICATION_ID = 0x53474853;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'history: targets, runs, reports, grades, findings',
    sqlite: `
      CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('scan', 'batch', 'worker', 'monitor')),
        started_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX runs_by_start ON runs (started_at DESC);
      CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        job_key TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL REFERENCES runs (id),
        target_id INTEGER NOT NULL REFERENCES targets (id),
        status TEXT NOT NULL,
        reason TEXT,
        started_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        tool_version TEXT NOT NULL,
        algorithm_version TEXT NOT NULL,
        encoding TEXT NOT NULL,
        body BLOB NOT NULL,
        body_bytes INTEGER NOT NULL
      );
      CREATE INDEX reports_by_target ON reports (target_id, started_at DESC, id DESC);
      CREATE INDEX reports_by_run ON reports (run_id);
      CREATE TABLE grades (
        report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        section TEXT NOT NULL,
        grade TEXT,
        PRIMARY KEY (report_id, section)
      ) WITHOUT ROWID;
      CREATE TABLE findings (
        report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        finding_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL
      );
      CREATE INDEX findings_by_report ON findings (report_id);
    `,
    postgres: `
      CREATE TABLE ${PG_SCHEMA}.targets (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE ${PG_SCHEMA}.runs (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('scan', 'batch', 'worker', 'monitor')),
        started_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX runs_by_start ON ${PG_SCHEMA}.runs (started_at DESC);
      CREATE TABLE ${PG_SCHEMA}.reports (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_key TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL REFERENCES ${PG_SCHEMA}.runs (id),
        target_id BIGINT NOT NULL REFERENCES ${PG_SCHEMA}.targets (id),
        status TEXT NOT NULL,
        reason TEXT,
        started_at TIMESTAMPTZ NOT NULL,
        duration_ms INTEGER NOT NULL,
        tool_version TEXT NOT NULL,
        algorithm_version TEXT NOT NULL,
        encoding TEXT NOT NULL,
        body BYTEA NOT NULL,
        body_bytes INTEGER NOT NULL
      );
      CREATE INDEX reports_by_target ON ${PG_SCHEMA}.reports (target_id, started_at DESC, id DESC);
      CREATE INDEX reports_by_run ON ${PG_SCHEMA}.reports (run_id);
      CREATE TABLE ${PG_SCHEMA}.grades (
        report_id BIGINT NOT NULL REFERENCES ${PG_SCHEMA}.reports (id) ON DELETE CASCADE,
        section TEXT NOT NULL,
        grade TEXT,
        PRIMARY KEY (report_id, section)
      );
      CREATE TABLE ${PG_SCHEMA}.findings (
        report_id BIGINT NOT NULL REFERENCES ${PG_SCHEMA}.reports (id) ON DELETE CASCADE,
        finding_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL
      );
      CREATE INDEX findings_by_report ON ${PG_SCHEMA}.findings (report_id);
    `,
  },
  {
    version: 2,
    name: 'monitor: alert state',
    // One row per alert episode: opened, seen while it holds, resolved. The partial unique index
    // allows one open row per key, so opening is an idempotent INSERT … ON CONFLICT DO NOTHING and
    // two monitors on one store open (and notify) an alert once. changes/baseline are JSON text.
    // Nothing else the monitor keeps needs a table: its previous reports and failing streaks are
    // read from the history above.
    sqlite: `
      CREATE TABLE monitor_alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        rule TEXT NOT NULL,
        target TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        changes TEXT NOT NULL,
        baseline TEXT,
        opened_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        last_notified_at INTEGER,
        resolved_at INTEGER
      );
      CREATE UNIQUE INDEX monitor_alerts_open_key ON monitor_alerts (key) WHERE resolved_at IS NULL;
      CREATE INDEX monitor_alerts_open_target ON monitor_alerts (target) WHERE resolved_at IS NULL;
    `,
    postgres: `
      CREATE TABLE ${PG_SCHEMA}.monitor_alerts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key TEXT NOT NULL,
        rule TEXT NOT NULL,
        target TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        changes JSON NOT NULL,
        baseline JSON,
        opened_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL,
        last_notified_at TIMESTAMPTZ,
        resolved_at TIMESTAMPTZ
      );
      CREATE UNIQUE INDEX monitor_alerts_open_key ON ${PG_SCHEMA}.monitor_alerts (key) WHERE resolved_at IS NULL;
      CREATE INDEX monitor_alerts_open_target ON ${PG_SCHEMA}.monitor_alerts (target) WHERE resolved_at IS NULL;
    `,
  },
];

/** The migration list must be 1, 2, 3 …: a gap or a repeat is a bug in this file (or a test's list). */
export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i + 1} has version ${m.version}`);
  });
}

export function newerStoreMessage(location: string, found: number, known: number): string {
  return `${location} was written by a newer secgrade (schema version ${found}; this version knows up to ${known}): upgrade secgrade, or use another store`;
}
