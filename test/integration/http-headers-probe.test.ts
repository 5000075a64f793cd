// The http-headers probe end to end (collect → check → report) against real loopback servers, the
// hostile ones of the HTTP issue included: each must end as a finding or as "could not test" with a
// reason, within the deadline — never an exception or a hang.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { optionValues } from '../../src/engine/options.js';
import { ProbeFailed } from '../../src/engine/probe.js';
import { emptyHttp } from '../../src/engine/sections.js';
import { gradedHttp } from '../../src/grade/site.js';
import { httpPortOption, httpSiteProbe } from '../../src/probes/http/site.js';
import type { HttpSiteEvidence } from '../../src/http/site-evidence.js';
import type { HttpResult } from '../../src/model/report.js';
import { createTrustStore, type TrustStore } from '../../src/trust/store.js';
import { LocalServers, closedPort } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('http-headers-probe');
const rawSockets = new Set<net.Socket>();
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  timers.splice(0).forEach(clearInterval);
  for (const s of rawSockets) s.destroy();
  rawSockets.clear();
  await local.closeServers();
});
afterAll(() => local.stop());

let creds: { key: Buffer; cert: Buffer };
let trusted: TrustStore;
beforeAll(() => {
  const files = local.selfSigned('site', 'ec', 'localhost');
  creds = { key: readFileSync(files.key), cert: readFileSync(files.cert) };
  trusted = createTrustStore([creds.cert.toString()]);
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const httpsServer = (h: Handler): Promise<number> => local.listen(https.createServer({ ...creds }, h));
const httpServer = (h: Handler): Promise<number> => local.listen(http.createServer(h));
/** A TLS server that writes raw bytes once the request arrives (for what Node's http refuses to send). */
const rawTlsServer = (onRequest: (socket: tls.TLSSocket) => void): Promise<number> =>
  local.listen(
    tls.createServer({ ...creds }, (socket) => {
      rawSockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => onRequest(socket));
    }),
  );

interface Outcome {
  ev: HttpSiteEvidence | null;
  failed: string | null;
  ids: string[];
  report: Partial<HttpResult> | null;
}

/**
 * Run the probe on 127.0.0.1:port. `trusted`: scan the name `localhost` (the certificate's) with the
 * site's certificate as a trust anchor, so Node's verification accepts it; otherwise 127.0.0.1, whose
 * self-signed certificate the Observatory's client rejects.
 */
async function probe(port: number, opts: { httpPort?: number; connectTimeoutMs?: number; trusted?: boolean } = {}): Promise<Outcome> {
  const httpPort = opts.httpPort ?? (await closedPort());
  const { ctx: c } = loopbackContext(port, {
    connectTimeoutMs: opts.connectTimeoutMs ?? 1500,
    options: optionValues([[httpPortOption, httpPort]]),
    ...(opts.trusted ? { trust: trusted, target: { host: 'localhost', port, path: '/', sni: 'localhost' } } : {}),
  });
  try {
    const ev = await httpSiteProbe.collect(c, testDeps());
    const findings = httpSiteProbe.check(ev, { target: c.target, endpoint: c.endpoint, now: new Date() });
    // The report's http object: the probe's fields, graded as src/grade does after assembly.
    const report = gradedHttp({ ...emptyHttp(ev.url), status: 'ok', ...httpSiteProbe.fields(ev) }, ev).http;
    return { ev, failed: null, ids: findings.map((f) => f.id), report };
  } catch (err) {
    if (err instanceof ProbeFailed) return { ev: null, failed: err.message, ids: [], report: null };
    throw err;
  }
}

describe('http-headers probe on well-behaved servers', () => {
  it('reads the page, the http redirect, the CORS preflight and security.txt in one pass', async () => {
    const port = await httpsServer((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': String(req.headers.origin), 'access-control-allow-credentials': 'true' }).end();
        return;
      }
      if (req.url === '/.well-known/security.txt') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Contact: mailto:sec@localhost\nExpires: ${new Date(Date.now() + 90 * 864e5).toISOString()}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html', 'strict-transport-security': 'max-age=31536000', 'set-cookie': 'sid=1; Path=/' }).end('<p>hi</p>');
    });
    const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
    const o = await probe(port, { httpPort, trusted: true });
    expect(o.failed).toBeNull();
    expect(o.ev?.cors).toMatchObject({ status: 204, error: null });
    expect(o.ids).toEqual(expect.arrayContaining(['http.cors.reflected-origin', 'http.cookie.no-secure', 'http.cookie.no-httponly', 'http.csp.missing']));
    expect(o.ids.some((i) => i.startsWith('http.redirect.'))).toBe(false);
    expect(o.report).toMatchObject({
      statusCode: 200,
      httpRedirect: { status: 'redirects-to-https-same-host', port: httpPort },
      securityTxt: { status: 'found', valid: true },
      cors: { allowOrigin: 'https://http-observatory.security.mozilla.org', allowCredentials: true },
    });
    // The Observatory's session-name list does not know "sid" (ours does): an ordinary cookie to it.
    expect(o.report?.observatory?.tests.find((t) => t.test === 'cookies')?.result).toBe('cookies-without-secure-flag-but-protected-by-hsts');
  });
});

describe('http-headers probe on hostile servers', () => {
  it('a redirect loop is a finding', async () => {
    const port = await httpsServer((req, res) => res.writeHead(302, { location: req.url === '/a' ? '/' : '/a' }).end());
    const o = await probe(port);
    expect(o.ids).toContain('http.redirect.loop');
    expect(o.report?.redirects?.length).toBe(2);
  });

  it('a redirect to a non-HTTP scheme is a finding', async () => {
    const port = await httpsServer((_req, res) => res.writeHead(301, { location: 'gopher://localhost/1' }).end());
    const o = await probe(port);
    expect(o.ids).toContain('http.redirect.unsupported-scheme');
  });

  it('a 50 MB body is read only up to the cap, and the headers are still judged', async () => {
    let sent = 0;
    const port = await httpsServer((req, res) => {
      if (req.url !== '/') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (sent < 50 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const o = await probe(port);
    expect(o.failed).toBeNull();
    expect(o.ev?.https.final).toMatchObject({ truncated: true, bytesRead: 2 * 1024 * 1024 });
    expect(o.ids).toContain('http.hsts.missing');
    expect(sent).toBeLessThan(25 * 1024 * 1024);
  });

  it('1 MB of headers: could not test, with the reason', async () => {
    const port = await rawTlsServer((s) => s.end(`HTTP/1.1 200 OK\r\n${`X-Pad: ${'p'.repeat(1000)}\r\n`.repeat(1024)}\r\nok`));
    const o = await probe(port);
    expect(o.failed).toMatch(/response headers exceed 65536 bytes/);
  });

  it('a server that drips one byte per second: could not test at the deadline', async () => {
    const port = await rawTlsServer((s) => {
      const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
      let i = 0;
      timers.push(setInterval(() => (i < text.length && !s.destroyed ? s.write(text[i++]!) : undefined), 1000));
    });
    // The 1200 ms deadline ends it (the reason names it); a probe that waited for the ~45 s drip
    // fails by the test's 20 s timeout. No elapsed time is asserted.
    const o = await probe(port, { connectTimeoutMs: 1200 });
    expect(o.failed).toMatch(/no (complete )?HTTP response within 1200 ms/);
  }, 20_000);

  it("malformed header lines: could not test, with the parser's reason", async () => {
    const port = await rawTlsServer((s) => s.end('HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok'));
    const o = await probe(port);
    expect(o.failed).toMatch(/malformed HTTP response/);
  });

  it('1,000 Set-Cookie headers: analysed up to the cap, the rest counted in a finding', async () => {
    const port = await httpsServer((_req, res) => {
      res.setHeader('set-cookie', Array.from({ length: 1000 }, (_, i) => `c${i}=v; Path=/`));
      res.end('ok');
    });
    const o = await probe(port);
    expect(o.ids).toContain('http.cookie.too-many');
    expect(o.report?.cookies).toHaveLength(200);
  });
});
