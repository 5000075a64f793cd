// A DNS cache shared by every target of a batch: the MX hosts of a thousand domains on one mail
// provider, or their common name servers' answers, are asked once. Bounded (least recently used
// entries go first) and short-lived, so a long batch neither grows without end nor judges a
// domain by an answer from an hour ago. Failures are never kept: a timeout or SERVFAIL seen by one
// target is asked again by the next.
//
// Each target still wraps this in its own memo (memo-resolver.ts) under its own deadline: the
// shared lookup runs without any one target's signal (the resolver's own timeouts bound it), and
// each caller stops waiting when its own signal aborts, so one target's deadline never fails the
// lookup for the others.
import { raceAbort, type AddressResult, type DnssecBits, type Resolver } from './resolver.js';
import type { LookupResult, RecordType } from './types.js';

export interface SharedDnsCacheOptions {
  /** Entries kept at most (addresses and record lookups together). */
  maxEntries?: number;
  /** How long an answer is reused, in ms. */
  ttlMs?: number;
  now?: () => number;
}

export interface SharedDnsCache extends Resolver {
  /** Lookups answered from the cache (or joined while in flight) and lookups sent, for diagnostics. */
  stats(): { hits: number; misses: number; size: number };
}

export const DEFAULT_DNS_CACHE_ENTRIES = 10_000;
export const DEFAULT_DNS_CACHE_TTL_MS = 5 * 60_000;

interface Entry<R> {
  value: Promise<R>;
  expires: number;
}

/** What a caller whose own signal fired gets (the resolvers' answer for an aborted lookup). */
const ABORTED = { status: 'error', reason: 'aborted' } as const;

export function sharedDnsCache(resolver: Resolver, opts: SharedDnsCacheOptions = {}): SharedDnsCache {
  const maxEntries = opts.maxEntries ?? DEFAULT_DNS_CACHE_ENTRIES;
  const ttlMs = opts.ttlMs ?? DEFAULT_DNS_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  // One map for both kinds: a Map iterates in insertion order, so re-inserting on a hit makes the
  // first key the least recently used.
  const entries = new Map<string, Entry<AddressResult | LookupResult>>();
  let hits = 0;
  let misses = 0;

  function cached<R extends AddressResult | LookupResult>(key: string, ask: () => Promise<R>): Promise<R> {
    const hit = entries.get(key);
    entries.delete(key);
    if (hit && hit.expires > now()) {
      hits++;
      entries.set(key, hit);
      return hit.value as Promise<R>;
    }
    misses++;
    const t = now();
    // Expired answers at the front go now (the first entries are the oldest, so mostly the first to
    // expire): a long batch keeps what ttlMs of lookups hold, not maxEntries stale answers.
    for (const [k, e] of entries) {
      if (e.expires > t) break;
      entries.delete(k);
    }
    const value = ask();
    const entry: Entry<R> = { value, expires: t + ttlMs };
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    // An error is only this moment's: forget it once known (unless a newer entry replaced it).
    void value.then((r) => {
      if (r.status === 'error' && entries.get(key) === entry) entries.delete(key);
    });
    return value;
  }

  return {
    description: resolver.description,
    addresses(host: string, signal?: AbortSignal): Promise<AddressResult> {
      const value = cached(`a|${host.toLowerCase()}`, () => resolver.addresses(host));
      return raceAbort<AddressResult>(value, signal, ABORTED);
    },
    query(name: string, type: RecordType, signal?: AbortSignal, bits: DnssecBits = {}): Promise<LookupResult> {
      const key = `q|${name.toLowerCase()}|${type}|${bits.dnssecOk ? 'do' : ''}|${bits.checkingDisabled ? 'cd' : ''}`;
      const value = cached(key, () => resolver.query(name, type, undefined, bits));
      return raceAbort<LookupResult>(value, signal, ABORTED);
    },
    stats: () => ({ hits, misses, size: entries.size }),
  };
}
