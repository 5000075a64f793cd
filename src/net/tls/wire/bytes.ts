// Bounded byte reading and writing for the TLS wire layer. The Reader never throws: reading past
// the end records the first error and returns zeros / empty buffers, so a parser can read a whole
// structure and check `reader.error` once, instead of guarding every field.

/** The result every wire parser returns: hostile input yields an error string, never an exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Result<T> => ({ ok: false, error });

const EMPTY = Buffer.alloc(0);

export class Reader {
  private pos = 0;
  private err: string | null = null;

  constructor(private readonly buf: Buffer) {}

  /** The first error met, or null. */
  get error(): string | null {
    return this.err;
  }

  get failed(): boolean {
    return this.err !== null;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.err === null ? this.buf.length - this.pos : 0;
  }

  /** Records an error (the first one wins, it is the cause of the rest). */
  fail(message: string): void {
    if (this.err === null) this.err = message;
  }

  /** True when `n` more bytes are present; records an error naming `what` otherwise. */
  private need(n: number, what: string): boolean {
    if (this.err !== null) return false;
    if (n > this.buf.length - this.pos) {
      this.fail(`truncated ${what}: need ${n} bytes, have ${this.buf.length - this.pos}`);
      return false;
    }
    return true;
  }

  u8(what = 'u8'): number {
    if (!this.need(1, what)) return 0;
    return this.buf[this.pos++] ?? 0;
  }

  u16(what = 'u16'): number {
    if (!this.need(2, what)) return 0;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    if (!this.need(3, what)) return 0;
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(what = 'u32'): number {
    if (!this.need(4, what)) return 0;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** `n` bytes as a view into the input (no copy). */
  bytes(n: number, what = 'bytes'): Buffer {
    if (!Number.isInteger(n) || n < 0) {
      this.fail(`bad length ${n} for ${what}`);
      return EMPTY;
    }
    if (!this.need(n, what)) return EMPTY;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything left. */
  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  vector8(what = 'vector8', min = 0, max = 0xff): Buffer {
    return this.vector(this.u8(`${what} length`), what, min, max);
  }

  vector16(what = 'vector16', min = 0, max = 0xffff): Buffer {
    return this.vector(this.u16(`${what} length`), what, min, max);
  }

  vector24(what = 'vector24', min = 0, max = 0xffffff): Buffer {
    return this.vector(this.u24(`${what} length`), what, min, max);
  }

  private vector(len: number, what: string, min: number, max: number): Buffer {
    if (this.err !== null) return EMPTY;
    if (len < min || len > max) {
      this.fail(`${what} length ${len} outside ${min}..${max}`);
      return EMPTY;
    }
    return this.bytes(len, what);
  }

  /** Records an error unless every byte was consumed. */
  expectEnd(what: string): boolean {
    if (this.err !== null) return false;
    if (this.pos !== this.buf.length) {
      this.fail(`${this.buf.length - this.pos} trailing bytes after ${what}`);
      return false;
    }
    return true;
  }
}

type Content = Buffer | ((w: Writer) => void);

/** An append-only builder. Throws RangeError on values that do not fit: those are caller bugs. */
export class Writer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  bytes(b: Buffer | Uint8Array): this {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
    this.chunks.push(buf);
    this.size += buf.length;
    return this;
  }

  u8(v: number): this {
    return this.uint(v, 1);
  }

  u16(v: number): this {
    return this.uint(v, 2);
  }

  u24(v: number): this {
    return this.uint(v, 3);
  }

  u32(v: number): this {
    return this.uint(v, 4);
  }

  private uint(v: number, width: number): this {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** (8 * width)) {
      throw new RangeError(`${v} does not fit in ${width} byte(s)`);
    }
    const b = Buffer.alloc(width);
    b.writeUIntBE(v, 0, width);
    return this.bytes(b);
  }

  /** A length-prefixed vector; `content` is bytes or a callback writing into a fresh Writer. */
  vector8(content: Content): this {
    return this.vector(content, 1);
  }

  vector16(content: Content): this {
    return this.vector(content, 2);
  }

  vector24(content: Content): this {
    return this.vector(content, 3);
  }

  private vector(content: Content, width: number): this {
    const body = Buffer.isBuffer(content) ? content : Writer.build(content);
    this.uint(body.length, width);
    return this.bytes(body);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  static build(fn: (w: Writer) => void): Buffer {
    const w = new Writer();
    fn(w);
    return w.toBuffer();
  }
}

/** Bit length of an unsigned big-endian integer (leading zero bytes ignored). */
export function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  const top = b[i] ?? 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(top));
}

/**
 * A FIFO of received chunks. Bytes are merged only when a caller needs them contiguous, and only
 * once a whole unit (record, message) is present, so a peer that trickles tiny chunks or records
 * cannot make us copy quadratically.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.size += b.length;
  }

  /** The first `n` bytes (n ≤ length), contiguous; merges the leading chunks if needed. */
  peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    let got = 0;
    let count = 0;
    while (got < n && count < this.chunks.length) got += this.chunks[count++]?.length ?? 0;
    const merged = Buffer.concat(this.chunks.slice(0, count), got);
    this.chunks.splice(0, count, merged);
    return merged.subarray(0, Math.min(n, got));
  }

  /** Removes and returns the first `n` bytes (n ≤ length) as a copy owned by the caller. */
  take(n: number): Buffer {
    const out = Buffer.from(this.peek(n));
    this.skip(out.length);
    return out;
  }

  private skip(n: number): void {
    const first = this.chunks[0];
    if (!first) return;
    if (first.length > n) this.chunks[0] = first.subarray(n);
    else this.chunks.shift();
    this.size -= n;
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}
