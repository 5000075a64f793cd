// A whole X.509 certificate read from its DER by our bounded reader, independent of what Node's
// X509Certificate (OpenSSL) accepts: empty names, odd string types and dates are data here, not
// crashes. Path validation and the web-PKI profile work on this model.
//
// Two kinds of trouble: `decodeCertificate` returns an error string when the bytes are not a
// certificate at all (no TBSCertificate, no key, no names); a certificate that is one but breaks
// a MUST of RFC 5280 §4 (duplicate or malformed extension, extensions in a v1 certificate, two
// different signature algorithms …) decodes, with each breach in `malformed`. Validation rejects
// a certificate with any `malformed` entry: browsers refuse to parse such certificates.
import { createHash } from 'node:crypto';
import { bytesEqual, certificateLayout, childrenOf, decodeOid, decodeTime, extensionsOf, readTlv, TAG, type Tlv } from './der.js';
import {
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeDistributionPoints,
  decodeExtKeyUsage,
  decodeGeneralNamesExt,
  decodeInfoAccess,
  decodeInhibitAnyPolicy,
  decodeKeyUsage,
  decodeNameConstraints,
  decodeOpaque,
  decodePolicyConstraints,
  decodePolicyMappings,
  decodeSubjectKeyId,
  EXT,
  type AccessDescription,
  type AuthorityKeyIdentifier,
  type BasicConstraints,
  type Decoded,
  type KeyUsageBit,
  type NameConstraints,
  type PolicyConstraints,
  type PolicyInformation,
} from './extensions.js';
import type { GeneralName } from './general-name.js';
import { decodeName, nameKey, nameText, type Name } from './name.js';
import { decodeSpki, type PublicKeyInfo } from './public-key.js';

export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters TLV (whole), or null when absent. */
  params: Buffer | null;
  /** The whole AlgorithmIdentifier TLV, to compare the inner and outer copies byte for byte. */
  der: Buffer;
}

export interface CertExtension {
  oid: string;
  critical: boolean;
  /** extnValue's content. */
  value: Buffer;
}

export interface DecodedExtensions {
  basicConstraints?: BasicConstraints;
  keyUsage?: Set<KeyUsageBit>;
  extKeyUsage?: string[];
  subjectAltName?: GeneralName[];
  nameConstraints?: NameConstraints;
  subjectKeyId?: Buffer;
  authorityKeyId?: AuthorityKeyIdentifier;
  certificatePolicies?: PolicyInformation[];
  policyMappings?: Array<[string, string]>;
  policyConstraints?: PolicyConstraints;
  inhibitAnyPolicy?: number;
  authorityInfoAccess?: AccessDescription[];
}

export interface DecodedCertificate {
  der: Buffer;
  /** SHA-256 of the DER, hex: the certificate's identity. */
  id: string;
  /** The TBSCertificate TLV: what the signature covers. */
  tbs: Buffer;
  /** 1, 2 or 3. */
  version: number;
  /** The serialNumber INTEGER's content octets (two's complement). */
  serial: Buffer;
  signatureAlgorithm: AlgorithmIdentifier;
  /** The signature BIT STRING's bits (unused-bits octet dropped). */
  signature: Buffer;
  issuer: Name;
  subject: Name;
  /** Normalised name keys (RFC 5280 §7.1 equality). */
  issuerKey: string;
  subjectKey: string;
  /** One-line text of the names ("CN=a, O=b"). */
  issuerText: string;
  subjectText: string;
  /** null when the time is not a valid UTCTime/GeneralizedTime (then `malformed` says so). */
  notBefore: Date | null;
  notAfter: Date | null;
  /** The validity times as encoded (printable), to quote when they are not valid times. */
  validityText: [string, string];
  publicKey: PublicKeyInfo;
  extensions: CertExtension[];
  ext: DecodedExtensions;
  /** Each breach of RFC 5280's encoding rules, one sentence; empty for a well-formed certificate. */
  malformed: string[];
  /** DER or profile encoding slips browsers accept (an explicit default value …), one sentence each. */
  lax: string[];
}

export type DecodeResult = { ok: true; cert: DecodedCertificate } | { ok: false; error: string };

/** Extensions this validator knows; an unknown one marked critical makes the certificate unusable (RFC 5280 §4.2). */
const DECODERS: Record<string, (der: Buffer, value: Tlv) => Decoded<unknown>> = {
  [EXT.basicConstraints]: decodeBasicConstraints,
  [EXT.keyUsage]: decodeKeyUsage,
  [EXT.extKeyUsage]: decodeExtKeyUsage,
  [EXT.subjectAltName]: decodeGeneralNamesExt,
  [EXT.issuerAltName]: decodeGeneralNamesExt,
  [EXT.nameConstraints]: decodeNameConstraints,
  [EXT.subjectKeyIdentifier]: decodeSubjectKeyId,
  [EXT.authorityKeyIdentifier]: decodeAuthorityKeyId,
  [EXT.certificatePolicies]: decodeCertificatePolicies,
  [EXT.policyMappings]: decodePolicyMappings,
  [EXT.policyConstraints]: decodePolicyConstraints,
  [EXT.inhibitAnyPolicy]: decodeInhibitAnyPolicy,
  [EXT.authorityInfoAccess]: decodeInfoAccess,
  [EXT.subjectInfoAccess]: decodeInfoAccess,
  [EXT.cRLDistributionPoints]: decodeDistributionPoints,
  [EXT.freshestCRL]: decodeDistributionPoints,
  [EXT.ctSctList]: decodeOpaque,
  [EXT.tlsFeature]: decodeOpaque,
  [EXT.privateKeyUsagePeriod]: decodeOpaque,
};

const FIELD: Partial<Record<string, keyof DecodedExtensions>> = {
  [EXT.basicConstraints]: 'basicConstraints',
  [EXT.keyUsage]: 'keyUsage',
  [EXT.extKeyUsage]: 'extKeyUsage',
  [EXT.subjectAltName]: 'subjectAltName',
  [EXT.nameConstraints]: 'nameConstraints',
  [EXT.subjectKeyIdentifier]: 'subjectKeyId',
  [EXT.authorityKeyIdentifier]: 'authorityKeyId',
  [EXT.certificatePolicies]: 'certificatePolicies',
  [EXT.policyMappings]: 'policyMappings',
  [EXT.policyConstraints]: 'policyConstraints',
  [EXT.inhibitAnyPolicy]: 'inhibitAnyPolicy',
  [EXT.authorityInfoAccess]: 'authorityInfoAccess',
};

/** Processed by path validation itself when critical (RFC 5280 §6.1 and the profile of §4.2). */
export const PROCESSED_CRITICAL = new Set<string>([
  EXT.basicConstraints,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.subjectAltName,
  EXT.nameConstraints,
  EXT.certificatePolicies,
  EXT.policyMappings,
  EXT.policyConstraints,
  EXT.inhibitAnyPolicy,
]);

const EXTENSION_NAMES: Record<string, string> = Object.fromEntries(Object.entries(EXT).map(([k, v]) => [v, k]));

export function extensionName(oid: string): string {
  return EXTENSION_NAMES[oid] ?? oid;
}

function algorithmAt(der: Buffer, t: Tlv | undefined): AlgorithmIdentifier | null {
  if (!t || t.tag !== TAG.SEQUENCE) return null;
  const parts = childrenOf(der, t, 2);
  if (!parts || parts.length === 0 || parts[0]!.tag !== TAG.OID) return null;
  const oid = decodeOid(der.subarray(parts[0]!.start, parts[0]!.end));
  if (!oid) return null;
  const p = parts[1];
  return { oid, params: p ? der.subarray(p.headerStart, p.end) : null, der: der.subarray(t.headerStart, t.end) };
}

/** Read `der` as a certificate. Never throws; bounded by the DER reader's limits. */
export function decodeCertificate(input: Uint8Array): DecodeResult {
  const der = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const layout = certificateLayout(der);
  if (!layout) return { ok: false, error: 'not a DER X.509 certificate' };
  const malformed: string[] = [];
  const lax: string[] = [];
  const top = childrenOf(der, layout.cert, 3)!;
  const signatureAlgorithm = algorithmAt(der, top[1]);
  if (!signatureAlgorithm) return { ok: false, error: 'its signatureAlgorithm is malformed' };
  const sigBits = top[2]!;
  if (sigBits.tag !== TAG.BIT_STRING || sigBits.end - sigBits.start < 1) return { ok: false, error: 'its signature is not a BIT STRING' };
  if (der[sigBits.start] !== 0) malformed.push('The signature BIT STRING has unused bits.');

  // version: [0] EXPLICIT INTEGER DEFAULT v1
  let version = 1;
  const first = layout.tbsFields[0]!;
  if (first.tag === TAG.CTX0) {
    const int = readTlv(der, first.start, first.end);
    if (!int || int.tag !== TAG.INTEGER || int.end !== first.end || int.end - int.start !== 1) return { ok: false, error: 'its version is malformed' };
    version = der[int.start]! + 1;
    if (version > 3) return { ok: false, error: `its version (${version}) is not 1, 2 or 3` };
    if (version === 1) lax.push('The version field is present with the default value v1 (not DER).');
  }
  if (layout.serial.tag !== TAG.INTEGER || layout.serial.end === layout.serial.start) return { ok: false, error: 'its serialNumber is not an INTEGER' };
  const serial = der.subarray(layout.serial.start, layout.serial.end);
  if (serial.length > 1 && ((serial[0] === 0 && (serial[1]! & 0x80) === 0) || (serial[0] === 0xff && (serial[1]! & 0x80) !== 0))) {
    lax.push('The serial number is not minimally encoded (not DER).');
  }
  const tbsAlg = algorithmAt(der, layout.tbsFields[first.tag === TAG.CTX0 ? 2 : 1]);
  if (!tbsAlg) return { ok: false, error: 'its TBSCertificate signature algorithm is malformed' };
  if (!bytesEqual(tbsAlg.der, signatureAlgorithm.der)) {
    malformed.push('The signature algorithm inside the signed part differs from the one outside it (RFC 5280 §4.1.1.2).');
  }
  const issuer = decodeName(der, layout.issuer);
  const subject = decodeName(der, layout.subject);
  if (!issuer || !subject) return { ok: false, error: `its ${issuer ? 'subject' : 'issuer'} name is malformed` };

  const times = childrenOf(der, layout.validity, 2);
  const time = (t: Tlv | undefined) => (t ? decodeTime(t.tag, der.subarray(t.start, t.end)) : null);
  const notBefore = time(times?.[0]);
  const notAfter = time(times?.[1]);
  const rawTime = (t: Tlv | undefined) => (t ? der.subarray(t.start, Math.min(t.end, t.start + 32)).toString('latin1').replace(/[^\x20-\x7e]/g, '?') : '');
  const validityText: [string, string] = [rawTime(times?.[0]), rawTime(times?.[1])];
  if (!times || times.length !== 2) malformed.push('The validity period is malformed.');
  else {
    if (!notBefore) malformed.push(`notBefore ("${validityText[0]}") is not a valid UTCTime or GeneralizedTime.`);
    if (!notAfter) malformed.push(`notAfter ("${validityText[1]}") is not a valid UTCTime or GeneralizedTime.`);
    // RFC 5280 §4.1.2.5: dates through 2049 as UTCTime, from 2050 as GeneralizedTime.
    for (const [t, d, which] of [[times[0]!, notBefore, 'notBefore'], [times[1]!, notAfter, 'notAfter']] as const) {
      if (d && t.tag === TAG.GENERALIZED_TIME && d.getUTCFullYear() < 2050) lax.push(`${which} is a GeneralizedTime before 2050 (RFC 5280 §4.1.2.5 requires UTCTime).`);
    }
  }

  const publicKey = decodeSpki(der, layout.spki);
  if (!publicKey) return { ok: false, error: 'its subjectPublicKeyInfo is malformed' };

  const extFields = layout.tbsFields.slice((first.tag === TAG.CTX0 ? 1 : 0) + 6);
  for (const f of extFields) {
    if (f.tag === 0x81 || f.tag === 0x82) {
      if (version < 2) malformed.push('A unique identifier is present in a version 1 certificate.');
    } else if (f.tag !== TAG.CTX3) malformed.push('The TBSCertificate has an unknown field.');
  }
  const extList = extensionsOf(der, layout);
  const extensions: CertExtension[] = [];
  const ext: DecodedExtensions = {};
  if (!extList) malformed.push('The extensions are malformed.');
  else {
    if (layout.extensions && version !== 3) malformed.push(`Extensions are present in a version ${version} certificate.`);
    if (layout.extensions && extList.length === 0) malformed.push('The extensions field is present but empty.');
    const seen = new Set<string>();
    for (const e of extList) {
      const oid = decodeOid(der.subarray(e.oid.start, e.oid.end));
      if (!oid) {
        malformed.push('An extension has a malformed OID.');
        continue;
      }
      if (seen.has(oid)) malformed.push(`The ${extensionName(oid)} extension appears more than once (RFC 5280 §4.2).`);
      seen.add(oid);
      // DER: a FALSE critical flag is the default and must be omitted; TRUE is 0xFF.
      const flag = childrenOf(der, e.tlv, 3)!;
      const flagByte = flag.length === 3 ? der[flag[1]!.start] : undefined;
      if (flagByte === 0) lax.push(`The ${extensionName(oid)} extension encodes critical=FALSE explicitly (not DER).`);
      else if (flagByte !== undefined && flagByte !== 0xff) malformed.push(`The ${extensionName(oid)} extension's critical flag is not a DER BOOLEAN.`);
      extensions.push({ oid, critical: e.critical, value: der.subarray(e.value.start, e.value.end) });
      const decoder = DECODERS[oid];
      if (!decoder) continue;
      const decoded = decoder(der, e.value);
      if (typeof decoded === 'string') {
        malformed.push(`The ${extensionName(oid)} extension is malformed: ${decoded}.`);
        continue;
      }
      const field = FIELD[oid];
      if (field && !(field in ext)) (ext as Record<string, unknown>)[field] = decoded;
    }
  }

  return {
    ok: true,
    cert: {
      der,
      id: createHash('sha256').update(der).digest('hex'),
      tbs: der.subarray(layout.tbs.headerStart, layout.tbs.end),
      version,
      serial,
      signatureAlgorithm,
      signature: der.subarray(sigBits.start + 1, sigBits.end),
      issuer,
      subject,
      issuerKey: nameKey(issuer),
      subjectKey: nameKey(subject),
      issuerText: nameText(issuer),
      subjectText: nameText(subject),
      notBefore,
      notAfter,
      validityText,
      publicKey,
      extensions,
      ext,
      malformed,
      lax,
    },
  };
}

/** The extension with this OID, if present. */
export function extensionOf(cert: DecodedCertificate, oid: string): CertExtension | undefined {
  return cert.extensions.find((e) => e.oid === oid);
}
