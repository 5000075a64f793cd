// What `--store` names: a file path (SQLite) or a postgres:// URL. Parsed without loading either
// driver, so flag parsing can refuse a bad value before anything runs.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { StoreError } from './types.js';

export type StoreSpec = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; display: string };

/** `$XDG_DATA_HOME/secgrade/history.db`, else `~/.local/share/secgrade/history.db` (XDG base directories). */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  // The spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.local', 'share');
  return join(base, 'secgrade', 'history.db');
}

/** The URL with its password hidden, for messages. */
export function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

export function parseStoreSpec(raw: string): StoreSpec {
  const spec = raw.trim();
  if (spec === '') throw new StoreError('the store is empty: give a file path or a postgres:// URL', 'usage');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', path: resolve(spec) };
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new StoreError(`"${spec}": a store is a file path or a postgres:// (postgresql://) URL, not ${scheme}://`, 'usage');
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new StoreError(`"${spec}" is not a valid URL`, 'usage');
  }
  // A URL without host reaches the server over the default socket: named only by ?host=.
  if (!url.hostname && !url.searchParams.get('host')) throw new StoreError(`${displayUrl(url)} names no host`, 'usage');
  if (url.port !== '' && (Number(url.port) < 1 || Number(url.port) > 65535)) throw new StoreError(`${displayUrl(url)}: port out of range`, 'usage');
  return { kind: 'postgres', url: spec, display: displayUrl(url) };
}
