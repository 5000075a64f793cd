// The history store in one SQLite file (better-sqlite3, synchronous, behind the async Store API).
// WAL journal: readers (history, diff, a dashboard) never block the writer, and writers from
// several processes (a batch and a monitor on one file) queue on the busy timeout.
// synchronous=NORMAL: in WAL mode a commit is then not fsynced, only each checkpoint is. The file
// is never corrupted by a crash; an application crash loses nothing; only a power loss or OS crash
// can roll back the last commits. Scans are redone by the next run, the batch's NDJSON (fsynced)
// stays the record of a batch, and a save per target without an fsync keeps a large batch fast —
// so NORMAL (FULL would add an fsync to every report saved).
import Database from 'better-sqlite3';
import { TOOL_VERSION } from '../version.js';
import { decodeBody, groupBy, reportRows, type ReportRows } from './codec.js';
import { historyEntry, runInfo, type HistoryRow as RowOf } from './rows.js';
import { checkMigrationList, MIGRATIONS, newerStoreMessage, SQLITE_APPLICATION_ID, type Migration } from './migrations.js';
import { SqliteAlertState } from './sqlite-alerts.js';
import {
  clampLimit,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RUNS_LIMIT,
  StoreError,
  type HistoryEntry,
  type HistoryQuery,
  type RunInfo,
  type SaveMeta,
  type SaveResult,
  type Store,
  type StoreSource,
  type TargetInfo,
} from './types.js';
import type { Report } from '../model/report.js';

type Db = Database.Database;

/** How long a write waits for another process's write to finish before it fails. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStoreOptions {
  /** The schema (tests pass a longer or shorter list). */
  migrations?: readonly Migration[];
  /** Refuse to create the file (history only reads). */
  mustExist?: boolean;
}

function why(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).split('\n')[0] ?? '';
  return e.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

function migrate(db: Db, location: string, list: readonly Migration[]): void {
  checkMigrationList(list);
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  if (appId !== SQLITE_APPLICATION_ID && (appId !== 0 || tables.length > 0)) {
    throw new StoreError(`${location} is not a secgrade history store (an SQLite database of another program)`, 'usage');
  }
  const current = (): number =>
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get()
      ? (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null)
      : null) ?? 0;
  const found = current();
  if (found > list.length) throw new StoreError(newerStoreMessage(location, found, list.length), 'usage');
  // One transaction per migration, taken with the write lock (IMMEDIATE) and the version read again
  // inside it: two processes opening an old file at once apply each migration once.
  const apply = db.transaction((m: Migration): void => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, secgrade_version TEXT NOT NULL)');
    const now = current();
    if (now > list.length) throw new StoreError(newerStoreMessage(location, now, list.length), 'usage');
    if (now >= m.version) return;
    db.exec(m.sqlite);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at, secgrade_version) VALUES (?, ?, ?, ?)').run(m.version, m.name, new Date().toISOString(), TOOL_VERSION);
    db.pragma(`application_id = ${SQLITE_APPLICATION_ID}`);
  });
  for (const m of list.slice(found)) apply.immediate(m);
}

export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: opts.mustExist === true, timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new StoreError(`${path}: ${why(err)}`, 'usage');
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, opts.migrations ?? MIGRATIONS);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    // Not a database, read-only, disk full …: the file cannot be this store.
    throw new StoreError(`${path}: ${why(err)}`, 'usage');
  }
  return new SqliteStore(db, path);
}

interface HistoryRow extends RowOf<number> {
  id: number;
}

interface BodyRow {
  encoding: string;
  body: Buffer;
}

interface TargetRow {
  name: string;
  reports: number;
  first: number;
  last: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const NO_SINCE = -8.64e15; // the earliest Date

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly q;
  private readonly insert;
  private alerts: SqliteAlertState | undefined;

  constructor(
    private readonly db: Db,
    readonly location: string,
  ) {
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    this.q = {
      keyExists: p('SELECT 1 FROM reports WHERE job_key = ?').pluck(),
      upsertRun: p('INSERT INTO runs (id, source, started_at, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET started_at = MIN(started_at, excluded.started_at)'),
      upsertTarget: p<number>('INSERT INTO targets (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id').pluck(),
      insertReport: p(
        `INSERT INTO reports (job_key, run_id, target_id, status, reason, started_at, duration_ms, tool_version, algorithm_version, encoding, body, body_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertGrade: p('INSERT INTO grades (report_id, section, grade) VALUES (?, ?, ?)'),
      insertFinding: p('INSERT INTO findings (report_id, finding_id, subject, severity) VALUES (?, ?, ?, ?)'),
      history: p<HistoryRow>(
        `SELECT p.id, p.job_key, p.run_id, r.source, t.name, p.status, p.reason, p.started_at, p.duration_ms, p.tool_version, p.algorithm_version
         FROM targets t JOIN reports p ON p.target_id = t.id JOIN runs r ON r.id = p.run_id
         WHERE t.name = ? AND p.started_at >= ? ORDER BY p.started_at DESC, p.id DESC LIMIT ?`,
      ),
      grades: p<{ report_id: number; section: string; grade: string | null }>('SELECT report_id, section, grade FROM grades WHERE report_id IN (SELECT value FROM json_each(?))'),
      counts: p<{ report_id: number; severity: string; n: number }>(
        'SELECT report_id, severity, COUNT(*) AS n FROM findings WHERE report_id IN (SELECT value FROM json_each(?)) GROUP BY report_id, severity',
      ),
      runReport: p<BodyRow>(
        'SELECT p.encoding, p.body FROM targets t JOIN reports p ON p.target_id = t.id WHERE t.name = ? AND p.run_id = ? ORDER BY p.started_at DESC, p.id DESC LIMIT 1',
      ),
      lastReports: p<BodyRow>('SELECT p.encoding, p.body FROM targets t JOIN reports p ON p.target_id = t.id WHERE t.name = ? ORDER BY p.started_at DESC, p.id DESC LIMIT ?'),
      runReports: p<BodyRow>('SELECT p.encoding, p.body FROM reports p JOIN targets t ON t.id = p.target_id WHERE p.run_id = ? ORDER BY t.name, p.started_at, p.id'),
      runs: p<{ id: string; source: StoreSource; started_at: number }>('SELECT id, source, started_at FROM runs ORDER BY started_at DESC, id DESC LIMIT ?'),
      runCounts: p<{ run_id: string; status: Report['status']; n: number }>(
        'SELECT run_id, status, COUNT(*) AS n FROM reports WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id, status',
      ),
      runTargets: p<{ run_id: string; n: number }>(
        'SELECT run_id, COUNT(DISTINCT target_id) AS n FROM reports WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id',
      ),
      targets: p<TargetRow>(
        'SELECT t.name, COUNT(*) AS reports, MIN(p.started_at) AS first, MAX(p.started_at) AS last FROM targets t JOIN reports p ON p.target_id = t.id GROUP BY t.id ORDER BY t.name',
      ),
      target: p<TargetRow>(
        'SELECT t.name, COUNT(*) AS reports, MIN(p.started_at) AS first, MAX(p.started_at) AS last FROM targets t JOIN reports p ON p.target_id = t.id WHERE t.name = ? GROUP BY t.id',
      ),
    };
    // The write lock is taken when the transaction starts (IMMEDIATE), so the key check and the
    // insert cannot interleave with another process's save of the same job.
    this.insert = db.transaction((r: ReportRows): boolean => {
      if (this.q.keyExists.get(r.key)) return false;
      this.q.upsertRun.run(r.runId, r.source, r.startedAt, Date.now());
      const targetId = this.q.upsertTarget.get(r.target) as number;
      const id = this.q.insertReport.run(
        r.key, r.runId, targetId, r.status, r.reason, r.startedAt, r.durationMs, r.toolVersion, r.algorithmVersion, r.encoding, r.body, r.bodyBytes,
      ).lastInsertRowid;
      for (const g of r.grades) this.q.insertGrade.run(id, g.section, g.grade);
      for (const f of r.findings) this.q.insertFinding.run(id, f.id, f.subject, f.severity);
      return true;
    });
  }

  /** A failure of the database under a call (busy past the timeout, disk full, I/O), in one line. */
  private fail(err: unknown): never {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${this.location}: ${why(err)}`, 'unavailable');
  }

  private run<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      this.fail(err);
    }
  }

  async saveReport(report: Report, meta: SaveMeta): Promise<SaveResult> {
    const rows = await reportRows(report, meta);
    const saved = this.run(() => this.insert.immediate(rows));
    return { saved, key: rows.key, target: rows.target };
  }

  async history(target: string, query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    return this.run(() => {
      const rows = this.q.history.all(target, query.since?.getTime() ?? NO_SINCE, clampLimit(query.limit, DEFAULT_HISTORY_LIMIT));
      const ids = JSON.stringify(rows.map((r) => r.id));
      const grades = groupBy(this.q.grades.all(ids), (g) => g.report_id);
      const counts = groupBy(this.q.counts.all(ids), (c) => c.report_id);
      return rows.map((r) => historyEntry(r, grades.get(r.id) ?? [], counts.get(r.id) ?? [], iso));
    });
  }

  private decodeAll(rows: BodyRow[]): Promise<Report[]> {
    return Promise.all(rows.map((r) => decodeBody(r.encoding, r.body)));
  }

  async report(runId: string, target: string): Promise<Report | null> {
    const row = this.run(() => this.q.runReport.get(target, runId));
    return row ? decodeBody(row.encoding, row.body) : null;
  }

  async lastReports(target: string, n: number): Promise<Report[]> {
    return this.decodeAll(this.run(() => this.q.lastReports.all(target, clampLimit(n, 1))));
  }

  async runReports(runId: string): Promise<Report[]> {
    return this.decodeAll(this.run(() => this.q.runReports.all(runId)));
  }

  async runs(query: { limit?: number } = {}): Promise<RunInfo[]> {
    return this.run(() => {
      const runs = this.q.runs.all(clampLimit(query.limit, DEFAULT_RUNS_LIMIT));
      const ids = JSON.stringify(runs.map((r) => r.id));
      const counts = groupBy(this.q.runCounts.all(ids), (c) => c.run_id);
      const targets = new Map(this.q.runTargets.all(ids).map((t) => [t.run_id, t.n]));
      return runs.map((r) => runInfo(r, counts.get(r.id) ?? [], targets.get(r.id) ?? 0, iso));
    });
  }

  async targets(): Promise<TargetInfo[]> {
    return this.run(() => this.q.targets.all().map(targetInfo));
  }

  async target(name: string): Promise<TargetInfo | null> {
    const row = this.run(() => this.q.target.get(name));
    return row ? targetInfo(row) : null;
  }

  alertState(): SqliteAlertState {
    // Statements are prepared on first use: commands that never monitor do not pay for them.
    return (this.alerts ??= new SqliteAlertState(this.db, (f) => this.run(f)));
  }

  /** The connection's settings (for tests and diagnostics: they are per connection, not in the file). */
  pragmas(): { journalMode: string; synchronous: number; busyTimeoutMs: number; foreignKeys: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) as number,
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

const targetInfo = (r: TargetRow): TargetInfo => ({ name: r.name, reports: r.reports, firstStartedAt: iso(r.first), lastStartedAt: iso(r.last) });
