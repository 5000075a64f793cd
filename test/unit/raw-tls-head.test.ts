// The response-head reader of the raw-TLS HTTP client: heads split across records, the 64 KiB-style
// cap (including interim 1xx heads), bare LF, folding, malformed lines, and the same-host redirect
// rule the HSTS fallback follows.
import { describe, expect, it } from 'vitest';
import { sameHostHttpsRedirect } from '../../src/http/hsts-raw.js';
import { parseResponseHead, ResponseHeadReader } from '../../src/net/http/response-head.js';

const feed = (reader: ResponseHeadReader, text: string, chunk = text.length) => {
  let state = reader.result;
  for (let i = 0; i < text.length; i += chunk) state = reader.push(Buffer.from(text.slice(i, i + chunk), 'latin1'));
  return state;
};

describe('ResponseHeadReader', () => {
  const head = 'HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\nX-A: 1\r\nx-a: 2\r\n\r\n<html>body';

  it('reads the head however the bytes are split, names lower-cased, repeats kept, body ignored', () => {
    for (const chunk of [1, 2, 3, 7, head.length]) {
      const state = feed(new ResponseHeadReader(1024), head, chunk);
      expect(state, `chunk ${chunk}`).toEqual({
        kind: 'head',
        head: { version: 'HTTP/1.1', status: 200, reason: 'OK', headers: [['strict-transport-security', 'max-age=31536000'], ['x-a', '1'], ['x-a', '2']] },
      });
    }
  });

  it('tolerates bare LF line ends and skips interim 1xx heads', () => {
    const state = feed(new ResponseHeadReader(1024), 'HTTP/1.1 103 Early Hints\nLink: </a.css>\n\nHTTP/1.1 301 Moved\nLocation: /x\n\n', 5);
    expect(state).toMatchObject({ kind: 'head', head: { status: 301, headers: [['location', '/x']] } });
  });

  it('stops at the cap, interim heads counted, without waiting for more', () => {
    const reader = new ResponseHeadReader(100);
    expect(feed(reader, `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(200)}`)).toEqual({ kind: 'error', reason: 'the response head exceeds 100 bytes' });
    // Once decided, more bytes change nothing (and are not kept).
    expect(reader.push(Buffer.from('\r\n\r\n'))).toMatchObject({ kind: 'error' });
    const interim = `HTTP/1.1 100 Continue\r\n\r\n`.repeat(5) + 'HTTP/1.1 200 OK\r\n\r\n';
    expect(feed(new ResponseHeadReader(100), interim)).toMatchObject({ kind: 'error' });
    expect(feed(new ResponseHeadReader(200), interim)).toMatchObject({ kind: 'head', head: { status: 200 } });
  });

  it('is incomplete until the blank line, and reads a long head fed byte by byte', () => {
    expect(feed(new ResponseHeadReader(1024), 'HTTP/1.1 200 OK\r\nX: 1\r\n')).toEqual({ kind: 'incomplete' });
    expect(feed(new ResponseHeadReader(1024), 'HTTP/1.1 204 No Content\n\n', 1)).toMatchObject({ kind: 'head', head: { status: 204 } });
    expect(feed(new ResponseHeadReader(1024), 'HTTP/1.1 204 No Content\r\n\r\n', 1)).toMatchObject({ kind: 'head', head: { status: 204 } });
    const long = `HTTP/1.1 200 OK\r\n${'X-Pad: 0123456789\r\n'.repeat(3000)}\r\n`;
    // Byte by byte over ~57 KB: each byte is copied and scanned once (a fixed buffer, a resumed scan).
    const state = feed(new ResponseHeadReader(64 * 1024), long, 1);
    expect(state).toMatchObject({ kind: 'head', head: { headers: expect.arrayContaining([['x-pad', '0123456789']]) } });
    if (state.kind === 'head') expect(state.head.headers).toHaveLength(3000);
  });
});

describe('parseResponseHead', () => {
  it('folds obsolete continuation lines and rejects what is not HTTP', () => {
    expect(parseResponseHead('HTTP/1.0 200 OK\r\nStrict-Transport-Security: max-age=1;\r\n includeSubDomains')).toMatchObject({
      headers: [['strict-transport-security', 'max-age=1; includeSubDomains']],
    });
    expect(parseResponseHead('HTTP/1.1 200')).toMatchObject({ status: 200, reason: '' });
    expect(parseResponseHead('SSH-2.0-OpenSSH')).toMatch(/^not an HTTP\/1\.x status line/);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nno colon here')).toMatch(/^malformed header line/);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nbad name: x')).toMatch(/^malformed header line/);
  });
});

describe('sameHostHttpsRedirect', () => {
  const from = new URL('https://site.test:8443/');
  it('follows only redirects to https on the same host and port', () => {
    expect(sameHostHttpsRedirect(from, 301, '/home')?.href).toBe('https://site.test:8443/home');
    expect(sameHostHttpsRedirect(from, 308, 'https://SITE.test:8443/a')?.href).toBe('https://site.test:8443/a');
    expect(sameHostHttpsRedirect(from, 302, 'https://other.test:8443/')).toBeNull();
    expect(sameHostHttpsRedirect(from, 302, 'https://site.test/')).toBeNull();
    expect(sameHostHttpsRedirect(from, 302, 'http://site.test:8443/')).toBeNull();
    expect(sameHostHttpsRedirect(from, 200, '/home')).toBeNull();
    expect(sameHostHttpsRedirect(from, 301, null)).toBeNull();
  });
});
