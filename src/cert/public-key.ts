// SubjectPublicKeyInfo read from DER: the algorithm, and what the web-PKI key rules need to know
// (RSA modulus size and exponent, EC curve or explicit parameters), without asking OpenSSL, which
// refuses some of the keys those rules exist to catch.
import { childrenOf, decodeOid, readTlv, TAG, type Tlv } from './der.js';

export const KEY_ALGORITHM = {
  rsa: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  ec: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
} as const;

/** Named curves: NIST name, OpenSSL's name (as reports print it), size. */
export const CURVES: Record<string, { name: string; openssl: string; bits: number }> = {
  '1.2.840.10045.3.1.1': { name: 'P-192', openssl: 'prime192v1', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', openssl: 'secp224r1', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'P-256', openssl: 'prime256v1', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', openssl: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', openssl: 'secp521r1', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', openssl: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', openssl: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', openssl: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', openssl: 'brainpoolP512r1', bits: 512 },
};

export type KeyKind = 'RSA' | 'RSA-PSS' | 'EC' | 'DSA' | 'Ed25519' | 'Ed448' | 'unknown';

export interface PublicKeyInfo {
  /** The whole SubjectPublicKeyInfo TLV (what Node's createPublicKey takes). */
  der: Buffer;
  algorithm: string;
  /** The algorithm parameters TLV, or null when absent. */
  params: Buffer | null;
  /** The subjectPublicKey BIT STRING's bits. */
  key: Buffer;
  kind: KeyKind;
  /** RSA: bit length of the modulus. */
  rsaBits: number | null;
  /** RSA: the public exponent when it fits a JS number, else null. */
  rsaExponent: number | null;
  /** EC: the named curve's OID; null with explicit (or absent) parameters. */
  curveOid: string | null;
  /** EC parameters given explicitly rather than as a named curve (RFC 5480 forbids it). */
  explicitCurve: boolean;
  /** DSA: bit length of the prime p, from the parameters. */
  dsaBits: number | null;
}

const KIND: Record<string, KeyKind> = {
  [KEY_ALGORITHM.rsa]: 'RSA',
  [KEY_ALGORITHM.rsaPss]: 'RSA-PSS',
  [KEY_ALGORITHM.ec]: 'EC',
  [KEY_ALGORITHM.dsa]: 'DSA',
  [KEY_ALGORITHM.ed25519]: 'Ed25519',
  [KEY_ALGORITHM.ed448]: 'Ed448',
};

function bitLength(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }; null when malformed. */
export function decodeSpki(der: Buffer, spki: Tlv): PublicKeyInfo | null {
  const parts = childrenOf(der, spki, 2);
  if (!parts || parts.length !== 2) return null;
  const [alg, bits] = parts as [Tlv, Tlv];
  const algParts = alg.tag === TAG.SEQUENCE ? childrenOf(der, alg, 2) : null;
  if (!algParts || algParts.length === 0 || algParts[0]!.tag !== TAG.OID) return null;
  const algorithm = decodeOid(der.subarray(algParts[0]!.start, algParts[0]!.end));
  if (!algorithm || bits.tag !== TAG.BIT_STRING || bits.end - bits.start < 1) return null;
  const p = algParts[1];
  const info: PublicKeyInfo = {
    der: der.subarray(spki.headerStart, spki.end),
    algorithm,
    params: p ? der.subarray(p.headerStart, p.end) : null,
    key: der.subarray(bits.start + 1, bits.end),
    kind: KIND[algorithm] ?? 'unknown',
    rsaBits: null,
    rsaExponent: null,
    curveOid: null,
    explicitCurve: false,
    dsaBits: null,
  };
  if (info.kind === 'RSA' || info.kind === 'RSA-PSS') {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    const seq = readTlv(info.key, 0, info.key.length);
    const ints = seq && seq.tag === TAG.SEQUENCE ? childrenOf(info.key, seq, 2) : null;
    if (ints && ints.length === 2 && ints.every((t) => t.tag === TAG.INTEGER)) {
      info.rsaBits = bitLength(info.key.subarray(ints[0]!.start, ints[0]!.end));
      const e = info.key.subarray(ints[1]!.start, ints[1]!.end);
      info.rsaExponent = e.length <= 6 ? e.reduce((v, b) => v * 256 + b, 0) : null;
    }
  } else if (info.kind === 'EC' && p) {
    if (p.tag === TAG.OID) info.curveOid = decodeOid(der.subarray(p.start, p.end));
    else info.explicitCurve = p.tag === TAG.SEQUENCE;
  } else if (info.kind === 'DSA' && p && p.tag === TAG.SEQUENCE) {
    // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }
    const prime = childrenOf(der, p, 3)?.[0];
    if (prime && prime.tag === TAG.INTEGER) info.dsaBits = bitLength(der.subarray(prime.start, prime.end));
  }
  return info;
}

/** "RSA 2048", "EC P-256", "Ed25519" … */
export function keyDescription(k: PublicKeyInfo): string {
  if (k.rsaBits !== null) return `${k.kind} ${k.rsaBits}`;
  if (k.kind === 'EC') return k.explicitCurve ? 'EC (explicit parameters)' : `EC ${(k.curveOid && CURVES[k.curveOid]?.name) ?? k.curveOid ?? '?'}`;
  return k.kind;
}
