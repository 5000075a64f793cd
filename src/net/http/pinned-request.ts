// One HTTP(S) request through undici, connected to a pinned IP while SNI and Host carry the name,
// with a deadline, an abort signal, capped headers and a capped body. No redirect following here.
import { secureContextFor } from '../tls/node-client.js';

export interface PinnedRequestOptions {
  url: URL;
  ip: string;
  /** SNI for https; null sends none. */
  servername: string | null;
  /** Trust anchors added to Node's bundled roots. */
  extraCa: readonly string[];
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  maxBodyBytes?: number;
}

export interface PinnedResponse {
  statusCode: number;
  /** Raw header list in arrival order (names lower-cased), so repeated headers are kept. */
  rawHeaders: Array<[string, string]>;
  bodyBytes: number;
  bodyTruncated: boolean;
  body: Buffer;
}

export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
}

const MAX_HEADER_BYTES = 64 * 1024;
const DEFAULT_MAX_BODY = 2 * 1024 * 1024;
export const USER_AGENT = 'secgrade (+https://github.com/secgrade/secgrade)';

type UndiciErrors = typeof import('undici').errors;

function describeHttpError(err: unknown, timeoutMs: number, undiciErrors: UndiciErrors): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code ?? '';
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return `no HTTP response within ${timeoutMs} ms`;
  }
  if (err instanceof undiciErrors.BodyTimeoutError) return `response body stalled for ${timeoutMs} ms`;
  if (err instanceof undiciErrors.HeadersOverflowError) return `response headers exceed ${MAX_HEADER_BYTES} bytes`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the server';
  if (e.name === 'AbortError' || code === 'ABORT_ERR' || err instanceof undiciErrors.RequestAbortedError) {
    return 'scan deadline reached';
  }
  return (e.message || String(err)).split('\n')[0] ?? 'request failed';
}

export async function pinnedRequest(opts: PinnedRequestOptions): Promise<PinnedResponse> {
  // undici costs ~140 ms to load: only scans that make an HTTP request pay for it.
  const { buildConnector, Client, errors: undiciErrors } = await import('undici');
  const https = opts.url.protocol === 'https:';
  const baseConnector = buildConnector({
    // buildConnector hands its options to tls.connect, so the cached context (roots parsed once) fits.
    secureContext: secureContextFor({ extraCa: opts.extraCa }),
    rejectUnauthorized: false, // trust is the TLS probes' verdict; headers are graded regardless
    timeout: opts.timeoutMs,
  });
  const client = new Client(opts.url.origin, {
    connect: (connOpts, callback) =>
      baseConnector(
        { ...connOpts, hostname: opts.ip, servername: https ? (opts.servername ?? undefined) : undefined },
        callback,
      ),
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    maxHeaderSize: MAX_HEADER_BYTES,
    pipelining: 0,
  });
  const timer = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timer]);
  const cap = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  try {
    const res = await client.request({
      path: opts.url.pathname + opts.url.search,
      method: opts.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'text/html,*/*;q=0.8', ...opts.headers },
      signal,
    });
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
    return { statusCode: res.statusCode, rawHeaders: headerPairs(res.headers), bodyBytes, bodyTruncated, body: Buffer.concat(chunks) };
  } catch (err) {
    throw new HttpRequestError(timer.aborted ? `no complete HTTP response within ${opts.timeoutMs} ms` : describeHttpError(err, opts.timeoutMs, undiciErrors));
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
