// Heartbleed (CVE-2014-0160): OpenSSL 1.0.1–1.0.1f answered a heartbeat request with as many
// bytes as the request claimed to carry, read from its own memory. As testssl.sh does, on each
// accepted TLS version ≤ 1.2 we offer the heartbeat extension and, before the handshake
// completes, send a request claiming 16 KiB while carrying nothing. Unlike testssl.sh (which waits
// 8 s for silence to pass as "not vulnerable") we make every server answer at once: a well-formed
// request follows (a patched OpenSSL drops the lying one silently, RFC 6520 §4, and answers ours),
// then a handshake message no client sends there (refused at once with unexpected_message), then
// the end of our input (FIN). A server reads records in order, so a vulnerable one has answered the
// heartbeats before it refuses the last message or sees the end of input; one that drops heartbeats
// during the handshake (as RFC 6520 §4 lets it) still answers decisively. One connection per
// version; leaked bytes are counted, never kept.
import { randomBytes } from 'node:crypto';
import { defineEndpointProbe, preambleOf, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import { acceptedBundle, heartbeatRequest, HEARTBEAT_RESPONSE, outOfPlaceHandshake, overlongHeartbeat, parseHeartbeat } from '../../net/tls/probe-records.js';
import { readFlight, TIMED_OUT, withRawSession, type SessionEvent } from '../../net/tls/raw-session.js';
import { buildClientHello } from '../../net/tls/wire/client-hello.js';
import { alertName, ContentType } from '../../net/tls/wire/constants.js';
import { checkHeartbleed, type HeartbeatDecision, type HeartbeatVersion, type HeartbleedAttempt, type VulnHeartbleedEvidence } from '../../tls/vulns/heartbleed.js';
import { helloExtras, needProtocols, tlsProtocolsProbe, WIRE_VERSION_OF } from '../tls/protocols.js';

/** Heartbeat is an extension: SSLv3 hellos carry none, TLS 1.3 has no heartbeat. */
const VERSIONS: readonly HeartbeatVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0'];

export type HeartbeatJudgement = Pick<HeartbleedAttempt, 'verdict' | 'detail' | 'leakedBytes'> & { decidedBy: HeartbeatDecision };

/**
 * What one event after the heartbeat requests (and the out-of-place message and FIN after them)
 * means; null = not decisive, read on. `marker` is the payload of our well-formed request.
 */
export function judgeHeartbeatAnswer(ev: SessionEvent, marker: Buffer): HeartbeatJudgement | null {
  switch (ev.kind) {
    case 'record': {
      if (ev.contentType === ContentType.alert) {
        const level = ev.fragment[0];
        const description = ev.fragment[1];
        if (description === undefined) return { verdict: 'unknown', detail: 'a truncated alert record', decidedBy: 'failure' };
        if (level === 1 && description !== 0) return null; // a warning the server carries on after
        // Records are read in order: a server that answers heartbeats would have answered ours first.
        return { verdict: 'not-vulnerable', detail: `the server sent alert ${alertName(description)} without answering the heartbeat requests before it`, decidedBy: 'alert' };
      }
      if (ev.contentType !== ContentType.heartbeat) return null;
      const hb = parseHeartbeat(ev.fragment);
      if (!hb.ok) return { verdict: 'unknown', detail: hb.error, decidedBy: 'failure' };
      if (hb.value.type !== HEARTBEAT_RESPONSE) return null; // the server's own request
      if (hb.value.claimedLength === marker.length && hb.value.head.equals(marker)) {
        return { verdict: 'not-vulnerable', detail: 'the over-long request was dropped; only the well-formed one was answered', decidedBy: 'heartbeat-response' };
      }
      // We sent no payload bytes: any payload in a response is the server's memory.
      const leaked = Math.min(hb.value.carried, hb.value.claimedLength);
      if (leaked > 0) {
        return {
          verdict: 'vulnerable',
          detail: `a heartbeat response of ${hb.value.claimedLength} payload bytes answered a request carrying none`,
          leakedBytes: leaked,
          decidedBy: 'heartbeat-response',
        };
      }
      return { verdict: 'unknown', detail: `a heartbeat response claiming ${hb.value.claimedLength} bytes but carrying none`, decidedBy: 'failure' };
    }
    case 'silent':
      return null;
    case 'closed':
    case 'reset':
      if (ev.midRecord) return { verdict: 'unknown', detail: `${ev.reason} in the middle of a record`, decidedBy: 'failure' };
      return { verdict: 'not-vulnerable', detail: `${ev.reason} without answering the heartbeat requests`, decidedBy: 'close' };
    case 'timeout':
      // testssl.sh reads silence as "not vulnerable": nothing leaked while the connection lived.
      return { verdict: 'not-vulnerable', detail: `no heartbeat answer (${ev.reason})`, decidedBy: 'deadline' };
    default:
      return { verdict: 'unknown', detail: ev.reason, decidedBy: 'failure' };
  }
}

/** Any version vulnerable wins; else any unknown; else not vulnerable. */
export function combineHeartbleed(attempts: readonly HeartbleedAttempt[]): Pick<VulnHeartbleedEvidence, 'verdict' | 'reason'> {
  const say = (a: HeartbleedAttempt): string => `${a.version}: ${a.detail}`;
  const vulnerable = attempts.filter((a) => a.verdict === 'vulnerable');
  if (vulnerable.length) return { verdict: 'vulnerable', reason: vulnerable.map(say).join('; ') };
  const unknown = attempts.filter((a) => a.verdict === 'unknown');
  if (unknown.length) return { verdict: 'unknown', reason: unknown.map(say).join('; ') };
  if (attempts.every((a) => a.heartbeat === false)) return { verdict: 'not-vulnerable', reason: 'the server does not negotiate the heartbeat extension' };
  return { verdict: 'not-vulnerable', reason: attempts.map(say).join('; ') };
}

async function attempt(ctx: ProbeContext, ep: Endpoint, version: HeartbeatVersion, firstPick?: { suite: number; refusedBundles: number }): Promise<HeartbleedAttempt> {
  const marker = randomBytes(16);
  const hello = buildClientHello({
    ...helloExtras(WIRE_VERSION_OF[version]),
    version: WIRE_VERSION_OF[version],
    cipherSuites: acceptedBundle(WIRE_VERSION_OF[version], firstPick),
    serverName: ctx.target.sni,
    heartbeat: true,
  });
  return withRawSession({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) }, async (s) => {
    s.send(hello.record);
    const flight = await readFlight(s);
    if (flight.kind !== 'flight') return { version, heartbeat: null, verdict: 'unknown', detail: `the hello offering heartbeat: ${flight.reason}`, decidedBy: 'failure' };
    if (flight.serverHello.heartbeatMode === undefined) {
      return { version, heartbeat: false, verdict: 'not-vulnerable', detail: 'the heartbeat extension was not negotiated', decidedBy: 'no-heartbeat' };
    }
    if (!flight.helloDone) return { version, heartbeat: true, verdict: 'unknown', detail: 'the first flight did not end with ServerHelloDone', decidedBy: 'failure' };
    const wire = flight.serverHello.selectedVersion;
    const sentAt = Date.now();
    s.send(Buffer.concat([overlongHeartbeat(wire), heartbeatRequest(wire, marker), outOfPlaceHandshake(wire)]));
    s.halfClose();
    // Bounded: a server streaming unrelated records is cut off by the deadline or the byte cap.
    for (;;) {
      const judged = judgeHeartbeatAnswer(await s.next(), marker);
      if (judged) return { version, heartbeat: true, ...judged, answerMs: Date.now() - sentAt };
    }
  });
}

export const vulnHeartbleedProbe = defineEndpointProbe({
  id: 'vuln-heartbleed',
  title: 'Heartbleed (CVE-2014-0160)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['vulnerabilities.heartbleed'],
  async collect(ctx, deps): Promise<VulnHeartbleedEvidence> {
    const ep = ctx.endpoint;
    const { protocols, firstPick } = needProtocols(deps);
    const versions = VERSIONS.filter((v) => protocols[v] === true);
    if (versions.length === 0) {
      const untested = VERSIONS.filter((v) => protocols[v] === null);
      if (untested.length) return { verdict: 'unknown', attempts: [], reason: `${untested.join(', ')} could not be tested, and no TLS 1.0–1.2 version is known to be accepted` };
      return { verdict: 'not-vulnerable', attempts: [], reason: 'no TLS 1.0–1.2 version is accepted, so heartbeat cannot be negotiated' };
    }
    // A single-threaded server busy with another connection leaves ours unanswered: asked again alone.
    const alone = { retryAlone: (a: HeartbleedAttempt) => a.verdict === 'unknown' && TIMED_OUT.test(a.detail) };
    const attempts = await Promise.all(versions.map((v) => ctx.withConnection(ep.ip, () => attempt(ctx, ep, v, firstPick[v]), alone)));
    return { ...combineHeartbleed(attempts), attempts };
  },
  check: (ev: VulnHeartbleedEvidence) => checkHeartbleed(ev),
  fields: (ev) => ({ vulnerabilities: { heartbleed: ev.verdict } }),
});
