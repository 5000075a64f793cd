// One CRL download over HTTP GET (RFC 5280 §4.2.1.13): http:// only, no redirects, a deadline, the
// caller's abort signal and a byte cap, as the CRL comes from a server the scanned site named.
import { cappedFetch } from './http/capped-fetch.js';

export interface CrlFetchOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Largest accepted CRL (default 20 MiB: a large public CA's CRL is a few MiB). */
  maxBytes?: number;
  /** Resolve the URL's host (and vet an IP literal) with this, e.g. under the scan's address policy. */
  lookup?: (hostname: string) => Promise<string>;
}

export type CrlFetchResult = { ok: true; der: Buffer } | { ok: false; reason: string };

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const PEM = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/;

export async function fetchCrl(url: string, opts: CrlFetchOptions): Promise<CrlFetchResult> {
  const res = await cappedFetch(url, {
    method: 'GET',
    headers: { accept: 'application/pkix-crl, application/x-pkcs7-crl;q=0.5, */*;q=0.1' },
    // https would need a revocation check of its own; CRL Distribution Points are http by convention.
    schemes: ['http:'],
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
    accept: ({ status, headers }) => {
      if (status === 200) return null;
      const location = headers.location;
      const moved = status >= 300 && status < 400 && typeof location === 'string' ? ` (redirect to ${location.slice(0, 200)} not followed)` : '';
      return `CRL server answered HTTP ${status}${moved}`;
    },
  });
  if (!res.ok) return res;
  if (res.body.length === 0) return { ok: false, reason: 'CRL server sent an empty body' };
  // Some CAs serve PEM although RFC 5280 says DER: accept both.
  const pem = res.body[0] === 0x2d ? PEM.exec(res.body.toString('latin1')) : null;
  return { ok: true, der: pem ? Buffer.from(pem[1]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') : res.body };
}
