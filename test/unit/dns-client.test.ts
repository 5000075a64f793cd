import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DnsClient } from '../../src/net/dns/client.js';
import type { DnsRecord, LookupResult } from '../../src/net/dns/types.js';
import { startDnsServer, type DnsServerHandle, type ZoneRecord } from '../../src/lab/dns-server.js';

const ZONE = 'secgrade.test';
const BIG_STRINGS = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, '0')}-${'x'.repeat(60)}`);
const ECH = Buffer.from('not-a-real-ech-config').toString('base64');

const RECORDS: ZoneRecord[] = [
  { name: ZONE, type: 'SOA', mname: 'ns1.secgrade.test', rname: 'hostmaster.secgrade.test', serial: 2024010101, minimum: 300 },
  { name: ZONE, type: 'NS', target: 'ns1.secgrade.test' },
  { name: ZONE, type: 'MX', preference: 10, exchange: 'mail.secgrade.test' },
  { name: ZONE, type: 'TXT', strings: ['v=spf1 ip4:192.0.2.0/24 ', '-all'] },
  { name: ZONE, type: 'CAA', flags: 128, tag: 'issue', value: 'letsencrypt.org' },
  { name: ZONE, type: 'DS', keyTag: 12345, algorithm: 13, digestType: 2, digest: 'cd'.repeat(32) },
  { name: ZONE, type: 'DNSKEY', flags: 257, algorithm: 13, key: Buffer.alloc(64, 7).toString('base64') },
  {
    name: ZONE,
    type: 'HTTPS',
    ttl: 60,
    priority: 1,
    target: '.',
    params: { alpn: ['h2', 'h3'], port: 8443, ipv4hint: ['192.0.2.10'], ipv6hint: ['2001:db8::10'], ech: ECH },
  },
  { name: 'www.secgrade.test', type: 'A', ttl: 120, address: '192.0.2.10' },
  { name: 'www.secgrade.test', type: 'A', address: '192.0.2.11' },
  { name: 'www.secgrade.test', type: 'AAAA', address: '2001:db8::10' },
  { name: '_443._tcp.www.secgrade.test', type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) },
  { name: 'alias.secgrade.test', type: 'CNAME', target: 'www.secgrade.test' },
  { name: 'big.secgrade.test', type: 'TXT', strings: BIG_STRINGS },
  { name: 'txtonly.secgrade.test', type: 'TXT', strings: ['hello'] },
  { name: 'leaf.deep.secgrade.test', type: 'A', address: '192.0.2.20' },
  { name: 'servfail.secgrade.test', type: 'A', address: '192.0.2.99' },
  { name: 'drop.secgrade.test', type: 'A', address: '192.0.2.98' },
  { name: 'trunc.secgrade.test', type: 'A', address: '192.0.2.97' },
];

let server: DnsServerHandle;
let client: DnsClient;

beforeAll(async () => {
  server = await startDnsServer({
    zones: [ZONE],
    records: RECORDS,
    behaviour: ({ name }) => {
      if (name === 'servfail.secgrade.test') return 'servfail';
      if (name === 'drop.secgrade.test') return 'drop';
      if (name === 'trunc.secgrade.test') return 'truncate';
      return undefined;
    },
  });
  client = new DnsClient({ servers: [{ host: server.host, port: server.port }], timeoutMs: 1000, retries: 1 });
});

afterAll(async () => {
  await server.close();
});

function okRecords(result: LookupResult): DnsRecord[] {
  expect(result.status).toBe('ok');
  return result.status === 'ok' ? result.records : [];
}

describe('DnsClient answers', () => {
  it('returns every A record with TTL, server and transport', async () => {
    const result = await client.query('www.secgrade.test', 'A');
    expect(result).toMatchObject({ status: 'ok', transport: 'udp', server: server.address, authenticated: false });
    const records = okRecords(result);
    expect(records.map((r) => (r.type === 'A' ? r.address : '')).sort()).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(records[0]).toMatchObject({ type: 'A', name: 'www.secgrade.test' });
    expect(records.find((r) => r.type === 'A' && r.address === '192.0.2.10')?.ttl).toBe(120);
  });

  it('returns AAAA records', async () => {
    expect(okRecords(await client.query('www.secgrade.test', 'AAAA'))).toEqual([
      { type: 'AAAA', name: 'www.secgrade.test', ttl: 300, address: '2001:db8::10' },
    ]);
  });

  it('normalises the query name (case, trailing dot)', async () => {
    const records = okRecords(await client.query('WWW.SecGrade.Test.', 'AAAA'));
    expect(records[0]?.name).toBe('www.secgrade.test');
  });

  it('returns MX records with lower-cased exchange', async () => {
    expect(okRecords(await client.query(ZONE, 'MX'))).toEqual([
      { type: 'MX', name: ZONE, ttl: 300, preference: 10, exchange: 'mail.secgrade.test' },
    ]);
  });

  it('joins multi-string TXT records without separators (RFC 7208 3.3)', async () => {
    const [txt] = okRecords(await client.query(ZONE, 'TXT'));
    expect(txt).toMatchObject({ type: 'TXT', strings: ['v=spf1 ip4:192.0.2.0/24 ', '-all'], text: 'v=spf1 ip4:192.0.2.0/24 -all' });
  });

  it('returns CAA records', async () => {
    expect(okRecords(await client.query(ZONE, 'CAA'))).toEqual([
      { type: 'CAA', name: ZONE, ttl: 300, flags: 128, tag: 'issue', value: 'letsencrypt.org' },
    ]);
  });

  it('returns TLSA records with hex association data', async () => {
    expect(okRecords(await client.query('_443._tcp.www.secgrade.test', 'TLSA'))).toEqual([
      { type: 'TLSA', name: '_443._tcp.www.secgrade.test', ttl: 300, usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) },
    ]);
  });

  it('decodes HTTPS records and their SvcParams', async () => {
    expect(okRecords(await client.query(ZONE, 'HTTPS'))).toEqual([
      {
        type: 'HTTPS',
        name: ZONE,
        ttl: 60,
        priority: 1,
        target: '.',
        params: { alpn: ['h2', 'h3'], port: 8443, ipv4hint: ['192.0.2.10'], ipv6hint: ['2001:db8::10'], ech: ECH },
      },
    ]);
  });

  it('returns SOA, NS, DS and DNSKEY records', async () => {
    expect(okRecords(await client.query(ZONE, 'SOA'))[0]).toMatchObject({
      type: 'SOA',
      mname: 'ns1.secgrade.test',
      rname: 'hostmaster.secgrade.test',
      serial: 2024010101,
      minimum: 300,
    });
    expect(okRecords(await client.query(ZONE, 'NS'))[0]).toMatchObject({ type: 'NS', target: 'ns1.secgrade.test' });
    expect(okRecords(await client.query(ZONE, 'DS'))[0]).toMatchObject({ type: 'DS', keyTag: 12345, algorithm: 13, digestType: 2, digest: 'cd'.repeat(32) });
    expect(okRecords(await client.query(ZONE, 'DNSKEY'))[0]).toMatchObject({
      type: 'DNSKEY',
      flags: 257,
      algorithm: 13,
      key: Buffer.alloc(64, 7).toString('base64'),
    });
  });

  it('follows a CNAME chain inside the answer', async () => {
    const records = okRecords(await client.query('alias.secgrade.test', 'A'));
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.type === 'A' && r.name === 'www.secgrade.test')).toBe(true);
    // Asking for the CNAME itself returns it.
    expect(okRecords(await client.query('alias.secgrade.test', 'CNAME'))).toEqual([
      { type: 'CNAME', name: 'alias.secgrade.test', ttl: 300, target: 'www.secgrade.test' },
    ]);
  });
});

describe('DnsClient negative answers and failures', () => {
  it('reports NXDOMAIN for a name that does not exist', async () => {
    expect(await client.query('nope.secgrade.test', 'A')).toMatchObject({ status: 'nxdomain', server: server.address });
  });

  it('reports nodata (not nxdomain) when the name exists with other types', async () => {
    expect((await client.query('txtonly.secgrade.test', 'A')).status).toBe('nodata');
    expect((await client.query('txtonly.secgrade.test', 'AAAA')).status).toBe('nodata');
    // Empty non-terminal: exists because a name below it does.
    expect((await client.query('deep.secgrade.test', 'A')).status).toBe('nodata');
  });

  it('turns SERVFAIL into an error, never nodata', async () => {
    const result = await client.query('servfail.secgrade.test', 'A');
    expect(result).toMatchObject({ status: 'error', rcode: 'SERVFAIL' });
  });

  it('turns REFUSED (outside every zone) into an error', async () => {
    expect(await client.query('example.com', 'A')).toMatchObject({ status: 'error', rcode: 'REFUSED' });
  });

  it('gives up with a timeout error when the server never answers, each retry sent when the last attempt timed out', async () => {
    const before = server.queries;
    const sent = () => server.queries - before;
    /** Let real I/O run until the server has seen `n` queries (setImmediate is not faked). */
    const untilSent = async (n: number) => {
      while (sent() < n) await new Promise((r) => setImmediate(r));
    };
    // The attempts' timers run on a fake clock: the order of events is checked, not elapsed time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const fast = new DnsClient({ servers: [{ host: server.host, port: server.port }], timeoutMs: 200, retries: 2 });
      let result: LookupResult | undefined;
      const pending = fast.query('drop.secgrade.test', 'A').then((r) => (result = r));
      for (let attempt = 1; attempt <= 3; attempt++) {
        await untilSent(attempt);
        // Nothing more is sent, and no result comes, until this attempt's 200 ms have passed.
        await vi.advanceTimersByTimeAsync(199);
        expect(sent()).toBe(attempt);
        expect(result).toBeUndefined();
        await vi.advanceTimersByTimeAsync(1);
      }
      await pending;
      expect(result).toEqual({ status: 'error', reason: `timeout: no response from ${server.address} after 3 attempt(s) of 200 ms` });
      expect(sent()).toBe(3); // 1 attempt + 2 retries
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects an invalid query name without touching the network', async () => {
    const before = server.queries;
    const result = await client.query(`${'a'.repeat(64)}.secgrade.test`, 'A');
    expect(result.status).toBe('error');
    expect(server.queries).toBe(before);
  });

  it('falls back to the next server when the first does not answer', async () => {
    const silent = await startDnsServer({ zones: [ZONE], records: [], behaviour: () => 'drop' });
    try {
      const c = new DnsClient({
        servers: [
          { host: silent.host, port: silent.port },
          { host: server.host, port: server.port },
        ],
        timeoutMs: 200,
        retries: 0,
      });
      const result = await c.query('www.secgrade.test', 'AAAA');
      expect(result).toMatchObject({ status: 'ok', server: server.address });
      expect(silent.queries).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('reports a closed UDP port as a network error, quickly and without throwing', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    // The refusal decides, not the deadline: the reason says so, and with a 60 s deadline a client
    // that waited it out would fail by the test's 20 s timeout (no elapsed time is asserted).
    const result = await new DnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 60_000, retries: 0 }).query('x.test', 'A');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/ECONNREFUSED/);
    expect(result.status === 'error' && result.reason).not.toMatch(/timeout/);
  }, 20_000);

  it('turns an invalid server port into an error result, not an exception', async () => {
    const result = await new DnsClient({ servers: [{ host: '127.0.0.1', port: 70000 }] }).query('x.test', 'A');
    expect(result.status).toBe('error');
  });

  it('returns an error when there are no servers', async () => {
    expect(await new DnsClient({ servers: [] }).query('x.test', 'A')).toMatchObject({ status: 'error' });
  });
});

describe('DnsClient truncation', () => {
  it('retries over TCP when the UDP answer is truncated and gets every string', async () => {
    const result = await client.query('big.secgrade.test', 'TXT');
    expect(result).toMatchObject({ status: 'ok', transport: 'tcp' });
    const [txt] = okRecords(result);
    expect(txt?.type === 'TXT' && txt.strings).toEqual(BIG_STRINGS);
    expect(txt?.type === 'TXT' && txt.text).toBe(BIG_STRINGS.join(''));
  });

  it('uses TCP when the server always sets TC over UDP', async () => {
    const result = await client.query('trunc.secgrade.test', 'A');
    expect(result).toMatchObject({ status: 'ok', transport: 'tcp' });
    expect(okRecords(result)[0]).toMatchObject({ address: '192.0.2.97' });
  });

  it('honours a smaller advertised EDNS payload size', async () => {
    // 40 x 64-byte strings do not fit 1232 bytes; a 4096-byte buffer gets them over UDP.
    const roomy = new DnsClient({ servers: [{ host: server.host, port: server.port }], udpPayloadSize: 4096 });
    expect(await roomy.query('big.secgrade.test', 'TXT')).toMatchObject({ status: 'ok', transport: 'udp' });
  });
});

describe('DnsClient cancellation and cleanup', () => {
  it('returns "aborted" promptly when the signal fires mid-query', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    // The abort decides, not the 60 s deadline: a client that waited it out would fail by the
    // test's 20 s timeout (no elapsed time is asserted), and its reason would say timeout.
    const result = await client.query('drop.secgrade.test', 'A', { signal: ac.signal, timeoutMs: 60_000 });
    expect(result).toEqual({ status: 'error', reason: 'aborted' });
  }, 20_000);

  it('does not send anything when the signal is already aborted', async () => {
    const before = server.queries;
    const result = await client.query('www.secgrade.test', 'A', { signal: AbortSignal.abort() });
    expect(result).toEqual({ status: 'error', reason: 'aborted' });
    expect(server.queries).toBe(before);
  });

  it('leaves no sockets or timers behind on success, timeout, TCP and abort paths', async () => {
    const count = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'TCPSocketWrap' || r === 'Timeout').length;
    const baseline = count();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await Promise.all([
      client.query('www.secgrade.test', 'A'),
      client.query('big.secgrade.test', 'TXT'),
      client.query('drop.secgrade.test', 'A', { timeoutMs: 100, retries: 0 }),
      client.query('drop.secgrade.test', 'A', { signal: ac.signal }),
    ]);
    let now = count();
    for (let i = 0; i < 50 && now > baseline; i++) {
      await new Promise((r) => setImmediate(r));
      now = count();
    }
    expect(now).toBeLessThanOrEqual(baseline);
  });
});
