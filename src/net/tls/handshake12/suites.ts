// The TLS 1.0–1.2 cipher suites the raw handshake client can complete, with what each needs: key
// exchange, record cipher, MAC, PRF hash. Derived from the registry's parsed IANA names, then kept
// to what we implement: RSA (export too), DHE, ECDHE, anonymous DH/ECDH key exchange; AES, ARIA,
// Camellia (CBC; AES/ARIA also GCM, AES CCM), ChaCha20-Poly1305, 3DES, DES, RC4 and NULL records.
// Left out (never offered): static DH/ECDH, PSK, SRP, KRB5, GOST key exchange; RC2, IDEA, SEED
// records (Node's OpenSSL 3 default provider has none of them), and SSL 3.0 itself.
import { getCiphers } from 'node:crypto';
import { suitesForProtocol, suiteByCode, type CipherSuiteInfo, type TlsProtocol } from '../../../tls/registry/index.js';
import type { PrfHash } from './prf.js';

export type KeyExchangeKind = 'RSA' | 'DHE' | 'ECDHE' | 'DH_anon' | 'ECDH_anon';
export type MacHash = 'md5' | 'sha1' | 'sha256' | 'sha384';

export type RecordCipherSpec =
  | { kind: 'null' }
  /** RC4 in JavaScript (OpenSSL 3 keeps it in the legacy provider). */
  | { kind: 'rc4'; keyLength: number }
  /** `singleDes`: DES as des-ede3 with three equal keys (OpenSSL 3 keeps des-cbc in the legacy provider). */
  | { kind: 'cbc'; node: string; keyLength: number; blockSize: number; singleDes?: boolean }
  /** fixedIv: the implicit nonce part from the key block (RFC 5288 §3, RFC 7905 §2). */
  | { kind: 'aead'; node: string; mode: 'gcm' | 'ccm' | 'chacha'; keyLength: number; fixedIv: number; explicitNonce: number; tagLength: number };

export interface HandshakeSuite {
  code: number;
  name: string;
  kx: KeyExchangeKind;
  cipher: RecordCipherSpec;
  /** null for AEAD suites. */
  mac: MacHash | null;
  prfHash: PrfHash;
  /** Export suites: bytes of secret key material before RFC 2246 §6.3 stretches it (5 for 40-bit). */
  exportKeyMaterial: number | null;
  /** SHA-256/384 MACs and AEAD ciphers exist from TLS 1.2 on; export suites only up to TLS 1.0. */
  minVersion: TlsProtocol;
  maxVersion: TlsProtocol;
}

const MAC: Readonly<Record<string, MacHash>> = { MD5: 'md5', SHA: 'sha1', SHA256: 'sha256', SHA384: 'sha384' };

function keyExchangeOf(s: CipherSuiteInfo): KeyExchangeKind | null {
  if (s.auth === 'anon') return s.kx === 'DH' ? 'DH_anon' : s.kx === 'ECDH' ? 'ECDH_anon' : null;
  if (!['RSA', 'DSS', 'ECDSA'].includes(s.auth)) return null;
  if (s.kx === 'RSA' && s.auth === 'RSA') return 'RSA';
  if (s.kx === 'DHE' || s.kx === 'ECDHE') return s.kx;
  return null;
}

function cipherOf(token: string): RecordCipherSpec | null {
  let m: RegExpExecArray | null;
  if (token === 'NULL') return { kind: 'null' };
  if (/^RC4_(40|56|128)$/.test(token)) return { kind: 'rc4', keyLength: 16 };
  if (token === 'DES_CBC' || token === 'DES40_CBC') return { kind: 'cbc', node: 'des-ede3-cbc', keyLength: 8, blockSize: 8, singleDes: true };
  if (token === '3DES_EDE_CBC') return { kind: 'cbc', node: 'des-ede3-cbc', keyLength: 24, blockSize: 8 };
  if ((m = /^(AES|CAMELLIA|ARIA)_(128|256)_CBC$/.exec(token))) {
    return { kind: 'cbc', node: `${m[1]!.toLowerCase()}-${m[2]}-cbc`, keyLength: Number(m[2]) / 8, blockSize: 16 };
  }
  if ((m = /^(AES|CAMELLIA|ARIA)_(128|256)_GCM$/.exec(token))) {
    return { kind: 'aead', node: `${m[1]!.toLowerCase()}-${m[2]}-gcm`, mode: 'gcm', keyLength: Number(m[2]) / 8, fixedIv: 4, explicitNonce: 8, tagLength: 16 };
  }
  if ((m = /^AES_(128|256)_CCM(_8)?$/.exec(token))) {
    return { kind: 'aead', node: `aes-${m[1]}-ccm`, mode: 'ccm', keyLength: Number(m[1]) / 8, fixedIv: 4, explicitNonce: 8, tagLength: m[2] ? 8 : 16 };
  }
  if (token === 'CHACHA20_POLY1305') return { kind: 'aead', node: 'chacha20-poly1305', mode: 'chacha', keyLength: 32, fixedIv: 12, explicitNonce: 0, tagLength: 16 };
  return null;
}

let available: Set<string> | null = null;
function nodeHas(cipher: RecordCipherSpec): boolean {
  available ??= new Set(getCiphers());
  return cipher.kind !== 'cbc' && cipher.kind !== 'aead' ? true : available.has(cipher.node);
}

/** The suite as the client would run it, or null when we cannot complete a handshake with it. */
export function handshakeSuite(code: number): HandshakeSuite | null {
  const s = suiteByCode(code);
  if (!s || s.tls13 || s.scsv) return null;
  // Unregistered code points (draft ChaCha20, FIPS, GOST …) may run other constructions; of them
  // only EXPORT1024, whose key derivation is TLS 1.0 export's (OpenSSL 0.9.8), is offered.
  if (s.iana === false && !s.name.includes('_EXPORT1024_')) return null;
  const kx = keyExchangeOf(s);
  const cipher = cipherOf(s.cipher);
  if (!kx || !cipher || !nodeHas(cipher)) return null;
  const mac = s.aead ? null : (MAC[s.mac] ?? undefined);
  if (mac === undefined) return null;
  // The effective key bits say how much secret an export key block carries: 40 → 5 bytes, 56 → 7
  // (OpenSSL's EXPORT1024 DES-CBC carried a whole 8-byte DES key).
  const exportKeyMaterial = s.export ? (s.bits <= 40 ? 5 : cipher.kind === 'cbc' ? 8 : 7) : null;
  const tls12Only = cipher.kind === 'aead' || mac === 'sha256' || mac === 'sha384';
  return {
    code,
    name: s.name,
    kx,
    cipher,
    mac,
    prfHash: s.name.endsWith('_SHA384') ? 'sha384' : 'sha256',
    exportKeyMaterial,
    minVersion: tls12Only ? 'TLSv1.2' : 'TLSv1.0',
    // RFC 4346 §A.5: a TLS 1.1 implementation must not negotiate the export suites.
    maxVersion: s.export ? 'TLSv1.0' : 'TLSv1.2',
  };
}

const ORDER: readonly TlsProtocol[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export function suiteAllowed(suite: HandshakeSuite, version: TlsProtocol): boolean {
  const v = ORDER.indexOf(version);
  return v >= ORDER.indexOf(suite.minVersion) && v <= ORDER.indexOf(suite.maxVersion);
}

/** Strong before weak, so a server that honours the client's order picks a sound suite. */
function rank(s: HandshakeSuite): number {
  const c = s.cipher;
  let r = c.kind === 'aead' ? 0 : c.kind === 'cbc' && c.blockSize === 16 ? 10 : c.kind === 'cbc' && !c.singleDes ? 20 : c.kind === 'rc4' ? 30 : c.kind === 'cbc' ? 40 : 50;
  if (s.kx === 'RSA') r += 2;
  if (s.kx === 'DH_anon' || s.kx === 'ECDH_anon') r += 5;
  if (s.exportKeyMaterial !== null) r += 60;
  return r;
}

const cache = new Map<TlsProtocol, readonly number[]>();

/** Every suite we can complete at `version`, strongest first. */
export function completableSuites(version: TlsProtocol): readonly number[] {
  let list = cache.get(version);
  if (!list) {
    const suites = suitesForProtocol(version)
      .map((s) => handshakeSuite(s.code))
      .filter((s): s is HandshakeSuite => s !== null && suiteAllowed(s, version));
    list = suites.sort((a, b) => rank(a) - rank(b)).map((s) => s.code);
    cache.set(version, list);
  }
  return list;
}
