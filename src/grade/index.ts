// Every grade of a scan, made in one step from the assembled sections: each endpoint's SSL Labs
// letter, each MX host's letter, the site's Observatory score and securityheaders letter, the
// email grade, and the overall grade. Assembly calls this once; no other module computes a grade.
//
// A grade exists only when nothing untested could change it. Each section has a best and a worst
// letter over every outcome of what it could not test (a section that could not be tested at all
// could be anything, A+ to F); its letter is given when the two agree. Overall is the worst of the
// requested sections, given when the worst of their best letters equals the worst of their worst.
import type { HstsRawEvidence } from '../http/hsts-raw.js';
import type { HttpSiteEvidence } from '../http/site-evidence.js';
import { withSubject, SUBJECT } from '../model/finding.js';
import { worstGrade } from '../model/severity.js';
import type { EmailResult, EndpointReport, Finding, GradeLetter, HttpResult, Report } from '../model/report.js';
import { endpointKey } from '../model/target.js';
import { gradedEmail } from './email-input.js';
import { gradedEndpoint } from './endpoint.js';
import { withHstsSource } from './hsts-source.js';
import type { Grader } from './grader.js';
import { gradedMx } from './mx.js';
import { gradedHttp } from './site.js';

export type GradedSection = 'tls' | 'http' | 'email';

export interface ScanToGrade {
  /** The endpoints with their TLS sections, not yet graded. */
  endpoints: readonly EndpointReport[];
  http: HttpResult | null;
  /** What the site probe fetched (the Observatory's tests read the responses themselves); null when it did not complete. */
  httpSite: HttpSiteEvidence | null;
  /** HSTS read over the raw TLS client where Node's TLS could not fetch the page (tls-hsts-raw); null when not read. */
  hstsRaw?: HstsRawEvidence | null;
  /** That read was needed and failed: HSTS is then unknown even if the site probe completed. */
  hstsRawFailed?: boolean;
  email: EmailResult | null;
  /** The sections whose grade was asked for (--checks); the others have none, and overall leaves them out. */
  requested: Readonly<Record<GradedSection, boolean>>;
  /** Why there are no endpoints (no address), when there are none. */
  noAddress?: string | null;
  /** A non-web target (imap:// …): why HTTP and email have no grade (they were not requested either). */
  notApplicable?: string;
  /** Addresses of the target left unscanned (--max-endpoints): any of them could be the worst. */
  unscannedEndpoints?: number;
}

export interface GradedScan {
  endpoints: EndpointReport[];
  http: HttpResult | null;
  email: EmailResult | null;
  grades: Report['grades'];
  /** Why each null grade is null. */
  gradeReasons: NonNullable<Report['gradeReasons']>;
  /** Findings that explain a grade (SSL Labs caps and warnings), with their subjects. */
  findings: Finding[];
}

/** What a section's letter could be: decided when best = worst. */
export interface LetterRange {
  best: GradeLetter;
  worst: GradeLetter;
  /** Why it is not decided (or not asked for), for gradeReasons. */
  why: string | null;
  /** How the overall reason names this section when it has no letter; default "not decided". */
  undecidedAs?: string;
}

const UNKNOWN = (why: string): LetterRange => ({ best: 'A+', worst: 'F', why });
const letterOf = (r: LetterRange | null): GradeLetter | null => (r && r.best === r.worst ? r.best : null);

/** The worst of several ranges: a client (or a reader) meets the worst part. */
function worstOf(ranges: readonly LetterRange[], why: (undecided: string[]) => string): LetterRange {
  const best = worstGrade(ranges.map((r) => r.best))!;
  const worst = worstGrade(ranges.map((r) => r.worst))!;
  const undecided = ranges.filter((r) => r.best !== r.worst && r.why).map((r) => r.why!);
  return { best, worst, why: best === worst ? null : why(undecided) };
}

/** Overall: the worst requested section, given when the untested parts cannot change it. */
export const overallGrader: Grader<Partial<Record<GradedSection, LetterRange>>, LetterRange | null> = {
  id: 'overall',
  reference: 'the worst of the TLS, HTTP and email grades that were asked for',
  grade(sections) {
    const parts = (['tls', 'http', 'email'] as const).flatMap((k) => (sections[k] ? [{ k, r: sections[k] }] : []));
    if (parts.length === 0) return null;
    return worstOf(
      parts.map((p) => p.r),
      () => {
        const open = parts.filter((p) => p.r.best !== p.r.worst);
        const named = open.every((p) => !p.r.undecidedAs)
          ? `${open.map((p) => p.k).join(', ')} not decided`
          : open.map((p) => `${p.k} ${p.r.undecidedAs ?? 'not decided'}`).join(', ');
        return `it could be anything from ${worstGrade(parts.map((p) => p.r.best))} to ${worstGrade(parts.map((p) => p.r.worst))}: ${named}`;
      },
    );
  },
};

export function gradeScan(scan: ScanToGrade): GradedScan {
  const { requested } = scan;
  // HSTS lifts an A to A+ on every endpoint (the rating guide's rule): the site's, else what the raw
  // TLS client read where Node's TLS could not fetch the page (SSL Labs reads it with its own client).
  const raw = scan.hstsRaw ?? null;
  const hstsMaxAge = raw ? raw.maxAge : (scan.http?.hsts?.maxAge ?? null);
  // Not looked at (HTTP not asked for): no A+. Asked for and read by neither client: A+ is undecided.
  const hstsUnknown = requested.http && raw === null && (scan.httpSite === null || scan.hstsRawFailed === true);
  const findings: Finding[] = [];
  const tlsRanges: LetterRange[] = [];
  const endpoints = scan.endpoints.map((ep) => {
    const g = gradedEndpoint(ep, hstsMaxAge, hstsUnknown);
    const key = endpointKey(ep);
    findings.push(...g.grade.findings.map((f) => withSubject({ ...f, endpoint: key }, SUBJECT.endpoint(key))));
    tlsRanges.push(
      g.grade.best && g.grade.worst
        ? { best: g.grade.best, worst: g.grade.worst, why: g.grade.ungraded && `${key}: ${g.grade.ungraded}` }
        : UNKNOWN(`${key}: ${g.grade.ungraded ?? 'not graded'}`),
    );
    return raw ? withHstsSource(g.endpoint, raw) : g.endpoint;
  });

  let http = scan.http;
  let httpRange: LetterRange | null = null;
  if (http && scan.httpSite) {
    const g = gradedHttp(http, scan.httpSite);
    http = g.http;
    // The Observatory's refusal (a final 4xx/5xx) is no letter, never a pass: overall is not given either.
    httpRange = g.http.grade
      ? { best: g.http.grade, worst: g.http.grade, why: null }
      : { ...UNKNOWN(g.undecided ?? 'the site could not be graded'), ...(g.http.observatoryNotGraded ? { undecidedAs: 'not graded by the MDN Observatory' } : {}) };
  }

  let email = scan.email;
  let emailRange: LetterRange | null = null;
  if (email) {
    email = { ...email, mx: email.mx.map(gradedMx) };
    if (email.status === 'ok') {
      email = gradedEmail(email);
      const r = email.rating;
      emailRange = r?.best && r.worst ? { best: r.best, worst: r.worst, why: email.grade ? null : (r.reasons.at(-1) ?? 'not decided') } : null;
    }
  }

  // A requested section without a range could not be tested at all: it could be anything.
  const sections: Partial<Record<GradedSection, LetterRange>> = {};
  const reasons: GradedScan['gradeReasons'] = {};
  if (scan.unscannedEndpoints) tlsRanges.push(UNKNOWN(`${scan.unscannedEndpoints} address(es) of the target were not scanned (--max-endpoints)`));
  if (requested.tls) {
    sections.tls = endpoints.length
      ? worstOf(tlsRanges, (u) => `an endpoint's letter is not decided (${u.join('; ')})`)
      : UNKNOWN(`TLS not tested: ${scan.noAddress ?? 'no address to connect to'}`);
  }
  if (requested.http) sections.http = httpRange ?? UNKNOWN(`HTTP not tested: ${http?.reason ?? scan.noAddress ?? 'the site could not be fetched'}`);
  if (requested.email) sections.email = emailRange ?? UNKNOWN(`email not tested: ${email?.reason ?? 'no email probe completed'}`);
  for (const k of ['tls', 'http', 'email'] as const) {
    const r = sections[k];
    if (!r) reasons[k] = k !== 'tls' && scan.notApplicable ? scan.notApplicable : 'not requested (--checks)';
    else if (letterOf(r) === null) reasons[k] = r.why ?? `it could be anything from ${r.best} to ${r.worst}`;
  }
  const overall = overallGrader.grade(sections);
  if (!overall) reasons.overall = 'no graded section was requested';
  else if (letterOf(overall) === null) reasons.overall = overall.why ?? 'not decided';

  return {
    endpoints,
    http,
    email,
    grades: { tls: letterOf(sections.tls ?? null), http: letterOf(sections.http ?? null), email: letterOf(sections.email ?? null), overall: letterOf(overall) },
    gradeReasons: reasons,
    findings,
  };
}
