// POP3 STLS (RFC 2595 §4): greeting `+OK`, CAPA (RFC 2449; a server without CAPA is asked STLS
// anyway), then `STLS` → `+OK`.
import { printable, soundsBusy, type DialogueIo, type LineProtocol } from './runner.js';

export const pop3Dialogue = (): LineProtocol => {
  let stage: 'greeting' | 'capa' | 'capa-list' | 'stls' = 'greeting';
  const stls = (io: DialogueIo): void => {
    stage = 'stls';
    io.send('STLS\r\n', 'no reply to STLS');
  };
  return {
    protocol: 'pop3',
    framing: 'lines',
    first: 'no POP3 greeting',
    onLine(line, io) {
      const ev = io.evidence;
      switch (stage) {
        case 'greeting':
          ev.greeting = printable(line);
          if (/^-ERR\b/i.test(line)) return io.fail(soundsBusy(line) ? 'throttled' : 'greeting-error', `the server greeted with ${printable(line, 120)}`);
          if (!/^\+OK\b/i.test(line)) return io.fail('protocol-error', `not a POP3 greeting: ${printable(line, 120)}`);
          stage = 'capa';
          return io.send('CAPA\r\n', 'no reply to CAPA');
        case 'capa':
          // No CAPA (RFC 1939 servers): STLS may still work; ask it.
          if (/^-ERR\b/i.test(line)) return stls(io);
          if (!/^\+OK\b/i.test(line)) return io.fail('protocol-error', `unexpected reply to CAPA: ${printable(line, 120)}`);
          stage = 'capa-list';
          return io.wait('no end of the CAPA list');
        case 'capa-list':
          if (line !== '.') {
            ev.capabilities.push(printable(line.startsWith('..') ? line.slice(1) : line, 200).toUpperCase());
            return;
          }
          ev.starttlsOffered = ev.capabilities.some((c) => c.split(' ')[0] === 'STLS');
          if (!ev.starttlsOffered) return io.fail('no-starttls', 'the server does not list STLS among its capabilities', 'QUIT\r\n');
          return stls(io);
        case 'stls':
          if (/^\+OK\b/i.test(line)) return io.proceed(line);
          if (/^-ERR\b/i.test(line)) return io.fail(ev.starttlsOffered === null ? 'no-starttls' : 'starttls-refused', `STLS answered ${printable(line, 120)}`, 'QUIT\r\n');
          return io.fail('protocol-error', `unexpected reply to STLS: ${printable(line, 120)}`);
      }
    },
  };
};
