// One TLS handshake through Node's `tls` (OpenSSL 3), pinned to an IP with a chosen SNI, under a
// deadline and an AbortSignal: what a current client negotiates. Certificates are read and judged
// elsewhere (served-chains.ts and the trust path builder), so this never verifies anything.
import type net from 'node:net';
import tls, { type SecureVersion } from 'node:tls';
import { connectTlsTransport, type StartTlsEvidence, type StartTlsFailure, type StartTlsOption, type TlsTransport } from './transport.js';

export interface NodeTlsOptions {
  ip: string;
  port: number;
  /** SNI; null sends none (IP-literal targets). */
  servername: string | null;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2. */
  ciphers?: string;
  alpn?: string[];
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue before the handshake (within the same deadline). */
  starttls?: StartTlsOption | null;
  ehloName?: string;
}

export type TlsFailureKind = 'refused' | 'timeout' | 'reset' | 'handshake' | 'network' | 'aborted';

export type NodeTlsOutcome =
  | {
      ok: true;
      protocol: string;
      cipher: { openssl: string; iana: string };
      alpn: string | null;
      /** With a preamble: what the STARTTLS dialogue showed. */
      starttls?: StartTlsEvidence;
    }
  /** `starttls`: the STARTTLS preamble failed this way (no handshake was attempted). */
  | { ok: false; kind: TlsFailureKind; reason: string; code?: string; starttls?: StartTlsFailure['kind'] };

/** OpenSSL reports the ciphersuite's IANA name as `standardName`; keep both. */
function cipherOf(socket: tls.TLSSocket): { openssl: string; iana: string } {
  const c = socket.getCipher() as tls.CipherNameAndProtocol & { standardName?: string };
  return { openssl: c.name, iana: c.standardName ?? c.name };
}

export function classifyTlsError(err: NodeJS.ErrnoException): { kind: TlsFailureKind; reason: string } {
  const code = err.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', reason: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', reason: 'connection reset by the server during the handshake' };
    case 'ETIMEDOUT':
      return { kind: 'timeout', reason: 'connection timed out' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return { kind: 'network', reason: `network unreachable (${code})` };
  }
  const alert = /ALERT_([A-Z_]+)$/.exec(code);
  if (alert?.[1]) {
    return { kind: 'handshake', reason: `server sent alert ${alert[1].toLowerCase().replace(/_/g, ' ')}` };
  }
  // OpenSSL's max_cert_list (100 KiB by default, as BoringSSL's: Chrome's limit too) refuses a
  // bigger Certificate message; Node offers no way to raise it. Browsers refuse alike, so say so.
  if (code === 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE') {
    return { kind: 'handshake', reason: "handshake failed: excessive message size (a certificate chain over OpenSSL's 100 KiB max_cert_list, the limit Chrome applies too, is refused by Node's TLS client)" };
  }
  if (code.startsWith('ERR_SSL_')) {
    return { kind: 'handshake', reason: `handshake failed: ${code.slice(8).toLowerCase().replace(/_/g, ' ')}` };
  }
  if (/socket disconnected|socket hang up/i.test(err.message)) {
    return { kind: 'reset', reason: 'server closed the connection during the handshake' };
  }
  return { kind: 'network', reason: err.message.split('\n')[0] ?? 'connection failed' };
}

// A context built from Node's default (already parsed) root store plus the extra anchors costs
// ~1 ms; passing all ~150 roots as PEM costs ~40 ms each time. Build each distinct one once.
const contextCache = new WeakMap<readonly string[], Map<string, tls.SecureContext>>();

/**
 * For handshakes that verify nothing: a context with no trust anchors at all. OpenSSL's check then
 * fails at once, and Node skips its own name check, which converts the whole chain to objects
 * (getPeerCertificate(true)) on every verified handshake — the dearest step of a probe's handshake.
 */
export const VERIFY_NOTHING: readonly string[] = Object.freeze([]);

export interface SecureContextOptions {
  /** Trust anchors added to Node's bundled Mozilla roots, or VERIFY_NOTHING. */
  extraCa: readonly string[];
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  secureOptions?: number;
}

export function secureContextFor(opts: SecureContextOptions): tls.SecureContext {
  let byParams = contextCache.get(opts.extraCa);
  if (!byParams) {
    byParams = new Map();
    contextCache.set(opts.extraCa, byParams);
  }
  const key = `${opts.minVersion ?? ''}|${opts.maxVersion ?? ''}|${opts.ciphers ?? ''}|${opts.secureOptions ?? 0}`;
  let ctx = byParams.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({
      minVersion: opts.minVersion,
      maxVersion: opts.maxVersion,
      ciphers: opts.ciphers,
      secureOptions: opts.secureOptions,
      ...(opts.extraCa === VERIFY_NOTHING ? { ca: [] } : {}),
    });
    // addCACert copies the shared root store before adding, so other contexts are unaffected.
    for (const pem of opts.extraCa) ctx.context.addCACert(pem);
    byParams.set(key, ctx);
  }
  return ctx;
}

export function nodeTlsHandshake(opts: NodeTlsOptions): Promise<NodeTlsOutcome> {
  return new Promise((resolve) => {
    if (opts.signal.aborted) {
      resolve({ ok: false, kind: 'aborted', reason: 'scan deadline reached before connecting' });
      return;
    }
    let settled = false;
    const options: tls.ConnectionOptions = {
      host: opts.ip,
      port: opts.port,
      servername: opts.servername ?? undefined,
      secureContext: secureContextFor({ ...opts, extraCa: VERIFY_NOTHING }),
      rejectUnauthorized: false,
      // Hostname matching is judged by the probe on the leaf, not by the handshake.
      checkServerIdentity: () => undefined,
      ALPNProtocols: opts.alpn,
    };
    // With STARTTLS, the TLS socket is made over the transport's once the preamble is done.
    let socket: tls.TLSSocket | null = opts.starttls ? null : tls.connect(options);
    let transport: TlsTransport | null = null;

    const finish = (outcome: NodeTlsOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      transport?.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, kind: 'aborted', reason: 'scan deadline reached' });
    const timer = setTimeout(
      () => finish({ ok: false, kind: 'timeout', reason: `${transport?.waitingFor ?? 'no TLS handshake'} within ${opts.timeoutMs} ms` }),
      opts.timeoutMs,
    );
    opts.signal.addEventListener('abort', onAbort, { once: true });

    let preamble: StartTlsEvidence | null = null;
    const wire = (socket: tls.TLSSocket): void => {
      socket.once('secureConnect', () => {
        finish({
          ok: true,
          protocol: socket.getProtocol() ?? 'unknown',
          cipher: cipherOf(socket),
          alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
          ...(preamble ? { starttls: preamble } : {}),
        });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        const { kind, reason } = classifyTlsError(err);
        finish({ ok: false, kind, reason, code: err.code });
      });
      socket.once('close', () => finish({ ok: false, kind: 'reset', reason: 'connection closed before the handshake completed' }));
    };
    if (socket) {
      wire(socket);
      return;
    }
    transport = connectTlsTransport(opts, {
      attach: () => undefined,
      ready: (raw: net.Socket, evidence) => {
        preamble = evidence;
        socket = tls.connect({ ...options, socket: raw });
        wire(socket);
      },
      failed: (f) => finish({ ok: false, kind: f.kind === 'refused' ? 'refused' : 'network', reason: f.kind === 'refused' ? f.reason : `STARTTLS: ${f.reason}`, starttls: f.kind }),
    });
  });
}
