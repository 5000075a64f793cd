/**
 * The SMTP dialogue state machine on an in-memory socket: a scripted server pushes replies, the
 * test sees every command the client writes. Real sockets are in test/integration/smtp-starttls.
 */
import type net from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_EHLO_NAME, hasExtension, runSmtpDialogue, smtpBanner, type SmtpDialogueOptions, type SmtpDialogueResult } from '../../src/net/smtp/client.js';

/** A connected socket stand-in: `script` maps each client command to the server's answer. */
class ScriptedSocket extends Duplex {
  readonly connecting = false;
  readonly written: string[] = [];
  constructor(private readonly script: (command: string, s: ScriptedSocket) => void) {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    const command = chunk.toString('latin1');
    this.written.push(command);
    // The server answers after the client's write returns, as a real one would.
    setImmediate(() => this.script(command, this));
    cb();
  }
  say(text: string): void {
    this.push(Buffer.from(text, 'latin1'));
  }
}

function run(greeting: string, script: (command: string, s: ScriptedSocket) => void, opts: Partial<SmtpDialogueOptions> = {}) {
  const socket = new ScriptedSocket(script);
  const result = new Promise<SmtpDialogueResult>((resolve) => {
    runSmtpDialogue(socket as unknown as net.Socket, { goal: 'starttls', ...opts }, resolve);
  });
  setImmediate(() => socket.say(greeting));
  return { socket, result };
}

const EHLO_OK = '250-mx.example greets you\r\n250-SIZE 1000000\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 REQUIRETLS\r\n';

/** A well-behaved server with STARTTLS. */
function goodServer(command: string, s: ScriptedSocket): void {
  if (command.startsWith('EHLO ')) s.say(EHLO_OK);
  else if (command === 'STARTTLS\r\n') s.say('220 2.0.0 Ready to start TLS\r\n');
  else if (command === 'QUIT\r\n') s.say('221 2.0.0 Bye\r\n');
  else s.say('500 5.5.1 unknown\r\n');
}

describe('runSmtpDialogue', () => {
  it('greeting, EHLO, STARTTLS, 220: the socket is handed back with the evidence', async () => {
    const { socket, result } = run('220 mx.example ESMTP ready\r\n', goodServer);
    const r = await result;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.socket).toBe(socket);
    expect(socket.written).toEqual([`EHLO ${DEFAULT_EHLO_NAME}\r\n`, 'STARTTLS\r\n']);
    expect(smtpBanner(r.evidence)).toBe('mx.example ESMTP ready');
    expect(r.evidence.extensions.map((e) => e.keyword)).toEqual(['SIZE', 'PIPELINING', 'STARTTLS', 'REQUIRETLS']);
    expect(hasExtension(r.evidence, 'requiretls')).toBe(true);
    expect(r.evidence).toMatchObject({ starttlsAdvertised: true, starttls: { code: 220 }, bytesAfterStarttls: 0, phase: 'done' });
    // Nothing of the dialogue's is left listening but the no-op error guard.
    expect(socket.listenerCount('data')).toBe(0);
    expect(socket.listenerCount('error')).toBe(1);
  });

  it('uses the EHLO name asked for', async () => {
    const { socket, result } = run('220 hi\r\n', goodServer, { ehloName: 'scanner.example.org' });
    expect((await result).ok).toBe(true);
    expect(socket.written[0]).toBe('EHLO scanner.example.org\r\n');
  });

  it('refuses an EHLO name that could smuggle a command', async () => {
    const { socket, result } = run('220 hi\r\n', goodServer, { ehloName: 'x\r\nMAIL FROM:<a@b>' });
    expect(await result).toMatchObject({ ok: false, kind: 'protocol-error', reason: expect.stringContaining('not a valid EHLO name') });
    expect(socket.written).toEqual([]);
  });

  it('a multiline greeting (postscreen style) is read to its last line before EHLO', async () => {
    const { socket, result } = run('220-mx.example first\r\n220-more\r\n220 mx.example last\r\n', goodServer);
    const r = await result;
    expect(r.ok && r.evidence.greeting?.lines).toEqual(['mx.example first', 'more', 'mx.example last']);
    expect(socket.written[0]).toMatch(/^EHLO /);
  });

  it('STARTTLS not advertised: no-starttls, and a polite QUIT', async () => {
    const { socket, result } = run('220 hi\r\n', (c, s) => (c.startsWith('EHLO') ? s.say('250-mx\r\n250 SIZE 10\r\n') : undefined));
    expect(await result).toMatchObject({ ok: false, kind: 'no-starttls', evidence: { starttlsAdvertised: false, extensions: [{ keyword: 'SIZE', params: ['10'] }] } });
    expect(socket.written).toEqual([`EHLO ${DEFAULT_EHLO_NAME}\r\n`, 'QUIT\r\n']);
  });

  it('EHLO refused with 5xx: falls back to HELO, which has no STARTTLS', async () => {
    const { socket, result } = run('220 old smtpd\r\n', (c, s) => s.say(c.startsWith('EHLO') ? '502 5.5.2 command not recognized\r\n' : '250 old smtpd\r\n'));
    const r = await result;
    expect(r).toMatchObject({ ok: false, kind: 'no-starttls', evidence: { ehlo: { code: 502 }, helo: { code: 250 } } });
    expect(socket.written.slice(0, 2)).toEqual([`EHLO ${DEFAULT_EHLO_NAME}\r\n`, `HELO ${DEFAULT_EHLO_NAME}\r\n`]);
  });

  it('EHLO 4xx, or EHLO and HELO both refused: hello-refused', async () => {
    expect(await run('220 hi\r\n', (_c, s) => s.say('421 4.3.2 go away\r\n')).result).toMatchObject({ ok: false, kind: 'hello-refused', reason: 'EHLO answered 421 4.3.2 go away' });
    expect(await run('220 hi\r\n', (_c, s) => s.say('550 5.7.1 no\r\n')).result).toMatchObject({ ok: false, kind: 'hello-refused' });
  });

  it('a 554 greeting is a greeting-error (RFC 5321 §3.1), answered with QUIT', async () => {
    const { socket, result } = run('554 5.7.1 no service for you\r\n', () => undefined);
    expect(await result).toMatchObject({ ok: false, kind: 'greeting-error', reason: 'the server greeted with 554 5.7.1 no service for you' });
    expect(socket.written).toEqual(['QUIT\r\n']);
  });

  it('454 to STARTTLS: starttls-refused', async () => {
    const { result } = run('220 hi\r\n', (c, s) => s.say(c.startsWith('EHLO') ? EHLO_OK : '454 4.7.0 TLS not available due to temporary reason\r\n'));
    expect(await result).toMatchObject({ ok: false, kind: 'starttls-refused', reason: 'STARTTLS answered 454 4.7.0 TLS not available due to temporary reason', evidence: { starttls: { code: 454 } } });
  });

  it('bytes after the 220 to STARTTLS are counted and dropped (response injection)', async () => {
    const injected = '250 injected before TLS\r\n';
    const { result } = run('220 hi\r\n', (c, s) => s.say(c.startsWith('EHLO') ? EHLO_OK : `220 go ahead\r\n${injected}`));
    const r = await result;
    expect(r).toMatchObject({ ok: true, evidence: { bytesAfterStarttls: injected.length } });
  });

  it('a reply sent out of turn (before our command) is a protocol error', async () => {
    const { socket, result } = run('220 hi\r\n250 unsolicited\r\n', goodServer);
    expect(await result).toMatchObject({ ok: false, kind: 'protocol-error', reason: 'the server sent 17 bytes before our EHLO (out of turn)' });
    expect(socket.written).toEqual([]);
  });

  it('garbage instead of a greeting is a protocol error', async () => {
    const { result } = run('HTTP/1.1 400 Bad Request\r\n', () => undefined);
    expect(await result).toMatchObject({ ok: false, kind: 'protocol-error', reason: expect.stringContaining('not an SMTP reply line: "HTTP/1.1 400') });
  });

  it('a close mid-dialogue is closed, saying where', async () => {
    const { result } = run('220 hi\r\n', (c, s) => {
      if (!c.startsWith('EHLO')) return;
      s.say('250-mx\r\n250-STA');
      setImmediate(() => s.push(null));
    });
    expect(await result).toMatchObject({ ok: false, kind: 'closed', reason: 'the server closed the connection after EHLO in the middle of a reply' });
  });

  it("goal 'capabilities': EHLO then QUIT, and the 221 is evidence", async () => {
    const { socket, result } = run('220 hi\r\n', goodServer, { goal: 'capabilities' });
    const r = await result;
    expect(r).toMatchObject({ ok: true, evidence: { starttlsAdvertised: true, quit: { code: 221 }, phase: 'done' } });
    expect(socket.written).toEqual([`EHLO ${DEFAULT_EHLO_NAME}\r\n`, 'QUIT\r\n']);
  });

  it("goal 'capabilities': a server that ignores QUIT does not hold the dialogue past quitWaitMs", async () => {
    // The QUIT timer runs on a fake clock (setImmediate, which the scripted socket uses, does not):
    // the dialogue ends exactly when quitWaitMs has passed after QUIT, not before, and not on
    // anything else. No elapsed time is asserted.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { socket, result } = run('220 hi\r\n', (c, s) => (c.startsWith('EHLO') ? s.say(EHLO_OK) : undefined), { goal: 'capabilities', quitWaitMs: 50 });
      let done: SmtpDialogueResult | undefined;
      void result.then((r) => (done = r));
      while (!socket.written.includes('QUIT\r\n')) await new Promise((r) => setImmediate(r));
      await vi.advanceTimersByTimeAsync(49);
      expect(done).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toMatchObject({ ok: true, evidence: { quit: null, phase: 'done' } });
      expect(socket.written).toEqual([`EHLO ${DEFAULT_EHLO_NAME}\r\n`, 'QUIT\r\n']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancel() detaches without a result', async () => {
    const socket = new ScriptedSocket(goodServer);
    let called = false;
    const d = runSmtpDialogue(socket as unknown as net.Socket, { goal: 'starttls' }, () => (called = true));
    expect(d.waitingFor).toBe('no SMTP greeting');
    d.cancel();
    socket.say('220 hi\r\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(called).toBe(false);
    expect(socket.written).toEqual([]);
    expect(d.waitingFor).toBeNull();
  });
});
