// The Observatory's retriever reproduced: from our probe's evidence to the responses, redirect
// histories, cookie jar and <meta> values the ten tests read (Requests), plus when the Observatory
// would refuse to grade at all (R11). The rules R1–R11 below are cited by number across this folder.
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
import type { FetchHop, FetchStop } from '../fetch-chain.js';
import type { HtmlScan } from '../html-resources.js';
import { jarSetCookie, type JarCookie } from './cookie-jar.js';
import { OBSERVATORY_MAX_REDIRECTS, type ObservatoryEvidence } from './evidence.js';

// ───────────────────────────── Responses as the tests see them ─────────────────────────────

export interface ObsResponse {
  url: string;
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  /** The body after R4: a string, a JSON value, or null when nothing was read. */
  data: unknown;
  /** R3: every https hop's certificate validated. */
  verified: boolean;
}

export interface ObsSession {
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
export function nodeHeader(headers: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (values.length === 0) return null;
  return NODE_SINGLE_HEADERS.has(name) ? values[0]! : values.join(', ');
}

export function setCookieHeaders(headers: ReadonlyArray<readonly [string, string]>): string[] {
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

export const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']); // types.js HTML_TYPES

export interface HttpEquiv {
  csp: string[];
  referrer: string[];
}

/** The auto Content-Type up to the first ";", untrimmed and case-sensitive, as retriever.js compares it. */
export function mimeOf(resp: ObsResponse): string {
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

// ───────────────────────────────── What the tests read ─────────────────────────────────

export interface Requests {
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

export function buildRequests(ev: ObservatoryEvidence, scanPage: (html: string) => HtmlScan): Requests {
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
export function scanErrorOf(auto: ObsResponse | null): string | null {
  if (!auto) return 'The site seems to be down.';
  if (auto.status < 200 || (auto.status >= 400 && auto.status !== 401 && auto.status !== 403)) {
    return `Site did respond with an unexpected HTTP status code ${auto.status}.`;
  }
  return null;
}
