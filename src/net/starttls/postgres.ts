// PostgreSQL SSLRequest (protocol docs §55.2.10): Int32 8, Int32 80877103; the server answers one
// byte, 'S' (go ahead) or 'N' (no TLS). Anything after the 'S' before our hello is the
// CVE-2021-23222 pattern: refused, never read as TLS.
import { printable, type FrameProtocol } from './runner.js';

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export const postgresDialogue = (): FrameProtocol => ({
  protocol: 'postgres',
  framing: 'frames',
  first: 'no reply to SSLRequest',
  start(io) {
    io.send(SSL_REQUEST, 'no reply to SSLRequest');
  },
  onBytes(data, io) {
    const first = data[0];
    if (first === 0x53) {
      io.evidence.starttlsOffered = true;
      io.proceed('S');
      return 1;
    }
    if (first === 0x4e) {
      io.evidence.starttlsOffered = false;
      io.fail('no-starttls', "the server answered SSLRequest with 'N': TLS is not enabled");
      return 0;
    }
    if (first === 0x45) {
      // An ErrorResponse (servers that cannot even fork a backend: too many connections …).
      if (data.length < 5) return 0;
      const len = data.readUInt32BE(1);
      if (len < 4 || len > 8192) {
        io.fail('protocol-error', `an ErrorResponse of ${len} bytes`);
        return 0;
      }
      if (data.length < 1 + len) return 0;
      const fields = data.subarray(5, 1 + len).toString('latin1').split('\0');
      const code = fields.find((f) => f.startsWith('C'))?.slice(1) ?? '';
      const message = printable(fields.find((f) => f.startsWith('M'))?.slice(1) ?? '', 200);
      io.evidence.greeting = `${code} ${message}`.trim();
      // Class 53 is "insufficient resources" (53300: too_many_connections); 57P03: cannot connect now.
      io.fail(code.startsWith('53') || code === '57P03' ? 'throttled' : 'greeting-error', `the server answered SSLRequest with an error: ${io.evidence.greeting}`);
      return 0;
    }
    io.fail('protocol-error', `not an answer to SSLRequest: ${printable(data.subarray(0, 40).toString('latin1'), 60)}`);
    return 0;
  },
});
