/** The lab DNS server, exercised with raw sockets so its wire behaviour is checked directly. */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packet from 'dns-packet';
import { startDnsServer, type DnsServerHandle } from '../../src/lab/dns-server.js';
import { DnsClient } from '../../src/net/dns/client.js';

const ZONE = 'secgrade.test';
// 10 x 61-byte strings: about 650 bytes of answer, over 512 but under 1232.
const MEDIUM = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(60, 'y'));

let server: DnsServerHandle;

beforeAll(async () => {
  server = await startDnsServer({
    zones: [ZONE],
    records: [
      { name: ZONE, type: 'SOA', mname: 'ns1.secgrade.test', rname: 'hostmaster.secgrade.test', serial: 7, minimum: 60 },
      { name: 'www.secgrade.test', type: 'A', address: '192.0.2.10' },
      { name: 'medium.secgrade.test', type: 'TXT', strings: MEDIUM },
    ],
  });
});

afterAll(async () => {
  await server.close();
});

/** dns-packet decodes `rcode` but @types/dns-packet does not declare it. */
function decode(buf: Buffer | null): packet.DecodedPacket & { rcode: string } {
  expect(buf).not.toBeNull();
  return packet.decode(buf as Buffer) as packet.DecodedPacket & { rcode: string };
}

const dataOf = (a: packet.Answer | undefined): unknown => (a as { data?: unknown } | undefined)?.data;

function query(name: string, type: packet.RecordType, opts: { id?: number; edns?: number } = {}): Buffer {
  return packet.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: packet.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals:
      opts.edns === undefined
        ? []
        : [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** Send one datagram; resolve with the reply, or null if none arrives within `waitMs`. */
async function udpAsk(msg: Buffer, waitMs = 1000): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      socket.on('message', (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(msg, server.port, server.host);
    });
  } finally {
    socket.close();
  }
}

/** Open a TCP connection and collect every length-prefixed reply until `count` arrive. */
function tcpSession(count: number): { socket: net.Socket; replies: Promise<Buffer[]> } {
  const socket = net.connect({ host: server.host, port: server.port });
  const replies = new Promise<Buffer[]>((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        out.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (out.length >= count) {
        resolve(out);
        socket.end();
      }
    });
  });
  return { socket, replies };
}

function framed(msg: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(msg.length, 0);
  return Buffer.concat([prefix, msg]);
}

describe('lab DNS server: answers', () => {
  it('binds UDP and TCP on the same port and reports its address', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
  });

  it('answers authoritatively, echoing id, question and RD', async () => {
    const reply = decode(await udpAsk(query('WWW.secgrade.test', 'A', { id: 777 })));
    expect(reply.id).toBe(777);
    expect(reply.flag_aa).toBe(true);
    expect(reply.flag_rd).toBe(true);
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.questions).toEqual([{ name: 'WWW.secgrade.test', type: 'A', class: 'IN' }]);
    expect(reply.answers?.map(dataOf)).toEqual(['192.0.2.10']);
  });

  it('puts the SOA in the authority section for nodata and NXDOMAIN', async () => {
    const nodata = decode(await udpAsk(query('www.secgrade.test', 'MX')));
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answers).toHaveLength(0);
    expect(nodata.authorities?.[0]?.type).toBe('SOA');
    const nx = decode(await udpAsk(query('nope.secgrade.test', 'A')));
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]?.type).toBe('SOA');
  });

  it('refuses names outside its zones, but answers NODATA for their ancestors (the TLD)', async () => {
    expect(decode(await udpAsk(query('example.com', 'A'))).rcode).toBe('REFUSED');
    const tld = decode(await udpAsk(query('test', 'CAA')));
    expect(tld.rcode).toBe('NOERROR');
    expect(tld.answers).toHaveLength(0);
  });

  it('truncates at 512 bytes without EDNS and at the advertised size with it', async () => {
    const plain = decode(await udpAsk(query('medium.secgrade.test', 'TXT')));
    expect(plain.flag_tc).toBe(true);
    expect(plain.answers).toHaveLength(0);
    const edns = decode(await udpAsk(query('medium.secgrade.test', 'TXT', { edns: 1232 })));
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers).toHaveLength(1);
    expect(edns.additionals?.some((a) => a.type === 'OPT')).toBe(true);
  });

  it('counts queries', async () => {
    const before = server.queries;
    await udpAsk(query('www.secgrade.test', 'A'));
    expect(server.queries).toBe(before + 1);
  });
});

describe('lab DNS server: TCP', () => {
  it('handles several queries per connection delivered a byte at a time', async () => {
    const { socket, replies } = tcpSession(2);
    const bytes = Buffer.concat([framed(query('www.secgrade.test', 'A', { id: 1 })), framed(query('medium.secgrade.test', 'TXT', { id: 2 }))]);
    socket.on('connect', async () => {
      for (const b of bytes) {
        socket.write(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
    });
    const [first, second] = (await replies).map((r) => decode(r));
    expect(first?.id).toBe(1);
    expect(dataOf(first?.answers?.[0])).toBe('192.0.2.10');
    expect(second?.id).toBe(2);
    expect(second?.flag_tc).toBe(false); // no truncation over TCP
    expect(second?.answers).toHaveLength(1);
  });

  it('closes a connection whose length prefix cannot hold a header, and keeps serving', async () => {
    const { socket, replies } = tcpSession(1);
    socket.on('connect', () => socket.write(Buffer.from([0, 3, 1, 2, 3])));
    expect(await replies).toEqual([]);
    expect(decode(await udpAsk(query('www.secgrade.test', 'A'))).rcode).toBe('NOERROR');
  });
});

describe('lab DNS server: malformed input', () => {
  it('ignores datagrams too short for a header and responses (QR=1)', async () => {
    expect(await udpAsk(Buffer.from([1, 2, 3]), 200)).toBeNull();
    const response = packet.encode({ type: 'response', id: 9, questions: [{ name: 'www.secgrade.test', type: 'A' }] });
    expect(await udpAsk(response, 200)).toBeNull();
  });

  it('answers FORMERR with the same id when the body is garbage', async () => {
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 0xff, 0x3f])]);
    const reply = decode(await udpAsk(garbage));
    expect(reply.id).toBe(0x1234);
    expect(reply.rcode).toBe('FORMERR');
  });

  it('survives random datagrams and TCP frames', async () => {
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.from(Array.from({ length: 12 + (i % 40) }, (_, j) => (i * 31 + j * 17) & 0xff));
      junk[2] = (junk[2] ?? 0) & 0x7f; // keep QR=0 so the server parses it
      await udpAsk(junk, 20);
    }
    const { socket, replies } = tcpSession(1);
    socket.on('connect', () => socket.write(framed(Buffer.alloc(40, 0x7f))));
    expect((await replies).length).toBeLessThanOrEqual(1);
    expect(decode(await udpAsk(query('www.secgrade.test', 'A'))).answers).toHaveLength(1);
  });
});

describe('lab DNS server: lifecycle and configuration', () => {
  it('rejects records outside its zones and oversized TXT strings', async () => {
    await expect(startDnsServer({ zones: [ZONE], records: [{ name: 'example.com', type: 'A', address: '192.0.2.1' }] })).rejects.toThrow(/outside/);
    await expect(startDnsServer({ zones: [ZONE], records: [{ name: ZONE, type: 'TXT', strings: ['z'.repeat(256)] }] })).rejects.toThrow(/255/);
    await expect(startDnsServer({ zones: [ZONE], records: [{ name: ZONE, type: 'A', address: '::1' }] })).rejects.toThrow(/address/);
  });

  it('releases its port on close (idempotent), so the same port can be bound again', async () => {
    const first = await startDnsServer({ zones: [ZONE], records: [] });
    const port = first.port;
    await Promise.all([first.close(), first.close()]);
    const second = await startDnsServer({ port, zones: [ZONE], records: [] });
    expect(second.port).toBe(port);
    await second.close();
  });

  it('closes open TCP connections on close()', async () => {
    const s = await startDnsServer({ zones: [ZONE], records: [] });
    const socket = net.connect({ host: s.host, port: s.port });
    await new Promise((r) => socket.on('connect', r));
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => undefined);
    await s.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});

describe('lab DNS server: two zones (the lab and an external report destination)', () => {
  it('is authoritative for both apexes, each with its own SOA, and refuses their siblings', async () => {
    const s = await startDnsServer({
      zones: [ZONE, 'reports.example.net'],
      records: [
        { name: ZONE, type: 'SOA', mname: 'ns.secgrade.test', rname: 'hostmaster.secgrade.test', serial: 1, minimum: 60 },
        { name: 'reports.example.net', type: 'SOA', mname: 'ns.secgrade.test', rname: 'hostmaster.secgrade.test', serial: 2, minimum: 60 },
        { name: 'mail-good.secgrade.test._report._dmarc.reports.example.net', type: 'TXT', strings: ['v=DMARC1'] },
        // A DKIM-sized value: two character-strings the client joins.
        { name: 'sel._domainkey.secgrade.test', type: 'TXT', strings: ['a'.repeat(255), 'b'.repeat(100)] },
      ],
    });
    try {
      const client = new DnsClient({ servers: [{ host: s.host, port: s.port }], timeoutMs: 1000 });
      const auth = await client.query('mail-good.secgrade.test._report._dmarc.reports.example.net', 'TXT');
      expect(auth).toMatchObject({ status: 'ok', records: [{ type: 'TXT', text: 'v=DMARC1' }] });
      const nx = await client.query('other._report._dmarc.reports.example.net', 'TXT');
      expect(nx.status).toBe('nxdomain');
      const soa = await client.query('reports.example.net', 'SOA');
      expect(soa).toMatchObject({ status: 'ok', records: [{ type: 'SOA', serial: 2 }] });
      // example.net is an ancestor of a zone: empty; a sibling of the zone is someone else's.
      expect((await client.query('example.net', 'TXT')).status).toBe('nodata');
      expect((await client.query('cdn.example.net', 'A')).status).toBe('error');
      const long = await client.query('sel._domainkey.secgrade.test', 'TXT');
      expect(long).toMatchObject({ status: 'ok', records: [{ strings: ['a'.repeat(255), 'b'.repeat(100)], text: `${'a'.repeat(255)}${'b'.repeat(100)}` }] });
    } finally {
      await s.close();
    }
  });
});

const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const s = dgram.createSocket('udp6');
  s.on('error', () => resolve(false));
  s.bind(0, '::1', () => s.close(() => resolve(true)));
});

describe.skipIf(!ipv6Loopback)('lab DNS server and client over IPv6 loopback', () => {
  it('serves on [::1] and the client matches the reply source', async () => {
    const s = await startDnsServer({ host: '::1', zones: [ZONE], records: [{ name: ZONE, type: 'AAAA', address: '2001:db8::1' }] });
    try {
      expect(s.address).toBe(`[::1]:${s.port}`);
      // A non-canonical spelling of ::1 must still match the datagram's source address.
      const client = new DnsClient({ servers: [{ host: '0:0:0:0:0:0:0:1', port: s.port }], timeoutMs: 1000 });
      expect(await client.query(ZONE, 'AAAA')).toMatchObject({ status: 'ok', transport: 'udp' });
    } finally {
      await s.close();
    }
  });
});
