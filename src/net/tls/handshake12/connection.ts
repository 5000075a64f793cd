// The record side of a raw TLS 1.0–1.2 handshake: reads records from a RawSession, decrypts them
// once the server's ChangeCipherSpec switched keys, and hands out whole handshake messages (raw
// bytes kept for the transcript), ChangeCipherSpec, alerts, application data once protected, or
// how the connection ended.
import { ByteQueue, Writer } from '../wire/bytes.js';
import { alertName, ContentType, handshakeTypeName, LIMITS } from '../wire/constants.js';
import type { RawSession } from '../raw-session.js';
import type { RecordCipher } from './record-cipher.js';

export type Incoming =
  /** `raw`: the message with its 4-byte header, as the transcript hashes it. */
  | { kind: 'message'; type: number; body: Buffer; raw: Buffer }
  | { kind: 'ccs' }
  /** Application data, decrypted: only once reading is protected (before that it is an error). */
  | { kind: 'data'; data: Buffer }
  | { kind: 'alert'; level: number; description: number; name: string }
  /** `clean`: a FIN with nothing of a record pending (a refusal when it comes before the ServerHello). */
  | { kind: 'end'; reason: string; clean: boolean }
  | { kind: 'error'; reason: string };

const MAX_FRAGMENT = 16384;

export class HandshakeConnection {
  private readonly handshakeBytes = new ByteQueue();
  private readCipher: RecordCipher | null = null;
  private writeCipher: RecordCipher | null = null;
  /** Record-layer version: the hello's until the ServerHello, then the negotiated one. */
  recordVersion = 0x0301;

  constructor(private readonly session: RawSession) {}

  /** From now on incoming records are decrypted with `cipher` (call at the server's ChangeCipherSpec). */
  startReading(cipher: RecordCipher): void {
    this.readCipher = cipher;
  }

  /** From now on outgoing records are encrypted with `cipher` (call after sending ChangeCipherSpec). */
  startWriting(cipher: RecordCipher): void {
    this.writeCipher = cipher;
  }

  /** One or more records of `type` carrying `data`, protected when writing is encrypted. */
  records(type: number, data: Buffer): Buffer {
    const w = new Writer();
    for (let i = 0; i === 0 || i < data.length; i += MAX_FRAGMENT) {
      const chunk = data.subarray(i, i + MAX_FRAGMENT);
      w.u8(type).u16(this.recordVersion).vector16(this.writeCipher ? this.writeCipher.encrypt(type, chunk) : chunk);
    }
    return w.toBuffer();
  }

  send(bytes: Buffer): void {
    this.session.send(bytes);
  }

  /**
   * close_notify, FIN, then wait (at most `waitMs`) for the server to close too: OpenSSL drops a
   * session from its cache when the peer just vanishes, and a proxy in between only passes a FIN on.
   */
  async closeGracefully(waitMs: number): Promise<void> {
    this.send(this.records(ContentType.alert, Buffer.from([1, 0])));
    this.session.halfClose();
    const until = Date.now() + waitMs;
    for (let left = waitMs; left > 0; left = until - Date.now()) {
      const ev = await this.session.next(left);
      if (ev.kind !== 'record') return;
    }
  }

  async next(): Promise<Incoming> {
    for (;;) {
      const message = this.takeMessage();
      if (message) return message;
      const ev = await this.session.next();
      if (ev.kind === 'silent') continue;
      if (ev.kind !== 'record') {
        const midRecord = 'midRecord' in ev && ev.midRecord;
        return { kind: 'end', reason: `${ev.reason}${midRecord ? ' (in the middle of a record)' : ''}`, clean: ev.kind === 'closed' && !midRecord };
      }
      let data = ev.fragment;
      if (this.readCipher) {
        const plain = this.readCipher.decrypt(ev.contentType, data);
        if (!plain.ok) return { kind: 'error', reason: `a protected record from the server: ${plain.error}` };
        data = plain.value;
      }
      switch (ev.contentType) {
        case ContentType.handshake:
          this.handshakeBytes.push(data);
          continue;
        case ContentType.changeCipherSpec:
          if (this.handshakeBytes.length > 0) return { kind: 'error', reason: 'ChangeCipherSpec in the middle of a handshake message' };
          if (data.length !== 1 || data[0] !== 1) return { kind: 'error', reason: 'malformed ChangeCipherSpec' };
          return { kind: 'ccs' };
        case ContentType.alert: {
          if (data.length < 2) return { kind: 'error', reason: `an alert record of ${data.length} bytes` };
          const description = data[1]!;
          return { kind: 'alert', level: data[0]!, description, name: alertName(description) };
        }
        case ContentType.applicationData:
          if (!this.readCipher) return { kind: 'error', reason: 'application data before the handshake protected it' };
          return { kind: 'data', data };
        default:
          return { kind: 'error', reason: `a record of content type ${ev.contentType} during the handshake` };
      }
    }
  }

  private takeMessage(): Incoming | null {
    const q = this.handshakeBytes;
    if (q.length < 4) return null;
    const header = q.peek(4);
    const length = header.readUIntBE(1, 3);
    // Judged on the header, so an announced 16 MB message fails before we wait for it.
    if (length > LIMITS.maxHandshakeMessage) {
      return { kind: 'error', reason: `${handshakeTypeName(header[0]!)} of ${length} bytes exceeds the ${LIMITS.maxHandshakeMessage}-byte cap` };
    }
    if (q.length < 4 + length) return null;
    const raw = q.take(4 + length);
    return { kind: 'message', type: raw[0]!, body: raw.subarray(4), raw };
  }
}
