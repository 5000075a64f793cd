// One modern handshake per endpoint through Node's TLS stack (OpenSSL 3): what a current client
// negotiates (version, suite, ALPN). Certificates are examined by tls-certificates, which reads
// every chain exactly as served; this probe only reports what a browser-like client ends up with.
import { tlsFailureKind } from '../../engine/errors.js';
import { defineEndpointProbe, pinnedTls, ProbeFailed } from '../../engine/probe.js';
import { summarizeStartTls, type StartTlsSummary } from '../../net/starttls/index.js';
import { startTlsErrorKind } from '../../net/starttls/types.js';
import { nodeTlsHandshake } from '../../net/tls/node-client.js';

export interface TlsHandshakeEvidence {
  protocol: string;
  cipherSuite: string;
  alpn: string | null;
  /** A STARTTLS target: what the dialogue before this handshake showed. */
  starttls?: StartTlsSummary;
}

/** Node reports TLS 1.0 as "TLSv1"; the report uses the registry's names. */
export function normaliseProtocolName(p: string): string {
  return p === 'TLSv1' ? 'TLSv1.0' : p;
}

export const tlsHandshakeProbe = defineEndpointProbe({
  id: 'tls-handshake',
  title: 'TLS handshake (browser-like client)',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  owns: ['negotiated', 'starttls'],
  async collect(ctx): Promise<TlsHandshakeEvidence> {
    const ep = ctx.endpoint;
    const outcome = await ctx.withConnection(ep.ip, () => nodeTlsHandshake({ ...pinnedTls(ctx, ep), ...(ctx.target.starttls ? {} : { alpn: ['h2', 'http/1.1'] }) }), {
      retryAlone: (o) => !o.ok && o.kind === 'timeout',
    });
    if (!outcome.ok) throw new ProbeFailed(outcome.reason, outcome.starttls ? startTlsErrorKind(outcome.starttls) : tlsFailureKind(outcome.kind));
    return {
      protocol: normaliseProtocolName(outcome.protocol),
      cipherSuite: outcome.cipher.iana,
      alpn: outcome.alpn,
      ...(outcome.starttls ? { starttls: summarizeStartTls(outcome.starttls) } : {}),
    };
  },
  // What was negotiated is a fact for the report; its weaknesses are judged by the protocol and suite probes.
  check: () => [],
  fields: (ev) => ({ negotiated: { protocol: ev.protocol, cipherSuite: ev.cipherSuite, alpn: ev.alpn }, ...(ev.starttls ? { starttls: ev.starttls } : {}) }),
});
