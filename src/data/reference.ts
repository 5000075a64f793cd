// The dated reference lists a scan judges with, as one object made once per process and passed to
// probes in their context (as the trust store is): Mozilla's root store, the CT log list, Chromium's
// HSTS preload list and the Public Suffix List. Each list is read on first use and kept; refresh()
// forgets them so a long-running process (monitor, worker) picks up what `secgrade data update`
// wrote, without a restart. Nothing here is cached at module level.
import { createRequire } from 'node:module';
import { getDomain } from 'tldts';
import { loadLogList, CtLogListError, type CtLogList } from '../ct/log-list.js';
import type { DataSource } from '../model/report.js';
import { readMozillaRoots, type MozillaSnapshot } from '../trust/mozilla.js';
import { readHstsPreloadList, type HstsPreloadList } from './hsts-preload.js';
import { cacheDir } from './paths.js';

/** The CT log list, or why there is none (CT is then "could not test", never a pass). */
export type CtLogListChoice = { ok: true; list: CtLogList } | { ok: false; reason: string };

export interface PublicSuffixList {
  source: DataSource;
  /** One label below the public suffix (private section included); null when there is none. */
  registrableDomain(host: string): string | null;
}

export interface ReferenceData {
  /** Mozilla's root store (data/mozilla-roots.json). Throws when the file is missing or malformed. */
  mozillaRoots(): MozillaSnapshot;
  /** `--ct-log-list`'s file, else the verified cache copy, else the shipped snapshot. */
  ctLogList(): Promise<CtLogListChoice>;
  /** Chromium's HSTS preload list: the verified cache copy, else the snapshot. */
  hstsPreload(): HstsPreloadList;
  /** The PSL as tldts bundles it: fixed per install, so it has no file to refresh. */
  readonly psl: PublicSuffixList;
  /** Forget what was read: the next use reads the files again. */
  refresh(): void;
}

export interface ReferenceDataOptions {
  /** --ct-log-list: a CT log list file to use instead of the cache copy or snapshot. */
  ctLogListPath?: string | null;
  /** Where `secgrade data update` keeps fresher copies (default: cacheDir()). */
  cacheDir?: string;
}

const TLDTS_VERSION: string = (createRequire(import.meta.url)('tldts/package.json') as { version: string }).version;

const PSL: PublicSuffixList = {
  source: { name: 'public-suffix-list', version: `tldts ${TLDTS_VERSION}`, date: '', source: 'bundled' },
  registrableDomain: (host) => getDomain(host, { allowPrivateDomains: true }),
};

export function createReferenceData(opts: ReferenceDataOptions = {}): ReferenceData {
  const dir = opts.cacheDir ?? cacheDir();
  let roots: MozillaSnapshot | null = null;
  let hsts: HstsPreloadList | null = null;
  let ct: Promise<CtLogListChoice> | null = null;
  return {
    mozillaRoots: () => (roots ??= readMozillaRoots()),
    hstsPreload: () => (hsts ??= readHstsPreloadList(dir)),
    ctLogList: () =>
      (ct ??= loadLogList(opts.ctLogListPath ? { path: opts.ctLogListPath } : { dir }).then(
        (list): CtLogListChoice => ({ ok: true, list }),
        (err: unknown): CtLogListChoice => {
          if (err instanceof CtLogListError) return { ok: false, reason: err.message };
          throw err;
        },
      )),
    psl: PSL,
    refresh() {
      roots = null;
      hsts = null;
      ct = null;
    },
  };
}
