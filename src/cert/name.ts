// X.501 Names read from DER (RFC 5280 §4.1.2.4), their one-line text, and the comparison RFC 5280
// §7.1 asks for: same RDNs in the same order, each attribute's value compared after RFC 4518
// preparation (case folded, insignificant spaces removed), whatever string type carries it. An
// empty Name is a valid Name (the subject of a certificate whose identity is in its SAN).
import { childrenOf, decodeOid, readTlv, type Tlv } from './der.js';

export interface NameAttribute {
  oid: string;
  /** The value's ASN.1 tag (UTF8String 0x0c, PrintableString 0x13 …). */
  tag: number;
  /** The value's content bytes. */
  value: Buffer;
}

export interface Name {
  /** The whole Name TLV. */
  der: Buffer;
  /** RDNs in DER order; each RDN is a set of one or more attributes. */
  rdns: NameAttribute[][];
}

const MAX_RDNS = 64;
const MAX_ATTRIBUTES = 16;

const TAG_SET = 0x31;
const TAG_SEQUENCE = 0x30;
const TAG_OID = 0x06;

export const ATTRIBUTE = {
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

/** Short names as OpenSSL (and so Node's X509Certificate.subject) prints them. */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

/** A Name at `tlv` in `der`; null when it is not RDNSequence ::= SEQUENCE OF SET OF AttributeTypeAndValue. */
export function decodeName(der: Buffer, tlv: Tlv): Name | null {
  if (tlv.tag !== TAG_SEQUENCE) return null;
  const sets = childrenOf(der, tlv, MAX_RDNS);
  if (!sets) return null;
  const rdns: NameAttribute[][] = [];
  for (const set of sets) {
    if (set.tag !== TAG_SET) return null;
    const atvs = childrenOf(der, set, MAX_ATTRIBUTES);
    if (!atvs || atvs.length === 0) return null; // an RDN has at least one attribute
    const rdn: NameAttribute[] = [];
    for (const atv of atvs) {
      const parts = atv.tag === TAG_SEQUENCE ? childrenOf(der, atv, 2) : null;
      if (!parts || parts.length !== 2 || parts[0]!.tag !== TAG_OID) return null;
      const oid = decodeOid(der.subarray(parts[0]!.start, parts[0]!.end));
      if (!oid) return null;
      rdn.push({ oid, tag: parts[1]!.tag, value: der.subarray(parts[1]!.start, parts[1]!.end) });
    }
    rdns.push(rdn);
  }
  return { der: der.subarray(tlv.headerStart, tlv.end), rdns };
}

/** A Name from its own DER bytes (e.g. a directoryName's content). */
export function decodeNameDer(der: Buffer): Name | null {
  const tlv = readTlv(der, 0, der.length);
  return tlv && tlv.end === der.length ? decodeName(der, tlv) : null;
}

/** The value as text when it is a character string; null for other types. */
export function attributeText(a: Pick<NameAttribute, 'tag' | 'value'>): string | null {
  switch (a.tag) {
    case 0x0c: // UTF8String
      return a.value.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return a.value.toString('latin1');
    case 0x14: // TeletexString: in practice Latin-1
      return a.value.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return a.value.length % 2 === 0 ? Buffer.from(a.value).swap16().toString('utf16le') : null;
    case 0x1c: {
      // UniversalString: UTF-32BE
      if (a.value.length % 4 !== 0) return null;
      let s = '';
      for (let i = 0; i < a.value.length; i += 4) {
        const cp = a.value.readUInt32BE(i);
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return null;
  }
}

/** Printable, one line, escaped as OpenSSL's RFC 2253 flags do (so names read as Node prints them). */
function displayValue(a: NameAttribute): string {
  const text = attributeText(a);
  if (text === null) return `#${a.value.toString('hex')}`;
  return (
    text
      .replace(/[,+"\\<>;]/g, (c) => `\\${c}`)
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`)
      .replace(/^([#\s])/, '\\$1')
      .replace(/(\s)$/, '\\$1')
  );
}

/** "CN=a, O=b" in DER order (as Node prints a subject, one line); '' for an empty Name. */
export function nameText(name: Name): string {
  return name.rdns.map((rdn) => rdn.map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${displayValue(a)}`).join(' + ')).join(', ');
}

/** The values of one attribute type, in order (e.g. every CN). */
export function attributeValues(name: Name, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid) out.push(attributeText(a) ?? `#${a.value.toString('hex')}`);
  return out;
}

/**
 * RFC 4518 preparation, simplified to what matters for names in certificates: Unicode NFKC,
 * case folded, leading and trailing spaces dropped and inner runs of spaces collapsed.
 */
function prepare(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function attributeKey(a: NameAttribute): string {
  const text = attributeText(a);
  // Non-string values (rare) compare byte for byte, tag included.
  return `${a.oid}=${text === null ? `#${a.tag.toString(16)}:${a.value.toString('hex')}` : JSON.stringify(prepare(text))}`;
}

/**
 * A key equal for two Names exactly when RFC 5280 §7.1 calls them equal: per RDN the prepared
 * attributes as a set (a multi-valued RDN is unordered), RDNs in order.
 */
export function nameKey(name: Name): string {
  return name.rdns.map((rdn) => rdn.map(attributeKey).sort().join('+')).join(',');
}

export function namesEqual(a: Name, b: Name): boolean {
  return a.der.equals(b.der) || nameKey(a) === nameKey(b);
}

/** RFC 5280 §4.2.1.10 directoryName constraint: `name`'s first RDNs equal `base`'s. */
export function nameWithin(name: Name, base: Name): boolean {
  if (base.rdns.length > name.rdns.length) return false;
  const key = (rdn: NameAttribute[]) => rdn.map(attributeKey).sort().join('+');
  return base.rdns.every((rdn, i) => key(rdn) === key(name.rdns[i]!));
}
