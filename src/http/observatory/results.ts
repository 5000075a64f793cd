// The MDN HTTP Observatory 1.4.8 tests and every result each can give (the possibleResults of its
// src/analyzer/tests/*.js, in the order of ALL_TESTS in src/constants.js): the vocabulary the tests in
// this folder answer in. What each result is worth is the score table in src/grade/observatory.ts.

export const OBSERVATORY_POSSIBLE_RESULTS = {
  'content-security-policy': [
    'csp-implemented-with-no-unsafe-default-src-none',
    'csp-implemented-with-no-unsafe',
    'csp-implemented-with-unsafe-inline-in-style-src-only',
    'csp-implemented-with-insecure-scheme-in-passive-content-only',
    'csp-implemented-with-unsafe-eval',
    'csp-implemented-with-unsafe-inline',
    'csp-implemented-with-insecure-scheme',
    'csp-implemented-but-duplicate-directives',
    'csp-header-invalid',
    'csp-not-implemented',
    'csp-not-implemented-but-reporting-enabled',
  ],
  cookies: [
    'cookies-secure-with-httponly-sessions-and-samesite',
    'cookies-secure-with-httponly-sessions',
    'cookies-not-found',
    'cookies-without-secure-flag-but-protected-by-hsts',
    'cookies-session-without-secure-flag-but-protected-by-hsts',
    'cookies-without-secure-flag',
    'cookies-samesite-flag-invalid',
    'cookies-anticsrf-without-samesite-flag',
    'cookies-session-without-httponly-flag',
    'cookies-session-without-secure-flag',
  ],
  'cross-origin-resource-sharing': [
    'cross-origin-resource-sharing-not-implemented',
    'cross-origin-resource-sharing-implemented-with-public-access',
    'cross-origin-resource-sharing-implemented-with-restricted-access',
    'cross-origin-resource-sharing-implemented-with-universal-access',
  ],
  redirection: [
    'redirection-all-redirects-preloaded',
    'redirection-to-https',
    'redirection-not-needed-no-http',
    'redirection-off-host-from-http',
    'redirection-not-to-https-on-initial-redirection',
    'redirection-not-to-https',
    'redirection-missing',
    'redirection-invalid-cert',
  ],
  'referrer-policy': [
    'referrer-policy-private',
    'referrer-policy-not-implemented',
    'referrer-policy-unsafe',
    'referrer-policy-header-invalid',
  ],
  'strict-transport-security': [
    'hsts-preloaded',
    'hsts-implemented-max-age-at-least-six-months',
    'hsts-implemented-max-age-less-than-six-months',
    'hsts-not-implemented',
    'hsts-header-invalid',
    'hsts-not-implemented-no-https',
    'hsts-invalid-cert',
  ],
  'subresource-integrity': [
    'sri-implemented-and-all-scripts-loaded-securely',
    'sri-implemented-and-external-scripts-loaded-securely',
    'sri-not-implemented-response-not-html',
    'sri-not-implemented-but-no-scripts-loaded',
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    'sri-not-implemented-but-external-scripts-loaded-securely',
    'sri-implemented-but-external-scripts-not-loaded-securely',
    'sri-not-implemented-and-external-scripts-not-loaded-securely',
    // The generic result HtmlNotParseable: in 1.4.8 only this test gives it (when the page claims to
    // be HTML and cannot be parsed); it is not in the test's possibleResults.
    'html-not-parseable',
  ],
  'x-content-type-options': [
    'x-content-type-options-nosniff',
    'x-content-type-options-not-implemented',
    'x-content-type-options-header-invalid',
  ],
  'x-frame-options': [
    'x-frame-options-implemented-via-csp',
    'x-frame-options-sameorigin-or-deny',
    'x-frame-options-allow-from-origin',
    'x-frame-options-not-implemented',
    'x-frame-options-header-invalid',
  ],
  'cross-origin-resource-policy': [
    'corp-not-implemented',
    'corp-implemented-with-same-origin',
    'corp-implemented-with-same-site',
    'corp-implemented-with-cross-origin',
    'corp-header-invalid',
  ],
} as const;

export type ObservatoryTestName = keyof typeof OBSERVATORY_POSSIBLE_RESULTS;
export type ObservatoryResultOf<T extends ObservatoryTestName> = (typeof OBSERVATORY_POSSIBLE_RESULTS)[T][number];
/** One result per test: what the Observatory's ten tests found. */
export type ObservatoryResults = { [T in ObservatoryTestName]: ObservatoryResultOf<T> };

export const OBSERVATORY_TEST_NAMES = Object.keys(OBSERVATORY_POSSIBLE_RESULTS) as ObservatoryTestName[];
