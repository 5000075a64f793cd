/** SMTP reply parsing (RFC 5321 §4.2) and its bounds. */
import { describe, expect, it } from 'vitest';
import { parseEhloKeywords, ReplyReader, SMTP_LIMITS, type ReplyEvent } from '../../src/net/smtp/reply.js';

function readAll(reader: ReplyReader): ReplyEvent[] {
  const out: ReplyEvent[] = [];
  for (let ev = reader.next(); ev; ev = reader.next()) out.push(ev);
  return out;
}

function feed(text: string | Buffer, limits = SMTP_LIMITS): ReplyEvent[] {
  const reader = new ReplyReader(limits);
  reader.feed(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
  return readAll(reader);
}

describe('ReplyReader', () => {
  it('reads a one-line reply and a multiline reply, with the byte offset where each ends', () => {
    const evs = feed('220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
    expect(evs).toEqual([
      { kind: 'reply', reply: { code: 220, lines: ['mx.example ESMTP'] }, end: 22 },
      { kind: 'reply', reply: { code: 250, lines: ['mx.example', 'PIPELINING', 'STARTTLS'] }, end: 68 },
    ]);
  });

  it('accepts bare LF line ends and a bare code without text', () => {
    expect(feed('220\n250 ok\n')).toEqual([
      { kind: 'reply', reply: { code: 220, lines: [''] }, end: 4 },
      { kind: 'reply', reply: { code: 250, lines: ['ok'] }, end: 11 },
    ]);
  });

  it('assembles a reply delivered one byte at a time', () => {
    const reader = new ReplyReader();
    const wire = Buffer.from('220-first\r\n220 second\r\n');
    const seen: ReplyEvent[] = [];
    for (const byte of wire) {
      reader.feed(Buffer.of(byte));
      seen.push(...readAll(reader));
    }
    expect(seen).toEqual([{ kind: 'reply', reply: { code: 220, lines: ['first', 'second'] }, end: wire.length }]);
    expect(reader.bytesRead).toBe(wire.length);
    expect(reader.pendingBytes).toBe(0);
  });

  it('knows when it is in the middle of a reply', () => {
    const reader = new ReplyReader();
    reader.feed(Buffer.from('250-one\r\n250-tw'));
    expect(readAll(reader)).toEqual([]);
    expect(reader.midReply).toBe(true);
    expect(reader.pendingBytes).toBe(6);
  });

  it('fails on a line longer than the bound as soon as the bytes exceed it, without a line end', () => {
    const reader = new ReplyReader();
    reader.feed(Buffer.from('220 '));
    reader.feed(Buffer.alloc(SMTP_LIMITS.maxLineBytes, 0x41));
    expect(readAll(reader)).toEqual([{ kind: 'error', reason: `a reply line longer than ${SMTP_LIMITS.maxLineBytes} bytes` }]);
    // Stays failed: more bytes are ignored.
    reader.feed(Buffer.from('\r\n250 ok\r\n'));
    expect(readAll(reader)).toEqual([]);
  });

  it('fails on a long line that does end within the chunk', () => {
    const evs = feed(`250 ${'x'.repeat(3000)}\r\n`);
    expect(evs).toEqual([{ kind: 'error', reason: `a reply line longer than ${SMTP_LIMITS.maxLineBytes} bytes` }]);
  });

  it('accepts a line at the bound', () => {
    const line = `250 ${'x'.repeat(SMTP_LIMITS.maxLineBytes - 6)}\r\n`;
    expect(Buffer.byteLength(line)).toBe(SMTP_LIMITS.maxLineBytes);
    expect(feed(line)[0]?.kind).toBe('reply');
  });

  it('fails on a reply of more lines than the bound', () => {
    const text = `${'250-x\r\n'.repeat(SMTP_LIMITS.maxLinesPerReply)}250 x\r\n`;
    expect(feed(text)).toEqual([{ kind: 'error', reason: `a reply of more than ${SMTP_LIMITS.maxLinesPerReply} lines` }]);
    expect(feed(`${'250-x\r\n'.repeat(SMTP_LIMITS.maxLinesPerReply - 1)}250 x\r\n`)[0]?.kind).toBe('reply');
  });

  it('fails once the dialogue exceeds the total byte bound', () => {
    const reader = new ReplyReader({ ...SMTP_LIMITS, maxTotalBytes: 100 });
    reader.feed(Buffer.from('250-0123456789\r\n'.repeat(6)));
    expect(readAll(reader)).toEqual([]);
    reader.feed(Buffer.from('250-0123456789\r\n'.repeat(2)));
    expect(readAll(reader)).toEqual([{ kind: 'error', reason: 'the server sent more than 100 bytes in the SMTP dialogue' }]);
  });

  it('fails on a code change inside a multiline reply', () => {
    expect(feed('250-one\r\n251 two\r\n')).toEqual([{ kind: 'error', reason: 'reply code 251 in the middle of a 250 reply' }]);
  });

  it('fails on bytes that are not a reply (a TLS record, HTTP, a bad separator)', () => {
    const tls = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x0a]);
    expect(feed(tls)[0]).toMatchObject({ kind: 'error', reason: expect.stringMatching(/^not an SMTP reply line: "\\x16\\x03/) });
    expect(feed('HTTP/1.1 400 Bad Request\r\n')[0]).toMatchObject({ kind: 'error', reason: expect.stringContaining('not an SMTP reply line') });
    expect(feed('250_ok\r\n')[0]).toMatchObject({ kind: 'error' });
    expect(feed('650 six hundred\r\n')[0]).toMatchObject({ kind: 'error' });
  });

  it('shows control characters in reply text escaped', () => {
    expect(feed('220 a\x1b[31mb\r\n')).toEqual([{ kind: 'reply', reply: { code: 220, lines: ['a\\x1b[31mb'] }, end: 13 }]);
  });
});

describe('parseEhloKeywords', () => {
  it('upper-cases keywords, keeps parameters, skips the greeting line and reports malformed lines', () => {
    const reply = { code: 250, lines: ['mx.example Hello', 'size 35882577', 'PIPELINING', 'AUTH PLAIN LOGIN', 'STARTTLS', 'REQUIRETLS', '8BITMIME', '-bad', ''] };
    const { extensions, malformed } = parseEhloKeywords(reply);
    expect(extensions).toEqual([
      { keyword: 'SIZE', params: ['35882577'] },
      { keyword: 'PIPELINING', params: [] },
      { keyword: 'AUTH', params: ['PLAIN', 'LOGIN'] },
      { keyword: 'STARTTLS', params: [] },
      { keyword: 'REQUIRETLS', params: [] },
      { keyword: '8BITMIME', params: [] },
    ]);
    expect(malformed).toEqual(['-bad', '']);
  });

  it('a one-line 250 has no extensions', () => {
    expect(parseEhloKeywords({ code: 250, lines: ['mx.example'] })).toEqual({ extensions: [], malformed: [] });
  });
});

describe('ReplyReader on an unfinished line', () => {
  it('fails at once when the first bytes cannot start a reply line', () => {
    expect(feed(Buffer.from([0x16, 0x03]))).toEqual([{ kind: 'error', reason: 'not an SMTP reply line: "\\x16\\x03"' }]);
    expect(feed('GET / HTTP/1.1')[0]).toMatchObject({ kind: 'error' });
    expect(feed('220x')[0]).toMatchObject({ kind: 'error' });
  });

  it('waits while the bytes so far can still be a reply line', () => {
    for (const partial of ['2', '22', '220', '220 ', '220-mx', '250 ok\r\n2', '220\r']) expect(feed(partial), partial).toEqual(partial.includes('\n') ? [expect.objectContaining({ kind: 'reply' })] : []);
  });
});
