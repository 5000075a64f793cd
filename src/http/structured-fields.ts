// Structured fields (RFC 8941), just enough to tell a browser's parser would accept a value: the
// Dictionary of Permissions-Policy and the Item of Cross-Origin-Opener/-Embedder-Policy
// (src/http/headers). Linear and bounded: values over MAX_HEADER_CHARS are refused, members capped.
import { MAX_HEADER_CHARS } from './headers/common.js';

export type SfBareItem =
  | { type: 'integer' | 'decimal'; value: number }
  | { type: 'string' | 'token' | 'bytes'; value: string }
  | { type: 'boolean'; value: boolean };
export interface SfItem {
  item: SfBareItem;
  params: Array<[string, SfBareItem]>;
}
export interface SfInnerList {
  list: SfItem[];
  params: Array<[string, SfBareItem]>;
}
export type SfResult<T> = { ok: true; value: T } | { ok: false; error: string; offset: number };

/** Most dictionary members, inner-list items or parameters accepted before giving up. */
const SF_MAX_MEMBERS = 1024;

class SfError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const isLcAlpha = (c: string) => c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlphaC = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const TCHAR_EXTRA = "!#$%&'*+-.^_`|~";
const isTokenChar = (c: string) => isAlphaC(c) || isDigit(c) || TCHAR_EXTRA.includes(c) || c === ':' || c === '/';
const isBase64Char = (c: string) => isAlphaC(c) || isDigit(c) || c === '+' || c === '/' || c === '=';

/** A one-pass RFC 8941 §4.2 parser over one field value; every loop consumes input. */
class SfParser {
  i = 0;
  count = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new SfError(msg, this.i);
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  bump(): void {
    if (++this.count > SF_MAX_MEMBERS) this.fail('too many members');
  }
  skipSp(): void {
    while (this.peek() === ' ') this.i++;
  }
  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  key(): string {
    const c = this.peek();
    if (!isLcAlpha(c) && c !== '*') this.fail('a key must start with a lower-case letter or "*"');
    const start = this.i;
    while (this.i < this.s.length) {
      const d = this.peek();
      if (!(isLcAlpha(d) || isDigit(d) || d === '_' || d === '-' || d === '.' || d === '*')) break;
      this.i++;
    }
    return this.s.slice(start, this.i);
  }
  bareItem(): SfBareItem {
    const c = this.peek();
    if (c === '-' || isDigit(c)) return this.number();
    if (c === '"') return this.string();
    if (isAlphaC(c) || c === '*') {
      const start = this.i++;
      while (this.i < this.s.length && isTokenChar(this.peek())) this.i++;
      return { type: 'token', value: this.s.slice(start, this.i) };
    }
    if (c === ':') {
      const start = ++this.i;
      while (this.i < this.s.length && isBase64Char(this.peek())) this.i++;
      if (this.peek() !== ':') this.fail('unterminated byte sequence');
      return { type: 'bytes', value: this.s.slice(start, this.i++) };
    }
    if (c === '?') {
      this.i++;
      const b = this.peek();
      if (b !== '0' && b !== '1') this.fail('a boolean must be ?0 or ?1');
      this.i++;
      return { type: 'boolean', value: b === '1' };
    }
    return this.fail(c === '' ? 'a value is missing' : `unexpected character "${c}"`);
  }
  number(): SfBareItem {
    const start = this.i;
    if (this.peek() === '-') this.i++;
    if (!isDigit(this.peek())) this.fail('a number needs a digit');
    let dot = -1;
    while (this.i < this.s.length) {
      const c = this.peek();
      if (isDigit(c)) this.i++;
      else if (c === '.' && dot < 0) dot = this.i++;
      else break;
      const len = this.i - start;
      if ((dot < 0 && len > 15) || (dot >= 0 && len > 16)) this.fail('number too long');
    }
    const text = this.s.slice(start, this.i);
    if (dot < 0) return { type: 'integer', value: Number(text) };
    const frac = this.i - dot - 1;
    if (frac < 1 || frac > 3 || dot - start > 12 + (text.startsWith('-') ? 1 : 0)) this.fail('malformed decimal');
    return { type: 'decimal', value: Number(text) };
  }
  string(): SfBareItem {
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++] ?? '';
      if (c === '\\') {
        const n = this.s[this.i++] ?? '';
        if (n !== '"' && n !== '\\') this.fail('bad escape in string');
        out += n;
      } else if (c === '"') {
        return { type: 'string', value: out };
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('non-printable character in string');
        out += c;
      }
    }
    return this.fail('unterminated string');
  }
  params(): Array<[string, SfBareItem]> {
    const out: Array<[string, SfBareItem]> = [];
    while (this.peek() === ';') {
      this.bump();
      this.i++;
      this.skipSp();
      const k = this.key();
      let v: SfBareItem = { type: 'boolean', value: true };
      if (this.peek() === '=') {
        this.i++;
        v = this.bareItem();
      }
      out.push([k, v]);
    }
    return out;
  }
  item(): SfItem {
    const item = this.bareItem();
    return { item, params: this.params() };
  }
  itemOrInnerList(): SfItem | SfInnerList {
    if (this.peek() !== '(') return this.item();
    this.i++;
    const list: SfItem[] = [];
    while (this.i < this.s.length) {
      this.skipSp();
      if (this.peek() === ')') {
        this.i++;
        return { list, params: this.params() };
      }
      this.bump();
      list.push(this.item());
      const c = this.peek();
      if (c !== ' ' && c !== ')') this.fail('inner-list items must be separated by spaces');
    }
    return this.fail('unterminated inner list');
  }
  end(): void {
    this.skipSp();
    if (this.i < this.s.length) this.fail(`unexpected character "${this.peek()}"`);
  }
}

function sfRun<T>(value: string, body: (p: SfParser) => T): SfResult<T> {
  if (value.length > MAX_HEADER_CHARS) return { ok: false, error: 'value too long', offset: MAX_HEADER_CHARS };
  const p = new SfParser(value);
  try {
    p.skipSp();
    const v = body(p);
    p.end();
    return { ok: true, value: v };
  } catch (e) {
    if (e instanceof SfError) return { ok: false, error: e.message, offset: e.offset };
    throw e;
  }
}

/** Parse an RFC 8941 Dictionary (duplicate keys: the last wins). */
export function parseSfDictionary(value: string): SfResult<Map<string, SfItem | SfInnerList>> {
  return sfRun(value, (p) => {
    const out = new Map<string, SfItem | SfInnerList>();
    while (p.i < p.s.length) {
      p.bump();
      const k = p.key();
      let member: SfItem | SfInnerList;
      if (p.peek() === '=') {
        p.i++;
        member = p.itemOrInnerList();
      } else {
        member = { item: { type: 'boolean', value: true }, params: p.params() };
      }
      out.delete(k);
      out.set(k, member);
      p.skipOws();
      if (p.i >= p.s.length) break;
      if (p.peek() !== ',') p.fail('members must be separated by ","');
      p.i++;
      p.skipOws();
      if (p.i >= p.s.length) p.fail('trailing ","');
    }
    return out;
  });
}

/** Parse an RFC 8941 Item (a bare item with parameters, nothing else). */
export function parseSfItem(value: string): SfResult<SfItem> {
  return sfRun(value, (p) => p.item());
}
