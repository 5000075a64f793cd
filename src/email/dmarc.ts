// DMARC (RFC 7489, and its revision RFC 9989 "DMARCbis" where the two differ): policy discovery,
// a tag-by-tag record validator, the external report-destination authorisation of RFC 7489 §7.1
// (RFC 9990 §4), and the findings.
//
// Discovery follows RFC 7489 §6.6.3: `_dmarc.<domain>`; when that holds no v=DMARC1 record,
// `_dmarc.<organisational domain>`. More than one record at the name that answered means no
// policy applies at all. A DNS failure stops discovery with status 'error' ("could not test").
import type { EmailResult } from '../model/report.js';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import {
  duplicateTagError,
  EMAIL_REF,
  lookupTxt,
  mapLimit,
  organizationalDomain,
  parseTagList,
  type RecordStatus,
  type TxtLookup,
} from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';
import { mailtoAddress, uriScheme, uriSyntaxError } from './uri.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DMARC_FINDINGS = {
  missing: 'email.dmarc.missing',
  multiple: 'email.dmarc.multiple',
  invalid: 'email.dmarc.invalid',
  inherited: 'email.dmarc.inherited',
  policyImplied: 'email.dmarc.policy-implied',
  policyNone: 'email.dmarc.policy-none',
  policyQuarantine: 'email.dmarc.policy-quarantine',
  pctPartial: 'email.dmarc.pct-partial',
  testing: 'email.dmarc.testing',
  subdomainPolicyWeak: 'email.dmarc.subdomain-policy-weak',
  invalidTag: 'email.dmarc.invalid-tag',
  tagOrder: 'email.dmarc.tag-order',
  unknownTag: 'email.dmarc.unknown-tag',
  historicTag: 'email.dmarc.historic-tag',
  noRua: 'email.dmarc.no-rua',
  uriUnsupported: 'email.dmarc.uri-unsupported',
  invalidUri: 'email.dmarc.invalid-uri',
  reportUnauthorized: 'email.dmarc.report-unauthorized',
} as const;

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

/** One rua/ruf entry: `uri[!size]` (RFC 7489 §6.4 dmarc-uri). */
export interface DmarcUri {
  /** The entry as written, size suffix included. */
  uri: string;
  scheme: string | null;
  /** The mail address for mailto:, the whole URI otherwise. */
  address: string | null;
  /** The destination host (mail domain for mailto:, URI host otherwise), lower-case. */
  domain: string | null;
  /** The `!size` limit as written (e.g. "10m"), or null. */
  maxSize: string | null;
  /** Why the entry is unusable, or null when it is a valid URI. */
  error: string | null;
}

export interface ParsedDmarcRecord {
  record: string;
  /** Tag name (lower-case) → value as written, first occurrence. */
  tags: Record<string, string>;
  /** p= when valid. */
  policy: DmarcPolicy | null;
  /** sp= when valid (absent: null; receivers then use p). */
  subdomainPolicy: DmarcPolicy | null;
  /** np= (RFC 9091, DMARCbis) when valid. */
  nonExistentPolicy: DmarcPolicy | null;
  /** pct= when valid (absent: null; receivers then use 100). Historic in RFC 9989. */
  pct: number | null;
  rua: DmarcUri[];
  ruf: DmarcUri[];
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  fo: string[];
  rf: string[];
  ri: number | null;
  /** t=y (DMARCbis): the domain owner is testing; receivers apply one level below p. */
  testing: boolean;
  psd: 'y' | 'n' | 'u' | null;
  unknownTags: string[];
  /** Tags RFC 9989 removed (pct, rf, ri) that the record still carries. */
  historicTags: string[];
  /**
   * Tags that occur more than once. RFC 7489 §6.4 takes DKIM's tag-list syntax, under which a
   * repeated tag makes the entire tag-list invalid (RFC 6376 §3.2): such a record is not applied
   * at all, whatever its rua says.
   */
  duplicateTags: string[];
  /** Problems with p= or sp= (these decide whether the record applies, RFC 7489 §6.6.3 step 6). */
  policyErrors: string[];
  /** Other syntax and value errors (the record still applies, with defaults for those tags). */
  errors: string[];
  /** Departures from RFC 7489's grammar that receivers tolerate (p= not right after v=). */
  warnings: string[];
  /** Whether a receiver applies this record at all (RFC 7489 §6.6.3 step 6). */
  usable: boolean;
  /** p was missing or invalid and a valid rua made receivers assume p=none. */
  policyImplied: boolean;
  /** The policy receivers apply for the domain itself: p, or none when implied; null if unusable. */
  effectivePolicy: DmarcPolicy | null;
}

const STRICT_VERSION = /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/;
const LOOSE_VERSION = /^\s*v\s*=\s*dmarc1/i;
const KNOWN_TAGS = new Set(['v', 'p', 'sp', 'np', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri', 't', 'psd']);
const HISTORIC_TAGS = ['pct', 'rf', 'ri'];
const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];

/** A TXT text that receivers read as a DMARC record (starts with v=DMARC1, RFC 7489 §6.6.3 step 2). */
export function isDmarcRecord(text: string): boolean {
  return STRICT_VERSION.test(text);
}

function readPolicy(tag: string, value: string | undefined, errors: string[]): DmarcPolicy | null {
  if (value === undefined) return null;
  const v = value.toLowerCase();
  if (POLICIES.includes(v)) return v as DmarcPolicy;
  errors.push(`${tag}=${value} is not none, quarantine or reject`);
  return null;
}

/**
 * Parse one rua/ruf entry: `dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]` (RFC 7489
 * §6.4; commas and exclamation points inside the URI must be percent-encoded). The URI must be an
 * RFC 3986 URI; a mailto: URI (the one scheme receivers must support, §6.2) must hold one mail
 * address. A URI of another scheme is valid but may get no reports (`uri-unsupported`).
 */
export function parseDmarcUri(entry: string): DmarcUri {
  const uri = entry.trim();
  const out: DmarcUri = { uri, scheme: null, address: null, domain: null, maxSize: null, error: null };
  const bang = uri.indexOf('!');
  const body = bang < 0 ? uri : uri.slice(0, bang);
  const size = bang < 0 ? undefined : uri.slice(bang + 1);
  if (size !== undefined) {
    if (!/^\d+[kmgt]?$/i.test(size)) {
      out.error = `"${uri}": "!${size}" is not a size limit (digits and an optional k, m, g or t; a "!" inside the URI must be written %21)`;
      return out;
    }
    out.maxSize = size.toLowerCase();
  }
  const syntax = uriSyntaxError(body);
  if (syntax) {
    out.error = `"${uri}" is not a URI: ${syntax}`;
    return out;
  }
  out.scheme = uriScheme(body);
  if (out.scheme === 'mailto') {
    const mail = mailtoAddress(body);
    if (!mail.ok) {
      out.error = `"${uri}": ${mail.error}`;
      return out;
    }
    out.address = mail.address;
    out.domain = mail.domain;
    return out;
  }
  out.address = body;
  try {
    const url = new URL(body);
    out.domain = url.hostname ? normalizeName(url.hostname) : null;
  } catch {
    out.domain = null;
  }
  return out;
}

function parseUriList(tag: string, value: string | undefined, errors: string[]): DmarcUri[] {
  if (value === undefined) return [];
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseDmarcUri);
  // Invalid entries stay in the list with their `error` (reported as `invalid-uri`, never used).
  if (list.length === 0) errors.push(`${tag}= is empty`);
  return list;
}

function parseColonList(tag: string, value: string | undefined, allowed: readonly string[], errors: string[]): string[] | null {
  if (value === undefined) return null;
  const items = value.split(':').map((s) => s.trim().toLowerCase());
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length) {
    errors.push(`${tag}=${value}: ${bad.map((b) => `"${b}"`).join(', ')} not one of ${allowed.join(', ')}`);
    return null;
  }
  return items;
}

function readChoice<T extends string>(tag: string, value: string | undefined, allowed: readonly T[], errors: string[]): T | null {
  if (value === undefined) return null;
  const v = value.toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  errors.push(`${tag}=${value} is not one of ${allowed.join(', ')}`);
  return null;
}

/** Validate one DMARC record, every tag (RFC 7489 §6.3, RFC 9989 §4.7). */
export function parseDmarcRecord(record: string): ParsedDmarcRecord {
  const errors: string[] = [];
  const out: ParsedDmarcRecord = {
    record,
    tags: {},
    policy: null,
    subdomainPolicy: null,
    nonExistentPolicy: null,
    pct: null,
    rua: [],
    ruf: [],
    adkim: 'r',
    aspf: 'r',
    fo: ['0'],
    rf: ['afrf'],
    ri: null,
    testing: false,
    psd: null,
    unknownTags: [],
    historicTags: [],
    duplicateTags: [],
    policyErrors: [],
    errors,
    warnings: [],
    usable: false,
    policyImplied: false,
    effectivePolicy: null,
  };
  if (!STRICT_VERSION.test(record)) {
    out.policyErrors.push(
      LOOSE_VERSION.test(record)
        ? 'the record must begin with exactly "v=DMARC1" (case-sensitive value, no leading space)'
        : 'the record does not begin with v=DMARC1',
    );
    return out;
  }
  const list = parseTagList(record, { caseInsensitiveNames: true });
  const duplicateErrors = new Set(list.duplicates.map(duplicateTagError));
  errors.push(...list.errors.filter((e) => !duplicateErrors.has(e)));
  out.duplicateTags = list.duplicates;
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  out.tags = Object.fromEntries(tags);

  const pe = out.policyErrors;
  if (list.duplicates.length) {
    pe.push(
      `${list.duplicates.map((t) => `${t}=`).join(', ')} appear${list.duplicates.length > 1 ? '' : 's'} more than once: a tag-list with a repeated tag is invalid as a whole (RFC 7489 §6.4, RFC 6376 §3.2), so no policy applies`,
    );
  }
  out.policy = readPolicy('p', tags.get('p'), pe);
  out.subdomainPolicy = readPolicy('sp', tags.get('sp'), pe);
  out.nonExistentPolicy = readPolicy('np', tags.get('np'), errors);
  if (!tags.has('p')) pe.push('the required p= tag is missing');
  else if (list.tags[1]?.name !== 'p') out.warnings.push('p= should immediately follow v=DMARC1 (RFC 7489 §6.3 grammar; RFC 9989 dropped the rule)');

  const pct = tags.get('pct');
  if (pct !== undefined) {
    if (/^\d{1,3}$/.test(pct) && Number(pct) <= 100) out.pct = Number(pct);
    else errors.push(`pct=${pct} is not an integer from 0 to 100`);
  }
  out.rua = parseUriList('rua', tags.get('rua'), errors);
  out.ruf = parseUriList('ruf', tags.get('ruf'), errors);
  out.adkim = readChoice('adkim', tags.get('adkim'), ['r', 's'] as const, errors) ?? 'r';
  out.aspf = readChoice('aspf', tags.get('aspf'), ['r', 's'] as const, errors) ?? 'r';
  out.fo = parseColonList('fo', tags.get('fo'), ['0', '1', 'd', 's'], errors) ?? ['0'];
  out.rf = parseColonList('rf', tags.get('rf'), ['afrf'], errors) ?? ['afrf'];
  const ri = tags.get('ri');
  if (ri !== undefined) {
    if (/^\d{1,32}$/.test(ri)) out.ri = Number(ri);
    else errors.push(`ri=${ri} is not a number of seconds`);
  }
  out.testing = readChoice('t', tags.get('t'), ['y', 'n'] as const, errors) === 'y';
  out.psd = readChoice('psd', tags.get('psd'), ['y', 'n', 'u'] as const, errors);
  out.unknownTags = [...tags.keys()].filter((t) => !KNOWN_TAGS.has(t));
  out.historicTags = HISTORIC_TAGS.filter((t) => tags.has(t));

  // RFC 7489 §6.6.3 step 6: an invalid or missing p (or an invalid sp) voids the record unless
  // rua holds at least one valid URI, in which case receivers act as if p=none. A repeated tag
  // voids the whole tag-list, rua included: nothing rescues it.
  const policyBroken = pe.length > 0;
  if (list.duplicates.length) {
    out.usable = false;
  } else if (!policyBroken) {
    out.usable = true;
    out.effectivePolicy = out.policy;
  } else if (out.rua.some((u) => u.error === null)) {
    out.usable = true;
    out.policyImplied = true;
    out.effectivePolicy = 'none';
  }
  return out;
}

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
    const loose = texts.filter((t) => LOOSE_VERSION.test(t) && !isDmarcRecord(t));
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

const REFS = [EMAIL_REF.rfc7489, EMAIL_REF.rfc9989];

/** Findings for a DMARC discovery. */
export function checkDmarc(d: DmarcDiscovery): CheckFinding[] {
  const out: CheckFinding[] = [];
  const name = `_dmarc.${d.location ?? d.domain}`;
  if (d.status === 'error') {
    return [untestedFinding('email.dmarc', 'DMARC', d.reason ?? 'DNS lookup failed', { queries: d.queries }, REFS)];
  }
  if (d.status === 'missing') {
    return [
      finding({
        id: DMARC_FINDINGS.missing,
        severity: 'medium',
        title: 'No DMARC record',
        detail:
          d.domain === d.orgDomain
            ? `_dmarc.${d.domain} has no v=DMARC1 record: receivers get no policy for mail that fails SPF and DKIM.`
            : `Neither _dmarc.${d.domain} nor the organisational domain's _dmarc.${d.orgDomain} has a v=DMARC1 record.`,
        evidence: { queries: d.queries },
        remediation: 'Publish `v=DMARC1; p=reject; rua=mailto:…` (start with p=none and a rua address to monitor, then tighten).',
        references: REFS,
      }),
    ];
  }
  if (d.status === 'multiple') {
    return [
      finding({
        id: DMARC_FINDINGS.multiple,
        severity: 'high',
        title: 'More than one DMARC record',
        detail: `${name} has ${d.records.length} v=DMARC1 records; receivers then apply no DMARC policy at all (RFC 7489 §6.6.3).`,
        evidence: { name, records: d.records },
        remediation: 'Merge them into exactly one v=DMARC1 record.',
        references: REFS,
      }),
    ];
  }
  const p = d.parsed;
  if (d.status === 'invalid' || !p) {
    const noP = p !== null && p.usable === false && p.record !== '' && !('p' in p.tags) && isDmarcRecord(p.record);
    return [
      finding({
        id: DMARC_FINDINGS.invalid,
        severity: 'high',
        title: 'DMARC record is not applied',
        detail:
          `Receivers ignore the record at ${name}: ${d.reason ?? 'it is invalid'}.` +
          (noP ? ' (RFC 9989 reads a record without p= as p=none, which still protects nothing.)' : ''),
        evidence: { name, records: d.records, errors: p ? [...p.policyErrors, ...p.errors] : [], ...(p?.duplicateTags.length ? { duplicateTags: p.duplicateTags } : {}) },
        remediation: 'Publish one record that starts with `v=DMARC1;` followed by a valid `p=none|quarantine|reject`.',
        references: REFS,
      }),
    ];
  }

  const ev = { name, record: p.record };
  if (d.inherited) {
    out.push(
      finding({
        id: DMARC_FINDINGS.inherited,
        severity: 'info',
        title: 'DMARC policy comes from the organisational domain',
        detail: `${d.domain} has no record of its own; the one at _dmarc.${d.location} applies, with its subdomain policy (${d.policy}).`,
        evidence: { ...ev, domain: d.domain, orgDomain: d.orgDomain, policy: d.policy },
        remediation: 'Nothing to do, unless this domain needs a policy of its own.',
        references: [EMAIL_REF.rfc7489],
      }),
    );
  }
  if (p.policyImplied) {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyImplied,
        severity: 'medium',
        title: 'DMARC p= (or sp=) is missing or invalid',
        detail: 'Because rua holds a valid address, receivers act as if the record said p=none (RFC 7489 §6.6.3): nothing is enforced.',
        evidence: { ...ev, errors: p.policyErrors },
        remediation: 'Add a valid `p=quarantine` or `p=reject` right after `v=DMARC1;`.',
        references: REFS,
      }),
    );
  } else if (d.policy === 'none') {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyNone,
        severity: 'low',
        title: 'DMARC policy is p=none (monitoring only)',
        detail: 'Mail failing authentication is only reported, never quarantined or rejected: the domain can still be spoofed.',
        evidence: { ...ev, policy: d.policy },
        remediation: 'Move to p=quarantine, then p=reject, once aggregate reports show legitimate mail passes.',
        references: REFS,
      }),
    );
  } else if (d.policy === 'quarantine') {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyQuarantine,
        severity: 'info',
        title: 'DMARC policy is p=quarantine',
        detail: 'Failing mail is delivered to spam rather than refused.',
        evidence: { ...ev, policy: d.policy },
        remediation: 'Move to p=reject when reports show no legitimate mail failing.',
        references: REFS,
      }),
    );
  }
  const enforcing = d.policy === 'quarantine' || d.policy === 'reject';
  if (enforcing && p.pct !== null && p.pct < 100) {
    out.push(
      finding({
        id: DMARC_FINDINGS.pctPartial,
        severity: p.pct === 0 ? 'medium' : 'low',
        title: `DMARC applies to ${p.pct}% of failing mail`,
        detail:
          `pct=${p.pct}: receivers apply p=${d.policy} to only ${p.pct}% of failing messages and the next weaker policy to the rest` +
          ' (RFC 7489 §6.3). RFC 9989 removed pct; receivers following it ignore the tag.',
        evidence: { ...ev, pct: p.pct },
        remediation: 'Remove pct= (it defaults to 100) once the policy is trusted.',
        references: REFS,
      }),
    );
  }
  if (enforcing && p.testing) {
    out.push(
      finding({
        id: DMARC_FINDINGS.testing,
        severity: 'low',
        title: 'DMARC policy is in test mode (t=y)',
        detail: `t=y asks RFC 9989 receivers to apply one level less than p=${d.policy}.`,
        evidence: { ...ev, t: p.tags['t'] },
        remediation: 'Remove t=y once the policy is trusted.',
        references: [EMAIL_REF.rfc9989],
      }),
    );
  }
  const weak: string[] = [];
  if (p.effectivePolicy !== 'none' && p.effectivePolicy !== null) {
    if (p.subdomainPolicy === 'none') weak.push('sp=none');
    if (p.nonExistentPolicy === 'none') weak.push('np=none');
  }
  if (weak.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.subdomainPolicyWeak,
        severity: 'low',
        title: 'DMARC does not enforce on subdomains',
        detail: `${weak.join(' and ')} lets mail from (possibly non-existent) subdomains be spoofed while p=${p.effectivePolicy}.`,
        evidence: { ...ev, sp: p.tags['sp'] ?? null, np: p.tags['np'] ?? null },
        remediation: 'Remove sp/np or set them to quarantine or reject.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9091],
      }),
    );
  }
  if (p.errors.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.invalidTag,
        severity: 'medium',
        title: 'DMARC record has invalid tags',
        detail: `Receivers ignore these tags or use their defaults: ${p.errors.join('; ')}.`,
        evidence: { ...ev, errors: p.errors },
        remediation: 'Correct the tags listed (RFC 7489 §6.3 gives each tag’s syntax).',
        references: REFS,
      }),
    );
  }
  if (p.warnings.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.tagOrder,
        severity: 'info',
        title: 'DMARC p= is not the second tag',
        detail: `${p.warnings.join('; ')}. Strict RFC 7489 parsers may reject the record.`,
        evidence: ev,
        remediation: 'Write the record as `v=DMARC1; p=…; …`.',
        references: REFS,
      }),
    );
  }
  if (p.unknownTags.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.unknownTag,
        severity: 'info',
        title: 'DMARC record has unknown tags',
        detail: `Receivers ignore ${p.unknownTags.join(', ')}.`,
        evidence: { ...ev, unknownTags: p.unknownTags },
        remediation: 'Remove the tags or correct their spelling.',
        references: REFS,
      }),
    );
  }
  if (p.historicTags.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.historicTag,
        severity: 'info',
        title: 'DMARC record uses tags removed by RFC 9989',
        detail: `${p.historicTags.join(', ')} ${p.historicTags.length > 1 ? 'are' : 'is'} historic in the revised DMARC specification; newer receivers ignore them.`,
        evidence: { ...ev, historicTags: p.historicTags },
        remediation: 'Do not rely on pct, rf or ri; remove them when convenient.',
        references: [EMAIL_REF.rfc9989],
      }),
    );
  }
  const validRua = p.rua.filter((u) => u.error === null);
  const invalidUris = [...p.rua.map((u) => ['rua', u] as const), ...p.ruf.map((u) => ['ruf', u] as const)].filter(([, u]) => u.error !== null);
  if (invalidUris.length) {
    const noValidRua = validRua.length === 0 && p.rua.length > 0;
    out.push(
      finding({
        id: DMARC_FINDINGS.invalidUri,
        severity: noValidRua ? 'medium' : 'low',
        title: 'DMARC report URIs are invalid',
        detail:
          `Report generators cannot send to these entries, which are not valid dmarc-uris (RFC 7489 §6.4: a URI, then an optional !size[k|m|g|t]): ` +
          `${invalidUris.map(([tag, u]) => `${tag}: ${u.error}`).join('; ')}.` +
          (noValidRua ? ' rua= holds no valid URI, so no aggregate report is sent at all.' : ''),
        evidence: { ...ev, invalid: invalidUris.map(([tag, u]) => ({ tag, uri: u.uri, error: u.error })) },
        remediation: 'Write each destination as `mailto:address@example.com` (optionally followed by a size limit such as `!10m`), percent-encoding any "," or "!" inside it.',
        references: REFS,
      }),
    );
  }
  if (validRua.length === 0 && !p.rua.some((u) => u.error !== null)) {
    out.push(
      finding({
        id: DMARC_FINDINGS.noRua,
        severity: 'low',
        title: 'No DMARC aggregate reports requested',
        detail: 'Without a valid rua= address the domain owner cannot see who sends mail in its name, nor safely tighten the policy.',
        evidence: ev,
        remediation: 'Add `rua=mailto:dmarc-reports@<your domain>`.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9990],
      }),
    );
  }
  const nonMailto = [...p.rua, ...p.ruf].filter((u) => u.error === null && u.scheme !== 'mailto');
  if (nonMailto.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.uriUnsupported,
        severity: 'low',
        title: 'DMARC report URI other than mailto:',
        detail: `Receivers are only required to support mailto: (RFC 7489 §6.2); ${nonMailto.map((u) => u.uri).join(', ')} may get no reports.`,
        evidence: { ...ev, uris: nonMailto.map((u) => u.uri) },
        remediation: 'Use mailto: report addresses.',
        references: REFS,
      }),
    );
  }
  const denied = d.authorizations.filter((a) => a.authorized === false);
  if (denied.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.reportUnauthorized,
        severity: 'low',
        title: 'External DMARC report destination not authorised',
        detail:
          `${denied.map((a) => a.destination).join(', ')} publish${denied.length > 1 ? '' : 'es'} no v=DMARC1 record at ` +
          `${denied.map((a) => a.name).join(', ')}, so report generators must not send reports there (RFC 7489 §7.1).`,
        evidence: { ...ev, destinations: denied },
        remediation: 'Ask the report receiver to publish `<your domain>._report._dmarc.<their domain> TXT "v=DMARC1"`, or use an address in your own domain.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9990],
      }),
    );
  }
  const unknown = d.authorizations.filter((a) => a.authorized === null);
  if (unknown.length) {
    out.push(
      untestedFinding(
        'email.dmarc.report-authorization',
        'External DMARC report authorisation',
        unknown.map((a) => `${a.name}: ${a.reason ?? 'lookup failed'}`).join('; '),
        { ...ev, destinations: unknown },
        [EMAIL_REF.rfc7489],
      ),
    );
  }
  return out;
}
