// `openssl ocsp` as a real OCSP responder reachable only on 127.0.0.1, for integration tests.
//
// OpenSSL 3.0's `ocsp -port` takes a bare port and binds every address, so the responder runs in a
// private network namespace (unshare --net, or --user --map-root-user --net when not root) whose
// only interface is its own loopback; a helper inside forwards a Unix socket in the temp dir to it,
// and this process forwards 127.0.0.1:<os-chosen port> to that socket. Where no namespace can be
// made, the same openssl answers each request in file mode (-reqin/-respout) behind a Node server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';

export const HOST = '127.0.0.1';
const INNER_PORT = '8888'; // inside a private namespace nothing else can hold it

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

export interface Responder {
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

/** The responder in a private namespace when one can be made, else in file mode. */
export async function startOpensslOcspResponder(dir: string, name: string, ocspArgs: string[]): Promise<Responder> {
  const flags = await unshareFlags();
  const ip = ipCommand();
  if (flags && ip) return startNetnsResponder(dir, name, flags, ip, ocspArgs);
  console.warn('ocsp-responder: no network namespace available; running openssl ocsp in file mode behind a Node server');
  return startFileResponder(dir, name, ocspArgs);
}

/** Kill every responder process group and close the forwarders. */
export async function stopOcspResponders(): Promise<void> {
  children.splice(0).forEach(killGroup);
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
