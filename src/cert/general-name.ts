// GeneralName (RFC 5280 §4.2.1.6) read from DER: the forms SAN, name constraints, AKI and AIA use.
// Each form keeps its raw bytes; the ones validation compares are decoded (text, address, Name).
import { childrenOf, decodeOid, type Tlv } from './der.js';
import { decodeNameDer, type Name } from './name.js';

export type GeneralName =
  | { kind: 'otherName'; typeId: string | null; raw: Buffer }
  | { kind: 'rfc822Name'; value: string; raw: Buffer }
  | { kind: 'dNSName'; value: string; raw: Buffer }
  | { kind: 'x400Address'; raw: Buffer }
  | { kind: 'directoryName'; name: Name; raw: Buffer }
  | { kind: 'ediPartyName'; raw: Buffer }
  | { kind: 'uniformResourceIdentifier'; value: string; raw: Buffer }
  /** 4 or 16 octets in a SAN; 8 or 32 (address + mask) in a name constraint. */
  | { kind: 'iPAddress'; bytes: Buffer; raw: Buffer }
  | { kind: 'registeredID'; oid: string | null; raw: Buffer };

export type GeneralNameKind = GeneralName['kind'];

/**
 * Names per GeneralNames list. Real leaves reach 10,000 SANs (badssl.com's 10000-sans, ~290 KB, which
 * Safari loads); 16,384 covers them with room to spare while a hostile list stays bounded (decoding
 * is one linear pass, and a certificate is capped at MAX_DER_BYTES anyway).
 */
const MAX_GENERAL_NAMES = 16_384;

/** IA5String content: ASCII only (anything else is an encoding error, not a name). */
function ia5(bytes: Buffer): string | null {
  for (const b of bytes) if (b > 0x7f) return null;
  return bytes.toString('latin1');
}

/** One GeneralName (context tag [0]..[8], IMPLICIT except directoryName which is EXPLICIT); null when malformed. */
export function decodeGeneralName(der: Buffer, t: Tlv): GeneralName | null {
  const raw = der.subarray(t.start, t.end);
  switch (t.tag) {
    case 0xa0: {
      const parts = childrenOf(der, t, 2);
      const typeId = parts?.[0]?.tag === 0x06 ? decodeOid(der.subarray(parts[0].start, parts[0].end)) : null;
      return parts && parts.length === 2 && typeId ? { kind: 'otherName', typeId, raw } : null;
    }
    case 0x81: {
      const value = ia5(raw);
      return value === null ? null : { kind: 'rfc822Name', value, raw };
    }
    case 0x82: {
      const value = ia5(raw);
      return value === null ? null : { kind: 'dNSName', value, raw };
    }
    case 0xa3:
      return { kind: 'x400Address', raw };
    case 0xa4: {
      const name = decodeNameDer(Buffer.from(raw));
      return name ? { kind: 'directoryName', name, raw } : null;
    }
    case 0xa5:
      return { kind: 'ediPartyName', raw };
    case 0x86: {
      const value = ia5(raw);
      return value === null ? null : { kind: 'uniformResourceIdentifier', value, raw };
    }
    case 0x87:
      return { kind: 'iPAddress', bytes: raw, raw };
    case 0x88:
      return { kind: 'registeredID', oid: decodeOid(raw), raw };
    default:
      return null;
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, the content of `seq`; null when malformed or empty. */
export function decodeGeneralNames(der: Buffer, seq: Tlv): GeneralName[] | null {
  const items = childrenOf(der, seq, MAX_GENERAL_NAMES);
  if (!items || items.length === 0) return null;
  const out: GeneralName[] = [];
  for (const item of items) {
    const name = decodeGeneralName(der, item);
    if (!name) return null;
    out.push(name);
  }
  return out;
}

/** IPv4 or IPv6 text of 4 or 16 octets; hex for anything else. */
export function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
    // RFC 5952: the longest run (2 or more) of zero groups becomes '::'.
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
    return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
  }
  return bytes.toString('hex');
}

/** One line, as in a report: "DNS:a.example", "IP:192.0.2.1", "email:x@y" … */
export function generalNameText(n: GeneralName): string {
  switch (n.kind) {
    case 'dNSName':
      return `DNS:${n.value}`;
    case 'rfc822Name':
      return `email:${n.value}`;
    case 'uniformResourceIdentifier':
      return `URI:${n.value}`;
    case 'iPAddress':
      return n.bytes.length === 8 || n.bytes.length === 32
        ? `IP:${ipText(n.bytes.subarray(0, n.bytes.length / 2))}/${ipText(n.bytes.subarray(n.bytes.length / 2))}`
        : `IP:${ipText(n.bytes)}`;
    case 'directoryName':
      return `DirName:${n.name.rdns.length} RDNs`;
    case 'registeredID':
      return `RID:${n.oid ?? '?'}`;
    case 'otherName':
      return `othername:${n.typeId ?? '?'}`;
    default:
      return n.kind;
  }
}
