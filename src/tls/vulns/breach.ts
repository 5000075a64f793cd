// BREACH (CVE-2013-3587), judged: the page answered compressed over TLS. Pure: the vuln-breach
// probe makes the request.
import { finding, type CheckFinding } from '../../model/finding.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const BREACH_FINDINGS = {
  breach: 'tls.vuln.breach',
} as const;

/** What the request offers, so a compressing server shows it. */
export const OFFERED_ENCODINGS = 'gzip, deflate, br';

export interface BreachEvidence {
  verdict: 'vulnerable' | 'not-vulnerable' | 'unknown';
  url: string;
  statusCode: number | null;
  /** The Content-Encoding the server answered with (lower-cased), or null for none. */
  contentEncoding: string | null;
  /** Why the verdict is unknown (no HTTP answer). */
  reason?: string;
}

export function checkBreach(ev: BreachEvidence): CheckFinding[] {
  if (ev.verdict !== 'vulnerable') return [];
  return [
    finding({
      id: BREACH_FINDINGS.breach,
      severity: 'info',
      title: `HTTP compression over TLS (${ev.contentEncoding}): BREACH precondition`,
      detail: `${ev.url} answered a request offering ${OFFERED_ENCODINGS} with Content-Encoding: ${ev.contentEncoding} (status ${ev.statusCode}). BREACH recovers a secret from compressed sizes only if the same response body carries both the secret (a CSRF token, a session value) and text the attacker controls; that cannot be judged from outside, so this is information: static pages and pages without secrets are not at risk. Only this path was requested.`,
      evidence: { url: ev.url, statusCode: ev.statusCode, contentEncoding: ev.contentEncoding, acceptEncoding: OFFERED_ENCODINGS },
      remediation:
        'For responses that carry secrets and reflect user input: disable compression on them, mask secrets per response (random XOR, as Rails and Django do for CSRF tokens), keep secrets out of bodies that reflect input, or add SameSite cookies to cut cross-site requests.',
      references: ['CVE-2013-3587 (BREACH, https://nvd.nist.gov/vuln/detail/CVE-2013-3587)', 'BREACH (https://www.breachattack.com/)'],
    }),
  ];
}
