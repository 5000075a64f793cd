// What every target of one run shares — a batch, a worker process, a monitor: the connection limits,
// one DNS cache per DNS server (under one query-rate limit), the work several targets would repeat
// (an MX host many domains name), the trust store and the reference data. Each command builds one
// and scans every target through it, so a list, a queue and a schedule scan alike.
import type { ReferenceData } from '../data/reference.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import type { DnsRateLimiter } from '../net/dns/rate-limit.js';
import { createResolver } from '../net/dns/resolver.js';
import { sharedDnsCache, type SharedDnsCache } from '../net/dns/shared-cache.js';
import { formatServer, type DnsServerAddress } from '../net/dns/types.js';
import type { TrustStore } from '../trust/store.js';
import type { Limits } from './limits.js';
import { scanTarget, type ScanOptions } from './scan.js';
import { createSharedWork, type SharedWork } from './shared-work.js';

export interface RunEngineOptions {
  trust: TrustStore;
  reference: ReferenceData;
  limits: Limits;
  /** DNS queries per second to each DNS server (null: no cap). */
  dnsRate: DnsRateLimiter | null;
  /** How long shared work is read by later targets (default DEFAULT_SHARED_TTL_MS). */
  sharedTtlMs?: number;
}

/** A target's own options: everything but what the run shares. */
export type TargetScanOptions = Omit<ScanOptions, 'resolver' | 'trust' | 'reference' | 'limits' | 'shared'> & {
  /** --dns of the target (its own resolver), or null for the system's. */
  dns: DnsServerAddress | null;
};

export interface RunEngine {
  scan(target: Target, opts: TargetScanOptions): Promise<Report>;
  /** The cache of one DNS server (null: the system resolver), made on first use. */
  resolverFor(dns: DnsServerAddress | null): SharedDnsCache;
  readonly limits: Limits;
  readonly shared: SharedWork;
}

export function createRunEngine(o: RunEngineOptions): RunEngine {
  const resolvers = new Map<string, SharedDnsCache>();
  const shared = createSharedWork(o.sharedTtlMs !== undefined ? { ttlMs: o.sharedTtlMs } : {});
  const resolverFor = (dns: DnsServerAddress | null): SharedDnsCache => {
    const key = dns ? formatServer(dns) : 'system';
    let r = resolvers.get(key);
    if (!r) resolvers.set(key, (r = sharedDnsCache(createResolver(dns ? { server: dns, rateLimit: o.dnsRate } : { rateLimit: o.dnsRate }))));
    return r;
  };
  return {
    limits: o.limits,
    shared,
    resolverFor,
    scan: (target, { dns, ...opts }) =>
      scanTarget(target, { ...opts, resolver: resolverFor(dns), trust: o.trust, reference: o.reference, limits: o.limits, shared }),
  };
}
