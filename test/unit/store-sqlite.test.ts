// The SQLite history store: the shared contract (test/helpers/store-contract.ts) on a real file,
// then what only a file has: WAL and its settings, the folder made for it, files that are not a
// secgrade store, the default path.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/store/codec.js';
import { MIGRATIONS, SQLITE_APPLICATION_ID } from '../../src/store/migrations.js';
import { defaultStorePath, openStore, parseStoreSpec } from '../../src/store/open.js';
import { StoreError } from '../../src/store/types.js';
import { storeContract } from '../helpers/store-contract.js';
import { goodReport } from './fixtures-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-store-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SQLite', () => ({
  fresh: async () => join(dir, `contract-${++n}`, 'history.db'),
  open: (spec, opts) => openStore(spec, opts),
}));

const failure = (p: Promise<unknown>): Promise<StoreError> =>
  p.then(
    () => {
      throw new Error('expected the store to be refused');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).not.toContain('\n');
      return err as StoreError;
    },
  );

describe('SQLite history store: the file', () => {
  it('creates its folder, runs in WAL mode with synchronous=NORMAL and a busy timeout, and marks the file as secgrade’s', async () => {
    const path = join(dir, 'deep', 'er', 'history.db');
    const store = await openStore(path);
    await store.saveReport(goodReport, { runId: 'r', source: 'scan' });
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('application_id', { simple: true })).toBe(SQLITE_APPLICATION_ID);
      expect(raw.prepare('SELECT version, secgrade_version FROM schema_migrations ORDER BY version').all()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version, secgrade_version: goodReport.tool.version })),
      );
      // The monitor's "open alerts of a target" and "the open alert of a key" use the partial indexes.
      const alertPlan = (sql: string): string => (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((p) => p.detail).join('; ');
      expect(alertPlan("SELECT key FROM monitor_alerts WHERE resolved_at IS NULL AND target = 'x' ORDER BY id")).toMatch(/USING INDEX monitor_alerts_open_target \(target=\?\)/);
      expect(alertPlan("SELECT key FROM monitor_alerts WHERE key = 'k' AND resolved_at IS NULL")).toMatch(/USING INDEX monitor_alerts_open_key \(key=\?\)/);
      // Rows to query without decompressing, and the report compressed well below its JSON size.
      const row = raw.prepare('SELECT encoding, length(body) AS stored, body_bytes FROM reports').get() as { encoding: string; stored: number; body_bytes: number };
      expect(row.encoding).toBe('gzip');
      expect(row.body_bytes).toBe(Buffer.byteLength(JSON.stringify(goodReport)));
      expect(row.stored).toBeLessThan(row.body_bytes / 2);
      expect(raw.prepare('SELECT finding_id, subject, severity FROM findings ORDER BY finding_id').all()).toEqual(
        goodReport.findings.map((f) => ({ finding_id: f.id, subject: f.subject, severity: f.severity })).sort((a, b) => a.finding_id.localeCompare(b.finding_id)),
      );
      // The history query uses the (target, started_at) index, not a scan of every report.
      const plan = raw
        .prepare("EXPLAIN QUERY PLAN SELECT p.id FROM targets t JOIN reports p ON p.target_id = t.id WHERE t.name = 'x' AND p.started_at >= 0 ORDER BY p.started_at DESC, p.id DESC LIMIT 5")
        .all() as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING (COVERING )?INDEX reports_by_target \(target_id=\? AND started_at>\?\)/);
    } finally {
      raw.close();
    }
    // The settings are per connection: read from the store's own (synchronous 1 = NORMAL).
    expect((store as unknown as { pragmas(): unknown }).pragmas()).toEqual({ journalMode: 'wal', synchronous: 1, busyTimeoutMs: 5000, foreignKeys: 1 });
    await store.close();
  });

  it('is usable by two stores on one file at once (two processes’ view)', async () => {
    const path = join(dir, 'shared.db');
    const a = await openStore(path);
    const b = await openStore(path);
    await a.saveReport(goodReport, { runId: 'a', source: 'batch' });
    await b.saveReport(goodReport, { runId: 'b', source: 'monitor' });
    expect((await a.history('good.example')).map((h) => h.runId).sort()).toEqual(['a', 'b']);
    await a.close();
    await b.close();
  });

  it('refuses, in one line, what cannot be a store', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'not a database at all, just some text that is long enough to have a header '.repeat(20));
    expect((await failure(openStore(file))).message).toMatch(/plain\.txt: file is not a database/);

    const other = join(dir, 'other-program.db');
    const db = new Database(other);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    const refused = await failure(openStore(other));
    expect(refused.kind).toBe('usage');
    expect(refused.message).toMatch(/is not a secgrade history store/);

    // A folder cannot be made under a file.
    const under = await failure(openStore(join(file, 'sub', 'history.db')));
    expect(under.kind).toBe('usage');
    expect(under.message).toMatch(/cannot create its folder \(ENOTDIR\)/);

    // Where no folder can be made, even by root (and where Node's own recursive mkdir never returns).
    expect((await failure(openStore('/proc/secgrade-test/history.db'))).message).toMatch(/cannot create its folder \(ENOENT\)/);

    // A path that is a folder.
    expect((await failure(openStore(dir))).kind).toBe('usage');

    // Reading commands do not create a store.
    const missing = join(dir, 'missing', 'history.db');
    expect((await failure(openStore(missing, { mustExist: true }))).message).toMatch(/^no store at .*missing\/history\.db/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a folder it may not write to (as a non-root user)', async () => {
    const locked = join(dir, 'locked');
    const store = await openStore(join(locked, 'x', 'history.db'));
    await store.close();
    chmodSync(locked, 0o500);
    try {
      expect((await failure(openStore(join(locked, 'y', 'history.db')))).message).toMatch(/EACCES/);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it('names the default path after XDG_DATA_HOME, else ~/.local/share', () => {
    expect(defaultStorePath({ XDG_DATA_HOME: '/data/x', HOME: '/home/u' })).toBe('/data/x/secgrade/history.db');
    expect(defaultStorePath({ HOME: '/home/u' })).toBe('/home/u/.local/share/secgrade/history.db');
    // A relative XDG_DATA_HOME is invalid (XDG base directory spec) and ignored.
    expect(defaultStorePath({ XDG_DATA_HOME: 'rel/dir', HOME: '/home/u' })).toBe('/home/u/.local/share/secgrade/history.db');
  });

  it('reads a spec as a file path or a PostgreSQL URL, refusing other schemes and bad URLs', () => {
    expect(parseStoreSpec('history.db')).toEqual({ kind: 'sqlite', path: join(process.cwd(), 'history.db') });
    expect(parseStoreSpec('postgres://u:secret@db.example:5433/hist')).toEqual({ kind: 'postgres', url: 'postgres://u:secret@db.example:5433/hist', display: 'postgres://u:***@db.example:5433/hist' });
    expect(parseStoreSpec('postgresql://db.example/hist').kind).toBe('postgres');
    expect(() => parseStoreSpec('mysql://db.example/x')).toThrow(/a file path or a postgres:\/\/ \(postgresql:\/\/\) URL, not mysql:\/\//);
    expect(() => parseStoreSpec('postgres://')).toThrow(StoreError);
    expect(() => parseStoreSpec('postgres://db.example:99999/x')).toThrow(StoreError);
    expect(() => parseStoreSpec('  ')).toThrow(/empty/);
  });
});

describe('stored report bodies', () => {
  it('reads gzip and brotli rows, and refuses an unknown encoding, a damaged body or a bomb in one line', async () => {
    const json = Buffer.from(JSON.stringify(goodReport));
    expect(await decodeBody('gzip', gzipSync(json))).toEqual(goodReport);
    expect(await decodeBody('br', brotliCompressSync(json))).toEqual(goodReport);
    await expect(decodeBody('zstd', json)).rejects.toThrow(/unknown encoding "zstd"/);
    await expect(decodeBody('gzip', json)).rejects.toThrow(/a stored report cannot be read/);
    // 80 MB of zeros in about 80 KB: stopped at the limit, not inflated.
    await expect(decodeBody('gzip', gzipSync(Buffer.alloc(80 * 1024 * 1024)))).rejects.toThrow(/over 64 MB/);
  });
});
