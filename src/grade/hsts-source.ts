// Where the HSTS an endpoint's A+ was judged on came from, when it was not the HTTP section: the
// raw TLS client's read (src/http/hsts-raw.ts), made where Node's TLS could not fetch the page.
import type { HstsRawEvidence } from '../http/hsts-raw.js';
import type { EndpointReport } from '../model/report.js';

export function hstsSourceOf(raw: HstsRawEvidence): string {
  const what = raw.header === null ? 'no Strict-Transport-Security header' : raw.maxAge === null ? `an invalid Strict-Transport-Security header` : `HSTS max-age ${raw.maxAge} s`;
  return `${what} read from ${raw.url} over secgrade's own TLS client (${raw.protocol}, ${raw.cipherSuite}), since Node's TLS could not fetch the page: ${raw.nodeFailure}`;
}

/** The endpoint's rating saying so (`hstsSource`, and in `notAPlus` when HSTS kept it from A+). */
export function withHstsSource(ep: EndpointReport, raw: HstsRawEvidence): EndpointReport {
  const r = ep.tls.rating;
  if (!r) return ep;
  const notAPlus = r.notAPlus ? `${r.notAPlus}; read over secgrade's own TLS client from ${raw.url}` : r.notAPlus;
  return { ...ep, tls: { ...ep.tls, rating: { ...r, notAPlus, hstsSource: hstsSourceOf(raw) } } };
}
