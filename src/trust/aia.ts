// AIA "CA Issuers" fetching: download the issuer certificate a server forgot to send, as browsers
// do, so the report can say "incomplete chain, completed by download" instead of "untrusted".
// Called only when the user allows network fetches. Never throws: failures become `errors`.
import { aiaUrls } from '../cert/der.js';
import { decodeCertificate } from '../cert/decode.js';
import { namesEqual } from '../cert/name.js';
import { loadX509 } from '../cert/x509-lib.js';
import { cappedFetch } from '../net/http/capped-fetch.js';

export interface FetchCaIssuersOptions {
  signal?: AbortSignal;
  /** Deadline for the whole call, all downloads included. */
  timeoutMs: number;
  /** Cap per response body (default 64 KiB: a certificate or a small PKCS#7 bundle). */
  maxBytes?: number;
  /**
   * Downloads in all (default 3). A fetched certificate that is not self-issued and has its own
   * caIssuers URL is followed too, for chains missing more than one intermediate.
   */
  maxFetches?: number;
  /**
   * Whether to look for the issuer of a downloaded certificate too (default: unless it is
   * self-issued). A probe can stop once the issuer is a trust anchor, e.g.
   * `(der) => !issuedByAnchorName(store, der)`.
   */
  follow?: (certDer: Buffer) => boolean;
  /** Resolve URL host names with this (e.g. the scan's DNS resolver) instead of the system resolver. */
  lookup?: (hostname: string) => Promise<string>;
}

export interface FetchCaIssuersResult {
  /** DER certificates, in download order, without duplicates. */
  certs: Buffer[];
  /** One line per URL that gave nothing usable. */
  errors: string[];
}

const DEFAULT_MAX_BYTES = 64 * 1024;
const DEFAULT_MAX_FETCHES = 3;

export async function fetchCaIssuers(certDer: Buffer, opts: FetchCaIssuersOptions): Promise<FetchCaIssuersResult> {
  const certs: Buffer[] = [];
  const errors: string[] = [];
  const timer = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timer]) : timer;
  const maxFetches = opts.maxFetches ?? DEFAULT_MAX_FETCHES;
  const follow = (der: Buffer) => {
    try {
      return opts.follow ? opts.follow(der) : !isSelfIssued(der);
    } catch {
      return false;
    }
  };
  const seenUrls = new Set<string>();
  let fetches = 0;
  const queue: Buffer[] = [certDer];
  try {
    while (queue.length > 0 && fetches < maxFetches && !signal.aborted) {
      const urls = aiaUrls(queue.shift()!, 'caIssuers');
      if (!urls) {
        errors.push('certificate does not parse: not a well-formed DER certificate');
        continue;
      }
      for (const url of urls) {
        if (seenUrls.has(url)) continue;
        seenUrls.add(url);
        if (!url.startsWith('http://')) {
          errors.push(`${url}: skipped (only http:// caIssuers URLs are fetched)`);
          continue;
        }
        if (fetches >= maxFetches) {
          errors.push(`${url}: skipped (limit of ${maxFetches} downloads reached)`);
          continue;
        }
        fetches++;
        const got = await cappedFetch(url, {
          headers: { accept: 'application/pkix-cert, application/pkcs7-mime, */*;q=0.5' },
          schemes: ['http:'],
          timeoutMs: opts.timeoutMs,
          signal,
          maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
          lookup: opts.lookup,
          accept: ({ status }) => (status >= 200 && status <= 299 ? null : `HTTP status ${status}`),
        });
        if (!got.ok) {
          // The whole call's deadline, not this request's, is what the caller set.
          errors.push(`${url}: ${timer.aborted ? `no complete response within ${opts.timeoutMs} ms` : got.reason}`);
          continue;
        }
        const parsed = await parseCertificates(got.body);
        if (parsed.length === 0) errors.push(`${url}: no certificate in the response (DER, PEM or PKCS#7 expected)`);
        for (const der of parsed) {
          if (certs.some((c) => c.equals(der))) continue;
          certs.push(der);
          if (follow(der)) queue.push(der);
        }
      }
    }
  } catch (err) {
    errors.push(`AIA fetch failed: ${(err as Error).message}`);
  }
  return { certs, errors };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]+?)-----END \1-----/g;

/** A DER certificate, PEM certificates, or a certs-only PKCS#7 (DER or PEM) → DER certificates. */
export async function parseCertificates(body: Buffer): Promise<Buffer[]> {
  const text = body.subarray(0, 64).toString('latin1');
  const blobs: Buffer[] = [];
  if (text.includes('-----BEGIN ')) {
    for (const m of body.toString('latin1').matchAll(PEM_BLOCK)) blobs.push(Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
  } else blobs.push(body);
  const out: Buffer[] = [];
  for (const blob of blobs) {
    const single = asCertificate(blob);
    if (single) {
      out.push(single);
      continue;
    }
    try {
      const x509 = await loadX509();
      for (const c of new x509.X509Certificates(blob)) {
        const der = asCertificate(Buffer.from(c.rawData));
        if (der) out.push(der);
      }
    } catch {
      // neither a certificate nor PKCS#7: the caller reports "no certificate"
    }
  }
  return out;
}

function asCertificate(der: Buffer): Buffer | null {
  return decodeCertificate(der).ok ? der : null;
}

/** Issuer and subject equal (RFC 5280 §7.1); an unreadable certificate leads nowhere. */
function isSelfIssued(der: Buffer): boolean {
  const d = decodeCertificate(der);
  return !d.ok || namesEqual(d.cert.issuer, d.cert.subject);
}
