import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeSvcb, encodeSvcb, formatIpv6, parseIpv6, type SvcbData } from '../../src/net/dns/svcb.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeOk(buf: Buffer): SvcbData {
  const r = decodeSvcb(buf);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.value;
}

function decodeErr(buf: Buffer): string {
  const r = decodeSvcb(buf);
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.error;
}

describe('SVCB RDATA: RFC 9460 appendix D test vectors', () => {
  it('D.1 AliasMode: 0 foo.example.com.', () => {
    const wire = hex('0000 03666f6f 076578616d706c65 03636f6d 00');
    expect(decodeOk(wire)).toEqual({ priority: 0, target: 'foo.example.com', params: {} });
    expect(encodeSvcb({ priority: 0, target: 'foo.example.com.', params: {} })).toEqual(wire);
  });

  it('D.2 ServiceMode with a port: 16 foo.example.com. port=53', () => {
    const wire = hex('0010 03666f6f 076578616d706c65 03636f6d 00 0003 0002 0035');
    expect(decodeOk(wire)).toEqual({ priority: 16, target: 'foo.example.com', params: { port: 53 } });
    expect(encodeSvcb({ priority: 16, target: 'foo.example.com', params: { port: 53 } })).toEqual(wire);
  });

  it('D.2 ipv6hint: 1 . ipv6hint=2001:db8::1,2001:db8::53:1', () => {
    const wire = hex('0001 00 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000530001');
    const value = decodeOk(wire);
    expect(value).toEqual({ priority: 1, target: '.', params: { ipv6hint: ['2001:db8::1', '2001:db8::53:1'] } });
    expect(encodeSvcb(value)).toEqual(wire);
  });

  it('D.2 unknown key: 1 foo.example.com. key667=hello', () => {
    const wire = hex('0001 03666f6f 076578616d706c65 03636f6d 00 029b 0005 68656c6c6f');
    expect(decodeOk(wire)).toEqual({ priority: 1, target: 'foo.example.com', params: { other: { key667: '68656c6c6f' } } });
  });

  it('D.2 mandatory, alpn and ipv4hint, in key order', () => {
    const wire = hex(
      '0010 03666f6f 076578616d706c65 036f7267 00' +
        '0000 0004 0001 0004' + // mandatory=alpn,ipv4hint
        '0001 0009 02 6832 05 6833 2d3139' + // alpn=h2,h3-19
        '0004 0004 c0000201', // ipv4hint=192.0.2.1
    );
    const value = decodeOk(wire);
    expect(value).toEqual({
      priority: 16,
      target: 'foo.example.org',
      params: { mandatory: [1, 4], alpn: ['h2', 'h3-19'], ipv4hint: ['192.0.2.1'] },
    });
    expect(encodeSvcb(value)).toEqual(wire);
  });
});

describe('SVCB RDATA round trip', () => {
  it('encodes and decodes every known param', () => {
    const data: SvcbData = {
      priority: 1,
      target: 'svc.secgrade.test',
      params: {
        mandatory: [3],
        alpn: ['h2', 'h3'],
        noDefaultAlpn: true,
        port: 8443,
        ipv4hint: ['192.0.2.1', '198.51.100.2'],
        ech: Buffer.from([0xfe, 0x0d, 0, 1, 2, 3]).toString('base64'),
        ipv6hint: ['::1', '2001:db8:0:1::', 'fe80::1:0:0:1'],
        other: { key65000: 'deadbeef', key7: '' },
      },
    };
    expect(decodeOk(encodeSvcb(data))).toEqual(data);
  });

  it('refuses to encode invalid input', () => {
    expect(() => encodeSvcb({ priority: 1, target: '.', params: { ipv4hint: ['999.1.1.1'] } })).toThrow();
    expect(() => encodeSvcb({ priority: 1, target: '.', params: { ipv6hint: ['not-v6'] } })).toThrow();
    expect(() => encodeSvcb({ priority: 1, target: '.', params: { alpn: [''] } })).toThrow();
    expect(() => encodeSvcb({ priority: 70000, target: '.', params: {} })).toThrow();
    expect(() => encodeSvcb({ priority: 1, target: `${'a'.repeat(64)}.test`, params: {} })).toThrow();
    expect(() => encodeSvcb({ priority: 1, target: '.', params: { other: { key3: '00' } } })).toThrow();
  });
});

describe('SVCB RDATA: hostile input returns errors, never throws', () => {
  it('rejects empty and truncated fixed fields', () => {
    expect(decodeErr(Buffer.alloc(0))).toMatch(/SvcPriority/);
    expect(decodeErr(hex('00'))).toMatch(/SvcPriority/);
    expect(decodeErr(hex('0001'))).toMatch(/TargetName/);
  });

  it('rejects a label longer than the bytes present', () => {
    expect(decodeErr(hex('0001 3f 616263'))).toMatch(/claims 63 bytes but only 3 remain/);
  });

  it('rejects compression pointers in TargetName', () => {
    expect(decodeErr(hex('0001 c00c'))).toMatch(/compressed/);
  });

  it('rejects a TargetName over 255 octets', () => {
    const labels = Buffer.concat(Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])));
    expect(decodeErr(Buffer.concat([hex('0001'), labels, hex('00')]))).toMatch(/255/);
  });

  it('rejects a huge SvcParam length', () => {
    expect(decodeErr(hex('0001 00 0003 ffff 01bb'))).toMatch(/claims 65535 bytes/);
  });

  it('rejects a param header cut short', () => {
    expect(decodeErr(hex('0001 00 0003'))).toMatch(/truncated/);
    expect(decodeErr(hex('0001 00 00'))).toMatch(/truncated/);
  });

  it('rejects keys out of order, duplicated or reserved', () => {
    expect(decodeErr(hex('0001 00 0003 0002 01bb 0001 0003 026832'))).toMatch(/order/);
    expect(decodeErr(hex('0001 00 0003 0002 01bb 0003 0002 01bb'))).toMatch(/duplicate/);
    expect(decodeErr(hex('0001 00 ffff 0000'))).toMatch(/65535/);
  });

  it('rejects values of the wrong shape', () => {
    expect(decodeErr(hex('0001 00 0003 0003 01bb00'))).toMatch(/port/);
    expect(decodeErr(hex('0001 00 0002 0001 00'))).toMatch(/no-default-alpn/);
    expect(decodeErr(hex('0001 00 0004 0005 c000020101'))).toMatch(/ipv4hint/);
    expect(decodeErr(hex('0001 00 0006 0004 20010db8'))).toMatch(/ipv6hint/);
    expect(decodeErr(hex('0001 00 0001 0000'))).toMatch(/alpn/);
    expect(decodeErr(hex('0001 00 0001 0003 00 6832'))).toMatch(/empty alpn-id/);
    expect(decodeErr(hex('0001 00 0001 0003 05 6832'))).toMatch(/alpn-id/);
  });

  it('rejects a mandatory list that is inconsistent', () => {
    expect(decodeErr(hex('0001 00 0000 0002 0003'))).toMatch(/mandatory key 3 is missing/);
    expect(decodeErr(hex('0001 00 0000 0002 0000'))).toMatch(/mandatory/);
    expect(decodeErr(hex('0001 00 0000 0003 000300'))).toMatch(/mandatory/);
  });

  it('survives random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const buf = randomBytes(i % 64);
      const r = decodeSvcb(buf);
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('works on a Uint8Array view into a larger buffer', () => {
    const backing = Buffer.concat([hex('ffff'), hex('0002 00 0003 0002 0050'), hex('ffff')]);
    expect(decodeOk(backing.subarray(2, backing.length - 2))).toEqual({ priority: 2, target: '.', params: { port: 80 } });
  });
});

describe('IPv6 helpers', () => {
  it('parses and formats per RFC 5952', () => {
    const cases: [string, string][] = [
      ['::', '::'],
      ['::1', '::1'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['fe80::1%eth0', 'fe80::1'],
    ];
    for (const [input, expected] of cases) {
      const bytes = parseIpv6(input);
      expect(bytes).not.toBeNull();
      expect(formatIpv6(bytes as Buffer)).toBe(expected);
    }
    expect(parseIpv6('1.2.3.4')).toBeNull();
    expect(parseIpv6('1::2::3')).toBeNull();
  });
});
