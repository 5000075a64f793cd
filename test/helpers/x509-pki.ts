// A web-PKI-conforming test hierarchy on top of the raw builder (root → intermediate → leaf), every
// field overridable: each vector changes only the rule it tests, so its valid twin is the same
// call without the change. Defaults follow the CA/B Forum profile (BC critical on CAs, SKI on CAs,
// AKI below the root, leaf EKU serverAuth, SAN with the CN copied from it).
import type { PathErrorCode } from '../../src/trust/path-error.js';
import { dn, ext, gn, key, rawCert, time, type Hash, type RawCertSpec, type TestKey } from './x509-raw.js';

export { dn, ext, gn, key } from './x509-raw.js';

/** Validation time of every vector unless it says otherwise. */
export const NOW = new Date('2025-06-01T12:00:00Z');
export const HOST = 'example.com';

export interface X509Vector {
  /** area/group/variant, e.g. 'rfc5280/aki/leaf-missing'. */
  id: string;
  /** Vectors of one group are twins: at least one trusted and one rejected, differing only in the rule. */
  group: string;
  /** The rule under test, e.g. 'RFC 5280 §4.2.1.10' or 'CA/B Forum BR §7.1.2.7.10'. */
  rule: string;
  expect: 'trusted' | 'rejected';
  /** For rejections: a code that must be among the path errors (absent for hostname-only rejections). */
  code?: PathErrorCode;
  /** For rejections by a web-PKI profile rule (src/trust/webpki.ts PROFILE_RULES): its id. */
  ruleId?: string;
  /** Leaf first, then the untrusted pool (any order). */
  served: Buffer[];
  anchors: Buffer[];
  /** How the anchors are held (default 'ca-file': the whole profile; 'mozilla': vetted). */
  anchorSource?: 'ca-file' | 'mozilla';
  host: string;
  now: Date;
  /** Expected sanMatchesHost result, for vectors about host names. */
  hostMatch?: boolean;
  /** A profile note (ProfileNote.rule) the trusted path must carry. */
  note?: string;
}

export type VectorInput = Omit<X509Vector, 'host' | 'now'> & { host?: string; now?: Date };

export const vec = (v: VectorInput): X509Vector => ({ ...v, host: v.host ?? HOST, now: v.now ?? NOW });

export interface Cert {
  der: Buffer;
  key: TestKey;
  subject: Buffer;
}

/** An extension slot: undefined keeps the default, null drops it, a Buffer (an Extension TLV) replaces it. */
type Slot = Buffer | null | undefined;

export interface CertOpts {
  key?: TestKey;
  subject?: Buffer;
  issuer?: Buffer;
  /** Signing key (default: the parent's, or the certificate's own for a root). */
  signer?: TestKey;
  serial?: Buffer;
  version?: RawCertSpec['version'];
  notBefore?: Date | Buffer;
  notAfter?: Date | Buffer;
  hash?: Hash;
  innerAlg?: Buffer;
  outerAlg?: Buffer;
  outerHash?: Hash | null;
  /** Sign with RSASSA-PSS (an RSA signer). */
  pss?: boolean;
  uniqueIds?: Buffer[];
  bc?: Slot;
  ku?: Slot;
  eku?: Slot;
  san?: Slot;
  ski?: Slot;
  aki?: Slot;
  nc?: Slot;
  policies?: Slot;
  /** Appended after the slots. */
  extra?: Buffer[];
  /** The whole extension list instead of the slots; null = no extensions field. */
  extensions?: Buffer[] | null;
  /** Leaf: DNS names for the SAN (default ['example.com']); the CN copies the first. */
  names?: string[];
  /** Leaf: IP addresses for the SAN. */
  ips?: string[];
  /** Leaf: the subject CN (default: the first name; null = no CN). */
  cn?: string | null;
}

let serialCounter = 0x1000;
/** Positive, unique, 8 octets. */
export function nextSerial(): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(0x10000000, 0);
  b.writeUInt32BE(serialCounter++, 4);
  return b;
}

const asTime = (t: Date | Buffer) => (Buffer.isBuffer(t) ? t : time(t));

function build(o: CertOpts, d: { key: TestKey; subject: Buffer; issuer: Buffer; signer: TestKey; notBefore: Date; notAfter: Date }, slots: Array<[Slot, Buffer | null]>): Cert {
  const k = o.key ?? d.key;
  const subject = o.subject ?? d.subject;
  const extensions =
    o.extensions === null
      ? undefined
      : (o.extensions ?? [...slots.flatMap(([over, def]) => (over === undefined ? (def ? [def] : []) : over ? [over] : [])), ...(o.extra ?? [])]);
  const der = rawCert({
    version: o.version ?? 3,
    serial: o.serial ?? nextSerial(),
    issuer: o.issuer ?? d.issuer,
    subject,
    notBefore: asTime(o.notBefore ?? d.notBefore),
    notAfter: asTime(o.notAfter ?? d.notAfter),
    spki: k.spki,
    extensions,
    uniqueIds: o.uniqueIds,
    signer: o.signer ?? d.signer,
    hash: o.hash,
    innerAlg: o.innerAlg,
    outerAlg: o.outerAlg,
    outerHash: o.outerHash,
    pss: o.pss,
  });
  return { der, key: k, subject };
}

export const ROOT_NAME = dn(['CN', 'Vector Root'], ['O', 'secgrade vectors']);
export const ICA_NAME = dn(['CN', 'Vector ICA'], ['O', 'secgrade vectors']);

/** A self-signed root: BC cA critical, KU keyCertSign+cRLSign, SKI; no AKI, no EKU. */
export function root(o: CertOpts = {}): Cert {
  const k = o.key ?? key('p256', 'root');
  const subject = o.subject ?? ROOT_NAME;
  return build(
    o,
    { key: k, subject, issuer: subject, signer: k, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') },
    [
      [o.bc, ext.basicConstraints(true)],
      [o.ku, ext.keyUsage(['keyCertSign', 'cRLSign'])],
      [o.ski, ext.subjectKeyId(k.keyId)],
      [o.aki, null],
      [o.eku, null],
      [o.san, null],
      [o.nc, null],
      [o.policies, null],
    ],
  );
}

/** An intermediate issued by `parent`: BC cA critical, KU keyCertSign+cRLSign, SKI, AKI. */
export function ica(parent: Cert, o: CertOpts = {}): Cert {
  const k = o.key ?? key('p256', 'ica');
  return build(
    o,
    { key: k, subject: ICA_NAME, issuer: parent.subject, signer: parent.key, notBefore: new Date('2021-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
    [
      [o.bc, ext.basicConstraints(true)],
      [o.ku, ext.keyUsage(['keyCertSign', 'cRLSign'])],
      [o.ski, ext.subjectKeyId(k.keyId)],
      [o.aki, ext.authorityKeyId({ keyId: parent.key.keyId })],
      [o.eku, null],
      [o.san, null],
      [o.nc, null],
      [o.policies, null],
    ],
  );
}

/** A server certificate issued by `parent`: KU digitalSignature, EKU serverAuth, SAN, AKI, CN = first name. */
export function leaf(parent: Cert, o: CertOpts = {}): Cert {
  const k = o.key ?? key('p256', 'leaf');
  const names = o.names ?? (o.ips ? [] : [HOST]);
  const cn = o.cn === undefined ? (names[0] ?? null) : o.cn;
  const subject = o.subject ?? (cn === null ? dn(['O', 'secgrade vectors leaf']) : dn(['CN', cn]));
  const san = ext.subjectAltName([...names.map((n) => gn.dns(n)), ...(o.ips ?? []).map((a) => gn.ip(a))]);
  return build(
    o,
    { key: k, subject, issuer: parent.subject, signer: parent.key, notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') },
    [
      [o.bc, null],
      [o.ku, ext.keyUsage(k.type.startsWith('rsa') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'])],
      [o.eku, ext.extKeyUsage(['1.3.6.1.5.5.7.3.1'])],
      [o.san, names.length + (o.ips?.length ?? 0) > 0 ? san : null],
      [o.ski, null],
      [o.aki, ext.authorityKeyId({ keyId: parent.key.keyId })],
      [o.nc, null],
      [o.policies, null],
    ],
  );
}

export interface Chain {
  root: Cert;
  ica: Cert;
  leaf: Cert;
  served: Buffer[];
  anchors: Buffer[];
}

/** root → ica → leaf with per-certificate overrides; served = [leaf, ica], anchors = [root]. */
export function chain(o: { root?: CertOpts; ica?: CertOpts; leaf?: CertOpts } = {}): Chain {
  const r = root(o.root);
  const i = ica(r, o.ica);
  const l = leaf(i, o.leaf);
  return { root: r, ica: i, leaf: l, served: [l.der, i.der], anchors: [r.der] };
}

/** The vector fields of a standard chain. */
export const served = (c: Chain) => ({ served: c.served, anchors: c.anchors });
