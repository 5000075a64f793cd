// An HTTP/1.x response head (status line and header fields) read from a byte stream we own, for the
// clients that do not go through undici (HTTP over the raw TLS engine). Bounded and linear: bytes
// are scanned once for the blank line, the head may not exceed `maxBytes`, 1xx interim heads
// (103 Early Hints, 100 Continue) are skipped as clients do, the body is never looked at.

export interface ResponseHead {
  /** e.g. 'HTTP/1.1'. */
  version: string;
  status: number;
  reason: string;
  /** Names lower-cased, in arrival order, repeats kept (as pinned-request gives them). */
  headers: Array<[string, string]>;
}

export type HeadState = { kind: 'incomplete' } | { kind: 'head'; head: ResponseHead } | { kind: 'error'; reason: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: ([^\r\n]*))?$/;

/** One head's text (without its blank line) → the head, or why it is malformed. */
export function parseResponseHead(text: string): ResponseHead | string {
  const lines = text.split(/\r?\n/);
  const m = STATUS_LINE.exec(lines[0] ?? '');
  if (!m) return `not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`;
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    // RFC 9112 §5.2: obsolete line folding may be replaced by a space.
    if (/^[ \t]/.test(line) && headers.length) {
      const last = headers[headers.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) return `malformed header line: ${JSON.stringify(line.slice(0, 80))}`;
    headers.push([name.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers };
}

/** Collects bytes until a final (non-1xx) response head is complete, within `maxBytes` in all. */
export class ResponseHeadReader {
  /** Room for the cap and one byte more (the byte that proves a head too long); filled up to `length`. */
  private readonly buf: Buffer;
  private length = 0;
  /** Where the blank-line search resumes: bytes before it were already scanned. */
  private scanned = 0;
  private start = 0;
  private state: HeadState = { kind: 'incomplete' };

  constructor(private readonly maxBytes: number) {
    this.buf = Buffer.alloc(maxBytes + 1);
  }

  get result(): HeadState {
    return this.state;
  }

  push(chunk: Buffer): HeadState {
    if (this.state.kind !== 'incomplete') return this.state;
    // Copied once into a fixed buffer: only what can still belong to a head is kept.
    this.length += chunk.copy(this.buf, this.length, 0, Math.min(chunk.length, this.buf.length - this.length));
    for (;;) {
      const end = this.blankLine();
      if (end === null) {
        if (this.length > this.maxBytes) this.state = { kind: 'error', reason: `the response head exceeds ${this.maxBytes} bytes` };
        return this.state;
      }
      const parsed = parseResponseHead(this.buf.subarray(this.start, end.at).toString('latin1'));
      if (typeof parsed === 'string') return (this.state = { kind: 'error', reason: parsed });
      this.start = this.scanned = end.after;
      // 101 would switch protocols: we never ask for it, so it is the answer.
      if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) continue;
      return (this.state = { kind: 'head', head: parsed });
    }
  }

  /** The next empty line after `start`: where the head text ends and the next bytes begin. */
  private blankLine(): { at: number; after: number } | null {
    const b = this.buf;
    const n = this.length;
    for (let i = Math.max(this.scanned, this.start); i < n; i++) {
      if (b[i] !== 0x0a) continue;
      // "\n\n" or "\n\r\n" ends the head (bare LF tolerated, as browsers do); too few bytes yet to
      // tell: look here again next time.
      const crBefore = i > this.start && b[i - 1] === 0x0d;
      if (i + 1 >= n || (b[i + 1] === 0x0d && i + 2 >= n)) {
        this.scanned = i;
        return null;
      }
      if (b[i + 1] === 0x0a) return { at: crBefore ? i - 1 : i, after: i + 2 };
      if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return { at: crBefore ? i - 1 : i, after: i + 3 };
    }
    this.scanned = n;
    return null;
  }
}
