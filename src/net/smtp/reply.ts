// SMTP replies off the wire (RFC 5321 §4.2): `250-first`, `250-second`, `250 last`. Pure and
// bounded: a line longer than SMTP_LIMITS.maxLineBytes, a reply of more than maxLinesPerReply
// lines or a dialogue of more than maxTotalBytes is an error as soon as it is seen, never buffered.

export interface SmtpLimits {
  maxLineBytes: number;
  maxLinesPerReply: number;
  maxTotalBytes: number;
}

export const SMTP_LIMITS: Readonly<SmtpLimits> = {
  /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; we tolerate four times that. */
  maxLineBytes: 2048,
  maxLinesPerReply: 100,
  /** Everything the server may send before the TLS handshake (or the QUIT reply). */
  maxTotalBytes: 64 * 1024,
};

export interface SmtpReply {
  code: number;
  /** Each line's text after the code and its separator, control characters shown as `\xNN`. */
  lines: string[];
}

/** `end`: how many bytes of the stream the reply took up to its last line end (for bytes sent after it). */
export type ReplyEvent = { kind: 'reply'; reply: SmtpReply; end: number } | { kind: 'error'; reason: string };

/** A readable preview of bytes that are not what we expected. */
export function previewBytes(bytes: Buffer, max = 40): string {
  return `"${printable(bytes.subarray(0, max).toString('latin1')).replace(/"/g, '\\"')}"${bytes.length > max ? '…' : ''}`;
}

function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Feeds on raw bytes, hands out whole replies; after an error it stays failed. */
export class ReplyReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private total = 0;
  /** Bytes consumed by whole lines. */
  private consumed = 0;
  private partial: SmtpReply | null = null;
  private readonly out: ReplyEvent[] = [];
  private failed: string | null = null;

  constructor(private readonly limits: Readonly<SmtpLimits> = SMTP_LIMITS) {}

  /** Bytes received so far. */
  get bytesRead(): number {
    return this.total;
  }

  /** Bytes of an unfinished line (received but not yet part of a reply). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Inside a multiline reply whose last line has not come yet. */
  get midReply(): boolean {
    return this.partial !== null;
  }

  feed(chunk: Buffer): void {
    if (this.failed) return;
    this.total += chunk.length;
    if (this.total > this.limits.maxTotalBytes) {
      this.fail(`the server sent more than ${this.limits.maxTotalBytes} bytes in the SMTP dialogue`);
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain(chunk);
  }

  /** The next whole reply or the error, in order; null when more bytes are needed. */
  next(): ReplyEvent | null {
    return this.out.shift() ?? null;
  }

  private drain(latest: Buffer): void {
    // Only the newest chunk can hold a new line end: earlier ones were searched already.
    if (latest.indexOf(0x0a) === -1) {
      if (this.buffered > this.limits.maxLineBytes) this.fail(`a reply line longer than ${this.limits.maxLineBytes} bytes`);
      else this.checkStart();
      return;
    }
    let data = Buffer.concat(this.chunks);
    this.chunks = [];
    let lf: number;
    while (!this.failed && (lf = data.indexOf(0x0a)) !== -1) {
      if (lf + 1 > this.limits.maxLineBytes) {
        this.fail(`a reply line longer than ${this.limits.maxLineBytes} bytes`);
        return;
      }
      const end = lf > 0 && data[lf - 1] === 0x0d ? lf - 1 : lf;
      this.consumed += lf + 1;
      this.line(data.subarray(0, end));
      data = data.subarray(lf + 1);
    }
    if (this.failed) return;
    if (data.length > this.limits.maxLineBytes) {
      this.fail(`a reply line longer than ${this.limits.maxLineBytes} bytes`);
      return;
    }
    if (data.length) this.chunks.push(data);
    this.buffered = data.length;
    this.checkStart();
  }

  /** An unfinished line that cannot become a reply line (TLS bytes, HTTP …) fails now, not at the deadline. */
  private checkStart(): void {
    if (this.buffered === 0 || this.failed) return;
    const pending = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const ok = [/[1-5]/, /[0-9]/, /[0-9]/, /[ \r-]/].every((re, i) => i >= pending.length || re.test(String.fromCharCode(pending[i]!)));
    if (!ok) this.fail(`not an SMTP reply line: ${previewBytes(pending)}`);
  }

  private line(raw: Buffer): void {
    const text = raw.toString('latin1');
    const m = /^([1-5][0-9][0-9])([ -]|$)/.exec(text);
    if (!m) {
      this.fail(`not an SMTP reply line: ${previewBytes(raw)}`);
      return;
    }
    const code = Number(m[1]);
    const more = m[2] === '-';
    const body = printable(text.slice(4));
    if (this.partial && this.partial.code !== code) {
      this.fail(`reply code ${code} in the middle of a ${this.partial.code} reply`);
      return;
    }
    const reply = this.partial ?? { code, lines: [] };
    reply.lines.push(body);
    if (reply.lines.length > this.limits.maxLinesPerReply) {
      this.fail(`a reply of more than ${this.limits.maxLinesPerReply} lines`);
      return;
    }
    if (more) {
      this.partial = reply;
      return;
    }
    this.partial = null;
    this.out.push({ kind: 'reply', reply, end: this.consumed });
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = reason;
    this.chunks = [];
    this.buffered = 0;
    this.out.push({ kind: 'error', reason });
  }
}

export interface SmtpExtension {
  /** Upper-cased EHLO keyword, e.g. STARTTLS, SIZE, PIPELINING, REQUIRETLS. */
  keyword: string;
  params: string[];
}

/** The service extensions of a 250 reply to EHLO (RFC 5321 §4.1.1.1): every line but the first. */
export function parseEhloKeywords(reply: SmtpReply): { extensions: SmtpExtension[]; malformed: string[] } {
  const extensions: SmtpExtension[] = [];
  const malformed: string[] = [];
  for (const line of reply.lines.slice(1)) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    // ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(keyword)) {
      malformed.push(line);
      continue;
    }
    extensions.push({ keyword: keyword.toUpperCase(), params });
  }
  return { extensions, malformed };
}
