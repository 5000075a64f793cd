// What the tls-certificates probe hands to the certificate checks, and the ids of the findings
// they make: shared by checks.ts and status-checks.ts.
import type { ChainAttempt } from '../net/tls/served-chains.js';
import type { SctReport } from '../ct/index.js';
import type { CertificateInfo, ChainInfo, RevocationInfo } from '../model/report.js';
import type { PathEntry, PathResult } from '../trust/path.js';
import type { ChainTrustError, UnreadableCertificate } from './chain.js';

/** Finding ids the certificate checks make: stable across runs (with the subject, a finding's identity). */
export const CERT_FINDINGS = {
  selfSigned: 'tls.cert.self-signed',
  unknownIssuer: 'tls.cert.unknown-issuer',
  chainIncomplete: 'tls.cert.chain-incomplete',
  chainExpired: 'tls.cert.chain-expired',
  chainNotYetValid: 'tls.cert.chain-not-yet-valid',
  chainInvalid: 'tls.cert.chain-invalid',
  wrongUsage: 'tls.cert.wrong-usage',
  rootNotTrusted: 'tls.cert.root-not-trusted',
  distrustedRoot: 'tls.cert.distrusted-root',
  badSignature: 'tls.cert.bad-signature',
  expired: 'tls.cert.expired',
  notYetValid: 'tls.cert.not-yet-valid',
  expiresSoon: 'tls.cert.expires-soon',
  chainExtra: 'tls.cert.chain-extra',
  chainMisordered: 'tls.cert.chain-misordered',
  chainRootServed: 'tls.cert.chain-root-served',
  hostnameMismatch: 'tls.cert.hostname-mismatch',
  noSan: 'tls.cert.no-san',
  lifetimeTooLong: 'tls.cert.lifetime-too-long',
  weakKey: 'tls.cert.weak-key',
  rsaExponent: 'tls.cert.rsa-exponent',
  weakSignature: 'tls.cert.weak-signature',
  leafIsCa: 'tls.cert.leaf-is-ca',
  revoked: 'tls.cert.revoked',
  ocspStapleInvalid: 'tls.cert.ocsp-staple-invalid',
  ocspStapleStale: 'tls.cert.ocsp-staple-stale',
  mustStapleMissing: 'tls.cert.must-staple-missing',
  sctInvalid: 'tls.cert.sct-invalid',
  ctNotCompliant: 'tls.cert.ct-not-compliant',
  unreadable: 'tls.cert.unreadable',
  malformed: 'tls.cert.malformed',
  criticalExtension: 'tls.cert.critical-extension',
  keyUsage: 'tls.cert.key-usage',
  nameConstraints: 'tls.cert.name-constraints',
  policy: 'tls.cert.policy',
  webPki: 'tls.cert.web-pki',
  pathBuildingLimit: 'tls.cert.path-building-limit',
  /** Prefix: one id per tolerated web-PKI profile rule, e.g. tls.cert.profile-leaf-aia. */
  profile: 'tls.cert.profile-',
} as const;

export interface ChainEvidence {
  index: number;
  requested: string;
  protocol: string;
  /** As served, leaf first; the readable ones only (see `unreadable`). */
  certificates: CertificateInfo[];
  /** The trust path; its errors include one 'unreadable' entry per unreadable served certificate. */
  path: Omit<PathResult, 'path' | 'errors' | 'profile'> & { path: Array<Omit<PathEntry, 'der'>>; errors: ChainTrustError[]; profile?: PathResult['profile'] };
  /** Served certificates that could not be read (position and parse error); the chain is then not trusted. */
  unreadable?: UnreadableCertificate[];
  aiaErrors: string[];
  matchedName: string;
  leafDnsNames: string[];
  ocsp: ChainInfo['ocsp'];
  /** Whether and how revocation was checked (staple, responder, CRL); absent in older evidence. */
  revocation?: RevocationInfo;
  ct: {
    compliant: boolean;
    reason: string;
    validScts: number;
    logListDate: string;
    logListStale: boolean;
    scts: SctReport[];
    parseErrors: string[];
  } | null;
  /** Why CT could not be evaluated (log list unreadable), else null. */
  ctUnavailable: string | null;
}

export interface CertificatesEvidence {
  chains: ChainEvidence[];
  attempts: ChainAttempt[];
  /** The trust anchors' snapshot: Mozilla's NSS version and date, or Node's bundled list as fallback. */
  rootStore: { version: string; date: string; source: string };
  logList: { version: string | null; date: string; source: string } | null;
}

export function leafOf(c: Pick<ChainEvidence, 'certificates'>): CertificateInfo | undefined {
  return c.certificates.find((x, i) => (x.servedIndex ?? i) === 0);
}

/** The fields every finding about the server certificate carries as evidence. */
export function leafEvidence(leaf: CertificateInfo, c: ChainEvidence): Record<string, unknown> {
  return { chain: c.index, subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter, fingerprintSha256: leaf.fingerprintSha256 };
}
