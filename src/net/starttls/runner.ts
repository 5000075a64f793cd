// The machinery every non-SMTP dialogue runs on: socket events, a byte budget, line or frame
// reading, a deadline per step, and the go-ahead rule (nothing may follow it before our hello).
// A protocol file only says what to send and what each answer means.
import type net from 'node:net';
import { socketFailure } from '../socket-failure.js';
import type { DialogueContext, DialogueEvidence, DialogueResult, StartTlsDialogue, StartTlsFailureKind } from './types.js';

export interface DialogueLimits {
  /** A longer line (or frame) fails the dialogue as soon as it is seen, never buffered. */
  maxLineBytes: number;
  /** Everything the server may send before the go-ahead. */
  maxTotalBytes: number;
  /** Lines (or frames) read before the go-ahead: a server chattering forever is cut off. */
  maxUnits: number;
  /** How long one step (greeting, one reply) may take; the caller's overall deadline applies too. */
  stepTimeoutMs: number;
}

export const DIALOGUE_LIMITS: Readonly<DialogueLimits> = {
  maxLineBytes: 4096,
  maxTotalBytes: 64 * 1024,
  maxUnits: 500,
  stepTimeoutMs: 15_000,
};

/** What a protocol file may do from its handlers. */
export interface DialogueIo {
  readonly ctx: DialogueContext;
  readonly evidence: DialogueEvidence;
  /** Writes a command; `waitingFor` names the next step ('no reply to STARTTLS'). */
  send(data: string | Buffer, waitingFor: string): void;
  /** Waits for more without sending (the next line of a multi-line reply keeps the step). */
  wait(waitingFor: string): void;
  /** The server said go: the socket is ready for TLS once the current input is fully used. */
  proceed(goAhead: string): void;
  /** Ends the dialogue; `bye` is a polite goodbye sent first (QUIT, LOGOUT …) when it makes sense. */
  fail(kind: StartTlsFailureKind, reason: string, bye?: string): void;
}

interface Base {
  protocol: DialogueEvidence['protocol'];
  /** What the first step waits for ('no IMAP greeting'). */
  first: string;
  /** Called once TCP is connected: send the first bytes (client speaks first) or wait. */
  start?(io: DialogueIo): void;
}

export interface LineProtocol extends Base {
  framing: 'lines';
  /** One line, without its CR LF, control bytes kept (latin1). */
  onLine(line: string, io: DialogueIo): void;
}

export interface FrameProtocol extends Base {
  framing: 'frames';
  /** All unread bytes; returns how many form whole frames it used (0: wait for more). */
  onBytes(data: Buffer, io: DialogueIo): number;
}

export type DialogueProtocol = LineProtocol | FrameProtocol;

const BUSY = /too many (?:connections|clients|users|sessions)|server (?:is )?(?:busy|overloaded)|try (?:again )?later|temporar(?:il)?y unavailable|resource[- ]constraint|max(?:imum)? (?:number of )?connections/i;

/** Words servers use for "come back later". */
export function soundsBusy(text: string): boolean {
  return BUSY.test(text);
}

/** Bytes as evidence text: control characters shown as \xNN, capped. */
export function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const shown = text.slice(0, max).replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > max ? `${shown}…` : shown;
}

const ignore = (): void => undefined;

function emptyDialogueEvidence(protocol: DialogueEvidence['protocol']): DialogueEvidence {
  return { protocol, greeting: null, capabilities: [], starttlsOffered: null, goAhead: null, bytesAfterGoAhead: 0, bytesRead: 0, step: 'no connection' };
}

/**
 * Runs `proto` on `socket` (connecting or connected). `done` is called once; on success the
 * dialogue's listeners are gone (a no-op 'error' listener stays) and the socket is the caller's.
 * The socket is never destroyed here.
 */
export function runDialogue(
  socket: net.Socket,
  proto: DialogueProtocol,
  ctx: DialogueContext,
  done: (result: DialogueResult) => void,
  limits: Readonly<DialogueLimits> = DIALOGUE_LIMITS,
): StartTlsDialogue {
  const evidence = emptyDialogueEvidence(proto.protocol);
  let buffer: Buffer = Buffer.alloc(0);
  let units = 0;
  let finished = false;
  let started = false;
  let ready: string | null = null;
  let stepTimer: NodeJS.Timeout | undefined;

  const detach = (): void => {
    finished = true;
    clearTimeout(stepTimer);
    socket.off('connect', onConnect);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
    socket.off('error', onError);
  };
  const step = (waitingFor: string): void => {
    evidence.step = waitingFor;
    clearTimeout(stepTimer);
    stepTimer = setTimeout(() => fail('timeout', `${waitingFor} within ${limits.stepTimeoutMs} ms`), limits.stepTimeoutMs);
  };
  const fail = (kind: StartTlsFailureKind, reason: string, bye?: string): void => {
    if (finished) return;
    detach();
    if (bye && socket.writable) socket.end(bye);
    done({ ok: false, kind, reason, evidence });
  };
  const io: DialogueIo = {
    ctx,
    evidence,
    send(data, waitingFor) {
      if (finished) return;
      step(waitingFor);
      socket.write(data);
    },
    wait: (waitingFor) => {
      if (!finished && evidence.step !== waitingFor) step(waitingFor);
    },
    proceed(goAhead) {
      if (!finished) ready = goAhead;
    },
    fail,
  };

  /** After a handler: a go-ahead with bytes left over is an injection, without any: the end. */
  const settle = (left: number): boolean => {
    if (ready === null || finished) return finished;
    evidence.goAhead = printable(ready, 200);
    evidence.bytesAfterGoAhead = left;
    if (left > 0) {
      fail('injected', `the server sent ${left} bytes after its STARTTLS go-ahead (${evidence.goAhead}) and before our TLS hello: plaintext that would be read as TLS (STARTTLS response injection); not parsed`);
      return true;
    }
    evidence.step = 'done';
    detach();
    done({ ok: true, evidence });
    return true;
  };

  function onConnect(): void {
    if (started || finished) return;
    started = true;
    step(proto.first);
    proto.start?.(io);
  }
  function onData(chunk: Buffer): void {
    if (finished) return;
    if (!started) onConnect();
    evidence.bytesRead += chunk.length;
    if (evidence.bytesRead > limits.maxTotalBytes) {
      fail('protocol-error', `the server sent more than ${limits.maxTotalBytes} bytes before the STARTTLS go-ahead`);
      return;
    }
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    if (proto.framing === 'lines') readLines(proto);
    else readFrames(proto);
  }
  function readLines(p: LineProtocol): void {
    let lf: number;
    while (!finished && (lf = buffer.indexOf(0x0a)) !== -1) {
      if (lf + 1 > limits.maxLineBytes) break;
      const end = lf > 0 && buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = buffer.subarray(0, end).toString('latin1');
      buffer = buffer.subarray(lf + 1);
      if (++units > limits.maxUnits) {
        fail('protocol-error', `more than ${limits.maxUnits} lines before the STARTTLS go-ahead`);
        return;
      }
      p.onLine(line, io);
      if (settle(buffer.length)) return;
    }
    if (!finished && (buffer.indexOf(0x0a) > limits.maxLineBytes || (buffer.indexOf(0x0a) === -1 && buffer.length > limits.maxLineBytes))) {
      fail('protocol-error', `a line longer than ${limits.maxLineBytes} bytes`);
    }
  }
  function readFrames(p: FrameProtocol): void {
    while (!finished && buffer.length > 0) {
      const used = p.onBytes(buffer, io);
      if (finished) return;
      if (used === 0) {
        if (ready !== null) settle(buffer.length);
        else if (buffer.length > limits.maxLineBytes * 16) fail('protocol-error', `an unfinished message of more than ${limits.maxLineBytes * 16} bytes`);
        return;
      }
      buffer = buffer.subarray(used);
      if (++units > limits.maxUnits) {
        fail('protocol-error', `more than ${limits.maxUnits} messages before the STARTTLS go-ahead`);
        return;
      }
      if (settle(buffer.length)) return;
    }
  }
  function onEnd(): void {
    const where = evidence.step === 'no connection' ? 'while connecting' : `(${evidence.step})`;
    fail('closed', `the server closed the connection ${where}`);
  }
  function onError(err: NodeJS.ErrnoException): void {
    const f = socketFailure(err, `the server reset the connection (${evidence.step})`);
    fail(f.kind, f.reason);
  }

  socket.on('error', ignore);
  socket.on('connect', onConnect);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onError);
  // Deferred so that `done` never runs before the caller holds the handle.
  if (!socket.connecting) queueMicrotask(onConnect);

  return {
    get waitingFor() {
      return finished ? null : evidence.step;
    },
    get evidence() {
      return structuredClone(evidence);
    },
    cancel: () => {
      if (!finished) detach();
    },
  };
}
