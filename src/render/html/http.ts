// The site's HTTP side: the Observatory's per-test points (what each header or cookie earned or
// cost), the response headers, cookies, redirects, HSTS, CORS and security.txt. Header values come
// from the scanned site: hostile text, escaped like everything else.
import type { HttpResult } from '../../model/report.js';
import { esc } from './page.js';
import { badge, code, dateText, h, kv, muted, plural, rowTh, signed, table, td, toned, tr, yesNo } from './parts.js';

/** The six headers a securityheaders.com-style grade looks at: shown even when missing. */
const KEY_HEADERS = ['strict-transport-security', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'permissions-policy'];

function observatoryHtml(http: HttpResult, level: number): string {
  const o = http.observatory;
  if (!o) {
    const ng = http.observatoryNotGraded;
    return h(level, 'Observatory tests') + `<p class="panel">${toned('Not graded', 'warn')} by the MDN HTTP Observatory rules${ng ? `: ${esc(ng.reason)} (${esc(ng.kind)}${ng.statusCode !== null ? `, status ${ng.statusCode}` : ''})` : ''}.</p>\n`;
  }
  // The Observatory's arithmetic: 100 plus the penalties; the bonuses count only when that reaches 90; floor 0.
  const penalties = o.tests.reduce((a, t) => a + Math.min(0, t.modifier), 0);
  const bonuses = o.tests.reduce((a, t) => a + Math.max(0, t.modifier), 0);
  const rows = o.tests.map((t) =>
    tr([
      rowTh(esc(t.test)),
      td(code(t.result)),
      td(toned(signed(t.modifier), t.modifier < 0 ? 'bad' : t.modifier > 0 ? 'good' : null), 'num'),
      td(esc(t.description)),
      td(esc(t.detail), 'wrap'),
    ]),
  );
  const bonusText = bonuses ? `, ${signed(bonuses)} in bonuses ${o.extraCredit ? 'counted' : 'not counted (they count only when 100 plus the penalties reaches 90)'}` : '';
  return (
    h(level, 'Observatory tests') +
    `<p>Score ${esc(String(o.score))} → ${badge(o.grade)} (MDN HTTP Observatory ${esc(o.version)}): 100 ${penalties ? `${signed(penalties)} in penalties` : 'with no penalty'}${bonusText}${100 + penalties < 0 ? ', floored at 0' : ''}.</p>\n` +
    table('Observatory tests and their points (score modifiers)', [{ head: 'Test' }, { head: 'Result' }, { head: 'Points', num: true }, { head: 'Meaning' }, { head: 'Detail' }], rows.join(''))
  );
}

/** The response header each Observatory test reads, so the headers table can show the points it earned. */
const HEADER_TEST: Record<string, string> = {
  'strict-transport-security': 'strict-transport-security',
  'content-security-policy': 'content-security-policy',
  'x-frame-options': 'x-frame-options',
  'x-content-type-options': 'x-content-type-options',
  'referrer-policy': 'referrer-policy',
  'cross-origin-resource-policy': 'cross-origin-resource-policy',
  'access-control-allow-origin': 'cross-origin-resource-sharing',
  'set-cookie': 'cookies',
};

/** An Observatory test's points as "−40 cookies", or '' when the test did not run. */
function testPoints(http: HttpResult, test: string): string {
  const t = http.observatory?.tests.find((x) => x.test === test);
  if (!t) return '';
  return `${toned(signed(t.modifier), t.modifier < 0 ? 'bad' : t.modifier > 0 ? 'good' : null)} <span class="muted">${esc(t.test)}</span>`;
}

function headersHtml(http: HttpResult, level: number): string {
  const points = (header: string): string => (HEADER_TEST[header] ? testPoints(http, HEADER_TEST[header]) : '');
  const names = Object.keys(http.headers);
  const rows = names.map((n) => tr([rowTh(code(n)), td(esc(http.headers[n] ?? ''), 'wrap mono'), td(points(n))]));
  const missing = [...KEY_HEADERS, 'cross-origin-resource-policy']
    .filter((k) => !(k in http.headers))
    .map((n) => tr([rowTh(code(n)), td(toned('missing', KEY_HEADERS.includes(n) ? 'bad' : null)), td(points(n))]));
  const sh = http.securityHeaders;
  const shHtml = sh
    ? `<p>Security headers grade ${badge(sh.grade)}${sh.reasons.length ? ': ' : ''}</p>${sh.reasons.length ? `<ul class="caps">${sh.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}` +
      (sh.warnings.length ? `<p>Warnings:</p><ul class="caps">${sh.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '')
    : '';
  return (
    h(level, 'Response headers') +
    shHtml +
    table(
      `Response headers of ${http.finalUrl ?? http.url}, with the Observatory points each earned`,
      [{ head: 'Header' }, { head: 'Value' }, { head: 'Observatory points' }],
      missing.join('') + rows.join(''),
    )
  );
}

function cookiesHtml(http: HttpResult, level: number): string {
  if (!http.cookies.length) return h(level, 'Cookies') + `<p>No cookie set.</p>\n`;
  const rows = http.cookies.map((c) =>
    tr([
      rowTh(code(c.name)),
      td(yesNo(c.secure, true)),
      td(yesNo(c.httpOnly, true)),
      td(c.sameSite ? esc(c.sameSite) : muted('not set')),
      td(c.domain ? esc(c.domain) : muted('host only')),
      td(esc(c.path ?? '')),
      td(c.maxAge !== undefined && c.maxAge !== null ? `max-age ${esc(String(c.maxAge))}` : c.expires ? esc(c.expires) : muted('session')),
    ]),
  );
  const pts = testPoints(http, 'cookies');
  return h(level, 'Cookies') + (pts ? `<p>Observatory points: ${pts}</p>` : '') + table(plural(http.cookies.length, 'cookie'), [{ head: 'Name' }, { head: 'Secure' }, { head: 'HttpOnly' }, { head: 'SameSite' }, { head: 'Domain' }, { head: 'Path' }, { head: 'Lifetime' }], rows.join(''));
}

const REDIRECT_WORDS: Record<string, string> = {
  'redirects-to-https-same-host': 'redirects to HTTPS on the same host',
  'redirects-to-https-other-host-first': 'redirects to another host before HTTPS',
  'redirects-to-https-not-first': 'reaches HTTPS, but not on the first redirect',
  'redirects-not-to-https': 'redirects, but not to HTTPS',
  'no-redirect': 'does not redirect to HTTPS',
  'no-http': 'no plain HTTP service',
  error: 'could not be tested',
};

function transportHtml(http: HttpResult, level: number): string {
  const hr = http.httpRedirect;
  const hsts = http.hsts;
  const out = [h(level, 'Transport')];
  out.push(
    kv([
      ['URL', esc(http.url)],
      ['Final URL', http.finalUrl && http.finalUrl !== http.url ? esc(http.finalUrl) : null],
      ['Status', http.statusCode === null ? muted('no response') : esc(String(http.statusCode))],
      [
        'Plain HTTP',
        hr === undefined || hr === null
          ? muted('not tested')
          : toned(REDIRECT_WORDS[hr.status] ?? hr.status, hr.status === 'redirects-to-https-same-host' || hr.status === 'no-http' ? 'good' : hr.status === 'error' ? null : 'bad') +
            (hr.reason ? ` — ${esc(hr.reason)}` : '') +
            (testPoints(http, 'redirection') ? ` · ${testPoints(http, 'redirection')}` : ''),
      ],
      [
        'HSTS',
        hsts === null
          ? toned('not set', 'bad')
          : `max-age ${hsts.maxAge === null ? 'invalid' : esc(String(hsts.maxAge))}${hsts.includeSubDomains ? ', includeSubDomains' : ''}${hsts.preload ? ', preload' : ''} · on the preload list: ${yesNo(hsts.preloaded, null)}`,
      ],
      ['CORS', http.cors ? `Access-Control-Allow-Origin for ${esc(http.cors.origin)}: ${http.cors.allowOrigin === null ? 'none' : esc(http.cors.allowOrigin)}${http.cors.allowCredentials ? ', with credentials' : ''}` : null],
      [
        'security.txt',
        http.securityTxt ? `${esc(http.securityTxt.status)}${http.securityTxt.valid ? ', valid' : ''}${http.securityTxt.expires ? `, expires ${esc(dateText(http.securityTxt.expires))}` : ''}` : null,
      ],
    ]),
  );
  const hops = [...http.redirects.map((r) => ({ url: r.url, status: r.status, location: r.location as string | null, from: 'https' })), ...(hr?.redirects ?? []).map((r) => ({ ...r, from: 'http' }))];
  if (hops.length) {
    out.push(
      table(
        'Redirects',
        [{ head: 'Request' }, { head: 'Status', num: true }, { head: 'Location' }],
        hops.map((r) => tr([rowTh(esc(r.url)), td(String(r.status), 'num'), td(r.location === null ? muted('none (final)') : esc(r.location), 'wrap')])).join(''),
      ),
    );
  }
  return out.join('');
}

/** The HTTP section's body (under a heading at `level − 1` the caller writes). */
export function httpHtml(http: HttpResult | null, level: number): string {
  if (!http) return `<p class="muted">HTTP: not tested.</p>\n`;
  const out: string[] = [];
  out.push(`<p>HTTP grade ${badge(http.grade)}${http.score !== null ? ` · Observatory score ${esc(String(http.score))}` : ''}</p>\n`);
  if (http.status !== 'ok') out.push(`<p class="panel">HTTP ${toned(http.status === 'skipped' ? 'not tested' : 'could not be tested', 'warn')}${http.reason ? `: ${esc(http.reason)}` : ''}</p>\n`);
  out.push(observatoryHtml(http, level), headersHtml(http, level), cookiesHtml(http, level), transportHtml(http, level));
  return out.join('');
}
