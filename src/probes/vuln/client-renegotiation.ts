// Client-initiated renegotiation: complete a TLS ≤ 1.2 handshake through Node (pinned IP, SNI, no
// verification) and ask for a new handshake on the same connection. A server that performs it lets
// one client make it do expensive handshakes at will without new TCP connections (a DoS vector,
// THC-SSL-DOS); secure renegotiation (RFC 5746, vuln-config) is a different question.
import { constants as cryptoConstants } from 'node:crypto';
import tls, { type SecureVersion } from 'node:tls';
import { defineEndpointProbe, preambleOf } from '../../engine/probe.js';
import { classifyTlsError, VERIFY_NOTHING, secureContextFor } from '../../net/tls/node-client.js';
import { connectNodeTls, startTlsReason, type StartTlsOption } from '../../net/tls/transport.js';
import { checkClientRenegotiation, type ClientRenegotiationEvidence } from '../../tls/vulns/client-renegotiation.js';
import { needProtocols, tlsProtocolsProbe } from '../tls/protocols.js';

export type RenegotiationOutcome =
  /** The server completed a second handshake. */
  | { kind: 'accepted'; protocol: string }
  /** The server answered with an alert, an error or by closing. */
  | { kind: 'refused'; protocol: string; reason: string }
  /** No first handshake, or no answer to the request. */
  | { kind: 'untestable'; reason: string };

export interface RenegotiationOptions {
  ip: string;
  port: number;
  servername: string | null;
  version: SecureVersion;
  /** How long to wait for the server's answer to the renegotiation request. */
  answerTimeoutMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  starttls?: StartTlsOption | null;
}

function contextFor(version: SecureVersion): tls.SecureContext {
  return secureContextFor({
    extraCa: VERIFY_NOTHING,
    minVersion: version,
    maxVersion: version,
    // Every suite: the question is renegotiation, not which suite the server likes.
    ciphers: 'ALL:@SECLEVEL=0',
    // Our side must not be the one refusing: OpenSSL declines to renegotiate with servers that
    // lack RFC 5746 unless unsafe legacy renegotiation is allowed (harmless here, nothing is sent).
    secureOptions: cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT | cryptoConstants.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
  });
}

/** Handshake, then `renegotiate()`; never throws. */
export function tryClientRenegotiation(o: RenegotiationOptions): Promise<RenegotiationOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) {
      resolve({ kind: 'untestable', reason: 'scan deadline reached before connecting' });
      return;
    }
    let protocol: string | null = null;
    let settled = false;
    let answerTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: RenegotiationOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(answerTimer);
      o.signal.removeEventListener('abort', onAbort);
      conn.destroy();
      resolve(outcome);
    };
    const refused = (reason: string): void => finish(protocol ? { kind: 'refused', protocol, reason } : { kind: 'untestable', reason });
    const onAbort = (): void => finish({ kind: 'untestable', reason: 'scan deadline reached' });
    const timer = setTimeout(() => finish({ kind: 'untestable', reason: `${conn.waitingFor ?? 'no TLS handshake'} within ${o.timeoutMs} ms` }), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    const options: tls.ConnectionOptions = {
      host: o.ip,
      port: o.port,
      servername: o.servername ?? undefined,
      secureContext: contextFor(o.version),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    };
    const conn = connectNodeTls(o, options, (socket) => wire(socket), (f) => finish({ kind: 'untestable', reason: startTlsReason(f) }));

    function wire(socket: tls.TLSSocket): void {
      socket.once('secureConnect', () => {
        protocol = socket.getProtocol() ?? 'unknown';
        clearTimeout(timer);
        // Whatever the server sends (an HTTP banner …) is read and dropped, so its answer is seen.
        socket.resume();
        answerTimer = setTimeout(
          () => finish({ kind: 'untestable', reason: `the server did not answer the renegotiation request within ${o.answerTimeoutMs} ms` }),
          o.answerTimeoutMs,
        );
        const started = socket.renegotiate({ rejectUnauthorized: false }, (err) => {
          if (err) refused(classifyTlsError(err as NodeJS.ErrnoException).reason);
          else finish({ kind: 'accepted', protocol: protocol ?? 'unknown' });
        });
        if (!started) refused('Node could not start a renegotiation on this connection');
      });
      // A refusal arrives as an error on the socket (e.g. ERR_SSL_NO_RENEGOTIATION), not in the callback.
      socket.on('error', (err: NodeJS.ErrnoException) => {
        const { reason } = classifyTlsError(err);
        if (protocol) refused(err.code === 'ERR_SSL_NO_RENEGOTIATION' ? 'server sent alert no renegotiation' : reason);
        else finish({ kind: 'untestable', reason });
      });
      socket.once('close', () => refused('the server closed the connection'));
    }
  });
}

type Legacy = 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0';
const NODE_VERSION: Record<Legacy, SecureVersion> = { 'TLSv1.2': 'TLSv1.2', 'TLSv1.1': 'TLSv1.1', 'TLSv1.0': 'TLSv1' };
const LEGACY: readonly Legacy[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0'];

export const clientRenegotiationProbe = defineEndpointProbe({
  id: 'vuln-client-renegotiation',
  title: 'Client-initiated renegotiation',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['vulnerabilities.clientRenegotiation'],
  async collect(ctx, deps): Promise<ClientRenegotiationEvidence> {
    const ep = ctx.endpoint;
    const p = needProtocols(deps).protocols;
    const version = LEGACY.find((v) => p[v] === true);
    if (!version) {
      if (p['TLSv1.3'] === true && p.SSLv3 !== true) {
        return { verdict: 'not-vulnerable', reason: 'only TLS 1.3 is accepted, which has no renegotiation', protocol: null };
      }
      const why = p.SSLv3 === true ? 'SSLv3 is the only version below TLS 1.3, and Node cannot negotiate it' : 'no TLS ≤ 1.2 version is accepted';
      return { verdict: 'unknown', reason: why, protocol: null };
    }
    const o = await ctx.withConnection(ep.ip, () =>
      tryClientRenegotiation({
        ip: ep.ip,
        port: ep.port,
        servername: ctx.target.sni,
        version: NODE_VERSION[version],
        answerTimeoutMs: Math.min(5000, ctx.connectTimeoutMs),
        timeoutMs: ctx.connectTimeoutMs,
        signal: ctx.signal,
        ...preambleOf(ctx.target),
      }),
    );
    if (o.kind === 'accepted') return { verdict: 'vulnerable', reason: 'the second handshake completed', protocol: version };
    if (o.kind === 'refused') return { verdict: 'not-vulnerable', reason: o.reason, protocol: version };
    return { verdict: 'unknown', reason: o.reason, protocol: null };
  },
  check: (ev: ClientRenegotiationEvidence) => checkClientRenegotiation(ev),
  fields: (ev) => ({ vulnerabilities: { clientRenegotiation: ev.verdict } }),
});
