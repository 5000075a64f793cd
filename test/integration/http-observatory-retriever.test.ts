// The http-headers probe end to end on loopback, where the MDN Observatory 1.4.8's retriever decides
// the score (issue 15, HTTP items 9–13): an http-only site, a final 4xx/5xx, a redirect route through
// a host with an invalid certificate, the certificate-retry quirk (robots.txt and CORS after a retry),
// and pages whose <template>, <noscript> and <svg> content a tokenizer would misread. The same sites
// run against the real Observatory in test/conformance/observatory.test.ts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { optionValues } from '../../src/engine/options.js';
import { ProbeFailed } from '../../src/engine/probe.js';
import { emptyHttp } from '../../src/engine/sections.js';
import { gradedHttp } from '../../src/grade/site.js';
import type { HttpSiteEvidence } from '../../src/http/site-evidence.js';
import type { HttpResult } from '../../src/model/report.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { httpPortOption, httpSiteProbe } from '../../src/probes/http/site.js';
import { createTrustStore, type TrustStore } from '../../src/trust/store.js';
import { LocalServers, closedPort } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('http-observatory-retriever');
afterEach(() => local.closeServers());
afterAll(() => local.stop());

/** `localhost` (trusted through the trust store) and `bad.secgrade.test` (self-signed, trusted by nobody). */
let good: { key: Buffer; cert: Buffer };
let bad: { key: Buffer; cert: Buffer };
let trust: TrustStore;
beforeAll(() => {
  const g = local.selfSigned('good', 'ec', 'localhost');
  good = { key: readFileSync(g.key), cert: readFileSync(g.cert) };
  const b = local.selfSigned('bad', 'ec', 'bad.secgrade.test');
  bad = { key: readFileSync(b.key), cert: readFileSync(b.cert) };
  trust = createTrustStore([good.cert.toString()]);
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const httpsServer = (creds: { key: Buffer; cert: Buffer }, h: Handler): Promise<number> => local.listen(https.createServer({ ...creds }, h));
const httpServer = (h: Handler): Promise<number> => local.listen(http.createServer(h));

/** Every name resolves to 127.0.0.1 (the other hosts of a redirect route). */
const loopbackResolver: Resolver = {
  description: 'test resolver',
  addresses: async () => ({ status: 'ok', addresses: [{ address: '127.0.0.1', family: 4 }] }),
  query: async () => ({ status: 'error', reason: 'not in this test' }) as never,
};

interface Outcome {
  ev: HttpSiteEvidence;
  ids: string[];
  report: HttpResult;
  undecided: string | null;
  tests: Record<string, string>;
  details: Record<string, string>;
}

/** Scan https://localhost:port/ (http on httpPort) as the engine would, and grade it. */
async function scan(port: number, httpPort: number): Promise<Outcome> {
  const { ctx } = loopbackContext(port, {
    connectTimeoutMs: 2000,
    options: optionValues([[httpPortOption, httpPort]]),
    trust,
    resolver: loopbackResolver,
    target: { host: 'localhost', port, path: '/', sni: 'localhost' },
  });
  const ev = await httpSiteProbe.collect(ctx, testDeps());
  const findings = httpSiteProbe.check(ev, { target: ctx.target, endpoint: ctx.endpoint, now: new Date() });
  const g = gradedHttp({ ...emptyHttp(ev.url), status: 'ok', ...httpSiteProbe.fields(ev) }, ev);
  const tests = Object.fromEntries((g.http.observatory?.tests ?? []).map((t) => [t.test, t.result]));
  const details = Object.fromEntries((g.http.observatory?.tests ?? []).map((t) => [t.test, t.detail]));
  return { ev, ids: findings.map((f) => f.id), report: g.http, undecided: g.undecided, tests, details };
}

const page = (res: http.ServerResponse, headers: Record<string, string | string[]> = {}, body = '<!doctype html><title>t</title><p>hi'): void => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
};

describe('item 9: an http-only site is graded from its http response', () => {
  it('nothing on the https port: the http page, its headers and cookies are what the Observatory grades', async () => {
    const port = await closedPort();
    const httpPort = await httpServer((_req, res) =>
      page(res, { 'set-cookie': 'prefs=1; Path=/', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'content-security-policy': "default-src 'self'" }),
    );
    const o = await scan(port, httpPort);
    expect(o.ev.https.hops).toHaveLength(0);
    expect(o.report).toMatchObject({ statusCode: 200, finalUrl: `http://localhost:${httpPort}/` });
    expect(o.tests).toMatchObject({
      'content-security-policy': 'csp-implemented-with-no-unsafe',
      cookies: 'cookies-without-secure-flag',
      redirection: 'redirection-missing',
      'strict-transport-security': 'hsts-not-implemented-no-https',
      'x-content-type-options': 'x-content-type-options-nosniff',
      'x-frame-options': 'x-frame-options-sameorigin-or-deny',
    });
    // 100 − 20 (cookies) − 20 (no redirect) − 20 (no https) = 40; the +5 CSP bonus is not counted under 90.
    expect(o.report).toMatchObject({ score: 40, grade: 'D' });
    expect(o.report.observatory).toMatchObject({ score: 40, grade: 'D+' });
    // Our own findings read the same page.
    expect(o.ids).toEqual(expect.arrayContaining(['http.redirect.missing']));
    expect(o.ids).not.toContain('http.csp.missing');
  });

  it('nothing on either port: could not test, as before', async () => {
    const port = await closedPort();
    const httpPort = await closedPort();
    await expect(scan(port, httpPort)).rejects.toBeInstanceOf(ProbeFailed);
  });
});

describe('item 10: a final 4xx/5xx is not graded by the Observatory', () => {
  for (const status of [404, 500, 503]) {
    it(`${status}: no score and no letter, the reason typed, our own findings kept`, async () => {
      const port = await httpsServer(good, (_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>error</h1>'));
      const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
      const o = await scan(port, httpPort);
      expect(o.report).toMatchObject({ statusCode: status, score: null, grade: null, observatory: null });
      expect(o.report.observatoryNotGraded).toEqual({ kind: 'unexpected-status', statusCode: status, reason: `Site did respond with an unexpected HTTP status code ${status}.` });
      expect(o.undecided).toMatch(/does not grade this site: Site did respond with an unexpected HTTP status code/);
      expect(o.ids).toEqual(expect.arrayContaining(['http.csp.missing', 'http.hsts.missing']));
    });
  }

  it('401 and 403 are graded (the Observatory allows them)', async () => {
    const port = await httpsServer(good, (_req, res) => res.writeHead(403, { 'content-type': 'text/html' }).end('no'));
    const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
    const o = await scan(port, httpPort);
    expect(o.report.observatoryNotGraded ?? null).toBeNull();
    expect(o.report.score).toBe(30); // 100 − 25 (no CSP) − 20 (no HSTS) − 5 (no nosniff) − 20 (no framing control)
  });
});

describe('item 11: a redirect route through a host with an invalid certificate', () => {
  it('gives hsts-invalid-cert and redirection-invalid-cert, as the Observatory does', async () => {
    const badPort = await httpsServer(bad, (_req, res) => page(res, { 'strict-transport-security': 'max-age=31536000' }));
    const port = await httpsServer(good, (_req, res) => res.writeHead(302, { location: `https://bad.secgrade.test:${badPort}/`, 'strict-transport-security': 'max-age=31536000' }).end());
    const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
    const o = await scan(port, httpPort);
    // The target's own certificate is fine; the second host's is self-signed.
    expect(o.ev.https.hops.map((h) => h.tls?.authorized)).toEqual([true, false]);
    expect(o.ev.https.hops[1]?.tls?.error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(o.tests['strict-transport-security']).toBe('hsts-invalid-cert');
    expect(o.tests.redirection).toBe('redirection-invalid-cert');
    // Our own finding: a browser following the route stops on that certificate error.
    expect(o.ids).toContain('http.redirect.invalid-cert');
  });

  it('a valid route stays clean', async () => {
    const port = await httpsServer(good, (_req, res) => page(res, { 'strict-transport-security': 'max-age=31536000' }));
    const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
    const o = await scan(port, httpPort);
    expect(o.tests['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months');
    expect(o.tests.redirection).toBe('redirection-to-https');
    expect(o.ids).not.toContain('http.redirect.invalid-cert');
  });
});

describe('item 13: after a certificate retry, robots.txt and CORS feed the score (the 1.4.8 quirk)', () => {
  /** A site with a self-signed certificate whose page sets nothing and whose robots.txt does. */
  const quirkSite = (robotsStatus: number): Handler => (req, res) => {
    if (req.url === '/robots.txt') {
      const acao = req.method === 'OPTIONS' ? { 'access-control-allow-origin': '*' } : {};
      res.writeHead(robotsStatus, { 'content-type': 'text/plain', 'set-cookie': 'sessionid=abc; Path=/', ...acao }).end('User-agent: *\n');
      return;
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204, { 'access-control-allow-origin': 'https://only.example' }).end();
    page(res);
  };

  it('robots.txt 200: its cookie joins the jar and the CORS request goes to robots.txt', async () => {
    const port = await httpsServer(bad, quirkSite(200));
    const httpPort = await closedPort();
    const o = await scan(port, httpPort);
    expect(o.ev.robots).toMatchObject({ url: `https://localhost:${port}/robots.txt`, status: 200 });
    expect(o.ev.cors?.url).toBe(`https://localhost:${port}/robots.txt`);
    expect(o.tests['strict-transport-security']).toBe('hsts-invalid-cert');
    expect(o.tests.cookies).toBe('cookies-session-without-secure-flag');
    expect(o.tests['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-implemented-with-public-access');
    expect(o.details.cookies).toMatch(/deliberate reproduction of its quirk/);
    expect(o.details['cross-origin-resource-sharing']).toMatch(/robots\.txt.*deliberate reproduction of its quirk/);
  });

  it('robots.txt 404: its cookie still joins the jar, but the CORS request goes to the page', async () => {
    const port = await httpsServer(bad, quirkSite(404));
    const o = await scan(port, await closedPort());
    expect(o.ev.cors?.url).toBe(`https://localhost:${port}/`);
    expect(o.tests.cookies).toBe('cookies-session-without-secure-flag');
    expect(o.tests['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-implemented-with-restricted-access');
  });

  it('with a valid certificate nothing of that happens: robots.txt is not even fetched', async () => {
    const port = await httpsServer(good, quirkSite(200));
    const o = await scan(port, await closedPort());
    expect(o.ev.robots ?? null).toBeNull();
    expect(o.ev.cors?.url).toBe(`https://localhost:${port}/`);
    expect(o.tests.cookies).toBe('cookies-not-found');
  });
});

describe('item 12: the page is parsed as jsdom (for the Observatory) and a browser (for our checks) parse it', () => {
  it('<template>, <svg>, <math> and <noscript> content do not load what a tokenizer would see', async () => {
    const body = `<!doctype html><html><head>
      <template><meta http-equiv="Content-Security-Policy" content="script-src *"><script src="http://cdn.other.org/t.js"></script></template>
      <meta http-equiv="Content-Security-Policy" content="default-src 'self'; object-src 'none'">
    </head><body>
      <svg><script src="http://cdn.other.org/svg.js"></script></svg>
      <math><script src="http://cdn.other.org/math.js"></script></math>
      <noscript><img src="http://img.other.org/n.png"></noscript>
    </body></html>`;
    const port = await httpsServer(good, (_req, res) => page(res, { 'strict-transport-security': 'max-age=31536000' }, body));
    const httpPort = await httpServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end());
    const o = await scan(port, httpPort);
    expect(o.tests['content-security-policy']).toBe('csp-implemented-with-no-unsafe');
    // Two foreign <script> elements: scripts exist (no "no scripts" result), none loads anything external.
    expect(o.tests['subresource-integrity']).toBe('sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
    expect(o.ids).not.toContain('http.mixed-content.active');
    expect(o.ids).not.toContain('http.csp.missing');
    // Our own checks read the page as a browser with scripts on: <noscript> content is text, its image never loads.
    expect(o.ids).not.toContain('http.mixed-content.passive');
  });
});
