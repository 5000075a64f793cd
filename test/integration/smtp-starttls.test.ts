/**
 * SMTP STARTTLS end to end on 127.0.0.1: the lab MX (smtp-server) with and without STARTTLS, the
 * TLS engines (raw hello, raw session, Node's tls) over the STARTTLS transport, and scripted fake
 * servers (named "scripted fake" below) that misbehave on purpose, each of which must end in a
 * clean typed outcome within the deadline.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { matchTlsa, spkiOf } from '../../src/email/dane.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import { smtpCapabilities, smtpStartTls, type SmtpConnectOptions } from '../../src/net/smtp/client.js';
import { nodeTlsHandshake } from '../../src/net/tls/node-client.js';
import { rawHello, type RawHelloOptions } from '../../src/net/tls/raw-client.js';
import { readFlight, withRawSession } from '../../src/net/tls/raw-session.js';
import { openTlsTransport } from '../../src/net/tls/transport.js';
import { buildClientHello } from '../../src/net/tls/wire/client-hello.js';
import { createHash } from 'node:crypto';
import { makeChain } from '../helpers/certs.js';

const IP = '127.0.0.1';
let chain: Awaited<ReturnType<typeof makeChain>>;
let withTls: LabSmtpServer;
let withoutTls: LabSmtpServer;

beforeAll(async () => {
  chain = await makeChain({ names: ['mx.secgrade.test'] });
  withTls = await startLabSmtpServer({ tls: { key: chain.leaf.keyPem, cert: chain.leaf.pem + chain.intermediate.pem }, name: 'mx.secgrade.test' });
  withoutTls = await startLabSmtpServer({ name: 'plain.secgrade.test' });
});

afterAll(async () => {
  await withTls?.close();
  await withoutTls?.close();
});

const signal = (): AbortSignal => new AbortController().signal;
const smtpOpts = (port: number, timeoutMs = 5000): SmtpConnectOptions => ({ ip: IP, port, timeoutMs, signal: signal() });

function tls12Hello(): Buffer {
  return buildClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02b, 0xc02f, 0xc009], serverName: 'mx.secgrade.test' }).record;
}

function raw(port: number, extra: Partial<RawHelloOptions> = {}) {
  return rawHello({ ip: IP, port, timeoutMs: 5000, signal: signal(), hello: tls12Hello(), starttls: 'smtp', ...extra });
}

describe('the lab MX with STARTTLS', () => {
  it('capabilities: the banner and EHLO keywords are evidence, and QUIT gets its 221', async () => {
    const r = await smtpCapabilities(smtpOpts(withTls.port));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.evidence.greeting?.code).toBe(220);
    expect(r.evidence.greeting?.lines[0]).toContain('mx.secgrade.test');
    expect(r.evidence.extensions.map((e) => e.keyword)).toEqual(expect.arrayContaining(['STARTTLS', 'SIZE', 'PIPELINING']));
    expect(r.evidence.extensions.find((e) => e.keyword === 'SIZE')?.params).toEqual([String(10 * 1024 * 1024)]);
    expect(r.evidence.quit?.code).toBe(221);
  });

  it('the lab refuses mail politely', async () => {
    const result = await new Promise<string>((resolve) => {
      const s = net.connect({ host: IP, port: withTls.port });
      let buf = '';
      const steps = ['EHLO t.example\r\n', 'MAIL FROM:<a@example.org>\r\n', 'QUIT\r\n'];
      s.on('data', (d) => {
        buf += d.toString();
        if (/^\d{3} /m.test(buf.split('\r\n').at(-2) ?? '')) {
          const next = steps.shift();
          if (next) s.write(next);
        }
      });
      s.on('close', () => resolve(buf));
    });
    expect(result).toMatch(/^550 .*accepts no mail/m);
    expect(result).toMatch(/^221 /m);
  });

  it('rawHello with starttls: smtp gets a ServerHello and the served chain, which matches DANE records', async () => {
    const r = await raw(withTls.port);
    expect(r.kind).toBe('server-hello');
    if (r.kind !== 'server-hello') return;
    expect(r.serverHello.cipherSuite).toBe(0xc02b);
    expect(r.helloDone).toBe(true);
    expect(r.certificates.map((c) => c.equals(chain.leaf.der))).toEqual([true, false]);
    expect(r.certificates[1]?.equals(chain.intermediate.der)).toBe(true);
    const leafSpki = createHash('sha256').update(spkiOf(chain.leaf.der)!).digest('hex');
    expect(matchTlsa([{ usage: 3, selector: 1, matchingType: 1, data: leafSpki }], r.certificates).status).toBe('match');
  });

  it('RawSession with starttls: opens after the upgrade and reads the first flight', async () => {
    const flight = await withRawSession({ ip: IP, port: withTls.port, timeoutMs: 5000, signal: signal(), starttls: 'smtp' }, async (s) => {
      s.send(tls12Hello());
      return readFlight(s);
    });
    expect(flight).toMatchObject({ kind: 'flight', helloDone: true });
    expect(flight.kind === 'flight' && flight.certificates[0]?.equals(chain.leaf.der)).toBe(true);
  });

  it('nodeTlsHandshake with starttls: smtp completes a TLS 1.3 handshake', async () => {
    const r = await nodeTlsHandshake({ ip: IP, port: withTls.port, servername: 'mx.secgrade.test', timeoutMs: 5000, signal: signal(), starttls: 'smtp' });
    expect(r).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('openTlsTransport + tls.connect: the STARTTLS evidence and the certificate the server shows', async () => {
    const t = await openTlsTransport({ ip: IP, port: withTls.port, starttls: 'smtp', timeoutMs: 5000, signal: signal() });
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.starttls).toMatchObject({ protocol: 'smtp', starttlsAdvertised: true, starttls: { code: 220 }, bytesAfterStarttls: 0 });
    const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const s = tls.connect({ socket: t.socket, servername: 'mx.secgrade.test', rejectUnauthorized: false });
      s.once('secureConnect', () => {
        resolve(s.getPeerCertificate());
        s.destroy();
      });
      s.once('error', reject);
    });
    expect(peer.subject.CN).toBe('mx.secgrade.test');
    expect(peer.raw.equals(chain.leaf.der)).toBe(true);
  });

  it('openTlsTransport without starttls is a plain connected socket', async () => {
    const t = await openTlsTransport({ ip: IP, port: withTls.port, starttls: null, timeoutMs: 5000, signal: signal() });
    expect(t).toMatchObject({ ok: true, starttls: null });
    if (t.ok) t.socket.destroy();
  });
});

describe('the lab MX without STARTTLS', () => {
  it('smtpStartTls: no-starttls, with the keywords it did advertise', async () => {
    const r = await smtpStartTls(smtpOpts(withoutTls.port));
    expect(r).toMatchObject({ ok: false, kind: 'no-starttls', evidence: { starttlsAdvertised: false } });
    expect(!r.ok && r.evidence.extensions.some((e) => e.keyword === 'SIZE')).toBe(true);
  });

  it('the engines report it as a STARTTLS failure, never as a TLS refusal', async () => {
    expect(await raw(withoutTls.port)).toMatchObject({ kind: 'network', starttls: 'no-starttls', reason: 'STARTTLS: the server does not advertise STARTTLS' });
    const n = await nodeTlsHandshake({ ip: IP, port: withoutTls.port, servername: null, timeoutMs: 5000, signal: signal(), starttls: 'smtp' });
    expect(n).toMatchObject({ ok: false, kind: 'network', starttls: 'no-starttls' });
    const flight = await withRawSession({ ip: IP, port: withoutTls.port, timeoutMs: 5000, signal: signal(), starttls: 'smtp' }, async (s) => s.ended);
    expect(flight).toMatchObject({ kind: 'network', reason: 'STARTTLS: the server does not advertise STARTTLS' });
  });
});

describe('scripted fake SMTP servers', () => {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  /** A scripted fake: `onLine` gets each CRLF-terminated command; `onConnect` starts the show. */
  async function fake(onConnect: (s: net.Socket) => void, onLine: (line: string, s: net.Socket) => void = () => undefined): Promise<{ port: number; lines: string[] }> {
    const lines: string[] = [];
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        for (let i = buf.indexOf('\r\n'); i !== -1; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          lines.push(line);
          onLine(line, s);
        }
      });
      onConnect(s);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, IP, () => r()));
    return { port: (server.address() as net.AddressInfo).port, lines };
  }

  // No elapsed time is asserted here. An outcome the server's action must decide (a close, a
  // refusal, an oversized or non-SMTP line, an abort) is run with a 60 s deadline: its typed kind
  // shows what decided it, and one that waited the deadline out fails by the test's 20 s timeout.
  // An outcome the deadline decides says so in its kind and reason ("timeout", "within 600 ms").
  const LONG_MS = 60_000;
  const DECIDED = 20_000; // the test timeout of those tests

  const ehloWithStarttls = (line: string, s: net.Socket): void => {
    if (line.startsWith('EHLO')) s.write('250-fake.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
  };

  it('scripted fake that drips its greeting one byte at a time: timeout at the deadline, saying where', async () => {
    const { port } = await fake((s) => {
      const text = Buffer.from(`220 ${'slow '.repeat(100)}\r\n`);
      let i = 0;
      const drip = setInterval(() => (i < text.length && !s.destroyed ? s.write(text.subarray(i, ++i)) : clearInterval(drip)), 20);
      s.on('close', () => clearInterval(drip));
    });
    const r = await smtpStartTls(smtpOpts(port, 600));
    expect(r).toMatchObject({ ok: false, kind: 'timeout', reason: 'no SMTP greeting within 600 ms' });
    expect(r.evidence.bytesRead).toBeGreaterThan(5);
    // The raw engine's single deadline covers the preamble too.
    expect(await raw(port, { timeoutMs: 600 })).toEqual({ kind: 'timeout', reason: 'no SMTP greeting within 600 ms' });
    expect(await nodeTlsHandshake({ ip: IP, port, servername: null, timeoutMs: 600, signal: signal(), starttls: 'smtp' })).toMatchObject({ ok: false, kind: 'timeout', reason: 'no SMTP greeting within 600 ms' });
    const t = await openTlsTransport({ ip: IP, port, starttls: 'smtp', timeoutMs: 600, signal: signal() });
    expect(t).toMatchObject({ ok: false, kind: 'timeout', reason: 'no SMTP greeting within 600 ms', starttls: { protocol: 'smtp', phase: 'greeting' } });
  });

  it('scripted fake that sends a 10 MB line: protocol-error at the line bound, long before the deadline', async () => {
    const { port } = await fake((s) => {
      s.write('220 ');
      s.write(Buffer.alloc(10 * 1024 * 1024, 0x41));
    });
    const r = await smtpStartTls(smtpOpts(port, LONG_MS));
    expect(r).toMatchObject({ ok: false, kind: 'protocol-error', reason: 'a reply line longer than 2048 bytes' });
    expect(r.evidence.bytesRead).toBeLessThanOrEqual(64 * 1024 * 2);
    expect(await raw(port, { timeoutMs: LONG_MS })).toMatchObject({ kind: 'network', starttls: 'protocol-error', reason: 'STARTTLS: a reply line longer than 2048 bytes' });
  }, DECIDED);

  it('scripted fake that answers 454 to STARTTLS: starttls-refused, and the client says QUIT', async () => {
    const { port, lines } = await fake(
      (s) => s.write('220 fake.example ESMTP\r\n'),
      (line, s) => {
        ehloWithStarttls(line, s);
        if (line === 'STARTTLS') s.write('454 4.7.0 TLS not available due to temporary reason\r\n');
        if (line === 'QUIT') s.end('221 bye\r\n');
      },
    );
    const r = await smtpStartTls(smtpOpts(port, LONG_MS));
    expect(r).toMatchObject({ ok: false, kind: 'starttls-refused', reason: 'STARTTLS answered 454 4.7.0 TLS not available due to temporary reason' });
    // The QUIT reaches the server after the result: wait for it (event order, not a fixed sleep).
    await vi.waitFor(() => expect(lines).toContain('QUIT'), { timeout: 10_000, interval: 20 });
    expect(lines).toEqual(['EHLO secgrade.invalid', 'STARTTLS', 'QUIT']);
    expect(await raw(port, { timeoutMs: LONG_MS })).toMatchObject({ kind: 'network', starttls: 'starttls-refused' });
  }, DECIDED);

  it('scripted fake that closes right after its greeting: closed', async () => {
    const { port } = await fake((s) => s.end('220 fake.example ESMTP\r\n'));
    const r = await smtpStartTls(smtpOpts(port, LONG_MS));
    expect(r).toMatchObject({ ok: false, kind: 'closed', evidence: { greeting: { code: 220 } } });
    expect(!r.ok && r.reason).toMatch(/^the server (closed|reset) the connection (after EHLO|before its greeting)/);
    expect(await raw(port, { timeoutMs: LONG_MS })).toMatchObject({ kind: 'network', starttls: 'closed' });
  }, DECIDED);

  it('scripted fake that greets with 554: greeting-error', async () => {
    const { port } = await fake((s) => s.write('554 5.7.1 no SMTP service here\r\n'));
    expect(await smtpStartTls(smtpOpts(port))).toMatchObject({ ok: false, kind: 'greeting-error', evidence: { greeting: { code: 554 } } });
  });

  it('scripted fake that injects a reply after its 220 to STARTTLS: counted as evidence, then the TLS attempt goes on', async () => {
    const { port } = await fake(
      (s) => s.write('220 fake.example ESMTP\r\n'),
      (line, s) => {
        ehloWithStarttls(line, s);
        if (line === 'STARTTLS') s.write('220 go ahead\r\n250 injected\r\n');
      },
    );
    const r = await smtpStartTls(smtpOpts(port));
    expect(r).toMatchObject({ ok: true, evidence: { bytesAfterStarttls: 14 } });
    if (r.ok) r.socket.destroy();
  });

  it('scripted fake that speaks TLS-first bytes instead of SMTP: protocol-error', async () => {
    const { port } = await fake((s) => s.write(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])));
    // No line end ever comes: the reply's first bytes alone decide, long before the deadline.
    const r = await smtpStartTls(smtpOpts(port, LONG_MS));
    expect(r).toMatchObject({ ok: false, kind: 'protocol-error', reason: 'not an SMTP reply line: "\\x15\\x03\\x03\\x00\\x02\\x02("' });
  }, DECIDED);

  it('nothing listening: refused, from every entry point', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, IP, () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    expect(await smtpStartTls(smtpOpts(port))).toMatchObject({ ok: false, kind: 'refused' });
    expect(await raw(port)).toMatchObject({ kind: 'refused' });
    expect(await openTlsTransport({ ip: IP, port, starttls: 'smtp', timeoutMs: 2000, signal: signal() })).toMatchObject({ ok: false, kind: 'refused' });
    expect(await openTlsTransport({ ip: IP, port, starttls: null, timeoutMs: 2000, signal: signal() })).toMatchObject({ ok: false, kind: 'refused' });
  });

  it('an abort during the preamble ends it at once', async () => {
    const { port } = await fake(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await smtpStartTls({ ip: IP, port, timeoutMs: LONG_MS, signal: ac.signal });
    expect(r).toMatchObject({ ok: false, kind: 'aborted' });
  }, DECIDED);
});
