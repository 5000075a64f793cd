// Signed Certificate Timestamps (RFC 6962 §3.2–3.3): the TLS-encoded SignedCertificateTimestampList
// and the X.509 / OCSP extensions that carry it. Bytes come from the scanned server, so everything is
// bounded and every failure is a typed error value, never an exception.
import { encodeOidContent, findExtensions, parseCertificate, readTlv, TAG } from '../cert/der.js';

/** X.509v3 extension with the SCTs embedded in a certificate (RFC 6962 §3.3). */
export const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
/** OCSP SingleResponse extension with SCTs (RFC 6962 §3.3); same inner encoding. */
export const OCSP_SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.5';
/** Real lists hold 2–5 SCTs; a few dozen is already absurd. */
export const MAX_SCTS = 64;

const SCT_V1 = 0;
const LOG_ID_BYTES = 32;
/** Date's range (±8.64e15 ms); a larger uint64 cannot be an honest timestamp. */
const MAX_TIMESTAMP_MS = 8.64e15;
const SCT_LIST_OID_CONTENT = encodeOidContent(SCT_LIST_OID);

export interface Sct {
  version: 0;
  /** SHA-256 of the log's SubjectPublicKeyInfo. */
  logId: Uint8Array;
  /** The same, base64, as the log list spells it. */
  logIdBase64: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  extensions: Uint8Array;
  /** TLS HashAlgorithm: 4 = sha256. */
  hashAlgorithm: number;
  /** TLS SignatureAlgorithm: 1 = rsa, 3 = ecdsa. */
  signatureAlgorithm: number;
  signature: Uint8Array;
}

export type SctErrorCode =
  | 'empty'
  | 'truncated'
  | 'trailing-bytes'
  | 'too-many'
  | 'unsupported-version'
  | 'bad-timestamp'
  | 'not-der'
  | 'bad-certificate'
  | 'duplicate-extension';

export interface SctError {
  code: SctErrorCode;
  message: string;
  /** Position of the SCT in its list, when the error concerns one SCT. */
  index?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: SctError };

export interface SctList {
  scts: Sct[];
  /** SCTs inside a well-framed list that could not be decoded (e.g. a future version): skipped, as RFC 6962 clients do. */
  rejected: SctError[];
}

const fail = (code: SctErrorCode, message: string, index?: number): { ok: false; error: SctError } => ({
  ok: false,
  error: index === undefined ? { code, message } : { code, message, index },
});

const u16 = (b: Uint8Array, at: number) => b[at]! * 256 + b[at + 1]!;

/** SignedCertificateTimestampList: opaque SerializedSCT<1..2^16-1> inside sct_list<1..2^16-1>. */
export function parseSctList(bytes: Uint8Array, maxScts = MAX_SCTS): Result<SctList> {
  if (bytes.length < 2) return fail('truncated', `SCT list is ${bytes.length} byte(s), shorter than its 2-byte length`);
  const total = u16(bytes, 0);
  if (total === 0) return fail('empty', 'SCT list is empty (length 0)');
  if (2 + total > bytes.length) return fail('truncated', `SCT list length ${total} runs past the ${bytes.length - 2} bytes present`);
  if (2 + total < bytes.length) return fail('trailing-bytes', `${bytes.length - 2 - total} byte(s) follow the SCT list`);
  const scts: Sct[] = [];
  const rejected: SctError[] = [];
  for (let at = 2, index = 0; at < bytes.length; index++) {
    if (index >= maxScts) return fail('too-many', `SCT list holds more than ${maxScts} SCTs`);
    if (at + 2 > bytes.length) return fail('truncated', `SCT #${index} length is cut off`, index);
    const len = u16(bytes, at);
    if (len === 0) return fail('empty', `SCT #${index} is empty (length 0)`, index);
    if (at + 2 + len > bytes.length) return fail('truncated', `SCT #${index} length ${len} runs past the end of the list`, index);
    const one = parseSct(bytes.subarray(at + 2, at + 2 + len));
    if (one.ok) scts.push(one.value);
    else rejected.push({ ...one.error, index });
    at += 2 + len;
  }
  return { ok: true, value: { scts, rejected } };
}

/** One SignedCertificateTimestamp (v1): version, log_id[32], uint64 timestamp, extensions, digitally-signed. */
export function parseSct(b: Uint8Array): Result<Sct> {
  if (b.length < 1) return fail('truncated', 'SCT is empty');
  if (b[0] !== SCT_V1) return fail('unsupported-version', `SCT version ${b[0]} (only v1 = 0 is defined)`);
  let at = 1;
  if (at + LOG_ID_BYTES + 8 + 2 > b.length) return fail('truncated', 'SCT ends inside its log id or timestamp');
  const logId = b.slice(at, at + LOG_ID_BYTES);
  at += LOG_ID_BYTES;
  const hi = (b[at]! << 24) >>> 0;
  const high = hi + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
  const low = ((b[at + 4]! << 24) >>> 0) + (b[at + 5]! << 16) + (b[at + 6]! << 8) + b[at + 7]!;
  const timestamp = high * 2 ** 32 + low;
  if (high >= 2 ** 21 || timestamp > MAX_TIMESTAMP_MS) return fail('bad-timestamp', 'SCT timestamp is beyond any representable date');
  at += 8;
  const extLen = u16(b, at);
  at += 2;
  if (at + extLen + 4 > b.length) return fail('truncated', `SCT extensions length ${extLen} runs past the end of the SCT`);
  const extensions = b.slice(at, at + extLen);
  at += extLen;
  const hashAlgorithm = b[at]!;
  const signatureAlgorithm = b[at + 1]!;
  const sigLen = u16(b, at + 2);
  at += 4;
  if (at + sigLen > b.length) return fail('truncated', `SCT signature length ${sigLen} runs past the end of the SCT`);
  if (at + sigLen < b.length) return fail('trailing-bytes', `${b.length - at - sigLen} byte(s) follow the SCT signature`);
  const signature = b.slice(at, at + sigLen);
  return {
    ok: true,
    value: { version: 0, logId, logIdBase64: Buffer.from(logId).toString('base64'), timestamp, extensions, hashAlgorithm, signatureAlgorithm, signature },
  };
}

/**
 * An SCT-list extension's extnValue (the X.509 one or OCSP's) holds the DER encoding of
 * `SignedCertificateTimestampList ::= OCTET STRING`, whose content is the TLS list. Returns that content.
 */
export function unwrapSctExtensionValue(extnValue: Uint8Array): Result<Uint8Array> {
  const tlv = readTlv(extnValue, 0, extnValue.length);
  if (!tlv || tlv.tag !== TAG.OCTET_STRING || tlv.end !== extnValue.length) return fail('not-der', 'SCT extension value is not a DER OCTET STRING');
  return { ok: true, value: extnValue.subarray(tlv.start, tlv.end) };
}

/** The TLS-encoded SCT list embedded in a certificate; null value when the certificate has none. */
export function findEmbeddedSctList(certDer: Uint8Array): Result<Uint8Array | null> {
  const parts = parseCertificate(certDer);
  if (!parts) return fail('bad-certificate', 'certificate is not well-formed DER');
  const found = findExtensions(certDer, parts, SCT_LIST_OID_CONTENT);
  if (!found) return fail('bad-certificate', 'certificate extensions are not well-formed DER');
  if (found.length === 0) return { ok: true, value: null };
  if (found.length > 1) return fail('duplicate-extension', 'certificate carries the SCT list extension more than once');
  const { value } = found[0]!;
  return unwrapSctExtensionValue(certDer.subarray(value.start, value.end));
}
