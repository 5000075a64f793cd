// CCS injection (CVE-2014-0224): OpenSSL before 0.9.8za / 1.0.0m / 1.0.1h accepted a
// ChangeCipherSpec before the key exchange and switched to keys derived from an empty master
// secret. As testssl.sh and nmap's ssl-ccs-injection do (after Ramon de C Valle's ccsinjection.c),
// we read the first flight to ServerHelloDone at the highest accepted version ≤ 1.2, then send
// ChangeCipherSpec twice. A patched server refuses the first with an alert (unexpected_message);
// a vulnerable one takes it, then reads the second as an encrypted record that fails to decrypt:
// bad_record_mac or decryption_failed. Unlike testssl.sh (which waits 5 s after each for silence)
// we then send a plaintext handshake message no client sends there, and the end of our input: a
// server that silently ignored the early ChangeCipherSpecs reads it in the clear and refuses it
// (unexpected_message), which also shows it never switched keys; one that took them fails to
// decrypt first. So every server answers at once. One connection.
import { defineEndpointProbe, preambleOf, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import type { VULNERABILITY_VERDICTS } from '../../model/constants.js';
import { acceptedBundle, changeCipherSpecRecord, outOfPlaceHandshake } from '../../net/tls/probe-records.js';
import { readFlight, TIMED_OUT, withRawSession, type SessionEvent } from '../../net/tls/raw-session.js';
import { buildClientHello } from '../../net/tls/wire/client-hello.js';
import { alertName, ContentType } from '../../net/tls/wire/constants.js';
import { checkCcsInjection, type CcsVersion, type VulnCcsInjectionEvidence } from '../../tls/vulns/ccs-injection.js';
import { helloExtras, needProtocols, tlsProtocolsProbe, WIRE_VERSION_OF } from '../tls/protocols.js';

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
const VERSIONS: readonly CcsVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

const BAD_RECORD_MAC = 20;
const DECRYPTION_FAILED = 21;

export type CcsJudgement = { verdict: Verdict; answer: string; reason: string; decidedBy: NonNullable<VulnCcsInjectionEvidence['decidedBy']> };

/** What one event after the early ChangeCipherSpecs (and the message after them) means; null = not decisive, read on. */
export function judgeCcsAnswer(ev: SessionEvent): CcsJudgement | null {
  switch (ev.kind) {
    case 'record': {
      if (ev.contentType !== ContentType.alert) {
        // nmap counts any non-alert answer as vulnerable; without a decryptable record that is a guess.
        return { verdict: 'unknown', answer: `record of type ${ev.contentType}`, reason: `the server answered with a record of type ${ev.contentType}, not an alert`, decidedBy: 'record' };
      }
      const level = ev.fragment[0];
      const description = ev.fragment[1];
      if (description === undefined) return { verdict: 'unknown', answer: 'truncated alert', reason: 'a truncated alert record', decidedBy: 'failure' };
      if (level === 1 && description !== 0) return null; // a warning the server carries on after
      const answer = `alert ${alertName(description)}`;
      if (description === BAD_RECORD_MAC || description === DECRYPTION_FAILED) {
        return { verdict: 'vulnerable', answer, reason: `the early ChangeCipherSpec was accepted: the next record failed to decrypt (${answer})`, decidedBy: 'alert' };
      }
      // The refusal of the ChangeCipherSpec itself, or of the plaintext message after it: either way
      // the server still read plaintext, so it had not switched to keys from an empty master secret.
      return { verdict: 'not-vulnerable', answer, reason: `the early ChangeCipherSpec was refused (${answer})`, decidedBy: 'alert' };
    }
    case 'silent':
      return null;
    case 'closed':
    case 'reset':
      if (ev.midRecord) return { verdict: 'unknown', answer: ev.kind, reason: `${ev.reason} in the middle of a record`, decidedBy: 'failure' };
      // testssl.sh: a connection torn down on the early ChangeCipherSpec is a refusal.
      return { verdict: 'not-vulnerable', answer: ev.kind, reason: `${ev.reason} on the early ChangeCipherSpec`, decidedBy: 'close' };
    case 'timeout':
      // nmap: silence decides nothing (a refusal would come at once, acceptance shows as a MAC failure).
      return { verdict: 'unknown', answer: 'no answer', reason: `the early ChangeCipherSpec was neither refused nor visibly accepted (${ev.reason})`, decidedBy: 'deadline' };
    default:
      return { verdict: 'unknown', answer: ev.kind, reason: ev.reason, decidedBy: 'failure' };
  }
}

async function inject(ctx: ProbeContext, ep: Endpoint, version: CcsVersion, firstPick?: { suite: number; refusedBundles: number }): Promise<VulnCcsInjectionEvidence> {
  const wireName = WIRE_VERSION_OF[version];
  const hello = buildClientHello({ ...helloExtras(wireName), version: wireName, cipherSuites: acceptedBundle(wireName, firstPick), serverName: ctx.target.sni });
  return withRawSession({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) }, async (s) => {
    s.send(hello.record);
    const flight = await readFlight(s);
    if (flight.kind !== 'flight' || !flight.helloDone) {
      const why = flight.kind === 'flight' ? 'the first flight did not end with ServerHelloDone' : flight.reason;
      return { verdict: 'unknown', version, answer: null, reason: `${version} hello: ${why}`, decidedBy: 'failure' };
    }
    const v = flight.serverHello.selectedVersion;
    const ccs = changeCipherSpecRecord(v);
    const sentAt = Date.now();
    s.send(Buffer.concat([ccs, ccs, outOfPlaceHandshake(v)]));
    s.halfClose();
    for (;;) {
      const judged = judgeCcsAnswer(await s.next());
      if (judged) return { ...judged, version, answerMs: Date.now() - sentAt };
    }
  });
}

export const vulnCcsInjectionProbe = defineEndpointProbe({
  id: 'vuln-ccs-injection',
  title: 'OpenSSL CCS injection (CVE-2014-0224)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['vulnerabilities.ccsInjection'],
  async collect(ctx, deps): Promise<VulnCcsInjectionEvidence> {
    const ep = ctx.endpoint;
    const { protocols, firstPick } = needProtocols(deps);
    const version = VERSIONS.find((v) => protocols[v] === true);
    if (!version) {
      if (VERSIONS.some((v) => protocols[v] === null)) return { verdict: 'unknown', version: null, answer: null, reason: 'no SSLv3–TLS 1.2 version is known to be accepted, and some could not be tested' };
      // TLS 1.3 ignores ChangeCipherSpec by design (RFC 8446 §5): the flaw cannot arise.
      return { verdict: 'not-vulnerable', version: null, answer: null, reason: 'no SSLv3–TLS 1.2 version is accepted' };
    }
    // A single-threaded server busy with another connection leaves ours unanswered: asked again alone.
    return ctx.withConnection(ep.ip, () => inject(ctx, ep, version, firstPick[version]), { retryAlone: (e) => e.verdict === 'unknown' && TIMED_OUT.test(e.reason) });
  },
  check: (ev: VulnCcsInjectionEvidence) => checkCcsInjection(ev),
  fields: (ev) => ({ vulnerabilities: { ccsInjection: ev.verdict } }),
});
