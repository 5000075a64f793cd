// DMARC policy discovery (RFC 7489 §6.6.3), the external report-destination authorisation (§7.1)
// and the report's `email.dmarc` object: the DNS side of DMARC, apart from the record parser and the findings.
import type { EmailResult } from '../model/report.js';
import { lookupTxt, mapLimit, organizationalDomain, type RecordStatus, type TxtLookup } from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';
import { isDmarcRecord, looksLikeDmarcRecord, parseDmarcRecord, type DmarcPolicy, type ParsedDmarcRecord } from './dmarc-record.js';

/** The external-destination authorisation check of one report destination (RFC 7489 §7.1). */
export interface DmarcAuthorization {
  /** Which tags name this destination. */
  kinds: Array<'rua' | 'ruf'>;
  destination: string;
  /** The TXT name queried: `<policy domain>._report._dmarc.<destination>`. */
  name: string;
  /** true: a v=DMARC1 record is there; false: none; null: the lookup failed. */
  authorized: boolean | null;
  reason?: string;
}

export interface DmarcQuery {
  name: string;
  outcome: 'ok' | 'nodata' | 'nxdomain' | 'error';
  detail?: string;
}

export interface DmarcDiscovery {
  domain: string;
  orgDomain: string;
  status: RecordStatus;
  reason?: string;
  /** The domain whose `_dmarc` record applies (null when none does). */
  location: string | null;
  /** True when the record came from the organisational domain, not the domain itself. */
  inherited: boolean;
  queries: DmarcQuery[];
  /** The DMARC texts at `location` (several when status is 'multiple'). */
  records: string[];
  parsed: ParsedDmarcRecord | null;
  /** The policy receivers apply to mail from `domain` (sp of the organisational record when inherited). */
  policy: DmarcPolicy | null;
  authorizations: DmarcAuthorization[];
}

export interface DiscoverDmarcOptions {
  signal?: AbortSignal;
  /** Query the external report-destination authorisation records (default true). */
  checkAuthorization?: boolean;
  /** Parallel authorisation queries (default 4). */
  concurrency?: number;
}

/** Find and validate the DMARC policy that applies to `domain`. */
export async function discoverDmarc(domainIn: string, lookup: TxtLookup, opts: DiscoverDmarcOptions = {}): Promise<DmarcDiscovery> {
  const domain = normalizeName(domainIn);
  const orgDomain = organizationalDomain(domain);
  const d: DmarcDiscovery = {
    domain,
    orgDomain,
    status: 'missing',
    location: null,
    inherited: false,
    queries: [],
    records: [],
    parsed: null,
    policy: null,
    authorizations: [],
  };
  const candidates = domain === orgDomain ? [domain] : [domain, orgDomain];
  for (const [i, at] of candidates.entries()) {
    const res = await lookupTxt(lookup, `_dmarc.${at}`, opts.signal);
    if (res.status === 'error') {
      d.queries.push({ name: res.name, outcome: 'error', detail: res.reason });
      d.status = 'error';
      d.reason = `${res.name}: ${res.reason}`;
      return d;
    }
    d.queries.push({ name: res.name, outcome: res.status === 'ok' ? 'ok' : res.rcode });
    const texts = res.status === 'ok' ? res.texts : [];
    const strict = texts.filter(isDmarcRecord);
    const loose = texts.filter((t) => looksLikeDmarcRecord(t) && !isDmarcRecord(t));
    if (strict.length === 0 && loose.length === 0) continue;
    d.location = at;
    d.inherited = i > 0;
    if (strict.length > 1) {
      d.status = 'multiple';
      d.records = strict;
      d.reason = `${strict.length} v=DMARC1 records at _dmarc.${at}: receivers apply none of them (RFC 7489 §6.6.3)`;
      return d;
    }
    if (strict.length === 0) {
      // The owner meant to publish a record but receivers discard it.
      d.status = 'invalid';
      d.records = loose;
      d.parsed = parseDmarcRecord(loose[0] ?? '');
      d.reason = d.parsed.policyErrors[0] ?? 'not a DMARC record';
      return d;
    }
    d.records = strict;
    d.parsed = parseDmarcRecord(strict[0] ?? '');
    break;
  }
  const parsed = d.parsed;
  if (!parsed || d.location === null) return d;
  if (!parsed.usable) {
    d.status = 'invalid';
    d.reason = parsed.duplicateTags.length ? parsed.policyErrors[0] : [...parsed.policyErrors, 'and rua= holds no valid address'].join('; ');
    return d;
  }
  d.status = 'found';
  d.policy = d.inherited ? (parsed.subdomainPolicy ?? parsed.effectivePolicy) : parsed.effectivePolicy;
  if (opts.checkAuthorization !== false) d.authorizations = await checkReportAuthorizations(d.location, parsed, lookup, opts);
  return d;
}

/**
 * For every report destination outside the organisational domain of `policyDomain`, look for
 * `<policyDomain>._report._dmarc.<destination>` TXT "v=DMARC1" (RFC 7489 §7.1). Without it,
 * report generators must not send there. (A `*._report._dmarc.<destination>` wildcard is answered
 * by DNS itself.)
 */
export async function checkReportAuthorizations(
  policyDomain: string,
  parsed: Pick<ParsedDmarcRecord, 'rua' | 'ruf'>,
  lookup: TxtLookup,
  opts: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<DmarcAuthorization[]> {
  const org = organizationalDomain(policyDomain);
  const byDest = new Map<string, Array<'rua' | 'ruf'>>();
  for (const kind of ['rua', 'ruf'] as const) {
    for (const u of parsed[kind]) {
      if (u.error !== null || u.domain === null) continue;
      if (organizationalDomain(u.domain) === org) continue;
      const kinds = byDest.get(u.domain) ?? [];
      if (!kinds.includes(kind)) kinds.push(kind);
      byDest.set(u.domain, kinds);
    }
  }
  return mapLimit([...byDest.entries()], opts.concurrency ?? 4, async ([destination, kinds]) => {
    const name = `${policyDomain}._report._dmarc.${destination}`;
    const res = await lookupTxt(lookup, name, opts.signal);
    if (res.status === 'error') return { kinds, destination, name, authorized: null, reason: res.reason };
    const ok = res.status === 'ok' && res.texts.some(isDmarcRecord);
    return { kinds, destination, name, authorized: ok };
  });
}

/**
 * rua authorisation in one value: true when every external rua destination authorises the domain
 * (or all are internal), false when one does not, null when a lookup failed or there is no valid rua.
 */
export function ruaAuthorized(d: Pick<DmarcDiscovery, 'parsed' | 'authorizations'>): boolean | null {
  if (!d.parsed || !d.parsed.rua.some((u) => u.error === null)) return null;
  const rua = d.authorizations.filter((a) => a.kinds.includes('rua'));
  if (rua.some((a) => a.authorized === false)) return false;
  if (rua.some((a) => a.authorized === null)) return null;
  return true;
}

/** The report-contract shape (`email.dmarc`). `policy` is the policy applying to the domain scanned. */
export function dmarcReport(d: DmarcDiscovery): NonNullable<EmailResult['dmarc']> {
  const p = d.parsed;
  const out: NonNullable<EmailResult['dmarc']> = {
    status: d.status,
    record: d.records.length ? d.records.join(' | ') : null,
    policy: d.status === 'found' ? d.policy : null,
    subdomainPolicy: d.status === 'found' && p ? (p.subdomainPolicy ?? p.effectivePolicy) : null,
    pct: d.status === 'found' && p ? (p.pct ?? 100) : null,
    // Only valid dmarc-uris are report destinations; the others are listed apart (and are findings).
    rua: p ? p.rua.filter((u) => u.error === null).map((u) => u.uri) : [],
    ruaAuthorized: d.status === 'found' ? ruaAuthorized(d) : null,
  };
  const invalid = p ? p.rua.filter((u) => u.error !== null).map((u) => u.uri) : [];
  if (invalid.length) out.ruaInvalid = invalid;
  if (d.reason !== undefined) out.reason = d.reason;
  return out;
}
