// The TCP connection under every TLS handshake we make, with an optional plaintext preamble that
// turns it into a TLS transport first: the STARTTLS dialogues of src/net/starttls (SMTP, IMAP,
// POP3, XMPP, LDAP, PostgreSQL …). Without a preamble this is exactly `net.connect` +
// `setNoDelay`, with the caller's listeners wired before the connection exists, as the raw engine
// always did: not one extra allocation or await on that path.
//
// Two shapes: `connectTlsTransport` for the engine's callback-style clients (they own the timer and
// the AbortSignal, which therefore cover the preamble too), and `openTlsTransport`, a promise with
// its own deadline for callers that just want a socket ready for a ClientHello; `connectNodeTls`
// runs Node's TLS client over the same transport (tls.connect on the socket once the dialogue is done).
import net from 'node:net';
import tls from 'node:tls';
import { badTarget } from '../smtp/client.js';
import { runStartTls, startTlsSpec, type StartTlsDialogue, type StartTlsEvidence, type StartTlsFailureKind, type StartTlsOption } from '../starttls/index.js';

export type { StartTlsEvidence, StartTlsOption, StartTlsProtocol } from '../starttls/index.js';

export interface TlsTransportOptions {
  /** A pinned address (callers check it is an IP literal). */
  ip: string;
  port: number;
  /** The plaintext dialogue that precedes the ClientHello; null/undefined = TLS from the first byte. */
  starttls?: StartTlsOption | null;
  /** EHLO name for SMTP (default: DEFAULT_EHLO_NAME in src/net/smtp/client.ts); a spec's own wins. */
  ehloName?: string;
}

export interface StartTlsFailure {
  /** 'refused' and 'network' are TCP-level; the others are the preamble's own (see StartTlsFailureKind). */
  kind: StartTlsFailureKind;
  reason: string;
  evidence: StartTlsEvidence;
}

export interface TlsTransportHooks {
  /**
   * Wire the caller's socket listeners (data, end, close, error). Called once: synchronously inside
   * connectTlsTransport when there is no preamble (before the TCP connect completes), otherwise
   * after the preamble, synchronously just before `ready`.
   */
  attach(socket: net.Socket): void;
  /** The connection is ready for the first TLS byte: TCP connected, plus the 220 to STARTTLS. */
  ready(socket: net.Socket, starttls: StartTlsEvidence | null): void;
  /**
   * The preamble failed and the socket never became a TLS transport (call destroy()). Never called
   * without a preamble: then the caller's own listeners see every TCP event, as before.
   */
  failed(failure: StartTlsFailure): void;
}

export interface TlsTransport {
  /** What a deadline passing now would mean: 'no connection', 'no SMTP greeting', 'no reply to STARTTLS' … null once ready. */
  readonly waitingFor: string | null;
  /** What the preamble has seen so far (a snapshot), null without one. */
  readonly starttls: StartTlsEvidence | null;
  /** Destroys the socket and stops the preamble; safe to call more than once. */
  destroy(): void;
}

/** Opens the connection and, with `starttls`, runs the preamble on it; see TlsTransportHooks for the order of calls. */
export function connectTlsTransport(opts: TlsTransportOptions, hooks: TlsTransportHooks): TlsTransport {
  const socket = net.connect({ host: opts.ip, port: opts.port });
  socket.setNoDelay(true);
  let ready = false;
  let dialogue: StartTlsDialogue | null = null;

  if (!opts.starttls) {
    hooks.attach(socket);
    socket.on('connect', () => {
      ready = true;
      hooks.ready(socket, null);
    });
  } else {
    const spec = startTlsSpec(opts.starttls);
    const ctx = { spec: opts.ehloName && !spec.ehloName ? { ...spec, ehloName: opts.ehloName } : spec, servername: null, ip: opts.ip };
    dialogue = runStartTls(socket, ctx, (result) => {
      if (!result.ok) {
        hooks.failed({ kind: result.kind, reason: result.reason, evidence: result.evidence });
        return;
      }
      ready = true;
      hooks.attach(socket);
      hooks.ready(socket, result.evidence);
    });
  }

  return {
    get waitingFor() {
      if (ready) return null;
      return dialogue ? dialogue.waitingFor : 'no connection';
    },
    get starttls() {
      return dialogue ? dialogue.evidence : null;
    },
    destroy: () => {
      dialogue?.cancel();
      socket.destroy();
    },
  };
}

export interface OpenTlsTransportOptions extends TlsTransportOptions {
  /** Deadline for the connection and the preamble. */
  timeoutMs: number;
  signal: AbortSignal;
}

export type OpenTlsTransportResult =
  | {
      ok: true;
      /** Connected, preamble done, ready for a ClientHello; the caller owns it (destroy it). */
      socket: net.Socket;
      starttls: StartTlsEvidence | null;
    }
  | {
      ok: false;
      kind: StartTlsFailure['kind'];
      reason: string;
      /** What the preamble saw before it failed (null without one, or before it started). */
      starttls: StartTlsEvidence | null;
    };

/**
 * Promise form: resolves once the socket is ready for a ClientHello or the attempt failed. The
 * ready socket keeps a no-op 'error' listener; attach your own at once (before awaiting anything
 * else) and check `socket.destroyed`.
 */
export function openTlsTransport(opts: OpenTlsTransportOptions): Promise<OpenTlsTransportResult> {
  return new Promise((resolve) => {
    if (opts.signal.aborted) {
      resolve({ ok: false, kind: 'aborted', reason: 'aborted before connecting', starttls: null });
      return;
    }
    const bad = badTarget(opts.ip, opts.port);
    if (bad) {
      resolve({ ok: false, kind: 'network', reason: bad, starttls: null });
      return;
    }
    let settled = false;
    const finish = (result: OpenTlsTransportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      if (result.ok) {
        socket?.off('error', onTcpError);
        socket?.off('close', onTcpClose);
      } else {
        transport.destroy();
      }
      resolve(result);
    };
    let socket: net.Socket | null = null;
    const onTcpError = (err: NodeJS.ErrnoException): void => {
      const refused = err.code === 'ECONNREFUSED';
      finish({ ok: false, kind: refused ? 'refused' : 'network', reason: refused ? 'connection refused' : `${err.code ?? 'error'}: ${err.message.split('\n')[0] ?? ''}`, starttls: null });
    };
    const onTcpClose = (): void => finish({ ok: false, kind: 'closed', reason: 'the connection closed', starttls: null });
    const transport = connectTlsTransport(opts, {
      attach: (s) => {
        socket = s;
        s.on('error', () => undefined);
        // Without a preamble, TCP errors before the connect are ours to report.
        if (!opts.starttls) {
          s.on('error', onTcpError);
          s.on('close', onTcpClose);
        }
      },
      ready: (s, starttls) => finish({ ok: true, socket: s, starttls }),
      failed: (f) => finish({ ok: false, kind: f.kind, reason: f.reason, starttls: f.evidence }),
    });
    const onAbort = (): void => finish({ ok: false, kind: 'aborted', reason: 'aborted', starttls: transport.starttls });
    const timer = setTimeout(() => {
      finish({ ok: false, kind: 'timeout', reason: `${transport.waitingFor ?? 'no answer'} within ${opts.timeoutMs} ms`, starttls: transport.starttls });
    }, opts.timeoutMs);
    opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface NodeTlsConnection {
  /** What a deadline passing now would mean, null once the TLS socket exists. */
  readonly waitingFor: string | null;
  destroy(): void;
}

/**
 * `tls.connect(options)` to the pinned endpoint, or, with a preamble, tls.connect over the
 * transport's socket once the dialogue is done. `ready` gets the TLS socket (synchronously
 * without a preamble); `failed` the preamble's failure (the TLS socket then never exists).
 */
export function connectNodeTls(
  opts: TlsTransportOptions,
  options: tls.ConnectionOptions,
  ready: (socket: tls.TLSSocket) => void,
  failed: (failure: StartTlsFailure) => void,
): NodeTlsConnection {
  if (!opts.starttls) {
    const socket = tls.connect(options);
    ready(socket);
    return { waitingFor: null, destroy: () => socket.destroy() };
  }
  let socket: tls.TLSSocket | null = null;
  const transport = connectTlsTransport(opts, {
    attach: () => undefined,
    ready: (raw) => {
      socket = tls.connect({ ...options, socket: raw });
      ready(socket);
    },
    failed,
  });
  return {
    get waitingFor() {
      return transport.waitingFor;
    },
    destroy: () => {
      socket?.destroy();
      transport.destroy();
    },
  };
}

/** Reasons of a failed preamble, as the TLS clients report them. */
export function startTlsReason(f: StartTlsFailure): string {
  return f.kind === 'refused' ? f.reason : `STARTTLS: ${f.reason}`;
}
