// GET / over HTTPS through the first endpoint, no redirects followed: status, headers, cookies
// (judged by src/http/cookies.ts), HSTS, and the CSP as Google's csp_evaluator would judge it
// (src/http/csp.ts). Redirect chains, the other headers and the header grades come with #5.
import { defineProbe, endpointKey, ProbeFailed, ProbeSkipped } from '../src/engine/probe.js';
import { isIP } from 'node:net';
import { hstsPreloadStatus, loadHstsPreloadList } from '../src/data/hsts-preload.js';
import { analyseCookies } from '../src/http/cookies.js';
import { evaluateCsp, parseCsp } from '../src/http/csp.js';
import { parseHsts } from '../src/http/hsts.js';
import { finding, REF } from '../src/model/finding.js';
import type { Finding, HttpResult } from '../src/model/report.js';
import { HttpRequestError, pinnedRequest } from '../src/net/http/pinned-request.js';

export interface HttpBasicEvidence {
  url: string;
  statusCode: number;
  /** Lower-cased names; repeated headers joined with ", " (set-cookie kept apart in cookies). */
  headers: Record<string, string>;
  hsts: HttpResult['hsts'];
  hstsError: string | null;
  /** The Location of a 3xx, recorded but not followed yet. */
  location: string | null;
  /** Which HSTS preload list `hsts.preloaded` was looked up in, when it was. */
  preloadList?: { date: string; source: string };
  /** Every Set-Cookie value as received, with the URL it came from (judged by analyseCookies). */
  setCookies: Array<{ url: string; value: string }>;
  /** When the scan ran: cookie lifetimes are judged against it. */
  at: string;
}

const SIX_MONTHS = 15_768_000;

/** The CSP evaluator's issues as findings: the enforced policy, else the report-only one. */
function cspFindings(ev: HttpBasicEvidence): Finding[] {
  const enforced = ev.headers['content-security-policy'];
  const reportOnly = ev.headers['content-security-policy-report-only'];
  const value = enforced ?? reportOnly;
  if (value === undefined) return [];
  return evaluateCsp(parseCsp(value), { reportOnly: enforced === undefined }).map((issue) =>
    finding({
      id: `http.${issue.id}`,
      severity: issue.severity,
      title: issue.title,
      detail: issue.detail,
      evidence: { url: ev.url, directive: issue.directive, ...(issue.value !== undefined ? { value: issue.value } : {}), header: enforced !== undefined ? 'content-security-policy' : 'content-security-policy-report-only' },
      remediation: "Tighten the policy where the detail says; a strict policy (script-src 'nonce-…' 'strict-dynamic'; object-src 'none'; base-uri 'none') avoids most of these.",
      references: [REF.csp3, REF.mdnCsp],
    }),
  );
}

function analysedCookies(ev: HttpBasicEvidence) {
  const url = new URL(ev.url);
  return analyseCookies(ev.setCookies, { scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.hostname, now: new Date(ev.at) });
}

export function checkHttpBasic(ev: HttpBasicEvidence): Finding[] {
  const out: Finding[] = [...cspFindings(ev), ...analysedCookies(ev).issues];
  const hsts = ev.headers['strict-transport-security'];
  if (hsts === undefined) {
    out.push(
      finding({
        id: 'http.hsts.missing',
        severity: 'medium',
        title: 'Strict-Transport-Security header is missing',
        detail: `${ev.url} does not send HSTS, so a first visit over plain HTTP can be downgraded or intercepted.`,
        evidence: { url: ev.url, statusCode: ev.statusCode, header: null },
        remediation: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS response.',
        references: [REF.rfc6797, REF.mdnHsts],
      }),
    );
  } else if (ev.hstsError !== null) {
    out.push(
      finding({
        id: 'http.hsts.invalid',
        severity: 'medium',
        title: 'Strict-Transport-Security header is invalid',
        detail: `Browsers ignore this HSTS header: ${ev.hstsError}.`,
        evidence: { url: ev.url, header: hsts },
        remediation: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains`.',
        references: [REF.rfc6797, REF.mdnHsts],
      }),
    );
  } else if ((ev.hsts?.maxAge ?? 0) < SIX_MONTHS) {
    out.push(
      finding({
        id: 'http.hsts.short-max-age',
        severity: 'low',
        title: 'HSTS max-age is shorter than six months',
        detail: `max-age=${ev.hsts?.maxAge} s; SSL Labs and the Observatory expect at least 6 months (15768000 s), 1 year recommended.`,
        evidence: { url: ev.url, header: hsts, maxAge: ev.hsts?.maxAge ?? null },
        remediation: 'Raise max-age to 31536000 (one year).',
        references: [REF.rfc6797, REF.mdnHsts],
      }),
    );
  }
  if (ev.headers['content-security-policy'] === undefined) {
    const reportOnly = ev.headers['content-security-policy-report-only'];
    out.push(
      finding({
        id: 'http.csp.missing',
        severity: 'medium',
        title: 'Content-Security-Policy header is missing',
        detail:
          reportOnly !== undefined
            ? 'Only Content-Security-Policy-Report-Only is sent: violations are reported, nothing is blocked.'
            : `${ev.url} sends no Content-Security-Policy, the main defence in depth against XSS and injection.`,
        evidence: { url: ev.url, header: null, reportOnly: reportOnly ?? null },
        remediation: "Start with `default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and tighten.",
        references: [REF.csp3, REF.mdnCsp],
      }),
    );
  }
  return out;
}

export const httpBasicProbe = defineProbe<HttpBasicEvidence>({
  id: 'http-basic',
  title: 'HTTPS response headers',
  categories: ['http'],
  scope: 'target',
  section: 'http',
  async collect(ctx) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeSkipped('no endpoint to connect to');
    const { host, port, path, sni } = ctx.target;
    const authority = host.includes(':') ? `[${host}]` : host;
    const url = new URL(`https://${authority}${port === 443 ? '' : `:${port}`}${path}`);
    let res;
    try {
      res = await ctx.withConnection(ep.ip, () =>
        pinnedRequest({
          url,
          ip: ep.ip,
          servername: sni,
          extraCa: ctx.trust.extraCaPem,
          timeoutMs: ctx.connectTimeoutMs,
          signal: ctx.signal,
        }),
      );
    } catch (err) {
      if (err instanceof HttpRequestError) throw new ProbeFailed(`${endpointKey(ep)}: ${err.message}`);
      throw err;
    }
    const headers: Record<string, string> = {};
    const setCookies: Array<{ url: string; value: string }> = [];
    for (const [name, value] of res.rawHeaders) {
      if (name === 'set-cookie') setCookies.push({ url: url.href, value });
      else headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const hstsHeader = headers['strict-transport-security'];
    const parsed = hstsHeader === undefined ? null : parseHsts(hstsHeader);
    return {
      url: url.href,
      statusCode: res.statusCode,
      headers,
      setCookies,
      at: ctx.now().toISOString(),
      hsts:
        parsed && parsed.valid
          ? {
              maxAge: parsed.maxAge,
              includeSubDomains: parsed.includeSubDomains,
              preload: parsed.preload,
              // IP literals are never preloaded; names are looked up in the Chromium list snapshot.
              preloaded: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? false : hstsPreloadStatus(url.hostname).preloaded,
            }
          : null,
      hstsError: parsed?.error ?? null,
      location: headers['location'] ?? null,
      ...(parsed?.valid ? { preloadList: { date: loadHstsPreloadList().date, source: loadHstsPreloadList().source } } : {}),
    };
  },
  check: (ev) => checkHttpBasic(ev),
  report: (ev) => ({
    url: ev.url,
    finalUrl: ev.url,
    statusCode: ev.statusCode,
    redirects:
      ev.location !== null && ev.statusCode >= 300 && ev.statusCode < 400
        ? [{ url: ev.url, status: ev.statusCode, location: ev.location }]
        : [],
    headers: ev.headers,
    cookies: analysedCookies(ev).cookies.map(({ name, secure, httpOnly, sameSite, domain, path, expires, maxAge }) => ({ name, secure, httpOnly, sameSite, domain, path, expires, maxAge })),
    hsts: ev.hsts,
  }),
  dataSources: (ev) => (ev.preloadList ? [{ name: 'hsts-preload', version: ev.preloadList.date, date: ev.preloadList.date, source: ev.preloadList.source }] : []),
});
