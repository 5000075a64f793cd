// A full TLS ≤ 1.2 handshake through Node's OpenSSL for one thing: the session ticket the server
// issues (RFC 5077). Ticketbleed asks the raw engine's own handshake (handshake12/) first and comes
// here for suites only OpenSSL has (SEED, IDEA, PSK …); it then replays the ticket in a raw hello.
import tls, { type SecureVersion } from 'node:tls';
import { classifyTlsError, VERIFY_NOTHING, secureContextFor } from './node-client.js';
import { connectNodeTls, startTlsReason, type StartTlsOption } from './transport.js';

export interface TicketHandshakeOptions {
  ip: string;
  port: number;
  servername: string | null;
  version: Extract<SecureVersion, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'>;
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue before the handshake (within the same deadline). */
  starttls?: StartTlsOption | null;
}

export type TicketOutcome =
  | {
      ok: true;
      /** null: the server issued no ticket. */
      ticket: Buffer | null;
      protocol: string;
      /** IANA name of the negotiated suite (the resuming hello must offer it). */
      suite: string;
    }
  | { ok: false; reason: string };

export function fetchSessionTicket(o: TicketHandshakeOptions): Promise<TicketOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) {
      resolve({ ok: false, reason: 'aborted before connecting' });
      return;
    }
    // Any suite at any security level: the ticket matters, not the suite (OpenSSL 3 refuses
    // TLS < 1.2 and weak suites at its default level).
    const secureContext = secureContextFor({ extraCa: VERIFY_NOTHING, minVersion: o.version, maxVersion: o.version, ciphers: 'ALL:@SECLEVEL=0' });
    let settled = false;
    const finish = (outcome: TicketOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      conn.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: `${conn.waitingFor ?? 'no TLS handshake'} within ${o.timeoutMs} ms` }), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    const options: tls.ConnectionOptions = {
      host: o.ip,
      port: o.port,
      servername: o.servername ?? undefined,
      secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    };
    const conn = connectNodeTls(
      o,
      options,
      (socket) => {
        // In TLS ≤ 1.2 NewSessionTicket precedes the server's Finished: it is there at secureConnect.
        socket.once('secureConnect', () => {
          const cipher = socket.getCipher() as tls.CipherNameAndProtocol & { standardName?: string };
          finish({ ok: true, ticket: socket.getTLSTicket() ?? null, protocol: socket.getProtocol() ?? 'unknown', suite: cipher.standardName ?? cipher.name });
        });
        socket.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, reason: classifyTlsError(err).reason }));
        socket.once('close', () => finish({ ok: false, reason: 'connection closed before the handshake completed' }));
      },
      (f) => finish({ ok: false, reason: startTlsReason(f) }),
    );
  });
}
