// Records the vulnerability probes send after the first flight, and the few answers they parse.
// Pure byte building; what to send when, and what an answer means, is the probes' business.
import { randomBytes } from 'node:crypto';
import { fail, ok, Reader, Writer, type Result } from './wire/bytes.js';
import { ContentType, ExtensionType, HandshakeType } from './wire/constants.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from './suite-order.js';
import type { WireVersion } from './wire/client-hello.js';

const MAX_FRAGMENT = 16384;

/** One or more plaintext records of `type` carrying `data` (split at 2^14 bytes). */
export function tlsRecord(type: number, version: number, data: Buffer): Buffer {
  const w = new Writer();
  for (let i = 0; i === 0 || i < data.length; i += MAX_FRAGMENT) {
    w.u8(type).u16(version).vector16(data.subarray(i, i + MAX_FRAGMENT));
  }
  return w.toBuffer();
}

/** ChangeCipherSpec (RFC 5246 §7.1): one byte, 1. */
export function changeCipherSpecRecord(version: number): Buffer {
  return tlsRecord(ContentType.changeCipherSpec, version, Buffer.from([1]));
}

/**
 * A handshake record no client ever sends at this point: an empty ServerHelloDone. A server waiting
 * for the client's key exchange refuses it at once with unexpected_message (RFC 5246 §7.2.2), and
 * reads it only after every record before it: whatever it does about those records (answer a
 * heartbeat, take a ChangeCipherSpec and fail to decrypt what follows) shows before this refusal.
 * A probe sends it last, so a server that silently drops what came before still answers decisively.
 */
export function outOfPlaceHandshake(version: number): Buffer {
  return tlsRecord(ContentType.handshake, version, new Writer().u8(HandshakeType.serverHelloDone).vector24(Buffer.alloc(0)).toBuffer());
}

// ---------------------------------------------------------------------------------------------
// Heartbeat (RFC 6520 §4): type (1 request, 2 response), payload_length, payload, ≥ 16 bytes padding.

export const HEARTBEAT_REQUEST = 1;
export const HEARTBEAT_RESPONSE = 2;
const HEARTBEAT_MIN_PADDING = 16;

/**
 * A request that claims `claimed` payload bytes but carries none (Heartbleed, as testssl.sh sends
 * it): a patched server must drop it silently (RFC 6520 §4); a vulnerable one answers with
 * `claimed` bytes of its memory.
 */
export function overlongHeartbeat(version: number, claimed = 0x4000): Buffer {
  return tlsRecord(ContentType.heartbeat, version, new Writer().u8(HEARTBEAT_REQUEST).u16(claimed).toBuffer());
}

/** A well-formed request echoing `payload`: its answer proves the server answers heartbeats at all. */
export function heartbeatRequest(version: number, payload: Buffer): Buffer {
  const msg = new Writer().u8(HEARTBEAT_REQUEST).vector16(payload).bytes(Buffer.alloc(HEARTBEAT_MIN_PADDING)).toBuffer();
  return tlsRecord(ContentType.heartbeat, version, msg);
}

export interface HeartbeatMessage {
  type: number;
  /** payload_length as announced. */
  claimedLength: number;
  /** Bytes after the 3-byte header in this record (payload + padding, possibly cut by the record). */
  carried: number;
  /** The first bytes of the payload (up to 64), to recognise our own echo. */
  head: Buffer;
}

/** The header of a heartbeat message from the first heartbeat record of an answer. */
export function parseHeartbeat(fragment: Buffer): Result<HeartbeatMessage> {
  const r = new Reader(fragment);
  const type = r.u8('heartbeat type');
  const claimedLength = r.u16('payload_length');
  if (r.failed) return fail(`heartbeat record: ${r.error ?? 'malformed'}`);
  const rest = r.rest();
  return ok({ type, claimedLength, carried: rest.length, head: Buffer.from(rest.subarray(0, Math.min(64, claimedLength))) });
}

// ---------------------------------------------------------------------------------------------
// ClientKeyExchange for RSA key exchange (RFC 5246 §7.4.7.1) and a Finished nobody can verify.

/** ClientKeyExchange carrying an RSA-encrypted premaster secret (length-prefixed from TLS 1.0 on). */
export function rsaClientKeyExchange(version: number, encrypted: Buffer): Buffer {
  const body = version === 0x0300 ? encrypted : new Writer().vector16(encrypted).toBuffer();
  return tlsRecord(ContentType.handshake, version, new Writer().u8(HandshakeType.clientKeyExchange).vector24(body).toBuffer());
}

/**
 * A handshake record of random bytes where the client's encrypted Finished would be: the ROBOT
 * detection sends one so the server has to finish the handshake and answer (80 bytes, like the
 * ROBOT authors' script: long enough for any cipher's IV, padding and MAC or tag).
 */
export function garbageFinished(version: number, length = 80): Buffer {
  return tlsRecord(ContentType.handshake, version, randomBytes(length));
}

// ---------------------------------------------------------------------------------------------
// ClientHello edits

/**
 * Replaces the data of extension `type` in a ClientHello handshake message (as built by
 * buildClientHello, header included) and frames it as records. Used to put a real session ticket
 * in the session_ticket extension, which buildClientHello only sends empty.
 */
export function setHelloExtension(handshake: Buffer, type: number, data: Buffer, recordVersion = 0x0301): Result<Buffer> {
  const r = new Reader(handshake);
  const msgType = r.u8('msg_type');
  const body = new Reader(r.vector24('ClientHello'));
  if (r.failed || msgType !== HandshakeType.clientHello) return fail('not a ClientHello');
  const head = new Writer();
  head.u16(body.u16('client_version')).bytes(body.bytes(32, 'random'));
  head.vector8(body.vector8('session_id')).vector16(body.vector16('cipher_suites')).vector8(body.vector8('compression_methods'));
  const block = new Reader(body.vector16('extensions'));
  if (body.failed || !body.expectEnd('ClientHello')) return fail(`ClientHello: ${body.error ?? 'malformed'}`);
  const exts = new Writer();
  let found = false;
  while (block.remaining > 0) {
    const t = block.u16('extension type');
    const d = block.vector16('extension data');
    if (block.failed) return fail(`ClientHello extensions: ${block.error ?? 'malformed'}`);
    found ||= t === type;
    exts.u16(t).vector16(t === type ? data : d);
  }
  if (!found) return fail(`the ClientHello has no extension ${type}`);
  const message = new Writer().u8(HandshakeType.clientHello).vector24(head.vector16(exts.toBuffer()).toBuffer()).toBuffer();
  return ok(tlsRecord(ContentType.handshake, recordVersion, message));
}

/** RFC 5077: the session_ticket extension carrying a ticket. */
export function withSessionTicket(handshake: Buffer, ticket: Buffer): Result<Buffer> {
  return setHelloExtension(handshake, ExtensionType.sessionTicket, ticket);
}

/**
 * The suites to offer at `version`: the bundle in which tls-protocols saw the server accept one,
 * its pick first, so the probe's hello is one the server is known to take.
 */
export function acceptedBundle(version: WireVersion, firstPick?: { suite: number; refusedBundles: number }): number[] {
  const order = probeOrder(version);
  const start = (firstPick?.refusedBundles ?? 0) * MAX_SUITES_PER_HELLO;
  const bundle = order.slice(start, start + MAX_SUITES_PER_HELLO);
  return firstPick ? [firstPick.suite, ...bundle.filter((s) => s !== firstPick.suite)] : bundle;
}
