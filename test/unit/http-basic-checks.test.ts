import { describe, expect, it } from 'vitest';
import { checkHttpBasic, httpBasicProbe, type HttpBasicEvidence } from '../../probes/http-basic.js';
import type { HttpResult } from '../../src/model/report.js';

const ev = (headers: Record<string, string>, setCookies: string[] = []): HttpBasicEvidence => ({
  url: 'https://site.test/',
  statusCode: 200,
  headers: { 'strict-transport-security': 'max-age=31536000', ...headers },
  hsts: { maxAge: 31536000, includeSubDomains: false, preload: false, preloaded: false },
  hstsError: null,
  location: null,
  setCookies: setCookies.map((value) => ({ url: 'https://site.test/', value })),
  at: '2026-11-22T00:00:00.000Z',
});
const ids = (e: HttpBasicEvidence) => checkHttpBasic(e).map((f) => [f.id, f.severity]);

describe('http-basic checks: CSP and cookies', () => {
  it("the CSP evaluator's issues become findings with their severity", () => {
    const f = ids(ev({ 'content-security-policy': "script-src 'self' 'unsafe-inline'; object-src 'none'" }));
    expect(f).toContainEqual(['http.csp.script-unsafe-inline', 'high']);
  });

  it('a report-only policy is judged as report-only: nothing above low, and said so', () => {
    const f = ids(ev({ 'content-security-policy-report-only': "script-src 'unsafe-inline'" }));
    expect(f).toContainEqual(['http.csp.missing', 'medium']);
    expect(f).toContainEqual(['http.csp.report-only', 'info']);
    expect(f.filter(([id]) => String(id).startsWith('http.csp.') && id !== 'http.csp.missing').every(([, s]) => s === 'low' || s === 'info')).toBe(true);
  });

  it('cookies: issues from every Set-Cookie, and the report lists them parsed', () => {
    const e = ev({ 'content-security-policy': "default-src 'self'" }, ['sessionid=abc; Path=/', 'theme=dark; Secure; SameSite=Lax']);
    const f = ids(e);
    expect(f).toContainEqual(['http.cookie.no-secure', 'medium']);
    expect(f).toContainEqual(['http.cookie.no-httponly', 'medium']);
    expect((httpBasicProbe.report(e) as Partial<HttpResult>).cookies).toEqual([
      { name: 'sessionid', secure: false, httpOnly: false, sameSite: null, domain: null, path: '/', expires: null, maxAge: null },
      { name: 'theme', secure: true, httpOnly: false, sameSite: 'Lax', domain: null, path: null, expires: null, maxAge: null },
    ]);
  });
});
