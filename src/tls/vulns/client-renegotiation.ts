// Client-initiated renegotiation, judged. Pure: the vuln-client-renegotiation probe asks for it.
import { finding, type CheckFinding } from '../../model/finding.js';
import type { ProtocolName } from '../../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CLIENT_RENEGOTIATION_FINDINGS = {
  clientRenegotiation: 'tls.vuln.client-renegotiation',
} as const;

export interface ClientRenegotiationEvidence {
  verdict: 'vulnerable' | 'not-vulnerable' | 'unknown';
  /** What happened, or why nothing could be asked. */
  reason: string;
  /** The version the handshake ran at; null when none was made. */
  protocol: ProtocolName | null;
}

const RFC5746 = 'RFC 5746 — TLS Renegotiation Indication Extension (https://www.rfc-editor.org/rfc/rfc5746)';

export function checkClientRenegotiation(ev: ClientRenegotiationEvidence): CheckFinding[] {
  if (ev.verdict !== 'vulnerable') return [];
  return [
    finding({
      id: CLIENT_RENEGOTIATION_FINDINGS.clientRenegotiation,
      severity: 'low',
      title: 'Client-initiated renegotiation is accepted',
      detail: `At ${ev.protocol}, the server performed a second handshake when the client asked for one (${ev.reason}). A client can repeat this on one connection to make the server do costly public-key work at will: a denial-of-service lever (whether a renegotiation can be spliced into another client's session is the separate insecure-renegotiation verdict).`,
      evidence: { clientRenegotiation: true, protocol: ev.protocol },
      remediation:
        'Refuse client-initiated renegotiation (OpenSSL ≥ 1.1.0h / 3.x refuse it unless SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set; nginx refuses it; Apache only renegotiates for per-directory client certificates), or offer TLS 1.3 only.',
      references: [RFC5746, 'THC-SSL-DOS (https://www.thc.org/thc-ssl-dos/)', 'CVE-2011-1473 (client-initiated renegotiation DoS)'],
    }),
  ];
}
