/**
 * vuln-breach against Node https servers on 127.0.0.1: one that gzips when asked, one that never
 * compresses, a TLS server that speaks no HTTP; then through the engine after tls-handshake.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsHandshakeProbe } from '../../src/probes/tls/handshake.js';
import { breachProbe, compressedEncoding } from '../../src/probes/vuln/breach.js';
import { checkBreach, OFFERED_ENCODINGS } from '../../src/tls/vulns/breach.js';
import { ProbeSkipped, type EndpointContext } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const local = new LocalServers('breach');
let ec: { key: string; cert: string };
/** Accept-Encoding of every request the servers saw, in order. */
let asked: Array<string | undefined> = [];

beforeAll(() => {
  ec = local.selfSigned('ec', 'ec', 'breach.secgrade.test');
});
afterAll(() => local.stop());
afterEach(async () => {
  asked = [];
  await local.closeServers();
});

const PAGE = '<html><body>' + 'secgrade '.repeat(200) + '</body></html>';

/** An https server; `compress` gzips the page for clients that accept gzip. */
async function httpsServer(compress: boolean): Promise<number> {
  const server = https.createServer({ key: readFileSync(ec.key), cert: readFileSync(ec.cert) }, (req, res) => {
    const ae = req.headers['accept-encoding'];
    asked.push(ae);
    if (compress && typeof ae === 'string' && /\bgzip\b/.test(ae)) {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
      res.end(gzipSync(PAGE));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    }
  });
  server.on('tlsClientError', () => undefined);
  return local.listen(server);
}

function context(port: number, path = '/'): EndpointContext {
  return loopbackContext(port, { target: { host: '127.0.0.1', port, path, sni: null }, connectTimeoutMs: 3000 }).ctx;
}

/** What tls-handshake would have left: the probe only needs to know a handshake worked. */
const handshakeOk = testDeps([[tlsHandshakeProbe, { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', alpn: null }]]);

describe('vuln-breach against Node https servers', () => {
  it('a server that gzips: vulnerable, an info finding that says what cannot be seen from outside', async () => {
    const port = await httpsServer(true);
    const ev = await breachProbe.collect(context(port, '/login?next=%2F'), handshakeOk);
    expect(asked).toEqual([OFFERED_ENCODINGS]);
    expect(ev).toEqual({ verdict: 'vulnerable', url: `https://127.0.0.1:${port}/login?next=%2F`, statusCode: 200, contentEncoding: 'gzip' });
    const [f] = checkBreach(ev);
    expect(f).toMatchObject({ id: 'tls.vuln.breach', severity: 'info', evidence: { contentEncoding: 'gzip', acceptEncoding: OFFERED_ENCODINGS } });
    expect(f!.detail).toMatch(/cannot be judged from outside/);
    expect(f!.references.join(' ')).toContain('CVE-2013-3587');
    expect(breachProbe.fields(ev)).toEqual({ vulnerabilities: { breach: 'vulnerable' } });
  });

  it('a server that never compresses: not-vulnerable, no finding', async () => {
    const port = await httpsServer(false);
    const ev = await breachProbe.collect(context(port), handshakeOk);
    expect(asked).toEqual([OFFERED_ENCODINGS]);
    expect(ev).toMatchObject({ verdict: 'not-vulnerable', statusCode: 200, contentEncoding: null });
    expect(checkBreach(ev)).toEqual([]);
  });

  it('TLS without an HTTP answer: unknown, with the reason', async () => {
    const server = tls.createServer({ key: readFileSync(ec.key), cert: readFileSync(ec.cert) }, (s) => s.end());
    server.on('tlsClientError', () => undefined);
    const port = await local.listen(server);
    const ev = await breachProbe.collect(context(port), handshakeOk);
    expect(ev).toMatchObject({ verdict: 'unknown', statusCode: null, contentEncoding: null, reason: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(breachProbe.fields(ev)).toEqual({ vulnerabilities: { breach: 'unknown' } });
  });

  it('is skipped when no TLS handshake completed on the endpoint', async () => {
    await expect(breachProbe.collect(context(1), testDeps())).rejects.toBeInstanceOf(ProbeSkipped);
  });

  it('Content-Encoding: identity or none is not compression; several codings are all named', () => {
    expect(compressedEncoding([['content-encoding', 'identity']])).toBeNull();
    expect(compressedEncoding([['content-type', 'text/html']])).toBeNull();
    expect(compressedEncoding([['content-encoding', 'BR'], ['content-encoding', 'gzip, identity']])).toBe('br, gzip');
  });
});

describe('vuln-breach through the engine', () => {
  it('after tls-handshake: report.tls.vulnerabilities.breach and the finding on the endpoint', async () => {
    const port = await httpsServer(true);
    const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
      resolver: {} as Resolver,
      ips: ['127.0.0.1'],
      trust: createTrustStore(),
      reference: testReference(),
      timeoutMs: 30_000,
      probes: [tlsHandshakeProbe, breachProbe],
    });
    expectValidReport(report);
    const t = report.endpoints[0]!.tls;
    expect(t.vulnerabilities).toEqual({ breach: 'vulnerable' });
    expect(t.probes['vuln-breach']).toMatchObject({ status: 'ok', connections: 1 });
    expect(report.findings.find((f) => f.id === 'tls.vuln.breach')).toMatchObject({ severity: 'info', endpoint: `127.0.0.1:${port}` });
  });
});
