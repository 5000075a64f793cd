/** Server first-flight parsers against hand-made byte arrays: valid, truncated, oversized, hostile. */
import { describe, expect, it } from 'vitest';
import { Reader, Writer, bitLength } from '../../src/net/tls/wire/bytes.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/net/tls/wire/constants.js';
import {
  parseAlert,
  parseCertificateMessage,
  parseCertificateStatus,
  parseServerHello,
  parseServerKeyExchange,
} from '../../src/net/tls/wire/server-messages.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ext = (type: number, data: number[] | Buffer): number[] => {
  const d = [...data];
  return [type >> 8, type & 0xff, d.length >> 8, d.length & 0xff, ...d];
};

/** A ServerHello body from parts; `exts` null omits the extensions block entirely. */
function serverHello(opts: { version?: number; random?: Buffer; sid?: number[]; suite?: number; comp?: number; exts?: number[][] | null } = {}): Buffer {
  const random = opts.random ?? Buffer.alloc(32, 0x11);
  const sid = opts.sid ?? [];
  const suite = opts.suite ?? 0xc02f;
  const bytes = [
    (opts.version ?? 0x0303) >> 8,
    (opts.version ?? 0x0303) & 0xff,
    ...random,
    sid.length,
    ...sid,
    suite >> 8,
    suite & 0xff,
    opts.comp ?? 0,
  ];
  if (opts.exts !== null) {
    const all = (opts.exts ?? []).flat();
    bytes.push(all.length >> 8, all.length & 0xff, ...all);
  }
  return Buffer.from(bytes);
}

describe('Reader / Writer', () => {
  it('reads fixed widths and vectors, records (not throws) the first overrun', () => {
    const r = new Reader(hex('01 0203 040506 0708090a 02 aabb 0001 cc'));
    expect([r.u8(), r.u16(), r.u24(), r.u32()]).toEqual([1, 0x0203, 0x040506, 0x0708090a]);
    expect(r.vector8()).toEqual(hex('aabb'));
    expect(r.vector16()).toEqual(hex('cc'));
    expect(r.expectEnd('x')).toBe(true);
    expect(r.u8('tail')).toBe(0);
    expect(r.error).toMatch(/truncated tail/);
    expect(r.vector16()).toEqual(Buffer.alloc(0));
    expect(r.error).toMatch(/truncated tail/);
  });

  it('vector bounds and lying lengths', () => {
    const r = new Reader(hex('05 0102'));
    r.vector8('v');
    expect(r.error).toMatch(/truncated v/);
    const b = new Reader(hex('00'));
    b.vector8('v', 1);
    expect(b.error).toMatch(/outside 1\.\.255/);
    const t = new Reader(hex('ffffff'));
    t.vector24('cert');
    expect(t.failed).toBe(true);
    expect(new Reader(hex('00')).bytes(-1)).toEqual(Buffer.alloc(0));
  });

  it('Writer builds nested vectors and refuses values that do not fit', () => {
    const out = new Writer().u8(1).vector16((w) => w.vector8(hex('aa')).u24(2)).toBuffer();
    expect(out).toEqual(hex('01 0005 01aa 000002'));
    expect(() => new Writer().u8(256)).toThrow(RangeError);
    expect(() => new Writer().vector8(Buffer.alloc(256))).toThrow(RangeError);
  });

  it('bitLength ignores leading zero bytes', () => {
    expect(bitLength(hex('00 00 01 00'))).toBe(9);
    expect(bitLength(hex('80'))).toBe(8);
    expect(bitLength(hex('0000'))).toBe(0);
    expect(bitLength(Buffer.alloc(128, 0xff))).toBe(1024);
  });
});

describe('parseServerHello', () => {
  it('TLS 1.2 with the usual extensions', () => {
    const body = serverHello({
      sid: Array.from({ length: 32 }, (_, i) => i),
      exts: [
        ext(0xff01, [0]),
        ext(23, []),
        ext(35, []),
        ext(5, []),
        ext(22, []),
        ext(11, [1, 0]),
        ext(16, [0, 3, 2, 0x68, 0x32]),
        ext(15, [1]),
        ext(18, [0, 4, 0, 2, 9, 9]),
      ],
    });
    const r = parseServerHello(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const h = r.value;
    expect(h.version).toBe(0x0303);
    expect(h.selectedVersion).toBe(0x0303);
    expect(h.cipherSuite).toBe(0xc02f);
    expect(h.compressionMethod).toBe(0);
    expect(h.sessionId.length).toBe(32);
    expect(h.isHelloRetryRequest).toBe(false);
    expect(h.renegotiationInfo).toEqual(Buffer.alloc(0));
    expect(h.extendedMasterSecret && h.sessionTicket && h.statusRequest && h.encryptThenMac).toBe(true);
    expect(h.ecPointFormats).toEqual([0]);
    expect(h.alpn).toBe('h2');
    expect(h.heartbeatMode).toBe(1);
    expect(h.sct).toEqual(hex('0004 0002 0909'));
    expect(h.extensions.map((e) => e.type)).toEqual([0xff01, 23, 35, 5, 22, 11, 16, 15, 18]);
    expect(h.keyShareGroup).toBeUndefined();
  });

  it('SSLv3-style hello without an extensions block', () => {
    const r = parseServerHello(serverHello({ version: 0x0300, suite: 0x0005, exts: null }));
    expect(r.ok && r.value).toMatchObject({ version: 0x0300, selectedVersion: 0x0300, cipherSuite: 5, extensions: [] });
    expect(r.ok && r.value.extendedMasterSecret).toBe(false);
  });

  it('TLS 1.3: selected version from supported_versions, key_share group', () => {
    const key = Array.from({ length: 32 }, () => 7);
    const r = parseServerHello(serverHello({ suite: 0x1301, exts: [ext(43, [3, 4]), ext(51, [0, 29, 0, 32, ...key])] }));
    expect(r.ok && r.value).toMatchObject({ version: 0x0303, selectedVersion: 0x0304, keyShareGroup: 29, isHelloRetryRequest: false });
  });

  it('HelloRetryRequest: magic random, key_share carries only the group', () => {
    const r = parseServerHello(
      serverHello({ random: HELLO_RETRY_REQUEST_RANDOM, suite: 0x1301, exts: [ext(43, [3, 4]), ext(51, [0, 23]), ext(44, [0, 2, 1, 2])] }),
    );
    expect(r.ok && r.value).toMatchObject({ isHelloRetryRequest: true, selectedVersion: 0x0304, keyShareGroup: 23 });
    // A group-only key_share in a non-HRR ServerHello is malformed.
    expect(parseServerHello(serverHello({ exts: [ext(43, [3, 4]), ext(51, [0, 23])] })).ok).toBe(false);
  });

  it('downgrade sentinels in the random', () => {
    const random = Buffer.concat([Buffer.alloc(24, 1), hex('444f574e47524401')]);
    const r = parseServerHello(serverHello({ random }));
    expect(r.ok && r.value.downgradeSentinel).toBe('TLSv1.2');
    const r11 = parseServerHello(serverHello({ random: Buffer.concat([Buffer.alloc(24, 1), hex('444f574e47524400')]) }));
    expect(r11.ok && r11.value.downgradeSentinel).toBe('TLSv1.1');
  });

  it('unknown extensions are kept as raw type/data', () => {
    const r = parseServerHello(serverHello({ exts: [ext(0x1234, [1, 2, 3])] }));
    expect(r.ok && r.value.extensions).toEqual([{ type: 0x1234, data: hex('010203') }]);
  });

  it.each([
    ['duplicate extension', serverHello({ exts: [ext(23, []), ext(23, [])] }), /duplicate extension 23/],
    ['session id over 32 bytes', serverHello({ sid: Array.from({ length: 33 }, () => 0) }), /session_id length 33/],
    ['extension overruns the block', Buffer.concat([serverHello({ exts: [] }).subarray(0, -2), hex('0006 0017 0010 00')]), /truncated/],
    ['trailing byte after extensions', Buffer.concat([serverHello({ exts: [ext(23, [])] }), hex('00')]), /trailing/],
    ['single trailing byte instead of extensions', Buffer.concat([serverHello({ exts: null }), hex('00')]), /truncated/],
    ['supported_versions too long', serverHello({ exts: [ext(43, [3, 4, 0])] }), /extension 43/],
    ['supported_versions empty', serverHello({ exts: [ext(43, [])] }), /truncated/],
    ['ALPN with two protocols', serverHello({ exts: [ext(16, [0, 6, 2, 0x68, 0x32, 2, 0x68, 0x33])] }), /ALPN/],
    ['ALPN empty name', serverHello({ exts: [ext(16, [0, 1, 0])] }), /ALPN/],
    ['renegotiation_info lying length', serverHello({ exts: [ext(0xff01, [5, 1])] }), /truncated/],
    ['ec_point_formats empty list', serverHello({ exts: [ext(11, [0])] }), /outside 1/],
    ['heartbeat without mode', serverHello({ exts: [ext(15, [])] }), /truncated/],
  ])('rejects %s', (_name, body, error) => {
    const r = parseServerHello(body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(error);
  });

  it('every truncation of a valid hello is an error, never an exception', () => {
    const body = serverHello({ sid: [1, 2, 3], exts: [ext(43, [3, 4]), ext(51, [0, 29, 0, 32, ...Buffer.alloc(32)]), ext(16, [0, 3, 2, 0x68, 0x32])] });
    expect(parseServerHello(body).ok).toBe(true);
    for (let n = 0; n < body.length; n++) {
      const r = parseServerHello(body.subarray(0, n));
      // Cutting exactly before the extensions block leaves a valid extension-less hello.
      const boundary = 2 + 32 + 1 + 3 + 2 + 1;
      expect(r.ok).toBe(n === boundary);
    }
  });
});

describe('parseAlert', () => {
  it('names alerts and validates the level and the size', () => {
    expect(parseAlert(hex('0228'))).toEqual({ ok: true, value: { level: 2, description: 40, name: 'handshake_failure' } });
    expect(parseAlert(hex('0246'))).toMatchObject({ ok: true, value: { name: 'protocol_version' } });
    expect(parseAlert(hex('0156'))).toMatchObject({ ok: true, value: { level: 1, name: 'inappropriate_fallback' } });
    expect(parseAlert(hex('0270'))).toMatchObject({ ok: true, value: { name: 'unrecognized_name' } });
    expect(parseAlert(hex('02fe'))).toMatchObject({ ok: true, value: { name: 'unknown_alert_254' } });
    expect(parseAlert(hex('0328')).ok).toBe(false);
    expect(parseAlert(hex('02')).ok).toBe(false);
    expect(parseAlert(hex('022800')).ok).toBe(false);
  });
});

describe('parseCertificateMessage', () => {
  const certList = (certs: Buffer[]): Buffer =>
    new Writer().vector24((w) => certs.forEach((c) => w.vector24(c))).toBuffer();

  it('returns DER certificates leaf first', () => {
    const a = hex('3003020101');
    const b = hex('30050203010001');
    expect(parseCertificateMessage(certList([a, b]))).toEqual({ ok: true, value: [a, b] });
    expect(parseCertificateMessage(certList([]))).toEqual({ ok: true, value: [] });
  });

  it('errors on truncation, lying lengths, empty certificates, trailing bytes and > 64 certificates', () => {
    const good = certList([hex('3003020101'), hex('300100')]);
    for (let n = 0; n < good.length; n++) expect(parseCertificateMessage(good.subarray(0, n)).ok).toBe(false);
    expect(parseCertificateMessage(Buffer.concat([good, hex('00')])).ok).toBe(false);
    expect(parseCertificateMessage(hex('000004 000005 30')).ok).toBe(false);
    expect(parseCertificateMessage(hex('ffffff 000001 30')).ok).toBe(false);
    expect(parseCertificateMessage(hex('000003 000000')).ok).toBe(false);
    const many = certList(Array.from({ length: 65 }, () => hex('3000')));
    const r = parseCertificateMessage(many);
    expect(!r.ok && r.error).toMatch(/more than 64/);
    expect(parseCertificateMessage(certList(Array.from({ length: 64 }, () => hex('3000')))).ok).toBe(true);
  });
});

describe('parseServerKeyExchange', () => {
  const prime = Buffer.concat([hex('00'), Buffer.alloc(128, 0xff)]); // leading zero: still 1024 bits
  const dhe = (p: Buffer, g: Buffer, ys: Buffer, sig?: Buffer): Buffer =>
    Buffer.concat([new Writer().vector16(p).vector16(g).vector16(ys).toBuffer(), sig ?? Buffer.alloc(0)]);

  it('DHE: prime and public value sizes, generator', () => {
    const body = dhe(prime, hex('02'), Buffer.alloc(128, 0x7f), hex('0401 0003 aabbcc'));
    const r = parseServerKeyExchange(body, 'DHE');
    expect(r.ok && r.value).toMatchObject({ kind: 'DHE', primeBits: 1024, generator: 2, publicBits: 1023 });
    const r12 = parseServerKeyExchange(body, 'DHE', 0x0303);
    expect(r12.ok && r12.value.signatureAlgorithm).toBe(0x0401);
    // Before TLS 1.2 the signature has no algorithm prefix; it is not read.
    const r10 = parseServerKeyExchange(body, 'DHE', 0x0301);
    expect(r10.ok && r10.value.signatureAlgorithm).toBeUndefined();
    const bigG = parseServerKeyExchange(dhe(prime, Buffer.alloc(100, 0x55), hex('05')), 'DHE');
    expect(bigG.ok && bigG.value).toMatchObject({ generator: null, publicBits: 3 });
  });

  it('ECDHE: named curve and point length', () => {
    const point = Buffer.concat([hex('04'), Buffer.alloc(64, 1)]);
    const body = Buffer.concat([hex('03 0017 41'), point, hex('0403 0002 abcd')]);
    expect(parseServerKeyExchange(body, 'ECDHE')).toMatchObject({ ok: true, value: { kind: 'ECDHE', curveType: 3, namedGroup: 23, publicKeyLength: 65 } });
    const r = parseServerKeyExchange(body, 'ECDHE', 0x0303);
    expect(r.ok && r.value.signatureAlgorithm).toBe(0x0403);
    const x25519 = Buffer.concat([hex('03 001d 20'), Buffer.alloc(32, 9)]);
    expect(parseServerKeyExchange(x25519, 'ECDHE')).toMatchObject({ ok: true, value: { namedGroup: 29, publicKeyLength: 32 } });
  });

  it('ECDHE explicit_prime parameters parse with no named group; char2 is refused', () => {
    const v = (n: number): Buffer => Buffer.concat([Buffer.from([n]), Buffer.alloc(n, 3)]);
    const body = Buffer.concat([hex('01'), v(32), v(32), v(32), v(65), v(32), v(1), v(65)]);
    expect(parseServerKeyExchange(body, 'ECDHE')).toMatchObject({ ok: true, value: { curveType: 1, namedGroup: null, publicKeyLength: 65 } });
    expect(parseServerKeyExchange(hex('02 0017 01 04'), 'ECDHE').ok).toBe(false);
  });

  it('errors on truncation, empty values, zero prime, bad TLS 1.2 signature framing', () => {
    const good = dhe(prime, hex('02'), hex('0101'));
    for (let n = 0; n < good.length; n++) expect(parseServerKeyExchange(good.subarray(0, n), 'DHE').ok).toBe(false);
    expect(parseServerKeyExchange(dhe(Buffer.alloc(0), hex('02'), hex('01')), 'DHE').ok).toBe(false);
    expect(parseServerKeyExchange(dhe(hex('0000'), hex('02'), hex('01')), 'DHE').ok).toBe(false);
    expect(parseServerKeyExchange(dhe(prime, hex('02'), hex('01'), hex('0401 0010 aa')), 'DHE', 0x0303).ok).toBe(false);
    expect(parseServerKeyExchange(dhe(prime, hex('02'), hex('01'), hex('04')), 'DHE', 0x0303).ok).toBe(false);
    const ec = hex('03 0017 03 040102');
    for (let n = 0; n < ec.length; n++) expect(parseServerKeyExchange(ec.subarray(0, n), 'ECDHE').ok).toBe(false);
    expect(parseServerKeyExchange(hex('03 0017 00'), 'ECDHE').ok).toBe(false);
    expect(parseServerKeyExchange(hex('ffff'), 'DHE').ok).toBe(false);
  });
});

describe('parseCertificateStatus', () => {
  it('returns the OCSP response; rejects other types, truncation and trailing bytes', () => {
    expect(parseCertificateStatus(hex('01 000003 300100'))).toEqual({ ok: true, value: hex('300100') });
    expect(parseCertificateStatus(hex('02 000003 300100')).ok).toBe(false);
    expect(parseCertificateStatus(hex('01 000004 300100')).ok).toBe(false);
    expect(parseCertificateStatus(hex('01 000000')).ok).toBe(false);
    expect(parseCertificateStatus(hex('01 000001 30 00')).ok).toBe(false);
    expect(parseCertificateStatus(hex('')).ok).toBe(false);
  });
});
