// The ten tests of the MDN HTTP Observatory 1.4.8 (npm @mdn/mdn-http-observatory, MPL-2.0, scoring
// algorithm 4) as pure functions over what our HTTP probe collected. Every rule below was read from
// the 1.4.8 package source and rewritten, not copied; each rule names the upstream file it comes
// from. The score itself is src/grade/observatory.ts (observatoryScore).
//
// ───────────────────────── What the Observatory's retriever does (1.4.8) ─────────────────────────
// Sources: src/retriever/retriever.js, src/retriever/session.js, src/retriever/url.js,
// src/retriever/utils.js, src/config.js, src/scanner/index.js, and the libraries they drive (axios,
// http-cookie-agent 7, tough-cookie 5, jsdom, Node's http client).
//
// R1. Two sessions run in parallel, each with its own cookie jar: GET http://HOST/ and GET
//     https://HOST/ (ports 80/443; the scan passes no path, so the path is "/").
//     Headers on every request of both chains:
//       Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8
//       User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:129.0) Gecko/20100101 Firefox/129.0 Observatory/129.0
//       Accept-Encoding: gzip, compress, deflate, br   (axios' default; bodies are decompressed)
//       Cookie: …   the session's jar: cookies set by earlier hops of the same chain are sent back.
// R2. Redirects (301, 302, 303, 307, 308 only) are followed one by one with GET, Location resolved
//     against the current URL, across hosts and schemes, at most 10 times: the 11th response is the
//     final one even when it is a redirect (no loop detection: a loop is simply unrolled). Any status
//     is accepted. Every response of the chain (request URL + status) is the "redirect history".
//     A redirect status without Location makes axios request `<url>/undefined` (not modelled here:
//     the chain is taken to end on that response).
// R3. Certificates are verified first. On a certificate error at ANY hop the whole chain is fetched
//     again without verification and its final response is marked `verified: false`. Any other
//     failure at any hop (DNS, refused, reset, a 9 s per-request / 10 s whole-chain timeout, a
//     Location that does not parse, a non-http(s) scheme, a response head over Node's 16 KiB limit)
//     leaves that session with NO response at all, even if earlier hops answered.
// R4. The final response's body is read whole (any status), decoded as UTF-8 (BOM dropped) and, if
//     it parses as JSON, replaced by the parsed value (axios' forcedJSONParsing).
// R5. "auto" = the https session's final response when the https session got one (verified or not),
//     else the http session's. The session url (used for "is the site https?") is that session's
//     first URL (https://HOST/ or http://HOST/), not the final one.
//     - CSP, cookies (raw SameSite check), Referrer-Policy, SRI, X-Content-Type-Options,
//       X-Frame-Options and CORP read the auto response (final response: after redirects).
//     - HSTS reads the https session's final response (null when that session failed).
//     - Redirection reads the http session: its final response (null → no http) and its history.
// R6. Response headers are Node's `res.headers`: names lower-cased; Set-Cookie kept as a list;
//     repeats of content-type, content-length, user-agent, referer, host, authorization,
//     proxy-authorization, if-modified-since, if-unmodified-since, from, location, max-forwards,
//     retry-after, etag, last-modified, server, age, expires are DROPPED (first wins); repeats of
//     every other header are JOINED with ", " into one value (so two HSTS headers contain a comma).
// R7. <meta> in the auto body (only when the auto Content-Type, up to the first ";", is exactly
//     "text/html" or "application/xhtml+xml" and the body is truthy): every <meta> of the document
//     (JSDOM fragment: head or body alike) with both http-equiv and content, http-equiv trimmed and
//     lower-cased = "content-security-policy" and a non-empty content, is a CSP policy (document
//     order); a <meta name="referrer" content="…"> without that http-equiv/content pair sets the
//     Referrer-Policy (the last one wins). No other header is taken from <meta>.
// R8. Then GET https://HOST/robots.txt (the auto session's first URL with path /robots.txt) with
//     `Accept: text/plain,*/*;q=0.8`; its answer is not used by any test.
// R9. CORS: one OPTIONS request to the URL of the last entry of the auto session's redirect history
//     (the final URL of the chain), with the session's Accept and User-Agent plus
//       Access-Control-Request-Method: GET
//       Origin: https://http-observatory.security.mozilla.org
//     Redirects are followed by axios (up to 10; OPTIONS kept, except 303 → GET). Only a 2xx answer
//     counts: any other status (405, 404 …) or failure and the test sees no response.
//     The test reads the request's Origin from `response.request.headers`, which a Node
//     ClientRequest does not have: in a live scan it is always missing, so universal access is never
//     reported (see corsOriginSeenByTest).
// R10. Cookie jar (http-cookie-agent 7 over tough-cookie 5, CookieJar defaults, errors ignored):
//     every Set-Cookie of every response of the session's chain (redirects included, http and https
//     hops alike) is stored with tough-cookie's rules (see jarSetCookie); the robots.txt and CORS
//     requests use a client without the jar, EXCEPT after a certificate retry (R3), when their https
//     responses feed the jar too, the robots.txt response (if 2xx) is appended to the redirect
//     history, and the CORS request therefore goes to https://HOST/robots.txt.
//     The cookies test sees every cookie in the jar (expired ones included: tough-cookie stores a
//     deletion cookie and serializeSync lists it), except a nameless one or "heroku-session-affinity".
// Known differences of this reproduction: pages are read with our bounded tokenizer
// (html-resources.ts: first 2 MiB, 5000 elements, no tree, so <script>/<meta> inside <template>
// count here and not in JSDOM); fetch-chain.ts caps the final body at 2 MiB (upstream: none) and
// keeps no body for a redirect it stops on; a head size over 16 KiB is estimated, not measured.
// R11. The scan aborts ("site seems to be down") when there is no auto response, and when the auto
//     status is < 200 or ≥ 400 other than 401/403 (src/scanner/index.js): see `scanError`.
import { isIP } from 'node:net';
import { getDomain, parse as parseHost } from 'tldts';
import type { ObservatoryResultOf, ObservatoryResults, ObservatoryTestName } from '../grade/observatory.js';
import type { FetchChainResult, FetchHop, FetchStop, HttpToHttpsResult } from './fetch-chain.js';
import { baseHref, scanHtml, scriptElements, type HtmlScan } from './html-resources.js';

/** What the Observatory sends as Origin in its CORS request (config.js, retriever.corsOrigin). */
export const OBSERVATORY_CORS_ORIGIN = 'https://http-observatory.security.mozilla.org';
/** The Observatory's User-Agent (config.js, retriever.retrieverUserAgent). */
export const OBSERVATORY_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:129.0) Gecko/20100101 Firefox/129.0 Observatory/129.0';
/** Headers the Observatory sends on the page requests of both chains (retriever.js STANDARD_HEADERS, session.js). */
export const OBSERVATORY_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'user-agent': OBSERVATORY_USER_AGENT,
};
/** Extra headers of the CORS request (retriever.js). */
export const OBSERVATORY_CORS_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'access-control-request-method': 'GET',
  origin: OBSERVATORY_CORS_ORIGIN,
};
/** session.js MAX_REDIRECTS: redirects followed; the chain has at most this + 1 responses. */
export const OBSERVATORY_MAX_REDIRECTS = 10;

export type PreloadLookup = 'preloaded' | 'pending' | 'not';

export interface ObservatoryEvidence {
  /** The scanned host name (the Observatory's `hostname`, used for the preload and SRI site checks). */
  host: string;
  /** The https://HOST/ chain (R1–R4); null = no HTTPS at all. */
  https: FetchChainResult | null;
  /** The http://HOST/ check; its hops are the http chain. null = not made (taken as no HTTP). */
  http: HttpToHttpsResult | null;
  /** The certificate of https://HOST validates for HOST (trusted path, name, dates). */
  httpsCertificateValid: boolean;
  /**
   * Headers of the final answer to the CORS request of R9; null when it failed or was not made.
   * When the probe sends no such request, pass the https final response's headers and say so: the
   * Observatory reads only Access-Control-Allow-Origin/-Credentials from it.
   */
  corsResponseHeaders: Array<[string, string]> | null;
  /**
   * HSTS preload list lookup (src/analyzer/hsts.js isHstsPreloaded): 'preloaded' must mean a
   * force-https entry for the host itself or for a parent with include_subdomains. The Observatory
   * reads Chromium's static list only, where pending names are absent: 'pending' counts as not preloaded.
   */
  preloaded: (host: string) => PreloadLookup;
  /**
   * Status of the final CORS answer. Axios rejects anything but 2xx, and then the test sees no
   * response (R9). Omitted: corsResponseHeaders is taken as a 2xx answer.
   */
  corsStatus?: number | null;
  /** The URL the CORS request went to (its cookies join the jar after a certificate retry, R10). */
  corsUrl?: string | null;
  /**
   * The Origin the CORS test reads back from the request. In a live 1.4.8 scan it is always missing
   * (R9), which is the default (null). Pass OBSERVATORY_CORS_ORIGIN to apply the test as written
   * (and as upstream's own unit tests exercise it): ACAO equal to it plus credentials → universal.
   */
  corsOriginSeenByTest?: string | null;
  /**
   * Certificate validity of another https host met on either chain (R3). Default: HOST →
   * httpsCertificateValid, any other host → valid.
   */
  certificateValidFor?: (hostname: string) => boolean;
  /** Body of the http chain's final response: only read when HTTPS failed and http is the auto response. */
  httpBody?: Buffer | null;
  /** The robots.txt answer (R8); only matters after a certificate retry (R10). */
  robots?: { url: string; status: number; headers: Array<[string, string]> } | null;
}

export type ObservatoryTestResults = ObservatoryResults & {
  /** One sentence per test: why it gave its result. */
  details: Record<ObservatoryTestName, string>;
  /** Why the Observatory itself would abort this scan (R11), or null. Results are computed anyway. */
  scanError: string | null;
};

// ───────────────────────────── Responses as the tests see them ─────────────────────────────

interface ObsResponse {
  url: string;
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  /** The body after R4: a string, a JSON value, or null when nothing was read. */
  data: unknown;
  /** R3: every https hop's certificate validated. */
  verified: boolean;
}

interface ObsSession {
  /** The session's first URL (R5). */
  url: URL;
  /** Redirect history (R2), loops unrolled, at most 11 entries; plus robots.txt after a retry (R10). */
  history: FetchHop[];
  response: ObsResponse | null;
}

// R6: headers Node's http client keeps once (first wins) instead of joining (_http_incoming.js).
const NODE_SINGLE_HEADERS = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);
/** Node's default maxHeaderSize (R3): a bigger response head fails the request. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

/** A header as Node's `res.headers` holds it (R6); null when absent. Not for set-cookie. */
function nodeHeader(headers: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (values.length === 0) return null;
  return NODE_SINGLE_HEADERS.has(name) ? values[0]! : values.join(', ');
}

function setCookieHeaders(headers: ReadonlyArray<readonly [string, string]>): string[] {
  return headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v);
}

/** R3: a failure at any hop leaves the session without a response (certificate errors excepted). */
function chainFailed(stop: FetchStop, hops: readonly FetchHop[]): boolean {
  if (stop.kind === 'error' || stop.kind === 'unresolvable-host' || stop.kind === 'unsupported-scheme' || stop.kind === 'invalid-location') {
    return true;
  }
  // Approximate size of each head as Node counts it (status line + "name: value\r\n" lines).
  return hops.some((h) => h.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 16) > NODE_MAX_HEADER_BYTES);
}

const withoutFragment = (u: string): string => u.replace(/#.*$/s, '');

/** R2: the Observatory's history for a chain: at most 11 responses, a loop unrolled until then. */
function upstreamHistory(hops: readonly FetchHop[], stop: FetchStop): FetchHop[] {
  const limit = OBSERVATORY_MAX_REDIRECTS + 1;
  const out = hops.slice(0, limit);
  if (stop.kind === 'loop' && out.length === hops.length && hops.length > 0) {
    const start = hops.findIndex((h) => withoutFragment(h.url) === withoutFragment(stop.url));
    if (start >= 0) {
      for (let i = start; out.length < limit; i = i + 1 < hops.length ? i + 1 : start) out.push(hops[i]!);
    }
  }
  return out;
}

/** R4: the body as axios hands it over. */
function axiosData(body: Buffer | null | undefined): unknown {
  if (!body || body.length === 0) return '';
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

function buildSession(
  firstUrl: URL,
  hops: readonly FetchHop[],
  stop: FetchStop,
  lastBody: Buffer | null | undefined,
  certOk: (hostname: string) => boolean,
): ObsSession {
  const history = upstreamHistory(hops, stop);
  const last = history.at(-1);
  if (!last || chainFailed(stop, hops)) return { url: firstUrl, history: [], response: null };
  const verified = history.every((h) => !h.url.startsWith('https:') || certOk(hostnameOf(h.url)));
  // The body was read for the last hop actually fetched only (redirect bodies are not kept).
  const isLastFetched = last === hops.at(-1);
  return {
    url: firstUrl,
    history,
    response: { url: last.url, status: last.status, headers: last.headers, data: isLastFetched ? axiosData(lastBody) : '', verified },
  };
}

// ───────────────────────────────── <meta> (R7) ─────────────────────────────────

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']); // types.js HTML_TYPES

interface HttpEquiv {
  csp: string[];
  referrer: string[];
}

/** The auto Content-Type up to the first ";", untrimmed and case-sensitive, as retriever.js compares it. */
function mimeOf(resp: ObsResponse): string {
  return (nodeHeader(resp.headers, 'content-type') ?? '').split(';')[0] ?? '';
}

/** What JSDOM is given: String() of the axios data (R4), "" when falsy. */
function pageText(data: unknown): string {
  return data ? String(data) : '';
}

/** retriever/utils.js parseHttpEquivHeaders, over our tokenizer (every <meta> of the document). */
function httpEquivOf(scan: HtmlScan): HttpEquiv {
  const out: HttpEquiv = { csp: [], referrer: [] };
  for (const el of scan.elements) {
    if (el.tag !== 'meta') continue;
    const equiv = el.attrs['http-equiv'];
    const content = el.attrs['content'];
    if (equiv !== undefined && content !== undefined) {
      if (content && equiv.toLowerCase().trim() === 'content-security-policy') out.csp.push(content);
    } else if ((el.attrs['name'] ?? '').toLowerCase().trim() === 'referrer' && content) {
      out.referrer = [content];
    }
  }
  return out;
}

// ───────────────────────────── CSP parsing (analyzer/cspParser.js) ─────────────────────────────

type CspMap = Map<string, Set<string>>;
/** cspParser.js DUPLICATE_WARNINGS_KEY: an entry listing repeated report-uri/report-to directives. */
const DUPLICATE_KEY = '_observatory_duplicate_key_warnings';
/** cspParser.js: a policy shorter than "img-src" minus one character is invalid. */
const MIN_POLICY_LENGTH = 'img-src'.length - 1;
const META_FORBIDDEN = ['frame-ancestors', 'report-uri', 'sandbox'];
const DUPLICATES_ALLOWED = new Set(['report-uri', 'report-to']);
const collate = new Intl.Collator('en').compare;

class CspInvalid extends Error {}

interface SourceEntry {
  source: string;
  policy: number;
  keep: boolean;
}

/**
 * cspParser.js pathPartMatch: does path-ish string `a` cover `b`, segment by segment (a trailing
 * "/" in `a` makes it a prefix)? decodeURIComponent may throw on a bad escape: the caller's parse
 * then fails, as upstream.
 */
function pathCovers(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === '/' && b.length === 0) return true;
  const prefix = a.endsWith('/');
  const as = a.split('/');
  const bs = b.split('/');
  if (as.length > bs.length) return false;
  if (!prefix && as.length !== bs.length) return false;
  if (prefix) as.pop();
  return as.every((seg, i) => decodeURIComponent(seg) === decodeURIComponent(bs[i] ?? ''));
}

/**
 * cspParser.js parseCsp: the Observatory's own CSP parse of a list of policies (header values and
 * meta contents). Throws CspInvalid (→ csp-header-invalid) on an empty or very short policy and on
 * a directive repeated inside one policy (report-uri/report-to excepted: noted under DUPLICATE_KEY).
 * Commas are not separators. Sources are lower-cased. A directive of a later policy keeps only the
 * sources that match one of the earlier policies' (an "intersection" by sorted neighbours and path
 * match); a "-src" directive without values, or left with none, is 'none'.
 */
function observatoryParseCsp(list: readonly string[]): CspMap {
  const policies = list.map((p) => p.replace(/[\r\n]/g, '').trim());
  if (policies.length === 0) return new Map();
  for (const p of policies) if (p.length < MIN_POLICY_LENGTH) throw new CspInvalid(`policy too short: "${p}"`);
  const parsed = new Map<string, SourceEntry[]>();
  const duplicates = new Set<string>();
  policies.forEach((policy, index) => {
    const seen = new Set<string>();
    for (const part of policy.split(';')) {
      const tokens = part.trim().split(/\s+/);
      const first = tokens[0];
      if (!first) continue;
      const name = first.toLowerCase();
      if (seen.has(name)) {
        if (!DUPLICATES_ALLOWED.has(name)) throw new CspInvalid(`directive ${name} repeated in policy ${index}`);
        duplicates.add(name);
      } else seen.add(name);
      const keep = index === 0;
      const values: SourceEntry[] = tokens.slice(1).map((raw) => ({ source: raw.trim().toLowerCase(), policy: index, keep }));
      if (values.length === 0 && name.endsWith('-src')) values.push({ source: "'none'", policy: index, keep });
      const combined = index === 0 ? values : [...(parsed.get(name) ?? []), ...values];
      combined.sort((x, y) => collate(x.source, y.source));
      for (let i = 1; i < combined.length; i++) {
        const cur = combined[i]!;
        const prev = combined[i - 1]!;
        // Same policy: a longer source starting like its neighbour adds nothing.
        if (cur.policy === prev.policy && cur.source.startsWith(prev.source)) cur.keep = false;
        // Different policies: kept only when both allow it.
        if (cur.policy !== prev.policy && pathCovers(prev.source, cur.source)) cur.keep = true;
      }
      const kept = combined.filter((e) => e.keep);
      parsed.set(name, kept);
      // With several policies, the first policy's sources must be matched again to survive.
      if (index === 0 && list.length > 1) for (const e of kept) e.keep = false;
    }
  });
  const out: CspMap = new Map();
  for (const [name, entries] of parsed) out.set(name, new Set(entries.length ? entries.map((e) => e.source) : ["'none'"]));
  if (duplicates.size > 0) out.set(DUPLICATE_KEY, duplicates);
  return out;
}

function observatoryParseCspMeta(list: readonly string[]): CspMap {
  const map = observatoryParseCsp(list);
  for (const d of META_FORBIDDEN) map.delete(d);
  return map;
}

// ───────────────────────────────────── The tests ─────────────────────────────────────

interface Requests {
  host: string;
  auto: ObsResponse | null;
  https: ObsResponse | null;
  http: ObsResponse | null;
  httpHistory: FetchHop[];
  session: ObsSession | null;
  /** The jar's cookies (R10). */
  jar: JarCookie[];
  cors: { headers: ReadonlyArray<readonly [string, string]>; origin: string | null } | null;
  equiv: HttpEquiv;
  /** The auto body as JSDOM would parse it. */
  html: string;
  isPreloaded: (host: string) => boolean;
}

type Outcome<T extends ObservatoryTestName> = { result: ObservatoryResultOf<T>; detail: string };

/** analyzer/utils.js onlyIfWorse: keep the later of the two in `order` (a result not in it ranks first). */
function worse<T extends string>(next: T, current: T | null, order: readonly T[]): T {
  if (current === null) return next;
  return order.indexOf(next) > order.indexOf(current) ? next : current;
}

const clip = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n)}…` : s);

// tests/csp.js
const DANGEROUSLY_BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
const BROAD_OR_INLINE = new Set([...DANGEROUSLY_BROAD, "'unsafe-inline'", 'data:']);
const PASSIVE_DIRECTIVES = ['img-src', 'media-src'];
const NONCE_HASH_PREFIXES = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];
const hasNonceOrHash = (sources: Set<string>): boolean => [...sources].some((s) => NONCE_HASH_PREFIXES.some((p) => s.startsWith(p)));

interface CspOutcome extends Outcome<'content-security-policy'> {
  /** The combined policy (header + meta) when the test ran to its end (read by the X-Frame-Options test). */
  data: CspMap | null;
}

/** tests/csp.js contentSecurityPolicyTest. */
function cspTest(r: Requests): CspOutcome {
  const resp = r.auto;
  const url = r.session?.url;
  if (!resp || !url) return { result: 'csp-not-implemented', detail: 'No response to read a policy from.', data: null };
  const headerValue = nodeHeader(resp.headers, 'content-security-policy');
  const fromHeader = headerValue === null ? [] : [headerValue];
  const fromMeta = r.equiv.csp;
  let csp: CspMap;
  try {
    csp = observatoryParseCsp([...fromHeader, ...fromMeta]);
  } catch (err) {
    return { result: 'csp-header-invalid', detail: `The Observatory's CSP parser rejects the policy: ${(err as Error).message}.`, data: null };
  }
  let headerOnly: CspMap;
  let metaOnly: CspMap;
  try {
    headerOnly = observatoryParseCsp(fromHeader);
  } catch {
    headerOnly = new Map();
  }
  try {
    metaOnly = observatoryParseCspMeta(fromMeta);
  } catch {
    metaOnly = new Map();
  }
  if (headerOnly.size + metaOnly.size === 0) {
    // Report-Only counts from the header only (it is not allowed in <meta>).
    if (nodeHeader(resp.headers, 'content-security-policy-report-only')) {
      return { result: 'csp-not-implemented-but-reporting-enabled', detail: 'Only Content-Security-Policy-Report-Only is set; nothing is enforced.', data: null };
    }
    const metaNote = fromMeta.length > 0 ? ' (the <meta> policy holds only directives a <meta> cannot carry)' : '';
    return { result: 'csp-not-implemented', detail: `No Content-Security-Policy header or <meta> policy${metaNote}.`, data: null };
  }
  const where = [fromHeader.length ? 'header' : '', fromMeta.length ? '<meta>' : ''].filter(Boolean).join(' and ');
  let result: ObservatoryResultOf<'content-security-policy'> | null = null;
  const set = (res: ObservatoryResultOf<'content-security-policy'>): void => void (result ??= res);
  // These are the very sets of the map (shared when they fall back to default-src): edits below
  // show through every name that refers to them, as upstream.
  const scriptSrc = csp.get('script-src') ?? csp.get('default-src') ?? new Set(['*']);
  const styleSrc = csp.get('style-src') ?? csp.get('default-src') ?? new Set(['*']);
  const objectSrc = csp.get('object-src') ?? csp.get('default-src') ?? new Set(['*']);
  // A nonce or hash disables 'unsafe-inline' (script-src, then style-src).
  for (const list of [scriptSrc, styleSrc]) if (hasNonceOrHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");
  // 'strict-dynamic' with a nonce or hash drops schemes/hosts, 'self' and 'unsafe-inline'; without one the policy is invalid.
  if (scriptSrc.has("'strict-dynamic'")) {
    if (hasNonceOrHash(scriptSrc)) {
      for (const s of scriptSrc) {
        if ([...DANGEROUSLY_BROAD].some((b) => s.startsWith(b)) || s === "'self'" || s === "'unsafe-inline'") scriptSrc.delete(s);
      }
    } else set('csp-header-invalid');
  }
  const active = [...csp.entries()].filter(([d]) => !PASSIVE_DIRECTIVES.includes(d) && d !== 'script-src').flatMap(([, s]) => [...s]);
  active.push(...scriptSrc);
  const passive = PASSIVE_DIRECTIVES.flatMap((d) => [...(csp.get(d) ?? csp.get('default-src') ?? new Set<string>())]);
  const https = url.protocol === 'https:';
  const insecure = (s: string): boolean => s.startsWith('http:') || s.startsWith('ftp:');
  if ([...scriptSrc].some((s) => BROAD_OR_INLINE.has(s)) || [...objectSrc].some((s) => DANGEROUSLY_BROAD.has(s))) set('csp-implemented-with-unsafe-inline');
  if (https && active.some(insecure)) set('csp-implemented-with-insecure-scheme');
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) set('csp-implemented-with-unsafe-eval');
  if (https && passive.some(insecure)) set('csp-implemented-with-insecure-scheme-in-passive-content-only');
  if ([...styleSrc].some((s) => BROAD_OR_INLINE.has(s))) set('csp-implemented-with-unsafe-inline-in-style-src-only');
  const defaultSrc = csp.get('default-src');
  set(defaultSrc?.has("'none'") && defaultSrc.size === 1 ? 'csp-implemented-with-no-unsafe-default-src-none' : 'csp-implemented-with-no-unsafe');
  let final: ObservatoryResultOf<'content-security-policy'> = result ?? 'csp-implemented-with-no-unsafe';
  const passing = ['csp-implemented-with-no-unsafe', 'csp-implemented-with-no-unsafe-default-src-none', 'csp-implemented-with-unsafe-inline-in-style-src-only', 'csp-implemented-with-insecure-scheme-in-passive-content-only'];
  if (passing.includes(final) && csp.has(DUPLICATE_KEY)) final = 'csp-implemented-but-duplicate-directives';
  const why: Record<string, string> = {
    'csp-header-invalid': "script-src has 'strict-dynamic' without a nonce or hash",
    'csp-implemented-with-unsafe-inline': "script-src allows 'unsafe-inline', data: or a broad source, or object-src a broad source (a missing directive counts as *)",
    'csp-implemented-with-insecure-scheme': 'a directive other than img-src/media-src allows http: or ftp: sources on an https site',
    'csp-implemented-with-unsafe-eval': "script-src or style-src allows 'unsafe-eval'",
    'csp-implemented-with-insecure-scheme-in-passive-content-only': 'img-src or media-src allows http: or ftp: sources on an https site',
    'csp-implemented-with-unsafe-inline-in-style-src-only': "only style-src allows 'unsafe-inline', data: or a broad source",
    'csp-implemented-with-no-unsafe-default-src-none': "default-src 'none' and nothing unsafe",
    'csp-implemented-with-no-unsafe': 'nothing unsafe',
    'csp-implemented-but-duplicate-directives': `the policy passes but repeats ${[...(csp.get(DUPLICATE_KEY) ?? [])].join(', ')}`,
  };
  return { result: final, detail: `CSP from the ${where}: ${why[final] ?? final}.`, data: csp };
}

// tests/cookies.js
const COOKIES_IGNORED = ['heroku-session-affinity'];
const COOKIE_ORDER: ReadonlyArray<ObservatoryResultOf<'cookies'>> = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

/** cookies.js containsInvalidSameSiteCookie: a SameSite attribute with no value or not lax/strict/none. */
function rawSameSiteInvalid(setCookie: string): boolean {
  for (const part of setCookie.trim().split(';')) {
    const [key = '', value] = part.trim().split('=');
    if (key.trim().toLowerCase() !== 'samesite') continue;
    if (!value || !['lax', 'strict', 'none'].includes(value.trim().toLowerCase())) return true;
  }
  return false;
}

/** tests/cookies.js cookiesTest. */
function cookiesTest(r: Requests, hstsPass: boolean): Outcome<'cookies'> {
  let result: ObservatoryResultOf<'cookies'> | null = null;
  const reasons: string[] = [];
  const flag = (res: ObservatoryResultOf<'cookies'>, why: string): void => {
    const before = result;
    result = worse(res, result, COOKIE_ORDER);
    if (result !== before) reasons.unshift(why);
  };
  // The raw check reads the auto response's own Set-Cookie headers only.
  for (const raw of r.auto ? setCookieHeaders(r.auto.headers) : []) {
    if (rawSameSiteInvalid(raw)) flag('cookies-samesite-flag-invalid', `"${clip(raw, 60)}" has an invalid SameSite`);
  }
  const cookies = r.jar.filter((c) => c.key && !COOKIES_IGNORED.includes(c.key));
  if (cookies.length === 0) return { result: 'cookies-not-found', detail: 'No cookie was stored from the chain.' };
  let missingSameSite = false;
  for (const c of cookies) {
    const lower = c.key.toLowerCase();
    const session = ['login', 'sess'].some((s) => lower.includes(s));
    const anticsrf = lower.includes('csrf');
    if (!c.secure && c.sameSite === 'none') flag('cookies-samesite-flag-invalid', `${c.key} is SameSite=None without Secure`);
    if (!c.secure) flag(hstsPass ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag', `${c.key} lacks Secure${hstsPass ? ' (HSTS protects it)' : ''}`);
    if (anticsrf && !c.sameSite) flag('cookies-anticsrf-without-samesite-flag', `anti-CSRF cookie ${c.key} has no SameSite`);
    if (session && !c.secure) flag(hstsPass ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag', `session cookie ${c.key} lacks Secure${hstsPass ? ' (HSTS protects it)' : ''}`);
    if (session && !c.httpOnly) flag('cookies-session-without-httponly-flag', `session cookie ${c.key} lacks HttpOnly`);
    if (!c.sameSite) missingSameSite = true;
  }
  const names = cookies.map((c) => c.key).join(', ');
  if (result !== null) return { result, detail: `Cookies ${clip(names)}: ${reasons[0] ?? result}.` };
  return missingSameSite
    ? { result: 'cookies-secure-with-httponly-sessions', detail: `Cookies ${clip(names)} are Secure (session cookies HttpOnly), but some have no SameSite.` }
    : { result: 'cookies-secure-with-httponly-sessions-and-samesite', detail: `Cookies ${clip(names)} are Secure, session cookies HttpOnly, all with SameSite.` };
}

/** tests/cors.js crossOriginResourceSharingTest. */
function corsTest(r: Requests): Outcome<'cross-origin-resource-sharing'> {
  const acao = r.cors ? nodeHeader(r.cors.headers, 'access-control-allow-origin') : null;
  if (!r.cors) return { result: 'cross-origin-resource-sharing-not-implemented', detail: 'The CORS request got no 2xx answer.' };
  if (!acao) return { result: 'cross-origin-resource-sharing-not-implemented', detail: 'The answer to the CORS request has no Access-Control-Allow-Origin.' };
  const value = acao.slice(0, 256).trim().toLowerCase();
  if (value === '*') return { result: 'cross-origin-resource-sharing-implemented-with-public-access', detail: 'Access-Control-Allow-Origin: * (public, without credentials).' };
  const credentials = nodeHeader(r.cors.headers, 'access-control-allow-credentials');
  if (r.cors.origin && r.cors.origin === acao && credentials?.toLowerCase().trim() === 'true') {
    return { result: 'cross-origin-resource-sharing-implemented-with-universal-access', detail: `The Origin sent (${r.cors.origin}) is allowed back with credentials.` };
  }
  return { result: 'cross-origin-resource-sharing-implemented-with-restricted-access', detail: `Access-Control-Allow-Origin: ${clip(acao)} (restricted).` };
}

/** tests/redirection.js redirectionTest. */
function redirectionTest(r: Requests): Outcome<'redirection'> {
  const response = r.http;
  if (!response) return { result: 'redirection-not-needed-no-http', detail: 'http:// gave no response (nothing listens, or a hop failed).' };
  if (!response.verified) return { result: 'redirection-invalid-cert', detail: 'An https hop of the http:// redirect chain has an invalid certificate.' };
  const route = r.httpHistory.map((h) => new URL(h.url));
  const path = route.map((u) => u.href).join(' → ');
  if (route.every((u) => r.isPreloaded(u.hostname))) return { result: 'redirection-all-redirects-preloaded', detail: `Every host on the route is HSTS-preloaded: ${clip(path, 160)}.` };
  if (route.length === 1) return { result: 'redirection-missing', detail: `${route[0]!.href} answers ${response.status} without redirecting.` };
  const last = route.at(-1)!;
  const second = route[1]!;
  if (last.protocol !== 'https:') return { result: 'redirection-not-to-https', detail: `The redirects end on ${last.href}, not https.` };
  if (second.protocol === 'http:') return { result: 'redirection-not-to-https-on-initial-redirection', detail: `The first redirect goes to ${second.href}, not https.` };
  if (route[0]!.protocol === 'http:' && second.protocol === 'https:' && route[0]!.hostname !== second.hostname) {
    return { result: 'redirection-off-host-from-http', detail: `The first redirect leaves the host: ${second.href}.` };
  }
  return { result: 'redirection-to-https', detail: `http:// redirects to https on the same host first: ${clip(path, 160)}.` };
}

// tests/referrer-policy.js
const REFERRER_PRIVATE = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const REFERRER_UNSAFE = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];

/** tests/referrer-policy.js referrerPolicyTest: header values then <meta>, the last known token wins. */
function referrerTest(r: Requests): Outcome<'referrer-policy'> {
  if (!r.auto) return { result: 'referrer-policy-not-implemented', detail: 'No response.' };
  const header = nodeHeader(r.auto.headers, 'referrer-policy');
  const values = [...(header === null ? [] : [header]), ...r.equiv.referrer];
  if (values.length === 0) return { result: 'referrer-policy-not-implemented', detail: 'No Referrer-Policy header or <meta name="referrer">.' };
  const data = values.join(', ');
  const known = [...REFERRER_PRIVATE, ...REFERRER_UNSAFE];
  const policy = data.split(',').map((t) => t.toLowerCase().trim()).filter((t) => known.includes(t)).at(-1) ?? '';
  if (REFERRER_PRIVATE.includes(policy)) return { result: 'referrer-policy-private', detail: `Referrer policy "${policy}" (from "${clip(data)}").` };
  if (REFERRER_UNSAFE.includes(policy)) return { result: 'referrer-policy-unsafe', detail: `Referrer policy "${policy}" leaks the URL (from "${clip(data)}").` };
  return { result: 'referrer-policy-header-invalid', detail: `No known policy in "${clip(data)}".` };
}

/** tests/strict-transport-security.js: 15552000 s passes as six months ("a white lie"). */
const SIX_MONTHS = 15_552_000;

/** tests/strict-transport-security.js strictTransportSecurityTest; `pass` feeds the cookies test. */
function hstsTest(r: Requests): Outcome<'strict-transport-security'> & { pass: boolean } {
  const resp = r.https;
  let out: Outcome<'strict-transport-security'>;
  if (!resp) out = { result: 'hsts-not-implemented-no-https', detail: 'https:// gave no response, so no HSTS.' };
  else if (!resp.verified) out = { result: 'hsts-invalid-cert', detail: 'The https certificate chain is invalid, so HSTS cannot apply.' };
  else {
    const header = nodeHeader(resp.headers, 'strict-transport-security');
    if (header === null) out = { result: 'hsts-not-implemented', detail: 'No Strict-Transport-Security header on the final https response.' };
    else out = parseObservatoryHsts(header.slice(0, 1024));
  }
  // Preloading overrides everything once there is an https response (even with a bad certificate).
  if (resp && r.isPreloaded(r.host)) out = { result: 'hsts-preloaded', detail: `${r.host} is on the HSTS preload list.` };
  return { ...out, pass: out.result === 'hsts-implemented-max-age-at-least-six-months' || out.result === 'hsts-preloaded' };
}

/**
 * The Observatory's HSTS parse: a comma (the header repeated, R6) is invalid; directives split on
 * ";", trimmed and lower-cased; "max-age=" exactly (no spaces) read with parseInt of up to 120
 * characters, the last one winning; no max-age is invalid. parseInt yields NaN for a quoted or
 * non-numeric value, which is not "less than six months": such a header passes.
 */
function parseObservatoryHsts(value: string): Outcome<'strict-transport-security'> {
  if (value.includes(',')) return { result: 'hsts-header-invalid', detail: `Strict-Transport-Security is set more than once: "${clip(value)}".` };
  let maxAge: number | null = null;
  for (const d of value.split(';').map((p) => p.trim().toLowerCase())) {
    if (d.startsWith('max-age=')) maxAge = parseInt(d.slice(8, 128), 10);
  }
  if (maxAge === null) return { result: 'hsts-header-invalid', detail: `Strict-Transport-Security has no max-age: "${clip(value)}".` };
  if (maxAge < SIX_MONTHS) return { result: 'hsts-implemented-max-age-less-than-six-months', detail: `HSTS max-age=${maxAge}, under six months.` };
  return { result: 'hsts-implemented-max-age-at-least-six-months', detail: `HSTS max-age=${Number.isNaN(maxAge) ? 'not a number (passes upstream)' : maxAge}.` };
}

// tests/subresource-integrity.js
const SRI_ORDER: ReadonlyArray<ObservatoryResultOf<'subresource-integrity'>> = [
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely',
  'sri-not-implemented-and-external-scripts-not-loaded-securely',
  'sri-not-implemented-response-not-html',
];

/**
 * What `script.src` returns in JSDOM for a document at about:blank: the attribute resolved against
 * the document base (the first <base href> when it is absolute, else about:blank, against which
 * only absolute URLs and fragments resolve), serialized; the raw attribute when it does not resolve.
 */
function reflectedSrc(raw: string, base: string | null): string {
  try {
    return new URL(raw, base ?? 'about:blank').href;
  } catch {
    return raw;
  }
}

function documentBase(scan: HtmlScan): string | null {
  const href = baseHref(scan);
  if (href === null) return null;
  try {
    return new URL(href).href;
  } catch {
    return null;
  }
}

/** tests/subresource-integrity.js subresourceIntegrityTest. */
function sriTest(r: Requests, scanPage: (html: string) => HtmlScan): Outcome<'subresource-integrity'> {
  const resp = r.auto;
  if (!resp) return { result: 'sri-not-implemented-but-no-scripts-loaded', detail: 'No response.' };
  const mime = mimeOf(resp);
  if (!HTML_TYPES.has(mime)) return { result: 'sri-not-implemented-response-not-html', detail: `The response is ${mime ? `"${clip(mime, 60)}"` : 'untyped'}, not HTML.` };
  let scan: HtmlScan;
  try {
    scan = scanPage(r.html);
  } catch (err) {
    // JSDOM throwing ("severe parser error"): HtmlNotParseable, the one generic result.
    return { result: 'html-not-parseable', detail: `The HTML could not be parsed: ${(err as Error).message}.` };
  }
  const scripts = scriptElements(scan);
  if (scripts.length === 0) return { result: 'sri-not-implemented-but-no-scripts-loaded', detail: 'The page has no <script> element.' };
  const base = documentBase(scan);
  const siteDomain = parseHost(r.host).domain;
  const sessionHttps = r.session?.url.protocol === 'https:';
  let result: ObservatoryResultOf<'subresource-integrity'> | null = null;
  let foreign = false;
  let example = '';
  for (const script of scripts) {
    const raw = script.attrs['src'];
    if (raw === undefined) continue;
    const src = reflectedSrc(raw, base);
    if (!src) continue;
    const integrity = script.attrs['integrity'] ?? '';
    let relativeOrigin = false;
    let relativeProtocol = false;
    let sameSite = false;
    if (/^(\/\/)[^/]/.test(src)) {
      relativeProtocol = true; // src="//cdn.example/x.js"
      sameSite = true;
    } else if (/^https?:\/\//.test(src)) {
      sameSite = parseHost(src).domain === siteDomain; // registrable domains (ICANN section), null for IPs
    } else relativeOrigin = true; // "/x.js", "x.js", data:, anything else
    const secureOrigin = relativeOrigin || (sameSite && !relativeProtocol);
    if (!secureOrigin) foreign = true;
    let scheme: string | null = null;
    // A full URL that does not parse (e.g. "http://[x") makes upstream's `new URL` throw and the
    // whole scan abort; here its scheme is read from the text instead.
    if (!relativeProtocol && !relativeOrigin) scheme = URL.canParse(src) ? new URL(src).protocol : src.slice(0, src.indexOf(':') + 1);
    const secureScheme = scheme === 'https:' || (relativeOrigin && sessionHttps);
    const before: ObservatoryResultOf<'subresource-integrity'> | null = result;
    if (!secureOrigin) {
      if (integrity && !secureScheme) result = worse('sri-implemented-but-external-scripts-not-loaded-securely', result, SRI_ORDER);
      else if (!integrity && secureScheme) result = worse('sri-not-implemented-but-external-scripts-loaded-securely', result, SRI_ORDER);
      else if (!integrity) result = worse('sri-not-implemented-and-external-scripts-not-loaded-securely', result, SRI_ORDER);
    } else if (integrity && secureScheme && result === null) {
      result = 'sri-implemented-and-all-scripts-loaded-securely';
    }
    if (result !== before) example = clip(src);
  }
  const n = `${scripts.length} script element(s)`;
  if (result === null) {
    return foreign
      ? { result: 'sri-implemented-and-external-scripts-loaded-securely', detail: `${n}: external scripts all have integrity and load over https.` }
      : { result: 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin', detail: `${n}, all from the same site.` };
  }
  const why: Partial<Record<ObservatoryResultOf<'subresource-integrity'>, string>> = {
    'sri-implemented-and-all-scripts-loaded-securely': 'same-site scripts with integrity over https',
    'sri-implemented-but-external-scripts-not-loaded-securely': 'an external script with integrity is loaded over http or protocol-relative',
    'sri-not-implemented-but-external-scripts-loaded-securely': 'an external https script has no integrity',
    'sri-not-implemented-and-external-scripts-not-loaded-securely': 'an external script without integrity is loaded over http or protocol-relative',
  };
  return { result, detail: `${n}: ${why[result] ?? result} (${example}).` };
}

/** tests/x-content-type-options.js. */
function xctoTest(r: Requests): Outcome<'x-content-type-options'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'x-content-type-options') : null;
  if (!header) return { result: 'x-content-type-options-not-implemented', detail: 'No X-Content-Type-Options header.' };
  if (header.slice(0, 256).trim().toLowerCase() === 'nosniff') return { result: 'x-content-type-options-nosniff', detail: 'X-Content-Type-Options: nosniff.' };
  return { result: 'x-content-type-options-header-invalid', detail: `X-Content-Type-Options is "${clip(header)}", not exactly nosniff.` };
}

/** tests/x-frame-options.js: the header, overridden by any frame-ancestors in the parsed CSP. */
function xfoTest(r: Requests, csp: CspOutcome): Outcome<'x-frame-options'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'x-frame-options') : null;
  let out: Outcome<'x-frame-options'>;
  if (!header) out = { result: 'x-frame-options-not-implemented', detail: 'No X-Frame-Options header and no CSP frame-ancestors.' };
  else {
    const v = header.slice(0, 1024).trim().toLowerCase();
    if (v === 'deny' || v === 'sameorigin') out = { result: 'x-frame-options-sameorigin-or-deny', detail: `X-Frame-Options: ${v.toUpperCase()}.` };
    else if (v.startsWith('allow-from')) out = { result: 'x-frame-options-allow-from-origin', detail: `X-Frame-Options: ${clip(header)}.` };
    else out = { result: 'x-frame-options-header-invalid', detail: `X-Frame-Options "${clip(header)}" is not DENY, SAMEORIGIN or ALLOW-FROM.` };
  }
  // Any frame-ancestors of the combined policy counts, whatever its value (even from <meta>).
  const fa = csp.data?.get('frame-ancestors');
  if (r.auto && fa) out = { result: 'x-frame-options-implemented-via-csp', detail: `CSP frame-ancestors ${clip([...fa].join(' '))} controls framing.` };
  return out;
}

/** tests/cross-origin-resource-policy.js (no <meta> source exists in 1.4.8). */
function corpTest(r: Requests): Outcome<'cross-origin-resource-policy'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'cross-origin-resource-policy') : null;
  if (!header) return { result: 'corp-not-implemented', detail: 'No Cross-Origin-Resource-Policy header.' };
  const v = header.slice(0, 256).trim().toLowerCase();
  if (v === 'same-site') return { result: 'corp-implemented-with-same-site', detail: 'Cross-Origin-Resource-Policy: same-site.' };
  if (v === 'same-origin') return { result: 'corp-implemented-with-same-origin', detail: 'Cross-Origin-Resource-Policy: same-origin.' };
  if (v === 'cross-origin') return { result: 'corp-implemented-with-cross-origin', detail: 'Cross-Origin-Resource-Policy: cross-origin.' };
  return { result: 'corp-header-invalid', detail: `Cross-Origin-Resource-Policy "${clip(header)}" is not same-origin, same-site or cross-origin.` };
}

// ───────────────────────── The cookie jar (tough-cookie 5, R10) ─────────────────────────

export interface JarCookie {
  key: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'strict' | 'lax' | 'none' | undefined;
  domain: string;
  path: string;
  hostOnly: boolean;
}

type ParsedCookie = Omit<JarCookie, 'domain' | 'path' | 'hostOnly'> & { domain: string | null; path: string | null };

/**
 * tough-cookie's strict (non-loose) Cookie.parse: trimmed; the pair before the first ";" must have
 * a non-empty name before "=" and no control character (a pair is cut at \n, \r or \0); attributes
 * are case-insensitive, later ones override earlier ones; SameSite other than strict/lax/none
 * resets it to unset; Domain drops one leading "." and is lower-cased; Path must start with "/".
 */
export function toughParseCookie(input: string): ParsedCookie | null {
  const str = input.trim();
  if (str === '') return null;
  const semi = str.indexOf(';');
  let pair = semi === -1 ? str : str.slice(0, semi);
  for (const t of ['\n', '\r', '\0']) {
    const i = pair.indexOf(t);
    if (i !== -1) pair = pair.slice(0, i);
  }
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const key = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (/[\x00-\x1f]/.test(key) || /[\x00-\x1f]/.test(value)) return null;
  const c: ParsedCookie = { key, secure: false, httpOnly: false, sameSite: undefined, domain: null, path: null };
  if (semi === -1) return c;
  for (const part of str.slice(semi + 1).split(';')) {
    const av = part.trim();
    if (av === '') continue;
    const sep = av.indexOf('=');
    const name = (sep === -1 ? av : av.slice(0, sep)).trim().toLowerCase();
    const raw = sep === -1 ? null : av.slice(sep + 1);
    const val = raw ? raw.trim() : raw;
    if (name === 'domain') {
      const d = val ? val.trim().replace(/^\./, '') : '';
      if (d) c.domain = d.toLowerCase();
    } else if (name === 'path') c.path = val && val[0] === '/' ? val : null;
    else if (name === 'secure') c.secure = true;
    else if (name === 'httponly') c.httpOnly = true;
    else if (name === 'samesite') {
      const s = val ? val.toLowerCase() : '';
      c.sameSite = s === 'strict' || s === 'lax' || s === 'none' ? s : undefined;
    }
  }
  return c;
}

// tough-cookie getPublicSuffix with allowSpecialUseDomain (the CookieJar default).
const SPECIAL_USE = ['local', 'example', 'invalid', 'localhost', 'test'];
const SPECIAL_SINGLE = ['localhost', 'invalid'];

function publicSuffixRejects(domain: string): boolean {
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  if (SPECIAL_USE.includes(tld) && (labels.length > 1 || SPECIAL_SINGLE.includes(tld))) return false;
  if (getDomain(domain, { allowIcannDomains: true, allowPrivateDomains: true })) return false;
  return isIP(domain.replace(/^\[|\]$/g, '')) !== 6;
}

function canonicalDomain(d: string): string {
  const s = d.trim().replace(/^\./, '');
  if (/[^\u0001-\u007f]/.test(s)) {
    try {
      return new URL(`http://${s}`).hostname;
    } catch {
      return s.toLowerCase();
    }
  }
  return s.toLowerCase();
}

/** tough-cookie domainMatch (no canonicalisation): equal, or a dot-aligned suffix of a non-IP host. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  const idx = host.lastIndexOf(domain);
  if (idx <= 0 || host.length !== domain.length + idx || host[idx - 1] !== '.') return false;
  return isIP(host) === 0;
}

/** tough-cookie defaultPath (RFC 6265 §5.1.4). */
function defaultPath(path: string): string {
  if (!path || !path.startsWith('/') || path === '/') return '/';
  const right = path.lastIndexOf('/');
  return right === 0 ? '/' : path.slice(0, right);
}

/**
 * Store one Set-Cookie from a response to `url` in the jar, as tough-cookie 5's setCookie with
 * ignoreError does: unparsable, public-suffix Domain, Domain not matching the host, and __Secure-/
 * __Host- prefix violations (case-sensitive; __Host- checked after the default path is applied)
 * are dropped silently; the same (domain, path, name) replaces the earlier cookie.
 */
export function jarSetCookie(jar: Map<string, JarCookie>, setCookie: string, url: string): void {
  const c = toughParseCookie(setCookie);
  if (!c) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return;
  }
  const host = canonicalDomain(u.hostname.replace(/^\[|\]$/g, ''));
  let domain: string;
  let hostOnly: boolean;
  if (c.domain) {
    if (publicSuffixRejects(canonicalDomain(c.domain))) return;
    if (!domainMatches(host, canonicalDomain(c.domain))) return;
    domain = c.domain;
    hostOnly = false;
  } else {
    domain = host;
    hostOnly = true;
  }
  // http-cookie-agent gives the request path with its query folded in ("?" escaped as %3F).
  const requestPath = u.pathname + (u.search ? `%3F${u.search.slice(1)}` : '');
  const path = c.path && c.path.startsWith('/') ? c.path : defaultPath(requestPath);
  if (c.key.startsWith('__Secure-') && !c.secure) return;
  if (c.key.startsWith('__Host-') && !(c.secure && hostOnly && path === '/')) return;
  jar.set(JSON.stringify([domain, path, c.key]), { ...c, domain, path, hostOnly });
}

// ───────────────────────────────────── Entry point ─────────────────────────────────────

function buildRequests(ev: ObservatoryEvidence, scanPage: (html: string) => HtmlScan): Requests {
  const host = ev.host.toLowerCase();
  const certOk = (hostname: string): boolean =>
    ev.certificateValidFor ? ev.certificateValidFor(hostname) : hostname.toLowerCase() === host ? ev.httpsCertificateValid : true;
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const httpsSession = ev.https ? buildSession(new URL(`https://${authority}/`), ev.https.hops, ev.https.stop, ev.https.final?.body, certOk) : null;
  const httpSession = ev.http ? buildSession(new URL(`http://${authority}/`), ev.http.hops, ev.http.stop, ev.httpBody, certOk) : null;
  const session = httpsSession?.response ? httpsSession : httpSession?.response ? httpSession : null;
  const auto = session?.response ?? null;

  // R10: the jar of the auto session; after a certificate retry, robots.txt and the CORS answer too.
  const jar = new Map<string, JarCookie>();
  for (const h of session?.history ?? []) for (const v of h.setCookies) jarSetCookie(jar, v, h.url);
  if (session && auto && !auto.verified) {
    if (ev.robots?.url.startsWith('https:')) for (const v of setCookieHeaders(ev.robots.headers)) jarSetCookie(jar, v, ev.robots.url);
    if (ev.corsUrl?.startsWith('https:') && ev.corsResponseHeaders) for (const v of setCookieHeaders(ev.corsResponseHeaders)) jarSetCookie(jar, v, ev.corsUrl);
  }

  const corsOk = ev.corsResponseHeaders !== null && (ev.corsStatus === undefined || ev.corsStatus === null || (ev.corsStatus >= 200 && ev.corsStatus < 300));
  const html = auto ? pageText(auto.data) : '';
  let equiv: HttpEquiv = { csp: [], referrer: [] };
  if (auto && HTML_TYPES.has(mimeOf(auto)) && auto.data) {
    try {
      equiv = httpEquivOf(scanPage(html));
    } catch {
      // utils.js logs a parse error and keeps no http-equiv header.
    }
  }
  return {
    host,
    auto,
    https: httpsSession?.response ?? null,
    http: httpSession?.response ?? null,
    httpHistory: httpSession?.history ?? [],
    session,
    jar: [...jar.values()],
    cors: corsOk && ev.corsResponseHeaders ? { headers: ev.corsResponseHeaders, origin: ev.corsOriginSeenByTest ?? null } : null,
    equiv,
    html,
    isPreloaded: (h) => ev.preloaded(h.toLowerCase()) === 'preloaded',
  };
}

/** scanner/index.js: when the Observatory refuses to grade (R11). */
function scanErrorOf(auto: ObsResponse | null): string | null {
  if (!auto) return 'The site seems to be down.';
  if (auto.status < 200 || (auto.status >= 400 && auto.status !== 401 && auto.status !== 403)) {
    return `Site did respond with an unexpected HTTP status code ${auto.status}.`;
  }
  return null;
}

/** The ten Observatory tests over the evidence, in the Observatory's order (constants.js ALL_TESTS). */
export function observatoryResults(ev: ObservatoryEvidence): ObservatoryTestResults {
  // One scan of the page serves both <meta> and SRI.
  const scans = new Map<string, HtmlScan>();
  const scanPage = (html: string): HtmlScan => {
    let s = scans.get(html);
    if (!s) {
      s = scanHtml(html);
      scans.set(html, s);
    }
    return s;
  };
  const r = buildRequests(ev, scanPage);
  const csp = cspTest(r);
  const hsts = hstsTest(r);
  const cookies = cookiesTest(r, hsts.pass);
  const cors = corsTest(r);
  const redirection = redirectionTest(r);
  const referrer = referrerTest(r);
  const sri = sriTest(r, scanPage);
  const xcto = xctoTest(r);
  const xfo = xfoTest(r, csp);
  const corp = corpTest(r);
  return {
    'content-security-policy': csp.result,
    cookies: cookies.result,
    'cross-origin-resource-sharing': cors.result,
    redirection: redirection.result,
    'referrer-policy': referrer.result,
    'strict-transport-security': hsts.result,
    'subresource-integrity': sri.result,
    'x-content-type-options': xcto.result,
    'x-frame-options': xfo.result,
    'cross-origin-resource-policy': corp.result,
    details: {
      'content-security-policy': csp.detail,
      cookies: cookies.detail,
      'cross-origin-resource-sharing': cors.detail,
      redirection: redirection.detail,
      'referrer-policy': referrer.detail,
      'strict-transport-security': hsts.detail,
      'subresource-integrity': sri.detail,
      'x-content-type-options': xcto.detail,
      'x-frame-options': xfo.detail,
      'cross-origin-resource-policy': corp.detail,
    },
    scanError: scanErrorOf(r.auto),
  };
}
