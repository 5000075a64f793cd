// SPF macros (RFC 7208 §7): parsing of macro-strings and explain-strings, and their expansion.
//
//   macro-string = *( macro-expand / macro-literal )
//   macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//   macro-literal = %x21-24 / %x26-7E                 ; visible characters except "%"
//   macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
//   transformers = *DIGIT [ "r" ]
//   delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//   explain-string = *( macro-string / SP )
//
// c, r and t are allowed only in explanation text (§7.1: "The following macro letters are
// allowed only in 'exp' text"). Letters are case-insensitive; an upper-case letter means the
// expansion is URL-escaped (§7.3: every character outside the URI "unreserved" set).
import { ipText, ipv4Text, ipv6Nibbles, type IpAddress } from './ip.js';

export type MacroLetter = 's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'c' | 'r' | 't' | 'v';

export type MacroItem =
  | { kind: 'literal'; text: string }
  | {
      kind: 'macro';
      letter: MacroLetter;
      /** Upper-case letter: URL-escape the result. */
      escape: boolean;
      /** Number of right-hand parts to keep; undefined = all. Never 0 (§7.3). */
      digits?: number;
      reverse: boolean;
      /** Delimiter characters to split on; '.' when none were given. */
      delimiters: string;
      /** The macro as written, e.g. "%{ir}". */
      raw: string;
    };

export type MacroParse =
  /** `tailStart`: offset just after the last macro-expand (incl. %%, %_, %-), 0 when none. */
  | { ok: true; items: MacroItem[]; tailStart: number }
  | { ok: false; error: string; offset: number };

/**
 * The longest text any SPF string can be: a TXT record's RDATA is at most 65535 octets (RFC 1035
 * §3.2.1, RDLENGTH is 16 bits), so no record, term, domain-spec or explanation is longer. Longer
 * input is rejected before it is scanned.
 */
export const MAX_SPF_TEXT = 65535;

/** Quote at most `max` characters of (possibly hostile, long) record text in a message. */
export function shorten(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (${text.length} characters)`;
}

const DOMAIN_LETTERS = new Set(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'v']);
const EXP_ONLY_LETTERS = new Set(['c', 'r', 't']);
/** §7.3 allows expanding at least 128 parts; more digits than that make no difference. */
const MAX_DIGITS = 128;

/**
 * Parse a macro-string (`explanation: false`) or an explain-string (`explanation: true`: also
 * spaces and the c, r, t letters). Errors name the offending offset.
 */
export function parseMacroString(text: string, opts: { explanation?: boolean } = {}): MacroParse {
  if (text.length > MAX_SPF_TEXT) {
    return { ok: false, error: `text of ${text.length} characters is longer than any DNS TXT record (${MAX_SPF_TEXT})`, offset: MAX_SPF_TEXT };
  }
  const items: MacroItem[] = [];
  let literal = '';
  let tailStart = 0;
  const flush = (): void => {
    if (literal) items.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; ) {
    const ch = text.charCodeAt(i);
    if (ch === 0x25 /* % */) {
      const next = text[i + 1];
      if (next === '%') {
        literal += '%';
        i += 2;
        tailStart = i;
        continue;
      }
      if (next === '_') {
        literal += ' ';
        i += 2;
        tailStart = i;
        continue;
      }
      if (next === '-') {
        literal += '%20';
        i += 2;
        tailStart = i;
        continue;
      }
      if (next !== '{') {
        return { ok: false, error: `"%" must be followed by "{", "%", "_" or "-" (at offset ${i})`, offset: i };
      }
      const close = text.indexOf('}', i + 2);
      if (close < 0) return { ok: false, error: `unterminated macro at offset ${i}`, offset: i };
      const body = text.slice(i + 2, close);
      const m = /^([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)$/.exec(body);
      if (!m) return { ok: false, error: `malformed macro "${shorten(`%{${body}}`)}" at offset ${i}`, offset: i };
      const letterRaw = m[1] ?? '';
      const letter = letterRaw.toLowerCase();
      if (!DOMAIN_LETTERS.has(letter) && !EXP_ONLY_LETTERS.has(letter)) {
        return { ok: false, error: `unknown macro letter "${letterRaw}" in "%{${body}}"`, offset: i };
      }
      if (EXP_ONLY_LETTERS.has(letter) && !opts.explanation) {
        return {
          ok: false,
          error: `macro letter "${letterRaw}" is allowed only in explanation text (RFC 7208 §7.1), in "%{${body}}"`,
          offset: i,
        };
      }
      let digits: number | undefined;
      if (m[2]) {
        const n = Number(m[2]);
        if (n === 0) return { ok: false, error: `macro digit transformer must be nonzero in "%{${body}}"`, offset: i };
        digits = Math.min(n, MAX_DIGITS);
      }
      flush();
      items.push({
        kind: 'macro',
        letter: letter as MacroLetter,
        escape: letterRaw !== letter,
        digits,
        reverse: (m[3] ?? '') !== '',
        delimiters: m[4] || '.',
        raw: text.slice(i, close + 1),
      });
      i = close + 1;
      tailStart = i;
      continue;
    }
    const visible = ch >= 0x21 && ch <= 0x7e;
    if (!visible && !(opts.explanation && ch === 0x20)) {
      const shown = ch < 0x20 || ch > 0x7e ? `\\u${ch.toString(16).padStart(4, '0')}` : JSON.stringify(text[i]);
      return { ok: false, error: `character ${shown} is not allowed (offset ${i})`, offset: i };
    }
    literal += text[i];
    i++;
  }
  flush();
  return { ok: true, items, tailStart };
}

/** True when the string contains a %{…} macro (%%, %_ and %- are plain escapes). */
export function hasMacros(items: MacroItem[]): boolean {
  return items.some((it) => it.kind === 'macro');
}

/** What the macros expand to for one check_host() evaluation. */
export interface MacroContext {
  /** <sender>, local-part@domain (postmaster substituted when there was no local-part). */
  sender: string;
  localPart: string;
  senderDomain: string;
  /** The <domain> currently being evaluated. */
  domain: string;
  ip: IpAddress;
  helo: string;
  /** The "r" macro; "unknown" when not given (§7.3). */
  receiver?: string;
  /** The "t" macro, seconds since the epoch. */
  timestamp?: number;
  /** The "p" macro: the validated domain name of <ip>, or "unknown" (§7.3). Looked up lazily. */
  validatedName?: (domain: string) => Promise<string>;
}

async function letterValue(letter: MacroLetter, ctx: MacroContext): Promise<string> {
  switch (letter) {
    case 's':
      return ctx.sender;
    case 'l':
      return ctx.localPart;
    case 'o':
      return ctx.senderDomain;
    case 'd':
      return ctx.domain;
    case 'i':
      // Upper-case nibbles: RFC 7208 does not fix the case (DNS ignores it); the OpenSPF test
      // suite's v-macro-ip6 explanation expects upper case, so we produce exactly that.
      return ctx.ip.family === 4 ? ipv4Text(ctx.ip.bytes) : ipv6Nibbles(ctx.ip.bytes).join('.').toUpperCase();
    case 'p':
      return ctx.validatedName ? ctx.validatedName(ctx.domain) : 'unknown';
    case 'v':
      return ctx.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'c':
      return ipText(ctx.ip);
    case 'r':
      return ctx.receiver || 'unknown';
    case 't':
      return String(ctx.timestamp ?? Math.floor(Date.now() / 1000));
  }
}

/** URL-escape everything outside RFC 3986 "unreserved" (ALPHA DIGIT - . _ ~), upper-case hex. */
export function urlEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** §7.3 transformation: split on the delimiters, optionally reverse, keep the right-most N, join with ".". */
export function transform(value: string, item: Extract<MacroItem, { kind: 'macro' }>): string {
  let parts = value.split(new RegExp(`[${item.delimiters.replace(/[-\\\]^]/g, '\\$&')}]`));
  if (item.reverse) parts = parts.reverse();
  if (item.digits !== undefined && item.digits < parts.length) parts = parts.slice(parts.length - item.digits);
  return parts.join('.');
}

/**
 * Expand `items`. With `keepTail`, only the last `keepTail`..2×`keepTail` characters are kept as
 * the text grows: a domain-spec's result only matters through its right-most 254 characters
 * (finishDomain), and a record of 8 KB of %{s} macros would otherwise build megabytes. With
 * `maxLength`, expansion stops once the text is that long (explanations).
 */
export async function expandItems(items: MacroItem[], ctx: MacroContext, bounds: { keepTail?: number; maxLength?: number } = {}): Promise<string> {
  let out = '';
  for (const item of items) {
    if (item.kind === 'literal') {
      out += item.text;
    } else {
      const raw = await letterValue(item.letter, ctx);
      const transformed = item.digits === undefined && !item.reverse && item.delimiters === '.' ? raw : transform(raw, item);
      out += item.escape ? urlEscape(transformed) : transformed;
    }
    if (bounds.keepTail !== undefined && out.length > 2 * bounds.keepTail) out = out.slice(-bounds.keepTail);
    if (bounds.maxLength !== undefined && out.length >= bounds.maxLength) return out.slice(0, bounds.maxLength);
  }
  return out;
}

/** Longest domain name in text form (RFC 7208 §7.3, RFC 1035 §2.3.4 less the root dot). */
export const MAX_DOMAIN_LENGTH = 253;
/** Characters of an expansion kept while it grows: enough for finishDomain's decision. */
const DOMAIN_TAIL = 1024;
/** Longest explanation produced (§6.2 text is shown to senders; anything longer is cut). */
export const MAX_EXPLANATION_LENGTH = 4096;

/**
 * Turn an expanded domain-spec into the name to query: one trailing dot dropped (§7.3 "trailing
 * dot is ignored"), and when longer than 253 characters, labels removed from the left until it
 * fits (§7.3) — computed at once: the suffix after the first dot that leaves at most 253
 * characters, else (no such dot) the last label, which stays too long to query.
 */
export function finishDomain(expanded: string): string {
  const name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  if (name.length <= MAX_DOMAIN_LENGTH) return name;
  const dot = name.indexOf('.', name.length - MAX_DOMAIN_LENGTH - 1);
  if (dot >= 0) return name.slice(dot + 1);
  const last = name.lastIndexOf('.');
  return last < 0 ? name : name.slice(last + 1);
}

/** Expand a (syntactically valid) domain-spec into the target name. */
export async function expandDomainSpec(spec: string, ctx: MacroContext): Promise<string> {
  const parsed = parseMacroString(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return finishDomain(await expandItems(parsed.items, ctx, { keepTail: DOMAIN_TAIL }));
}

/**
 * Expand explanation text fetched through exp= (§6.2). Returns null when the text is not valid
 * (non-ASCII, control characters or a macro syntax error): the caller then proceeds as if there
 * were no exp= modifier.
 */
export async function expandExplanation(text: string, ctx: MacroContext): Promise<string | null> {
  const parsed = parseMacroString(text, { explanation: true });
  if (!parsed.ok) return null;
  return expandItems(parsed.items, ctx, { maxLength: MAX_EXPLANATION_LENGTH });
}
