// The SSL Labs letter of one MX host, from what the email-mx probe saw behind STARTTLS: the rating
// of protocols, suites, key exchange and certificates. The active vulnerability probes (Heartbleed,
// ROBOT …) are not run against MX hosts (mail servers rate-limit), so their caps are left out and
// `gradeNote` says so; the configuration verdicts (DROWN, POODLE, SWEET32 …) that follow from the
// suites are applied. SMTP has no HSTS, so an A stays A (never A+ for HSTS, and no "no HSTS" note).
import { untestedProtocols } from '../model/constants.js';
import type { EmailResult, GradeLetter, TlsResult } from '../model/report.js';
import type { Grader } from './grader.js';
import { RATING_REFERENCE, sslLabsComponents, sslLabsGrade } from './ssllabs.js';

type MxEntry = EmailResult['mx'][number];
type TlsRating = NonNullable<TlsResult['rating']>;

export const MX_VULN_NOTE =
  'active vulnerability tests (Heartbleed, CCS injection, ROBOT, Ticketbleed, renegotiation, CRIME) are not run against MX hosts: their caps are not applied';
// The TLS 1.3 groups and TLS 1.2 curves are not enumerated on MX hosts either (a handshake each):
// the key exchange is scored from the certificate key and the DHE prime; nor are the TLS features
// asked (the A- warning for secure renegotiation is not applied).

export interface MxGrade {
  letter: GradeLetter | null;
  /** What the letter does not cover, or why there is none. */
  note: string | null;
  rating: TlsRating | null;
}

/** The MX host's TLS facts as a whole TlsResult (what the rating reads); missing parts are untested. */
function asTlsResult(tls: Partial<TlsResult>): TlsResult {
  return {
    status: tls.status ?? 'error',
    ...(tls.reason ? { reason: tls.reason } : {}),
    protocols: tls.protocols ?? untestedProtocols(),
    cipherSuites: tls.cipherSuites ?? {},
    serverPreference: tls.serverPreference ?? {},
    groups: tls.groups ?? null,
    certificates: tls.certificates ?? [],
    ...(tls.chains ? { chains: tls.chains } : {}),
    vulnerabilities: tls.vulnerabilities ?? {},
    dhParameterBits: tls.dhParameterBits ?? null,
    probes: {},
  };
}

export function mxGrade(mx: Pick<MxEntry, 'starttls' | 'reason' | 'tls'>): MxGrade {
  if (!mx.tls) return { letter: null, note: mx.starttls === false ? 'no STARTTLS: nothing to grade' : (mx.reason ?? null), rating: null };
  const result = asTlsResult(mx.tls);
  if (result.status !== 'ok' || Object.keys(result.cipherSuites).length === 0) {
    return { letter: null, note: mx.tls.reason ?? 'no cipher suite was enumerated', rating: null };
  }
  const components = sslLabsComponents(result);
  // Not asked of MX hosts by design (see the header), so not pending: left out, and the note says so.
  const pending = components.pending.filter((p) => !p.startsWith('vulnerability caps') && !p.startsWith('key exchange: ECDHE') && !p.startsWith('A- warning'));
  const rating = { ...components, pending };
  const g = sslLabsGrade(result, rating, null, { untestedVulnerabilities: 'not-applied', unknownKeyExchange: 'not-applied', unknownRenegotiation: 'not-applied' });
  const notAPlus = g.notAPlus && /HSTS/.test(g.notAPlus) ? null : g.notAPlus;
  return {
    letter: g.letter,
    note: g.letter === null ? g.ungraded : MX_VULN_NOTE,
    rating: { ...rating, best: g.best, worst: g.worst, letter: g.letter, ignoringTrust: g.ignoringTrust, warnings: g.warnings, notAPlus },
  };
}

export const mxTlsGrader: Grader<Pick<MxEntry, 'starttls' | 'reason' | 'tls'>, MxGrade> = {
  id: 'mx-tls',
  reference: `${RATING_REFERENCE}, without the active vulnerability caps and HSTS`,
  grade: mxGrade,
};

/** The report's MX entry with its letter: `tls.rating`, `grade` and `gradeNote`. */
export function gradedMx(mx: MxEntry): MxEntry {
  const g = mxGrade(mx);
  return {
    ...mx,
    tls: mx.tls && g.rating ? { ...mx.tls, rating: g.rating } : mx.tls,
    grade: g.letter,
    gradeNote: g.note,
  };
}
