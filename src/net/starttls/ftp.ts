// FTP AUTH TLS (RFC 4217 §4): greeting 220 (a 120 "ready in n minutes" comes first on busy
// servers), FEAT (RFC 2389) to see whether AUTH TLS is listed, then `AUTH TLS` → 234.
// Multi-line replies (RFC 959 §4.2): `ddd-` … `ddd ` with the same code; lines between are free text.
import { printable, soundsBusy, type DialogueIo, type LineProtocol } from './runner.js';

export const ftpDialogue = (): LineProtocol => {
  let stage: 'greeting' | 'feat' | 'auth' = 'greeting';
  let open: string | null = null;
  let lines: string[] = [];
  const onReply = (code: number, text: string[], io: DialogueIo): void => {
    const ev = io.evidence;
    const first = `${code} ${printable(text[0] ?? '', 120)}`;
    if (stage === 'greeting') {
      if (code >= 100 && code < 200) return io.wait('no FTP greeting after its 1xx');
      ev.greeting = printable(text.join('\n'));
      if (code === 421 || (code >= 400 && soundsBusy(text.join(' ')))) return io.fail('throttled', `the server greeted with ${first}`);
      if (code !== 220) return io.fail(code >= 400 ? 'greeting-error' : 'protocol-error', `the server greeted with ${first}`);
      stage = 'feat';
      return io.send('FEAT\r\n', 'no reply to FEAT');
    }
    if (stage === 'feat') {
      if (code === 211) {
        ev.capabilities = text.slice(1, -1).map((l) => printable(l.trim(), 200).toUpperCase()).filter(Boolean);
        ev.starttlsOffered = ev.capabilities.some((c) => /^AUTH\b.*\bTLS\b/.test(c));
        if (!ev.starttlsOffered) return io.fail('no-starttls', 'the server does not list AUTH TLS among its features', 'QUIT\r\n');
      } else if (code === 421) {
        return io.fail('throttled', `FEAT answered ${first}`);
      }
      // No FEAT (5xx): AUTH TLS is asked all the same.
      stage = 'auth';
      return io.send('AUTH TLS\r\n', 'no reply to AUTH TLS');
    }
    if (code === 234) return io.proceed(first);
    if (code === 421) return io.fail('throttled', `AUTH TLS answered ${first}`);
    const notOffered = code === 500 || code === 502 || code === 504;
    io.fail(notOffered ? 'no-starttls' : 'starttls-refused', `AUTH TLS answered ${first}`, 'QUIT\r\n');
  };
  return {
    protocol: 'ftp',
    framing: 'lines',
    first: 'no FTP greeting',
    onLine(line, io) {
      if (lines.length >= 200) return io.fail('protocol-error', 'a reply of more than 200 lines');
      const m = /^([1-5]\d\d)([ -]|$)(.*)$/.exec(line);
      if (open === null) {
        if (!m) return io.fail('protocol-error', `not an FTP reply line: ${printable(line, 120)}`);
        lines = [m[3] ?? ''];
        if (m[2] === '-') {
          open = m[1] ?? '';
          return;
        }
        return onReply(Number(m[1]), lines, io);
      }
      lines.push(m && m[1] === open ? (m[3] ?? '') : line);
      if (m && m[1] === open && m[2] !== '-') {
        const code = Number(open);
        open = null;
        onReply(code, lines, io);
      }
    },
  };
};
