// The lookups behind a DNSSEC verdict: the query function (DO, CD) and the evidence of each zone
// (apex, DNSKEY, DS, the data, ancestors), kept as answered. The only DNSSEC module that does I/O.
import { normalizeName, type DnsRecord, type LookupResult, type RecordType } from '../net/dns/types.js';
import { mapLimit } from './dns-lookup.js';
import { keyTag, type DnskeyInfo, type DsInfo } from './dnssec-keys.js';

// ---------------------------------------------------------------------------------------------
// The query function

export interface DnssecQueryOptions {
  signal?: AbortSignal;
  /** Set the EDNS DO bit (RFC 3225), so a validating resolver sets AD on validated answers. */
  dnssecOk?: boolean;
  /** Set CD (checking disabled): the resolver answers without validating. */
  checkingDisabled?: boolean;
}

/** One DNS question through the resolver under test; like `Resolver.query`, never throws by contract. */
export type DnssecQuery = (name: string, type: RecordType, opts: DnssecQueryOptions) => Promise<LookupResult>;

/** A DnsClient (src/net/dns/client.ts) as a DnssecQuery: DO and CD are passed on. */
export function dnssecQueryFromClient(client: {
  query(name: string, type: RecordType, opts?: { signal?: AbortSignal; dnssecOk?: boolean; checkingDisabled?: boolean }): Promise<LookupResult>;
}): DnssecQuery {
  return (name, type, opts) => client.query(name, type, { signal: opts.signal, dnssecOk: opts.dnssecOk, ...(opts.checkingDisabled ? { checkingDisabled: true } : {}) });
}

/** The scan's Resolver (src/net/dns/resolver.ts) as a DnssecQuery: DO and CD are passed on. */
export function dnssecQueryFromResolver(resolver: {
  query(name: string, type: RecordType, signal?: AbortSignal, opts?: { dnssecOk?: boolean; checkingDisabled?: boolean }): Promise<LookupResult>;
}): DnssecQuery {
  return (name, type, opts) => resolver.query(name, type, opts.signal, { dnssecOk: opts.dnssecOk, ...(opts.checkingDisabled ? { checkingDisabled: true } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Evidence

/** What one question got. */
export interface DnssecAnswer {
  name: string;
  type: RecordType;
  status: LookupResult['status'];
  /** The AD bit; null when there was no answer. */
  ad: boolean | null;
  /** Set on errors: the resolver's RCODE when it gave one (SERVFAIL …), and the client's reason. */
  rcode?: string;
  reason?: string;
  /** The same question asked again with CD=1, after a SERVFAIL (only when the query function can set CD). */
  cd?: DnssecAnswer;
  /** SOA answers: the owner of the SOA record (the zone apex when it is the name asked). */
  soaOwner?: string;
  dnskeys?: DnskeyInfo[];
  ds?: DsInfo[];
  /** Records of the asked type in the answer (MX, A …); MX: null MX records not counted. */
  count?: number;
}

export interface ZoneEvidence {
  /** The name looked at: the mail domain, an MX host, or the TLSA name of an MX host. */
  name: string;
  role: ZoneRole;
  /** SOA questions from `name` upward until one names its own zone apex. */
  apexWalk: DnssecAnswer[];
  /** The zone apex holding `name`; null when none was found. */
  zone: string | null;
  dnskey: DnssecAnswer | null;
  ds: DnssecAnswer | null;
  /** The data itself: MX of the domain, A of an MX host, TLSA of a TLSA name. */
  data: DnssecAnswer | null;
  /** DNSKEY of the zone's ancestors (parent first), asked only when nothing else had AD set. */
  ancestors: DnssecAnswer[];
}

export interface DnssecEvidence {
  domain: string;
  /** Whether the query function could set CD (so a SERVFAIL could be retried without validation). */
  checkingDisabled: boolean;
  /** The domain first, then one entry per MX host. */
  zones: ZoneEvidence[];
}

export interface AssessDnssecOptions {
  signal?: AbortSignal;
  /** MX hosts of the domain: each host's zone is assessed too (DANE needs it to validate). */
  mxHosts?: readonly string[];
  /** The query function honours `checkingDisabled`: SERVFAIL answers are retried with CD. */
  checkingDisabled?: boolean;
}

/** More MX hosts than any domain needs; the rest are not looked at. */
export const MAX_MX_HOSTS = 10;
/** How far the apex search and the ancestor probe climb. */
const MAX_WALK = 12;

/** Look up what DNSSEC needs for `domain` (and its MX hosts). Never throws. */
export async function assessDnssec(domain: string, query: DnssecQuery, opts: AssessDnssecOptions = {}): Promise<DnssecEvidence> {
  const cdCapable = opts.checkingDisabled ?? false;
  const memo = new Map<string, Promise<DnssecAnswer>>();
  const ask = (name: string, type: RecordType): Promise<DnssecAnswer> => {
    const key = `${name}|${type}`;
    let p = memo.get(key);
    if (!p) {
      p = askOnce(query, name, type, cdCapable, opts.signal);
      memo.set(key, p);
    }
    return p;
  };
  const name = normalizeName(domain);
  const hosts = [...new Set((opts.mxHosts ?? []).map(normalizeName))].filter((h) => h !== '.' && h !== name).slice(0, MAX_MX_HOSTS);
  const zones = await mapLimit([name, ...hosts], 4, (n, i) => assessName(n, i === 0 ? 'domain' : 'mx', ask));
  return { domain: name, checkingDisabled: cdCapable, zones };
}

async function askOnce(query: DnssecQuery, name: string, type: RecordType, cdCapable: boolean, signal?: AbortSignal): Promise<DnssecAnswer> {
  const first = await safeQuery(query, name, type, { signal, dnssecOk: true });
  if (first.status === 'error' && first.rcode === 'SERVFAIL' && cdCapable && !signal?.aborted) {
    first.cd = await safeQuery(query, name, type, { signal, dnssecOk: true, checkingDisabled: true });
  }
  return first;
}

async function safeQuery(query: DnssecQuery, name: string, type: RecordType, opts: DnssecQueryOptions): Promise<DnssecAnswer> {
  if (opts.signal?.aborted) return { name, type, status: 'error', ad: null, reason: 'aborted' };
  let result: LookupResult;
  try {
    result = await query(name, type, opts);
  } catch (err) {
    result = { status: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
  return summarize(name, type, result);
}

function summarize(name: string, type: RecordType, r: LookupResult): DnssecAnswer {
  if (r.status === 'error') {
    return r.rcode === undefined
      ? { name, type, status: 'error', ad: null, reason: r.reason }
      : { name, type, status: 'error', ad: null, rcode: r.rcode, reason: r.reason };
  }
  const out: DnssecAnswer = { name, type, status: r.status, ad: r.authenticated };
  if (r.status !== 'ok') return out;
  const records = r.records.filter((rec) => rec.type === type);
  // A null MX (RFC 7505, exchange ".") says the domain takes no mail: it does not count.
  out.count = type === 'MX' ? records.filter((rec) => rec.type === 'MX' && rec.exchange !== '.' && rec.exchange !== '').length : records.length;
  if (type === 'SOA') out.soaOwner = records[0]?.name;
  if (type === 'DNSKEY') out.dnskeys = records.flatMap((rec) => (rec.type === 'DNSKEY' && rec.name === name ? [dnskeyInfo(rec)] : []));
  if (type === 'DS') {
    out.ds = records.flatMap((rec) =>
      rec.type === 'DS' && rec.name === name ? [{ keyTag: rec.keyTag, algorithm: rec.algorithm, digestType: rec.digestType, digest: rec.digest.toLowerCase() }] : [],
    );
  }
  return out;
}

function dnskeyInfo(rec: Extract<DnsRecord, { type: 'DNSKEY' }>): DnskeyInfo {
  return { flags: rec.flags, algorithm: rec.algorithm, keyTag: keyTag(rec.flags, rec.algorithm, Buffer.from(rec.key, 'base64')), key: rec.key };
}

function parentOf(name: string): string | null {
  if (name === '.') return null;
  const dot = name.indexOf('.');
  return dot < 0 ? '.' : name.slice(dot + 1);
}

type Ask = (name: string, type: RecordType) => Promise<DnssecAnswer>;

/** The answer to use for reading records: the CD retry when the first try failed and it answered. */
export function effective(a: DnssecAnswer | null): DnssecAnswer | null {
  return a && a.status === 'error' && a.cd ? a.cd : a;
}

/** What a name is to the mail domain, and so which data is read under it. */
export type ZoneRole = 'domain' | 'mx' | 'tlsa';
const DATA_TYPE: Readonly<Record<ZoneRole, RecordType>> = { domain: 'MX', mx: 'A', tlsa: 'TLSA' };

/**
 * The DNSSEC evidence of one name's zone (apex, DNSKEY, DS, the name's own data, and the ancestors'
 * DNSKEY when nothing was authenticated): what DANE needs to know whether a TLSA answer without AD
 * comes from an unsigned zone or from a resolver that does not validate. Never throws.
 */
export async function assessZone(name: string, role: ZoneRole, query: DnssecQuery, opts: { signal?: AbortSignal; checkingDisabled?: boolean } = {}): Promise<ZoneEvidence> {
  const memo = new Map<string, Promise<DnssecAnswer>>();
  const ask: Ask = (n, type) => {
    const key = `${n}|${type}`;
    let p = memo.get(key);
    if (!p) {
      p = askOnce(query, n, type, opts.checkingDisabled ?? false, opts.signal);
      memo.set(key, p);
    }
    return p;
  };
  return assessName(normalizeName(name), role, ask);
}

async function assessName(name: string, role: ZoneRole, ask: Ask): Promise<ZoneEvidence> {
  const ev: ZoneEvidence = { name, role, apexWalk: [], zone: null, dnskey: null, ds: null, data: null, ancestors: [] };
  // The zone apex: the closest enclosing name whose SOA is its own. Not past the top-level domain.
  for (let n: string | null = name, i = 0; n && n !== '.' && i < MAX_WALK; n = parentOf(n), i++) {
    const soa = await ask(n, 'SOA');
    ev.apexWalk.push(soa);
    const eff = effective(soa)!;
    if (eff.status === 'error') return ev;
    if (eff.status === 'ok' && eff.soaOwner === n) {
      ev.zone = n;
      break;
    }
  }
  if (ev.zone === null) return ev;
  const zone = ev.zone;
  [ev.dnskey, ev.ds, ev.data] = await Promise.all([ask(zone, 'DNSKEY'), ask(zone, 'DS'), ask(name, DATA_TYPE[role])]);

  // Nothing authenticated and the zone is signed: does this resolver validate at all?
  const seen = [...ev.apexWalk, ev.dnskey, ev.ds, ev.data];
  const signed = (effective(ev.dnskey)?.dnskeys?.length ?? 0) > 0;
  const rescued = seen.some((a) => a.status === 'error' && a.cd && a.cd.status !== 'error');
  if (signed && !rescued && !seen.some((a) => a.ad === true)) {
    for (let n = parentOf(zone), i = 0; n !== null && i < MAX_WALK; n = parentOf(n), i++) {
      const a = await ask(n, 'DNSKEY');
      ev.ancestors.push(a);
      if (a.status === 'error' || a.ad === true) break;
    }
  }
  return ev;
}
