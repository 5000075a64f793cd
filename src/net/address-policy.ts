// Where a scan may be led. The user's own target may be any address; what the scanned site leads
// the scan to (redirects, AIA and OCSP URLs, the MTA-STS policy host, MX hosts) must not reach
// loopback, private (RFC 1918, RFC 6598, ULA), link-local or cloud-metadata addresses unless the
// target itself is in that range or the user allows it (--allow-private): a scanner must not be a
// way into the network it runs in.
import { isIP } from 'node:net';
import { parseIpv6 } from './dns/svcb.js';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

const v4 = (ip: string): number[] => ip.split('.').map(Number);

function v4Class(ip: string): AddressClass {
  const [a = 0, b = 0, c = 0, d = 0] = v4(ip);
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'metadata';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  // Multicast, the reserved 240/4 and broadcast, benchmarking (RFC 2544), IETF protocol assignments.
  if (a >= 224 || (a === 198 && (b === 18 || b === 19)) || (a === 192 && b === 0 && c === 0)) return 'reserved';
  return 'public';
}

/** The class of an IP address (IPv4-mapped IPv6 is classed as its IPv4 address). */
export function addressClass(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return v4Class(bare);
  if (family !== 6) return 'reserved';
  const bytes = parseIpv6(bare);
  if (!bytes) return 'reserved';
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return v4Class(`${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`);
  if (words.every((w) => w === 0)) return 'unspecified';
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'loopback';
  const first = words[0]!;
  // AWS's IPv6 instance metadata endpoint, fd00:ec2::254.
  if (first === 0xfd00 && words[1] === 0x0ec2 && words.slice(2, 7).every((w) => w === 0) && words[7] === 0x254) return 'metadata';
  if ((first & 0xfe00) === 0xfc00) return 'private';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'reserved';
  return 'public';
}

export interface AddressPolicy {
  /** Why the scan may not connect to `ip` it was led to, or null when it may. */
  refuses(ip: string): string | null;
}

/**
 * `targetAddresses`: the target's own addresses; their classes are allowed (a lab on loopback, a
 * scan inside a private network). Metadata addresses only with `allowPrivate`.
 */
export function createAddressPolicy(o: { allowPrivate: boolean; targetAddresses: readonly string[]; allowHint?: string }): AddressPolicy {
  const own = new Set(o.targetAddresses.map(addressClass));
  const hint = o.allowHint ?? '--allow-private to allow it';
  return {
    refuses(ip) {
      const cls = addressClass(ip);
      if (cls === 'public' || o.allowPrivate) return null;
      if (cls !== 'metadata' && cls !== 'unspecified' && cls !== 'reserved' && own.has(cls)) return null;
      return `${ip} is a ${cls} address, where the scanned site may not lead the scan (${hint})`;
    },
  };
}

/** Every address allowed: what callers outside a scan (tests, tools) use. */
export const OPEN_POLICY: AddressPolicy = { refuses: () => null };
