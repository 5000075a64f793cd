// The web-PKI profile a browser enforces on top of RFC 5280 path validation (CA/Browser Forum
// Baseline Requirements §6.1.5 and §7.1, and RFC 5280 §4's certificate-profile MUSTs that
// RFC 5280 §6 does not itself check). Two kinds of rules, listed in PROFILE_RULES:
//   - reject: browsers (Chrome, Firefox) or the web-PKI validators people test against
//     (rustls-webpki, x509-limbo's webpki profile) refuse the chain; the path is not trusted.
//   - note: a profile violation browsers tolerate; trust stands, the report says what is off.
// Pure: the decoded certificates of one path in, problems out.
import { domainToASCII } from 'node:url';
import { getPublicSuffix } from 'tldts';
import type { DecodedCertificate } from '../cert/decode.js';
import { EXT, EKU } from '../cert/extensions.js';
import { ipText, type GeneralName } from '../cert/general-name.js';
import { ATTRIBUTE, attributeValues, namesEqual } from '../cert/name.js';
import { ipBytes } from '../cert/host-match.js';
import { CURVES } from '../cert/public-key.js';
import { signedBySelf } from '../cert/signature.js';
import { DNS_NAME } from './name-constraints.js';
import type { PathError, PathErrorCode } from './path-error.js';
import type { Severity } from '../model/report.js';

export interface ProfileRule {
  id: string;
  /** Browsers refuse the chain (reject) or tolerate it (note). */
  action: 'reject' | 'note';
  /** For notes: how much it matters. */
  severity: Severity;
  /** The error code a rejection carries. */
  code: PathErrorCode;
  title: string;
  reference: string;
}

/** Every rule, for the README's table and the findings: id → what and why. */
export const PROFILE_RULES = {
  version: { id: 'version', action: 'reject', severity: 'high', code: 'web-pki', title: 'Certificates are X.509 version 3', reference: 'CA/B Forum BR §7.1.1' },
  keyAlgorithm: { id: 'key-algorithm', action: 'reject', severity: 'high', code: 'web-pki', title: 'Keys are RSA (≥ 2048 bits, a multiple of 8) or ECDSA on P-256, P-384 or P-521 with a named curve', reference: 'CA/B Forum BR §6.1.5, §7.1.3.1; RFC 5480 §2.1.1' },
  weakSignature: { id: 'weak-signature', action: 'reject', severity: 'high', code: 'weak-signature', title: 'No MD5 or SHA-1 signatures below the root', reference: 'CA/B Forum BR §7.1.3.2; Chrome and Firefox since 2017' },
  serial: { id: 'serial-number', action: 'reject', severity: 'high', code: 'web-pki', title: 'Serial numbers are positive and at most 20 octets', reference: 'RFC 5280 §4.1.2.2' },
  issuerName: { id: 'issuer-name', action: 'reject', severity: 'high', code: 'malformed', title: 'The issuer name is not empty', reference: 'RFC 5280 §4.1.2.4' },
  caSubject: { id: 'ca-subject', action: 'reject', severity: 'high', code: 'malformed', title: 'A CA certificate has a non-empty subject', reference: 'RFC 5280 §4.1.2.6' },
  akiPresent: { id: 'aki-present', action: 'reject', severity: 'high', code: 'web-pki', title: 'Every certificate but a self-signed root has an authority key identifier', reference: 'RFC 5280 §4.2.1.1' },
  akiCritical: { id: 'aki-critical', action: 'reject', severity: 'high', code: 'malformed', title: 'The authority key identifier is not critical', reference: 'RFC 5280 §4.2.1.1' },
  rootAki: { id: 'root-aki', action: 'reject', severity: 'high', code: 'web-pki', title: "A root's authority key identifier is its key identifier only, equal to its subject key identifier", reference: 'CA/B Forum BR §7.1.2.1.3' },
  skiPresent: { id: 'ski-present', action: 'reject', severity: 'high', code: 'web-pki', title: 'Every CA certificate has a subject key identifier', reference: 'RFC 5280 §4.2.1.2' },
  skiCritical: { id: 'ski-critical', action: 'reject', severity: 'high', code: 'malformed', title: 'The subject key identifier is not critical', reference: 'RFC 5280 §4.2.1.2' },
  basicConstraintsCritical: { id: 'basic-constraints-critical', action: 'reject', severity: 'high', code: 'not-a-ca', title: "A CA certificate's basic constraints are critical", reference: 'RFC 5280 §4.2.1.9' },
  rootEku: { id: 'root-eku', action: 'reject', severity: 'high', code: 'eku', title: 'A root certificate has no extended key usage', reference: 'CA/B Forum BR §7.1.2.1.2' },
  leafCa: { id: 'leaf-ca', action: 'reject', severity: 'high', code: 'leaf-is-ca', title: 'The server certificate is not a CA (cA false, no keyCertSign)', reference: 'CA/B Forum BR §7.1.2.7.8; RFC 5280 §4.2.1.3, §4.2.1.9' },
  leafNameConstraints: { id: 'leaf-name-constraints', action: 'reject', severity: 'high', code: 'name-constraints', title: 'Name constraints appear only in CA certificates', reference: 'RFC 5280 §4.2.1.10' },
  leafEku: { id: 'leaf-eku', action: 'reject', severity: 'high', code: 'eku', title: 'The server certificate has a non-critical extended key usage with serverAuth and no forbidden purpose (any, e-mail, code signing, time stamping, OCSP signing, precertificate signing)', reference: 'CA/B Forum BR §7.1.2.7.6, §7.1.2.7.10' },
  intermediateEku: { id: 'intermediate-eku', action: 'reject', severity: 'high', code: 'eku', title: 'An intermediate with an extended key usage allows serverAuth', reference: 'CA/B Forum BR §7.1.2.10.6; Mozilla Root Store Policy §5.3' },
  nonCriticalExtensions: { id: 'must-be-non-critical', action: 'reject', severity: 'high', code: 'malformed', title: 'Authority information access is not critical; policy constraints and inhibitAnyPolicy are critical', reference: 'RFC 5280 §4.2.2.1, §4.2.1.11, §4.2.1.14' },
  sanPresent: { id: 'san-present', action: 'reject', severity: 'high', code: 'web-pki', title: 'The server certificate has a subjectAltName (the CN is not used)', reference: 'CA/B Forum BR §7.1.2.7.12; RFC 6125 §6.4.4' },
  sanCritical: { id: 'san-critical', action: 'reject', severity: 'high', code: 'web-pki', title: 'The subjectAltName is critical exactly when the subject is empty', reference: 'RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12' },
  sanSyntax: { id: 'san-syntax', action: 'reject', severity: 'high', code: 'web-pki', title: 'SAN entries are well-formed: DNS names in preferred syntax (no underscore, a wildcard only as the whole left-most label), IP addresses of 4 or 16 octets, mailboxes', reference: 'RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12' },
  wildcardPublicSuffix: { id: 'wildcard-public-suffix', action: 'reject', severity: 'high', code: 'web-pki', title: 'No wildcard directly over a public suffix', reference: 'CA/B Forum BR §3.2.2.6' },
  cnSpelling: { id: 'cn-spelling', action: 'reject', severity: 'high', code: 'web-pki', title: 'A subject CN that names a SAN identity copies it character for character (IP addresses in canonical text, DNS names as A-labels in the same case)', reference: 'CA/B Forum BR §7.1.4.3' },
  // Tolerated by browsers: findings only.
  cnNotInSan: { id: 'cn-not-in-san', action: 'note', severity: 'low', code: 'web-pki', title: 'The subject CN, when present, is one of the SAN values', reference: 'CA/B Forum BR §7.1.4.3' },
  ekuOther: { id: 'eku-other-purpose', action: 'note', severity: 'info', code: 'web-pki', title: 'The server certificate lists only serverAuth and clientAuth', reference: 'CA/B Forum BR §7.1.2.7.10' },
  nameConstraintsCritical: { id: 'name-constraints-critical', action: 'note', severity: 'info', code: 'web-pki', title: 'Name constraints are critical', reference: 'RFC 5280 §4.2.1.10; CA/B Forum BR §7.1.2.10.8 allows non-critical' },
  derEncoding: { id: 'der-encoding', action: 'note', severity: 'info', code: 'web-pki', title: 'Certificates follow DER and RFC 5280 §4.1.2.5 encoding rules', reference: 'RFC 5280 §4.1, ITU-T X.690 §11' },
} as const satisfies Record<string, ProfileRule>;

export type ProfileRuleId = (typeof PROFILE_RULES)[keyof typeof PROFILE_RULES]['id'];

/** A tolerated profile violation on one certificate of the path. */
export interface ProfileNote {
  rule: ProfileRuleId;
  certIndex: number;
  subject: string;
  detail: string;
  severity: Severity;
  reference: string;
}

type Rule = (typeof PROFILE_RULES)[keyof typeof PROFILE_RULES];

const FORBIDDEN_LEAF_EKU = new Map<string, string>([
  [EKU.any, 'anyExtendedKeyUsage'],
  [EKU.emailProtection, 'emailProtection'],
  [EKU.codeSigning, 'codeSigning'],
  [EKU.timeStamping, 'timeStamping'],
  [EKU.ocspSigning, 'OCSPSigning'],
  ['1.3.6.1.4.1.11129.2.4.4', 'precertificate signing'],
]);
const WEB_CURVES = new Set(['P-256', 'P-384', 'P-521']);
const WEAK_SIGNATURES = new Map([
  ['1.2.840.113549.1.1.2', 'MD2'],
  ['1.2.840.113549.1.1.3', 'MD4'],
  ['1.2.840.113549.1.1.4', 'MD5'],
  ['1.2.840.113549.1.1.5', 'SHA-1'],
  ['1.2.840.10045.4.1', 'SHA-1'],
  ['1.2.840.10040.4.3', 'SHA-1'],
]);

const criticalOf = (c: DecodedCertificate, oid: string) => c.extensions.find((e) => e.oid === oid)?.critical;

/** Self-signed: issuer and subject names equal and the certificate's own key verifies it. */
export function selfSigned(c: DecodedCertificate): boolean {
  return namesEqual(c.issuer, c.subject) && signedBySelf(c);
}

function keyProblem(c: DecodedCertificate): string | null {
  const k = c.publicKey;
  if (k.kind === 'RSA') {
    if (k.rsaBits === null) return 'an RSA key that cannot be read';
    if (k.rsaBits < 2048) return `an RSA key of ${k.rsaBits} bits (at least 2048 are required)`;
    if (k.rsaBits % 8 !== 0) return `an RSA key of ${k.rsaBits} bits (not a multiple of 8)`;
    return null;
  }
  if (k.kind === 'EC') {
    if (k.explicitCurve) return 'an EC key with explicit curve parameters (a named curve is required)';
    const curve = k.curveOid ? CURVES[k.curveOid]?.name : undefined;
    return curve && WEB_CURVES.has(curve) ? null : `an EC key on ${curve ?? k.curveOid ?? 'an unnamed curve'} (P-256, P-384 or P-521 are allowed)`;
  }
  return `a ${k.kind === 'unknown' ? `${k.algorithm}` : k.kind} key (RSA or ECDSA is required)`;
}

function serialProblem(serial: Buffer): string | null {
  if ((serial[0]! & 0x80) !== 0) return 'is negative';
  if (serial.every((b) => b === 0)) return 'is zero';
  const octets = serial[0] === 0 ? serial.length - 1 : serial.length;
  return octets > 20 ? `is ${octets} octets long (at most 20)` : null;
}

/** RFC 5280 §4.2.1.6 / BR §7.1.2.7.12 syntax of one SAN entry; null when fine. */
function sanEntryProblem(n: GeneralName): string | null {
  switch (n.kind) {
    case 'dNSName': {
      const v = n.value;
      if (v === '*' || v.startsWith('*.')) {
        const rest = v.slice(2);
        if (v === '*' || !DNS_NAME.test(rest) || !rest.includes('.')) return `the wildcard "${v}" does not cover a domain`;
        return null;
      }
      if (v.includes('*')) return `the DNS name "${v}" has a wildcard that is not the whole left-most label`;
      if (v.includes('_')) return `the DNS name "${v}" contains an underscore`;
      // A host name's last label is never all digits: "192.0.2.1" is an IP address in a DNS entry.
      if (/(^|\.)\d+\.?$/.test(v)) return `the DNS name "${v}" is an IP address (it belongs in an iPAddress entry)`;
      return DNS_NAME.test(v) ? null : `"${v}" is not a DNS name in preferred syntax`;
    }
    case 'iPAddress':
      return n.bytes.length === 4 || n.bytes.length === 16 ? null : `an IP address entry is ${n.bytes.length} octets (4 or 16 expected)`;
    case 'rfc822Name': {
      const at = n.value.indexOf('@');
      return at > 0 && at === n.value.lastIndexOf('@') && DNS_NAME.test(n.value.slice(at + 1)) ? null : `"${n.value}" is not a mailbox`;
    }
    default:
      return null;
  }
}

/** SAN values as the CN must copy them: DNS names as written, IP addresses in canonical text. */
function sanTexts(san: readonly GeneralName[]): string[] {
  return san.flatMap((n) => (n.kind === 'dNSName' ? [n.value] : n.kind === 'iPAddress' && (n.bytes.length === 4 || n.bytes.length === 16) ? [ipText(n.bytes)] : []));
}

/** IPv4 as inet_aton reads it (1 to 4 parts; decimal, 0x hex or 0-led octal): the legacy spellings a CN may use. */
function legacyIpv4(text: string): Buffer | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const m = /^(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9][0-9]*))$/i.exec(p);
    if (!m) return null;
    nums.push(m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : parseInt(m[3]!, 10));
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return null;
  const out = Buffer.alloc(4);
  nums.forEach((n, k) => (out[k] = n));
  for (let k = 3, v = last; k >= nums.length; k--, v = Math.floor(v / 256)) out[k] = v & 0xff;
  return out;
}

/** The SAN value `cn` denotes in another spelling (case, IDNA U-label, IP text form), or null. */
function sameIdentity(cn: string, san: readonly GeneralName[]): string | null {
  const ip = ipBytes(cn) ?? legacyIpv4(cn);
  if (ip) {
    const hit = san.find((n) => n.kind === 'iPAddress' && n.bytes.equals(ip));
    return hit && hit.kind === 'iPAddress' ? ipText(hit.bytes) : null;
  }
  const ascii = domainToASCII(cn.replace(/\.$/, '')) || cn;
  const hit = san.find((n) => n.kind === 'dNSName' && (n.value.toLowerCase() === cn.toLowerCase() || n.value.toLowerCase() === ascii.toLowerCase()));
  return hit && hit.kind === 'dNSName' ? hit.value : null;
}

interface Collector {
  reject(rule: Rule, i: number, detail: string): void;
  note(rule: Rule, i: number, detail: string): void;
}

function checkCertificate(c: DecodedCertificate, i: number, role: 'leaf' | 'intermediate' | 'anchor', isSelfSigned: boolean, out: Collector): void {
  const R = PROFILE_RULES;
  const what = role === 'leaf' ? 'The server certificate' : role === 'anchor' ? 'The root' : 'The intermediate';
  if (c.version !== 3) out.reject(R.version, i, `${what} is X.509 version ${c.version}.`);
  const key = keyProblem(c);
  if (key) out.reject(R.keyAlgorithm, i, `${what} has ${key}.`);
  // Only signatures that are checked matter: not a root's signature on itself.
  if (role !== 'anchor' && WEAK_SIGNATURES.has(c.signatureAlgorithm.oid)) {
    out.reject(R.weakSignature, i, `${what} is signed with ${WEAK_SIGNATURES.get(c.signatureAlgorithm.oid)}, which browsers no longer accept.`);
  }
  const serial = serialProblem(c.serial);
  if (serial) out.reject(R.serial, i, `${what}'s serial number ${serial}.`);
  if (c.issuer.rdns.length === 0) out.reject(R.issuerName, i, `${what} has an empty issuer name.`);

  const aki = c.ext.authorityKeyId;
  if (criticalOf(c, EXT.authorityKeyIdentifier)) out.reject(R.akiCritical, i, `${what} marks its authority key identifier critical.`);
  if (criticalOf(c, EXT.subjectKeyIdentifier)) out.reject(R.skiCritical, i, `${what} marks its subject key identifier critical.`);
  // RFC 5280's exception is a CA distributing its key in a certificate its own key signs (a root,
  // whatever its issuer name says).
  if (!aki?.keyId && !signedBySelf(c)) out.reject(R.akiPresent, i, `${what} has no authority key identifier${aki ? ' key identifier' : ''}.`);
  if (role !== 'leaf' && !c.ext.subjectKeyId) out.reject(R.skiPresent, i, `${what} is a CA certificate without a subject key identifier.`);
  if (role === 'anchor' && isSelfSigned && aki) {
    if (!aki.keyId) out.reject(R.rootAki, i, `${what}'s authority key identifier has no key identifier.`);
    else if (c.ext.subjectKeyId && !aki.keyId.equals(c.ext.subjectKeyId)) out.reject(R.rootAki, i, `${what}'s authority key identifier differs from its subject key identifier.`);
    if (aki.issuer || aki.serial) out.reject(R.rootAki, i, `${what}'s authority key identifier names an issuer and serial number.`);
  }
  if (role !== 'leaf') {
    if (c.subject.rdns.length === 0) out.reject(R.caSubject, i, `${what} is a CA certificate with an empty subject.`);
    if (c.ext.basicConstraints?.ca && !criticalOf(c, EXT.basicConstraints)) out.reject(R.basicConstraintsCritical, i, `${what} does not mark its basic constraints critical.`);
  }
  if (role === 'anchor' && isSelfSigned && c.ext.extKeyUsage) out.reject(R.rootEku, i, `${what} has an extended key usage extension.`);
  if (role === 'intermediate' || (role === 'anchor' && !isSelfSigned)) {
    const eku = c.ext.extKeyUsage;
    if (eku && !eku.includes(EKU.serverAuth) && !eku.includes(EKU.any)) out.reject(R.intermediateEku, i, `${what}'s extended key usage does not allow TLS server authentication.`);
  }
  if (criticalOf(c, EXT.authorityInfoAccess)) out.reject(R.nonCriticalExtensions, i, `${what} marks its authority information access critical.`);
  if (criticalOf(c, EXT.policyConstraints) === false) out.reject(R.nonCriticalExtensions, i, `${what} does not mark its policy constraints critical.`);
  if (criticalOf(c, EXT.inhibitAnyPolicy) === false) out.reject(R.nonCriticalExtensions, i, `${what} does not mark its inhibitAnyPolicy critical.`);
  if (criticalOf(c, EXT.nameConstraints) === false && role !== 'leaf') out.note(R.nameConstraintsCritical, i, `${what} does not mark its name constraints critical (browsers apply them anyway).`);

  const san = c.ext.subjectAltName;
  for (const n of san ?? []) {
    const p = sanEntryProblem(n);
    if (p) out.reject(R.sanSyntax, i, `${what}'s subjectAltName is malformed: ${p}.`);
  }
  if (san && c.subject.rdns.length === 0 && !criticalOf(c, EXT.subjectAltName)) out.reject(R.sanCritical, i, `${what} has an empty subject but a non-critical subjectAltName.`);
  if (c.subject.rdns.length === 0 && !san) out.reject(R.sanCritical, i, `${what} has neither a subject nor a subjectAltName.`);
  for (const lax of c.lax) out.note(R.derEncoding, i, `${what}: ${lax}`);

  if (role === 'leaf') checkLeaf(c, i, out);
}

function checkLeaf(c: DecodedCertificate, i: number, out: Collector): void {
  const R = PROFILE_RULES;
  const what = 'The server certificate';
  if (c.ext.basicConstraints?.ca) out.reject(R.leafCa, i, `${what} is a CA certificate (basicConstraints cA is true).`);
  else if (c.ext.keyUsage?.has('keyCertSign')) out.reject(R.leafCa, i, `${what}'s key usage allows signing certificates (keyCertSign) though it is not a CA.`);
  if (c.ext.nameConstraints) out.reject(R.leafNameConstraints, i, `${what} carries name constraints, which only a CA certificate may.`);

  const eku = c.ext.extKeyUsage;
  if (!eku) out.reject(R.leafEku, i, `${what} has no extended key usage extension (serverAuth is required).`);
  else {
    if (!eku.includes(EKU.serverAuth)) out.reject(R.leafEku, i, `${what}'s extended key usage does not include TLS server authentication.`);
    const forbidden = eku.filter((o) => FORBIDDEN_LEAF_EKU.has(o)).map((o) => FORBIDDEN_LEAF_EKU.get(o)!);
    if (forbidden.length > 0) out.reject(R.leafEku, i, `${what}'s extended key usage includes ${forbidden.join(', ')}, which a TLS server certificate must not.`);
    if (criticalOf(c, EXT.extKeyUsage)) out.reject(R.leafEku, i, `${what} marks its extended key usage critical.`);
    const other = eku.filter((o) => o !== EKU.serverAuth && o !== EKU.clientAuth && !FORBIDDEN_LEAF_EKU.has(o));
    if (other.length > 0) out.note(R.ekuOther, i, `${what}'s extended key usage also lists ${other.join(', ')}.`);
  }

  const san = c.ext.subjectAltName;
  if (!san) out.reject(R.sanPresent, i, `${what} has no subjectAltName; browsers do not read host names from the subject CN.`);
  else {
    if (c.subject.rdns.length > 0 && criticalOf(c, EXT.subjectAltName)) out.reject(R.sanCritical, i, `${what} has a subject but marks its subjectAltName critical.`);
    for (const n of san) {
      if (n.kind !== 'dNSName' || !n.value.startsWith('*.')) continue;
      const rest = n.value.slice(2).toLowerCase().replace(/\.$/, '');
      const suffix = getPublicSuffix(rest, { allowPrivateDomains: false });
      if (suffix === rest) out.reject(R.wildcardPublicSuffix, i, `${what}'s wildcard "${n.value}" covers every name under the public suffix "${rest}".`);
    }
    const values = sanTexts(san);
    for (const cn of attributeValues(c.subject, ATTRIBUTE.commonName)) {
      if (values.includes(cn)) continue;
      const same = sameIdentity(cn, san);
      if (same) out.reject(R.cnSpelling, i, `${what}'s subject CN "${cn}" names the SAN value ${same} in another spelling.`);
      else out.note(R.cnNotInSan, i, `${what}'s subject CN "${cn}" is not one of its SAN values (${values.join(', ') || 'none'}); browsers ignore the CN.`);
    }
  }
}

/** Rejections for path `p` (leaf first; the last is the anchor when `complete`). */
export interface ProfileOptions {
  complete: boolean;
  /** The anchor is a vetted root-store root: not held to the certificate profile (see ValidateOptions). */
  anchorVetted?: boolean;
}

export function webPkiRejections(p: readonly DecodedCertificate[], o: ProfileOptions): PathError[] {
  return profile(p, o).errors;
}

/** Tolerated profile violations of path `p`. */
export function webPkiNotes(p: readonly DecodedCertificate[], o: ProfileOptions): ProfileNote[] {
  return profile(p, o).notes;
}

function profile(p: readonly DecodedCertificate[], o: ProfileOptions): { errors: PathError[]; notes: ProfileNote[] } {
  const errors: PathError[] = [];
  const notes: ProfileNote[] = [];
  const out: Collector = {
    reject: (rule, i, detail) => errors.push({ code: rule.code, certIndex: i, subject: p[i]!.subjectText, detail, rule: rule.reference, ruleId: rule.id }),
    note: (rule, i, detail) => notes.push({ rule: rule.id, certIndex: i, subject: p[i]!.subjectText, detail, severity: rule.severity, reference: rule.reference }),
  };
  const last = p.length - 1;
  p.forEach((c, i) => {
    const role = i === 0 ? 'leaf' : o.complete && i === last ? 'anchor' : 'intermediate';
    if (role === 'anchor' && o.anchorVetted) return;
    checkCertificate(c, i, role, selfSigned(c), out);
  });
  return { errors, notes };
}
