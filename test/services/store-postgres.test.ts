// The PostgreSQL history store against a real server (Debian's postgresql, started here on a free
// loopback port): the same contract suite as SQLite, then what only a server has: the pool and
// timeouts, a server that is not there, bad credentials, a password kept out of messages.
// Under CI=true a missing PostgreSQL fails the suite; elsewhere it is skipped with a message.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { PG_POOL_MAX } from '../../src/store/postgres.js';
import { StoreError } from '../../src/store/types.js';
import { postgresBinDir, startPostgresServer, type PostgresServer } from '../helpers/postgres-server.js';
import { storeContract } from '../helpers/store-contract.js';
import { goodReport } from '../unit/fixtures-reports.js';

const bin = postgresBinDir();
if (!bin && process.env['CI'] === 'true') throw new Error('PostgreSQL is not installed: the services suite needs it (apt-get install postgresql)');

let server: PostgresServer;
let n = 0;
/** A new, empty database on the test server. */
async function freshDatabase(): Promise<string> {
  const name = `store_${process.pid}_${++n}`;
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return server.url(name);
}

describe.skipIf(!bin)(`PostgreSQL history store${bin ? '' : ' (skipped: no PostgreSQL binaries in /usr/lib/postgresql/*/bin or PATH — apt-get install postgresql)'}`, () => {
  beforeAll(async () => {
    server = await startPostgresServer(bin!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  storeContract('PostgreSQL', () => ({ fresh: freshDatabase, open: (spec, opts) => openStore(spec, opts) }));

  it('keeps its tables in the schema "secgrade", bounds its pool', async () => {
    const url = await freshDatabase();
    const store = await openStore(url);
    await store.saveReport(goodReport, { runId: 'r', source: 'scan' });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = await c.query<{ table_schema: string; table_name: string }>(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_name",
      );
      expect(tables.rows).toEqual(['findings', 'grades', 'monitor_alerts', 'reports', 'runs', 'schema_migrations', 'targets'].map((t) => ({ table_schema: 'secgrade', table_name: t })));
      const sessions = await c.query<{ n: string }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'secgrade'");
      expect(Number(sessions.rows[0]!.n)).toBeGreaterThan(0);
      expect(Number(sessions.rows[0]!.n)).toBeLessThanOrEqual(PG_POOL_MAX);
    } finally {
      await c.end();
    }
    // Many calls at once share the bounded pool.
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.saveReport(goodReport, { runId: `p${i}`, source: 'batch' })));
    expect(await store.history('good.example', { limit: 100 })).toHaveLength(21);
    await store.close();
  });

  it('gives up on a statement that waits past the statement timeout (a table locked by another session)', async () => {
    const url = await freshDatabase();
    const store = await openStore(url, { statementTimeoutMs: 300 });
    await store.saveReport(goodReport, { runId: 'r', source: 'scan' });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE secgrade.reports IN ACCESS EXCLUSIVE MODE');
      const err = await store.history('good.example').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).kind).toBe('unavailable');
      expect((err as StoreError).message).toMatch(/canceling statement due to statement timeout/);
      await locker.query('ROLLBACK');
      // The pool is still usable afterwards.
      expect(await store.history('good.example')).toHaveLength(1);
    } finally {
      await locker.end();
      await store.close();
    }
  });

  it('says in one line when the server is not there, the database does not exist, or the URL is bad — without the password', async () => {
    const refused = await openStore(`postgres://secgrade:hunter2@127.0.0.1:1/x`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).kind).toBe('unavailable');
    expect((refused as StoreError).message).toMatch(/^postgres:\/\/secgrade:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    expect((refused as StoreError).message).not.toContain('hunter2');

    const noDb = await openStore(server.url('no_such_db')).catch((e: unknown) => e);
    expect(noDb).toBeInstanceOf(StoreError);
    expect((noDb as StoreError).kind).toBe('usage');
    expect((noDb as StoreError).message).toMatch(/database "no_such_db" does not exist/);

    await expect(openStore('postgres://[::1')).rejects.toThrow(/is not a valid URL/);
  });
});
