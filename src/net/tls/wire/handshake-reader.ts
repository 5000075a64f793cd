// Turns the server's byte stream into handshake messages, alerts and markers, incrementally: TCP
// may cut anywhere, a record may hold several messages and a message may span records. Every
// length is capped before anything is buffered; the first error ends the stream for good.
import { ByteQueue, type Result } from './bytes.js';
import { ContentType, LIMITS, alertName, handshakeTypeName } from './constants.js';
import { parseRecordHeader, RECORD_HEADER_LENGTH } from './records.js';

export type HandshakeEvent =
  | { kind: 'handshake'; msgType: number; body: Buffer }
  | { kind: 'alert'; level: number; description: number; name: string }
  | { kind: 'change-cipher-spec' }
  /** A record we cannot read: application data, or anything after the server's ChangeCipherSpec. */
  | { kind: 'encrypted'; contentType: number; length: number }
  | { kind: 'error'; error: string };

export interface HandshakeReaderOptions {
  maxBytes?: number;
  maxHandshakeMessage?: number;
  /**
   * Called after each handshake message until it returns an unprotector: from then on
   * application_data records are decrypted and read as the handshake/alert records they carry
   * (TLS 1.3 after the ServerHello). A string is an error that ends the stream.
   */
  unprotectAfter?: (msgType: number, body: Buffer) => RecordUnprotector | string | null;
}

/** Decrypts TLS 1.3 protected records (see tls13-keys.ts) so the encrypted flight can be read. */
export interface RecordUnprotector {
  decrypt(header: Buffer, fragment: Buffer): Result<{ contentType: number; data: Buffer }>;
}

export class HandshakeReader {
  private readonly pending = new ByteQueue();
  private readonly handshakeBuf = new ByteQueue();
  private total = 0;
  private failed = false;
  private afterCcs = false;
  private unprotector: RecordUnprotector | null = null;
  private readonly maxBytes: number;
  private readonly maxMessage: number;
  private readonly unprotectAfter: HandshakeReaderOptions['unprotectAfter'];

  constructor(opts: HandshakeReaderOptions = {}) {
    this.maxBytes = opts.maxBytes ?? LIMITS.maxBytesPerConnection;
    this.maxMessage = opts.maxHandshakeMessage ?? LIMITS.maxHandshakeMessage;
    this.unprotectAfter = opts.unprotectAfter;
  }

  get bytesRead(): number {
    return this.total;
  }

  /** Bytes received but not yet part of a whole record or handshake message. */
  get buffered(): number {
    return this.pending.length + this.handshakeBuf.length;
  }

  /** True once an error was reported: further input is ignored. */
  get stopped(): boolean {
    return this.failed;
  }

  feed(chunk: Buffer): HandshakeEvent[] {
    if (this.failed) return [];
    this.total += chunk.length;
    if (this.total > this.maxBytes) return this.error(`the server sent more than ${this.maxBytes} bytes`);
    this.pending.push(chunk);
    const events: HandshakeEvent[] = [];
    while (!this.failed && this.pending.length >= RECORD_HEADER_LENGTH) {
      // Checked on the header so an oversized or bogus record fails before we wait for it.
      const header = parseRecordHeader(this.pending.peek(RECORD_HEADER_LENGTH));
      if (!header.ok) {
        events.push(...this.error(header.error));
        break;
      }
      const end = RECORD_HEADER_LENGTH + header.value.length;
      if (this.pending.length < end) break;
      const record = this.pending.take(end);
      const fragment = record.subarray(RECORD_HEADER_LENGTH);
      if (this.unprotector && header.value.contentType === ContentType.applicationData) {
        events.push(...this.protectedRecord(record.subarray(0, RECORD_HEADER_LENGTH), fragment));
      } else {
        events.push(...this.record(header.value.contentType, fragment));
      }
    }
    return events;
  }

  private record(contentType: number, fragment: Buffer): HandshakeEvent[] {
    // A bare 2-byte alert is readable even after ChangeCipherSpec (a TLS 1.3 server may send one
    // in the clear); longer alert records there are encrypted.
    if (contentType === ContentType.alert && (!this.afterCcs || fragment.length === 2)) return this.alerts(fragment);
    if (this.afterCcs || contentType === ContentType.applicationData) {
      return [{ kind: 'encrypted', contentType, length: fragment.length }];
    }
    switch (contentType) {
      case ContentType.handshake:
        return this.handshake(fragment);
      case ContentType.changeCipherSpec:
        return this.changeCipherSpec(fragment);
      default:
        return this.error(`unexpected record of content type ${contentType} during the handshake`);
    }
  }

  private protectedRecord(header: Buffer, fragment: Buffer): HandshakeEvent[] {
    const inner = this.unprotector!.decrypt(header, fragment);
    if (!inner.ok) return this.error(inner.error);
    const { contentType, data } = inner.value;
    if (contentType === ContentType.alert) return this.alerts(data);
    if (contentType === ContentType.handshake) return this.handshake(data);
    return [{ kind: 'encrypted', contentType, length: data.length }];
  }

  private changeCipherSpec(fragment: Buffer): HandshakeEvent[] {
    if (fragment.length !== 1 || fragment[0] !== 1) return this.error('malformed ChangeCipherSpec');
    if (this.handshakeBuf.length > 0) return this.error('ChangeCipherSpec in the middle of a handshake message');
    this.afterCcs = true;
    return [{ kind: 'change-cipher-spec' }];
  }

  private alerts(fragment: Buffer): HandshakeEvent[] {
    if (fragment.length === 0 || fragment.length % 2 !== 0) return this.error(`alert record of ${fragment.length} bytes`);
    const out: HandshakeEvent[] = [];
    for (let i = 0; i < fragment.length; i += 2) {
      const level = fragment[i] ?? 0;
      const description = fragment[i + 1] ?? 0;
      if (level !== 1 && level !== 2) return [...out, ...this.error(`alert level ${level} is not warning/fatal`)];
      out.push({ kind: 'alert', level, description, name: alertName(description) });
    }
    return out;
  }

  private handshake(fragment: Buffer): HandshakeEvent[] {
    this.handshakeBuf.push(fragment);
    const out: HandshakeEvent[] = [];
    while (this.handshakeBuf.length >= 4) {
      const header = this.handshakeBuf.peek(4);
      const msgType = header[0] ?? 0;
      const length = header.readUIntBE(1, 3);
      // Checked on the header so an announced 16 MB message fails before we wait for it.
      if (length > this.maxMessage) {
        return [...out, ...this.error(`${handshakeTypeName(msgType)} of ${length} bytes exceeds the ${this.maxMessage}-byte cap`)];
      }
      if (this.handshakeBuf.length < 4 + length) break;
      const body = this.handshakeBuf.take(4 + length).subarray(4);
      out.push({ kind: 'handshake', msgType, body });
      if (this.unprotectAfter && !this.unprotector) {
        const next = this.unprotectAfter(msgType, body);
        if (typeof next === 'string') return [...out, ...this.error(next)];
        if (next) {
          // The key change must fall on a record boundary (RFC 8446 §5.1).
          if (this.handshakeBuf.length > 0) return [...out, ...this.error('handshake data after the ServerHello in the same record')];
          this.unprotector = next;
        }
      }
    }
    return out;
  }

  private error(error: string): HandshakeEvent[] {
    this.failed = true;
    this.pending.clear();
    this.handshakeBuf.clear();
    return [{ kind: 'error', error }];
  }
}
