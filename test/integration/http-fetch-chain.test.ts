// fetchChain and checkHttpToHttps against real Node http/https servers on 127.0.0.1, well-behaved
// and hostile: every case must end as a typed stop within its deadline, never an exception.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyseCookies } from '../../src/http/cookies.js';
import { fetchSecurityTxt } from '../../src/http/security-txt.js';
import { chainSetCookies, checkHttpToHttps, fetchChain, type FetchChainOptions } from '../../src/http/fetch-chain.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('fetch-chain');
const rawSockets = new Set<net.Socket>();
afterEach(async () => {
  // Raw servers keep sockets the client may leave half-open; net.Server.close would wait for them.
  for (const s of rawSockets) s.destroy();
  rawSockets.clear();
  await local.closeServers();
});
afterAll(() => local.stop());

let tls: { key: Buffer; cert: Buffer };
let extraCa: string[];
beforeAll(() => {
  const files = local.selfSigned('site', 'ec', 'a.secgrade.test');
  tls = { key: readFileSync(files.key), cert: readFileSync(files.cert) };
  extraCa = [tls.cert.toString()];
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const httpServer = (h: Handler): Promise<number> => local.listen(http.createServer(h));
const httpsServer = (h: Handler): Promise<number> => local.listen(https.createServer({ ...tls }, h));

/** A raw TCP server that writes what it is told once the request arrives (for what Node's http refuses to send). */
function rawServer(onRequest: (socket: net.Socket) => void): Promise<number> {
  return local.listen(
    net.createServer((socket) => {
      rawSockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => onRequest(socket));
    }),
  );
}

const redirect = (res: http.ServerResponse, status: number, location: string): void => {
  res.writeHead(status, { location }).end();
};

const hostsResolved: string[] = [];
const base = (url: string, extra: Partial<FetchChainOptions> = {}): FetchChainOptions => ({
  url: new URL(url),
  ip: '127.0.0.1',
  servername: new URL(url).hostname,
  extraCa,
  timeoutMs: 1500,
  signal: AbortSignal.timeout(10_000),
  resolve: async (host) => {
    hostsResolved.push(host);
    return host.endsWith('.secgrade.test') && !host.startsWith('nowhere') ? '127.0.0.1' : null;
  },
  ...extra,
});

/**
 * Deadlines for a fetch that the server's own action (an answer, a cap, a close, a refusal) must
 * decide: 60 s, three times the test's timeout, so a fetch that waited a deadline out fails the test
 * by its timeout rather than by an assertion on a measured time (the project never asserts one).
 */
const long = (): Partial<FetchChainOptions> => ({ timeoutMs: 60_000, signal: AbortSignal.timeout(60_000) });
const DECIDED = 20_000; // the test timeout of those tests

describe('fetchChain: redirects', () => {
  it('follows a 3-hop chain with an https→http downgrade, a host change and a relative Location', async () => {
    const seen: Array<{ host?: string; path?: string; sni?: string | false | null }> = [];
    let httpPort = 0;
    const record = (req: http.IncomingMessage): void =>
      void seen.push({ host: req.headers.host, path: req.url, sni: (req.socket as TLSSocket).servername });
    const httpsPort = await httpsServer((req, res) => {
      record(req);
      res.setHeader('set-cookie', ['sid=1; Secure; HttpOnly; SameSite=Lax']);
      redirect(res, 302, `http://a.secgrade.test:${httpPort}/step2`);
    });
    httpPort = await httpServer((req, res) => {
      record(req);
      if (req.url === '/step2') redirect(res, 301, `http://b.secgrade.test:${httpPort}/step3`);
      else if (req.url === '/step3') redirect(res, 307, '../final?x=1#frag');
      else res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'theme=dark' }).end('final body');
    });
    hostsResolved.length = 0;
    const r = await fetchChain(base(`https://a.secgrade.test:${httpsPort}/start`, long()));
    expect(r.stop).toEqual({ kind: 'done' });
    expect(r.hops.map((h) => [h.status, h.schemeChange, h.hostChange])).toEqual([
      [302, 'https-to-http', false],
      [301, null, true],
      [307, null, false],
      [200, null, false],
    ]);
    expect(r.hops[2]).toMatchObject({ location: '../final?x=1#frag', next: `http://b.secgrade.test:${httpPort}/final?x=1#frag` });
    expect(r.downgraded).toBe(true);
    expect(r.final).toMatchObject({ status: 200, contentType: 'text/plain', bytesRead: 10, truncated: false });
    expect(r.final?.body.toString()).toBe('final body');
    expect(hostsResolved).toEqual(['b.secgrade.test']);
    // SNI and Host name each hop's host while the connection is pinned.
    expect(seen).toEqual([
      { host: `a.secgrade.test:${httpsPort}`, path: '/start', sni: 'a.secgrade.test' },
      { host: `a.secgrade.test:${httpPort}`, path: '/step2', sni: undefined },
      { host: `b.secgrade.test:${httpPort}`, path: '/step3', sni: undefined },
      { host: `b.secgrade.test:${httpPort}`, path: '/final?x=1', sni: undefined },
    ]);
    expect(chainSetCookies(r)).toEqual([
      { url: `https://a.secgrade.test:${httpsPort}/start`, value: 'sid=1; Secure; HttpOnly; SameSite=Lax' },
      { url: `http://b.secgrade.test:${httpPort}/final?x=1#frag`, value: 'theme=dark' },
    ]);
    expect(r.hops.every((h) => h.durationMs >= 0 && h.ip === '127.0.0.1')).toBe(true);
  }, DECIDED);

  it('stops on a loop, on too many redirects and on a host it cannot resolve', async () => {
    const port = await httpServer((req, res) => {
      if (req.url === '/a') redirect(res, 301, '/b');
      else if (req.url === '/b') redirect(res, 308, '/a#again');
      else if (req.url?.startsWith('/n/')) redirect(res, 302, `/n/${Number(req.url.slice(3)) + 1}`);
      else redirect(res, 302, 'http://nowhere.secgrade.test/');
    });
    const loop = await fetchChain(base(`http://a.secgrade.test:${port}/a`));
    expect(loop.stop).toEqual({ kind: 'loop', url: `http://a.secgrade.test:${port}/a#again` });
    expect(loop.hops.map((h) => h.url)).toEqual([`http://a.secgrade.test:${port}/a`, `http://a.secgrade.test:${port}/b`]);

    const many = await fetchChain(base(`http://a.secgrade.test:${port}/n/0`, { maxRedirects: 3 }));
    expect(many.stop).toEqual({ kind: 'too-many-redirects', limit: 3 });
    expect(many.hops).toHaveLength(4);

    const unresolved = await fetchChain(base(`http://a.secgrade.test:${port}/away`));
    expect(unresolved.stop).toEqual({ kind: 'unresolvable-host', host: 'nowhere.secgrade.test' });
    expect(unresolved.final?.status).toBe(302);

    const noResolver = await fetchChain(base(`http://a.secgrade.test:${port}/away`, { resolve: undefined }));
    expect(noResolver.stop.kind).toBe('unresolvable-host');
  });

  it('records a Location to ftp:// or javascript: and stops cleanly', async () => {
    const port = await httpServer((req, res) => {
      if (req.url === '/ftp') redirect(res, 301, 'ftp://files.secgrade.test/pub');
      else if (req.url === '/js') redirect(res, 302, 'javascript:alert(document.domain)');
      else redirect(res, 302, 'http://[not-an-ip/');
    });
    const ftp = await fetchChain(base(`http://a.secgrade.test:${port}/ftp`));
    expect(ftp.stop).toEqual({ kind: 'unsupported-scheme', location: 'ftp://files.secgrade.test/pub', scheme: 'ftp' });
    expect(ftp.hops[0]).toMatchObject({ status: 301, location: 'ftp://files.secgrade.test/pub', hostChange: true });
    const js = await fetchChain(base(`http://a.secgrade.test:${port}/js`));
    expect(js.stop).toEqual({ kind: 'unsupported-scheme', location: 'javascript:alert(document.domain)', scheme: 'javascript' });
    const bad = await fetchChain(base(`http://a.secgrade.test:${port}/bad`));
    expect(bad.stop).toEqual({ kind: 'invalid-location', location: 'http://[not-an-ip/' });
  });
});

describe('fetchChain: certificates and methods (what the Observatory needs of a route)', () => {
  it("records Node's verdict on each https hop's certificate, and none on http hops", async () => {
    const httpsPort = await httpsServer((req, res) => (req.url === '/' ? redirect(res, 302, `http://a.secgrade.test:${httpPort}/`) : res.end('x')));
    const httpPort = await httpServer((_req, res) => redirect(res, 302, `https://b.secgrade.test:${httpsPort}/end`));
    // The certificate names a.secgrade.test and is trusted (extraCa): b.secgrade.test is a name mismatch.
    const r = await fetchChain(base(`https://a.secgrade.test:${httpsPort}/`));
    expect(r.hops.map((h) => h.tls ?? null)).toEqual([{ authorized: true, error: null }, null, { authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' }]);
    const untrusted = await fetchChain(base(`https://a.secgrade.test:${httpsPort}/end`, { extraCa: [] }));
    expect(untrusted.hops[0]?.tls).toEqual({ authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('keeps OPTIONS across 301/302/307/308 and turns it into GET after a 303, as follow-redirects does', async () => {
    const methods: string[] = [];
    const port = await httpServer((req, res) => {
      methods.push(`${req.method} ${req.url}`);
      const next: Record<string, [number, string]> = { '/': [301, '/b'], '/b': [302, '/c'], '/c': [307, '/d'], '/d': [308, '/e'], '/e': [303, '/f'] };
      const hop = next[req.url ?? ''];
      if (hop) redirect(res, hop[0], hop[1]);
      else res.writeHead(204).end();
    });
    const r = await fetchChain(base(`http://a.secgrade.test:${port}/`, { method: 'OPTIONS' }));
    expect(r.stop).toEqual({ kind: 'done' });
    expect(methods).toEqual(['OPTIONS /', 'OPTIONS /b', 'OPTIONS /c', 'OPTIONS /d', 'OPTIONS /e', 'GET /f']);
  });
});

describe('fetchChain: hostile servers', () => {
  it('reads a 50 MB body only up to the cap, fast', async () => {
    const total = 50 * 1024 * 1024;
    let sent = 0;
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(total) });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (sent < total && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const cap = 2 * 1024 * 1024;
    const r = await fetchChain(base(`http://a.secgrade.test:${port}/big`, long()));
    // Ended by the cap (done, truncated), not by a deadline, and without draining the server.
    expect(r.stop).toEqual({ kind: 'done' });
    expect(r.final?.truncated).toBe(true);
    expect(r.final?.bytesRead).toBe(cap);
    expect(r.final?.body.length).toBeLessThanOrEqual(cap + 64 * 1024);
    expect(sent).toBeLessThan(total / 2); // the server was cut off, not drained
    console.info(`50 MB body: read ${r.final?.bytesRead} bytes; the server had written ${sent} bytes`);
  }, DECIDED);

  it('ends 1 MB of headers with a clean error', async () => {
    const port = await rawServer((s) => {
      const line = `X-Pad: ${'p'.repeat(1000)}\r\n`;
      s.write('HTTP/1.1 200 OK\r\n');
      s.end(`${line.repeat(1024)}\r\nbody`);
    });
    const r = await fetchChain(base(`http://a.secgrade.test:${port}/`, long()));
    expect(r.stop).toMatchObject({ kind: 'error', errorKind: 'headers-too-large', message: 'response headers exceed 65536 bytes' });
    expect(r.final).toBeNull();
  }, DECIDED);

  it('gives up on a server that drips one byte per second, at the deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    const drip = (text: string) => (s: net.Socket): void => {
      let i = 0;
      const t = setInterval(() => (i < text.length && !s.destroyed ? s.write(text[i++]!) : clearInterval(t)), 1000);
      timers.push(t);
    };
    try {
      const headPort = await rawServer(drip('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
      const bodyPort = await rawServer((s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
        drip('x'.repeat(100))(s);
      });
      const results = await Promise.all([headPort, bodyPort].map((port) => fetchChain(base(`http://a.secgrade.test:${port}/`, { timeoutMs: 1200 }))));
      for (const r of results) {
        // Headers still arriving or the body still arriving: either way the 1200 ms deadline ends
        // it (the typed kind and message say so), and what had arrived is not taken for a response.
        // A fetch that waited for the 40–100 s drip fails by the test's 20 s timeout; no elapsed
        // time is asserted.
        expect(r.stop).toMatchObject({ kind: 'error', errorKind: 'timeout', message: expect.stringMatching(/^no (complete )?HTTP response within 1200 ms$/) });
      }
    } finally {
      timers.forEach(clearInterval);
    }
  }, 20_000);

  it('never crashes on malformed header lines', async () => {
    const responses: Record<string, string> = {
      'line without colon': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis line has no colon\r\n\r\nok',
      'space in name': 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok',
      'NUL in value': 'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok',
      'bare LF': 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      'obs-fold': 'HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 2\r\n\r\nok',
      'two Content-Lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!',
      'status 2000': 'HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok',
      'not HTTP': 'SSH-2.0-OpenSSH_9.6\r\n\r\n',
      'closes mid-headers': 'HTTP/1.1 200 OK\r\nX-A: a',
      'Location with spaces': 'HTTP/1.1 302 Found\r\nLocation: /a b c\r\nContent-Length: 0\r\n\r\n',
    };
    const outcomes: Record<string, string> = {};
    for (const [name, raw] of Object.entries(responses)) {
      const port = await rawServer((s) => s.end(raw));
      const r = await fetchChain(base(`http://a.secgrade.test:${port}/`, { ...long(), maxRedirects: 0 }));
      outcomes[name] = r.stop.kind === 'error' ? `${r.stop.errorKind}: ${r.stop.message}` : `${r.stop.kind} ${r.final?.status}`;
      // Decided by what the server sent (never by a deadline: see long()).
      if (r.stop.kind === 'error') expect(['malformed', 'reset'], name).toContain(r.stop.errorKind);
    }
    console.info(`malformed responses: ${JSON.stringify(outcomes, null, 1)}`);
    expect(outcomes['space in name']).toMatch(/^malformed/);
    expect(outcomes['not HTTP']).toMatch(/^malformed/);
  }, DECIDED);

  it('analyses 1,000 Set-Cookie headers up to the cap and counts the rest', async () => {
    const port = await httpsServer((_req, res) => {
      res.setHeader('set-cookie', Array.from({ length: 1000 }, (_, i) => `c${i}=v; Path=/`));
      res.end('ok');
    });
    const r = await fetchChain(base(`https://a.secgrade.test:${port}/`, long()));
    expect(r.stop).toEqual({ kind: 'done' });
    const set = chainSetCookies(r);
    expect(set).toHaveLength(1000);
    const analysis = analyseCookies(set, { scheme: 'https', host: 'a.secgrade.test' });
    expect(analysis).toMatchObject({ total: 1000, dropped: 800, unparseable: 0 });
    expect(analysis.cookies).toHaveLength(200);
    expect(analysis.issues.map((i) => i.id).sort()).toEqual(['http.cookie.no-secure', 'http.cookie.samesite-missing', 'http.cookie.too-many']);
  }, DECIDED);
});

describe('checkHttpToHttps', () => {
  const check = (port: number, extra: Partial<FetchChainOptions> = {}) => {
    const { url: _url, ...opts } = base('http://a.secgrade.test/', extra);
    return checkHttpToHttps({ ...opts, host: 'a.secgrade.test', port });
  };

  it('says where the first redirect goes', async () => {
    const httpsPort = await httpsServer((_req, res) => res.end('secure'));
    const port = await httpServer((req, res) => {
      const route: Record<string, string> = {
        '/same': `https://a.secgrade.test:${httpsPort}/`,
        '/other': `https://www.a.secgrade.test:${httpsPort}/`,
        '/later': '/later2',
        '/later2': `https://a.secgrade.test:${httpsPort}/`,
        '/plain': '/plain2',
      };
      const to = route[req.url ?? ''];
      if (to) redirect(res, 301, to);
      else res.end('plain http');
    });
    const at = (path: string) => checkHttpToHttps({ ...base('http://x/'), host: 'a.secgrade.test', port, path });
    expect((await at('/same')).status).toBe('redirects-to-https-same-host');
    const other = await at('/other');
    expect(other.status).toBe('redirects-to-https-other-host-first');
    expect(other.hops.map((h) => h.url)).toEqual([`http://a.secgrade.test:${port}/other`, `https://www.a.secgrade.test:${httpsPort}/`]);
    expect((await at('/later')).status).toBe('redirects-to-https-not-first');
    expect((await at('/plain')).status).toBe('redirects-not-to-https');
    const none = await check(port);
    expect(none).toMatchObject({ status: 'no-redirect', url: `http://a.secgrade.test:${port}/`, reason: null });
  });

  it('says no-http when nothing listens on the http port, and error on a timeout', async () => {
    const probe = net.createServer();
    const freePort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    // The refusal decides, not the (60 s) deadline: see long().
    const none = await check(freePort, long());
    expect(none).toMatchObject({ status: 'no-http', reason: 'connection refused', hops: [] });

    // The 800 ms deadline ends a silent server: the reason names it.
    const silent = await rawServer(() => undefined);
    const stalled = await check(silent, { timeoutMs: 800 });
    expect(stalled.status).toBe('error');
    expect(stalled.reason).toMatch(/800 ms/);
  }, DECIDED);
});

describe('fetchSecurityTxt', () => {
  it('fetches /.well-known/security.txt through redirects, bounded to 32 KiB', async () => {
    let httpPort = 0;
    const now = new Date();
    const expires = new Date(now.getTime() + 30 * 24 * 3600 * 1000).toISOString();
    const httpsPort = await httpsServer((req, res) => {
      if (req.url === '/.well-known/security.txt') redirect(res, 301, '/security.txt');
      else if (req.url === '/security.txt') res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Contact: mailto:security@a.secgrade.test\nExpires: ${expires}\n`);
    });
    const hugePort = await httpsServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Contact: mailto:x@y.z\nExpires: ${expires}\n# ${'x'.repeat(10 * 1024 * 1024)}`),
    );
    httpPort = await httpServer((_req, res) => redirect(res, 302, `https://a.secgrade.test:${httpsPort}/.well-known/security.txt`));
    const opts = (origin: string) => {
      const { url: _url, ...rest } = base(origin);
      return { ...rest, origin: new URL(origin), now };
    };
    const good = await fetchSecurityTxt(opts(`https://a.secgrade.test:${httpsPort}`));
    expect(good).toMatchObject({ status: 'found', valid: true, issues: [], finalUrl: `https://a.secgrade.test:${httpsPort}/security.txt` });
    expect(good.fields?.contact).toEqual(['mailto:security@a.secgrade.test']);

    const viaHttp = await fetchSecurityTxt(opts(`http://a.secgrade.test:${httpPort}`));
    expect(viaHttp.status).toBe('found'); // the http URL redirects to https, where it is served

    const huge = await fetchSecurityTxt(opts(`https://a.secgrade.test:${hugePort}`));
    expect(huge).toMatchObject({ status: 'found', valid: true, bytesRead: 32 * 1024, truncated: true });
    expect(huge.issues.map((i) => i.id)).toEqual(['http.security-txt.too-large']);
  });
});
