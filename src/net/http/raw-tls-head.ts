// One HTTP/1.1 GET over the raw TLS 1.0–1.2 engine, reading only the response head: for servers
// Node's TLS will not talk to (a certificate chain over OpenSSL's 100 KiB max_cert_list, suites
// OpenSSL 3 dropped), where a header such as Strict-Transport-Security must still be read, as SSL
// Labs reads it with its own client. No certificate verification (the TLS probes judge the chain),
// no body, no redirects; one connection under the caller's deadline, signal and byte caps.
import { fullHandshake12 } from '../tls/handshake12/client.js';
import type { RawSessionOptions } from '../tls/raw-session.js';
import { USER_AGENT } from './pinned-request.js';
import { ResponseHeadReader, type ResponseHead } from './response-head.js';

export interface RawTlsHeadOptions extends RawSessionOptions {
  /** SNI; null (or an IP literal) sends none. */
  serverName: string | null;
  /** The Host header (with the port when it is not 443). */
  authority: string;
  /** Path and query, as sent on the request line. */
  path: string;
  /** Cap on the response head, interim 1xx heads included (default 64 KiB, as pinned-request's). */
  maxHeadBytes?: number;
}

export type RawTlsHeadResult =
  | { ok: true; head: ResponseHead; protocol: string; cipherSuite: string }
  | { ok: false; reason: string };

const MAX_HEAD_BYTES = 64 * 1024;

export async function rawTlsHead(o: RawTlsHeadOptions): Promise<RawTlsHeadResult> {
  if (/[\s\x00-\x1f\x7f]/.test(o.path) || !o.path.startsWith('/')) return { ok: false, reason: `not a request path: ${JSON.stringify(o.path)}` };
  if (/[\s\x00-\x1f\x7f]/.test(o.authority)) return { ok: false, reason: `not a Host value: ${JSON.stringify(o.authority)}` };
  const request = [`GET ${o.path} HTTP/1.1`, `Host: ${o.authority}`, `User-Agent: ${USER_AGENT}`, 'Accept: text/html,*/*;q=0.8', 'Connection: close', '', ''].join('\r\n');
  const reader = new ResponseHeadReader(o.maxHeadBytes ?? MAX_HEAD_BYTES);
  let ended: string | null = null;
  const session = await fullHandshake12({
    ...o,
    version: 'TLSv1.2',
    // One request, then close: nothing to resume.
    sessionTicket: false,
    afterHandshake: async (channel) => {
      channel.write(Buffer.from(request, 'latin1'));
      while (reader.result.kind === 'incomplete') {
        const r = await channel.read();
        if (r.kind === 'end') {
          ended = r.reason;
          return;
        }
        reader.push(r.data);
      }
    },
  });
  if (!session.ok) return { ok: false, reason: `the raw TLS client: ${session.reason}` };
  const state = reader.result;
  if (state.kind === 'head') return { ok: true, head: state.head, protocol: session.session.protocol, cipherSuite: session.session.suiteName };
  if (state.kind === 'error') return { ok: false, reason: state.reason };
  return { ok: false, reason: `no complete response head (${ended ?? 'the connection ended'})` };
}
