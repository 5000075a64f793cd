/**
 * The resolver every probe uses: either one explicit DNS server (--dns, the lab) or the
 * operating system's resolver, so /etc/hosts pins behave as they do for curl.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import { DnsClient } from './client.js';
import type { DnsRateLimiter } from './rate-limit.js';
import { parseServerSpec, systemDnsServers } from './system.js';
import { formatServer, normalizeName, type DnsServerAddress, type LookupResult, type RecordType } from './types.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type AddressResult =
  | { status: 'ok'; addresses: ResolvedAddress[] }
  | { status: 'nxdomain' | 'nodata'; reason: string }
  | { status: 'error'; reason: string };

export interface Resolver {
  /** "system resolver" or "DNS server 127.0.0.1:5353". */
  readonly description: string;
  /** Every A and AAAA address of `host`; IP literals come back as-is. */
  addresses(host: string, signal?: AbortSignal): Promise<AddressResult>;
  /** `opts` sets the DNSSEC bits (DO, CD) for checks that need them. */
  query(name: string, type: RecordType, signal?: AbortSignal, opts?: DnssecBits): Promise<LookupResult>;
}

export interface DnssecBits {
  dnssecOk?: boolean;
  checkingDisabled?: boolean;
}

export interface ResolverOptions {
  server?: DnsServerAddress;
  timeoutMs?: number;
  retries?: number;
  /** Queries per second per DNS server, shared with other resolvers given the same limiter. */
  rateLimit?: DnsRateLimiter | null;
}

/** The rate-limit key of the OS resolver's getaddrinfo lookups (their servers are not ours to see). */
export const SYSTEM_LOOKUP_KEY = 'system';

/** Parse a --dns value. Throws Error with a one-line message on bad input. */
export function parseDnsServer(spec: string): DnsServerAddress {
  const parsed = parseServerSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function createResolver(opts: ResolverOptions): Resolver {
  return opts.server ? new ServerResolver(opts.server, opts) : new SystemResolver(opts);
}

/** An IP literal (optionally bracketed) short-circuits resolution. */
function literal(host: string): AddressResult | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  return family === 0 ? null : { status: 'ok', addresses: [{ address: bare, family: family as 4 | 6 }] };
}

class ServerResolver implements Resolver {
  readonly description: string;
  private readonly client: DnsClient;

  constructor(server: DnsServerAddress, opts: ResolverOptions) {
    this.description = `DNS server ${formatServer(server)}`;
    this.client = new DnsClient({ servers: [server], timeoutMs: opts.timeoutMs, retries: opts.retries, rateLimit: opts.rateLimit });
  }

  async addresses(host: string, signal?: AbortSignal): Promise<AddressResult> {
    const lit = literal(host);
    if (lit) return lit;
    const name = normalizeName(host);
    const [a, aaaa] = await Promise.all([
      this.client.query(name, 'A', { signal }),
      this.client.query(name, 'AAAA', { signal }),
    ]);
    return combineAddressLookups(name, a, aaaa, this.description);
  }

  query(name: string, type: RecordType, signal?: AbortSignal, opts: DnssecBits = {}): Promise<LookupResult> {
    return this.client.query(name, type, { signal, ...opts });
  }
}

/**
 * Merge parallel A and AAAA lookups: any address wins; A's NXDOMAIN is trusted; otherwise an
 * error on either side means "could not resolve", never "no addresses".
 */
export function combineAddressLookups(name: string, a: LookupResult, aaaa: LookupResult, via: string): AddressResult {
  const addresses: ResolvedAddress[] = [];
  for (const r of [a, aaaa]) {
    if (r.status !== 'ok') continue;
    for (const rec of r.records) {
      if (rec.type === 'A' || rec.type === 'AAAA') addresses.push({ address: rec.address, family: rec.type === 'A' ? 4 : 6 });
    }
  }
  if (addresses.length > 0) return { status: 'ok', addresses };
  if (a.status === 'nxdomain') return { status: 'nxdomain', reason: `${name} does not exist (NXDOMAIN from ${via})` };
  const errors = [
    a.status === 'error' ? `A: ${a.reason}` : null,
    aaaa.status === 'error' ? `AAAA: ${aaaa.reason}` : null,
  ].filter((e): e is string => e !== null);
  if (errors.length > 0) {
    if ([a, aaaa].some((r) => r.status === 'error' && r.reason === 'aborted')) return { status: 'error', reason: 'aborted' };
    return { status: 'error', reason: `could not resolve ${name}: ${errors.join('; ')}` };
  }
  if (aaaa.status === 'nxdomain') return { status: 'nxdomain', reason: `${name} does not exist (NXDOMAIN from ${via})` };
  return { status: 'nodata', reason: `${name} has no A or AAAA records (${via})` };
}

class SystemResolver implements Resolver {
  readonly description = 'system resolver';
  private client: DnsClient | undefined;

  constructor(private readonly opts: ResolverOptions) {}

  addresses(host: string, signal?: AbortSignal): Promise<AddressResult> {
    const lit = literal(host);
    if (lit) return Promise.resolve(lit);
    const name = normalizeName(host);
    const limit = this.opts.rateLimit;
    const lookup = limit ? limit.wait(SYSTEM_LOOKUP_KEY, signal).then(() => (signal?.aborted ? ABORTED_LOOKUP : lookupAll(name))) : lookupAll(name);
    return raceAbort(lookup, signal, ABORTED_LOOKUP);
  }

  query(name: string, type: RecordType, signal?: AbortSignal, opts: DnssecBits = {}): Promise<LookupResult> {
    // Read the servers on first use, not at construction, so a later dns.setServers() counts.
    this.client ??= new DnsClient({ servers: systemDnsServers(), timeoutMs: this.opts.timeoutMs, retries: this.opts.retries, rateLimit: this.opts.rateLimit });
    return this.client.query(name, type, { signal, ...opts });
  }
}

const ABORTED_LOOKUP: AddressResult = { status: 'error', reason: 'aborted' };

/** getaddrinfo via dns.lookup; its error codes mapped to our statuses. Never rejects. */
async function lookupAll(name: string): Promise<AddressResult> {
  try {
    const found = await dns.promises.lookup(name, { all: true, verbatim: true });
    if (found.length === 0) return { status: 'nodata', reason: `${name} has no addresses (system resolver)` };
    return { status: 'ok', addresses: found.map((f) => ({ address: f.address, family: f.family === 6 ? 6 : 4 })) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code === 'ENOTFOUND') return { status: 'nxdomain', reason: `${name} does not exist (system resolver: ${code})` };
    if (code === 'ENODATA') return { status: 'nodata', reason: `${name} has no addresses (system resolver: ${code})` };
    return { status: 'error', reason: `could not resolve ${name} (system resolver: ${code})` };
  }
}

/**
 * getaddrinfo cannot be cancelled, so abort just stops waiting for it; the lookup itself
 * finishes in the background (lookupAll never rejects, so nothing goes unhandled).
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: T): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(onAbort);
  return new Promise<T>((resolve) => {
    const abort = (): void => resolve(onAbort);
    signal.addEventListener('abort', abort, { once: true });
    void work.then((v) => {
      signal.removeEventListener('abort', abort);
      resolve(v);
    });
  });
}
