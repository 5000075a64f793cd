/**
 * The client against hand-rolled UDP servers that misbehave in ways the lab server will not:
 * wrong ids, wrong questions, lying lengths, garbage.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import packet from 'dns-packet';
import { DnsClient } from '../../src/net/dns/client.js';

type Reply = (buf: Buffer) => void;
type Handler = (query: packet.DecodedPacket, reply: Reply) => void;

const open: dgram.Socket[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A UDP server on 127.0.0.1 that hands every decoded query to `handler`. */
async function rawServer(handler: Handler): Promise<number> {
  const socket = dgram.createSocket('udp4');
  open.push(socket);
  socket.on('message', (msg, rinfo) => {
    handler(packet.decode(msg), (buf) => socket.send(buf, rinfo.port, rinfo.address));
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return socket.address().port;
}

function response(query: packet.DecodedPacket, overrides: Partial<packet.Packet> = {}): Buffer {
  return packet.encode({
    type: 'response',
    id: query.id,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
    questions: query.questions,
    answers: [],
    ...overrides,
  });
}

function clientFor(port: number, timeoutMs = 1000): DnsClient {
  return new DnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs, retries: 0 });
}

const A = (name: string, data: string): packet.Answer => ({ type: 'A', name, ttl: 60, data });

describe('DnsClient against hostile responses', () => {
  it('ignores datagrams with the wrong id, the wrong question or no QR bit', async () => {
    const port = await rawServer((q, reply) => {
      const name = q.questions?.[0]?.name ?? '';
      reply(response({ ...q, id: ((q.id ?? 0) + 1) & 0xffff }, { answers: [A(name, '6.6.6.1')] }));
      reply(response(q, { questions: [{ type: 'A', name: 'evil.test' }], answers: [A('evil.test', '6.6.6.2')] }));
      reply(response(q, { questions: [{ type: 'AAAA', name }], answers: [A(name, '6.6.6.3')] }));
      reply(response(q, { type: 'query', answers: [A(name, '6.6.6.4')] }));
      reply(Buffer.from([1, 2, 3])); // shorter than a header
      reply(response(q, { answers: [A(name, '192.0.2.1')] }));
    });
    const result = await clientFor(port).query('target.test', 'A');
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.records).toEqual([{ type: 'A', name: 'target.test', ttl: 60, address: '192.0.2.1' }]);
  });

  it('only returns records for the query name or its CNAME chain', async () => {
    const port = await rawServer((q, reply) => {
      reply(
        response(q, {
          answers: [
            { type: 'CNAME', name: 'Start.Test', ttl: 60, data: 'middle.test' },
            { type: 'CNAME', name: 'middle.test', ttl: 60, data: 'END.test' },
            A('end.test', '192.0.2.7'),
            A('unrelated.test', '6.6.6.6'),
          ],
        }),
      );
    });
    const result = await clientFor(port).query('start.test', 'A');
    expect(result.status === 'ok' && result.records).toEqual([{ type: 'A', name: 'end.test', ttl: 60, address: '192.0.2.7' }]);
  });

  it('treats a CNAME loop without data as an error naming the loop, not nodata and not a hang', async () => {
    const port = await rawServer((q, reply) => {
      reply(
        response(q, {
          answers: [
            { type: 'CNAME', name: 'a.test', ttl: 60, data: 'b.test' },
            { type: 'CNAME', name: 'b.test', ttl: 60, data: 'a.test' },
          ],
        }),
      );
    });
    const result = await clientFor(port).query('a.test', 'A');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/^CNAME loop: a\.test → b\.test → a\.test/);
  });

  it('reports a body that does not match its header counts as malformed', async () => {
    const port = await rawServer((q, reply) => {
      const buf = response(q, { answers: [A('x.test', '192.0.2.1')] });
      reply(buf.subarray(0, buf.length - 3)); // cut into the A record's RDATA
    });
    const result = await clientFor(port).query('x.test', 'A');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/malformed/);
  });

  it('reports a lying RDLENGTH as malformed rather than misparsing', async () => {
    const port = await rawServer((q, reply) => {
      const buf = response(q, { answers: [A('x.test', '192.0.2.1'), A('x.test', '192.0.2.2')] });
      // First A record: question is 12 + 8 ("x.test" = 8 bytes) + 4; RR name 8, then type, class,
      // ttl, rdlength. Claim 5 bytes of RDATA instead of 4.
      const rdlengthAt = 12 + 8 + 4 + 8 + 8;
      expect(buf.readUInt16BE(rdlengthAt)).toBe(4);
      buf.writeUInt16BE(5, rdlengthAt);
      reply(buf);
    });
    const result = await clientFor(port).query('x.test', 'A');
    expect(result).toMatchObject({ status: 'error' });
    expect(result.status === 'error' && result.reason).toMatch(/malformed/);
  });

  it('reports garbage after a valid header and question as malformed', async () => {
    const port = await rawServer((q, reply) => {
      const buf = response(q);
      buf.writeUInt16BE(200, 6); // ANCOUNT 200 with nothing behind it
      reply(Buffer.concat([buf, Buffer.from([0xc0, 0xff, 0xff, 0xff])]));
    });
    const result = await clientFor(port).query('x.test', 'A');
    expect(result.status === 'error' && result.reason).toMatch(/malformed/);
  });

  it('rejects an HTTPS answer with bad SvcParams instead of passing it on', async () => {
    const port = await rawServer((q, reply) => {
      // priority 1, target ".", key 3 (port) claiming 2 bytes but carrying 3.
      const rdata = Buffer.from([0, 1, 0, 0, 3, 0, 3, 1, 187, 0]);
      reply(response(q, { answers: [{ type: 'UNKNOWN_65' as packet.RecordType, name: 'x.test', ttl: 60, data: rdata } as packet.Answer] }));
    });
    const result = await clientFor(port).query('x.test', 'HTTPS');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/malformed.*HTTPS/);
  });

  it('accepts a FORMERR without a question section as an error', async () => {
    const port = await rawServer((q, reply) => reply(response(q, { questions: [], flags: 1 })));
    expect(await clientFor(port).query('x.test', 'A')).toMatchObject({ status: 'error', rcode: 'FORMERR' });
  });

  it('ignores a NOERROR without a question section (cannot be matched to the query)', async () => {
    const port = await rawServer((q, reply) => reply(response(q, { questions: [], answers: [A('x.test', '6.6.6.6')] })));
    const result = await clientFor(port, 200).query('x.test', 'A');
    expect(result.status === 'error' && result.reason).toMatch(/timeout/);
  });

  it('returns an error (not nodata) when TC is set but TCP is unavailable', async () => {
    const port = await rawServer((q, reply) => reply(response(q, { flags: packet.TRUNCATED_RESPONSE })));
    const result = await clientFor(port).query('x.test', 'TXT');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/TCP/);
  });

  it('reads the AD bit into `authenticated` and sends DO when asked', async () => {
    let sawDo = false;
    const port = await rawServer((q, reply) => {
      const opt = q.additionals?.find((a): a is packet.OptAnswer => a.type === 'OPT');
      sawDo = opt?.flag_do === true;
      expect(opt?.udpPayloadSize).toBe(1232);
      expect((q.flags ?? 0) & packet.RECURSION_DESIRED).toBeTruthy();
      reply(response(q, { flags: packet.AUTHENTIC_DATA, answers: [A('x.test', '192.0.2.1')] }));
    });
    const result = await clientFor(port).query('x.test', 'A', { dnssecOk: true });
    expect(result).toMatchObject({ status: 'ok', authenticated: true });
    expect(sawDo).toBe(true);
  });
});
