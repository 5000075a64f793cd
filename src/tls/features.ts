// TLS features, judged: secure renegotiation (RFC 5746), compression (CRIME), fallback SCSV (RFC
// 7507), extended master secret (RFC 7627), heartbeat, OCSP stapling, HTTP/2 through ALPN. Pure: the
// tls-features probe collects the evidence.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { ProtocolName } from '../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const FEATURE_FINDINGS = {
  noSecureRenegotiation: 'tls.feature.no-secure-renegotiation',
  compression: 'tls.feature.compression',
  noFallbackScsv: 'tls.feature.no-fallback-scsv',
  noExtendedMasterSecret: 'tls.feature.no-extended-master-secret',
  heartbeat: 'tls.feature.heartbeat',
  noOcspStapling: 'tls.feature.no-ocsp-stapling',
  noH2: 'tls.feature.no-h2',
} as const;

type LegacyVersion = Exclude<ProtocolName, 'SSLv2' | 'TLSv1.3'>;

/** The ALPN protocols asked about, in the order they are reported. */
export const ALPN_PROTOCOLS = ['h2', 'http/1.1'] as const;

export interface TlsFeaturesEvidence {
  /** Supported among ALPN_PROTOCOLS (h2 first); [] when the server negotiates none of them or ALPN could not be tested. */
  alpn: string[];
  secureRenegotiation: boolean | null;
  fallbackScsv: boolean | null;
  extendedMasterSecret: boolean | null;
  ocspStapling: boolean | null;
  sctExtension: boolean | null;
  heartbeat: boolean | null;
  sessionTickets: boolean | null;
  compression: boolean | null;
  resumption: { ids: boolean | null; tickets: boolean | null };
  /** Which versions were asked: the highest accepted TLS ≤ 1.2 one, and whether TLS 1.3 was. */
  versions: { legacy: LegacyVersion | null; tls13: boolean };
  /** Why a value is null, and anything worth knowing about how it was decided. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Checks (pure)

const RFC5746 = 'RFC 5746 — TLS Renegotiation Indication Extension (https://www.rfc-editor.org/rfc/rfc5746)';

const RFC7507 = 'RFC 7507 — TLS Fallback SCSV (https://www.rfc-editor.org/rfc/rfc7507)';

const RFC7627 = 'RFC 7627 — TLS Session Hash and Extended Master Secret Extension (https://www.rfc-editor.org/rfc/rfc7627)';

const RFC6066 = 'RFC 6066 §8 — Certificate Status Request (https://www.rfc-editor.org/rfc/rfc6066#section-8)';

const RFC6520 = 'RFC 6520 — TLS Heartbeat Extension (https://www.rfc-editor.org/rfc/rfc6520)';

const RFC7301 = 'RFC 7301 — TLS Application-Layer Protocol Negotiation (https://www.rfc-editor.org/rfc/rfc7301)';

const RFC9113 = 'RFC 9113 — HTTP/2 (https://www.rfc-editor.org/rfc/rfc9113)';

export function checkTlsFeatures(ev: TlsFeaturesEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  const at = ev.versions.legacy ? ` (asked at ${ev.versions.legacy})` : '';
  if (ev.secureRenegotiation === false) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.noSecureRenegotiation,
        severity: 'high',
        title: 'Secure renegotiation (RFC 5746) is not supported',
        detail: `The server answered neither the renegotiation_info extension nor TLS_EMPTY_RENEGOTIATION_INFO_SCSV${at}: if it renegotiates at all, an attacker in the path can splice its own request in front of the client's.`,
        evidence: { secureRenegotiation: false, version: ev.versions.legacy },
        remediation: 'Upgrade the TLS library (every maintained one implements RFC 5746) or disable renegotiation altogether.',
        references: [RFC5746, 'CVE-2009-3555 (TLS renegotiation prefix injection)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.compression === true) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.compression,
        severity: 'high',
        title: 'TLS compression is enabled (CRIME)',
        detail: `The server selected DEFLATE compression${at}: secrets such as cookies can be recovered byte by byte from compressed sizes.`,
        evidence: { compression: true, version: ev.versions.legacy },
        remediation: 'Disable TLS-level compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0).',
        references: ['CVE-2012-4929 (CRIME)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.fallbackScsv === false) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.noFallbackScsv,
        severity: 'low',
        title: 'TLS_FALLBACK_SCSV is not honoured',
        detail: 'A hello at a lower version than the server supports, flagged with TLS_FALLBACK_SCSV, was accepted instead of refused with inappropriate_fallback: clients that retry at lower versions can be downgraded.',
        evidence: { fallbackScsv: false },
        remediation: 'Upgrade the TLS library (OpenSSL ≥ 1.0.1j honours it), or disable the older protocol versions.',
        references: [RFC7507, 'CVE-2014-3566 (POODLE)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.extendedMasterSecret === false && ev.versions.legacy !== null) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.noExtendedMasterSecret,
        severity: 'low',
        title: 'Extended master secret (RFC 7627) is not supported',
        detail: `The server did not answer the extended_master_secret extension${at}: TLS ≤ 1.2 sessions are not bound to their handshake (triple handshake attack).`,
        evidence: { extendedMasterSecret: false, version: ev.versions.legacy },
        remediation: 'Upgrade the TLS library to one that implements RFC 7627, and prefer TLS 1.3.',
        references: [RFC7627, 'Triple Handshake attack (https://mitls.org/pages/attacks/3SHAKE)'],
      }),
    );
  }
  if (ev.heartbeat === true) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.heartbeat,
        severity: 'info',
        title: 'The heartbeat extension is enabled',
        detail: 'The server answers the TLS heartbeat extension. This alone is not Heartbleed (that needs a vulnerable implementation), but the extension is rarely needed and is attack surface.',
        evidence: { heartbeat: true },
        remediation: 'Disable the heartbeat extension unless DTLS path-MTU discovery needs it.',
        references: [RFC6520, 'CVE-2014-0160 (Heartbleed)'],
      }),
    );
  }
  if (ev.ocspStapling === false) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.noOcspStapling,
        severity: 'info',
        title: 'OCSP stapling is not offered',
        detail: 'Asked for certificate status, the server stapled no OCSP response: clients must query the CA themselves (slower, and a privacy leak) or skip revocation checks.',
        evidence: { ocspStapling: false },
        remediation: 'Enable OCSP stapling (nginx `ssl_stapling on;`, Apache `SSLUseStapling on`).',
        references: [RFC6066, REF.ssllabsGuide],
      }),
    );
  }
  if (ev.alpn.length > 0 && !ev.alpn.includes('h2')) {
    out.push(
      finding({
        id: FEATURE_FINDINGS.noH2,
        severity: 'info',
        title: 'HTTP/2 is not offered through ALPN',
        detail: `The server negotiates ${ev.alpn.join(', ')} through ALPN but not h2.`,
        evidence: { alpn: ev.alpn },
        remediation: 'Enable HTTP/2 (nginx `http2 on;`, Apache `Protocols h2 http/1.1`).',
        references: [RFC7301, RFC9113],
      }),
    );
  }
  return out;
}
