// The report's TLS section (endpoints[].tls): protocols, suites, certificates, chains, revocation,
// the rating. Its own module because it is most of the contract, and email's MX hosts reuse it.
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

import { GRADES, PROTOCOLS, VULNERABILITY_VERDICTS, type ProtocolName } from './constants.js';
import { GradeSchema, Nullable, ProbeStatusSchema } from './report-base.js';

export const ProtocolsSchema = T.Object(
  Object.fromEntries(PROTOCOLS.map((p) => [p, Nullable(T.Boolean())])) as unknown as Record<ProtocolName, TSchema>,
);

export const SctSchema = T.Object({
  logId: T.String({ description: 'base64 log id (SHA-256 of the log key)' }),
  logName: Nullable(T.String()),
  source: T.Union([T.Literal('certificate'), T.Literal('tls-extension'), T.Literal('ocsp')]),
  /** true/false: the signature was checked; null: unknown log or issuer, so it could not be. */
  valid: Nullable(T.Boolean()),
  operator: T.Optional(Nullable(T.String())),
  logState: T.Optional(Nullable(T.String())),
  timestamp: T.Optional(T.String()),
});

export const CertificateSchema = T.Object({
  subject: T.String(),
  issuer: T.String(),
  sans: T.Array(T.String()),
  serialNumber: T.String(),
  fingerprintSha256: T.String(),
  notBefore: T.String({ format: 'date-time' }),
  notAfter: T.String({ format: 'date-time' }),
  daysRemaining: T.Number({ description: 'whole days until notAfter at scan time; negative once expired' }),
  /** notAfter − notBefore in whole days. */
  lifetimeDays: T.Optional(T.Number()),
  keyType: T.String({ description: 'RSA, EC, Ed25519, Ed448, DSA …' }),
  keyBits: Nullable(T.Integer()),
  curve: T.Optional(Nullable(T.String())),
  rsaExponent: T.Optional(Nullable(T.Number())),
  signatureAlgorithm: T.String(),
  /** basicConstraints cA. */
  ca: T.Optional(T.Boolean()),
  /** Extended key usage OIDs; null when the extension is absent (any usage). */
  extendedKeyUsage: T.Optional(Nullable(T.Array(T.String()))),
  /** TLS Feature extension asks for OCSP stapling (RFC 7633). */
  mustStaple: T.Optional(T.Boolean()),
  /** Which served chain this certificate belongs to (index into tls.chains) and its place in it. */
  chain: T.Optional(T.Integer()),
  servedIndex: T.Optional(T.Integer()),
  trusted: Nullable(T.Boolean({ description: 'chains to a trust anchor (leaf only; null for the rest of the chain)' })),
  trustError: T.Optional(Nullable(T.String())),
  hostnameMatch: Nullable(T.Boolean()),
  chainComplete: Nullable(T.Boolean()),
  selfSigned: T.Boolean(),
  ocspStapled: Nullable(T.Boolean()),
  scts: Nullable(T.Array(SctSchema)),
});
export type CertificateInfo = Static<typeof CertificateSchema>;

export const TrustErrorSchema = T.Object({
  code: T.String({
    description:
      'unknown-issuer, self-signed, missing-intermediate, expired, not-yet-valid, not-a-ca, path-length, eku, root-not-trusted-for-tls, distrusted-root, bad-signature, malformed, critical-extension, key-usage, name-constraints, policy, leaf-is-ca, web-pki, weak-signature, path-building-limit, unreadable',
  }),
  subject: T.String(),
  detail: T.String(),
  /** The rule broken: an RFC 5280 section, a CA/B Forum BR section or a root-store policy. */
  rule: T.Optional(T.String()),
  /** For web-PKI profile rules, the rule's id (README: "Certificate path validation"). */
  ruleId: T.Optional(T.String()),
});

export const OcspStatusSchema = T.Object({
  source: T.Union([T.Literal('stapled'), T.Literal('responder')]),
  url: T.Optional(T.String()),
  /** good / revoked / unknown, or null when the response could not be used (reason in detail). */
  status: Nullable(T.Union([T.Literal('good'), T.Literal('revoked'), T.Literal('unknown')])),
  revokedAt: T.Optional(Nullable(T.String())),
  thisUpdate: Nullable(T.String()),
  nextUpdate: Nullable(T.String()),
  fresh: Nullable(T.Boolean()),
  signatureValid: Nullable(T.Boolean()),
  detail: T.String(),
});

/** What the CA's CRL (RFC 5280 §5) says about the server certificate. */
export const CrlStatusSchema = T.Object({
  url: T.String(),
  /** good (not listed) / revoked (listed), or null when the CRL could not be used (reason in detail). */
  status: Nullable(T.Union([T.Literal('good'), T.Literal('revoked')])),
  revokedAt: Nullable(T.String()),
  /** CRLReason name (RFC 5280 §5.3.1), when listed with one. */
  revocationReason: Nullable(T.String()),
  thisUpdate: Nullable(T.String()),
  nextUpdate: Nullable(T.String()),
  fresh: Nullable(T.Boolean()),
  /** Signed by the certificate's issuer: true/false, or null when it could not be checked. */
  signatureValid: Nullable(T.Boolean()),
  /** Entries the CRL lists. */
  entries: Nullable(T.Integer()),
  detail: T.String(),
});

/**
 * Whether the server certificate's revocation status was checked, how, and with what result. A
 * status that could not be learned does not change the SSL Labs letter (as at SSL Labs).
 */
export const RevocationSchema = T.Object({
  checked: T.Boolean(),
  /** Where the status came from: the stapled OCSP response, the CA's OCSP responder, its CRL. */
  method: Nullable(T.Union([T.Literal('stapled'), T.Literal('ocsp-responder'), T.Literal('crl')])),
  status: Nullable(T.Union([T.Literal('good'), T.Literal('revoked')])),
  revokedAt: Nullable(T.String()),
  /**
   * Why it was not checked: phone-out-disabled (--no-phone-out), no-pointers (the certificate names
   * no OCSP responder or http CRL), no-issuer (the issuer certificate is unknown), unreachable (no
   * usable answer from the responder or CRL: reasons in detail), leaf-unreadable.
   */
  notChecked: Nullable(
    T.Union([T.Literal('phone-out-disabled'), T.Literal('no-pointers'), T.Literal('no-issuer'), T.Literal('unreachable'), T.Literal('leaf-unreadable')]),
  ),
  /** One sentence: how it was checked and what it said, or why it was not. */
  detail: T.String(),
  /** The CRL, when it was fetched. */
  crl: Nullable(CrlStatusSchema),
});
export type RevocationInfo = Static<typeof RevocationSchema>;

/** One served certificate chain (servers may hold RSA and ECDSA certificates) and its verdicts. */
export const ChainSchema = T.Object({
  index: T.Integer(),
  /** How it was obtained: the signature family offered, the protocol version of that handshake. */
  requested: T.String(),
  protocol: T.String(),
  leafKeyType: T.String(),
  certificates: T.Integer({ description: 'how many certificates the server sent' }),
  trusted: T.Boolean(),
  trustErrors: T.Array(TrustErrorSchema),
  anchor: Nullable(T.Object({ subject: T.String(), label: T.String(), source: T.String() })),
  /** A trusted path exists with the served certificates alone (no AIA download). */
  chainComplete: T.Boolean(),
  /** Intermediates downloaded via AIA to complete the path (by default; not with --no-phone-out). */
  fetchedIntermediates: T.Integer(),
  /** Served certificates that are not on the path (0-based served positions). */
  extraCertificates: T.Array(T.Integer()),
  misordered: T.Boolean(),
  anchorServed: T.Boolean(),
  hostnameMatch: Nullable(T.Boolean()),
  ocsp: T.Array(OcspStatusSchema),
  /** Revocation as checked by default (stapled OCSP, then the responder, then the CRL); absent in older reports. */
  revocation: T.Optional(RevocationSchema),
  ct: Nullable(
    T.Object({
      compliant: T.Boolean(),
      reason: T.String(),
      validScts: T.Integer(),
      logListDate: T.String(),
    }),
  ),
});
export type ChainInfo = Static<typeof ChainSchema>;

/** One configuration profile an endpoint was held to (`--profile`): its verdict and every deviation. */
export const ProfileResultSchema = T.Object({
  /** mozilla-modern, mozilla-intermediate, mozilla-old, nist-800-52r2. */
  profile: T.String(),
  /** The guideline's version (Mozilla "5.7") or the publication's revision (NIST "Rev. 2"). */
  version: T.String(),
  /** true: no deviation and every rule decided; false: a deviation; null: no deviation seen, but a rule could not be decided. */
  compliant: Nullable(T.Boolean()),
  deviations: T.Array(T.Object({ rule: T.String(), expected: T.String(), actual: T.String(), source: T.String() })),
  /** Rules the evidence could not decide, and why. */
  untested: T.Array(T.Object({ rule: T.String(), reason: T.String() })),
  /** Requirements of the profile that secgrade cannot observe from outside: named, not counted in the verdict. */
  notAssessed: T.Array(T.Object({ rule: T.String(), reason: T.String() })),
});
export type ProfileResult = Static<typeof ProfileResultSchema>;
/**
 * One simulated client (tls-simulation probe): its captured hello replayed, what the server gave
 * it, and whether the client would accept that. Never part of the rating (as at SSL Labs).
 */
export const SimulationEntrySchema = T.Object({
  /** The profile's id (data/clients/<id>.json). */
  client: T.String(),
  name: T.String(),
  version: T.String(),
  platform: T.String(),
  tier: T.Union([T.Literal('current'), T.Literal('legacy'), T.Literal('obsolete')]),
  /** ok: it connects; failed: the server refused it or it would refuse the server (reason); untested: no answer. */
  status: T.Union([T.Literal('ok'), T.Literal('failed'), T.Literal('untested')]),
  protocol: Nullable(T.String()),
  cipherSuite: Nullable(T.String({ description: 'IANA name (SSLv2: SSL_CK_* kind)' })),
  /** The (EC)DHE group: TLS 1.3 key share or the TLS ≤ 1.2 ServerKeyExchange curve; null for RSA/DHE key exchange. */
  group: Nullable(T.String()),
  /** DHE prime bits, or the group's size. */
  keyExchangeBits: T.Optional(T.Integer()),
  /** The server certificate this client got (leaf). */
  certificate: Nullable(
    T.Object({ keyType: T.String(), keyBits: Nullable(T.Integer()), signatureAlgorithm: T.String(), fingerprintSha256: T.String() }),
  ),
  /** The server sent a HelloRetryRequest for this group, which the client supports and retried with. */
  helloRetry: T.Optional(T.String()),
  /** Why the certificate is null on a connection that worked (an undecryptable TLS 1.3 flight). */
  note: T.Optional(T.String()),
  reason: T.Optional(T.String()),
});
export type SimulationEntry = Static<typeof SimulationEntrySchema>;

export const TlsResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  negotiated: T.Optional(
    Nullable(
      T.Object({
        protocol: T.String(),
        cipherSuite: T.String({ description: 'IANA name' }),
        alpn: Nullable(T.String()),
      }),
    ),
  ),
  /** A STARTTLS target (imap:// …): what the plaintext dialogue before TLS showed (tls-handshake's connection). */
  starttls: T.Optional(
    T.Object({
      protocol: T.String(),
      greeting: Nullable(T.String({ description: 'the banner, server version or stream header, printable and capped' })),
      capabilities: T.Array(T.String(), { description: 'capabilities / features / EHLO keywords the server listed' }),
      offered: Nullable(T.Boolean({ description: 'the server said it offers STARTTLS (null: the protocol does not say before asking)' })),
    }),
  ),
  protocols: ProtocolsSchema,
  cipherSuites: T.Record(T.String(), T.Array(T.String())),
  /** Protocols whose suite enumeration stopped early, and why: their lists are lower bounds. */
  cipherSuitesIncomplete: T.Optional(T.Record(T.String(), T.String())),
  /** Names in `cipherSuites` of code points IANA never registered (EXPORT1024, draft ChaCha20, GOST …); absent when none. */
  cipherSuitesNonIana: T.Optional(T.Array(T.String())),
  serverPreference: T.Record(T.String(), Nullable(T.Boolean())),
  groups: Nullable(T.Array(T.String())),
  /** Parts of the group enumeration that stopped early, and why: `groups` is then a lower bound. */
  groupsIncomplete: T.Optional(T.Array(T.String())),
  certificates: T.Array(CertificateSchema),
  /** Every distinct chain served (tls-certificates probe); certificates[].chain points here. */
  chains: T.Optional(T.Array(ChainSchema)),
  /** Hellos for a chain that got no answer (not a refusal): a chain may be missing from `chains`. */
  chainsIncomplete: T.Optional(T.Array(T.String())),
  vulnerabilities: T.Record(T.String(), T.Union(VULNERABILITY_VERDICTS.map((v) => T.Literal(v)))),
  /** Size of the server's DHE parameters (prime bits), when it offers DHE suites. */
  dhParameterBits: T.Optional(Nullable(T.Integer())),
  /**
   * What that modulus is beyond its size: a published group ('known'), a safe prime, a prime whose
   * (p-1)/2 is composite ('not-safe'), not prime ('composite'), or over 8192 bits ('unchecked').
   */
  dhParameterPrime: T.Optional(
    Nullable(T.Union([T.Literal('known'), T.Literal('safe'), T.Literal('not-safe'), T.Literal('composite'), T.Literal('unchecked')])),
  ),
  /**
   * The SSL Labs rating guide's numeric categories, every cap that protocols, suites, key
   * exchange, certificates and vulnerabilities impose, and the letter they give (endpoints[].grade).
   */
  rating: T.Optional(
    Nullable(
      T.Object({
        protocol: Nullable(T.Number()),
        keyExchange: Nullable(T.Number()),
        cipherStrength: Nullable(T.Number()),
        score: Nullable(T.Number()),
        scoreLetter: GradeSchema,
        caps: T.Array(T.Object({ id: T.String(), grade: T.Union(GRADES.map((g) => T.Literal(g))), reason: T.String() })),
        /**
         * What the letter could not take into account. A letter is given only when these cannot
         * change it: `best` and `worst` are the letters over every outcome of them.
         */
        pending: T.Array(T.String()),
        best: T.Optional(GradeSchema),
        worst: T.Optional(GradeSchema),
        letter: T.Optional(GradeSchema),
        /** The letter a trusted, matching certificate would get (shown beside T and M). */
        ignoringTrust: T.Optional(GradeSchema),
        /** Why A became A- (rule id and reason). */
        warnings: T.Optional(T.Array(T.Object({ id: T.String(), reason: T.String() }))),
        /** Why an A is not an A+ (HSTS), when it is not. */
        notAPlus: T.Optional(Nullable(T.String())),
        /** Where the HSTS judged for A+ was read when not from `http` (Node's TLS could not fetch the page: secgrade's own TLS client). */
        hstsSource: T.Optional(T.String()),
      }),
    ),
  ),
  /** Protocol features (tls-features probe); each null = could not test. */
  features: T.Optional(
    Nullable(
      T.Object({
        alpn: T.Array(T.String()),
        secureRenegotiation: Nullable(T.Boolean()),
        fallbackScsv: Nullable(T.Boolean()),
        extendedMasterSecret: Nullable(T.Boolean()),
        ocspStapling: Nullable(T.Boolean()),
        sctExtension: Nullable(T.Boolean()),
        heartbeat: Nullable(T.Boolean()),
        sessionTickets: Nullable(T.Boolean()),
        compression: Nullable(T.Boolean()),
        resumption: T.Object({ ids: Nullable(T.Boolean()), tickets: Nullable(T.Boolean()) }),
      }),
    ),
  ),
  /** Configuration profiles asked for with --profile (absent without it), each a pure reading of this section and the site's HSTS. */
  profiles: T.Optional(T.Array(ProfileResultSchema)),
  /** Handshake simulation: one entry per client profile (tls-simulation probe). */
  simulation: T.Optional(T.Array(SimulationEntrySchema)),
  /** Probe id → status/reason/connection count, so "could not test" is visible per probe. */
  probes: T.Record(
    T.String(),
    T.Object({ status: ProbeStatusSchema, reason: T.Optional(T.String()), durationMs: T.Number(), connections: T.Integer() }),
  ),
});
export type TlsResult = Static<typeof TlsResultSchema>;

export const EndpointReportSchema = T.Object({
  ip: T.String(),
  port: T.Integer({ minimum: 1, maximum: 65535 }),
  tls: TlsResultSchema,
  grade: GradeSchema,
});
export type EndpointReport = Static<typeof EndpointReportSchema>;
