// Which copy of a reference-data file a scan uses: the verified copy `secgrade data update` left
// in the cache folder, else the snapshot shipped in data/. The cache copy's metadata says when it
// was fetched and from where.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, shippedDataFile } from './paths.js';

export interface DataFileChoice {
  path: string;
  source: 'snapshot' | 'cache';
  /** For cache copies: when they were fetched (ISO); null for snapshots (their loaders know the date). */
  date: string | null;
}

export interface CacheMeta {
  file: string;
  url: string;
  fetchedAt: string;
  /** The data's own version/date, when it has one. */
  version: string | null;
  sha256: string;
}

export const CACHE_META = 'data-sources.json';

export function readCacheMeta(dir: string = cacheDir()): Record<string, CacheMeta> {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, CACHE_META), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, CacheMeta>) : {};
  } catch {
    return {};
  }
}

export function resolveDataFile(name: string, dir: string = cacheDir()): DataFileChoice {
  const meta = readCacheMeta(dir)[name];
  const cached = join(dir, name);
  if (meta && existsSync(cached)) return { path: cached, source: 'cache', date: meta.fetchedAt };
  return { path: shippedDataFile(name), source: 'snapshot', date: null };
}
