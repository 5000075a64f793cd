// BREACH (CVE-2013-3587): HTTP-level compression of responses over TLS. Asked the way testssl.sh
// asks it: one GET of the target path offering gzip, deflate and br, pinned to this endpoint. A
// compressed answer is only a precondition: the attack also needs a secret (CSRF token …) and
// attacker-chosen text reflected in the same body, which cannot be seen from outside; so the
// finding is information, not a verdict on the application.
import { defineProbe, endpointKey, ProbeFailed, ProbeSkipped } from '../src/engine/probe.js';
import { finding } from '../src/model/finding.js';
import type { Finding } from '../src/model/report.js';
import { HttpRequestError, pinnedRequest } from '../src/net/http/pinned-request.js';

export const OFFERED_ENCODINGS = 'gzip, deflate, br';

export interface BreachEvidence {
  verdict: 'vulnerable' | 'not-vulnerable' | 'unknown';
  url: string;
  statusCode: number | null;
  /** The Content-Encoding the server answered with (lower-cased), or null for none. */
  contentEncoding: string | null;
  /** Why the verdict is unknown (no HTTP answer). */
  reason?: string;
}

/** A Content-Encoding that compresses: anything but absent or `identity`. */
export function compressedEncoding(rawHeaders: ReadonlyArray<[string, string]>): string | null {
  const values = rawHeaders.filter(([name]) => name === 'content-encoding').map(([, v]) => v.trim().toLowerCase());
  const codings = values.flatMap((v) => v.split(',').map((c) => c.trim())).filter((c) => c !== '' && c !== 'identity');
  return codings.length ? codings.join(', ') : null;
}

export function checkBreach(ev: BreachEvidence): Finding[] {
  if (ev.verdict !== 'vulnerable') return [];
  return [
    finding({
      id: 'tls.vuln.breach',
      severity: 'info',
      title: `HTTP compression over TLS (${ev.contentEncoding}): BREACH precondition`,
      detail: `${ev.url} answered a request offering ${OFFERED_ENCODINGS} with Content-Encoding: ${ev.contentEncoding} (status ${ev.statusCode}). BREACH recovers a secret from compressed sizes only if the same response body carries both the secret (a CSRF token, a session value) and text the attacker controls; that cannot be judged from outside, so this is information: static pages and pages without secrets are not at risk. Only this path was requested.`,
      evidence: { url: ev.url, statusCode: ev.statusCode, contentEncoding: ev.contentEncoding, acceptEncoding: OFFERED_ENCODINGS },
      remediation:
        'For responses that carry secrets and reflect user input: disable compression on them, mask secrets per response (random XOR, as Rails and Django do for CSRF tokens), keep secrets out of bodies that reflect input, or add SameSite cookies to cut cross-site requests.',
      references: ['CVE-2013-3587 (BREACH, https://nvd.nist.gov/vuln/detail/CVE-2013-3587)', 'BREACH (https://www.breachattack.com/)'],
    }),
  ];
}

export const breachProbe = defineProbe<BreachEvidence>({
  id: 'vuln-breach',
  title: 'HTTP compression (BREACH)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  // Without a working TLS handshake there is no HTTPS to ask (and no verdict to give).
  after: ['tls-handshake'],
  async collect(ctx, deps) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    if (!deps.has('tls-handshake')) throw new ProbeSkipped('no TLS handshake completed on this endpoint (tls-handshake)');
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
  check: (ev) => checkBreach(ev),
  report: (ev) => ({ vulnerabilities: { breach: ev.verdict } }),
});
