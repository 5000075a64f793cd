// One HTTP(S) request through undici, connected to a pinned IP while SNI and Host carry the name,
// with a deadline, an abort signal, capped headers and a capped body. No redirect following here.
import type { TLSSocket } from 'node:tls';
import { classifyTlsError, secureContextFor } from '../tls/node-client.js';
import { keepSessions, sessionFor, sessionKey } from './tls-sessions.js';

export interface PinnedRequestOptions {
  url: URL;
  ip: string;
  /** SNI for https; null sends none. */
  servername: string | null;
  /** Trust anchors added to Node's bundled roots. */
  extraCa: readonly string[];
  method?: 'GET' | 'HEAD' | 'OPTIONS';
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  maxBodyBytes?: number;
  /** Cap on the response head (status line + headers), default 64 KiB; over it the request fails. */
  maxHeaderBytes?: number;
  /** Decides the body cap once the head is known (e.g. 0 for a redirect that will be followed); overrides maxBodyBytes. */
  bodyLimit?: (head: { statusCode: number; rawHeaders: Array<[string, string]> }) => number;
}

export interface PinnedResponse {
  statusCode: number;
  /** Raw header list in arrival order (names lower-cased), so repeated headers are kept. */
  rawHeaders: Array<[string, string]>;
  bodyBytes: number;
  bodyTruncated: boolean;
  body: Buffer;
  /**
   * For https: whether Node's verification (its bundled roots plus extraCa, and the name in SNI)
   * accepted the certificate — what a strict client such as an MTA-STS sender would decide. The
   * request itself never fails on it.
   */
  tls?: { authorized: boolean; error: string | null };
}

/**
 * Why a request failed, for callers that branch on it (e.g. "nothing listens on port 80").
 * `tls-handshake`: Node's TLS client would not complete the handshake (an alert, an OpenSSL limit
 * such as max_cert_list): a client of our own may still get an answer.
 */
export type HttpErrorKind = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'tls-handshake' | 'headers-too-large' | 'malformed' | 'aborted' | 'other';

export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  constructor(
    message: string,
    readonly kind: HttpErrorKind = 'other',
  ) {
    super(message);
  }
}

const MAX_HEADER_BYTES = 64 * 1024;
const DEFAULT_MAX_BODY = 2 * 1024 * 1024;
export const USER_AGENT = 'secgrade (+https://github.com/secgrade/secgrade)';

type UndiciErrors = typeof import('undici').errors;

function describeHttpError(err: unknown, timeoutMs: number, maxHeaderBytes: number, undiciErrors: UndiciErrors): HttpRequestError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code ?? '';
  const fail = (message: string, kind: HttpErrorKind): HttpRequestError => new HttpRequestError(message, kind);
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return fail(`no HTTP response within ${timeoutMs} ms`, 'timeout');
  }
  if (err instanceof undiciErrors.BodyTimeoutError) return fail(`response body stalled for ${timeoutMs} ms`, 'timeout');
  if (err instanceof undiciErrors.HeadersOverflowError) return fail(`response headers exceed ${maxHeaderBytes} bytes`, 'headers-too-large');
  if (code === 'ECONNREFUSED') return fail('connection refused', 'refused');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return fail('host unreachable', 'unreachable');
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return fail('connection reset by the server', 'reset');
  if (e.name === 'AbortError' || code === 'ABORT_ERR' || err instanceof undiciErrors.RequestAbortedError) {
    return fail('scan deadline reached', 'aborted');
  }
  const first = (e.message || String(err)).split('\n')[0] ?? 'request failed';
  // OpenSSL's ERR_SSL_* codes: the TLS handshake itself failed; said as the TLS probes say it.
  if (code.startsWith('ERR_SSL_')) return fail(classifyTlsError(Object.assign(new Error(first), { code })).reason, 'tls-handshake');
  // llhttp rejects bad status lines and header lines (HPE_* codes): the server's fault, said so.
  if (e.name === 'HTTPParserError' || code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return fail(`malformed HTTP response: ${first}`, 'malformed');
  }
  return fail(first, 'other');
}

export async function pinnedRequest(opts: PinnedRequestOptions): Promise<PinnedResponse> {
  // undici costs ~140 ms to load: only scans that make an HTTP request pay for it.
  const { buildConnector, Client, errors: undiciErrors } = await import('undici');
  const https = opts.url.protocol === 'https:';
  const port = Number(opts.url.port || (https ? 443 : 80));
  const resumeKey = https ? sessionKey(opts.ip, port, opts.servername, opts.extraCa) : null;
  const baseConnector = buildConnector({
    // buildConnector hands its options to tls.connect, so the cached context (roots parsed once) fits.
    secureContext: secureContextFor({ extraCa: opts.extraCa }),
    rejectUnauthorized: false, // trust is the TLS probes' verdict; headers are graded regardless
    timeout: opts.timeoutMs,
    // An earlier verified request's session (see tls-sessions.ts); undici's own cache is keyed by name alone.
    session: resumeKey ? sessionFor(resumeKey) : undefined,
    maxCachedSessions: 0,
  });
  let tlsInfo: PinnedResponse['tls'];
  const client = new Client(opts.url.origin, {
    connect: (connOpts, callback) => {
      const socket = baseConnector({ ...connOpts, hostname: opts.ip, servername: https ? (opts.servername ?? undefined) : undefined }, (err, socket) => {
        if (socket && 'authorized' in socket) {
          const s = socket as TLSSocket;
          tlsInfo = { authorized: s.authorized, error: s.authorized ? null : String(s.authorizationError ?? 'not authorized') };
        }
        // undici's callback is typed as two overloads; forward exactly what we were given.
        (callback as (e: Error | null, s: typeof socket) => void)(err, socket);
      });
      if (resumeKey && socket && 'authorized' in socket) keepSessions(resumeKey, socket as TLSSocket);
      return socket;
    },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    maxHeaderSize: opts.maxHeaderBytes ?? MAX_HEADER_BYTES,
    pipelining: 0,
  });
  const timer = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timer]);
  try {
    const res = await client.request({
      path: opts.url.pathname + opts.url.search,
      method: opts.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'text/html,*/*;q=0.8', ...opts.headers },
      signal,
    });
    const rawHeaders = headerPairs(res.headers);
    const cap = opts.bodyLimit?.({ statusCode: res.statusCode, rawHeaders }) ?? opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    let bodyTruncated = false;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      if (bodyBytes + buf.length > cap) {
        chunks.push(buf.subarray(0, cap - bodyBytes));
        bodyBytes = cap;
        bodyTruncated = true;
        res.body.destroy();
        break;
      }
      chunks.push(buf);
      bodyBytes += buf.length;
    }
    return { statusCode: res.statusCode, rawHeaders, bodyBytes, bodyTruncated, body: Buffer.concat(chunks), ...(tlsInfo ? { tls: tlsInfo } : {}) };
  } catch (err) {
    if (timer.aborted) throw new HttpRequestError(`no complete HTTP response within ${opts.timeoutMs} ms`, 'timeout');
    throw describeHttpError(err, opts.timeoutMs, opts.maxHeaderBytes ?? MAX_HEADER_BYTES, undiciErrors);
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

function headerPairs(headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), v]);
  }
  return out;
}
