// Does a server certificate name a host? RFC 6125 / RFC 9525 as browsers apply it: names come from
// subjectAltName only (the subject CN is ignored, as Chrome and Firefox do); a DNS name matches
// exactly (case-insensitive, trailing dot ignored); a wildcard only as the whole left-most label,
// standing for exactly one label, never over a public suffix (`*.com`, `*.co.uk`) or alone (`*`);
// an IP address only against an iPAddress entry, octet for octet. Presented names are never
// IDNA-converted: a SAN must carry the A-label itself.
import { isIPv4, isIPv6 } from 'node:net';
import { getPublicSuffix } from 'tldts';
import type { GeneralName } from './general-name.js';

/** The 4 or 16 octets of an IPv4 or IPv6 address in text, or null when `text` is neither. */
export function ipBytes(text: string): Buffer | null {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text)) return null;
  let s = text.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, null];
  const parts = (x: string) => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const h = parts(head);
  const t = tail === null ? [] : parts(tail);
  const groups = tail === null ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (groups.length !== 8) return null;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** Whether the DNS SAN `pattern` covers `host` (both ASCII). */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = norm(pattern);
  const h = norm(host);
  if (!p || !h) return false;
  if (!p.startsWith('*.')) return !p.includes('*') && p === h;
  const rest = p.slice(2);
  if (!rest.includes('.') || rest.includes('*') || getPublicSuffix(rest, { allowPrivateDomains: false }) === rest) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest;
}

/** Whether a certificate with these SAN entries serves `host` (a DNS name or an IP address). */
export function sanMatchesHost(san: readonly GeneralName[] | undefined, host: string): boolean {
  const ip = ipBytes(host.replace(/^\[|\]$/g, ''));
  for (const n of san ?? []) {
    if (ip && n.kind === 'iPAddress' && n.bytes.equals(ip)) return true;
    if (!ip && n.kind === 'dNSName' && dnsNameMatches(n.value, host)) return true;
  }
  return false;
}
