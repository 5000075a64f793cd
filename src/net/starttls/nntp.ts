// NNTP STARTTLS (RFC 4642, RFC 3977 §5.2): greeting 200/201, CAPABILITIES (101 + a list ended by
// "."), then `STARTTLS` → 382. 400 is "service temporarily unavailable" (come back later).
import { printable, type DialogueIo, type LineProtocol } from './runner.js';

export const nntpDialogue = (): LineProtocol => {
  let stage: 'greeting' | 'caps' | 'caps-list' | 'starttls' = 'greeting';
  const starttls = (io: DialogueIo): void => {
    stage = 'starttls';
    io.send('STARTTLS\r\n', 'no reply to STARTTLS');
  };
  return {
    protocol: 'nntp',
    framing: 'lines',
    first: 'no NNTP greeting',
    onLine(line, io) {
      const ev = io.evidence;
      if (stage === 'caps-list') {
        if (line !== '.') {
          ev.capabilities.push(printable(line, 200).toUpperCase());
          return;
        }
        ev.starttlsOffered = ev.capabilities.some((c) => c.split(' ')[0] === 'STARTTLS');
        if (!ev.starttlsOffered) return io.fail('no-starttls', 'the server does not list STARTTLS among its capabilities', 'QUIT\r\n');
        return starttls(io);
      }
      const m = /^([1-5]\d\d)(?: |$)/.exec(line);
      if (!m) return io.fail('protocol-error', `not an NNTP status line: ${printable(line, 120)}`);
      const code = Number(m[1]);
      const said = printable(line, 120);
      if (stage === 'greeting') {
        ev.greeting = printable(line);
        if (code === 400) return io.fail('throttled', `the server greeted with ${said}`);
        if (code !== 200 && code !== 201) return io.fail(code >= 400 ? 'greeting-error' : 'protocol-error', `the server greeted with ${said}`);
        stage = 'caps';
        return io.send('CAPABILITIES\r\n', 'no reply to CAPABILITIES');
      }
      if (stage === 'caps') {
        if (code === 101) {
          stage = 'caps-list';
          return io.wait('no end of the CAPABILITIES list');
        }
        // No CAPABILITIES (an RFC 977 server): STARTTLS is asked all the same.
        return starttls(io);
      }
      if (code === 382) return io.proceed(line);
      if (code === 400) return io.fail('throttled', `STARTTLS answered ${said}`);
      io.fail(code === 500 || code === 501 || (code === 502 && ev.starttlsOffered !== true) ? 'no-starttls' : 'starttls-refused', `STARTTLS answered ${said}`, 'QUIT\r\n');
    },
  };
};
