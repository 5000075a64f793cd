// An HTML page read as a browser reads it: parse5 (the WHATWG parser jsdom uses, so the one the MDN
// Observatory reads pages with) builds the tree, and the elements that load resources (scripts,
// stylesheets, frames, media, forms, <base>, <meta>) are listed in document order. Being a tree
// builder, it knows what a tokenizer cannot:
//   - <template> content is not in the document (an inert fragment): none of its elements count;
//   - <svg> and <math> content is foreign: a <script> there is an SVG/MathML element, not an HTML
//     script (listed with its namespace, so each reader decides: a browser does not apply `src` or
//     `integrity` to it, and the Observatory counts it but finds no `src`);
//   - <noscript> depends on the scripting flag, so each reader picks its parse (HtmlParseMode):
//     our own checks read the page as a browser does, scripts on ('browser': <noscript> content is
//     text, so a <meta name=referrer>, <base> or <script> there changes nothing); the Observatory's
//     SRI test reads `new JSDOM(html)`, scripts off ('document': its content is markup); its <meta>
//     reading, `JSDOM.fragment`, has scripting on ('template-fragment': text again);
//   - where the head ends, what a misnested tag closes, entities, duplicate attributes, raw text and
//     comments are all decided by the HTML Standard's algorithm, not by approximation.
//
// Bounded, because pages are hostile: the input is cut at MAX_HTML_BYTES; a tag with more than
// MAX_ATTRS_PER_TAG attributes cuts the input before it (parse5 checks duplicate attributes in
// quadratic time); and the tree builder runs under a budget of nodes, nesting depth and tree
// operations (parse5's scope checks walk the open-element stack, so a deep stack would make the
// parse quadratic). Past a limit the parse stops, what was built so far is read, and the scan says
// `truncated`.
import { defaultTreeAdapter, html as parse5Html, parse, parseFragment, type DefaultTreeAdapterMap, type TreeAdapter } from 'parse5';

type P5Element = DefaultTreeAdapterMap['element'];
type P5Node = DefaultTreeAdapterMap['node'];
type P5Parent = DefaultTreeAdapterMap['parentNode'];

export type HtmlNamespace = 'html' | 'svg' | 'mathml';

export interface HtmlElementRef {
  /** Lower-case tag name: script, link, img, iframe, audio, video, source, track, object, embed, form, meta, base. */
  tag: string;
  /** The element's namespace: an HTML element, or one inside <svg>/<math> (foreign content). */
  ns: HtmlNamespace;
  /** Attribute names (lower-case for HTML elements; `prefix:name` for namespaced foreign ones) -> decoded value; boolean attrs -> ''. */
  attrs: Record<string, string>;
  /** The URL-bearing attribute value for an HTML element (script/img/iframe/… src, link href, object data, form action), or null. */
  url: string | null;
  /** The element is a child of the document's <head> (where a <meta> CSP must be to apply). */
  inHead: boolean;
  /** 0-based order of appearance. */
  index: number;
}

export interface HtmlScan {
  /** Only the tags listed in HtmlElementRef.tag (others are skipped), in document order. */
  elements: HtmlElementRef[];
  /** The page was read only in part: input cut at MAX_HTML_BYTES, a limit of the parse, or maxElements. */
  truncated: boolean;
}

/** 2 MiB: the most of a page parsed (counted in UTF-16 code units, at least as many as the bytes of ASCII). */
export const MAX_HTML_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_ELEMENTS = 5000;
/** A start tag with more attributes than this ends the input (no real page comes close). */
export const MAX_ATTRS_PER_TAG = 1024;
/** Elements and comments the tree may hold. */
export const MAX_HTML_NODES = 200_000;
/** Nesting depth of the tree (Chromium flattens beyond 512; parse5 does not, and slows down). */
export const MAX_HTML_DEPTH = 1024;
/** Tree-adapter calls the parse may make (scope checks included): about a second of work at most. */
export const MAX_HTML_OPERATIONS = 30_000_000;
/** Attributes kept per element; the rest are parsed but dropped. */
const MAX_KEPT_ATTRS = 64;

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

const NAMESPACES: Readonly<Record<string, HtmlNamespace>> = {
  [parse5Html.NS.HTML]: 'html',
  [parse5Html.NS.SVG]: 'svg',
  [parse5Html.NS.MATHML]: 'mathml',
};

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * Where the input must end so that no start tag has more than `max` attributes: the index of the
 * `<` of the first such tag, or -1. A linear over-approximation of the tokenizer (every `<letter`
 * opens a tag, a value after `=` is skipped whole, `>` ends the tag): it may see tags inside text
 * or comments, never miss one the tokenizer sees.
 */
export function overlongTagAt(s: string, max = MAX_ATTRS_PER_TAG): number {
  const n = s.length;
  let i = 0;
  for (;;) {
    const lt = s.indexOf('<', i);
    if (lt < 0 || lt + 1 >= n) return -1;
    if (!isAlpha(s.charCodeAt(lt + 1))) {
      i = lt + 1;
      continue;
    }
    let j = lt + 1;
    while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== 0x3e && s.charCodeAt(j) !== 0x2f) j++;
    let attrs = 0;
    // The tokenizer's attribute states: before a name (a leading `=` belongs to the name), in a
    // name, after a name (a `=` starts the value).
    let state: 'before' | 'name' | 'after' = 'before';
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 0x3e) break;
      if (c === 0x3d && state !== 'before') {
        // A value: quoted (up to the matching quote, `>` included) or unquoted (up to space or `>`).
        j++;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        const q = j < n ? s.charCodeAt(j) : -1;
        if (q === 0x22 || q === 0x27) {
          const close = s.indexOf(q === 0x22 ? '"' : "'", j + 1);
          if (close < 0) return -1; // the value runs to the end of the input: no further attribute
          j = close + 1;
        } else {
          while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== 0x3e) j++;
        }
        state = 'before';
        continue;
      }
      if (c === 0x2f) state = 'before';
      else if (isSpace(c)) state = state === 'name' ? 'after' : state;
      else if (state !== 'name') {
        state = 'name';
        if (++attrs > max) return lt;
      }
      j++;
    }
    if (j >= n) return -1;
    i = j + 1;
  }
}

/** Thrown inside the tree adapter to stop a parse that reached a limit. */
class ParseLimit extends Error {}

/**
 * parse5's default tree adapter, counting its work: past a limit, the parse stops (ParseLimit).
 * Work is counted per call, plus the length of the child list a call searches or splices (foster
 * parenting and the adoption agency insert before or detach a node among its siblings).
 */
function boundedAdapter(): { adapter: TreeAdapter<DefaultTreeAdapterMap>; stopped: () => boolean } {
  let ops = 0;
  let nodes = 0;
  let stopped = false;
  const depth = new WeakMap<P5Node, number>();
  // A template's content fragment is attached to the template before the template is in the tree:
  // its depth is read through the template when needed.
  const hostOf = new WeakMap<P5Node, P5Element>();
  const stop = (why: string): never => {
    stopped = true;
    throw new ParseLimit(why);
  };
  const tick = (cost = 1): void => {
    ops += cost;
    if (ops > MAX_HTML_OPERATIONS) stop('operations');
  };
  const node = (): void => {
    if (++nodes > MAX_HTML_NODES) stop('nodes');
  };
  const depthOf = (n: P5Node): number => {
    const host = hostOf.get(n);
    return host ? depthOf(host) + 1 : (depth.get(n) ?? 0);
  };
  const placed = (parent: P5Parent, child: P5Node): void => {
    const d = depthOf(parent) + 1;
    if (d > MAX_HTML_DEPTH) stop('depth');
    depth.set(child, d);
  };
  const siblings = (n: P5Node): number => (n as { parentNode?: P5Parent | null }).parentNode?.childNodes.length ?? 0;
  const base = defaultTreeAdapter;
  const adapter: TreeAdapter<DefaultTreeAdapterMap> = {
    ...base,
    createElement(tagName, namespaceURI, attrs) {
      tick();
      node();
      return base.createElement(tagName, namespaceURI, attrs);
    },
    createCommentNode(data) {
      tick();
      node();
      return base.createCommentNode(data);
    },
    appendChild(parentNode, newNode) {
      tick();
      placed(parentNode, newNode);
      base.appendChild(parentNode, newNode);
    },
    insertBefore(parentNode, newNode, referenceNode) {
      tick(1 + parentNode.childNodes.length);
      placed(parentNode, newNode);
      base.insertBefore(parentNode, newNode, referenceNode);
    },
    setTemplateContent(templateElement, contentElement) {
      tick();
      hostOf.set(contentElement, templateElement);
      base.setTemplateContent(templateElement, contentElement);
    },
    detachNode(n) {
      tick(1 + siblings(n));
      base.detachNode(n);
    },
    insertText(parentNode, text) {
      tick();
      base.insertText(parentNode, text);
    },
    insertTextBefore(parentNode, text, referenceNode) {
      tick(1 + parentNode.childNodes.length);
      base.insertTextBefore(parentNode, text, referenceNode);
    },
    adoptAttributes(recipient, attrs) {
      tick(1 + recipient.attrs.length + attrs.length);
      base.adoptAttributes(recipient, attrs);
    },
    getNamespaceURI(element) {
      tick();
      return base.getNamespaceURI(element);
    },
    getTagName(element) {
      tick();
      return base.getTagName(element);
    },
    getParentNode(n) {
      tick();
      return base.getParentNode(n);
    },
    getChildNodes(n) {
      tick();
      return base.getChildNodes(n);
    },
  };
  return { adapter, stopped: () => stopped };
}

export type HtmlParseMode =
  /**
   * A whole document as a browser builds it, scripting enabled (every browser's default): <noscript>
   * content is raw text. What secgrade's own checks read (CSP and referrer <meta>, <base>, SRI, mixed content).
   */
  | 'browser'
  /** A whole document with scripting disabled, as jsdom builds `new JSDOM(html)` (the Observatory's SRI test): <noscript> content is markup. */
  | 'document'
  /**
   * A fragment parsed in the context of a <template> element: what jsdom's `JSDOM.fragment(html)`
   * builds, and so the tree the Observatory reads <meta> from (every <meta>, head or body alike).
   * jsdom gives that parse no options, so scripting is enabled there: <noscript> content is text.
   */
  | 'template-fragment';

/** The input cut to the limits: MAX_HTML_BYTES, and before a tag with too many attributes. */
function boundedInput(html: string): { input: string; cut: boolean } {
  let input = html.length > MAX_HTML_BYTES ? html.slice(0, MAX_HTML_BYTES) : html;
  let cut = input.length < html.length;
  const overlong = overlongTagAt(input);
  if (overlong >= 0) {
    input = input.slice(0, overlong);
    cut = true;
  }
  return { input, cut };
}

/** The tree parse5 builds in the given mode, or what it had built when a limit stopped it. */
function parseTree(input: string, mode: HtmlParseMode): { root: P5Parent; stopped: boolean } {
  const { adapter, stopped } = boundedAdapter();
  let root: P5Parent | null = null;
  // Capture the root as it is created, so a parse stopped half-way still leaves its tree to read:
  // the document, or for a fragment parse5's stand-in document (its first element, "documentmock").
  const capturing: TreeAdapter<DefaultTreeAdapterMap> = {
    ...adapter,
    createDocument() {
      const d = adapter.createDocument();
      root ??= d;
      return d;
    },
    createElement(tagName, namespaceURI, attrs) {
      const e = adapter.createElement(tagName, namespaceURI, attrs);
      if (mode === 'template-fragment') root ??= e;
      return e;
    },
  };
  try {
    if (mode !== 'template-fragment') root = parse(input, { scriptingEnabled: mode === 'browser', treeAdapter: capturing });
    else {
      // jsdom parses a <template>'s content with the parse options of the template contents owner
      // document, which has none: parse5's default, scripting enabled (<noscript> is raw text).
      const context = defaultTreeAdapter.createElement('template', parse5Html.NS.HTML, []);
      root = parseFragment(context, input, { scriptingEnabled: true, treeAdapter: capturing });
    }
  } catch (err) {
    if (!(err instanceof ParseLimit)) throw err;
  }
  return { root: root ?? defaultTreeAdapter.createDocumentFragment(), stopped: stopped() };
}

function attrsOf(el: P5Element, ns: HtmlNamespace): Record<string, string> {
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  let kept = 0;
  for (const a of el.attrs) {
    if (kept >= MAX_KEPT_ATTRS) break;
    const name = ns !== 'html' && a.prefix ? `${a.prefix}:${a.name}` : a.name;
    if (Object.hasOwn(attrs, name)) continue;
    attrs[name] = a.value;
    kept++;
  }
  return attrs;
}

const isElement = (n: P5Node): n is P5Element => 'tagName' in n;

/**
 * The resource elements of a page, in document order, read from the tree parse5 builds. <template>
 * content is not walked (it is not in the document); everything else is, foreign content included.
 */
export function scanHtml(html: string, opts: { maxElements?: number; mode?: HtmlParseMode } = {}): HtmlScan {
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const mode = opts.mode ?? 'browser';
  const text = typeof html === 'string' ? html : '';
  // The same page is read by several checks (SRI, mixed content, <meta> CSP and referrer, the
  // Observatory's tests): parse it once per mode. Scans are never mutated by their readers.
  const hit = recent.find((r) => r.mode === mode && r.maxElements === maxElements && r.html === text);
  if (hit) return hit.scan;
  const scan = scanTree(text, mode, maxElements);
  recent.unshift({ html: text, mode, maxElements, scan });
  recent.length = Math.min(recent.length, RECENT_SCANS);
  return scan;
}

/** The last few scans (a memo of a pure function). */
const RECENT_SCANS = 4;
const recent: Array<{ html: string; mode: HtmlParseMode; maxElements: number; scan: HtmlScan }> = [];

function scanTree(html: string, mode: HtmlParseMode, maxElements: number): HtmlScan {
  const { input, cut } = boundedInput(html);
  const { root, stopped } = parseTree(input, mode);
  let truncated = cut || stopped;
  const elements: HtmlElementRef[] = [];
  // Iterative pre-order walk (the tree may be MAX_HTML_DEPTH deep).
  const stack: Array<{ node: P5Node; parentIsHead: boolean }> = [];
  const push = (parent: P5Parent, parentIsHead: boolean): void => {
    const children = parent.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, parentIsHead });
  };
  push(root, false);
  while (stack.length > 0) {
    const { node, parentIsHead } = stack.pop()!;
    if (!isElement(node)) continue;
    const ns = NAMESPACES[node.namespaceURI] ?? 'html';
    const tag = node.tagName;
    if (Object.hasOwn(URL_ATTR, tag)) {
      if (elements.length >= maxElements) {
        truncated = true;
        break;
      }
      const attrs = attrsOf(node, ns);
      const urlAttr = URL_ATTR[tag];
      const url = ns === 'html' && urlAttr ? (attrs[urlAttr] ?? null) : null;
      elements.push({ tag, ns, attrs, url, inHead: parentIsHead, index: elements.length });
    }
    // A template's children are empty in parse5's tree (its content is a separate fragment): not walked.
    push(node, ns === 'html' && tag === 'head');
  }
  return { elements, truncated };
}

/** Scripts a browser runs from the page: every HTML <script> element (with or without src). */
export function scriptElements(scan: HtmlScan): HtmlElementRef[] {
  return scan.elements.filter((e) => e.tag === 'script' && e.ns === 'html');
}

/** The document base: the href of the first HTML <base> with one (HTML "frozen base URL"), or null. */
export function baseHref(scan: HtmlScan): string | null {
  for (const e of scan.elements) if (e.tag === 'base' && e.ns === 'html' && e.attrs['href'] !== undefined) return e.attrs['href'];
  return null;
}
