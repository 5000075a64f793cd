// Protocol features beyond versions and suites: ALPN, secure renegotiation (RFC 5746),
// TLS_FALLBACK_SCSV (RFC 7507), extended master secret (RFC 7627), OCSP stapling, the SCT
// extension, heartbeat, session tickets, compression (CRIME) and session resumption.
//
// What a ServerHello tells is asked with raw hellos at the highest accepted TLS ≤ 1.2 version, all
// extensions in one hello (each alone only if that combined hello is refused). What is encrypted
// in TLS 1.3 (ALPN, stapled OCSP) and what needs a completed handshake (resumption) goes through
// Node's TLS client, or the raw engine's own handshake (handshake12/) where Node cannot negotiate.
// Handshakes for a TLS 1.2 + 1.3 server: 3 raw hellos and up to 7 Node ones.
// One function per question below, all sharing one `FeatureRun` (the evidence they fill in).
import type { SecureVersion } from 'node:tls';
import { defineEndpointProbe, preambleOf, ProbeSkipped, type Endpoint, type EndpointContext } from '../../engine/probe.js';
import type { ProtocolName } from '../../model/report.js';
import { rawResumption, type ResumptionMechanism } from '../../net/tls/handshake12/resume.js';
import { offerTimedOut, offerTls, type HelloExtras, type OfferVerdict } from '../../net/tls/offer.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../../net/tls/suite-order.js';
import { AlertDescription } from '../../net/tls/wire/constants.js';
import type { TlsCiphersEvidence } from '../../tls/ciphers.js';
import { ALPN_PROTOCOLS, checkTlsFeatures, type TlsFeaturesEvidence } from '../../tls/features.js';
import { suiteByName } from '../../tls/registry/index.js';
import { tlsCiphersProbe } from './ciphers.js';
import { helloExtras, needProtocols, offerTarget, tlsProtocolsProbe, WIRE_VERSION_OF } from './protocols.js';
import { sessionHandshake, type SessionHandshakeOptions, type SessionHandshakeOutcome } from './session-handshake.js';

type TlsVersionName = Exclude<ProtocolName, 'SSLv2'>;
type LegacyVersion = Exclude<TlsVersionName, 'TLSv1.3'>;

const LEGACY_ORDER: readonly LegacyVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];
const VERSION_ORDER: readonly TlsVersionName[] = ['TLSv1.3', ...LEGACY_ORDER];

const SCSV_RENEGOTIATION = 0x00ff;
const SCSV_FALLBACK = 0x5600;
const COMPRESSION_DEFLATE = 1;

// ---------------------------------------------------------------------------------------------
// Collection

const NODE_VERSION: Record<Exclude<TlsVersionName, 'SSLv3'>, SecureVersion> = {
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

const NODE_CIPHERS: Partial<Record<TlsVersionName, string>> = {
  // OpenSSL 3 refuses TLS < 1.2 at the default security level.
  'TLSv1.0': 'ALL:@SECLEVEL=0',
  'TLSv1.1': 'ALL:@SECLEVEL=0',
  // Every TLS 1.3 suite OpenSSL has, CCM ones included (off by default), so a CCM-only server answers.
  'TLSv1.3': 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256',
};

type Accepted = Extract<OfferVerdict, { kind: 'accepted' }>;
type Answer = boolean | null;

type AskKey = 'compression' | 'secureRenegotiation' | 'extendedMasterSecret' | 'ocspStapling' | 'sctExtension' | 'heartbeat' | 'sessionTickets' | 'alpn';

/** One question folded into the combined hello, or asked alone if the combined hello is refused. */
interface Ask {
  what: string;
  extras: HelloExtras;
  read(v: Accepted): Answer;
}

/** Accepted suites (code points) of a version from tls-ciphers, else the first probing bundle. */
function suitesFor(ciphers: TlsCiphersEvidence | undefined, p: TlsVersionName): number[] {
  const known = (ciphers?.suites[p] ?? []).map((n) => suiteByName(n)?.code).filter((c): c is number => c !== undefined);
  return (known.length ? known : [...probeOrder(WIRE_VERSION_OF[p])]).slice(0, MAX_SUITES_PER_HELLO - 1);
}

const any = (...xs: Answer[]): Answer => (xs.includes(true) ? true : xs.includes(false) ? false : null);

function verdictText(v: OfferVerdict): string {
  switch (v.kind) {
    case 'accepted':
      return 'accepted';
    case 'other-version':
      return `answered with version 0x${v.selectedVersion.toString(16)}`;
    default:
      return v.reason;
  }
}

/** What every question of one run shares: where to ask, what is known, and the evidence filled in. */
interface FeatureRun {
  ctx: EndpointContext;
  ep: Endpoint;
  ciphers: TlsCiphersEvidence | undefined;
  /** Accepted versions, best first. */
  accepted: readonly TlsVersionName[];
  legacy: LegacyVersion | null;
  tls13: boolean;
  ev: TlsFeaturesEvidence;
  /** TLS 1.3 tickets come after the handshake; wait this long for one. */
  sessionWaitMs: number;
  /** ALPN answers: [first offer (h2, http/1.1), second offer (http/1.1)]; undefined = not asked. */
  alpnPicks: Array<string | null | undefined>;
  /** The ALPN pick of the TLS ≤ 1.2 combined hello (the fallback when TLS 1.3 gave none). */
  legacyAlpn: string | null | undefined;
}

function offer(run: FeatureRun, p: TlsVersionName, suites: number[], extras: HelloExtras, readUntil: 'server-hello' | 'server-hello-done' = 'server-hello') {
  return run.ctx.withConnection(run.ep.ip, () => offerTls(offerTarget(run.ctx, run.ep), WIRE_VERSION_OF[p], suites, extras, readUntil), { retryAlone: offerTimedOut });
}

function handshake(run: FeatureRun, o: SessionHandshakeOptions) {
  return run.ctx.withConnection(run.ep.ip, () => sessionHandshake(o), { retryAlone: (r) => !r.ok && r.timedOut === true });
}

function nodeBase(run: FeatureRun, p: Exclude<TlsVersionName, 'SSLv3'>) {
  return {
    ip: run.ep.ip,
    port: run.ep.port,
    servername: run.ctx.target.sni,
    minVersion: NODE_VERSION[p],
    maxVersion: NODE_VERSION[p],
    ...(NODE_CIPHERS[p] ? { ciphers: NODE_CIPHERS[p] } : {}),
    timeoutMs: run.ctx.connectTimeoutMs,
    signal: run.ctx.signal,
    ...preambleOf(run.ctx.target),
  };
}

/** What a TLS ≤ 1.2 ServerHello answers, one entry per feature (SSLv3 hellos carry no extensions). */
function serverHelloQuestions(run: FeatureRun, ssl3: boolean): Array<[AskKey, Ask]> {
  const asks: Array<[AskKey, Ask]> = [
    ['compression', { what: 'DEFLATE compression', extras: { compressionMethods: [COMPRESSION_DEFLATE, 0] }, read: (v) => v.serverHello.compressionMethod !== 0 }],
  ];
  if (ssl3) {
    run.ev.notes.push('SSLv3 hellos carry no extensions: extension-based features were not asked');
    return asks;
  }
  asks.push(
    ['secureRenegotiation', { what: 'renegotiation_info', extras: { renegotiationInfo: true }, read: (v) => v.serverHello.renegotiationInfo !== undefined }],
    ['extendedMasterSecret', { what: 'extended_master_secret', extras: { extendedMasterSecret: true }, read: (v) => v.serverHello.extendedMasterSecret }],
    [
      'ocspStapling',
      {
        what: 'status_request',
        extras: { statusRequest: true },
        read: (v) => (v.serverHello.statusRequest || v.raw.certificateStatus !== null ? true : v.raw.helloDone ? false : null),
      },
    ],
    ['sctExtension', { what: 'signed_certificate_timestamp', extras: { sct: true }, read: (v) => v.serverHello.sct !== undefined }],
    ['heartbeat', { what: 'heartbeat', extras: { heartbeat: true }, read: (v) => v.serverHello.heartbeatMode !== undefined }],
    ['sessionTickets', { what: 'session_ticket', extras: { sessionTicket: true }, read: (v) => v.serverHello.sessionTicket }],
  );
  // With TLS 1.3 accepted, ALPN is asked there (see tls13Handshakes); this is the fallback.
  asks.push([
    'alpn',
    {
      what: 'ALPN',
      extras: { alpn: [...ALPN_PROTOCOLS] },
      read: (v) => {
        run.legacyAlpn = v.serverHello.alpn ?? null;
        return null;
      },
    },
  ]);
  return asks;
}

/** Everything a TLS ≤ 1.2 ServerHello tells, in one hello (each alone if that one is refused). */
async function serverHelloFeatures(run: FeatureRun, p: LegacyVersion): Promise<void> {
  const { ev } = run;
  const suites = suitesFor(run.ciphers, p);
  const base = helloExtras(WIRE_VERSION_OF[p]);
  const asks = serverHelloQuestions(run, p === 'SSLv3');
  const set = (key: AskKey, value: Answer): void => {
    if (key !== 'alpn') ev[key] = value;
  };
  const ask = async (extras: HelloExtras) => offer(run, p, suites, { ...base, ...extras }, 'server-hello-done');
  const combined = await ask(Object.assign({}, ...asks.map(([, a]) => a.extras)) as HelloExtras);
  if (combined.kind === 'accepted') {
    for (const [key, a] of asks) set(key, a.read(combined));
    if (combined.raw.interruptedBy && ev.ocspStapling === null) ev.notes.push(`OCSP stapling: the flight ended early (${combined.raw.interruptedBy})`);
  } else if (combined.kind === 'untestable') {
    ev.notes.push(`${p} hello with every feature extension: ${combined.reason}`);
  } else {
    // Some extension (or DEFLATE) upsets the server: ask each alone so one does not hide the rest.
    ev.notes.push(`${p} hello with every feature extension was refused (${verdictText(combined)}): asked one at a time`);
    await Promise.all(
      asks.map(async ([key, a]) => {
        const v = await ask(a.extras);
        if (v.kind === 'accepted') set(key, a.read(v));
        else ev.notes.push(`${a.what}: the hello offering it was not accepted (${verdictText(v)})`);
      }),
    );
  }
}

/** RFC 5746's other signal: did the hello with the renegotiation SCSV (and no extension) get renegotiation_info back? */
function renegotiationScsvAnswer(run: FeatureRun, v: OfferVerdict): Answer {
  if (v.kind === 'accepted') return v.serverHello.renegotiationInfo !== undefined;
  run.ev.notes.push(`renegotiation SCSV: the hello was not accepted (${verdictText(v)})`);
  return null;
}

/** ALPN with http/1.1 alone, asked at TLS ≤ 1.2 (when there is no TLS 1.3 to ask it at). */
function alpnHttp11Answer(run: FeatureRun, v: OfferVerdict): void {
  if (v.kind === 'accepted') run.alpnPicks[1] = v.serverHello.alpn ?? null;
  else if (v.kind === 'refused') run.alpnPicks[1] = null; // e.g. no_application_protocol
  else run.ev.notes.push(`ALPN (http/1.1 alone): ${verdictText(v)}`);
}

/** The TLS ≤ 1.2 hellos side by side: the renegotiation SCSV, ALPN alone, the ServerHello features. */
async function legacyHellos(run: FeatureRun, p: LegacyVersion): Promise<void> {
  const { ev } = run;
  const suites = suitesFor(run.ciphers, p);
  const base = helloExtras(WIRE_VERSION_OF[p]);
  const scsv = offer(run, p, [...suites, SCSV_RENEGOTIATION], { ...base, renegotiationInfo: false });
  const alpnSecond = p !== 'SSLv3' && !run.tls13 ? offer(run, p, suites, { ...base, alpn: ['http/1.1'] }) : null;
  // Awaited below; if the combined hello throws first (deadline), these must not go unhandled.
  for (const pending of [scsv, alpnSecond]) pending?.catch(() => undefined);
  await serverHelloFeatures(run, p);
  const scsvAnswer = renegotiationScsvAnswer(run, await scsv);
  if (ev.secureRenegotiation !== null && scsvAnswer !== null && ev.secureRenegotiation !== scsvAnswer) {
    ev.notes.push(`secure renegotiation: ${ev.secureRenegotiation ? 'answered the extension but not the SCSV' : 'answered the SCSV but not the extension'}`);
  }
  // Either RFC 5746 signal answered means the server implements it.
  ev.secureRenegotiation = any(ev.secureRenegotiation, scsvAnswer);
  if (alpnSecond) alpnHttp11Answer(run, await alpnSecond);
}

/** A TLS 1.3-only server: renegotiation, EMS, compression are built out; the rest is encrypted. */
function tls13Only(run: FeatureRun): void {
  run.ev.compression = false;
  run.ev.notes.push(
    'only TLS 1.3 is accepted: renegotiation and compression do not exist in it and the master secret is always bound to the handshake; heartbeat, SCT and session_ticket answers are encrypted, so not asked',
  );
}

/** RFC 7507: the second-highest accepted version, flagged as a fallback. */
async function fallbackScsv(run: FeatureRun): Promise<void> {
  const [, second] = run.accepted;
  if (!second) {
    run.ev.notes.push('fallback SCSV: only one protocol version is accepted, so there is nothing to fall back to');
    return;
  }
  const v = await offer(run, second, [...suitesFor(run.ciphers, second), SCSV_FALLBACK], helloExtras(WIRE_VERSION_OF[second]));
  if (v.kind === 'refused' && v.alert === AlertDescription.inappropriateFallback) run.ev.fallbackScsv = true;
  else if (v.kind === 'accepted') run.ev.fallbackScsv = false;
  else run.ev.notes.push(`fallback SCSV: ${second} hello with TLS_FALLBACK_SCSV: ${verdictText(v)}`);
}

/** Resume a session made by `first`; true/false, or null with a note. */
async function resume(run: FeatureRun, label: string, o: SessionHandshakeOptions, first: Extract<SessionHandshakeOutcome, { ok: true }>): Promise<Answer> {
  if (!first.session) {
    run.ev.notes.push(`${label}: ${first.protocol === 'TLSv1.3' ? `no session ticket within ${o.sessionWaitMs} ms of the handshake` : 'the server issued no resumable session'}`);
    return false;
  }
  const second = await handshake(run, { ...o, session: first.session });
  if (!second.ok) {
    run.ev.notes.push(`${label}: the resuming handshake failed (${second.reason})`);
    return null;
  }
  return second.reused;
}

/** TLS 1.3: ALPN and OCSP (encrypted there), and resumption with a ticket (PSK). */
async function tls13Handshakes(run: FeatureRun): Promise<void> {
  const { ev } = run;
  const o: SessionHandshakeOptions = { ...nodeBase(run, 'TLSv1.3'), sessionWaitMs: run.sessionWaitMs, alpn: [...ALPN_PROTOCOLS], requestOCSP: !run.legacy };
  const first = await handshake(run, o);
  if (first.ok) {
    run.alpnPicks[0] = first.alpn;
    if (!run.legacy) ev.ocspStapling = first.ocspResponse !== null;
  } else {
    ev.notes.push(`TLS 1.3 handshake through Node: ${first.reason}`);
  }
  const [, t13] = await Promise.all([alpnHttp11Alone(run, first), first.ok ? resume(run, 'TLS 1.3 resumption', o, first) : null]);
  ev.resumption.tickets = any(ev.resumption.tickets, t13);
}

/**
 * ALPN with http/1.1 alone, at TLS 1.3: asked only when the first offer (h2, http/1.1) did not
 * already answer it — a pick of http/1.1 shows it, and a server that picked nothing from both has
 * nothing to pick from one (it is then reported as selecting none, as that hello showed).
 */
async function alpnHttp11Alone(run: FeatureRun, first: SessionHandshakeOutcome): Promise<void> {
  if (first.ok && (first.alpn === 'http/1.1' || first.alpn === null)) return;
  const second = await handshake(run, { ...nodeBase(run, 'TLSv1.3'), sessionWaitMs: 0, alpn: ['http/1.1'] });
  // A failure here is most often no_application_protocol: http/1.1 is then not supported.
  if (second.ok) run.alpnPicks[1] = second.alpn;
  else if (first.ok) run.alpnPicks[1] = null;
}

/**
 * When Node's OpenSSL cannot negotiate with the server (RC4-, 3DES-, NULL-, export- or small-DH-only
 * servers, chains over its 100 KiB limit), resumption is asked with the raw engine's own full
 * handshake instead; not after a timeout, which the raw engine would only wait out again.
 */
async function resumeRaw(run: FeatureRun, legacy: Exclude<LegacyVersion, 'SSLv3'>, mechanism: ResumptionMechanism, nodeReason: string): Promise<Answer> {
  const label = `${legacy} ${mechanism === 'ticket' ? 'ticket' : 'session-ID'} resumption`;
  const o = { ...offerTarget(run.ctx, run.ep), serverName: run.ctx.target.sni, version: legacy };
  const r = await rawResumption(o, mechanism, (fn) => run.ctx.withConnection(run.ep.ip, fn));
  if (!r.ok) {
    run.ev.notes.push(`${label}: handshake through Node failed (${nodeReason}); ${r.reason}`);
    return null;
  }
  run.ev.notes.push(`${label}: through the raw engine (${r.suite}; Node: ${nodeReason}): ${r.reason}`);
  return r.resumed;
}

/** TLS ≤ 1.2 resumption by session ID (tickets refused) and by ticket, through Node (the raw engine when Node cannot). */
async function legacyResumption(run: FeatureRun): Promise<void> {
  const { ev, legacy } = run;
  if (!legacy) {
    ev.notes.push('session-ID resumption: a TLS ≤ 1.2 mechanism, and only TLS 1.3 is accepted');
    return;
  }
  if (legacy === 'SSLv3') {
    ev.notes.push('resumption: SSLv3 cannot be negotiated through Node');
    return;
  }
  const ids: SessionHandshakeOptions = { ...nodeBase(run, legacy), noTicket: true, sessionWaitMs: 0 };
  const tickets: SessionHandshakeOptions = { ...nodeBase(run, legacy), sessionWaitMs: 0 };
  const byId = async (): Promise<void> => {
    const a = await handshake(run, ids);
    if (a.ok) ev.resumption.ids = await resume(run, `${legacy} session-ID resumption`, ids, a);
    else if (a.timedOut) ev.notes.push(`${legacy} session-ID resumption: handshake through Node failed (${a.reason})`);
    else ev.resumption.ids = await resumeRaw(run, legacy, 'session-id', a.reason);
  };
  const byTicket = async (): Promise<void> => {
    const b = await handshake(run, tickets);
    if (!b.ok && b.timedOut) {
      ev.notes.push(`${legacy} ticket resumption: handshake through Node failed (${b.reason})`);
    } else if (!b.ok) {
      ev.resumption.tickets = any(ev.resumption.tickets, await resumeRaw(run, legacy, 'ticket', b.reason));
    } else if (!b.ticket) {
      ev.notes.push(`${legacy}: the server issued no session ticket`);
      ev.resumption.tickets = any(ev.resumption.tickets, false);
    } else {
      const resumed = await resume(run, `${legacy} ticket resumption`, tickets, b);
      ev.resumption.tickets = any(ev.resumption.tickets, resumed);
    }
  };
  await Promise.all([byId(), byTicket()]);
}

/** ALPN from the answers gathered: h2 first, then http/1.1; anything else the server picked is only noted. */
function settleAlpn(run: FeatureRun): void {
  const { ev, alpnPicks } = run;
  if (alpnPicks[0] === undefined && run.legacyAlpn !== undefined) {
    alpnPicks[0] = run.legacyAlpn;
    if (run.tls13) ev.notes.push(`ALPN: answered from the ${run.legacy} hello, the TLS 1.3 handshake having failed`);
  }
  const picks = alpnPicks.filter((p): p is string | null => p !== undefined);
  for (const p of picks) if (p !== null && !(ALPN_PROTOCOLS as readonly string[]).includes(p)) ev.notes.push(`ALPN: server selected ${p}, which was not offered`);
  ev.alpn = ALPN_PROTOCOLS.filter((p) => picks.includes(p));
  if (picks.length > 0 && picks.every((p) => p === null)) ev.notes.push('ALPN: the server selected no protocol');
  if (alpnPicks[0] === 'http/1.1') ev.notes.push('ALPN: offered h2 and http/1.1, the server chose http/1.1');
}

/** tls-features evidence before any hello: every feature unknown (null), for the versions to be asked. */
export function untestedFeatures(versions: TlsFeaturesEvidence['versions'], notes: string[]): TlsFeaturesEvidence {
  return {
    alpn: [],
    secureRenegotiation: null,
    fallbackScsv: null,
    extendedMasterSecret: null,
    ocspStapling: null,
    sctExtension: null,
    heartbeat: null,
    sessionTickets: null,
    compression: null,
    resumption: { ids: null, tickets: null },
    versions,
    notes,
  };
}

export const tlsFeaturesProbe = defineEndpointProbe({
  id: 'tls-features',
  title: 'TLS features',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe, tlsCiphersProbe],
  owns: ['features'],
  async collect(ctx, deps): Promise<TlsFeaturesEvidence> {
    const protocols = needProtocols(deps);
    const ciphers = deps.get(tlsCiphersProbe);
    const accepted = VERSION_ORDER.filter((p) => protocols.protocols[p] === true);
    if (accepted.length === 0) throw new ProbeSkipped('no TLS version was accepted');
    const legacy = LEGACY_ORDER.find((p) => protocols.protocols[p] === true) ?? null;
    const tls13 = protocols.protocols['TLSv1.3'] === true;
    const notes: string[] = [];
    if (!ciphers) notes.push('cipher suites unknown (tls-ciphers did not complete): offered the first probing bundle');
    const run: FeatureRun = {
      ctx,
      ep: ctx.endpoint,
      ciphers,
      accepted,
      legacy,
      tls13,
      ev: untestedFeatures({ legacy, tls13 }, notes),
      sessionWaitMs: Math.min(2000, ctx.connectTimeoutMs),
      alpnPicks: [undefined, undefined],
      legacyAlpn: undefined,
    };
    if (!legacy) tls13Only(run);
    await Promise.all([legacy ? legacyHellos(run, legacy) : null, fallbackScsv(run), tls13 ? tls13Handshakes(run) : null, legacyResumption(run)]);
    settleAlpn(run);
    return run.ev;
  },
  check: (ev: TlsFeaturesEvidence) => checkTlsFeatures(ev),
  fields: (ev) => ({
    features: {
      alpn: ev.alpn,
      secureRenegotiation: ev.secureRenegotiation,
      fallbackScsv: ev.fallbackScsv,
      extendedMasterSecret: ev.extendedMasterSecret,
      ocspStapling: ev.ocspStapling,
      sctExtension: ev.sctExtension,
      heartbeat: ev.heartbeat,
      sessionTickets: ev.sessionTickets,
      compression: ev.compression,
      resumption: ev.resumption,
    },
  }),
});
