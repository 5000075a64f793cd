// The DNSSEC verdict of a zone (secure, insecure, island, unvalidated, bogus, untested) from the
// evidence: pure, apart from the lookups, and read by the findings and by DANE (mx-tls.ts).
import { dsMatchesDnskey } from './dnssec-keys.js';
import { effective, type DnssecAnswer, type DnssecEvidence, type ZoneEvidence, type ZoneRole } from './dnssec-evidence.js';

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
export const FORBIDDEN_ALGORITHMS = new Set([1, 3, 6, 12]);
/** SHA-1 signatures: MUST NOT for signing (RFC 9905 §2; NOT RECOMMENDED in RFC 8624). */
export const SHA1_ALGORITHMS = new Set([5, 7]);
/** DS digests that MUST NOT be created (RFC 8624 §3.3). */
export const WEAK_DS_DIGESTS = new Set([1, 3]);

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
