// The client's side of the TLS 1.0–1.2 key exchanges (RFC 5246 §7.4.3, §7.4.7; RFC 8422 §5): read
// the ServerKeyExchange parameters, make the ClientKeyExchange body and the premaster secret.
// Finite-field DH is BigInt arithmetic so any group works (480-bit and other sizes OpenSSL 3
// refuses); RSA is textbook m^e mod n on our own PKCS#1 v1.5 block, so 512-bit export keys work too.
// The ServerKeyExchange signature is read past, not verified: we need the session, not assurance
// of whom it is with (the server's Finished still proves it holds the same master secret).
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { bigFromBytes, modPow } from '../../bigint.js';
import { rsaKeyOf, rsaRaw, type RsaPublicKey } from '../bleichenbacher.js';
import { fail, ok, Reader, Writer, type Result } from '../wire/bytes.js';
import type { KeyExchangeKind } from './suites.js';

/** Named curves we can agree on, by TLS code point (RFC 8422 §5.1.1, RFC 7027). */
const EC_CURVES: ReadonlyMap<number, string> = new Map([
  [19, 'prime192v1'],
  [21, 'secp224r1'],
  [22, 'secp256k1'],
  [23, 'prime256v1'],
  [24, 'secp384r1'],
  [25, 'secp521r1'],
  [26, 'brainpoolP256r1'],
  [27, 'brainpoolP384r1'],
  [28, 'brainpoolP512r1'],
]);
// SPKI prefixes of raw X25519 / X448 public keys (RFC 8410), to import the server's bytes.
const MONTGOMERY: ReadonlyMap<number, { type: 'x25519' | 'x448'; prefix: Buffer; length: number }> = new Map([
  [29, { type: 'x25519' as const, prefix: Buffer.from('302a300506032b656e032100', 'hex'), length: 32 }],
  [30, { type: 'x448' as const, prefix: Buffer.from('3042300506032b656f033900', 'hex'), length: 56 }],
]);

/** supported_groups for the hello: the curves above, most common first. */
export const CLIENT_EC_GROUPS: readonly number[] = [29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 19];

/** Finite-field groups and RSA keys larger than this are refused: the modular exponentiation is ours to pay for. */
const MAX_DH_BITS = 16384;

export type ServerKeyParams =
  | { kind: 'rsa'; key: RsaPublicKey }
  | { kind: 'dh'; p: bigint; g: bigint; ys: bigint; pBytes: number; bits: number }
  | { kind: 'ecdh'; group: number; point: Buffer };

export interface KeyExchangeOutcome {
  premaster: Buffer;
  /** The ClientKeyExchange body (without the handshake header). */
  body: Buffer;
  /** What was agreed: 'RSA 2048', 'DH 512', 'ECDH group 29' … */
  summary: string;
}

const big = bigFromBytes;

function toBytes(n: bigint, length: number): Buffer {
  return Buffer.from(n.toString(16).padStart(length * 2, '0'), 'hex');
}

export { modPow };

/** Reads the params of a ServerKeyExchange body (signature ignored); RSA params only for export RSA. */
export function parseServerKeyParams(body: Buffer, kx: KeyExchangeKind): Result<ServerKeyParams> {
  const r = new Reader(body);
  let params: ServerKeyParams | null = null;
  if (kx === 'RSA') {
    const n = r.vector16('rsa_modulus', 1);
    const e = r.vector16('rsa_exponent', 1);
    if (!r.failed) params = { kind: 'rsa', key: { n: big(n), e: big(e), size: n.length - (n[0] === 0 ? 1 : 0) } };
  } else if (kx === 'DHE' || kx === 'DH_anon') {
    const p = r.vector16('dh_p', 1);
    const g = r.vector16('dh_g', 1);
    const ys = r.vector16('dh_Ys', 1);
    if (!r.failed) {
      const pn = big(p);
      params = { kind: 'dh', p: pn, g: big(g), ys: big(ys), pBytes: Math.ceil(pn.toString(16).length / 2), bits: pn.toString(2).length };
    }
  } else {
    const curveType = r.u8('curve_type');
    const group = r.u16('named_curve');
    const point = r.vector8('ECPoint', 1);
    if (!r.failed && curveType !== 3) return fail(`ServerKeyExchange: curve_type ${curveType} (only named curves are supported)`);
    if (!r.failed) params = { kind: 'ecdh', group, point };
  }
  // The signature (or nothing, for anonymous suites) follows; its framing is the server's business.
  return params && !r.failed ? ok(params) : fail(`ServerKeyExchange: ${r.error ?? 'malformed'}`);
}

/** RSA: a fresh premaster secret (client_version ‖ 46 random bytes) encrypted to `key`. */
export function rsaKeyExchange(key: RsaPublicKey, clientVersion: number): Result<KeyExchangeOutcome> {
  if (key.size < 48 + 11) return fail(`an RSA key of ${key.size} bytes cannot carry a premaster secret`);
  if (key.size * 8 > MAX_DH_BITS || key.e.toString(2).length > MAX_DH_BITS) return fail(`an RSA key over ${MAX_DH_BITS} bits is more than we compute with`);
  const premaster = Buffer.concat([Buffer.from([clientVersion >> 8, clientVersion & 0xff]), randomBytes(46)]);
  // PKCS#1 v1.5 type 2 (RFC 8017 §7.2.1): 00 02 ‖ non-zero padding ‖ 00 ‖ message.
  const padding = randomBytes(key.size - premaster.length - 3);
  for (let i = 0; i < padding.length; i++) while (padding[i] === 0) padding[i] = randomBytes(1)[0]!;
  const block = Buffer.concat([Buffer.from([0, 2]), padding, Buffer.from([0]), premaster]);
  const encrypted = rsaRaw(key, block);
  return ok({ premaster, body: new Writer().vector16(encrypted).toBuffer(), summary: `RSA ${key.n.toString(2).length}` });
}

/** The RSA key to encrypt to: the export ServerKeyExchange's temporary key, else the leaf's. */
export function rsaKeyFor(leaf: Buffer | undefined, params: ServerKeyParams | null): Result<RsaPublicKey> {
  if (params?.kind === 'rsa') return ok(params.key);
  if (!leaf) return fail('no server certificate to encrypt the premaster secret to');
  return rsaKeyOf(leaf);
}

/** Finite-field DH (RFC 5246 §8.1.2): the premaster secret is Z with its leading zeros stripped. */
export function dhKeyExchange(params: Extract<ServerKeyParams, { kind: 'dh' }>): Result<KeyExchangeOutcome> {
  const { p, g, ys } = params;
  if (params.bits < 64 || params.bits > MAX_DH_BITS) return fail(`a ${params.bits}-bit DH prime is outside what we compute with (64..${MAX_DH_BITS})`);
  if (g < 2n || g > p - 2n || ys < 2n || ys > p - 2n) return fail('DH parameters out of range (g or Ys not in [2, p-2])');
  // A private exponent of up to 512 bits: plenty for a session we only want to look at.
  const xBits = Math.min(params.bits - 1, 512);
  const x = (big(randomBytes(Math.ceil(xBits / 8))) % (p - 3n)) + 2n;
  const yc = modPow(g, x, p);
  const z = modPow(ys, x, p);
  const zBytes = toBytes(z, params.pBytes);
  let lead = 0;
  while (lead < zBytes.length - 1 && zBytes[lead] === 0) lead++;
  return ok({ premaster: zBytes.subarray(lead), body: new Writer().vector16(toBytes(yc, params.pBytes)).toBuffer(), summary: `DH ${params.bits}` });
}

/** ECDHE on a named curve (RFC 8422 §5.10): the premaster secret is the shared x-coordinate. */
export function ecdhKeyExchange(params: Extract<ServerKeyParams, { kind: 'ecdh' }>): Result<KeyExchangeOutcome> {
  const summary = `ECDH group ${params.group}`;
  const mont = MONTGOMERY.get(params.group);
  try {
    if (mont) {
      if (params.point.length !== mont.length) return fail(`a ${mont.type} share of ${params.point.length} bytes`);
      const { publicKey, privateKey } = mont.type === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448');
      const der = publicKey.export({ format: 'der', type: 'spki' });
      const peer = createPublicKey({ key: Buffer.concat([mont.prefix, params.point]), format: 'der', type: 'spki' });
      const premaster = diffieHellman({ privateKey, publicKey: peer });
      return ok({ premaster, body: new Writer().vector8(der.subarray(der.length - mont.length)).toBuffer(), summary });
    }
    const curve = EC_CURVES.get(params.group);
    if (!curve) return fail(`the server chose curve ${params.group}, which we did not offer`);
    const ecdh = createECDH(curve);
    const mine = ecdh.generateKeys(); // uncompressed point
    return ok({ premaster: ecdh.computeSecret(params.point), body: new Writer().vector8(mine).toBuffer(), summary });
  } catch (err) {
    return fail(`the server's EC share is not a valid point: ${(err as Error).message}`);
  }
}
