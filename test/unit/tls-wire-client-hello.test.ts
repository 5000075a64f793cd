/**
 * ClientHello bytes, checked with an independent parser written here with plain Buffer reads
 * (not the wire Reader), so a shared bug cannot hide itself.
 */
import { describe, expect, it } from 'vitest';
import { buildClientHello, type ClientHelloOptions } from '../../src/net/tls/wire/client-hello.js';
import { buildSslv2ClientHello } from '../../src/net/tls/wire/sslv2.js';

interface ParsedHello {
  recordType: number;
  recordVersion: number;
  recordLength: number;
  handshakeLength: number;
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  suites: number[];
  compression: number[];
  extensions: Map<number, Buffer> | null;
  extensionOrder: number[];
}

/** Parses a single-record ClientHello; throws (test failure) on any inconsistency. */
function parseHello(record: Buffer): ParsedHello {
  expect(record.readUInt16BE(3)).toBe(record.length - 5);
  const hs = record.subarray(5);
  expect(hs[0]).toBe(1);
  const handshakeLength = hs.readUIntBE(1, 3);
  expect(handshakeLength).toBe(hs.length - 4);
  let p = 4;
  const legacyVersion = hs.readUInt16BE(p);
  p += 2;
  const random = hs.subarray(p, p + 32);
  p += 32;
  const sidLen = hs[p++]!;
  const sessionId = hs.subarray(p, p + sidLen);
  p += sidLen;
  const suitesLen = hs.readUInt16BE(p);
  p += 2;
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(hs.readUInt16BE(p + i));
  p += suitesLen;
  const compLen = hs[p++]!;
  const compression = [...hs.subarray(p, p + compLen)];
  p += compLen;
  let extensions: Map<number, Buffer> | null = null;
  const extensionOrder: number[] = [];
  if (p < hs.length) {
    extensions = new Map();
    const extLen = hs.readUInt16BE(p);
    p += 2;
    expect(p + extLen).toBe(hs.length);
    while (p < hs.length) {
      const type = hs.readUInt16BE(p);
      const len = hs.readUInt16BE(p + 2);
      expect(extensions.has(type)).toBe(false);
      extensions.set(type, hs.subarray(p + 4, p + 4 + len));
      extensionOrder.push(type);
      p += 4 + len;
    }
    expect(p).toBe(hs.length);
  }
  return {
    recordType: record[0]!,
    recordVersion: record.readUInt16BE(1),
    recordLength: record.readUInt16BE(3),
    handshakeLength,
    legacyVersion,
    random,
    sessionId,
    suites,
    compression,
    extensions,
    extensionOrder,
  };
}

const u16s = (b: Buffer): number[] => Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16BE(i * 2));

function hello(opts: Partial<ClientHelloOptions> = {}) {
  const built = buildClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02f, 0x009c], ...opts });
  return { built, parsed: parseHello(built.record) };
}

describe('buildClientHello', () => {
  it('TLS 1.2: header fields, suites in order, compression null, no TLS 1.3 extensions', () => {
    const { built, parsed } = hello({ cipherSuites: [0xc02f, 0x0005, 0x00ff, 0x5600] });
    expect(parsed.recordType).toBe(22);
    expect(parsed.recordVersion).toBe(0x0301);
    expect(parsed.legacyVersion).toBe(0x0303);
    expect(parsed.random.equals(built.random)).toBe(true);
    expect(parsed.sessionId.length).toBe(0);
    expect(parsed.suites).toEqual([0xc02f, 0x0005, 0x00ff, 0x5600]);
    expect(parsed.compression).toEqual([0]);
    expect(built.handshake.equals(built.record.subarray(5))).toBe(true);
    const ext = parsed.extensions!;
    expect(ext.has(43)).toBe(false);
    expect(ext.has(51)).toBe(false);
    expect(u16s(ext.get(10)!.subarray(2))).toEqual([29, 23, 24, 25, 30, 256, 257, 258, 259, 260]);
    expect(ext.get(11)).toEqual(Buffer.from([1, 0]));
    const sigalgs = u16s(ext.get(13)!.subarray(2));
    expect(sigalgs).toEqual(expect.arrayContaining([0x0201, 0x0203, 0x0804, 0x0805, 0x0806, 0x0403, 0x0807, 0x0808, 0x0401, 0x0501, 0x0601]));
    expect(built.keyShares).toEqual([]);
  });

  it('SNI: exact bytes of server_name; none for an IP or null', () => {
    const { parsed } = hello({ serverName: 'example.com' });
    const name = Buffer.from('example.com');
    const expected = Buffer.concat([Buffer.from([0, name.length + 3, 0, 0, name.length]), name]);
    expect(parsed.extensions!.get(0)).toEqual(expected);
    expect(parsed.extensionOrder[0]).toBe(0);
    expect(hello({ serverName: '192.0.2.1' }).parsed.extensions!.has(0)).toBe(false);
    expect(hello({ serverName: '2001:db8::1' }).parsed.extensions!.has(0)).toBe(false);
    expect(hello({ serverName: null }).parsed.extensions!.has(0)).toBe(false);
    // Trailing dot dropped, IDN to A-labels.
    expect(hello({ serverName: 'example.com.' }).parsed.extensions!.get(0)).toEqual(expected);
    expect(hello({ serverName: 'bücher.example' }).parsed.extensions!.get(0)!.subarray(5).toString()).toBe('xn--bcher-kva.example');
  });

  it('TLS 1.3: legacy 0x0303, 32-byte session id, supported_versions, x25519 share of 32 bytes', () => {
    const { built, parsed } = hello({ version: 'TLSv1.3', cipherSuites: [0x1301, 0x1302, 0x1303] });
    expect(parsed.legacyVersion).toBe(0x0303);
    expect(parsed.recordVersion).toBe(0x0301);
    expect(parsed.sessionId.length).toBe(32);
    const ext = parsed.extensions!;
    expect(ext.get(43)).toEqual(Buffer.from([4, 0x03, 0x04, 0x03, 0x03]));
    expect(ext.get(45)).toEqual(Buffer.from([1, 1]));
    const ks = ext.get(51)!;
    expect(ks.readUInt16BE(0)).toBe(ks.length - 2);
    expect(ks.readUInt16BE(2)).toBe(29);
    expect(ks.readUInt16BE(4)).toBe(32);
    expect(ks.length).toBe(2 + 4 + 32);
    expect(built.keyShares).toEqual([{ group: 29 }]);
  });

  it('TLS 1.3 key shares: P-256 is a 65-byte uncompressed point; groups we cannot make (ffdhe) get none', () => {
    const { built, parsed } = hello({ version: 'TLSv1.3', cipherSuites: [0x1301], keyShareGroups: [23, 256, 29], supportedVersions: ['TLSv1.3'] });
    const ks = parsed.extensions!.get(51)!;
    expect(ks.readUInt16BE(2)).toBe(23);
    expect(ks.readUInt16BE(4)).toBe(65);
    expect(ks[6]).toBe(4); // uncompressed point marker
    const second = 6 + 65;
    expect(ks.readUInt16BE(second)).toBe(29);
    expect(ks.readUInt16BE(second + 2)).toBe(32);
    expect(ks.length).toBe(second + 4 + 32);
    expect(built.keyShares).toEqual([{ group: 23 }, { group: 29 }]);
    expect(parsed.extensions!.get(43)).toEqual(Buffer.from([2, 3, 4]));
    // P-384, P-521 and X448 too (handshake simulation replays clients that send them).
    const more = hello({ version: 'TLSv1.3', cipherSuites: [0x1301], keyShareGroups: [24, 25, 30], supportedVersions: ['TLSv1.3'] });
    const mks = more.parsed.extensions!.get(51)!;
    expect([mks.readUInt16BE(4), mks.readUInt16BE(6 + 97 + 2), mks.readUInt16BE(6 + 97 + 4 + 133 + 2)]).toEqual([97, 133, 56]);
    expect(more.built.keyShares).toEqual([{ group: 24 }, { group: 25 }, { group: 30 }]);
    const none = hello({ version: 'TLSv1.3', cipherSuites: [0x1301], groups: [23], keyShareGroups: [] });
    expect(none.parsed.extensions!.get(51)).toEqual(Buffer.from([0, 0]));
    expect(none.built.keyShares).toEqual([]);
  });

  it('fresh randoms and session ids every time; a key share is reused for a while (it protects nothing)', () => {
    const a = hello({ version: 'TLSv1.3', cipherSuites: [0x1301] });
    const b = hello({ version: 'TLSv1.3', cipherSuites: [0x1301] });
    expect(a.parsed.random.equals(b.parsed.random)).toBe(false);
    expect(a.parsed.sessionId.equals(b.parsed.sessionId)).toBe(false);
    expect(a.parsed.extensions!.get(51)!.equals(b.parsed.extensions!.get(51)!)).toBe(true);
  });

  it('optional extensions: exact contents', () => {
    const { parsed } = hello({
      alpn: ['h2', 'http/1.1'],
      statusRequest: true,
      sct: true,
      renegotiationInfo: true,
      extendedMasterSecret: true,
      encryptThenMac: true,
      sessionTicket: true,
      heartbeat: true,
    });
    const ext = parsed.extensions!;
    expect(ext.get(16)).toEqual(Buffer.from([0, 12, 2, ...Buffer.from('h2'), 8, ...Buffer.from('http/1.1')]));
    expect(ext.get(5)).toEqual(Buffer.from([1, 0, 0, 0, 0]));
    expect(ext.get(18)).toEqual(Buffer.alloc(0));
    expect(ext.get(0xff01)).toEqual(Buffer.from([0]));
    expect(ext.get(23)).toEqual(Buffer.alloc(0));
    expect(ext.get(22)).toEqual(Buffer.alloc(0));
    expect(ext.get(35)).toEqual(Buffer.alloc(0));
    expect(ext.get(15)).toEqual(Buffer.from([1]));
  });

  it('older versions: no signature_algorithms before TLS 1.2; SSLv3 sends no extensions by default', () => {
    const tls10 = hello({ version: 'TLSv1.0', cipherSuites: [0x002f] }).parsed;
    expect(tls10.legacyVersion).toBe(0x0301);
    expect(tls10.extensions!.has(13)).toBe(false);
    const ssl3 = hello({ version: 'SSLv3', cipherSuites: [0x0005, 0x0004] }).parsed;
    expect(ssl3.recordVersion).toBe(0x0300);
    expect(ssl3.legacyVersion).toBe(0x0300);
    expect(ssl3.extensions).toBeNull();
    expect(hello({ version: 'SSLv3', cipherSuites: [0x0005], extensions: true, renegotiationInfo: true }).parsed.extensions!.has(0xff01)).toBe(true);
    expect(hello({ extensions: false }).parsed.extensions).toBeNull();
  });

  it('ec_point_formats only when something elliptic is offered, unless forced', () => {
    expect(hello({ groups: [256], cipherSuites: [0x009e] }).parsed.extensions!.has(11)).toBe(false);
    expect(hello({ groups: [256], cipherSuites: [0xc02b] }).parsed.extensions!.has(11)).toBe(true);
    expect(hello({ groups: [23], cipherSuites: [0x009e] }).parsed.extensions!.has(11)).toBe(true);
    expect(hello({ groups: [256], cipherSuites: [0x009e], ecPointFormats: true }).parsed.extensions!.has(11)).toBe(true);
    expect(hello({ ecPointFormats: false }).parsed.extensions!.has(11)).toBe(false);
  });

  it('compression methods, record version and session id overrides', () => {
    const { parsed } = hello({ compressionMethods: [1, 0], recordVersion: 0x0303, sessionId: Buffer.alloc(16, 7) });
    expect(parsed.compression).toEqual([1, 0]);
    expect(parsed.recordVersion).toBe(0x0303);
    expect(parsed.sessionId).toEqual(Buffer.alloc(16, 7));
  });

  it('padding (RFC 7685): a 256..511-byte hello grows to exactly 512, others are left alone', () => {
    // ~60 suites put the unpadded hello in the F5 range.
    const suites = Array.from({ length: 60 }, (_, i) => 0xc000 + i);
    const unpadded = hello({ cipherSuites: suites, serverName: 'example.com' });
    expect(unpadded.built.handshake.length).toBeGreaterThanOrEqual(256);
    expect(unpadded.built.handshake.length).toBeLessThan(512);
    const padded = hello({ cipherSuites: suites, serverName: 'example.com', padding: true });
    expect(padded.built.handshake.length).toBe(512);
    expect(padded.parsed.handshakeLength).toBe(508);
    expect(padded.parsed.extensionOrder.at(-1)).toBe(21);
    expect(padded.parsed.extensions!.get(21)!.every((b) => b === 0)).toBe(true);
    const small = hello({ cipherSuites: [0x002f], groups: [], ecPointFormats: false, signatureAlgorithms: [0x0401], padding: true });
    expect(small.built.handshake.length).toBeLessThan(256);
    expect(small.parsed.extensions!.has(21)).toBe(false);
    const big = hello({ cipherSuites: Array.from({ length: 300 }, (_, i) => i + 1), padding: true });
    expect(big.built.handshake.length).toBeGreaterThan(512);
    expect(big.parsed.extensions!.has(21)).toBe(false);
  });

  it('padding near the top of the range still yields ≥ 512 bytes with a 1-byte pad', () => {
    for (let n = 150; n < 250; n++) {
      const suites = Array.from({ length: n }, (_, i) => 0x0100 + i);
      const base = hello({ cipherSuites: suites, groups: [], ecPointFormats: false, signatureAlgorithms: [0x0401] });
      const padded = hello({ cipherSuites: suites, groups: [], ecPointFormats: false, signatureAlgorithms: [0x0401], padding: true });
      const len = base.built.handshake.length;
      if (len < 256 || len >= 512) expect(padded.built.handshake.length).toBe(len);
      else if (len <= 507) expect(padded.built.handshake.length).toBe(512);
      else expect(padded.built.handshake.length).toBe(len + 5);
    }
  });

  it('hellos over 16384 bytes are split into several records', () => {
    const suites = Array.from({ length: 9000 }, (_, i) => i);
    const built = buildClientHello({ version: 'TLSv1.2', cipherSuites: suites });
    const first = built.record.readUInt16BE(3);
    expect(first).toBe(16384);
    const second = built.record.subarray(5 + first);
    expect(second[0]).toBe(22);
    expect(second.readUInt16BE(3)).toBe(second.length - 5);
    expect(Buffer.concat([built.record.subarray(5, 5 + first), second.subarray(5)]).equals(built.handshake)).toBe(true);
  });
});

describe('buildSslv2ClientHello', () => {
  it('2-byte header with MSB set, CLIENT-HELLO, version 0x0002, 3-byte cipher kinds, challenge', () => {
    const challenge = Buffer.alloc(16, 0xab);
    const rec = buildSslv2ClientHello({ cipherKinds: [0x010080, 0x0700c0, 0x060040], challenge });
    const bodyLen = 1 + 2 + 2 + 2 + 2 + 9 + 16;
    expect(rec.length).toBe(2 + bodyLen);
    expect(rec[0]).toBe(0x80 | (bodyLen >> 8));
    expect(rec[1]).toBe(bodyLen & 0xff);
    expect([...rec.subarray(2, 11)]).toEqual([1, 0, 2, 0, 9, 0, 0, 0, 16]);
    expect(rec.subarray(11, 20).toString('hex')).toBe('0100800700c0060040');
    expect(rec.subarray(20).equals(challenge)).toBe(true);
  });

  it('rejects a challenge outside 16..32 bytes', () => {
    expect(() => buildSslv2ClientHello({ cipherKinds: [0x010080], challenge: Buffer.alloc(8) })).toThrow(RangeError);
    expect(buildSslv2ClientHello({ cipherKinds: [0x010080] }).length).toBe(2 + 9 + 3 + 16);
  });
});
