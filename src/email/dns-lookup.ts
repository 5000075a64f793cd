// The DNS side of the mail-record checks: one injected TXT lookup and small helpers shared by the
// DMARC, DKIM, MTA-STS, TLS-RPT and BIMI modules. The lookup is injected so the modules stay pure
// and testable; the probe passes `(name, signal) => resolver.query(name, 'TXT', signal)`.
//
// A DNS failure (timeout, SERVFAIL, REFUSED …) is "could not test" and must never be read as
// "the record does not exist": every helper here keeps the two apart.
import { getDomain } from 'tldts';

import type { LookupResult } from '../net/dns/types.js';
import { normalizeName } from '../net/dns/types.js';

/** Resolve the TXT records of `name`. */
export type TxtLookup = (name: string, signal?: AbortSignal) => Promise<LookupResult>;

/** The status of one looked-up record kind, as the report contract spells it. */
export type RecordStatus = 'found' | 'missing' | 'invalid' | 'multiple' | 'error';

/** What one TXT query said, with the texts already extracted. */
export type TxtOutcome =
  | { status: 'ok'; name: string; texts: string[] }
  | { status: 'absent'; name: string; rcode: 'nodata' | 'nxdomain' }
  | { status: 'error'; name: string; reason: string };

/** The joined texts of the TXT records in a lookup result (other record types, e.g. CNAMEs, are skipped). */
export function txtTexts(result: LookupResult): string[] {
  return result.status === 'ok' ? result.records.flatMap((r) => (r.type === 'TXT' ? [r.text] : [])) : [];
}

/**
 * Query `name` for TXT records. Never throws: a rejected lookup or an aborted signal becomes
 * `{status:'error'}`; an answer without TXT records (only a CNAME, say) counts as nodata.
 */
export async function lookupTxt(lookup: TxtLookup, name: string, signal?: AbortSignal): Promise<TxtOutcome> {
  const qname = normalizeName(name);
  if (signal?.aborted) return { status: 'error', name: qname, reason: 'aborted' };
  let result: LookupResult;
  try {
    result = await lookup(qname, signal);
  } catch (err) {
    return { status: 'error', name: qname, reason: err instanceof Error ? err.message : String(err) };
  }
  switch (result.status) {
    case 'error':
      return { status: 'error', name: qname, reason: result.reason };
    case 'nodata':
    case 'nxdomain':
      return { status: 'absent', name: qname, rcode: result.status };
    case 'ok': {
      const texts = txtTexts(result);
      return texts.length ? { status: 'ok', name: qname, texts } : { status: 'absent', name: qname, rcode: 'nodata' };
    }
  }
}

/**
 * The organisational domain of `domain` (RFC 7489 §3.2: one label below the public suffix, from
 * the Public Suffix List, private section included); the name itself when the list has no answer
 * (a bare suffix, an IP literal).
 */
export function organizationalDomain(domain: string): string {
  const name = normalizeName(domain);
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/** One `name=value` of a tag-list (RFC 6376 §3.2, also used by DMARC, MTA-STS, TLS-RPT, BIMI). */
export interface Tag {
  name: string;
  value: string;
}

export interface TagList {
  tags: Tag[];
  /** Syntax problems: a part without "=", an empty or malformed tag name, a repeated tag. */
  errors: string[];
  /**
   * Tag names that occur more than once (as compared: lower-cased with `caseInsensitiveNames`).
   * RFC 6376 §3.2: "if a tag name does occur more than once, the entire tag-list is invalid"; the
   * caller decides what that means for its record (DKIM, DMARC via RFC 7489 §6.4).
   */
  duplicates: string[];
}

/**
 * Split a `tag=value; tag=value` list. Whitespace around names and values is dropped, empty
 * parts (e.g. a trailing ";") are skipped. With `caseInsensitiveNames`, names are lower-cased
 * before the duplicate check (DMARC); otherwise they are kept as written (DKIM tags are case
 * sensitive). Only the first occurrence of a repeated tag is kept.
 */
export function parseTagList(text: string, opts: { caseInsensitiveNames?: boolean } = {}): TagList {
  const tags: Tag[] = [];
  const errors: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const rawPart of text.split(';')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      errors.push(`"${part}" is not a tag=value pair`);
      continue;
    }
    let name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      errors.push(`"${name}" is not a valid tag name`);
      continue;
    }
    if (opts.caseInsensitiveNames) name = name.toLowerCase();
    if (seen.has(name)) {
      errors.push(duplicateTagError(name));
      if (!duplicates.includes(name)) duplicates.push(name);
      continue;
    }
    seen.add(name);
    tags.push({ name, value });
  }
  return { tags, errors, duplicates };
}

/** The error parseTagList reports for a repeated tag (so callers can tell it from other syntax errors). */
export function duplicateTagError(name: string): string {
  return `tag "${name}" appears more than once`;
}

/** Map of tag name → value, for the first occurrence of each name. */
export function tagMap(list: TagList): Map<string, string> {
  return new Map(list.tags.map((t) => [t.name, t.value]));
}

/** One `name=value` field of a versioned record, as written (no space trimmed inside). */
export interface RecordField {
  name: string;
  value: string;
}

/**
 * `ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`: an extension field name of
 * MTA-STS (RFC 8461 §3.1 `sts-ext-name`) and TLS-RPT (RFC 8460 §3 `tlsrpt-ext-name`).
 */
export const EXT_FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** `ext-value = 1*(%x21-3A / %x3C / %x3E-7E)`: visible ASCII but "=" and ";" (same two RFCs). */
export const EXT_FIELD_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * Split a record of the shape RFC 8461 §3.1 and RFC 8460 §3 share:
 * `version 1*(field-delim field) [field-delim]`, with `field-delim = *WSP ";" *WSP` (WSP: space or
 * tab) and every field `name "=" value` with nothing around the "=". `version` is matched exactly
 * (both grammars write it `%s"…"`, case-sensitive). Fields keep their order; what each name and
 * value may be is the caller's (the field grammars differ), this only finds the fields.
 */
export function splitVersionedRecord(record: string, version: string, rfc: string): { fields: RecordField[]; errors: string[] } {
  const errors: string[] = [];
  const fields: RecordField[] = [];
  if (!record.startsWith(version)) return { fields, errors: [`the record must begin with exactly "${version}" (${rfc})`] };
  const rest = record.slice(version.length);
  if (!/^[ \t]*;/.test(rest)) {
    return { fields, errors: [rest === '' ? `no field follows "${version}" (${rfc})` : `"${version}" must be followed by ";" (${rfc})`] };
  }
  const parts = rest.split(';').slice(1);
  parts.forEach((raw, i) => {
    const last = i === parts.length - 1;
    const lead = raw.replace(/^[ \t]+/, '');
    // The text after the final ";" is empty (a trailing delimiter) or the last field; only a
    // field followed by ";" may end in white space (it belongs to the delimiter).
    if (last && lead === '') return;
    const text = last ? lead : lead.replace(/[ \t]+$/, '');
    if (text === '') {
      errors.push(`an empty field (";;"): fields are separated by one ";" (${rfc})`);
      return;
    }
    if (last && /[ \t]$/.test(text)) {
      errors.push(`white space after the last field "${text.trimEnd()}" (only a ";" may follow it, ${rfc})`);
      return;
    }
    const eq = text.indexOf('=');
    if (eq < 0) {
      errors.push(`"${text}" is not a name=value field (${rfc})`);
      return;
    }
    fields.push({ name: text.slice(0, eq), value: text.slice(eq + 1) });
  });
  return { fields, errors };
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/** A syntactically valid DNS host name (LDH labels, underscores tolerated), no trailing dot. */
export function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l) => LABEL.test(l));
}

/** Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
  await Promise.all(workers);
  return results;
}

/** RFC citations used by the mail-record findings (same form as REF in src/model/finding.ts). */
export const EMAIL_REF = {
  rfc7489: 'RFC 7489 — DMARC (https://www.rfc-editor.org/rfc/rfc7489)',
  rfc9989: 'RFC 9989 — DMARC, revised ("DMARCbis") (https://www.rfc-editor.org/rfc/rfc9989)',
  rfc9990: 'RFC 9990 — DMARC aggregate reporting (https://www.rfc-editor.org/rfc/rfc9990)',
  rfc9091: 'RFC 9091 — DMARC for Public Suffix Domains (np tag) (https://www.rfc-editor.org/rfc/rfc9091)',
  rfc6376: 'RFC 6376 — DomainKeys Identified Mail (DKIM) signatures (https://www.rfc-editor.org/rfc/rfc6376)',
  rfc8301: 'RFC 8301 — Cryptographic algorithm and key usage update to DKIM (https://www.rfc-editor.org/rfc/rfc8301)',
  rfc8463: 'RFC 8463 — A new cryptographic signature method for DKIM (Ed25519) (https://www.rfc-editor.org/rfc/rfc8463)',
  rfc8461: 'RFC 8461 — SMTP MTA Strict Transport Security (MTA-STS) (https://www.rfc-editor.org/rfc/rfc8461)',
  rfc8460: 'RFC 8460 — SMTP TLS Reporting (https://www.rfc-editor.org/rfc/rfc8460)',
  rfc7505: 'RFC 7505 — A "Null MX" no service resource record (https://www.rfc-editor.org/rfc/rfc7505)',
  rfc7208: 'RFC 7208 — Sender Policy Framework (https://www.rfc-editor.org/rfc/rfc7208)',
  bimi: 'draft-brand-indicators-for-message-identification — BIMI (https://datatracker.ietf.org/doc/draft-brand-indicators-for-message-identification/)',
} as const;
