// The DMARC record itself (RFC 7489 §6.3-6.4, RFC 9989 §4.7): a tag-by-tag validator and the
// rua/ruf URI reader. Pure and apart from discovery (DNS) and the findings, which both read its result.
import { duplicateTagError, parseTagList } from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';
import { mailtoAddress, uriScheme, uriSyntaxError } from './uri.js';

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

/** Meant as a DMARC record (v=DMARC1 in any case or spacing), whether or not receivers read it. */
export function looksLikeDmarcRecord(text: string): boolean {
  return LOOSE_VERSION.test(text);
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
