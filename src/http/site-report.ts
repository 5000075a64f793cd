// The report's `http` object from a site's evidence: what was fetched (redirects, headers, cookies,
// HSTS, CORS, security.txt) and the two header grades — the MDN Observatory score and letter (the
// report's `score`/`grade`, and so `grades.http`) and a securityheaders.com-style letter.
import { observatoryGradeAsLetter, observatoryScore, OBSERVATORY_VERSION } from '../grade/observatory.js';
import { securityHeadersGrade } from '../grade/securityheaders.js';
import type { DataSource } from '../engine/probe.js';
import type { HttpResult } from '../model/report.js';
import { parseCsp } from './csp.js';
import { securityHeadersStates } from './header-checks.js';
import { observatoryResults, type ObservatoryEvidence } from './observatory-tests.js';
import { cspFindings, frameAncestors, headerRecord, hstsOf, pageHeaders, pageUrl, siteCookies } from './site-checks.js';
import type { HttpSiteEvidence } from './site-evidence.js';

type HttpFragment = Partial<Omit<HttpResult, 'status' | 'reason'>>;

/** Findings that keep a securityheaders.com letter from A+ (its documented warning: unsafe CSP sources). */
const SECURITY_HEADERS_WARNINGS: Readonly<Record<string, string>> = {
  'http.csp.script-unsafe-inline': "the CSP allows 'unsafe-inline' scripts",
  'http.csp.script-unsafe-eval': "the CSP allows 'unsafe-eval'",
};

export function observatoryEvidence(ev: HttpSiteEvidence): ObservatoryEvidence {
  return {
    host: ev.host,
    https: ev.https,
    http: ev.http,
    // Unknown (the certificate probe did not run or failed) is taken as valid: the Observatory
    // itself only marks a certificate invalid when Node's verification fails.
    httpsCertificateValid: ev.certificateValid !== false,
    corsResponseHeaders: ev.cors?.headers ?? null,
    corsStatus: ev.cors?.status ?? null,
    corsUrl: ev.cors?.url ?? null,
    preloaded: (host) => ev.preload[host] ?? 'not',
  };
}

export function httpObservatory(ev: HttpSiteEvidence) {
  const results = observatoryResults(observatoryEvidence(ev));
  const { details, scanError, ...only } = results;
  const scored = observatoryScore(only);
  return {
    score: scored.score,
    scanError,
    grade: scored.grade,
    extraCredit: scored.extraCredit,
    version: OBSERVATORY_VERSION,
    tests: scored.modifiers.map((m) => ({ test: m.test, result: m.result, modifier: m.modifier, description: m.description ?? '', detail: details[m.test] })),
  };
}

export function httpSecurityHeaders(ev: HttpSiteEvidence) {
  const headers = pageHeaders(ev);
  const findingIds = new Set(cspFindings(ev, headers).map((f) => f.id));
  const csp = headers['content-security-policy'];
  const cspValid = csp === undefined ? null : parseCsp(csp).policies.some((p) => p.directives.length > 0);
  const states = securityHeadersStates(headers, { cspValid, frameAncestors: frameAncestors(headers) });
  // HSTS counts where it applies (a response of the host itself), as in our HSTS findings.
  const hsts = hstsOf(ev);
  states['Strict-Transport-Security'] = hsts === null ? 'missing' : hsts.policy.valid ? 'valid' : 'invalid';
  const warnings = Object.entries(SECURITY_HEADERS_WARNINGS).filter(([id]) => findingIds.has(id)).map(([, text]) => text);
  return securityHeadersGrade({ headers: states, warnings });
}

export function httpSiteReport(ev: HttpSiteEvidence): HttpFragment {
  const final = ev.https.final;
  const observatory = httpObservatory(ev);
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
    score: observatory.score,
    grade: observatoryGradeAsLetter(observatory.grade),
    httpRedirect: ev.http
      ? {
          status: ev.http.status,
          url: ev.http.url,
          port: ev.httpPort ?? 80,
          redirects: ev.http.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })),
          reason: ev.http.reason,
        }
      : null,
    observatory,
    securityHeaders: (({ grade, missing, warnings, reasons }) => ({ grade, missing, warnings, reasons }))(httpSecurityHeaders(ev)),
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
