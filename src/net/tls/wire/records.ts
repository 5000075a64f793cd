// TLS record framing (RFC 5246 §6.2): a 5-byte header — content type, version, length — then the
// fragment. SSL 2.0 framing differs (a 2- or 3-byte header with the length's MSB flag), which a
// server speaking SSLv2 (or some non-TLS service) answers with; we detect it to say so.
import { fail, ok, type Result } from './bytes.js';
import { ContentType, LIMITS } from './constants.js';

export const RECORD_HEADER_LENGTH = 5;

export interface RecordHeader {
  contentType: number;
  version: number;
  length: number;
}

export interface TlsRecord extends RecordHeader {
  fragment: Buffer;
}

const CONTENT_TYPES = new Set<number>(Object.values(ContentType));

/** SSL 2.0 message types a server may send first (RFC draft "The SSL Protocol", 1995). */
const SSLV2_SERVER_FIRST = new Set([0 /* ERROR */, 4 /* SERVER-HELLO */]);

/** True when the bytes look like an SSL 2.0 record from a server: 2-byte header with MSB set. */
export function looksLikeSslv2Record(buf: Buffer): boolean {
  if (buf.length < 3) return (buf[0] ?? 0) >= 0x80;
  const b0 = buf[0] ?? 0;
  return b0 >= 0x80 && SSLV2_SERVER_FIRST.has(buf[2] ?? -1);
}

/** Validates a record header; the fragment need not have arrived yet. */
export function parseRecordHeader(buf: Buffer): Result<RecordHeader> {
  if (buf.length < RECORD_HEADER_LENGTH) return fail(`truncated record header: ${buf.length} of 5 bytes`);
  const contentType = buf[0] ?? 0;
  const version = buf.readUInt16BE(1);
  const length = buf.readUInt16BE(3);
  if (!CONTENT_TYPES.has(contentType)) return fail(describeNonTls(buf));
  // Every SSL 3.0/TLS record carries major version 3; TLS 1.3 freezes the record version ≤ 0x0303.
  if (version >> 8 !== 3 || (version & 0xff) > 4) {
    return fail(`record version 0x${version.toString(16).padStart(4, '0')} is not SSL 3.0/TLS`);
  }
  if (length > LIMITS.maxRecordFragment) {
    return fail(`record length ${length} exceeds the ${LIMITS.maxRecordFragment}-byte maximum`);
  }
  return ok({ contentType, version, length });
}

/** A human explanation for bytes that do not start a TLS record. */
export function describeNonTls(buf: Buffer): string {
  const b0 = buf[0] ?? 0;
  const hex = buf.subarray(0, 8).toString('hex');
  if (looksLikeSslv2Record(buf)) return `not a TLS record: looks like SSL 2.0 (bytes ${hex})`;
  if (isPrintable(buf.subarray(0, 4))) {
    const text = buf.subarray(0, 24).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    return `not a TLS record: the server sent text ("${text}"), not TLS`;
  }
  return `not a TLS record: unknown content type ${b0} (bytes ${hex})`;
}

function isPrintable(b: Buffer): boolean {
  return b.length > 0 && b.every((c) => (c >= 0x20 && c < 0x7f) || c === 0x0d || c === 0x0a);
}

export interface SplitResult {
  records: TlsRecord[];
  /** Bytes of an incomplete trailing record (a view into the input). */
  rest: Buffer;
  error?: string;
}

/** Splits a buffer into whole records, stopping at the first bad header or after `maxRecords`. */
export function splitRecords(buf: Buffer, maxRecords = 1024): SplitResult {
  const records: TlsRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= RECORD_HEADER_LENGTH && records.length < maxRecords) {
    const header = parseRecordHeader(buf.subarray(pos));
    if (!header.ok) return { records, rest: buf.subarray(pos), error: header.error };
    const end = pos + RECORD_HEADER_LENGTH + header.value.length;
    if (end > buf.length) break;
    records.push({ ...header.value, fragment: buf.subarray(pos + RECORD_HEADER_LENGTH, end) });
    pos = end;
  }
  return { records, rest: buf.subarray(pos) };
}

export interface Sslv2RecordHeader {
  headerLength: 2 | 3;
  /** Length of the record body (MAC + data + padding). */
  length: number;
  padding: number;
}

/** The SSL 2.0 record header: 2 bytes with MSB set (no padding), or 3 bytes (MSB clear, padding byte). */
export function parseSslv2RecordHeader(buf: Buffer): Result<Sslv2RecordHeader> {
  if (buf.length < 2) return fail('truncated SSLv2 record header');
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 & 0x80) return ok({ headerLength: 2, length: ((b0 & 0x7f) << 8) | b1, padding: 0 });
  if (buf.length < 3) return fail('truncated SSLv2 record header');
  return ok({ headerLength: 3, length: ((b0 & 0x3f) << 8) | b1, padding: buf[2] ?? 0 });
}
