// The obsolete SPF RR type (99): the client decodes its TXT-format RDATA (bounded), and the SPF
// lint notes a domain that still publishes one (RFC 7208 §3.1). A scripted UDP responder stands in
// for a server, since the lab's DNS server does not serve type 99.
import dgram from 'node:dgram';
import packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintSpf, spfDnsFromResolver } from '../../src/email/spf/index.js';
import { DnsClient } from '../../src/net/dns/client.js';
import { createResolver } from '../../src/net/dns/resolver.js';

const RDATA: Record<string, Buffer> = {
  // Two character-strings, as TXT: joined without a separator.
  'old.example': Buffer.concat([Buffer.from([10]), Buffer.from('v=spf1 mx '), Buffer.from([4]), Buffer.from('-all')]),
  // A length byte that runs past the end: not a record.
  'broken.example': Buffer.from([40, 0x76, 0x3d]),
};

let server: dgram.Socket;
let port = 0;

beforeAll(async () => {
  server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const q = packet.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const answers: packet.Answer[] = [];
    if (String(question.type) === 'SPF' && RDATA[name]) answers.push({ type: 'SPF', name, ttl: 60, data: RDATA[name] } as unknown as packet.Answer);
    if (question.type === 'TXT' && name === 'old.example') answers.push({ type: 'TXT', name, ttl: 60, data: ['v=spf1 mx -all'] });
    const reply = packet.encode({ type: 'response', id: q.id, flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE, questions: q.questions, answers });
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
  port = server.address().port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('SPF resource records (type 99)', () => {
  it('are decoded like TXT, and a malformed one is dropped', async () => {
    const client = new DnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 1000, retries: 0 });
    const ok = await client.query('old.example', 'SPF');
    expect(ok).toMatchObject({ status: 'ok', records: [{ type: 'SPF', name: 'old.example', strings: ['v=spf1 mx ', '-all'], text: 'v=spf1 mx -all' }] });
    const broken = await client.query('broken.example', 'SPF');
    expect(broken.status === 'ok' ? broken.records : []).toEqual([]);
  });

  it('the lint notes a domain that still publishes one', async () => {
    const resolver = createResolver({ server: { host: '127.0.0.1', port }, timeoutMs: 1000, retries: 0 });
    const r = await lintSpf('old.example', spfDnsFromResolver(resolver));
    expect(r.spfRrType).toBe(true);
    expect(r.issues.map((i) => i.id)).toContain('email.spf.spf-rr-type');
  });
});
