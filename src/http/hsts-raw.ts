// HSTS read over secgrade's own TLS client when Node's could not fetch the https page (a chain over
// OpenSSL's 100 KiB max_cert_list, suites OpenSSL 3 dropped): SSL Labs reads HSTS with its own
// client, so its A+ does not depend on what Node can talk to. Pure: when the fallback applies, which
// redirect it follows, and the evidence the tls-hsts-raw probe returns (the grade reads it).
import type { ProbeErrorKind } from '../model/constants.js';
import type { HttpSiteEvidence } from './site-evidence.js';

export interface HstsRawResponse {
  url: string;
  status: number;
  /** The Strict-Transport-Security value (the first, as hstsOf reads it), or null. */
  header: string | null;
}

export interface HstsRawEvidence {
  via: 'raw-tls';
  /** Why Node's TLS could not fetch the page (the HTTP probe's failure). */
  nodeFailure: string;
  /** The response HSTS was read from: the first with the header, else the last read. */
  url: string;
  header: string | null;
  /** From a valid header only (as the HTTP section's `hsts`); null otherwise. */
  maxAge: number | null;
  includeSubDomains: boolean;
  /** Every response read, in order (same-host https redirects followed). */
  responses: HstsRawResponse[];
  /** e.g. 'TLSv1.2', and the suite the raw client negotiated. */
  protocol: string;
  cipherSuite: string;
}

/** At most this many same-host https redirects are followed looking for HSTS. */
export const HSTS_RAW_MAX_REDIRECTS = 5;

const bare = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * Why the target's https page was not read because Node's TLS handshake failed, or null when it
 * was read or failed some other way (timeout, refusal, reset: our client would fare no better).
 * `site`: the HTTP probe's evidence; `failure`: why that probe did not complete.
 */
export function nodeHandshakeFailure(site: HttpSiteEvidence | undefined, failure: { reason: string; errorKind?: ProbeErrorKind } | undefined): string | null {
  if (!site) return failure?.errorKind === 'tls-alert' ? failure.reason : null;
  const { https, host } = site;
  const sameHost = (u: string): boolean => {
    try {
      const url = new URL(u);
      return url.protocol === 'https:' && bare(url.hostname) === bare(host);
    } catch {
      return false;
    }
  };
  // hstsOf reads the target host's https hops: when one was read, there is nothing to recover.
  if (https.hops.some((h) => sameHost(h.url))) return null;
  const stop = https.stop;
  return stop.kind === 'error' && stop.errorKind === 'tls-handshake' && sameHost(stop.url) ? `${stop.url}: ${stop.message}` : null;
}

/** Where a response sends the HSTS search next: a redirect to https on the same host and port, else null. */
export function sameHostHttpsRedirect(from: URL, status: number, location: string | null): URL | null {
  if (![301, 302, 303, 307, 308].includes(status) || location === null) return null;
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return null;
  }
  return next.protocol === 'https:' && bare(next.hostname) === bare(from.hostname) && next.port === from.port ? next : null;
}
