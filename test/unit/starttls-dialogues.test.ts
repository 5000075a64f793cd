/**
 * Every STARTTLS dialogue of src/net/starttls against scripted byte exchanges on an in-memory
 * socket: the bytes it writes, the go-ahead, and each typed failure (not offered, refused,
 * throttled, injected bytes after the go-ahead, silence, an oversized line, a foreign protocol).
 * Real servers: test/conformance/starttls.test.ts; real sockets: test/integration/starttls-scan.
 */
import type net from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runStartTls, type DialogueResult, type StartTlsProtocol, type StartTlsSpec } from '../../src/net/starttls/index.js';
import { startTlsRequest } from '../../src/net/starttls/ldap.js';
import { sslRequest } from '../../src/net/starttls/mysql.js';
import { DIALOGUE_LIMITS, type DialogueLimits } from '../../src/net/starttls/runner.js';

type Reply = string | Buffer | null;

/** A connected socket stand-in: `script` answers each write (null: say nothing). */
class ScriptedSocket extends Duplex {
  readonly connecting = false;
  readonly written: Buffer[] = [];
  ended = false;
  constructor(private readonly script: (data: Buffer, s: ScriptedSocket) => Reply) {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written.push(Buffer.from(chunk));
    setImmediate(() => {
      const reply = this.script(Buffer.from(chunk), this);
      if (reply !== null) this.say(reply);
    });
    cb();
  }
  override end(...args: unknown[]): this {
    this.ended = true;
    return super.end(...(args as []));
  }
  say(data: string | Buffer): void {
    this.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }
  text(): string[] {
    return this.written.map((b) => b.toString('latin1'));
  }
}

function run(
  protocol: StartTlsProtocol,
  greeting: Reply,
  script: (data: string, s: ScriptedSocket) => Reply,
  opts: { spec?: Partial<StartTlsSpec>; limits?: Partial<DialogueLimits> } = {},
): { socket: ScriptedSocket; result: Promise<DialogueResult> } {
  const socket = new ScriptedSocket((b, s) => script(b.toString('latin1'), s));
  const result = new Promise<DialogueResult>((resolve) => {
    runStartTls(socket as unknown as net.Socket, { spec: { protocol, ...opts.spec }, servername: null, ip: '192.0.2.1' }, resolve, {
      limits: { ...DIALOGUE_LIMITS, ...opts.limits },
    });
  });
  if (greeting !== null) setImmediate(() => socket.say(greeting));
  return { socket, result };
}

const fail = (kind: string) => expect.objectContaining({ ok: false, kind });

describe('IMAP (RFC 3501 §6.2.1)', () => {
  const server = (caps: string, answer = 'a002 OK Begin TLS now\r\n') => (c: string) =>
    c === 'a001 CAPABILITY\r\n' ? `* CAPABILITY ${caps}\r\na001 OK done\r\n` : c === 'a002 STARTTLS\r\n' ? answer : c.includes('LOGOUT') ? '* BYE\r\n' : 'x BAD\r\n';

  it('greeting, CAPABILITY, STARTTLS, OK: ready, capabilities recorded', async () => {
    const { socket, result } = run('imap', '* OK Dovecot ready.\r\n', server('IMAP4rev1 STARTTLS LOGINDISABLED'));
    const r = await result;
    expect(r).toMatchObject({ ok: true, evidence: { protocol: 'imap', greeting: '* OK Dovecot ready.', starttlsOffered: true, capabilities: ['IMAP4REV1', 'STARTTLS', 'LOGINDISABLED'], bytesAfterGoAhead: 0, step: 'done' } });
    expect(socket.text()).toEqual(['a001 CAPABILITY\r\n', 'a002 STARTTLS\r\n']);
  });
  it('a [CAPABILITY] greeting listing STARTTLS saves the CAPABILITY round trip', async () => {
    const { socket, result } = run('imap', '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n', server(''));
    expect((await result).ok).toBe(true);
    expect(socket.text()).toEqual(['a002 STARTTLS\r\n']);
  });
  it('no STARTTLS among the capabilities: no-starttls, and a LOGOUT', async () => {
    const { socket, result } = run('imap', '* OK ready\r\n', server('IMAP4rev1 AUTH=PLAIN'));
    expect(await result).toEqual(fail('no-starttls'));
    expect(socket.text()).toContain('a009 LOGOUT\r\n');
  });
  it('STARTTLS answered NO: starttls-refused', async () => {
    const { result } = run('imap', '* OK ready\r\n', server('STARTTLS', 'a002 NO TLS not available\r\n'));
    expect(await result).toMatchObject({ ok: false, kind: 'starttls-refused', reason: 'STARTTLS answered a002 NO TLS not available' });
  });
  it('* BYE Too many connections: throttled', async () => {
    expect(await run('imap', '* BYE Too many connections from your IP\r\n', () => null).result).toEqual(fail('throttled'));
  });
  it('bytes after the tagged OK (response injection): injected, never handed to TLS', async () => {
    const { result } = run('imap', '* OK ready\r\n', server('STARTTLS', 'a002 OK Begin TLS\r\n* CAPABILITY injected\r\n'));
    const r = await result;
    expect(r).toMatchObject({ ok: false, kind: 'injected', evidence: { bytesAfterGoAhead: 23, goAhead: 'a002 OK Begin TLS' } });
  });
});

describe('POP3 (RFC 2595 §4)', () => {
  it('CAPA lists STLS, STLS → +OK: ready', async () => {
    const { socket, result } = run('pop3', '+OK Dovecot ready.\r\n', (c) => (c === 'CAPA\r\n' ? '+OK\r\nUSER\r\nSTLS\r\nSASL PLAIN\r\n.\r\n' : c === 'STLS\r\n' ? '+OK Begin TLS negotiation now.\r\n' : null));
    expect(await result).toMatchObject({ ok: true, evidence: { capabilities: ['USER', 'STLS', 'SASL PLAIN'], starttlsOffered: true } });
    expect(socket.text()).toEqual(['CAPA\r\n', 'STLS\r\n']);
  });
  it('CAPA without STLS: no-starttls', async () => {
    expect(await run('pop3', '+OK\r\n', (c) => (c === 'CAPA\r\n' ? '+OK\r\nUSER\r\n.\r\n' : null)).result).toEqual(fail('no-starttls'));
  });
  it('no CAPA at all: STLS is asked anyway, and -ERR then means not offered', async () => {
    const { socket, result } = run('pop3', '+OK\r\n', () => '-ERR unknown command\r\n');
    expect(await result).toEqual(fail('no-starttls'));
    expect(socket.text()).toEqual(['CAPA\r\n', 'STLS\r\n', 'QUIT\r\n']);
  });
  it('-ERR [SYS/TEMP] too many connections: throttled', async () => {
    expect(await run('pop3', '-ERR [SYS/TEMP] Too many connections\r\n', () => null).result).toEqual(fail('throttled'));
  });
});

describe('ManageSieve (RFC 5804 §2.2)', () => {
  const greeting = (caps: string) => `"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"SIEVE" "fileinto reject"\r\n${caps}"VERSION" "1.0"\r\nOK "ready."\r\n`;
  it('capabilities in the greeting, STARTTLS → OK: ready', async () => {
    const { socket, result } = run('sieve', greeting('"STARTTLS"\r\n'), (c) => (c === 'STARTTLS\r\n' ? 'OK "Begin TLS negotiation now."\r\n' : null));
    expect(await result).toMatchObject({ ok: true, evidence: { greeting: 'Dovecot Pigeonhole', starttlsOffered: true } });
    expect(socket.text()).toEqual(['STARTTLS\r\n']);
  });
  it('no "STARTTLS" capability: no-starttls', async () => {
    expect(await run('sieve', greeting(''), () => null).result).toEqual(fail('no-starttls'));
  });
  it('a line that is not a capability: protocol-error', async () => {
    expect(await run('sieve', 'HTTP/1.1 400 Bad Request\r\n', () => null).result).toEqual(fail('protocol-error'));
  });
});

describe('FTP (RFC 4217 §4)', () => {
  it('120 then 220, FEAT lists AUTH TLS (multi-line), AUTH TLS → 234: ready', async () => {
    const { socket, result } = run('ftp', '120 ready in 1 minute\r\n220-welcome\r\nfree text line\r\n220 (vsFTPd 3.0.3)\r\n', (c) =>
      c === 'FEAT\r\n' ? '211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n' : c === 'AUTH TLS\r\n' ? '234 Proceed with negotiation.\r\n' : null,
    );
    expect(await result).toMatchObject({ ok: true, evidence: { capabilities: ['AUTH TLS', 'PBSZ', 'PROT'], goAhead: '234 Proceed with negotiation.' } });
    expect(socket.text()).toEqual(['FEAT\r\n', 'AUTH TLS\r\n']);
  });
  it('421 greeting: throttled', async () => {
    expect(await run('ftp', '421 There are too many connected users, please try later.\r\n', () => null).result).toEqual(fail('throttled'));
  });
  it('FEAT without AUTH TLS: no-starttls', async () => {
    expect(await run('ftp', '220 hi\r\n', (c) => (c === 'FEAT\r\n' ? '211-Features:\r\n MDTM\r\n211 End\r\n' : null)).result).toEqual(fail('no-starttls'));
  });
  it('AUTH TLS answered 534: starttls-refused', async () => {
    expect(await run('ftp', '220 hi\r\n', (c) => (c === 'FEAT\r\n' ? '500 no\r\n' : '534 policy\r\n')).result).toEqual(fail('starttls-refused'));
  });
});

describe('NNTP (RFC 4642)', () => {
  it('CAPABILITIES lists STARTTLS, STARTTLS → 382: ready', async () => {
    const { socket, result } = run('nntp', '200 news.example ready\r\n', (c) => (c === 'CAPABILITIES\r\n' ? '101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\nREADER\r\n.\r\n' : c === 'STARTTLS\r\n' ? '382 Continue with TLS negotiation\r\n' : null));
    expect(await result).toMatchObject({ ok: true, evidence: { starttlsOffered: true, goAhead: '382 Continue with TLS negotiation' } });
    expect(socket.text()).toEqual(['CAPABILITIES\r\n', 'STARTTLS\r\n']);
  });
  it('400 greeting: throttled', async () => {
    expect(await run('nntp', '400 Service temporarily unavailable\r\n', () => null).result).toEqual(fail('throttled'));
  });
  it('STARTTLS answered 580: starttls-refused', async () => {
    expect(await run('nntp', '201 ready\r\n', (c) => (c === 'CAPABILITIES\r\n' ? '101 list\r\nSTARTTLS\r\n.\r\n' : '580 Can not initiate TLS negotiation\r\n')).result).toEqual(fail('starttls-refused'));
  });
});

describe('IRC (IRCv3 STARTTLS)', () => {
  it('NOTICEs skipped, a PING answered, 670: ready', async () => {
    const { socket, result } = run('irc', ':irc.example NOTICE * :*** Looking up your hostname\r\nPING :abc\r\n', (c) => (c === 'STARTTLS\r\n' ? null : c === 'PONG :abc\r\n' ? ':irc.example 670 * :STARTTLS successful, go ahead with TLS handshake\r\n' : null));
    expect(await result).toMatchObject({ ok: true, evidence: { greeting: 'irc.example', starttlsOffered: true } });
    expect(socket.text()).toEqual(['STARTTLS\r\n', 'PONG :abc\r\n']);
  });
  it('421 Unknown command: no-starttls', async () => {
    expect(await run('irc', null, () => ':irc.example 421 * STARTTLS :Unknown command\r\n').result).toEqual(fail('no-starttls'));
  });
  it('ERROR :Too many connections: throttled', async () => {
    expect(await run('irc', null, () => 'ERROR :Closing Link: 127.0.0.1 (Too many connections from your host)\r\n').result).toEqual(fail('throttled'));
  });
});

describe('XMPP (RFC 6120 §5)', () => {
  const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='chat.example' id='x1' version='1.0'>";
  const features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>";
  const server = (first: string, answer = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>") => (c: string) => (c.startsWith('<?xml') ? first : c.startsWith('<starttls') ? answer : null);

  it('stream header with to=, features with <starttls/>, <proceed/>: ready (split across reads)', async () => {
    const { socket, result } = run('xmpp', null, (c, s) => {
      if (!c.startsWith('<?xml')) return c.startsWith('<starttls') ? "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" : null;
      s.say(header);
      s.say(features.slice(0, 40));
      return features.slice(40);
    }, { spec: { xmppHost: 'chat.example' } });
    expect(await result).toMatchObject({ ok: true, evidence: { protocol: 'xmpp', starttlsOffered: true } });
    expect(socket.text()[0]).toBe("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='chat.example' version='1.0'>");
    expect(socket.text()[1]).toBe("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  });
  it('a stream trickled one byte per read: markers split across reads are still found', async () => {
    const { result } = run('xmpp', null, (c, s) => {
      if (c.startsWith('<starttls')) return "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
      for (const ch of header + features) s.say(ch);
      return null;
    });
    expect(await result).toMatchObject({ ok: true, evidence: { capabilities: ['starttls', 'required', 'mechanisms', 'mechanism'] } });
  });
  it('xmpp-server speaks jabber:server; to= defaults to the address without a name', async () => {
    const { socket, result } = run('xmpp-server', null, server(header + features));
    expect((await result).ok).toBe(true);
    expect(socket.text()[0]).toContain("xmlns='jabber:server'");
    expect(socket.text()[0]).toContain("to='192.0.2.1'");
  });
  it('features without <starttls/>: no-starttls', async () => {
    expect(await run('xmpp', null, server(`${header}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`)).result).toEqual(fail('no-starttls'));
  });
  it('<failure/>: starttls-refused', async () => {
    expect(await run('xmpp', null, server(header + features, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")).result).toEqual(fail('starttls-refused'));
  });
  it('a DTD or entity in the stream is refused, never expanded', async () => {
    const evil = `<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${header}${features}`;
    expect(await run('xmpp', null, server(evil)).result).toEqual(fail('protocol-error'));
  });
  it('<resource-constraint/> stream error: throttled', async () => {
    const err = `${header}<stream:error><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`;
    expect(await run('xmpp', null, server(err)).result).toEqual(fail('throttled'));
  });
  it('a to= that could leave its attribute is refused before anything is sent', async () => {
    const { socket, result } = run('xmpp', null, server(header + features), { spec: { xmppHost: "x' evil='1" } });
    expect(await result).toEqual(fail('protocol-error'));
    expect(socket.written).toEqual([]);
  });
});

describe('LDAP (RFC 4511 §4.14)', () => {
  const response = (code: number, id = 1) => Buffer.from([0x30, 0x0c, 0x02, 0x01, id, 0x78, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00]);
  it('the ExtendedRequest is exactly RFC 4511 BER; resultCode 0: ready', async () => {
    expect(startTlsRequest().toString('hex')).toBe(`301d02010177188016${Buffer.from('1.3.6.1.4.1.1466.20037').toString('hex')}`);
    const { socket, result } = run('ldap', null, () => response(0));
    expect(await result).toMatchObject({ ok: true, evidence: { protocol: 'ldap', starttlsOffered: true } });
    expect(socket.written[0]).toEqual(startTlsRequest());
  });
  it('resultCode 2 (protocolError: unknown operation): no-starttls; 51 busy: throttled; 52: refused', async () => {
    expect(await run('ldap', null, () => response(2)).result).toEqual(fail('no-starttls'));
    expect(await run('ldap', null, () => response(51)).result).toEqual(fail('throttled'));
    expect(await run('ldap', null, () => response(52)).result).toEqual(fail('starttls-refused'));
  });
  it('bytes after the success response: injected', async () => {
    expect(await run('ldap', null, () => Buffer.concat([response(0), Buffer.from([0x16, 0x03])])).result).toEqual(fail('injected'));
  });
  it('an indefinite BER length or an oversized message: protocol-error', async () => {
    expect(await run('ldap', null, () => Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01])).result).toEqual(fail('protocol-error'));
    expect(await run('ldap', null, () => Buffer.from([0x30, 0x83, 0x10, 0x00, 0x00])).result).toEqual(fail('protocol-error'));
  });
});

describe('PostgreSQL (SSLRequest)', () => {
  it("SSLRequest 80877103 → 'S': ready", async () => {
    const { socket, result } = run('postgres', null, () => 'S');
    expect(await result).toMatchObject({ ok: true, evidence: { goAhead: 'S' } });
    expect(socket.written[0]!.toString('hex')).toBe('0000000804d2162f');
  });
  it("'N': no-starttls", async () => {
    expect(await run('postgres', null, () => 'N').result).toEqual(fail('no-starttls'));
  });
  it("bytes after the 'S' (CVE-2021-23222): injected", async () => {
    expect(await run('postgres', null, () => 'SE\0\0\0\x08junk').result).toMatchObject({ ok: false, kind: 'injected', evidence: { bytesAfterGoAhead: 9 } });
  });
  it('ErrorResponse 53300 too_many_connections: throttled', async () => {
    const body = Buffer.from('SFATAL\0C53300\0Msorry, too many clients already\0\0', 'latin1');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length + 4);
    expect(await run('postgres', null, () => Buffer.concat([Buffer.from('E'), len, body])).result).toMatchObject({ ok: false, kind: 'throttled', evidence: { greeting: '53300 sorry, too many clients already' } });
  });
});

describe('MySQL / MariaDB', () => {
  const handshake = (caps: number) => {
    const version = Buffer.from('10.11.6-MariaDB\0', 'latin1');
    const payload = Buffer.concat([Buffer.from([0x0a]), version, Buffer.alloc(4, 1), Buffer.alloc(8, 0x41), Buffer.from([0]), Buffer.from([caps & 0xff, caps >> 8]), Buffer.alloc(20)]);
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    return Buffer.concat([head, payload]);
  };
  it('a handshake with CLIENT_SSL: the SSLRequest (sequence 1) is sent and TLS may start', async () => {
    const { socket, result } = run('mysql', handshake(0xffff), () => null);
    expect(await result).toMatchObject({ ok: true, evidence: { greeting: '10.11.6-MariaDB', starttlsOffered: true } });
    expect(socket.written).toEqual([sslRequest(1)]);
    expect(sslRequest(1).length).toBe(36);
  });
  it('no CLIENT_SSL: no-starttls, nothing sent', async () => {
    const { socket, result } = run('mysql', handshake(0xffff & ~0x800), () => null);
    expect(await result).toEqual(fail('no-starttls'));
    expect(socket.written).toEqual([]);
  });
  it('ERR 1040 Too many connections: throttled', async () => {
    const payload = Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections', 'latin1')]);
    const head = Buffer.from([payload.length, 0, 0, 0]);
    expect(await run('mysql', Buffer.concat([head, payload]), () => null).result).toEqual(fail('throttled'));
  });
});

describe('SMTP and LMTP through the registry', () => {
  it('LMTP says LHLO', async () => {
    const { socket, result } = run('lmtp', '220 lmtp ready\r\n', (c) => (c.startsWith('LHLO ') ? '250-lmtp\r\n250 STARTTLS\r\n' : c === 'STARTTLS\r\n' ? '220 go\r\n' : null), { spec: { ehloName: 'scanner.example' } });
    expect(await result).toMatchObject({ ok: true, evidence: { protocol: 'lmtp' } });
    expect(socket.text()).toEqual(['LHLO scanner.example\r\n', 'STARTTLS\r\n']);
  });
  it('421 greeting: throttled', async () => {
    expect(await run('smtp', '421 4.7.0 Too many connections\r\n', () => null).result).toEqual(fail('throttled'));
  });
  it('a reply injected after the 220 to STARTTLS: injected', async () => {
    const r = await run('smtp', '220 mx\r\n', (c) => (c.startsWith('EHLO') ? '250-mx\r\n250 STARTTLS\r\n' : c === 'STARTTLS\r\n' ? '220 go ahead\r\n250 injected\r\n' : null)).result;
    expect(r).toMatchObject({ ok: false, kind: 'injected', evidence: { bytesAfterStarttls: 14 } });
  });
});

describe('bounds shared by every dialogue', () => {
  it('a silent server: timeout after the step deadline, naming what was awaited', async () => {
    const r = await run('imap', null, () => null, { limits: { stepTimeoutMs: 50 } }).result;
    expect(r).toMatchObject({ ok: false, kind: 'timeout', reason: 'no IMAP greeting within 50 ms' });
  });
  it('silence after a command: the step says which reply never came', async () => {
    const r = await run('pop3', '+OK\r\n', () => null, { limits: { stepTimeoutMs: 50 } }).result;
    expect(r).toMatchObject({ ok: false, kind: 'timeout', reason: 'no reply to CAPA within 50 ms' });
  });
  it('a line over the limit fails as soon as it is seen, without a line end', async () => {
    const r = await run('imap', `* OK ${'x'.repeat(5000)}`, () => null, { limits: { stepTimeoutMs: 5000 } }).result;
    expect(r).toMatchObject({ ok: false, kind: 'protocol-error', reason: 'a line longer than 4096 bytes' });
  });
  it('a server that chatters forever is cut off by the byte budget', async () => {
    const r = await run('irc', null, () => ':x NOTICE * :hi\r\n'.repeat(5000), { limits: { maxTotalBytes: 8192 } }).result;
    expect(r).toMatchObject({ ok: false, kind: 'protocol-error' });
    expect(!r.ok && r.reason).toMatch(/more than 8192 bytes|more than 500 lines/);
  });
  it('a server that closes mid-dialogue: closed, with the step', async () => {
    const { socket, result } = run('pop3', '+OK\r\n', (_c, s) => {
      s.push(null);
      return null;
    });
    const r = await result;
    expect(r).toMatchObject({ ok: false, kind: 'closed', reason: 'the server closed the connection (no reply to CAPA)' });
    expect(socket.text()).toEqual(['CAPA\r\n']);
  });
});
