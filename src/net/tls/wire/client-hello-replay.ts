// A captured ClientHello, read back and replayed (handshake simulation): the client's own
// versions, suites, groups, signature algorithms and extensions, in its order, with what must be
// fresh made fresh — the random, the session id, the SNI (the target's, or none), the key shares
// (ours, so a TLS 1.3 flight can be decrypted) — and every length recomputed. GREASE values and
// extensions we do not know are kept byte for byte. Parsing is bounded by the Reader.
import { pooledRandom } from './random-pool.js';
import { fail, ok, Reader, Writer, type Result } from './bytes.js';
import { ContentType, ExtensionType, HandshakeType } from './constants.js';
import { keyShareFor, sniName, type BuiltClientHello, type KeyAgreement } from './client-hello.js';
import type { Extension } from './server-messages.js';

export interface ParsedClientHello {
  recordVersion: number;
  legacyVersion: number;
  sessionIdLength: number;
  cipherSuites: number[];
  compressionMethods: number[];
  /** In the client's order; null when the hello has no extensions block at all (SSLv3-era clients). */
  extensions: Extension[] | null;
}

/** The largest hello we replay: real ones are under 2 KB (4 KB with post-quantum key shares). */
const MAX_HELLO = 16384;

/** Reads a ClientHello from its TLS record(s); the records' fragments are joined first. */
export function parseClientHelloRecords(bytes: Buffer): Result<ParsedClientHello> {
  if (bytes.length > MAX_HELLO + 5 * 4) return fail(`ClientHello of ${bytes.length} bytes is larger than we replay`);
  const r = new Reader(bytes);
  const fragments: Buffer[] = [];
  let recordVersion = 0;
  while (r.remaining > 0) {
    const type = r.u8('record type');
    const version = r.u16('record version');
    const fragment = r.vector16('record fragment', 1);
    if (r.failed) return fail(`ClientHello record: ${r.error}`);
    if (type !== ContentType.handshake) return fail(`record of content type ${type}, not a handshake`);
    if (fragments.length === 0) recordVersion = version;
    fragments.push(fragment);
  }
  const message = Buffer.concat(fragments);
  const m = new Reader(message);
  const msgType = m.u8('handshake type');
  const body = m.vector24('ClientHello body');
  if (m.failed || msgType !== HandshakeType.clientHello) return fail(`not a ClientHello: ${m.error ?? `handshake type ${msgType}`}`);
  if (!m.expectEnd('ClientHello')) return fail(`ClientHello: ${m.error}`);
  const parsed = parseClientHelloBody(body);
  return parsed.ok ? ok({ ...parsed.value, recordVersion }) : parsed;
}

function parseClientHelloBody(body: Buffer): Result<Omit<ParsedClientHello, 'recordVersion'>> {
  const r = new Reader(body);
  const legacyVersion = r.u16('client_version');
  r.bytes(32, 'random');
  const sessionIdLength = r.vector8('session_id', 0, 32).length;
  const suitesRaw = r.vector16('cipher_suites', 2);
  const compression = r.vector8('compression_methods', 1);
  if (r.failed) return fail(`ClientHello: ${r.error}`);
  if (suitesRaw.length % 2 !== 0) return fail('ClientHello: odd cipher_suites length');
  const cipherSuites: number[] = [];
  for (let i = 0; i < suitesRaw.length; i += 2) cipherSuites.push(suitesRaw.readUInt16BE(i));
  let extensions: Extension[] | null = null;
  if (r.remaining > 0) {
    const block = new Reader(r.vector16('extensions'));
    extensions = [];
    while (block.remaining > 0) {
      const type = block.u16('extension type');
      const data = block.vector16(`extension ${type}`);
      if (block.failed) return fail(`ClientHello extensions: ${block.error}`);
      extensions.push({ type, data });
    }
    if (r.failed || block.failed) return fail(`ClientHello extensions: ${r.error ?? block.error}`);
  }
  if (!r.expectEnd('ClientHello')) return fail(`ClientHello: ${r.error}`);
  return ok({ legacyVersion, sessionIdLength, cipherSuites, compressionMethods: [...compression], extensions });
}

/** A u16 list inside a length-prefixed vector (supported_groups, signature_algorithms …); [] when malformed. */
function u16List(data: Buffer, prefix: 1 | 2): number[] {
  const r = new Reader(data);
  const list = prefix === 1 ? r.vector8('list') : r.vector16('list');
  if (r.failed || list.length % 2 !== 0) return [];
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push(list.readUInt16BE(i));
  return out;
}

const extension = (h: ParsedClientHello, type: number): Buffer | undefined => h.extensions?.find((e) => e.type === type)?.data;

/** What a server reads from the hello, decoded (GREASE included, as sent). */
export function helloOffers(h: ParsedClientHello) {
  const versions = extension(h, ExtensionType.supportedVersions);
  const groups = extension(h, ExtensionType.supportedGroups);
  const sigalgs = extension(h, ExtensionType.signatureAlgorithms);
  const keyShare = extension(h, ExtensionType.keyShare);
  return {
    supportedVersions: versions ? u16List(versions, 1) : null,
    groups: groups ? u16List(groups, 2) : [],
    signatureAlgorithms: sigalgs ? u16List(sigalgs, 2) : null,
    keyShareGroups: keyShare ? keyShareEntries(keyShare).map((e) => e.group) : [],
    serverName: extension(h, ExtensionType.serverName) !== undefined,
  };
}

function keyShareEntries(data: Buffer): Array<{ group: number; key: Buffer }> {
  const r = new Reader(data);
  const list = new Reader(r.vector16('client_shares'));
  const out: Array<{ group: number; key: Buffer }> = [];
  while (list.remaining > 0 && !list.failed) {
    const group = list.u16('key share group');
    const key = list.vector16('key_exchange', 1);
    if (!list.failed) out.push({ group, key });
  }
  return r.failed || list.failed ? [] : out;
}

export interface ReplayOptions {
  /** The target's SNI; the extension is dropped when null, and never added to a hello without one. */
  serverName: string | null;
  /** Key shares to send instead of the client's (a HelloRetryRequest's group); default: the client's groups. */
  keyShareGroups?: number[];
}

const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

/** RFC 7685 as BoringSSL applies it: pad a message (header included) of 256..511 bytes to 512. */
function padTo512(length: number): number | null {
  if (length < 256 || length >= 512) return null;
  const gap = 512 - length;
  return gap >= 5 ? gap - 4 : 1;
}

/** The hello rebuilt for one connection (see the file comment). */
export function replayClientHello(h: ParsedClientHello, opts: ReplayOptions): BuiltClientHello {
  const random = pooledRandom(32);
  const sessionId = pooledRandom(h.sessionIdLength);
  const keyAgreement = new Map<number, KeyAgreement>();
  const keyShares: Array<{ group: number }> = [];
  const sni = sniName(opts.serverName);
  const exts: Array<[number, Buffer]> = [];
  let paddingAt = -1;
  for (const ext of h.extensions ?? []) {
    switch (ext.type) {
      case ExtensionType.serverName:
        if (sni) exts.push([ext.type, Writer.build((w) => w.vector16((l) => l.u8(0).vector16(sni)))]);
        break;
      case ExtensionType.keyShare:
        exts.push([ext.type, rebuildKeyShares(ext.data, opts.keyShareGroups, keyShares, keyAgreement)]);
        break;
      // A first connection has nothing to resume (no PSK, no early data, an empty ticket) and no
      // HelloRetryRequest cookie to echo.
      case ExtensionType.preSharedKey:
      case ExtensionType.earlyData:
      case ExtensionType.cookie:
        break;
      case ExtensionType.sessionTicket:
        exts.push([ext.type, Buffer.alloc(0)]);
        break;
      case ExtensionType.padding:
        paddingAt = exts.length;
        break;
      default:
        exts.push([ext.type, ext.data]);
    }
  }
  const body = (list: Array<[number, Buffer]>): Buffer =>
    Writer.build((w) => {
      w.u16(h.legacyVersion);
      w.bytes(random);
      w.vector8(sessionId);
      w.vector16((s) => h.cipherSuites.forEach((cs) => s.u16(cs)));
      w.vector8(Buffer.from(h.compressionMethods));
      if (h.extensions !== null) w.vector16((e) => list.forEach(([t, d]) => e.u16(t).vector16(d)));
    });
  const message = (list: Array<[number, Buffer]>): Buffer => new Writer().u8(HandshakeType.clientHello).vector24(body(list)).toBuffer();
  let handshake = message(exts);
  if (paddingAt >= 0) {
    // The client padded for its own SNI; with ours the length changes, so pad as it would have.
    const pad = padTo512(handshake.length);
    if (pad !== null) handshake = message([...exts.slice(0, paddingAt), [ExtensionType.padding, Buffer.alloc(pad)], ...exts.slice(paddingAt)]);
  }
  const w = new Writer();
  for (let i = 0; i < handshake.length; i += 16384) w.u8(ContentType.handshake).u16(h.recordVersion).vector16(handshake.subarray(i, i + 16384));
  return { record: w.toBuffer(), handshake, random, keyShares, keyAgreement };
}

/** The client's key_share list with our keys for the groups we can make; GREASE and the rest kept as sent. */
function rebuildKeyShares(data: Buffer, only: number[] | undefined, sent: Array<{ group: number }>, agreements: Map<number, KeyAgreement>): Buffer {
  const entries = only ? only.map((group) => ({ group, key: Buffer.alloc(0) })) : keyShareEntries(data);
  return Writer.build((w) =>
    w.vector16((l) => {
      for (const { group, key } of entries) {
        const share = isGrease(group) ? null : keyShareFor(group);
        if (share) {
          l.u16(group).vector16(share.publicKey);
          sent.push({ group });
          agreements.set(group, share.agree);
        } else if (key.length > 0) {
          l.u16(group).vector16(key);
        }
      }
    }),
  );
}

/** An SSLv2-format (compatibility) CLIENT-HELLO with a fresh challenge; it carries no SNI. */
export function replaySslv2Hello(bytes: Buffer): Result<Buffer> {
  if (bytes.length < 11 || bytes.length > 4096 || ((bytes[0] ?? 0) & 0x80) === 0 || bytes[2] !== 1) return fail('not an SSLv2 CLIENT-HELLO');
  const specs = bytes.readUInt16BE(5);
  const session = bytes.readUInt16BE(7);
  const challenge = bytes.readUInt16BE(9);
  const length = (((bytes[0] ?? 0) & 0x7f) << 8) | (bytes[1] ?? 0);
  if (11 + specs + session + challenge !== bytes.length || length !== bytes.length - 2 || challenge < 16 || challenge > 32) {
    return fail('SSLv2 CLIENT-HELLO lengths do not add up');
  }
  const out = Buffer.from(bytes);
  pooledRandom(challenge).copy(out, 11 + specs + session);
  return ok(out);
}
