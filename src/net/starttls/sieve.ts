// ManageSieve STARTTLS (RFC 5804 §2.2): the greeting is the capability list (`"STARTTLS"` …)
// closed by `OK`; then `STARTTLS` → `OK`.
import { printable, soundsBusy, type LineProtocol } from './runner.js';

export const sieveDialogue = (): LineProtocol => {
  let stage: 'greeting' | 'starttls' = 'greeting';
  return {
    protocol: 'sieve',
    framing: 'lines',
    first: 'no ManageSieve greeting',
    onLine(line, io) {
      const ev = io.evidence;
      const status = /^(OK|NO|BYE)\b/i.exec(line)?.[1]?.toUpperCase();
      if (stage === 'greeting') {
        if (!status) {
          // `"NAME"` or `"NAME" "value"`: a capability line.
          const cap = /^"([^"]{1,100})"(?:\s+"([^"]*)")?\s*$/.exec(line);
          if (!cap) return io.fail('protocol-error', `not a ManageSieve capability line: ${printable(line, 120)}`);
          const name = (cap[1] ?? '').toUpperCase();
          ev.capabilities.push(cap[2] !== undefined ? `${name} ${printable(cap[2], 200)}` : name);
          if (name === 'IMPLEMENTATION') ev.greeting = printable(cap[2] ?? '');
          return;
        }
        if (status !== 'OK') return io.fail(soundsBusy(line) ? 'throttled' : 'greeting-error', `the server greeted with ${printable(line, 120)}`);
        ev.greeting ??= printable(line);
        ev.starttlsOffered = ev.capabilities.includes('STARTTLS');
        if (!ev.starttlsOffered) return io.fail('no-starttls', 'the server does not list STARTTLS among its capabilities', 'LOGOUT\r\n');
        stage = 'starttls';
        return io.send('STARTTLS\r\n', 'no reply to STARTTLS');
      }
      if (status === 'OK') return io.proceed(line);
      if (status) return io.fail(status === 'BYE' && soundsBusy(line) ? 'throttled' : 'starttls-refused', `STARTTLS answered ${printable(line, 120)}`, 'LOGOUT\r\n');
      io.fail('protocol-error', `unexpected reply to STARTTLS: ${printable(line, 120)}`);
    },
  };
};
