// DNS messages on the wire: the query we send and the bounded parsing of the response into records.
// Byte work only, apart from client.ts, which owns the sockets, timeouts, retries and servers.
import packet from 'dns-packet';
import { decodeSvcb } from './svcb.js';
import { RECORD_TYPE_CODES, normalizeName, type DnsRecord, type RecordType, type Transport } from './types.js';

/** The fixed DNS header (RFC 1035 §4.1.1). */
export const HEADER_SIZE = 12;

/** What the query message carries. */
export interface QueryFields {
  qname: string;
  type: RecordType;
  dnssecOk: boolean;
  checkingDisabled: boolean;
  payload: number;
}

/** A received message, for our query: a parsed message, truncated (over UDP), malformed, or not ours. */
export type Classified = { kind: 'message'; msg: Message } | { kind: 'truncated' } | { kind: 'failed'; reason: string } | { kind: 'ignore' };

export function buildQuery(id: number, ask: QueryFields): Buffer {
  const opt: packet.OptAnswer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: ask.payload,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: ask.dnssecOk ? packet.DNSSEC_OK : 0,
    flag_do: ask.dnssecOk,
    options: [],
  };
  return packet.encode({
    type: 'query',
    id,
    // AD in a query asks a validating resolver to say whether it validated the answer, even
    // without DO (RFC 6840 §5.7); unbound leaves AD off otherwise.
    flags: packet.RECURSION_DESIRED | packet.AUTHENTIC_DATA | (ask.checkingDisabled ? packet.CHECKING_DISABLED : 0),
    questions: [{ name: ask.qname, type: wireTypeName(ask.type), class: 'IN' }],
    additionals: [opt],
  });
}

/** dns-packet names types it does not know "UNKNOWN_<code>" (HTTPS, SVCB). */
function wireTypeName(type: RecordType): packet.RecordType {
  return (type === 'HTTPS' || type === 'SVCB' ? `UNKNOWN_${RECORD_TYPE_CODES[type]}` : type) as packet.RecordType;
}

// ---------------------------------------------------------------------------------------------
// Response parsing. Lengths are checked against the bytes present before dns-packet sees a
// record, so a lying RDLENGTH is "malformed" rather than a misaligned parse of later records.

export interface Header {
  id: number;
  qr: boolean;
  tc: boolean;
  ad: boolean;
  /** Recursion available: a resolver, which follows CNAME chains itself (RA=0: authoritative only). */
  ra: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface Message {
  header: Header;
  /** Header RCODE extended with the OPT record's upper bits. */
  rcode: number;
  answers: DnsRecord[];
}

interface DecodeFn<T> {
  (buf: Buffer, offset?: number): T;
  bytes: number;
}

/** Record-level codecs dns-packet exports but @types/dns-packet does not declare. */
const codec = packet as unknown as {
  question: { decode: DecodeFn<packet.Question> };
  answer: { decode: DecodeFn<packet.Answer> };
};

const OPT_TYPE = 41;
const TYPE_BY_CODE = new Map<number, RecordType>(
  Object.entries(RECORD_TYPE_CODES).map(([name, code]) => [code, name as RecordType]),
);

function readHeader(buf: Buffer): Header | null {
  if (buf.length < HEADER_SIZE) return null;
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    tc: (flags & packet.TRUNCATED_RESPONSE) !== 0,
    ad: (flags & packet.AUTHENTIC_DATA) !== 0,
    ra: (flags & packet.RECURSION_AVAILABLE) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

/**
 * Decide what a received message means for our query: not ours (ignore), truncated, malformed
 * (a failure), or a parsed message.
 */
export function classifyResponse(buf: Buffer, id: number, ask: Pick<QueryFields, 'qname' | 'type'>, transport: Transport): Classified {
  const header = readHeader(buf);
  if (!header || !header.qr || header.id !== id) return { kind: 'ignore' };
  let offset = HEADER_SIZE;
  let question: { name: string; code: number } | undefined;
  try {
    for (let i = 0; i < header.qdcount; i++) {
      const q = codec.question.decode(buf, offset);
      offset += codec.question.decode.bytes;
      if (offset > buf.length) throw new Error('question runs past the end of the message');
      question ??= { name: normalizeName(q.name), code: buf.readUInt16BE(offset - 4) };
    }
  } catch (err) {
    return malformed(err);
  }
  if (!questionMatches(header, question, ask)) return { kind: 'ignore' };
  if (header.tc && transport === 'udp') return { kind: 'truncated' };
  try {
    return { kind: 'message', msg: readSections(buf, offset, header) };
  } catch (err) {
    return malformed(err);
  }
}

function malformed(err: unknown): Classified {
  return { kind: 'failed', reason: `malformed response: ${err instanceof Error ? err.message : String(err)}` };
}

/** Error responses may omit the question (e.g. FORMERR); data-bearing ones must echo it. */
function questionMatches(header: Header, q: { name: string; code: number } | undefined, ask: Pick<QueryFields, 'qname' | 'type'>): boolean {
  if (header.qdcount === 0) return header.rcode !== 0;
  if (header.qdcount !== 1 || !q) return false;
  return q.name === ask.qname && q.code === RECORD_TYPE_CODES[ask.type];
}

function readSections(buf: Buffer, start: number, header: Header): Message {
  let offset = start;
  const answers: DnsRecord[] = [];
  let extendedRcode = 0;
  const total = header.ancount + header.nscount + header.arcount;
  for (let i = 0; i < total; i++) {
    const rr = readRecordFrame(buf, offset);
    if (i < header.ancount && TYPE_BY_CODE.has(rr.type)) {
      const rec = decodeRecord(buf, offset, rr.length);
      if (rec) answers.push(rec);
    } else if (rr.type === OPT_TYPE && i >= header.ancount + header.nscount) {
      extendedRcode = buf[rr.rdataOffset - 6] ?? 0; // first byte of the OPT "TTL" field
    }
    offset += rr.length;
  }
  return { header, rcode: (extendedRcode << 4) | header.rcode, answers };
}

/** Walk one RR's owner name and fixed fields without following pointers; check RDLENGTH. */
function readRecordFrame(buf: Buffer, offset: number): { type: number; rdataOffset: number; length: number } {
  let p = offset;
  for (;;) {
    if (p >= buf.length) throw new Error('record name runs past the end of the message');
    const len = buf[p] as number;
    if (len === 0) {
      p += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      p += 2;
      break;
    }
    if ((len & 0xc0) !== 0) throw new Error('bad label type in record name');
    p += 1 + len;
  }
  if (p + 10 > buf.length) throw new Error('record header runs past the end of the message');
  const rdlength = buf.readUInt16BE(p + 8);
  const rdataOffset = p + 10;
  if (rdataOffset + rdlength > buf.length) throw new Error(`RDLENGTH ${rdlength} runs past the end of the message`);
  return { type: buf.readUInt16BE(p), rdataOffset, length: rdataOffset + rdlength - offset };
}

/** Decode one RR of a type we know with dns-packet, insisting it consumed exactly RDLENGTH. */
function decodeRecord(buf: Buffer, offset: number, length: number): DnsRecord | null {
  const a = codec.answer.decode(buf, offset);
  if (codec.answer.decode.bytes !== length) throw new Error(`${a.type} record RDATA has the wrong length`);
  if ('class' in a && a.class !== undefined && a.class !== 'IN') return null;
  return toDnsRecord(a);
}

/** TTLs with the top bit set are treated as zero (RFC 2181 section 8). */
function clampTtl(ttl: number | undefined): number {
  return ttl === undefined || ttl > 0x7fffffff ? 0 : ttl;
}

function toDnsRecord(a: packet.Answer): DnsRecord | null {
  const name = normalizeName(a.name);
  const ttl = clampTtl('ttl' in a ? a.ttl : 0);
  // dns-packet hands type 99 over as raw RDATA (TXT's format: length-prefixed strings).
  if (String(a.type) === 'SPF') return spfRecord(name, ttl, (a as { data?: unknown }).data);
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return { type: a.type, name, ttl, address: a.data };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { type: a.type, name, ttl, target: normalizeName(a.data) };
    case 'MX':
      return { type: 'MX', name, ttl, preference: a.data.preference ?? 0, exchange: normalizeName(a.data.exchange) };
    case 'TXT':
      return txtRecord(name, ttl, a.data);
    case 'CAA':
      return { type: 'CAA', name, ttl, flags: a.data.flags ?? 0, tag: a.data.tag, value: a.data.value };
    case 'TLSA': {
      const d = a.data;
      return { type: 'TLSA', name, ttl, usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.certificate.toString('hex') };
    }
    case 'SOA':
      return {
        type: 'SOA',
        name,
        ttl,
        mname: normalizeName(a.data.mname),
        rname: normalizeName(a.data.rname),
        serial: a.data.serial ?? 0,
        minimum: a.data.minimum ?? 0,
      };
    case 'DS':
      return { type: 'DS', name, ttl, keyTag: a.data.keyTag, algorithm: a.data.algorithm, digestType: a.data.digestType, digest: a.data.digest.toString('hex') };
    case 'DNSKEY':
      return { type: 'DNSKEY', name, ttl, flags: a.data.flags, algorithm: a.data.algorithm, key: a.data.key.toString('base64') };
    default:
      return svcbRecord(a, name, ttl);
  }
}

function txtRecord(name: string, ttl: number, data: packet.TxtData): DnsRecord {
  const parts = (Array.isArray(data) ? data : [data]).map((d) => (typeof d === 'string' ? Buffer.from(d) : d));
  // Join bytes before decoding so a UTF-8 sequence split across strings survives.
  return { type: 'TXT', name, ttl, strings: parts.map((p) => p.toString('utf8')), text: Buffer.concat(parts).toString('utf8') };
}

/** The obsolete SPF RR (type 99): character-strings like TXT; a length past the end spoils it. */
function spfRecord(name: string, ttl: number, data: unknown): DnsRecord | null {
  if (!Buffer.isBuffer(data)) return null;
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const len = data[i]!;
    if (i + 1 + len > data.length) return null;
    parts.push(data.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  const txt = txtRecord(name, ttl, parts) as Extract<DnsRecord, { type: 'TXT' | 'SPF' }>;
  return { ...txt, type: 'SPF' };
}

/** HTTPS/SVCB arrive as raw RDATA; a malformed one spoils the RRset (RFC 9460 section 2.2). */
function svcbRecord(a: packet.Answer, name: string, ttl: number): DnsRecord | null {
  const type = String(a.type);
  if (type !== 'UNKNOWN_65' && type !== 'UNKNOWN_64') return null;
  const raw = (a as { data?: unknown }).data;
  if (!Buffer.isBuffer(raw)) return null;
  const decoded = decodeSvcb(raw);
  if (!decoded.ok) throw new Error(`bad ${type === 'UNKNOWN_65' ? 'HTTPS' : 'SVCB'} record: ${decoded.error}`);
  return { type: type === 'UNKNOWN_65' ? 'HTTPS' : 'SVCB', name, ttl, ...decoded.value };
}
