// A bounded, dependency-free scan of an HTML page for the elements that load resources (scripts,
// stylesheets, frames, media, forms, <base>, <meta>). It is a small tokenizer after the WHATWG
// tokenizer states that matter here (data, tag open, attributes, comments, raw text), not a tree
// builder: every step moves forward with indexOf or one character at a time, so the work is linear
// in the input, whatever it holds (no regex over the document, no backtracking).
//
// Simplifications, on purpose:
//   - no foreign content: `<![CDATA[` is a bogus comment ending at the first `>`, as in HTML;
//   - raw-text elements end at the first matching end tag (the script "escaped" states that
//     `<!--<script>` enables are not modelled);
//   - <noscript> content is scanned as markup (what a browser without scripts would load), which
//     can only add elements, never hide one.

export interface HtmlElementRef {
  /** Lower-case tag name: script, link, img, iframe, audio, video, source, track, object, embed, form, meta, base. */
  tag: string;
  /** Lower-cased attribute names -> raw value (entity-decoded for &amp; &quot; &#39; &lt; &gt; numeric); boolean attrs -> ''. */
  attrs: Record<string, string>;
  /** The URL-bearing attribute value for this element (script/img/iframe/… src, link href, object data, form action), or null. */
  url: string | null;
  /** 0-based order of appearance. */
  index: number;
}

export interface HtmlScan {
  /** Only the tags listed in HtmlElementRef.tag (others are skipped). */
  elements: HtmlElementRef[];
  /** Stopped at maxElements or maxBytes. */
  truncated: boolean;
}

/** 2 MiB: the most of a page scanned (counted in UTF-16 code units, at least as many as the bytes of ASCII). */
export const MAX_HTML_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_ELEMENTS = 5000;
/** Attributes kept per element; the rest are parsed (to find the tag's end) but dropped. */
const MAX_ATTRS = 64;

/** The attribute holding each kept element's URL; null: the element has none (meta). */
const URL_ATTR: Readonly<Record<string, string | null>> = {
  script: 'src',
  link: 'href',
  img: 'src',
  iframe: 'src',
  audio: 'src',
  video: 'src',
  source: 'src',
  track: 'src',
  object: 'data',
  embed: 'src',
  form: 'action',
  meta: null,
  base: 'href',
};

// Elements whose content is text up to the matching end tag (WHATWG "RAWTEXT"/"RCDATA"/script
// data; iframe, noembed and noframes are raw text in browsers with scripting on).
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

const NAMED: Readonly<Record<string, string>> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
// Bounded: at most 8 digits, so one `&` costs at most a few steps beyond its own run.
const ENTITY = /&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,8})|(amp|quot|apos|lt|gt));/g;

/** Decode the few entities that matter in URLs; invalid code points become U+FFFD, as browsers do. */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (_m, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? _m;
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(cp);
  });
}

interface Tag {
  name: string;
  attrs: Array<[string, string]>;
  /** Index just after the closing `>`. */
  end: number;
}

/**
 * Read a tag from just after `<` (start tag) or `</` (end tag) at `i`, which is an ASCII letter.
 * Returns null when the input ends inside the tag: browsers drop such a tag (EOF in tag).
 */
function readTag(s: string, i: number, keepAttrs: (name: string) => boolean): Tag | null {
  const n = s.length;
  let j = i;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (isSpace(c) || c === 0x2f /* / */ || c === 0x3e /* > */) break;
    j++;
  }
  const name = s.slice(i, j).toLowerCase();
  const keep = keepAttrs(name);
  const attrs: Array<[string, string]> = [];
  const seen = new Set<string>();
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 0x3e) return { name, attrs, end: j + 1 };
    if (isSpace(c) || c === 0x2f) {
      j++;
      continue;
    }
    // Attribute name: a leading `=` belongs to the name (WHATWG "before attribute name" state).
    const nameStart = j;
    j++;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (isSpace(d) || d === 0x2f || d === 0x3e || d === 0x3d /* = */) break;
      j++;
    }
    const attrName = s.slice(nameStart, j);
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    let value = '';
    if (j < n && s.charCodeAt(j) === 0x3d) {
      j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return null;
      const q = s.charCodeAt(j);
      if (q === 0x22 || q === 0x27) {
        const close = s.indexOf(q === 0x22 ? '"' : "'", j + 1);
        if (close < 0) return null;
        if (keep) value = s.slice(j + 1, close);
        j = close + 1;
      } else if (q !== 0x3e) {
        const start = j;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (isSpace(d) || d === 0x3e) break;
          j++;
        }
        if (keep) value = s.slice(start, j);
      }
    }
    if (keep && attrs.length < MAX_ATTRS) {
      const lower = attrName.toLowerCase();
      // Duplicates: the first one wins (WHATWG "duplicate-attribute" error handling).
      if (!seen.has(lower)) {
        seen.add(lower);
        attrs.push([lower, decodeEntities(value)]);
      }
    }
  }
  return null;
}

/** Index just after the end tag `</name` closing a raw-text element, or -1 when there is none. */
function rawTextEnd(s: string, from: number, name: string): number {
  let k = from;
  for (;;) {
    const lt = s.indexOf('</', k);
    if (lt < 0) return -1;
    const after = lt + 2 + name.length;
    if (after <= s.length && s.slice(lt + 2, after).toLowerCase() === name) {
      const c = after < s.length ? s.charCodeAt(after) : -1;
      if (c === -1 || isSpace(c) || c === 0x2f || c === 0x3e) return lt;
    }
    k = lt + 2;
  }
}

/** Scan an HTML document for resource-loading elements, in order of appearance. */
export function scanHtml(html: string, opts: { maxElements?: number } = {}): HtmlScan {
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS;
  let truncated = html.length > MAX_HTML_BYTES;
  const s = truncated ? html.slice(0, MAX_HTML_BYTES) : html;
  const n = s.length;
  const elements: HtmlElementRef[] = [];
  // Object.hasOwn, not `in`: a tag named <constructor> must not match Object.prototype.
  const keepAttrs = (name: string) => Object.hasOwn(URL_ATTR, name);
  let i = 0;
  while (i < n) {
    const lt = s.indexOf('<', i);
    if (lt < 0 || lt + 1 >= n) break;
    const c = s.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (s.startsWith('<!--', lt)) {
        // `<!-->` and `<!--->` are (empty) comments; otherwise up to `-->` (`--!>` also closes).
        if (s.startsWith('>', lt + 4)) { i = lt + 5; continue; }
        if (s.startsWith('->', lt + 4)) { i = lt + 6; continue; }
        const close = commentEnd(s, lt + 4);
        if (close < 0) break; // an unterminated comment runs to the end of the input
        i = close;
        continue;
      }
      // Doctype, `<![CDATA[` and other markup declarations: bogus comment up to `>`.
      const gt = s.indexOf('>', lt + 2);
      if (gt < 0) break;
      i = gt + 1;
      continue;
    }
    if (c === 0x3f /* ? */) {
      const gt = s.indexOf('>', lt + 2);
      if (gt < 0) break;
      i = gt + 1;
      continue;
    }
    if (c === 0x2f /* / */) {
      const d = lt + 2 < n ? s.charCodeAt(lt + 2) : -1;
      if (d === 0x3e) { i = lt + 3; continue; } // `</>` is dropped
      if (isAlpha(d)) {
        const tag = readTag(s, lt + 2, () => false);
        if (tag === null) break;
        i = tag.end;
        continue;
      }
      if (d === -1) break;
      const gt = s.indexOf('>', lt + 2); // `</ x>` and the like: bogus comment
      if (gt < 0) break;
      i = gt + 1;
      continue;
    }
    if (!isAlpha(c)) {
      i = lt + 1; // a stray `<` is text
      continue;
    }
    const tag = readTag(s, lt + 1, keepAttrs);
    if (tag === null) break; // unterminated tag at the end: browsers drop it
    if (keepAttrs(tag.name)) {
      if (elements.length >= maxElements) {
        truncated = true;
        break;
      }
      const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [k, v] of tag.attrs) attrs[k] = v;
      const urlAttr = URL_ATTR[tag.name];
      const url = urlAttr ? (attrs[urlAttr] ?? null) : null;
      elements.push({ tag: tag.name, attrs, url, index: elements.length });
    }
    i = tag.end;
    if (tag.name === 'plaintext') break; // everything after <plaintext> is text
    if (RAW_TEXT.has(tag.name)) {
      const end = rawTextEnd(s, i, tag.name);
      if (end < 0) break;
      i = end; // the end tag itself is read by the loop
    }
  }
  return { elements, truncated };
}

/** Index just after the `-->` (or `--!>`) closing a comment whose body starts at `from`, or -1. */
function commentEnd(s: string, from: number): number {
  let k = from;
  for (;;) {
    const dd = s.indexOf('--', k);
    if (dd < 0) return -1;
    if (s.startsWith('>', dd + 2)) return dd + 3;
    if (s.startsWith('!>', dd + 2)) return dd + 4;
    k = dd + 1;
  }
}

/** Scripts as the MDN Observatory's SRI test sees them: every <script> element (with or without src). */
export function scriptElements(scan: HtmlScan): HtmlElementRef[] {
  return scan.elements.filter((e) => e.tag === 'script');
}

/** The document base: the first <base> with an href (HTML "frozen base URL"), or null. */
export function baseHref(scan: HtmlScan): string | null {
  for (const e of scan.elements) if (e.tag === 'base' && e.attrs['href'] !== undefined) return e.attrs['href'];
  return null;
}
