// The ROBOT test vectors (Böck, Somorovsky, Young: "Return Of Bleichenbacher's Oracle Threat",
// USENIX Security 2018, https://robotattack.org/): five RSA-encrypted premaster secrets, one well
// formed and four broken in the ways a Bleichenbacher oracle tells apart. Encryption is textbook
// RSA (m^e mod n) on our own PKCS#1 v1.5 block, since the point is to send wrong padding.
import { randomBytes, X509Certificate } from 'node:crypto';
import { bigFromBytes, modPow } from '../bigint.js';
import { fail, ok, type Result } from './wire/bytes.js';

/** The paper's five ClientKeyExchange plaintexts. */
export const ROBOT_VARIANTS = ['correct', 'wrong-first-bytes', 'wrong-zero-position', 'missing-zero', 'wrong-version'] as const;
export type RobotVariant = (typeof ROBOT_VARIANTS)[number];

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Modulus length in bytes (the ciphertext length). */
  size: number;
}

const PREMASTER_LENGTH = 48;

/** Non-zero random bytes: PKCS#1 v1.5 type 2 padding (RFC 8017 §7.2.1). */
function nonZeroRandom(n: number): Buffer {
  const out = randomBytes(n);
  for (let i = 0; i < n; i++) while (out[i] === 0) out[i] = randomBytes(1)[0] ?? 1;
  return out;
}

/**
 * The PKCS#1 v1.5 block (modulus length `size`) for one variant; `version` is the ClientHello's
 * client_version, which a well-formed premaster secret starts with (RFC 5246 §7.4.7.1):
 *  correct              00 02 | padding | 00 | version | 46 random
 *  wrong-first-bytes    41 17 | padding | 00 | version | 46 random
 *  wrong-zero-position  00 02 | padding | 11 | 46 random | 00 11   (the separator two bytes from the end)
 *  missing-zero         00 02 | padding | 11 | 11 11 | 46 random   (no separator at all)
 *  wrong-version        00 02 | padding | 00 | 02 02 | 46 random
 */
export function robotPlaintext(variant: RobotVariant, size: number, version: number): Buffer {
  if (size < PREMASTER_LENGTH + 11) throw new RangeError(`RSA modulus of ${size} bytes is too small for a premaster secret`);
  const padding = nonZeroRandom(size - PREMASTER_LENGTH - 3);
  const random = nonZeroRandom(PREMASTER_LENGTH - 2);
  const v = Buffer.from([version >> 8, version & 0xff]);
  const parts: Record<RobotVariant, Buffer[]> = {
    correct: [Buffer.from([0x00, 0x02]), padding, Buffer.from([0x00]), v, random],
    'wrong-first-bytes': [Buffer.from([0x41, 0x17]), padding, Buffer.from([0x00]), v, random],
    'wrong-zero-position': [Buffer.from([0x00, 0x02]), padding, Buffer.from([0x11]), random, Buffer.from([0x00, 0x11])],
    'missing-zero': [Buffer.from([0x00, 0x02]), padding, Buffer.from([0x11, 0x11, 0x11]), random],
    'wrong-version': [Buffer.from([0x00, 0x02]), padding, Buffer.from([0x00, 0x02, 0x02]), random],
  };
  const block = Buffer.concat(parts[variant]);
  if (block.length !== size) throw new Error(`internal: ${variant} block is ${block.length} bytes, not ${size}`);
  return block;
}


/** m^e mod n, big-endian, left-padded to the modulus length. */
export function rsaRaw(key: RsaPublicKey, block: Buffer): Buffer {
  const c = modPow(bigFromBytes(block), key.e, key.n);
  const hex = c.toString(16).padStart(key.size * 2, '0');
  return Buffer.from(hex, 'hex');
}

/** The RSA public key of a DER certificate, or why there is none. */
export function rsaKeyOf(der: Buffer): Result<RsaPublicKey> {
  try {
    const key = new X509Certificate(der).publicKey;
    if (key.asymmetricKeyType !== 'rsa') return fail(`the certificate key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`);
    const jwk = key.export({ format: 'jwk' });
    if (!jwk.n || !jwk.e) return fail('the RSA key has no modulus');
    const n = bigFromBytes(Buffer.from(jwk.n, 'base64url'));
    const e = bigFromBytes(Buffer.from(jwk.e, 'base64url'));
    return ok({ n, e, size: Math.ceil(n.toString(2).length / 8) });
  } catch (err) {
    return fail(`unreadable certificate: ${(err as Error).message}`);
  }
}
