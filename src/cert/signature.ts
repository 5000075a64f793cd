// Does the issuer's key verify a certificate's signature? Computed over the raw TBSCertificate with
// Node's crypto.verify, so a certificate OpenSSL will not load as a whole (an empty name, an odd
// extension) can still be checked. The algorithm comes from the certificate's own
// signatureAlgorithm; a key of the wrong type, unsupported parameters or an unknown algorithm do
// not verify.
import { createPublicKey, constants, verify, type KeyObject } from 'node:crypto';
import { childrenOf, decodeOid, readTlv, TAG } from './der.js';
import type { AlgorithmIdentifier, DecodedCertificate } from './decode.js';
import type { PublicKeyInfo } from './public-key.js';

const HASH_OIDS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

type Scheme = { family: 'rsa' | 'ecdsa' | 'dsa'; hash: string } | { family: 'eddsa'; hash: null } | { family: 'rsa-pss'; hash: null };

const SCHEMES: Record<string, Scheme> = {
  '1.2.840.113549.1.1.4': { family: 'rsa', hash: 'md5' },
  '1.2.840.113549.1.1.5': { family: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { family: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { family: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { family: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { family: 'rsa', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { family: 'rsa-pss', hash: null },
  '1.2.840.10045.4.1': { family: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { family: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', hash: 'sha512' },
  '1.2.840.10040.4.3': { family: 'dsa', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { family: 'dsa', hash: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { family: 'dsa', hash: 'sha256' },
  '1.3.101.112': { family: 'eddsa', hash: null },
  '1.3.101.113': { family: 'eddsa', hash: null },
};

const NULL_PARAMS = Buffer.from([0x05, 0x00]);

/** RSASSA-PSS-params: hash [0], maskGen [1] (MGF1 with the same hash), saltLength [2], trailerField [3] = 1. */
function pssParams(params: Buffer | null): { hash: string; saltLength: number } | null {
  if (!params) return null;
  const seq = readTlv(params, 0, params.length);
  const fields = seq && seq.tag === TAG.SEQUENCE ? childrenOf(params, seq, 4) : null;
  if (!fields) return null;
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  const algOid = (outer: { start: number; end: number }) => {
    const alg = readTlv(params, outer.start, outer.end);
    const oid = alg && alg.tag === TAG.SEQUENCE ? readTlv(params, alg.start, alg.end) : null;
    return oid && oid.tag === TAG.OID ? { oid: decodeOid(params.subarray(oid.start, oid.end)), alg } : null;
  };
  for (const f of fields) {
    if (f.tag === 0xa0) {
      const h = algOid(f)?.oid;
      if (!h || !HASH_OIDS[h]) return null;
      hash = HASH_OIDS[h]!;
    } else if (f.tag === 0xa1) {
      const mgf = algOid(f);
      if (mgf?.oid !== '1.2.840.113549.1.1.8') return null;
      const inner = mgf.alg ? childrenOf(params, mgf.alg, 2)?.[1] : undefined;
      const h = inner && inner.tag === TAG.SEQUENCE ? readTlv(params, inner.start, inner.end) : null;
      const hOid = h && h.tag === TAG.OID ? decodeOid(params.subarray(h.start, h.end)) : null;
      if (!hOid || !HASH_OIDS[hOid]) return null;
      mgfHash = HASH_OIDS[hOid]!;
    } else if (f.tag === 0xa2) {
      const int = readTlv(params, f.start, f.end);
      if (!int || int.tag !== TAG.INTEGER || int.end - int.start > 2) return null;
      saltLength = params.subarray(int.start, int.end).reduce((v, b) => v * 256 + b, 0);
    } else if (f.tag === 0xa3) {
      const int = readTlv(params, f.start, f.end);
      if (!int || int.end - int.start !== 1 || params[int.start] !== 1) return null;
    } else return null;
  }
  // Node's verify uses the signature hash for MGF1 too.
  return hash === mgfHash ? { hash, saltLength } : null;
}

const KEY_FAMILY: Record<string, Scheme['family'][]> = {
  rsa: ['rsa', 'rsa-pss'],
  'rsa-pss': ['rsa-pss'],
  ec: ['ecdsa'],
  dsa: ['dsa'],
  ed25519: ['eddsa'],
  ed448: ['eddsa'],
};

const keyCache = new WeakMap<PublicKeyInfo, KeyObject | null>();

/** Node's KeyObject for a public key, or null when OpenSSL cannot load it (explicit curves, odd encodings). */
export function publicKeyObject(info: PublicKeyInfo): KeyObject | null {
  if (keyCache.has(info)) return keyCache.get(info)!;
  let key: KeyObject | null;
  try {
    key = createPublicKey({ key: info.der, format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  keyCache.set(info, key);
  return key;
}

/** Whether `alg` over `data` with `signature` verifies under `key`; false for anything unsupported. */
export function verifySignature(alg: AlgorithmIdentifier, data: Buffer, signature: Buffer, keyInfo: PublicKeyInfo): boolean {
  const scheme = SCHEMES[alg.oid];
  const key = publicKeyObject(keyInfo);
  if (!scheme || !key || !KEY_FAMILY[key.asymmetricKeyType ?? '']?.includes(scheme.family)) return false;
  try {
    switch (scheme.family) {
      case 'rsa':
        // RFC 4055: the parameters are NULL (absent is tolerated, as browsers do).
        if (alg.params && !alg.params.equals(NULL_PARAMS)) return false;
        return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss': {
        const pss = pssParams(alg.params);
        if (!pss) return false;
        return verify(pss.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
      }
      case 'ecdsa':
      case 'dsa':
        // RFC 5758 / RFC 3279: the parameters are absent.
        if (alg.params) return false;
        return verify(scheme.hash, data, key, signature);
      case 'eddsa':
        if (alg.params) return false;
        return verify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

/** Whether `issuerKey` verifies `cert`'s signature. */
export function signedBy(cert: DecodedCertificate, issuerKey: PublicKeyInfo): boolean {
  return verifySignature(cert.signatureAlgorithm, cert.tbs, cert.signature, issuerKey);
}

const selfCache = new WeakMap<DecodedCertificate, boolean>();

/** Whether the certificate's own key verifies its signature (memoised: path validation asks often). */
export function signedBySelf(cert: DecodedCertificate): boolean {
  let ok = selfCache.get(cert);
  if (ok === undefined) selfCache.set(cert, (ok = signedBy(cert, cert.publicKey)));
  return ok;
}
