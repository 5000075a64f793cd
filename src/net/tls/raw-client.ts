// Sends one hand-built hello (TLS or SSL 2.0) and reads the server's first flight up to where we
// can decide: ServerHelloDone (TLS ≤ 1.2), the ServerHello of TLS 1.3 / a HelloRetryRequest, an
// alert, a close or garbage. With `decryptTls13`, a TLS 1.3 flight is decrypted with the server
// handshake keys up to its CertificateVerify (certificates, OCSP staple and SCTs are encrypted
// there). Nothing is ever sent back. Always resolves, always destroys the socket and clears its timer.
import net from 'node:net';
import { ByteQueue } from './wire/bytes.js';
import { ContentType, HandshakeType, LIMITS, ProtocolVersion, handshakeTypeName } from './wire/constants.js';
import { HandshakeReader, type HandshakeEvent } from './wire/handshake-reader.js';
import { describeNonTls } from './wire/records.js';
import type { BuiltClientHello } from './wire/client-hello.js';
import {
  parseCertificateMessage,
  parseCertificateStatus,
  parseEncryptedExtensions,
  parseServerHello,
  parseTls13Certificate,
  type Extension,
  type ParsedServerHello,
  type Tls13CertificateEntry,
} from './wire/server-messages.js';
import { RecordDecryptor, serverHandshakeKeys } from './tls13-keys.js';
import { ExtensionType } from './wire/constants.js';
import { parseSslv2ServerHello, SSLV2_MSG, sslv2RecordSize, type ParsedSslv2ServerHello } from './wire/sslv2.js';
import { connectTlsTransport, type StartTlsFailure, type StartTlsOption } from './transport.js';

export interface RawHelloOptions {
  ip: string;
  port: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** A full TLS record (from buildClientHello) or an SSLv2 hello (from buildSslv2ClientHello). */
  hello: Buffer;
  sslv2?: boolean;
  /** Default 'server-hello-done'; TLS 1.3 and HelloRetryRequest stop at the ServerHello unless decrypting. */
  readUntil?: 'server-hello' | 'server-hello-done';
  /** The hello's handshake bytes and key shares: read a TLS 1.3 flight through its encryption. */
  decryptTls13?: Pick<BuiltClientHello, 'handshake' | 'keyAgreement'>;
  /** A plaintext STARTTLS dialogue before the hello (within the same deadline). */
  starttls?: StartTlsOption | null;
  ehloName?: string;
}

/** What a decrypted TLS 1.3 flight showed. */
export interface Tls13Flight {
  encryptedExtensions: Extension[] | null;
  certificateEntries: Tls13CertificateEntry[];
  /** CertificateVerify seen: the flight up to the server's proof of key possession is complete. */
  complete: boolean;
}

export type RawHelloResult =
  | {
      kind: 'server-hello';
      serverHello: ParsedServerHello;
      certificates: Buffer[];
      /** The raw ServerKeyExchange body: parse it with parseServerKeyExchange and the suite's kind. */
      serverKeyExchange: Buffer | null;
      certificateStatus: Buffer | null;
      /** SignedCertificateTimestampList from the TLS extension (ServerHello ≤ 1.2, leaf entry in 1.3). */
      sctList: Buffer | null;
      /** Present when a TLS 1.3 flight was decrypted. */
      tls13?: Tls13Flight;
      helloDone: boolean;
      bytesRead: number;
      /** Why a TLS ≤ 1.2 flight ended before ServerHelloDone (alert, close, malformed message …). */
      interruptedBy?: string;
    }
  | { kind: 'sslv2-server-hello'; value: ParsedSslv2ServerHello }
  | { kind: 'alert'; level: number; description: number; name: string }
  /** A clean close (FIN) with nothing of a record pending: the server hung up on the hello. */
  | { kind: 'closed'; reason: string }
  /**
   * A reset (ECONNRESET/EPIPE) before the server's answer was decided, whatever had arrived:
   * a transport failure, not an answer. `pendingBytes`: bytes of an unfinished record (or
   * handshake message) received before it.
   */
  | { kind: 'reset'; reason: string; pendingBytes: number; bytesRead: number }
  /** A close (FIN) in the middle of a record (or handshake message): a transport failure, not an answer. */
  | { kind: 'truncated'; reason: string; pendingBytes: number; bytesRead: number }
  | { kind: 'timeout'; reason: string }
  | { kind: 'refused'; reason: string }
  /** `starttls`: the STARTTLS preamble failed this way (the hello was never sent). */
  | { kind: 'network'; reason: string; starttls?: StartTlsFailure['kind'] }
  | { kind: 'aborted'; reason: string }
  | { kind: 'protocol-error'; reason: string };

type AlertResult = Extract<RawHelloResult, { kind: 'alert' }>;
type HelloResult = Extract<RawHelloResult, { kind: 'server-hello' }>;

/** What the server has said so far; `decide*` turn it into a result once the flight is over. */
class Flight {
  hello: HelloResult | null = null;
  /** A warning alert (e.g. unrecognized_name) that servers may send before carrying on. */
  warning: AlertResult | null = null;
  bytesRead = 0;

  constructor(
    private readonly readUntil: 'server-hello' | 'server-hello-done',
    private readonly decrypting: boolean,
  ) {}

  /** Handles events in order; returns a result as soon as one is decided. */
  onEvents(events: HandshakeEvent[]): RawHelloResult | null {
    for (const event of events) {
      const result = this.onEvent(event);
      if (result) return result;
    }
    return null;
  }

  private onEvent(event: HandshakeEvent): RawHelloResult | null {
    switch (event.kind) {
      case 'handshake':
        return this.hello ? this.afterHello(event.msgType, event.body) : this.beforeHello(event.msgType, event.body);
      case 'alert': {
        const alert: AlertResult = { kind: 'alert', level: event.level, description: event.description, name: event.name };
        if (this.hello) return this.interrupted(`alert ${event.name}`);
        // close_notify is a refusal; other warnings before the ServerHello may be followed by one.
        if (event.level === 1 && event.description !== 0) {
          this.warning = alert;
          return null;
        }
        return alert;
      }
      case 'change-cipher-spec':
        // TLS 1.3 middlebox compatibility (RFC 8446 §D.4): a dummy CCS amid the encrypted flight.
        if (this.hello?.tls13) return null;
        return this.hello ? this.interrupted('change-cipher-spec record') : { kind: 'protocol-error', reason: 'change-cipher-spec record before any ServerHello' };
      case 'encrypted':
        // After a ServerHello: an abbreviated (resumed) handshake, or TLS 1.3 middlebox compatibility.
        if (this.hello) return this.interrupted(`${event.kind} record`);
        return { kind: 'protocol-error', reason: `${event.kind} record before any ServerHello` };
      case 'error':
        return this.hello ? this.interrupted(event.error) : { kind: 'protocol-error', reason: event.error };
    }
  }

  private beforeHello(msgType: number, body: Buffer): RawHelloResult | null {
    if (msgType === HandshakeType.helloRequest) return null;
    if (msgType !== HandshakeType.serverHello) {
      return { kind: 'protocol-error', reason: `expected a ServerHello, got ${handshakeTypeName(msgType)}` };
    }
    const parsed = parseServerHello(body);
    if (!parsed.ok) return { kind: 'protocol-error', reason: parsed.error };
    const sh = parsed.value;
    this.hello = {
      kind: 'server-hello',
      serverHello: sh,
      certificates: [],
      serverKeyExchange: null,
      certificateStatus: null,
      sctList: sh.sct ?? null,
      helloDone: false,
      bytesRead: this.bytesRead,
    };
    if (sh.isHelloRetryRequest || this.readUntil === 'server-hello') return this.current();
    if (sh.selectedVersion > ProtocolVersion.TLSv1_2) {
      if (!this.decrypting) return this.current();
      this.hello.tls13 = { encryptedExtensions: null, certificateEntries: [], complete: false };
    }
    return null;
  }

  private afterHello(msgType: number, body: Buffer): RawHelloResult | null {
    const hello = this.hello;
    if (!hello) return null;
    if (hello.tls13) return this.afterTls13Hello(hello, hello.tls13, msgType, body);
    switch (msgType) {
      case HandshakeType.certificate: {
        const certs = parseCertificateMessage(body);
        if (!certs.ok) return this.interrupted(certs.error);
        hello.certificates = certs.value;
        return null;
      }
      case HandshakeType.serverKeyExchange:
        hello.serverKeyExchange = body;
        return null;
      case HandshakeType.certificateStatus: {
        const status = parseCertificateStatus(body);
        if (!status.ok) return this.interrupted(status.error);
        hello.certificateStatus = status.value;
        return null;
      }
      case HandshakeType.serverHelloDone:
        hello.helloDone = true;
        return this.current();
      default:
        // CertificateRequest, NewSessionTicket …: not needed to grade the first flight.
        return null;
    }
  }

  /** The decrypted TLS 1.3 flight: EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify. */
  private afterTls13Hello(hello: HelloResult, flight: Tls13Flight, msgType: number, body: Buffer): RawHelloResult | null {
    switch (msgType) {
      case HandshakeType.encryptedExtensions: {
        const exts = parseEncryptedExtensions(body);
        if (!exts.ok) return this.interrupted(exts.error);
        flight.encryptedExtensions = exts.value;
        return null;
      }
      case HandshakeType.certificate: {
        const entries = parseTls13Certificate(body);
        if (!entries.ok) return this.interrupted(entries.error);
        flight.certificateEntries = entries.value;
        hello.certificates = entries.value.map((e) => e.der);
        const leafExts = entries.value[0]?.extensions ?? [];
        hello.sctList = leafExts.find((e) => e.type === ExtensionType.signedCertificateTimestamp)?.data ?? null;
        const status = leafExts.find((e) => e.type === ExtensionType.statusRequest);
        if (status) {
          const parsed = parseCertificateStatus(status.data);
          if (!parsed.ok) return this.interrupted(parsed.error);
          hello.certificateStatus = parsed.value;
        }
        return null;
      }
      case HandshakeType.certificateVerify:
      case HandshakeType.finished:
        flight.complete = true;
        hello.helloDone = true;
        return this.current();
      default:
        return null; // CertificateRequest: nothing to grade
    }
  }

  private current(): HelloResult | null {
    return this.hello ? { ...this.hello, bytesRead: this.bytesRead } : null;
  }

  interrupted(why: string): HelloResult | null {
    const hello = this.current();
    return hello ? { ...hello, interruptedBy: why } : null;
  }

  /**
   * The result when the connection ended before a decision. After a ServerHello it is the hello,
   * marked interrupted. Before one, only a clean close (FIN) with nothing of a record pending is
   * the server hanging up on the hello ('closed', or the warning alert it sent first); a close in
   * the middle of a record ('truncated') or a reset at any point ('reset') is the transport failing.
   */
  onEnd(how: 'fin' | 'reset', pendingBytes: number): RawHelloResult {
    if (how === 'reset') {
      const reason =
        pendingBytes > 0
          ? `the server reset the connection after ${pendingBytes} bytes of a record`
          : this.bytesRead > 0
            ? `the server reset the connection after ${this.bytesRead} bytes, between records`
            : 'the server reset the connection without sending a byte';
      return this.interrupted(reason) ?? { kind: 'reset', reason, pendingBytes, bytesRead: this.bytesRead };
    }
    if (pendingBytes > 0) {
      const reason = `the connection closed in the middle of a record (${pendingBytes} bytes of it received)`;
      return this.interrupted(reason) ?? { kind: 'truncated', reason, pendingBytes, bytesRead: this.bytesRead };
    }
    return this.interrupted('the server closed the connection') ?? this.warning ?? { kind: 'closed', reason: 'the server closed the connection' };
  }
}

/** SSL 2.0 answers are one record; a TLS-speaking server answers with TLS records instead. */
class Sslv2Answer {
  private readonly buf = new ByteQueue();

  /** 'tls' when the bytes are TLS records (hand them to the TLS reader), else a result or null. */
  feed(chunk: Buffer): RawHelloResult | 'tls' | null {
    this.buf.push(chunk);
    if (this.buf.length < 2) return null;
    const head = this.buf.peek(Math.min(this.buf.length, 8));
    const b0 = head[0] ?? 0;
    if ((b0 === ContentType.alert || b0 === ContentType.handshake) && head[1] === 3) return 'tls';
    // The message type follows a 2-byte header (MSB set) or a 3-byte one: reject text etc. early.
    const type = head[b0 & 0x80 ? 2 : 3];
    if (type !== undefined && type !== SSLV2_MSG.serverHello && type !== SSLV2_MSG.error) {
      return { kind: 'protocol-error', reason: describeNonTls(head) };
    }
    const size = sslv2RecordSize(head);
    if (size === null) return null;
    if (!size.ok) return { kind: 'protocol-error', reason: size.error };
    if (this.buf.length < size.value) return null;
    const parsed = parseSslv2ServerHello(this.buf.peek(size.value));
    return parsed.ok ? { kind: 'sslv2-server-hello', value: parsed.value } : { kind: 'protocol-error', reason: parsed.error };
  }

  get pending(): number {
    return this.buf.length;
  }

  /** Everything received so far, for the TLS reader. */
  all(): Buffer {
    return this.buf.peek(this.buf.length);
  }
}

function socketErrorResult(err: NodeJS.ErrnoException, flight: Flight, pending: number): RawHelloResult {
  switch (err.code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', reason: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return flight.onEnd('reset', pending);
    case 'ETIMEDOUT':
      return { kind: 'timeout', reason: 'connection timed out' };
  }
  return { kind: 'network', reason: `${err.code ?? 'error'}: ${err.message.split('\n')[0] ?? ''}` };
}

/** After a TLS 1.3 ServerHello, the decryptor for the server's handshake records (or why there is none). */
function tls13Unprotector(client: NonNullable<RawHelloOptions['decryptTls13']>) {
  return (msgType: number, body: Buffer): RecordDecryptor | string | null => {
    if (msgType !== HandshakeType.serverHello) return null;
    const parsed = parseServerHello(body);
    if (!parsed.ok) return null; // the Flight reports the parse error
    const sh = parsed.value;
    if (sh.isHelloRetryRequest || sh.selectedVersion <= ProtocolVersion.TLSv1_2) return null;
    const agree = sh.keyShareGroup === undefined ? undefined : client.keyAgreement.get(sh.keyShareGroup);
    if (!agree || !sh.keyShare) return `the server chose key share group ${sh.keyShareGroup ?? 'none'} that we sent no share for`;
    const shared = agree(sh.keyShare);
    if (!shared) return "the server's key share is not a valid public key";
    const header = Buffer.from([HandshakeType.serverHello, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
    const keys = serverHandshakeKeys(sh.cipherSuite, shared, client.handshake, Buffer.concat([header, body]));
    return keys ? new RecordDecryptor(keys) : `cipher suite 0x${sh.cipherSuite.toString(16)} is not a TLS 1.3 suite we can decrypt`;
  };
}

export function rawHello(opts: RawHelloOptions): Promise<RawHelloResult> {
  return new Promise((resolve) => {
    if (opts.signal.aborted) {
      resolve({ kind: 'aborted', reason: 'aborted before connecting' });
      return;
    }
    // Pinned addresses only: a host name here would mean a DNS lookup nobody asked for.
    if (net.isIP(opts.ip) === 0) {
      resolve({ kind: 'network', reason: `not an IP address: ${opts.ip}` });
      return;
    }
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      resolve({ kind: 'network', reason: `bad port: ${opts.port}` });
      return;
    }
    const flight = new Flight(opts.readUntil ?? 'server-hello-done', opts.decryptTls13 !== undefined);
    const reader = new HandshakeReader(opts.decryptTls13 ? { unprotectAfter: tls13Unprotector(opts.decryptTls13) } : {});
    let sslv2: Sslv2Answer | null = opts.sslv2 ? new Sslv2Answer() : null;
    let connected = false;
    let settled = false;
    // Bytes of an incomplete record or message, to explain an early close.
    let pendingBytes = 0;

    const finish = (result: RawHelloResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      transport.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'aborted', reason: 'aborted' });
    const transport = connectTlsTransport(opts, {
      attach: (socket) => wire(socket),
      ready: (socket) => {
        connected = true;
        socket.write(opts.hello);
      },
      failed: (f) => finish(f.kind === 'refused' ? { kind: 'refused', reason: f.reason } : { kind: 'network', reason: `STARTTLS: ${f.reason}`, starttls: f.kind }),
    });
    const timer = setTimeout(() => {
      const stage = connected ? `no decisive answer within ${opts.timeoutMs} ms` : `${transport.waitingFor ?? 'no connection'} within ${opts.timeoutMs} ms`;
      finish(flight.interrupted(stage) ?? { kind: 'timeout', reason: stage });
    }, opts.timeoutMs);
    opts.signal.addEventListener('abort', onAbort, { once: true });

    const feedTls = (chunk: Buffer): void => {
      const events = reader.feed(chunk);
      pendingBytes = reader.buffered;
      const result = flight.onEvents(events);
      if (result) finish(result);
    };

    // Called by the transport: at once without a preamble, after STARTTLS otherwise.
    function wire(socket: net.Socket): void {
      socket.on('data', (chunk: Buffer) => {
        if (settled) return;
        flight.bytesRead += chunk.length;
        if (flight.bytesRead > LIMITS.maxBytesPerConnection) {
          const reason = `the server sent more than ${LIMITS.maxBytesPerConnection} bytes`;
          finish(flight.interrupted(reason) ?? { kind: 'protocol-error', reason });
          return;
        }
        if (!sslv2) {
          feedTls(chunk);
          return;
        }
        const v2 = sslv2.feed(chunk);
        pendingBytes = sslv2.pending;
        if (v2 === 'tls') {
          const all = sslv2.all();
          sslv2 = null;
          feedTls(all);
        } else if (v2) {
          finish(v2);
        }
      });
      socket.on('end', () => finish(flight.onEnd('fin', pendingBytes)));
      // 'close' follows 'end' or 'error' (already settled); alone it is a close all the same.
      socket.on('close', () => finish(flight.onEnd('fin', pendingBytes)));
      socket.on('error', (err: NodeJS.ErrnoException) => finish(socketErrorResult(err, flight, pendingBytes)));
    }
  });
}
