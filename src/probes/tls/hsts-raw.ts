// The site's Strict-Transport-Security header read over secgrade's own TLS 1.0–1.2 client, when the
// HTTP probe could not get the https page because Node's TLS handshake failed (a chain over
// OpenSSL's 100 KiB max_cert_list, suites OpenSSL 3 dropped). Only the SSL Labs letter reads it
// (A+ needs HSTS ≥ 180 days; SSL Labs reads it with its own client); the HTTP section stays what a
// Node/Chrome-like client meets. Skipped (not untested) whenever the HTTP probe read the page or
// failed some other way. Same-host https redirects are followed, bounded, as hstsOf reads the chain.
import { kindFromReason } from '../../engine/errors.js';
import { defineTargetProbe, ProbeFailed, ProbeSkipped } from '../../engine/probe.js';
import { HSTS_RAW_MAX_REDIRECTS, nodeHandshakeFailure, sameHostHttpsRedirect, type HstsRawEvidence, type HstsRawResponse } from '../../http/hsts-raw.js';
import { parseHsts } from '../../http/hsts.js';
import { headerValue } from '../../http/fetch-chain.js';
import type { HttpSiteEvidence } from '../../http/site-evidence.js';
import { rawTlsHead } from '../../net/http/raw-tls-head.js';
import { httpSiteProbe } from '../http/site.js';

export const tlsHstsRawProbe = defineTargetProbe({
  id: 'tls-hsts-raw',
  title: "HSTS over secgrade's own TLS client, when Node's TLS could not fetch the site",
  // Runs when the site is checked (its HSTS only counts then), for the TLS letter.
  categories: ['http'],
  scope: 'target',
  section: 'tls',
  speaksHttp: true,
  after: [httpSiteProbe],
  owns: [],
  async collect(ctx, deps): Promise<HstsRawEvidence> {
    const nodeFailure = nodeHandshakeFailure(deps.get<HttpSiteEvidence>(httpSiteProbe), deps.failure(httpSiteProbe));
    if (nodeFailure === null) throw new ProbeSkipped("not needed: Node's TLS did not fail the handshake for the https page");
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeSkipped('no address to connect to', { untested: true });
    const { host, port, path, sni } = ctx.target;
    const authority = `${host.includes(':') ? `[${host}]` : host}${port === 443 ? '' : `:${port}`}`;
    let url = new URL(`https://${authority}${path}`);
    const responses: HstsRawResponse[] = [];
    for (;;) {
      const r = await ctx.withConnection(ep.ip, () =>
        rawTlsHead({ ip: ep.ip, port, serverName: sni, authority, path: url.pathname + url.search, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal }),
      );
      if (!r.ok) throw new ProbeFailed(`${url.href}: ${r.reason}`, ctx.signal.aborted ? 'interrupted' : kindFromReason(r.reason, 'protocol'));
      const header = headerValue(r.head.headers, 'strict-transport-security');
      responses.push({ url: url.href, status: r.head.status, header });
      const next = header === null && responses.length <= HSTS_RAW_MAX_REDIRECTS ? sameHostHttpsRedirect(url, r.head.status, headerValue(r.head.headers, 'location')) : null;
      if (next === null || responses.some((x) => x.url === next.href)) {
        const policy = header === null ? null : parseHsts(header);
        return {
          via: 'raw-tls',
          nodeFailure,
          url: url.href,
          header,
          maxAge: policy?.valid ? policy.maxAge : null,
          includeSubDomains: policy?.valid ? policy.includeSubDomains : false,
          responses,
          protocol: r.protocol,
          cipherSuite: r.cipherSuite,
        };
      }
      url = next;
    }
  },
  // The judgement is the grade's (A+ or not); the HTTP findings stay those of the HTTP probe.
  check: () => [],
  fields: () => ({}),
});
