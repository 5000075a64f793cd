// Parsers for the server's first flight (RFC 5246 §7.4, RFC 8446 §4): ServerHello (and HRR),
// Certificate, ServerKeyExchange, CertificateStatus, Alert. None throws; each returns a Result.
import { bitLength, fail, ok, Reader, type Result } from './bytes.js';
import {
  alertName,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  LIMITS,
  ProtocolVersion,
} from './constants.js';

export interface Extension {
  type: number;
  data: Buffer;
}

export interface ParsedServerHello {
  /** legacy_version */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
  isHelloRetryRequest: boolean;
  /** From supported_versions, else the legacy version. */
  selectedVersion: number;
  keyShareGroup?: number;
  /** The server's key_exchange bytes (TLS 1.3 ServerHello, not HRR). */
  keyShare?: Buffer;
  alpn?: string;
  /** renegotiated_connection (empty on an initial handshake). */
  renegotiationInfo?: Buffer;
  extendedMasterSecret: boolean;
  sessionTicket: boolean;
  statusRequest: boolean;
  sct?: Buffer;
  heartbeatMode?: number;
  ecPointFormats?: number[];
  encryptThenMac: boolean;
  /** RFC 8446 §4.1.3: a TLS 1.3-capable server that negotiated an older version says so in its random. */
  downgradeSentinel?: 'TLSv1.2' | 'TLSv1.1';
}

/** Parses a ServerHello body (after the 4-byte handshake header). */
export function parseServerHello(body: Buffer): Result<ParsedServerHello> {
  const r = new Reader(body);
  const version = r.u16('server_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vector8('session_id', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('compression_method');
  // Extensions are optional in SSLv3/TLS ≤ 1.2 (RFC 5246 §7.4.1.3: absent when nothing follows).
  const extensions = r.remaining > 0 ? readExtensions(r) : [];
  if (!r.expectEnd('ServerHello')) return fail(`ServerHello: ${r.error ?? 'malformed'}`);
  if (extensions === null) return fail(`ServerHello: ${r.error ?? 'malformed extensions'}`);

  const hello: ParsedServerHello = {
    version,
    random,
    sessionId,
    cipherSuite,
    compressionMethod,
    extensions,
    isHelloRetryRequest: random.equals(HELLO_RETRY_REQUEST_RANDOM),
    selectedVersion: version,
    extendedMasterSecret: false,
    sessionTicket: false,
    statusRequest: false,
    encryptThenMac: false,
  };
  for (const ext of extensions) {
    const error = applyExtension(hello, ext);
    if (error) return fail(`ServerHello ${error}`);
  }
  const sentinel = random.subarray(24);
  if (sentinel.equals(DOWNGRADE_TLS12)) hello.downgradeSentinel = 'TLSv1.2';
  else if (sentinel.equals(DOWNGRADE_TLS11)) hello.downgradeSentinel = 'TLSv1.1';
  return ok(hello);
}

/** type/data pairs of an extensions block; null (with the reader's error) on bad framing or duplicates. */
function readExtensions(r: Reader): Extension[] | null {
  const block = new Reader(r.vector16('extensions'));
  if (r.failed) return null;
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const data = block.vector16(`extension ${type}`);
    if (block.failed) break;
    // RFC 8446 §4.2 / RFC 5246 §7.4.1.4: at most one extension of each type.
    if (seen.has(type)) {
      r.fail(`duplicate extension ${type}`);
      return null;
    }
    seen.add(type);
    out.push({ type, data });
  }
  if (block.failed) {
    r.fail(block.error ?? 'malformed extensions');
    return null;
  }
  return out;
}

/** Fills the typed field for one extension; returns an error string for malformed contents. */
function applyExtension(h: ParsedServerHello, { type, data }: Extension): string | null {
  const r = new Reader(data);
  switch (type) {
    case ExtensionType.supportedVersions:
      h.selectedVersion = r.u16('supported_versions');
      break;
    case ExtensionType.keyShare:
      // HRR carries only the selected group; a ServerHello carries group + key_exchange.
      h.keyShareGroup = r.u16('key_share group');
      if (!h.isHelloRetryRequest) h.keyShare = r.vector16('key_exchange', 1);
      break;
    case ExtensionType.alpn: {
      const list = new Reader(r.vector16('protocol_name_list'));
      const name = list.vector8('protocol_name', 1);
      if (list.failed || !list.expectEnd('ALPN protocol (a server selects exactly one)')) return `ALPN: ${list.error ?? r.error}`;
      h.alpn = name.toString('latin1');
      break;
    }
    case ExtensionType.renegotiationInfo:
      h.renegotiationInfo = r.vector8('renegotiated_connection');
      break;
    case ExtensionType.ecPointFormats:
      h.ecPointFormats = [...r.vector8('ec_point_format_list', 1)];
      break;
    case ExtensionType.heartbeat:
      h.heartbeatMode = r.u8('heartbeat mode');
      break;
    case ExtensionType.signedCertificateTimestamp:
      h.sct = data;
      r.rest();
      break;
    // Presence-only extensions: their (empty) contents carry nothing, so extra bytes are tolerated.
    case ExtensionType.extendedMasterSecret:
      h.extendedMasterSecret = true;
      return null;
    case ExtensionType.sessionTicket:
      h.sessionTicket = true;
      return null;
    case ExtensionType.statusRequest:
      h.statusRequest = true;
      return null;
    case ExtensionType.encryptThenMac:
      h.encryptThenMac = true;
      return null;
    default:
      return null;
  }
  return r.expectEnd(`extension ${type}`) ? null : `extension ${type}: ${r.error ?? 'malformed'}`;
}

export interface ParsedAlert {
  level: number;
  description: number;
  name: string;
}

export function parseAlert(body: Buffer): Result<ParsedAlert> {
  if (body.length !== 2) return fail(`alert of ${body.length} bytes (expected 2)`);
  const level = body[0] ?? 0;
  const description = body[1] ?? 0;
  if (level !== 1 && level !== 2) return fail(`alert level ${level} is neither warning (1) nor fatal (2)`);
  return ok({ level, description, name: alertName(description) });
}

/** TLS ≤ 1.2 Certificate: a 24-bit list of 24-bit DER certificates, leaf first. */
export function parseCertificateMessage(body: Buffer): Result<Buffer[]> {
  const r = new Reader(body);
  const list = new Reader(r.vector24('certificate_list'));
  if (!r.expectEnd('certificate_list')) return fail(`Certificate: ${r.error ?? 'malformed'}`);
  const certs: Buffer[] = [];
  while (list.remaining > 0) {
    if (certs.length >= LIMITS.maxCertificates) return fail(`Certificate: more than ${LIMITS.maxCertificates} certificates`);
    const cert = list.vector24('certificate', 1);
    if (list.failed) return fail(`Certificate: ${list.error ?? 'malformed'}`);
    certs.push(cert);
  }
  return ok(certs);
}

export type ParsedServerKeyExchange =
  | {
      kind: 'DHE';
      primeBits: number;
      /** The generator as a number, or null when wider than 48 bits. */
      generator: number | null;
      publicBits: number;
      /** dh_p, to recognise well-known or shared primes (Logjam). */
      prime: Buffer;
      /** TLS 1.2 SignatureScheme, when `protocolVersion` ≥ 0x0303 was given. */
      signatureAlgorithm?: number;
    }
  | {
      kind: 'ECDHE';
      /** 3 named_curve, 1 explicit_prime (2 explicit_char2 is not parsed). */
      curveType: number;
      /** null for explicit curves. */
      namedGroup: number | null;
      publicKeyLength: number;
      signatureAlgorithm?: number;
    };

/**
 * ServerKeyExchange for (EC)DHE suites (RFC 5246 §7.4.3, RFC 8422 §5.4). With `protocolVersion`
 * ≥ TLS 1.2 the signature's algorithm is read too; anonymous suites carry no signature.
 */
export function parseServerKeyExchange(
  body: Buffer,
  kind: 'DHE' | 'ECDHE',
  protocolVersion?: number,
): Result<ParsedServerKeyExchange> {
  const r = new Reader(body);
  const params = kind === 'DHE' ? readDhParams(r) : readEcdhParams(r);
  if (params === null || r.failed) return fail(`ServerKeyExchange (${kind}): ${r.error ?? 'malformed'}`);
  if (protocolVersion !== undefined && protocolVersion >= ProtocolVersion.TLSv1_2 && r.remaining > 0) {
    params.signatureAlgorithm = r.u16('signature algorithm');
    r.vector16('signature');
    if (!r.expectEnd('signature')) return fail(`ServerKeyExchange (${kind}): ${r.error ?? 'malformed'}`);
  }
  return ok(params);
}

function readDhParams(r: Reader): ParsedServerKeyExchange | null {
  const prime = r.vector16('dh_p', 1);
  const g = r.vector16('dh_g', 1);
  const ys = r.vector16('dh_Ys', 1);
  if (r.failed) return null;
  const primeBits = bitLength(prime);
  if (primeBits === 0) {
    r.fail('dh_p is zero');
    return null;
  }
  const generator = bitLength(g) <= 48 ? Number(BigInt(`0x${g.toString('hex')}`)) : null;
  return { kind: 'DHE', primeBits, generator, publicBits: bitLength(ys), prime };
}

function readEcdhParams(r: Reader): ParsedServerKeyExchange | null {
  const curveType = r.u8('curve_type');
  let namedGroup: number | null = null;
  if (curveType === 3) {
    namedGroup = r.u16('named_curve');
  } else if (curveType === 1) {
    // explicit_prime: prime_p, curve {a, b}, base point, order, cofactor — each an opaque<1..2^8-1>.
    for (const what of ['prime_p', 'a', 'b', 'base', 'order', 'cofactor']) r.vector8(what, 1);
  } else {
    r.fail(`unsupported ECParameters curve_type ${curveType}`);
  }
  const point = r.vector8('public point', 1);
  if (r.failed) return null;
  return { kind: 'ECDHE', curveType, namedGroup, publicKeyLength: point.length };
}

/** CertificateStatus (RFC 6066 §8): status_type ocsp(1) and a DER OCSPResponse. */
export function parseCertificateStatus(body: Buffer): Result<Buffer> {
  const r = new Reader(body);
  const statusType = r.u8('status_type');
  if (r.failed) return fail('CertificateStatus: empty');
  if (statusType !== 1) return fail(`CertificateStatus: status_type ${statusType} is not ocsp (1)`);
  const response = r.vector24('OCSPResponse', 1);
  if (!r.expectEnd('CertificateStatus')) return fail(`CertificateStatus: ${r.error ?? 'malformed'}`);
  return ok(response);
}

/** TLS 1.3 EncryptedExtensions (RFC 8446 §4.3.1): an extensions block and nothing else. */
export function parseEncryptedExtensions(body: Buffer): Result<Extension[]> {
  const r = new Reader(body);
  const extensions = readExtensions(r);
  if (extensions === null || !r.expectEnd('EncryptedExtensions')) return fail(`EncryptedExtensions: ${r.error ?? 'malformed'}`);
  return ok(extensions);
}

export interface Tls13CertificateEntry {
  der: Buffer;
  /** Per-certificate extensions: status_request (OCSP, RFC 8446 §4.4.2.1) and SCTs live here. */
  extensions: Extension[];
}

/** TLS 1.3 Certificate (RFC 8446 §4.4.2): request context, then entries with their own extensions. */
export function parseTls13Certificate(body: Buffer): Result<Tls13CertificateEntry[]> {
  const r = new Reader(body);
  r.vector8('certificate_request_context');
  const list = new Reader(r.vector24('certificate_list'));
  if (!r.expectEnd('Certificate')) return fail(`Certificate: ${r.error ?? 'malformed'}`);
  const entries: Tls13CertificateEntry[] = [];
  while (list.remaining > 0) {
    if (entries.length >= LIMITS.maxCertificates) return fail(`Certificate: more than ${LIMITS.maxCertificates} certificates`);
    const der = list.vector24('cert_data', 1);
    const extensions = readExtensions(list);
    if (list.failed || extensions === null) return fail(`Certificate: ${list.error ?? 'malformed entry'}`);
    entries.push({ der, extensions });
  }
  return ok(entries);
}
