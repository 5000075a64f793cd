// Where the shipped snapshots live (data/ at the package root) and where `secgrade data update`
// writes fresher copies (a per-user cache folder). Works from src/ (tests) and dist/src/ (built).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedDataDir: string | null = null;

/** The package's data/ folder: two levels up from src/data, three from dist/src/data. */
export function shippedDataDir(): string {
  if (cachedDataDir) return cachedDataDir;
  for (const rel of ['../../data', '../../../data']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'PROVENANCE.md'))) return (cachedDataDir = dir);
  }
  throw new Error('secgrade data folder not found (is the package installed completely?)');
}

export function shippedDataFile(name: string): string {
  return join(shippedDataDir(), name);
}

/** Cache for refreshed lists: $SECGRADE_CACHE_DIR, else $XDG_CACHE_HOME/secgrade, else ~/.cache/secgrade. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SECGRADE_CACHE_DIR) return env.SECGRADE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'secgrade');
  return join(homedir(), '.cache', 'secgrade');
}
