// openStore(spec): a file path opens (or creates) an SQLite store, creating its folder;
// postgres:// or postgresql:// connects to PostgreSQL. Each driver is loaded only when used.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Migration } from './migrations.js';
import { parseStoreSpec } from './spec.js';
import { StoreError, type Store } from './types.js';

export { defaultStorePath, parseStoreSpec } from './spec.js';

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for a path under
 * /proc (it retries the ENOENT forever), and a --store there must fail in one line.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); ) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

export interface OpenStoreOptions {
  /** Do not create anything: a missing SQLite file is an error (for commands that only read). */
  mustExist?: boolean;
  /** The schema; tests pass other lists. */
  migrations?: readonly Migration[];
  /** PostgreSQL: the statement timeout (default PG_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
}

export async function openStore(spec: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreSpec(spec);
  if (parsed.kind === 'postgres') {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(parsed.url, {
      ...(opts.migrations ? { migrations: opts.migrations } : {}),
      ...(opts.statementTimeoutMs ? { statementTimeoutMs: opts.statementTimeoutMs } : {}),
    });
  }
  if (opts.mustExist) {
    if (!existsSync(parsed.path)) throw new StoreError(`no store at ${parsed.path} (reports are saved there by a scan with --store ${parsed.path})`, 'usage');
  } else {
    try {
      makeFolders(dirname(parsed.path));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new StoreError(`${parsed.path}: cannot create its folder (${e.code ?? e.message})`, 'usage');
    }
  }
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore(parsed.path, { mustExist: opts.mustExist === true, ...(opts.migrations ? { migrations: opts.migrations } : {}) });
}
