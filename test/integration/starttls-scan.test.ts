// proto:// scans end to end against scripted FAKE servers on 127.0.0.1 (Node only): the plaintext
// side is a script, and after its go-ahead the socket is handed to Node's TLS server, so the whole
// TLS engine runs behind the dialogue. IRC and NNTP are here because Debian's ngircd has no
// STARTTLS and inn2 cannot be run from a temporary configuration quickly (real servers for the
// other protocols: test/conformance/starttls.test.ts). Also: a server not offering STARTTLS, one
// injecting bytes after its go-ahead, and one that never answers — each a typed could-not-test.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { runBinary } from '../helpers/cli.js';
import { makeTestCa } from '../helpers/test-ca.js';

const NAME = 'fake.secgrade.test';
let dir: string;
let caFile: string;
let leaf: TestCert;
let context: tls.SecureContext;
const servers: net.Server[] = [];

beforeAll(async () => {
  const { root, intermediate } = await makeTestCa('starttls-fake');
  leaf = await makeCert({ subject: `CN=${NAME}`, dnsNames: [NAME], issuer: intermediate, keyType: 'ec-p256' });
  context = tls.createSecureContext({ key: leaf.keyPem, cert: leaf.pem + intermediate.pem, minVersion: 'TLSv1.2' });
  dir = mkdtempSync(join(tmpdir(), 'secgrade-starttls-fake-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.pem);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

type Say = (text: string) => void;
interface Script {
  /** Sent on connect (a greeting), if any. */
  greeting?: string;
  /** Each client line; return 'tls' after writing the go-ahead to hand the socket to TLS. */
  line(line: string, say: Say): 'tls' | void;
}

/** A FAKE line-based server: the script's dialogue, then Node's TLS server on the same socket. */
async function fakeServer(script: Script): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    const say: Say = (t) => socket.write(t);
    if (script.greeting) say(script.greeting);
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (script.line(line, say) === 'tls') {
          socket.off('data', onData);
          const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
          secure.on('error', () => undefined);
          secure.on('data', () => undefined);
          return;
        }
      }
    };
    socket.on('data', onData);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function scan(target: string, ...flags: string[]): Promise<Report> {
  const run = await runBinary([target, '--ca-file', caFile, '--sni', NAME, '--format', 'json', ...flags], { timeoutMs: 120_000 });
  if (!run.stdout.trim()) throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

function expectGraded(r: Report, scheme: string): void {
  expect(r.status, `${r.reason} ${JSON.stringify(r.incomplete)}`).toBe('ok');
  expect(r.target).toMatchObject({ host: '127.0.0.1', scheme, starttls: scheme });
  const ep = r.endpoints[0]!;
  expect(ep.tls.negotiated?.protocol).toBe('TLSv1.3');
  expect(ep.tls.protocols).toMatchObject({ 'TLSv1.3': true, 'TLSv1.2': true, 'TLSv1.1': false, 'TLSv1.0': false, SSLv3: false });
  expect(ep.tls.certificates[0]!.fingerprintSha256.replace(/:/g, '').toLowerCase()).toBe(createHash('sha256').update(leaf.der).digest('hex'));
  expect(r.grades.tls).toMatch(/^[A-F][+-]?$/);
  expect(r.grades.overall).toBe(r.grades.tls);
  expect(r.http).toBeNull();
  expect(r.email).toBeNull();
}

describe('proto:// scans against scripted fakes', () => {
  it('irc:// — a FAKE IRCv3 server: NOTICE, then 670 to STARTTLS', async () => {
    const port = await fakeServer({
      greeting: ':fake.irc NOTICE * :*** Looking up your hostname...\r\n',
      line: (l, say) => {
        if (l !== 'STARTTLS') return say(':fake.irc 421 * :Unknown command\r\n');
        say(':fake.irc 670 * :STARTTLS successful, go ahead with TLS handshake\r\n');
        return 'tls';
      },
    });
    expectGraded(await scan(`irc://127.0.0.1:${port}`), 'irc');
  }, 120_000);

  it('nntp:// — a FAKE NNTP server: CAPABILITIES lists STARTTLS, 382', async () => {
    const port = await fakeServer({
      greeting: '200 fake.news ready (posting ok)\r\n',
      line: (l, say) => {
        if (l === 'CAPABILITIES') return say('101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n');
        if (l !== 'STARTTLS') return say('500 What?\r\n');
        say('382 Continue with TLS negotiation\r\n');
        return 'tls';
      },
    });
    const r = await scan(`nntp://127.0.0.1:${port}`);
    expectGraded(r, 'nntp');
    expect(r.endpoints[0]!.tls.starttls).toEqual({ protocol: 'nntp', greeting: '200 fake.news ready (posting ok)', capabilities: ['VERSION 2', 'READER', 'STARTTLS'], offered: true });
  }, 120_000);

  it('an IMAP FAKE that does not offer STARTTLS: could not test, with the typed reason', async () => {
    const port = await fakeServer({
      greeting: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n',
      line: (l, say) => {
        if (l.startsWith('a001 CAPABILITY')) say('* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na001 OK done\r\n');
        else say(`${l.split(' ')[0]} OK bye\r\n`);
      },
    });
    const r = await scan(`127.0.0.1:${port}`, '--starttls', 'imap');
    expect(r.status).toBe('error');
    expect(r.target).toMatchObject({ scheme: 'imap', starttls: 'imap' });
    expect(r.endpoints[0]!.tls.probes['tls-protocols']).toMatchObject({ status: 'error', reason: 'STARTTLS: the server does not list STARTTLS among its capabilities' });
    // A typed could-not-test: the dialogue's own kind, not a refusal or a TLS failure.
    expect(r.probes.filter((p) => p.id === 'tls-protocols' || p.id === 'tls-handshake').map((p) => p.errorKind)).toEqual(['starttls', 'starttls']);
    expect(r.grades.tls).toBeNull();
  }, 120_000);

  it('a POP3 FAKE that pipelines bytes after +OK to STLS: injected, never read as TLS', async () => {
    const port = await fakeServer({
      greeting: '+OK fake\r\n',
      line: (l, say) => {
        if (l === 'CAPA') return say('+OK\r\nSTLS\r\n.\r\n');
        say('+OK Begin TLS\r\n-ERR injected\r\n');
      },
    });
    const r = await scan(`pop3://127.0.0.1:${port}`);
    expect(r.status).toBe('error');
    expect(r.endpoints[0]!.tls.probes['tls-protocols']?.reason).toMatch(/^STARTTLS: the server sent 15 bytes after its STARTTLS go-ahead \(\+OK Begin TLS\) and before our TLS hello/);
  }, 120_000);

  it('an SMTP FAKE that never greets: timeout naming the missing greeting', async () => {
    const port = await fakeServer({ line: () => undefined });
    const r = await scan(`smtp://127.0.0.1:${port}`, '--timeout', '30000', '--probes', 'tls-handshake');
    expect(r.endpoints[0]!.tls.probes['tls-handshake']?.reason).toMatch(/no SMTP greeting within \d+ ms/);
  }, 120_000);
});
