/**
 * The raw hello client against real TLS servers on 127.0.0.1 (Node's tls and `openssl s_server`)
 * and against fake servers that misbehave on purpose (named "fake" below).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawHello, type RawHelloOptions, type RawHelloResult } from '../../src/net/tls/raw-client.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { LIMITS } from '../../src/net/tls/wire/constants.js';
import { buildClientHello, type ClientHelloOptions } from '../../src/net/tls/wire/client-hello.js';
import { parseServerKeyExchange } from '../../src/net/tls/wire/server-messages.js';
import { buildSslv2ClientHello } from '../../src/net/tls/wire/sslv2.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('raw');
let ecCert: { key: string; cert: string; der: Buffer };
let rsaPaths: { key: string; cert: string; der: Buffer };
let dhParams: string;

beforeAll(() => {
  const ec = local.selfSigned('ec', 'ec', 'raw.secgrade.test');
  const rsa = local.selfSigned('rsa', 'rsa', 'dhe.secgrade.test');
  const read = (f: string): string => readFileSync(f, 'utf8');
  ecCert = { key: read(ec.key), cert: read(ec.cert), der: new X509Certificate(read(ec.cert)).raw };
  rsaPaths = { ...rsa, der: new X509Certificate(read(rsa.cert)).raw };
  dhParams = local.dh1024();
});

afterAll(() => local.stop());
afterEach(() => local.closeServers());

const listen = (server: net.Server): Promise<number> => local.listen(server);

/** A Node TLS server with the EC certificate; handshake errors are the point, so they are ignored. */
async function nodeTlsServer(options: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ key: ecCert.key, cert: ecCert.cert, ...options }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

/** A fake server: `onHello` gets the socket and the client's first bytes. */
async function fakeServer(onHello: (socket: net.Socket, hello: Buffer) => void): Promise<{ port: number; closed: Promise<void> }> {
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (markClosed = r));
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('close', () => markClosed());
    socket.once('data', (hello) => onHello(socket, hello));
  });
  return { port: await listen(server), closed };
}

function hello(opts: Partial<ClientHelloOptions> = {}): Buffer {
  return buildClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02b, 0xc02f, 0xc009], serverName: 'raw.secgrade.test', ...opts }).record;
}

function run(port: number, helloBytes: Buffer, extra: Partial<RawHelloOptions> = {}): Promise<RawHelloResult> {
  return rawHello({ ip: '127.0.0.1', port, timeoutMs: 5000, signal: new AbortController().signal, hello: helloBytes, ...extra });
}

function expectHello(r: RawHelloResult): Extract<RawHelloResult, { kind: 'server-hello' }> {
  if (r.kind !== 'server-hello') throw new Error(`expected server-hello, got ${JSON.stringify(r)}`);
  return r;
}

// Server-side bytes for fakes.
const rec = (type: number, fragment: Buffer, version = 0x0303): Buffer => new Writer().u8(type).u16(version).vector16(fragment).toBuffer();
const hs = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();
const serverHelloBody = (suite: number, exts: Buffer = Buffer.alloc(0)): Buffer =>
  new Writer().u16(0x0303).bytes(Buffer.alloc(32, 0x42)).vector8(Buffer.alloc(0)).u16(suite).u8(0).vector16(exts).toBuffer();

describe('rawHello against real servers', () => {
  it('TLS 1.2 (Node): ServerHello, the certificate, ECDHE ServerKeyExchange, ServerHelloDone', async () => {
    const port = await nodeTlsServer();
    const offered = [0xc02b, 0xc02f, 0xc009];
    const r = expectHello(await run(port, hello({ cipherSuites: offered, renegotiationInfo: true, extendedMasterSecret: true })));
    expect(r.serverHello.version).toBe(0x0303);
    expect(r.serverHello.selectedVersion).toBe(0x0303);
    expect(offered).toContain(r.serverHello.cipherSuite);
    expect(r.serverHello.renegotiationInfo).toEqual(Buffer.alloc(0));
    expect(r.serverHello.extendedMasterSecret).toBe(true);
    expect(r.helloDone).toBe(true);
    expect(r.certificates.length).toBe(1);
    expect(r.certificates[0]?.equals(ecCert.der)).toBe(true);
    expect(r.serverKeyExchange).not.toBeNull();
    const ske = parseServerKeyExchange(r.serverKeyExchange!, 'ECDHE', r.serverHello.selectedVersion);
    expect(ske.ok).toBe(true);
    if (!ske.ok || ske.value.kind !== 'ECDHE') return;
    expect([23, 29]).toContain(ske.value.namedGroup);
    expect(ske.value.publicKeyLength).toBe(ske.value.namedGroup === 29 ? 32 : 65);
    expect(ske.value.signatureAlgorithm).toBeDefined();
    expect(r.bytesRead).toBeGreaterThan(r.certificates[0]!.length);
    expect(r.interruptedBy).toBeUndefined();
  });

  it("readUntil 'server-hello' stops at the ServerHello", async () => {
    const port = await nodeTlsServer();
    const r = expectHello(await run(port, hello(), { readUntil: 'server-hello' }));
    expect(r.helloDone).toBe(false);
    expect(r.certificates).toEqual([]);
  });

  it('TLS 1.3 with an x25519 share: selected via supported_versions, key share group 29', async () => {
    const port = await nodeTlsServer();
    const r = expectHello(await run(port, hello({ version: 'TLSv1.3', cipherSuites: [0x1301, 0x1302, 0x1303], alpn: ['h2'] })));
    expect(r.serverHello.version).toBe(0x0303);
    expect(r.serverHello.selectedVersion).toBe(0x0304);
    expect(r.serverHello.keyShareGroup).toBe(29);
    expect(r.serverHello.isHelloRetryRequest).toBe(false);
    expect([0x1301, 0x1302, 0x1303]).toContain(r.serverHello.cipherSuite);
    // ALPN and the certificate are in the encrypted part.
    expect(r.serverHello.alpn).toBeUndefined();
    expect(r.certificates).toEqual([]);
  });

  it('TLS 1.3 with only a P-256 share: key share group 23', async () => {
    const port = await nodeTlsServer();
    const r = expectHello(await run(port, hello({ version: 'TLSv1.3', cipherSuites: [0x1301], keyShareGroups: [23] })));
    expect(r.serverHello.selectedVersion).toBe(0x0304);
    expect(r.serverHello.keyShareGroup).toBe(23);
  });

  it('TLS 1.3 without a usable share: HelloRetryRequest for P-256', async () => {
    const port = await nodeTlsServer();
    const r = expectHello(await run(port, hello({ version: 'TLSv1.3', cipherSuites: [0x1301], groups: [23], keyShareGroups: [] })));
    expect(r.serverHello.isHelloRetryRequest).toBe(true);
    expect(r.serverHello.keyShareGroup).toBe(23);
    expect(r.serverHello.selectedVersion).toBe(0x0304);
  });

  it('TLS 1.0 to a TLS 1.2+ server: alert protocol_version (or a silent close)', async () => {
    const port = await nodeTlsServer({ minVersion: 'TLSv1.2' });
    const r = await run(port, hello({ version: 'TLSv1.0', cipherSuites: [0xc013, 0x002f] }));
    if (r.kind === 'alert') {
      expect(r).toEqual({ kind: 'alert', level: 2, description: 70, name: 'protocol_version' });
    } else {
      expect(r.kind).toBe('closed');
    }
  });

  it('a suite the server lacks: alert handshake_failure', async () => {
    const port = await nodeTlsServer();
    const r = await run(port, hello({ cipherSuites: [0x0005, 0x000a] }));
    expect(r).toEqual({ kind: 'alert', level: 2, description: 40, name: 'handshake_failure' });
  });

  it('DHE (openssl s_server, 1024-bit group): prime and public value sizes', async () => {
    const port = await local.sServer(['-cert', rsaPaths.cert, '-key', rsaPaths.key, '-dhparam', dhParams, '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0', '-tls1_2']);
    try {
      const r = expectHello(await run(port, hello({ cipherSuites: [0x0033], serverName: null })));
      expect(r.serverHello.cipherSuite).toBe(0x0033);
      expect(r.helloDone).toBe(true);
      expect(r.certificates[0]?.equals(rsaPaths.der)).toBe(true);
      const ske = parseServerKeyExchange(r.serverKeyExchange!, 'DHE', 0x0303);
      expect(ske.ok && ske.value).toMatchObject({ kind: 'DHE', primeBits: 1024, generator: 2 });
      expect(ske.ok && ske.value.kind === 'DHE' && ske.value.publicBits).toBeGreaterThan(900);
    } finally {
      await local.killChildren();
    }
  });

  it('an SSLv2 hello to a modern server is refused without a crash', async () => {
    const port = await nodeTlsServer();
    const r = await run(port, buildSslv2ClientHello({ cipherKinds: [0x010080, 0x0700c0] }), { sslv2: true });
    expect(['alert', 'closed', 'protocol-error']).toContain(r.kind);
  });

  it('a host name or a bad port is a network result, not a lookup or an exception', async () => {
    expect(await run(443, hello(), { ip: 'localhost' })).toEqual({ kind: 'network', reason: 'not an IP address: localhost' });
    expect((await run(70000, hello())).kind).toBe('network');
  });

  it('connection refused', async () => {
    const port = await nodeTlsServer();
    await local.closeServers();
    expect((await run(port, hello())).kind).toBe('refused');
  });
});

describe('rawHello against hostile fake servers', () => {
  it('fake that never answers: timeout within the deadline, socket closed', async () => {
    const fake = await fakeServer(() => undefined);
    const start = Date.now();
    const r = await run(fake.port, hello(), { timeoutMs: 300 });
    expect(r.kind).toBe('timeout');
    expect(Date.now() - start).toBeLessThan(1500);
    await fake.closed;
  });

  it('fake that sends random bytes: protocol-error', async () => {
    const garbage = createHash('sha512').update('not tls').digest();
    expect(garbage[0]! < 20 || garbage[0]! > 24).toBe(true);
    const fake = await fakeServer((s) => s.write(garbage));
    const r = await run(fake.port, hello());
    expect(r.kind).toBe('protocol-error');
  });

  it('fake that announces an oversized record: protocol-error at once', async () => {
    const fake = await fakeServer((s) => s.write(Buffer.from('160303ffff', 'hex')));
    const start = Date.now();
    const r = await run(fake.port, hello(), { timeoutMs: 4000 });
    expect(r.kind === 'protocol-error' && r.reason).toMatch(/record length 65535 exceeds/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('fake that announces a 16 MB handshake message: protocol-error at once', async () => {
    const fake = await fakeServer((s) => s.write(rec(22, Buffer.from('0bffffff', 'hex'))));
    const start = Date.now();
    const r = await run(fake.port, hello(), { timeoutMs: 4000 });
    expect(r.kind === 'protocol-error' && r.reason).toMatch(/16777215 bytes exceeds/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('fake that streams past the byte budget after its ServerHello: cut off at the per-connection cap', async () => {
    // Certificate messages just under the message cap: the byte budget, not the message cap, ends it.
    const size = LIMITS.maxHandshakeMessage - 64;
    const cert = hs(11, new Writer().vector24((w) => w.vector24(Buffer.alloc(size, 0x30))).toBuffer());
    const records: Buffer[] = [rec(22, hs(2, serverHelloBody(0xc02f)))];
    const copies = Math.ceil(LIMITS.maxBytesPerConnection / size) + 1;
    for (let n = 0; n < copies; n++) for (let i = 0; i < cert.length; i += 16384) records.push(rec(22, cert.subarray(i, i + 16384)));
    const fake = await fakeServer((s) => s.write(Buffer.concat(records)));
    const r = expectHello(await run(fake.port, hello()));
    expect(r.interruptedBy).toMatch(new RegExp(`more than ${LIMITS.maxBytesPerConnection} bytes`));
    expect(r.helloDone).toBe(false);
  });

  it('a 10,000-SAN-sized Certificate message (~320 KB, badssl.com 10000-sans) is read whole', async () => {
    const der = Buffer.alloc(320_000, 0x30);
    const cert = hs(11, new Writer().vector24((w) => w.vector24(der)).toBuffer());
    const records: Buffer[] = [rec(22, hs(2, serverHelloBody(0x002f)))];
    for (let i = 0; i < cert.length; i += 16384) records.push(rec(22, cert.subarray(i, i + 16384)));
    records.push(rec(22, hs(14, Buffer.alloc(0))));
    const fake = await fakeServer((s) => s.write(Buffer.concat(records)));
    const r = expectHello(await run(fake.port, hello()));
    expect(r.interruptedBy).toBeUndefined();
    expect(r.helloDone).toBe(true);
    expect(r.certificates.map((c) => c.length)).toEqual([320_000]);
  });

  it('fake that streams endless HelloRequests: protocol-error at the byte budget', async () => {
    const chunk = Buffer.concat(Array.from({ length: 4096 }, () => rec(22, hs(0, Buffer.alloc(0)))));
    const fake = await fakeServer((s) => {
      const pump = (): void => {
        while (!s.destroyed && s.write(chunk));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const r = await run(fake.port, hello());
    expect(r.kind === 'protocol-error' && r.reason).toMatch(new RegExp(`more than ${LIMITS.maxBytesPerConnection} bytes`));
  });

  it('fake that resets mid-ServerHello: reset, with the bytes of the record it cut', async () => {
    const fake = await fakeServer((s) => {
      s.write(rec(22, hs(2, serverHelloBody(0xc02f))).subarray(0, 20));
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const r = await run(fake.port, hello());
    expect(r).toEqual({ kind: 'reset', reason: 'the server reset the connection after 20 bytes of a record', pendingBytes: 20, bytesRead: 20 });
  });

  it('fake that resets without sending a byte: reset, not closed', async () => {
    const fake = await fakeServer((s) => s.resetAndDestroy());
    const r = await run(fake.port, hello());
    expect(r).toMatchObject({ kind: 'reset', reason: 'the server reset the connection without sending a byte', pendingBytes: 0, bytesRead: 0 });
  });

  it('fake that closes (FIN) in the middle of a record: truncated, not closed', async () => {
    const fake = await fakeServer((s) => s.end(rec(22, hs(2, serverHelloBody(0xc02f))).subarray(0, 30)));
    const r = await run(fake.port, hello());
    expect(r).toEqual({ kind: 'truncated', reason: 'the connection closed in the middle of a record (30 bytes of it received)', pendingBytes: 30, bytesRead: 30 });
  });

  it('fake that closes (FIN) after a whole header but none of the body: truncated', async () => {
    const fake = await fakeServer((s) => s.end(rec(22, hs(2, serverHelloBody(0xc02f))).subarray(0, 5)));
    expect((await run(fake.port, hello())).kind).toBe('truncated');
  });

  it('fake that closes without a word: closed', async () => {
    const fake = await fakeServer((s) => s.end());
    expect(await run(fake.port, hello())).toEqual({ kind: 'closed', reason: 'the server closed the connection' });
  });

  it('fake that sends a fatal alert and closes: alert', async () => {
    const fake = await fakeServer((s) => s.end(rec(21, Buffer.from([2, 70]))));
    expect(await run(fake.port, hello())).toEqual({ kind: 'alert', level: 2, description: 70, name: 'protocol_version' });
  });

  it('fake that sends half an SSLv2 SERVER-HELLO and resets: reset', async () => {
    const fake = await fakeServer((s) => {
      s.write(Buffer.from('80ff0400', 'hex'));
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const r = await run(fake.port, buildSslv2ClientHello({ cipherKinds: [0x0700c0] }), { sslv2: true });
    expect(r).toMatchObject({ kind: 'reset', pendingBytes: 4 });
  });

  it('fake that answers a TLS hello with SSLv2 bytes or text: protocol-error saying so', async () => {
    const v2 = await fakeServer((s) => s.write(Buffer.from('8012040001000200', 'hex')));
    const r = await run(v2.port, hello());
    expect(r.kind === 'protocol-error' && r.reason).toMatch(/SSL 2\.0/);
    const text = await fakeServer((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const t = await run(text.port, hello());
    expect(t.kind === 'protocol-error' && t.reason).toMatch(/text/);
  });

  it('fake that picks a suite never offered: the ServerHello is still returned', async () => {
    const fake = await fakeServer((s) =>
      s.write(rec(22, Buffer.concat([hs(2, serverHelloBody(0x0004)), hs(14, Buffer.alloc(0))]))),
    );
    const r = expectHello(await run(fake.port, hello({ cipherSuites: [0xc02f] })));
    expect(r.serverHello.cipherSuite).toBe(0x0004);
    expect(r.helloDone).toBe(true);
  });

  it('fake that trickles its flight one byte at a time: parsed all the same', async () => {
    const flight = Buffer.concat([
      rec(21, Buffer.from([1, 112])), // warning unrecognized_name, then carries on
      rec(22, Buffer.concat([hs(2, serverHelloBody(0xc02f)), hs(11, new Writer().vector24((w) => w.vector24(ecCert.der)).toBuffer())])),
      rec(22, hs(14, Buffer.alloc(0))),
    ]);
    const fake = await fakeServer(async (s) => {
      for (const byte of flight) {
        if (s.destroyed) return;
        s.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
    });
    const r = expectHello(await run(fake.port, hello()));
    expect(r.certificates[0]?.equals(ecCert.der)).toBe(true);
    expect(r.helloDone).toBe(true);
    expect(r.bytesRead).toBe(flight.length);
  });

  it('fake that sends a fatal alert after its ServerHello: the server-hello result, marked interrupted', async () => {
    const fake = await fakeServer((s) => s.write(Buffer.concat([rec(22, hs(2, serverHelloBody(0xc02f))), rec(21, Buffer.from([2, 80]))])));
    const r = expectHello(await run(fake.port, hello()));
    expect(r.helloDone).toBe(false);
    expect(r.interruptedBy).toBe('alert internal_error');
  });

  it('fake that sends a malformed ServerHello: protocol-error', async () => {
    const fake = await fakeServer((s) => s.write(rec(22, hs(2, Buffer.from('0303', 'hex')))));
    const r = await run(fake.port, hello());
    expect(r.kind === 'protocol-error' && r.reason).toMatch(/ServerHello/);
  });

  it('fake SSLv2 server: SERVER-HELLO parsed', async () => {
    const body = new Writer().u8(4).u8(0).u8(1).u16(2).u16(ecCert.der.length).u16(3).u16(16).bytes(ecCert.der).u24(0x0700c0).bytes(Buffer.alloc(16, 1)).toBuffer();
    const fake = await fakeServer((s, clientHello) => {
      expect(clientHello[0]! & 0x80).toBe(0x80);
      expect(clientHello[2]).toBe(1);
      s.write(Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]));
    });
    const r = await run(fake.port, buildSslv2ClientHello({ cipherKinds: [0x0700c0] }), { sslv2: true });
    expect(r.kind).toBe('sslv2-server-hello');
    if (r.kind !== 'sslv2-server-hello') return;
    expect(r.value.certificate.equals(ecCert.der)).toBe(true);
    expect(r.value.cipherKinds).toEqual([0x0700c0]);
  });

  it('fake that answers an SSLv2 hello with a TLS alert: alert', async () => {
    const fake = await fakeServer((s) => s.write(rec(21, Buffer.from([2, 40]), 0x0301)));
    const r = await run(fake.port, buildSslv2ClientHello({ cipherKinds: [0x010080] }), { sslv2: true });
    expect(r).toEqual({ kind: 'alert', level: 2, description: 40, name: 'handshake_failure' });
  });

  it('fake that answers an SSLv2 hello with text: protocol-error', async () => {
    const fake = await fakeServer((s) => s.write('SSH-2.0-OpenSSH_9.6\r\n'));
    const r = await run(fake.port, buildSslv2ClientHello({ cipherKinds: [0x010080] }), { sslv2: true });
    expect(r.kind).toBe('protocol-error');
  });

  it('abort while waiting: aborted, socket closed', async () => {
    const fake = await fakeServer(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await run(fake.port, hello(), { signal: ac.signal });
    expect(r.kind).toBe('aborted');
    await fake.closed;
    const pre = new AbortController();
    pre.abort();
    expect((await run(fake.port, hello(), { signal: pre.signal })).kind).toBe('aborted');
  });
});
