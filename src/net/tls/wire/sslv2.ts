// SSL 2.0 (draft-hickman-netscape-ssl-00): enough to offer it and read a SERVER-HELLO, which is all
// a grader needs to show a server still speaks it (DROWN, CVE-2016-0800).
import { randomBytes } from 'node:crypto';
import { fail, ok, Reader, Writer, type Result } from './bytes.js';
import { alertName, ContentType, ProtocolVersion } from './constants.js';
import { parseSslv2RecordHeader } from './records.js';

export const SSLV2_MSG = { error: 0, clientHello: 1, serverHello: 4 } as const;

const SSLV2_ERRORS: Readonly<Record<number, string>> = {
  1: 'no-cipher',
  2: 'no-certificate',
  4: 'bad-certificate',
  6: 'unsupported-certificate-type',
};

/** SSL 2.0 cipher kinds (3-byte codes). */
export const SSLV2_CIPHER_KINDS = {
  RC4_128_WITH_MD5: 0x010080,
  RC4_128_EXPORT40_WITH_MD5: 0x020080,
  RC2_128_CBC_WITH_MD5: 0x030080,
  RC2_128_CBC_EXPORT40_WITH_MD5: 0x040080,
  IDEA_128_CBC_WITH_MD5: 0x050080,
  DES_64_CBC_WITH_MD5: 0x060040,
  DES_192_EDE3_CBC_WITH_MD5: 0x0700c0,
} as const;

export interface Sslv2ClientHelloOptions {
  cipherKinds: number[];
  /** 16..32 bytes (default 16 random bytes). */
  challenge?: Buffer;
}

/** A CLIENT-HELLO in a 2-byte-header record, version 0x0002, no session id. */
export function buildSslv2ClientHello(opts: Sslv2ClientHelloOptions): Buffer {
  const challenge = opts.challenge ?? randomBytes(16);
  if (challenge.length < 16 || challenge.length > 32) throw new RangeError('SSLv2 challenge must be 16..32 bytes');
  const specs = Writer.build((w) => opts.cipherKinds.forEach((k) => w.u24(k)));
  const body = new Writer()
    .u8(SSLV2_MSG.clientHello)
    .u16(ProtocolVersion.SSLv2)
    .u16(specs.length)
    .u16(0) // session-id length
    .u16(challenge.length)
    .bytes(specs)
    .bytes(challenge)
    .toBuffer();
  if (body.length > 0x7fff) throw new RangeError('SSLv2 hello too long');
  return new Writer().u16(0x8000 | body.length).bytes(body).toBuffer();
}

export interface ParsedSslv2ServerHello {
  sessionIdHit: boolean;
  certificateType: number;
  version: number;
  certificate: Buffer;
  cipherKinds: number[];
  connectionId: Buffer;
}

/** Bytes needed for the whole first SSLv2 record, or an error; null when the header is incomplete. */
export function sslv2RecordSize(buf: Buffer): Result<number> | null {
  if (buf.length < 3) return null;
  const header = parseSslv2RecordHeader(buf);
  if (!header.ok) return header;
  return ok(header.value.headerLength + header.value.length);
}

/** Parses the first SSLv2 record of `buf`, which must hold all of it. */
export function parseSslv2ServerHello(buf: Buffer): Result<ParsedSslv2ServerHello> {
  const notV2 = explainNonSslv2(buf);
  if (notV2) return fail(notV2);
  const header = parseSslv2RecordHeader(buf);
  if (!header.ok) return header;
  const { headerLength, length, padding } = header.value;
  if (buf.length < headerLength + length) {
    return fail(`truncated SSLv2 record: need ${headerLength + length} bytes, have ${buf.length}`);
  }
  if (padding > length) return fail(`SSLv2 padding ${padding} exceeds record length ${length}`);
  return parseServerHelloMessage(buf.subarray(headerLength, headerLength + length - padding));
}

function parseServerHelloMessage(msg: Buffer): Result<ParsedSslv2ServerHello> {
  const r = new Reader(msg);
  const type = r.u8('SSLv2 message type');
  if (r.failed) return fail(r.error ?? 'empty SSLv2 record');
  if (type === SSLV2_MSG.error) {
    const code = r.u16('SSLv2 error code');
    if (r.failed) return fail('truncated SSLv2 ERROR message');
    return fail(`SSLv2 error: ${SSLV2_ERRORS[code] ?? `code ${code}`}`);
  }
  if (type !== SSLV2_MSG.serverHello) return fail(`SSLv2 message type ${type} is not SERVER-HELLO`);
  const sessionIdHit = r.u8('session-id-hit') !== 0;
  const certificateType = r.u8('certificate-type');
  const version = r.u16('server-version');
  const certLength = r.u16('certificate-length');
  const specsLength = r.u16('cipher-specs-length');
  const connIdLength = r.u16('connection-id-length');
  if (r.failed) return fail(r.error ?? 'truncated SSLv2 SERVER-HELLO');
  if (specsLength % 3 !== 0) return fail(`SSLv2 cipher-specs length ${specsLength} is not a multiple of 3`);
  if (connIdLength < 16 || connIdLength > 32) return fail(`SSLv2 connection-id length ${connIdLength} outside 16..32`);
  const certificate = r.bytes(certLength, 'SSLv2 certificate');
  const specs = r.bytes(specsLength, 'SSLv2 cipher specs');
  const connectionId = r.bytes(connIdLength, 'SSLv2 connection id');
  if (!r.expectEnd('SSLv2 SERVER-HELLO')) return fail(r.error ?? 'bad SSLv2 SERVER-HELLO');
  const cipherKinds: number[] = [];
  for (let i = 0; i + 3 <= specs.length; i += 3) cipherKinds.push(specs.readUIntBE(i, 3));
  return ok({ sessionIdHit, certificateType, version, certificate, cipherKinds, connectionId });
}

/** Says what the bytes are when they are not an SSLv2 record (a TLS alert or handshake, text …). */
function explainNonSslv2(buf: Buffer): string | null {
  if (buf.length === 0) return 'empty SSLv2 response';
  const b0 = buf[0] ?? 0;
  if ((b0 === ContentType.alert || b0 === ContentType.handshake) && buf[1] === 3) {
    if (b0 === ContentType.alert && buf.length >= 7) {
      const level = buf[5] ?? 0;
      const description = buf[6] ?? 0;
      return `not SSLv2: the server answered with a TLS alert (level ${level}, ${alertName(description)})`;
    }
    return `not SSLv2: the server answered with a TLS ${b0 === ContentType.alert ? 'alert' : 'handshake'} record`;
  }
  // The message type follows a 2-byte header (MSB set) or a 3-byte one (MSB clear, padding byte).
  const type = buf[b0 & 0x80 ? 2 : 3];
  if (type !== undefined && type !== SSLV2_MSG.serverHello && type !== SSLV2_MSG.error) {
    return `not an SSLv2 SERVER-HELLO (bytes ${buf.subarray(0, 8).toString('hex')})`;
  }
  return null;
}
