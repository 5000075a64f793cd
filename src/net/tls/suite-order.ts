// The order in which suites are offered when probing. Suites that real servers implement (those
// OpenSSL knows) come first, so the first bundle of 128 nearly always decides and later bundles are
// only sent for servers that really have exotic suites.
import { suitesForProtocol, type TlsProtocol } from './registry/index.js';

export const MAX_SUITES_PER_HELLO = 128;

const cache = new Map<TlsProtocol, readonly number[]>();

export function probeOrder(p: TlsProtocol): readonly number[] {
  let order = cache.get(p);
  if (!order) {
    const all = suitesForProtocol(p);
    order = [...all.filter((s) => s.opensslName !== null), ...all.filter((s) => s.opensslName === null)].map((s) => s.code);
    cache.set(p, order);
  }
  return order;
}

/** Split into hellos of at most MAX_SUITES_PER_HELLO suites. */
export function bundles(codes: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < codes.length; i += MAX_SUITES_PER_HELLO) out.push(codes.slice(i, i + MAX_SUITES_PER_HELLO));
  return out;
}
