// Handshake simulation (SSL Labs' "Handshake Simulation", testssl.sh -c): each client profile's
// captured ClientHello replayed against the endpoint with the target's SNI, a fresh random and our
// own key shares, read up to ServerHelloDone (TLS ≤ 1.2: Certificate and ServerKeyExchange in the
// clear) or through the TLS 1.3 flight, which we decrypt with the handshake keys of our shares to
// read the certificate the client would get (when the server picks a group we cannot compute, a
// post-quantum hybrid, the certificate stays unknown with a note: it is never guessed). A
// HelloRetryRequest is followed as the client would: one more hello with a share for the group
// asked for, when the client lists it — on a new connection, as the server keeps no state between
// the two. Clients whose hellos a server reads alike share one handshake. src/tls/simulation.ts judges.
import { defineEndpointProbe, ProbeFailed, ProbeSkipped, type EndpointContext } from '../../engine/probe.js';
import { describeCertificate } from '../../cert/describe.js';
import { kindFromReason } from '../../engine/errors.js';
import { loadClientProfiles } from '../../data/client-profiles.js';
import type { SimulationEntry } from '../../model/report.js';
import { helloWithRetry, type OfferTarget } from '../../net/tls/offer.js';
import type { RawHelloOptions, RawHelloResult } from '../../net/tls/raw-client.js';
import {
  helloOffers,
  parseClientHelloRecords,
  replayClientHello,
  replaySslv2Hello,
  type ParsedClientHello,
} from '../../net/tls/wire/client-hello-replay.js';
import { keyShareFor } from '../../net/tls/wire/client-hello.js';
import { ExtensionType, ProtocolVersion } from '../../net/tls/wire/constants.js';
import { parseServerKeyExchange } from '../../net/tls/wire/server-messages.js';
import { isGrease, sslv2KindByCode, suiteByCode } from '../../tls/registry/index.js';
import {
  checkSimulation,
  clientVersions,
  simulateClient,
  type ClientOffers,
  type ClientProfile,
  type SimulatedCertificate,
  type SimulationObservation,
} from '../../tls/simulation.js';
import { needProtocols, offerTarget, tlsProtocolsProbe } from './protocols.js';

export interface TlsSimulationEvidence {
  entries: SimulationEntry[];
  /** Distinct hellos sent (HelloRetryRequest follow-ups included). */
  handshakes: number;
}

type Prepared =
  | { profile: ClientProfile; kind: 'tls'; hello: ParsedClientHello; offers: ClientOffers; key: string }
  | { profile: ClientProfile; kind: 'sslv2'; hello: Buffer; offers: ClientOffers; key: string }
  | { profile: ClientProfile; kind: 'broken'; reason: string };

/** Extensions the replay drops (see replayClientHello): they cannot make two hellos differ. */
const NOT_REPLAYED = new Set<number>([ExtensionType.padding, ExtensionType.preSharedKey, ExtensionType.earlyData, ExtensionType.cookie]);

/** What a server reads from a hello, minus what the replay renews: equal keys, one handshake. */
function helloKey(h: ParsedClientHello, sendsSni: boolean): string {
  const exts = (h.extensions ?? [])
    .filter((e) => !NOT_REPLAYED.has(e.type))
    .map((e) => {
      if (e.type === ExtensionType.serverName) return `${e.type}:sni`;
      if (e.type === ExtensionType.sessionTicket) return `${e.type}:`;
      if (e.type === ExtensionType.keyShare) return `${e.type}:${helloOffers({ ...h, extensions: [e] }).keyShareGroups.join(',')}`;
      return `${e.type}:${e.data.toString('hex')}`;
    });
  return JSON.stringify([h.recordVersion, h.legacyVersion, h.sessionIdLength > 0, h.cipherSuites, h.compressionMethods, h.extensions === null, exts, sendsSni]);
}

function prepare(profile: ClientProfile, sni: string | null): Prepared {
  const bytes = Buffer.from(profile.hello, 'hex');
  const range = clientVersions(profile, null);
  if (profile.helloFormat === 'sslv2') {
    const v2 = replaySslv2Hello(bytes);
    if (!v2.ok) return { profile, kind: 'broken', reason: `the profile's hello is unreadable: ${v2.error}` };
    const specs = bytes.subarray(11, 11 + bytes.readUInt16BE(5));
    // SSLv2-format hellos carry TLS suites as 3-byte specs starting with 0x00.
    const suites: number[] = [];
    for (let i = 0; i + 3 <= specs.length; i += 3) if (specs[i] === 0) suites.push(specs.readUInt16BE(i + 1));
    return { profile, kind: 'sslv2', hello: bytes, offers: { versions: range, suites, groups: null }, key: `v2:${profile.id}` };
  }
  const parsed = parseClientHelloRecords(bytes);
  if (!parsed.ok) return { profile, kind: 'broken', reason: `the profile's hello is unreadable: ${parsed.error}` };
  const o = helloOffers(parsed.value);
  const supported = o.supportedVersions?.filter((v) => !isGrease(v)) ?? null;
  const offers: ClientOffers = {
    versions: clientVersions(profile, supported),
    suites: parsed.value.cipherSuites.filter((s) => !isGrease(s)),
    groups: parsed.value.extensions?.some((e) => e.type === ExtensionType.supportedGroups) ? o.groups.filter((g) => !isGrease(g)) : null,
  };
  const sendsSni = o.serverName && sni !== null;
  return { profile, kind: 'tls', hello: parsed.value, offers, key: helloKey(parsed.value, sendsSni) };
}

/** The leaf's key and signature, or null with why. */
function leafFacts(certificates: Buffer[]): { certificate: SimulatedCertificate | null; note?: string } {
  const der = certificates[0];
  if (!der) return { certificate: null, note: 'the server sent no certificate' };
  try {
    const c = describeCertificate(der, 0, { host: null, now: new Date(), trusted: null, trustError: null, ocspStapled: null });
    return { certificate: { keyType: c.keyType, keyBits: c.keyBits, signatureAlgorithm: c.signatureAlgorithm, fingerprintSha256: c.fingerprintSha256 } };
  } catch (err) {
    return { certificate: null, note: `the certificate is unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

type HelloAnswer = Extract<RawHelloResult, { kind: 'server-hello' }>;

/** The server's answer as an observation (before the client's limits are applied). */
function observationOf(r: RawHelloResult, helloRetryGroup?: number): SimulationObservation {
  switch (r.kind) {
    case 'server-hello':
      return answerOf(r, helloRetryGroup);
    case 'alert':
      return { kind: 'refused', reason: `alert ${r.name}` };
    case 'closed':
      return { kind: 'refused', reason: r.reason };
    case 'sslv2-server-hello': {
      const code = r.value.cipherKinds[0];
      return { kind: 'sslv2', cipherKind: code === undefined ? 'none' : (sslv2KindByCode(code)?.name ?? `0x${code.toString(16)}`) };
    }
    default:
      return { kind: 'untestable', reason: r.reason };
  }
}

function answerOf(r: HelloAnswer, helloRetryGroup?: number): SimulationObservation {
  const sh = r.serverHello;
  const base = { kind: 'answer' as const, version: sh.selectedVersion, suite: sh.cipherSuite, ...(helloRetryGroup !== undefined ? { helloRetryGroup } : {}) };
  if (sh.selectedVersion >= ProtocolVersion.TLSv1_3) {
    // The certificate comes from the decrypted flight (our key shares); when it could not be
    // decrypted (a group we cannot compute, such as a post-quantum hybrid) it stays unknown.
    const cert = r.certificates.length ? leafFacts(r.certificates) : { certificate: null, note: `the encrypted flight was not read (${r.interruptedBy ?? 'incomplete'})` };
    // An alert inside the flight is the server breaking off; our own decryption failing is not the client's.
    const brokeOff = r.interruptedBy?.startsWith('alert') ? { interruptedBy: r.interruptedBy } : {};
    return { ...base, group: sh.keyShareGroup ?? null, dhBits: null, certificate: cert.certificate, ...(cert.note ? { certificateNote: cert.note } : {}), ...brokeOff };
  }
  let group: number | null = null;
  let dhBits: number | null = null;
  const kx = suiteByCode(sh.cipherSuite)?.kx ?? '';
  if (r.serverKeyExchange && ['DHE', 'DH', 'ECDHE', 'ECDH'].includes(kx)) {
    const ske = parseServerKeyExchange(r.serverKeyExchange, kx.startsWith('ECDH') ? 'ECDHE' : 'DHE', sh.selectedVersion);
    if (ske.ok && ske.value.kind === 'DHE') dhBits = ske.value.primeBits;
    if (ske.ok && ske.value.kind === 'ECDHE') group = ske.value.namedGroup;
  }
  const cert = leafFacts(r.certificates);
  return { ...base, group, dhBits, certificate: cert.certificate, ...(cert.note ? { certificateNote: cert.note } : {}), ...(r.interruptedBy ? { interruptedBy: r.interruptedBy } : {}) };
}

async function send(ctx: EndpointContext, target: OfferTarget, hello: Buffer, extra: Partial<RawHelloOptions>): Promise<RawHelloResult> {
  const opts: RawHelloOptions = {
    ip: target.ip,
    port: target.port,
    timeoutMs: target.timeoutMs,
    signal: target.signal,
    hello,
    readUntil: 'server-hello-done',
    ...(target.starttls ? { starttls: target.starttls, ...(target.ehloName ? { ehloName: target.ehloName } : {}) } : {}),
    ...extra,
  };
  return ctx.withConnection(target.ip, () => helloWithRetry(opts), { retryAlone: (r) => r.kind === 'timeout' });
}

/** One replay (plus the retry a HelloRetryRequest asks for); `count` counts the hellos sent. */
async function replay(ctx: EndpointContext, target: OfferTarget, p: Extract<Prepared, { kind: 'tls' | 'sslv2' }>, count: () => void): Promise<SimulationObservation> {
  const serverName = p.profile.sni ? target.servername : null;
  count();
  if (p.kind === 'sslv2') {
    const hello = replaySslv2Hello(p.hello);
    if (!hello.ok) return { kind: 'untestable', reason: hello.error };
    return observationOf(await send(ctx, target, hello.value, { sslv2: true }));
  }
  const built = replayClientHello(p.hello, { serverName });
  const tls13 = p.offers.versions.includes(ProtocolVersion.TLSv1_3);
  const first = await send(ctx, target, built.record, tls13 ? { decryptTls13: built } : {});
  if (first.kind !== 'server-hello' || !first.serverHello.isHelloRetryRequest) return observationOf(first);
  const sh = first.serverHello;
  const group = sh.keyShareGroup;
  const fromHrr: SimulationObservation = { kind: 'answer', version: sh.selectedVersion, suite: sh.cipherSuite, group: group ?? null, dhBits: null, certificate: null, ...(group !== undefined ? { helloRetryGroup: group } : {}) };
  // A group the client never offered: it aborts (the check says so); one we cannot compute: the HRR is all we know.
  if (group === undefined || !(p.offers.groups ?? []).includes(group)) return fromHrr;
  if (!keyShareFor(group)) return { ...fromHrr, certificateNote: `the server asked for a retry with group ${group}, for which secgrade makes no key share` };
  count();
  const retry = replayClientHello(p.hello, { serverName, keyShareGroups: [group] });
  const second = await send(ctx, target, retry.record, { decryptTls13: retry });
  if (second.kind === 'server-hello' && second.serverHello.isHelloRetryRequest) return { kind: 'refused', reason: 'a second HelloRetryRequest' };
  return observationOf(second, group);
}

export async function collectTlsSimulation(ctx: EndpointContext, target: OfferTarget, profiles: readonly ClientProfile[]): Promise<TlsSimulationEvidence> {
  const prepared = profiles.map((p) => prepare(p, target.servername));
  const runs = new Map<string, Promise<SimulationObservation>>();
  let handshakes = 0;
  const count = (): void => void handshakes++;
  for (const p of prepared) {
    if (p.kind !== 'broken' && !runs.has(p.key)) runs.set(p.key, replay(ctx, target, p, count));
  }
  // All awaited together: an interrupted scan rejects every pending one, and each must be handled.
  const observed = new Map(await Promise.all([...runs].map(async ([key, run]) => [key, await run] as const)));
  const entries = prepared.map((p) =>
    p.kind === 'broken'
      ? simulateClient(p.profile, { versions: [], suites: [], groups: null }, { kind: 'untestable', reason: p.reason })
      : simulateClient(p.profile, p.offers, observed.get(p.key)!),
  );
  if (entries.length > 0 && entries.every((e) => e.status === 'untested')) {
    const reason = entries[0]?.reason ?? 'unknown';
    throw new ProbeFailed(`no simulated client got an answer (${reason})`, kindFromReason(reason, 'protocol'));
  }
  return { entries, handshakes };
}

export const tlsSimulationProbe = defineEndpointProbe({
  id: 'tls-simulation',
  title: 'Handshake simulation',
  categories: ['simulation'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['simulation'],
  async collect(ctx, deps) {
    const { protocols } = needProtocols(deps);
    if (!Object.values(protocols).some((v) => v === true)) throw new ProbeSkipped('the endpoint accepts no SSL or TLS handshake');
    return collectTlsSimulation(ctx, offerTarget(ctx, ctx.endpoint), loadClientProfiles());
  },
  check: (ev: TlsSimulationEvidence) => checkSimulation(ev.entries),
  fields: (ev) => ({ simulation: ev.entries }),
});
