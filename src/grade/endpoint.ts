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
  /** The HTTP check was asked for and did not complete: HSTS, and so A+, is unknown. */
  hstsUnknown?: boolean;
}

export interface EndpointGrade {
  letter: GradeLetter | null;
  /** The letters the untested parts could still give (null: not gradable at all). */
  best: GradeLetter | null;
  worst: GradeLetter | null;
  /** Why there is no letter. */
  ungraded: string | null;
  rating: NonNullable<TlsResult['rating']> | null;
  findings: CheckFinding[];
}

export const sslLabsGrader: Grader<EndpointGradeInput, EndpointGrade> = {
  id: 'ssllabs',
  reference: RATING_REFERENCE,
  grade({ tls, hstsMaxAge, hstsUnknown }) {
    // The categories need the enumerated suites; without them there is nothing to score.
    if (tls.status !== 'ok' || Object.keys(tls.cipherSuites).length === 0) {
      const why = tls.status !== 'ok' ? `TLS could not be tested: ${tls.reason ?? tls.status}` : 'no cipher suite was enumerated';
      return { letter: null, best: null, worst: null, ungraded: why, rating: null, findings: [] };
    }
    const rating = sslLabsComponents(tls);
    const letter = sslLabsGrade(tls, rating, hstsMaxAge, { hstsUnknown: hstsUnknown ?? false });
    return {
      letter: letter.letter,
      rating: { ...rating, best: letter.best, worst: letter.worst, letter: letter.letter, ignoringTrust: letter.ignoringTrust, warnings: letter.warnings, notAPlus: letter.notAPlus },
      findings: gradeFindings(rating, letter),
      best: letter.best,
      worst: letter.worst,
      ungraded: letter.ungraded,
    };
  },
};

/** The endpoint with its letter and rating, and the findings that explain them. */
export function gradedEndpoint(ep: EndpointReport, hstsMaxAge: number | null, hstsUnknown = false): { endpoint: EndpointReport; grade: EndpointGrade } {
  const g = sslLabsGrader.grade({ tls: ep.tls, hstsMaxAge, hstsUnknown });
  return { endpoint: { ...ep, tls: g.rating ? { ...ep.tls, rating: g.rating } : ep.tls, grade: g.letter }, grade: g };
}
