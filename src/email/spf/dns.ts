// The one DNS seam of the SPF code: a small injected function, so the probe passes the scan's
// resolver and tests pass an in-memory zone. It never throws; failures are LookupResult 'error'
// and are read as "could not test" (temperror), never as "no record".
import type { DnsRecord, LookupResult } from '../../net/dns/types.js';
import type { Resolver } from '../../net/dns/resolver.js';

/** 'SPF' is the obsolete RR type 99 (RFC 7208 §3.1 / §14.1): queried by the lint only, to note it. */
export type SpfDnsType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'PTR' | 'SPF';

/**
 * One DNS question. For type 'SPF' the answer's records are TXT-shaped (`type: 'TXT'`), since
 * the project's DnsRecord has no separate SPF variant.
 */
export type SpfDns = (name: string, type: SpfDnsType, signal?: AbortSignal) => Promise<LookupResult>;

/** Adapt the scan's Resolver; type-99 answers come back TXT-shaped, as the lint reads them. */
export function spfDnsFromResolver(resolver: Pick<Resolver, 'query'>): SpfDns {
  return async (name, type, signal) => {
    try {
      const r = await resolver.query(name, type, signal);
      if (type !== 'SPF' || r.status !== 'ok') return r;
      return { ...r, records: r.records.map((x) => (x.type === 'SPF' ? { ...x, type: 'TXT' as const } : x)) };
    } catch (err) {
      return { status: 'error', reason: err instanceof Error ? err.message : String(err) };
    }
  };
}

/** Call `dns` and turn a throw or a rejected promise into an 'error' result. */
export async function safeQuery(dns: SpfDns, name: string, type: SpfDnsType, signal?: AbortSignal): Promise<LookupResult> {
  try {
    return await dns(name, type, signal);
  } catch (err) {
    return { status: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
}

/** TXT (or type-SPF) answers, each joined from its character-strings (§3.3). */
export function txtRecords(result: LookupResult): Array<{ text: string; strings: string[] }> {
  if (result.status !== 'ok') return [];
  return result.records.flatMap((r) => (r.type === 'TXT' ? [{ text: r.text, strings: r.strings }] : []));
}

export function addressRecords(result: LookupResult, type: 'A' | 'AAAA'): string[] {
  if (result.status !== 'ok') return [];
  return result.records.flatMap((r) => (r.type === type ? [r.address] : []));
}

export function mxRecords(result: LookupResult): Array<{ preference: number; exchange: string }> {
  if (result.status !== 'ok') return [];
  return result.records.flatMap((r) => (r.type === 'MX' ? [{ preference: r.preference, exchange: r.exchange }] : []));
}

export function ptrRecords(result: LookupResult): string[] {
  if (result.status !== 'ok') return [];
  return result.records.flatMap((r) => (r.type === 'PTR' ? [r.target] : []));
}

/** Lower-case, without one trailing dot. */
export function normalizeDomain(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}

// ---------------------------------------------------------------------------------------------
// An in-memory zone (tests, the lab): the same LookupResult shapes a real resolver returns.

export type MemoryRecord =
  | { type: 'TXT' | 'SPF'; strings: string[] }
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'PTR' | 'CNAME'; target: string }
  /** Every query of this name that has not matched a record before this entry times out. */
  | { type: 'TIMEOUT' };

export type MemoryZone = Record<string, MemoryRecord[]>;

export interface MemoryDns extends SpfDns {
  /** Every question asked, in order. */
  readonly log: Array<{ name: string; type: SpfDnsType }>;
}

const MAX_CNAME_CHAIN = 8;

/**
 * Answers from `zone` (names case-insensitive, trailing dot ignored): an unknown name is
 * NXDOMAIN, a known name without records of the type NODATA, CNAMEs are followed (a loop or a
 * chain longer than 8 is an 'error', like SERVFAIL), and a TIMEOUT entry makes the question an
 * 'error' unless a record of the asked type came before it.
 */
export function createMemoryDns(zone: MemoryZone): MemoryDns {
  const table = new Map<string, MemoryRecord[]>();
  for (const [name, records] of Object.entries(zone)) {
    const key = normalizeDomain(name);
    table.set(key, [...(table.get(key) ?? []), ...records]);
  }
  const log: Array<{ name: string; type: SpfDnsType }> = [];
  const meta = { authenticated: false, server: 'memory', transport: 'udp' as const };

  const answer = (qname: string, type: SpfDnsType, chain: string[]): LookupResult => {
    const name = normalizeDomain(qname);
    const entries = table.get(name);
    if (!entries) return { status: 'nxdomain', ...meta };
    const out: DnsRecord[] = [];
    for (const e of entries) {
      if (e.type === 'TIMEOUT') {
        if (out.length === 0) return { status: 'error', reason: `timeout querying ${name} ${type}` };
        break;
      }
      if (e.type === 'CNAME') {
        if (chain.includes(normalizeDomain(e.target)) || chain.length >= MAX_CNAME_CHAIN) {
          return { status: 'error', reason: `CNAME loop at ${name}`, rcode: 'SERVFAIL' };
        }
        const rest = answer(e.target, type, [...chain, name]);
        const cname: DnsRecord = { type: 'CNAME', name, ttl: 300, target: normalizeDomain(e.target) };
        if (rest.status === 'ok') return { ...rest, records: [cname, ...rest.records] };
        return rest;
      }
      if (e.type !== type) continue;
      switch (e.type) {
        case 'TXT':
        case 'SPF':
          out.push({ type: 'TXT', name, ttl: 300, strings: e.strings, text: e.strings.join('') });
          break;
        case 'A':
        case 'AAAA':
          out.push({ type: e.type, name, ttl: 300, address: e.address });
          break;
        case 'MX':
          out.push({ type: 'MX', name, ttl: 300, preference: e.preference, exchange: normalizeDomain(e.exchange || '.') });
          break;
        case 'PTR':
          out.push({ type: 'PTR', name, ttl: 300, target: normalizeDomain(e.target) });
          break;
      }
    }
    return out.length ? { status: 'ok', records: out, ...meta } : { status: 'nodata', ...meta };
  };

  const fn = (async (name: string, type: SpfDnsType, signal?: AbortSignal): Promise<LookupResult> => {
    log.push({ name, type });
    if (signal?.aborted) return { status: 'error', reason: 'aborted' };
    return answer(name, type, []);
  }) as MemoryDns;
  Object.defineProperty(fn, 'log', { value: log });
  return fn;
}
