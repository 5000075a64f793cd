// Every grade of a scan, made in one step from the assembled sections: each endpoint's SSL Labs
// letter, each MX host's letter, the site's Observatory score and securityheaders letter, the
// email grade, and the overall grade. Assembly calls this once; no other module computes a grade.
import type { HttpSiteEvidence } from '../http/site-evidence.js';
import { withSubject, SUBJECT, type CheckFinding } from '../model/finding.js';
import { worstGrade } from '../model/severity.js';
import type { EmailResult, EndpointReport, Finding, HttpResult, Report } from '../model/report.js';
import { endpointKey } from '../model/target.js';
import { gradedEmail } from './email-input.js';
import { gradedEndpoint } from './endpoint.js';
import type { Grader } from './grader.js';
import { gradedMx } from './mx.js';
import { gradedHttp } from './site.js';

export interface ScanToGrade {
  /** The endpoints with their TLS sections, not yet graded. */
  endpoints: readonly EndpointReport[];
  http: HttpResult | null;
  /** What the site probe fetched (the Observatory's tests read the responses themselves); null when it did not complete. */
  httpSite: HttpSiteEvidence | null;
  email: EmailResult | null;
}

export interface GradedScan {
  endpoints: EndpointReport[];
  http: HttpResult | null;
  email: EmailResult | null;
  grades: Report['grades'];
  /** Findings that explain a grade (SSL Labs caps and warnings), with their subjects. */
  findings: Finding[];
}

type SectionGrades = Omit<Report['grades'], 'overall'>;

/** Overall: the worst section grade that exists, null when none does. */
export const overallGrader: Grader<SectionGrades, Report['grades']['overall']> = {
  id: 'overall',
  reference: 'the worst of the TLS, HTTP and email grades',
  grade: (g) => worstGrade([g.tls, g.http, g.email]),
};

export function gradeScan(scan: ScanToGrade): GradedScan {
  // HSTS lifts an A to A+ on every endpoint (the rating guide's rule).
  const hstsMaxAge = scan.http?.hsts?.maxAge ?? null;
  const findings: Finding[] = [];
  const endpoints = scan.endpoints.map((ep) => {
    const g = gradedEndpoint(ep, hstsMaxAge);
    const key = endpointKey(ep);
    findings.push(...g.findings.map((f: CheckFinding) => withSubject({ ...f, endpoint: key }, SUBJECT.endpoint(key))));
    return g.endpoint;
  });
  const http = scan.http && scan.httpSite ? gradedHttp(scan.http, scan.httpSite) : scan.http;
  let email = scan.email;
  if (email) {
    email = { ...email, mx: email.mx.map(gradedMx) };
    if (email.status === 'ok') email = gradedEmail(email);
  }

  // TLS: the worst endpoint (a client may land on any); an endpoint without a letter makes the
  // whole TLS grade unknown, as its worst could be anything. HTTP: the Observatory letter.
  const tls = endpoints.length && endpoints.every((e) => e.grade !== null) ? worstGrade(endpoints.map((e) => e.grade)) : null;
  const sections: SectionGrades = {
    tls,
    http: http?.status === 'ok' ? http.grade : null,
    email: email?.status === 'ok' ? email.grade : null,
  };
  return { endpoints, http, email, grades: { ...sections, overall: overallGrader.grade(sections) }, findings };
}
