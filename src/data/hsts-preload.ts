// The Chromium HSTS preload list (data/hsts-preload.tsv.gz, or a fresher copy from `secgrade data
// update`): one `host<TAB>include_subdomains` line per entry. Read by src/data/reference.ts, which
// holds it for the process (and reads it again after a refresh).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { resolveDataFile } from './sources.js';

export interface HstsPreloadList {
  entries: ReadonlyMap<string, boolean>;
  /** The data's own date (snapshot or update time) and where it came from. */
  date: string;
  source: 'snapshot' | 'cache';
}

export const HSTS_SNAPSHOT_DATE = '2026-06-01';
const MAX_TSV_BYTES = 64 * 1024 * 1024;

/** Parse the TSV; throws with a one-line reason on malformed input (used by `data update` to validate). */
export function parseHstsTsv(text: string): Map<string, boolean> {
  const entries = new Map<string, boolean>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([a-z0-9._-]+)\t([01])$/.exec(line);
    if (!m) throw new Error(`HSTS preload list line ${i + 1} is malformed`);
    entries.set(m[1]!, m[2] === '1');
  }
  if (entries.size === 0) throw new Error('HSTS preload list is empty');
  return entries;
}

/** The list a scan uses: the verified cache copy, else the snapshot. Throws when unreadable. */
export function readHstsPreloadList(dir?: string): HstsPreloadList {
  const file = resolveDataFile('hsts-preload.tsv.gz', dir);
  const text = gunzipSync(readFileSync(file.path), { maxOutputLength: MAX_TSV_BYTES }).toString('latin1');
  return { entries: parseHstsTsv(text), date: file.date ?? HSTS_SNAPSHOT_DATE, source: file.source };
}

/** Preloaded when the host is listed, or an ancestor is listed with include_subdomains. */
export function hstsPreloadStatus(host: string, list: HstsPreloadList): { preloaded: boolean; entry: string | null } {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i++) {
    const name = labels.slice(i).join('.');
    const sub = list.entries.get(name);
    if (sub === undefined) continue;
    if (i === 0 || sub) return { preloaded: true, entry: name };
  }
  return { preloaded: false, entry: null };
}
