// `secgrade data update`: fetch fresher reference data into the cache folder, verified before it
// replaces anything. The CT log list must carry Google's signature (checked with the key shipped
// in data/); the HSTS preload list is Chromium's JSON, reduced to the TSV the scanner reads. When
// the network is unreachable nothing changes and the caller is told which snapshot stays in use.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseLogList } from '../ct/log-list.js';
import { cappedFetch } from '../net/http/capped-fetch.js';
import { HSTS_SNAPSHOT_DATE, parseHstsTsv } from './hsts-preload.js';
import { cacheDir, shippedDataFile } from './paths.js';
import { CACHE_META, readCacheMeta, resolveDataFile, type CacheMeta } from './sources.js';

export const DEFAULT_SOURCES = {
  ctLogList: 'https://www.gstatic.com/ct/log_list/v3/all_logs_list.json',
  hstsPreload: 'https://chromium.googlesource.com/chromium/src/+/main/net/http/transport_security_state_static.json?format=TEXT',
} as const;

export interface UpdateOptions {
  ctLogListUrl?: string;
  /** The detached signature; default: the list URL with .json replaced by .sig. */
  ctSignatureUrl?: string;
  hstsUrl?: string;
  /** The key the CT list must be signed with (default: Google's, shipped in data/); tests use their own. */
  ctSigningKeyPem?: string;
  dir?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  now?: Date;
}

export interface UpdateOutcome {
  name: 'ct-log-list' | 'hsts-preload';
  /** updated: a new verified copy is in the cache; kept: nothing changed (offline or not newer); rejected: verification failed. */
  result: 'updated' | 'kept' | 'rejected';
  detail: string;
  /** What scans use after this run. */
  inUse: string;
}

const CT_MAX_BYTES = 4 * 1024 * 1024;
const SIG_MAX_BYTES = 8 * 1024;
const HSTS_MAX_BYTES = 48 * 1024 * 1024;

function atomicWrite(dir: string, name: string, data: Buffer): void {
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, join(dir, name));
}

function recordMeta(dir: string, entries: CacheMeta[]): void {
  const meta = readCacheMeta(dir);
  for (const e of entries) meta[e.file] = e;
  atomicWrite(dir, CACHE_META, Buffer.from(JSON.stringify(meta, null, 2) + '\n'));
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the current CT list in use is, as one phrase. */
function ctInUse(dir: string): { phrase: string; timestamp: Date | null } {
  const file = resolveDataFile('ct-log-list.json', dir);
  try {
    const parsed = parseLogList(JSON.parse(readFileSync(file.path, 'utf8')), { source: 'snapshot', path: file.path });
    if (!parsed.ok) return { phrase: `${file.source} (unreadable: ${parsed.error})`, timestamp: null };
    const { version, logListTimestamp } = parsed.list;
    return { phrase: `${file.source === 'cache' ? 'cached' : 'shipped'} CT log list ${version ?? '?'} of ${logListTimestamp.toISOString().slice(0, 10)}`, timestamp: logListTimestamp };
  } catch (err) {
    return { phrase: `${file.source} (unreadable: ${(err as Error).message})`, timestamp: null };
  }
}

/** RSA PKCS#1 v1.5 / SHA-256 with Google's log-list key (the shipped PEM). */
export function verifyLogListSignature(list: Buffer, signature: Buffer, publicKeyPem?: string): boolean {
  try {
    const pem = publicKeyPem ?? readFileSync(shippedDataFile('ct-log-list-pubkey.pem'), 'utf8');
    return verify('sha256', list, createPublicKey(pem), signature);
  } catch {
    return false;
  }
}

async function updateCtLogList(opts: UpdateOptions, dir: string, now: Date): Promise<UpdateOutcome> {
  const url = opts.ctLogListUrl ?? DEFAULT_SOURCES.ctLogList;
  const sigUrl = opts.ctSignatureUrl ?? url.replace(/\.json(\?.*)?$/, '.sig');
  const current = ctInUse(dir);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const [list, sig] = await Promise.all([
    cappedFetch(url, { timeoutMs, maxBytes: CT_MAX_BYTES, ...(opts.signal ? { signal: opts.signal } : {}) }),
    cappedFetch(sigUrl, { timeoutMs, maxBytes: SIG_MAX_BYTES, ...(opts.signal ? { signal: opts.signal } : {}) }),
  ]);
  const kept = (detail: string, result: UpdateOutcome['result'] = 'kept'): UpdateOutcome => ({ name: 'ct-log-list', result, detail, inUse: current.phrase });
  if (!list.ok) return kept(`could not fetch ${url}: ${list.reason}`);
  if (!sig.ok) return kept(`could not fetch ${sigUrl}: ${sig.reason}`);
  if (list.status !== 200 || sig.status !== 200) return kept(`HTTP ${list.status} / ${sig.status} from ${url}`);
  if (!verifyLogListSignature(list.body, sig.body, opts.ctSigningKeyPem)) return kept(`the list from ${url} does not carry a valid Google signature: not used`, 'rejected');
  let parsed: ReturnType<typeof parseLogList>;
  try {
    parsed = parseLogList(JSON.parse(list.body.toString('utf8')), { source: 'file', path: url });
  } catch (err) {
    return kept(`the signed list is not JSON (${(err as Error).message}): not used`, 'rejected');
  }
  if (!parsed.ok) return kept(`the signed list is malformed (${parsed.error}): not used`, 'rejected');
  const { version, logListTimestamp } = parsed.list;
  if (current.timestamp && logListTimestamp <= current.timestamp) return kept(`the published list (${version ?? '?'}) is not newer`);
  mkdirSync(dir, { recursive: true });
  atomicWrite(dir, 'ct-log-list.sig', sig.body);
  atomicWrite(dir, 'ct-log-list.json', list.body);
  recordMeta(dir, [{ file: 'ct-log-list.json', url, fetchedAt: now.toISOString(), version: version ?? null, sha256: sha256(list.body) }]);
  return { name: 'ct-log-list', result: 'updated', detail: `signature verified; version ${version ?? '?'} of ${logListTimestamp.toISOString()}`, inUse: ctInUse(dir).phrase };
}

/** Chromium's JSON (plain, or base64 as gitiles serves ?format=TEXT) → sorted `host<TAB>0|1` lines. */
export function hstsTsvFromChromiumJson(body: Buffer): string {
  let text = body.toString('utf8').trimStart();
  if (!text.startsWith('{') && !text.startsWith('//')) text = Buffer.from(text, 'base64').toString('utf8');
  const json = JSON.parse(
    text
      .split('\n')
      .filter((l) => !/^\s*\/\//.test(l))
      .join('\n'),
  ) as { entries?: Array<{ name?: unknown; mode?: unknown; include_subdomains?: unknown }> };
  if (!Array.isArray(json.entries)) throw new Error('no "entries" array');
  const lines = json.entries
    .filter((e) => e.mode === 'force-https' && typeof e.name === 'string')
    .map((e) => `${(e.name as string).toLowerCase()}\t${e.include_subdomains === true ? 1 : 0}`)
    .sort();
  return lines.join('\n') + '\n';
}

async function updateHstsPreload(opts: UpdateOptions, dir: string, now: Date): Promise<UpdateOutcome> {
  const url = opts.hstsUrl ?? DEFAULT_SOURCES.hstsPreload;
  const current = resolveDataFile('hsts-preload.tsv.gz', dir);
  const inUse = current.source === 'cache' ? `cached HSTS preload list fetched ${current.date}` : `shipped HSTS preload list of ${HSTS_SNAPSHOT_DATE}`;
  const res = await cappedFetch(url, { timeoutMs: opts.timeoutMs ?? 60_000, maxBytes: HSTS_MAX_BYTES, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (!res.ok) return { name: 'hsts-preload', result: 'kept', detail: `could not fetch ${url}: ${res.reason}`, inUse };
  if (res.status !== 200) return { name: 'hsts-preload', result: 'kept', detail: `HTTP ${res.status} from ${url}`, inUse };
  let tsv: string;
  let count: number;
  try {
    tsv = hstsTsvFromChromiumJson(res.body);
    count = parseHstsTsv(tsv).size;
  } catch (err) {
    return { name: 'hsts-preload', result: 'rejected', detail: `the list from ${url} is malformed (${(err as Error).message}): not used`, inUse };
  }
  const gz = gzipSync(Buffer.from(tsv, 'latin1'), { level: 9 });
  mkdirSync(dir, { recursive: true });
  atomicWrite(dir, 'hsts-preload.tsv.gz', gz);
  recordMeta(dir, [{ file: 'hsts-preload.tsv.gz', url, fetchedAt: now.toISOString(), version: null, sha256: sha256(gz) }]);
  return { name: 'hsts-preload', result: 'updated', detail: `${count} preloaded hosts`, inUse: `cached HSTS preload list fetched ${now.toISOString()}` };
}

export async function updateData(opts: UpdateOptions = {}): Promise<UpdateOutcome[]> {
  const dir = opts.dir ?? cacheDir();
  const now = opts.now ?? new Date();
  return Promise.all([updateCtLogList(opts, dir, now), updateHstsPreload(opts, dir, now)]);
}
