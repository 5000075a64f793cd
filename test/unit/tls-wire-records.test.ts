/** Record framing, the incremental handshake reader and SSL 2.0 SERVER-HELLO parsing. */
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { LIMITS } from '../../src/net/tls/wire/constants.js';
import { HandshakeReader, type HandshakeEvent } from '../../src/net/tls/wire/handshake-reader.js';
import { looksLikeSslv2Record, parseRecordHeader, splitRecords } from '../../src/net/tls/wire/records.js';
import { parseSslv2ServerHello } from '../../src/net/tls/wire/sslv2.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const record = (type: number, fragment: Buffer, version = 0x0303): Buffer =>
  new Writer().u8(type).u16(version).vector16(fragment).toBuffer();
const message = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();

describe('parseRecordHeader / splitRecords', () => {
  it('accepts SSL 3.0 – TLS 1.3 record headers', () => {
    expect(parseRecordHeader(hex('16 0301 0010'))).toEqual({ ok: true, value: { contentType: 22, version: 0x0301, length: 16 } });
    expect(parseRecordHeader(hex('15 0300 0002')).ok).toBe(true);
  });

  it.each([
    ['short', hex('16 03 01'), /truncated/],
    ['unknown content type', hex('17ff 0301 0001'.slice(2) + '00'), /content type/],
    ['bad major version', hex('16 0201 0010'), /not SSL 3.0\/TLS/],
    ['nonsense minor version', hex('16 0309 0010'), /not SSL 3.0\/TLS/],
    ['oversize fragment', hex('16 0303 4801'), /exceeds/],
    ['text', Buffer.from('HTTP/1.1 400 Bad Request'), /text/],
    ['SSLv2', hex('8012 04 00 01 0002'), /SSL 2\.0/],
  ])('rejects %s', (_n, buf, error) => {
    const r = parseRecordHeader(buf);
    expect(!r.ok && r.error).toMatch(error);
  });

  it('accepts the largest legal fragment (2^14 + 2048)', () => {
    expect(parseRecordHeader(hex('17 0303 4800')).ok).toBe(true);
  });

  it('splits whole records and keeps the incomplete tail', () => {
    const a = record(22, hex('0102'));
    const b = record(21, hex('0228'));
    const r = splitRecords(Buffer.concat([a, b, b.subarray(0, 3)]));
    expect(r.records.map((x) => [x.contentType, x.fragment.toString('hex')])).toEqual([
      [22, '0102'],
      [21, '0228'],
    ]);
    expect(r.rest.length).toBe(3);
    expect(r.error).toBeUndefined();
    const bad = splitRecords(Buffer.concat([a, hex('99 0303 0000')]));
    expect(bad.records.length).toBe(1);
    expect(bad.error).toMatch(/content type 153/);
    expect(splitRecords(Buffer.concat([a, a, a]), 2).records.length).toBe(2);
  });

  it('recognises SSLv2-format server records', () => {
    expect(looksLikeSslv2Record(hex('8123 04 00'))).toBe(true);
    expect(looksLikeSslv2Record(hex('8002 00 01'))).toBe(true);
    expect(looksLikeSslv2Record(hex('16 03 01'))).toBe(false);
  });
});

/** Feeds `data` in chunks of `size` bytes and collects every event. */
function feedAll(data: Buffer, size = data.length, reader = new HandshakeReader()): HandshakeEvent[] {
  const out: HandshakeEvent[] = [];
  for (let i = 0; i < data.length; i += size) out.push(...reader.feed(data.subarray(i, i + size)));
  return out;
}

describe('HandshakeReader', () => {
  const hello = message(2, Buffer.alloc(70, 1));
  const cert = message(11, Buffer.alloc(3000, 2));
  const done = message(14, Buffer.alloc(0));

  it('several messages in one record, in order', () => {
    const events = feedAll(record(22, Buffer.concat([hello, cert, done])));
    expect(events.map((e) => e.kind === 'handshake' && [e.msgType, e.body.length])).toEqual([
      [2, 70],
      [11, 3000],
      [14, 0],
    ]);
  });

  it('a message split across records and TCP chunks of any size', () => {
    const flight = Buffer.concat([
      record(22, hello),
      record(22, cert.subarray(0, 1)),
      record(22, cert.subarray(1, 2000)),
      record(22, Buffer.concat([cert.subarray(2000), done])),
    ]);
    for (const size of [1, 2, 3, 5, 7, 100, 4096]) {
      const events = feedAll(flight, size);
      expect(events.map((e) => (e.kind === 'handshake' ? e.msgType : e.kind))).toEqual([2, 11, 14]);
      const c = events[1];
      expect(c?.kind === 'handshake' && c.body.equals(cert.subarray(4))).toBe(true);
    }
  });

  it('alerts (several per record), ChangeCipherSpec, then everything is encrypted', () => {
    const events = feedAll(
      Buffer.concat([
        record(21, hex('0170 0228')),
        record(22, hello),
        record(20, hex('01')),
        record(23, Buffer.alloc(40)),
        record(22, Buffer.alloc(40)), // an encrypted Finished in TLS ≤ 1.2
        record(21, Buffer.alloc(26)), // an encrypted alert
        record(21, hex('0228')), // a plaintext alert is still readable
      ]),
    );
    expect(events).toEqual([
      { kind: 'alert', level: 1, description: 112, name: 'unrecognized_name' },
      { kind: 'alert', level: 2, description: 40, name: 'handshake_failure' },
      expect.objectContaining({ kind: 'handshake', msgType: 2 }),
      { kind: 'change-cipher-spec' },
      { kind: 'encrypted', contentType: 23, length: 40 },
      { kind: 'encrypted', contentType: 22, length: 40 },
      { kind: 'encrypted', contentType: 21, length: 26 },
      { kind: 'alert', level: 2, description: 40, name: 'handshake_failure' },
    ]);
  });

  it.each([
    ['bad content type', hex('63 0303 0001 00'), /content type 99/],
    ['record version nonsense', hex('16 7777 0001 00'), /not SSL 3\.0\/TLS/],
    ['oversize record (before its body arrives)', hex('16 0303 ffff'), /exceeds/],
    ['16 MB handshake message announced', record(22, hex('0b ffffff')), new RegExp(`exceeds the ${LIMITS.maxHandshakeMessage}-byte cap`)],
    ['odd alert length', record(21, hex('02')), /alert record of 1 bytes/],
    ['alert level nonsense', record(21, hex('0928')), /alert level 9/],
    ['malformed ChangeCipherSpec', record(20, hex('02')), /ChangeCipherSpec/],
    ['ChangeCipherSpec mid-message', Buffer.concat([record(22, hello.subarray(0, 10)), record(20, hex('01'))]), /middle/],
    ['heartbeat during the handshake', record(24, hex('0100')), /content type 24/],
    ['SSLv2 answer', hex('8012 0400 01 0002'), /SSL 2\.0/],
  ])('error: %s, then silence', (_n, data, error) => {
    const reader = new HandshakeReader();
    const events = feedAll(data, data.length, reader);
    const last = events.at(-1);
    expect(last?.kind).toBe('error');
    expect(last?.kind === 'error' && last.error).toMatch(error);
    expect(reader.stopped).toBe(true);
    expect(reader.feed(record(22, hello))).toEqual([]);
  });

  it('byte budget: more than maxBytes in total is an error', () => {
    const reader = new HandshakeReader({ maxBytes: 1000 });
    // 9-byte records fed one per chunk: 111 fit in 1000 bytes, the 112th crosses the budget.
    const events = feedAll(Buffer.concat(Array.from({ length: 200 }, () => record(22, message(0, Buffer.alloc(0))))), 9, reader);
    expect(events.filter((e) => e.kind === 'handshake').length).toBe(111);
    expect(events.at(-1)).toEqual({ kind: 'error', error: 'the server sent more than 1000 bytes' });
    expect(events.length).toBe(112);
    const big = new HandshakeReader({ maxBytes: 1000 });
    const out = big.feed(Buffer.alloc(1001, 0x16));
    expect(out).toEqual([{ kind: 'error', error: 'the server sent more than 1000 bytes' }]);
  });

  it('tiny records carrying a large message do not blow up (linear buffering)', () => {
    const body = Buffer.alloc(200_000, 5);
    const msg = message(11, body);
    const parts: Buffer[] = [];
    for (let i = 0; i < msg.length; i += 64) parts.push(record(22, msg.subarray(i, i + 64)));
    const reader = new HandshakeReader({ maxBytes: 1 << 20 });
    const start = performance.now();
    const events = feedAll(Buffer.concat(parts), 69, reader);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(events.length).toBe(1);
    expect(events[0]?.kind === 'handshake' && events[0].body.equals(body)).toBe(true);
    expect(reader.buffered).toBe(0);
  });
});

describe('parseSslv2ServerHello', () => {
  const cert = Buffer.from('3082010a', 'hex');
  const connId = Buffer.alloc(16, 0xcc);
  function v2Hello(opts: { kinds?: number[]; connId?: Buffer; msgType?: number; threeByte?: boolean } = {}): Buffer {
    const kinds = opts.kinds ?? [0x010080, 0x0700c0];
    const cid = opts.connId ?? connId;
    const body = new Writer()
      .u8(opts.msgType ?? 4)
      .u8(0)
      .u8(1)
      .u16(0x0002)
      .u16(cert.length)
      .u16(kinds.length * 3)
      .u16(cid.length)
      .bytes(cert)
      .bytes(Buffer.concat(kinds.map((k) => hex(k.toString(16).padStart(6, '0')))))
      .bytes(cid)
      .toBuffer();
    if (opts.threeByte) return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff, 0]), body]);
    return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
  }

  it('parses a SERVER-HELLO (2- and 3-byte headers)', () => {
    for (const threeByte of [false, true]) {
      expect(parseSslv2ServerHello(v2Hello({ threeByte }))).toEqual({
        ok: true,
        value: { sessionIdHit: false, certificateType: 1, version: 2, certificate: cert, cipherKinds: [0x010080, 0x0700c0], connectionId: connId },
      });
    }
  });

  it('SSLv2 ERROR messages are reported by name', () => {
    const r = parseSslv2ServerHello(hex('8003 00 0001'));
    expect(!r.ok && r.error).toBe('SSLv2 error: no-cipher');
  });

  it('says when the answer is a TLS alert or handshake, not SSLv2', () => {
    const alert = parseSslv2ServerHello(hex('15 0301 0002 0228'));
    expect(!alert.ok && alert.error).toMatch(/TLS alert.*handshake_failure/);
    const hs = parseSslv2ServerHello(hex('16 0303 0004 0e000000'));
    expect(!hs.ok && hs.error).toMatch(/TLS handshake record/);
    const text = parseSslv2ServerHello(Buffer.from('SSH-2.0-OpenSSH'));
    expect(text.ok).toBe(false);
  });

  it('every truncation and bad length is an error', () => {
    const good = v2Hello();
    for (let n = 0; n < good.length; n++) expect(parseSslv2ServerHello(good.subarray(0, n)).ok).toBe(false);
    expect(parseSslv2ServerHello(v2Hello({ connId: Buffer.alloc(8) })).ok).toBe(false);
    expect(parseSslv2ServerHello(v2Hello({ msgType: 7 })).ok).toBe(false);
    // cipher-specs length not a multiple of 3
    const odd = Buffer.from(good);
    odd.writeUInt16BE(5, 2 + 7);
    expect(parseSslv2ServerHello(odd).ok).toBe(false);
    // a record longer than what the lengths inside account for
    const long = Buffer.concat([good, hex('00')]);
    long[1] = (long[1] ?? 0) + 1;
    expect(parseSslv2ServerHello(long).ok).toBe(false);
  });
});
