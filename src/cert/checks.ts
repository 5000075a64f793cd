// Findings about served certificate chains, as pure functions of the evidence the tls-certificates
// probe collects: validity, trust path, host name, key and signature (revocation and CT in
// status-checks.ts).
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { CertificateInfo, Severity } from '../model/report.js';
import type { PathErrorCode } from '../trust/path.js';
import { PROFILE_RULES } from '../trust/webpki.js';
import type { ChainTrustError } from './chain.js';
import { CERT_FINDINGS, leafEvidence, leafOf, type CertificatesEvidence, type ChainEvidence } from './evidence.js';
import { ctFindings, revocationFindings } from './status-checks.js';

export { CERT_FINDINGS, leafOf, type CertificatesEvidence, type ChainEvidence } from './evidence.js';

/** CA/B Forum BR §6.3.2: certificates issued on or after 2020-09-01 live at most 398 days. */
export const MAX_LIFETIME_DAYS = 398;
export const MAX_LIFETIME_SINCE = new Date('2020-09-01T00:00:00Z');
const STRONG_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

interface TrustRule {
  id: string;
  severity: Severity;
  title: string;
  remediation: string;
}

/** One finding per trust-path error code; leaf expiry is reported by the validity checks instead. */
const TRUST_RULES: Readonly<Record<PathErrorCode, TrustRule>> = {
  'self-signed': {
    id: CERT_FINDINGS.selfSigned,
    severity: 'high',
    title: 'Certificate is self-signed',
    remediation: 'Use a certificate from a publicly trusted CA (free via ACME, e.g. Let\'s Encrypt).',
  },
  'unknown-issuer': {
    id: CERT_FINDINGS.unknownIssuer,
    severity: 'high',
    title: 'Certificate is issued by an unknown CA',
    remediation: 'Use a certificate from a CA in the Mozilla root store, or distribute your private root to every client (and pass it with --ca-file here).',
  },
  'missing-intermediate': {
    id: CERT_FINDINGS.chainIncomplete,
    severity: 'high',
    title: 'Certificate chain is incomplete',
    remediation: 'Serve the leaf followed by every intermediate up to (not including) the root, e.g. the CA\'s "fullchain" file.',
  },
  expired: {
    id: CERT_FINDINGS.chainExpired,
    severity: 'high',
    title: 'A certificate in the chain has expired',
    remediation: 'Replace the expired intermediate with the CA\'s current one and serve the updated chain.',
  },
  'not-yet-valid': {
    id: CERT_FINDINGS.chainNotYetValid,
    severity: 'high',
    title: 'A certificate in the chain is not valid yet',
    remediation: 'Check the server clock and serve intermediates that are valid now.',
  },
  'not-a-ca': {
    id: CERT_FINDINGS.chainInvalid,
    severity: 'high',
    title: 'An issuing certificate is not a CA',
    remediation: 'Serve the CA\'s real intermediate certificates; a leaf cannot sign other certificates.',
  },
  'path-length': {
    id: CERT_FINDINGS.chainInvalid,
    severity: 'high',
    title: 'The chain violates a path length constraint',
    remediation: 'Obtain the certificate through an intermediate the CA allows to issue it.',
  },
  eku: {
    id: CERT_FINDINGS.wrongUsage,
    severity: 'high',
    title: 'Certificate is not valid for TLS server authentication',
    remediation: 'Use a certificate whose extended key usage includes serverAuth (1.3.6.1.5.5.7.3.1) all the way up the chain.',
  },
  'root-not-trusted-for-tls': {
    id: CERT_FINDINGS.rootNotTrusted,
    severity: 'high',
    title: 'The root is not trusted for TLS servers',
    remediation: 'Move to a CA whose root Mozilla trusts for server authentication.',
  },
  'distrusted-root': {
    id: CERT_FINDINGS.distrustedRoot,
    severity: 'high',
    title: 'The root is distrusted for certificates issued this recently',
    remediation: 'Replace the certificate with one from a CA that browsers still trust (the root has a distrust-after date).',
  },
  'bad-signature': {
    id: CERT_FINDINGS.badSignature,
    severity: 'high',
    title: 'A certificate signature does not verify',
    remediation: 'Serve the exact certificates the CA issued; the chain as sent is corrupt or mixed up.',
  },
  malformed: {
    id: CERT_FINDINGS.malformed,
    severity: 'high',
    title: 'A certificate in the chain is malformed',
    remediation: 'Ask the CA to reissue the certificate: browsers refuse certificates that break RFC 5280 encoding rules (duplicate or undecodable extensions, mismatched signature algorithms, extensions in a v1 certificate).',
  },
  'critical-extension': {
    id: CERT_FINDINGS.criticalExtension,
    severity: 'high',
    title: 'A certificate has a critical extension clients cannot process',
    remediation: 'Reissue without the unknown critical extension (or mark it non-critical): clients must reject certificates with critical extensions they do not know.',
  },
  'key-usage': {
    id: CERT_FINDINGS.keyUsage,
    severity: 'high',
    title: 'An issuing certificate may not sign certificates',
    remediation: 'Issue through a CA certificate whose key usage includes keyCertSign.',
  },
  'name-constraints': {
    id: CERT_FINDINGS.nameConstraints,
    severity: 'high',
    title: 'The chain violates name constraints',
    remediation: 'Obtain the certificate from a CA permitted to issue for these names, or fix the constraining CA\'s name constraints.',
  },
  policy: {
    id: CERT_FINDINGS.policy,
    severity: 'high',
    title: 'The chain fails certificate policy processing',
    remediation: 'Issue through CAs whose certificate policies carry down to the server certificate, as the constraining CA requires.',
  },
  'leaf-is-ca': {
    id: CERT_FINDINGS.leafIsCa,
    severity: 'high',
    title: 'The server certificate is a CA certificate',
    remediation: 'Reissue the server certificate as an end-entity certificate: basicConstraints cA=FALSE (or absent) and no keyCertSign.',
  },
  'web-pki': {
    id: CERT_FINDINGS.webPki,
    severity: 'high',
    title: 'A certificate breaks a web-PKI rule browsers enforce',
    remediation: 'Reissue the certificate from a CA that follows the CA/Browser Forum Baseline Requirements (see the rule named in the detail).',
  },
  'weak-signature': {
    id: CERT_FINDINGS.weakSignature,
    severity: 'high',
    title: 'A certificate is signed with MD5 or SHA-1',
    remediation: 'Reissue with a SHA-256 signature; browsers reject MD5 and SHA-1 signed certificates.',
  },
  'path-building-limit': {
    id: CERT_FINDINGS.pathBuildingLimit,
    severity: 'high',
    title: 'No valid path found within the path-building limit',
    remediation: 'Serve only the leaf and the intermediates leading to one root; clients give up on chains with many candidate issuers.',
  },
};

/** The served leaf's facts; undefined when the leaf could not be read (never another certificate in its place). */

function label(ev: CertificatesEvidence, c: ChainEvidence): string {
  if (ev.chains.length < 2) return '';
  const leaf = leafOf(c);
  return leaf ? ` (${leaf.keyType} certificate)` : ` (${c.requested} chain)`;
}

/** One high finding per chain naming every served certificate that could not be read. */
function unreadableFindings(c: ChainEvidence, tag: string): CheckFinding[] {
  // The probe's list (position, code, parse error), and any 'unreadable' trust error it does not
  // cover (e.g. a path that could not be built at all).
  const list: Array<{ servedIndex: number | null; code?: string; error: string }> = [...(c.unreadable ?? [])];
  const covered = new Set(list.map((u) => `served certificate #${u.servedIndex}`));
  for (const e of c.path.errors) {
    if (e.code !== 'unreadable' || covered.has(e.subject)) continue;
    const at = /^served certificate #(\d+)$/.exec(e.subject)?.[1];
    list.push({ servedIndex: at === undefined ? null : Number(at), error: e.detail });
  }
  if (list.length === 0) return [];
  const leaf = list.some((u) => u.servedIndex === 0);
  return [
    finding({
      id: CERT_FINDINGS.unreadable,
      severity: 'high',
      title: `${leaf ? 'The server certificate' : 'A served certificate'} cannot be read${tag}`,
      detail: `${list.map((u) => (u.servedIndex === null ? u.error.replace(/\.$/, '') : `served position ${u.servedIndex}${u.servedIndex === 0 ? ' (the server certificate)' : ''}: ${u.error}`)).join('; ')}. Clients reject a chain with a certificate they cannot parse, so it is not trusted${leaf ? '; the host name and key of the server certificate could not be checked' : ''}.`,
      evidence: { chain: c.index, certificates: list.map((u) => ({ servedIndex: u.servedIndex, ...(u.code ? { code: u.code } : {}), error: u.error })) },
      remediation: 'Serve the certificates exactly as the CA issued them (PEM files intact, no edited or truncated certificates), and ask the CA to reissue any certificate with malformed dates.',
      references: [REF.rfc5280, REF.rfc8446],
    }),
  ];
}


function validityFindings(leaf: CertificateInfo, c: ChainEvidence, tag: string, now: Date): CheckFinding[] {
  const evidence = leafEvidence(leaf, c);
  if (new Date(leaf.notAfter) < now) {
    return [
      finding({
        id: CERT_FINDINGS.expired,
        severity: 'critical',
        title: `Certificate has expired${tag}`,
        detail: `The server certificate expired on ${leaf.notAfter} (${-leaf.daysRemaining} days ago); browsers refuse the connection.`,
        evidence,
        remediation: 'Renew the certificate and deploy it together with its intermediates; automate renewal (ACME).',
        references: [REF.rfc5280, REF.ssllabsGuide],
      }),
    ];
  }
  if (new Date(leaf.notBefore) > now) {
    return [
      finding({
        id: CERT_FINDINGS.notYetValid,
        severity: 'critical',
        title: `Certificate is not valid yet${tag}`,
        detail: `The server certificate becomes valid only on ${leaf.notBefore}.`,
        evidence,
        remediation: 'Check the server clock and the certificate dates; deploy a certificate that is valid now.',
        references: [REF.rfc5280],
      }),
    ];
  }
  if (leaf.daysRemaining < 30) {
    return [
      finding({
        id: CERT_FINDINGS.expiresSoon,
        severity: leaf.daysRemaining < 7 ? 'high' : 'medium',
        title: `Certificate expires in ${leaf.daysRemaining} days${tag}`,
        detail: `The server certificate expires on ${leaf.notAfter}.`,
        evidence,
        remediation: 'Renew the certificate now and automate renewal (ACME) well before expiry.',
        references: [REF.cabBr],
      }),
    ];
  }
  return [];
}

/**
 * Trust findings. `covered` lists "ruleId@certIndex" errors another finding already explains (a
 * weak leaf key, a leaf without SAN): they still make the chain untrusted, without a second finding.
 */
function trustFindings(c: ChainEvidence, tag: string, covered: ReadonlySet<string> = new Set()): CheckFinding[] {
  const out: CheckFinding[] = [];
  // One finding per rule id, naming every error it covers (several web-PKI rules share one id).
  const groups = new Map<string, ChainTrustError[]>();
  for (const e of c.path.errors) {
    // Unreadable certificates have their own finding (unreadableFindings).
    if (e.code === 'unreadable') continue;
    // The leaf's own dates have their own findings (expired / not yet valid), and weak signatures
    // theirs (critical for MD5): keyAndSignatureFindings.
    if ((e.code === 'expired' || e.code === 'not-yet-valid') && e.certIndex === 0) continue;
    if (e.code === 'weak-signature') continue;
    if (e.ruleId && covered.has(`${e.ruleId}@${e.certIndex}`)) continue;
    const id = TRUST_RULES[e.code].id;
    groups.set(id, [...(groups.get(id) ?? []), e]);
  }
  for (const errors of groups.values()) {
    const first = errors[0]!;
    const rule = TRUST_RULES[first.code as PathErrorCode];
    const rules = [...new Set(errors.map((e) => e.rule).filter((r): r is string => !!r))];
    out.push(
      finding({
        id: rule.id,
        severity: rule.severity,
        title: `${rule.title}${tag}`,
        detail: `${errors.map((e) => e.detail).join(' ')}${rules.length ? ` (${rules.join('; ')})` : ''}${c.path.trusted ? '' : ' Browsers will not trust this chain.'}`,
        evidence: {
          chain: c.index,
          code: first.code,
          certificate: first.subject,
          errors: errors.map((e) => ({ code: e.code, certificate: e.subject, detail: e.detail, ...(e.rule ? { rule: e.rule } : {}), ...(e.ruleId ? { ruleId: e.ruleId } : {}) })),
          path: c.path.path,
          anchor: c.path.anchor,
        },
        remediation: rule.remediation,
        references: [REF.rfc5280, ...(first.code === 'web-pki' || first.code === 'leaf-is-ca' || first.code === 'weak-signature' ? [REF.cabBr] : []), REF.mozillaRootStore, REF.ssllabsGuide],
      }),
    );
  }
  if (c.path.trusted && !c.path.chainComplete) {
    out.push(
      finding({
        id: CERT_FINDINGS.chainIncomplete,
        severity: 'medium',
        title: `Certificate chain is incomplete${tag}`,
        detail: `The chain verifies only with ${c.path.fetchedUsed} intermediate(s) downloaded from the AIA URL. Browsers that do not fetch them (Firefox, most non-browser clients) fail.`,
        evidence: { chain: c.index, path: c.path.path },
        remediation: TRUST_RULES['missing-intermediate'].remediation,
        references: [REF.rfc5280, REF.ssllabsGuide],
      }),
    );
  }
  if (c.path.extraCertificates.length > 0) {
    out.push(
      finding({
        id: CERT_FINDINGS.chainExtra,
        severity: 'low',
        title: `The server sends certificates that are not part of the chain${tag}`,
        detail: `Served positions ${c.path.extraCertificates.join(', ')} (0 = leaf) are not on the path to the root: wasted bytes in every handshake, and confusing for clients.`,
        evidence: { chain: c.index, extra: c.path.extraCertificates.map((i) => c.certificates.find((x, j) => (x.servedIndex ?? j) === i)?.subject ?? `#${i}`) },
        remediation: 'Serve only the leaf and the intermediates that lead to the root.',
        references: [REF.rfc8446],
      }),
    );
  }
  if (c.path.misordered) {
    out.push(
      finding({
        id: CERT_FINDINGS.chainMisordered,
        severity: 'low',
        title: `Certificate chain is out of order${tag}`,
        detail: 'The intermediates are not sent leaf first, each followed by its issuer. TLS 1.2 requires that order (RFC 5246 §7.4.2); strict clients fail.',
        evidence: { chain: c.index, served: c.certificates.map((x) => x.subject), path: c.path.path },
        remediation: 'Serve the leaf first, then each issuer in turn.',
        references: [REF.rfc8446],
      }),
    );
  }
  if (c.path.anchorServed) {
    out.push(
      finding({
        id: CERT_FINDINGS.chainRootServed,
        severity: 'info',
        title: `The server sends the root certificate${tag}`,
        detail: 'Clients ignore a served root (they must have it already); it only adds bytes to every handshake.',
        evidence: { chain: c.index, anchor: c.path.anchor },
        remediation: 'Leave the root out of the served chain.',
        references: [REF.rfc8446],
      }),
    );
  }
  return out;
}

/** A certificate's names for a sentence: real leaves carry up to 10,000 (see general-name.ts), so the list is cut. */
function namesText(sans: readonly string[], max = 20): string {
  if (sans.length === 0) return 'none';
  return sans.length <= max ? sans.join(', ') : `${sans.slice(0, max).join(', ')} and ${sans.length - max} more`;
}

function hostnameFindings(leaf: CertificateInfo, c: ChainEvidence, tag: string): CheckFinding[] {
  const out: CheckFinding[] = [];
  if (leaf.hostnameMatch === false) {
    out.push(
      finding({
        id: CERT_FINDINGS.hostnameMismatch,
        severity: 'high',
        title: `Certificate does not match the host name${tag}`,
        detail: `${c.matchedName} is not among the certificate's names (${namesText(leaf.sans)}). Browsers check subjectAltName only; a wildcard covers exactly one label.`,
        evidence: { chain: c.index, host: c.matchedName, sans: leaf.sans, subject: leaf.subject },
        remediation: `Issue a certificate whose subjectAltName covers ${c.matchedName}.`,
        references: [REF.rfc6125, REF.ssllabsGuide],
      }),
    );
  }
  if (leaf.sans.length === 0) {
    out.push(
      finding({
        id: CERT_FINDINGS.noSan,
        severity: 'high',
        title: `Certificate has no subjectAltName${tag}`,
        detail: 'The names are only in the subject common name, which browsers have ignored since 2017 (Chrome 58): they refuse the certificate (CA/B Forum BR §7.1.2.7.12).',
        evidence: { chain: c.index, subject: leaf.subject },
        remediation: 'Reissue the certificate with every host name in subjectAltName.',
        references: [REF.rfc6125, REF.cabBr],
      }),
    );
  }
  return out;
}

const isMd5 = (alg: string) => /^MD[25]with/i.test(alg);
const isSha1 = (alg: string) => /^SHA1with/i.test(alg);

function keyAndSignatureFindings(leaf: CertificateInfo, c: ChainEvidence, tag: string): CheckFinding[] {
  const out: CheckFinding[] = [];
  const ev = leafEvidence(leaf, c);
  if (new Date(leaf.notBefore) >= MAX_LIFETIME_SINCE && (leaf.lifetimeDays ?? 0) > MAX_LIFETIME_DAYS) {
    out.push(
      finding({
        id: CERT_FINDINGS.lifetimeTooLong,
        severity: 'medium',
        title: `Certificate lifetime of ${leaf.lifetimeDays} days exceeds ${MAX_LIFETIME_DAYS}${tag}`,
        detail: `Publicly trusted certificates issued since ${MAX_LIFETIME_SINCE.toISOString().slice(0, 10)} may be valid for at most ${MAX_LIFETIME_DAYS} days; Apple, Chrome and Mozilla reject longer ones.`,
        evidence: { ...ev, lifetimeDays: leaf.lifetimeDays },
        remediation: 'Reissue with a lifetime of at most 398 days (90 days with ACME automation is better).',
        references: [REF.cabBr],
      }),
    );
  }
  const bits = leaf.keyBits ?? 0;
  if ((leaf.keyType === 'RSA' || leaf.keyType === 'DSA') && bits > 0 && bits < 2048) {
    out.push(
      finding({
        id: CERT_FINDINGS.weakKey,
        severity: bits < 1024 ? 'critical' : 'high',
        title: `${leaf.keyType} key of ${bits} bits is too small${tag}`,
        detail: `${leaf.keyType} keys below 2048 bits are forbidden by the Baseline Requirements${bits < 1024 ? ' and are factorable today' : ''}.`,
        evidence: { ...ev, keyType: leaf.keyType, keyBits: bits },
        remediation: 'Generate a new key (RSA 2048+ or ECDSA P-256) and reissue the certificate.',
        references: [REF.cabBr, REF.ssllabsGuide],
      }),
    );
  }
  if (leaf.keyType === 'EC' && ((bits > 0 && bits < 224) || (leaf.curve && !STRONG_CURVES.has(leaf.curve)))) {
    out.push(
      finding({
        id: CERT_FINDINGS.weakKey,
        severity: 'high',
        title: `EC key on ${leaf.curve ?? 'an unnamed curve'}${tag}`,
        detail: 'Browsers and the Baseline Requirements accept EC keys on P-256, P-384 and P-521 only; the chain is not trusted.',
        evidence: { ...ev, curve: leaf.curve, keyBits: bits },
        remediation: 'Use a P-256 or P-384 key.',
        references: [REF.cabBr],
      }),
    );
  }
  const e = leaf.rsaExponent;
  if (leaf.keyType === 'RSA' && e !== null && e !== undefined && e !== 65537) {
    const broken = e < 3 || e % 2 === 0;
    out.push(
      finding({
        id: CERT_FINDINGS.rsaExponent,
        severity: broken ? 'high' : 'low',
        title: `Unusual RSA public exponent ${e}${tag}`,
        detail: broken ? `An exponent of ${e} makes RSA insecure or unusable.` : `Small exponents (${e}) have enabled attacks on faulty padding checks; the Baseline Requirements ask for an odd exponent of at least 65537.`,
        evidence: { ...ev, rsaExponent: e },
        remediation: 'Generate a new RSA key with exponent 65537.',
        references: [REF.cabBr],
      }),
    );
  }
  // Signatures of every served certificate except a trust anchor (its own signature is never checked).
  const anchorPositions = new Set(c.path.path.filter((p) => p.from === 'anchor' && p.servedIndex !== null).map((p) => p.servedIndex));
  const signed = c.certificates.filter((x, j) => {
    const i = x.servedIndex ?? j;
    return !anchorPositions.has(i) && !(x.selfSigned && i > 0);
  });
  const md5 = signed.filter((x) => isMd5(x.signatureAlgorithm));
  const sha1 = signed.filter((x) => isSha1(x.signatureAlgorithm));
  const inTrust = new Set(c.path.errors.map((e) => e.code));
  if (md5.length > 0) {
    out.push(
      finding({
        id: CERT_FINDINGS.weakSignature,
        severity: 'critical',
        title: `Certificate signed with MD5${tag}`,
        detail: `MD5 signatures can be forged with chosen-prefix collisions (a rogue CA was made this way in 2008): ${md5.map((x) => x.subject).join('; ')}.`,
        evidence: { chain: c.index, certificates: md5.map((x) => ({ subject: x.subject, signatureAlgorithm: x.signatureAlgorithm })) },
        remediation: 'Reissue with a SHA-256 signature.',
        references: [REF.cabBr, REF.ssllabsGuide],
      }),
    );
  } else if (sha1.length > 0) {
    out.push(
      finding({
        id: CERT_FINDINGS.weakSignature,
        severity: 'high',
        title: `Certificate signed with SHA-1${tag}`,
        detail: `SHA-1 has practical collisions (SHAttered, 2017) and browsers no longer accept SHA-1 signed certificates: ${sha1.map((x) => x.subject).join('; ')}.`,
        evidence: { chain: c.index, certificates: sha1.map((x) => ({ subject: x.subject, signatureAlgorithm: x.signatureAlgorithm })) },
        remediation: 'Reissue with a SHA-256 signature.',
        references: [REF.cabBr, REF.ssllabsGuide],
      }),
    );
  }
  // When the path was refused for it, the trust finding of the same id says so already.
  if (leaf.ca === true && !inTrust.has('leaf-is-ca')) {
    out.push(
      finding({
        id: CERT_FINDINGS.leafIsCa,
        severity: 'medium',
        title: `The server certificate is a CA certificate${tag}`,
        detail: 'Its basicConstraints say cA=TRUE: whoever holds its key can issue certificates for any name under it. Server certificates must be end-entity certificates.',
        evidence: ev,
        remediation: 'Reissue the server certificate with basicConstraints cA=FALSE.',
        references: [REF.rfc5280, REF.cabBr],
      }),
    );
  }
  return out;
}

/** One finding per tolerated web-PKI profile rule the chosen path breaks. */
function profileFindings(c: ChainEvidence, tag: string): CheckFinding[] {
  const byRule = new Map<string, NonNullable<ChainEvidence['path']['profile']>>();
  for (const n of c.path.profile ?? []) byRule.set(n.rule, [...(byRule.get(n.rule) ?? []), n]);
  return [...byRule].map(([rule, notes]) => {
    const def = Object.values(PROFILE_RULES).find((r) => r.id === rule)!;
    return finding({
      id: `${CERT_FINDINGS.profile}${rule}`,
      severity: notes[0]!.severity,
      title: `${def.title.replace(/\.$/, '')}: not met${tag}`,
      detail: `${notes.map((n) => n.detail).join(' ')} Browsers accept this, but it departs from the web-PKI profile (${def.reference}).`,
      evidence: { chain: c.index, certificates: notes.map((n) => ({ certIndex: n.certIndex, subject: n.subject, detail: n.detail })) },
      remediation: 'Ask the CA to issue certificates that follow the CA/Browser Forum Baseline Requirements profile.',
      references: [REF.cabBr, REF.rfc5280],
    });
  });
}

export function checkCertificates(ev: CertificatesEvidence, now: Date): CheckFinding[] {
  const out: CheckFinding[] = [];
  for (const c of ev.chains) {
    const tag = label(ev, c);
    out.push(...unreadableFindings(c, tag));
    const leaf = leafOf(c);
    // Without a readable leaf only the chain is judged: host name, key, dates and revocation are
    // unknown, and the chain is untrusted (an 'unreadable' trust error).
    if (!leaf) {
      out.push(...trustFindings(c, tag));
      continue;
    }
    const hostname = hostnameFindings(leaf, c, tag);
    const keys = keyAndSignatureFindings(leaf, c, tag);
    const covered = new Set([
      ...(keys.some((f) => f.id === CERT_FINDINGS.weakKey) ? ['key-algorithm@0'] : []),
      ...(hostname.some((f) => f.id === CERT_FINDINGS.noSan) ? ['san-present@0'] : []),
    ]);
    out.push(
      ...validityFindings(leaf, c, tag, now),
      ...trustFindings(c, tag, covered),
      ...hostname,
      ...keys,
      ...revocationFindings(leaf, c, tag),
      ...ctFindings(c, tag),
      ...profileFindings(c, tag),
    );
  }
  return out;
}

