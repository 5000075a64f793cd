import { describe, expect, it } from 'vitest';
import { addressClass, createAddressPolicy } from '../../src/net/address-policy.js';

describe('address classes', () => {
  it('IPv4', () => {
    const cases: Array<[string, string]> = [
      ['8.8.8.8', 'public'], ['192.0.2.10', 'public'], ['127.0.0.1', 'loopback'], ['127.0.0.2', 'loopback'],
      ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', 'public'],
      ['192.168.1.1', 'private'], ['100.64.0.1', 'private'], ['169.254.1.1', 'link-local'], ['169.254.169.254', 'metadata'],
      ['0.0.0.0', 'unspecified'], ['224.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'], ['198.18.0.1', 'reserved'],
    ];
    for (const [ip, cls] of cases) expect(addressClass(ip), ip).toBe(cls);
  });

  it('IPv6 (and IPv4-mapped addresses as their IPv4 address)', () => {
    const cases: Array<[string, string]> = [
      ['2001:db8::1', 'public'], ['::1', 'loopback'], ['::', 'unspecified'], ['fd12:3456::1', 'private'], ['fc00::1', 'private'],
      ['fe80::1', 'link-local'], ['fd00:ec2::254', 'metadata'], ['ff02::1', 'reserved'], ['::ffff:10.0.0.1', 'private'],
      ['::ffff:127.0.0.1', 'loopback'], ['[::1]', 'loopback'], ['not-an-ip', 'reserved'],
    ];
    for (const [ip, cls] of cases) expect(addressClass(ip), ip).toBe(cls);
  });
});

describe('the address policy', () => {
  it('a public target may lead only to public addresses', () => {
    const p = createAddressPolicy({ allowPrivate: false, targetAddresses: ['192.0.2.10'] });
    expect(p.refuses('198.51.100.7')).toBeNull();
    for (const ip of ['127.0.0.2', '10.0.0.1', '169.254.169.254', 'fd00:ec2::254', '::1', 'fe80::1', '0.0.0.0']) {
      expect(p.refuses(ip), ip).toMatch(/where the scanned site may not lead the scan \(--allow-private to allow it\)/);
    }
  });

  it("the target's own range is allowed (a lab on loopback, a scan inside a private network), metadata never", () => {
    const lab = createAddressPolicy({ allowPrivate: false, targetAddresses: ['127.0.0.1'] });
    expect(lab.refuses('127.0.0.2')).toBeNull();
    expect(lab.refuses('10.0.0.1')).toMatch(/private address/);
    const inside = createAddressPolicy({ allowPrivate: false, targetAddresses: ['10.0.0.5'] });
    expect(inside.refuses('10.9.9.9')).toBeNull();
    expect(inside.refuses('169.254.169.254')).toMatch(/metadata address/);
  });

  it('--allow-private allows everything', () => {
    const p = createAddressPolicy({ allowPrivate: true, targetAddresses: ['192.0.2.10'] });
    for (const ip of ['127.0.0.2', '10.0.0.1', '169.254.169.254']) expect(p.refuses(ip)).toBeNull();
  });
});
