/**
 * offerTls / offerSslv2 against scripted fake servers (named "fake" below) whose connections break:
 * a refusal is an alert, or a clean close (FIN) with nothing of a record sent; a reset, or a close
 * in the middle of a record, is retried once and then "untestable" (failure 'reset'), never
 * "refused".
 */
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { offerSslv2, offerTls, type OfferTarget } from '../../src/net/tls/offer.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('offer');
afterEach(() => local.closeServers());
afterAll(() => local.stop());

/** A fake server: `onHello(socket, hello, attempt)` for each connection's first bytes (attempt counts from 1). */
async function fakeServer(onHello: (socket: net.Socket, hello: Buffer, attempt: number) => void): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = net.createServer((socket) => {
    const attempt = ++n;
    socket.on('error', () => undefined);
    socket.once('data', (hello: Buffer) => onHello(socket, hello, attempt));
    socket.setTimeout(5000, () => socket.destroy());
  });
  return { port: await local.listen(server), connections: () => n };
}

const target = (port: number): OfferTarget => ({ ip: '127.0.0.1', port, servername: 'offer.secgrade.test', timeoutMs: 3000, signal: new AbortController().signal });

const rec = (type: number, fragment: Buffer): Buffer => new Writer().u8(type).u16(0x0303).vector16(fragment).toBuffer();
const hs = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();
const serverHello = (suite: number): Buffer =>
  rec(22, hs(2, new Writer().u16(0x0303).bytes(Buffer.alloc(32, 0x42)).vector8(Buffer.alloc(0)).u16(suite).u8(0).vector16(Buffer.alloc(0)).toBuffer()));
const SUITE = 0xc02f;
const HALF_HELLO = serverHello(SUITE).subarray(0, 24);

/** Writes `bytes`, then resets the connection once they are on their way. */
function writeThenReset(s: net.Socket, bytes: Buffer): void {
  s.write(bytes);
  setTimeout(() => s.resetAndDestroy(), 50);
}

describe('offerTls when the connection breaks', () => {
  it('fake that resets after half a ServerHello: retried once, then untestable (reset), not refused', async () => {
    const fake = await fakeServer((s) => writeThenReset(s, HALF_HELLO));
    const v = await offerTls(target(fake.port), 'TLSv1.2', [SUITE]);
    expect(v).toEqual({ kind: 'untestable', reason: 'the server reset the connection after 24 bytes of a record (on both attempts)', failure: 'reset' });
    expect(fake.connections()).toBe(2);
  });

  it('fake that closes (FIN) after half a record: retried once, then untestable, not refused', async () => {
    const fake = await fakeServer((s) => s.end(HALF_HELLO));
    const v = await offerTls(target(fake.port), 'TLSv1.2', [SUITE]);
    expect(v.kind).toBe('untestable');
    expect(v.kind === 'untestable' && v.failure).toBe('reset');
    expect(v.kind === 'untestable' && v.reason).toMatch(/^the connection closed in the middle of a record \(24 bytes of it received\)/);
    expect(fake.connections()).toBe(2);
  });

  it('fake that resets without sending a byte, twice: untestable, not refused', async () => {
    const fake = await fakeServer((s) => s.resetAndDestroy());
    const v = await offerTls(target(fake.port), 'TLSv1.3', [0x1301]);
    expect(v).toMatchObject({ kind: 'untestable', failure: 'reset', reason: expect.stringMatching(/^the server reset the connection without sending a byte/) });
    expect(fake.connections()).toBe(2);
  });

  it('fake that sends a complete alert then closes: refused, asked once', async () => {
    const fake = await fakeServer((s) => s.end(rec(21, Buffer.from([2, 70]))));
    const v = await offerTls(target(fake.port), 'TLSv1.0', [SUITE]);
    expect(v).toEqual({ kind: 'refused', reason: 'alert protocol_version', alert: 70 });
    expect(fake.connections()).toBe(1);
  });

  it('fake that closes cleanly right after our hello, without a byte: refused, asked once', async () => {
    const fake = await fakeServer((s) => s.end());
    const v = await offerTls(target(fake.port), 'TLSv1.1', [SUITE]);
    expect(v).toEqual({ kind: 'refused', reason: 'the server closed the connection' });
    expect(fake.connections()).toBe(1);
  });

  it('fake that resets the first attempt only and answers the retry: accepted', async () => {
    const fake = await fakeServer((s, _hello, attempt) => (attempt === 1 ? writeThenReset(s, HALF_HELLO) : s.write(serverHello(SUITE))));
    const v = await offerTls(target(fake.port), 'TLSv1.2', [SUITE]);
    expect(v.kind).toBe('accepted');
    expect(v.kind === 'accepted' && v.suite).toBe(SUITE);
    expect(fake.connections()).toBe(2);
  });

  it('fake that cuts the first attempt mid-record and refuses the retry with an alert: refused', async () => {
    const fake = await fakeServer((s, _hello, attempt) => (attempt === 1 ? s.end(HALF_HELLO) : s.end(rec(21, Buffer.from([2, 40])))));
    expect(await offerTls(target(fake.port), 'TLSv1.2', [SUITE])).toEqual({ kind: 'refused', reason: 'alert handshake_failure', alert: 40 });
  });

  it('fake that resets, then cuts a record short: untestable, both attempts named', async () => {
    const fake = await fakeServer((s, _hello, attempt) => (attempt === 1 ? writeThenReset(s, HALF_HELLO) : s.end(HALF_HELLO)));
    const v = await offerTls(target(fake.port), 'TLSv1.2', [SUITE]);
    expect(v.kind === 'untestable' && v.reason).toBe(
      'the connection closed in the middle of a record (24 bytes of it received) (first attempt: the server reset the connection after 24 bytes of a record)',
    );
  });
});

describe('offerSslv2 when the connection breaks', () => {
  it('fake that closes cleanly after the SSLv2 hello: refused (servers without SSLv2 do)', async () => {
    const fake = await fakeServer((s) => s.end());
    expect(await offerSslv2(target(fake.port), [0x0700c0])).toEqual({ kind: 'refused', reason: 'the server closed the connection' });
    expect(fake.connections()).toBe(1);
  });

  it('fake that resets without a byte, twice: still a refusal (a server closing on an unread hello resets)', async () => {
    const fake = await fakeServer((s) => s.resetAndDestroy());
    const v = await offerSslv2(target(fake.port), [0x0700c0]);
    expect(v).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^the server reset the connection without sending a byte/) });
    expect(fake.connections()).toBe(2);
  });

  it('fake that resets in the middle of a record: retried once, then untestable', async () => {
    const fake = await fakeServer((s) => writeThenReset(s, Buffer.from('80ff0400', 'hex')));
    const v = await offerSslv2(target(fake.port), [0x0700c0]);
    expect(v).toEqual({ kind: 'untestable', reason: 'the server reset the connection after 4 bytes of a record (on both attempts)', failure: 'reset' });
    expect(fake.connections()).toBe(2);
  });

  it('fake that resets half a TLS record into its answer: untestable', async () => {
    const fake = await fakeServer((s) => writeThenReset(s, HALF_HELLO));
    expect(await offerSslv2(target(fake.port), [0x0700c0])).toMatchObject({ kind: 'untestable', failure: 'reset' });
  });

  it('fake that answers with junk: refused, as before', async () => {
    const fake = await fakeServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    expect((await offerSslv2(target(fake.port), [0x0700c0])).kind).toBe('refused');
  });
});
