// LDAP StartTLS (RFC 4511 §4.14): an ExtendedRequest for 1.3.6.1.4.1.1466.20037, answered by an
// ExtendedResponse whose resultCode 0 is the go-ahead. A minimal, bounded BER reader: definite
// lengths only, at most 16 KiB per message.
import { printable, type FrameProtocol } from './runner.js';

const OID = '1.3.6.1.4.1.1466.20037';
const MAX_MESSAGE = 16 * 1024;

/** LDAPMessage { messageID 1, [APPLICATION 23] { [0] requestName } } */
export function startTlsRequest(): Buffer {
  const oid = Buffer.from(OID, 'latin1');
  const op = Buffer.concat([Buffer.from([0x77, oid.length + 2, 0x80, oid.length]), oid]);
  return Buffer.concat([Buffer.from([0x30, op.length + 3, 0x02, 0x01, 0x01]), op]);
}

/** One TLV at `at`: its tag, where its value starts and ends; null when incomplete; throws on a malformed one. */
function tlv(data: Buffer, at: number): { tag: number; start: number; end: number } | null {
  if (data.length < at + 2) return null;
  const tag = data[at]!;
  let len = data[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw new Error('an indefinite or oversized BER length');
    if (data.length < start + n) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + data[start + i]!;
    start += n;
  }
  if (len > MAX_MESSAGE) throw new Error(`an LDAP message of more than ${MAX_MESSAGE} bytes`);
  if (data.length < start + len) return null;
  return { tag, start, end: start + len };
}

function integer(data: Buffer, t: { start: number; end: number }): number {
  let v = 0;
  for (let i = t.start; i < t.end && i < t.start + 4; i++) v = v * 256 + data[i]!;
  return v;
}

const RESULT_NAMES: Record<number, string> = { 2: 'protocolError', 3: 'timeLimitExceeded', 51: 'busy', 52: 'unavailable', 53: 'unwillingToPerform', 80: 'other' };

export const ldapDialogue = (): FrameProtocol => ({
  protocol: 'ldap',
  framing: 'frames',
  first: 'no reply to the StartTLS extended request',
  start(io) {
    io.send(startTlsRequest(), 'no reply to the StartTLS extended request');
  },
  onBytes(data, io) {
    let msg, id, op;
    try {
      msg = tlv(data, 0);
      if (!msg) return 0;
      if (msg.tag !== 0x30) throw new Error(`not an LDAPMessage (tag 0x${msg.tag.toString(16)})`);
      id = tlv(data, msg.start);
      if (!id || id.tag !== 0x02) throw new Error('no messageID');
      op = tlv(data, id.end);
      if (!op || op.end > msg.end) throw new Error('no protocolOp');
      if (op.tag !== 0x78) throw new Error(`an LDAP operation 0x${op.tag.toString(16)} instead of an ExtendedResponse`);
    } catch (err) {
      io.fail('protocol-error', `LDAP: ${(err as Error).message}`);
      return 0;
    }
    const code = tlv(data, op.start);
    const dn = code ? tlv(data, code.end) : null;
    const diag = dn ? tlv(data, dn.end) : null;
    if (!code || code.tag !== 0x0a) {
      io.fail('protocol-error', 'LDAP: an ExtendedResponse without a resultCode');
      return 0;
    }
    const result = integer(data, code);
    const text = diag && diag.tag === 0x04 ? printable(data.subarray(diag.start, Math.min(diag.end, diag.start + 300)).toString('latin1')) : '';
    const said = `resultCode ${result}${RESULT_NAMES[result] ? ` (${RESULT_NAMES[result]})` : ''}${text ? `: ${text}` : ''}`;
    io.evidence.greeting = said;
    if (integer(data, id) === 0) {
      // An unsolicited Notice of Disconnection (RFC 4511 §4.4.1).
      io.fail(result === 51 ? 'throttled' : 'closed', `the server announced a disconnection: ${said}`);
      return 0;
    }
    if (result === 0) {
      io.evidence.starttlsOffered = true;
      io.proceed(said);
    } else if (result === 51) {
      io.fail('throttled', `StartTLS answered ${said}`);
    } else if (result === 2) {
      io.evidence.starttlsOffered = false;
      io.fail('no-starttls', `StartTLS answered ${said}`);
    } else {
      io.fail('starttls-refused', `StartTLS answered ${said}`);
    }
    return msg.end;
  },
});
