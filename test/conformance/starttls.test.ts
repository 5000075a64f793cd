// proto:// targets against Debian's own servers on 127.0.0.1: every STARTTLS dialogue (and the
// implicit-TLS imaps://) takes the whole TLS engine to a real server configured with a certificate
// from the test CA. For each: the scan completes (status ok, HTTP and email not applicable), the
// negotiated protocol and suite are what the server's TLS library picks, the leaf is the server's
// own certificate, and the TLS letter is computed. Under CI=true a missing server is a failure.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { runBinary } from '../helpers/cli.js';
import { postgresBinDir, startPostgresServer, type PostgresServer } from '../helpers/postgres-server.js';
import { binary, startDovecot, startMariadb, startProsody, startSlapd, startVsftpd, type RunningService, type ServiceTls } from './starttls-servers.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const NAME = 'service.secgrade.test';
const SCAN_MS = 120_000;

let dir: string;
let caFile: string;
let leaf: TestCert;
let tls: ServiceTls;

beforeAll(async () => {
  const { root, intermediate } = await makeTestCa('starttls');
  leaf = await makeCert({ subject: `CN=${NAME}`, dnsNames: [NAME], ipAddresses: ['127.0.0.1'], issuer: intermediate, keyType: 'ec-p256' });
  tls = { chainPem: leaf.pem + intermediate.pem, keyPem: leaf.keyPem };
  dir = mkdtempSync(join(tmpdir(), 'secgrade-starttls-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server binary the test needs: absent means skip locally, fail under CI. */
function need(...names: string[]): boolean {
  const missing = names.filter((n) => binary(n) === null);
  if (missing.length === 0) return true;
  if (IN_CI) throw new Error(`not installed: ${missing.join(', ')} (see .ci/run)`);
  console.warn(`starttls conformance: skipping, not installed: ${missing.join(', ')}`);
  return false;
}

async function scan(target: string, ...flags: string[]): Promise<Report> {
  const run = await runBinary([target, '--ca-file', caFile, '--sni', NAME, '--format', 'json', '--timeout', '90000', ...flags], { timeoutMs: SCAN_MS });
  if (!run.stdout.trim()) throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

/** What every proto:// scan of a healthy server must show. */
function expectGraded(r: Report, scheme: string, starttls: string | null, protocol = 'TLSv1.3'): void {
  const failed = Object.entries(r.endpoints[0]?.tls.probes ?? {}).filter(([, p]) => p.status === 'error');
  expect(failed, JSON.stringify(failed)).toEqual([]);
  expect(r.status, r.reason).toBe('ok');
  expect(r.target).toMatchObject({ host: '127.0.0.1', scheme, ...(starttls ? { starttls } : {}) });
  if (!starttls) expect(r.target.starttls).toBeUndefined();
  const ep = r.endpoints[0]!;
  // What the dialogue showed: the server's own words (MySQL and PostgreSQL list no capabilities).
  if (starttls) {
    expect(ep.tls.starttls).toMatchObject({ protocol: starttls });
    expect(ep.tls.starttls?.offered === true || ep.tls.starttls?.offered === null).toBe(true);
  } else {
    expect(ep.tls.starttls).toBeUndefined();
  }
  expect(ep.tls.negotiated?.protocol).toBe(protocol);
  expect(ep.tls.negotiated?.cipherSuite).toMatch(/^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
  expect(ep.tls.protocols['TLSv1.2']).toBe(true);
  expect(ep.tls.protocols.SSLv3).toBe(false);
  // The leaf the scan read is the one the server was given, and it chains to the test CA.
  const cert = ep.tls.certificates[0]!;
  expect(cert.fingerprintSha256.replace(/:/g, '').toLowerCase()).toBe(createHash('sha256').update(leaf.der).digest('hex'));
  expect(cert.subject).toContain(NAME);
  expect(`${r.grades.tls} ${JSON.stringify(r.gradeReasons ?? {})}`).toMatch(/^[A-F][+-]? /);
  expect(r.grades.overall).toBe(r.grades.tls);
  expect(r.http).toBeNull();
  expect(r.email).toBeNull();
  expect(r.gradeReasons?.http).toMatch(/not applicable/);
}

describe.sequential('dovecot: IMAP, POP3, ManageSieve, LMTP STARTTLS and IMAPS', () => {
  const enabled = need('dovecot');
  let server: RunningService;
  beforeAll(async () => {
    if (enabled) server = await startDovecot(tls);
  }, 60_000);
  afterAll(async () => server?.stop());

  test.runIf(enabled)('imap://', async () => {
    const r = await scan(`imap://127.0.0.1:${server.ports.imap}`);
    expectGraded(r, 'imap', 'imap');
    expect(r.endpoints[0]!.tls.starttls).toMatchObject({ protocol: 'imap', offered: true, greeting: expect.stringMatching(/^\* OK .*Dovecot/) });
    expect(r.endpoints[0]!.tls.starttls?.capabilities).toContain('STARTTLS');
  }, SCAN_MS);
  test.runIf(enabled)('host:port --starttls imap is the same target', async () => expectGraded(await scan(`127.0.0.1:${server.ports.imap}`, '--starttls', 'imap'), 'imap', 'imap'), SCAN_MS);
  test.runIf(enabled)('pop3://', async () => expectGraded(await scan(`pop3://127.0.0.1:${server.ports.pop3}`), 'pop3', 'pop3'), SCAN_MS);
  test.runIf(enabled)('sieve://', async () => expectGraded(await scan(`sieve://127.0.0.1:${server.ports.sieve}`), 'sieve', 'sieve'), SCAN_MS);
  test.runIf(enabled)('lmtp://', async () => expectGraded(await scan(`lmtp://127.0.0.1:${server.ports.lmtp}`), 'lmtp', 'lmtp'), SCAN_MS);
  test.runIf(enabled)('imaps:// (implicit TLS)', async () => expectGraded(await scan(`imaps://127.0.0.1:${server.ports.imaps}`), 'imaps', null), SCAN_MS);
  test.runIf(enabled)('pop3:// on the IMAP port: the IMAP greeting is no POP3 greeting, a typed reason at once', async () => {
    const r = await scan(`pop3://127.0.0.1:${server.ports.imap}`);
    expect(r.status).toBe('error');
    expect(r.endpoints[0]?.tls.probes['tls-protocols']?.reason).toMatch(/^STARTTLS: not a POP3 greeting: \* OK /);
  }, SCAN_MS);
});

describe.sequential('lab SMTP server (smtp-server): smtp:// and submission://', () => {
  let server: LabSmtpServer;
  beforeAll(async () => {
    server = await startLabSmtpServer({ tls: { key: tls.keyPem, cert: tls.chainPem }, name: NAME });
  });
  afterAll(async () => server?.close());
  test('smtp://', async () => expectGraded(await scan(`smtp://127.0.0.1:${server.port}`), 'smtp', 'smtp'), SCAN_MS);
  test('submission://', async () => expectGraded(await scan(`submission://127.0.0.1:${server.port}`), 'submission', 'smtp'), SCAN_MS);
});

describe.sequential('vsftpd: ftp:// (AUTH TLS)', () => {
  const enabled = need('vsftpd');
  let server: RunningService;
  beforeAll(async () => {
    if (enabled) server = await startVsftpd(tls);
  }, 60_000);
  afterAll(async () => server?.stop());
  // vsftpd's defaults: TLS 1.2 and 1.3 (ssl_tlsv1_1/ssl_tlsv1 off, sslv3 off).
  test.runIf(enabled)('ftp://', async () => expectGraded(await scan(`ftp://127.0.0.1:${server.ports.ftp}`), 'ftp', 'ftp'), SCAN_MS);
});

describe.sequential('prosody: xmpp:// and xmpp-server://', () => {
  const enabled = need('prosody');
  let server: RunningService;
  beforeAll(async () => {
    if (enabled) server = await startProsody(tls, NAME);
  }, 60_000);
  afterAll(async () => server?.stop());
  // --sni names the virtual host: it is the stream's to= too unless --xmpp-host says otherwise.
  test.runIf(enabled)('xmpp:// (c2s)', async () => expectGraded(await scan(`xmpp://127.0.0.1:${server.ports.c2s}`), 'xmpp', 'xmpp'), SCAN_MS);
  test.runIf(enabled)('xmpp-server:// (s2s) with --xmpp-host', async () => expectGraded(await scan(`xmpp-server://127.0.0.1:${server.ports.s2s}`, '--xmpp-host', NAME), 'xmpp-server', 'xmpp-server'), SCAN_MS);
  test.runIf(enabled)('a to= the server does not host: the stream error is the typed reason', async () => {
    const r = await scan(`xmpp://127.0.0.1:${server.ports.c2s}`, '--xmpp-host', 'elsewhere.test', '--timeout', '20000');
    expect(r.status).toBe('error');
    expect(r.endpoints[0]?.tls.probes['tls-protocols']?.reason).toBe('STARTTLS: the server sent the stream error <host-unknown/>');
  }, SCAN_MS);
});

describe.sequential('slapd: ldap:// (StartTLS extended operation)', () => {
  const enabled = need('slapd');
  let server: RunningService;
  beforeAll(async () => {
    if (enabled) server = await startSlapd(tls);
  }, 60_000);
  afterAll(async () => server?.stop());
  test.runIf(enabled)('ldap://', async () => expectGraded(await scan(`ldap://127.0.0.1:${server.ports.ldap}`), 'ldap', 'ldap'), SCAN_MS);
});

describe.sequential('PostgreSQL: postgres:// (SSLRequest)', () => {
  const bin = postgresBinDir();
  if (!bin && IN_CI) throw new Error('not installed: postgresql (see .ci/run)');
  let server: PostgresServer;
  beforeAll(async () => {
    if (bin) server = await startPostgresServer(bin, { tls });
  }, 90_000);
  afterAll(async () => server?.stop());
  test.runIf(bin !== null)('postgres://', async () => expectGraded(await scan(`postgres://127.0.0.1:${server.port}`), 'postgres', 'postgres'), SCAN_MS);
});

describe.sequential('MariaDB: mysql:// (SSLRequest after the server handshake)', () => {
  const enabled = need('mariadbd', 'mariadb-install-db');
  let server: RunningService;
  beforeAll(async () => {
    if (enabled) server = await startMariadb(tls);
  }, 90_000);
  afterAll(async () => server?.stop());
  test.runIf(enabled)('mysql://', async () => expectGraded(await scan(`mysql://127.0.0.1:${server.ports.mysql}`), 'mysql', 'mysql'), SCAN_MS);
});
