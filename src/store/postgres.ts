// The history store on PostgreSQL (the `pg` package), for teams whose scans outgrow one file: the
// same tables as SQLite in the schema `secgrade`, the same semantics (store-contract tests run
// against both). Bounded: a pool of at most PG_POOL_MAX connections, a connect deadline, a
// server-side statement timeout and a client-side query deadline on every query.
import pg from 'pg';
import type { Report } from '../model/report.js';
import { TOOL_VERSION } from '../version.js';
import { decodeBody, groupBy, reportRows } from './codec.js';
import { historyEntry, runInfo, type HistoryRow as RowOf } from './rows.js';
import { checkMigrationList, MIGRATIONS, newerStoreMessage, PG_SCHEMA, type Migration } from './migrations.js';
import { PostgresAlertState } from './postgres-alerts.js';
import { displayUrl } from './spec.js';
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

export const PG_POOL_MAX = 4;
export const PG_CONNECT_TIMEOUT_MS = 5_000;
/** The server cancels a statement running (or waiting for a lock) longer than this; the client gives up 5 s later (a server that stopped answering). */
export const PG_STATEMENT_TIMEOUT_MS = 30_000;
/** Key of the advisory lock that serialises migrations between processes. */
const MIGRATION_LOCK = 0x5345_4347; // "SECG"

export interface PostgresStoreOptions {
  migrations?: readonly Migration[];
  /** Default PG_STATEMENT_TIMEOUT_MS. */
  statementTimeoutMs?: number;
}

const S = PG_SCHEMA;

/** Bad credentials or database name: the user named something unusable (exit 2); the rest is the server's state (exit 3). */
const USAGE_CODES = /^(28|3D|42501)/;

function storeError(location: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  const message = (e.message || String(err)).split('\n')[0];
  const code = e.code && !message?.includes(e.code) ? ` (${e.code})` : '';
  return new StoreError(`${location}: ${message}${code}`, e.code && USAGE_CODES.test(e.code) ? 'usage' : 'unavailable');
}

async function migrate(pool: pg.Pool, location: string, list: readonly Migration[]): Promise<void> {
  checkMigrationList(list);
  const version = async (c: pg.PoolClient): Promise<number> => {
    const exists = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${S}.schema_migrations`]);
    if (!exists.rows[0]?.t) return 0;
    const r = await c.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${S}.schema_migrations`);
    return r.rows[0]?.v ?? 0;
  };
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const found = await version(client);
    if (found > list.length) throw new StoreError(newerStoreMessage(location, found, list.length), 'usage');
    for (const m of list.slice(found)) {
      // Under the advisory lock the version is read again: processes opening an old store at
      // once apply each migration once, in order.
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL, secgrade_version TEXT NOT NULL)`,
        );
        const now = await version(client);
        if (now > list.length) throw new StoreError(newerStoreMessage(location, now, list.length), 'usage');
        if (now < m.version) {
          await client.query(m.postgres);
          await client.query(`INSERT INTO ${S}.schema_migrations (version, name, applied_at, secgrade_version) VALUES ($1, $2, now(), $3)`, [m.version, m.name, TOOL_VERSION]);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    client.release(broken instanceof StoreError ? undefined : broken);
  }
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  let location: string;
  try {
    location = displayUrl(new URL(url));
  } catch {
    throw new StoreError(`"${url}" is not a valid URL`, 'usage');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: PG_POOL_MAX,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 10_000,
    statement_timeout: opts.statementTimeoutMs ?? PG_STATEMENT_TIMEOUT_MS,
    query_timeout: (opts.statementTimeoutMs ?? PG_STATEMENT_TIMEOUT_MS) + 5_000,
    application_name: 'secgrade',
    // An idle pool does not keep a finished command alive.
    allowExitOnIdle: true,
  });
  // An idle connection the server dropped: the pool replaces it; the next query reports a lasting failure.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, location, opts.migrations ?? MIGRATIONS);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw storeError(location, err);
  }
  return new PostgresStore(pool, location);
}

interface HistoryRow extends RowOf<Date> {
  id: string;
}

const isoOf = (d: Date): string => d.toISOString();

interface BodyRow {
  encoding: string;
  body: Buffer;
}

interface TargetRow {
  name: string;
  reports: string;
  first: Date;
  last: Date;
}

const TARGET_SELECT = `SELECT t.name, COUNT(*) AS reports, MIN(p.started_at) AS first, MAX(p.started_at) AS last
  FROM ${S}.targets t JOIN ${S}.reports p ON p.target_id = t.id`;

const targetInfo = (r: TargetRow): TargetInfo => ({ name: r.name, reports: Number(r.reports), firstStartedAt: r.first.toISOString(), lastStartedAt: r.last.toISOString() });

class PostgresStore implements Store {
  readonly kind = 'postgres';
  private alerts: PostgresAlertState | undefined;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw storeError(this.location, err);
    }
  }

  async saveReport(report: Report, meta: SaveMeta): Promise<SaveResult> {
    const r = await reportRows(report, meta);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storeError(this.location, err);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const startedAt = new Date(r.startedAt);
      // Rows are locked in one order (run, target, report) by every save: no deadlock between two.
      await client.query(
        `INSERT INTO ${S}.runs (id, source, started_at, created_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (id) DO UPDATE SET started_at = LEAST(${S}.runs.started_at, EXCLUDED.started_at)`,
        [r.runId, r.source, startedAt],
      );
      const target = await client.query<{ id: string }>(
        `INSERT INTO ${S}.targets (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [r.target],
      );
      // A concurrent save of the same key waits here for the first to commit, then inserts nothing.
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${S}.reports (job_key, run_id, target_id, status, reason, started_at, duration_ms, tool_version, algorithm_version, encoding, body, body_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (job_key) DO NOTHING RETURNING id`,
        [r.key, r.runId, target.rows[0]!.id, r.status, r.reason, startedAt, r.durationMs, r.toolVersion, r.algorithmVersion, r.encoding, r.body, r.bodyBytes],
      );
      const id = inserted.rows[0]?.id;
      if (id === undefined) {
        await client.query('ROLLBACK');
        return { saved: false, key: r.key, target: r.target };
      }
      await client.query(`INSERT INTO ${S}.grades (report_id, section, grade) SELECT $1, * FROM unnest($2::text[], $3::text[])`, [
        id,
        r.grades.map((g) => g.section),
        r.grades.map((g) => g.grade),
      ]);
      await client.query(`INSERT INTO ${S}.findings (report_id, finding_id, subject, severity) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`, [
        id,
        r.findings.map((f) => f.id),
        r.findings.map((f) => f.subject),
        r.findings.map((f) => f.severity),
      ]);
      await client.query('COMMIT');
      return { saved: true, key: r.key, target: r.target };
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw storeError(this.location, err);
    } finally {
      // A connection that failed mid-transaction is dropped, not handed to the next caller.
      client.release(broken);
    }
  }

  async history(target: string, query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    const rows = await this.query<HistoryRow>(
      `SELECT p.id, p.job_key, p.run_id, r.source, t.name, p.status, p.reason, p.started_at, p.duration_ms, p.tool_version, p.algorithm_version
       FROM ${S}.targets t JOIN ${S}.reports p ON p.target_id = t.id JOIN ${S}.runs r ON r.id = p.run_id
       WHERE t.name = $1 AND ($2::timestamptz IS NULL OR p.started_at >= $2)
       ORDER BY p.started_at DESC, p.id DESC LIMIT $3`,
      [target, query.since ?? null, clampLimit(query.limit, DEFAULT_HISTORY_LIMIT)],
    );
    const ids = rows.map((r) => r.id);
    const grades = groupBy(await this.query<{ report_id: string; section: string; grade: string | null }>(`SELECT report_id, section, grade FROM ${S}.grades WHERE report_id = ANY($1::bigint[])`, [ids]), (g) => g.report_id);
    const counts = groupBy(
      await this.query<{ report_id: string; severity: string; n: string }>(
        `SELECT report_id, severity, COUNT(*) AS n FROM ${S}.findings WHERE report_id = ANY($1::bigint[]) GROUP BY report_id, severity`,
        [ids],
      ),
      (c) => c.report_id,
    );
    return rows.map((r) => historyEntry(r, grades.get(r.id) ?? [], counts.get(r.id) ?? [], isoOf));
  }

  private decodeAll(rows: BodyRow[]): Promise<Report[]> {
    return Promise.all(rows.map((r) => decodeBody(r.encoding, r.body)));
  }

  async report(runId: string, target: string): Promise<Report | null> {
    const [row] = await this.query<BodyRow>(
      `SELECT p.encoding, p.body FROM ${S}.targets t JOIN ${S}.reports p ON p.target_id = t.id
       WHERE t.name = $1 AND p.run_id = $2 ORDER BY p.started_at DESC, p.id DESC LIMIT 1`,
      [target, runId],
    );
    return row ? decodeBody(row.encoding, row.body) : null;
  }

  async lastReports(target: string, n: number): Promise<Report[]> {
    return this.decodeAll(
      await this.query<BodyRow>(
        `SELECT p.encoding, p.body FROM ${S}.targets t JOIN ${S}.reports p ON p.target_id = t.id WHERE t.name = $1 ORDER BY p.started_at DESC, p.id DESC LIMIT $2`,
        [target, clampLimit(n, 1)],
      ),
    );
  }

  async runReports(runId: string): Promise<Report[]> {
    return this.decodeAll(
      await this.query<BodyRow>(`SELECT p.encoding, p.body FROM ${S}.reports p JOIN ${S}.targets t ON t.id = p.target_id WHERE p.run_id = $1 ORDER BY t.name COLLATE "C", p.started_at, p.id`, [runId]),
    );
  }

  async runs(query: { limit?: number } = {}): Promise<RunInfo[]> {
    const runs = await this.query<{ id: string; source: StoreSource; started_at: Date }>(`SELECT id, source, started_at FROM ${S}.runs ORDER BY started_at DESC, id DESC LIMIT $1`, [
      clampLimit(query.limit, DEFAULT_RUNS_LIMIT),
    ]);
    const ids = runs.map((r) => r.id);
    const counts = groupBy(
      await this.query<{ run_id: string; status: Report['status']; n: string }>(`SELECT run_id, status, COUNT(*) AS n FROM ${S}.reports WHERE run_id = ANY($1::text[]) GROUP BY run_id, status`, [ids]),
      (c) => c.run_id,
    );
    const targets = new Map(
      (await this.query<{ run_id: string; n: string }>(`SELECT run_id, COUNT(DISTINCT target_id) AS n FROM ${S}.reports WHERE run_id = ANY($1::text[]) GROUP BY run_id`, [ids])).map((t) => [
        t.run_id,
        Number(t.n),
      ]),
    );
    return runs.map((r) => runInfo(r, counts.get(r.id) ?? [], targets.get(r.id) ?? 0, isoOf));
  }

  async targets(): Promise<TargetInfo[]> {
    return (await this.query<TargetRow>(`${TARGET_SELECT} GROUP BY t.id, t.name ORDER BY t.name COLLATE "C"`)).map(targetInfo);
  }

  async target(name: string): Promise<TargetInfo | null> {
    const [row] = await this.query<TargetRow>(`${TARGET_SELECT} WHERE t.name = $1 GROUP BY t.id, t.name`, [name]);
    return row ? targetInfo(row) : null;
  }

  alertState(): PostgresAlertState {
    return (this.alerts ??= new PostgresAlertState((sql, params) => this.query(sql, params)));
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
