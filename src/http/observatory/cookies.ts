// Observatory test `cookies` (tests/cookies.js in 1.4.8): Secure, HttpOnly and SameSite of the cookies in the jar
// (cookie-jar.ts), and the raw SameSite of the final response's Set-Cookie headers.
import type { ObservatoryResultOf } from './results.js';
import { clip, worse, type Outcome } from './evidence.js';
import { setCookieHeaders, type Requests } from './retriever.js';

// tests/cookies.js
const COOKIES_IGNORED = ['heroku-session-affinity'];
const COOKIE_ORDER: ReadonlyArray<ObservatoryResultOf<'cookies'>> = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

/** cookies.js containsInvalidSameSiteCookie: a SameSite attribute with no value or not lax/strict/none. */
function rawSameSiteInvalid(setCookie: string): boolean {
  for (const part of setCookie.trim().split(';')) {
    const [key = '', value] = part.trim().split('=');
    if (key.trim().toLowerCase() !== 'samesite') continue;
    if (!value || !['lax', 'strict', 'none'].includes(value.trim().toLowerCase())) return true;
  }
  return false;
}

/** tests/cookies.js cookiesTest. */
export function cookiesTest(r: Requests, hstsPass: boolean): Outcome<'cookies'> {
  let result: ObservatoryResultOf<'cookies'> | null = null;
  const reasons: string[] = [];
  const flag = (res: ObservatoryResultOf<'cookies'>, why: string): void => {
    const before = result;
    result = worse(res, result, COOKIE_ORDER);
    if (result !== before) reasons.unshift(why);
  };
  // The raw check reads the auto response's own Set-Cookie headers only.
  for (const raw of r.auto ? setCookieHeaders(r.auto.headers) : []) {
    if (rawSameSiteInvalid(raw)) flag('cookies-samesite-flag-invalid', `"${clip(raw, 60)}" has an invalid SameSite`);
  }
  const cookies = r.jar.filter((c) => c.key && !COOKIES_IGNORED.includes(c.key));
  if (cookies.length === 0) return { result: 'cookies-not-found', detail: 'No cookie was stored from the chain.' };
  let missingSameSite = false;
  for (const c of cookies) {
    const lower = c.key.toLowerCase();
    const session = ['login', 'sess'].some((s) => lower.includes(s));
    const anticsrf = lower.includes('csrf');
    if (!c.secure && c.sameSite === 'none') flag('cookies-samesite-flag-invalid', `${c.key} is SameSite=None without Secure`);
    if (!c.secure) flag(hstsPass ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag', `${c.key} lacks Secure${hstsPass ? ' (HSTS protects it)' : ''}`);
    if (anticsrf && !c.sameSite) flag('cookies-anticsrf-without-samesite-flag', `anti-CSRF cookie ${c.key} has no SameSite`);
    if (session && !c.secure) flag(hstsPass ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag', `session cookie ${c.key} lacks Secure${hstsPass ? ' (HSTS protects it)' : ''}`);
    if (session && !c.httpOnly) flag('cookies-session-without-httponly-flag', `session cookie ${c.key} lacks HttpOnly`);
    if (!c.sameSite) missingSameSite = true;
  }
  const names = cookies.map((c) => c.key).join(', ');
  // R10: say so when cookies came in only through the certificate-retry quirk of 1.4.8.
  const quirk = r.quirkCookies.filter((k) => k && !COOKIES_IGNORED.includes(k));
  const note = quirk.length > 0 ? ` (${clip(quirk.join(', '), 60)} stored from the robots.txt or CORS answer: after a certificate retry, Observatory 1.4.8 keeps their cookies — a deliberate reproduction of its quirk)` : '';
  if (result !== null) return { result, detail: `Cookies ${clip(names)}: ${reasons[0] ?? result}${note}.` };
  return missingSameSite
    ? { result: 'cookies-secure-with-httponly-sessions', detail: `Cookies ${clip(names)} are Secure (session cookies HttpOnly), but some have no SameSite${note}.` }
    : { result: 'cookies-secure-with-httponly-sessions-and-samesite', detail: `Cookies ${clip(names)} are Secure, session cookies HttpOnly, all with SameSite${note}.` };
}
