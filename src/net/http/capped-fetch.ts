// Plain HTTP(S) requests to third-party servers that a user opted into (OCSP responders, AIA
// issuers, reference-data updates): a deadline, the caller's abort signal, capped headers, a byte
// cap on the body (a declared Content-Length over it fails at once), no redirects, no credentials in
// URLs. Failures are values with stable one-line reasons, never exceptions. Target scans use
// pinned-request.ts instead (pinned IP, SNI, Host, the target's trust settings).
import { isIP } from 'node:net';
import { USER_AGENT } from './pinned-request.js';

export type HttpHeaders = Record<string, string | string[] | undefined>;

export interface ResponseHead {
  status: number;
  contentType: string | null;
  headers: HttpHeaders;
}

export interface CappedFetchOptions {
  method?: 'GET' | 'POST';
  body?: Buffer;
  /** Lower-case names; a user-agent of ours is sent unless one is given. */
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Reading stops and the request fails once the body exceeds this many bytes. */
  maxBytes: number;
  /** Allowed URL schemes (default http: and https:). */
  schemes?: readonly string[];
  /** Connect to this address instead of resolving the URL's host; Host (and SNI) still name the URL's host. */
  connectTo?: { ip: string };
  /**
   * Resolve the URL's host name to an IP with this (e.g. the scan's DNS resolver) instead of the
   * system resolver; Host (and SNI) still name the URL's host. Also asked for an IP literal, so a
   * caller's address policy sees every address it is led to (it returns the literal or throws).
   * Not used with connectTo.
   */
  lookup?: (hostname: string) => Promise<string>;
  /** Judges the response head before any body is read: a reason fails the request, unread. */
  accept?: (head: ResponseHead) => string | null;
}

/** Thrown by a `lookup` that will not let the request go to the address (its message says why). */
export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

export type CappedFetchResult = ({ ok: true; body: Buffer } & ResponseHead) | { ok: false; reason: string };

const MAX_HEADER_BYTES = 16 * 1024;

const fail = (reason: string): CappedFetchResult => ({ ok: false, reason });

export async function cappedFetch(url: string, opts: CappedFetchOptions): Promise<CappedFetchResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return fail('not a valid URL');
  }
  const schemes = opts.schemes ?? ['http:', 'https:'];
  if (!schemes.includes(target.protocol)) return fail(`URL scheme ${target.protocol} is not ${schemes.join(' or ')}`);
  if (target.username || target.password) return fail('URL carries credentials');
  const ms = opts.timeoutMs;
  const deadline = AbortSignal.timeout(ms);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const failure = (err: unknown): string =>
    deadline.aborted ? `no complete response within ${ms} ms` : opts.signal?.aborted ? 'aborted' : describeError(err, ms);

  let ip = opts.connectTo?.ip;
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ip === undefined && opts.lookup) {
    try {
      ip = await untilAborted(opts.lookup(hostname), signal);
    } catch (err) {
      return fail(signal.aborted ? failure(err) : err instanceof AddressRefused ? err.message : 'host name does not resolve');
    }
    if (isIP(ip) === 0) return fail('host name does not resolve');
  }

  // undici costs ~140 ms to load: only runs that make such a request pay for it.
  const { buildConnector, Client } = await import('undici');
  const connector = buildConnector({ timeout: ms });
  const client = new Client(target.origin, {
    connect: ip === undefined ? connector : (connOpts, callback) => connector({ ...connOpts, hostname: ip }, callback),
    headersTimeout: ms,
    bodyTimeout: ms,
    maxHeaderSize: MAX_HEADER_BYTES,
    pipelining: 0,
  });
  try {
    const res = await client.request({
      path: (target.pathname || '/') + target.search,
      method: opts.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, ...opts.headers },
      ...(opts.body ? { body: opts.body } : {}),
      signal,
    });
    const ct = res.headers['content-type'];
    const head: ResponseHead = { status: res.statusCode, contentType: Array.isArray(ct) ? (ct[0] ?? null) : (ct ?? null), headers: res.headers };
    const refused = opts.accept?.(head) ?? null;
    if (refused !== null) {
      discard(res.body);
      return fail(refused);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      discard(res.body);
      return fail(`response of ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`);
    }
    const body = await readCapped(res.body, opts.maxBytes);
    return body ? { ok: true, ...head, body } : fail(`response exceeds the ${opts.maxBytes}-byte limit`);
  } catch (err) {
    return fail(failure(err));
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

type Body = AsyncIterable<unknown> & { on(event: 'error', fn: () => void): unknown; destroy(): unknown };

/** The body, or null once it exceeds maxBytes (the rest is never buffered). */
async function readCapped(body: Body, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) {
      discard(body);
      return null;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Drop a body we will not read; undici reports the destroy as an error event, which nobody wants. */
function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describeError(err: unknown, timeoutMs: number): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `no HTTP response within ${timeoutMs} ms`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `response body stalled for ${timeoutMs} ms`;
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return `response headers exceed ${MAX_HEADER_BYTES} bytes`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name does not resolve';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the server';
  const message = ((e.cause?.message ?? e.message) || String(err)).split('\n')[0] ?? 'request failed';
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 200);
}
