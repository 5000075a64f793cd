// The report's `http` fields from a site's evidence: what was fetched (redirects, headers, cookies,
// HSTS, CORS, security.txt, the plain-HTTP redirect), as plain data. The grades made of the same
// evidence (Observatory score and letter, securityheaders letter) are src/grade/site.ts's.
import type { DataSource, HttpResult } from '../model/report.js';
import { headerRecord, hstsOf, pageHeaders, pageResponse, pageUrl, siteCookies } from './site-checks.js';
import type { HttpSiteEvidence } from './site-evidence.js';

/** The fields the http-site probe owns. */
export type HttpSiteFields = Pick<HttpResult, 'url' | 'finalUrl' | 'statusCode' | 'redirects' | 'headers' | 'cookies' | 'hsts' | 'httpRedirect' | 'cors' | 'securityTxt'>;

export function httpSiteFields(ev: HttpSiteEvidence): HttpSiteFields {
  const final = pageResponse(ev);
  const hsts = hstsOf(ev);
  const cookies = siteCookies(ev).cookies;
  const corsHeaders = ev.cors?.headers ? headerRecord(ev.cors.headers) : null;
  return {
    url: ev.url,
    finalUrl: pageUrl(ev),
    statusCode: final?.status ?? null,
    redirects: ev.https.hops.filter((h) => h.location !== null).map((h) => ({ url: h.url, status: h.status, location: h.location! })),
    headers: pageHeaders(ev),
    cookies: cookies.map(({ name, secure, httpOnly, sameSite, domain, path, expires, maxAge }) => ({ name, secure, httpOnly, sameSite, domain, path, expires, maxAge })),
    hsts:
      hsts && hsts.policy.valid
        ? { maxAge: hsts.policy.maxAge, includeSubDomains: hsts.policy.includeSubDomains, preload: hsts.policy.preload, preloaded: ev.preload[ev.host] === 'preloaded' }
        : null,
    httpRedirect: ev.http
      ? {
          status: ev.http.status,
          url: ev.http.url,
          port: ev.httpPort ?? 80,
          redirects: ev.http.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })),
          reason: ev.http.reason,
        }
      : null,
    cors: ev.cors && corsHeaders
      ? { origin: ev.cors.origin, allowOrigin: corsHeaders['access-control-allow-origin'] ?? null, allowCredentials: /^\s*true\s*$/i.test(corsHeaders['access-control-allow-credentials'] ?? '') }
      : null,
    securityTxt: ev.securityTxt
      ? { status: ev.securityTxt.status, valid: ev.securityTxt.valid, url: ev.securityTxt.url, finalUrl: ev.securityTxt.finalUrl, expires: ev.securityTxt.expiresAt }
      : null,
  };
}

export function httpSiteDataSources(ev: HttpSiteEvidence): DataSource[] {
  return ev.preloadList ? [{ name: 'hsts-preload', version: ev.preloadList.date, date: ev.preloadList.date, source: ev.preloadList.source }] : [];
}
