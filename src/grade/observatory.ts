// The MDN HTTP Observatory's score and letter, as data. Every fact below was read from the source of
// @mdn/mdn-http-observatory 1.4.8 (https://github.com/mdn/mdn-http-observatory, MPL-2.0; scoring
// algorithm version 4), not copied from it:
//   - the tests and the results each can give: the `possibleResults` of src/analyzer/tests/*.js,
//     in the order of ALL_TESTS in src/constants.js;
//   - each result's score modifier: SCORE_TABLE in src/grader/charts.js;
//   - the score → letter chart and the extra-credit threshold (90): GRADE_CHART and
//     MINIMUM_SCORE_FOR_EXTRA_CREDIT in src/grader/charts.js;
//   - how the modifiers are summed: scan() in src/scanner/index.js; the floor at 0, the rounding down
//     to a multiple of 5 and the letter of 100 for any score above it: getGradeForScore() in
//     src/grader/grader.js.
// The descriptions are our own short wording of the upstream ones.
import { OBSERVATORY_TEST_NAMES, type ObservatoryResultOf, type ObservatoryResults, type ObservatoryTestName } from '../http/observatory/results.js';
import type { GradeLetter } from '../model/constants.js';

export { OBSERVATORY_TEST_NAMES, type ObservatoryResultOf, type ObservatoryResults, type ObservatoryTestName };

export const OBSERVATORY_REFERENCE = 'MDN HTTP Observatory 1.4.8 (https://github.com/mdn/mdn-http-observatory), src/grader/charts.js and src/scanner/index.js';
export const OBSERVATORY_VERSION = '1.4.8';
/** The scan's `algorithmVersion` these tables belong to. */
export const OBSERVATORY_ALGORITHM_VERSION = 4;
/** Every scan starts from this score. */
export const OBSERVATORY_BASELINE = 100;
/** Bonuses (positive modifiers) count only when the score with the penalties alone is at least this. */
export const OBSERVATORY_MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;
/** The reported score never goes below this (it may go above 100: there is no upper cap). */
export const OBSERVATORY_MINIMUM_SCORE = 0;

export interface ObservatoryResultInfo {
  modifier: number;
  description: string;
}

/** Every test (in the Observatory's order) with every result it can give (src/http/observatory/results.ts) and the result's modifier. */
export const OBSERVATORY_TESTS = {
  'content-security-policy': {
    'csp-implemented-with-no-unsafe-default-src-none': { modifier: 10, description: "CSP with default-src 'none', nothing unsafe" },
    'csp-implemented-with-no-unsafe': { modifier: 5, description: "CSP without 'unsafe-inline' or 'unsafe-eval'" },
    'csp-implemented-with-unsafe-inline-in-style-src-only': { modifier: 0, description: "CSP whose only unsafe sources ('unsafe-inline', data:, broad schemes) are in style-src" },
    'csp-implemented-with-insecure-scheme-in-passive-content-only': { modifier: -10, description: 'CSP lets images or media load over HTTP on an HTTPS site' },
    'csp-implemented-with-unsafe-eval': { modifier: -10, description: "CSP allows 'unsafe-eval'" },
    'csp-implemented-with-unsafe-inline': {
      modifier: -20,
      description: "CSP allows 'unsafe-inline' or data: in script-src, or broad sources (or none set) for script-src/object-src",
    },
    'csp-implemented-with-insecure-scheme': { modifier: -20, description: 'CSP lets active content load over HTTP on an HTTPS site' },
    'csp-implemented-but-duplicate-directives': { modifier: 0, description: 'CSP passes, but repeats directives' },
    'csp-header-invalid': { modifier: -25, description: 'CSP cannot be parsed' },
    'csp-not-implemented': { modifier: -25, description: 'no CSP' },
    'csp-not-implemented-but-reporting-enabled': { modifier: -25, description: 'only Content-Security-Policy-Report-Only, no enforced CSP' },
  },
  cookies: {
    'cookies-secure-with-httponly-sessions-and-samesite': { modifier: 5, description: 'all cookies Secure, session cookies HttpOnly, all with SameSite' },
    'cookies-secure-with-httponly-sessions': { modifier: 0, description: 'all cookies Secure, session cookies HttpOnly, some without SameSite' },
    'cookies-not-found': { modifier: 0, description: 'no cookies' },
    'cookies-without-secure-flag-but-protected-by-hsts': { modifier: -5, description: 'cookies without Secure, but HSTS keeps them off HTTP' },
    'cookies-session-without-secure-flag-but-protected-by-hsts': { modifier: -10, description: 'a session cookie without Secure, but HSTS keeps it off HTTP' },
    'cookies-without-secure-flag': { modifier: -20, description: 'cookies without Secure (or set over HTTP)' },
    'cookies-samesite-flag-invalid': { modifier: -20, description: 'SameSite with an invalid value, or SameSite=None without Secure' },
    'cookies-anticsrf-without-samesite-flag': { modifier: -20, description: 'an anti-CSRF cookie without SameSite' },
    'cookies-session-without-httponly-flag': { modifier: -30, description: 'a session cookie without HttpOnly' },
    'cookies-session-without-secure-flag': { modifier: -40, description: 'a session cookie without Secure (or set over HTTP)' },
  },
  'cross-origin-resource-sharing': {
    'cross-origin-resource-sharing-not-implemented': { modifier: 0, description: 'no CORS access' },
    'cross-origin-resource-sharing-implemented-with-public-access': { modifier: 0, description: 'Access-Control-Allow-Origin: * (public, no credentials)' },
    'cross-origin-resource-sharing-implemented-with-restricted-access': { modifier: 0, description: 'CORS restricted to specific origins' },
    'cross-origin-resource-sharing-implemented-with-universal-access': { modifier: -50, description: 'any Origin is reflected with credentials allowed' },
  },
  redirection: {
    'redirection-all-redirects-preloaded': { modifier: 0, description: 'every host on the redirect route is HSTS-preloaded' },
    'redirection-to-https': { modifier: 0, description: 'HTTP redirects first to HTTPS on the same host, and ends on HTTPS' },
    'redirection-not-needed-no-http': { modifier: 0, description: 'no HTTP service, so no redirect is needed' },
    'redirection-off-host-from-http': { modifier: -5, description: 'HTTP redirects to HTTPS on another host first' },
    'redirection-not-to-https-on-initial-redirection': { modifier: -10, description: 'the first redirect goes to another HTTP URL' },
    'redirection-not-to-https': { modifier: -20, description: 'redirects, but not to HTTPS in the end' },
    'redirection-missing': { modifier: -20, description: 'HTTP does not redirect to HTTPS' },
    'redirection-invalid-cert': { modifier: -20, description: 'an invalid certificate on the redirect route' },
  },
  'referrer-policy': {
    'referrer-policy-private': { modifier: 5, description: 'no-referrer, same-origin, strict-origin or strict-origin-when-cross-origin' },
    'referrer-policy-not-implemented': { modifier: 0, description: 'no Referrer-Policy' },
    'referrer-policy-unsafe': { modifier: -5, description: 'origin, origin-when-cross-origin, unsafe-url or no-referrer-when-downgrade' },
    'referrer-policy-header-invalid': { modifier: -5, description: 'Referrer-Policy not recognised' },
  },
  'strict-transport-security': {
    'hsts-preloaded': { modifier: 5, description: 'on the HSTS preload list' },
    'hsts-implemented-max-age-at-least-six-months': { modifier: 0, description: 'HSTS max-age of at least six months (15552000 s accepted)' },
    'hsts-implemented-max-age-less-than-six-months': { modifier: -10, description: 'HSTS max-age under six months' },
    'hsts-not-implemented': { modifier: -20, description: 'no HSTS' },
    'hsts-header-invalid': { modifier: -20, description: 'HSTS not recognised' },
    'hsts-not-implemented-no-https': { modifier: -20, description: 'no HTTPS, so no HSTS' },
    'hsts-invalid-cert': { modifier: -20, description: 'HSTS cannot apply: the certificate chain is invalid' },
  },
  'subresource-integrity': {
    'sri-implemented-and-all-scripts-loaded-securely': { modifier: 5, description: 'SRI used, all scripts from the same origin' },
    'sri-implemented-and-external-scripts-loaded-securely': { modifier: 5, description: 'SRI used, all scripts loaded securely' },
    'sri-not-implemented-response-not-html': { modifier: 0, description: 'not HTML, SRI does not apply' },
    'sri-not-implemented-but-no-scripts-loaded': { modifier: 0, description: 'no script elements' },
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': { modifier: 0, description: 'no SRI, but all scripts from the same origin' },
    'sri-not-implemented-but-external-scripts-loaded-securely': { modifier: -5, description: 'no SRI on external scripts loaded over HTTPS' },
    'sri-implemented-but-external-scripts-not-loaded-securely': { modifier: -20, description: 'SRI used, but external scripts over HTTP or protocol-relative' },
    'sri-not-implemented-and-external-scripts-not-loaded-securely': { modifier: -50, description: 'no SRI, and external scripts over HTTP or protocol-relative' },
    // The generic result HtmlNotParseable: in 1.4.8 only this test gives it (when the page claims to
    // be HTML and cannot be parsed); it is not in the test's possibleResults.
    'html-not-parseable': { modifier: -20, description: 'claims to be HTML but cannot be parsed' },
  },
  'x-content-type-options': {
    'x-content-type-options-nosniff': { modifier: 0, description: 'X-Content-Type-Options: nosniff' },
    'x-content-type-options-not-implemented': { modifier: -5, description: 'no X-Content-Type-Options' },
    'x-content-type-options-header-invalid': { modifier: -5, description: 'X-Content-Type-Options not recognised' },
  },
  'x-frame-options': {
    'x-frame-options-implemented-via-csp': { modifier: 5, description: 'framing controlled by CSP frame-ancestors' },
    'x-frame-options-sameorigin-or-deny': { modifier: 0, description: 'X-Frame-Options SAMEORIGIN or DENY' },
    'x-frame-options-allow-from-origin': { modifier: 0, description: 'X-Frame-Options ALLOW-FROM' },
    'x-frame-options-not-implemented': { modifier: -20, description: 'no X-Frame-Options (and no frame-ancestors)' },
    'x-frame-options-header-invalid': { modifier: -20, description: 'X-Frame-Options not recognised' },
  },
  'cross-origin-resource-policy': {
    'corp-not-implemented': { modifier: 0, description: 'no Cross-Origin-Resource-Policy (defaults to cross-origin)' },
    'corp-implemented-with-same-origin': { modifier: 10, description: 'Cross-Origin-Resource-Policy: same-origin' },
    'corp-implemented-with-same-site': { modifier: 10, description: 'Cross-Origin-Resource-Policy: same-site' },
    'corp-implemented-with-cross-origin': { modifier: 0, description: 'Cross-Origin-Resource-Policy: cross-origin' },
    'corp-header-invalid': { modifier: -5, description: 'Cross-Origin-Resource-Policy not recognised' },
  },
} as const satisfies { readonly [T in ObservatoryTestName]: { readonly [R in ObservatoryResultOf<T>]: ObservatoryResultInfo } };

/** The Observatory's letters: finer than ours (B+, B-, C+ …), and no E. */
export type ObservatoryGrade = 'A+' | 'A' | 'A-' | 'B+' | 'B' | 'B-' | 'C+' | 'C' | 'C-' | 'D+' | 'D' | 'D-' | 'F';

/**
 * Score (rounded down to a multiple of 5, capped at 100) → letter, highest first: every key of the
 * upstream GRADE_CHART.
 */
export const OBSERVATORY_GRADE_CHART: ReadonlyArray<{ score: number; grade: ObservatoryGrade }> = [
  { score: 100, grade: 'A+' },
  { score: 95, grade: 'A' },
  { score: 90, grade: 'A' },
  { score: 85, grade: 'A-' },
  { score: 80, grade: 'B+' },
  { score: 75, grade: 'B' },
  { score: 70, grade: 'B' },
  { score: 65, grade: 'B-' },
  { score: 60, grade: 'C+' },
  { score: 55, grade: 'C' },
  { score: 50, grade: 'C' },
  { score: 45, grade: 'C-' },
  { score: 40, grade: 'D+' },
  { score: 35, grade: 'D' },
  { score: 30, grade: 'D' },
  { score: 25, grade: 'D-' },
  { score: 20, grade: 'F' },
  { score: 15, grade: 'F' },
  { score: 10, grade: 'F' },
  { score: 5, grade: 'F' },
  { score: 0, grade: 'F' },
];

export interface ObservatoryModifier {
  test: ObservatoryTestName;
  result: string;
  modifier: number;
  description?: string;
}

export interface ObservatoryScore {
  /** The Observatory's score: ≥ 0, may exceed 100 with bonuses. */
  score: number;
  grade: ObservatoryGrade;
  /** One entry per test, in the Observatory's test order. */
  modifiers: ObservatoryModifier[];
  /** Whether the positive modifiers were counted (the penalties alone left at least 90). */
  extraCredit: boolean;
}

export function observatoryResultInfo(test: ObservatoryTestName, result: string): ObservatoryResultInfo | undefined {
  const table: Readonly<Record<string, ObservatoryResultInfo>> = OBSERVATORY_TESTS[test];
  return Object.hasOwn(table, result) ? table[result] : undefined;
}

/** The letter of a score, as getGradeForScore does: floor at 0, down to a multiple of 5, 100 at most. */
export function observatoryGradeForScore(score: number): ObservatoryGrade {
  const s = Math.max(score, OBSERVATORY_MINIMUM_SCORE);
  const key = Math.min(s - (s % 5), 100);
  const row = OBSERVATORY_GRADE_CHART.find((r) => r.score === key) ?? OBSERVATORY_GRADE_CHART.find((r) => key >= r.score);
  return row?.grade ?? 'F';
}

/**
 * The score and letter of a set of results: 100, plus every penalty; the bonuses count only when
 * that sum is at least 90; then the floor at 0. An unknown result is an error (the upstream table
 * would silently give it 0).
 */
export function observatoryScore(results: ObservatoryResults): ObservatoryScore {
  const modifiers: ObservatoryModifier[] = OBSERVATORY_TEST_NAMES.map((test) => {
    const result: string = results[test];
    const info = observatoryResultInfo(test, result);
    if (!info) throw new Error(`unknown Observatory result "${result}" for test ${test}`);
    return { test, result, modifier: info.modifier, description: info.description };
  });
  const penalties = modifiers.reduce((sum, m) => sum + Math.min(m.modifier, 0), 0);
  const bonuses = modifiers.reduce((sum, m) => sum + Math.max(m.modifier, 0), 0);
  const uncurved = OBSERVATORY_BASELINE + penalties;
  const extraCredit = uncurved >= OBSERVATORY_MINIMUM_SCORE_FOR_EXTRA_CREDIT;
  const score = Math.max(extraCredit ? uncurved + bonuses : uncurved, OBSERVATORY_MINIMUM_SCORE);
  return { score, grade: observatoryGradeForScore(score), modifiers, extraCredit };
}

/** Our letter for an Observatory letter, for places that hold a GradeLetter (B+ → B, C- → C …). */
export function observatoryGradeAsLetter(grade: ObservatoryGrade): GradeLetter {
  return (grade === 'A+' || grade === 'A-' ? grade : grade.charAt(0)) as GradeLetter;
}
