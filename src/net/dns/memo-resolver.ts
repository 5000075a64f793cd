// One target's view of the resolver: each distinct question is asked once and its answer shared,
// so probes that need the same records (the MX set for the mail records, the MX transport and
// DNSSEC; MX host addresses) do not repeat the lookups. Scoped to one target's scan: answers never
// outlive it.
import type { AddressResult, DnssecBits, Resolver } from './resolver.js';
import type { LookupResult, RecordType } from './types.js';

export function memoizeResolver(resolver: Resolver): Resolver {
  const queries = new Map<string, Promise<LookupResult>>();
  const addresses = new Map<string, Promise<AddressResult>>();
  return {
    description: resolver.description,
    addresses(host, signal) {
      const key = host.toLowerCase();
      let p = addresses.get(key);
      if (!p) addresses.set(key, (p = resolver.addresses(host, signal)));
      return p;
    },
    query(name: string, type: RecordType, signal?: AbortSignal, opts: DnssecBits = {}) {
      const key = `${name.toLowerCase()}|${type}|${opts.dnssecOk ? 'do' : ''}|${opts.checkingDisabled ? 'cd' : ''}`;
      let p = queries.get(key);
      if (!p) queries.set(key, (p = resolver.query(name, type, signal, opts)));
      return p;
    },
  };
}
