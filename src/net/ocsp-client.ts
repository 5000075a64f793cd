// One OCSP query over HTTP POST (RFC 6960 appendix A.1): http:// only, no redirects, a deadline,
// the caller's abort signal and a byte cap on the answer, which comes from a server we do not trust.
import { cappedFetch } from './http/capped-fetch.js';

export interface OcspQueryOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Largest accepted response body (default 64 KiB). */
  maxBytes?: number;
  /** Connect to this address instead of resolving the URL's host (Host still names the URL's host). */
  connectTo?: { ip: string };
  /** Resolve the URL's host with this (e.g. the scan's DNS resolver) instead of the system resolver. */
  lookup?: (hostname: string) => Promise<string>;
}

export type OcspQueryResult = { ok: true; der: Buffer; status: number } | { ok: false; reason: string };

const DEFAULT_MAX_BYTES = 64 * 1024;
const OCSP_RESPONSE_TYPE = 'application/ocsp-response';

export async function queryOcsp(url: string, request: Buffer, opts: OcspQueryOptions): Promise<OcspQueryResult> {
  const res = await cappedFetch(url, {
    ...opts, // signal, timeoutMs, connectTo, lookup
    method: 'POST',
    body: request,
    headers: { 'content-type': 'application/ocsp-request', accept: OCSP_RESPONSE_TYPE },
    // https would need revocation checking of its own; AIA responders are http by convention.
    schemes: ['http:'],
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    accept: ({ status, contentType, headers }) => {
      if (status !== 200) {
        const location = headers.location;
        const moved = status >= 300 && status < 400 && typeof location === 'string' ? ` (redirect to ${location.slice(0, 200)} not followed)` : '';
        return `responder answered HTTP ${status}${moved}`;
      }
      const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      return type === OCSP_RESPONSE_TYPE ? null : `responder answered content-type "${type.slice(0, 100)}", not ${OCSP_RESPONSE_TYPE}`;
    },
  });
  if (!res.ok) return res;
  if (res.body.length === 0) return { ok: false, reason: 'responder sent an empty body' };
  return { ok: true, der: res.body, status: res.status };
}
