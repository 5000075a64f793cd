// OCSP end to end: buildOcspRequest → queryOcsp → a real `openssl ocsp` responder →
// evaluateOcspResponse; then queryOcsp against hostile Node HTTP servers. Loopback only.
//
// OpenSSL 3.0's `ocsp -port` takes a bare port and binds every address, so the responder runs in a
// private network namespace (unshare --net, or --user --map-root-user --net when not root) whose
// only interface is its own loopback; a helper inside forwards a Unix socket in the temp dir to it,
// and this process forwards 127.0.0.1:<os-chosen port> to that socket. Where no namespace can be
// made, the same openssl answers each request in file mode (-reqin/-respout) behind a Node server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOcspRequest, evaluateOcspResponse } from '../../src/cert/ocsp.js';
import { queryOcsp } from '../../src/net/ocsp-client.js';
import { makeChain, makeCert, type TestCert } from '../helpers/certs.js';

const HOST = '127.0.0.1';
const INNER_PORT = '8888'; // inside a private namespace nothing else can hold it
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

const NETNS_HELPER = `
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
const [sockPath, ipCmd, innerPort, cmd, ...args] = process.argv.slice(2);
execFileSync(ipCmd, ['link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
const server = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
server.on('exit', (code, signal) => { console.error('responder exited with ' + (signal ?? code)); process.exit(1); });
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => { server.kill('SIGKILL'); process.exit(0); });
// Ready once it says so: openssl serves one connection at a time and stalls on a bare probe connect.
let said = '';
let listening = false;
const onOutput = (d) => {
  process.stderr.write(d);
  said += d.toString();
  if (listening || !/waiting for OCSP client connections/.test(said)) return;
  listening = true;
  net.createServer({ allowHalfOpen: true }, (down) => {
    const up = net.connect({ host: '127.0.0.1', port: Number(innerPort), allowHalfOpen: true });
    down.pipe(up); up.pipe(down);
    down.on('error', () => up.destroy()); up.on('error', () => down.destroy());
    down.on('close', () => up.destroy()); up.on('close', () => down.destroy());
  }).listen(sockPath, () => console.log('READY ' + server.pid));
};
server.stdout.on('data', onOutput);
server.stderr.on('data', onOutput);
`;

const children: ChildProcess[] = [];
const servers: net.Server[] = [];

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // its own group: the helper, unshare and openssl
  } catch {
    // already gone
  }
}
process.once('exit', () => children.forEach(killGroup));

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as net.AddressInfo).port;
}

function canRun(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(cmd, args, { timeout: 10_000 }, (err) => resolve(!err)));
}

async function unshareFlags(): Promise<string[] | null> {
  for (const flags of [['--net'], ['--user', '--map-root-user', '--net']]) {
    if (await canRun('unshare', [...flags, '--', 'true'])) return flags;
  }
  return null;
}

function ipCommand(): string | null {
  return ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? null;
}

interface Responder {
  url: string;
  mode: 'netns' | 'file';
  /** The openssl process's network namespace differs from ours (netns mode only). */
  isolated: boolean | null;
}

/** `openssl ocsp` as a responder on a namespace port, reachable only through 127.0.0.1. */
async function startNetnsResponder(dir: string, name: string, flags: string[], ip: string, ocspArgs: string[]): Promise<Responder> {
  const helper = join(dir, 'netns-helper.mjs');
  writeFileSync(helper, NETNS_HELPER);
  const sock = join(dir, `${name}.sock`);
  const child = spawn('unshare', [...flags, '--', process.execPath, helper, sock, ip, INNER_PORT, 'openssl', 'ocsp', '-port', INNER_PORT, ...ocspArgs], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  const opensslPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`responder not ready within 20 s: ${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`responder helper exited (${code}): ${out}`));
    });
  });
  const forwarder = net.createServer({ allowHalfOpen: true }, (down) => {
    const up = net.connect({ path: sock, allowHalfOpen: true });
    down.pipe(up);
    up.pipe(down);
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  const port = await listen(forwarder);
  const isolated = readlinkSync(`/proc/${opensslPid}/ns/net`) !== readlinkSync('/proc/self/ns/net');
  return { url: `http://${HOST}:${port}/`, mode: 'netns', isolated };
}

/** Fallback: the same openssl responder logic, one `openssl ocsp -reqin/-respout` per request. */
async function startFileResponder(dir: string, name: string, ocspArgs: string[]): Promise<Responder> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reqFile = join(dir, `${name}-req-${n}.der`);
      const respFile = join(dir, `${name}-resp-${n++}.der`);
      writeFileSync(reqFile, Buffer.concat(chunks));
      execFile('openssl', ['ocsp', ...ocspArgs, '-reqin', reqFile, '-respout', respFile], { cwd: dir, timeout: 20_000 }, (err) => {
        if (err) {
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(readFileSync(respFile));
      });
    });
  });
  const port = await listen(server);
  return { url: `http://${HOST}:${port}/`, mode: 'file', isolated: null };
}

describe('queryOcsp + evaluateOcspResponse against openssl ocsp', () => {
  let dir: string;
  let chain: Awaited<ReturnType<typeof makeChain>>;
  let revoked: TestCert;
  let unlisted: TestCert;
  let caSigned: Responder;
  let delegatedSigned: Responder;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secgrade-ocsp-'));
    chain = await makeChain({ leaf: { serialNumber: '5ec60001' } });
    revoked = await makeCert({ subject: 'CN=revoked.secgrade.test', issuer: chain.intermediate, serialNumber: '5ec60002' });
    unlisted = await makeCert({ subject: 'CN=unlisted.secgrade.test', issuer: chain.intermediate, serialNumber: '5ec60003' });
    const responderCert = await makeCert({ subject: 'CN=ocsp.secgrade.test', issuer: chain.intermediate, eku: [OCSP_SIGNING] });
    const files: Record<string, string> = {
      'ca.pem': chain.intermediate.pem,
      'ca.key': chain.intermediate.keyPem,
      'responder.pem': responderCert.pem,
      'responder.key': responderCert.keyPem,
      // status, expiry, revocation[,reason], serial (upper-case hex), file, subject
      'index.txt':
        'V\t351231235959Z\t\t5EC60001\tunknown\t/CN=leaf.secgrade.test\n' +
        'R\t351231235959Z\t240102030405Z,keyCompromise\t5EC60002\tunknown\t/CN=revoked.secgrade.test\n',
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const common = ['-index', 'index.txt', '-CA', 'ca.pem', '-ndays', '1'];
    const caArgs = [...common, '-rsigner', 'ca.pem', '-rkey', 'ca.key'];
    const delegatedArgs = [...common, '-rsigner', 'responder.pem', '-rkey', 'responder.key'];
    const flags = await unshareFlags();
    const ip = ipCommand();
    if (flags && ip) {
      caSigned = await startNetnsResponder(dir, 'ca', flags, ip, caArgs);
      delegatedSigned = await startNetnsResponder(dir, 'delegated', flags, ip, delegatedArgs);
    } else {
      console.warn('ocsp-responder: no network namespace available; running openssl ocsp in file mode behind a Node server');
      caSigned = await startFileResponder(dir, 'ca', caArgs);
      delegatedSigned = await startFileResponder(dir, 'delegated', delegatedArgs);
    }
  });

  afterAll(async () => {
    children.forEach(killGroup);
    await closeServers();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the responder off every address but loopback', () => {
    for (const r of [caSigned, delegatedSigned]) {
      expect(new URL(r.url).hostname).toBe(HOST);
      if (r.mode === 'netns') expect(r.isolated).toBe(true);
    }
  });

  async function ask(responder: Responder, leaf: TestCert) {
    const res = await queryOcsp(responder.url, buildOcspRequest(leaf.der, chain.intermediate.der), { timeoutMs: 10_000 });
    if (!res.ok) throw new Error(`query failed: ${res.reason}`);
    return evaluateOcspResponse(res.der, { leafDer: leaf.der, issuerDer: chain.intermediate.der, now: new Date() });
  }

  it('says good, signed by the issuer', async () => {
    const ev = await ask(caSigned, chain.leaf);
    expect(ev).toMatchObject({ responseStatus: 'successful', certStatus: 'good', fresh: true, errors: [] });
    expect(ev.signature).toMatchObject({ valid: true, signer: 'issuer' });
    expect(ev.nextUpdate).toBeInstanceOf(Date);
  });

  it('says revoked, with time and reason', async () => {
    const ev = await ask(caSigned, revoked);
    expect(ev).toMatchObject({ certStatus: 'revoked', revocationReason: 'keyCompromise', fresh: true });
    expect(ev.revokedAt?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(ev.signature.valid).toBe(true);
  });

  it('says unknown for a serial missing from the index', async () => {
    const ev = await ask(caSigned, unlisted);
    expect(ev.certStatus).toBe('unknown');
    expect(ev.signature.valid).toBe(true);
  });

  it('accepts a delegated responder certified for OCSP signing', async () => {
    const ev = await ask(delegatedSigned, chain.leaf);
    expect(ev.certStatus).toBe('good');
    expect(ev.signature).toMatchObject({ valid: true, signer: 'delegated' });
  });
});

async function closeServers(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    ),
  );
}

describe('queryOcsp against hostile HTTP servers', () => {
  const DER = Buffer.from('30030a0103', 'hex'); // OCSPResponse { tryLater }
  const request = Buffer.from('3000', 'hex');
  let base: string;
  const seen: Array<{ method?: string; url?: string; host?: string; type?: string; body: Buffer }> = [];
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, host: req.headers.host, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        const ocsp = { 'content-type': 'application/ocsp-response' };
        switch (req.url) {
          case '/ok':
            res.writeHead(200, ocsp).end(DER);
            return;
          case '/drip': {
            res.writeHead(200, { ...ocsp, 'content-length': '1000' });
            const t = setInterval(() => res.write(Buffer.from([0x30])), 100);
            timers.add(t);
            res.on('close', () => clearInterval(t));
            return;
          }
          case '/hang':
            return; // never answers
          case '/500':
            res.writeHead(500, ocsp).end(DER);
            return;
          case '/html':
            res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
            return;
          case '/redirect':
            res.writeHead(302, { location: '/ok' }).end();
            return;
          case '/big-declared':
            res.writeHead(200, { ...ocsp, 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024, 0x30));
            return;
          case '/big-chunked': {
            res.writeHead(200, { ...ocsp, 'transfer-encoding': 'chunked' });
            let sent = 0;
            const push = (): void => {
              while (sent < 2 * 1024 * 1024 && !res.destroyed) {
                sent += 16 * 1024;
                if (!res.write(Buffer.alloc(16 * 1024, 0x30))) {
                  res.once('drain', push);
                  return;
                }
              }
              res.end();
            };
            push();
            return;
          }
          default:
            res.writeHead(404).end();
        }
      });
    });
    base = `http://${HOST}:${await listen(server)}`;
  });

  afterAll(async () => {
    timers.forEach(clearInterval);
    await closeServers();
  });

  it('POSTs application/ocsp-request and returns the DER', async () => {
    const res = await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000 });
    expect(res).toEqual({ ok: true, der: DER, status: 200 });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/ok', type: 'application/ocsp-request' });
    expect(last.body.equals(request)).toBe(true);
  });

  it('connects to connectTo while Host names the URL host', async () => {
    const port = new URL(base).port;
    const res = await queryOcsp(`http://ocsp.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, connectTo: { ip: HOST } });
    expect(res.ok).toBe(true);
    expect(seen.at(-1)!.host).toBe(`ocsp.secgrade.test:${port}`);
  });

  it("resolves the URL's host with the caller's lookup while Host names it", async () => {
    const port = new URL(base).port;
    const asked: string[] = [];
    const lookup = async (name: string) => (asked.push(name), HOST);
    const res = await queryOcsp(`http://ocsp.lookup.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup });
    expect(res).toEqual({ ok: true, der: DER, status: 200 });
    expect(asked).toEqual(['ocsp.lookup.secgrade.test']);
    expect(seen.at(-1)!.host).toBe(`ocsp.lookup.secgrade.test:${port}`);
    // An IP literal is not looked up; connectTo wins over lookup.
    expect((await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000, lookup })).ok).toBe(true);
    expect((await queryOcsp(`http://elsewhere.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup, connectTo: { ip: HOST } })).ok).toBe(true);
    expect(asked).toEqual(['ocsp.lookup.secgrade.test']);
    const unresolved = await queryOcsp(`http://nx.secgrade.test:${port}/ok`, request, { timeoutMs: 5000, lookup: () => Promise.reject(new Error('NXDOMAIN')) });
    expect(unresolved).toEqual({ ok: false, reason: 'host name does not resolve' });
  });

  it('gives up at the deadline when the body drips', async () => {
    const start = Date.now();
    const res = await queryOcsp(`${base}/drip`, request, { timeoutMs: 600 });
    expect(res).toEqual({ ok: false, reason: 'no complete response within 600 ms' });
    expect(Date.now() - start).toBeLessThan(3000);
  });

  it("stops on the caller's abort signal", async () => {
    const res = await queryOcsp(`${base}/hang`, request, { timeoutMs: 10_000, signal: AbortSignal.timeout(200) });
    expect(res).toEqual({ ok: false, reason: 'aborted' });
  });

  it('fails on HTTP 500, a wrong content-type and a redirect (not followed)', async () => {
    expect(await queryOcsp(`${base}/500`, request, { timeoutMs: 5000 })).toEqual({ ok: false, reason: 'responder answered HTTP 500' });
    const html = await queryOcsp(`${base}/html`, request, { timeoutMs: 5000 });
    expect(html.ok === false && html.reason).toMatch(/content-type "text\/html"/);
    const before = seen.length;
    const moved = await queryOcsp(`${base}/redirect`, request, { timeoutMs: 5000 });
    expect(moved.ok === false && moved.reason).toMatch(/HTTP 302 \(redirect to \/ok not followed\)/);
    expect(seen.length).toBe(before + 1);
  });

  it('caps the body: 2 MB declared or streamed', async () => {
    const declared = await queryOcsp(`${base}/big-declared`, request, { timeoutMs: 5000 });
    expect(declared.ok === false && declared.reason).toMatch(/2097152 bytes exceeds the 65536-byte limit/);
    const streamed = await queryOcsp(`${base}/big-chunked`, request, { timeoutMs: 5000 });
    expect(streamed).toEqual({ ok: false, reason: 'response exceeds the 65536-byte limit' });
    const small = await queryOcsp(`${base}/ok`, request, { timeoutMs: 5000, maxBytes: 4 });
    expect(small.ok).toBe(false);
  });

  it('refuses non-http URLs and reports refused connections', async () => {
    expect(await queryOcsp('https://127.0.0.1/', request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'URL scheme https: is not http:' });
    expect(await queryOcsp('not a url', request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'not a valid URL' });
    expect(await queryOcsp(`http://user:pw@${HOST}/`, request, { timeoutMs: 1000 })).toEqual({ ok: false, reason: 'URL carries credentials' });
    const closed = net.createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, HOST, () => resolve((closed.address() as net.AddressInfo).port)));
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await queryOcsp(`http://${HOST}:${port}/`, request, { timeoutMs: 2000 })).toEqual({ ok: false, reason: 'connection refused' });
  });
});
