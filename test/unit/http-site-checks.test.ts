import { describe, expect, it } from 'vitest';
import { checkHttpSite, siteCookies } from '../../src/http/site-checks.js';
import { emptyHttp } from '../../src/engine/sections.js';
import { gradedHttp } from '../../src/grade/site.js';
import { httpSiteFields } from '../../src/http/site-fields.js';
import type { HttpSiteEvidence } from '../../src/http/site-evidence.js';
import { HttpResultSchema } from '../../src/model/report.js';
import { Value } from '@sinclair/typebox/value';
import { chain, httpCheck, siteEvidence } from '../helpers/http-evidence.js';

const STRONG = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const ids = (ev: Parameters<typeof checkHttpSite>[0]) => checkHttpSite(ev).map((f) => [f.id, f.severity] as const);
const idSet = (ev: Parameters<typeof checkHttpSite>[0]) => new Set(checkHttpSite(ev).map((f) => f.id));

describe('site checks: redirects and the http → https upgrade', () => {
  it('a strong site has only informational CSP notes', () => {
    expect(ids(siteEvidence({ headers: STRONG })).filter(([, s]) => s !== 'info')).toEqual([]);
  });

  it.each([
    ['no-redirect', 'http.redirect.missing', 'medium'],
    ['redirects-to-https-not-first', 'http.redirect.not-first-to-https', 'low'],
    ['redirects-to-https-other-host-first', 'http.redirect.off-host-first', 'low'],
    ['no-http', 'http.redirect.no-http', 'info'],
  ] as const)('http status %s → %s', (status, id, severity) => {
    const hops = status === 'no-http' ? [] : [{ url: 'http://site.test/', ...(status === 'no-redirect' ? {} : { location: status === 'redirects-to-https-other-host-first' ? 'https://www.site.test/' : 'http://site.test/x' }) }];
    const f = ids(siteEvidence({ headers: STRONG, http: httpCheck(status, hops, status === 'no-http' ? 'connection refused' : null) }));
    expect(f).toContainEqual([id, severity]);
  });

  it('redirects that never reach https: a finding naming the route', () => {
    const f = checkHttpSite(siteEvidence({ headers: STRONG, http: httpCheck('redirects-not-to-https', [{ url: 'http://site.test/', location: 'http://site.test/a' }, { url: 'http://site.test/a' }]) }));
    const r = f.find((x) => x.id === 'http.redirect.not-to-https');
    expect(r?.severity).toBe('medium');
    expect(r?.evidence).toMatchObject({ url: 'http://site.test/', hops: [{ status: 301, location: 'http://site.test/a' }, { status: 200 }] });
  });

  it('a loop, too many redirects and a javascript: Location on the https route are findings; a timeout is could-not-test', () => {
    const on = (stop: NonNullable<NonNullable<Parameters<typeof chain>[1]>['stop']>) =>
      idSet(siteEvidence({ https: chain([{ url: 'https://site.test/', headers: STRONG, location: 'https://site.test/a' }], { stop }) }));
    expect(on({ kind: 'loop', url: 'https://site.test/' })).toContain('http.redirect.loop');
    expect(on({ kind: 'too-many-redirects', limit: 10 })).toContain('http.redirect.too-many-redirects');
    expect(on({ kind: 'unsupported-scheme', location: 'javascript:alert(1)', scheme: 'javascript' })).toContain('http.redirect.unsupported-scheme');
    const timeout = on({ kind: 'error', url: 'https://site.test/a', errorKind: 'timeout', message: 'no HTTP response within 100 ms' });
    expect(timeout).toContain('http.redirect.https-route.untested');
    expect([...timeout].filter((i) => i.startsWith('http.redirect.') && !i.endsWith('.untested'))).toEqual([]);
  });

  it("another host on the route with a certificate Node rejects is a high finding; the target's own is left to the certificate checks", () => {
    const bad = chain([{ url: 'https://site.test/', location: 'https://www.site.test/' }, { url: 'https://www.site.test/', headers: STRONG }]);
    bad.hops[0]!.tls = { authorized: true, error: null };
    bad.hops[1]!.tls = { authorized: false, error: 'CERT_HAS_EXPIRED' };
    const f = checkHttpSite(siteEvidence({ https: bad })).find((x) => x.id === 'http.redirect.invalid-cert');
    expect(f).toMatchObject({ severity: 'high', evidence: { hosts: ['www.site.test'], hops: [{ url: 'https://www.site.test/', error: 'CERT_HAS_EXPIRED' }] } });
    const ownOnly = chain([{ url: 'https://site.test/', headers: STRONG }]);
    ownOnly.hops[0]!.tls = { authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' };
    expect(idSet(siteEvidence({ https: ownOnly }))).not.toContain('http.redirect.invalid-cert');
  });

  it('an https → http hop is a high finding', () => {
    const ev = siteEvidence({ https: chain([{ url: 'https://site.test/', location: 'http://site.test/plain' }, { url: 'http://site.test/plain', headers: STRONG }]) });
    expect(ids(ev)).toContainEqual(['http.redirect.downgrade', 'high']);
  });
});

describe('site checks: HSTS where it applies', () => {
  it.each([
    [{}, 'http.hsts.missing'],
    [{ 'strict-transport-security': 'max-age=abc' }, 'http.hsts.invalid'],
    [{ 'strict-transport-security': 'max-age=0' }, 'http.hsts.disabled'],
    [{ 'strict-transport-security': 'max-age=86400' }, 'http.hsts.short-max-age'],
    [{ 'strict-transport-security': 'max-age=15768000; includeSubDomains' }, 'http.hsts.under-one-year'],
    [{ 'strict-transport-security': 'max-age=31536000' }, 'http.hsts.no-include-subdomains'],
    [{ 'strict-transport-security': 'max-age=31536000; preload' }, 'http.hsts.preload-not-listed'],
  ])('%j → %s', (headers, id) => {
    expect(idSet(siteEvidence({ headers: { ...STRONG, 'strict-transport-security': undefined as unknown as string, ...headers } }))).toContain(id);
  });

  it('HSTS sent on the first https hop of the host counts even when the page is elsewhere on the host', () => {
    const ev = siteEvidence({
      https: chain([{ url: 'https://site.test/', location: '/en/', headers: { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } }, { url: 'https://site.test/en/', headers: { ...STRONG, 'strict-transport-security': undefined as unknown as string } }]),
    });
    expect([...idSet(ev)].filter((i) => i.startsWith('http.hsts.'))).toEqual([]);
  });

  it('preloaded hosts with the directive are not told to submit', () => {
    const ev = siteEvidence({ headers: { ...STRONG, 'strict-transport-security': 'max-age=63072000; includeSubDomains; preload' }, preload: { 'site.test': 'preloaded' } });
    expect(idSet(ev)).not.toContain('http.hsts.preload-not-listed');
  });
});

describe('site checks: CSP, cookies, CORS, SRI, security.txt', () => {
  it('a <meta> CSP is judged when no header policy exists; report-only stays report-only', () => {
    const meta = siteEvidence({ headers: { ...STRONG, 'content-security-policy': undefined as unknown as string }, body: `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline'"></head></html>` });
    const f = checkHttpSite(meta).filter((x) => x.id.startsWith('http.csp.'));
    expect(f.map((x) => x.id)).toContain('http.csp.script-unsafe-inline');
    expect(f.map((x) => x.id)).not.toContain('http.csp.missing');
    expect(f.find((x) => x.id === 'http.csp.script-unsafe-inline')?.evidence).toMatchObject({ source: 'meta' });
    const ro = siteEvidence({ headers: { ...STRONG, 'content-security-policy': undefined as unknown as string, 'content-security-policy-report-only': "default-src 'self'" } });
    expect(ids(ro)).toContainEqual(['http.csp.missing', 'medium']);
  });

  it('cookies: set over plain HTTP on the http route and on the https page, each counted once', () => {
    const ev = siteEvidence({
      headers: { ...STRONG, 'set-cookie': ['__Host-sid=1; Secure; HttpOnly; SameSite=Lax; Path=/'] },
      http: httpCheck('redirects-to-https-same-host', [
        { url: 'http://site.test/', location: 'https://site.test/', headers: { 'set-cookie': 'tracking=1; Path=/' } },
        { url: 'https://site.test/', headers: { 'set-cookie': '__Host-sid=1; Secure; HttpOnly; SameSite=Lax; Path=/' } },
      ]),
    });
    const cookies = siteCookies(ev);
    expect(cookies.cookies.map((c) => [c.name, c.fromUrl])).toEqual([['tracking', 'http://site.test/'], ['__Host-sid', 'https://site.test/']]);
    expect(idSet(ev)).toContain('http.cookie.set-over-http');
    expect(idSet(ev)).not.toContain('http.cookie.no-secure');
  });

  it('a CORS preflight answer that reflects our Origin with credentials is high', () => {
    const ev = siteEvidence({
      headers: STRONG,
      cors: {
        origin: 'https://http-observatory.security.mozilla.org',
        url: 'https://site.test/',
        status: 200,
        headers: [['access-control-allow-origin', 'https://http-observatory.security.mozilla.org'], ['access-control-allow-credentials', 'true']],
        error: null,
      },
    });
    expect(ids(ev)).toContainEqual(['http.cors.reflected-origin', 'high']);
  });

  it('SRI and mixed content are read from the HTML page only', () => {
    const body = '<script src="https://cdn.example.net/x.js"></script><img src="http://img.example.net/a.png">';
    const html = idSet(siteEvidence({ headers: STRONG, body }));
    expect(html).toContain('http.sri.missing');
    expect(html).toContain('http.mixed-content.passive');
    const json = idSet(siteEvidence({ headers: { ...STRONG, 'content-type': 'application/json' }, body }));
    expect(json).not.toContain('http.sri.missing');
  });

  it('security.txt: issues pass through; a failed fetch is could-not-test', () => {
    const base = { url: 'https://site.test/.well-known/security.txt', finalUrl: null, statusCode: null, contentType: null, bytesRead: 0, truncated: false, signed: false, fields: null, expiresAt: null, issues: [], valid: false };
    expect(idSet(siteEvidence({ headers: STRONG, securityTxt: { ...base, status: 'error', reason: 'connection reset by the server' } }))).toContain('http.security-txt.untested');
  });
});

/** The report's http object as a scan makes it: the probe's fields, then the grades of src/grade. */
const httpSiteReport = (ev: HttpSiteEvidence) => gradedHttp({ ...emptyHttp(ev.url), status: 'ok', ...httpSiteFields(ev) }, ev).http;

describe('the http report object', () => {
  it('carries both grades, the redirect check and the CORS answer, and fits the schema', () => {
    const ev = siteEvidence({ headers: { ...STRONG, 'set-cookie': '__Host-sid=1; Secure; HttpOnly; SameSite=Lax; Path=/' } });
    const r = httpSiteReport(ev);
    expect(r).toMatchObject({
      score: 130,
      grade: 'A+',
      finalUrl: 'https://site.test/',
      statusCode: 200,
      httpRedirect: { status: 'redirects-to-https-same-host', port: 80 },
      securityHeaders: { grade: 'A+', missing: [] },
      hsts: { maxAge: 31536000, includeSubDomains: true, preload: false, preloaded: false },
    });
    expect(r.observatory?.tests).toHaveLength(10);
    expect(r.observatory?.tests.every((t) => t.detail.length > 0)).toBe(true);
    expect(Value.Errors(HttpResultSchema, r).First()).toBeUndefined();
  });

  it('an unsafe-inline CSP is a securityheaders warning (A, not A+) and costs 20 Observatory points', () => {
    const r = httpSiteReport(siteEvidence({ headers: { ...STRONG, 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'" } }));
    expect(r.securityHeaders).toMatchObject({ grade: 'A', warnings: ["the CSP allows 'unsafe-inline' scripts"] });
    expect(r.observatory?.tests.find((t) => t.test === 'content-security-policy')).toMatchObject({ result: 'csp-implemented-with-unsafe-inline', modifier: -20 });
    // 100 - 20 = 80: below 90, so the +25 of bonuses (referrer, framing via CSP, CORP) do not count.
    expect(r.score).toBe(80);
  });

  it('a final 4xx/5xx: the Observatory does not grade (no score, letter or tests; the reason typed), our findings stay', () => {
    for (const status of [404, 500]) {
      const ev = siteEvidence({ headers: { 'x-frame-options': 'DENY' } });
      ev.https = chain([{ url: 'https://site.test/', status, headers: { 'content-type': 'text/html' } }]);
      const g = gradedHttp({ ...emptyHttp(ev.url), status: 'ok', ...httpSiteFields(ev) }, ev);
      expect(g.http).toMatchObject({ statusCode: status, score: null, grade: null, observatory: null });
      expect(g.http.observatoryNotGraded).toEqual({ kind: 'unexpected-status', statusCode: status, reason: `Site did respond with an unexpected HTTP status code ${status}.` });
      expect(g.undecided).toBe(`the MDN Observatory does not grade this site: Site did respond with an unexpected HTTP status code ${status}.`);
      expect(g.http.securityHeaders).not.toBeNull();
      expect(Value.Errors(HttpResultSchema, g.http).First()).toBeUndefined();
      expect(idSet(ev)).toContain('http.csp.missing');
    }
  });

  it('an http-only site: the page, headers and cookies come from the http chain', () => {
    const ev = siteEvidence();
    ev.https = { url: 'https://site.test/', hops: [], final: null, stop: { kind: 'error', url: 'https://site.test/', errorKind: 'refused', message: 'connection refused' }, downgraded: false, durationMs: 1 };
    const plain = chain([{ url: 'http://site.test/', headers: { 'content-security-policy': "default-src 'self'", 'set-cookie': 'sid=1' } }], { body: '<img src="http://x.test/a.png">' });
    ev.http = { ...httpCheck('no-redirect', [{ url: 'http://site.test/', headers: { 'content-security-policy': "default-src 'self'", 'set-cookie': 'sid=1' } }]), final: plain.final };
    const r = httpSiteReport(ev);
    expect(r).toMatchObject({ finalUrl: 'http://site.test/', statusCode: 200, headers: { 'content-security-policy': "default-src 'self'" } });
    expect(r.observatory?.tests.find((t) => t.test === 'strict-transport-security')?.result).toBe('hsts-not-implemented-no-https');
    expect(r.score).not.toBeNull();
    const found = idSet(ev);
    expect(found).toContain('http.redirect.missing');
    expect(found).not.toContain('http.csp.missing');
    expect(found).not.toContain('http.hsts.missing'); // HSTS applies to https responses only
  });

  it('an invalid certificate costs the HSTS and redirection tests, as the Observatory scores it', () => {
    const r = httpSiteReport(siteEvidence({ headers: STRONG, certificateValid: false }));
    expect(r.observatory?.tests.filter((t) => t.modifier < 0).map((t) => t.result)).toEqual(['redirection-invalid-cert', 'hsts-invalid-cert']);
    expect(r.score).toBe(60);
  });
});
