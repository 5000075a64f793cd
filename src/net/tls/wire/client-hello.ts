// Builds ClientHello records byte by byte (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2) so a probe can
// offer what Node's OpenSSL will not: SSLv3, RC4/export suites, SCSVs, heartbeat, DEFLATE …
// Only the first flight is ever read back; the key shares are real so TLS 1.3 servers answer.
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { pooledRandom } from './random-pool.js';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { Writer } from './bytes.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from './constants.js';

export type WireVersion = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export const WIRE_VERSIONS: Readonly<Record<WireVersion, number>> = {
  SSLv3: ProtocolVersion.SSLv3,
  'TLSv1.0': ProtocolVersion.TLSv1_0,
  'TLSv1.1': ProtocolVersion.TLSv1_1,
  'TLSv1.2': ProtocolVersion.TLSv1_2,
  'TLSv1.3': ProtocolVersion.TLSv1_3,
};

export interface ClientHelloOptions {
  /** Highest version offered; for TLSv1.3 legacy_version is 0x0303 and supported_versions carries it. */
  version: WireVersion;
  /** Explicit supported_versions list, highest first (default for TLSv1.3: TLSv1.3, TLSv1.2). */
  supportedVersions?: WireVersion[];
  /** Code points in preference order (may include the 0x00FF / 0x5600 SCSVs). */
  cipherSuites: number[];
  /** SNI; omitted when null/absent or an IP literal. */
  serverName?: string | null;
  /** supported_groups (default: x25519, P-256, P-384, P-521, x448, ffdhe2048…8192). */
  groups?: number[];
  /** TLS 1.3 key_share entries to generate (default [29]); x25519, x448 and P-256/384/521 get a share, others none. */
  keyShareGroups?: number[];
  /** signature_algorithms (TLS ≥ 1.2 hellos only); default: a broad list incl. SHA-1 schemes. */
  signatureAlgorithms?: number[];
  alpn?: string[];
  statusRequest?: boolean;
  sct?: boolean;
  /** An empty renegotiation_info extension (RFC 5746). */
  renegotiationInfo?: boolean;
  extendedMasterSecret?: boolean;
  encryptThenMac?: boolean;
  sessionTicket?: boolean;
  /** heartbeat extension, mode peer_allowed_to_send (RFC 6520). */
  heartbeat?: boolean;
  /** Default: true when an EC group or EC suite is offered. */
  ecPointFormats?: boolean;
  /** RFC 7685: pad a hello whose handshake message (header included) is 256..511 bytes to 512. */
  padding?: boolean;
  /** Default [0]; [1, 0] offers DEFLATE (CRIME). */
  compressionMethods?: number[];
  /** Default: 32 random bytes for TLS 1.3 (middlebox compatibility), empty otherwise. */
  sessionId?: Buffer;
  /** Record-layer version (default 0x0301, or 0x0300 for SSLv3). */
  recordVersion?: number;
  /** Default true; an SSLv3 hello sends none unless this is set. */
  extensions?: boolean;
}

export interface BuiltClientHello {
  /** The record(s) to write: the handshake message fragmented into ≤ 16384-byte records. */
  record: Buffer;
  /** The handshake message, 4-byte header included. */
  handshake: Buffer;
  random: Buffer;
  /** The key shares actually sent. */
  keyShares: Array<{ group: number }>;
  /** Per sent key share: the ECDH with the server's share (TLS 1.3 handshake decryption). */
  keyAgreement: ReadonlyMap<number, KeyAgreement>;
}

/** Computes the (EC)DHE shared secret from the server's key_share bytes; null when they are invalid. */
export type KeyAgreement = (serverShare: Buffer) => Buffer | null;

export const DEFAULT_GROUPS: readonly number[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
  NamedGroup.secp521r1,
  NamedGroup.x448,
  NamedGroup.ffdhe2048,
  NamedGroup.ffdhe3072,
  NamedGroup.ffdhe4096,
  NamedGroup.ffdhe6144,
  NamedGroup.ffdhe8192,
];

export const DEFAULT_SIGNATURE_ALGORITHMS: readonly number[] = [
  0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
  0x0807, 0x0808, // ed25519, ed448
  0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
  0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
  0x081a, 0x081b, 0x081c, // ecdsa_brainpoolP256r1tls13_sha256 …
  0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
  0x0303, 0x0301, 0x0302, // sha224 with ecdsa, rsa, dsa
  0x0402, 0x0502, 0x0602, // dsa_sha256/384/512
  0x0203, 0x0201, 0x0202, // ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1
];

const MAX_FRAGMENT = 16384;

export function buildClientHello(opts: ClientHelloOptions): BuiltClientHello {
  const version = WIRE_VERSIONS[opts.version];
  const random = pooledRandom(32);
  const tls13 = offersTls13(opts);
  const sessionId = opts.sessionId ?? (tls13 ? pooledRandom(32) : Buffer.alloc(0));
  const keyShares: Array<{ group: number }> = [];
  const keyAgreement = new Map<number, KeyAgreement>();
  const extensions = wantsExtensions(opts) ? buildExtensions(opts, tls13, keyShares, keyAgreement) : null;

  const body = (exts: Array<[number, Buffer]> | null): Buffer =>
    Writer.build((w) => {
      w.u16(Math.min(version, ProtocolVersion.TLSv1_2));
      w.bytes(random);
      w.vector8(sessionId);
      w.vector16((s) => opts.cipherSuites.forEach((cs) => s.u16(cs)));
      w.vector8(Buffer.from(opts.compressionMethods ?? [0]));
      if (exts && exts.length > 0) w.vector16((e) => exts.forEach(([t, d]) => e.u16(t).vector16(d)));
    });

  let message = handshakeMessage(body(extensions));
  if (extensions && opts.padding) {
    const pad = paddingLength(message.length);
    if (pad !== null) message = handshakeMessage(body([...extensions, [ExtensionType.padding, Buffer.alloc(pad)]]));
  }
  const recordVersion = opts.recordVersion ?? (version === ProtocolVersion.SSLv3 ? 0x0300 : 0x0301);
  return { record: toRecords(message, recordVersion), handshake: message, random, keyShares, keyAgreement };
}

function offersTls13(opts: ClientHelloOptions): boolean {
  return opts.version === 'TLSv1.3' || (opts.supportedVersions ?? []).includes('TLSv1.3');
}

function wantsExtensions(opts: ClientHelloOptions): boolean {
  return opts.extensions ?? opts.version !== 'SSLv3';
}

/** BoringSSL/OpenSSL's F5 workaround: extension data that brings the message to 512 bytes. */
function paddingLength(messageLength: number): number | null {
  if (messageLength < 256 || messageLength >= 512) return null;
  const gap = 512 - messageLength;
  return gap >= 5 ? gap - 4 : 1;
}

function handshakeMessage(body: Buffer): Buffer {
  return new Writer().u8(HandshakeType.clientHello).vector24(body).toBuffer();
}

function toRecords(message: Buffer, recordVersion: number): Buffer {
  const w = new Writer();
  for (let i = 0; i < message.length; i += MAX_FRAGMENT) {
    w.u8(ContentType.handshake).u16(recordVersion).vector16(message.subarray(i, i + MAX_FRAGMENT));
  }
  return w.toBuffer();
}

function buildExtensions(
  opts: ClientHelloOptions,
  tls13: boolean,
  keyShares: Array<{ group: number }>,
  keyAgreement: Map<number, KeyAgreement>,
): Array<[number, Buffer]> {
  const exts: Array<[number, Buffer]> = [];
  const add = (type: number, data: Buffer | ((w: Writer) => void)): void => {
    exts.push([type, Buffer.isBuffer(data) ? data : Writer.build(data)]);
  };
  const groups = opts.groups ?? DEFAULT_GROUPS;
  const version = WIRE_VERSIONS[opts.version];

  const sni = sniName(opts.serverName);
  if (sni) add(ExtensionType.serverName, (w) => w.vector16((l) => l.u8(0).vector16(sni)));
  if (opts.ecPointFormats ?? offersEc(groups, opts.cipherSuites)) {
    add(ExtensionType.ecPointFormats, (w) => w.vector8(Buffer.from([0])));
  }
  if (groups.length > 0) add(ExtensionType.supportedGroups, (w) => w.vector16((l) => groups.forEach((g) => l.u16(g))));
  if (opts.sessionTicket) add(ExtensionType.sessionTicket, Buffer.alloc(0));
  if (opts.alpn && opts.alpn.length > 0) add(ExtensionType.alpn, alpnData(opts.alpn));
  // status_type ocsp, empty responder_id_list, empty request_extensions.
  if (opts.statusRequest) add(ExtensionType.statusRequest, Buffer.from([1, 0, 0, 0, 0]));
  if (opts.sct) add(ExtensionType.signedCertificateTimestamp, Buffer.alloc(0));
  if (opts.encryptThenMac) add(ExtensionType.encryptThenMac, Buffer.alloc(0));
  if (opts.extendedMasterSecret) add(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
  // RFC 5246 §7.4.1.4.1: signature_algorithms means nothing before TLS 1.2; old servers choke on it.
  if (version >= ProtocolVersion.TLSv1_2) {
    const algs = opts.signatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS;
    add(ExtensionType.signatureAlgorithms, (w) => w.vector16((l) => algs.forEach((a) => l.u16(a))));
  }
  const versions = opts.supportedVersions ?? (tls13 ? (['TLSv1.3', 'TLSv1.2'] as WireVersion[]) : null);
  if (versions) add(ExtensionType.supportedVersions, (w) => w.vector8((l) => versions.forEach((v) => l.u16(WIRE_VERSIONS[v]))));
  if (tls13) {
    add(ExtensionType.pskKeyExchangeModes, Buffer.from([1, 1])); // psk_dhe_ke
    add(ExtensionType.keyShare, keyShareData(opts.keyShareGroups ?? [NamedGroup.x25519], keyShares, keyAgreement));
  }
  if (opts.renegotiationInfo) add(ExtensionType.renegotiationInfo, Buffer.from([0]));
  if (opts.heartbeat) add(ExtensionType.heartbeat, Buffer.from([1]));
  return exts;
}

/** RFC 6066 §3: a DNS host name in A-labels, no trailing dot; IP literals are not sent. */
export function sniName(name: string | null | undefined): Buffer | null {
  if (!name || isIP(name) !== 0) return null;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  const ascii = /^[\x21-\x7e]+$/.test(bare) ? bare : domainToASCII(bare);
  if (!ascii) throw new RangeError(`not a host name: ${name}`);
  return Buffer.from(ascii, 'ascii');
}

function alpnData(protocols: string[]): Buffer {
  return Writer.build((w) =>
    w.vector16((l) => {
      for (const p of protocols) l.vector8(Buffer.from(p, 'utf8'));
    }),
  );
}

function keyShareData(groups: number[], sent: Array<{ group: number }>, agreements: Map<number, KeyAgreement>): Buffer {
  return Writer.build((w) =>
    w.vector16((l) => {
      for (const group of groups) {
        const share = keyShareFor(group);
        if (!share) continue;
        l.u16(group).vector16(share.publicKey);
        sent.push({ group });
        agreements.set(group, share.agree);
      }
    }),
  );
}

// SPKI prefix of a raw X25519 public key (RFC 8410): lets node:crypto import the server's 32 bytes.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export type KeyShare = { publicKey: Buffer; agree: KeyAgreement };

// A scanner's key shares protect nothing, and making one (key pair + SPKI export) cost a batch more
// CPU than any other part of a hello: each group's share is reused for a while, then replaced.
const SHARE_LIFETIME_MS = 60_000;
const shares = new Map<number, { share: KeyShare; until: number }>();

/** A key pair in TLS 1.3 wire form with its agreement function, or null for groups we cannot make. */
export function keyShareFor(group: number): KeyShare | null {
  const now = Date.now();
  const cached = shares.get(group);
  if (cached && cached.until > now) return cached.share;
  const share = freshKeyShare(group);
  if (share) shares.set(group, { share, until: now + SHARE_LIFETIME_MS });
  return share;
}

// The same for X448 (56-byte keys).
const X448_SPKI_PREFIX = Buffer.from('3042300506032b656f033900', 'hex');

/** X25519 / X448: raw keys are the tail of their SPKI DER encoding. */
function montgomeryShare(kind: 'x25519' | 'x448', prefix: Buffer, size: number): KeyShare {
  const { publicKey, privateKey } = generateKeyPairSync(kind as 'x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const agree: KeyAgreement = (server) => {
    if (server.length !== size) return null;
    try {
      const peer = createPublicKey({ key: Buffer.concat([prefix, server]), format: 'der', type: 'spki' });
      return diffieHellman({ privateKey, publicKey: peer });
    } catch {
      return null;
    }
  };
  return { publicKey: Buffer.from(der.subarray(der.length - size)), agree };
}

const NIST_CURVES: Readonly<Record<number, string>> = {
  [NamedGroup.secp256r1]: 'prime256v1',
  [NamedGroup.secp384r1]: 'secp384r1',
  [NamedGroup.secp521r1]: 'secp521r1',
};

function freshKeyShare(group: number): KeyShare | null {
  if (group === NamedGroup.x25519) return montgomeryShare('x25519', X25519_SPKI_PREFIX, 32);
  if (group === NamedGroup.x448) return montgomeryShare('x448', X448_SPKI_PREFIX, 56);
  const curve = NIST_CURVES[group];
  if (curve) {
    const ecdh = createECDH(curve);
    const publicKey = ecdh.generateKeys(); // uncompressed point
    const agree: KeyAgreement = (server) => {
      try {
        return ecdh.computeSecret(server);
      } catch {
        return null; // not a point on the curve
      }
    };
    return { publicKey, agree };
  }
  return null;
}

/** EC cipher suites by IANA code-point ranges (ECDH/ECDHE/ECDSA families). */
function isEcSuite(cs: number): boolean {
  return (
    (cs >= 0xc001 && cs <= 0xc019) ||
    (cs >= 0xc023 && cs <= 0xc03b) ||
    (cs >= 0xc048 && cs <= 0xc04f) ||
    (cs >= 0xc05c && cs <= 0xc063) ||
    (cs >= 0xc070 && cs <= 0xc079) ||
    (cs >= 0xc086 && cs <= 0xc08d) ||
    cs === 0xc09a ||
    cs === 0xc09b ||
    (cs >= 0xc0ac && cs <= 0xc0af) ||
    cs === 0xcca8 ||
    cs === 0xcca9 ||
    cs === 0xccac ||
    (cs >= 0xd001 && cs <= 0xd005)
  );
}

/** Elliptic-curve groups are the ones below the FFDHE range (256..511). */
function offersEc(groups: readonly number[], suites: readonly number[]): boolean {
  return groups.some((g) => g > 0 && g < 256) || suites.some(isEcSuite);
}
