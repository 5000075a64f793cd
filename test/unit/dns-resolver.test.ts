import dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combineAddressLookups, createResolver, parseDnsServer } from '../../src/net/dns/resolver.js';
import { systemDnsServers } from '../../src/net/dns/system.js';
import type { LookupResult } from '../../src/net/dns/types.js';
import { startDnsServer, type DnsServerHandle } from '../../src/lab/dns-server.js';

const ZONE = 'secgrade.test';
let server: DnsServerHandle;

beforeAll(async () => {
  server = await startDnsServer({
    zones: [ZONE],
    records: [
      { name: ZONE, type: 'SOA', mname: 'ns1.secgrade.test', rname: 'hostmaster.secgrade.test', serial: 1, minimum: 60 },
      { name: 'www.secgrade.test', type: 'A', address: '192.0.2.10' },
      { name: 'www.secgrade.test', type: 'AAAA', address: '2001:db8::10' },
      { name: 'v4only.secgrade.test', type: 'A', address: '192.0.2.4' },
      { name: 'txt.secgrade.test', type: 'TXT', strings: ['x'] },
      { name: 'broken.secgrade.test', type: 'A', address: '192.0.2.5' },
      { name: 'halfbroken.secgrade.test', type: 'TXT', strings: ['x'] },
    ],
    behaviour: ({ name, type }) => {
      if (name === 'broken.secgrade.test') return 'servfail';
      if (name === 'halfbroken.secgrade.test' && type === 'AAAA') return 'servfail';
      return undefined;
    },
  });
});

afterAll(async () => {
  await server.close();
});

describe('parseDnsServer', () => {
  it('accepts IPv4, IPv4:port, [v6]:port, [v6] and bare v6', () => {
    expect(parseDnsServer('192.0.2.53')).toEqual({ host: '192.0.2.53', port: 53 });
    expect(parseDnsServer('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseDnsServer('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseDnsServer('[2001:db8::53]')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseDnsServer('2001:db8::53')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseDnsServer(' 10.0.0.1 ')).toEqual({ host: '10.0.0.1', port: 53 });
  });

  it('rejects host names, bad ports and junk with a one-line message', () => {
    for (const bad of ['dns.google', 'dns.google:53', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:abc', '127.0.0.1:', '[::1]:x', '[nope]:53', '', '1.2.3:53']) {
      let message = '';
      try {
        parseDnsServer(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, bad).not.toBe('');
      expect(message).not.toContain('\n');
    }
  });
});

describe('systemDnsServers', () => {
  it('parses what node:dns reports, with default port 53', () => {
    const saved = dns.getServers();
    try {
      dns.setServers(['127.0.0.1', '127.0.0.2:5353', '[::1]:5300', '::2']);
      expect(systemDnsServers()).toEqual([
        { host: '127.0.0.1', port: 53 },
        { host: '127.0.0.2', port: 5353 },
        { host: '::1', port: 5300 },
        { host: '::2', port: 53 },
      ]);
    } finally {
      dns.setServers(saved);
    }
  });
});

describe('createResolver with an explicit server', () => {
  const resolver = () => createResolver({ server: { host: server.host, port: server.port }, timeoutMs: 1000, retries: 0 });

  it('describes itself', () => {
    expect(resolver().description).toBe(`DNS server ${server.address}`);
    expect(createResolver({ server: { host: '::1', port: 53 } }).description).toBe('DNS server [::1]:53');
  });

  it('returns both A and AAAA addresses', async () => {
    const result = await resolver().addresses('www.secgrade.test');
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.addresses).toEqual(
      expect.arrayContaining([
        { address: '192.0.2.10', family: 4 },
        { address: '2001:db8::10', family: 6 },
      ]),
    );
    expect(result.status === 'ok' && result.addresses).toHaveLength(2);
  });

  it('is ok with only one family', async () => {
    expect(await resolver().addresses('v4only.secgrade.test')).toEqual({ status: 'ok', addresses: [{ address: '192.0.2.4', family: 4 }] });
  });

  it('maps NXDOMAIN, no data and SERVFAIL', async () => {
    expect((await resolver().addresses('missing.secgrade.test')).status).toBe('nxdomain');
    expect((await resolver().addresses('txt.secgrade.test')).status).toBe('nodata');
    const broken = await resolver().addresses('broken.secgrade.test');
    expect(broken.status).toBe('error');
    expect(broken.status === 'error' && broken.reason).toMatch(/SERVFAIL/);
    // A says nodata, AAAA fails: we cannot claim there are no addresses.
    expect((await resolver().addresses('halfbroken.secgrade.test')).status).toBe('error');
  });

  it('passes IP literals through without any lookup', async () => {
    const before = server.queries;
    const r = resolver();
    expect(await r.addresses('192.0.2.1')).toEqual({ status: 'ok', addresses: [{ address: '192.0.2.1', family: 4 }] });
    expect(await r.addresses('2001:db8::1')).toEqual({ status: 'ok', addresses: [{ address: '2001:db8::1', family: 6 }] });
    expect(await r.addresses('[::1]')).toEqual({ status: 'ok', addresses: [{ address: '::1', family: 6 }] });
    expect(server.queries).toBe(before);
  });

  it('sends query() to the same server', async () => {
    expect(await resolver().query('txt.secgrade.test', 'TXT')).toMatchObject({ status: 'ok', server: server.address });
  });

  it('returns "aborted" when the signal is already aborted', async () => {
    expect(await resolver().addresses('www.secgrade.test', AbortSignal.abort())).toEqual({ status: 'error', reason: 'aborted' });
  });
});

describe('createResolver without a server (operating system)', () => {
  it('describes itself', () => {
    expect(createResolver({}).description).toBe('system resolver');
  });

  it('resolves localhost through getaddrinfo (/etc/hosts)', async () => {
    const result = await createResolver({}).addresses('localhost');
    expect(result.status).toBe('ok');
    const loopback = result.status === 'ok' ? result.addresses.map((a) => a.address) : [];
    expect(loopback.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });

  it('passes IP literals through', async () => {
    expect(await createResolver({}).addresses('127.0.0.1')).toEqual({ status: 'ok', addresses: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('honours an aborted signal', async () => {
    expect(await createResolver({}).addresses('localhost', AbortSignal.abort())).toEqual({ status: 'error', reason: 'aborted' });
  });

  it('sends query() to the servers node:dns is configured with', async () => {
    const saved = dns.getServers();
    try {
      dns.setServers([server.address]);
      const r = createResolver({ timeoutMs: 1000, retries: 0 });
      expect(await r.query('www.secgrade.test', 'AAAA')).toMatchObject({ status: 'ok', server: server.address });
    } finally {
      dns.setServers(saved);
    }
  });
});

describe('combineAddressLookups', () => {
  const ok = (address: string): LookupResult => ({
    status: 'ok',
    records: [{ type: address.includes(':') ? 'AAAA' : 'A', name: 'h', ttl: 1, address }],
    authenticated: false,
    server: 's',
    transport: 'udp',
  });
  const neg = (status: 'nodata' | 'nxdomain'): LookupResult => ({ status, authenticated: false, server: 's', transport: 'udp' });
  const err: LookupResult = { status: 'error', reason: 'timeout: no response' };

  it('prefers addresses, then A-side NXDOMAIN, then errors, then nodata', () => {
    expect(combineAddressLookups('h', err, ok('::1'), 'x')).toEqual({ status: 'ok', addresses: [{ address: '::1', family: 6 }] });
    expect(combineAddressLookups('h', neg('nxdomain'), err, 'x').status).toBe('nxdomain');
    expect(combineAddressLookups('h', neg('nodata'), err, 'x').status).toBe('error');
    expect(combineAddressLookups('h', err, err, 'x').status).toBe('error');
    expect(combineAddressLookups('h', neg('nodata'), neg('nodata'), 'x').status).toBe('nodata');
    expect(combineAddressLookups('h', neg('nodata'), neg('nxdomain'), 'x').status).toBe('nxdomain');
  });
});
