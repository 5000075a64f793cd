/**
 * CNAME chains in the client, against fake DNS servers (hand-rolled UDP, named "fake" below): a
 * loop or an over-long chain is an error naming it, never "no record"; a resolver's (RA=1) chain
 * that ends without data is nodata; an authoritative-only server's (RA=0) chain that leaves its
 * answer is followed by asking for its target, bounded and loop-checked across queries.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import packet from 'dns-packet';
import { DnsClient, walkCnameChain } from '../../src/net/dns/client.js';
import type { DnsRecord } from '../../src/net/dns/types.js';

type Answerer = (name: string, type: string) => { answers?: packet.Answer[]; rcode?: number } | 'drop';

const open: dgram.Socket[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A fake UDP DNS server: `answer` decides per question; `ra` sets the RA bit. Logs every question. */
async function fakeDns(answer: Answerer, ra: boolean): Promise<{ port: number; asked: string[] }> {
  const asked: string[] = [];
  const socket = dgram.createSocket('udp4');
  open.push(socket);
  socket.on('message', (msg, rinfo) => {
    const q = packet.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    asked.push(`${question.name}|${question.type}`);
    const a = answer(question.name.toLowerCase(), String(question.type));
    if (a === 'drop') return;
    const flags = packet.RECURSION_DESIRED | (ra ? packet.RECURSION_AVAILABLE : packet.AUTHORITATIVE_ANSWER) | (a.rcode ?? 0);
    const reply = packet.encode({ type: 'response', id: q.id, flags, questions: q.questions, answers: a.answers ?? [] });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, asked };
}

const client = (port: number, timeoutMs = 1000): DnsClient => new DnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs, retries: 0 });
const CNAME = (name: string, target: string): packet.Answer => ({ type: 'CNAME', name, ttl: 60, data: target });
const A = (name: string, data: string): packet.Answer => ({ type: 'A', name, ttl: 60, data });
const TXT = (name: string, text: string): packet.Answer => ({ type: 'TXT', name, ttl: 60, data: [text] });

/** n0.test → n1.test → … → n<hops>.test. */
const chain = (hops: number): packet.Answer[] => Array.from({ length: hops }, (_, i) => CNAME(`n${i}.test`, `n${i + 1}.test`));

describe('a resolver (RA=1) answering with a CNAME chain', () => {
  it('fake resolver: a CNAME loop is an error naming the loop, not nodata', async () => {
    const fake = await fakeDns(() => ({ answers: [CNAME('a.test', 'b.test'), CNAME('b.test', 'a.test')] }), true);
    const r = await client(fake.port).query('a.test', 'TXT');
    expect(r.status).toBe('error');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME loop: a\.test → b\.test → a\.test \(answer from 127\.0\.0\.1:\d+ over UDP\)$/);
    expect(fake.asked).toEqual(['a.test|TXT']);
  });

  it('fake resolver: a self-referencing CNAME is a loop too', async () => {
    const fake = await fakeDns(() => ({ answers: [CNAME('a.test', 'a.test')] }), true);
    const r = await client(fake.port).query('a.test', 'MX');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME loop: a\.test → a\.test/);
  });

  it('fake resolver: a loop further down the chain, with records of another type beside it', async () => {
    const answers = [CNAME('a.test', 'b.test'), CNAME('b.test', 'c.test'), CNAME('c.test', 'b.test'), A('c.test', '192.0.2.1')];
    const fake = await fakeDns(() => ({ answers }), true);
    const r = await client(fake.port).query('a.test', 'TXT');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME loop: a\.test → b\.test → c\.test → b\.test/);
  });

  it('fake resolver: 8 CNAMEs are followed; a 9th is "CNAME chain longer than 8"', async () => {
    const eight = await fakeDns(() => ({ answers: [...chain(8), A('n8.test', '192.0.2.8')] }), true);
    const ok = await client(eight.port).query('n0.test', 'A');
    expect(ok.status === 'ok' && ok.records).toEqual([{ type: 'A', name: 'n8.test', ttl: 60, address: '192.0.2.8' }]);

    const nine = await fakeDns(() => ({ answers: [...chain(9), A('n9.test', '192.0.2.9')] }), true);
    const r = await client(nine.port).query('n0.test', 'A');
    expect(r.status).toBe('error');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME chain longer than 8: n0\.test → n1\.test → .* → n9\.test/);
  });

  it('fake resolver: a chain that ends at a name without the type is nodata, asked once', async () => {
    const fake = await fakeDns(() => ({ answers: [CNAME('a.test', 'b.test'), CNAME('b.test', 'c.test')] }), true);
    const r = await client(fake.port).query('a.test', 'TXT');
    expect(r.status).toBe('nodata');
    expect(fake.asked).toEqual(['a.test|TXT']);
  });

  it('fake resolver: SERVFAIL (what resolvers answer for a loop) stays an error', async () => {
    const fake = await fakeDns(() => ({ rcode: 2 }), true);
    expect(await client(fake.port).query('a.test', 'TXT')).toMatchObject({ status: 'error', rcode: 'SERVFAIL' });
  });
});

describe('an authoritative-only server (RA=0) whose CNAME chain leaves its answer', () => {
  it('fake authoritative server: the chain is followed by asking for its target', async () => {
    const fake = await fakeDns((name) => {
      if (name === 'a.test') return { answers: [CNAME('a.test', 'b.test')] };
      if (name === 'b.test') return { answers: [TXT('b.test', 'v=spf1 -all')] };
      return { rcode: 3 };
    }, false);
    const r = await client(fake.port).query('a.test', 'TXT');
    expect(r.status).toBe('ok');
    expect(r.status === 'ok' && r.records.map((x) => (x.type === 'TXT' ? x.text : x.type))).toEqual(['v=spf1 -all']);
    expect(fake.asked).toEqual(['a.test|TXT', 'b.test|TXT']);
  });

  it('fake authoritative server: the end of the chain says nodata or NXDOMAIN, which stands', async () => {
    const fake = await fakeDns((name) => {
      if (name === 'a.test') return { answers: [CNAME('a.test', 'b.test')] };
      if (name === 'b.test') return {};
      if (name === 'x.test') return { answers: [CNAME('x.test', 'gone.test')] };
      return { rcode: 3 };
    }, false);
    expect((await client(fake.port).query('a.test', 'TXT')).status).toBe('nodata');
    expect((await client(fake.port).query('x.test', 'TXT')).status).toBe('nxdomain');
  });

  it('fake authoritative server: a loop across queries is an error naming it', async () => {
    const fake = await fakeDns((name) => {
      if (name === 'a.test') return { answers: [CNAME('a.test', 'b.test')] };
      if (name === 'b.test') return { answers: [CNAME('b.test', 'a.test')] };
      return { rcode: 3 };
    }, false);
    const r = await client(fake.port).query('a.test', 'MX');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME loop: a\.test → b\.test → a\.test/);
    expect(fake.asked).toEqual(['a.test|MX', 'b.test|MX']);
  });

  it('fake authoritative server: one CNAME per answer, 9 in all, is too long (and stops asking)', async () => {
    const fake = await fakeDns((name) => {
      const m = /^n(\d+)\.test$/.exec(name);
      if (!m) return { rcode: 3 };
      const i = Number(m[1]);
      return { answers: [CNAME(name, `n${i + 1}.test`)] };
    }, false);
    const r = await client(fake.port).query('n0.test', 'TXT');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME chain longer than 8: n0\.test → .* → n9\.test/);
    expect(fake.asked).toHaveLength(9);
  });

  it('fake authoritative server: the target failing is an error saying which chain it followed', async () => {
    const servfail = await fakeDns((name) => (name === 'a.test' ? { answers: [CNAME('a.test', 'b.test')] } : { rcode: 2 }), false);
    const r = await client(servfail.port).query('a.test', 'TXT');
    expect(r).toMatchObject({ status: 'error', rcode: 'SERVFAIL' });
    expect(r.status === 'error' && r.reason).toMatch(/^following the CNAME chain a\.test → b\.test: .*SERVFAIL/);

    const silent = await fakeDns((name) => (name === 'a.test' ? { answers: [CNAME('a.test', 'b.test')] } : 'drop'), false);
    const t = await client(silent.port, 200).query('a.test', 'TXT');
    expect(t.status === 'error' && t.reason).toMatch(/^following the CNAME chain a\.test → b\.test: timeout/);
  });

  it('fake authoritative server: no CNAME and no records is nodata, asked once', async () => {
    const fake = await fakeDns(() => ({}), false);
    expect((await client(fake.port).query('a.test', 'TXT')).status).toBe('nodata');
    expect(fake.asked).toEqual(['a.test|TXT']);
  });

  it('fake authoritative server: asking for the CNAME itself returns it without following', async () => {
    const fake = await fakeDns(() => ({ answers: [CNAME('a.test', 'b.test')] }), false);
    const r = await client(fake.port).query('a.test', 'CNAME');
    expect(r.status === 'ok' && r.records).toEqual([{ type: 'CNAME', name: 'a.test', ttl: 60, target: 'b.test' }]);
    expect(fake.asked).toEqual(['a.test|CNAME']);
  });
});

describe('walkCnameChain', () => {
  const rec = (name: string, target: string): DnsRecord => ({ type: 'CNAME', name, ttl: 1, target });
  it('names where the chain goes, and carries the chain of earlier queries', () => {
    expect(walkCnameChain([rec('a', 'b')], 'a', 'TXT')).toEqual({ kind: 'end', chain: ['a', 'b'] });
    expect(walkCnameChain([rec('b', 'c')], 'b', 'TXT', ['a'])).toEqual({ kind: 'end', chain: ['a', 'b', 'c'] });
    expect(walkCnameChain([rec('b', 'a')], 'b', 'TXT', ['a'])).toEqual({ kind: 'loop', chain: ['a', 'b', 'a'] });
    expect(walkCnameChain([], 'a', 'TXT')).toEqual({ kind: 'end', chain: ['a'] });
  });
});
