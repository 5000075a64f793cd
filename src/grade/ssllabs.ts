// The SSL Labs SSL Server Rating Guide's numeric part and the caps that follow from protocols,
// cipher suites and key exchange: one table per category, pure functions of the TLS evidence.
// Certificate caps (T, M, MD5, SHA-1, key < 1024 / < 2048, revoked, incomplete chain) read the
// tls-certificates evidence (served chains, trust errors, OCSP and CRL verdicts),
// vulnerability caps the vuln-* probes' verdicts; the letter is the score's letter lowered by every
// cap that applies, T/M override it, and A becomes A+ or A- by the warnings below. A letter is only
// given when everything a cap depends on was tested: an untested Heartbleed is not a pass.
import type { GradeLetter, ProtocolName, VulnerabilityKey } from '../model/constants.js';
import type { TlsResult } from '../model/report.js';
import { worstGrade } from '../model/severity.js';
import { GROUPS, groupByName, suiteByName, type CipherSuiteInfo } from '../tls/registry/index.js';
// The rating guide's score tables are data in ./ssllabs-tables.ts (the card explains scores with them too).
import {
  ANONYMOUS_KEY_EXCHANGE_SCORE,
  band,
  CATEGORY_WEIGHTS,
  CIPHER_STRENGTH_BANDS,
  EC_KEY_EXCHANGE_BANDS,
  EXPORT_KEY_EXCHANGE_SCORE,
  KEY_EXCHANGE_BANDS,
  LETTER_THRESHOLDS,
  PROTOCOL_SCORES,
} from './ssllabs-tables.js';

/** The rating guide's rules this module applies, by id: stable across runs (each is named in an info finding when it shapes the letter). */
export const SSLLABS_RULES = {
  capCertUntrusted: 'ssllabs.cap.cert-untrusted',
  capCertSha1: 'ssllabs.cap.cert-sha1',
  capCertRevoked: 'ssllabs.cap.cert-revoked',
  capCertMismatch: 'ssllabs.cap.cert-mismatch',
  capCertMd5: 'ssllabs.cap.cert-md5',
  capCertWeakKey: 'ssllabs.cap.cert-weak-key',
  capCertShortKey: 'ssllabs.cap.cert-short-key',
  capSslv2: 'ssllabs.cap.sslv2',
  capSslv3Only: 'ssllabs.cap.sslv3-only',
  capRc4Only: 'ssllabs.cap.rc4-only',
  capExport: 'ssllabs.cap.export',
  capAnonymous: 'ssllabs.cap.anonymous',
  capWeakCipher: 'ssllabs.cap.weak-cipher',
  capHeartbleed: 'ssllabs.cap.heartbleed',
  capCcsInjection: 'ssllabs.cap.ccs-injection',
  capRobot: 'ssllabs.cap.robot',
  capTicketbleed: 'ssllabs.cap.ticketbleed',
  capDrown: 'ssllabs.cap.drown',
  capInsecureRenegotiation: 'ssllabs.cap.insecure-renegotiation',
  capDhBelow1024: 'ssllabs.cap.dh-below-1024',
  capDhComposite: 'ssllabs.cap.dh-composite',
  capNoTls12: 'ssllabs.cap.no-tls12',
  capRc4Modern: 'ssllabs.cap.rc4-modern',
  cap64bitBlockModern: 'ssllabs.cap.64bit-block-modern',
  capSslv3: 'ssllabs.cap.sslv3',
  capTls1011: 'ssllabs.cap.tls10-11',
  capRc4: 'ssllabs.cap.rc4',
  capNoForwardSecrecy: 'ssllabs.cap.no-forward-secrecy',
  capNoAead: 'ssllabs.cap.no-aead',
  capDhBelow2048: 'ssllabs.cap.dh-below-2048',
  capCrime: 'ssllabs.cap.crime',
  capPoodleSsl: 'ssllabs.cap.poodle-ssl',
  capChainIncomplete: 'ssllabs.cap.chain-incomplete',
  warningNoTls13: 'ssllabs.warning.no-tls13',
  warningNoSecureRenegotiation: 'ssllabs.warning.no-secure-renegotiation',
} as const;

export const RATING_REFERENCE = 'SSL Labs SSL Server Rating Guide (https://github.com/ssllabs/research/wiki/SSL-Server-Rating-Guide)';

export interface Cap {
  id: string;
  grade: GradeLetter;
  reason: string;
}

interface Facts {
  vulnerabilities: TlsResult['vulnerabilities'];
  protocols: TlsResult['protocols'];
  suites: Array<{ protocol: ProtocolName; suite: CipherSuiteInfo }>;
  dhBits: number | null;
  /** What the DHE modulus is beyond its size (tls-groups), null when not read. */
  dhPrime: TlsResult['dhParameterPrime'] | null;
  chains: NonNullable<TlsResult['chains']>;
  certificates: TlsResult['certificates'];
}

interface CapRule {
  id: string;
  grade: GradeLetter;
  reason: string;
  applies: (f: Facts) => boolean;
}

const on = (f: Facts, p: ProtocolName) => f.protocols[p] === true;
const vulnerable = (f: Facts, key: VulnerabilityKey) => f.vulnerabilities[key] === 'vulnerable';
const anySuite = (f: Facts, test: (s: CipherSuiteInfo, p: ProtocolName) => boolean) => f.suites.some(({ suite, protocol }) => test(suite, protocol));
const modern = (p: ProtocolName) => p === 'TLSv1.1' || p === 'TLSv1.2' || p === 'TLSv1.3';
const leaves = (f: Facts) => f.certificates.filter((c) => c.servedIndex === 0 || c.servedIndex === undefined);
/** Served certificates below the anchor (a served root's own signature does not matter). */
const signedCerts = (f: Facts) => f.certificates.filter((c, i) => !(c.selfSigned && (c.servedIndex ?? i) > 0));
const tooSmallKey = (c: TlsResult['certificates'][number]) =>
  c.keyBits !== null && (((c.keyType === 'RSA' || c.keyType === 'DSA') && c.keyBits < 1024) || (c.keyType === 'EC' && c.keyBits < 160));
/** A key under 2048 bits (RSA/DSA) or its elliptic-curve equivalent (under 224 bits), not already insecure. */
const shortKey = (c: TlsResult['certificates'][number]) =>
  c.keyBits !== null && !tooSmallKey(c) && (((c.keyType === 'RSA' || c.keyType === 'DSA') && c.keyBits < 2048) || (c.keyType === 'EC' && c.keyBits < 224));
/**
 * A weak signature (MD5, SHA-1 …) the path validation found on a certificate below the root: also on
 * intermediates downloaded from the AIA URL, which are not among the served certificates.
 */
const weakSignatureOnPath = (f: Facts, hash: RegExp) =>
  f.chains.some((c) => c.trustErrors.some((e) => e.code === 'weak-signature' && hash.test(e.detail)));
const isRc4 = (s: CipherSuiteInfo) => s.cipher.startsWith('RC4');
/** The chain lacks an intermediate: downloaded from the AIA URL, or missing (then also untrusted). */
const incompleteChain = (c: Facts['chains'][number]) =>
  !c.chainComplete && (c.fetchedIntermediates > 0 || c.trustErrors.some((e) => e.code === 'missing-intermediate'));
/**
 * Revoked by a verdict the scan holds: a staple or responder (OCSP), or the CA's CRL. The chain's
 * `revocation` counts only answers signed by the issuer and current; older reports lack it.
 */
const revoked = (c: Facts['chains'][number]) => (c.revocation ? c.revocation.status === 'revoked' : c.ocsp.some((o) => o.status === 'revoked'));

/** Every cap this evidence can decide, worst first. Each applied cap becomes a finding. */
export const CAP_RULES: readonly CapRule[] = [
  // Certificate: T (not trusted) and M (name mismatch) replace the letter; the guide keeps the
  // letter the server would get otherwise beside them.
  { id: SSLLABS_RULES.capCertUntrusted, grade: 'T', reason: 'the certificate chain is not trusted', applies: (f) => f.chains.some((c) => !c.trusted) },
  {
    // SSL Labs 2017: SHA-1 certificates are no longer trusted, the server's or an intermediate
    // (as in current browsers; path validation rejects them below the root).
    id: SSLLABS_RULES.capCertSha1,
    grade: 'T',
    reason: 'a certificate in the chain (below the root) is signed with SHA-1, which browsers no longer trust',
    applies: (f) => signedCerts(f).some((c) => /^SHA1with/i.test(c.signatureAlgorithm)) || weakSignatureOnPath(f, /\bSHA-?1\b/i),
  },
  { id: SSLLABS_RULES.capCertRevoked, grade: 'T', reason: 'the certificate is revoked', applies: (f) => f.chains.some(revoked) },
  { id: SSLLABS_RULES.capCertMismatch, grade: 'M', reason: 'the certificate does not match the host name', applies: (f) => f.chains.some((c) => c.hostnameMatch === false) },
  {
    id: SSLLABS_RULES.capCertMd5,
    grade: 'F',
    reason: 'a certificate in the chain is signed with MD5',
    applies: (f) => signedCerts(f).some((c) => /^MD[245]with/i.test(c.signatureAlgorithm)) || weakSignatureOnPath(f, /\bMD[245]\b/i),
  },
  { id: SSLLABS_RULES.capCertWeakKey, grade: 'F', reason: 'the certificate key is insecure (RSA/DSA below 1024 bits, EC below 160)', applies: (f) => leaves(f).some(tooSmallKey) },
  { id: SSLLABS_RULES.capSslv2, grade: 'F', reason: 'SSL 2.0 is supported', applies: (f) => on(f, 'SSLv2') },
  {
    // SSL Labs, December 2014: "Grade F given to servers that support only SSL 3".
    id: SSLLABS_RULES.capSslv3Only,
    grade: 'F',
    reason: 'SSL 3.0 is the best protocol the server supports',
    applies: (f) => on(f, 'SSLv3') && !on(f, 'TLSv1.0') && !on(f, 'TLSv1.1') && !on(f, 'TLSv1.2') && !on(f, 'TLSv1.3'),
  },
  {
    // SSL Labs, October 2015: RC4-only servers fail (modern browsers removed RC4 in early 2016).
    id: SSLLABS_RULES.capRc4Only,
    grade: 'F',
    reason: 'RC4 is the only cipher the server supports',
    applies: (f) => f.suites.length > 0 && f.suites.every(({ suite }) => isRc4(suite)),
  },
  { id: SSLLABS_RULES.capExport, grade: 'F', reason: 'export cipher suites are supported', applies: (f) => anySuite(f, (s) => s.export) },
  { id: SSLLABS_RULES.capAnonymous, grade: 'F', reason: 'anonymous (unauthenticated) cipher suites are supported', applies: (f) => anySuite(f, (s) => s.anonymous) },
  {
    id: SSLLABS_RULES.capWeakCipher,
    grade: 'F',
    reason: 'cipher suites weaker than 112 bits are supported',
    applies: (f) => anySuite(f, (s) => s.bits < 112),
  },
  { id: SSLLABS_RULES.capHeartbleed, grade: 'F', reason: 'vulnerable to Heartbleed (CVE-2014-0160)', applies: (f) => vulnerable(f, 'heartbleed') },
  { id: SSLLABS_RULES.capCcsInjection, grade: 'F', reason: 'vulnerable to the OpenSSL CCS injection (CVE-2014-0224)', applies: (f) => vulnerable(f, 'ccsInjection') },
  { id: SSLLABS_RULES.capRobot, grade: 'F', reason: 'vulnerable to ROBOT (a Bleichenbacher oracle on RSA key exchange)', applies: (f) => vulnerable(f, 'robot') },
  { id: SSLLABS_RULES.capTicketbleed, grade: 'F', reason: 'vulnerable to Ticketbleed (CVE-2016-9244)', applies: (f) => vulnerable(f, 'ticketbleed') },
  { id: SSLLABS_RULES.capDrown, grade: 'F', reason: 'vulnerable to DROWN (SSL 2.0 on this endpoint)', applies: (f) => vulnerable(f, 'drown') },
  {
    id: SSLLABS_RULES.capInsecureRenegotiation,
    grade: 'F',
    reason: 'insecure renegotiation: no RFC 5746 support (CVE-2009-3555)',
    applies: (f) => vulnerable(f, 'insecureRenegotiation'),
  },
  { id: SSLLABS_RULES.capDhBelow1024, grade: 'F', reason: 'DH parameters are weaker than 1024 bits', applies: (f) => f.dhBits !== null && f.dhBits < 1024 },
  {
    // Our reading: the guide has no rule for a DH modulus that is not prime (it only knew sizes),
    // but such a key exchange is insecure at any size, as one under 1024 bits is.
    id: SSLLABS_RULES.capDhComposite,
    grade: 'F',
    reason: 'the DH modulus is not prime (our reading: an insecure key exchange)',
    applies: (f) => f.dhPrime === 'composite',
  },
  { id: SSLLABS_RULES.capNoTls12, grade: 'C', reason: 'TLS 1.2 is not supported', applies: (f) => f.protocols['TLSv1.2'] === false && f.protocols['TLSv1.3'] !== true },
  { id: SSLLABS_RULES.capRc4Modern, grade: 'C', reason: 'RC4 is used with TLS 1.1 or newer', applies: (f) => anySuite(f, (s, p) => isRc4(s) && modern(p)) },
  {
    id: SSLLABS_RULES.cap64bitBlockModern,
    grade: 'C',
    reason: '64-bit block ciphers (3DES …) are used with TLS 1.1 or newer (SWEET32)',
    applies: (f) => anySuite(f, (s, p) => s.blockBits === 64 && modern(p)),
  },
  { id: SSLLABS_RULES.capSslv3, grade: 'B', reason: 'SSL 3.0 is supported', applies: (f) => on(f, 'SSLv3') },
  { id: SSLLABS_RULES.capTls1011, grade: 'B', reason: 'TLS 1.0 or TLS 1.1 is supported', applies: (f) => on(f, 'TLSv1.0') || on(f, 'TLSv1.1') },
  {
    id: SSLLABS_RULES.capRc4,
    grade: 'B',
    reason: 'RC4 is supported, with older protocols only',
    applies: (f) => anySuite(f, (s) => isRc4(s)) && !anySuite(f, (s, p) => isRc4(s) && modern(p)),
  },
  {
    // SSL Labs, January 2014: keys below 2048 bits are weak. Web-PKI path validation also rejects
    // such a key (T); the cap still shows in the letter T hides (`ignoringTrust`).
    id: SSLLABS_RULES.capCertShortKey,
    grade: 'B',
    reason: 'the certificate key is weak (RSA/DSA below 2048 bits, EC below 224)',
    applies: (f) => leaves(f).some(shortKey),
  },
  {
    id: SSLLABS_RULES.capNoForwardSecrecy,
    grade: 'B',
    reason: 'no cipher suite offers forward secrecy',
    applies: (f) => f.suites.length > 0 && !anySuite(f, (s) => s.forwardSecrecy),
  },
  { id: SSLLABS_RULES.capNoAead, grade: 'B', reason: 'no AEAD cipher suite is supported', applies: (f) => f.suites.length > 0 && !anySuite(f, (s) => s.aead) },
  { id: SSLLABS_RULES.capDhBelow2048, grade: 'B', reason: 'DH parameters are weaker than 2048 bits', applies: (f) => f.dhBits !== null && f.dhBits >= 1024 && f.dhBits < 2048 },
  { id: SSLLABS_RULES.capCrime, grade: 'C', reason: 'TLS compression is enabled (CRIME)', applies: (f) => vulnerable(f, 'crime') },
  { id: SSLLABS_RULES.capPoodleSsl, grade: 'C', reason: 'vulnerable to POODLE (SSL 3.0 with CBC suites)', applies: (f) => vulnerable(f, 'poodleSsl') },
  {
    // SSL Labs, December 2014. Also when the chain is untrusted (T), so `ignoringTrust` keeps it:
    // a missing intermediate not downloaded (--no-phone-out, an AIA URL that failed) is T and B.
    id: SSLLABS_RULES.capChainIncomplete,
    grade: 'B',
    reason: 'the certificate chain is incomplete (intermediates must be downloaded)',
    applies: (f) => f.chains.some(incompleteChain),
  },
];

export interface SslLabsComponents {
  protocol: number | null;
  keyExchange: number | null;
  cipherStrength: number | null;
  /** Weighted score; 0 when any category is 0 (as the guide says). */
  score: number | null;
  /** The letter of the score alone, before any cap. */
  scoreLetter: GradeLetter | null;
  caps: Cap[];
  /** What the components could not take into account yet, said plainly. */
  pending: string[];
}

export function letterFor(score: number): GradeLetter {
  return LETTER_THRESHOLDS.find((t) => score >= t.min)?.letter ?? 'F';
}

function facts(tls: TlsResult): Facts {
  const suites: Facts['suites'] = [];
  for (const [p, names] of Object.entries(tls.cipherSuites)) {
    if (p === 'SSLv2') continue;
    for (const n of names) {
      const suite = suiteByName(n);
      if (suite) suites.push({ protocol: p as ProtocolName, suite });
    }
  }
  return {
    vulnerabilities: tls.vulnerabilities,
    protocols: tls.protocols,
    suites,
    dhBits: tls.dhParameterBits ?? null,
    dhPrime: tls.dhParameterPrime ?? null,
    chains: tls.chains ?? [],
    certificates: tls.certificates,
  };
}

export function protocolScore(protocols: TlsResult['protocols']): number | null {
  const scores = (Object.keys(PROTOCOL_SCORES) as ProtocolName[]).filter((p) => protocols[p] === true).map((p) => PROTOCOL_SCORES[p]);
  if (scores.length === 0) return null;
  return (Math.max(...scores) + Math.min(...scores)) / 2;
}

export function keyExchangeScore(tls: TlsResult, f: Facts = facts(tls)): number | null {
  const scores: number[] = [];
  // The leaf: served position 0 (older reports list certificates without positions, leaf first).
  const leaf = tls.certificates.find((c) => c.servedIndex === 0) ?? (tls.certificates[0]?.servedIndex === undefined ? tls.certificates[0] : undefined);
  if (leaf?.keyBits) scores.push(band(leaf.keyType === 'EC' || leaf.keyType.startsWith('Ed') ? EC_KEY_EXCHANGE_BANDS : KEY_EXCHANGE_BANDS, leaf.keyBits));
  if (f.dhBits !== null) scores.push(band(KEY_EXCHANGE_BANDS, f.dhBits));
  for (const name of tls.groups ?? []) {
    const g = groupByName(name);
    if (g && g.kind === 'ecdhe') scores.push(band(EC_KEY_EXCHANGE_BANDS, g.bits));
    if (g && g.kind === 'ffdhe') scores.push(band(KEY_EXCHANGE_BANDS, g.bits));
  }
  if (f.suites.some(({ suite }) => suite.anonymous)) scores.push(ANONYMOUS_KEY_EXCHANGE_SCORE);
  if (f.suites.some(({ suite }) => suite.export)) scores.push(EXPORT_KEY_EXCHANGE_SCORE);
  return scores.length ? Math.min(...scores) : null;
}

export function cipherStrengthScore(f: Facts): number | null {
  if (f.suites.length === 0) return null;
  const bits = f.suites.map(({ suite }) => suite.bits);
  return (band(CIPHER_STRENGTH_BANDS, Math.max(...bits)) + band(CIPHER_STRENGTH_BANDS, Math.min(...bits))) / 2;
}

export function sslLabsComponents(tls: TlsResult): SslLabsComponents {
  const f = facts(tls);
  const protocol = protocolScore(tls.protocols);
  const keyExchange = keyExchangeScore(tls, f);
  const cipherStrength = cipherStrengthScore(f);
  let score: number | null = null;
  if (protocol !== null && keyExchange !== null && cipherStrength !== null) {
    const weighted = CATEGORY_WEIGHTS.protocol * protocol + CATEGORY_WEIGHTS.keyExchange * keyExchange + CATEGORY_WEIGHTS.cipherStrength * cipherStrength;
    score = protocol === 0 || keyExchange === 0 || cipherStrength === 0 ? 0 : Math.round(weighted);
  }
  const caps = CAP_RULES.filter((r) => r.applies(f)).map(({ id, grade, reason }) => ({ id, grade, reason }));
  const untestedVulns = CAP_VULNERABILITIES.filter((k) => tls.vulnerabilities[k] === undefined || tls.vulnerabilities[k] === 'unknown');
  const kx = unknownKeyExchange(tls);
  const untestedVersions = PROTOCOL_NAMES.filter((p) => tls.protocols[p] === null);
  const pending = [
    ...(untestedVersions.length ? [`protocols: ${untestedVersions.join(', ')} could not be tested`] : []),
    ...Object.entries(tls.cipherSuitesIncomplete ?? {}).map(([p, why]) => `cipher suites: the ${p} list is incomplete (${why})`),
    ...(tls.chains ? [] : ['certificate caps (T, M, key size, signature): no certificate chain was examined']),
    ...(tls.chains && tls.chainsIncomplete?.length ? [`certificate caps: a served chain could not be read (${tls.chainsIncomplete.join('; ')})`] : []),
    ...(untestedVulns.length ? [`vulnerability caps: not tested (${untestedVulns.join(', ')})`] : []),
    ...(kx.groups ? ['key exchange: ECDHE suites are accepted but the groups could not be (fully) enumerated'] : []),
    ...(kx.dhe ? ['key exchange: DHE suites are accepted but the DHE prime could not be read'] : []),
    ...(kx.dhPrime ? ['key exchange: the DHE modulus is over 8192 bits and was not tested for primality'] : []),
    ...(renegotiationUnknown(tls) ? ['A- warning: whether secure renegotiation (RFC 5746) is supported is unknown'] : []),
  ];
  return { protocol, keyExchange, cipherStrength, score, scoreLetter: score === null ? null : letterFor(score), caps, pending };
}

/** The vulnerability verdicts some cap depends on: a letter needs every one of them decided. */
export const CAP_VULNERABILITIES: readonly VulnerabilityKey[] = ['heartbleed', 'ccsInjection', 'robot', 'ticketbleed', 'drown', 'insecureRenegotiation', 'crime', 'poodleSsl'];

/** HSTS must last at least this long for A+ (the guide: 180 days). */
export const A_PLUS_MIN_HSTS_SECONDS = 180 * 86_400;

export interface Warning {
  id: string;
  reason: string;
}

/**
 * What keeps an A from being an A+. The rating guide's A+ needs HSTS of at least 180 days and no
 * warnings; a warning (no TLS 1.3, no secure renegotiation) makes it A-. Missing or short HSTS
 * alone leaves a plain A, as SSL Labs grades it.
 */
export function aPlusWarnings(tls: TlsResult): Warning[] {
  const out: Warning[] = [];
  if (tls.protocols['TLSv1.3'] !== true) out.push({ id: SSLLABS_RULES.warningNoTls13, reason: 'TLS 1.3 is not supported' });
  if (tls.features?.secureRenegotiation === false && tls.protocols['TLSv1.3'] !== true) {
    out.push({ id: SSLLABS_RULES.warningNoSecureRenegotiation, reason: 'secure renegotiation (RFC 5746) is not supported' });
  }
  return out;
}

export interface SslLabsGrade {
  /** The letter, when whatever was not tested cannot change it (best = worst); else null. */
  letter: GradeLetter | null;
  /** The letter before T/M: what the server would get with a trusted, matching certificate. */
  ignoringTrust: GradeLetter | null;
  warnings: Warning[];
  /** Why A is not A+ (HSTS), when the letter is A. */
  notAPlus: string | null;
  /** Why there is no letter, when there is none. */
  ungraded: string | null;
  /** The letters the untested parts could still give: the best and the worst outcome. */
  best: GradeLetter | null;
  worst: GradeLetter | null;
}

/** How the parts a scan did not test count (MX hosts are never asked some of them, by design). */
export interface RangeOptions {
  /** Untested vulnerability caps: 'range' = could be either; 'not-applied' = left out (MX hosts). */
  untestedVulnerabilities?: 'range' | 'not-applied';
  /** Groups / DHE prime not enumerated: 'range' = could be the weakest; 'not-applied' = left out (MX hosts). */
  unknownKeyExchange?: 'range' | 'not-applied';
  /** The site's HSTS could not be read (the HTTP check was asked for and did not complete): A+ is then undecided. */
  hstsUnknown?: boolean;
  /** Secure renegotiation not asked: 'range' = A- or not; 'not-applied' = no warning (MX hosts, where features are not asked). */
  unknownRenegotiation?: 'range' | 'not-applied';
}

/** Features as tls-features reports them when nothing was asked. */
function emptyFeatures(): NonNullable<TlsResult['features']> {
  return {
    alpn: [], secureRenegotiation: null, fallbackScsv: null, extendedMasterSecret: null, ocspStapling: null, sctExtension: null,
    heartbeat: null, sessionTickets: null, compression: null, resumption: { ids: null, tickets: null },
  };
}

/** The letter components give, whatever is pending: the score's letter, every cap, A+/A-, T/M. */
function letterOf(tls: TlsResult, rating: SslLabsComponents, hstsMaxAge: number | null, scoreLetter: GradeLetter) {
  let letter: GradeLetter = scoreLetter;
  for (const cap of rating.caps) if (cap.grade !== 'T' && cap.grade !== 'M') letter = worstGrade([letter, cap.grade])!;
  const warnings = letter === 'A' ? aPlusWarnings(tls) : [];
  let notAPlus: string | null = null;
  if (letter === 'A') {
    if (warnings.length) letter = 'A-';
    else if (hstsMaxAge === null) notAPlus = 'no HSTS (needed for A+)';
    else if (hstsMaxAge < A_PLUS_MIN_HSTS_SECONDS) notAPlus = `HSTS max-age ${hstsMaxAge} s is under 180 days (needed for A+)`;
    else letter = 'A+';
  }
  const ignoringTrust = letter;
  // T (not trusted) and M (name mismatch) replace the letter; T first, as trust fails before names matter.
  if (rating.caps.some((c) => c.grade === 'T')) letter = 'T';
  else if (rating.caps.some((c) => c.grade === 'M')) letter = 'M';
  return { letter, ignoringTrust, warnings, notAPlus };
}

/** An untrusted chain standing in for certificates nobody examined (the worst they can be). */
const UNEXAMINED_CHAIN = {
  index: 0, requested: 'unknown', protocol: 'unknown', leafKeyType: 'unknown', certificates: 0, trusted: false, trustErrors: [], anchor: null,
  chainComplete: false, fetchedIntermediates: 0, extraCertificates: [], misordered: false, anchorServed: false, hostnameMatch: false, ocsp: [], ct: null,
} satisfies NonNullable<TlsResult['chains']>[number];

/** The weakest ECDHE group and DHE prime a server could use where none were enumerated. */
const WEAKEST_ECDHE_GROUP = GROUPS.filter((g) => g.kind === 'ecdhe' && g.bits > 0).sort((a, b) => a.bits - b.bits)[0]?.name ?? 'secp160r1';
const WEAKEST_DHE_BITS = 512;

/** Whether the evidence cannot tell the key exchange's weakest part: groups or DHE prime not (fully) read or tested. */
function unknownKeyExchange(tls: TlsResult): { groups: boolean; dhe: boolean; dhPrime: boolean } {
  const f = facts(tls);
  const incomplete = tls.groupsIncomplete ?? [];
  return {
    groups: ((tls.groups ?? null) === null || incomplete.some((s) => !s.startsWith('DHE'))) && f.suites.some(({ suite }) => suite.kx === 'ECDHE'),
    dhe: (tls.dhParameterBits ?? null) === null && f.suites.some(({ suite }) => suite.kx === 'DHE'),
    dhPrime: tls.dhParameterPrime === 'unchecked',
  };
}

const PROTOCOL_NAMES = Object.keys(PROTOCOL_SCORES) as ProtocolName[];
/** Versions whose acceptance lowers a letter: the worst case accepts them (the others it refuses). */
const LEGACY_VERSIONS: ReadonlySet<ProtocolName> = new Set(['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1']);
/** The weakest suite there is (40-bit export RC4): what an unlisted suite could be, at worst. */
const WEAKEST_SUITE = 'TLS_RSA_EXPORT_WITH_RC4_40_MD5';

/** A TLS ≤ 1.2 version is accepted and nobody could ask whether it does RFC 5746 (the A- warning). */
function renegotiationUnknown(tls: TlsResult): boolean {
  const legacy = PROTOCOL_NAMES.some((p) => p !== 'TLSv1.3' && tls.protocols[p] !== false);
  return legacy && tls.protocols['TLSv1.3'] !== true && (tls.features?.secureRenegotiation ?? null) === null;
}

/** The evidence with every untested part set to its best (or worst) outcome. */
function scenario(tls: TlsResult, which: 'best' | 'worst', o: Required<RangeOptions>): TlsResult {
  const worstCase = which === 'worst';
  const protocols = { ...tls.protocols };
  const cipherSuites = { ...tls.cipherSuites };
  for (const p of PROTOCOL_NAMES) {
    if (protocols[p] !== null) continue;
    protocols[p] = LEGACY_VERSIONS.has(p) === worstCase;
    // A version accepted only in this scenario has unknown suites: at worst, the weakest.
    if (protocols[p] && worstCase && p !== 'SSLv2') cipherSuites[p] = [...(cipherSuites[p] ?? []), WEAKEST_SUITE];
  }
  if (worstCase) for (const p of Object.keys(tls.cipherSuitesIncomplete ?? {})) cipherSuites[p] = [...(cipherSuites[p] ?? []), WEAKEST_SUITE];
  const asked = o.unknownRenegotiation === 'range' && renegotiationUnknown(tls);
  const features = asked ? { ...emptyFeatures(), ...tls.features, secureRenegotiation: !worstCase } : tls.features;
  const vulnerabilities = { ...tls.vulnerabilities };
  for (const k of CAP_VULNERABILITIES) {
    if (vulnerabilities[k] !== undefined && vulnerabilities[k] !== 'unknown') continue;
    vulnerabilities[k] = which === 'worst' && o.untestedVulnerabilities === 'range' ? 'vulnerable' : 'not-vulnerable';
  }
  // Certificates not examined (or a chain not read) could be the worst there is: untrusted.
  const unread = !tls.chains || (tls.chainsIncomplete?.length ?? 0) > 0;
  const chains = worstCase && unread ? [...(tls.chains ?? []), UNEXAMINED_CHAIN] : (tls.chains ?? []);
  const out: TlsResult = { ...tls, protocols, cipherSuites, features, vulnerabilities, chains };
  if (which === 'worst' && o.unknownKeyExchange === 'range') {
    const unknown = unknownKeyExchange(tls);
    if (unknown.groups) out.groups = [WEAKEST_ECDHE_GROUP];
    if (unknown.dhe) out.dhParameterBits = WEAKEST_DHE_BITS;
    if (unknown.dhPrime) out.dhParameterPrime = 'composite';
  }
  return out;
}

/**
 * The endpoint's letter from its rating components and the site's HSTS max-age (seconds, or
 * null). What was not tested (`rating.pending`) is taken at its best and at its worst: the letter
 * is given when both give the same one (an F cap that no pending part can lift, a certain T), and
 * is null otherwise, with `best` and `worst` saying how far apart they are.
 */
export function sslLabsGrade(tls: TlsResult, rating: SslLabsComponents, hstsMaxAge: number | null, opts: RangeOptions = {}): SslLabsGrade {
  const o: Required<RangeOptions> = {
    untestedVulnerabilities: opts.untestedVulnerabilities ?? 'range',
    unknownKeyExchange: opts.unknownKeyExchange ?? 'range',
    hstsUnknown: opts.hstsUnknown ?? false,
    unknownRenegotiation: opts.unknownRenegotiation ?? 'range',
  };
  const at = (which: 'best' | 'worst') => {
    const t = scenario(tls, which, o);
    const r = sslLabsComponents(t);
    const hsts = o.hstsUnknown ? (which === 'best' ? A_PLUS_MIN_HSTS_SECONDS : null) : hstsMaxAge;
    // Categories that cannot be scored at all could be anything: A at best, F at worst.
    return letterOf(t, r, hsts, r.scoreLetter ?? (which === 'best' ? 'A' : 'F'));
  };
  const best = at('best');
  const worst = at('worst');
  const decided = best.letter === worst.letter;
  const known = rating.scoreLetter !== null || decided;
  return {
    letter: decided ? best.letter : null,
    ignoringTrust: best.ignoringTrust === worst.ignoringTrust ? best.ignoringTrust : null,
    warnings: decided ? best.warnings : [],
    notAPlus: decided ? best.notAPlus : null,
    ungraded: decided
      ? null
      : known && (rating.pending.length || o.hstsUnknown)
        ? `not everything the grade depends on was tested (${[...rating.pending, ...(o.hstsUnknown ? ['HSTS: the site could not be fetched'] : [])].join('; ')}): it could be anything from ${best.letter} to ${worst.letter}`
        : 'the numeric categories could not all be scored',
    best: best.letter,
    worst: worst.letter,
  };
}
