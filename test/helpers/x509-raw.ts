// A raw X.509 builder for test vectors: hand-written DER for every field, signed with node:crypto,
// so a vector can carry what no certificate library will emit (empty names, negative or 22-octet
// serials, v1 with extensions, duplicate or malformed extensions, explicit curves, 2052-bit RSA,
// mismatched signature algorithms …). Independent of src/: nothing here reads a certificate back.
import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// DER

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Buffer.from([0x80 | out.length, ...out]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
export const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const octets = (b: Buffer) => tlv(0x04, b);
export const nul = () => Buffer.from([0x05, 0x00]);
/** BIT STRING with `unused` trailing bits in the last octet. */
export const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s: string) => tlv(0x13, Buffer.from(s, 'latin1'));
export const ia5 = (s: string | Buffer) => tlv(0x16, typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
/** [n] EXPLICIT (constructed) around `parts`. */
export const explicit = (n: number, ...parts: Buffer[]) => tlv(0xa0 | n, ...parts);

/** Minimal two's-complement INTEGER; a Buffer is taken as the content octets as they are. */
export function int(v: number | bigint | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return tlv(0x02, v);
  let n = BigInt(v);
  const out: number[] = [];
  if (n >= 0n) {
    do {
      out.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    if (out[0]! & 0x80) out.unshift(0);
  } else {
    do {
      out.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n < -1n || (out[0]! & 0x80) === 0);
  }
  return tlv(0x02, Buffer.from(out));
}

export function oidContent(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const out: number[] = [];
  const push = (v: bigint) => {
    const groups = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  arcs.slice(2).forEach(push);
  return Buffer.from(out);
}
export const oid = (dotted: string) => tlv(0x06, oidContent(dotted));

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function timeDigits(d: Date, fourDigitYear: boolean): string {
  const y = d.getUTCFullYear();
  return `${fourDigitYear ? pad(y, 4) : pad(y % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
export const utcTime = (d: Date) => tlv(0x17, Buffer.from(timeDigits(d, false)));
export const generalizedTime = (d: Date) => tlv(0x18, Buffer.from(timeDigits(d, true)));
/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export const time = (d: Date) => (d.getUTCFullYear() < 2050 ? utcTime(d) : generalizedTime(d));

/** The TLVs inside a constructed value (just enough to take an SPKI apart). */
function children(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    let len = b[at + 1]!;
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
      hdr += n;
    }
    out.push(b.subarray(at, at + hdr + len));
    at += hdr + len;
  }
  return out;
}
/** The content octets of one TLV. */
export function contentOf(t: Buffer): Buffer {
  const len = t[1]!;
  return t.subarray(len & 0x80 ? 2 + (len & 0x7f) : 2);
}

// ---------------------------------------------------------------------------------------------
// Names

const ATTR: Record<string, string> = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
};

/** One attribute: PrintableString for C, IA5String for emailAddress, UTF8String otherwise. */
export function atv(type: string, value: string): Buffer {
  const v = type === 'C' ? printable(value) : type === 'emailAddress' ? ia5(value) : utf8(value);
  return seq(oid(ATTR[type] ?? type), v);
}
/** A Name of single-attribute RDNs in this order: dn(['CN', 'x'], ['O', 'y']); dn() is the empty Name. */
export const dn = (...rdns: Array<[string, string]>) => seq(...rdns.map(([t, v]) => set(atv(t, v))));

// ---------------------------------------------------------------------------------------------
// Keys and signatures

export type KeyType = 'p256' | 'p384' | 'p521' | 'p192' | 'secp256k1' | 'p256-explicit' | 'rsa1024' | 'rsa2048' | 'rsa2052' | 'rsa-pss' | 'dsa' | 'ed25519';

export interface TestKey {
  type: KeyType;
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
  keyId: Buffer;
}

const keyCache = new Map<string, TestKey>();

function generate(type: KeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case 'p256':
    case 'p384':
    case 'p521':
      return generateKeyPairSync('ec', { namedCurve: `P-${type.slice(1)}` });
    case 'p192':
      return generateKeyPairSync('ec', { namedCurve: 'prime192v1' });
    case 'secp256k1':
      return generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    case 'rsa-pss':
      // An id-RSASSA-PSS SubjectPublicKeyInfo (a leaf key only: nothing signs with it here).
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    case 'p256-explicit':
      return generateKeyPairSync('ec', { namedCurve: 'P-256', paramEncoding: 'explicit' });
    case 'rsa1024':
    case 'rsa2048':
    case 'rsa2052':
      return generateKeyPairSync('rsa', { modulusLength: Number(type.slice(3)) });
    case 'dsa':
      // DSA is refused at any size; 1024/160 keeps parameter generation fast.
      return generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

/** One key per (type, label), generated once per process: vectors share keys to stay fast. */
export function key(type: KeyType = 'p256', label = ''): TestKey {
  const k = `${type}/${label}`;
  let found = keyCache.get(k);
  if (!found) {
    const pair = generate(type);
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    const bitString = children(contentOf(spki))[1]!;
    found = { type, privateKey: pair.privateKey, spki, keyId: createHash('sha1').update(contentOf(bitString).subarray(1)).digest() };
    keyCache.set(k, found);
  }
  return found;
}

export type Hash = 'sha1' | 'sha256' | 'sha384';

export const SIG_OID = {
  ecdsaSha1: '1.2.840.10045.4.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  rsaSha1: '1.2.840.113549.1.1.5',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  dsaSha1: '1.2.840.10040.4.3',
  dsaSha256: '2.16.840.1.101.3.4.3.2',
  ed25519: '1.3.101.112',
} as const;

/** The AlgorithmIdentifier a key signs with, and the hash node:crypto needs for it. */
export function signatureAlgorithm(k: TestKey, hash: Hash = k.type === 'p384' || k.type === 'p521' ? 'sha384' : 'sha256'): { alg: Buffer; hash: Hash | null } {
  if (k.type === 'ed25519') return { alg: seq(oid(SIG_OID.ed25519)), hash: null };
  if (k.type.startsWith('rsa')) {
    const o = hash === 'sha1' ? SIG_OID.rsaSha1 : hash === 'sha384' ? SIG_OID.rsaSha384 : SIG_OID.rsaSha256;
    return { alg: seq(oid(o), nul()), hash };
  }
  if (k.type === 'dsa') return { alg: seq(oid(hash === 'sha1' ? SIG_OID.dsaSha1 : SIG_OID.dsaSha256)), hash: hash === 'sha1' ? 'sha1' : 'sha256' };
  const o = hash === 'sha1' ? SIG_OID.ecdsaSha1 : hash === 'sha384' ? SIG_OID.ecdsaSha384 : SIG_OID.ecdsaSha256;
  return { alg: seq(oid(o)), hash };
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface RawCertSpec {
  /** 1 (field omitted), 2 or 3; 'explicit-v1' writes the DEFAULT v1 explicitly. */
  version: 1 | 2 | 3 | 'explicit-v1';
  /** INTEGER content octets, as they are (so negative, zero, 22-octet or non-minimal serials are possible). */
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** Time TLVs (see utcTime / generalizedTime), or raw bytes for malformed times. */
  notBefore: Buffer;
  notAfter: Buffer;
  spki: Buffer;
  /** Extension TLVs; undefined = no [3] field at all. */
  extensions?: Buffer[];
  /** Extra TBS fields after the SPKI (issuerUniqueID [1] / subjectUniqueID [2]), before the extensions. */
  uniqueIds?: Buffer[];
  signer: TestKey;
  hash?: Hash;
  /** tbsCertificate.signature when it should differ from the outer signatureAlgorithm. */
  innerAlg?: Buffer;
  /** The outer signatureAlgorithm (default: what `signer` signs with); the signature follows it. */
  outerAlg?: Buffer;
  /** Signature hash when `outerAlg` is given. */
  outerHash?: Hash | null;
  /** RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (the encoding BR §7.1.3.2.1 prescribes). */
  pss?: boolean;
}

const SHA256_ALG = () => seq(oid('2.16.840.1.101.3.4.2.1'), nul());
export const PSS_SHA256 = () =>
  seq(oid('1.2.840.113549.1.1.10'), seq(explicit(0, SHA256_ALG()), explicit(1, seq(oid('1.2.840.113549.1.1.8'), SHA256_ALG())), explicit(2, int(32))));

export function rawCert(s: RawCertSpec): Buffer {
  const own = s.pss ? { alg: PSS_SHA256(), hash: 'sha256' as const } : signatureAlgorithm(s.signer, s.hash);
  const outer = s.outerAlg ?? own.alg;
  const hash = s.outerAlg ? (s.outerHash ?? null) : own.hash;
  const version = s.version === 1 ? [] : [explicit(0, int(s.version === 'explicit-v1' ? 0 : s.version - 1))];
  const tbs = seq(
    ...version,
    int(s.serial),
    s.innerAlg ?? outer,
    s.issuer,
    seq(s.notBefore, s.notAfter),
    s.subject,
    s.spki,
    ...(s.uniqueIds ?? []),
    ...(s.extensions ? [explicit(3, seq(...s.extensions))] : []),
  );
  const signature = s.pss
    ? sign('sha256', tbs, { key: s.signer.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    : sign(hash, tbs, s.signer.privateKey);
  return seq(tbs, outer, bits(signature));
}

// ---------------------------------------------------------------------------------------------
// Extensions and GeneralNames

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  anyPolicy: '2.5.29.32.0',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  ocsp: '1.3.6.1.5.5.7.48.1',
} as const;

export const EKU_OID = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
  precertSigning: '1.3.6.1.4.1.11129.2.4.4',
} as const;

const KU_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageName = (typeof KU_BITS)[number];

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }, `value` taken raw. */
export const extension = (oidText: string, critical: boolean, value: Buffer) => seq(oid(oidText), ...(critical ? [bool(true)] : []), octets(value));

/** KeyUsage as a DER BIT STRING (trailing zero bits dropped); [] gives a BIT STRING with no bit set. */
export function keyUsageBits(names: readonly KeyUsageName[]): Buffer {
  const idx = names.map((n) => KU_BITS.indexOf(n));
  if (idx.length === 0) return bits(Buffer.alloc(0));
  const last = Math.max(...idx);
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (const i of idx) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return bits(bytes, 7 - (last & 7));
}

function ipOctets(text: string): Buffer {
  if (text.includes('.')) return Buffer.from(text.split('.').map(Number));
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function mask(prefix: number, octetCount: number): Buffer {
  const out = Buffer.alloc(octetCount);
  for (let i = 0; i < prefix; i++) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** GeneralName TLVs (RFC 5280 §4.2.1.6), IMPLICIT tags except directoryName. */
export const gn = {
  dns: (s: string | Buffer) => tlv(0x82, typeof s === 'string' ? Buffer.from(s, 'latin1') : s),
  email: (s: string) => tlv(0x81, Buffer.from(s, 'latin1')),
  uri: (s: string) => tlv(0x86, Buffer.from(s, 'latin1')),
  /** An address in text, or raw octets (any length). */
  ip: (a: string | Buffer) => tlv(0x87, typeof a === 'string' ? ipOctets(a) : a),
  /** A name-constraint subtree: address + mask. */
  net: (a: string, prefix: number) => {
    const addr = ipOctets(a);
    return tlv(0x87, addr, mask(prefix, addr.length));
  },
  dir: (name: Buffer) => tlv(0xa4, name),
  other: (typeId: string, value: Buffer) => tlv(0xa0, oid(typeId), explicit(0, value)),
  rid: (o: string) => tlv(0x88, oidContent(o)),
};

export const ext = {
  basicConstraints: (ca: boolean, pathLen?: number, critical = true) =>
    extension(OID.basicConstraints, critical, seq(...(ca ? [bool(true)] : []), ...(pathLen !== undefined ? [int(pathLen)] : []))),
  keyUsage: (names: readonly KeyUsageName[], critical = true) => extension(OID.keyUsage, critical, keyUsageBits(names)),
  extKeyUsage: (oids: readonly string[], critical = false) => extension(OID.extKeyUsage, critical, seq(...oids.map(oid))),
  subjectAltName: (names: readonly Buffer[], critical = false) => extension(OID.subjectAltName, critical, seq(...names)),
  subjectKeyId: (id: Buffer, critical = false) => extension(OID.subjectKeyIdentifier, critical, octets(id)),
  authorityKeyId: (a: { keyId?: Buffer; issuer?: Buffer[]; serial?: Buffer }, critical = false) =>
    extension(
      OID.authorityKeyIdentifier,
      critical,
      seq(...(a.keyId ? [tlv(0x80, a.keyId)] : []), ...(a.issuer ? [tlv(0xa1, ...a.issuer)] : []), ...(a.serial ? [tlv(0x82, a.serial)] : [])),
    ),
  /** GeneralSubtree lists; a subtree is a GeneralName TLV or an already-built SEQUENCE (for minimum/maximum). */
  nameConstraints: (c: { permitted?: Buffer[]; excluded?: Buffer[] }, critical = true) => {
    const subtrees = (list: Buffer[]) => list.map((b) => (b[0] === 0x30 ? b : seq(b)));
    return extension(
      OID.nameConstraints,
      critical,
      seq(...(c.permitted ? [tlv(0xa0, ...subtrees(c.permitted))] : []), ...(c.excluded ? [tlv(0xa1, ...subtrees(c.excluded))] : [])),
    );
  },
  authorityInfoAccess: (entries: Array<[string, Buffer]>, critical = false) =>
    extension(OID.authorityInfoAccess, critical, seq(...entries.map(([m, loc]) => seq(oid(m), loc)))),
  certificatePolicies: (oids: readonly string[], critical = false) => extension(OID.certificatePolicies, critical, seq(...oids.map((o) => seq(oid(o))))),
  policyMappings: (pairs: Array<[string, string]>, critical = true) => extension(OID.policyMappings, critical, seq(...pairs.map(([a, b]) => seq(oid(a), oid(b))))),
  policyConstraints: (c: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number }, critical = true) =>
    extension(
      OID.policyConstraints,
      critical,
      seq(
        ...(c.requireExplicitPolicy !== undefined ? [tlv(0x80, contentOf(int(c.requireExplicitPolicy)))] : []),
        ...(c.inhibitPolicyMapping !== undefined ? [tlv(0x81, contentOf(int(c.inhibitPolicyMapping)))] : []),
      ),
    ),
  inhibitAnyPolicy: (n: number, critical = true) => extension(OID.inhibitAnyPolicy, critical, int(n)),
};
