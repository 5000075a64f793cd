// SCT signature verification (RFC 6962 §3.2): rebuild the digitally-signed struct the log signed and
// check it with the log's key. Logs sign with ECDSA P-256 or RSA ≥ 2048 (PKCS#1 v1.5), both over
// SHA-256 (RFC 6962 §2.1.4). node:crypto does the maths; every failure is a value, not a throw.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { concatBytes } from '../cert/der.js';
import { precertTbs, spkiOf } from './precert.js';
import type { Result, Sct } from './sct.js';

export { precertTbs, spkiOf } from './precert.js';

/**
 * What the log signed. x509_entry: the leaf DER (SCTs from the TLS extension or OCSP). precert_entry:
 * SHA-256 of the issuer's SubjectPublicKeyInfo plus the TBSCertificate without the SCT list (embedded
 * SCTs). When a Precertificate Signing Certificate was used, the hash is still of the final issuer's
 * key (RFC 6962 §3.2), so the issuer of the final certificate is what is needed.
 */
export type SignedEntry = { kind: 'x509'; certDer: Uint8Array } | { kind: 'precert'; issuerKeyHash: Uint8Array; tbs: Uint8Array };

export type VerifyOutcome = { valid: true } | { valid: false; error: string };

const HASH_SHA256 = 4;
const SIG_RSA = 1;
const SIG_ECDSA = 3;
const MAX_UINT24 = 0xffffff;

export function x509Entry(leafDer: Uint8Array): SignedEntry {
  return { kind: 'x509', certDer: leafDer };
}

/** precert_entry for an embedded SCT, from the leaf and the issuer's SubjectPublicKeyInfo DER. */
export function precertEntry(leafDer: Uint8Array, issuerSpkiDer: Uint8Array): Result<SignedEntry> {
  const tbs = precertTbs(leafDer);
  if (!tbs.ok) return tbs;
  return { ok: true, value: { kind: 'precert', issuerKeyHash: createHash('sha256').update(issuerSpkiDer).digest(), tbs: tbs.value } };
}

/** precert_entry with the issuer given as a certificate. */
export function precertEntryFromIssuer(leafDer: Uint8Array, issuerDer: Uint8Array): Result<SignedEntry> {
  const spki = spkiOf(issuerDer);
  if (!spki) return { ok: false, error: { code: 'bad-certificate', message: 'issuer certificate is not well-formed DER' } };
  return precertEntry(leafDer, spki);
}

const uint = (value: number, bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
};

/**
 * digitally-signed struct { Version sct_version; SignatureType signature_type = certificate_timestamp(0);
 * uint64 timestamp; LogEntryType entry_type; select(entry_type) { x509_entry: ASN.1Cert<1..2^24-1>;
 * precert_entry: issuer_key_hash[32] + TBSCertificate<1..2^24-1> }; CtExtensions extensions<0..2^16-1> }.
 */
export function signedData(sct: Sct, entry: SignedEntry): Uint8Array | null {
  const body = entry.kind === 'x509' ? entry.certDer : entry.tbs;
  if (body.length === 0 || body.length > MAX_UINT24 || sct.extensions.length > 0xffff) return null;
  const head = Uint8Array.of(sct.version, 0);
  const entryType = uint(entry.kind === 'x509' ? 0 : 1, 2);
  const signedEntry = entry.kind === 'x509' ? [uint(body.length, 3), body] : [entry.issuerKeyHash, uint(body.length, 3), body];
  return concatBytes([head, uint(sct.timestamp, 8), entryType, ...signedEntry, uint(sct.extensions.length, 2), sct.extensions]);
}

const keyCache = new Map<string, KeyObject | null>();

/** The log's key as a KeyObject, cached by its DER; null when it is not an SPKI Node can read. */
function logKey(spkiDer: Uint8Array): KeyObject | null {
  const id = Buffer.from(spkiDer).toString('base64');
  if (keyCache.has(id)) return keyCache.get(id)!;
  let key: KeyObject | null = null;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  if (keyCache.size > 1024) keyCache.clear(); // a log list has ~100 keys; this only bounds memory
  keyCache.set(id, key);
  return key;
}

/** Check one SCT's signature against the log's SubjectPublicKeyInfo DER. */
export function verifySct(sct: Sct, entry: SignedEntry, logSpkiDer: Uint8Array): VerifyOutcome {
  if (sct.hashAlgorithm !== HASH_SHA256) return { valid: false, error: `unsupported hash algorithm ${sct.hashAlgorithm} (logs sign with SHA-256)` };
  const key = logKey(logSpkiDer);
  if (!key) return { valid: false, error: "the log's public key could not be read" };
  if (sct.signatureAlgorithm === SIG_ECDSA) {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return { valid: false, error: 'ECDSA signature but the log key is not P-256' };
  } else if (sct.signatureAlgorithm === SIG_RSA) {
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return { valid: false, error: 'RSA signature but the log key is not RSA ≥ 2048 bits' };
  } else {
    return { valid: false, error: `unsupported signature algorithm ${sct.signatureAlgorithm}` };
  }
  const data = signedData(sct, entry);
  if (!data) return { valid: false, error: 'signed entry is empty or too large for RFC 6962' };
  let ok = false;
  try {
    ok = verify('sha256', data, sct.signatureAlgorithm === SIG_ECDSA ? { key, dsaEncoding: 'der' } : key, sct.signature);
  } catch {
    ok = false; // malformed signature encodings
  }
  return ok ? { valid: true } : { valid: false, error: 'signature does not verify' };
}
