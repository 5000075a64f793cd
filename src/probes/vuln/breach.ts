// BREACH (CVE-2013-3587): HTTP-level compression of responses over TLS. Asked the way testssl.sh
// asks it: one GET of the target path offering gzip, deflate and br, pinned to this endpoint. A
// compressed answer is only a precondition: the attack also needs a secret (CSRF token …) and
// attacker-chosen text reflected in the same body, which cannot be seen from outside; so the
// finding is information, not a verdict on the application.
import { defineEndpointProbe, endpointKey, ProbeSkipped } from '../../engine/probe.js';
import { tlsHandshakeProbe } from '../tls/handshake.js';
import { checkBreach, OFFERED_ENCODINGS, type BreachEvidence } from '../../tls/vulns/breach.js';
import { HttpRequestError, pinnedRequest } from '../../net/http/pinned-request.js';


/** A Content-Encoding that compresses: anything but absent or `identity`. */
export function compressedEncoding(rawHeaders: ReadonlyArray<[string, string]>): string | null {
  const values = rawHeaders.filter(([name]) => name === 'content-encoding').map(([, v]) => v.trim().toLowerCase());
  const codings = values.flatMap((v) => v.split(',').map((c) => c.trim())).filter((c) => c !== '' && c !== 'identity');
  return codings.length ? codings.join(', ') : null;
}

export const breachProbe = defineEndpointProbe({
  id: 'vuln-breach',
  title: 'HTTP compression (BREACH)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  speaksHttp: true,
  // Without a working TLS handshake there is no HTTPS to ask (and no verdict to give).
  after: [tlsHandshakeProbe],
  owns: ['vulnerabilities.breach'],
  async collect(ctx, deps): Promise<BreachEvidence> {
    const ep = ctx.endpoint;
    if (!deps.get(tlsHandshakeProbe)) throw new ProbeSkipped('no TLS handshake completed on this endpoint (tls-handshake)');
    const { host, path, sni } = ctx.target;
    const authority = host.includes(':') ? `[${host}]` : host;
    const url = new URL(`https://${authority}${ep.port === 443 ? '' : `:${ep.port}`}${path}`);
    try {
      const res = await ctx.withConnection(ep.ip, () =>
        pinnedRequest({
          url,
          ip: ep.ip,
          servername: sni,
          extraCa: ctx.trust.extraCaPem,
          headers: { 'accept-encoding': OFFERED_ENCODINGS },
          timeoutMs: ctx.connectTimeoutMs,
          signal: ctx.signal,
          // Only the headers matter.
          maxBodyBytes: 64 * 1024,
        }),
      );
      const contentEncoding = compressedEncoding(res.rawHeaders);
      return { verdict: contentEncoding ? 'vulnerable' : 'not-vulnerable', url: url.href, statusCode: res.statusCode, contentEncoding };
    } catch (err) {
      if (!(err instanceof HttpRequestError)) throw err;
      return { verdict: 'unknown', url: url.href, statusCode: null, contentEncoding: null, reason: `${endpointKey(ep)}: ${err.message}` };
    }
  },
  check: (ev: BreachEvidence) => checkBreach(ev),
  fields: (ev) => ({ vulnerabilities: { breach: ev.verdict } }),
});
