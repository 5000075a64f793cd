// `secgrade lab --domains 50` as users run it (the real binary): every generated name answers in
// DNS at its own loopback address, TLS by SNI hands out the template's certificate, plain HTTP
// redirects to the name itself, a batch over the list grades them differently, and SIGTERM stops
// every listener and removes the lab's dir.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { BIN, runBinary } from '../helpers/cli.js';

const COUNT = 50;
let child: ChildProcessWithoutNullStreams;
let info: LabInfo;
let bulk: NonNullable<LabInfo['bulk']>;
let where: Record<string, { ip: string; port: number; template: string }>;
let names: string[];
let ca: string;
const dir = mkdtempSync(join(tmpdir(), 'secgrade-lab-bulk-it-'));

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'lab', '--domains', String(COUNT)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lab exited with ${code}`)));
  });
  info = JSON.parse(line) as LabInfo;
  bulk = info.bulk!;
  where = JSON.parse(readFileSync(bulk.domainsFile, 'utf8')) as typeof where;
  names = readFileSync(bulk.targetsFile, 'utf8').split('\n').filter(Boolean);
  ca = readFileSync(info.caFile, 'utf8');
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function query(name: string, type: string): Promise<Array<dnsPacket.Answer & { data: unknown }>> {
  const [host, port] = info.dns.split(':') as [string, string];
  const socket = dgram.createSocket('udp4');
  try {
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
      setTimeout(() => reject(new Error(`DNS timeout: ${name} ${type}`)), 5000).unref();
    });
    socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: type as dnsPacket.RecordType, name }] }), Number(port), host);
    return (dnsPacket.decode(await reply).answers ?? []) as Array<dnsPacket.Answer & { data: unknown }>;
  } finally {
    socket.close();
  }
}

/** The SvcParam `port` (key 3) of an HTTPS record's rdata. */
function httpsPort(rdata: Buffer): number | undefined {
  let offset = 2;
  while (rdata[offset]! > 0) offset += rdata[offset]! + 1;
  for (offset += 1; offset + 4 <= rdata.length; offset += 4 + rdata.readUInt16BE(offset + 2)) {
    if (rdata.readUInt16BE(offset) === 3) return rdata.readUInt16BE(offset + 4);
  }
  return undefined;
}

function handshake(name: string, opts: tls.ConnectionOptions = {}): Promise<{ ok: true; cert: tls.PeerCertificate; protocol: string | null } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: where[name]!.ip, port: bulk.httpsPort, servername: name, ca: [ca], ...opts });
    socket.once('secureConnect', () => {
      resolve({ ok: true, cert: socket.getPeerCertificate(), protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      resolve({ ok: false, code: err.code ?? err.message });
      socket.destroy();
    });
  });
}

describe('secgrade lab --domains 50', () => {
  it('lists 50 names spread over distinct loopback addresses, copying every catalogue domain', () => {
    expect(bulk.count).toBe(COUNT);
    expect(names).toHaveLength(COUNT);
    expect(names[0]).toBe('d0001.bulk.secgrade.test');
    expect(Object.keys(where).sort()).toEqual([...names].sort());
    const ips = names.map((n) => where[n]!.ip);
    expect(new Set(ips).size).toBe(COUNT);
    for (const ip of ips) expect(ip).toMatch(/^127\.(?!0\.0\.)\d+\.\d+\.\d+$/);
    expect(Object.keys(bulk.templates).length).toBeGreaterThanOrEqual(10);
    // The catalogue itself is still there, unchanged.
    expect(info.domains['good.secgrade.test']?.ip).toBe('127.0.0.1');
  });

  it('answers A and HTTPS for every name', async () => {
    for (const name of names) {
      expect((await query(name, 'A')).map((a) => a.data)).toEqual([where[name]!.ip]);
      const [record] = await query(name, 'UNKNOWN_65');
      expect(httpsPort(record!.data as Buffer)).toBe(bulk.httpsPort);
    }
  });

  it('serves TLS by SNI at each name’s own address, as its template does', async () => {
    const byTemplate = (t: string): string => names.find((n) => where[n]!.template === `${t}.secgrade.test`)!;
    const good = await handshake(byTemplate('good'));
    expect(good.ok && good.cert.subjectaltname).toBe('DNS:*.bulk.secgrade.test');
    const legacy = await handshake(byTemplate('legacy'), { maxVersion: 'TLSv1.2' });
    expect(legacy.ok && legacy.cert.bits).toBe(2048); // the template's RSA key, not P-256
    expect(legacy.ok && legacy.protocol).toBe('TLSv1.2');
    expect(await handshake(byTemplate('expired'))).toEqual({ ok: false, code: 'CERT_HAS_EXPIRED' });
    expect(await handshake(byTemplate('wrong-host'))).toEqual({ ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(await handshake(byTemplate('tls13'), { maxVersion: 'TLSv1.2' })).toMatchObject({ ok: false });
  });

  it('redirects plain HTTP to the name itself at the bulk HTTPS port', async () => {
    const name = names[0]!;
    const location = await new Promise<string | undefined>((resolve, reject) => {
      http.get({ host: where[name]!.ip, port: info.httpPort, path: '/', headers: { host: name } }, (res) => {
        res.resume();
        resolve(res.headers.location);
      }).once('error', reject);
    });
    expect(location).toBe(`https://${name}:${bulk.httpsPort}/`);
  });

  it('a batch over the list gives varied grades', async () => {
    const out = join(dir, 'results.ndjson');
    const flags = ['--dns', info.dns, '--ca-file', info.caFile, '--ct-log-list', info.ctLogList, '--http-port', String(info.httpPort), '--smtp-port', String(info.smtpPort), '--allow-private'];
    // Email only: DNS and one STARTTLS per MX, the cheapest family whose grades differ across the catalogue.
    // No pacing: the lab is ours (the default --dns-rate alone would spread 50 domains' lookups over seconds).
    const pacing = ['--rate', '0', '--dns-rate', '0'];
    const run = await runBinary(['batch', bulk.targetsFile, ...flags, '--checks', 'email', '--targets-in-flight', '50', ...pacing, '--output', out, '--quiet'], { timeoutMs: 110_000 });
    expect(run.stderr).not.toMatch(/internal error/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.pop()!;
    expect(summary['type']).toBe('summary');
    expect(summary['byStatus']).toMatchObject({ ok: COUNT });
    const grades = new Set(lines.map((r) => r['grades']['email']));
    expect(grades).toEqual(new Set(['A', 'B', 'D', 'F']));
  }, 120_000);

  it('stops cleanly on SIGTERM: exit 0, listeners closed, its dir removed', async () => {
    const name = names[1]!;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(existsSync(dirname(info.caFile))).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect({ host: where[name]!.ip, port: bulk.httpsPort });
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
