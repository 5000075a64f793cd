// The report contract (the README's "Report" section), written once as TypeBox schemas so that the
// TypeScript types and the JSON Schema printed by `secgrade schema` cannot drift apart.
// Field names here are public API: extend them, never rename.
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

import {
  GRADES,
  PROBE_ERROR_KINDS,
  PROBE_STATUSES,
  PROTOCOLS,
  REPORT_SCHEMA_ID,
  SEVERITIES,
  VULNERABILITY_VERDICTS,
  type ProtocolName,
} from './constants.js';

export * from './constants.js';

const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);

export const SeveritySchema = T.Union(SEVERITIES.map((s) => T.Literal(s)));
/** A letter, or null when nothing graded that part ("not tested"). */
export const GradeSchema = Nullable(T.Union(GRADES.map((g) => T.Literal(g))));
export type Grade = Static<typeof GradeSchema>;

export const ProbeStatusSchema = T.Union(PROBE_STATUSES.map((s) => T.Literal(s)));
export const ProbeErrorKindSchema = T.Union(PROBE_ERROR_KINDS.map((s) => T.Literal(s)));

/** One probe run: a probe on one endpoint, or once for the target. */
export const ProbeRunSchema = T.Object(
  {
    id: T.String({ description: 'probe id, as --probes takes it' }),
    subject: T.String({ description: 'endpoint:IP:PORT for endpoint probes, else domain:NAME (or url:URL for the site)' }),
    status: ProbeStatusSchema,
    errorKind: T.Optional(ProbeErrorKindSchema),
    reason: T.Optional(T.String()),
    durationMs: T.Number(),
    connections: T.Optional(T.Integer({ description: 'network connections the probe opened' })),
  },
  { additionalProperties: false },
);
export type ProbeRun = Static<typeof ProbeRunSchema>;

/** Arbitrary JSON evidence attached to a finding (what was seen that caused it). */
export const EvidenceSchema = T.Record(T.String(), T.Unknown());

export const FindingSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$', description: 'stable identifier, e.g. tls.cert.expired' }),
    subject: T.String({
      pattern: '^(endpoint|mx|domain|url):.+$',
      description: 'what the finding is about: endpoint:IP:PORT, mx:HOST, domain:NAME or url:URL; id@subject identifies a finding across runs',
    }),
    severity: SeveritySchema,
    title: T.String(),
    detail: T.String(),
    evidence: EvidenceSchema,
    remediation: T.String(),
    references: T.Array(T.String(), { description: 'RFCs, CVEs, guides (URLs or citations)' }),
    endpoint: T.Optional(T.String({ description: 'ip:port the finding was seen on' })),
  },
  { additionalProperties: false },
);
export type Finding = Static<typeof FindingSchema>;

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

export const CookieSchema = T.Object({
  name: T.String(),
  secure: T.Boolean(),
  httpOnly: T.Boolean(),
  sameSite: Nullable(T.String()),
  domain: Nullable(T.String()),
  path: Nullable(T.String()),
  expires: T.Optional(Nullable(T.String())),
  maxAge: T.Optional(Nullable(T.Number())),
});

export const HttpResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  url: T.String(),
  finalUrl: Nullable(T.String()),
  statusCode: Nullable(T.Integer({ description: 'HTTP status code of the final response' })),
  redirects: T.Array(T.Object({ url: T.String(), status: T.Integer(), location: T.String() })),
  headers: T.Record(T.String(), T.String(), { description: 'lower-cased names; repeated headers joined with ", "' }),
  cookies: T.Array(CookieSchema),
  hsts: Nullable(
    T.Object({
      maxAge: Nullable(T.Number()),
      includeSubDomains: T.Boolean(),
      preload: T.Boolean(),
      preloaded: Nullable(T.Boolean()),
    }),
  ),
  score: Nullable(T.Number({ description: 'MDN HTTP Observatory score (algorithm 1.4.8): 100 plus its modifiers, may exceed 100' })),
  grade: GradeSchema,
  /** What plain HTTP did: the http → https check. */
  httpRedirect: T.Optional(
    Nullable(
      T.Object({
        status: T.String({ description: 'redirects-to-https-same-host, redirects-to-https-other-host-first, redirects-to-https-not-first, redirects-not-to-https, no-redirect, no-http, error' }),
        url: T.String(),
        port: T.Integer(),
        redirects: T.Array(T.Object({ url: T.String(), status: T.Integer(), location: Nullable(T.String()) })),
        reason: Nullable(T.String()),
      }),
    ),
  ),
  observatory: T.Optional(
    Nullable(
      T.Object({
        score: T.Number(),
        grade: T.String({ description: "the Observatory's own letter (A+ … F, with + and -)" }),
        extraCredit: T.Boolean(),
        version: T.String(),
        scanError: Nullable(T.String({ description: 'why the Observatory itself would refuse this scan; always null since such a scan has no observatory object (see observatoryNotGraded)' })),
        tests: T.Array(T.Object({ test: T.String(), result: T.String(), modifier: T.Number(), description: T.String(), detail: T.String() })),
      }),
    ),
  ),
  /** The MDN Observatory refuses to grade the site (no score, no tests): why. `observatory`, `score` and `grade` are then null. */
  observatoryNotGraded: T.Optional(
    Nullable(
      T.Object({
        kind: T.Union([T.Literal('site-down'), T.Literal('unexpected-status')], {
          description: 'site-down: neither https:// nor http:// gave a response it uses; unexpected-status: the page answers < 200 or >= 400 other than 401/403',
        }),
        statusCode: Nullable(T.Integer({ description: 'the status of the response the Observatory reads, for unexpected-status' })),
        reason: T.String({ description: "the Observatory's own message (its CLI's error)" }),
      }),
    ),
  ),
  securityHeaders: T.Optional(
    Nullable(
      T.Object({
        grade: GradeSchema,
        missing: T.Array(T.String()),
        warnings: T.Array(T.String()),
        reasons: T.Array(T.String()),
      }),
    ),
  ),
  cors: T.Optional(Nullable(T.Object({ origin: T.String(), allowOrigin: Nullable(T.String()), allowCredentials: T.Boolean() }))),
  securityTxt: T.Optional(
    Nullable(T.Object({ status: T.String(), valid: T.Boolean(), url: T.String(), finalUrl: Nullable(T.String()), expires: Nullable(T.String()) })),
  ),
});
export type HttpResult = Static<typeof HttpResultSchema>;

const RecordStatus = T.Union([
  T.Literal('found'),
  T.Literal('missing'),
  T.Literal('invalid'),
  T.Literal('multiple'),
  T.Literal('error'),
]);

export const EmailResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  spf: Nullable(
    T.Object({
      status: RecordStatus,
      reason: T.Optional(T.String()),
      record: Nullable(T.String()),
      lookups: Nullable(T.Integer()),
      voidLookups: Nullable(T.Integer()),
      all: Nullable(T.String({ description: '+all, ?all, ~all, -all, or the redirect= target' })),
      errors: T.Array(T.String()),
      effectiveAll: T.Optional(Nullable(T.String({ description: 'the all that finally applies, following redirect=' }))),
      warnings: T.Optional(T.Array(T.String())),
      incomplete: T.Optional(T.Boolean({ description: 'part of the include tree could not be checked: counts are lower bounds' })),
      check: T.Optional(Nullable(T.Object({ ip: T.String(), result: T.String(), mechanism: Nullable(T.String()) }))),
    }),
  ),
  dmarc: Nullable(
    T.Object({
      status: RecordStatus,
      reason: T.Optional(T.String()),
      record: Nullable(T.String()),
      policy: Nullable(T.String()),
      subdomainPolicy: Nullable(T.String()),
      pct: Nullable(T.Number()),
      rua: T.Array(T.String()),
      ruaAuthorized: Nullable(T.Boolean()),
      ruaInvalid: T.Optional(T.Array(T.String({ description: 'rua entries that are not valid dmarc-uris (RFC 7489 §6.4): no report is sent there' }))),
    }),
  ),
  dkim: Nullable(
    T.Object({
      status: T.Optional(T.Union([T.Literal('found'), T.Literal('missing'), T.Literal('error')])),
      reason: T.Optional(T.String()),
      selectorsTried: T.Array(T.String()),
      selectors: T.Array(
        T.Object({ name: T.String(), keyType: T.String(), keyBits: Nullable(T.Integer()), testing: T.Boolean() }),
      ),
      invalid: T.Optional(
        T.Array(T.Object({ name: T.String({ description: 'the selector' }), reason: T.String({ description: 'why verifiers discard the key record (RFC 6376 §3.6.1)' }) })),
      ),
    }),
  ),
  mtaSts: Nullable(
    T.Object({
      status: T.String(),
      mode: Nullable(T.String()),
      maxAge: Nullable(T.Number()),
      mx: T.Array(T.String()),
      policyValid: T.Optional(Nullable(T.Boolean({ description: 'senders would apply the policy (fetched over valid HTTPS, parsed without error)' }))),
      mxNotCovered: T.Optional(T.Array(T.String({ description: 'MX hosts no policy pattern matches: enforce mode makes delivery to them fail' }))),
    }),
  ),
  tlsRpt: Nullable(T.Object({ status: T.String(), rua: T.Array(T.String()) })),
  mx: T.Array(
    T.Object({
      host: T.String(),
      preference: T.Integer(),
      starttls: Nullable(T.Boolean()),
      tls: Nullable(T.Partial(TlsResultSchema)),
      dane: Nullable(T.Boolean()),
      ip: T.Optional(Nullable(T.String())),
      port: T.Optional(T.Integer()),
      reason: T.Optional(T.String()),
      smtp: T.Optional(
        Nullable(T.Object({ banner: Nullable(T.String()), extensions: T.Array(T.String()), starttlsAdvertised: T.Boolean(), ehloName: T.String() })),
      ),
      daneStatus: T.Optional(
        T.Union([T.Literal('match'), T.Literal('no-match'), T.Literal('no-tlsa'), T.Literal('unusable'), T.Literal('insecure'), T.Literal('error')], {
          description: 'insecure: TLSA records that are not DNSSEC-validated, which senders ignore (RFC 7672 §2.2)',
        }),
      ),
      tlsaDnssec: T.Optional(
        T.Object(
          {
            status: T.Union([T.Literal('secure'), T.Literal('insecure'), T.Literal('bogus'), T.Literal('unknown')]),
            reason: T.String(),
          },
          { description: 'whether the TLSA answer is DNSSEC-validated (only with TLSA records): DANE applies only when secure' },
        ),
      ),
      daneSummary: T.Optional(T.String()),
      tlsa: T.Optional(T.Array(T.String({ description: 'TLSA records in presentation form, e.g. "3 1 1 ab12…"' }))),
      grade: T.Optional(GradeSchema),
      gradeNote: T.Optional(Nullable(T.String())),
    }),
  ),
  dnssec: Nullable(T.Boolean()),
  /** RFC 7505: 'null-mx' declares the domain receives no mail; 'none' = no MX at all. */
  mxStatus: T.Optional(T.Union([T.Literal('regular'), T.Literal('null-mx'), T.Literal('invalid-null-mx'), T.Literal('none'), T.Literal('error')])),
  bimi: T.Optional(Nullable(T.Object({ status: T.String(), record: Nullable(T.String()), logo: Nullable(T.String()) }))),
  dnssecDetail: T.Optional(
    Nullable(
      T.Object({
        signed: Nullable(T.Boolean({ description: 'the zone publishes DNSKEY records' })),
        delegated: Nullable(T.Boolean({ description: 'the parent publishes DS records (a chain of trust can reach it)' })),
        validated: Nullable(T.Boolean({ description: 'the validating resolver set the AD bit on the answers' })),
        algorithms: T.Array(T.Integer()),
        reason: Nullable(T.String()),
      }),
    ),
  ),
  /** How the email grade came about: the score table's checks, the caps, what is untested. */
  rating: T.Optional(
    Nullable(
      T.Object({
        score: Nullable(T.Number()),
        checks: T.Array(T.Object({ id: T.String(), label: T.String(), weight: T.String(), status: T.String(), points: T.Number(), max: T.Number(), reason: T.String() })),
        caps: T.Array(T.Object({ grade: GradeSchema, reason: T.String() })),
        pending: T.Array(T.String()),
        /** The letters the untested checks could still give, best and worst; the grade exists when they agree. */
        best: T.Optional(GradeSchema),
        worst: T.Optional(GradeSchema),
        reasons: T.Array(T.String()),
      }),
    ),
  ),
  grade: GradeSchema,
});
export type EmailResult = Static<typeof EmailResultSchema>;

export const CaaResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  /** The name whose CAA set applies (the target or the closest ancestor with records, RFC 8659 §3). */
  foundAt: Nullable(T.String()),
  records: T.Array(T.Object({ flags: T.Integer(), tag: T.String(), value: T.String() })),
  issue: T.Array(T.String()),
  issuewild: T.Array(T.String()),
  iodef: T.Array(T.String()),
  /** Whether the served certificate's issuer is plausibly allowed by `issue` (informational); null = cannot say. */
  issuerPlausible: Nullable(T.Boolean()),
  issuerPlausibleReason: T.Optional(T.String()),
});
export type CaaResult = Static<typeof CaaResultSchema>;

export const DnsResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  caa: Nullable(CaaResultSchema),
});
export type DnsResult = Static<typeof DnsResultSchema>;

/** A dated reference list a verdict used: the CT log list, the root store, the HSTS preload list. */
export const DataSourceSchema = T.Object({ name: T.String(), version: T.String(), date: T.String(), source: T.String() });
export type DataSource = Static<typeof DataSourceSchema>;

export const ReportSchema = T.Object(
  {
    schema: T.Literal(REPORT_SCHEMA_ID),
    tool: T.Object({ name: T.Literal('secgrade'), version: T.String() }),
    algorithmVersion: T.String({ description: 'changes whenever a grading rule changes' }),
    target: T.Object({
      host: T.String(),
      port: T.Integer({ minimum: 1, maximum: 65535 }),
      url: T.Optional(T.String()),
      portSource: T.Optional(T.Union([T.Literal('default'), T.Literal('target'), T.Literal('dns-https-record')])),
    }),
    /**
     * ok: every requested check completed; partial: some could not (`incomplete` says which and
     * why); interrupted: the user stopped the scan; error: nothing could be tested (DNS failure,
     * nothing reachable).
     */
    status: T.Union([T.Literal('ok'), T.Literal('partial'), T.Literal('interrupted'), T.Literal('error')]),
    reason: T.Optional(T.String()),
    /** The requested checks that did not complete: never read as a pass. */
    incomplete: T.Optional(
      T.Array(
        T.Object({
          section: T.String({ description: 'tls, http, email or dns' }),
          probe: T.String(),
          subject: T.Optional(T.String()),
          reason: T.String(),
        }),
      ),
    ),
    startedAt: T.String({ format: 'date-time' }),
    durationMs: T.Number(),
    grades: T.Object({ tls: GradeSchema, http: GradeSchema, email: GradeSchema, overall: GradeSchema }),
    /** Why a grade is null: not requested, or what untested part could still change it. */
    gradeReasons: T.Optional(
      T.Object({ tls: T.Optional(T.String()), http: T.Optional(T.String()), email: T.Optional(T.String()), overall: T.Optional(T.String()) }),
    ),
    /** Every probe run of the target (TLS, HTTP, email and DNS alike), with a typed error kind. */
    probes: T.Array(ProbeRunSchema),
    endpoints: T.Array(EndpointReportSchema),
    http: Nullable(HttpResultSchema),
    email: Nullable(EmailResultSchema),
    /** Domain-level DNS facts about the certificate side (CAA). */
    dns: T.Optional(Nullable(DnsResultSchema)),
    /** Dated reference data the verdicts used (CT log list, root store …), so a reader knows how fresh they were. */
    dataSources: T.Optional(T.Array(DataSourceSchema)),
    /** Set on a batch's lines (`secgrade batch`): the job this report answers; `key` is target|options-hash|run-id. */
    job: T.Optional(
      T.Object({
        key: T.String(),
        runId: T.String(),
        input: T.String({ description: 'the target as listed (normal form)' }),
        line: T.Optional(T.Integer({ description: 'line of the target list' })),
        tags: T.Optional(T.Array(T.String())),
      }),
    ),
    findings: T.Array(FindingSchema),
  },
  { $id: 'https://secgrade.dev/schema/report-1.json', title: 'secgrade report' },
);
export type Report = Static<typeof ReportSchema>;

/** The JSON Schema document printed by `secgrade schema`. */
export function reportJsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(ReportSchema)) };
}
