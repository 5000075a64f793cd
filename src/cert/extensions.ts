// The certificate extensions path validation processes (RFC 5280 §4.2), decoded from their
// extnValue. Each decoder returns the value or a string saying what is malformed: a malformed
// extension makes the certificate unusable for validation, it is never silently ignored.
import { childrenOf, decodeOid, readTlv, TAG, type Tlv } from './der.js';
import { decodeGeneralName, decodeGeneralNames, type GeneralName } from './general-name.js';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  privateKeyUsagePeriod: '2.5.29.16',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCRL: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  tlsFeature: '1.3.6.1.5.5.7.1.24',
  ctSctList: '1.3.6.1.4.1.11129.2.4.2',
  ctPoison: '1.3.6.1.4.1.11129.2.4.3',
} as const;

export const KEY_USAGE = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageBit = (typeof KEY_USAGE)[number];

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
  /** Netscape Server Gated Crypto and Microsoft SGC: pre-2010 CAs used them for servers. */
  netscapeSgc: '2.16.840.1.113730.4.1',
  microsoftSgc: '1.3.6.1.4.1.311.10.3.3',
} as const;

export const ANY_POLICY = '2.5.29.32.0';

export interface BasicConstraints {
  ca: boolean;
  pathLen: number | null;
}

export interface GeneralSubtree {
  base: GeneralName;
  /** RFC 5280 says minimum MUST be 0 and maximum absent; anything else is kept to be rejected. */
  minimum: number;
  maximum: number | null;
}

export interface NameConstraints {
  permitted: GeneralSubtree[] | null;
  excluded: GeneralSubtree[] | null;
}

export interface AuthorityKeyIdentifier {
  keyId: Buffer | null;
  issuer: GeneralName[] | null;
  serial: Buffer | null;
}

export interface PolicyInformation {
  oid: string;
}

export interface PolicyConstraints {
  requireExplicitPolicy: number | null;
  inhibitPolicyMapping: number | null;
}

export interface AccessDescription {
  method: string;
  location: GeneralName;
}

export type Decoded<T> = T | string;

const MAX_LIST = 1024;

function only(der: Buffer, value: Tlv, tag: number): Tlv | null {
  const inner = readTlv(der, value.start, value.end);
  return inner && inner.tag === tag && inner.end === value.end ? inner : null;
}

/** A non-negative INTEGER that fits in 31 bits, from `t`'s content; null otherwise. */
function smallUint(der: Buffer, t: Tlv): number | null {
  const len = t.end - t.start;
  if (len === 0 || len > 4 || (der[t.start]! & 0x80) !== 0) return null;
  if (len > 1 && der[t.start] === 0 && (der[t.start + 1]! & 0x80) === 0) return null; // not minimal
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + der[i]!;
  return v > 0x7fffffff ? null : v;
}

function oidOf(der: Buffer, t: Tlv): string | null {
  return t.tag === TAG.OID ? decodeOid(der.subarray(t.start, t.end)) : null;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
export function decodeBasicConstraints(der: Buffer, value: Tlv): Decoded<BasicConstraints> {
  const seq = only(der, value, TAG.SEQUENCE);
  const fields = seq && childrenOf(der, seq, 2);
  if (!fields) return 'not a SEQUENCE';
  let i = 0;
  let ca = false;
  if (fields[i]?.tag === TAG.BOOLEAN) {
    const b = fields[i]!;
    if (b.end - b.start !== 1 || (der[b.start] !== 0 && der[b.start] !== 0xff)) return 'cA is not a DER BOOLEAN (0x00 or 0xFF)';
    ca = der[b.start] === 0xff;
    i++;
  }
  let pathLen: number | null = null;
  if (fields[i]) {
    if (fields[i]!.tag !== TAG.INTEGER) return 'pathLenConstraint is not an INTEGER';
    pathLen = smallUint(der, fields[i]!);
    if (pathLen === null) return 'pathLenConstraint is negative, too large or not minimally encoded';
    i++;
  }
  if (i !== fields.length) return 'unexpected fields';
  // RFC 5280 §4.2.1.9: pathLenConstraint only when cA is asserted.
  return pathLen !== null && !ca ? 'pathLenConstraint without cA' : { ca, pathLen };
}

/** KeyUsage ::= BIT STRING; at least one bit set (RFC 5280 §4.2.1.3). */
export function decodeKeyUsage(der: Buffer, value: Tlv): Decoded<Set<KeyUsageBit>> {
  const bits = only(der, value, TAG.BIT_STRING);
  if (!bits || bits.end - bits.start < 1) return 'not a BIT STRING';
  const unused = der[bits.start]!;
  const bytes = der.subarray(bits.start + 1, bits.end);
  if (unused > 7 || (bytes.length === 0 && unused !== 0)) return 'malformed BIT STRING';
  // DER: the unused bits of the last octet are zero.
  if (bytes.length > 0 && (bytes[bytes.length - 1]! & ((1 << unused) - 1)) !== 0) return 'the BIT STRING has unused bits set';
  const out = new Set<KeyUsageBit>();
  KEY_USAGE.forEach((name, i) => {
    const byte = bytes[i >> 3];
    if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) out.add(name);
  });
  return out.size === 0 ? 'no key usage bit is set' : out;
}

/** ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
export function decodeExtKeyUsage(der: Buffer, value: Tlv): Decoded<string[]> {
  const seq = only(der, value, TAG.SEQUENCE);
  const items = seq && childrenOf(der, seq, MAX_LIST);
  if (!items) return 'not a SEQUENCE of OIDs';
  if (items.length === 0) return 'the list of purposes is empty';
  const oids = items.map((t) => oidOf(der, t));
  return oids.every((o): o is string => o !== null) ? oids : 'a purpose is not an OID';
}

export function decodeGeneralNamesExt(der: Buffer, value: Tlv): Decoded<GeneralName[]> {
  const seq = only(der, value, TAG.SEQUENCE);
  if (!seq) return 'not a SEQUENCE';
  if (seq.end === seq.start) return 'the list of names is empty';
  return decodeGeneralNames(der, seq) ?? 'a name is malformed';
}

function decodeSubtrees(der: Buffer, t: Tlv): GeneralSubtree[] | string {
  const items = childrenOf(der, t, MAX_LIST);
  if (!items || items.length === 0) return 'empty or malformed subtrees';
  const out: GeneralSubtree[] = [];
  for (const item of items) {
    const parts = item.tag === TAG.SEQUENCE ? childrenOf(der, item, 3) : null;
    if (!parts || parts.length === 0) return 'a subtree is not a SEQUENCE';
    const base = decodeGeneralName(der, parts[0]!);
    if (!base) return 'a subtree base is malformed';
    let minimum = 0;
    let maximum: number | null = null;
    for (const p of parts.slice(1)) {
      const v = smallUint(der, p);
      if (v === null) return 'a subtree bound is malformed';
      if (p.tag === 0x80) minimum = v;
      else if (p.tag === 0x81) maximum = v;
      else return 'a subtree has an unknown field';
    }
    out.push({ base, minimum, maximum });
  }
  return out;
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }, not both absent. */
export function decodeNameConstraints(der: Buffer, value: Tlv): Decoded<NameConstraints> {
  const seq = only(der, value, TAG.SEQUENCE);
  const fields = seq && childrenOf(der, seq, 2);
  if (!fields) return 'not a SEQUENCE';
  const nc: NameConstraints = { permitted: null, excluded: null };
  let last = -1;
  for (const f of fields) {
    const which = f.tag === 0xa0 ? 0 : f.tag === 0xa1 ? 1 : -1;
    if (which <= last) return 'unexpected or repeated field';
    last = which;
    const subtrees = decodeSubtrees(der, f);
    if (typeof subtrees === 'string') return subtrees;
    if (which === 0) nc.permitted = subtrees;
    else nc.excluded = subtrees;
  }
  return nc.permitted || nc.excluded ? nc : 'neither permitted nor excluded subtrees';
}

export function decodeSubjectKeyId(der: Buffer, value: Tlv): Decoded<Buffer> {
  const octets = only(der, value, TAG.OCTET_STRING);
  return octets ? der.subarray(octets.start, octets.end) : 'not an OCTET STRING';
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0], authorityCertIssuer [1], authorityCertSerialNumber [2] } */
export function decodeAuthorityKeyId(der: Buffer, value: Tlv): Decoded<AuthorityKeyIdentifier> {
  const seq = only(der, value, TAG.SEQUENCE);
  const fields = seq && childrenOf(der, seq, 3);
  if (!fields) return 'not a SEQUENCE';
  const aki: AuthorityKeyIdentifier = { keyId: null, issuer: null, serial: null };
  let last = -1;
  for (const f of fields) {
    const which = f.tag === 0x80 ? 0 : f.tag === 0xa1 ? 1 : f.tag === 0x82 ? 2 : -1;
    if (which <= last) return 'unexpected or repeated field';
    last = which;
    if (which === 0) aki.keyId = der.subarray(f.start, f.end);
    else if (which === 1) {
      const names = decodeGeneralNames(der, f);
      if (!names) return 'authorityCertIssuer is malformed';
      aki.issuer = names;
    } else aki.serial = der.subarray(f.start, f.end);
  }
  if ((aki.issuer === null) !== (aki.serial === null)) return 'authorityCertIssuer and authorityCertSerialNumber must be present together';
  return aki;
}

/** certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation, each policy at most once. */
export function decodeCertificatePolicies(der: Buffer, value: Tlv): Decoded<PolicyInformation[]> {
  const seq = only(der, value, TAG.SEQUENCE);
  const items = seq && childrenOf(der, seq, MAX_LIST);
  if (!items || items.length === 0) return 'not a non-empty SEQUENCE';
  const out: PolicyInformation[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const parts = item.tag === TAG.SEQUENCE ? childrenOf(der, item, 2) : null;
    const oid = parts?.[0] ? oidOf(der, parts[0]) : null;
    if (!oid) return 'a policy is malformed';
    if (parts![1] && (parts![1].tag !== TAG.SEQUENCE || !childrenOf(der, parts![1], MAX_LIST))) return 'policy qualifiers are malformed';
    if (seen.has(oid)) return `policy ${oid} appears more than once`;
    seen.add(oid);
    out.push({ oid });
  }
  return out;
}

/** PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { issuerDomainPolicy, subjectDomainPolicy } */
export function decodePolicyMappings(der: Buffer, value: Tlv): Decoded<Array<[string, string]>> {
  const seq = only(der, value, TAG.SEQUENCE);
  const items = seq && childrenOf(der, seq, MAX_LIST);
  if (!items || items.length === 0) return 'not a non-empty SEQUENCE';
  const out: Array<[string, string]> = [];
  for (const item of items) {
    const parts = item.tag === TAG.SEQUENCE ? childrenOf(der, item, 2) : null;
    const a = parts?.[0] && oidOf(der, parts[0]);
    const b = parts?.[1] && oidOf(der, parts[1]);
    if (!a || !b || parts!.length !== 2) return 'a mapping is malformed';
    out.push([a, b]);
  }
  return out;
}

/** PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0], inhibitPolicyMapping [1] }, not both absent. */
export function decodePolicyConstraints(der: Buffer, value: Tlv): Decoded<PolicyConstraints> {
  const seq = only(der, value, TAG.SEQUENCE);
  const fields = seq && childrenOf(der, seq, 2);
  if (!fields) return 'not a SEQUENCE';
  const pc: PolicyConstraints = { requireExplicitPolicy: null, inhibitPolicyMapping: null };
  let last = -1;
  for (const f of fields) {
    const which = f.tag === 0x80 ? 0 : f.tag === 0x81 ? 1 : -1;
    if (which <= last) return 'unexpected or repeated field';
    last = which;
    const v = smallUint(der, f);
    if (v === null) return 'a skip count is malformed';
    if (which === 0) pc.requireExplicitPolicy = v;
    else pc.inhibitPolicyMapping = v;
  }
  return pc.requireExplicitPolicy !== null || pc.inhibitPolicyMapping !== null ? pc : 'both fields are absent';
}

export function decodeInhibitAnyPolicy(der: Buffer, value: Tlv): Decoded<number> {
  const int = only(der, value, TAG.INTEGER);
  const v = int && smallUint(der, int);
  return v ?? 'not a non-negative INTEGER';
}

/** AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription */
export function decodeInfoAccess(der: Buffer, value: Tlv): Decoded<AccessDescription[]> {
  const seq = only(der, value, TAG.SEQUENCE);
  const items = seq && childrenOf(der, seq, MAX_LIST);
  if (!items || items.length === 0) return 'not a non-empty SEQUENCE';
  const out: AccessDescription[] = [];
  for (const item of items) {
    const parts = item.tag === TAG.SEQUENCE ? childrenOf(der, item, 2) : null;
    const method = parts?.[0] && oidOf(der, parts[0]);
    const location = parts?.[1] && decodeGeneralName(der, parts[1]);
    if (!method || !location || parts!.length !== 2) return 'an access description is malformed';
    out.push({ method, location });
  }
  return out;
}

/** CRLDistributionPoints: the structure only (a SEQUENCE of SEQUENCEs); its contents are not used here. */
export function decodeDistributionPoints(der: Buffer, value: Tlv): Decoded<true> {
  const seq = only(der, value, TAG.SEQUENCE);
  const items = seq && childrenOf(der, seq, MAX_LIST);
  if (!items || items.length === 0) return 'not a non-empty SEQUENCE';
  return items.every((t) => t.tag === TAG.SEQUENCE && childrenOf(der, t, 3) !== null) ? true : 'a distribution point is malformed';
}

/** An extension whose value is an OCTET STRING or some other single TLV we only check for shape. */
export function decodeOpaque(der: Buffer, value: Tlv): Decoded<true> {
  const inner = readTlv(der, value.start, value.end);
  return inner && inner.end === value.end ? true : 'not a single DER value';
}
