// MySQL / MariaDB TLS (client/server protocol, "SSL Handshake"): the server's Initial Handshake
// (protocol 10) says CLIENT_SSL in its capability flags; we answer with an SSLRequest packet (the
// first 32 bytes of a HandshakeResponse41) and the TLS handshake follows at once: no go-ahead
// byte. An ERR packet instead of a handshake is 1040 "Too many connections" or a blocked host.
import { printable, type FrameProtocol } from './runner.js';

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
const MAX_PACKET = 16 * 1024;

export function sslRequest(sequence: number): Buffer {
  const p = Buffer.alloc(4 + 32);
  p.writeUIntLE(32, 0, 3);
  p[3] = sequence & 0xff;
  p.writeUInt32LE(CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION, 4);
  p.writeUInt32LE(16 * 1024 * 1024, 8);
  p[12] = 0x21; // utf8_general_ci; the 23 filler bytes stay zero
  return p;
}

export const mysqlDialogue = (): FrameProtocol => ({
  protocol: 'mysql',
  framing: 'frames',
  first: 'no MySQL handshake',
  onBytes(data, io) {
    if (data.length < 4) return 0;
    const len = data.readUIntLE(0, 3);
    if (len === 0 || len > MAX_PACKET) {
      io.fail('protocol-error', `not a MySQL handshake packet (length ${len})`);
      return 0;
    }
    if (data.length < 4 + len) return 0;
    const payload = data.subarray(4, 4 + len);
    if (payload[0] === 0xff) {
      const code = len >= 3 ? payload.readUInt16LE(1) : 0;
      const text = printable(payload.subarray(payload[3] === 0x23 ? 9 : 3).toString('latin1'), 200);
      io.evidence.greeting = `ERR ${code} ${text}`;
      // 1040 ER_CON_COUNT_ERROR; 1203 ER_TOO_MANY_USER_CONNECTIONS.
      io.fail(code === 1040 || code === 1203 ? 'throttled' : 'greeting-error', `the server answered with error ${code}: ${text}`);
      return 0;
    }
    if (payload[0] !== 0x0a) {
      io.fail('protocol-error', `MySQL handshake protocol ${payload[0]} (only 10 is known)`);
      return 0;
    }
    const nul = payload.indexOf(0, 1);
    // version NUL, connection id (4), auth data (8), filler (1), capability flags (2)
    if (nul === -1 || nul > 120 || payload.length < nul + 1 + 4 + 8 + 1 + 2) {
      io.fail('protocol-error', 'a truncated MySQL handshake packet');
      return 0;
    }
    const version = printable(payload.subarray(1, nul).toString('latin1'), 120);
    const caps = payload.readUInt16LE(nul + 1 + 4 + 8 + 1);
    io.evidence.greeting = version;
    io.evidence.starttlsOffered = (caps & CLIENT_SSL) !== 0;
    if (!io.evidence.starttlsOffered) {
      io.fail('no-starttls', `the server (${version}) does not set CLIENT_SSL: TLS is not enabled`);
      return 0;
    }
    io.send(sslRequest(data[3]! + 1), 'no TLS handshake after SSLRequest');
    io.proceed('SSLRequest sent');
    return 4 + len;
  },
});
