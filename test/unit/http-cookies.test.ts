import { describe, expect, it } from 'vitest';
import { analyseCookies, isSessionLike } from '../../src/http/cookies.js';
import { FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';
import { Value } from '@sinclair/typebox/value';

const URL_ = 'https://www.example.com/login';
const now = new Date('2026-01-01T00:00:00Z');
const analyse = (values: string[], url = URL_) =>
  analyseCookies(values.map((value) => ({ url, value })), { scheme: 'https', host: 'www.example.com', now });
const ids = (values: string[], url?: string) => analyse(values, url).issues.map((i) => i.id).sort();

describe('analyseCookies', () => {
  it('parses attributes with undici (case, leading dot, Max-Age, Expires)', () => {
    const { cookies, issues } = analyse([
      '__Host-sid=abc; Secure; HttpOnly; Path=/; SameSite=Strict',
      'pref=dark; domain=.Example.com; path=/app; expires=Wed, 21 Oct 2026 07:28:00 GMT; samesite=lax; secure',
    ]);
    expect(cookies[0]).toEqual({
      name: '__Host-sid', secure: true, httpOnly: true, sameSite: 'Strict', domain: null, path: '/', expires: null, maxAge: null,
      prefix: '__Host-', sessionLike: true, fromUrl: URL_,
    });
    expect(cookies[1]).toMatchObject({ name: 'pref', domain: 'example.com', path: '/app', sameSite: 'Lax', expires: '2026-10-21T07:28:00.000Z', sessionLike: false, prefix: null });
    expect(issues.map((i) => i.id)).toEqual(['http.cookie.broad-domain']);
    for (const i of issues) expect(Value.Check(FindingSchema, withSubject(i, `url:${URL_}`))).toBe(true);
  });

  it('flags a session cookie without Secure, HttpOnly or SameSite at the session severity', () => {
    const { issues } = analyse(['PHPSESSID=1', 'theme=light']);
    const byId = Object.fromEntries(issues.map((i) => [i.id, i]));
    expect(Object.keys(byId).sort()).toEqual(['http.cookie.no-httponly', 'http.cookie.no-secure', 'http.cookie.samesite-missing']);
    expect(byId['http.cookie.no-secure']).toMatchObject({ severity: 'medium', evidence: { count: 2 } });
    expect(byId['http.cookie.no-httponly']).toMatchObject({ severity: 'medium', evidence: { count: 1, cookies: [{ name: 'PHPSESSID', url: URL_ }] } });
    expect(byId['http.cookie.samesite-missing']?.severity).toBe('low');
    expect(byId['http.cookie.no-secure']?.detail).toContain('PHPSESSID, theme');
  });

  it('on plain http: no call for Secure (it could not be set there), but setting a cookie in clear text is the finding', () => {
    expect(ids(['theme=1; SameSite=Lax'], 'http://www.example.com/')).toEqual(['http.cookie.set-over-http']);
  });

  it('recognises session-like names and spares anti-CSRF tokens', () => {
    for (const n of ['sessionid', 'SID', 'JSESSIONID', 'connect.sid', 'laravel_session', 'access_token', 'auth', 'my-sid', '__Secure-next-auth.session-token']) {
      expect(isSessionLike(n), n).toBe(true);
    }
    for (const n of ['theme', 'consider', 'inside', 'csrftoken', 'XSRF-TOKEN', '_ga']) expect(isSessionLike(n), n).toBe(false);
  });

  it('checks SameSite=None without Secure and the cookie prefixes', () => {
    expect(ids(['a=1; SameSite=None'])).toEqual(['http.cookie.no-secure', 'http.cookie.samesite-none-insecure']);
    expect(ids(['__Host-a=1; Secure; Path=/app; SameSite=Lax'])).toEqual(['http.cookie.invalid-host-prefix']);
    expect(ids(['__Host-a=1; Secure; Path=/; Domain=www.example.com; SameSite=Lax'])).toEqual(['http.cookie.invalid-host-prefix']);
    expect(ids(['__host-a=1; Secure; SameSite=Lax'])).toEqual(['http.cookie.invalid-host-prefix']); // no Path
    expect(ids(['__Host-a=1; Secure; Path=/; SameSite=Lax'])).toEqual([]);
    expect(ids(['__Secure-a=1; SameSite=Lax'])).toEqual(['http.cookie.invalid-secure-prefix', 'http.cookie.no-secure']);
  });

  it('judges Domain against the host: same host, parent domain, foreign, IP literal', () => {
    expect(ids(['a=1; Secure; SameSite=Lax; Domain=www.example.com'])).toEqual([]);
    expect(ids(['a=1; Secure; SameSite=Lax; Domain=example.com'])).toEqual(['http.cookie.broad-domain']);
    expect(ids(['a=1; Secure; SameSite=Lax; Domain=other.org'])).toEqual(['http.cookie.foreign-domain']);
    expect(ids(['a=1; Secure; SameSite=Lax; Domain=ample.com'])).toEqual(['http.cookie.foreign-domain']);
    expect(ids(['a=1; Secure; SameSite=Lax; Domain=0.0.1'], 'https://127.0.0.1/')).toEqual(['http.cookie.foreign-domain']);
    const { issues } = analyse(['session=1; Secure; HttpOnly; SameSite=Lax; Domain=example.com']);
    expect(issues[0]?.severity).toBe('medium');
  });

  it('flags lifetimes over a year, by Max-Age (which wins) or Expires', () => {
    expect(ids(['a=1; Secure; SameSite=Lax; Max-Age=31536001'])).toEqual(['http.cookie.long-lifetime']);
    expect(ids(['a=1; Secure; SameSite=Lax; Max-Age=3600; Expires=Fri, 01 Jan 2100 00:00:00 GMT'])).toEqual([]);
    expect(ids(['a=1; Secure; SameSite=Lax; Expires=Fri, 01 Jan 2100 00:00:00 GMT'])).toEqual(['http.cookie.long-lifetime']);
    expect(ids(['a=1; Secure; SameSite=Lax; Expires=not a date'])).toEqual([]);
  });

  it('counts values the parser rejects without throwing', () => {
    const r = analyse(['a=1\u0001; Secure', '', ';', 'nameless-value; Secure; SameSite=Lax', `big=${'x'.repeat(5000)}`]);
    expect(r.unparseable).toBe(4);
    expect(r.cookies.map((c) => c.name)).toEqual(['']);
    expect(r.issues.map((i) => i.id)).toEqual(['http.cookie.unparseable']);
    expect((r.issues[0]?.evidence['values'] as unknown[]).length).toBe(4);
  });

  it('analyses up to the cap and says how many were dropped', () => {
    const values = Array.from({ length: 1000 }, (_, i) => `c${i}=v; SameSite=Lax`);
    const r = analyseCookies(values.map((value) => ({ url: URL_, value })), { scheme: 'https', host: 'www.example.com' });
    expect(r).toMatchObject({ total: 1000, dropped: 800, unparseable: 0 });
    expect(r.cookies).toHaveLength(200);
    const noSecure = r.issues.find((i) => i.id === 'http.cookie.no-secure');
    expect(noSecure?.evidence).toMatchObject({ count: 200 });
    expect((noSecure?.evidence['cookies'] as unknown[]).length).toBe(20);
    expect(noSecure?.detail).toMatch(/and 180 more\.$/);
    expect(r.issues.find((i) => i.id === 'http.cookie.too-many')?.evidence).toEqual({ total: 1000, analysed: 200, dropped: 800 });
  });
});
