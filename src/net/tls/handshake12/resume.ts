// Does a TLS 1.0–1.2 server resume a session? A full handshake with the raw client, then a raw
// hello that offers the session back (by session ID, or by ticket with RFC 5077) and a look at the
// answer: ServerHello then ChangeCipherSpec is an abbreviated handshake. For servers Node's OpenSSL
// cannot negotiate with (RC4-, 3DES-, NULL-, export- or small-DH-only); two connections.
import { randomBytes } from 'node:crypto';
import { withSessionTicket } from '../probe-records.js';
import { readFlight, withRawSession } from '../raw-session.js';
import { buildClientHello } from '../wire/client-hello.js';
import { fullHandshake12, type Handshake12Options } from './client.js';

export type ResumptionMechanism = 'session-id' | 'ticket';

export type ResumptionOutcome =
  /** `resumed` false with `reason`: no session/ticket was issued, or the server ran a full handshake. */
  | { ok: true; resumed: boolean; protocol: string; suite: string; reason: string }
  | { ok: false; reason: string };

/**
 * `connect` runs each connection (the probe's withConnection, for its limits and counting).
 * `o.sessionTicket` is set from `mechanism`.
 */
export async function rawResumption(
  o: Handshake12Options,
  mechanism: ResumptionMechanism,
  connect: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): Promise<ResumptionOutcome> {
  const byTicket = mechanism === 'ticket';
  const first = await connect(() => fullHandshake12({ ...o, sessionTicket: byTicket }));
  if (!first.ok) return { ok: false, reason: `raw handshake: ${first.reason}` };
  const s = first.session;
  const base = { ok: true as const, protocol: s.protocol, suite: s.suiteName };
  if (byTicket && !s.ticket) return { ...base, resumed: false, reason: 'the server issued no session ticket' };
  if (!byTicket && s.sessionId.length === 0) return { ...base, resumed: false, reason: 'the server issued no session ID' };
  const hello = buildClientHello({
    version: o.version,
    cipherSuites: [s.cipherSuite],
    serverName: o.serverName,
    // With a ticket, a fresh session ID: an echo of it is how RFC 5077 §3.4 signals resumption.
    sessionId: byTicket ? randomBytes(32) : s.sessionId,
    renegotiationInfo: true,
    // As the session did: RFC 7627 §5.3 makes a server refuse a resumption that differs.
    extendedMasterSecret: s.extendedMasterSecret,
    sessionTicket: byTicket,
  });
  let record = hello.record;
  if (byTicket && s.ticket) {
    const withTicket = withSessionTicket(hello.handshake, s.ticket);
    if (!withTicket.ok) return { ok: false, reason: `internal: ${withTicket.error}` };
    record = withTicket.value;
  }
  const flight = await connect(() =>
    withRawSession(o, async (session) => {
      session.send(record);
      return readFlight(session);
    }),
  );
  if (flight.kind !== 'flight') return { ok: false, reason: `the resuming hello: ${flight.reason}` };
  if (flight.abbreviated) return { ...base, resumed: true, reason: 'abbreviated handshake' };
  return { ...base, resumed: false, reason: 'the server answered the resuming hello with a full handshake' };
}
