// The site's two header grades, from what the http-site probe fetched: the MDN HTTP Observatory's
// score and letter (its ten tests, reproduced in src/http/observatory, through its score table in
// ./observatory.ts) — the report's `http.score`/`grade` and so `grades.http` — and a
// securityheaders.com-style letter (./securityheaders.ts).
import { parseCsp } from '../http/csp/index.js';
import { effectiveReferrerPolicy, header, isNosniff, parseSfDictionary, xfoVerdict, type ResponseHeaders } from '../http/headers/index.js';
import { parseHsts } from '../http/hsts.js';
import { observatoryResults, type ObservatoryEvidence, type ObservatoryNotGraded } from '../http/observatory/index.js';
import { cspFindings, frameAncestors, hstsOf, pageHeaders } from '../http/site-checks.js';
import type { HttpSiteEvidence } from '../http/site-evidence.js';
import type { GradeLetter, HttpResult } from '../model/report.js';
import type { Grader } from './grader.js';
import { observatoryGradeAsLetter, observatoryScore, OBSERVATORY_REFERENCE, OBSERVATORY_VERSION } from './observatory.js';
import { SECURITY_HEADERS_REFERENCE, securityHeadersGrade, type SecurityHeaderName, type SecurityHeadersGrade, type SecurityHeaderState } from './securityheaders.js';

/** Findings that keep a securityheaders.com letter from A+ (its documented warning: unsafe CSP sources). */
const SECURITY_HEADERS_WARNINGS: Readonly<Record<string, string>> = {
  'http.csp.script-unsafe-inline': "the CSP allows 'unsafe-inline' scripts",
  'http.csp.script-unsafe-eval': "the CSP allows 'unsafe-eval'",
};

/**
 * What the Observatory's tests read. Each https hop carries Node's verdict on its certificate, as
 * the Observatory's own client decides; `assumeCertificate` stands in, for hops without one, for a
 * certificate verdict the scan does not have (the certificate probe did not complete): valid by
 * default, as the Observatory itself only marks a certificate invalid when Node's verification fails.
 */
export function observatoryEvidence(ev: HttpSiteEvidence, assumeCertificate = true): ObservatoryEvidence {
  return {
    host: ev.host,
    https: ev.https,
    http: ev.http,
    httpsCertificateValid: ev.certificateValid ?? assumeCertificate,
    corsResponseHeaders: ev.cors?.headers ?? null,
    corsStatus: ev.cors?.status ?? null,
    corsUrl: ev.cors?.url ?? null,
    corsHops: ev.cors?.hops ?? null,
    robots: ev.robots ? { url: ev.robots.url, status: ev.robots.status, headers: ev.robots.hops.at(-1)?.headers ?? [], hops: ev.robots.hops } : null,
    preloaded: (host) => ev.preload[host] ?? 'not',
  };
}

export type ObservatoryOutcome = NonNullable<HttpResult['observatory']> & {
  letter: GradeLetter;
  /** The Observatory refuses to grade (R11 of src/http/observatory/retriever.ts): no score, whatever the tests say. */
  notGraded: ObservatoryNotGraded | null;
};

function observatoryOf(ev: HttpSiteEvidence, assumeCertificate = true): ObservatoryOutcome {
  const { details, scanError, notGraded, ...only } = observatoryResults(observatoryEvidence(ev, assumeCertificate));
  const scored = observatoryScore(only);
  return {
    score: scored.score,
    scanError,
    notGraded,
    grade: scored.grade,
    extraCredit: scored.extraCredit,
    version: OBSERVATORY_VERSION,
    tests: scored.modifiers.map((m) => ({ test: m.test, result: m.result, modifier: m.modifier, description: m.description ?? '', detail: details[m.test] })),
    letter: observatoryGradeAsLetter(scored.grade),
  };
}

export const observatoryGrader: Grader<HttpSiteEvidence, ObservatoryOutcome> = {
  id: 'observatory',
  reference: OBSERVATORY_REFERENCE,
  grade: (ev) => observatoryOf(ev),
};

/**
 * The six headers as securityheaders.com grades them (./securityheaders.ts): valid,
 * invalid (present, but a browser would ignore it) or missing.
 *   - X-Frame-Options counts valid when the CSP has frame-ancestors. securityheaders.com does not
 *     publish this; its author said they could "not require XFO if we detect frame-ancestors"
 *     (github.com/securityheaders/securityheaders-bugs/issues/54), the MDN Observatory passes
 *     XFO "implemented via CSP", and browsers ignore XFO when frame-ancestors is set (HTML
 *     Standard). ALLOW-FROM alone counts invalid: browsers ignore it. Our reading.
 *   - Content-Security-Policy: the caller says whether the policy is valid (`cspValid`); present
 *     with `cspValid: null` (not judged) counts valid.
 *   - Permissions-Policy: valid when it parses as a structured dictionary; Feature-Policy alone
 *     counts missing (deprecated). Our reading.
 *   - Referrer-Policy: valid with any recognised token, unsafe-url included (that is a finding,
 *     not a missing header).
 */
export function securityHeadersStates(
  headers: ResponseHeaders,
  opts: { cspValid: boolean | null; frameAncestors: string[] | null },
): Partial<Record<SecurityHeaderName, SecurityHeaderState>> {
  const state = (value: string | undefined, valid: (v: string) => boolean): SecurityHeaderState =>
    value === undefined ? 'missing' : valid(value) ? 'valid' : 'invalid';
  const xfo = header(headers, 'x-frame-options');
  return {
    'Strict-Transport-Security': state(header(headers, 'strict-transport-security'), (v) => parseHsts(v).valid),
    'Content-Security-Policy': state(header(headers, 'content-security-policy'), () => opts.cspValid !== false),
    'X-Frame-Options':
      opts.frameAncestors !== null ? 'valid' : state(xfo, (v) => ['deny', 'sameorigin'].includes(xfoVerdict(v))),
    'X-Content-Type-Options': state(header(headers, 'x-content-type-options'), isNosniff),
    'Referrer-Policy': state(header(headers, 'referrer-policy'), (v) => effectiveReferrerPolicy(v) !== null),
    'Permissions-Policy': state(header(headers, 'permissions-policy'), (v) => parseSfDictionary(v).ok),
  };
}

export const securityHeadersGrader: Grader<HttpSiteEvidence, SecurityHeadersGrade> = {
  id: 'securityheaders',
  reference: SECURITY_HEADERS_REFERENCE,
  grade(ev) {
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
  },
};

/**
 * The http section with its grades: `score`, `grade` (the Observatory's), `observatory`,
 * `securityHeaders`. When the Observatory refuses to grade the site (a final 4xx/5xx, nothing it
 * can use), there is no score, no letter and no `observatory`: `observatoryNotGraded` says why,
 * and `undecided` carries it as the reason the http grade is not given — never a pass. When the
 * certificate's validity is unknown, the Observatory letter is given only if it is the same either
 * way (`undecided` says why not).
 */
export function gradedHttp(http: HttpResult, ev: HttpSiteEvidence): { http: HttpResult; undecided: string | null } {
  const { letter, notGraded, ...observatory } = observatoryGrader.grade(ev);
  const { grade, missing, warnings, reasons } = securityHeadersGrader.grade(ev);
  const securityHeaders = { grade, missing, warnings, reasons };
  if (notGraded) {
    return {
      http: { ...http, score: null, grade: null, observatory: null, observatoryNotGraded: notGraded, securityHeaders },
      undecided: `the MDN Observatory does not grade this site: ${notGraded.reason}`,
    };
  }
  if (ev.certificateValid === null) {
    const invalid = observatoryOf(ev, false);
    if (invalid.letter !== letter || invalid.score !== observatory.score) {
      const undecided = `the certificate could not be examined, and the Observatory score depends on it (${observatory.score} if valid, ${invalid.score} if not)`;
      return { http: { ...http, score: null, grade: null, observatory, securityHeaders }, undecided };
    }
  }
  return { http: { ...http, score: observatory.score, grade: letter, observatory, securityHeaders }, undecided: null };
}
