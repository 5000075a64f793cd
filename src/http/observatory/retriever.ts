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
// R3. Certificates are verified first (Node's verification: its roots plus NODE_EXTRA_CA_CERTS, and
//     the host name). The first hop whose certificate fails decides: when its error code is one of
//     CERT_ERROR_CODES (session.js; every usual one: self-signed, expired, unknown issuer, wrong
//     name …) the whole chain is fetched again without verification and its final response is
//     marked `verified: false` — whichever host of the route the bad certificate was on, the
//     target's or another's; any other code fails the session like any other error. The retry
//     resets the history but not the redirect count: with the bad certificate on the i-th response
//     (from 0), the retried chain follows only 10 − i redirects (at most 11 − i responses). Any other
//     failure at any hop (DNS, refused, reset, a 9 s per-request / 10 s whole-chain timeout, a
//     Location that does not parse, a non-http(s) scheme, a response head over Node's 16 KiB limit)
//     leaves that session with NO response at all, even if earlier hops answered. Our probe fetches
//     once without verifying and records Node's verdict per hop (FetchHop.tls): the retry is
//     reproduced from it.
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
//     (the final URL of the chain, http or https), with the session's Accept and User-Agent plus
//       Access-Control-Request-Method: GET
//       Origin: https://http-observatory.security.mozilla.org
//     Redirects are followed by axios (up to 10; OPTIONS kept, except 303 → GET). Only a 2xx answer
//     counts: any other status (405, 404 …) or failure and the test sees no response. Without a
//     certificate retry this request verifies certificates (a bad one on its route: no answer).
//     The test reads the request's Origin from `response.request.headers`, which a Node
//     ClientRequest does not have: in a live scan it is always missing, so universal access is never
//     reported (see corsOriginSeenByTest).
// R10. Cookie jar (http-cookie-agent 7 over tough-cookie 5, CookieJar defaults, errors ignored):
//     every Set-Cookie of every response of the session's chain (redirects included, http and https
//     hops alike) is stored with tough-cookie's rules (see jarSetCookie). The robots.txt and CORS
//     requests use a client without the jar, EXCEPT after a certificate retry (R3). A DELIBERATE
//     QUIRK of 1.4.8 reproduced here: the retry replaces the session's second client by one that
//     shares the session's cookie jar (for https requests) and its redirect recorder, so
//       - every https response of the robots.txt request (any status, redirects included) and of the
//         CORS request feeds the jar the cookies test reads;
//       - a 2xx robots.txt answer is appended to the redirect history, so the CORS request goes to
//         https://HOST/robots.txt instead of the page: the CORS test judges robots.txt's headers.
//     The scores of sites with a bad certificate depend on it (observatoryFollowUps plans these
//     requests for the probe; the cookies and CORS results' details in http.observatory.tests say
//     when it applied, and test/unit/http-observatory-tests.test.ts holds it as the quirk it is).
//     The cookies test sees every cookie in the jar (expired ones included: tough-cookie stores a
//     deletion cookie and serializeSync lists it), except a nameless one or "heroku-session-affinity".
// Known differences of this reproduction: pages are parsed by parse5 (the parser jsdom uses, with
// jsdom's options) under html-resources.ts's bounds (first 2 MiB, node, depth and work limits, a
// tag with over 1024 attributes ends the input; upstream has none); fetch-chain.ts caps the final
// body at 2 MiB and keeps no body for a redirect it stops on; a head size over 16 KiB is estimated,
// not measured.
// R11. The scan aborts before any test runs, with no score, when there is no auto response ("The
//     site seems to be down.") and when the auto status is < 200 or ≥ 400 other than 401/403 ("Site
//     did respond with an unexpected HTTP status code N.", src/scanner/index.js): see `notGradedOf`.
import type { FetchChainResult, FetchHop, FetchStop, HttpToHttpsResult } from '../fetch-chain.js';
import type { HtmlParseMode, HtmlScan } from '../html-resources.js';
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

/** session.js CERT_ERROR_CODES: a first certificate error with one of these codes makes the session retry unverified (R3). */
export const CERT_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE', 'CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD', 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'OUT_OF_MEM', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A header as Node's `res.headers` holds it (R6); null when absent. Not for set-cookie. */
export function nodeHeader(headers: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (values.length === 0) return null;
  return NODE_SINGLE_HEADERS.has(name) ? values[0]! : values.join(', ');
}

export function setCookieHeaders(headers: ReadonlyArray<readonly [string, string]>): string[] {
  return headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v);
}

/**
 * R3: a failure at any hop the session requests leaves it without a response (certificate errors
 * excepted). The stop happened on the request after the last hop: the session made it only if its
 * history (at most `limit` responses) had room for it.
 */
function chainFailed(stop: FetchStop, hops: readonly FetchHop[], limit: number): boolean {
  const failing = stop.kind === 'error' || stop.kind === 'unresolvable-host' || stop.kind === 'unsupported-scheme' || stop.kind === 'invalid-location';
  if (failing && hops.length < limit) return true;
  // Approximate size of each head as Node counts it (status line + "name: value\r\n" lines).
  return hops.slice(0, limit).some((h) => h.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 16) > NODE_MAX_HEADER_BYTES);
}

const withoutFragment = (u: string): string => u.replace(/#.*$/s, '');

/** R2: the Observatory's history for a chain: at most `limit` (11) responses, a loop unrolled until then. */
function upstreamHistory(hops: readonly FetchHop[], stop: FetchStop, limit = OBSERVATORY_MAX_REDIRECTS + 1): FetchHop[] {
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

/** Node's verdict on an https hop's certificate (R3): null when accepted (or not https), else the error code. */
function hopCertError(h: FetchHop, certOk: (hostname: string) => boolean): string | null {
  if (!h.url.startsWith('https:')) return null;
  if (h.tls) return h.tls.authorized ? null : (h.tls.error ?? 'CERT_UNTRUSTED');
  return certOk(hostnameOf(h.url)) ? null : 'CERT_UNTRUSTED';
}

/**
 * R3 over a list of responses: ok, retried without verification, or failed (an error code outside
 * CERT_ERROR_CODES); `at` is the index of the hop whose certificate failed.
 */
function certOutcome(hops: readonly FetchHop[], certOk: (hostname: string) => boolean): { kind: 'verified' | 'retried' | 'failed'; at: number } {
  for (const [i, h] of hops.entries()) {
    const err = hopCertError(h, certOk);
    if (err !== null) return { kind: CERT_ERROR_CODES.has(err) ? 'retried' : 'failed', at: i };
  }
  return { kind: 'verified', at: -1 };
}

function buildSession(
  firstUrl: URL,
  hops: readonly FetchHop[],
  stop: FetchStop,
  lastBody: Buffer | null | undefined,
  certOk: (hostname: string) => boolean,
): ObsSession {
  const full = OBSERVATORY_MAX_REDIRECTS + 1;
  // The verified attempt ends at the first certificate error (or fails at a non-retryable one).
  const cert = certOutcome(upstreamHistory(hops, stop, full), certOk);
  if (cert.kind === 'failed') return { url: firstUrl, history: [], response: null };
  // session.js resets the history but not redirectCount on the retry: the redirects followed
  // before the failing hop are not followed again, so the retried chain is shorter.
  const limit = cert.kind === 'retried' ? full - cert.at : full;
  const history = upstreamHistory(hops, stop, limit);
  const last = history.at(-1);
  if (!last || chainFailed(stop, hops, limit)) return { url: firstUrl, history: [], response: null };
  // The body was read for the last hop actually fetched only (redirect bodies are not kept).
  const isLastFetched = last === hops.at(-1);
  return {
    url: firstUrl,
    history,
    response: { url: last.url, status: last.status, headers: last.headers, data: isLastFetched ? axiosData(lastBody) : '', verified: cert.kind === 'verified' },
  };
}

/** The session's first URL: where the chain started (port included), else https://HOST/ or http://HOST/. */
function firstUrlOf(chain: { url: string } | null | undefined, scheme: 'https' | 'http', host: string): URL {
  if (chain) {
    try {
      return new URL(chain.url);
    } catch {
      // fall through
    }
  }
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return new URL(`${scheme}://${authority}/`);
}

function certOkOf(ev: Pick<ObservatoryEvidence, 'host' | 'httpsCertificateValid' | 'certificateValidFor'>): (hostname: string) => boolean {
  const host = ev.host.toLowerCase();
  return (hostname) => (ev.certificateValidFor ? ev.certificateValidFor(hostname) : hostname.toLowerCase() === host ? ev.httpsCertificateValid : true);
}

function sessionsOf(ev: Pick<ObservatoryEvidence, 'host' | 'https' | 'http' | 'httpsCertificateValid' | 'certificateValidFor' | 'httpBody'>): {
  https: ObsSession | null;
  http: ObsSession | null;
  session: ObsSession | null;
} {
  const certOk = certOkOf(ev);
  const host = ev.host.toLowerCase();
  const https = ev.https ? buildSession(firstUrlOf(ev.https, 'https', host), ev.https.hops, ev.https.stop, ev.https.final?.body, certOk) : null;
  const httpBody = ev.httpBody !== undefined ? ev.httpBody : ev.http?.final?.body;
  const http = ev.http ? buildSession(firstUrlOf(ev.http, 'http', host), ev.http.hops, ev.http.stop, httpBody, certOk) : null;
  // R5: retriever.js takes the https session when its client survived (it got a response), else http's.
  const session = https?.response ? https : http?.response ? http : null;
  return { https, http, session };
}

// ─────────────────────── The requests after the page (R8–R10), planned for the probe ───────────────────────

export interface ObservatoryFollowUps {
  /** Which session the tests read (R5); null: neither got a response (the Observatory would not grade). */
  auto: 'https' | 'http' | null;
  /** The auto session was fetched again without verification (R3): the R10 quirk applies. */
  retried: boolean;
  /** GET this after the page (R8), only when `retried` (otherwise nothing reads its answer). */
  robotsUrl: string | null;
  /** The last URL of the auto session's redirect history: where the CORS request goes unless robots.txt answered 2xx after a retry. */
  lastUrl: string | null;
}

/** What the Observatory requests after the two chains, given what they returned (R5, R8–R10). */
export function observatoryFollowUps(
  ev: Pick<ObservatoryEvidence, 'host' | 'https' | 'http' | 'httpsCertificateValid' | 'certificateValidFor'> & { https: FetchChainResult | null; http: HttpToHttpsResult | null },
): ObservatoryFollowUps {
  const { https, session } = sessionsOf(ev);
  if (!session?.response) return { auto: null, retried: false, robotsUrl: null, lastUrl: null };
  const retried = !session.response.verified;
  return {
    auto: session === https ? 'https' : 'http',
    retried,
    robotsUrl: retried ? new URL('/robots.txt', session.url).href : null,
    lastUrl: session.history.at(-1)?.url ?? session.url.href,
  };
}

/** R9/R10: where the CORS request goes — robots.txt when it answered 2xx after a certificate retry, else the chain's last URL. */
export function observatoryCorsUrl(f: ObservatoryFollowUps, robotsStatus: number | null | undefined): string | null {
  if (f.retried && f.robotsUrl && typeof robotsStatus === 'number' && robotsStatus >= 200 && robotsStatus < 300) return f.robotsUrl;
  return f.lastUrl;
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

/**
 * retriever/utils.js parseHttpEquivHeaders: `JSDOM.fragment(html).querySelectorAll("meta")`, i.e.
 * every <meta> of the page parsed as a <template> fragment (head or body alike, foreign content
 * included, a nested <template>'s content not), over html-resources.ts in 'template-fragment' mode.
 */
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

/** R7 over a page: the <meta> policies and referrer the Observatory reads from it (for tests against jsdom). */
export function observatoryHttpEquiv(scan: HtmlScan): HttpEquiv {
  return httpEquivOf(scan);
}

// ───────────────────────────────── What the tests read ─────────────────────────────────

/** Parses a page the way jsdom does in the given mode (html-resources.ts scanHtml, memoised by the caller). */
export type ScanPage = (html: string, mode: HtmlParseMode) => HtmlScan;

export interface Requests {
  host: string;
  auto: ObsResponse | null;
  https: ObsResponse | null;
  http: ObsResponse | null;
  httpHistory: FetchHop[];
  session: ObsSession | null;
  /** The auto session was fetched again without verification (R3), and the R10 quirk applied. */
  retried: boolean;
  /** The jar's cookies (R10). */
  jar: JarCookie[];
  /** Cookies that reached the jar only through the R10 quirk (robots.txt and CORS answers after a retry). */
  quirkCookies: string[];
  cors: { headers: ReadonlyArray<readonly [string, string]>; origin: string | null } | null;
  /** Where the CORS request went (R9/R10), when known. */
  corsUrl: string | null;
  equiv: HttpEquiv;
  /** The auto body as JSDOM would parse it. */
  html: string;
  isPreloaded: (host: string) => boolean;
}

/** Set-Cookie values of the https responses of a follow-up request (R10: only the https agent holds the jar). */
function httpsSetCookies(hops: readonly FetchHop[] | undefined, fallback: { url: string | null | undefined; headers: ReadonlyArray<readonly [string, string]> | null | undefined }): Array<{ url: string; value: string }> {
  if (hops) return hops.filter((h) => h.url.startsWith('https:')).flatMap((h) => h.setCookies.map((value) => ({ url: h.url, value })));
  if (!fallback.url?.startsWith('https:') || !fallback.headers) return [];
  return setCookieHeaders(fallback.headers).map((value) => ({ url: fallback.url!, value }));
}

export function buildRequests(ev: ObservatoryEvidence, scanPage: ScanPage): Requests {
  const host = ev.host.toLowerCase();
  const { https: httpsSession, http: httpSession, session } = sessionsOf(ev);
  const auto = session?.response ?? null;
  const retried = auto !== null && !auto.verified;

  // R10: the jar of the auto session; after a certificate retry, robots.txt and the CORS answer too.
  const jar = new Map<string, JarCookie>();
  for (const h of session?.history ?? []) for (const v of h.setCookies) jarSetCookie(jar, v, h.url);
  const quirkCookies: string[] = [];
  if (retried) {
    const before = new Set(jar.keys());
    for (const c of httpsSetCookies(ev.robots?.hops, { url: ev.robots?.url, headers: ev.robots?.headers })) jarSetCookie(jar, c.value, c.url);
    for (const c of httpsSetCookies(ev.corsHops ?? undefined, { url: ev.corsUrl, headers: ev.corsResponseHeaders })) jarSetCookie(jar, c.value, c.url);
    for (const [k, c] of jar) if (!before.has(k)) quirkCookies.push(c.key);
  }

  // R9: only a 2xx answer; without a retry the request verified certificates along its route.
  const corsStatusOk = ev.corsStatus === undefined || ev.corsStatus === null || (ev.corsStatus >= 200 && ev.corsStatus < 300);
  const corsCertOk = retried || !ev.corsHops || certOutcome(ev.corsHops, certOkOf(ev)).kind === 'verified';
  const corsOk = ev.corsResponseHeaders !== null && corsStatusOk && corsCertOk;
  const html = auto ? pageText(auto.data) : '';
  let equiv: HttpEquiv = { csp: [], referrer: [] };
  if (auto && HTML_TYPES.has(mimeOf(auto)) && auto.data) {
    try {
      equiv = httpEquivOf(scanPage(html, 'template-fragment'));
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
    retried,
    jar: [...jar.values()],
    quirkCookies,
    cors: corsOk && ev.corsResponseHeaders ? { headers: ev.corsResponseHeaders, origin: ev.corsOriginSeenByTest ?? null } : null,
    corsUrl: ev.corsUrl ?? null,
    equiv,
    html,
    isPreloaded: (h) => ev.preloaded(h.toLowerCase()) === 'preloaded',
  };
}

/** Why the Observatory refuses to grade (R11): it stops before its tests, with this message and no score. */
export interface ObservatoryNotGraded {
  kind: 'site-down' | 'unexpected-status';
  /** The auto response's status, for 'unexpected-status'. */
  statusCode: number | null;
  /** The Observatory's own message (what its CLI prints as `error`). */
  reason: string;
}

/** scanner/index.js: when the Observatory refuses to grade (R11), or null. */
export function notGradedOf(auto: ObsResponse | null): ObservatoryNotGraded | null {
  if (!auto) return { kind: 'site-down', statusCode: null, reason: 'The site seems to be down.' };
  if (auto.status < 200 || (auto.status >= 400 && auto.status !== 401 && auto.status !== 403)) {
    return { kind: 'unexpected-status', statusCode: auto.status, reason: `Site did respond with an unexpected HTTP status code ${auto.status}.` };
  }
  return null;
}

/** The R11 message alone (see notGradedOf). */
export function scanErrorOf(auto: ObsResponse | null): string | null {
  return notGradedOf(auto)?.reason ?? null;
}
