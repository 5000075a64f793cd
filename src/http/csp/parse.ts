// Content-Security-Policy parsing per CSP Level 3 §2.2 (https://www.w3.org/TR/CSP3/#parse-serialized-policy):
// a header value is a comma-separated list of policies, a policy a semicolon-separated list of
// directives; names are ASCII case-insensitive, the first occurrence of a name wins, and a token
// that is not ASCII is dropped whole. Bounded (length, policies, directives, sources, notes) and
// total: any string parses, nothing throws.

export const CSP_LIMITS = {
  /** Characters read from a header value; the rest is cut at the last complete directive. */
  maxLength: 65_536,
  maxPolicies: 16,
  maxDirectivesPerPolicy: 128,
  maxSourcesPerDirective: 1024,
  maxNotes: 64,
} as const;

/** Keyword-sources of CSP3 (and the current editor's draft), lowercased with their quotes. */
export const CSP_KEYWORDS = [
  "'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'unsafe-hashes'",
  "'wasm-unsafe-eval'", "'report-sample'", "'unsafe-allow-redirects'", "'inline-speculation-rules'",
] as const;
export type CspKeyword = (typeof CSP_KEYWORDS)[number];

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** One source expression, classified by the CSP3 grammar (§2.3.1). */
export type CspSource =
  | { kind: 'keyword'; raw: string; keyword: CspKeyword }
  /** `valid` is false when the value is not base64/base64url: browsers then ignore the source. */
  | { kind: 'nonce'; raw: string; value: string; valid: boolean }
  | { kind: 'hash'; raw: string; algorithm: HashAlgorithm; value: string; valid: boolean }
  /** `scheme` lowercased, without the colon. */
  | { kind: 'scheme'; raw: string; scheme: string }
  /** `host` lowercased ("*" for the bare wildcard); `valid` false when it breaks the grammar. */
  | { kind: 'host'; raw: string; scheme: string | null; host: string; port: string | null; path: string | null; valid: boolean }
  /** A quoted token that is no keyword, nonce or hash. */
  | { kind: 'invalid'; raw: string; reason: string };

export interface CspDirective {
  /** Lowercased name. */
  name: string;
  /** Tokens as written (whitespace-split). */
  values: string[];
  /** Classified sources for source-list directives (fetch, base-uri, form-action, frame-ancestors …), else null. */
  sources: CspSource[] | null;
}

export interface CspPolicy {
  /** In header order, first occurrence of each name only. */
  directives: CspDirective[];
}

export type CspNoteCode =
  | 'truncated' | 'too-many-policies' | 'too-many-directives' | 'too-many-sources'
  | 'duplicate-directive' | 'non-ascii-directive' | 'control-characters' | 'empty-policy'
  | 'meta-ignored-directive';

/** Something the parser dropped or that a browser would warn about in its console. */
export interface CspNote {
  code: CspNoteCode;
  /** Index in `policies`, or null for the whole value (or a policy that ended up empty). */
  policy: number | null;
  directive?: string;
  message: string;
}

export interface ParsedCsp {
  source: 'header' | 'meta';
  policies: CspPolicy[];
  notes: CspNote[];
  /** Notes beyond CSP_LIMITS.maxNotes, counted only. */
  notesDropped: number;
  /** Length of the input before truncation. */
  length: number;
}

/** Directives whose value is a source list (CSP3 fetch/document/navigation directives). */
export const SOURCE_LIST_DIRECTIVES: ReadonlySet<string> = new Set([
  'default-src', 'child-src', 'connect-src', 'font-src', 'frame-src', 'img-src', 'manifest-src',
  'media-src', 'object-src', 'prefetch-src', 'script-src', 'script-src-elem', 'script-src-attr',
  'style-src', 'style-src-elem', 'style-src-attr', 'worker-src', 'fenced-frame-src',
  'base-uri', 'form-action', 'frame-ancestors', 'navigate-to',
]);

/** Directives a <meta> policy cannot carry (HTML §4.2.5.3, CSP3 §3.3). */
export const META_FORBIDDEN_DIRECTIVES: ReadonlySet<string> = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

const WS = new Set([' ', '\t', '\n', '\f', '\r']);

function stripWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && WS.has(s[a]!)) a++;
  while (b > a && WS.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function splitWs(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const ws = i === s.length || WS.has(s[i]!);
    if (ws && start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    } else if (!ws && start < 0) start = i;
  }
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Control characters other than the whitespace the grammar allows (HTTP forbids them anyway). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !WS.has(s[i]!)) || c === 0x7f) return true;
  }
  return false;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const SCHEME_SOURCE = /^([A-Za-z][A-Za-z0-9+.-]*):$/;
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const HOST = /^(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?)$/;
const KEYWORDS: ReadonlySet<string> = new Set(CSP_KEYWORDS);

/** Classify one source expression (CSP3 §2.3.1); never throws. */
export function classifySource(raw: string): CspSource {
  const lower = raw.toLowerCase();
  if (raw.startsWith("'")) {
    if (KEYWORDS.has(lower)) return { kind: 'keyword', raw, keyword: lower as CspKeyword };
    if (raw.length > 2 && raw.endsWith("'")) {
      const inner = raw.slice(1, -1);
      if (lower.startsWith("'nonce-")) {
        const value = inner.slice(6);
        return { kind: 'nonce', raw, value, valid: BASE64.test(value) };
      }
      const m = /^(sha256|sha384|sha512)-/.exec(lower.slice(1));
      if (m) {
        const value = inner.slice(m[0].length);
        return { kind: 'hash', raw, algorithm: m[1] as HashAlgorithm, value, valid: BASE64.test(value) };
      }
    }
    return { kind: 'invalid', raw, reason: 'not a CSP keyword, nonce or hash' };
  }
  const scheme = SCHEME_SOURCE.exec(raw);
  if (scheme) return { kind: 'scheme', raw, scheme: scheme[1]!.toLowerCase() };
  return parseHostSource(raw);
}

/** host-source = [ scheme "://" ] host [ ":" port ] [ path ]; also takes report-uri URLs. */
export function parseHostSource(raw: string): Extract<CspSource, { kind: 'host' }> {
  let rest = raw;
  let scheme: string | null = null;
  const sm = SCHEME_PREFIX.exec(rest);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  }
  let host: string;
  if (rest.startsWith('[')) {
    // IPv6 literals are outside the grammar (browsers ignore them) but worth naming as a host.
    const end = rest.indexOf(']');
    host = end < 0 ? rest : rest.slice(0, end + 1);
  } else {
    let end = 0;
    while (end < rest.length && rest[end] !== ':' && rest[end] !== '/') end++;
    host = rest.slice(0, end);
  }
  rest = rest.slice(host.length);
  let port: string | null = null;
  if (rest.startsWith(':')) {
    let end = 1;
    while (end < rest.length && rest[end] !== '/') end++;
    port = rest.slice(1, end);
    rest = rest.slice(end);
  }
  const path = rest === '' ? null : rest;
  host = host.toLowerCase();
  const valid = HOST.test(host) && (port === null || port === '*' || /^\d{1,5}$/.test(port)) && !hasControl(raw);
  return { kind: 'host', raw, scheme, host, port, path, valid };
}

class NoteSink {
  readonly notes: CspNote[] = [];
  dropped = 0;
  add(note: CspNote): void {
    if (this.notes.length < CSP_LIMITS.maxNotes) this.notes.push(note);
    else this.dropped++;
  }
}

/** Cut an over-long value at its last complete directive (or token) so no half source remains. */
function truncate(value: string): string {
  const head = value.slice(0, CSP_LIMITS.maxLength);
  const cut = Math.max(head.lastIndexOf(';'), head.lastIndexOf(','));
  if (cut > 0) return head.slice(0, cut);
  let ws = head.length;
  while (ws > 0 && !WS.has(head[ws - 1]!)) ws--;
  return ws > 0 ? head.slice(0, ws) : head;
}

function parsePolicy(serialized: string, index: number, source: 'header' | 'meta', sink: NoteSink): CspPolicy {
  const directives: CspDirective[] = [];
  const seen = new Set<string>();
  const notes: CspNote[] = [];
  let capped = false;
  for (const part of serialized.split(';')) {
    const token = stripWs(part);
    if (token === '') continue;
    const firstWs = splitWs(token);
    const name = (firstWs[0] ?? '').toLowerCase();
    if (!isAscii(token)) {
      notes.push({ code: 'non-ascii-directive', policy: index, directive: isAscii(name) ? name : undefined,
        message: `directive "${printable(name)}" contains non-ASCII characters and is ignored (CSP3 §2.2.1)` });
      continue;
    }
    if (seen.has(name)) {
      notes.push({ code: 'duplicate-directive', policy: index, directive: name,
        message: `directive "${printable(name)}" appears more than once; only the first counts` });
      continue;
    }
    if (directives.length >= CSP_LIMITS.maxDirectivesPerPolicy) {
      if (!capped) notes.push({ code: 'too-many-directives', policy: index,
        message: `more than ${CSP_LIMITS.maxDirectivesPerPolicy} directives; the rest were not read` });
      capped = true;
      continue;
    }
    seen.add(name);
    if (hasControl(token)) {
      notes.push({ code: 'control-characters', policy: index, directive: name,
        message: `directive "${printable(name)}" contains control characters` });
    }
    if (source === 'meta' && META_FORBIDDEN_DIRECTIVES.has(name)) {
      notes.push({ code: 'meta-ignored-directive', policy: index, directive: name,
        message: `${name} is ignored in a <meta> policy; it only works in an HTTP header` });
      continue;
    }
    let values = firstWs.slice(1);
    if (values.length > CSP_LIMITS.maxSourcesPerDirective) {
      notes.push({ code: 'too-many-sources', policy: index, directive: name,
        message: `${name} has ${values.length} values; only the first ${CSP_LIMITS.maxSourcesPerDirective} were read` });
      values = values.slice(0, CSP_LIMITS.maxSourcesPerDirective);
    }
    const sources = SOURCE_LIST_DIRECTIVES.has(name) ? values.map(classifySource) : null;
    directives.push({ name, values, sources });
  }
  const empty = directives.length === 0;
  for (const n of notes) sink.add(empty ? { ...n, policy: null } : n);
  return { directives };
}

/** A name safe to quote in a message: control characters escaped, bounded length. */
export function printable(s: string, max = 64): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  // Control and bidi/invisible characters would garble or spoof a terminal report.
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

export interface ParseCspOptions {
  /**
   * 'meta': the content of one <meta http-equiv="Content-Security-Policy"> (one policy, commas are
   * not separators, frame-ancestors/report-uri/sandbox dropped). Default 'header'.
   */
  source?: 'header' | 'meta';
}

/**
 * Parse a Content-Security-Policy (or -Report-Only) header value. Several header fields of the
 * same name should be joined with "," first, as HTTP does.
 */
export function parseCsp(headerValue: string, opts: ParseCspOptions = {}): ParsedCsp {
  const source = opts.source ?? 'header';
  const value = typeof headerValue === 'string' ? headerValue : '';
  const sink = new NoteSink();
  let text = value;
  if (value.length > CSP_LIMITS.maxLength) {
    text = truncate(value);
    sink.add({ code: 'truncated', policy: null,
      message: `the value is ${value.length} characters; only the first ${text.length} were read` });
  }
  const serialized = source === 'meta' ? [text] : text.split(',');
  const policies: CspPolicy[] = [];
  for (const s of serialized) {
    if (policies.length >= CSP_LIMITS.maxPolicies) {
      sink.add({ code: 'too-many-policies', policy: null,
        message: `more than ${CSP_LIMITS.maxPolicies} policies; the rest were not read` });
      break;
    }
    const policy = parsePolicy(s, policies.length, source, sink);
    if (policy.directives.length > 0) policies.push(policy);
    else if (stripWs(s) !== '') sink.add({ code: 'empty-policy', policy: null, message: 'a policy has no usable directive' });
  }
  return { source, policies, notes: sink.notes, notesDropped: sink.dropped, length: value.length };
}

export function getDirective(policy: CspPolicy, name: string): CspDirective | undefined {
  return policy.directives.find((d) => d.name === name);
}

// CSP3 §6.8.3 "get the effective directive fallback list"; base-uri, form-action and
// frame-ancestors have no fallback.
const FALLBACK: Readonly<Record<string, readonly string[]>> = {
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'script-src': ['script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'style-src': ['style-src', 'default-src'],
  'worker-src': ['worker-src', 'child-src', 'script-src', 'default-src'],
  'frame-src': ['frame-src', 'child-src', 'default-src'],
  'fenced-frame-src': ['fenced-frame-src', 'frame-src', 'child-src', 'default-src'],
  'child-src': ['child-src', 'default-src'],
  'connect-src': ['connect-src', 'default-src'],
  'font-src': ['font-src', 'default-src'],
  'img-src': ['img-src', 'default-src'],
  'manifest-src': ['manifest-src', 'default-src'],
  'media-src': ['media-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
};

/** The directive that governs `name` in this policy after fallback, if any does. */
export function effectiveDirective(policy: CspPolicy, name: string): CspDirective | undefined {
  for (const n of FALLBACK[name] ?? [name]) {
    const d = getDirective(policy, n);
    if (d) return d;
  }
  return undefined;
}
