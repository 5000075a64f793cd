// The certificate of an SSL 2.0 server, from its SERVER-HELLO (draft-hickman-netscape-ssl-00 §2.6):
// an SSLv2-only server has no TLS Certificate message, but its SERVER-HELLO carries the one X.509
// certificate it authenticates with, so the certificate caps can still be decided.
import { SSLV2_CIPHER_KINDS } from '../../tls/registry/sslv2.js';
import { rawHello } from './raw-client.js';
import type { StartTlsOption } from './transport.js';
import { buildSslv2ClientHello } from './wire/sslv2.js';

/** SSL2_CT_X509_CERTIFICATE: the only certificate type SSL 2.0 defines. */
const SSLV2_X509_CERTIFICATE = 1;

export interface Sslv2CertificateTarget {
  ip: string;
  port: number;
  timeoutMs: number;
  signal: AbortSignal;
  starttls?: StartTlsOption | null;
}

export type Sslv2CertificateResult = { ok: true; certificate: Buffer; cipherKinds: number[] } | { ok: false; reason: string };

/** One SSLv2 CLIENT-HELLO offering every kind we know; the DER certificate of the answer. */
export async function fetchSslv2Certificate(target: Sslv2CertificateTarget): Promise<Sslv2CertificateResult> {
  const hello = buildSslv2ClientHello({ cipherKinds: SSLV2_CIPHER_KINDS.map((k) => k.code) });
  const result = await rawHello({ ip: target.ip, port: target.port, timeoutMs: target.timeoutMs, signal: target.signal, hello, sslv2: true, ...(target.starttls ? { starttls: target.starttls } : {}) });
  if (result.kind !== 'sslv2-server-hello') return { ok: false, reason: `no SSLv2 SERVER-HELLO: ${'reason' in result ? result.reason : result.kind}` };
  const v = result.value;
  // A session-id hit carries no certificate (and we never send a session id).
  if (v.sessionIdHit) return { ok: false, reason: 'the SSLv2 SERVER-HELLO resumed a session and carries no certificate' };
  if (v.certificateType !== SSLV2_X509_CERTIFICATE) return { ok: false, reason: `SSLv2 certificate type ${v.certificateType} is not X.509` };
  if (v.certificate.length === 0) return { ok: false, reason: 'the SSLv2 SERVER-HELLO carries an empty certificate' };
  return { ok: true, certificate: Buffer.from(v.certificate), cipherKinds: v.cipherKinds };
}
