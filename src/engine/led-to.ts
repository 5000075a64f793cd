// Resolving a host the scanned site led the scan to, under the address policy (see
// src/net/address-policy.ts): the one place where a probe learns whether it may follow.
import { isIP } from 'node:net';
import type { AddressPolicy } from '../net/address-policy.js';
import type { Resolver } from '../net/dns/resolver.js';
import type { LedTo } from './probe.js';

/** `host`'s address under the policy: the first allowed one (IPv4 first), or why none is. */
export async function ledTo(host: string, resolver: Resolver, policy: AddressPolicy, signal: AbortSignal): Promise<LedTo> {
  const bare = host.replace(/^\[|\]$/g, '');
  const r = isIP(bare) ? { status: 'ok' as const, addresses: [{ address: bare, family: isIP(bare) === 6 ? 6 : 4 }] } : await resolver.addresses(bare, signal);
  if (r.status !== 'ok') return { ok: false, reason: `${bare} does not resolve: ${r.reason}`, refused: false, absent: r.status !== 'error' };
  const allowed = r.addresses.filter((a) => policy.refuses(a.address) === null);
  const pick = allowed.find((a) => a.family === 4) ?? allowed[0];
  if (pick) return { ok: true, address: pick.address };
  const first = r.addresses[0];
  return first ? { ok: false, reason: policy.refuses(first.address)!, refused: true, absent: false } : { ok: false, reason: `${bare} has no address`, refused: false, absent: true };
}

