// Security-relevant response headers and page resources, judged one check at a time: each export
// is a pure function from what a response showed (headers with lower-cased names, repeated headers
// joined with ", "; the page URL; the HtmlScan of its body) to findings with stable `http.*` ids.
// Values are parsed the way browsers parse them (the spec algorithm each check cites), because a
// header a browser ignores protects nobody, whatever a grep for it says. Every parser here is
// linear and bounded: header values are checked up to MAX_HEADER_CHARS, evidence is clipped.
import { getDomain } from 'tldts';
import type { SecurityHeaderName, SecurityHeaderState } from '../grade/securityheaders.js';
import type { Severity } from '../model/constants.js';
import { finding, REF } from '../model/finding.js';
import type { Finding } from '../model/report.js';
import { parseHsts } from './hsts.js';
import { baseHref, scriptElements, type HtmlElementRef, type HtmlScan } from './html-resources.js';

export type ResponseHeaders = Readonly<Record<string, string>>;

/** Longest header value parsed; real ones are far shorter (servers cap a header block at 8–64 KiB). */
export const MAX_HEADER_CHARS = 64 * 1024;
/** Longest string copied into a finding's evidence. */
const MAX_EVIDENCE_CHARS = 1024;
/** URLs listed per SRI or mixed-content finding. */
export const MAX_LISTED_URLS = 10;

const clip = (s: string, max = MAX_EVIDENCE_CHARS) => (s.length > max ? `${s.slice(0, max)}…` : s);

// References not in REF, in the same "Title (url)" shape.
const R = {
  mdnReferrer: 'MDN: Referrer-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Referrer-Policy)',
  referrerSpec: 'W3C Referrer Policy §8.1 — parse a referrer policy from a header (https://w3c.github.io/webappsec-referrer-policy/#parse-referrer-policy-from-header)',
  mdnXcto: 'MDN: X-Content-Type-Options (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Content-Type-Options)',
  fetchNosniff: 'Fetch Standard — X-Content-Type-Options (https://fetch.spec.whatwg.org/#x-content-type-options-header)',
  mdnXfo: 'MDN: X-Frame-Options (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Frame-Options)',
  htmlXfo: 'HTML Standard — the X-Frame-Options header (https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header)',
  owaspClickjacking: 'OWASP Clickjacking Defense Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html)',
  permissionsPolicy: 'W3C Permissions Policy (https://w3c.github.io/webappsec-permissions-policy/)',
  mdnPermissionsPolicy: 'MDN: Permissions-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Permissions-Policy)',
  rfc8941: 'RFC 8941 — Structured Field Values for HTTP (https://www.rfc-editor.org/rfc/rfc8941)',
  mdnCoop: 'MDN: Cross-Origin-Opener-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Opener-Policy)',
  mdnCoep: 'MDN: Cross-Origin-Embedder-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Embedder-Policy)',
  mdnCorp: 'MDN: Cross-Origin-Resource-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Resource-Policy)',
  htmlCoop: 'HTML Standard — cross-origin opener policies (https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies)',
  fetchCorp: 'Fetch Standard — Cross-Origin-Resource-Policy (https://fetch.spec.whatwg.org/#cross-origin-resource-policy-header)',
  mdnXxss: 'MDN: X-XSS-Protection (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-XSS-Protection)',
  owaspHeaders: 'OWASP HTTP Headers Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html)',
  mdnExpectCt: 'MDN: Expect-CT (https://developer.mozilla.org/docs/Web/HTTP/Headers/Expect-CT)',
  rfc9163: 'RFC 9163 — Expect-CT Extension for HTTP (https://www.rfc-editor.org/rfc/rfc9163)',
  fetchCors: 'Fetch Standard — CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol)',
  portswiggerCors: 'PortSwigger Web Security Academy: CORS (https://portswigger.net/web-security/cors)',
  owaspCors: 'OWASP WSTG — Testing Cross Origin Resource Sharing (https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing)',
  owaspFingerprint: 'OWASP WSTG — Fingerprint Web Server (https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server)',
  sri: 'W3C Subresource Integrity (https://www.w3.org/TR/SRI/)',
  mdnSri: 'MDN: Subresource Integrity (https://developer.mozilla.org/docs/Web/Security/Subresource_Integrity)',
  mixedContent: 'W3C Mixed Content (https://www.w3.org/TR/mixed-content/)',
  mdnMixedContent: 'MDN: Mixed content (https://developer.mozilla.org/docs/Web/Security/Mixed_content)',
} as const;

/** The header's value, or undefined; values longer than MAX_HEADER_CHARS are cut there. */
function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined ? undefined : v.length > MAX_HEADER_CHARS ? v.slice(0, MAX_HEADER_CHARS) : v;
}

// ---------------------------------------------------------------------------------------------
// Referrer-Policy

export const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;
export type ReferrerPolicyToken = (typeof REFERRER_POLICIES)[number];
const REFERRER_SET: ReadonlySet<string> = new Set(REFERRER_POLICIES);

/** Policies that send more than the origin to other origins (medium) or the origin over downgrades (low). */
const UNSAFE_REFERRER: Readonly<Partial<Record<ReferrerPolicyToken, Severity>>> = {
  'unsafe-url': 'medium',
  'no-referrer-when-downgrade': 'medium',
  origin: 'low',
  'origin-when-cross-origin': 'low',
};

/**
 * The policy a browser applies from a Referrer-Policy value: the last token it recognises in the
 * comma list (W3C Referrer Policy §8.1, which lets sites list fallbacks first). Tokens are matched
 * case-insensitively, as Chromium and the Observatory do. null: no recognised token.
 */
export function effectiveReferrerPolicy(value: string): ReferrerPolicyToken | null {
  let policy: ReferrerPolicyToken | null = null;
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase();
    if (REFERRER_SET.has(t)) policy = t as ReferrerPolicyToken;
  }
  return policy;
}

// <meta name=referrer> also takes the legacy keywords (HTML Standard, "Standard metadata names").
const META_REFERRER_LEGACY: Readonly<Record<string, ReferrerPolicyToken>> = {
  never: 'no-referrer',
  default: 'strict-origin-when-cross-origin',
  always: 'unsafe-url',
  'origin-when-crossorigin': 'origin-when-cross-origin',
};

/**
 * The last valid <meta name="referrer"> policy in the page: it overrides the header, and an
 * invalid one changes nothing (HTML Standard, "referrer" metadata name).
 */
function metaReferrer(scan: HtmlScan | null | undefined): { content: string; policy: ReferrerPolicyToken } | null {
  let found: { content: string; policy: ReferrerPolicyToken } | null = null;
  for (const e of scan?.elements ?? []) {
    if (e.tag !== 'meta' || (e.attrs['name'] ?? '').trim().toLowerCase() !== 'referrer') continue;
    const content = e.attrs['content'] ?? '';
    const t = content.trim().toLowerCase();
    const policy = REFERRER_SET.has(t) ? (t as ReferrerPolicyToken) : META_REFERRER_LEGACY[t];
    if (policy !== undefined) found = { content, policy };
  }
  return found;
}

/**
 * Referrer-Policy: missing, unsafe (leaks full URLs or origins across origins or over plain HTTP),
 * invalid (no token a browser knows). A valid <meta name="referrer"> in the page counts as set.
 */
export function checkReferrerPolicy(headers: ResponseHeaders, pageUrl: string, scan?: HtmlScan | null): Finding[] {
  const value = header(headers, 'referrer-policy');
  const meta = metaReferrer(scan);
  const refs = [R.mdnReferrer, R.referrerSpec, R.owaspHeaders];
  const remediation = 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer` / `same-origin` for sensitive pages).';
  const headerPolicy = value === undefined ? null : effectiveReferrerPolicy(value);
  const policy = meta?.policy ?? headerPolicy;
  const evidence = { url: pageUrl, header: value === undefined ? null : clip(value), meta: meta ? clip(meta.content) : null, policy };
  if (policy === null && value === undefined) {
    return [
      finding({
        id: 'http.referrer-policy.missing',
        severity: 'low',
        title: 'Referrer-Policy header is missing',
        detail: `${pageUrl} sets no referrer policy. Current browsers default to strict-origin-when-cross-origin, older ones send the full URL (path and query) to every site linked or loaded.`,
        evidence,
        remediation,
        references: refs,
      }),
    ];
  }
  if (policy === null) {
    return [
      finding({
        id: 'http.referrer-policy.invalid',
        severity: 'low',
        title: 'Referrer-Policy header has no valid policy',
        detail: 'Browsers ignore every token in this header they do not recognise, and none is recognised, so the browser default applies.',
        evidence,
        remediation,
        references: refs,
      }),
    ];
  }
  const severity = UNSAFE_REFERRER[policy];
  if (severity === undefined) return [];
  return [
    finding({
      id: 'http.referrer-policy.unsafe',
      severity,
      title: `Referrer-Policy "${policy}" leaks ${severity === 'medium' ? 'full URLs' : 'the origin'} to other sites`,
      detail:
        severity === 'medium'
          ? `With "${policy}" the full URL of the page, path and query included (tokens, search terms, IDs), is sent to other origins${policy === 'unsafe-url' ? ', even over plain HTTP' : ''}.`
          : `With "${policy}" the origin is sent to other origins even when navigating from HTTPS to plain HTTP.`,
      evidence,
      remediation,
      references: refs,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// X-Content-Type-Options

/**
 * X-Content-Type-Options: browsers honour it when the first comma-separated value is "nosniff",
 * case-insensitively (Fetch, "determine nosniff"); anything else is ignored.
 */
export function checkXContentTypeOptions(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const value = header(headers, 'x-content-type-options');
  const refs = [R.mdnXcto, R.fetchNosniff, R.owaspHeaders];
  const remediation = 'Send `X-Content-Type-Options: nosniff` on every response.';
  if (value === undefined) {
    return [
      finding({
        id: 'http.xcto.missing',
        severity: 'low',
        title: 'X-Content-Type-Options header is missing',
        detail: 'Without `nosniff`, browsers may sniff a response into a script or stylesheet type it was not served as, which turns uploads or JSON endpoints into XSS vectors.',
        evidence: { url: pageUrl, header: null },
        remediation,
        references: refs,
      }),
    ];
  }
  if (isNosniff(value)) return [];
  return [
    finding({
      id: 'http.xcto.invalid',
      severity: 'low',
      title: 'X-Content-Type-Options header is invalid',
      detail: 'The only value browsers act on is `nosniff`; this one is ignored, so MIME sniffing stays on.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation,
      references: refs,
    }),
  ];
}

const isNosniff = (value: string) => (value.split(',')[0] ?? '').trim().toLowerCase() === 'nosniff';

// ---------------------------------------------------------------------------------------------
// X-Frame-Options and CSP frame-ancestors

export type XfoVerdict = 'deny' | 'sameorigin' | 'allow-from' | 'invalid';

/**
 * X-Frame-Options as the HTML Standard processes it: the comma-separated values, lower-cased, as a
 * set; more than one distinct value containing deny/sameorigin/allowall blocks framing (deny);
 * any other set, ALLOW-FROM (dropped by every current browser) or an unknown value allows it.
 */
export function xfoVerdict(value: string): XfoVerdict {
  const set = new Set(value.split(',').map((v) => v.trim().toLowerCase()));
  if (set.size > 1) return set.has('deny') || set.has('sameorigin') || set.has('allowall') ? 'deny' : 'invalid';
  const only = [...set][0] ?? '';
  if (only === 'deny' || only === 'sameorigin') return only;
  if (only.startsWith('allow-from')) return 'allow-from';
  return 'invalid';
}

/**
 * Clickjacking protection. `frameAncestors` is the enforced CSP's frame-ancestors source list
 * (null: the CSP has no such directive, or there is no CSP). When it is set, browsers ignore
 * X-Frame-Options entirely (HTML Standard), so nothing about X-Frame-Options is reported then.
 */
export function checkFraming(headers: ResponseHeaders, pageUrl: string, frameAncestors: string[] | null): Finding[] {
  if (frameAncestors !== null) return [];
  const value = header(headers, 'x-frame-options');
  const refs = [R.mdnXfo, R.htmlXfo, R.owaspClickjacking, REF.csp3];
  const remediation = "Send `Content-Security-Policy: frame-ancestors 'self'` (or 'none'), and `X-Frame-Options: SAMEORIGIN` (or DENY) for old browsers.";
  if (value === undefined) {
    return [
      finding({
        id: 'http.framing.missing',
        severity: 'medium',
        title: 'No clickjacking protection (X-Frame-Options or CSP frame-ancestors)',
        detail: `${pageUrl} can be framed by any site, which lets an attacker overlay it and trick users into clicking (clickjacking).`,
        evidence: { url: pageUrl, header: null, frameAncestors: null },
        remediation,
        references: refs,
      }),
    ];
  }
  const verdict = xfoVerdict(value);
  if (verdict === 'deny' || verdict === 'sameorigin') return [];
  if (verdict === 'allow-from') {
    return [
      finding({
        id: 'http.xfo.allow-from',
        severity: 'medium',
        title: 'X-Frame-Options ALLOW-FROM is obsolete and ignored',
        detail: 'Current browsers ignore an X-Frame-Options header with ALLOW-FROM altogether, so the page can be framed by any site.',
        evidence: { url: pageUrl, header: clip(value), frameAncestors: null },
        remediation: 'Replace it with `Content-Security-Policy: frame-ancestors <the allowed origins>`.',
        references: refs,
      }),
    ];
  }
  return [
    finding({
      id: 'http.xfo.invalid',
      severity: 'medium',
      title: 'X-Frame-Options header is invalid',
      detail: 'Browsers only act on DENY or SAMEORIGIN; this value is ignored (ALLOWALL explicitly allows framing), so the page can be framed by any site.',
      evidence: { url: pageUrl, header: clip(value), frameAncestors: null },
      remediation,
      references: refs,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Structured fields (RFC 8941), just enough to tell a browser's parser would accept a value.

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

// ---------------------------------------------------------------------------------------------
// Permissions-Policy

const describeSf = (b: SfBareItem) => (b.type === 'string' ? JSON.stringify(b.value) : String(b.value));
const isAllowlistItem = (b: SfBareItem) => b.type === 'string' || (b.type === 'token' && (b.value === '*' || b.value === 'self'));

/**
 * Permissions-Policy is an RFC 8941 Dictionary: a value that does not parse is ignored as a whole.
 * Members whose value is not `*`, `self`, a string or an inner list of those are ignored one by
 * one, as are other items inside an inner list (W3C Permissions Policy, "process response policy").
 */
export function checkPermissionsPolicy(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const value = header(headers, 'permissions-policy');
  const feature = header(headers, 'feature-policy');
  const refs = [R.permissionsPolicy, R.mdnPermissionsPolicy, R.rfc8941];
  const remediation = 'Send a Permissions-Policy disabling what the site does not use, e.g. `Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=()`.';
  if (value === undefined) {
    if (feature !== undefined) {
      return [
        finding({
          id: 'http.permissions-policy.feature-policy-only',
          severity: 'info',
          title: 'Only the deprecated Feature-Policy header is sent',
          detail: 'Feature-Policy was replaced by Permissions-Policy (with a different syntax); current browsers act on Permissions-Policy.',
          evidence: { url: pageUrl, header: null, featurePolicy: clip(feature) },
          remediation: 'Translate it to Permissions-Policy syntax (`geolocation=()` for `geolocation \'none\'`) and send that.',
          references: refs,
        }),
      ];
    }
    return [
      finding({
        id: 'http.permissions-policy.missing',
        severity: 'info',
        title: 'Permissions-Policy header is missing',
        detail: 'Powerful browser features (camera, microphone, geolocation, payment …) are not restricted for the page and the frames it embeds. This is hardening: features behind a permission prompt still ask the user.',
        evidence: { url: pageUrl, header: null },
        remediation,
        references: refs,
      }),
    ];
  }
  const parsed = parseSfDictionary(value);
  if (!parsed.ok) {
    return [
      finding({
        id: 'http.permissions-policy.invalid',
        severity: 'low',
        title: 'Permissions-Policy header does not parse and is ignored',
        detail: `The value is not a structured-field dictionary (${parsed.error} at offset ${parsed.offset}), so browsers ignore the whole header.${/'none'|'self'/.test(value) ? " It looks like Feature-Policy syntax ('none', 'self'): Permissions-Policy writes `feature=()` and `feature=(self)`." : ''}`,
        evidence: { url: pageUrl, header: clip(value), error: parsed.error, offset: parsed.offset },
        remediation,
        references: refs,
      }),
    ];
  }
  const ignored: string[] = [];
  for (const [feat, member] of parsed.value) {
    if ('list' in member) {
      for (const it of member.list) if (!isAllowlistItem(it.item)) ignored.push(clip(`${feat}: item ${describeSf(it.item)}`, 128));
    } else if (!isAllowlistItem(member.item)) {
      ignored.push(clip(`${feat}=${member.item.type === 'boolean' && member.item.value && member.params.length === 0 ? '(no value)' : describeSf(member.item)}`, 128));
    }
    if (ignored.length >= MAX_LISTED_URLS) break;
  }
  if (ignored.length === 0) return [];
  return [
    finding({
      id: 'http.permissions-policy.invalid',
      severity: 'info',
      title: 'Permissions-Policy has entries browsers ignore',
      detail: `Allowlists take \`*\`, \`self\` or quoted origins (\`"https://x.example"\`), in parentheses; browsers skip these: ${ignored.join('; ')}.`,
      evidence: { url: pageUrl, header: clip(value), ignored },
      remediation: 'Quote origins and use `()` to disable a feature, e.g. `geolocation=(self "https://maps.example")`.',
      references: refs,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Cross-Origin-Opener-Policy / -Embedder-Policy / -Resource-Policy

const COOP_VALUES = new Set(['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups', 'unsafe-none']);
const COEP_VALUES = new Set(['require-corp', 'credentialless', 'unsafe-none']);
const CORP_VALUES = new Set(['same-origin', 'same-site', 'cross-origin']);

/** The token of a structured-field item header (COOP, COEP), or null when browsers would ignore it. */
function sfToken(value: string, allowed: ReadonlySet<string>): string | null {
  const r = parseSfItem(value);
  return r.ok && r.value.item.type === 'token' && allowed.has(r.value.item.value) ? r.value.item.value : null;
}

/**
 * COOP and COEP are structured-field tokens (case-sensitive; a repeated header joined with ", "
 * no longer parses and is ignored); CORP is compared byte for byte (Fetch). COOP missing is info:
 * it isolates the page from cross-origin windows it opens or that open it (XS-Leaks, Spectre).
 */
export function checkCrossOriginPolicies(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const out: Finding[] = [];
  const coop = header(headers, 'cross-origin-opener-policy');
  if (coop === undefined) {
    out.push(
      finding({
        id: 'http.coop.missing',
        severity: 'info',
        title: 'Cross-Origin-Opener-Policy header is missing',
        detail: 'Cross-origin pages that open this one, or that it opens, keep a handle on its window, which enables cross-site leaks and keeps it out of cross-origin isolation.',
        evidence: { url: pageUrl, header: null },
        remediation: 'Send `Cross-Origin-Opener-Policy: same-origin` (or `same-origin-allow-popups` if the site relies on OAuth or payment pop-ups).',
        references: [R.mdnCoop, R.htmlCoop],
      }),
    );
  } else if (sfToken(coop, COOP_VALUES) === null) {
    out.push(
      finding({
        id: 'http.coop.invalid',
        severity: 'low',
        title: 'Cross-Origin-Opener-Policy header is invalid',
        detail: `Browsers ignore it and apply unsafe-none. Valid values: ${[...COOP_VALUES].join(', ')} (lower-case tokens, one header).`,
        evidence: { url: pageUrl, header: clip(coop) },
        remediation: 'Send exactly one `Cross-Origin-Opener-Policy: same-origin`.',
        references: [R.mdnCoop, R.htmlCoop, R.rfc8941],
      }),
    );
  }
  const coep = header(headers, 'cross-origin-embedder-policy');
  if (coep !== undefined && sfToken(coep, COEP_VALUES) === null) {
    out.push(
      finding({
        id: 'http.coep.invalid',
        severity: 'info',
        title: 'Cross-Origin-Embedder-Policy header is invalid',
        detail: `Browsers ignore it (unsafe-none), so the page cannot be cross-origin isolated. Valid values: ${[...COEP_VALUES].join(', ')}.`,
        evidence: { url: pageUrl, header: clip(coep) },
        remediation: 'Send `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`), or remove the header.',
        references: [R.mdnCoep, R.rfc8941],
      }),
    );
  }
  const corp = header(headers, 'cross-origin-resource-policy');
  if (corp !== undefined && !CORP_VALUES.has(corp.trim())) {
    out.push(
      finding({
        id: 'http.corp.invalid',
        severity: 'low',
        title: 'Cross-Origin-Resource-Policy header is invalid',
        detail: `Browsers ignore it, so any site can embed this resource. Valid values (exact, lower-case): ${[...CORP_VALUES].join(', ')}.`,
        evidence: { url: pageUrl, header: clip(corp) },
        remediation: 'Send `Cross-Origin-Resource-Policy: same-origin` (or `same-site`).',
        references: [R.mdnCorp, R.fetchCorp],
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// X-XSS-Protection, Expect-CT

/**
 * X-XSS-Protection: the XSS auditors it configured are gone (Chrome 78, Edge, Safari), and their
 * filtering mode could be abused to blank out or leak parts of a page; `0` or no header is right.
 */
export function checkXXssProtection(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const value = header(headers, 'x-xss-protection');
  if (value === undefined) return [];
  const m = /^\s*([01])\s*(?:;(.*))?$/s.exec(value);
  const directivesOk =
    m !== null &&
    (m[2] ?? '').split(';').every((d) => {
      const t = d.trim().toLowerCase();
      return t === '' || t === 'mode=block' || t.startsWith('report=');
    });
  const refs = [R.mdnXxss, R.owaspHeaders];
  if (m === null || !directivesOk) {
    return [
      finding({
        id: 'http.xxss.invalid',
        severity: 'info',
        title: 'X-XSS-Protection header is invalid',
        detail: 'The value is not `0` or `1` with `mode=block`/`report=` directives; no browser acts on the header any more anyway.',
        evidence: { url: pageUrl, header: clip(value) },
        remediation: 'Remove the header, or send `X-XSS-Protection: 0`; rely on a Content-Security-Policy.',
        references: refs,
      }),
    ];
  }
  if (m[1] === '0') return [];
  return [
    finding({
      id: 'http.xxss.enabled',
      severity: 'low',
      title: 'X-XSS-Protection enables the obsolete XSS auditor',
      detail: 'Browsers removed their XSS auditors; where one remains, its filtering could be abused to disable scripts of the page or leak data across origins. OWASP recommends `0` or no header.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation: 'Send `X-XSS-Protection: 0` or remove the header, and use a Content-Security-Policy against XSS.',
      references: refs,
    }),
  ];
}

/** Expect-CT: obsolete since CT is enforced for every certificate; Chrome removed support (v107). */
export function checkExpectCt(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const value = header(headers, 'expect-ct');
  if (value === undefined) return [];
  return [
    finding({
      id: 'http.expect-ct.deprecated',
      severity: 'info',
      title: 'Expect-CT header is deprecated',
      detail: 'Browsers require Certificate Transparency for all publicly trusted certificates, and Chrome removed Expect-CT; the header does nothing.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation: 'Remove the Expect-CT header.',
      references: [R.mdnExpectCt, R.rfc9163],
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// CORS

/**
 * CORS as seen by a request that sent `Origin: <testOrigin>` (an origin the site has no reason to
 * trust). A reflected or `null` allowed origin lets any site (or any sandboxed frame, for null)
 * read the response; with credentials, the user's authenticated data.
 */
export function checkCors(resp: { headers: ResponseHeaders; url?: string }, testOrigin: string): Finding[] {
  const acao = header(resp.headers, 'access-control-allow-origin');
  if (acao === undefined) return [];
  const allowOrigin = acao.trim();
  const credentials = (header(resp.headers, 'access-control-allow-credentials') ?? '').trim().toLowerCase() === 'true';
  const evidence = {
    ...(resp.url !== undefined ? { url: resp.url } : {}),
    requestOrigin: testOrigin,
    allowOrigin: clip(allowOrigin),
    allowCredentials: credentials,
  };
  const refs = [R.fetchCors, R.portswiggerCors, R.owaspCors];
  if (allowOrigin === '*') {
    if (credentials) {
      return [
        finding({
          id: 'http.cors.wildcard-credentials',
          severity: 'low',
          title: 'CORS allows any origin with credentials (rejected by browsers)',
          detail: 'Browsers refuse `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`, so credentialed requests fail; the configuration shows an intent to share authenticated data with everyone, often "fixed" next by reflecting the Origin.',
          evidence,
          remediation: 'List the trusted origins explicitly and send credentials only to them, or drop Access-Control-Allow-Credentials.',
          references: refs,
        }),
      ];
    }
    return [
      finding({
        id: 'http.cors.wildcard',
        severity: 'info',
        title: 'CORS allows any origin to read this resource',
        detail: 'Fine for public data (no cookies are sent with `*`); make sure the resource holds nothing that depends on the network position (intranet) of the visitor.',
        evidence,
        remediation: 'Keep `*` only on public resources; use an allowlist of origins otherwise.',
        references: refs,
      }),
    ];
  }
  if (allowOrigin.toLowerCase() === testOrigin.trim().toLowerCase()) {
    return [
      finding({
        id: 'http.cors.reflected-origin',
        severity: credentials ? 'high' : 'medium',
        title: `CORS reflects an arbitrary Origin${credentials ? ' with credentials' : ''}`,
        detail: `The server allowed ${testOrigin}, an origin it has no reason to trust, so any site can read the response${credentials ? " with the visitor's cookies: the user's authenticated data" : ''}.`,
        evidence,
        remediation: 'Check the Origin against an explicit allowlist before echoing it, and send `Vary: Origin`.',
        references: refs,
      }),
    ];
  }
  if (allowOrigin.toLowerCase() === 'null') {
    return [
      finding({
        id: 'http.cors.null-origin',
        severity: credentials ? 'high' : 'medium',
        title: `CORS allows the "null" origin${credentials ? ' with credentials' : ''}`,
        detail: `Any site can make requests with Origin: null (from a sandboxed iframe or a data: URL), so any site can read the response${credentials ? " with the visitor's cookies" : ''}.`,
        evidence,
        remediation: 'Never allow `null`; allow explicit https origins only.',
        references: refs,
      }),
    ];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Version disclosure

const DISCLOSURE_HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version'] as const;
// A dotted version (1.18.0, 10.0) or a product/number (nginx/1); "nyb/1D2E" is not a version.
const VERSION = /\d+\.\d+|\/v?\d+(?![\w])/;

/**
 * Version numbers in Server / X-Powered-By / X-AspNet(Mvc)-Version tell an attacker which known
 * vulnerabilities to try. A bare product name ("nginx", "cloudflare", "Express") is not reported:
 * it says little that fingerprinting would not, and flagging it is noise.
 */
export function checkVersionDisclosure(headers: ResponseHeaders, pageUrl: string): Finding[] {
  const disclosed: Array<{ header: string; value: string }> = [];
  for (const name of DISCLOSURE_HEADERS) {
    const value = headers[name];
    // The version test only needs the start of the value.
    if (value !== undefined && VERSION.test(value.slice(0, 256))) disclosed.push({ header: name, value: clip(value, 256) });
  }
  if (disclosed.length === 0) return [];
  return [
    finding({
      id: 'http.disclosure.version',
      severity: 'low',
      title: 'Response headers disclose software versions',
      detail: `${disclosed.map((d) => `${d.header}: ${d.value}`).join('; ')}. Version numbers let an attacker pick exploits for known vulnerabilities without probing.`,
      evidence: { url: pageUrl, headers: disclosed },
      remediation: 'Remove the version (nginx `server_tokens off;`, Apache `ServerTokens Prod`, PHP `expose_php = Off`, ASP.NET `enableVersionHeader="false"` and `MvcHandler.DisableMvcResponseHeader = true`), and drop X-Powered-By.',
      references: [R.owaspFingerprint, R.owaspHeaders],
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// HSTS over plain HTTP

/** Strict-Transport-Security on a plain-HTTP response: browsers ignore it (RFC 6797 §8.1). */
export function checkHstsOverHttp(httpHeaders: ResponseHeaders, httpUrl: string): Finding[] {
  const value = header(httpHeaders, 'strict-transport-security');
  if (value === undefined) return [];
  return [
    finding({
      id: 'http.hsts.over-http',
      severity: 'info',
      title: 'Strict-Transport-Security sent over plain HTTP is ignored',
      detail: 'Browsers must ignore HSTS received over an insecure connection (RFC 6797 §8.1); only the HTTPS response can set it.',
      evidence: { url: httpUrl, header: clip(value) },
      remediation: 'Redirect plain HTTP to HTTPS with a 301 and send Strict-Transport-Security on the HTTPS responses.',
      references: [REF.rfc6797, REF.mdnHsts],
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Page resources: Subresource Integrity and mixed content

/** The URL base of the page: the first <base href>, resolved against the page (HTML "document base URL"). */
function documentBase(scan: HtmlScan, pageUrl: string): URL | null {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return null;
  }
  const href = baseHref(scan);
  if (href === null) return page;
  try {
    const b = new URL(href.trim(), page);
    // data: and javascript: bases are ignored by browsers (HTML "set the frozen base URL").
    return b.protocol === 'data:' || b.protocol === 'javascript:' ? page : b;
  } catch {
    return page;
  }
}

function resolve(raw: string, base: URL): URL | null {
  try {
    return new URL(raw.trim(), base);
  } catch {
    return null;
  }
}

// One integrity token: algorithm, base64 (or base64url) digest of the algorithm's length, options.
const SRI_TOKEN = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(\?.*)?$/;
const SRI_DIGEST_CHARS: Readonly<Record<string, number>> = { sha256: 43, sha384: 64, sha512: 86 };

/** Whether an integrity attribute holds at least one well-formed sha256/384/512 digest. */
export function validIntegrity(value: string): boolean {
  return value
    .split(/[\t\n\f\r ]+/)
    .some((tok) => {
      const m = SRI_TOKEN.exec(tok);
      return m !== null && m[2]!.replace(/=+$/, '').length === SRI_DIGEST_CHARS[m[1]!];
    });
}

export interface SriOptions {
  /**
   * What counts as external: 'origin' (default) — another scheme, host or port; 'site' — another
   * registrable domain, as the MDN Observatory judges (static.example.com is not external to
   * www.example.com).
   */
  scope?: 'origin' | 'site';
}

const siteOf = (u: URL) => getDomain(u.hostname, { allowPrivateDomains: true }) ?? u.hostname;

/**
 * Subresource Integrity for the page's scripts (every <script src>, as the Observatory counts
 * them). External scripts without integrity run whatever their host serves (polyfill.io, 2024).
 * An integrity attribute with no sha256/384/512 digest is ignored by browsers: no check at all.
 * Scripts over http:// on an https page are mixed content (checkMixedContent), not listed here.
 */
export function checkSri(scan: HtmlScan, pageUrl: string, opts: SriOptions = {}): Finding[] {
  const base = documentBase(scan, pageUrl);
  if (base === null) return [];
  const page = new URL(pageUrl);
  const scope = opts.scope ?? 'origin';
  const missing: string[] = [];
  let missingCount = 0;
  const malformed: Array<{ src: string; integrity: string }> = [];
  let malformedCount = 0;
  for (const s of scriptElements(scan)) {
    if (s.url === null || s.url.trim() === '') continue;
    const u = resolve(s.url, base);
    if (u === null || (u.protocol !== 'https:' && u.protocol !== 'http:')) continue;
    if (page.protocol === 'https:' && u.protocol === 'http:') continue; // mixed content
    const integrity = s.attrs['integrity'];
    if (integrity !== undefined && integrity.trim() !== '') {
      if (!validIntegrity(integrity)) {
        malformedCount++;
        if (malformed.length < MAX_LISTED_URLS) malformed.push({ src: clip(u.href, 256), integrity: clip(integrity, 256) });
      }
      continue;
    }
    const external = scope === 'site' ? siteOf(u) !== siteOf(page) : u.origin !== page.origin;
    if (!external) continue;
    missingCount++;
    if (missing.length < MAX_LISTED_URLS) missing.push(clip(u.href, 256));
  }
  const refs = [R.sri, R.mdnSri];
  const out: Finding[] = [];
  if (missingCount > 0) {
    out.push(
      finding({
        id: 'http.sri.missing',
        severity: 'medium',
        title: `${missingCount} external script${missingCount === 1 ? '' : 's'} without Subresource Integrity`,
        detail: `Scripts from other ${scope === 'site' ? 'sites' : 'origins'} run with the page's full privileges, so whoever controls or compromises their host controls the page: ${missing.join(', ')}${missingCount > missing.length ? ` and ${missingCount - missing.length} more` : ''}.`,
        evidence: { url: pageUrl, scope, count: missingCount, scripts: missing },
        remediation: 'Pin each versioned third-party script with `integrity="sha384-…" crossorigin="anonymous"` (or self-host it); scripts that change in place cannot be pinned and deserve a review.',
        references: refs,
      }),
    );
  }
  if (malformedCount > 0) {
    out.push(
      finding({
        id: 'http.sri.invalid',
        severity: 'low',
        title: 'Integrity attribute without a valid sha256/384/512 digest',
        detail: 'Browsers ignore integrity metadata with unknown algorithms, and a digest of the wrong length never matches: either the script loads unchecked or it never loads.',
        evidence: { url: pageUrl, count: malformedCount, scripts: malformed },
        remediation: 'Generate the value with `openssl dgst -sha384 -binary FILE | openssl base64 -A` and write `integrity="sha384-<digest>"`.',
        references: refs,
      }),
    );
  }
  return out;
}

type MixedKind = 'active' | 'passive';

/** Which URLs of an element are fetched as active (blockable) or passive (upgradable) content. */
function mixedUrls(e: HtmlElementRef): Array<{ kind: MixedKind; raw: string }> {
  const out: Array<{ kind: MixedKind; raw: string }> = [];
  const push = (kind: MixedKind, raw: string | null | undefined) => {
    if (raw !== null && raw !== undefined && raw.trim() !== '') out.push({ kind, raw });
  };
  switch (e.tag) {
    case 'script':
    case 'iframe':
    case 'object':
    case 'embed':
    case 'form':
      push('active', e.url);
      break;
    case 'link': {
      const rel = (e.attrs['rel'] ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
      if (rel.includes('stylesheet')) push('active', e.url);
      break;
    }
    case 'img':
    case 'audio':
    case 'source':
    case 'track':
      push('passive', e.url);
      break;
    case 'video':
      push('passive', e.url);
      push('passive', e.attrs['poster']);
      break;
  }
  return out;
}

/**
 * Mixed content on an https page: active content (script, iframe, object, embed, stylesheet, form
 * action) over http:// is high — browsers block it, or the page breaks, and where it loads a
 * network attacker controls the page; passive content (img, audio, video, source, track) is low —
 * browsers upgrade or block it, and where they do not it can be swapped or observed.
 * Protocol-relative `//host/x` inherits https and is fine. Relative URLs resolve against <base>.
 */
export function checkMixedContent(scan: HtmlScan, pageUrl: string): Finding[] {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return [];
  }
  if (page.protocol !== 'https:') return [];
  const base = documentBase(scan, pageUrl) ?? page;
  const found: Record<MixedKind, { count: number; items: Array<{ tag: string; url: string }> }> = {
    active: { count: 0, items: [] },
    passive: { count: 0, items: [] },
  };
  for (const e of scan.elements) {
    for (const { kind, raw } of mixedUrls(e)) {
      const u = resolve(raw, base);
      if (u === null || u.protocol !== 'http:') continue;
      const f = found[kind];
      f.count++;
      if (f.items.length < MAX_LISTED_URLS) f.items.push({ tag: e.tag, url: clip(u.href, 256) });
    }
  }
  const out: Finding[] = [];
  const refs = [R.mixedContent, R.mdnMixedContent];
  const list = (f: (typeof found)[MixedKind]) =>
    `${f.items.map((i) => `<${i.tag}> ${i.url}`).join(', ')}${f.count > f.items.length ? ` and ${f.count - f.items.length} more` : ''}`;
  if (found.active.count > 0) {
    out.push(
      finding({
        id: 'http.mixed-content.active',
        severity: 'high',
        title: 'HTTPS page loads active content over plain HTTP',
        detail: `Scripts, frames, stylesheets or form targets over http:// can be read or replaced by anyone on the network, which gives them the page: ${list(found.active)}.`,
        evidence: { url: pageUrl, kind: 'active', count: found.active.count, resources: found.active.items },
        remediation: "Load every resource over https:// (or a relative / protocol-relative URL); `Content-Security-Policy: upgrade-insecure-requests` upgrades the stragglers.",
        references: refs,
      }),
    );
  }
  if (found.passive.count > 0) {
    out.push(
      finding({
        id: 'http.mixed-content.passive',
        severity: 'low',
        title: 'HTTPS page loads images or media over plain HTTP',
        detail: `Browsers upgrade or block these, and older ones show the page as not fully secure; the content can be observed or swapped on the network: ${list(found.passive)}.`,
        evidence: { url: pageUrl, kind: 'passive', count: found.passive.count, resources: found.passive.items },
        remediation: 'Serve images and media over https://, or send `Content-Security-Policy: upgrade-insecure-requests`.',
        references: refs,
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Aggregates

/**
 * The six headers as securityheaders.com grades them (src/grade/securityheaders.ts): valid,
 * invalid (present, but a browser would ignore it) or missing.
 *   - X-Frame-Options counts valid when the CSP has frame-ancestors. securityheaders.com does not
 *     publish this; its author said they could "not require XFO if we detect frame-ancestors"
 *     (github.com/securityheaders/securityheaders-bugs/issues/54), the MDN Observatory passes
 *     XFO "implemented via CSP", and browsers ignore XFO when frame-ancestors is set (HTML
 *     Standard). ALLOW-FROM alone counts invalid: browsers ignore it. Our reading.
 *   - Content-Security-Policy: the caller says whether the policy is valid (`cspValid`); present
 *     with `cspValid: null` (not judged) counts valid.
 *   - Permissions-Policy: valid when it parses as a structured dictionary; Feature-Policy alone
 *     counts missing (deprecated). Our reading.
 *   - Referrer-Policy: valid with any recognised token, unsafe-url included (that is a finding,
 *     not a missing header).
 */
export function securityHeadersStates(
  headers: ResponseHeaders,
  opts: { cspValid: boolean | null; frameAncestors: string[] | null },
): Partial<Record<SecurityHeaderName, SecurityHeaderState>> {
  const state = (value: string | undefined, valid: (v: string) => boolean): SecurityHeaderState =>
    value === undefined ? 'missing' : valid(value) ? 'valid' : 'invalid';
  const xfo = header(headers, 'x-frame-options');
  return {
    'Strict-Transport-Security': state(header(headers, 'strict-transport-security'), (v) => parseHsts(v).valid),
    'Content-Security-Policy': state(header(headers, 'content-security-policy'), () => opts.cspValid !== false),
    'X-Frame-Options':
      opts.frameAncestors !== null ? 'valid' : state(xfo, (v) => ['deny', 'sameorigin'].includes(xfoVerdict(v))),
    'X-Content-Type-Options': state(header(headers, 'x-content-type-options'), isNosniff),
    'Referrer-Policy': state(header(headers, 'referrer-policy'), (v) => effectiveReferrerPolicy(v) !== null),
    'Permissions-Policy': state(header(headers, 'permissions-policy'), (v) => parseSfDictionary(v).ok),
  };
}

export interface HeaderCheckInput {
  headers: ResponseHeaders;
  pageUrl: string;
  /** The enforced CSP's frame-ancestors sources, or null when it has none. */
  frameAncestors: string[] | null;
  /** The page body's scan, when the response was HTML. */
  scan?: HtmlScan | null;
}

/** Every header check on one HTTPS response (CORS and HSTS-over-HTTP need other requests). */
export function checkResponseHeaders(input: HeaderCheckInput): Finding[] {
  const { headers, pageUrl, frameAncestors, scan } = input;
  return [
    ...checkReferrerPolicy(headers, pageUrl, scan),
    ...checkXContentTypeOptions(headers, pageUrl),
    ...checkFraming(headers, pageUrl, frameAncestors),
    ...checkPermissionsPolicy(headers, pageUrl),
    ...checkCrossOriginPolicies(headers, pageUrl),
    ...checkXXssProtection(headers, pageUrl),
    ...checkExpectCt(headers, pageUrl),
    ...checkVersionDisclosure(headers, pageUrl),
    ...(scan ? [...checkSri(scan, pageUrl), ...checkMixedContent(scan, pageUrl)] : []),
  ];
}
