/**
 * `secgrade data update` against a local HTTP server standing in for gstatic.com and Chromium's
 * source: Google's real signature over the shipped list verifies, a tampered list is refused, a
 * newer list signed with a test key (passed as the signing key) lands in the cache, the HSTS JSON
 * is reduced to the TSV, and an unreachable network keeps the snapshots and says which.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedDataFile } from '../../src/data/paths.js';
import { readCacheMeta, resolveDataFile } from '../../src/data/sources.js';
import { updateData, verifyLogListSignature } from '../../src/data/update.js';
import { runInProcess } from '../helpers/cli.js';

const files = new Map<string, Buffer>();
let server: http.Server;
let base: string;
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'secgrade-cache-'));
  dirs.push(d);
  return d;
};

const shippedList = readFileSync(shippedDataFile('ct-log-list.json'));
const shippedSig = readFileSync(shippedDataFile('ct-log-list.sig'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.statusCode = body ? 200 : 404;
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  files.set('/all_logs_list.json', shippedList);
  files.set('/all_logs_list.sig', shippedSig);
  const tampered = Buffer.from(shippedList);
  tampered[100] = tampered[100] === 0x20 ? 0x09 : 0x20;
  files.set('/tampered.json', tampered);
  files.set('/tampered.sig', shippedSig);
  files.set(
    '/hsts.json',
    Buffer.from(
      '// Copyright comment lines, as Chromium ships the file\n{\n  "entries": [\n' +
        '    { "name": "preloaded.test", "policy": "custom", "mode": "force-https", "include_subdomains": true },\n' +
        '    { "name": "pinned-only.test", "policy": "custom" },\n' +
        '    { "name": "exact.test", "policy": "custom", "mode": "force-https" }\n  ]\n}\n',
    ),
  );
  files.set('/hsts.b64', Buffer.from(files.get('/hsts.json')!.toString('base64')));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('data update', () => {
  it("the shipped CT list carries Google's valid signature (shipped key)", () => {
    expect(verifyLogListSignature(shippedList, shippedSig)).toBe(true);
    expect(verifyLogListSignature(Buffer.concat([shippedList, Buffer.from(' ')]), shippedSig)).toBe(false);
  });

  it('a genuinely signed list that is not newer than the snapshot is kept out; HSTS is reduced to TSV', async () => {
    const dir = freshDir();
    const [ct, hsts] = await updateData({ ctLogListUrl: `${base}/all_logs_list.json`, hstsUrl: `${base}/hsts.json`, dir, timeoutMs: 5000 });
    expect(ct).toMatchObject({ name: 'ct-log-list', result: 'kept', detail: expect.stringMatching(/not newer/), inUse: 'shipped CT log list 89.25 of 2026-08-20' });
    expect(hsts).toMatchObject({ name: 'hsts-preload', result: 'updated', detail: '2 preloaded hosts' });
    expect(gunzipSync(readFileSync(join(dir, 'hsts-preload.tsv.gz'))).toString()).toBe('exact.test\t0\npreloaded.test\t1\n');
    expect(resolveDataFile('hsts-preload.tsv.gz', dir).source).toBe('cache');
    expect(resolveDataFile('ct-log-list.json', dir).source).toBe('snapshot');
  });

  it('gitiles base64 (?format=TEXT) is decoded too', async () => {
    const dir = freshDir();
    const [, hsts] = await updateData({ ctLogListUrl: `${base}/missing.json`, hstsUrl: `${base}/hsts.b64`, dir, timeoutMs: 5000 });
    expect(hsts?.result).toBe('updated');
  });

  it('a tampered list is rejected and nothing is written', async () => {
    const dir = freshDir();
    const [ct] = await updateData({ ctLogListUrl: `${base}/tampered.json`, hstsUrl: `${base}/nope`, dir, timeoutMs: 5000 });
    expect(ct).toMatchObject({ result: 'rejected', detail: expect.stringMatching(/valid Google signature/) });
    expect(readCacheMeta(dir)).toEqual({});
  });

  it('a newer list signed with the configured key lands in the cache and scans use it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const doc = JSON.parse(shippedList.toString()) as { log_list_timestamp: string; version: string };
    doc.log_list_timestamp = '2026-11-20T00:00:00Z';
    doc.version = '99.1';
    const body = Buffer.from(JSON.stringify(doc));
    files.set('/newer.json', body);
    files.set('/newer.sig', sign('sha256', body, privateKey));
    const dir = freshDir();
    const [ct] = await updateData({
      ctLogListUrl: `${base}/newer.json`,
      hstsUrl: `${base}/nope`,
      ctSigningKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      dir,
      timeoutMs: 5000,
    });
    expect(ct).toMatchObject({ result: 'updated', inUse: 'cached CT log list 99.1 of 2026-11-20' });
    expect(readCacheMeta(dir)['ct-log-list.json']).toMatchObject({ url: `${base}/newer.json`, version: '99.1' });
    expect(resolveDataFile('ct-log-list.json', dir)).toMatchObject({ source: 'cache', path: join(dir, 'ct-log-list.json') });
  });

  it('offline through the CLI: exit 0, the snapshots stay in use and their dates are printed', async () => {
    const dir = freshDir();
    const run = await runInProcess(['data', 'update', '--ct-log-list-url', 'http://127.0.0.1:9/list.json', '--hsts-url', 'http://127.0.0.1:9/hsts.json', '--timeout', '2000'], { SECGRADE_CACHE_DIR: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ct-log-list: kept — could not fetch http:\/\/127\.0\.0\.1:9\/list\.json: .*; in use: shipped CT log list 89\.25 of 2026-08-20$/m);
    expect(run.stdout).toMatch(/^hsts-preload: kept — could not fetch .*; in use: shipped HSTS preload list of 2026-06-01$/m);
  });
});
