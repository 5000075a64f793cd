// SPF record selection (RFC 7208 §4.5) and parsing (§4.6, §5, §6, §12 ABNF).
//
//   record           = version terms *SP
//   version          = "v=spf1"                      ; case-insensitive
//   terms            = *( 1*SP ( directive / modifier ) )
//   directive        = [ qualifier ] mechanism
//   qualifier        = "+" / "-" / "?" / "~"
//   mechanism        = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
//   include          = "include" ":" domain-spec
//   a / mx           = ( "a" / "mx" ) [ ":" domain-spec ] [ dual-cidr-length ]
//   ptr              = "ptr" [ ":" domain-spec ]
//   ip4 / ip6        = "ip4" ":" ip4-network [ ip4-cidr-length ] / "ip6" ":" ip6-network [ ip6-cidr-length ]
//   exists           = "exists" ":" domain-spec
//   modifier         = redirect / explanation / unknown-modifier
//   unknown-modifier = name "=" macro-string        ; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//   domain-spec      = macro-string domain-end
//   domain-end       = ( "." toplabel [ "." ] ) / macro-expand
//   toplabel         = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
//
// A term is a modifier when "=" follows the name before any ":" or "/" (§4.6.1). Known modifier
// names are not "greedy" unknown modifiers: a malformed redirect= or exp= is a syntax error. The
// whole record is checked before anything is evaluated (§4.6: "syntax errors anywhere … MUST be
// detected"), so a parse error is a permerror whatever the client address.
import { parseMacroString, hasMacros, MAX_SPF_TEXT, shorten } from './macro.js';

export { MAX_SPF_TEXT };
import { parseIPv4, parseIPv6 } from './ip.js';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismKind = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface Mechanism {
  type: 'mechanism';
  kind: MechanismKind;
  qualifier: Qualifier;
  /** The term as written. */
  text: string;
  /** Character offset of the term in the record. */
  position: number;
  /** include, exists, and the optional target of a, mx, ptr (raw, may hold macros). */
  domainSpec?: string;
  /** True when domainSpec holds %{…} macros (it then depends on the sender). */
  macros?: boolean;
  /** ip4/ip6 network as written, and its bytes. */
  network?: string;
  networkBytes?: Uint8Array;
  /** Prefix length for IPv4 matches (ip4, a, mx); defaults 32. */
  cidr4?: number;
  /** Prefix length for IPv6 matches (ip6, a, mx); defaults 128. */
  cidr6?: number;
}

export interface Modifier {
  type: 'modifier';
  /** Lower-cased. */
  name: string;
  value: string;
  text: string;
  position: number;
  macros?: boolean;
}

export type SpfTerm = Mechanism | Modifier;

export interface SpfRecord {
  /** The record text as parsed. */
  text: string;
  terms: SpfTerm[];
  mechanisms: Mechanism[];
  redirect?: Modifier;
  exp?: Modifier;
  /** Unknown modifiers (ignored by evaluation, §6). */
  unknownModifiers: Modifier[];
}

export type ParseResult =
  | { ok: true; record: SpfRecord }
  | { ok: false; error: string; term?: string; position?: number };

export interface ParseOptions {
  /** Longest record accepted, in characters (default 8192; never more than MAX_SPF_TEXT). */
  maxLength?: number;
  /** Most terms accepted (default 512). */
  maxTerms?: number;
}

export const DEFAULT_MAX_RECORD_LENGTH = 8192;
export const DEFAULT_MAX_TERMS = 512;

/** §4.5: a record starts with "v=spf1" (any case) followed by a space or the end of the record. */
export function isSpfRecordText(text: string): boolean {
  return /^v=spf1(?: |$)/i.test(text);
}

export type RecordSelection =
  | { status: 'none' }
  | { status: 'one'; record: string }
  | { status: 'multiple'; records: string[] };

/**
 * §4.5 record selection among the TXT strings of a name (each already joined from its
 * character-strings without separators, §3.3): exactly one v=spf1 record, else none/multiple.
 */
export function selectSpfRecord(txt: readonly string[]): RecordSelection {
  const records = txt.filter(isSpfRecordText);
  if (records.length === 0) return { status: 'none' };
  if (records.length > 1) return { status: 'multiple', records };
  return { status: 'one', record: records[0] ?? '' };
}

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || isAlpha(c);

/**
 * §12 toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ),
 * in one pass: only letters, digits and "-"; without "-" at least one letter; with "-" a letter or
 * digit at both ends. (A backtracking regex for this grammar is quadratic on a long label that
 * does not match: 40 ms for 8 KB, minutes for 576 KB.)
 */
export function isTopLabel(label: string): boolean {
  if (label.length === 0) return false;
  let alpha = false;
  let hyphen = false;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2d) hyphen = true;
    else if (isAlpha(c)) alpha = true;
    else if (!isAlnum(c)) return false;
  }
  if (!hyphen) return alpha;
  return isAlnum(label.charCodeAt(0)) && isAlnum(label.charCodeAt(label.length - 1));
}

/** Validate a domain-spec (§7.1 / §12); returns an error message or null. Linear in the length. */
export function checkDomainSpec(spec: string): string | null {
  if (spec === '') return 'empty domain-spec';
  if (spec.length > MAX_SPF_TEXT) return `domain-spec of ${spec.length} characters is longer than any DNS TXT record (${MAX_SPF_TEXT})`;
  const parsed = parseMacroString(spec);
  if (!parsed.ok) return parsed.error;
  const tail = spec.slice(parsed.tailStart);
  if (tail === '') return null; // ends in a macro-expand
  const body = tail.endsWith('.') ? tail.slice(0, -1) : tail;
  const dot = body.lastIndexOf('.');
  if (dot < 0) return `"${shorten(spec)}" must end in "." and a top-level label, or in a macro`;
  const top = body.slice(dot + 1);
  if (!isTopLabel(top)) return `"${shorten(top)}" is not a valid top-level label in "${shorten(spec)}"`;
  return null;
}

/**
 * dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] at the end of an a/mx argument:
 * "/N", "//M" or "/N//M". Scanned from the end (the unanchored regex it replaces was also linear,
 * but this says what it means). Returns the argument without it and the digit strings found.
 */
function splitDualCidr(arg: string): { rest: string; cidr4?: string; cidr6?: string } {
  const digitsBefore = (end: number): number => {
    let i = end;
    while (i > 0 && arg.charCodeAt(i - 1) >= 0x30 && arg.charCodeAt(i - 1) <= 0x39) i--;
    return i;
  };
  let end = arg.length;
  let cidr4: string | undefined;
  let cidr6: string | undefined;
  let i = digitsBefore(end);
  if (i < end && i >= 2 && arg[i - 1] === '/' && arg[i - 2] === '/') {
    cidr6 = arg.slice(i, end);
    end = i - 2;
    i = digitsBefore(end);
  }
  if (i < end && i >= 1 && arg[i - 1] === '/') {
    cidr4 = arg.slice(i, end);
    end = i - 1;
  }
  return { rest: arg.slice(0, end), cidr4, cidr6 };
}

const QUALIFIERS = new Set(['+', '-', '~', '?']);

function parseCidr(text: string, max: number): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

type TermResult = { ok: true; term: SpfTerm } | { ok: false; error: string };

function parseMechanism(text: string, position: number): TermResult {
  let rest = text;
  let qualifier: Qualifier = '+';
  if (QUALIFIERS.has(rest[0] ?? '')) {
    qualifier = rest[0] as Qualifier;
    rest = rest.slice(1);
  }
  const nameMatch = /^[A-Za-z0-9_.-]*/.exec(rest);
  const name = (nameMatch?.[0] ?? '').toLowerCase();
  let arg = rest.slice(name.length);
  const base = { type: 'mechanism' as const, qualifier, text, position };
  const bad = (why: string): TermResult => ({ ok: false, error: `"${shorten(text)}": ${why}` });

  switch (name) {
    case 'all':
      if (arg !== '') return bad('"all" takes no argument');
      return { ok: true, term: { ...base, kind: 'all' } };
    case 'include':
    case 'exists': {
      if (!arg.startsWith(':')) return bad(`"${name}" needs ":" and a domain`);
      const spec = arg.slice(1);
      const err = checkDomainSpec(spec);
      if (err) return bad(err);
      return { ok: true, term: { ...base, kind: name, domainSpec: spec, macros: specHasMacros(spec) } };
    }
    case 'ptr': {
      if (arg === '') return { ok: true, term: { ...base, kind: 'ptr' } };
      if (!arg.startsWith(':')) return bad('"ptr" takes only ":" and a domain');
      const spec = arg.slice(1);
      const err = checkDomainSpec(spec);
      if (err) return bad(err);
      return { ok: true, term: { ...base, kind: 'ptr', domainSpec: spec, macros: specHasMacros(spec) } };
    }
    case 'a':
    case 'mx': {
      // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], at the end of the term.
      let cidr4: number | undefined;
      let cidr6: number | undefined;
      const dual = splitDualCidr(arg);
      if (dual.cidr4 !== undefined) {
        const v = parseCidr(dual.cidr4, 32);
        if (v === null) return bad(`invalid IPv4 prefix length "/${dual.cidr4}"`);
        cidr4 = v;
      }
      if (dual.cidr6 !== undefined) {
        const v = parseCidr(dual.cidr6, 128);
        if (v === null) return bad(`invalid IPv6 prefix length "//${dual.cidr6}"`);
        cidr6 = v;
      }
      arg = dual.rest;
      let spec: string | undefined;
      if (arg !== '') {
        if (!arg.startsWith(':')) return bad(`unexpected "${arg}"`);
        spec = arg.slice(1);
        const err = checkDomainSpec(spec);
        if (err) return bad(err);
      }
      return {
        ok: true,
        term: { ...base, kind: name, domainSpec: spec, macros: spec ? specHasMacros(spec) : false, cidr4, cidr6 },
      };
    }
    case 'ip4':
    case 'ip6': {
      if (!arg.startsWith(':')) return bad(`"${name}" needs ":" and a network`);
      arg = arg.slice(1);
      const slash = arg.indexOf('/');
      const network = slash < 0 ? arg : arg.slice(0, slash);
      const max = name === 'ip4' ? 32 : 128;
      let cidr: number | undefined;
      if (slash >= 0) {
        const v = parseCidr(arg.slice(slash + 1), max);
        if (v === null) return bad(`invalid prefix length "${arg.slice(slash)}"`);
        cidr = v;
      }
      const bytes = name === 'ip4' ? parseIPv4(network) : parseIPv6(network);
      if (!bytes) return bad(`"${network}" is not a valid ${name === 'ip4' ? 'IPv4' : 'IPv6'} address`);
      return {
        ok: true,
        term:
          name === 'ip4'
            ? { ...base, kind: 'ip4', network, networkBytes: bytes, cidr4: cidr ?? 32 }
            : { ...base, kind: 'ip6', network, networkBytes: bytes, cidr6: cidr ?? 128 },
      };
    }
    default:
      return bad(name === '' ? 'not a mechanism or modifier' : `unknown mechanism "${name}"`);
  }
}

function specHasMacros(spec: string): boolean {
  const p = parseMacroString(spec);
  return p.ok && hasMacros(p.items);
}

function parseTerm(text: string, position: number): TermResult {
  // §4.6.1: a modifier's name is followed by "=" before any ":" or "/".
  const m = /^([A-Za-z0-9_.-]*)=/.exec(text);
  if (m) {
    const rawName = m[1] ?? '';
    const value = text.slice(rawName.length + 1);
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(rawName)) {
      return { ok: false, error: `"${shorten(text)}": invalid modifier name "${shorten(rawName)}" (must start with a letter)` };
    }
    const name = rawName.toLowerCase();
    if (name === 'redirect' || name === 'exp') {
      const err = checkDomainSpec(value);
      if (err) return { ok: false, error: `"${shorten(text)}": ${err}` };
    } else {
      const p = parseMacroString(value);
      if (!p.ok) return { ok: false, error: `"${shorten(text)}": ${p.error}` };
    }
    return { ok: true, term: { type: 'modifier', name, value, text, position, macros: specHasMacros(value) } };
  }
  return parseMechanism(text, position);
}

/**
 * Parse one SPF record (the text of the single selected TXT record). Terms are separated by
 * spaces only (§4.6.1: "one or more spaces"); any other character outside the grammar is a
 * syntax error naming the offending term.
 */
export function parseSpfRecord(text: string, opts: ParseOptions = {}): ParseResult {
  const maxLength = Math.min(opts.maxLength ?? DEFAULT_MAX_RECORD_LENGTH, MAX_SPF_TEXT);
  const maxTerms = opts.maxTerms ?? DEFAULT_MAX_TERMS;
  if (text.length > maxLength) return { ok: false, error: `record is ${text.length} characters long (limit ${maxLength})` };
  if (!isSpfRecordText(text)) return { ok: false, error: 'record does not start with "v=spf1"' };
  const terms: SpfTerm[] = [];
  const re = / +|[^ ]+/g;
  let match: RegExpExecArray | null;
  re.lastIndex = 6;
  while ((match = re.exec(text)) !== null) {
    const token = match[0];
    if (token.startsWith(' ')) continue;
    const position = match.index;
    if (terms.length >= maxTerms) return { ok: false, error: `record has more than ${maxTerms} terms`, position };
    const r = parseTerm(token, position);
    if (!r.ok) return { ok: false, error: r.error, term: token, position };
    terms.push(r.term);
  }
  const mechanisms = terms.filter((t): t is Mechanism => t.type === 'mechanism');
  const modifiers = terms.filter((t): t is Modifier => t.type === 'modifier');
  const redirects = modifiers.filter((m) => m.name === 'redirect');
  const exps = modifiers.filter((m) => m.name === 'exp');
  // §6: redirect and exp MUST NOT appear more than once each.
  if (redirects.length > 1) {
    return { ok: false, error: 'more than one redirect= modifier', term: redirects[1]?.text, position: redirects[1]?.position };
  }
  if (exps.length > 1) {
    return { ok: false, error: 'more than one exp= modifier', term: exps[1]?.text, position: exps[1]?.position };
  }
  return {
    ok: true,
    record: {
      text,
      terms,
      mechanisms,
      redirect: redirects[0],
      exp: exps[0],
      unknownModifiers: modifiers.filter((m) => m.name !== 'redirect' && m.name !== 'exp'),
    },
  };
}

/** Mechanisms and modifiers that cost a DNS query under §4.6.4's limit of 10. */
export function countsTowardLookupLimit(term: SpfTerm): boolean {
  if (term.type === 'modifier') return term.name === 'redirect';
  return term.kind === 'include' || term.kind === 'a' || term.kind === 'mx' || term.kind === 'ptr' || term.kind === 'exists';
}
