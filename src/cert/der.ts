// Just enough DER for what Node's X509Certificate does not expose: TLVs, a certificate's
// TBSCertificate fields and extensions (decoded whole in decode.ts), AIA URLs, the outer signature
// OID, and re-encoding for CT's precertificate splice. Bounded: every length is checked against
// the bytes present, every list has a cap, and nothing here throws on bad input (bad shapes give null).

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  headerStart: number;
  /** Offset of the value. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  /** tbsCertificate [0] EXPLICIT version. */
  CTX0: 0xa0,
  /** tbsCertificate [3] EXPLICIT extensions. */
  CTX3: 0xa3,
} as const;

/** Certificates bigger than this are not something a TLS server sends; refuse rather than walk them. */
export const MAX_DER_BYTES = 1 << 20;

/** One TLV at `offset`, ending at or before `limit`; null if it is not well-formed DER. */
export function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv | null {
  if (limit > buf.length || offset < 0 || offset + 2 > limit) return null;
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags never occur in certificates
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null; // indefinite or absurd lengths: not DER
    if (buf[start] === 0) return null; // X.690 §10.1: no leading zero length octets
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    if (len < 0x80) return null; // X.690 §10.1: the short form when it fits
    start += n;
  }
  const end = start + len;
  return end > limit ? null : { tag, headerStart: offset, start, end };
}

/** The TLVs directly inside `parent`, which must tile its value exactly; null otherwise or past `max`. */
export function childrenOf(buf: Uint8Array, parent: Tlv, max: number): Tlv[] | null {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    if (out.length >= max) return null;
    const child = readTlv(buf, at, parent.end);
    if (!child) return null;
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The single TLV that fills `parent`'s value exactly (e.g. an extnValue's content), or null. */
function innerTlv(buf: Uint8Array, parent: Tlv, tag: number): Tlv | null {
  const inner = readTlv(buf, parent.start, parent.end);
  return inner && inner.tag === tag && inner.end === parent.end ? inner : null;
}

/** The value bytes as a view of `buf`. */
const content = <T extends Uint8Array>(buf: T, t: Tlv): T => buf.subarray(t.start, t.end) as T;

export function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** tag + minimal DER length + the concatenated parts. */
export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  return concatBytes([Uint8Array.of(tag), encodeLength(len), ...parts]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Content bytes of an OBJECT IDENTIFIER in dotted form (arcs must fit a JS number). */
export function encodeOidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const groups = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return Uint8Array.from(out);
}

/** Dotted form of an OBJECT IDENTIFIER's content bytes; null when malformed or absurdly long. */
export function decodeOid(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > 64) return null;
  const parts: number[] = [];
  let value = 0;
  let atStart = true;
  for (const b of bytes) {
    // X.690 §8.19.2: a subidentifier never starts with a 0x80 padding octet.
    if (atStart && b === 0x80) return null;
    atStart = (b & 0x80) === 0;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  if (value !== 0 || parts.length === 0) return null;
  const first = parts[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280 §4.1.2.5 requires. */
export function decodeTime(tag: number, bytes: Uint8Array): Date | null {
  if (bytes.length > 15) return null; // also keeps the spread below small
  const s = String.fromCharCode(...bytes);
  const m =
    tag === TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : tag === TAG.GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) return null;
  let year = Number(m[1]);
  if (tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = m.slice(2).map(Number) as [number, number, number, number, number];
  // Days per month (leap years included): a date that does not exist is not a time.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

// ---------------------------------------------------------------------------------------------
// Certificates

/**
 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity,
 * subject, subjectPublicKeyInfo, [1] issuerUID OPTIONAL, [2] subjectUID OPTIONAL, [3] extensions OPTIONAL }.
 */
export interface TbsLayout {
  tbs: Tlv;
  /** The TBSCertificate's direct children, in order. */
  tbsFields: Tlv[];
  serial: Tlv;
  issuer: Tlv;
  validity: Tlv;
  subject: Tlv;
  /** subjectPublicKeyInfo, the whole TLV. */
  spki: Tlv;
  /** The [3] EXPLICIT wrapper of the extensions, when present. */
  extensionsWrapper: Tlv | null;
  /** The Extensions SEQUENCE inside it. */
  extensions: Tlv | null;
}

export interface CertificateLayout extends TbsLayout {
  /** The whole Certificate SEQUENCE. */
  cert: Tlv;
}

export interface CertificateParts extends CertificateLayout {
  notBefore: Date;
  notAfter: Date;
}

function tbsLayout(der: Uint8Array, tbs: Tlv): TbsLayout | null {
  if (tbs.tag !== TAG.SEQUENCE) return null;
  const tbsFields = childrenOf(der, tbs, 10);
  if (!tbsFields) return null;
  const first = tbsFields[0]?.tag === TAG.CTX0 ? 1 : 0;
  const [serial, , issuer, validity, subject, spki] = tbsFields.slice(first);
  if (!serial || !issuer || !subject || !validity || validity.tag !== TAG.SEQUENCE || !spki || spki.tag !== TAG.SEQUENCE) return null;
  let extensionsWrapper: Tlv | null = null;
  let extensions: Tlv | null = null;
  for (const field of tbsFields.slice(first + 6)) {
    if (field.tag !== TAG.CTX3) continue;
    if (extensionsWrapper) return null; // two [3] fields: not a certificate
    extensions = innerTlv(der, field, TAG.SEQUENCE);
    if (!extensions) return null;
    extensionsWrapper = field;
  }
  return { tbs, tbsFields, serial, issuer, validity, subject, spki, extensionsWrapper, extensions };
}

/** A TBSCertificate on its own (e.g. one a parser kept raw); null when it is not one. */
export function readTbsCertificate(tbsDer: Uint8Array): TbsLayout | null {
  if (tbsDer.length > MAX_DER_BYTES) return null;
  const tbs = readTlv(tbsDer, 0, tbsDer.length);
  return tbs && tbs.end === tbsDer.length ? tbsLayout(tbsDer, tbs) : null;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }, without decoding times. */
export function certificateLayout(der: Uint8Array): CertificateLayout | null {
  if (der.length > MAX_DER_BYTES) return null;
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== TAG.SEQUENCE || cert.end !== der.length) return null;
  const top = childrenOf(der, cert, 3);
  if (!top || top.length !== 3) return null;
  const tbs = tbsLayout(der, top[0]!);
  return tbs && { cert, ...tbs };
}

/** certificateLayout plus a well-formed validity period. */
export function parseCertificate(der: Uint8Array): CertificateParts | null {
  const layout = certificateLayout(der);
  if (!layout) return null;
  const times = childrenOf(der, layout.validity, 2);
  if (!times || times.length !== 2) return null;
  const notBefore = decodeTime(times[0]!.tag, content(der, times[0]!));
  const notAfter = decodeTime(times[1]!.tag, content(der, times[1]!));
  if (!notBefore || !notAfter) return null;
  return { ...layout, notBefore, notAfter };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }. */
export function certificateSignatureOid(der: Uint8Array): string | null {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== TAG.SEQUENCE) return null;
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== TAG.SEQUENCE) return null;
  const alg = readTlv(der, tbs.end, cert.end);
  if (!alg || alg.tag !== TAG.SEQUENCE) return null;
  const oid = readTlv(der, alg.start, alg.end);
  if (!oid || oid.tag !== TAG.OID) return null;
  return decodeOid(content(der, oid));
}

export interface ExtensionTlv {
  /** The whole Extension SEQUENCE. */
  tlv: Tlv;
  /** extnID: the OBJECT IDENTIFIER TLV. */
  oid: Tlv;
  critical: boolean;
  /** extnValue: the OCTET STRING TLV. */
  value: Tlv;
}

/** A certificate carries at most a few dozen extensions; more is hostile. */
const MAX_EXTENSIONS = 256;

/** Every Extension, in order; null when the Extensions are malformed. */
export function extensionsOf(der: Uint8Array, parts: Pick<TbsLayout, 'extensions'>): ExtensionTlv[] | null {
  if (!parts.extensions) return [];
  const list = childrenOf(der, parts.extensions, MAX_EXTENSIONS);
  if (!list) return null;
  const out: ExtensionTlv[] = [];
  for (const ext of list) {
    if (ext.tag !== TAG.SEQUENCE) return null;
    const fields = childrenOf(der, ext, 3);
    if (!fields || fields.length < 2) return null;
    const [oid, second, third] = fields as [Tlv, Tlv, Tlv | undefined];
    if (oid.tag !== TAG.OID) return null;
    const critical = third !== undefined;
    if (critical && (second.tag !== TAG.BOOLEAN || second.end - second.start !== 1)) return null;
    const value = third ?? second;
    if (value.tag !== TAG.OCTET_STRING) return null;
    out.push({ tlv: ext, oid, critical: critical && der[second.start] !== 0, value });
  }
  return out;
}

/** Every Extension whose extnID has these content bytes; null when the Extensions are malformed. */
export function findExtensions(der: Uint8Array, parts: Pick<TbsLayout, 'extensions'>, oidContent: Uint8Array): ExtensionTlv[] | null {
  return extensionsOf(der, parts)?.filter((e) => bytesEqual(content(der, e.oid), oidContent)) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Authority Information Access (RFC 5280 §4.2.2.1)

export type AccessMethod = 'ocsp' | 'caIssuers';

const OID_AIA = encodeOidContent('1.3.6.1.5.5.7.1.1');
const ACCESS_METHOD: Record<AccessMethod, Uint8Array> = {
  ocsp: encodeOidContent('1.3.6.1.5.5.7.48.1'),
  caIssuers: encodeOidContent('1.3.6.1.5.5.7.48.2'),
};
/** GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String. */
const TAG_URI = 0x86;
const MAX_ACCESS_DESCRIPTIONS = 64;

/**
 * The URIs (any scheme) of one access method in the certificate's AIA extension, in order; [] when
 * there is none or it is malformed; null when `der` is not a certificate at all.
 */
export function aiaUrls(der: Uint8Array, method: AccessMethod): string[] | null {
  const layout = certificateLayout(der);
  if (!layout) return null;
  const ext = findExtensions(der, layout, OID_AIA)?.[0];
  const syntax = ext && innerTlv(der, ext.value, TAG.SEQUENCE);
  const descriptions = syntax && childrenOf(der, syntax, MAX_ACCESS_DESCRIPTIONS);
  if (!descriptions) return [];
  const urls: string[] = [];
  for (const d of descriptions) {
    const fields = d.tag === TAG.SEQUENCE ? childrenOf(der, d, 2) : null;
    if (!fields || fields.length !== 2 || fields[0]!.tag !== TAG.OID) return [];
    const [oid, location] = fields as [Tlv, Tlv];
    if (location.tag === TAG_URI && bytesEqual(content(der, oid), ACCESS_METHOD[method])) {
      urls.push(Buffer.from(content(der, location)).toString('latin1'));
    }
  }
  return urls;
}

/** OCSP responder URLs from AIA, http only: OCSP over https would need the revocation check it is part of. */
export function ocspResponderUrls(leafDer: Uint8Array): string[] {
  return (aiaUrls(leafDer, 'ocsp') ?? []).filter((u) => /^http:\/\/[^\s]+$/i.test(u));
}
