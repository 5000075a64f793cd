// Why a certification path is not trusted: one code per kind of failure a report explains
// differently, the certificate it is about, and the rule (RFC 5280 or the web-PKI profile) broken.

export type PathErrorCode =
  | 'unknown-issuer'
  | 'self-signed'
  | 'missing-intermediate'
  | 'expired'
  | 'not-yet-valid'
  | 'not-a-ca'
  | 'path-length'
  | 'eku'
  | 'root-not-trusted-for-tls'
  | 'distrusted-root'
  | 'bad-signature'
  /** A certificate breaks RFC 5280's encoding rules (duplicate or malformed extension …). */
  | 'malformed'
  /** A critical extension this validator (and browsers) cannot process. */
  | 'critical-extension'
  | 'key-usage'
  | 'name-constraints'
  | 'policy'
  /** The leaf is a CA certificate. */
  | 'leaf-is-ca'
  /** A web-PKI profile rule browsers enforce (key type and size, serial, SAN, AKI/SKI …). */
  | 'web-pki'
  /** Signed with MD5 or SHA-1, which browsers no longer accept. */
  | 'weak-signature'
  /** Path building ran out of its work budget before finding a valid path. */
  | 'path-building-limit';

export interface PathError {
  code: PathErrorCode;
  /** Index in `path`, or null when the error is about no certificate in particular. */
  certIndex: number | null;
  subject: string;
  /** One plain sentence. */
  detail: string;
  /** The rule broken, e.g. "RFC 5280 §4.2.1.10" or "CA/B Forum BR §7.1.2.7.6". */
  rule?: string;
  /** For web-PKI profile rules: the rule's id in PROFILE_RULES (e.g. 'key-algorithm'). */
  ruleId?: string;
}
