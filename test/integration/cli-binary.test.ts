// The real `bin/secgrade.js` as users and CI run it: exit codes, one-line errors, the lab in the
// foreground with a scan from "a second shell", demo output, hostile and dead servers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LAB_DOMAINS } from '../../src/lab/domains.js';
import type { Report } from '../../src/model/report.js';
import { BIN, runBinary } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { closedPort } from '../helpers/local-servers.js';

/** A server that accepts TCP connections and never says a word. */
function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume(); // read (and discard) so a client's close is seen
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

// A CT log list that is not one (its error message spans lines: the CLI must still print one).
const garbageDir = mkdtempSync(join(tmpdir(), 'secgrade-test-'));
const garbageLogList = join(garbageDir, 'garbage.json');
writeFileSync(garbageLogList, 'garbage\n{"not": "a list"');
afterAll(() => rmSync(garbageDir, { recursive: true, force: true }));

describe('usage errors: one line on stderr, exit 2, no stack trace', () => {
  it.each([
    [['--bogus', 'example.com'], /^secgrade: unknown option '--bogus'$/],
    [['bad host name'], /^secgrade: bad target "bad host name" is not a host, host:port or URL$/],
    [['example.com:99999'], /^secgrade: bad target "example.com:99999": port 99999 is out of range 1-65535$/],
    [[], /^secgrade: no target given/],
    [['example.com', '--format', 'xml'], /^secgrade: unknown --format "xml"/],
    [['example.com', '--ca-file', '/nonexistent/ca.pem'], /^secgrade: --ca-file \/nonexistent\/ca.pem: ENOENT$/],
    [['example.com', '--dns', 'not-an-ip'], /^secgrade: --dns: /],
    [['example.com', '--timeout', 'soon'], /^secgrade: --timeout "soon"/],
    [['example.com', '--ct-log-list', '/nonexistent'], /^secgrade: --ct-log-list \/nonexistent: cannot read the CT log list \(ENOENT/],
    [['example.com', '--ct-log-list', garbageLogList], /^secgrade: --ct-log-list .*garbage\.json: not JSON/],
    [['demo', '--ct-log-list', '/nonexistent'], /^secgrade: --ct-log-list \/nonexistent: /],
    [['example.com', '--max-endpoints', '0'], /^secgrade: --max-endpoints "0" must be a whole number between 1 and 1000$/],
    [['example.com', '--output', '/nonexistent/x.html'], /^secgrade: --output \/nonexistent\/x.html: ENOENT$/],
    [['demo', '--severity', 'loud'], /^secgrade: --severity "loud" is not a severity/],
  ])('%j', async (args, message) => {
    const run = await runBinary(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('--version and --help exit 0', async () => {
    const v = await runBinary(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const h = await runBinary(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('demo');
  });
});

describe('dead and hostile servers', () => {
  it('a server that accepts TCP and never answers ends as a timeout error within the deadline, exit 3', async () => {
    const silent = await silentServer();
    try {
      const t0 = Date.now();
      const run = await runBinary([`127.0.0.1:${silent.port}`, '--timeout', '1500', '--format', 'json']);
      const elapsed = Date.now() - t0;
      expect(run.code).toBe(3);
      const r = JSON.parse(run.stdout) as Report;
      expectValidReport(r);
      const tls = r.endpoints[0]!.tls;
      expect(tls.status).toBe('error');
      expect(tls.reason).toMatch(/no TLS handshake within 1500 ms|deadline of 1500 ms/);
      expect(r.http).toMatchObject({ status: 'error', reason: expect.stringMatching(/1500 ms/) });
      expect(r.email).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/IP address/) });
      expect(r.status).toBe('error');
      // Loose bound: process start + the 1.5 s deadline; the point is that nothing waits for ever
      // (the launcher's 2 s exit fallback would push a run with a stray handle past this).
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  });

  it('a closed port is "connection refused" on the endpoint, exit 3', async () => {
    const port = await closedPort();
    const run = await runBinary([`127.0.0.1:${port}`, '--format', 'json', '--checks', 'tls']);
    expect(run.code).toBe(3);
    const r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r.endpoints[0]!.tls).toMatchObject({ status: 'error', reason: 'connection refused' });
    expect(r.endpoints[0]!.tls.probes['tls-protocols']).toMatchObject({ status: 'error', reason: 'connection refused' });
    expect(r.endpoints[0]!.tls.protocols['TLSv1.2']).toBeNull(); // could not test ≠ not offered
    expect(r.findings).toEqual([]);
    expect(oneLine(run.stderr)).toEqual([`secgrade: 127.0.0.1: scan incomplete: target unreachable: connection refused`]);
  });
});

describe('secgrade schema', () => {
  it('prints a JSON Schema that a validator compiles', async () => {
    const run = await runBinary(['schema']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema['properties'] as object)).toEqual(
      expect.arrayContaining(['schema', 'tool', 'algorithmVersion', 'target', 'startedAt', 'durationMs', 'grades', 'endpoints', 'http', 'email', 'findings']),
    );
    expect(() => new Ajv2020({ strict: false, validateFormats: false }).compile(schema)).not.toThrow();
  });
});

describe('secgrade demo --format json', () => {
  it('prints a valid report for every lab domain', async () => {
    const run = await runBinary(['demo', '--format', 'json']);
    expect(run.code).toBe(0);
    const reports = JSON.parse(run.stdout) as Report[];
    expect(reports.map((r) => r.target.host).sort()).toEqual(LAB_DOMAINS.map((d) => d.name).sort());
    for (const r of reports) {
      expectValidReport(r);
      expect(r.status).toBe('ok');
    }
    // The demo passes the lab's CT log list, so the lab's SCTs verify.
    const good = reports.find((r) => r.target.host === 'good.secgrade.test')!;
    expect(good.endpoints[0]!.tls.chains![0]!.ct).toMatchObject({ compliant: true, validScts: 2 });
    // …and its plain-HTTP front as the sites' port 80, so the redirect to HTTPS is judged.
    expect(good.http).toMatchObject({ score: 130, grade: 'A+', httpRedirect: { status: 'redirects-to-https-same-host' } });
  });
});

describe('secgrade lab in the foreground, scanned from a second process', () => {
  let lab: ReturnType<typeof spawn>;
  let info: { dns: string; caFile: string; domains: Record<string, { ip: string; port: number }> };

  beforeAll(async () => {
    lab = spawn(process.execPath, [BIN, 'lab'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      lab.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      lab.on('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
      setTimeout(() => reject(new Error('lab printed nothing within 20 s')), 20_000);
    });
    info = JSON.parse(line) as typeof info;
  });

  afterAll(() => {
    if (lab.exitCode === null) lab.kill('SIGKILL');
  });

  it('prints one JSON line with the DNS server, the CA file and every domain', () => {
    expect(info.dns).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(existsSync(info.caFile)).toBe(true);
    expect(Object.keys(info.domains)).toEqual(
      expect.arrayContaining(['good.secgrade.test', 'legacy.secgrade.test', 'expired.secgrade.test', 'wrong-host.secgrade.test', 'mail.secgrade.test']),
    );
    for (const d of Object.values(info.domains)) expect(d).toMatchObject({ ip: '127.0.0.1', port: expect.any(Number) });
  });

  it('a scan with --dns and --ca-file (no port) finds the same facts', async () => {
    const run = await runBinary(['scan', 'good.secgrade.test', '--dns', info.dns, '--ca-file', info.caFile, '--format', 'json']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r.target.port).toBe(info.domains['good.secgrade.test']!.port);
    expect(r.endpoints[0]!.tls.protocols).toMatchObject({ 'TLSv1.2': true, 'TLSv1.3': true, 'TLSv1.0': false });
    expect(r.endpoints[0]!.tls.certificates[0]).toMatchObject({ trusted: true, hostnameMatch: true });
    expect(r.http?.hsts?.maxAge).toBe(31536000);
    // The one thing above info: the lab zone is not signed (it serves no DNSSEC).
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => f.id)).toEqual(['email.dnssec.unsigned']);
  });

  it('SIGTERM stops every server and removes the temporary files', async () => {
    const exited = new Promise<number | null>((resolve) => lab.on('exit', (code) => resolve(code)));
    lab.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(info.caFile)).toBe(false);
    const port = info.domains['good.secgrade.test']!.port;
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(false); });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
