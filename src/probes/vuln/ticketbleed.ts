// Ticketbleed (CVE-2016-9244): F5 BIG-IP, resuming a session from a ticket, echoed the client's
// session ID as if it were 32 bytes long whatever its real length, so the bytes after it were
// uninitialised memory (Filippo Valsorda, https://filippo.io/Ticketbleed/; testssl.sh checks the
// same way). We take a ticket with a full handshake of the raw engine (so RC4-, 3DES-, NULL-,
// export- or small-DH-only servers are tested too), or through Node's OpenSSL when the raw client
// has no suite the server takes; then offer the ticket back in a raw hello with a 1-byte session
// ID: a correct server echoes that one byte; a vulnerable one echoes 32. Two connections (one more
// for the fallback), one when the server issues no ticket.
import { randomBytes } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { defineEndpointProbe, preambleOf, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import { acceptedBundle, withSessionTicket } from '../../net/tls/probe-records.js';
import { readFlight, TIMED_OUT, withRawSession, type FlightOutcome } from '../../net/tls/raw-session.js';
import { suiteByName } from '../../tls/registry/index.js';
import { fetchSessionTicket } from '../../net/tls/session-ticket.js';
import { fullHandshake12 } from '../../net/tls/handshake12/client.js';
import { completableSuites } from '../../net/tls/handshake12/suites.js';
import { MAX_SUITES_PER_HELLO } from '../../net/tls/suite-order.js';
import { buildClientHello } from '../../net/tls/wire/client-hello.js';
import { checkTicketbleed, type TicketVersion, type VulnTicketbleedEvidence } from '../../tls/vulns/ticketbleed.js';
import { needProtocols, tlsProtocolsProbe, WIRE_VERSION_OF } from '../tls/protocols.js';

/** Session tickets are an extension: not in SSLv3 hellos, and TLS 1.3 has no session IDs to echo. */
const VERSIONS: readonly TicketVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0'];
const NODE_VERSION: Record<TicketVersion, Extract<SecureVersion, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'>> = {
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.0': 'TLSv1',
};

type Judgement = Pick<VulnTicketbleedEvidence, 'verdict' | 'resumed' | 'sessionIdEchoed' | 'reason'>;

/** What the answer to the hello carrying the ticket and the session ID `sent` means. */
export function judgeTicketAnswer(flight: FlightOutcome, sent: Buffer): Judgement {
  if (flight.kind !== 'flight') return { verdict: 'unknown', resumed: null, sessionIdEchoed: null, reason: `the hello with the ticket: ${flight.reason}` };
  const echoed = flight.serverHello.sessionId;
  if (!flight.abbreviated) {
    return { verdict: 'unknown', resumed: false, sessionIdEchoed: echoed.length, reason: 'the server did not resume from the ticket it had just issued, so the echo could not be observed' };
  }
  const base = { resumed: true, sessionIdEchoed: echoed.length };
  if (echoed.equals(sent)) return { ...base, verdict: 'not-vulnerable', reason: `the ${sent.length}-byte session ID was echoed as sent` };
  if (echoed.length > sent.length && echoed.subarray(0, sent.length).equals(sent)) {
    return { ...base, verdict: 'vulnerable', reason: `a ${sent.length}-byte session ID came back as ${echoed.length} bytes: ${echoed.length - sent.length} bytes of server memory` };
  }
  // RFC 5077 §3.4 wants the ID echoed; another one is wrong but leaks nothing of ours.
  return { ...base, verdict: 'not-vulnerable', reason: `the server resumed with a session ID of its own (${echoed.length} bytes), not an extension of ours` };
}

type TicketSession =
  | {
      ok: true;
      ticket: Buffer | null;
      protocol: string;
      suite: number | undefined;
      /** The session used RFC 7627's extended master secret: the resuming hello must offer it again (§5.3). */
      extendedMasterSecret: boolean;
    }
  | { ok: false; reason: string };

/** A full handshake for a ticket: the raw client first, Node's OpenSSL for suites the raw client lacks (SEED, IDEA, PSK …). */
async function ticketSession(ctx: ProbeContext, ep: Endpoint, version: TicketVersion, firstPick?: { suite: number }): Promise<TicketSession> {
  const ours = completableSuites(version);
  const suites = firstPick && ours.includes(firstPick.suite) ? [firstPick.suite, ...ours.filter((c) => c !== firstPick.suite)] : ours;
  const raw = await ctx.withConnection(
    ep.ip,
    () => fullHandshake12({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target), serverName: ctx.target.sni, version, cipherSuites: suites }),
    { retryAlone: (r) => !r.ok && TIMED_OUT.test(r.reason) },
  );
  if (raw.ok) {
    const s = raw.session;
    return { ok: true, ticket: s.ticket, protocol: s.protocol, suite: s.cipherSuite, extendedMasterSecret: s.extendedMasterSecret };
  }
  // A timeout is the server not answering, not a suite we lack: Node would only wait it out again.
  if (ctx.signal.aborted || TIMED_OUT.test(raw.reason)) return { ok: false, reason: raw.reason };
  const node = await ctx.withConnection(ep.ip, () =>
    fetchSessionTicket({ ip: ep.ip, port: ep.port, servername: ctx.target.sni, version: NODE_VERSION[version], timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) }),
  );
  // Node's OpenSSL always offers the extended master secret; servers without it resume without.
  if (node.ok) return { ok: true, ticket: node.ticket, protocol: node.protocol, suite: suiteByName(node.suite)?.code, extendedMasterSecret: true };
  return { ok: false, reason: `raw handshake: ${raw.reason}; through Node's OpenSSL: ${node.reason}` };
}

async function replayTicket(ctx: ProbeContext, ep: Endpoint, version: TicketVersion, firstPick?: { suite: number; refusedBundles: number }): Promise<VulnTicketbleedEvidence> {
  const sessionId = Buffer.from([randomBytes(1)[0]! | 1]);
  const base = { version, sessionIdSent: sessionId.length };
  const got = await ticketSession(ctx, ep, version, firstPick);
  if (!got.ok) return { ...base, verdict: 'unknown', ticketIssued: null, resumed: null, sessionIdEchoed: null, reason: `the handshake to get a ticket failed: ${got.reason}` };
  if (!got.ticket || got.ticket.length === 0) {
    return { ...base, verdict: 'not-vulnerable', ticketIssued: false, resumed: null, sessionIdEchoed: null, reason: `the server issues no session tickets (${got.protocol})` };
  }
  const wire = WIRE_VERSION_OF[version];
  // The ticket's suite first (a resumption must keep it), then the bundle known to be accepted.
  const suite = got.suite;
  const bundle = acceptedBundle(wire, firstPick).filter((s) => s !== suite);
  const hello = buildClientHello({
    version: wire,
    cipherSuites: (suite === undefined ? bundle : [suite, ...bundle]).slice(0, MAX_SUITES_PER_HELLO),
    serverName: ctx.target.sni,
    sessionId,
    renegotiationInfo: true,
    // As the ticket's session did: a resumption that differs is refused (RFC 7627 §5.3).
    extendedMasterSecret: got.extendedMasterSecret,
    sessionTicket: true,
  });
  const record = withSessionTicket(hello.handshake, got.ticket);
  if (!record.ok) throw new Error(`internal: ${record.error}`);
  const flight = await ctx.withConnection(ep.ip, () =>
    withRawSession({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) }, async (s) => {
      s.send(record.value);
      return readFlight(s);
    }),
    { retryAlone: (f) => f.kind !== 'flight' && f.kind !== 'refused' && TIMED_OUT.test(f.reason) },
  );
  return { ...base, ticketIssued: true, ...judgeTicketAnswer(flight, sessionId) };
}

export const vulnTicketbleedProbe = defineEndpointProbe({
  id: 'vuln-ticketbleed',
  title: 'Ticketbleed (CVE-2016-9244)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['vulnerabilities.ticketbleed'],
  async collect(ctx, deps): Promise<VulnTicketbleedEvidence> {
    const ep = ctx.endpoint;
    const { protocols, firstPick } = needProtocols(deps);
    const version = VERSIONS.find((v) => protocols[v] === true);
    if (!version) {
      const none = { version: null, ticketIssued: null, resumed: null, sessionIdSent: 0, sessionIdEchoed: null };
      if (VERSIONS.some((v) => protocols[v] === null)) return { ...none, verdict: 'unknown', reason: 'no TLS 1.0–1.2 version is known to be accepted, and some could not be tested' };
      return { ...none, verdict: 'not-vulnerable', reason: 'no TLS 1.0–1.2 version is accepted, so there are no session tickets to replay' };
    }
    return replayTicket(ctx, ep, version, firstPick[version]);
  },
  check: (ev: VulnTicketbleedEvidence) => checkTicketbleed(ev),
  fields: (ev) => ({ vulnerabilities: { ticketbleed: ev.verdict } }),
});
