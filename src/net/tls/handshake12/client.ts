// A complete TLS 1.0–1.2 client handshake on the raw engine, for the probes that need a negotiated
// session (a session ID, a NewSessionTicket) from servers Node's OpenSSL cannot talk to: RC4-,
// 3DES-, DES-, NULL-, export- or small-DH-only servers. Offers only suites it can complete (see
// suites.ts), verifies the server's Finished, says close_notify and hangs up. A caller that needs
// one exchange over the session (a single HTTP request) passes `afterHandshake`: it runs between
// the verified Finished and close_notify, under the same deadline and byte cap.
// Same discipline as the rest of the engine: pinned IP, one deadline, the AbortSignal, byte caps.
import { MAX_SUITES_PER_HELLO } from '../suite-order.js';
import { withRawSession, type RawSessionOptions } from '../raw-session.js';
import { Reader, Writer } from '../wire/bytes.js';
import { buildClientHello, WIRE_VERSIONS } from '../wire/client-hello.js';
import { ContentType, HandshakeType, ProtocolVersion, handshakeTypeName, versionName } from '../wire/constants.js';
import { parseCertificateMessage, parseServerHello, type ParsedServerHello } from '../wire/server-messages.js';
import { HandshakeConnection, type Incoming } from './connection.js';
import {
  CLIENT_EC_GROUPS,
  dhKeyExchange,
  ecdhKeyExchange,
  parseServerKeyParams,
  rsaKeyExchange,
  rsaKeyFor,
  type KeyExchangeOutcome,
} from './key-exchange.js';
import { exportKeys, finishedVerifyData, keyBlock, masterSecret, type PrfKind } from './prf.js';
import { macLength, RecordCipher, type DirectionKeys } from './record-cipher.js';
import { completableSuites, handshakeSuite, suiteAllowed, type HandshakeSuite } from './suites.js';
import type { Result } from '../wire/bytes.js';

export type Handshake12Version = 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2';

export interface Handshake12Options extends RawSessionOptions {
  /** SNI; null or an IP literal sends none. */
  serverName: string | null;
  /** The version offered (client_version); the server may pick a lower one down to TLS 1.0. */
  version: Handshake12Version;
  /** Suites in preference order (default: every one we can complete, strongest first); others are dropped. */
  cipherSuites?: readonly number[];
  /** Offer RFC 7627's extended master secret (default true). */
  extendedMasterSecret?: boolean;
  /** Offer RFC 5077 session tickets (default true). */
  sessionTicket?: boolean;
  /** Runs once the server's Finished verified, before close_notify: application data both ways. */
  afterHandshake?: (channel: AppDataChannel) => Promise<void>;
}

export type AppDataRead = { kind: 'data'; data: Buffer } | { kind: 'end'; reason: string; clean: boolean };

/** The negotiated session's application-data stream (protected records). */
export interface AppDataChannel {
  write(data: Buffer): void;
  /** The next application data record's content, or how the stream ended (close_notify is `clean`). */
  read(): Promise<AppDataRead>;
}

export interface CompletedSession {
  /** Negotiated wire version (0x0301..0x0303) and its name. */
  version: number;
  protocol: string;
  cipherSuite: number;
  suiteName: string;
  /** The ServerHello's session ID (may be empty when the server relies on tickets). */
  sessionId: Buffer;
  /** RFC 5077 NewSessionTicket, null when none was issued. */
  ticket: Buffer | null;
  ticketLifetimeHint: number | null;
  masterSecret: Buffer;
  /** Both sides agreed to RFC 7627: a resumption must offer it again. */
  extendedMasterSecret: boolean;
  /** e.g. 'DH 512', 'ECDH group 29', 'RSA 2048'. */
  keyExchange: string;
  certificates: Buffer[];
}

export type Handshake12Result =
  | { ok: true; session: CompletedSession }
  /** An alert or a clean close before the ServerHello: the server takes none of what we offered. */
  | { ok: false; kind: 'refused'; reason: string; alert?: number }
  | { ok: false; kind: 'failed'; reason: string };

type Failure = Extract<Handshake12Result, { ok: false }>;
const failed = (reason: string): Failure => ({ ok: false, kind: 'failed', reason });

/** The suites to offer at `version`: the caller's that we can complete, or all of ours. */
export function offerableSuites(version: Handshake12Version, wanted?: readonly number[]): number[] {
  const ours = completableSuites(version);
  const list = wanted ? wanted.filter((c) => ours.includes(c)) : [...ours];
  return list.slice(0, MAX_SUITES_PER_HELLO);
}

export async function fullHandshake12(o: Handshake12Options): Promise<Handshake12Result> {
  const suites = offerableSuites(o.version, o.cipherSuites);
  if (suites.length === 0) return failed(`none of the requested suites can be completed by the raw client at ${o.version}`);
  const ems = o.extendedMasterSecret ?? true;
  const hello = buildClientHello({
    version: o.version,
    cipherSuites: suites,
    serverName: o.serverName,
    groups: [...CLIENT_EC_GROUPS],
    ecPointFormats: true,
    renegotiationInfo: true,
    extendedMasterSecret: ems,
    sessionTicket: o.sessionTicket ?? true,
  });
  return withRawSession(o, async (session) => {
    session.send(hello.record);
    const conn = new HandshakeConnection(session);
    return runHandshake(conn, { clientVersion: WIRE_VERSIONS[o.version], random: hello.random, handshake: hello.handshake, suites, ems }, o.afterHandshake);
  });
}

interface HelloSent {
  clientVersion: number;
  random: Buffer;
  handshake: Buffer;
  suites: readonly number[];
  ems: boolean;
}

/** What an unexpected event means at `stage`. */
function unexpected(ev: Incoming, stage: string): Failure {
  switch (ev.kind) {
    case 'message':
      return failed(`unexpected ${handshakeTypeName(ev.type)} ${stage}`);
    case 'ccs':
      return failed(`unexpected ChangeCipherSpec ${stage}`);
    case 'data':
      return failed(`unexpected application data ${stage}`);
    case 'alert':
      return failed(`alert ${ev.name} ${stage}`);
    case 'end':
    case 'error':
      return failed(`${ev.reason} ${stage}`);
  }
}

/** The next event that matters: warning alerts other than close_notify are skipped, as peers do. */
async function nextEvent(conn: HandshakeConnection): Promise<Incoming> {
  for (;;) {
    const ev = await conn.next();
    if (ev.kind === 'alert' && ev.level === 1 && ev.description !== 0) continue;
    if (ev.kind === 'message' && ev.type === HandshakeType.helloRequest) continue;
    return ev;
  }
}

async function readServerHello(conn: HandshakeConnection, sent: HelloSent): Promise<{ hello: ParsedServerHello; suite: HandshakeSuite; raw: Buffer } | Failure> {
  const ev = await nextEvent(conn);
  if (ev.kind === 'alert') return { ok: false, kind: 'refused', reason: `alert ${ev.name}`, alert: ev.description };
  if (ev.kind === 'end' && ev.clean) return { ok: false, kind: 'refused', reason: ev.reason };
  if (ev.kind !== 'message' || ev.type !== HandshakeType.serverHello) return unexpected(ev, 'instead of a ServerHello');
  const parsed = parseServerHello(ev.body);
  if (!parsed.ok) return failed(parsed.error);
  const hello = parsed.value;
  const v = hello.selectedVersion;
  if (v < ProtocolVersion.TLSv1_0 || v > sent.clientVersion) return failed(`the server chose ${versionName(v)}, which the raw client does not complete`);
  if (!sent.suites.includes(hello.cipherSuite)) return failed(`the server chose suite 0x${hello.cipherSuite.toString(16).padStart(4, '0')}, which we did not offer`);
  if (hello.compressionMethod !== 0) return failed(`the server chose compression method ${hello.compressionMethod}`);
  const suite = handshakeSuite(hello.cipherSuite);
  if (!suite || !suiteAllowed(suite, versionName(v) as Handshake12Version)) return failed(`the server chose ${suite?.name ?? 'a suite'} at ${versionName(v)}, where it is not defined`);
  return { hello, suite, raw: ev.raw };
}

interface ServerFlight {
  certificates: Buffer[];
  keyExchange: Buffer | null;
  certificateRequested: boolean;
}

async function readServerFlight(conn: HandshakeConnection, transcript: Buffer[]): Promise<ServerFlight | Failure> {
  const flight: ServerFlight = { certificates: [], keyExchange: null, certificateRequested: false };
  for (;;) {
    const ev = await nextEvent(conn);
    if (ev.kind !== 'message') return unexpected(ev, 'before ServerHelloDone');
    transcript.push(ev.raw);
    switch (ev.type) {
      case HandshakeType.certificate: {
        const certs = parseCertificateMessage(ev.body);
        if (!certs.ok) return failed(certs.error);
        flight.certificates = certs.value;
        break;
      }
      case HandshakeType.serverKeyExchange:
        flight.keyExchange = ev.body;
        break;
      case HandshakeType.certificateRequest:
        flight.certificateRequested = true;
        break;
      case HandshakeType.certificateStatus:
        break;
      case HandshakeType.serverHelloDone:
        return flight;
      default:
        return failed(`unexpected ${handshakeTypeName(ev.type)} before ServerHelloDone`);
    }
  }
}

function keyExchange(suite: HandshakeSuite, flight: ServerFlight, clientVersion: number): Result<KeyExchangeOutcome> {
  const params = flight.keyExchange ? parseServerKeyParams(flight.keyExchange, suite.kx) : null;
  if (params && !params.ok) return params;
  const p = params?.value ?? null;
  switch (suite.kx) {
    case 'RSA': {
      const key = rsaKeyFor(flight.certificates[0], p);
      return key.ok ? rsaKeyExchange(key.value, clientVersion) : key;
    }
    case 'DHE':
    case 'DH_anon':
      return p?.kind === 'dh' ? dhKeyExchange(p) : { ok: false, error: 'no DH ServerKeyExchange' };
    case 'ECDHE':
    case 'ECDH_anon':
      return p?.kind === 'ecdh' ? ecdhKeyExchange(p) : { ok: false, error: 'no ECDH ServerKeyExchange' };
  }
}

interface Keys {
  client: DirectionKeys;
  server: DirectionKeys;
}

/** Splits the key block (RFC 5246 §6.3), with RFC 2246 §6.3's export stretching. */
export function deriveKeys(kind: PrfKind, suite: HandshakeSuite, master: Buffer, clientRandom: Buffer, serverRandom: Buffer, version: number): Keys {
  const c = suite.cipher;
  const macLen = macLength(suite.mac);
  const fullKey = c.kind === 'null' ? 0 : c.keyLength;
  const keyLen = suite.exportKeyMaterial ?? fullKey;
  // Block-cipher IVs come from the key block only in TLS 1.0 (explicit per record later), and
  // never for export suites; AEAD suites take their implicit nonce part from it.
  const blockIv = c.kind === 'cbc' && version === ProtocolVersion.TLSv1_0 ? c.blockSize : 0;
  const ivLen = c.kind === 'aead' ? c.fixedIv : suite.exportKeyMaterial === null ? blockIv : 0;
  const block = keyBlock(kind, master, clientRandom, serverRandom, 2 * (macLen + keyLen + ivLen));
  let at = 0;
  const take = (n: number): Buffer => block.subarray(at, (at += n));
  const [cMac, sMac, cKey, sKey, cIv, sIv] = [take(macLen), take(macLen), take(keyLen), take(keyLen), take(ivLen), take(ivLen)];
  if (suite.exportKeyMaterial === null) return { client: { macKey: cMac, key: cKey, iv: cIv }, server: { macKey: sMac, key: sKey, iv: sIv } };
  const x = exportKeys(cKey, sKey, clientRandom, serverRandom, fullKey, blockIv);
  return { client: { macKey: cMac, key: x.clientKey, iv: x.clientIv }, server: { macKey: sMac, key: x.serverKey, iv: x.serverIv } };
}

/** How long the server gets to answer our close_notify (its cache keeps sessions closed properly). */
const CLOSE_WAIT_MS = 1000;

const handshakeMessage = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();

function appDataChannel(conn: HandshakeConnection): AppDataChannel {
  return {
    write: (data) => conn.send(conn.records(ContentType.applicationData, data)),
    async read() {
      const ev = await nextEvent(conn);
      switch (ev.kind) {
        case 'data':
          return ev;
        case 'alert':
          return { kind: 'end', reason: ev.description === 0 ? 'close_notify' : `alert ${ev.name}`, clean: ev.description === 0 };
        case 'end':
          return { kind: 'end', reason: ev.reason, clean: false };
        case 'error':
          return { kind: 'end', reason: ev.reason, clean: false };
        case 'ccs':
          return { kind: 'end', reason: 'unexpected ChangeCipherSpec after the handshake', clean: false };
        case 'message':
          // A renegotiation or other post-handshake message: more than one exchange needs.
          return { kind: 'end', reason: `unexpected ${handshakeTypeName(ev.type)} after the handshake`, clean: false };
      }
    },
  };
}

async function runHandshake(conn: HandshakeConnection, sent: HelloSent, afterHandshake?: Handshake12Options['afterHandshake']): Promise<Handshake12Result> {
  const transcript: Buffer[] = [sent.handshake];
  const sh = await readServerHello(conn, sent);
  if ('ok' in sh) return sh;
  const { hello, suite } = sh;
  transcript.push(sh.raw);
  const version = hello.selectedVersion;
  conn.recordVersion = version;
  const flight = await readServerFlight(conn, transcript);
  if ('ok' in flight) return flight;

  const kx = keyExchange(suite, flight, sent.clientVersion);
  if (!kx.ok) return failed(kx.error);
  const out: Buffer[] = [];
  if (flight.certificateRequested) out.push(handshakeMessage(HandshakeType.certificate, Buffer.from([0, 0, 0])));
  out.push(handshakeMessage(HandshakeType.clientKeyExchange, kx.value.body));
  transcript.push(...out);

  const kind: PrfKind = version === ProtocolVersion.TLSv1_2 ? { version: 'tls12', hash: suite.prfHash } : { version: 'tls10' };
  const ems = sent.ems && hello.extendedMasterSecret;
  const master = masterSecret(kind, {
    premaster: kx.value.premaster,
    clientRandom: sent.random,
    serverRandom: hello.random,
    extendedTranscript: ems ? Buffer.concat(transcript) : undefined,
  });
  const keys = deriveKeys(kind, suite, master, sent.random, hello.random, version);
  const clientFinished = handshakeMessage(HandshakeType.finished, finishedVerifyData(kind, master, 'client', Buffer.concat(transcript)));
  const plain = conn.records(ContentType.handshake, Buffer.concat(out));
  const ccs = conn.records(ContentType.changeCipherSpec, Buffer.from([1]));
  conn.startWriting(new RecordCipher(suite.cipher, suite.mac, keys.client, version));
  conn.send(Buffer.concat([plain, ccs, conn.records(ContentType.handshake, clientFinished)]));
  transcript.push(clientFinished);

  let ticket: { lifetime: number; ticket: Buffer } | null = null;
  for (let ccsSeen = false; ; ) {
    const ev = await nextEvent(conn);
    if (!ccsSeen && ev.kind === 'message' && ev.type === HandshakeType.newSessionTicket) {
      const r = new Reader(ev.body);
      const lifetime = r.u32('ticket_lifetime_hint');
      const t = r.vector16('ticket');
      if (!r.expectEnd('NewSessionTicket')) return failed(`NewSessionTicket: ${r.error ?? 'malformed'}`);
      ticket = { lifetime, ticket: Buffer.from(t) };
      transcript.push(ev.raw);
      continue;
    }
    if (!ccsSeen && ev.kind === 'ccs') {
      ccsSeen = true;
      conn.startReading(new RecordCipher(suite.cipher, suite.mac, keys.server, version));
      continue;
    }
    if (!ccsSeen || ev.kind !== 'message' || ev.type !== HandshakeType.finished) return unexpected(ev, "instead of the server's Finished");
    const expected = finishedVerifyData(kind, master, 'server', Buffer.concat(transcript));
    if (!expected.equals(ev.body)) return failed("the server's Finished does not verify");
    break;
  }
  if (afterHandshake) {
    try {
      await afterHandshake(appDataChannel(conn));
    } catch (err) {
      return failed(`after the handshake: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await conn.closeGracefully(CLOSE_WAIT_MS);
  return {
    ok: true,
    session: {
      version,
      protocol: versionName(version),
      cipherSuite: suite.code,
      suiteName: suite.name,
      sessionId: Buffer.from(hello.sessionId),
      ticket: ticket && ticket.ticket.length > 0 ? ticket.ticket : null,
      ticketLifetimeHint: ticket?.lifetime ?? null,
      masterSecret: master,
      extendedMasterSecret: ems,
      keyExchange: kx.value.summary,
      certificates: flight.certificates,
    },
  };
}
