// AIA caIssuers fetching against a local HTTP server: the download completes a chain the server
// left incomplete; a stalled server hits the deadline and an oversized answer hits the byte cap.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, makeChain, type TestCert } from '../helpers/certs.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { fetchCaIssuers } from '../../src/trust/aia.js';
import { buildPath } from '../../src/trust/path.js';
import { createTrustStore, issuedByAnchorName } from '../../src/trust/store.js';

let server: Server;
let base: string;
const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();
let chain: Awaited<ReturnType<typeof makeChain>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (route) route(res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  chain = await makeChain();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

async function leafPointingTo(path: string, issuer: TestCert = chain.intermediate, name = 'aia.secgrade.test'): Promise<TestCert> {
  const x509 = await loadX509();
  const aia = new x509.AuthorityInfoAccessExtension({ caIssuers: `${base}${path}` });
  return makeCert({ subject: `CN=${name}`, dnsNames: [name], issuer, extensions: [aia] });
}

describe('fetchCaIssuers', () => {
  it('downloads the missing intermediate, and the path builds with it', async () => {
    routes.set('/int.der', (res) => res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(chain.intermediate.der));
    const leaf = await leafPointingTo('/int.der');
    const store = createTrustStore([chain.root.pem]);

    const before = buildPath([leaf.der], store, { now: new Date() });
    expect(before.errors.map((e) => e.code)).toEqual(['missing-intermediate']);
    expect(before.errors[0]!.detail).toContain(`${base}/int.der`);

    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 5000 });
    expect(got.errors).toEqual([]);
    expect(got.certs).toEqual([chain.intermediate.der]);
    const after = buildPath([leaf.der], store, { now: new Date(), extraIntermediates: got.certs });
    expect(after).toMatchObject({ trusted: true, chainComplete: false, fetchedUsed: 1 });
  });

  it('follows the fetched intermediate to the next one, within maxFetches', async () => {
    const x509 = await loadX509();
    const upperAia = new x509.AuthorityInfoAccessExtension({ caIssuers: `${base}/upper.pem` });
    const lower = await makeCert({ subject: 'CN=lower int', ca: true, issuer: chain.intermediate, extensions: [upperAia] });
    routes.set('/lower.der', (res) => res.end(lower.der));
    routes.set('/upper.pem', (res) => res.end(chain.intermediate.pem));
    const leaf = await leafPointingTo('/lower.der', lower, 'deep.secgrade.test');

    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 5000 });
    expect(got).toEqual({ certs: [lower.der, chain.intermediate.der], errors: [] });
    const r = buildPath([leaf.der], createTrustStore([chain.root.pem]), { now: new Date(), extraIntermediates: got.certs });
    expect(r).toMatchObject({ trusted: true, fetchedUsed: 2 });

    const one = await fetchCaIssuers(leaf.der, { timeoutMs: 5000, maxFetches: 1 });
    expect(one.certs).toEqual([lower.der]);
    const store = createTrustStore([chain.intermediate.pem]);
    const anchored = await fetchCaIssuers(leaf.der, {
      timeoutMs: 5000,
      follow: (der) => !issuedByAnchorName(store, der),
    });
    expect(anchored).toEqual({ certs: [lower.der], errors: [] });
  });

  it('gives up at the deadline on a server that never answers', async () => {
    routes.set('/slow', () => undefined); // keep the request hanging
    const leaf = await leafPointingTo('/slow');
    // The 300 ms deadline ends it (the error names it); a fetch that hung would fail by the test's
    // timeout. No elapsed time is asserted.
    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 300 });
    expect(got.certs).toEqual([]);
    expect(got.errors).toEqual([`${base}/slow: no complete response within 300 ms`]);
  });

  it('gives up at the deadline on a body that stalls', async () => {
    routes.set('/trickle', (res) => {
      res.writeHead(200);
      res.write(chain.intermediate.der.subarray(0, 10)); // then nothing more
    });
    const leaf = await leafPointingTo('/trickle');
    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 300 });
    expect(got.errors).toEqual([`${base}/trickle: no complete response within 300 ms`]);
  });

  it('stops reading at the byte cap', async () => {
    routes.set('/huge', (res) => res.writeHead(200).end(Buffer.alloc(1024 * 1024, 0x41)));
    const leaf = await leafPointingTo('/huge');
    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 5000 });
    expect(got.certs).toEqual([]);
    expect(got.errors).toEqual([`${base}/huge: response exceeds the 65536-byte limit`]);
    const small = await fetchCaIssuers(leaf.der, { timeoutMs: 5000, maxBytes: 1000 });
    expect(small.errors).toEqual([`${base}/huge: response exceeds the 1000-byte limit`]);
    routes.set('/huge-declared', (res) => res.writeHead(200, { 'content-length': String(1024 * 1024) }).end(Buffer.alloc(1024 * 1024, 0x41)));
    const declared = await fetchCaIssuers((await leafPointingTo('/huge-declared')).der, { timeoutMs: 5000 });
    expect(declared.errors).toEqual([`${base}/huge-declared: response of 1048576 bytes exceeds the 65536-byte limit`]);
  });

  it('reports HTTP errors, junk and a refused connection without throwing', async () => {
    routes.set('/junk', (res) => res.end('<html>hello</html>'));
    const missing = await fetchCaIssuers((await leafPointingTo('/nothing-here')).der, { timeoutMs: 5000 });
    expect(missing).toEqual({ certs: [], errors: [`${base}/nothing-here: HTTP status 404`] });
    const junk = await fetchCaIssuers((await leafPointingTo('/junk')).der, { timeoutMs: 5000 });
    expect(junk.errors).toEqual([`${base}/junk: no certificate in the response (DER, PEM or PKCS#7 expected)`]);

    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const x509 = await loadX509();
    const leaf = await makeCert({
      subject: 'CN=refused.test',
      issuer: chain.intermediate,
      extensions: [new x509.AuthorityInfoAccessExtension({ caIssuers: `http://127.0.0.1:${port}/int.der` })],
    });
    const refused = await fetchCaIssuers(leaf.der, { timeoutMs: 5000 });
    expect(refused.errors).toEqual([`http://127.0.0.1:${port}/int.der: connection refused`]);
  });

  it("resolves the URL's host name with the caller's lookup, and Host still names it", async () => {
    let host: string | undefined;
    routes.set('/named.der', (res) => res.writeHead(200).end(chain.intermediate.der));
    server.once('request', (req: import('node:http').IncomingMessage) => (host = req.headers.host));
    const port = new URL(base).port;
    const x509 = await loadX509();
    const leaf = await makeCert({
      subject: 'CN=named.test',
      issuer: chain.intermediate,
      extensions: [new x509.AuthorityInfoAccessExtension({ caIssuers: `http://ca.aia.secgrade.test:${port}/named.der` })],
    });
    const asked: string[] = [];
    const lookup = async (name: string) => (asked.push(name), '127.0.0.1');
    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 5000, lookup });
    expect(got).toEqual({ certs: [chain.intermediate.der], errors: [] });
    expect(asked).toEqual(['ca.aia.secgrade.test']);
    expect(host).toBe(`ca.aia.secgrade.test:${port}`);

    const failing = await fetchCaIssuers(leaf.der, { timeoutMs: 5000, lookup: () => Promise.reject(new Error('NXDOMAIN')) });
    expect(failing.errors).toEqual([`http://ca.aia.secgrade.test:${port}/named.der: host name does not resolve`]);
  });

  it('stops when the caller aborts', async () => {
    routes.set('/slow2', () => undefined);
    const leaf = await leafPointingTo('/slow2');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const got = await fetchCaIssuers(leaf.der, { timeoutMs: 10_000, signal: controller.signal });
    expect(got.errors).toEqual([`${base}/slow2: aborted`]);
  });
});
