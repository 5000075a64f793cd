// Just enough DER to read a certificate's outer signatureAlgorithm OID (Node's X509Certificate does
// not expose it). Bounded: every length is checked against the bytes present; never throws.

interface Tlv {
  tag: number;
  /** Offset of the value. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null; // indefinite or absurd lengths: not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  return end > limit ? null : { tag, start, end };
}

function decodeOid(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > 64) return null;
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  if (value !== 0 || parts.length === 0) return null;
  const first = parts[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

const SEQUENCE = 0x30;
const OID = 0x06;

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }. */
export function certificateSignatureOid(der: Uint8Array): string | null {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== SEQUENCE) return null;
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== SEQUENCE) return null;
  const alg = readTlv(der, tbs.end, cert.end);
  if (!alg || alg.tag !== SEQUENCE) return null;
  const oid = readTlv(der, alg.start, alg.end);
  if (!oid || oid.tag !== OID) return null;
  return decodeOid(der.subarray(oid.start, oid.end));
}
