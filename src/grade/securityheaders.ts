// A securityheaders.com-style letter (A+ … F) for a site's HTTP response headers. securityheaders.com
// does not publish its algorithm, so this is one simple table built from what is documented, with
// the rest marked as our reading.
//
// Documented:
//   - the six headers graded: Strict-Transport-Security, Content-Security-Policy, X-Frame-Options,
//     X-Content-Type-Options, Referrer-Policy, Permissions-Policy — exactly the keys of
//     `summary.headers` in the API's example response (https://securityheaders.com/api/docs/);
//   - grades run from A+ down to F (Scott Helme, "A Balanced Approach: New Security Headers Grading
//     Criteria", 2023-11-07, probely.com / scotthelme.co.uk);
//   - all six present but a warning (there: 'unsafe-inline' in the CSP) is not an A+ but an A: the
//     same post, on his own site; the API reports it as `gradeCap: "A"`;
//   - X-XSS-Protection is no longer needed for A+, and Feature-Policy (now Permissions-Policy) is
//     required for A+ (Scott Helme, "Security Headers Updates", scotthelme.co.uk, 2019).
// Our reading (not published):
//   - the letter falls with the number of graded headers missing or invalid, all headers weighing
//     the same: 0 → A+ (A with a warning), 1 → A (the 2019 post: without Feature-Policy a site that
//     had everything else stayed at A), 2 → B, 3 → C, 4 → C, 5 → D, 6 → F. The 2-missing → B,
//     4-missing → C and none → F steps agree with a third-party description of the ladder
//     (https-hardening.com, "Interpreting your securityheaders.com grade");
//   - a header that is present but invalid counts as missing; whether a header is valid (and
//     whether CSP frame-ancestors stands in for X-Frame-Options) is for the caller to decide;
//   - any warning caps the letter at A, whatever it is about: the caller says which findings are
//     warnings (the 2023 post narrowed the 'unsafe-inline' warning; its exact new scope is not
//     recorded here).
// There is no E: no source we read shows securityheaders.com giving one.
import type { GradeLetter } from '../model/constants.js';
import { worstGrade } from '../model/severity.js';

export const SECURITY_HEADERS_REFERENCE = 'securityheaders.com (Scott Helme): graded headers from its API documentation; A+ rules from his 2019 and 2023 posts';

export const SECURITY_HEADERS = [
  'Strict-Transport-Security',
  'Content-Security-Policy',
  'X-Frame-Options',
  'X-Content-Type-Options',
  'Referrer-Policy',
  'Permissions-Policy',
] as const;
export type SecurityHeaderName = (typeof SECURITY_HEADERS)[number];

export type SecurityHeaderState = 'valid' | 'invalid' | 'missing';

export type SecurityHeadersLetter = Extract<GradeLetter, 'A+' | 'A' | 'B' | 'C' | 'D' | 'F'>;

/** Letter by the number of graded headers missing or invalid (index = count). Our reading. */
export const SECURITY_HEADERS_GRADE_BY_MISSING: readonly SecurityHeadersLetter[] = ['A+', 'A', 'B', 'C', 'C', 'D', 'F'];

/** The best letter a site with any warning can get (documented: the API's gradeCap). */
export const SECURITY_HEADERS_WARNING_CAP: SecurityHeadersLetter = 'A';

export interface SecurityHeadersInput {
  /** State of each graded header; a header left out is missing. */
  headers: Partial<Record<SecurityHeaderName, SecurityHeaderState>>;
  /** Findings that keep the site from A+ (e.g. "'unsafe-inline' in script-src"). */
  warnings: string[];
}

export interface SecurityHeadersGrade {
  grade: SecurityHeadersLetter;
  /** Graded headers missing or invalid, in SECURITY_HEADERS order. */
  missing: SecurityHeaderName[];
  warnings: string[];
  /** Why the letter is what it is, one sentence each. */
  reasons: string[];
}

export function securityHeadersGrade(input: SecurityHeadersInput): SecurityHeadersGrade {
  const missing: SecurityHeaderName[] = [];
  const reasons: string[] = [];
  for (const name of SECURITY_HEADERS) {
    const state = input.headers[name] ?? 'missing';
    if (state === 'valid') continue;
    missing.push(name);
    reasons.push(state === 'invalid' ? `${name} is present but invalid, so it counts as missing` : `${name} is missing`);
  }
  let grade = SECURITY_HEADERS_GRADE_BY_MISSING[missing.length] ?? 'F';
  if (missing.length > 0) reasons.push(`${missing.length} of ${SECURITY_HEADERS.length} graded headers missing or invalid: ${grade}`);
  const warnings = [...input.warnings];
  if (warnings.length > 0) {
    const capped = worstGrade([grade, SECURITY_HEADERS_WARNING_CAP])!;
    if (capped !== grade) reasons.push(`${warnings.length === 1 ? 'a warning caps' : `${warnings.length} warnings cap`} the grade at ${SECURITY_HEADERS_WARNING_CAP}: ${warnings.join('; ')}`);
    grade = capped;
  }
  if (grade === 'A+') reasons.push('all six graded headers present and valid, no warnings');
  return { grade, missing, warnings, reasons };
}
