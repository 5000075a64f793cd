// DNSSEC of a mail domain and of its MX hosts, as seen through one resolver: is the zone signed
// (DNSKEY at its apex), delegated securely (DS in the parent), and are the answers validated (the AD
// bit from a validating resolver, RFC 4035 §3.2.3)? DANE for SMTP (RFC 7672) only works when the MX
// host's zone validates, so each MX host's zone is looked at too.
//
// Two steps, as everywhere: `assessDnssec` does the lookups and keeps what each answer said
// (evidence, no judgement); `dnssecVerdict` and `dnssecFindings` are pure.
//
// Honest semantics:
//  - AD=0 proves nothing by itself: a resolver that does not validate never sets it. When a signed,
//    delegated zone comes back without AD, the zone's ancestors' DNSKEY answers are looked at (up to
//    the root, whose DNSKEY every validating resolver authenticates): if one has AD, the resolver
//    validates and the chain of trust is broken above the zone; if none does, "the resolver did not
//    validate" is all that can be said.
//  - A SERVFAIL to a DO query can be a validation failure (bogus) or a broken server. With a query
//    function that can set CD (checking disabled, RFC 4035 §3.2.2), the question is asked again with
//    CD: an answer then means the data is there but does not validate. Without CD, it stays "could
//    not test", with the reason.
//  - A DS set of which no record matches a DNSKEY of the zone (digest recomputed here, RFC 4034
//    §5.1.4) is bogus whatever the resolver says.
import { createHash } from 'node:crypto';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { encodeWireName } from '../net/dns/svcb.js';
import { normalizeName, type DnsRecord, type LookupResult, type RecordType } from '../net/dns/types.js';
import { mapLimit } from './dns-lookup.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DNSSEC_FINDINGS = {
  valid: 'email.dnssec.valid',
  unsigned: 'email.dnssec.unsigned',
  island: 'email.dnssec.island',
  notValidated: 'email.dnssec.not-validated',
  bogus: 'email.dnssec.bogus',
  weakAlgorithm: 'email.dnssec.weak-algorithm',
  weakDsDigest: 'email.dnssec.weak-ds-digest',
  mxBogus: 'email.dnssec.mx-bogus',
  mxNotSigned: 'email.dnssec.mx-not-signed',
} as const;

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

export interface DnskeyInfo {
  flags: number;
  algorithm: number;
  keyTag: number;
  /** Base64. */
  key: string;
}

export interface DsInfo {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** Lower-case hex. */
  digest: string;
}

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
function effective(a: DnssecAnswer | null): DnssecAnswer | null {
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

// ---------------------------------------------------------------------------------------------
// Key tags and DS digests (RFC 4034 §5.1.4, Appendix B)

/** The key tag of a DNSKEY (RFC 4034 Appendix B; algorithm 1 has its own rule, B.1). */
export function keyTag(flags: number, algorithm: number, key: Buffer, protocol = 3): number {
  if (algorithm === 1) return key.length >= 3 ? key.readUInt16BE(key.length - 3) : 0;
  const rdata = dnskeyRdata(flags, algorithm, key, protocol);
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

function dnskeyRdata(flags: number, algorithm: number, key: Buffer, protocol = 3): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(flags & 0xffff, 0);
  head[2] = protocol;
  head[3] = algorithm;
  return Buffer.concat([head, key]);
}

const DS_HASH: Record<number, string | undefined> = { 1: 'sha1', 2: 'sha256', 4: 'sha384' };

/** The DS digest of a DNSKEY owned by `owner`, or null for a digest type not computed here. */
export function dsDigest(owner: string, dnskey: Pick<DnskeyInfo, 'flags' | 'algorithm' | 'key'>, digestType: number): string | null {
  const hash = DS_HASH[digestType];
  if (!hash) return null;
  const data = Buffer.concat([encodeWireName(normalizeName(owner)), dnskeyRdata(dnskey.flags, dnskey.algorithm, Buffer.from(dnskey.key, 'base64'))]);
  return createHash(hash).update(data).digest('hex');
}

/** Does some DS (of a digest type computed here) match a zone key? null when no DS could be checked. */
export function dsMatchesDnskey(owner: string, ds: readonly DsInfo[], dnskeys: readonly DnskeyInfo[]): boolean | null {
  const checkable = ds.filter((d) => DS_HASH[d.digestType] !== undefined);
  if (checkable.length === 0) return null;
  const zoneKeys = dnskeys.filter((k) => (k.flags & 0x0100) !== 0);
  return checkable.some((d) =>
    zoneKeys.some((k) => k.algorithm === d.algorithm && k.keyTag === d.keyTag && dsDigest(owner, k, d.digestType) === d.digest.toLowerCase()),
  );
}

// ---------------------------------------------------------------------------------------------
// Verdict (pure)

/**
 * secure: validated (AD). insecure: the zone is not signed. island: signed, but no DS in the parent
 * (no chain of trust). unvalidated: signed and delegated, but the answers were not validated (the
 * reason says whether the resolver validates at all). bogus: validation fails. untested: a lookup
 * failed (the reason says which and why).
 */
export type DnssecStatus = 'secure' | 'insecure' | 'island' | 'unvalidated' | 'bogus' | 'untested';

export interface ZoneVerdict {
  name: string;
  role: ZoneRole;
  zone: string | null;
  status: DnssecStatus;
  /** DNSKEY present at the zone apex; null: could not tell. */
  signed: boolean | null;
  /** DS present in the parent; null: could not tell. */
  delegated: boolean | null;
  /** AD set on the zone's SOA and on the data (MX / A) from this resolver; null: no answer to read. */
  validated: boolean | null;
  /** DNSKEY algorithm numbers of the zone keys, sorted. */
  algorithms: number[];
  /** DS digest types in the parent, sorted. */
  dsDigestTypes: number[];
  bogus: boolean;
  /** true: some answer had AD, so the resolver validates; false: not even the root's DNSKEY had it; null: unknown. */
  resolverValidates: boolean | null;
  reason: string;
}

export interface DnssecVerdict extends ZoneVerdict {
  /** The domain has MX records (or MX hosts were given): DNSSEC protects its mail routing. */
  mailDomain: boolean;
  mx: ZoneVerdict[];
}

export const DNSSEC_ALGORITHMS: Readonly<Record<number, string>> = {
  1: 'RSAMD5',
  3: 'DSA',
  5: 'RSASHA1',
  6: 'DSA-NSEC3-SHA1',
  7: 'RSASHA1-NSEC3-SHA1',
  8: 'RSASHA256',
  10: 'RSASHA512',
  12: 'ECC-GOST',
  13: 'ECDSAP256SHA256',
  14: 'ECDSAP384SHA384',
  15: 'ED25519',
  16: 'ED448',
};

export const DS_DIGEST_TYPES: Readonly<Record<number, string>> = { 1: 'SHA-1', 2: 'SHA-256', 3: 'GOST R 34.11-94', 4: 'SHA-384' };

/** MUST NOT for signing and for validation (RFC 8624 §3.1): validators treat such zones as insecure. */
const FORBIDDEN_ALGORITHMS = new Set([1, 3, 6, 12]);
/** SHA-1 signatures: MUST NOT for signing (RFC 9905 §2; NOT RECOMMENDED in RFC 8624). */
const SHA1_ALGORITHMS = new Set([5, 7]);
/** DS digests that MUST NOT be created (RFC 8624 §3.3). */
const WEAK_DS_DIGESTS = new Set([1, 3]);

export function algorithmName(n: number): string {
  return DNSSEC_ALGORITHMS[n] ? `${DNSSEC_ALGORITHMS[n]} (${n})` : `algorithm ${n}`;
}

function describeError(a: DnssecAnswer): string {
  const base = `${a.type} ${a.name}: ${a.reason ?? 'no answer'}`;
  if (a.rcode !== 'SERVFAIL') return base;
  if (a.cd) return `${base}; asked again with CD (checking disabled): ${a.cd.status === 'error' ? (a.cd.reason ?? 'no answer') : a.cd.status}`;
  return `${base} (SERVFAIL to a DO query may be a DNSSEC validation failure or a server failure; they cannot be told apart without the CD bit)`;
}

const sortedUnique = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

export function zoneVerdict(z: ZoneEvidence): ZoneVerdict {
  const base = { name: z.name, role: z.role, zone: z.zone };
  const dnskey = effective(z.dnskey);
  const ds = effective(z.ds);
  const data = effective(z.data);
  const soa = effective(z.apexWalk.at(-1) ?? null);
  const algorithms = sortedUnique((dnskey?.dnskeys ?? []).filter((k) => (k.flags & 0x0100) !== 0).map((k) => k.algorithm));
  const dsDigestTypes = sortedUnique((ds?.ds ?? []).map((d) => d.digestType));
  const signed = dnskey === null || dnskey.status === 'error' ? null : (dnskey.dnskeys?.length ?? 0) > 0;
  const delegated = ds === null || ds.status === 'error' ? null : (ds.ds?.length ?? 0) > 0;

  const answered = [...z.apexWalk, z.dnskey, z.ds, z.data, ...z.ancestors].filter((a): a is DnssecAnswer => a !== null);
  const rescued = answered.filter((a) => a.status === 'error' && a.cd && a.cd.status !== 'error');
  // AD on the zone's own SOA and on the data. A CD answer is never validated.
  const readAd = [soa, data];
  const validated =
    z.zone === null || readAd.some((a) => a === null || a.status === 'error')
      ? null
      : readAd.every((a) => a!.ad === true && a!.cd === undefined);
  const anyAd = answered.some((a) => a.ad === true);
  const lastAncestor = z.ancestors.at(-1);
  const resolverValidates = anyAd ? true : lastAncestor && lastAncestor.name === '.' && lastAncestor.status !== 'error' ? false : null;

  const v = { ...base, signed, delegated, validated, algorithms, dsDigestTypes, resolverValidates };
  const zone = z.zone ?? z.name;

  // Bogus: the resolver refused to answer what it answers with CD, or the DS set matches no key.
  if (rescued.length > 0) {
    const qs = rescued.map((a) => `${a.type} ${a.name}`).join(', ');
    return { ...v, status: 'bogus', bogus: true, validated: false, reason: `the resolver answered SERVFAIL to ${qs} with DNSSEC validation on, and answered with CD (checking disabled): the signatures or the chain of trust do not validate (bogus)` };
  }
  if (signed === false && delegated === true) {
    return { ...v, status: 'bogus', bogus: true, reason: `the parent has DS records for ${zone}, but the zone publishes no DNSKEY: validating resolvers fail every lookup in it (bogus)` };
  }
  if (signed === true && delegated === true) {
    const match = dsMatchesDnskey(zone, ds?.ds ?? [], dnskey?.dnskeys ?? []);
    if (match === false) {
      const dsText = (ds?.ds ?? []).map((d) => `${d.keyTag} ${d.algorithm} ${d.digestType}`).join(', ');
      const keys = (dnskey?.dnskeys ?? []).map((k) => `${k.keyTag}/${k.algorithm}`).join(', ');
      return { ...v, status: 'bogus', bogus: true, reason: `no DS record of ${zone} in the parent (${dsText}) matches a DNSKEY of the zone (key tags ${keys}): the chain of trust is broken (bogus)` };
    }
  }
  const failedWalk = z.apexWalk.find((a) => effective(a)!.status === 'error');
  if (z.zone === null) {
    return { ...v, status: 'untested', bogus: false, reason: failedWalk ? describeError(failedWalk) : `no zone apex (SOA) found for ${z.name} or its parent domains` };
  }
  if (signed === null) return { ...v, status: 'untested', bogus: false, reason: describeError(z.dnskey!) };
  if (validated === true) {
    const note = delegated === false ? ' (the parent has no DS: the resolver must have a trust anchor for the zone)' : '';
    return { ...v, status: 'secure', bogus: false, reason: `the resolver validated the answers for ${z.name} (AD bit set)${note}` };
  }
  if (signed === false) {
    return { ...v, status: 'insecure', bogus: false, reason: `${zone} is not signed (no DNSKEY at the zone apex)` };
  }
  if (delegated === false) {
    return { ...v, status: 'island', bogus: false, reason: `${zone} is signed, but its parent has no DS record for it: no chain of trust leads to the keys, so no resolver can validate them (a DNSSEC island)` };
  }
  if (delegated === null) return { ...v, status: 'untested', bogus: false, reason: describeError(z.ds!) };
  if (validated === null) {
    const failed = [soa, data].find((a) => a !== null && a.status === 'error');
    return { ...v, status: 'untested', bogus: false, reason: failed ? describeError(failed) : 'no answer to read the AD bit from' };
  }
  // Signed, delegated, not validated.
  const algs = algorithms.map(algorithmName).join(', ') || 'unknown';
  if (ds?.ad === true) {
    return { ...v, status: 'unvalidated', bogus: false, reason: `the resolver validated the DS records of ${zone} in the parent but not the zone's answers: it treats the zone as insecure, most likely because it does not accept the zone's algorithm (${algs})` };
  }
  const validatedAncestor = z.ancestors.find((a) => a.ad === true);
  if (validatedAncestor) {
    return { ...v, status: 'unvalidated', bogus: false, reason: `the resolver validates ${validatedAncestor.name} but not the DS records of ${zone}: a zone between them is unsigned or has no DS, so the chain of trust does not reach ${zone}` };
  }
  if (resolverValidates === false) {
    return { ...v, status: 'unvalidated', bogus: false, reason: 'the resolver did not validate (AD bit not set, not even on the root DNSKEY): either it does not validate or the queries did not ask for DNSSEC (DO or AD bit), so whether the zone validates is unknown' };
  }
  return { ...v, status: 'unvalidated', bogus: false, reason: 'the resolver did not validate (AD bit not set); whether it validates at all could not be checked' };
}

export function dnssecVerdict(ev: DnssecEvidence): DnssecVerdict {
  const [first, ...rest] = ev.zones;
  const domainZone: ZoneEvidence = first ?? { name: ev.domain, role: 'domain', apexWalk: [], zone: null, dnskey: null, ds: null, data: null, ancestors: [] };
  const domain = zoneVerdict(domainZone);
  const mxCount = effective(domainZone.data)?.count ?? 0;
  return { ...domain, mailDomain: mxCount > 0 || rest.length > 0, mx: rest.map(zoneVerdict) };
}

// ---------------------------------------------------------------------------------------------
// Findings (pure)

export const DNSSEC_REF = {
  rfc4033: 'RFC 4033 — DNS Security Introduction and Requirements (https://www.rfc-editor.org/rfc/rfc4033)',
  rfc4035: 'RFC 4035 — Protocol Modifications for the DNS Security Extensions (https://www.rfc-editor.org/rfc/rfc4035)',
  rfc6840: 'RFC 6840 — Clarifications and Implementation Notes for DNSSEC (https://www.rfc-editor.org/rfc/rfc6840)',
  rfc8624: 'RFC 8624 — Algorithm Implementation Requirements and Usage Guidance for DNSSEC (https://www.rfc-editor.org/rfc/rfc8624)',
  rfc9905: 'RFC 9905 — Deprecating the Use of SHA-1 in DNSSEC Signature Algorithms (https://www.rfc-editor.org/rfc/rfc9905)',
  rfc9364: 'RFC 9364 — DNS Security Extensions (DNSSEC), BCP 237 (https://www.rfc-editor.org/rfc/rfc9364)',
  rfc7672: 'RFC 7672 — SMTP Security via Opportunistic DANE TLS (https://www.rfc-editor.org/rfc/rfc7672)',
} as const;

function evidenceOf(v: ZoneVerdict): Record<string, unknown> {
  return {
    name: v.name,
    zone: v.zone,
    status: v.status,
    signed: v.signed,
    delegated: v.delegated,
    validated: v.validated,
    algorithms: v.algorithms.map(algorithmName),
    dsDigestTypes: v.dsDigestTypes.map((d) => DS_DIGEST_TYPES[d] ?? `type ${d}`),
    resolverValidates: v.resolverValidates,
    reason: v.reason,
  };
}

/** Findings `email.dnssec.*` for the domain and (grouped) for its MX hosts. */
export function dnssecFindings(v: DnssecVerdict): CheckFinding[] {
  const out: CheckFinding[] = [];
  const evidence = evidenceOf(v);
  const zone = v.zone ?? v.name;
  const core = [DNSSEC_REF.rfc9364, DNSSEC_REF.rfc4033, DNSSEC_REF.rfc4035];
  switch (v.status) {
    case 'secure':
      out.push(finding({ id: DNSSEC_FINDINGS.valid, severity: 'info', title: 'DNSSEC validates', detail: `${v.reason}.`, evidence, remediation: 'None. Keep the DS record at the parent in step with key rollovers.', references: core }));
      break;
    case 'insecure':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.unsigned,
          severity: v.mailDomain ? 'medium' : 'low',
          title: 'The domain is not DNSSEC-signed',
          detail: `${v.reason}: its MX, SPF, DMARC and TLSA answers can be forged or stripped on the way to a sending server, and DANE cannot be used.`,
          evidence,
          remediation: `Sign ${zone} (most DNS hosts offer automatic signing with ECDSAP256SHA256) and publish the DS record at the registrar.`,
          references: [...core, DNSSEC_REF.rfc7672],
        }),
      );
      break;
    case 'island':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.island,
          severity: 'medium',
          title: 'DNSSEC-signed, but no DS record at the parent',
          detail: `${v.reason}. Resolvers treat the zone as unsigned.`,
          evidence,
          remediation: `Publish the DS record of ${zone}'s key-signing key at the registrar (the parent zone).`,
          references: core,
        }),
      );
      break;
    case 'unvalidated':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.notValidated,
          severity: v.resolverValidates === true ? 'medium' : 'info',
          title: v.resolverValidates === true ? 'DNSSEC signed but not validatable' : 'DNSSEC validation could not be confirmed',
          detail: `${zone} has DNSKEY and DS records, but ${v.reason}.`,
          evidence,
          remediation:
            v.resolverValidates === true
              ? 'Make sure every zone from the signed parent down has a DS record, and sign with an algorithm validators accept (ECDSAP256SHA256, ED25519, RSASHA256).'
              : 'Re-run the scan with a validating resolver (--dns) to learn whether the zone validates.',
          references: [...core, DNSSEC_REF.rfc6840],
        }),
      );
      break;
    case 'bogus':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.bogus,
          severity: 'high',
          title: 'DNSSEC validation fails (bogus)',
          detail: `${v.reason}. Validating resolvers answer SERVFAIL for the domain: mail to it is deferred or bounced by senders behind them.`,
          evidence,
          remediation: 'Fix the chain of trust: the DS at the parent must match a published DNSKEY, and signatures must be current (re-sign, or replace the DS).',
          references: core,
        }),
      );
      break;
    case 'untested':
      out.push(untestedFinding('email.dnssec', 'DNSSEC', v.reason, evidence, core, 'Re-run the scan; if this persists, check the zone with another resolver.'));
      break;
  }
  out.push(...algorithmFindings(v, evidence));
  out.push(...mxFindings(v));
  return out;
}

function algorithmFindings(v: ZoneVerdict, evidence: Record<string, unknown>): CheckFinding[] {
  if (v.status === 'untested' || v.status === 'insecure') return [];
  const out: CheckFinding[] = [];
  const zone = v.zone ?? v.name;
  const forbidden = v.algorithms.filter((a) => FORBIDDEN_ALGORITHMS.has(a));
  const sha1 = v.algorithms.filter((a) => SHA1_ALGORITHMS.has(a));
  const weak = [...forbidden, ...sha1];
  if (weak.length > 0) {
    const onlyWeak = weak.length === v.algorithms.length;
    const why = forbidden.length
      ? `${forbidden.map(algorithmName).join(', ')} MUST NOT be used for signing or validation (RFC 8624 §3.1)`
      : `SHA-1 signature algorithms (${sha1.map(algorithmName).join(', ')}) MUST NOT be used for signing, and validators are told to treat them as unsupported (RFC 9905 §2)`;
    out.push(
      finding({
        id: DNSSEC_FINDINGS.weakAlgorithm,
        severity: forbidden.length > 0 || onlyWeak ? 'medium' : 'low',
        title: 'DNSSEC keys use a deprecated algorithm',
        detail: `${zone} is signed with ${v.algorithms.map(algorithmName).join(', ')}: ${why}.${onlyWeak ? ' With no other algorithm, validators that drop it treat the zone as unsigned.' : ''}`,
        evidence,
        remediation: 'Roll the zone to ECDSAP256SHA256 (13) or ED25519 (15), following an algorithm rollover (RFC 6781 §4.1.4), then update the DS at the parent.',
        references: [DNSSEC_REF.rfc8624, DNSSEC_REF.rfc9905],
      }),
    );
  }
  const weakDigests = v.dsDigestTypes.filter((d) => WEAK_DS_DIGESTS.has(d));
  if (weakDigests.length > 0) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.weakDsDigest,
        severity: 'low',
        title: 'DS records use a deprecated digest',
        detail: `The parent's DS records for ${zone} use ${weakDigests.map((d) => DS_DIGEST_TYPES[d]).join(', ')}, which MUST NOT be used to create DS records (RFC 8624 §3.3).`,
        evidence,
        remediation: 'Publish a SHA-256 (digest type 2) DS record at the registrar and remove the SHA-1 one.',
        references: [DNSSEC_REF.rfc8624],
      }),
    );
  }
  return out;
}

/** One finding per kind of problem across MX hosts outside the domain's own zone. */
function mxFindings(v: DnssecVerdict): CheckFinding[] {
  const others = v.mx.filter((m) => m.zone === null || m.zone !== v.zone);
  const by = (pred: (m: ZoneVerdict) => boolean): ZoneVerdict[] => others.filter(pred);
  const hostsText = (ms: ZoneVerdict[]): string => ms.map((m) => `${m.name} (${m.reason})`).join('; ');
  const ev = (ms: ZoneVerdict[]): Record<string, unknown> => ({ hosts: ms.map(evidenceOf) });
  const refs = [DNSSEC_REF.rfc7672, DNSSEC_REF.rfc4035];
  const out: CheckFinding[] = [];
  const bogus = by((m) => m.status === 'bogus');
  if (bogus.length) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.mxBogus,
        severity: 'high',
        title: 'DNSSEC validation fails for an MX host',
        detail: `${hostsText(bogus)}. Senders behind validating resolvers cannot resolve the host and defer the mail.`,
        evidence: ev(bogus),
        remediation: "Fix the MX host zone's chain of trust (DS matching a DNSKEY, current signatures), or use MX hosts in a zone that validates.",
        references: refs,
      }),
    );
  }
  const notSecure = by((m) => m.status === 'insecure' || m.status === 'island' || (m.status === 'unvalidated' && m.resolverValidates === true));
  if (notSecure.length) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.mxNotSigned,
        severity: 'low',
        title: 'MX host zone does not validate with DNSSEC',
        detail: `${hostsText(notSecure)}. DANE TLSA records for these hosts cannot be trusted, so delivery to them cannot be protected with DANE (RFC 7672).`,
        evidence: ev(notSecure),
        remediation: 'Host mail on names in a DNSSEC-signed, securely delegated zone to allow DANE for SMTP.',
        references: refs,
      }),
    );
  }
  const unknown = by((m) => m.status === 'untested' || (m.status === 'unvalidated' && m.resolverValidates !== true));
  if (unknown.length) {
    out.push(untestedFinding('email.dnssec.mx', 'DNSSEC of MX hosts', hostsText(unknown), ev(unknown), refs, 'Re-run the scan with a validating resolver (--dns).'));
  }
  return out;
}
