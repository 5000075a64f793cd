/**
 * The active vulnerability probes (Heartbleed, CCS injection, Ticketbleed, ROBOT) against real
 * servers on 127.0.0.1 (`openssl s_server`, Node's tls), which must all come out not vulnerable,
 * and against scripted fake servers (named "fake" below) that behave like vulnerable ones or
 * misbehave on purpose.
 */
import { constants, privateDecrypt, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { vulnCcsInjectionProbe } from '../../src/probes/vuln/ccs-injection.js';
import { vulnHeartbleedProbe } from '../../src/probes/vuln/heartbleed.js';
import { vulnRobotProbe } from '../../src/probes/vuln/robot.js';
import { vulnTicketbleedProbe } from '../../src/probes/vuln/ticketbleed.js';
import type { TlsCiphersEvidence } from '../../src/tls/ciphers.js';
import type { TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import { checkCcsInjection, type VulnCcsInjectionEvidence } from '../../src/tls/vulns/ccs-injection.js';
import { checkHeartbleed, type VulnHeartbleedEvidence } from '../../src/tls/vulns/heartbleed.js';
import { checkRobot, type VulnRobotEvidence } from '../../src/tls/vulns/robot.js';
import { checkTicketbleed, type VulnTicketbleedEvidence } from '../../src/tls/vulns/ticketbleed.js';
import type { EndpointProbe } from '../../src/engine/probe.js';
import { untestedProtocols } from '../../src/model/constants.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { RawSession, readFlight, withRawSession } from '../../src/net/tls/raw-session.js';
import { alert, certificate, fakeTlsServer, helloDone, parseClientHello, rec, scanLoopback, serverHello, type ParsedHello } from '../helpers/fake-tls-server.js';
import { LocalServers } from '../helpers/local-servers.js';
import { expectValidReport } from '../helpers/schema.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('vuln');
let ec: { key: string; cert: string };
let rsa: { key: string; cert: string; der: Buffer; pem: string };

beforeAll(() => {
  ec = local.selfSigned('ec', 'ec', 'vuln.secgrade.test');
  const r = local.selfSigned('rsa', 'rsa', 'rsa.secgrade.test');
  const pem = readFileSync(r.key, 'utf8');
  rsa = { ...r, der: new X509Certificate(readFileSync(r.cert)).raw, pem };
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

const context = (port: number, connectTimeoutMs = 3000) => loopbackContext(port, { connectTimeoutMs });

interface Prereqs {
  protocols: TlsProtocolsEvidence;
  ciphers: TlsCiphersEvidence;
}

/** The real tls-protocols and tls-ciphers, as the engine runs them first. */
async function prerequisites(port: number): Promise<Prereqs> {
  const { ctx } = context(port);
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
  return { protocols, ciphers };
}

/** Runs one vulnerability probe after its prerequisites; returns its evidence and its own connections. */
async function runProbe<E>(probe: EndpointProbe<E, any, any>, port: number, pre: Prereqs, connectTimeoutMs?: number): Promise<{ ev: E; connections: number; ms: number }> {
  const { ctx, connections } = context(port, connectTimeoutMs);
  const deps = testDeps([
    [tlsProtocolsProbe, pre.protocols],
    [tlsCiphersProbe, pre.ciphers],
  ]);
  const t0 = Date.now();
  const ev = await probe.collect(ctx, deps);
  return { ev, connections: connections(), ms: Date.now() - t0 };
}

/** Evidence as tls-protocols / tls-ciphers would give it for a TLS 1.2-only server (for fakes). */
function tls12Only(suites: string[] = ['TLS_RSA_WITH_AES_128_CBC_SHA']): Prereqs {
  const protocols = { ...untestedProtocols(), SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false };
  return {
    protocols: { protocols, attempts: {}, sslv2Ciphers: [], firstPick: { 'TLSv1.2': { suite: 0x002f, refusedBundles: 0 } } },
    ciphers: { suites: { 'TLSv1.2': suites }, serverPreference: {}, incomplete: {} },
  };
}

describe('against openssl s_server (not vulnerable)', () => {
  it('EC certificate, TLS 1.2 + 1.3: no heartbeat, CCS refused, ticket echo correct, no RSA key exchange', async () => {
    const port = await local.sServer(['-www', '-key', ec.key, '-cert', ec.cert]);
    const pre = await prerequisites(port);
    const hb = await runProbe(vulnHeartbleedProbe, port, pre);
    expect(hb.ev.verdict).toBe('not-vulnerable');
    expect(hb.ev.attempts.map((a) => a.version)).toEqual(['TLSv1.2']);
    expect(hb.ev.attempts[0]?.heartbeat).toBe(false);
    expect(hb.connections).toBe(1);

    const ccs = await runProbe(vulnCcsInjectionProbe, port, pre);
    expect(ccs.ev).toMatchObject({ verdict: 'not-vulnerable', version: 'TLSv1.2', answer: 'alert unexpected_message' });
    expect(ccs.connections).toBe(1);

    const tb = await runProbe(vulnTicketbleedProbe, port, pre);
    expect(tb.ev).toMatchObject({ verdict: 'not-vulnerable', ticketIssued: true, resumed: true, sessionIdSent: 1, sessionIdEchoed: 1 });
    expect(tb.connections).toBe(2);

    const robot = await runProbe(vulnRobotProbe, port, pre);
    expect(robot.ev).toMatchObject({ verdict: 'not-vulnerable', reason: 'no cipher suite with RSA key exchange is accepted' });
    expect(robot.connections).toBe(0);

    for (const [probe, ev] of [
      [vulnHeartbleedProbe, hb.ev],
      [vulnCcsInjectionProbe, ccs.ev],
      [vulnTicketbleedProbe, tb.ev],
      [vulnRobotProbe, robot.ev],
    ] as const) {
      expect((probe as EndpointProbe<unknown, any, any>).check(ev, { target: { host: '127.0.0.1', port, path: '/', sni: null }, endpoint: null, now: new Date() })).toEqual([]);
    }
  });

  it('RSA certificate with static RSA suites only (-cipher AES128-SHA): ROBOT answers are uniform', async () => {
    const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-cipher', 'AES128-SHA', '-no_tls1_3']);
    const pre = await prerequisites(port);
    expect(pre.ciphers.suites['TLSv1.2']).toEqual(['TLS_RSA_WITH_AES_128_CBC_SHA']);
    const robot = await runProbe(vulnRobotProbe, port, pre);
    expect(robot.ev).toMatchObject({ verdict: 'not-vulnerable', oracle: null, version: 'TLSv1.2', suites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] });
    expect(robot.ev.rounds.map((r) => r.flow)).toEqual(['standard', 'shortened']);
    // OpenSSL answers every premaster secret alike (implicit rejection, RFC 5246 §7.4.7.1).
    expect(new Set(Object.values(robot.ev.rounds[0]!.responses)).size).toBe(1);
    expect(robot.connections).toBe(10);
    expect(checkRobot(robot.ev)).toEqual([]);
    expect(vulnRobotProbe.fields(robot.ev)).toEqual({ vulnerabilities: { robot: 'not-vulnerable' } });

    const [hb, ccs, tb] = await Promise.all([
      runProbe(vulnHeartbleedProbe, port, pre),
      runProbe(vulnCcsInjectionProbe, port, pre),
      runProbe(vulnTicketbleedProbe, port, pre),
    ]);
    expect(hb.ev.verdict).toBe('not-vulnerable');
    expect(ccs.ev.verdict).toBe('not-vulnerable');
    expect(tb.ev.verdict).toBe('not-vulnerable');
  });
});

/** A Node TLS server; handshake errors are the point, so they are ignored. */
async function nodeServer(cert: { key: string; cert: string }, options: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ key: readFileSync(cert.key), cert: readFileSync(cert.cert), ...options }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  return local.listen(server);
}

const ALL = [vulnHeartbleedProbe, vulnCcsInjectionProbe, vulnTicketbleedProbe, vulnRobotProbe] as const;

describe("against Node's tls (not vulnerable)", () => {
  it('EC certificate, TLS 1.2 + 1.3: all four not vulnerable', async () => {
    const port = await nodeServer(ec);
    const pre = await prerequisites(port);
    const [hb, ccs, tb, robot] = await Promise.all(ALL.map((p) => runProbe<unknown>(p, port, pre)));
    expect((hb!.ev as VulnHeartbleedEvidence).verdict).toBe('not-vulnerable');
    expect(ccs!.ev as VulnCcsInjectionEvidence).toMatchObject({ verdict: 'not-vulnerable', answer: 'alert unexpected_message' });
    expect(tb!.ev as VulnTicketbleedEvidence).toMatchObject({ verdict: 'not-vulnerable', resumed: true, sessionIdEchoed: 1 });
    expect((robot!.ev as VulnRobotEvidence).verdict).toBe('not-vulnerable');
  });

  it('RSA certificate, TLS 1.0–1.2 with static RSA suites: all four not vulnerable, ROBOT uniform at TLS 1.2', async () => {
    const port = await nodeServer(rsa, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-GCM-SHA384:@SECLEVEL=0' });
    const pre = await prerequisites(port);
    expect(pre.protocols.protocols['TLSv1.0']).toBe(true);
    const [hb, ccs, tb, robot] = await Promise.all(ALL.map((p) => runProbe<unknown>(p, port, pre)));
    const heartbleed = hb!.ev as VulnHeartbleedEvidence;
    expect(heartbleed.verdict).toBe('not-vulnerable');
    // One connection per TLS version ≤ 1.2 the server accepts.
    expect(heartbleed.attempts.map((a) => a.version)).toEqual(['TLSv1.2', 'TLSv1.1', 'TLSv1.0']);
    expect(hb!.connections).toBe(3);
    expect((ccs!.ev as VulnCcsInjectionEvidence).verdict).toBe('not-vulnerable');
    expect(tb!.ev as VulnTicketbleedEvidence).toMatchObject({ verdict: 'not-vulnerable', version: 'TLSv1.2', resumed: true });
    const r = robot!.ev as VulnRobotEvidence;
    expect(r).toMatchObject({ verdict: 'not-vulnerable', version: 'TLSv1.2' });
    expect(r.suites).toEqual(expect.arrayContaining(['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_GCM_SHA384']));
    expect(robot!.connections).toBe(10);
  });

  it('through scanTarget: the four verdicts land in tls.vulnerabilities of a valid report', async () => {
    const port = await nodeServer(ec);
    const report = await scanLoopback(port, [tlsProtocolsProbe, tlsCiphersProbe, ...ALL], { timeoutMs: 20_000, connectTimeoutMs: 3000 });
    expectValidReport(report);
    expect(report.endpoints[0]?.tls.vulnerabilities).toEqual({
      heartbleed: 'not-vulnerable',
      ccsInjection: 'not-vulnerable',
      ticketbleed: 'not-vulnerable',
      robot: 'not-vulnerable',
    });
    expect(report.findings.filter((f) => f.id.startsWith('tls.vuln'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fake servers (the bytes and the server are test/helpers/fake-tls-server.ts)

const fake = (
  onHello: (socket: net.Socket, hello: ParsedHello) => ((type: number, fragment: Buffer) => void) | void,
  opts: { halfOpen?: boolean } = {},
): Promise<number> => fakeTlsServer(local, onHello, opts);

const HEARTBEAT_EXT = new Writer().u16(15).vector16(Buffer.from([1])).toBuffer();

describe('fake vulnerable servers', () => {
  it('fake Heartbleed: answers an over-long heartbeat with the bytes it claimed → vulnerable, critical', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!, { exts: HEARTBEAT_EXT }), helloDone()])));
      return (type, fragment) => {
        if (type !== 24 || fragment[0] !== 1) return;
        const claimed = fragment.readUInt16BE(1);
        // "Memory": as many bytes as claimed, whatever the request carried, plus 16 of padding.
        const response = Buffer.concat([Buffer.from([2, claimed >> 8, claimed & 0xff]), randomBytes(claimed + 16)]);
        for (let i = 0; i < response.length; i += 16384) socket.write(rec(24, response.subarray(i, i + 16384)));
      };
    });
    const { ev, connections } = await runProbe(vulnHeartbleedProbe, port, tls12Only());
    expect(ev.verdict).toBe('vulnerable');
    expect(ev.attempts).toEqual([expect.objectContaining({ version: 'TLSv1.2', heartbeat: true, verdict: 'vulnerable', leakedBytes: 16381 })]);
    expect(connections).toBe(1);
    const [f] = checkHeartbleed(ev);
    expect(f).toMatchObject({ id: 'tls.vuln.heartbleed', severity: 'critical' });
    expect(f?.references.join(' ')).toContain('CVE-2014-0160');
    // The leaked bytes themselves are never kept.
    expect(JSON.stringify(ev).length).toBeLessThan(2000);
    expect(vulnHeartbleedProbe.fields(ev)).toEqual({ vulnerabilities: { heartbleed: 'vulnerable' } });
  });

  it('fake Heartbleed through scanTarget (tls-protocols first): vulnerable, a critical finding in a valid report', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!, { exts: HEARTBEAT_EXT }), helloDone()])));
      return (type, fragment) => {
        if (type === 24 && fragment[0] === 1) socket.write(rec(24, Buffer.concat([Buffer.from([2, 0x40, 0x00]), randomBytes(4000)])));
      };
    });
    const report = await scanLoopback(port, [tlsProtocolsProbe, vulnHeartbleedProbe], { timeoutMs: 10_000, connectTimeoutMs: 1500 });
    expectValidReport(report);
    expect(report.endpoints[0]?.tls.vulnerabilities).toEqual({ heartbleed: 'vulnerable' });
    expect(report.findings.filter((f) => f.id.startsWith('tls.vuln'))).toEqual([
      expect.objectContaining({ id: 'tls.vuln.heartbleed', severity: 'critical', endpoint: `127.0.0.1:${port}` }),
    ]);
  });

  it('fake patched heartbeat server: drops the lying request, answers the well-formed one → not vulnerable at once', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!, { exts: HEARTBEAT_EXT }), helloDone()])));
      return (type, fragment) => {
        if (type !== 24 || fragment[0] !== 1) return;
        const claimed = fragment.readUInt16BE(1);
        if (3 + claimed + 16 > fragment.length) return; // RFC 6520 §4: discard silently
        socket.write(rec(24, Buffer.concat([Buffer.from([2]), fragment.subarray(1, 3 + claimed), randomBytes(16)])));
      };
    });
    const { ev, ms } = await runProbe(vulnHeartbleedProbe, port, tls12Only());
    expect(ev.verdict).toBe('not-vulnerable');
    expect(ev.attempts[0]).toMatchObject({ heartbeat: true, detail: expect.stringContaining('only the well-formed one was answered') });
    expect(ms).toBeLessThan(1000);
  });

  it('fake CCS injection: ignores the early ChangeCipherSpec, then fails to decrypt the next record → vulnerable', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!), certificate(rsa.der), helloDone()])));
      let ccsSeen = false;
      return (type) => {
        if (type === 20 && !ccsSeen) {
          ccsSeen = true; // accepted: keys from an empty master secret from now on
          return;
        }
        socket.end(alert(20)); // bad_record_mac
      };
    });
    const { ev, connections } = await runProbe(vulnCcsInjectionProbe, port, tls12Only());
    expect(ev).toMatchObject({ verdict: 'vulnerable', version: 'TLSv1.2', answer: 'alert bad_record_mac' });
    expect(connections).toBe(1);
    expect(checkCcsInjection(ev)).toEqual([expect.objectContaining({ id: 'tls.vuln.ccs-injection', severity: 'high' })]);
    expect(vulnCcsInjectionProbe.fields(ev)).toEqual({ vulnerabilities: { ccsInjection: 'vulnerable' } });
  });

  it('fake Ticketbleed: a real Node server issues the ticket, the fake front echoes a 32-byte session ID → vulnerable', async () => {
    const backend = await nodeServer(ec);
    const port = await local.listen(
      net.createServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', (first: Buffer) => {
          const hello = parseClientHello(first);
          const ticket = hello?.extensions.get(35);
          if (hello && hello.sessionId.length === 1 && ticket && ticket.length > 0) {
            // Resumed: the ID echoed as if it were 32 bytes long, then ChangeCipherSpec.
            const echoed = Buffer.concat([hello.sessionId, randomBytes(31)]);
            socket.write(Buffer.concat([rec(22, serverHello(hello.suites[0]!, { sessionId: echoed })), rec(20, Buffer.from([1]))]));
            return;
          }
          const upstream = net.connect(backend, '127.0.0.1', () => upstream.write(first));
          upstream.on('error', () => socket.destroy());
          // Pass the backend's close on: once upstream is gone, a paused front would never see the client's FIN.
          upstream.on('close', () => socket.destroy());
          socket.pipe(upstream).pipe(socket);
        });
      }),
    );
    const pre = await prerequisites(port);
    const { ev, connections } = await runProbe(vulnTicketbleedProbe, port, pre);
    expect(ev).toMatchObject({ verdict: 'vulnerable', version: 'TLSv1.2', ticketIssued: true, resumed: true, sessionIdSent: 1, sessionIdEchoed: 32 });
    expect(connections).toBe(2);
    expect(checkTicketbleed(ev)).toEqual([expect.objectContaining({ id: 'tls.vuln.ticketbleed', severity: 'high' })]);
  });

  /** A TLS 1.2 RSA key-exchange server that tells paddings apart: alert per the decrypted block. */
  async function robotFake(answer: (block: Buffer) => number): Promise<number> {
    return fake((socket, hello) => {
      const suite = hello.suites.includes(0x002f) ? 0x002f : hello.suites[0]!;
      socket.write(rec(22, Buffer.concat([serverHello(suite), certificate(rsa.der), helloDone()])));
      return (type, fragment) => {
        if (type !== 22 || fragment[0] !== 16) return;
        const encrypted = fragment.subarray(6);
        const block = privateDecrypt({ key: rsa.pem, padding: constants.RSA_NO_PADDING }, encrypted);
        socket.end(alert(answer(block)));
      };
    });
  }

  const wellFormed = (b: Buffer): boolean => b[0] === 0 && b[1] === 2 && b.indexOf(0, 2) === b.length - 49;

  it('fake ROBOT (strong oracle): distinguishable alerts per padding flaw → vulnerable, strong, critical', async () => {
    const port = await robotFake((b) => {
      if (b[0] !== 0 || b[1] !== 2) return 40; // handshake_failure
      if (!wellFormed(b)) return 47; // illegal_parameter
      return 20; // bad_record_mac: the garbage Finished (any version in the block)
    });
    const { ev, connections } = await runProbe(vulnRobotProbe, port, tls12Only());
    expect(ev).toMatchObject({ verdict: 'vulnerable', oracle: 'strong', version: 'TLSv1.2' });
    expect(ev.rounds.map((r) => r.flow)).toEqual(['standard', 'standard']);
    expect(ev.rounds[0]?.responses).toEqual({
      correct: 'fatal alert bad_record_mac',
      'wrong-first-bytes': 'fatal alert handshake_failure',
      'wrong-zero-position': 'fatal alert illegal_parameter',
      'missing-zero': 'fatal alert illegal_parameter',
      'wrong-version': 'fatal alert bad_record_mac',
    });
    expect(connections).toBe(10);
    expect(checkRobot(ev)).toEqual([expect.objectContaining({ id: 'tls.vuln.robot', severity: 'critical' })]);
    expect(vulnRobotProbe.fields(ev)).toEqual({ vulnerabilities: { robot: 'vulnerable' } });
  });

  it('fake ROBOT (weak oracle): only well-formed blocks stand out → vulnerable, weak, medium', async () => {
    const port = await robotFake((b) => (wellFormed(b) ? 20 : 51)); // bad_record_mac vs decrypt_error
    const { ev } = await runProbe(vulnRobotProbe, port, tls12Only());
    expect(ev).toMatchObject({ verdict: 'vulnerable', oracle: 'weak' });
    expect(checkRobot(ev)).toEqual([expect.objectContaining({ id: 'tls.vuln.robot', severity: 'medium' })]);
  });

  it('fake ROBOT that answers one padding differently only once: not repeatable → unknown', async () => {
    let first = true;
    const port = await robotFake((b) => {
      if (b[0] !== 0 && first) {
        first = false;
        return 40;
      }
      return 20;
    });
    const { ev } = await runProbe(vulnRobotProbe, port, tls12Only());
    expect(ev.verdict).toBe('unknown');
    expect(ev.reason).toContain('did not repeat');
    expect(checkRobot(ev)).toEqual([expect.objectContaining({ id: 'tls.vuln.robot.untested', severity: 'info' })]);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile servers: every probe must end 'unknown' with a reason, within its deadline

const HOSTILE: Array<[string, (socket: net.Socket) => void]> = [
  ['goes silent', () => undefined],
  ['closes mid-record', (s) => s.end(Buffer.from('160303004002000046', 'hex'))],
  ['sends garbage', (s) => s.end(Buffer.from('8f3a9c01d2e4b6a7c8d9e0f1a2b3c4d5e6f708192a3b4c5d', 'hex'))],
];

describe('hostile fake servers', () => {
  for (const [what, behave] of HOSTILE) {
    it(`fake that ${what} after the hello: all four probes say unknown, with a reason, in time`, async () => {
      const port = await fake((socket) => behave(socket));
      const runs = await Promise.all(ALL.map((p) => runProbe<unknown>(p, port, tls12Only(), 800)));
      for (const run of runs) {
        const ev = run.ev as { verdict: string; reason: string };
        expect(ev.verdict).toBe('unknown');
        expect(ev.reason.length).toBeGreaterThan(10);
        expect(run.ms).toBeLessThan(2500);
      }
      if (what === 'goes silent') expect((runs[0]!.ev as VulnHeartbleedEvidence).reason).toMatch(/within 800 ms/);
      if (what === 'sends garbage') expect((runs[1]!.ev as VulnCcsInjectionEvidence).reason).toMatch(/not a TLS record/);
    });
  }

  it('fake that completes the flight, then goes silent on the early ChangeCipherSpec → CCS unknown, not a guess', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!), helloDone()])));
      return () => undefined;
    }, { halfOpen: true });
    const { ev, ms } = await runProbe(vulnCcsInjectionProbe, port, tls12Only(), 800);
    expect(ev).toMatchObject({ verdict: 'unknown', answer: 'no answer' });
    expect(ms).toBeLessThan(2000);
  });

  it('fake that resets after the flight when the ClientKeyExchange comes → ROBOT uniform, not vulnerable', async () => {
    const port = await fake((socket, hello) => {
      socket.write(rec(22, Buffer.concat([serverHello(hello.suites[0]!), certificate(rsa.der), helloDone()])));
      return () => socket.resetAndDestroy();
    });
    const { ev } = await runProbe(vulnRobotProbe, port, tls12Only());
    expect(ev.verdict).toBe('not-vulnerable');
    expect(ev.rounds[0]?.responses.correct).toBe('reset (RST)');
  });
});

// ---------------------------------------------------------------------------------------------
// The raw session itself

describe('RawSession', () => {
  const open = (port: number, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    RawSession.open({ ip: '127.0.0.1', port, timeoutMs: extra.timeoutMs ?? 2000, signal: extra.signal ?? new AbortController().signal });

  /** A server that runs `script` on each connection. */
  const scripted = (script: (socket: net.Socket) => void) =>
    local.listen(
      net.createServer((socket) => {
        socket.on('error', () => undefined);
        script(socket);
      }),
    );

  it('reads records trickled a byte at a time, and several in one chunk; then the close', async () => {
    const flight = Buffer.concat([rec(22, Buffer.concat([serverHello(0x002f), certificate(rsa.der)])), rec(22, helloDone()), alert(40)]);
    const port = await scripted(async (socket) => {
      for (const b of flight.subarray(0, 40)) {
        socket.write(Buffer.from([b]));
        await new Promise((r) => setTimeout(r, 1));
      }
      socket.end(flight.subarray(40));
    });
    const s = await open(port);
    const f = await readFlight(s);
    expect(f).toMatchObject({ kind: 'flight', helloDone: true, abbreviated: false });
    expect(f.kind === 'flight' && f.certificates[0]).toEqual(rsa.der);
    expect(await s.next()).toMatchObject({ kind: 'record', contentType: 21, fragment: Buffer.from([2, 40]) });
    expect(await s.next()).toMatchObject({ kind: 'closed', midRecord: false });
    expect(await s.next()).toMatchObject({ kind: 'closed' }); // the end is sticky
    s.close();
  });

  it('next(wait) says silent while the connection is open; the deadline then ends it', async () => {
    const port = await scripted(() => undefined);
    const s = await open(port, { timeoutMs: 400 });
    expect(await s.next(50)).toMatchObject({ kind: 'silent' });
    expect(await s.next()).toEqual({ kind: 'timeout', reason: 'no decisive answer within 400 ms' });
    expect(s.ended?.kind).toBe('timeout');
  });

  it('half-close: the server sees the end of input and can still answer', async () => {
    const port = await scripted((socket) => {
      const got: Buffer[] = [];
      socket.on('data', (d) => got.push(d));
      socket.on('end', () => socket.end(rec(23, Buffer.concat(got))));
    });
    const s = await open(port);
    s.send(Buffer.from('ping'));
    s.halfClose();
    expect(await s.next()).toMatchObject({ kind: 'record', contentType: 23, fragment: Buffer.from('ping') });
    s.close();
  });

  it('a byte cap, garbage headers and a close mid-record end the session with a reason', async () => {
    const flood = await scripted((socket) => {
      const chunk = rec(23, Buffer.alloc(16384));
      const pump = (): void => {
        while (socket.writable && socket.write(chunk));
        if (socket.writable) socket.once('drain', pump);
      };
      pump();
    });
    const s = await open(flood);
    let ev = await s.next();
    while (ev.kind === 'record') ev = await s.next();
    expect(ev).toMatchObject({ kind: 'garbage', reason: expect.stringContaining('more than') });

    const text = await scripted((socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(await (await open(text)).next()).toMatchObject({ kind: 'garbage', reason: expect.stringContaining('text') });

    const cut = await scripted((socket) => socket.end(Buffer.from('16030300400200', 'hex')));
    expect(await (await open(cut)).next()).toMatchObject({ kind: 'closed', midRecord: true });
  });

  it('refused, bad address, aborted: reported on the first read, never thrown', async () => {
    const refusedPort = await scripted(() => undefined);
    await local.closeServers();
    expect(await (await open(refusedPort)).next()).toEqual({ kind: 'network', reason: 'connection refused' });
    const bad = await RawSession.open({ ip: 'example.com', port: 443, timeoutMs: 1000, signal: new AbortController().signal });
    expect(await bad.next()).toEqual({ kind: 'network', reason: 'not an IP address: example.com' });

    const port = await scripted(() => undefined);
    const ac = new AbortController();
    const pending = withRawSession({ ip: '127.0.0.1', port, timeoutMs: 5000, signal: ac.signal }, (s) => s.next());
    setTimeout(() => ac.abort(), 30);
    expect(await pending).toEqual({ kind: 'aborted', reason: 'aborted' });
    const pre = new AbortController();
    pre.abort();
    expect(await (await open(port, { signal: pre.signal })).next()).toMatchObject({ kind: 'aborted' });
  });

  it('readFlight: a warning before the ServerHello is read past; a ServerHello then CCS is an abbreviated handshake', async () => {
    const port = await scripted((socket) =>
      socket.write(Buffer.concat([rec(21, Buffer.from([1, 112])), rec(22, serverHello(0x002f, { sessionId: Buffer.from([7]) })), rec(20, Buffer.from([1]))])),
    );
    const f = await withRawSession({ ip: '127.0.0.1', port, timeoutMs: 2000, signal: new AbortController().signal }, readFlight);
    expect(f).toMatchObject({ kind: 'flight', abbreviated: true, helloDone: false });
    expect(f.kind === 'flight' && f.serverHello.sessionId).toEqual(Buffer.from([7]));

    const refused = await scripted((socket) => socket.end(alert(40)));
    expect(await withRawSession({ ip: '127.0.0.1', port: refused, timeoutMs: 2000, signal: new AbortController().signal }, readFlight)).toEqual({
      kind: 'refused',
      reason: 'alert handshake_failure',
      alert: 40,
    });
  });
});
