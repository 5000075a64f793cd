// The SMTP dialogue a probe needs (RFC 5321, RFC 3207): read the greeting, say EHLO (HELO when
// EHLO is refused with 5xx), read the service extensions, then either send STARTTLS and hand the
// socket over for a TLS ClientHello, or QUIT. One command at a time (no pipelining), nothing
// after the 220 to STARTTLS: the TLS handshake starts there, and like testssl.sh and sslyze we
// do not send EHLO again (that would only matter to send mail over the TLS session).
//
// `runSmtpDialogue` works on a socket someone else opened and times (the TLS transport);
// `smtpStartTls` / `smtpCapabilities` open a pinned connection themselves, under one deadline and
// the scan's AbortSignal. Nothing throws; every outcome is typed and carries what was seen.
import { socketFailure } from '../socket-failure.js';
import net from 'node:net';
import { parseEhloKeywords, ReplyReader, type SmtpExtension, type SmtpReply } from './reply.js';

export type { SmtpExtension, SmtpReply } from './reply.js';

/** testssl.sh says `EHLO testssl.sh`, sslyze `EHLO sslyze.scan`; ours is a reserved name (RFC 2606). */
export const DEFAULT_EHLO_NAME = 'secgrade.invalid';

export type SmtpFailureKind =
  /** EHLO did not advertise STARTTLS (or only HELO was accepted). */
  | 'no-starttls'
  /** STARTTLS answered with anything but 220 (454 TLS not available, 5xx …). */
  | 'starttls-refused'
  /** The greeting was not 220 (554 no service, 421 …). */
  | 'greeting-error'
  /** EHLO answered 4xx, or EHLO 5xx and then HELO refused too. */
  | 'hello-refused'
  | 'timeout'
  /** TCP connection refused. */
  | 'refused'
  /** The server closed (or reset) the connection during the dialogue. */
  | 'closed'
  /** Bytes that are not SMTP, a reply out of turn, a bound exceeded … */
  | 'protocol-error'
  /** Unreachable, bad address … */
  | 'network'
  | 'aborted';

export type SmtpPhase = 'connecting' | 'greeting' | 'ehlo' | 'helo' | 'starttls' | 'quit' | 'done';

/** What the server said; JSON-friendly evidence. */
export interface SmtpEvidence {
  ehloName: string;
  /** The 220 banner (or whatever the server greeted with). */
  greeting: SmtpReply | null;
  ehlo: SmtpReply | null;
  /** Only when EHLO was refused with 5xx and HELO tried instead. */
  helo: SmtpReply | null;
  /** EHLO keywords in the order advertised (empty after HELO). */
  extensions: SmtpExtension[];
  /** EHLO lines that are not `keyword *(SP param)`. */
  malformedEhloLines: string[];
  starttlsAdvertised: boolean;
  starttls: SmtpReply | null;
  /**
   * Bytes after the 220 to STARTTLS and before any TLS: nothing a server may send (the client must
   * discard them, RFC 3207 §4.2; a sign of STARTTLS response injection). They were dropped.
   */
  bytesAfterStarttls: number;
  quit: SmtpReply | null;
  bytesRead: number;
  /** Where the dialogue stopped. */
  phase: SmtpPhase;
}

export type SmtpDialogueResult =
  | { ok: true; socket: net.Socket; evidence: SmtpEvidence }
  | { ok: false; kind: SmtpFailureKind; reason: string; evidence: SmtpEvidence };

export type SmtpFailure = Extract<SmtpDialogueResult, { ok: false }>;

export interface SmtpDialogueOptions {
  ehloName?: string;
  /** 'starttls': stop after a 220 to STARTTLS; 'capabilities': stop after EHLO with QUIT. */
  goal: 'starttls' | 'capabilities';
  /** How long to wait for the reply to QUIT (default 2000 ms); the caller's deadline still applies. */
  quitWaitMs?: number;
  /** 'LHLO' for LMTP (RFC 2033 §4.1): same keywords, no HELO fallback. Default 'EHLO'. */
  hello?: 'EHLO' | 'LHLO';
}

export interface SmtpDialogue {
  readonly phase: SmtpPhase;
  readonly evidence: SmtpEvidence;
  /** What a deadline passing now would mean ('no SMTP greeting' …), null once done. */
  readonly waitingFor: string | null;
  /** Detaches from the socket without a result (the caller's deadline or abort won). */
  cancel(): void;
}

const WAITING_FOR: Record<SmtpPhase, string | null> = {
  connecting: 'no connection',
  greeting: 'no SMTP greeting',
  ehlo: 'no reply to EHLO',
  helo: 'no reply to HELO',
  starttls: 'no reply to STARTTLS',
  quit: 'no reply to QUIT',
  done: null,
};

const WHERE: Record<SmtpPhase, string> = {
  connecting: 'while connecting',
  greeting: 'before its greeting',
  ehlo: 'after EHLO',
  helo: 'after HELO',
  starttls: 'after STARTTLS',
  quit: 'after QUIT',
  done: '',
};

const ignore = (): void => undefined;

function emptyEvidence(ehloName: string): SmtpEvidence {
  return {
    ehloName,
    greeting: null,
    ehlo: null,
    helo: null,
    extensions: [],
    malformedEhloLines: [],
    starttlsAdvertised: false,
    starttls: null,
    bytesAfterStarttls: 0,
    quit: null,
    bytesRead: 0,
    phase: 'connecting',
  };
}

/** The first line of a reply, for reasons. */
export function replySummary(reply: SmtpReply): string {
  const text = reply.lines[0] ?? '';
  return `${reply.code}${text ? ` ${text.length > 120 ? `${text.slice(0, 120)}…` : text}` : ''}`;
}

/** The greeting's text, lines joined: the server banner. */
export function smtpBanner(evidence: SmtpEvidence): string | null {
  return evidence.greeting ? evidence.greeting.lines.join('\n') : null;
}

export function hasExtension(evidence: SmtpEvidence, keyword: string): boolean {
  const k = keyword.toUpperCase();
  return evidence.extensions.some((e) => e.keyword === k);
}

function validEhloName(name: string): boolean {
  // A domain or an address literal (RFC 5321 §4.1.3); never anything that could inject a command.
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[A-Za-z0-9:.]+\])$/.test(name) && name.length <= 255;
}

/**
 * Runs the dialogue on `socket` (connecting or connected). `done` is called once, synchronously
 * from the socket event that decides it; on success the dialogue's listeners are already gone, so
 * the caller can attach its own right there. The socket keeps a no-op 'error' listener; it is never
 * destroyed here (on a failure after a refusal we send QUIT and end our side).
 */
export function runSmtpDialogue(socket: net.Socket, opts: SmtpDialogueOptions, done: (result: SmtpDialogueResult) => void): SmtpDialogue {
  const ehloName = opts.ehloName ?? DEFAULT_EHLO_NAME;
  const hello = opts.hello ?? 'EHLO';
  const evidence = emptyEvidence(ehloName);
  const reader = new ReplyReader();
  let finished = false;
  let quitTimer: NodeJS.Timeout | undefined;

  const setPhase = (phase: SmtpPhase): void => {
    evidence.phase = phase;
  };
  const detach = (): void => {
    finished = true;
    clearTimeout(quitTimer);
    socket.off('connect', onConnect);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onClose);
    socket.off('error', onError);
  };
  const succeed = (): void => {
    if (finished) return;
    detach();
    done({ ok: true, socket, evidence });
  };
  const fail = (kind: SmtpFailureKind, reason: string, quit = false): void => {
    if (finished) return;
    detach();
    // A polite goodbye when the server said no in SMTP (RFC 5321 §3.8); not after garbage.
    if (quit && socket.writable) socket.end('QUIT\r\n');
    done({ ok: false, kind, reason, evidence });
  };
  const send = (command: string, phase: SmtpPhase): void => {
    setPhase(phase);
    socket.write(`${command}\r\n`);
  };

  if (!validEhloName(ehloName)) {
    // Deferred so that `done` never runs before the caller has the handle.
    queueMicrotask(() => fail('protocol-error', `not a valid EHLO name: ${JSON.stringify(ehloName.slice(0, 64))}`));
  }

  /** The reply decided what we send next; `end` is where it stopped in the stream. */
  const onReply = (reply: SmtpReply, end: number): void => {
    // Anything already received past this reply was sent before our next command: out of turn.
    const early = reader.bytesRead - end;
    const outOfTurn = (what: string): boolean => {
      if (early === 0) return false;
      fail('protocol-error', `the server sent ${early} bytes before our ${what} (out of turn)`);
      return true;
    };
    switch (evidence.phase) {
      case 'connecting':
      case 'greeting':
        evidence.greeting = reply;
        if (reply.code !== 220) {
          if (reply.code >= 400) fail('greeting-error', `the server greeted with ${replySummary(reply)}`, true);
          else fail('protocol-error', `unexpected greeting ${replySummary(reply)}`);
          return;
        }
        if (!outOfTurn(hello)) send(`${hello} ${ehloName}`, 'ehlo');
        return;
      case 'ehlo':
        evidence.ehlo = reply;
        if (reply.code === 250) {
          const { extensions, malformed } = parseEhloKeywords(reply);
          evidence.extensions = extensions;
          evidence.malformedEhloLines = malformed;
          evidence.starttlsAdvertised = extensions.some((e) => e.keyword === 'STARTTLS');
          afterHello('EHLO');
          return;
        }
        if (reply.code >= 500 && hello === 'EHLO') {
          // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
          if (!outOfTurn('HELO')) send(`HELO ${ehloName}`, 'helo');
          return;
        }
        if (reply.code >= 400) fail('hello-refused', `${hello} answered ${replySummary(reply)}`, true);
        else fail('protocol-error', `unexpected reply to ${hello}: ${replySummary(reply)}`);
        return;
      case 'helo':
        evidence.helo = reply;
        if (reply.code === 250) afterHello('HELO');
        else if (reply.code >= 400) fail('hello-refused', `EHLO and HELO refused (HELO answered ${replySummary(reply)})`, true);
        else fail('protocol-error', `unexpected reply to HELO: ${replySummary(reply)}`);
        return;
      case 'starttls':
        evidence.starttls = reply;
        if (reply.code === 220) {
          // RFC 3207 §4.2: whatever came with or after the 220 is not to be trusted; drop it.
          evidence.bytesAfterStarttls = early;
          setPhase('done');
          succeed();
          return;
        }
        if (reply.code >= 400) fail('starttls-refused', `STARTTLS answered ${replySummary(reply)}`, true);
        else fail('protocol-error', `unexpected reply to STARTTLS: ${replySummary(reply)}`);
        return;
      case 'quit':
        evidence.quit = reply;
        setPhase('done');
        succeed();
        return;
      case 'done':
        return;
    }

    function afterHello(command: 'EHLO' | 'HELO'): void {
      if (opts.goal === 'capabilities') {
        if (outOfTurn('QUIT')) return;
        send('QUIT', 'quit');
        quitTimer = setTimeout(() => {
          setPhase('done');
          succeed();
        }, opts.quitWaitMs ?? 2000);
        quitTimer.unref();
        return;
      }
      if (!evidence.starttlsAdvertised) {
        fail('no-starttls', command === 'HELO' ? 'EHLO was refused, so no STARTTLS (HELO has no extensions)' : 'the server does not advertise STARTTLS', true);
        return;
      }
      if (!outOfTurn('STARTTLS')) send('STARTTLS', 'starttls');
    }
  };

  function onConnect(): void {
    if (evidence.phase === 'connecting') setPhase('greeting');
  }
  function onData(chunk: Buffer): void {
    if (finished) return;
    if (evidence.phase === 'connecting') setPhase('greeting');
    reader.feed(chunk);
    evidence.bytesRead = reader.bytesRead;
    for (let ev = reader.next(); ev && !finished; ev = reader.next()) {
      if (ev.kind === 'error') fail('protocol-error', ev.reason);
      else onReply(ev.reply, ev.end);
    }
  }
  function closedReason(how: string): string {
    const mid = reader.midReply || reader.pendingBytes > 0 ? ' in the middle of a reply' : '';
    return `the server ${how} the connection ${WHERE[evidence.phase]}${mid}`.trim();
  }
  function onEnd(): void {
    if (evidence.phase === 'quit') {
      setPhase('done');
      succeed();
      return;
    }
    fail('closed', closedReason('closed'));
  }
  function onClose(): void {
    onEnd();
  }
  function onError(err: NodeJS.ErrnoException): void {
    if (evidence.phase === 'quit') {
      setPhase('done');
      succeed();
      return;
    }
    const f = socketFailure(err, closedReason('reset'));
    fail(f.kind, f.reason);
  }

  socket.on('error', ignore);
  if (!socket.connecting) setPhase('greeting');
  socket.on('connect', onConnect);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onClose);
  socket.on('error', onError);

  return {
    get phase() {
      return evidence.phase;
    },
    evidence,
    get waitingFor() {
      return finished ? null : WAITING_FOR[evidence.phase];
    },
    cancel: () => {
      if (!finished) detach();
    },
  };
}

export interface SmtpConnectOptions {
  /** A pinned address: never a host name (that would be a DNS lookup nobody asked for). */
  ip: string;
  port: number;
  /** Deadline for the whole dialogue, TCP connect included. */
  timeoutMs: number;
  signal: AbortSignal;
  ehloName?: string;
}

export function badTarget(ip: string, port: number): string | null {
  if (net.isIP(ip) === 0) return `not an IP address: ${ip}`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `bad port: ${port}`;
  return null;
}

function connectAndRun(opts: SmtpConnectOptions, goal: SmtpDialogueOptions['goal']): Promise<SmtpDialogueResult> {
  return new Promise((resolve) => {
    const ehloName = opts.ehloName ?? DEFAULT_EHLO_NAME;
    const early = (kind: SmtpFailureKind, reason: string): void => resolve({ ok: false, kind, reason, evidence: emptyEvidence(ehloName) });
    if (opts.signal.aborted) return early('aborted', 'aborted before connecting');
    const bad = badTarget(opts.ip, opts.port);
    if (bad) return early('network', bad);

    let settled = false;
    const socket = net.connect({ host: opts.ip, port: opts.port });
    socket.setNoDelay(true);
    const finish = (result: SmtpDialogueResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      dialogue.cancel();
      // The upgraded socket is the caller's now; everything else is torn down.
      if (!(result.ok && goal === 'starttls')) socket.destroy();
      resolve(result);
    };
    const stop = (kind: 'timeout' | 'aborted', reason: string): void => finish({ ok: false, kind, reason, evidence: dialogue.evidence });
    const onAbort = (): void => stop('aborted', 'aborted');
    const timer = setTimeout(() => stop('timeout', `${dialogue.waitingFor ?? 'no answer'} within ${opts.timeoutMs} ms`), opts.timeoutMs);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const dialogue = runSmtpDialogue(socket, { goal, ehloName }, finish);
  });
}

/**
 * Connects, reads the greeting and EHLO keywords, sends STARTTLS and, on 220, resolves with the
 * socket ready for a TLS ClientHello (its timer cleared: the caller owns it and must destroy it).
 */
export function smtpStartTls(opts: SmtpConnectOptions): Promise<SmtpDialogueResult> {
  return connectAndRun(opts, 'starttls');
}

export type SmtpCapabilitiesResult = { ok: true; evidence: SmtpEvidence } | SmtpFailure;

/** Connects, reads the greeting and EHLO keywords, says QUIT and hangs up: the plaintext evidence. */
export async function smtpCapabilities(opts: SmtpConnectOptions): Promise<SmtpCapabilitiesResult> {
  const result = await connectAndRun(opts, 'capabilities');
  return result.ok ? { ok: true, evidence: result.evidence } : result;
}
