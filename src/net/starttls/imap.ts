// IMAP STARTTLS (RFC 3501 §6.2.1, RFC 9051): greeting `* OK`, CAPABILITY (skipped when the
// greeting's [CAPABILITY …] code already lists STARTTLS), then `a002 STARTTLS` → `a002 OK`.
import { printable, soundsBusy, type LineProtocol } from './runner.js';

const capsOf = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean).map((c) => c.toUpperCase());

export const imapDialogue = (): LineProtocol => {
  let stage: 'greeting' | 'capability' | 'starttls' = 'greeting';
  const starttls = (io: Parameters<LineProtocol['onLine']>[1]): void => {
    stage = 'starttls';
    io.send('a002 STARTTLS\r\n', 'no reply to STARTTLS');
  };
  return {
    protocol: 'imap',
    framing: 'lines',
    first: 'no IMAP greeting',
    onLine(line, io) {
      const ev = io.evidence;
      if (stage === 'greeting') {
        ev.greeting = printable(line);
        if (/^\* BYE\b/i.test(line)) return io.fail(soundsBusy(line) ? 'throttled' : 'greeting-error', `the server greeted with ${printable(line, 120)}`);
        if (/^\* PREAUTH\b/i.test(line)) return io.fail('no-starttls', 'the server greeted with PREAUTH: STARTTLS is only valid before authentication (RFC 3501 §6.2.1)', 'a009 LOGOUT\r\n');
        if (!/^\* OK\b/i.test(line)) return io.fail('protocol-error', `not an IMAP greeting: ${printable(line, 120)}`);
        const code = /^\* OK \[CAPABILITY ([^\]]*)\]/i.exec(line);
        if (code) {
          ev.capabilities = capsOf(code[1] ?? '');
          if (ev.capabilities.includes('STARTTLS')) {
            ev.starttlsOffered = true;
            return starttls(io);
          }
        }
        stage = 'capability';
        return io.send('a001 CAPABILITY\r\n', 'no reply to CAPABILITY');
      }
      if (line.startsWith('* ')) {
        const caps = /^\* CAPABILITY (.*)$/i.exec(line);
        if (caps && stage === 'capability') ev.capabilities = capsOf(caps[1] ?? '');
        if (/^\* BYE\b/i.test(line)) return io.fail(soundsBusy(line) ? 'throttled' : 'closed', `the server said ${printable(line, 120)}`);
        return io.wait(ev.step);
      }
      const tagged = /^(a00[12]) (OK|NO|BAD)\b(.*)$/i.exec(line);
      if (!tagged) return io.fail('protocol-error', `unexpected IMAP line: ${printable(line, 120)}`);
      const status = (tagged[2] ?? '').toUpperCase();
      if (stage === 'capability') {
        ev.starttlsOffered = ev.capabilities.includes('STARTTLS');
        if (status !== 'OK') return io.fail('protocol-error', `CAPABILITY answered ${printable(line, 120)}`, 'a009 LOGOUT\r\n');
        if (!ev.starttlsOffered) return io.fail('no-starttls', 'the server does not list STARTTLS among its capabilities', 'a009 LOGOUT\r\n');
        return starttls(io);
      }
      if (status === 'OK') return io.proceed(line);
      io.fail('starttls-refused', `STARTTLS answered ${printable(line, 120)}`, 'a009 LOGOUT\r\n');
    },
  };
};
