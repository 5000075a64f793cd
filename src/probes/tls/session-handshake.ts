// One complete TLS handshake through Node's TLS client that keeps its session: what the features
// probe needs for resumption (session IDs, tickets, TLS 1.3 PSK) and for what TLS 1.3 encrypts
// (ALPN, the stapled OCSP response). Verifies nothing: the certificate probes judge chains.
import { constants as cryptoConstants } from 'node:crypto';
import tls, { type SecureVersion } from 'node:tls';
import { classifyTlsError, VERIFY_NOTHING, secureContextFor } from '../../net/tls/node-client.js';
import { connectNodeTls, startTlsReason, type StartTlsOption } from '../../net/tls/transport.js';

// ---------------------------------------------------------------------------------------------
// Node TLS handshakes that keep their session (resumption, and what TLS 1.3 encrypts)

export interface SessionHandshakeOptions {
  ip: string;
  port: number;
  servername: string | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2. */
  ciphers?: string;
  /** SSL_OP_NO_TICKET: ask for session-ID resumption only. */
  noTicket?: boolean;
  /** A session from an earlier handshake, to resume. */
  session?: Buffer;
  alpn?: string[];
  requestOCSP?: boolean;
  /** How long to wait, after the handshake, for a session the server may send late (TLS 1.3 tickets). */
  sessionWaitMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue before the handshake (within the same deadline). */
  starttls?: StartTlsOption | null;
}

export type SessionHandshakeOutcome =
  | {
      ok: true;
      protocol: string;
      reused: boolean;
      /** A resumable session: TLS 1.3 only once a NewSessionTicket arrived; null if none came. */
      session: Buffer | null;
      /** TLS ≤ 1.2: the server issued a session ticket. */
      ticket: boolean;
      alpn: string | null;
      ocspResponse: Buffer | null;
    }
  /** `timedOut`: no handshake within the deadline (as opposed to a refusal or a reset). */
  | { ok: false; reason: string; timedOut?: boolean };

function contextFor(o: Pick<SessionHandshakeOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'noTicket'>): tls.SecureContext {
  // Nothing is verified here (the cert probes do that), so no trust anchors at all (VERIFY_NOTHING);
  // servers without RFC 5746 are reported, not refused, so OpenSSL must still talk to them.
  return secureContextFor({
    extraCa: VERIFY_NOTHING,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ciphers: o.ciphers,
    secureOptions: cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT | (o.noTicket ? cryptoConstants.SSL_OP_NO_TICKET : 0),
  });
}

/**
 * One complete handshake through Node's TLS, pinned to the IP, ended with close_notify (OpenSSL
 * servers drop a session from their cache when the peer just vanishes). Never throws.
 */
export function sessionHandshake(o: SessionHandshakeOptions): Promise<SessionHandshakeOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) {
      resolve({ ok: false, reason: 'scan deadline reached before connecting' });
      return;
    }
    const options: tls.ConnectionOptions & { requestOCSP?: boolean } = {
      host: o.ip,
      port: o.port,
      servername: o.servername ?? undefined,
      secureContext: contextFor(o),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      session: o.session,
      ALPNProtocols: o.alpn,
      requestOCSP: o.requestOCSP,
    };
    let result: SessionHandshakeOutcome | null = null;
    let session: Buffer | null = null;
    let ocspResponse: Buffer | null = null;
    let settled = false;
    let closing = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: SessionHandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      o.signal.removeEventListener('abort', onAbort);
      conn.destroy();
      resolve(outcome);
    };
    /** Say goodbye properly, then report (bounded: a server that never closes is not waited for). */
    const close = (): void => {
      if (!result || settled || closing) return;
      closing = true;
      const done = result;
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => finish(done), Math.min(1000, o.timeoutMs));
      // Drain whatever the server sends (an HTTP answer …) so its close is seen.
      tlsSocket?.resume();
      tlsSocket?.end();
    };
    const onAbort = (): void => finish(result ?? { ok: false, reason: 'scan deadline reached' });
    const timer = setTimeout(() => {
      if (result) close();
      else finish({ ok: false, reason: `${conn.waitingFor ?? 'no TLS handshake'} within ${o.timeoutMs} ms`, timedOut: true });
    }, o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    let tlsSocket: tls.TLSSocket | null = null;
    const conn = connectNodeTls(
      o,
      options,
      (socket) => {
        tlsSocket = socket;
        wire(socket);
      },
      (f) => finish({ ok: false, reason: startTlsReason(f), ...(f.kind === 'timeout' ? { timedOut: true } : {}) }),
    );

    function wire(socket: tls.TLSSocket): void {

      socket.on('OCSPResponse', (resp: Buffer | null) => {
        ocspResponse = resp && resp.length > 0 ? resp : null;
      });
      socket.on('session', (s: Buffer) => {
        session = s;
        if (result?.ok && !closing) {
          result = { ...result, session: s };
          close();
        }
      });
      socket.once('secureConnect', () => {
        const protocol = socket.getProtocol() ?? 'unknown';
        const reused = socket.isSessionReused();
        const tls13 = protocol === 'TLSv1.3';
        // TLS ≤ 1.2 sessions are complete at the handshake; TLS 1.3 ones only with a ticket.
        const current = session ?? (tls13 ? null : (socket.getSession() ?? null));
        result = {
          ok: true,
          protocol,
          reused,
          session: current,
          ticket: !tls13 && socket.getTLSTicket() !== undefined,
          alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
          ocspResponse,
        };
        if (current || reused || o.sessionWaitMs <= 0) close();
        else graceTimer = setTimeout(close, o.sessionWaitMs);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (result) finish(result);
        else finish({ ok: false, reason: classifyTlsError(err).reason });
      });
      socket.once('close', () => finish(result ?? { ok: false, reason: 'connection closed before the handshake completed' }));
    }
  });
}
