// A raw TLS connection that stays open after the server's first flight. rawHello (raw-client.ts)
// sends one hello and hangs up; the vulnerability probes must then send what no normal client
// would (an early ChangeCipherSpec, a lying heartbeat, a malformed ClientKeyExchange) and read
// what the server does next. Same discipline as rawHello: pinned IP, one deadline for the whole
// connection, the scan's AbortSignal, a byte cap; nothing throws, close() always cleans up.
import net from 'node:net';
import { ByteQueue, Writer } from './wire/bytes.js';
import { HandshakeType, LIMITS, ProtocolVersion, handshakeTypeName } from './wire/constants.js';
import { HandshakeReader } from './wire/handshake-reader.js';
import { parseRecordHeader, RECORD_HEADER_LENGTH } from './wire/records.js';
import { parseCertificateMessage, parseServerHello, type ParsedServerHello } from './wire/server-messages.js';
import { connectTlsTransport, type StartTlsOption, type TlsTransport } from './transport.js';

/** How a session's own deadline ends its reason (`no decisive answer within N ms`): a timeout, not an answer. */
export const TIMED_OUT = /\bwithin \d+ ms\b/;

export interface RawSessionOptions {
  ip: string;
  port: number;
  /** Deadline for the whole connection, connect included. */
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue first (within the same deadline); open() resolves after it. */
  starttls?: StartTlsOption | null;
  ehloName?: string;
}

export interface TlsRecordEvent {
  kind: 'record';
  contentType: number;
  version: number;
  fragment: Buffer;
}

/** How a connection ended; once ended, every later read returns the same end. */
export type SessionEnd =
  /** FIN from the server; `midRecord` when it left a record unfinished. */
  | { kind: 'closed'; reason: string; midRecord: boolean }
  | { kind: 'reset'; reason: string; midRecord: boolean }
  /** The connection's deadline passed (the socket is then destroyed). */
  | { kind: 'timeout'; reason: string }
  | { kind: 'aborted'; reason: string }
  /** Bytes that are not TLS records, or more than the byte cap. */
  | { kind: 'garbage'; reason: string }
  /** Refused, unreachable, bad address … */
  | { kind: 'network'; reason: string };

/** `silent`: nothing within the wait asked for, the connection still open. */
export type SessionEvent = TlsRecordEvent | SessionEnd | { kind: 'silent'; waitedMs: number };

export class RawSession {
  private socket: net.Socket | null = null;
  private transport: TlsTransport | null = null;
  private readonly queue = new ByteQueue();
  private readonly records: TlsRecordEvent[] = [];
  private result: SessionEnd | null = null;
  private waiter: (() => void) | null = null;
  private onReady: (() => void) | null;
  private connected = false;
  private bytesRead = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.end({ kind: 'aborted', reason: 'aborted' });

  /** Connects; resolves once connected or failed (a failed session reports its end on read). */
  static open(opts: RawSessionOptions): Promise<RawSession> {
    return new Promise((resolve) => {
      const session: RawSession = new RawSession(opts, () => resolve(session));
    });
  }

  private constructor(
    private readonly opts: RawSessionOptions,
    onReady: () => void,
  ) {
    this.onReady = onReady;
    this.timer = setTimeout(() => {
      const reason = this.connected ? `no decisive answer within ${opts.timeoutMs} ms` : `${this.transport?.waitingFor ?? 'no connection'} within ${opts.timeoutMs} ms`;
      this.end({ kind: 'timeout', reason });
    }, opts.timeoutMs);
    opts.signal.addEventListener('abort', this.onAbort, { once: true });
    const bad = badTarget(opts);
    if (opts.signal.aborted || bad) {
      // Deferred: open() must have its session before it can be resolved.
      const why: SessionEnd = bad ? { kind: 'network', reason: bad } : { kind: 'aborted', reason: 'aborted before connecting' };
      queueMicrotask(() => this.end(why));
      return;
    }
    this.transport = connectTlsTransport(opts, {
      attach: (socket) => {
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        socket.on('end', () => this.end({ kind: 'closed', reason: 'the server closed the connection', midRecord: this.queue.length > 0 }));
        socket.on('close', () => this.end({ kind: 'closed', reason: 'the connection closed', midRecord: this.queue.length > 0 }));
        socket.on('error', (err: NodeJS.ErrnoException) => this.end(this.errorEnd(err)));
      },
      ready: () => {
        this.connected = true;
        this.ready();
      },
      // Not 'closed' or 'reset': those would read as the server refusing the TLS hello.
      failed: (f) => this.end({ kind: 'network', reason: f.kind === 'refused' ? f.reason : `STARTTLS: ${f.reason}` }),
    });
  }

  /** How the connection ended, or null while it is open. */
  get ended(): SessionEnd | null {
    return this.result;
  }

  /** Writes bytes; a write to a dead connection is dropped (its end is already reported). */
  send(bytes: Buffer): void {
    if (!this.result && this.socket?.writable) this.socket.write(bytes);
  }

  /**
   * Sends FIN after the last bytes (reading goes on): a server waiting for more input must then
   * show what it makes of the end of input instead of letting us wait for a timeout.
   */
  halfClose(): void {
    if (!this.result && this.socket?.writable) this.socket.end();
  }

  /** The next whole record, the end, or `silent` after `waitMs` (default: until the deadline). */
  next(waitMs = Infinity): Promise<SessionEvent> {
    const ready = this.records.shift() ?? this.result;
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const started = Date.now();
      const wait = Number.isFinite(waitMs)
        ? setTimeout(() => {
            this.waiter = null;
            resolve({ kind: 'silent', waitedMs: Date.now() - started });
          }, waitMs)
        : undefined;
      this.waiter = () => {
        const ev = this.records.shift() ?? this.result;
        if (!ev) return;
        clearTimeout(wait);
        this.waiter = null;
        resolve(ev);
      };
    });
  }

  /** Destroys the socket and clears the timer; safe to call more than once. */
  close(): void {
    this.end({ kind: 'aborted', reason: 'closed by the client' });
  }

  private ready(): void {
    const fn = this.onReady;
    this.onReady = null;
    fn?.();
  }

  private end(why: SessionEnd): void {
    if (this.result) return;
    this.result = why;
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.transport?.destroy();
    this.ready();
    this.waiter?.();
  }

  private onData(chunk: Buffer): void {
    if (this.result) return;
    this.bytesRead += chunk.length;
    if (this.bytesRead > LIMITS.maxBytesPerConnection) {
      this.end({ kind: 'garbage', reason: `the server sent more than ${LIMITS.maxBytesPerConnection} bytes` });
      return;
    }
    this.queue.push(chunk);
    while (this.queue.length >= RECORD_HEADER_LENGTH) {
      // Judged on the header, so a bogus or oversized record fails before we wait for its body.
      const header = parseRecordHeader(this.queue.peek(RECORD_HEADER_LENGTH));
      if (!header.ok) {
        this.end({ kind: 'garbage', reason: header.error });
        break;
      }
      const size = RECORD_HEADER_LENGTH + header.value.length;
      if (this.queue.length < size) break;
      const fragment = this.queue.take(size).subarray(RECORD_HEADER_LENGTH);
      this.records.push({ kind: 'record', contentType: header.value.contentType, version: header.value.version, fragment });
    }
    this.waiter?.();
  }

  private errorEnd(err: NodeJS.ErrnoException): SessionEnd {
    switch (err.code) {
      case 'ECONNRESET':
      case 'EPIPE':
        return { kind: 'reset', reason: 'the server reset the connection', midRecord: this.queue.length > 0 };
      case 'ECONNREFUSED':
        return { kind: 'network', reason: 'connection refused' };
    }
    return { kind: 'network', reason: `${err.code ?? 'error'}: ${err.message.split('\n')[0] ?? ''}` };
  }
}

function badTarget(opts: RawSessionOptions): string | null {
  // Pinned addresses only: a host name here would mean a DNS lookup nobody asked for.
  if (net.isIP(opts.ip) === 0) return `not an IP address: ${opts.ip}`;
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) return `bad port: ${opts.port}`;
  return null;
}

/** Opens a session, runs `fn`, and always closes it. */
export async function withRawSession<T>(opts: RawSessionOptions, fn: (s: RawSession) => Promise<T>): Promise<T> {
  const session = await RawSession.open(opts);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/** A TLS ≤ 1.2 first flight, read up to ServerHelloDone (or the server's ChangeCipherSpec). */
export type FlightOutcome =
  | {
      kind: 'flight';
      serverHello: ParsedServerHello;
      /** DER certificates, leaf first. */
      certificates: Buffer[];
      /** ServerHello … ServerHelloDone: the server now waits for the client's key exchange. */
      helloDone: boolean;
      /** ServerHello then ChangeCipherSpec: the server resumed a session (abbreviated handshake). */
      abbreviated: boolean;
    }
  /** An alert or a clean close (FIN, nothing of a record pending) before any ServerHello: the server said no to the hello. */
  | { kind: 'refused'; reason: string; alert?: number }
  /** Nothing decisive: timeout, garbage, a reset, a close mid-record or mid-flight … */
  | { kind: 'failed'; reason: string };

/** Reads the first flight after the hello was sent. */
export async function readFlight(session: RawSession): Promise<FlightOutcome> {
  const reader = new HandshakeReader();
  let hello: ParsedServerHello | null = null;
  const certificates: Buffer[] = [];
  const flight = (helloDone: boolean, abbreviated: boolean): FlightOutcome =>
    hello ? { kind: 'flight', serverHello: hello, certificates, helloDone, abbreviated } : { kind: 'failed', reason: 'no ServerHello' };
  for (;;) {
    const ev = await session.next();
    if (ev.kind !== 'record') {
      if (ev.kind === 'silent') continue; // not produced without a wait; kept for exhaustiveness
      // A reset is the transport failing, not an answer (even with nothing of a record pending).
      const clean = ev.kind === 'closed' && !ev.midRecord;
      if (!hello && clean) return { kind: 'refused', reason: ev.reason };
      const where = hello ? ' after the ServerHello' : '';
      return { kind: 'failed', reason: `${ev.reason}${where}${'midRecord' in ev && ev.midRecord ? ' (in the middle of a record)' : ''}` };
    }
    for (const hev of reader.feed(recordBytes(ev))) {
      switch (hev.kind) {
        case 'alert':
          // Warnings (e.g. unrecognized_name) may be followed by the flight; close_notify may not.
          if (hev.level === 1 && hev.description !== 0) continue;
          if (!hello) return { kind: 'refused', reason: `alert ${hev.name}`, alert: hev.description };
          return { kind: 'failed', reason: `alert ${hev.name} after the ServerHello` };
        case 'change-cipher-spec':
          if (hello) return flight(false, true);
          return { kind: 'failed', reason: 'ChangeCipherSpec before any ServerHello' };
        case 'encrypted':
          return { kind: 'failed', reason: `unreadable record of type ${hev.contentType} in the first flight` };
        case 'error':
          return { kind: 'failed', reason: hev.error };
        case 'handshake': {
          if (!hello) {
            if (hev.msgType === HandshakeType.helloRequest) continue;
            if (hev.msgType !== HandshakeType.serverHello) return { kind: 'failed', reason: `expected a ServerHello, got ${handshakeTypeName(hev.msgType)}` };
            const parsed = parseServerHello(hev.body);
            if (!parsed.ok) return { kind: 'failed', reason: parsed.error };
            if (parsed.value.selectedVersion > ProtocolVersion.TLSv1_2) return { kind: 'failed', reason: 'the server answered with TLS 1.3' };
            hello = parsed.value;
            continue;
          }
          if (hev.msgType === HandshakeType.certificate) {
            const certs = parseCertificateMessage(hev.body);
            if (!certs.ok) return { kind: 'failed', reason: certs.error };
            certificates.push(...certs.value);
          } else if (hev.msgType === HandshakeType.serverHelloDone) {
            return flight(true, false);
          }
          // ServerKeyExchange, CertificateRequest, CertificateStatus, NewSessionTicket: not needed.
        }
      }
    }
  }
}

/** A record event back in wire form (the handshake reader frames records itself). */
export function recordBytes(r: Pick<TlsRecordEvent, 'contentType' | 'version' | 'fragment'>): Buffer {
  return new Writer().u8(r.contentType).u16(r.version).vector16(r.fragment).toBuffer();
}
