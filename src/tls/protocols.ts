// Protocol versions, judged: SSLv2/SSLv3 enabled, TLS 1.0/1.1 enabled (RFC 8996), no TLS 1.2 or
// 1.3, no TLS 1.3. Pure: the tls-protocols probe (and the MX transport probe) collect the evidence.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { ProtocolName, Protocols } from '../model/constants.js';
import { SSLV2_CIPHER_KINDS } from './registry/sslv2.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const PROTOCOL_FINDINGS = {
  sslv2: 'tls.protocol.sslv2',
  sslv3: 'tls.protocol.sslv3',
  tls10: 'tls.protocol.tls10',
  tls11: 'tls.protocol.tls11',
  noModern: 'tls.protocol.no-modern',
  noTls13: 'tls.protocol.no-tls13',
} as const;

export interface TlsProtocolsEvidence {
  protocols: Protocols;
  /** Why each version was judged as it was: the suite negotiated, the alert, or why untested. */
  attempts: Partial<Record<ProtocolName, string>>;
  /** SSLv2 cipher kinds the server named in its SERVER-HELLO (SSL_CK_* names). */
  sslv2Ciphers: string[];
  /**
   * Per accepted version: the suite the server picked and how many bundles it refused first, so
   * tls-ciphers continues from there instead of repeating these handshakes.
   */
  firstPick: Partial<Record<ProtocolName, { suite: number; refusedBundles: number }>>;
}

export function checkTlsProtocols(ev: TlsProtocolsEvidence): CheckFinding[] {
  const p = ev.protocols;
  const out: CheckFinding[] = [];
  if (p.SSLv2 === true) {
    out.push(
      finding({
        id: PROTOCOL_FINDINGS.sslv2,
        severity: 'critical',
        title: 'SSLv2 is enabled',
        detail: `The server accepts SSL 2.0 (${ev.sslv2Ciphers.join(', ') || 'no cipher named'}), broken since 1996 and exploitable through DROWN.`,
        // Vendor kinds outside the SSL 2.0 specification are marked, as non-IANA TLS suites are.
        evidence: { protocol: 'SSLv2', accepted: true, ciphers: ev.sslv2Ciphers, nonStandard: ev.sslv2Ciphers.filter((n) => SSLV2_CIPHER_KINDS.some((k) => k.name === n && k.nonStandard)) },
        remediation: 'Disable SSLv2 everywhere the certificate or key is used.',
        references: ['RFC 6176 — Prohibiting SSL 2.0 (https://www.rfc-editor.org/rfc/rfc6176)', 'CVE-2016-0800 (DROWN)', REF.ssllabsGuide],
      }),
    );
  }
  if (p.SSLv3 === true) {
    out.push(
      finding({
        id: PROTOCOL_FINDINGS.sslv3,
        severity: 'high',
        title: 'SSLv3 is enabled',
        detail: 'The server accepts SSL 3.0, deprecated by RFC 7568 and open to POODLE.',
        evidence: { protocol: 'SSLv3', accepted: true, attempt: ev.attempts.SSLv3 ?? null },
        remediation: 'Disable SSLv3; offer TLS 1.2 and TLS 1.3 only.',
        references: ['RFC 7568 — Deprecating SSL 3.0 (https://www.rfc-editor.org/rfc/rfc7568)', 'CVE-2014-3566 (POODLE)', REF.ssllabsGuide],
      }),
    );
  }
  for (const [version, id] of [
    ['TLSv1.0', PROTOCOL_FINDINGS.tls10],
    ['TLSv1.1', PROTOCOL_FINDINGS.tls11],
  ] as const) {
    if (p[version] === true) {
      out.push(
        finding({
          id,
          severity: 'medium',
          title: `${version} is enabled`,
          detail: `The server accepts ${version}, deprecated by RFC 8996 and capped at B by SSL Labs.`,
          evidence: { protocol: version, accepted: true },
          remediation: `Disable ${version}; offer TLS 1.2 and TLS 1.3 only.`,
          references: [REF.rfc8996, REF.ssllabsGuide],
        }),
      );
    }
  }
  if (p['TLSv1.2'] === false && p['TLSv1.3'] === false) {
    out.push(
      finding({
        id: PROTOCOL_FINDINGS.noModern,
        severity: 'high',
        title: 'Neither TLS 1.2 nor TLS 1.3 is supported',
        detail: 'The server offers no current TLS version; modern clients will fail to connect.',
        evidence: { protocols: p },
        remediation: 'Enable TLS 1.2 and TLS 1.3.',
        references: [REF.rfc8446, REF.ssllabsGuide],
      }),
    );
  } else if (p['TLSv1.3'] === false) {
    out.push(
      finding({
        id: PROTOCOL_FINDINGS.noTls13,
        severity: 'low',
        title: 'TLS 1.3 is not supported',
        detail: 'TLS 1.3 removes legacy algorithms and saves a round trip; SSL Labs withholds A+ without it.',
        evidence: { protocol: 'TLSv1.3', accepted: false, attempt: ev.attempts['TLSv1.3'] ?? null },
        remediation: 'Enable TLS 1.3 (OpenSSL ≥ 1.1.1, nginx `ssl_protocols TLSv1.2 TLSv1.3;`).',
        references: [REF.rfc8446, REF.ssllabsGuide],
      }),
    );
  }
  return out;
}
