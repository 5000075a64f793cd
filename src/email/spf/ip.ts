// IP address helpers for SPF (RFC 7208): strict parsing of the ip4/ip6 mechanism arguments, CIDR
// matching on raw bytes, the reverse-lookup names and the textual forms the i/c macros need.
import { formatIpv6 } from '../../net/dns/svcb.js';

/** An address as 4 or 16 bytes. IPv4-mapped IPv6 addresses are unmapped by `toClientIp`. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * RFC 7208 §12 ip4-network: four `qnum`s, decimal 0-255 without leading zeros (a lone "0" is fine).
 */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** RFC 4291 §2.2 text forms, incl. "::" and a trailing dotted IPv4 part; no zone ids. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const items = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (item.includes('.')) {
        // Only the very last group may be a dotted IPv4 address.
        if (i !== items.length - 1) return null;
        const v4 = parseIPv4(item);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(item)) return null;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? '');
  if (!head) return null;
  let groups: number[];
  if (halves.length === 2) {
    const tail = groupsOf(halves[1] ?? '');
    if (!tail) return null;
    // A dotted part is only allowed at the very end of the address.
    if ((halves[0] ?? '').includes('.')) return null;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * The SMTP client address as SPF sees it: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4
 * address (RFC 7208 §5 ¶9, "IPv4-mapped IPv6 … MUST still be considered an IPv4 address").
 * Accepts IPv4 in the strict form and any RFC 4291 IPv6 form; null when not an address.
 */
export function toClientIp(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIPv4(bare);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(bare);
  if (!v6) return null;
  if (isV4Mapped(v6)) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6 };
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Parse an address from a DNS answer (A or AAAA) to bytes; null when unparsable. */
export function addressBytes(text: string): Uint8Array | null {
  return parseIPv4(text) ?? parseIPv6(text);
}

/** True when the first `bits` bits of `a` and `b` are equal (same length required). */
export function cidrMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  const full = Math.floor(bits / 8);
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] ?? 0) & mask) === ((b[full] ?? 0) & mask);
}

export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && cidrMatch(a, b, a.length * 8);
}

/** Dotted quad. */
export function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** RFC 5952 canonical text (the DNS code's formatter: one implementation of the rules). */
export function ipv6Text(bytes: Uint8Array): string {
  return formatIpv6(bytes);
}

export function ipText(ip: IpAddress): string {
  return ip.family === 4 ? ipv4Text(ip.bytes) : ipv6Text(ip.bytes);
}

/** The 32 nibbles of an IPv6 address, most significant first. */
export function ipv6Nibbles(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (const b of bytes) out.push((b >> 4).toString(16), (b & 0x0f).toString(16));
  return out;
}

/** The reverse-lookup name: d.c.b.a.in-addr.arpa or the 32 nibbles of ip6.arpa (lower-case). */
export function reverseName(ip: IpAddress): string {
  if (ip.family === 4) return `${Array.from(ip.bytes).reverse().join('.')}.in-addr.arpa`;
  return `${ipv6Nibbles(ip.bytes).reverse().join('.')}.ip6.arpa`;
}
