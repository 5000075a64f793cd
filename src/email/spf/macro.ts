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

const DOMAIN_LETTERS = new Set(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'v']);
const EXP_ONLY_LETTERS = new Set(['c', 'r', 't']);
/** §7.3 allows expanding at least 128 parts; more digits than that make no difference. */
const MAX_DIGITS = 128;

/**
 * Parse a macro-string (`explanation: false`) or an explain-string (`explanation: true`: also
 * spaces and the c, r, t letters). Errors name the offending offset.
 */
export function parseMacroString(text: string, opts: { explanation?: boolean } = {}): MacroParse {
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
      if (!m) return { ok: false, error: `malformed macro "%{${body}}" at offset ${i}`, offset: i };
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

export async function expandItems(items: MacroItem[], ctx: MacroContext): Promise<string> {
  let out = '';
  for (const item of items) {
    if (item.kind === 'literal') {
      out += item.text;
      continue;
    }
    const raw = await letterValue(item.letter, ctx);
    const transformed = item.digits === undefined && !item.reverse && item.delimiters === '.' ? raw : transform(raw, item);
    out += item.escape ? urlEscape(transformed) : transformed;
  }
  return out;
}

/**
 * Turn an expanded domain-spec into the name to query: one trailing dot dropped (§7.3 "trailing
 * dot is ignored"), and when longer than 253 characters, labels removed from the left until it
 * fits (§7.3).
 */
export function finishDomain(expanded: string): string {
  let name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  while (name.length > 253) {
    const dot = name.indexOf('.');
    if (dot < 0) break;
    name = name.slice(dot + 1);
  }
  return name;
}

/** Expand a (syntactically valid) domain-spec into the target name. */
export async function expandDomainSpec(spec: string, ctx: MacroContext): Promise<string> {
  const parsed = parseMacroString(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return finishDomain(await expandItems(parsed.items, ctx));
}

/**
 * Expand explanation text fetched through exp= (§6.2). Returns null when the text is not valid
 * (non-ASCII, control characters or a macro syntax error): the caller then proceeds as if there
 * were no exp= modifier.
 */
export async function expandExplanation(text: string, ctx: MacroContext): Promise<string | null> {
  const parsed = parseMacroString(text, { explanation: true });
  if (!parsed.ok) return null;
  return expandItems(parsed.items, ctx);
}
