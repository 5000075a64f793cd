// An endpoint's SSL Labs letter: the rating guide's categories and caps (./ssllabs.ts) over the
// endpoint's TLS section, the site's HSTS for A+, and one info finding per rule that shaped it.
import type { CheckFinding } from '../model/finding.js';
import type { EndpointReport, GradeLetter, TlsResult } from '../model/report.js';
import type { Grader } from './grader.js';
import { gradeFindings } from './ssllabs-findings.js';
import { RATING_REFERENCE, sslLabsComponents, sslLabsGrade } from './ssllabs.js';

export interface EndpointGradeInput {
  tls: TlsResult;
  /** The site's HSTS max-age in seconds (A+ needs 180 days), null without valid HSTS. */
  hstsMaxAge: number | null;
}

export interface EndpointGrade {
  letter: GradeLetter | null;
  rating: NonNullable<TlsResult['rating']> | null;
  findings: CheckFinding[];
}

export const sslLabsGrader: Grader<EndpointGradeInput, EndpointGrade> = {
  id: 'ssllabs',
  reference: RATING_REFERENCE,
  grade({ tls, hstsMaxAge }) {
    // The categories need the enumerated suites; without them there is nothing to score.
    if (tls.status !== 'ok' || Object.keys(tls.cipherSuites).length === 0) return { letter: null, rating: null, findings: [] };
    const rating = sslLabsComponents(tls);
    const letter = sslLabsGrade(tls, rating, hstsMaxAge);
    return {
      letter: letter.letter,
      rating: { ...rating, letter: letter.letter, ignoringTrust: letter.ignoringTrust, warnings: letter.warnings, notAPlus: letter.notAPlus },
      findings: gradeFindings(rating, letter),
    };
  },
};

/** The endpoint with its letter and rating, and the findings that explain them. */
export function gradedEndpoint(ep: EndpointReport, hstsMaxAge: number | null): { endpoint: EndpointReport; findings: CheckFinding[] } {
  const g = sslLabsGrader.grade({ tls: ep.tls, hstsMaxAge });
  return {
    endpoint: { ...ep, tls: g.rating ? { ...ep.tls, rating: g.rating } : ep.tls, grade: g.letter },
    findings: g.findings,
  };
}
