// IRC STARTTLS (the IRCv3 tls extension): `STARTTLS` sent first, before registration;
// 670 RPL_STARTTLS is the go-ahead, 691 ERR_STARTTLS a refusal, 421 (unknown command) or 451
// (not registered) mean the server has no STARTTLS. NOTICEs before that are read and skipped,
// a PING is answered.
import { printable, soundsBusy, type LineProtocol } from './runner.js';

export const ircDialogue = (): LineProtocol => ({
  protocol: 'irc',
  framing: 'lines',
  first: 'no reply to STARTTLS',
  start(io) {
    io.send('STARTTLS\r\n', 'no reply to STARTTLS');
  },
  onLine(line, io) {
    const ev = io.evidence;
    // [":" prefix SP] command params
    const m = /^(?::(\S+) +)?([A-Za-z]+|\d{3})(?: +(.*))?$/.exec(line);
    if (!m) return io.fail('protocol-error', `not an IRC message: ${printable(line, 120)}`);
    const command = (m[2] ?? '').toUpperCase();
    const said = printable(line, 160);
    ev.greeting ??= m[1] ? printable(m[1], 120) : null;
    switch (command) {
      case '670':
        ev.starttlsOffered = true;
        return io.proceed(line);
      case '691':
        ev.starttlsOffered = true;
        return io.fail('starttls-refused', `STARTTLS answered ${said}`, 'QUIT\r\n');
      case '421':
      case '451':
        ev.starttlsOffered = false;
        return io.fail('no-starttls', `the server does not know STARTTLS (${said})`, 'QUIT\r\n');
      case 'PING':
        return io.send(`PONG ${m[3] ?? ''}\r\n`, 'no reply to STARTTLS');
      case 'ERROR':
        return io.fail(soundsBusy(line) ? 'throttled' : 'closed', `the server said ${said}`);
      case 'NOTICE':
        return;
      default:
        // Other numerics before registration (e.g. 020 "please wait"): read and skipped.
        if (/^\d{3}$/.test(command) && Number(command) < 400) return;
        return io.fail(soundsBusy(line) ? 'throttled' : 'protocol-error', `unexpected answer to STARTTLS: ${said}`, 'QUIT\r\n');
    }
  },
});
