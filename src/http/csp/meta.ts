// CSP delivered in <meta http-equiv="Content-Security-Policy" content="…"> (HTML §4.2.5.3). A small
// tokenizer, not a regex: comments, raw-text elements (<script>, <style> …) and quoted attributes
// cannot fake a <meta>, and only a meta element inside <head> counts, as the HTML parser decides:
// the head ends at the first element or text that belongs to the body. Bounded: reads a prefix.
import { CSP_LIMITS, parseCsp, type CspNote, type ParsedCsp } from './parse.js';

/** HTML read: policies after 256 KiB of markup would be very unusual. */
export const META_SCAN_MAX_LENGTH = 262_144;

export interface MetaCspExtraction {
  /** content of each enforced meta CSP inside <head>, in document order. */
  policies: string[];
  /** Meta CSP elements browsers ignore, with the reason (report-only, outside <head>, empty). */
  ignored: Array<{ content: string; reason: string }>;
  /** True when the scan stopped at the length limit or an unterminated construct. */
  truncated: boolean;
}

// Elements the "in head" insertion mode accepts; any other start tag (or text) opens the body.
const HEAD_ELEMENTS = new Set(['html', 'head', 'base', 'basefont', 'bgsound', 'link', 'meta', 'noframes',
  'script', 'style', 'template', 'title', 'noscript']);
// Elements whose content is not markup (raw text / RCDATA), or, for template, not in the document.
const OPAQUE_ELEMENTS = new Set(['script', 'style', 'title', 'textarea', 'xmp', 'iframe', 'noembed',
  'noframes', 'noscript', 'template', 'plaintext']);
const WS = new Set([' ', '\t', '\n', '\f', '\r']);
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,6});?/g, (m, body: string) => {
    if (body.startsWith('#')) {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    return m.endsWith(';') ? (NAMED[body.toLowerCase()] ?? m) : m;
  });
}

interface Tag { name: string; attrs: Map<string, string>; end: number }

/** Parse a start tag at html[i] === '<'; null if it does not close before `limit`. */
function readStartTag(html: string, i: number, limit: number): Tag | null {
  let p = i + 1;
  while (p < limit && !WS.has(html[p]!) && html[p] !== '/' && html[p] !== '>') p++;
  const name = html.slice(i + 1, p).toLowerCase();
  const attrs = new Map<string, string>();
  while (p < limit) {
    while (p < limit && (WS.has(html[p]!) || html[p] === '/')) p++;
    if (p >= limit) return null;
    if (html[p] === '>') return { name, attrs, end: p + 1 };
    const a = p;
    p++; // a leading "=" belongs to the name (HTML tokenizer)
    while (p < limit && !WS.has(html[p]!) && html[p] !== '/' && html[p] !== '>' && html[p] !== '=') p++;
    const attr = html.slice(a, p).toLowerCase();
    while (p < limit && WS.has(html[p]!)) p++;
    let value = '';
    if (html[p] === '=') {
      p++;
      while (p < limit && WS.has(html[p]!)) p++;
      const q = html[p];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, p + 1);
        if (close < 0 || close >= limit) return null;
        value = html.slice(p + 1, close);
        p = close + 1;
      } else {
        const v = p;
        while (p < limit && !WS.has(html[p]!) && html[p] !== '>') p++;
        value = html.slice(v, p);
      }
    }
    if (!attrs.has(attr)) attrs.set(attr, decodeEntities(value)); // the first attribute wins
  }
  return null;
}

/** Find every CSP <meta> in the first META_SCAN_MAX_LENGTH characters of an HTML document. */
export function extractMetaCsp(input: string, maxLength = META_SCAN_MAX_LENGTH): MetaCspExtraction {
  const html = typeof input === 'string' ? input : '';
  const out: MetaCspExtraction = { policies: [], ignored: [], truncated: false };
  const limit = Math.min(html.length, maxLength);
  if (limit < html.length) out.truncated = true;
  const lower = html.slice(0, limit).toLowerCase();
  let inHead = true;
  let i = lower.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stop = (): MetaCspExtraction => ({ ...out, truncated: true });
  while (i < limit) {
    const c = html[i]!;
    if (c !== '<') {
      if (!WS.has(c)) inHead = false; // text starts the body
      i++;
      continue;
    }
    const next = html[i + 1] ?? '';
    if (lower.startsWith('<!--', i)) {
      const end = lower.indexOf('-->', i + 4);
      if (end < 0) return stop();
      i = end + 3;
    } else if (next === '!' || next === '?' || next === '/') {
      const end = lower.indexOf('>', i + 1); // doctype, bogus comment or end tag
      if (end < 0) return stop();
      i = end + 1;
    } else if (/[a-zA-Z]/.test(next)) {
      const tag = readStartTag(html, i, limit);
      if (!tag) return stop();
      i = tag.end;
      if (!HEAD_ELEMENTS.has(tag.name)) inHead = false;
      if (tag.name === 'meta') visitMeta(tag.attrs, inHead, out);
      if (OPAQUE_ELEMENTS.has(tag.name)) {
        if (tag.name === 'plaintext') break;
        const close = lower.indexOf(`</${tag.name}`, i);
        if (close < 0) return stop();
        i = close;
      }
    } else {
      inHead = false; // a lone "<" is text
      i++;
    }
  }
  return out;
}

function visitMeta(attrs: Map<string, string>, inHead: boolean, out: MetaCspExtraction): void {
  const equiv = (attrs.get('http-equiv') ?? '').toLowerCase();
  if (equiv !== 'content-security-policy' && equiv !== 'content-security-policy-report-only') return;
  const content = attrs.get('content') ?? '';
  if (out.policies.length + out.ignored.length >= CSP_LIMITS.maxPolicies) return;
  if (equiv === 'content-security-policy-report-only') {
    out.ignored.push({ content, reason: 'Content-Security-Policy-Report-Only is not supported in <meta>' });
  } else if (!inHead) {
    out.ignored.push({ content, reason: 'the <meta> element is not in <head>' });
  } else if (content === '') {
    out.ignored.push({ content, reason: 'the <meta> element has no content' });
  } else {
    out.policies.push(content);
  }
}

/** Parse the contents found by extractMetaCsp as one set of policies (each meta is one policy). */
export function parseMetaCsp(contents: readonly string[]): ParsedCsp {
  const merged: ParsedCsp = { source: 'meta', policies: [], notes: [], notesDropped: 0, length: 0 };
  for (const content of contents.slice(0, CSP_LIMITS.maxPolicies)) {
    const p = parseCsp(content, { source: 'meta' });
    const offset = merged.policies.length;
    merged.policies.push(...p.policies);
    const notes: CspNote[] = p.notes.map((n) => ({ ...n, policy: n.policy === null ? null : n.policy + offset }));
    const room = CSP_LIMITS.maxNotes - merged.notes.length;
    merged.notes.push(...notes.slice(0, Math.max(0, room)));
    merged.notesDropped += p.notesDropped + Math.max(0, notes.length - Math.max(0, room));
    merged.length += p.length;
  }
  return merged;
}
