// The bytes the active vulnerability probes send: records after the first flight, the ROBOT
// premaster secrets and their textbook RSA encryption, and the session_ticket splice.
import { constants, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ROBOT_VARIANTS, robotPlaintext, rsaKeyOf, rsaRaw, type RobotVariant } from '../../src/net/tls/bleichenbacher.js';
import {
  acceptedBundle,
  changeCipherSpecRecord,
  garbageFinished,
  heartbeatRequest,
  overlongHeartbeat,
  parseHeartbeat,
  rsaClientKeyExchange,
  setHelloExtension,
  tlsRecord,
  withSessionTicket,
} from '../../src/net/tls/probe-records.js';
import { probeOrder } from '../../src/net/tls/suite-order.js';
import { Reader } from '../../src/net/tls/wire/bytes.js';
import { buildClientHello } from '../../src/net/tls/wire/client-hello.js';
import { splitRecords } from '../../src/net/tls/wire/records.js';
import { makeCert } from '../helpers/certs.js';

describe('records sent after the first flight', () => {
  it('tlsRecord frames data and splits it at 2^14 bytes', () => {
    expect(tlsRecord(22, 0x0303, Buffer.from([1, 2, 3])).toString('hex')).toBe('1603030003010203');
    const big = splitRecords(tlsRecord(23, 0x0303, Buffer.alloc(16384 + 10, 7)));
    expect(big.records.map((r) => r.fragment.length)).toEqual([16384, 10]);
    expect(tlsRecord(21, 0x0301, Buffer.alloc(0)).toString('hex')).toBe('1503010000');
  });

  it('ChangeCipherSpec is one byte, 1, at the given version', () => {
    expect(changeCipherSpecRecord(0x0303).toString('hex')).toBe('140303000101');
    expect(changeCipherSpecRecord(0x0300).toString('hex')).toBe('140300000101');
  });

  it('the over-long heartbeat claims 16 KiB and carries nothing (as testssl.sh sends it)', () => {
    expect(overlongHeartbeat(0x0303).toString('hex')).toBe('1803030003014000');
    expect(overlongHeartbeat(0x0301, 0x0010).toString('hex')).toBe('1803010003010010');
  });

  it('the well-formed heartbeat carries its payload and 16 bytes of padding (RFC 6520 §4)', () => {
    const payload = Buffer.from('0123456789abcdef');
    const rec = heartbeatRequest(0x0303, payload);
    expect(rec.subarray(0, 5).toString('hex')).toBe('1803030023'); // 1 + 2 + 16 + 16
    expect(rec.subarray(5, 8).toString('hex')).toBe('010010');
    expect(rec.subarray(8, 24)).toEqual(payload);
  });

  it('parseHeartbeat reads type, claimed length, carried bytes and the head of the payload', () => {
    const resp = Buffer.concat([Buffer.from([2, 0x40, 0x00]), Buffer.alloc(100, 0xaa)]);
    const hb = parseHeartbeat(resp);
    expect(hb.ok && hb.value).toMatchObject({ type: 2, claimedLength: 0x4000, carried: 100 });
    expect(hb.ok && hb.value.head.length).toBe(64);
    const short = parseHeartbeat(Buffer.from([2, 0, 4, 1, 2, 3, 4, 0, 0]));
    expect(short.ok && short.value.head).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(parseHeartbeat(Buffer.from([2, 0])).ok).toBe(false);
  });

  it('RSA ClientKeyExchange: a 2-byte length before the ciphertext from TLS 1.0 on, none in SSLv3', () => {
    const enc = Buffer.alloc(256, 9);
    const tls12 = rsaClientKeyExchange(0x0303, enc);
    expect(tls12.subarray(0, 11).toString('hex')).toBe('1603030106' + '10000102' + '0100');
    expect(tls12.length).toBe(5 + 4 + 2 + 256);
    const ssl3 = rsaClientKeyExchange(0x0300, enc);
    expect(ssl3.subarray(0, 9).toString('hex')).toBe('1603000104' + '10000100');
  });

  it('the garbage Finished is a handshake record of 80 random bytes', () => {
    const a = garbageFinished(0x0303);
    expect(a.subarray(0, 5).toString('hex')).toBe('1603030050');
    expect(a.subarray(5)).not.toEqual(garbageFinished(0x0303).subarray(5));
  });
});

describe('ClientHello edits', () => {
  const built = buildClientHello({ version: 'TLSv1.2', cipherSuites: [0x002f], sessionId: Buffer.from([0x5b]), sessionTicket: true, extendedMasterSecret: true, serverName: 't.test' });

  /** The extensions of a ClientHello record, read back independently. */
  function extensionsOf(record: Buffer): Map<number, Buffer> {
    const [rec] = splitRecords(record).records;
    const r = new Reader(rec!.fragment);
    r.u8();
    const body = new Reader(r.vector24());
    body.u16();
    body.bytes(32);
    expect(body.vector8()).toEqual(Buffer.from([0x5b]));
    body.vector16();
    body.vector8();
    const block = new Reader(body.vector16());
    expect(body.expectEnd('hello')).toBe(true);
    const out = new Map<number, Buffer>();
    while (block.remaining > 0) {
      const t = block.u16();
      out.set(t, Buffer.from(block.vector16()));
    }
    return out;
  }

  it('withSessionTicket puts the ticket in the session_ticket extension and keeps the rest', () => {
    const ticket = Buffer.alloc(200, 0x77);
    const spliced = withSessionTicket(built.handshake, ticket);
    expect(spliced.ok).toBe(true);
    if (!spliced.ok) return;
    const before = extensionsOf(built.record);
    const after = extensionsOf(spliced.value);
    expect(before.get(35)).toEqual(Buffer.alloc(0));
    expect(after.get(35)).toEqual(ticket);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(after.get(0)).toEqual(before.get(0)); // SNI untouched
    expect(spliced.value.length).toBe(built.record.length + 200);
  });

  it('a ticket bigger than a record is split over several records', () => {
    const spliced = withSessionTicket(built.handshake, Buffer.alloc(20_000, 1));
    expect(spliced.ok && splitRecords(spliced.value).records.length).toBe(2);
  });

  it('refuses what it cannot edit', () => {
    expect(setHelloExtension(built.handshake, 0x1234, Buffer.alloc(1)).ok).toBe(false);
    expect(setHelloExtension(Buffer.from([2, 0, 0, 0]), 35, Buffer.alloc(1)).ok).toBe(false);
    expect(setHelloExtension(built.handshake.subarray(0, 50), 35, Buffer.alloc(1)).ok).toBe(false);
  });

  it('acceptedBundle offers the bundle tls-protocols saw accepted, its pick first', () => {
    const order = probeOrder('TLSv1.2');
    expect(acceptedBundle('TLSv1.2')).toEqual(order.slice(0, 128));
    const second = acceptedBundle('TLSv1.2', { suite: order[130]!, refusedBundles: 1 });
    expect(second[0]).toBe(order[130]);
    expect(new Set(second)).toEqual(new Set(order.slice(128, 256)));
  });
});

describe('ROBOT premaster secrets (robot-detect / testssl.sh layouts)', () => {
  const size = 256;

  it('every variant fills the modulus; the padding has no zero byte', () => {
    for (const v of ROBOT_VARIANTS) {
      const b = robotPlaintext(v, size, 0x0303);
      expect(b.length).toBe(size);
      expect(b.subarray(2, size - 51).includes(0)).toBe(false);
    }
  });

  const cases: Array<[RobotVariant, (b: Buffer) => void]> = [
    ['correct', (b) => {
      expect(b.subarray(0, 2).toString('hex')).toBe('0002');
      expect(b.indexOf(0, 2)).toBe(size - 49); // separator, then 48 bytes of premaster secret
      expect(b.subarray(size - 48, size - 46).toString('hex')).toBe('0303');
    }],
    ['wrong-first-bytes', (b) => {
      expect(b.subarray(0, 2).toString('hex')).toBe('4117');
      expect(b[size - 49]).toBe(0);
    }],
    ['wrong-zero-position', (b) => {
      expect(b[size - 49]).toBe(0x11);
      expect(b.subarray(size - 2).toString('hex')).toBe('0011');
      expect(b.indexOf(0, 2)).toBe(size - 2);
    }],
    ['missing-zero', (b) => {
      expect(b.indexOf(0, 2)).toBe(-1);
      expect(b.subarray(size - 49, size - 46).toString('hex')).toBe('111111');
    }],
    ['wrong-version', (b) => {
      expect(b[size - 49]).toBe(0);
      expect(b.subarray(size - 48, size - 46).toString('hex')).toBe('0202');
    }],
  ];
  for (const [variant, expectations] of cases) {
    it(variant, () => expectations(robotPlaintext(variant, size, 0x0303)));
  }

  it('the well-formed block carries the offered version, not a fixed one', () => {
    expect(robotPlaintext('correct', 128, 0x0301).subarray(128 - 48, 128 - 46).toString('hex')).toBe('0301');
  });

  it('refuses a modulus too small for a premaster secret', () => {
    expect(() => robotPlaintext('correct', 58, 0x0303)).toThrow(RangeError);
  });
});

describe('textbook RSA and the certificate key', () => {
  it('rsaRaw is undone by the private key without padding; rsaKeyOf reads n and e', async () => {
    const cert = await makeCert({ subject: 'CN=robot.test', keyType: 'rsa-1024' });
    const key = rsaKeyOf(cert.der);
    expect(key.ok).toBe(true);
    if (!key.ok) return;
    expect(key.value.size).toBe(128);
    expect(key.value.e).toBe(65537n);
    for (const v of ROBOT_VARIANTS) {
      const block = robotPlaintext(v, key.value.size, 0x0303);
      const enc = rsaRaw(key.value, block);
      expect(enc.length).toBe(128);
      expect(privateDecrypt({ key: cert.keyPem, padding: constants.RSA_NO_PADDING }, enc)).toEqual(block);
    }
  });

  it('rsaKeyOf says why when the key is not RSA or the bytes are not a certificate', async () => {
    const ec = await makeCert({ subject: 'CN=ec.test', keyType: 'ec-p256' });
    const notRsa = rsaKeyOf(ec.der);
    expect(!notRsa.ok && notRsa.error).toMatch(/not RSA/);
    expect(rsaKeyOf(Buffer.from('nonsense')).ok).toBe(false);
  });
});
