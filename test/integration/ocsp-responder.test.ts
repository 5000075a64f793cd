// OCSP end to end: buildOcspRequest → queryOcsp → a real `openssl ocsp` responder (kept on
// loopback, see test/helpers/ocsp-responder.ts) → evaluateOcspResponse; then queryOcsp against
// hostile Node HTTP servers. Loopback only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOcspRequest, evaluateOcspResponse } from '../../src/cert/ocsp.js';
import { queryOcsp } from '../../src/net/ocsp-client.js';
import { makeChain, makeCert, type TestCert } from '../helpers/certs.js';
import { HOST, startOpensslOcspResponder, stopOcspResponders, type Responder } from '../helpers/ocsp-responder.js';

const servers: net.Server[] = [];

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as net.AddressInfo).port;
}

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

describe('queryOcsp + evaluateOcspResponse against openssl ocsp', () => {
  let dir: string;
  let chain: Awaited<ReturnType<typeof makeChain>>;
  let revoked: TestCert;
  let unlisted: TestCert;
  let caSigned: Responder;
  let delegatedSigned: Responder;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secgrade-ocsp-'));
    chain = await makeChain({ leaf: { serialNumber: '5ec60001' } });
    revoked = await makeCert({ subject: 'CN=revoked.secgrade.test', issuer: chain.intermediate, serialNumber: '5ec60002' });
    unlisted = await makeCert({ subject: 'CN=unlisted.secgrade.test', issuer: chain.intermediate, serialNumber: '5ec60003' });
    const responderCert = await makeCert({ subject: 'CN=ocsp.secgrade.test', issuer: chain.intermediate, eku: [OCSP_SIGNING] });
    const files: Record<string, string> = {
      'ca.pem': chain.intermediate.pem,
      'ca.key': chain.intermediate.keyPem,
      'responder.pem': responderCert.pem,
      'responder.key': responderCert.keyPem,
      // status, expiry, revocation[,reason], serial (upper-case hex), file, subject
      'index.txt':
        'V\t351231235959Z\t\t5EC60001\tunknown\t/CN=leaf.secgrade.test\n' +
        'R\t351231235959Z\t240102030405Z,keyCompromise\t5EC60002\tunknown\t/CN=revoked.secgrade.test\n',
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const common = ['-index', 'index.txt', '-CA', 'ca.pem', '-ndays', '1'];
    const caArgs = [...common, '-rsigner', 'ca.pem', '-rkey', 'ca.key'];
    const delegatedArgs = [...common, '-rsigner', 'responder.pem', '-rkey', 'responder.key'];
    caSigned = await startOpensslOcspResponder(dir, 'ca', caArgs);
    delegatedSigned = await startOpensslOcspResponder(dir, 'delegated', delegatedArgs);
  });

  afterAll(async () => {
    await stopOcspResponders();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the responder off every address but loopback', () => {
    for (const r of [caSigned, delegatedSigned]) {
      expect(new URL(r.url).hostname).toBe(HOST);
      if (r.mode === 'netns') expect(r.isolated).toBe(true);
    }
  });

  async function ask(responder: Responder, leaf: TestCert) {
    const res = await queryOcsp(responder.url, buildOcspRequest(leaf.der, chain.intermediate.der), { timeoutMs: 10_000 });
    if (!res.ok) throw new Error(`query failed: ${res.reason}`);
    return evaluateOcspResponse(res.der, { leafDer: leaf.der, issuerDer: chain.intermediate.der, now: new Date() });
  }

  it('says good, signed by the issuer', async () => {
    const ev = await ask(caSigned, chain.leaf);
    expect(ev).toMatchObject({ responseStatus: 'successful', certStatus: 'good', fresh: true, errors: [] });
    expect(ev.signature).toMatchObject({ valid: true, signer: 'issuer' });
    expect(ev.nextUpdate).toBeInstanceOf(Date);
  });

  it('says revoked, with time and reason', async () => {
    const ev = await ask(caSigned, revoked);
    expect(ev).toMatchObject({ certStatus: 'revoked', revocationReason: 'keyCompromise', fresh: true });
    expect(ev.revokedAt?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(ev.signature.valid).toBe(true);
  });

  it('says unknown for a serial missing from the index', async () => {
    const ev = await ask(caSigned, unlisted);
    expect(ev.certStatus).toBe('unknown');
    expect(ev.signature.valid).toBe(true);
  });

  it('accepts a delegated responder certified for OCSP signing', async () => {
    const ev = await ask(delegatedSigned, chain.leaf);
    expect(ev.certStatus).toBe('good');
    expect(ev.signature).toMatchObject({ valid: true, signer: 'delegated' });
  });
});

async function closeServers(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    ),
  );
}

describe('queryOcsp against hostile HTTP servers', () => {
  const DER = Buffer.from('30030a0103', 'hex'); // OCSPResponse { tryLater }
  const request = Buffer.from('3000', 'hex');
  let base: string;
  const seen: Array<{ method?: string; url?: string; host?: string; type?: string; body: Buffer }> = [];
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, host: req.headers.host, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        const ocsp = { 'content-type': 'application/ocsp-response' };
        switch (req.url) {
          case '/ok':
            res.writeHead(200, ocsp).end(DER);
            return;
          case '/drip': {
            res.writeHead(200, { ...ocsp, 'content-length': '1000' });
            const t = setInterval(() => res.write(Buffer.from([0x30])), 100);
            timers.add(t);
            res.on('close', () => clearInterval(t));
            return;
          }
          case '/hang':
            return; // never answers
          case '/500':
            res.writeHead(500, ocsp).end(DER);
            return;
          case '/html':
            res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
            return;
          case '/redirect':
            res.writeHead(302, { location: '/ok' }).end();
            return;
          case '/big-declared':
            res.writeHead(200, { ...ocsp, 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024, 0x30));
            return;
          case '/big-chunked': {
            res.writeHead(200, { ...ocsp, 'transfer-encoding': 'chunked' });
            let sent = 0;
            const push = (): void => {
              while (sent < 2 * 1024 * 1024 && !res.destroyed) {
                sent += 16 * 1024;
                if (!res.write(Buffer.alloc(16 * 1024, 0x30))) {
                  res.once('drain', push);
                  return;
                }
              }
              res.end();
            };
            push();
            return;
          }
          default:
            res.writeHead(404).end();
        }
      });
    });
    base = `http://${HOST}:${await listen(server)}`;
  });

  afterAll(async () => {
    timers.forEach(clearInterval);
    await closeServers();
  });

  it('POSTs application/ocsp-request and returns the DER', async () => {
    const res = await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000 });
    expect(res).toEqual({ ok: true, der: DER, status: 200 });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/ok', type: 'application/ocsp-request' });
    expect(last.body.equals(request)).toBe(true);
  });

  it('connects to connectTo while Host names the URL host', async () => {
    const port = new URL(base).port;
    const res = await queryOcsp(`http://ocsp.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, connectTo: { ip: HOST } });
    expect(res.ok).toBe(true);
    expect(seen.at(-1)!.host).toBe(`ocsp.secgrade.test:${port}`);
  });

  it("resolves the URL's host with the caller's lookup while Host names it", async () => {
    const port = new URL(base).port;
    const asked: string[] = [];
    const lookup = async (name: string) => (asked.push(name), HOST);
    const res = await queryOcsp(`http://ocsp.lookup.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup });
    expect(res).toEqual({ ok: true, der: DER, status: 200 });
    expect(asked).toEqual(['ocsp.lookup.secgrade.test']);
    expect(seen.at(-1)!.host).toBe(`ocsp.lookup.secgrade.test:${port}`);
    // An IP literal goes to lookup too (so an address policy sees it); connectTo wins over lookup.
    expect((await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000, lookup })).ok).toBe(true);
    expect((await queryOcsp(`http://elsewhere.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup, connectTo: { ip: HOST } })).ok).toBe(true);
    expect(asked).toEqual(['ocsp.lookup.secgrade.test', HOST]);
    const unresolved = await queryOcsp(`http://nx.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup: () => Promise.reject(new Error('NXDOMAIN')) });
    expect(unresolved).toEqual({ ok: false, reason: 'host name does not resolve' });
  });

  it('gives up at the deadline when the body drips', async () => {
    const start = Date.now();
    const res = await queryOcsp(`${base}/drip`, request, { timeoutMs: 600 });
    expect(res).toEqual({ ok: false, reason: 'no complete response within 600 ms' });
    expect(Date.now() - start).toBeLessThan(3000);
  });

  it("stops on the caller's abort signal", async () => {
    const res = await queryOcsp(`${base}/hang`, request, { timeoutMs: 10_000, signal: AbortSignal.timeout(200) });
    expect(res).toEqual({ ok: false, reason: 'aborted' });
  });

  it('fails on HTTP 500, a wrong content-type and a redirect (not followed)', async () => {
    expect(await queryOcsp(`${base}/500`, request, { timeoutMs: 5000 })).toEqual({ ok: false, reason: 'responder answered HTTP 500' });
    const html = await queryOcsp(`${base}/html`, request, { timeoutMs: 5000 });
    expect(html.ok === false && html.reason).toMatch(/content-type "text\/html"/);
    const before = seen.length;
    const moved = await queryOcsp(`${base}/redirect`, request, { timeoutMs: 5000 });
    expect(moved.ok === false && moved.reason).toMatch(/HTTP 302 \(redirect to \/ok not followed\)/);
    expect(seen.length).toBe(before + 1);
  });

  it('caps the body: 2 MB declared or streamed', async () => {
    const declared = await queryOcsp(`${base}/big-declared`, request, { timeoutMs: 5000 });
    expect(declared.ok === false && declared.reason).toMatch(/2097152 bytes exceeds the 65536-byte limit/);
    const streamed = await queryOcsp(`${base}/big-chunked`, request, { timeoutMs: 5000 });
    expect(streamed).toEqual({ ok: false, reason: 'response exceeds the 65536-byte limit' });
    const small = await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000, maxBytes: 4 });
    expect(small.ok).toBe(false);
  });

  it('refuses non-http URLs and reports refused connections', async () => {
    expect(await queryOcsp('https://127.0.0.1/', request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'URL scheme https: is not http:' });
    expect(await queryOcsp('not a url', request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'not a valid URL' });
    expect(await queryOcsp(`http://user:pw@${HOST}/`, request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'URL carries credentials' });
    const closed = net.createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, HOST, () => resolve((closed.address() as net.AddressInfo).port)));
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await queryOcsp(`http://${HOST}:${port}/`, request, { timeoutMs: 2000 })).toEqual({ ok: false, reason: 'connection refused' });
  });
});
