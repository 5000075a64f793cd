// secgrade's Observatory-compatible score against the real MDN HTTP Observatory 1.4.8 on local sites:
// the lab's header sets (good, weak, broken, legacy) and more configurations chosen to reach the
// results the lab does not (default-src 'none', anti-CSRF cookies, no HTTP at all, non-HTML pages,
// <meta> CSP, SRI …). Both tools scan the same port for http:// and https:// (the Observatory's CLI
// does; secgrade is told with --http-port). Every test's result must be equal, and so the score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLabDomain, type LabDomain } from '../../src/lab/domains.js';
import { makeLocalhostPki, runObservatory, sharedObservatory, startHeaderSite, type HeaderSiteOptions, type ObservatoryRun } from './observatory.js';
import { runSecgrade } from './peers.js';

type Site = Omit<HeaderSiteOptions, 'cert' | 'key'>;

function fromLab(name: string): Site {
  const d = findLabDomain(`${name}.secgrade.test`) as LabDomain;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(d.http.headers)) headers[k] = typeof v === 'string' ? v : [...v];
  const mode = d.http.plain ?? 'redirect';
  return { headers, ...(d.http.body !== undefined ? { body: d.http.body } : {}), httpMode: mode, ...(d.http.corsReflect ? { corsReflect: true } : {}) };
}

const page = (head: string, body = '') => `<!doctype html><html><head><meta charset="utf-8">${head}<title>fixture</title></head><body>${body}</body></html>`;

const SITES: Record<string, Site> = {
  'lab good': fromLab('good'),
  'lab headers-weak': fromLab('headers-weak'),
  'lab headers-broken': fromLab('headers-broken'),
  'lab legacy': fromLab('legacy'),
  'nothing at all': { headers: {}, httpMode: 'serve' },
  "strict: default-src 'none', every header": {
    headers: {
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains; preload',
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-site',
    },
  },
  'cookies: session secure+httponly, anti-CSRF without SameSite': {
    headers: {
      'Strict-Transport-Security': 'max-age=31536000',
      'Content-Security-Policy': "default-src 'self'",
      'Set-Cookie': ['sessionid=abc; Secure; HttpOnly; Path=/', 'csrftoken=def; Secure; Path=/'],
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'SAMEORIGIN',
    },
  },
  'six-month HSTS, referrer list, framing by CSP only, public CORS': {
    headers: {
      'Strict-Transport-Security': 'max-age=15552000',
      'Content-Security-Policy': "default-src 'self'; frame-ancestors 'self'",
      'Referrer-Policy': 'no-referrer, unsafe-url',
      'Access-Control-Allow-Origin': '*',
      'Set-Cookie': 'theme=dark; Path=/',
    },
  },
  'no plain HTTP, unsafe-eval CSP, bad X-Content-Type-Options': {
    headers: {
      'Strict-Transport-Security': 'max-age=31536000',
      'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-eval'",
      'X-Content-Type-Options': 'nosniff, nosniff',
      'X-Frame-Options': 'DENY',
    },
    httpMode: 'refuse',
  },
  '<meta> CSP and scripts with SRI': {
    headers: { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains', 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' },
    body: page(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' https://cdn.example.net; object-src 'none'">`,
      '<script src="/app.js"></script><script src="https://cdn.example.net/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>',
    ),
  },
  'JSON answer, cross-origin CORP, cookie without Secure under HSTS': {
    headers: {
      'Content-Type': 'application/json',
      'Strict-Transport-Security': 'max-age=31536000',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Set-Cookie': 'prefs=1; Path=/',
      'X-Content-Type-Options': 'nosniff',
    },
    body: '{"ok":true}',
  },
  'style-only unsafe-inline, http images, protocol-relative script': {
    headers: {
      'Strict-Transport-Security': 'max-age=31536000',
      'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' http:",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'strict-origin',
    },
    body: page('', '<script src="//cdn.example.net/x.js"></script><img src="http://img.example.net/a.png">'),
  },
};

/**
 * Deliberate differences from the Observatory, per site and test, with the reason. Empty: every
 * result matches.
 */
const DIVERGENCES: Readonly<Record<string, Readonly<Record<string, { ours: string; theirs: string; why: string }>>>> = {};

const IN_CI = Boolean(process.env.CI);

describe('MDN HTTP Observatory 1.4.8 vs secgrade on local sites', () => {
  let pki: Awaited<ReturnType<typeof makeLocalhostPki>>;
  let installError: Error | null = null;

  beforeAll(async () => {
    pki = await makeLocalhostPki();
    try {
      await sharedObservatory();
    } catch (err) {
      installError = err as Error;
    }
  }, 600_000);
  afterAll(async () => {
    await pki?.cleanup();
  });

  it('has at least ten configurations', () => {
    expect(Object.keys(SITES).length).toBeGreaterThanOrEqual(10);
  });

  for (const [name, site] of Object.entries(SITES)) {
    it(`${name}: same results and score`, async (ctx) => {
      if (installError) {
        // Outside CI a machine without npm registry access skips loudly; CI must install it.
        if (!IN_CI) {
          console.warn(`observatory conformance skipped: ${installError.message}`);
          ctx.skip();
        }
        throw installError;
      }
      const server = await startHeaderSite({ ...site, cert: pki.cert, key: pki.key });
      try {
        const target = `localhost:${server.port}`;
        const theirs: ObservatoryRun = await runObservatory(`https://${target}/`, { ip: '127.0.0.1', caFile: pki.caFile, timeoutMs: 60_000 });
        const ours = await runSecgrade('localhost', server.port, {
          checks: 'http',
          extraArgs: ['--ip', '127.0.0.1', '--ca-file', pki.caFile, '--http-port', String(server.port)],
          timeoutMs: 60_000,
        });
        const report = ours.report as unknown as { http: { score: number | null; observatory: { tests: Array<{ test: string; result: string }> } | null } };
        const ourTests = Object.fromEntries((report.http.observatory?.tests ?? []).map((t) => [t.test, t.result]));
        const theirTests = Object.fromEntries(Object.entries(theirs.tests).map(([t, r]) => [t, r.result]));
        const allowed = DIVERGENCES[name] ?? {};
        for (const [test, d] of Object.entries(allowed)) {
          expect(ourTests[test], `${test}: documented divergence`).toBe(d.ours);
          expect(theirTests[test], `${test}: documented divergence`).toBe(d.theirs);
          delete ourTests[test];
          delete theirTests[test];
        }
        console.info(`observatory ${name}: score ${theirs.score} vs ${report.http.score}; Observatory ${theirs.durationMs} ms, secgrade ${ours.durationMs} ms (process, HTTP checks and the certificate they need)`);
        expect(ourTests).toEqual(theirTests);
        if (Object.keys(allowed).length === 0) expect(report.http.score).toBe(theirs.score);
      } finally {
        await server.close();
      }
    }, 180_000);
  }
});
