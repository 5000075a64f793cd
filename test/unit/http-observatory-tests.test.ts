import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  OBSERVATORY_TEST_NAMES,
  OBSERVATORY_TESTS,
  observatoryScore,
  type ObservatoryResults,
  type ObservatoryTestName,
} from '../../src/grade/observatory.js';
import type { FetchChainResult, FetchHop, FetchStop, HttpToHttpsResult } from '../../src/http/fetch-chain.js';
import {
  CERT_ERROR_CODES,
  OBSERVATORY_CORS_ORIGIN,
  jarSetCookie,
  observatoryCorsUrl,
  observatoryFollowUps,
  observatoryResults,
  toughParseCookie,
  type JarCookie,
  type ObservatoryEvidence,
  type ObservatoryTestResults,
} from '../../src/http/observatory/index.js';

// A page containing this marker makes the HTML scanner throw: the only way to reach the generic
// 'html-not-parseable' (upstream: JSDOM throwing, which it practically never does).
const THROW_MARKER = '<!--scanner-throws-->';
vi.mock('../../src/http/html-resources.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/http/html-resources.js')>();
  return {
    ...real,
    scanHtml: (html: string, opts?: { maxElements?: number }) => {
      if (html.includes(THROW_MARKER)) throw new Error('parser exploded');
      return real.scanHtml(html, opts);
    },
  };
});

type Headers = Array<[string, string]>;

function hop(url: string, status: number, headers: Headers = [], location?: string): FetchHop {
  const all: Headers = location === undefined ? headers : [['location', location], ...headers];
  const next = location === undefined ? null : new URL(location, url);
  const from = new URL(url);
  return {
    url,
    ip: '192.0.2.1',
    status,
    location: location ?? null,
    next: next?.href ?? null,
    schemeChange: next && from.protocol === 'http:' && next.protocol === 'https:' ? 'http-to-https' : next && from.protocol === 'https:' && next.protocol === 'http:' ? 'https-to-http' : null,
    hostChange: next !== null && next.hostname !== from.hostname,
    headers: all.map(([n, v]) => [n.toLowerCase(), v]),
    setCookies: all.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v),
    durationMs: 1,
  };
}

function chain(hops: FetchHop[], body = '', stop: FetchStop = { kind: 'done' }): FetchChainResult {
  const last = hops.at(-1);
  return {
    url: hops[0]?.url ?? 'https://example.com/',
    hops,
    final: last
      ? { url: last.url, status: last.status, headers: last.headers, contentType: last.headers.find(([n]) => n === 'content-type')?.[1] ?? null, body: Buffer.from(body), bytesRead: body.length, truncated: false }
      : null,
    stop,
    downgraded: false,
    durationMs: 1,
  };
}

function httpCheck(hops: FetchHop[], stop: FetchStop = { kind: 'done' }): HttpToHttpsResult {
  return { status: hops.length === 0 ? 'no-http' : 'redirects-to-https-same-host', url: hops[0]?.url ?? 'http://example.com/', hops, stop, reason: null };
}

const HTML: Headers = [['content-type', 'text/html; charset=utf-8']];

interface SiteOptions {
  host?: string;
  /** Headers of the final https response (after Content-Type: text/html). */
  headers?: Headers;
  contentType?: string | null;
  body?: string;
  /** Replace the whole https chain (null: no https). */
  https?: FetchChainResult | null;
  /** Replace the http chain (null: not checked). */
  http?: HttpToHttpsResult | null;
  certValid?: boolean;
  cors?: Headers | null;
  corsStatus?: number;
  corsOrigin?: string | null;
  preloaded?: string[];
  pending?: string[];
  certificateValidFor?: (h: string) => boolean;
  httpBody?: string;
}

/** A site on https://example.com/ whose http:// answers 301 to it; every option overrides one piece. */
function site(o: SiteOptions = {}): ObservatoryEvidence {
  const host = o.host ?? 'example.com';
  const ct: Headers = o.contentType === null ? [] : [['content-type', o.contentType ?? 'text/html; charset=utf-8']];
  const https = o.https !== undefined ? o.https : chain([hop(`https://${host}/`, 200, [...ct, ...(o.headers ?? [])])], o.body ?? '<!doctype html><title>t</title><p>hi');
  const http = o.http !== undefined ? o.http : httpCheck([hop(`http://${host}/`, 301, [], `https://${host}/`), hop(`https://${host}/`, 200, HTML)]);
  return {
    host,
    https,
    http,
    httpsCertificateValid: o.certValid ?? true,
    corsResponseHeaders: o.cors ?? null,
    corsStatus: o.corsStatus,
    corsOriginSeenByTest: o.corsOrigin,
    preloaded: (h) => (o.preloaded?.includes(h) ? 'preloaded' : o.pending?.includes(h) ? 'pending' : 'not'),
    certificateValidFor: o.certificateValidFor,
    httpBody: o.httpBody === undefined ? undefined : Buffer.from(o.httpBody),
  };
}

const run = (o: SiteOptions = {}): ObservatoryTestResults => observatoryResults(site(o));
const HSTS_YEAR: [string, string] = ['strict-transport-security', 'max-age=31536000'];

/** Every result id asserted below, to check that all 66 of OBSERVATORY_TESTS are covered. */
const covered = new Set<string>();
function expectResult<T extends ObservatoryTestName>(r: ObservatoryTestResults, test: T, result: ObservatoryResults[T]): void {
  expect(r[test], r.details[test]).toBe(result);
  expect(r.details[test].length).toBeGreaterThan(0);
  covered.add(`${test}/${result}`);
}

describe('content-security-policy', () => {
  const csp = (value: string, extra: Headers = []): ObservatoryTestResults => run({ headers: [['content-security-policy', value], ...extra] });

  it("default-src 'none' alone", () => expectResult(csp("default-src 'none'"), 'content-security-policy', 'csp-implemented-with-no-unsafe-default-src-none'));
  it('nothing unsafe', () => expectResult(csp("default-src 'self'; object-src 'none'"), 'content-security-policy', 'csp-implemented-with-no-unsafe'));
  it("'unsafe-inline' only in style-src", () =>
    expectResult(csp("default-src 'self'; style-src 'self' 'unsafe-inline'"), 'content-security-policy', 'csp-implemented-with-unsafe-inline-in-style-src-only'));
  it('http: in img-src on an https site', () =>
    expectResult(csp("default-src 'self'; img-src http://img.example.net"), 'content-security-policy', 'csp-implemented-with-insecure-scheme-in-passive-content-only'));
  it("'unsafe-eval' in script-src", () => expectResult(csp("default-src 'self'; script-src 'self' 'unsafe-eval'"), 'content-security-policy', 'csp-implemented-with-unsafe-eval'));
  it("'unsafe-inline' in script-src", () =>
    expectResult(csp("default-src 'self'; script-src 'self' 'unsafe-inline'"), 'content-security-policy', 'csp-implemented-with-unsafe-inline'));
  it('no script-src nor default-src counts as * (unsafe-inline)', () => expectResult(csp("img-src 'self'"), 'content-security-policy', 'csp-implemented-with-unsafe-inline'));
  it('a broad object-src is unsafe-inline', () => expectResult(csp("default-src 'self'; object-src https:"), 'content-security-policy', 'csp-implemented-with-unsafe-inline'));
  it('http: in an active directive on an https site', () =>
    expectResult(csp("default-src 'self'; connect-src http://api.example.net"), 'content-security-policy', 'csp-implemented-with-insecure-scheme'));
  it('even report-uri over http counts as active content', () =>
    expectResult(csp("default-src 'self'; report-uri http://r.example.net/csp"), 'content-security-policy', 'csp-implemented-with-insecure-scheme'));
  it('insecure schemes are not judged when the session is http (no HTTPS)', () => {
    const r = run({ https: null, http: httpCheck([hop('http://example.com/', 200, [...HTML, ['content-security-policy', "default-src 'self'; connect-src http://x.example"]])]) });
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe');
  });
  it('repeated report-uri: passes with duplicate directives', () =>
    expectResult(csp("default-src 'none'; report-uri /a; report-uri /b"), 'content-security-policy', 'csp-implemented-but-duplicate-directives'));
  it('a repeated directive is invalid', () => expectResult(csp("default-src 'self'; default-src 'none'"), 'content-security-policy', 'csp-header-invalid'));
  it('an empty header is invalid', () => expect(csp('')['content-security-policy']).toBe('csp-header-invalid'));
  it("'strict-dynamic' without a nonce or hash is invalid", () =>
    expect(csp("default-src 'self'; script-src 'strict-dynamic'")['content-security-policy']).toBe('csp-header-invalid'));
  it("'strict-dynamic' with a nonce drops the broad sources and 'unsafe-inline'", () =>
    expect(csp("default-src 'self'; script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'")['content-security-policy']).toBe(
      'csp-implemented-with-no-unsafe',
    ));
  it("a hash cancels 'unsafe-inline'", () =>
    expect(csp("default-src 'self'; script-src 'self' 'sha256-AAAA' 'unsafe-inline'")['content-security-policy']).toBe('csp-implemented-with-no-unsafe'));
  it('no policy', () => expectResult(run(), 'content-security-policy', 'csp-not-implemented'));
  it('report-only alone', () =>
    expectResult(run({ headers: [['content-security-policy-report-only', "default-src 'none'"]] }), 'content-security-policy', 'csp-not-implemented-but-reporting-enabled'));
  it('two CSP headers are joined with ", " into one policy (commas are not separators)', () => {
    const r = run({ headers: [['content-security-policy', "default-src 'none'"], ['content-security-policy', "img-src 'self'"]] });
    // default-src holds 'none', "'none',", "img-src" and "'self'": no longer the lone 'none'.
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe');
  });
  it('a <meta> policy anywhere in the page counts', () => {
    const r = run({ body: `<html><body><meta http-equiv=" Content-Security-Policy " content="default-src 'none'"></body>` });
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe-default-src-none');
  });
  it('a <meta> policy holding only frame-ancestors is not a policy', () => {
    const r = run({ body: `<meta http-equiv="content-security-policy" content="frame-ancestors 'none'">` });
    expect(r['content-security-policy']).toBe('csp-not-implemented');
  });
  it('<meta> is ignored when the response is not text/html', () => {
    const r = run({ contentType: 'text/plain', body: `<meta http-equiv="content-security-policy" content="default-src 'none'">` });
    expect(r['content-security-policy']).toBe('csp-not-implemented');
  });
  it('a directive only in the second policy keeps nothing and becomes none', () => {
    const r = run({ headers: [['content-security-policy', "default-src 'self'"]], body: `<meta http-equiv="content-security-policy" content="script-src 'unsafe-inline'">` });
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe');
  });
  it('a bad percent escape compared across policies makes the parse fail', () => {
    const r = run({ headers: [['content-security-policy', 'script-src https://a.example/%zz']], body: `<meta http-equiv="content-security-policy" content="script-src https://a.example/%zz">` });
    expect(r['content-security-policy']).toBe('csp-header-invalid');
  });
});

describe('cookies', () => {
  const cookies = (values: string[], extra: Headers = []): ObservatoryTestResults =>
    run({ headers: [...values.map((v): [string, string] => ['set-cookie', v]), ...extra] });

  it('all Secure, sessions HttpOnly, all SameSite', () =>
    expectResult(cookies(['sessionid=1; Secure; HttpOnly; SameSite=Strict', 'theme=d; Secure; SameSite=Lax']), 'cookies', 'cookies-secure-with-httponly-sessions-and-samesite'));
  it('all Secure, sessions HttpOnly, some without SameSite', () =>
    expectResult(cookies(['sessionid=1; Secure; HttpOnly']), 'cookies', 'cookies-secure-with-httponly-sessions'));
  it('no cookie', () => expectResult(cookies([]), 'cookies', 'cookies-not-found'));
  it('a non-Secure cookie under HSTS', () => expectResult(cookies(['theme=dark; SameSite=Lax'], [HSTS_YEAR]), 'cookies', 'cookies-without-secure-flag-but-protected-by-hsts'));
  it('a non-Secure session cookie under HSTS', () =>
    expectResult(cookies(['sessionid=1; HttpOnly; SameSite=Lax'], [HSTS_YEAR]), 'cookies', 'cookies-session-without-secure-flag-but-protected-by-hsts'));
  it('a non-Secure cookie without HSTS', () => expectResult(cookies(['theme=dark']), 'cookies', 'cookies-without-secure-flag'));
  it('HSTS under six months does not protect', () =>
    expect(cookies(['theme=dark'], [['strict-transport-security', 'max-age=600']]).cookies).toBe('cookies-without-secure-flag'));
  it('an invalid SameSite value in the raw header', () => expectResult(cookies(['theme=d; Secure; SameSite=Bogus']), 'cookies', 'cookies-samesite-flag-invalid'));
  it('SameSite without a value is invalid', () => expect(cookies(['theme=d; Secure; SameSite']).cookies).toBe('cookies-samesite-flag-invalid'));
  it('SameSite=None without Secure is invalid', () => expect(cookies(['theme=d; SameSite=None']).cookies).toBe('cookies-samesite-flag-invalid'));
  it('an anti-CSRF cookie without SameSite', () => expectResult(cookies(['csrftoken=x; Secure']), 'cookies', 'cookies-anticsrf-without-samesite-flag'));
  it('a session cookie without HttpOnly', () => expectResult(cookies(['sessionid=1; Secure; SameSite=Lax']), 'cookies', 'cookies-session-without-httponly-flag'));
  it('a session cookie without Secure, no HSTS (the worst)', () =>
    expectResult(cookies(['PHPSESSID=1; HttpOnly', 'csrftoken=1', 'theme=SameSite=x']), 'cookies', 'cookies-session-without-secure-flag'));
  it('session names: "login" or "sess" anywhere, case-insensitive; "sid" alone is not one', () => {
    expect(cookies(['UserLogin=1; Secure; SameSite=Lax']).cookies).toBe('cookies-session-without-httponly-flag');
    expect(cookies(['sid=1; Secure; SameSite=Lax']).cookies).toBe('cookies-secure-with-httponly-sessions-and-samesite');
  });
  it('cookies set on a redirect hop of the https chain count', () => {
    const https = chain([hop('https://example.com/', 302, [['set-cookie', 'sessionid=1; Secure; SameSite=Lax']], '/home'), hop('https://example.com/home', 200, HTML)]);
    expect(run({ https }).cookies).toBe('cookies-session-without-httponly-flag');
  });
  it('cookies of the http chain do not count when https answers', () => {
    const http = httpCheck([hop('http://example.com/', 301, [['set-cookie', 'sessionid=1']], 'https://example.com/'), hop('https://example.com/', 200, HTML)]);
    expect(run({ http }).cookies).toBe('cookies-not-found');
  });
  it('the jar drops cookies browsers drop: bad __Host-/__Secure-, foreign or public-suffix Domain, no name', () => {
    expect(cookies(['__Host-sess=1; Path=/; Domain=example.com; Secure', '__Secure-sess=1', 'sess=1; Domain=other.org', 'sess=1; Domain=com', '=x', 'novalue']).cookies).toBe(
      'cookies-not-found',
    );
  });
  it('a __Host- cookie without Path is kept (tough-cookie applies the default path "/" first)', () => {
    expect(cookies(['__Host-sess=1; Secure; HttpOnly; SameSite=Lax']).cookies).toBe('cookies-secure-with-httponly-sessions-and-samesite');
  });
  it('the raw SameSite check does not matter when the jar keeps no cookie', () => {
    expect(cookies(['x=1; Domain=other.org; SameSite=Bogus']).cookies).toBe('cookies-not-found');
  });
  it('heroku-session-affinity is ignored; a later cookie replaces the same name and path', () => {
    expect(cookies(['heroku-session-affinity=1', 'sessionid=1', 'sessionid=2; Secure; HttpOnly; SameSite=Lax']).cookies).toBe(
      'cookies-secure-with-httponly-sessions-and-samesite',
    );
  });
  it('a deletion cookie (Max-Age=0) still counts', () => expect(cookies(['sessionid=; Max-Age=0']).cookies).toBe('cookies-session-without-secure-flag'));
  it('after a certificate retry, cookies of the robots.txt and CORS answers join the jar', () => {
    const ev = site({ certValid: false, cors: [['set-cookie', 'theme=1']] });
    ev.corsUrl = 'https://example.com/robots.txt';
    ev.robots = { url: 'https://example.com/robots.txt', status: 200, headers: [['set-cookie', 'track=1; Secure; SameSite=Lax']] };
    expect(observatoryResults(ev).cookies).toBe('cookies-without-secure-flag');
    expect(observatoryResults({ ...ev, httpsCertificateValid: true }).cookies).toBe('cookies-not-found');
  });
});

describe('cookie jar (tough-cookie semantics)', () => {
  it('parses like tough-cookie in strict mode', () => {
    expect(toughParseCookie('a=b; SECURE; httponly; SameSite=LAX; Domain=.Example.COM; Path=/x')).toEqual({
      key: 'a', secure: true, httpOnly: true, sameSite: 'lax', domain: 'example.com', path: '/x',
    });
    expect(toughParseCookie('a=b; SameSite=Lax; SameSite=foo')?.sameSite).toBeUndefined();
    expect(toughParseCookie('a=b; Path=x')?.path).toBeNull();
    expect(toughParseCookie('=b')).toBeNull();
    expect(toughParseCookie('a=b\u0001')).toBeNull();
  });
  it('default path, domain matching and special-use domains', () => {
    const jar = new Map<string, JarCookie>();
    jarSetCookie(jar, 'a=1', 'https://www.example.com/dir/page?x=1');
    jarSetCookie(jar, 'b=1; Domain=example.com', 'https://www.example.com/');
    jarSetCookie(jar, 'c=1; Domain=lab.test', 'https://www.lab.test/');
    jarSetCookie(jar, 'd=1; Domain=test', 'https://www.lab.test/');
    jarSetCookie(jar, 'e=1; Domain=co.uk', 'https://a.co.uk/');
    const list = [...jar.values()].map((c) => `${c.key}@${c.domain}${c.path}${c.hostOnly ? ' host-only' : ''}`);
    expect(list).toEqual(['a@www.example.com/dir host-only', 'b@example.com/', 'c@lab.test/']);
  });
});

describe('cross-origin-resource-sharing', () => {
  it('no CORS answer', () => expectResult(run(), 'cross-origin-resource-sharing', 'cross-origin-resource-sharing-not-implemented'));
  it('an answer without ACAO', () => expect(run({ cors: [['vary', 'origin']] })['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-not-implemented'));
  it('a non-2xx answer is no answer', () =>
    expect(run({ cors: [['access-control-allow-origin', '*']], corsStatus: 405 })['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-not-implemented'));
  it('ACAO *', () => expectResult(run({ cors: [['access-control-allow-origin', ' * ']] }), 'cross-origin-resource-sharing', 'cross-origin-resource-sharing-implemented-with-public-access'));
  it('a reflected Origin with credentials is restricted in a live scan (the test cannot read the Origin sent)', () => {
    const cors: Headers = [['access-control-allow-origin', OBSERVATORY_CORS_ORIGIN], ['access-control-allow-credentials', 'true']];
    expectResult(run({ cors }), 'cross-origin-resource-sharing', 'cross-origin-resource-sharing-implemented-with-restricted-access');
  });
  it('the same with the Origin visible to the test: universal access', () => {
    const cors: Headers = [['access-control-allow-origin', OBSERVATORY_CORS_ORIGIN], ['access-control-allow-credentials', ' TRUE ']];
    expectResult(run({ cors, corsOrigin: OBSERVATORY_CORS_ORIGIN }), 'cross-origin-resource-sharing', 'cross-origin-resource-sharing-implemented-with-universal-access');
    expect(run({ cors: cors.slice(0, 1), corsOrigin: OBSERVATORY_CORS_ORIGIN })['cross-origin-resource-sharing']).toBe(
      'cross-origin-resource-sharing-implemented-with-restricted-access',
    );
  });
});

describe('redirection', () => {
  it('every host on the route preloaded', () => expectResult(run({ preloaded: ['example.com'] }), 'redirection', 'redirection-all-redirects-preloaded'));
  it("a 'pending' host is not preloaded", () => expect(run({ pending: ['example.com'] }).redirection).toBe('redirection-to-https'));
  it('http → https on the same host', () => expectResult(run(), 'redirection', 'redirection-to-https'));
  it('nothing on http', () => expectResult(run({ http: httpCheck([], { kind: 'error', url: 'http://example.com/', errorKind: 'refused', message: 'refused' }) }), 'redirection', 'redirection-not-needed-no-http'));
  it('no http check at all is taken as no http', () => expect(run({ http: null }).redirection).toBe('redirection-not-needed-no-http'));
  it('a failing later hop leaves the http session without a response', () => {
    const http = httpCheck([hop('http://example.com/', 301, [], 'https://gone.example.net/')], { kind: 'unresolvable-host', host: 'gone.example.net' });
    expect(run({ http }).redirection).toBe('redirection-not-needed-no-http');
  });
  it('first redirect to https on another host', () => {
    const http = httpCheck([hop('http://example.com/', 301, [], 'https://www.example.com/'), hop('https://www.example.com/', 200, HTML)]);
    expectResult(run({ http }), 'redirection', 'redirection-off-host-from-http');
  });
  it('first redirect to another http URL', () => {
    const http = httpCheck([hop('http://example.com/', 301, [], 'http://www.example.com/'), hop('http://www.example.com/', 301, [], 'https://www.example.com/'), hop('https://www.example.com/', 200, HTML)]);
    expectResult(run({ http }), 'redirection', 'redirection-not-to-https-on-initial-redirection');
  });
  it('redirects that end on http', () => {
    const http = httpCheck([hop('http://example.com/', 301, [], 'http://www.example.com/'), hop('http://www.example.com/', 200, HTML)]);
    expectResult(run({ http }), 'redirection', 'redirection-not-to-https');
  });
  it('http answers without redirecting', () => expectResult(run({ http: httpCheck([hop('http://example.com/', 200, HTML)]) }), 'redirection', 'redirection-missing'));
  it('an invalid certificate on the route', () => expectResult(run({ certValid: false }), 'redirection', 'redirection-invalid-cert'));
  it('an invalid certificate on another host of the route', () => {
    const http = httpCheck([hop('http://example.com/', 301, [], 'https://www.example.com/'), hop('https://www.example.com/', 200, HTML)]);
    expect(run({ http, certificateValidFor: (h) => h !== 'www.example.com' }).redirection).toBe('redirection-invalid-cert');
  });
  it('a redirect loop is unrolled to 11 responses: the 11th decides', () => {
    // http://a/ → http://a/x → http://a/ … : the 11th response is http://a/ (a redirect to http).
    const http = httpCheck([hop('http://example.com/', 302, [], '/x'), hop('http://example.com/x', 302, [], '/')], { kind: 'loop', url: 'http://example.com/' });
    expect(run({ http }).redirection).toBe('redirection-not-to-https');
  });
});

describe('referrer-policy', () => {
  const rp = (...values: string[]): ObservatoryTestResults => run({ headers: values.map((v): [string, string] => ['referrer-policy', v]) });
  it('private', () => expectResult(rp('strict-origin-when-cross-origin'), 'referrer-policy', 'referrer-policy-private'));
  it('absent', () => expectResult(rp(), 'referrer-policy', 'referrer-policy-not-implemented'));
  it('unsafe', () => expectResult(rp('Unsafe-URL'), 'referrer-policy', 'referrer-policy-unsafe'));
  it('not recognised', () => expectResult(rp('bogus'), 'referrer-policy', 'referrer-policy-header-invalid'));
  it('empty is invalid, not absent', () => expect(rp('')['referrer-policy']).toBe('referrer-policy-header-invalid'));
  it('the last known token wins, across repeated headers', () => {
    expect(rp('no-referrer, unsafe-url')['referrer-policy']).toBe('referrer-policy-unsafe');
    expect(rp('unsafe-url, bogus')['referrer-policy']).toBe('referrer-policy-unsafe');
    expect(rp('unsafe-url', 'no-referrer')['referrer-policy']).toBe('referrer-policy-private');
  });
  it('<meta name="referrer"> comes after the header', () => {
    const r = run({ headers: [['referrer-policy', 'no-referrer']], body: '<meta name="referrer" content="unsafe-url"><meta name=Referrer content="origin">' });
    expect(r['referrer-policy']).toBe('referrer-policy-unsafe');
  });
});

describe('strict-transport-security', () => {
  const sts = (value: string | string[], o: SiteOptions = {}): ObservatoryTestResults =>
    run({ ...o, headers: [...(Array.isArray(value) ? value : [value]).map((v): [string, string] => ['strict-transport-security', v])] });
  it('preloaded', () => expectResult(run({ preloaded: ['example.com'] }), 'strict-transport-security', 'hsts-preloaded'));
  it('preloaded overrides an invalid certificate', () => expect(run({ preloaded: ['example.com'], certValid: false })['strict-transport-security']).toBe('hsts-preloaded'));
  it('six months (15552000 accepted)', () => expectResult(sts('max-age=15552000; includeSubDomains'), 'strict-transport-security', 'hsts-implemented-max-age-at-least-six-months'));
  it('under six months', () => expectResult(sts('MAX-AGE=15551999'), 'strict-transport-security', 'hsts-implemented-max-age-less-than-six-months'));
  it('absent', () => expectResult(run(), 'strict-transport-security', 'hsts-not-implemented'));
  it('no max-age', () => expectResult(sts('includeSubDomains; preload'), 'strict-transport-security', 'hsts-header-invalid'));
  it('set twice (joined with a comma)', () => expect(sts(['max-age=31536000', 'max-age=31536000'])['strict-transport-security']).toBe('hsts-header-invalid'));
  it('"max-age = 1" (spaces) is no max-age', () => expect(sts('max-age = 31536000')['strict-transport-security']).toBe('hsts-header-invalid'));
  it('a quoted max-age is NaN upstream, which passes', () => expect(sts('max-age="60"')['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months'));
  it('no https', () => expectResult(run({ https: null }), 'strict-transport-security', 'hsts-not-implemented-no-https'));
  it('a failed https chain is no https', () =>
    expect(run({ https: chain([], '', { kind: 'error', url: 'https://example.com/', errorKind: 'refused', message: 'x' }) })['strict-transport-security']).toBe(
      'hsts-not-implemented-no-https',
    ));
  it('invalid certificate', () => expectResult(sts('max-age=31536000', { certValid: false }), 'strict-transport-security', 'hsts-invalid-cert'));
  it('HSTS is read from the final https response', () => {
    const https = chain([hop('https://example.com/', 301, [HSTS_YEAR], 'https://www.example.com/'), hop('https://www.example.com/', 200, HTML)]);
    expect(run({ https })['strict-transport-security']).toBe('hsts-not-implemented');
  });
  it('a response head over 16 KiB fails the https session (Node limit)', () => {
    const r = run({ headers: [HSTS_YEAR, ['x-big', 'a'.repeat(17_000)]] });
    expect(r['strict-transport-security']).toBe('hsts-not-implemented-no-https');
  });
  it('a loop on https: the 11th response decides which headers are read', () => {
    // A (HSTS) → B → A → … : responses 1, 3, … 11 are A.
    const https = chain([hop('https://example.com/', 302, [HSTS_YEAR], '/b'), hop('https://example.com/b', 302, [], '/')], '', { kind: 'loop', url: 'https://example.com/' });
    expect(run({ https })['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months');
  });
});

describe('subresource-integrity', () => {
  const page = (scripts: string, o: SiteOptions = {}): ObservatoryTestResults => run({ ...o, body: `<!doctype html><head>${scripts}</head><body>x</body>` });
  it('same-origin scripts with integrity over https', () =>
    expectResult(page('<script src="/a.js" integrity="sha384-x"></script>'), 'subresource-integrity', 'sri-implemented-and-all-scripts-loaded-securely'));
  it('external scripts with integrity over https', () =>
    expectResult(page('<script src="https://cdn.other.org/a.js" integrity="sha384-x"></script><script>1</script>'), 'subresource-integrity', 'sri-implemented-and-external-scripts-loaded-securely'));
  it('not HTML', () => expectResult(run({ contentType: 'application/json', body: '{}' }), 'subresource-integrity', 'sri-not-implemented-response-not-html'));
  it('no Content-Type is not HTML; "TEXT/HTML" neither', () => {
    expect(run({ contentType: null })['subresource-integrity']).toBe('sri-not-implemented-response-not-html');
    expect(run({ contentType: 'TEXT/HTML' })['subresource-integrity']).toBe('sri-not-implemented-response-not-html');
  });
  it('no script', () => expectResult(page(''), 'subresource-integrity', 'sri-not-implemented-but-no-scripts-loaded'));
  it('scripts from the same site without integrity', () =>
    expectResult(page('<script src="/a.js"></script><script src="https://static.example.com/b.js"></script><script src="http://example.com/c.js"></script>'), 'subresource-integrity', 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin'));
  it('an external https script without integrity', () =>
    expectResult(page('<script src="https://cdn.other.org/a.js"></script>'), 'subresource-integrity', 'sri-not-implemented-but-external-scripts-loaded-securely'));
  it('an external http script with integrity', () =>
    expectResult(page('<script src="http://cdn.other.org/a.js" integrity="sha384-x"></script>'), 'subresource-integrity', 'sri-implemented-but-external-scripts-not-loaded-securely'));
  it('a protocol-relative script, even on the same site, without integrity', () =>
    expectResult(page('<script src="//example.com/a.js"></script>'), 'subresource-integrity', 'sri-not-implemented-and-external-scripts-not-loaded-securely'));
  it('the worst script decides', () =>
    expect(page('<script src="http://cdn.other.org/a.js" integrity="x"></script><script src="https://cdn.other.org/b.js"></script>')['subresource-integrity']).toBe(
      'sri-not-implemented-but-external-scripts-loaded-securely',
    ));
  it('an absolute <base> makes protocol-relative scripts absolute', () =>
    expect(page('<base href="https://example.com/"><script src="//cdn.other.org/a.js" integrity="x"></script>')['subresource-integrity']).toBe(
      'sri-implemented-and-external-scripts-loaded-securely',
    ));
  it('relative scripts on an http-only site get no bonus', () => {
    const http = httpCheck([hop('http://example.com/', 200, HTML)]);
    const r = run({ https: null, http, httpBody: '<script src="/a.js" integrity="sha384-x"></script>' });
    expect(r['subresource-integrity']).toBe('sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
  });
  it('a body that parses as JSON is the parsed value (axios)', () => expect(run({ body: '{"a":"<script src=//x.org/a.js></script>"}' })['subresource-integrity']).toBe('sri-not-implemented-but-no-scripts-loaded'));
  it('a page the parser cannot read', () => expectResult(page(THROW_MARKER), 'subresource-integrity', 'html-not-parseable'));
});

describe('x-content-type-options', () => {
  const xcto = (...v: string[]): ObservatoryTestResults => run({ headers: v.map((x): [string, string] => ['x-content-type-options', x]) });
  it('nosniff (any case, trimmed)', () => expectResult(xcto(' NoSniff '), 'x-content-type-options', 'x-content-type-options-nosniff'));
  it('absent (or empty)', () => {
    expectResult(xcto(), 'x-content-type-options', 'x-content-type-options-not-implemented');
    expect(xcto('')['x-content-type-options']).toBe('x-content-type-options-not-implemented');
  });
  it('anything else, including two nosniff headers', () => {
    expectResult(xcto('nosniff; mode=block'), 'x-content-type-options', 'x-content-type-options-header-invalid');
    expect(xcto('nosniff', 'nosniff')['x-content-type-options']).toBe('x-content-type-options-header-invalid');
  });
});

describe('x-frame-options', () => {
  const xfo = (v: string | null, extra: Headers = [], body?: string): ObservatoryTestResults =>
    run({ headers: [...(v === null ? [] : [['x-frame-options', v] as [string, string]]), ...extra], body });
  it('CSP frame-ancestors (any value)', () => expectResult(xfo('bogus', [['content-security-policy', "default-src 'self'; frame-ancestors *"]]), 'x-frame-options', 'x-frame-options-implemented-via-csp'));
  it('frame-ancestors from a <meta> policy counts too', () =>
    expect(xfo(null, [], `<meta http-equiv="content-security-policy" content="default-src 'self'; frame-ancestors 'none'">`)['x-frame-options']).toBe('x-frame-options-implemented-via-csp'));
  it('not when the CSP is invalid', () => expect(xfo(null, [['content-security-policy', "frame-ancestors 'none'; frame-ancestors 'none'"]])['x-frame-options']).toBe('x-frame-options-not-implemented'));
  it('DENY / SAMEORIGIN', () => {
    expectResult(xfo(' deny '), 'x-frame-options', 'x-frame-options-sameorigin-or-deny');
    expect(xfo('SameOrigin')['x-frame-options']).toBe('x-frame-options-sameorigin-or-deny');
  });
  it('ALLOW-FROM', () => expectResult(xfo('ALLOW-FROM https://example.net/'), 'x-frame-options', 'x-frame-options-allow-from-origin'));
  it('absent', () => expectResult(xfo(null), 'x-frame-options', 'x-frame-options-not-implemented'));
  it('invalid, including a repeated header', () => {
    expectResult(xfo('DENY, DENY'), 'x-frame-options', 'x-frame-options-header-invalid');
    expect(run({ headers: [['x-frame-options', 'DENY'], ['x-frame-options', 'DENY']] })['x-frame-options']).toBe('x-frame-options-header-invalid');
  });
});

describe('cross-origin-resource-policy', () => {
  const corp = (v: string | null): ObservatoryTestResults => run({ headers: v === null ? [] : [['cross-origin-resource-policy', v]] });
  it('absent', () => expectResult(corp(null), 'cross-origin-resource-policy', 'corp-not-implemented'));
  it('same-origin', () => expectResult(corp('Same-Origin'), 'cross-origin-resource-policy', 'corp-implemented-with-same-origin'));
  it('same-site', () => expectResult(corp(' same-site '), 'cross-origin-resource-policy', 'corp-implemented-with-same-site'));
  it('cross-origin', () => expectResult(corp('cross-origin'), 'cross-origin-resource-policy', 'corp-implemented-with-cross-origin'));
  it('invalid', () => expectResult(corp('same-origin; report-to=x'), 'cross-origin-resource-policy', 'corp-header-invalid'));
});

describe('whole sites', () => {
  const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/observatory');
  interface Fixture {
    id: string;
    produced: { trustedCa: boolean; httpMode: 'redirect' | 'serve' };
    serverHeaders: Record<string, string>;
    observatory: { score: number; tests: Record<string, { result: string }> };
  }
  for (const id of ['bare-untrusted', 'strong', 'middling', 'extra-credit-at-90', 'no-extra-credit-at-85']) {
    it(`reproduces the real Observatory's results on the ${id} fixture`, () => {
      const fx = JSON.parse(readFileSync(path.join(FIXTURES, `${id}.json`), 'utf8')) as Fixture;
      const headers: Headers = [['content-type', 'text/html'], ...Object.entries(fx.serverHeaders)];
      const page = hop('https://localhost/', 200, headers);
      const http =
        fx.produced.httpMode === 'redirect'
          ? httpCheck([hop('http://localhost/', 301, [], 'https://localhost/'), page])
          : httpCheck([hop('http://localhost/', 200, headers)]);
      const r = observatoryResults({
        host: 'localhost',
        https: chain([page], '<!doctype html><title>fixture</title>'),
        http,
        httpsCertificateValid: fx.produced.trustedCa,
        corsResponseHeaders: null,
        preloaded: () => 'not',
      });
      const results = Object.fromEntries(OBSERVATORY_TEST_NAMES.map((t) => [t, r[t]]));
      expect(results).toEqual(Object.fromEntries(Object.entries(fx.observatory.tests).map(([t, v]) => [t, v.result])));
      expect(observatoryScore(r).score).toBe(fx.observatory.score);
      expect(r.scanError).toBeNull();
    });
  }

  it('a hardened site with SRI and CORP scores 140', () => {
    const r = run({
      headers: [
        ['content-security-policy', "default-src 'none'; script-src 'self'; frame-ancestors 'none'"],
        HSTS_YEAR,
        ['x-content-type-options', 'nosniff'],
        ['referrer-policy', 'no-referrer'],
        ['cross-origin-resource-policy', 'same-origin'],
        ['set-cookie', '__Host-session=1; Path=/; Secure; HttpOnly; SameSite=Lax'],
      ],
      body: '<script src="/app.js" integrity="sha384-abc"></script>',
    });
    // +10 CSP (default-src is 'none' alone), +5 cookies, +5 referrer, +5 SRI, +5 XFO via CSP, +10 CORP.
    expect(observatoryScore(r)).toMatchObject({ score: 140, grade: 'A+', extraCredit: true });
  });

  it('an http-only site with cookies and inline scripts fails', () => {
    const http = httpCheck([hop('http://example.com/', 200, [...HTML, ['set-cookie', 'PHPSESSID=1']])]);
    const r = run({ https: null, http, httpBody: '<script src="http://cdn.other.org/jquery.js"></script>' });
    expect(r).toMatchObject({ cookies: 'cookies-session-without-secure-flag', redirection: 'redirection-missing', 'strict-transport-security': 'hsts-not-implemented-no-https' });
    // -25 CSP -40 cookies -20 redirection -20 HSTS -50 SRI -5 XCTO -20 XFO → floored at 0.
    expect(observatoryScore(r)).toMatchObject({ score: 0, grade: 'F' });
  });

  it('the Observatory refuses a 5xx page, and a site that is down', () => {
    expect(run({ https: chain([hop('https://example.com/', 503, HTML)]) }).scanError).toMatch(/503/);
    expect(run({ https: null, http: null }).scanError).toMatch(/down/);
    expect(run({ https: chain([hop('https://example.com/', 403, HTML)]) }).scanError).toBeNull();
  });
});

describe('the retriever (issue 15, HTTP items 9–13)', () => {
  const tlsHop = (h: FetchHop, authorized: boolean, error: string | null = authorized ? null : 'DEPTH_ZERO_SELF_SIGNED_CERT'): FetchHop => ({ ...h, tls: { authorized, error } });
  const page = (html: string): ObservatoryTestResults => run({ body: `<!doctype html><head></head><body>${html}</body>` });

  it('item 9: with no https response the http page is graded, its body read from the http chain', () => {
    const httpHop = hop('http://example.com/', 200, [...HTML, ['content-security-policy', "default-src 'self'"]]);
    const http: HttpToHttpsResult = { ...httpCheck([httpHop]), final: { url: httpHop.url, status: 200, headers: httpHop.headers, contentType: 'text/html', body: Buffer.from('<script src="http://cdn.other.org/a.js"></script>'), bytesRead: 0, truncated: false } };
    const down = chain([], '', { kind: 'error', url: 'https://example.com/', errorKind: 'refused', message: 'connection refused' });
    const r = run({ https: down, http });
    expect(r).toMatchObject({ 'content-security-policy': 'csp-implemented-with-no-unsafe', 'subresource-integrity': 'sri-not-implemented-and-external-scripts-not-loaded-securely', scanError: null, notGraded: null });
    expect(observatoryFollowUps({ ...site({ https: down, http }), https: down, http })).toEqual({ auto: 'http', retried: false, robotsUrl: null, lastUrl: 'http://example.com/' });
  });

  it('item 10: a final 4xx/5xx, or no response at all, is typed as not graded', () => {
    expect(run({ https: chain([hop('https://example.com/', 404, HTML)]) }).notGraded).toEqual({ kind: 'unexpected-status', statusCode: 404, reason: 'Site did respond with an unexpected HTTP status code 404.' });
    expect(run({ https: chain([hop('https://example.com/', 101, HTML)]) }).notGraded?.kind).toBe('unexpected-status');
    expect(run({ https: null, http: null }).notGraded).toEqual({ kind: 'site-down', statusCode: null, reason: 'The site seems to be down.' });
    for (const ok of [200, 204, 301, 401, 403]) expect(run({ https: chain([hop('https://example.com/', ok, HTML)]) }).notGraded).toBeNull();
  });

  it("item 11: Node's verdict on each https hop decides, whichever host it is on", () => {
    const https = chain([tlsHop(hop('https://example.com/', 302, [HSTS_YEAR], 'https://www.example.com/'), true), tlsHop(hop('https://www.example.com/', 200, [...HTML, HSTS_YEAR]), false)]);
    const http = httpCheck([hop('http://example.com/', 301, [], 'https://example.com/'), ...https.hops]);
    // The target's own certificate is fine by the certificate probe: the hop verdicts still win.
    const r = run({ https, http, certValid: true });
    expect(r['strict-transport-security']).toBe('hsts-invalid-cert');
    expect(r.redirection).toBe('redirection-invalid-cert');
    // And a hop verdict of "valid" wins over an invalid fallback.
    const clean = chain([tlsHop(hop('https://example.com/', 200, [...HTML, HSTS_YEAR]), true)]);
    expect(run({ https: clean, certValid: false })['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months');
  });

  it("items 11/13: the retry keeps session.js' redirect count, so with the bad certificate on response i at most 11 − i responses are read", () => {
    const CSP: [string, string] = ['content-security-policy', "default-src 'self'"];
    // https://example.com/ (valid) → bad.example.net/ → /b1 … /b9 (200 with a CSP): 11 responses, the bad certificate on the 2nd.
    const bad = Array.from({ length: 9 }, (_, i) => tlsHop(hop(`https://bad.example.net/${i === 0 ? '' : `b${i}`}`, 302, HTML, `/b${i + 1}`), false));
    const end = tlsHop(hop('https://bad.example.net/b9', 200, [...HTML, CSP]), false);
    const hops = [tlsHop(hop('https://example.com/', 302, [], 'https://bad.example.net/'), true), ...bad, end];
    const r = run({ https: chain(hops, '<p>end</p>') });
    // The retried chain stops on /b8's 302 (its 10th response): /b9 and its CSP are never fetched.
    expect(r['content-security-policy']).toBe('csp-not-implemented');
    expect(r['strict-transport-security']).toBe('hsts-invalid-cert');
    // With the bad certificate on the first response nothing is deducted: the 11th response is read.
    const allBad = hops.map((h) => ({ ...h, tls: { authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }));
    expect(run({ https: chain(allBad, '<p>end</p>') })['content-security-policy']).toBe('csp-implemented-with-no-unsafe');
    // A failure past the shortened chain is never reached: the session still has its response.
    const failsLate = chain(hops.slice(0, 10), '', { kind: 'error', url: 'https://bad.example.net/b9', errorKind: 'refused', message: 'connection refused' });
    expect(run({ https: failsLate, http: null })).toMatchObject({ notGraded: null, 'strict-transport-security': 'hsts-invalid-cert' });
  });

  it('item 11: a certificate error outside the retry list fails the session like any other error', () => {
    const https = chain([tlsHop(hop('https://example.com/', 200, [...HTML, HSTS_YEAR]), false, 'EE_KEY_TOO_SMALL')]);
    const r = run({ https, http: httpCheck([hop('http://example.com/', 200, HTML)]) });
    expect(r['strict-transport-security']).toBe('hsts-not-implemented-no-https');
    expect(CERT_ERROR_CODES.has('ERR_TLS_CERT_ALTNAME_INVALID')).toBe(true);
    expect(CERT_ERROR_CODES.has('EE_KEY_TOO_SMALL')).toBe(false);
  });

  it('item 13, a deliberate reproduction of the 1.4.8 quirk: after a retry, robots.txt is fetched and a 2xx answer sends the CORS request there', () => {
    const https = chain([tlsHop(hop('https://example.com:8443/', 200, HTML), false)]);
    const f = observatoryFollowUps({ ...site({ https }), https, http: null });
    expect(f).toEqual({ auto: 'https', retried: true, robotsUrl: 'https://example.com:8443/robots.txt', lastUrl: 'https://example.com:8443/' });
    expect(observatoryCorsUrl(f, 200)).toBe('https://example.com:8443/robots.txt');
    expect(observatoryCorsUrl(f, 404)).toBe('https://example.com:8443/');
    expect(observatoryCorsUrl(f, null)).toBe('https://example.com:8443/');
    const verified = chain([tlsHop(hop('https://example.com/', 302, [], '/home'), true), tlsHop(hop('https://example.com/home', 200, HTML), true)]);
    expect(observatoryFollowUps({ ...site({ https: verified }), https: verified, http: null })).toEqual({ auto: 'https', retried: false, robotsUrl: null, lastUrl: 'https://example.com/home' });
  });

  it('item 13, a deliberate reproduction of the 1.4.8 quirk: after a retry the https responses of robots.txt and CORS (any status, redirects too) feed the jar; http ones do not', () => {
    const https = chain([tlsHop(hop('https://example.com/', 200, HTML), false)]);
    const ev = site({ https });
    ev.robots = {
      url: 'https://example.com/robots.txt',
      status: 404,
      headers: [],
      hops: [hop('https://example.com/robots.txt', 301, [['set-cookie', 'a=1; Secure']], 'http://example.com/robots.txt'), hop('http://example.com/robots.txt', 404, [['set-cookie', 'sessionid=plain']])],
    };
    ev.corsUrl = 'https://example.com/';
    ev.corsHops = [hop('https://example.com/', 405, [['set-cookie', 'login=1; Secure']])];
    ev.corsResponseHeaders = ev.corsHops[0]!.headers;
    ev.corsStatus = 405;
    const r = observatoryResults(ev);
    // login (from the CORS answer) lacks HttpOnly; sessionid came over http, outside the jar.
    expect(r.cookies).toBe('cookies-session-without-httponly-flag');
    expect(r.details.cookies).toMatch(/a, login stored from the robots\.txt or CORS answer.*deliberate reproduction/);
    // Without the retry none of it counts.
    const verified = chain([tlsHop(hop('https://example.com/', 200, HTML), true)]);
    expect(observatoryResults({ ...ev, https: verified }).cookies).toBe('cookies-not-found');
  });

  it('item 13, a deliberate reproduction of the 1.4.8 quirk: the CORS test says when it judged robots.txt', () => {
    const https = chain([tlsHop(hop('https://example.com/', 200, HTML), false)]);
    const r = observatoryResults({ ...site({ https, cors: [['access-control-allow-origin', '*']] }), corsUrl: 'https://example.com/robots.txt' });
    expect(r['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-implemented-with-public-access');
    expect(r.details['cross-origin-resource-sharing']).toMatch(/went to https:\/\/example\.com\/robots\.txt, not the page.*deliberate reproduction/);
  });

  it('R9: without a retry, a bad certificate on the CORS route means no answer', () => {
    const cors: Array<[string, string]> = [['access-control-allow-origin', '*']];
    const ev = { ...site({ cors }), corsUrl: 'https://example.com/', corsHops: [tlsHop(hop('https://example.com/', 302, [], 'https://cdn.example.net/'), true), tlsHop(hop('https://cdn.example.net/', 200, cors), false)] };
    expect(observatoryResults(ev)['cross-origin-resource-sharing']).toBe('cross-origin-resource-sharing-not-implemented');
    expect(observatoryResults({ ...ev, corsHops: ev.corsHops.map((h) => ({ ...h, tls: { authorized: true, error: null } })) })['cross-origin-resource-sharing']).toBe(
      'cross-origin-resource-sharing-implemented-with-public-access',
    );
  });

  it('item 12: <meta> is read as jsdom reads a <template> fragment, scripts as it reads a document', () => {
    const r = page(
      '<template><meta http-equiv="Content-Security-Policy" content="script-src *"><script src="http://cdn.other.org/t.js"></script></template>' +
        '<noscript><meta name="referrer" content="unsafe-url"></noscript><svg><script src="http://cdn.other.org/s.js"></script></svg>',
    );
    expect(r['content-security-policy']).toBe('csp-not-implemented');
    expect(r['referrer-policy']).toBe('referrer-policy-not-implemented');
    expect(r['subresource-integrity']).toBe('sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
    // <noscript> in a document (scripting disabled): its script counts.
    expect(page('<noscript><script src="http://cdn.other.org/n.js"></script></noscript>')['subresource-integrity']).toBe('sri-not-implemented-and-external-scripts-not-loaded-securely');
  });
});

describe('coverage', () => {
  it('every result id of OBSERVATORY_TESTS was asserted above', () => {
    const all = OBSERVATORY_TEST_NAMES.flatMap((t) => Object.keys(OBSERVATORY_TESTS[t]).map((res) => `${t}/${res}`));
    expect(all).toHaveLength(66); // 11 + 10 + 4 + 8 + 4 + 7 + 9 (with html-not-parseable) + 3 + 5 + 5
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
  });
});
