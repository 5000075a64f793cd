// Scripted fake TLS servers at the record level, for behaviour no installable server shows (EXPORT1024
// suites, Heartbleed, CCS injection …): server-side record bytes, a reading of the ClientHello, the
// fake server itself, and the loopback scan the tests run against fakes and real servers alike.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AnyProbe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import type { Report } from '../../src/model/report.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { createTrustStore } from '../../src/trust/store.js';
import type { LocalServers } from './local-servers.js';
import { testReference } from './probe-context.js';

// Server-side bytes.
export const rec = (type: number, fragment: Buffer, version = 0x0303): Buffer => new Writer().u8(type).u16(version).vector16(fragment).toBuffer();
export const hs = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();
export const serverHello = (suite: number, opts: { exts?: Buffer; sessionId?: Buffer } = {}): Buffer =>
  hs(2, new Writer().u16(0x0303).bytes(randomBytes(32)).vector8(opts.sessionId ?? Buffer.alloc(0)).u16(suite).u8(0).vector16(opts.exts ?? Buffer.alloc(0)).toBuffer());
export const certificate = (der: Buffer): Buffer => hs(11, new Writer().vector24((w) => w.vector24(der)).toBuffer());
export const helloDone = (): Buffer => hs(14, Buffer.alloc(0));
export const alert = (description: number): Buffer => rec(21, Buffer.from([2, description]));

export interface ParsedHello {
  /** client_version (legacy_version in TLS 1.3). */
  version: number;
  sessionId: Buffer;
  suites: number[];
  extensions: Map<number, Buffer>;
}

/**
 * The test's own reading of a ClientHello record (the first one is all these fakes need); null if
 * it is none (an SSLv2 hello, one cut by TCP).
 */
export function parseClientHello(bytes: Buffer): ParsedHello | null {
  if (bytes.length < 44 || bytes[0] !== 22 || bytes[5] !== 1) return null;
  try {
    return readHello(bytes);
  } catch {
    return null;
  }
}

function readHello(bytes: Buffer): ParsedHello {
  const version = bytes.readUInt16BE(9);
  let p = 5 + 4 + 2 + 32;
  const sessionId = bytes.subarray(p + 1, p + 1 + bytes[p]!);
  p += 1 + sessionId.length;
  const suitesLen = bytes.readUInt16BE(p);
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(bytes.readUInt16BE(p + 2 + i));
  p += 2 + suitesLen;
  p += 1 + bytes[p]!;
  const extensions = new Map<number, Buffer>();
  const end = p + 2 + bytes.readUInt16BE(p);
  for (p += 2; p + 4 <= end; ) {
    const type = bytes.readUInt16BE(p);
    const len = bytes.readUInt16BE(p + 2);
    extensions.set(type, bytes.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return { version, sessionId, suites, extensions };
}

/** Splits a byte stream into records (type, fragment); the rest stays buffered. */
export function recordStream(onRecord: (type: number, fragment: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
      const len = buf.readUInt16BE(3);
      const type = buf[0]!;
      const fragment = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      onRecord(type, fragment);
    }
  };
}

/**
 * A fake server on `local`: `onHello` gets the socket and the client's hello, then (when it returns
 * a handler) every record after it. Anything but a TLS ClientHello first is hung up on.
 */
export async function fakeTlsServer(
  local: LocalServers,
  onHello: (socket: net.Socket, hello: ParsedHello) => ((type: number, fragment: Buffer) => void) | void,
  opts: { halfOpen?: boolean } = {},
): Promise<number> {
  // halfOpen: the fake keeps its side open when our input ends (a truly silent server), instead of
  // Node's default of closing at once.
  const server = net.createServer({ allowHalfOpen: opts.halfOpen ?? false }, (socket) => {
    socket.on('error', () => undefined);
    // A half-open fake never closes on our FIN: drop it soon after the probe has given up.
    socket.setTimeout(opts.halfOpen ? 2_000 : 10_000, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      const hello = parseClientHello(first);
      if (!hello) return void socket.destroy();
      const onRecord = onHello(socket, hello);
      if (onRecord) socket.on('data', recordStream(onRecord));
    });
  });
  return local.listen(server);
}

/** scanTarget of 127.0.0.1:port with `probes` (an IP target: no DNS; an empty trust store). */
export function scanLoopback(port: number, probes: readonly AnyProbe[], limits: { timeoutMs: number; connectTimeoutMs: number }): Promise<Report> {
  return scanTarget(parseTarget(`127.0.0.1:${port}`), {
    resolver: createResolver({}),
    trust: createTrustStore(),
    reference: testReference(),
    timeoutMs: limits.timeoutMs,
    connectTimeoutMs: limits.connectTimeoutMs,
    probes,
  });
}
