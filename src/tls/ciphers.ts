// Cipher suites, judged: NULL, anonymous, export, RC4, short-key and 64-bit block suites, no
// forward secrecy, no AEAD, CBC. Pure: the tls-ciphers probe collects the evidence.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { ProtocolName } from '../model/constants.js';
import { suiteByName, type CipherSuiteInfo } from './registry/index.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CIPHER_FINDINGS = {
  null: 'tls.cipher.null',
  anonymous: 'tls.cipher.anonymous',
  export: 'tls.cipher.export',
  rc4: 'tls.cipher.rc4',
  weakKey: 'tls.cipher.weak-key',
  block64: 'tls.cipher.64bit-block',
  noForwardSecrecy: 'tls.cipher.no-forward-secrecy',
  staticKeyExchange: 'tls.cipher.static-key-exchange',
  noAead: 'tls.cipher.no-aead',
  cbc: 'tls.cipher.cbc',
} as const;

export interface TlsCiphersEvidence {
  /** IANA names (SSL_CK_* for SSLv2); in the server's order where it imposes one. */
  suites: Partial<Record<ProtocolName, string[]>>;
  serverPreference: Partial<Record<ProtocolName, boolean | null>>;
  /** Protocols whose enumeration stopped early, and why (the list is then a lower bound). */
  incomplete: Partial<Record<ProtocolName, string>>;
}

function suitesMatching(ev: TlsCiphersEvidence, test: (s: CipherSuiteInfo) => boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [p, names] of Object.entries(ev.suites)) {
    if (p === 'SSLv2') continue;
    const hits = names.filter((n) => {
      const s = suiteByName(n);
      return s !== undefined && test(s);
    });
    if (hits.length) out[p] = hits;
  }
  return out;
}

const flat = (byProtocol: Record<string, string[]>): string[] => [...new Set(Object.values(byProtocol).flat())];

/**
 * The report's mark on accepted suites whose code point IANA never registered (their names alone
 * do not say it), each name once; nothing when there are none.
 */
export function nonIanaField(ev: TlsCiphersEvidence): { cipherSuitesNonIana?: string[] } {
  const names = flat(suitesMatching(ev, (s) => !s.iana));
  return names.length ? { cipherSuitesNonIana: names } : {};
}

interface WeakSuiteRule {
  id: string;
  severity: CheckFinding['severity'];
  title: string;
  match: (s: CipherSuiteInfo) => boolean;
  why: string;
  remediation: string;
  references: string[];
}

// Ordered from worst to mildest; a suite may appear under several rules (e.g. export RC4).
const WEAK_SUITE_RULES: WeakSuiteRule[] = [
  {
    id: CIPHER_FINDINGS.null,
    severity: 'critical',
    title: 'NULL cipher suites accepted (no encryption)',
    match: (s) => s.nullCipher,
    why: 'traffic is sent in clear text',
    remediation: 'Remove every NULL / integrity-only suite (OpenSSL: `!eNULL`).',
    references: ['RFC 9150', REF.ssllabsGuide],
  },
  {
    id: CIPHER_FINDINGS.anonymous,
    severity: 'critical',
    title: 'Anonymous cipher suites accepted (no authentication)',
    match: (s) => s.anonymous && !s.nullCipher,
    why: 'the server is not authenticated, so anyone in the path can impersonate it',
    remediation: 'Remove anonymous suites (OpenSSL: `!aNULL`).',
    references: ['RFC 5246 §A.5', REF.ssllabsGuide],
  },
  {
    id: CIPHER_FINDINGS.export,
    severity: 'high',
    title: 'Export-grade cipher suites accepted',
    match: (s) => s.export,
    why: '40/56-bit export cryptography is breakable in hours (FREAK, Logjam)',
    remediation: 'Remove every EXPORT suite (OpenSSL: `!EXP`).',
    references: ['CVE-2015-0204 (FREAK)', 'CVE-2015-4000 (Logjam)', REF.ssllabsGuide],
  },
  {
    id: CIPHER_FINDINGS.rc4,
    severity: 'high',
    title: 'RC4 cipher suites accepted',
    match: (s) => s.cipher.startsWith('RC4'),
    why: 'RC4 has exploitable keystream biases; RFC 7465 prohibits it',
    remediation: 'Remove RC4 suites (OpenSSL: `!RC4`).',
    references: ['RFC 7465 — Prohibiting RC4 Cipher Suites (https://www.rfc-editor.org/rfc/rfc7465)', REF.ssllabsGuide],
  },
  {
    id: CIPHER_FINDINGS.weakKey,
    severity: 'high',
    title: 'Cipher suites with keys shorter than 112 bits accepted',
    match: (s) => !s.nullCipher && !s.export && s.bits > 0 && s.bits < 112,
    why: 'single DES (56 bits) and similar are brute-forced quickly',
    remediation: 'Remove DES and other short-key suites (OpenSSL: `!DES !LOW`).',
    references: [REF.ssllabsGuide],
  },
  {
    id: CIPHER_FINDINGS.block64,
    severity: 'medium',
    title: '64-bit block ciphers accepted (3DES, IDEA …)',
    match: (s) => s.blockBits === 64 && !s.export && s.bits >= 112,
    why: 'long connections with 64-bit blocks leak plaintext through birthday collisions (SWEET32)',
    remediation: 'Remove 3DES and other 64-bit block suites (OpenSSL: `!3DES !IDEA`).',
    references: ['CVE-2016-2183 (SWEET32)', REF.ssllabsGuide],
  },
];

export function checkTlsCiphers(ev: TlsCiphersEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  for (const rule of WEAK_SUITE_RULES) {
    const hits = suitesMatching(ev, rule.match);
    if (Object.keys(hits).length === 0) continue;
    out.push(
      finding({
        id: rule.id,
        severity: rule.severity,
        title: rule.title,
        detail: `Accepted: ${flat(hits).join(', ')}; ${rule.why}.`,
        evidence: { suites: hits },
        remediation: rule.remediation,
        references: rule.references,
      }),
    );
  }
  const all = suitesMatching(ev, () => true);
  const any = flat(all);
  if (any.length === 0) return out;
  const fs = flat(suitesMatching(ev, (s) => s.forwardSecrecy));
  const noFs = suitesMatching(ev, (s) => !s.forwardSecrecy && !s.anonymous && !s.nullCipher);
  if (fs.length === 0) {
    out.push(
      finding({
        id: CIPHER_FINDINGS.noForwardSecrecy,
        severity: 'medium',
        title: 'No forward secrecy',
        detail: 'No accepted suite uses ephemeral (EC)DH key exchange: a stolen private key decrypts all recorded traffic.',
        evidence: { suites: all },
        remediation: 'Offer ECDHE suites (and TLS 1.3), preferably only those.',
        references: [REF.ssllabsGuide, 'RFC 7525 — Recommendations for secure use of TLS (https://www.rfc-editor.org/rfc/rfc7525)'],
      }),
    );
  } else if (Object.keys(noFs).length > 0) {
    out.push(
      finding({
        id: CIPHER_FINDINGS.staticKeyExchange,
        severity: 'low',
        title: 'Suites without forward secrecy are accepted',
        detail: `Clients can still negotiate static RSA/(EC)DH key exchange: ${flat(noFs).join(', ')}.`,
        evidence: { suites: noFs },
        remediation: 'Remove static RSA and static (EC)DH suites (OpenSSL: `!kRSA`); they also expose ROBOT-style oracles.',
        references: [REF.ssllabsGuide, 'RFC 7525 — Recommendations for secure use of TLS (https://www.rfc-editor.org/rfc/rfc7525)'],
      }),
    );
  }
  if (flat(suitesMatching(ev, (s) => s.aead)).length === 0) {
    out.push(
      finding({
        id: CIPHER_FINDINGS.noAead,
        severity: 'medium',
        title: 'No AEAD cipher suite',
        detail: 'Only CBC or stream suites are accepted; SSL Labs caps such servers at B.',
        evidence: { suites: all },
        remediation: 'Offer AES-GCM or ChaCha20-Poly1305 suites, and TLS 1.3.',
        references: [REF.ssllabsGuide],
      }),
    );
  } else {
    const cbc = suitesMatching(ev, (s) => s.cbc);
    if (Object.keys(cbc).length > 0) {
      out.push(
        finding({
          id: CIPHER_FINDINGS.cbc,
          severity: 'low',
          title: 'CBC-mode suites are accepted',
          detail: `CBC with MAC-then-encrypt invites padding-oracle and timing attacks (Lucky13): ${flat(cbc).join(', ')}.`,
          evidence: { suites: cbc },
          remediation: 'Keep only AEAD suites (AES-GCM, ChaCha20-Poly1305) where clients allow.',
          references: ['CVE-2013-0169 (Lucky13)', REF.ssllabsGuide],
        }),
      );
    }
  }
  return out;
}
