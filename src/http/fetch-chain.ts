// Follows a redirect chain the way a browser would, one pinned request per hop, and records every
// hop (status, Location, scheme and host changes, raw headers, Set-Cookie, timing). Every way a chain
// can end is a typed `stop`, never an exception: hostile servers must not be able to crash a scan.
import { isIP } from 'node:net';
import { HttpRequestError, pinnedRequest, type HttpErrorKind, type PinnedResponse } from '../net/http/pinned-request.js';
import { retryAfterMs } from './retry-after.js';

export interface FetchChainOptions {
  url: URL;
  /** The endpoint pinned for the target's own host (any port, either scheme). */
  ip: string;
  /** SNI for the target's own host; other hosts get their own name. */
  servername: string | null;
  extraCa: readonly string[];
  /** Per request. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Default 10. */
  maxRedirects?: number;
  /** Cap on the final response's body; default 2 MiB. */
  maxBodyBytes?: number;
  /** Cap on each response head; default pinned-request's 64 KiB. */
  maxHeaderBytes?: number;
  /**
   * Address for another host or IP literal (through the scan's resolver); null = could not resolve,
   * `{ refused }` = may not connect there (the address policy). Without it, other hosts are not followed.
   */
  resolve?: (host: string) => Promise<string | null | { refused: string }>;
  /** Extra request headers, sent on every hop. */
  headers?: Record<string, string>;
  /**
   * Default GET. OPTIONS (a CORS preflight) is kept across 301, 302, 307 and 308 and becomes GET
   * after a 303, as Node's follow-redirects (axios) does.
   */
  method?: 'GET' | 'OPTIONS';
}

export type SchemeChange = 'http-to-https' | 'https-to-http' | null;

export interface FetchHop {
  url: string;
  /** The address connected to. */
  ip: string;
  status: number;
  /** The Location header as sent (first one if repeated), on a redirect status. */
  location: string | null;
  /** Location resolved against `url`, when it parses. */
  next: string | null;
  /** From `url` to `next`. */
  schemeChange: SchemeChange;
  /** `next` names another host name than `url` (ports ignored: HSTS and cookies are per host). */
  hostChange: boolean;
  /** Lower-cased names, as pinned-request gives them. */
  headers: Array<[string, string]>;
  setCookies: string[];
  durationMs: number;
  /**
   * For an https hop: whether Node's verification (its bundled roots plus extraCa, and the host
   * name) accepted the certificate, and the error code when not (e.g. DEPTH_ZERO_SELF_SIGNED_CERT,
   * ERR_TLS_CERT_ALTNAME_INVALID). The request never fails on it. Absent for http hops.
   */
  tls?: { authorized: boolean; error: string | null };
}

export type FetchStop =
  /** A response that is not a redirect to follow (2xx, 4xx, 3xx without Location …). */
  | { kind: 'done' }
  | { kind: 'loop'; url: string }
  | { kind: 'too-many-redirects'; limit: number }
  | { kind: 'unsupported-scheme'; location: string; scheme: string }
  | { kind: 'invalid-location'; location: string }
  /** Another host on the route could not be resolved, or may not be connected to (`reason`). */
  | { kind: 'unresolvable-host'; host: string; reason?: string }
  | { kind: 'error'; url: string; errorKind: HttpErrorKind; message: string };

export interface FinalResponse {
  url: string;
  status: number;
  headers: Array<[string, string]>;
  contentType: string | null;
  /** Empty for a redirect the chain stopped on (redirect bodies are never read). */
  body: Buffer;
  bytesRead: number;
  /** The body went past the cap (or was a skipped redirect body). */
  truncated: boolean;
}

export interface FetchChainResult {
  url: string;
  hops: FetchHop[];
  /** The last response received; null when the first request failed. */
  final: FinalResponse | null;
  stop: FetchStop;
  /** Some hop went from https to http. */
  downgraded: boolean;
  durationMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 10;
const DEFAULT_MAX_BODY = 2 * 1024 * 1024;

/** The URL without its fragment, which is never sent and must not defeat loop detection. */
const key = (u: URL): string => u.href.replace(/#.*$/s, '');
const bareHost = (u: URL): string => u.hostname.replace(/^\[|\]$/g, '');

function schemeChange(from: URL, to: URL): SchemeChange {
  if (from.protocol === 'http:' && to.protocol === 'https:') return 'http-to-https';
  if (from.protocol === 'https:' && to.protocol === 'http:') return 'https-to-http';
  return null;
}

export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  return headers.find(([n]) => n === name)?.[1] ?? null;
}

/** The Set-Cookie values of a chain, tagged with the URL that set each (input of analyseCookies). */
export function chainSetCookies(result: FetchChainResult): Array<{ url: string; value: string }> {
  return result.hops.flatMap((h) => h.setCookies.map((value) => ({ url: h.url, value })));
}

/** Statuses that ask a client to slow down: Too Many Requests, and Misdirected Request (RFC 9110 §15.5.20). */
const PUSHBACK = new Set([429, 421]);
/** Statuses whose Retry-After says when to come back (RFC 9110 §10.2.3): Too Many Requests, Service Unavailable. */
const RETRY_AFTER = new Set([429, 503]);

/**
 * A throttling answer: its status, and how long its Retry-After asks to wait, in ms from when the
 * chain was read. The shape of engine/backoff.ts's HostThrottled (src/http imports no engine).
 */
export interface ChainThrottled {
  kind: 'throttled';
  status: number;
  retryAfterMs?: number;
}

/**
 * How the server at `ip` took a chain, for the scanner's per-host back-off: a 429 or 421 from it,
 * or a 503 with a Retry-After, is throttling (with the longest Retry-After any of them carried); a
 * reset or timeout on a chain that never left it is 'reset'/'timeout'; null when the chain says
 * nothing about that server (interrupted, or it failed at another host).
 */
export function chainPushback(chain: { hops: readonly FetchHop[]; stop: FetchStop }, ip: string, now: number = Date.now()): 'ok' | ChainThrottled | 'reset' | 'timeout' | null {
  let throttled: ChainThrottled | null = null;
  for (const h of chain.hops) {
    if (h.ip !== ip || !(PUSHBACK.has(h.status) || RETRY_AFTER.has(h.status))) continue;
    const raw = RETRY_AFTER.has(h.status) ? headerValue(h.headers, 'retry-after') : null;
    const wait = raw === null ? null : retryAfterMs(raw, { date: headerValue(h.headers, 'date'), now });
    // A 503 alone is an outage, not a request to slow down: only its Retry-After makes it one.
    if (h.status === 503 && wait === null) continue;
    throttled ??= { kind: 'throttled', status: h.status };
    if (wait !== null && wait > (throttled.retryAfterMs ?? -1)) throttled = { kind: 'throttled', status: h.status, retryAfterMs: wait };
  }
  if (throttled) return throttled;
  if (chain.stop.kind !== 'error') return 'ok';
  if (chain.hops.some((h) => h.ip !== ip)) return null;
  if (chain.stop.errorKind === 'reset') return 'reset';
  if (chain.stop.errorKind === 'timeout') return 'timeout';
  return chain.stop.errorKind === 'aborted' ? null : 'ok';
}

export async function fetchChain(opts: FetchChainOptions): Promise<FetchChainResult> {
  const started = performance.now();
  const origin = bareHost(opts.url);
  const limit = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const hops: FetchHop[] = [];
  const seen = new Set<string>([key(opts.url)]);
  const resolved = new Map<string, string>(); // one lookup per host per chain
  let url = opts.url;
  let ip = opts.ip;
  let method = opts.method ?? 'GET';
  let final: FinalResponse | null = null;
  const end = (stop: FetchStop): FetchChainResult => ({
    url: opts.url.href,
    hops,
    final,
    stop,
    downgraded: hops.some((h) => h.schemeChange === 'https-to-http'),
    durationMs: Math.round(performance.now() - started),
  });

  for (;;) {
    const t0 = performance.now();
    let res: PinnedResponse;
    try {
      res = await pinnedRequest({
        url,
        ip,
        servername: bareHost(url) === origin ? opts.servername : isIP(bareHost(url)) ? null : bareHost(url),
        extraCa: opts.extraCa,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        headers: opts.headers,
        method,
        maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
        maxHeaderBytes: opts.maxHeaderBytes,
        // A redirect's body is never looked at: don't let a hostile one cost a read.
        bodyLimit: ({ statusCode, rawHeaders }) =>
          REDIRECTS.has(statusCode) && headerValue(rawHeaders, 'location') !== null ? 0 : (opts.maxBodyBytes ?? DEFAULT_MAX_BODY),
      });
    } catch (err) {
      const e = err instanceof HttpRequestError ? err : new HttpRequestError(err instanceof Error ? err.message : String(err));
      return end({ kind: 'error', url: url.href, errorKind: e.kind, message: e.message });
    }
    const location = REDIRECTS.has(res.statusCode) ? headerValue(res.rawHeaders, 'location') : null;
    let next: URL | null = null;
    if (location !== null) {
      try {
        next = new URL(location, url);
      } catch {
        next = null;
      }
    }
    hops.push({
      url: url.href,
      ip,
      status: res.statusCode,
      location,
      next: next?.href ?? null,
      schemeChange: next ? schemeChange(url, next) : null,
      hostChange: next !== null && bareHost(next) !== bareHost(url),
      headers: res.rawHeaders,
      setCookies: res.rawHeaders.filter(([n]) => n === 'set-cookie').map(([, v]) => v),
      durationMs: Math.round(performance.now() - t0),
      ...(res.tls ? { tls: res.tls } : {}),
    });
    final = {
      url: url.href,
      status: res.statusCode,
      headers: res.rawHeaders,
      contentType: headerValue(res.rawHeaders, 'content-type'),
      body: res.body,
      bytesRead: res.bodyBytes,
      truncated: res.bodyTruncated,
    };
    if (location === null) return end({ kind: 'done' });
    if (next === null) return end({ kind: 'invalid-location', location });
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return end({ kind: 'unsupported-scheme', location, scheme: next.protocol.replace(/:$/, '') });
    }
    if (seen.has(key(next))) return end({ kind: 'loop', url: next.href });
    if (hops.length > limit) return end({ kind: 'too-many-redirects', limit });
    seen.add(key(next));
    const host = bareHost(next);
    if (host === origin) ip = opts.ip;
    else {
      // IP literals go through resolve too: the caller is the one place that decides where a scan may connect.
      const addr = resolved.get(host) ?? (opts.resolve ? await opts.resolve(host).catch(() => null) : null);
      if (addr === null) return end({ kind: 'unresolvable-host', host });
      if (typeof addr !== 'string') return end({ kind: 'unresolvable-host', host, reason: addr.refused });
      resolved.set(host, addr);
      ip = addr;
    }
    url = next;
    if (res.statusCode === 303) method = 'GET';
  }
}

export type HttpToHttpsStatus =
  /** The first redirect goes to https on the same host (what the Mozilla Observatory requires). */
  | 'redirects-to-https-same-host'
  /** The first redirect leaves the host, and the chain reaches https: HSTS is never set on the host. */
  | 'redirects-to-https-other-host-first'
  /** The first redirect stays on http on the same host; https comes later. */
  | 'redirects-to-https-not-first'
  /** Redirects, but no hop reaches https. */
  | 'redirects-not-to-https'
  /** Answers over http without redirecting. */
  | 'no-redirect'
  /** Nothing listens for http (refused, unreachable). */
  | 'no-http'
  | 'error';

export interface HttpToHttpsResult {
  status: HttpToHttpsStatus;
  url: string;
  hops: FetchHop[];
  stop: FetchStop;
  /**
   * The last response with its body (capped at maxBodyBytes): the page the Observatory reads when
   * https gives it nothing (an http-only site). Absent in results made before it was kept.
   */
  final?: FinalResponse | null;
  /** The failure, for 'no-http' and 'error'. */
  reason: string | null;
}

export interface HttpToHttpsOptions extends Omit<FetchChainOptions, 'url'> {
  /** The target host (name or IP literal). */
  host: string;
  /** The http port; default 80. */
  port?: number;
  /** Path to request; default "/". */
  path?: string;
}

/**
 * Fetch http://host[:port]/ pinned to the target's address and judge its redirect to https. The
 * final page's body is read up to maxBodyBytes (default none: a redirect's body is never read).
 */
export async function checkHttpToHttps(opts: HttpToHttpsOptions): Promise<HttpToHttpsResult> {
  const { host, port = 80, path = '/', maxBodyBytes = 0, ...rest } = opts;
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = new URL(`http://${authority}${port === 80 ? '' : `:${port}`}${path}`);
  const chain = await fetchChain({ ...rest, url, maxBodyBytes });
  const result = (status: HttpToHttpsStatus, reason: string | null = null): HttpToHttpsResult => ({
    status,
    url: url.href,
    hops: chain.hops,
    stop: chain.stop,
    final: chain.final,
    reason,
  });
  const first = chain.hops[0];
  if (!first) {
    const stop = chain.stop;
    if (stop.kind === 'error' && (stop.errorKind === 'refused' || stop.errorKind === 'unreachable')) return result('no-http', stop.message);
    return result('error', stop.kind === 'error' ? stop.message : stop.kind);
  }
  if (first.location === null) return result('no-redirect');
  const reachesHttps = chain.hops.some((h, i) => (i > 0 && h.url.startsWith('https:')) || h.next?.startsWith('https:'));
  if (!reachesHttps || first.next === null) return result('redirects-not-to-https');
  if (first.hostChange) return result('redirects-to-https-other-host-first');
  return result(first.schemeChange === 'http-to-https' ? 'redirects-to-https-same-host' : 'redirects-to-https-not-first');
}
