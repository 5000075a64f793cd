// The MDN HTTP Observatory (npm @mdn/mdn-http-observatory 1.4.8) run against an HTTPS endpoint, its
// per-test results normalised to one shape, so src/grade/observatory.ts can be compared with it.
//
// The package is not a dependency of secgrade: it is installed into a temporary directory with
// `npm install --prefix <tmp> --ignore-scripts @mdn/mdn-http-observatory@1.4.8` (its postinstall
// would download Chromium's HSTS preload list and IANA's TLD list). The scan only needs one of those
// files: conf/hsts-preload.json, read by src/analyzer/hsts.js, a JSON object mapping each lower-case
// host name to { includeSubDomains, includeSubDomainsForPinning, mode, pinned } (what
// src/retrieve-hsts.js writes from Chromium's transport_security_state_static.json); only
// `mode: "force-https"` and `includeSubDomains` are read. We write `{}` (nothing preloaded), or the
// entries given. conf/tld-list.json is only read by its web API, not by a scan.
//
// How it is run: `node --import <pin.mjs> <package>/src/scan.js <host[:port]>` (what its bin
// `mdn-http-observatory-scan` runs, minus the wrapper: the wrapper overwrites NODE_EXTRA_CA_CERTS
// with a Mozilla bundle, so a lab CA could never be trusted through it). The CLI takes a host name
// only, scans `/` over both http:// and https:// at that host (with the port, if one is given, used
// for both schemes), prints JSON and exits 1 with {"error"} when the site is down or answers an
// unexpected status. Trust: NODE_EXTRA_CA_CERTS=<caFile> (an untrusted chain is not an error to the
// Observatory: it retries without verification and reports hsts-invalid-cert / redirection-invalid-cert).
// Address: `ip` pins the URL's host name to that address with a preloaded module that wraps
// dns.lookup, so a certificate for a real name (or `localhost`) can be served from 127.0.0.1;
// `pins` does the same for other names a redirect route leads to.
// A scan the Observatory refuses (site down, unexpected status) throws ObservatoryRefused with its message.
//
// Only node: built-ins here, like peers.ts.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const OBSERVATORY_PACKAGE = '@mdn/mdn-http-observatory';
export const OBSERVATORY_PACKAGE_VERSION = '1.4.8';

export interface HstsPreloadEntry {
  includeSubDomains: boolean;
  includeSubDomainsForPinning: boolean;
  mode: 'force-https' | string;
  pinned: boolean;
}

export interface ObservatoryInstall {
  /** The npm prefix directory. */
  prefix: string;
  /** <prefix>/node_modules/@mdn/mdn-http-observatory */
  packageDir: string;
  /** Removes the prefix when this module created it. */
  cleanup(): Promise<void>;
}

export interface ObservatoryTestResult {
  result: string;
  scoreModifier: number;
  pass: boolean;
}

export interface ObservatoryRun {
  score: number;
  grade: string;
  tests: Record<string, ObservatoryTestResult>;
  /** The scan summary as printed (algorithmVersion, statusCode, testsPassed …). */
  scan: Record<string, unknown>;
  durationMs: number;
}

export interface ObservatoryRunOptions {
  /** Connect to this address instead of resolving the URL's host name. */
  ip?: string;
  /** More names to pin (lower-case name → address): the other hosts of a redirect route. */
  pins?: Record<string, string>;
  /** PEM file of extra trusted roots (the lab CA, a test CA). */
  caFile?: string;
  /** Kill the scan after this long (default 60 s); also passed as the Observatory's own request timeouts. */
  timeoutMs?: number;
  /** Use this installation instead of the shared one this module installs on first use. */
  install?: ObservatoryInstall;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no answer after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes conf/hsts-preload.json: `{}` unless entries are given. */
export async function writeHstsPreload(install: ObservatoryInstall, entries: Record<string, HstsPreloadEntry> = {}): Promise<void> {
  const conf = path.join(install.packageDir, 'conf');
  await mkdir(conf, { recursive: true });
  await writeFile(path.join(conf, 'hsts-preload.json'), JSON.stringify(entries, null, 2));
}

/**
 * Installs the Observatory into `prefix` (a new temporary directory when omitted; an existing
 * installation of the right version there is reused) and writes conf/hsts-preload.json.
 * SECGRADE_OBSERVATORY_PREFIX names a prefix to reuse across runs.
 */
export async function installObservatory(opts: { prefix?: string; hstsPreload?: Record<string, HstsPreloadEntry>; timeoutMs?: number } = {}): Promise<ObservatoryInstall> {
  const given = opts.prefix ?? process.env.SECGRADE_OBSERVATORY_PREFIX;
  const prefix = given ?? (await mkdtemp(path.join(os.tmpdir(), 'secgrade-observatory-')));
  const packageDir = path.join(prefix, 'node_modules', ...OBSERVATORY_PACKAGE.split('/'));
  const cleanup = async () => {
    if (!given) await rm(prefix, { recursive: true, force: true });
  };
  const pkgJson = path.join(packageDir, 'package.json');
  const installed = (await exists(pkgJson)) && (JSON.parse(await readFile(pkgJson, 'utf8')) as { version?: string }).version === OBSERVATORY_PACKAGE_VERSION;
  if (!installed) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = await run(npm, ['install', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', `${OBSERVATORY_PACKAGE}@${OBSERVATORY_PACKAGE_VERSION}`], {
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
    if (r.code !== 0) {
      await cleanup();
      throw new Error(`npm install ${OBSERVATORY_PACKAGE}@${OBSERVATORY_PACKAGE_VERSION} failed (${r.code}): ${r.stderr.slice(-2000)}`);
    }
  }
  const install = { prefix, packageDir, cleanup };
  if (opts.hstsPreload || !(await exists(path.join(packageDir, 'conf', 'hsts-preload.json')))) await writeHstsPreload(install, opts.hstsPreload);
  return install;
}

let shared: Promise<ObservatoryInstall> | null = null;
/** One installation per process, made on first use. */
export function sharedObservatory(): Promise<ObservatoryInstall> {
  shared ??= installObservatory();
  return shared;
}

/** A module preloaded into the scan: resolves the pinned host names to their addresses, everything else as usual. */
const PIN_MODULE = `import dns from 'node:dns';
const pins = JSON.parse(process.env.SECGRADE_OBSERVATORY_PINS || '{}');
const original = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  const ip = pins[String(hostname).toLowerCase()];
  if (ip) {
    const family = ip.includes(':') ? 6 : 4;
    const all = typeof options === 'object' && options !== null && options.all;
    if (all) process.nextTick(callback, null, [{ address: ip, family }]);
    else process.nextTick(callback, null, ip, family);
    return {};
  }
  return original.call(this, hostname, options, callback);
};
`;

/** The Observatory refused to grade (its CLI printed {"error"}): "The site seems to be down." or an unexpected status. */
export class ObservatoryRefused extends Error {
  override name = 'ObservatoryRefused';
  constructor(readonly reason: string) {
    super(`observatory: ${reason}`);
  }
}

interface RawTest {
  result?: string | null;
  scoreModifier?: number | null;
  pass?: boolean | null;
}

/** Turns the CLI's JSON into an ObservatoryRun (exported for tests of recorded output). */
export function parseObservatoryOutput(stdout: string, durationMs = 0): ObservatoryRun {
  let parsed: { scan?: Record<string, unknown>; tests?: Record<string, RawTest>; error?: string };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new Error(`observatory: output is not JSON: ${stdout.slice(0, 500)}`);
  }
  if (parsed.error) throw new ObservatoryRefused(parsed.error);
  if (!parsed.scan || !parsed.tests) throw new Error('observatory: output has no scan or tests');
  const tests: Record<string, ObservatoryTestResult> = {};
  for (const [name, t] of Object.entries(parsed.tests)) {
    tests[name] = { result: String(t.result ?? ''), scoreModifier: Number(t.scoreModifier ?? 0), pass: t.pass === true };
  }
  return { score: Number(parsed.scan.score), grade: String(parsed.scan.grade), tests, scan: parsed.scan, durationMs };
}

/** Scans `url`'s host with the installed Observatory (its path is not used: the CLI scans `/`). */
export async function runObservatory(url: string, opts: ObservatoryRunOptions = {}): Promise<ObservatoryRun> {
  const target = new URL(url.includes('://') ? url : `https://${url}`);
  const install = opts.install ?? (await sharedObservatory());
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pin = path.join(install.prefix, 'secgrade-pin-hosts.mjs');
  if (!(await exists(pin)) || (await readFile(pin, 'utf8')) !== PIN_MODULE) await writeFile(pin, PIN_MODULE);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.CONFIG_FILE;
  if (opts.caFile) env.NODE_EXTRA_CA_CERTS = path.resolve(opts.caFile);
  // The Observatory's own per-request limits (src/config.js: ABORT_TIMEOUT, CLIENT_TIMEOUT).
  env.ABORT_TIMEOUT = String(Math.max(1000, Math.floor(timeoutMs / 2)));
  env.CLIENT_TIMEOUT = String(Math.max(1000, Math.floor(timeoutMs / 2) - 1000));
  const pins: Record<string, string> = {};
  for (const [name, ip] of Object.entries(opts.pins ?? {})) pins[name.toLowerCase()] = ip;
  if (opts.ip) pins[target.hostname.replace(/^\[|\]$/g, '').toLowerCase()] = opts.ip;
  env.SECGRADE_OBSERVATORY_PINS = JSON.stringify(pins);
  const started = Date.now();
  const r = await run(process.execPath, ['--import', pathToFileURL(pin).href, path.join(install.packageDir, 'src', 'scan.js'), target.host], {
    env,
    timeoutMs,
    cwd: install.packageDir,
  });
  if (r.code !== 0 && !r.stdout.trim()) throw new Error(`observatory exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return parseObservatoryOutput(r.stdout, Date.now() - started);
}

// ---------------------------------------------------------------------------------------------
// A local site to scan: one port that answers both plain HTTP and HTTPS (the first byte tells them
// apart), since the Observatory scans http:// and https:// at the same host:port. HTTP answers per
// `httpMode`; HTTPS answers `/` with the given headers and body.

export interface HeaderSiteOptions {
  /** Response headers of the HTTPS page (Set-Cookie may be an array). */
  headers: Record<string, string | string[]>;
  body?: string;
  /** Status of the page (default 200). */
  status?: number;
  /**
   * What plain HTTP does: redirect to the same host on https (default), redirect to another http
   * URL first, serve the page, or refuse.
   */
  httpMode?: 'redirect' | 'redirect-http-first' | 'serve' | 'refuse';
  /** What TLS does: serve (default), or reset every connection (an http-only site). */
  httpsMode?: 'serve' | 'refuse';
  /** The https page answers 302 to this URL instead (with the page's headers). */
  redirectTo?: string;
  /** Other paths (GET and OPTIONS alike, over both schemes): status, headers, body. */
  routes?: Record<string, { status: number; headers?: Record<string, string | string[]>; body?: string }>;
  /** Echo a request's Origin in Access-Control-Allow-Origin, with credentials. */
  corsReflect?: boolean;
  /** PEM certificate chain and key; see makeLocalhostPki. */
  cert: string;
  key: string;
}

export interface HeaderSite {
  port: number;
  close(): Promise<void>;
}

export async function startHeaderSite(opts: HeaderSiteOptions): Promise<HeaderSite> {
  const route = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const r = opts.routes?.[(req.url ?? '/').replace(/\?.*$/s, '')];
    if (!r) return false;
    res.writeHead(r.status, r.headers ?? {});
    res.end(r.body ?? '');
    return true;
  };
  const page = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (route(req, res)) return;
    const cors: Record<string, string> =
      opts.corsReflect && typeof req.headers.origin === 'string' ? { 'access-control-allow-origin': req.headers.origin, 'access-control-allow-credentials': 'true' } : {};
    if (opts.redirectTo) {
      res.writeHead(302, { ...opts.headers, ...cors, location: opts.redirectTo });
      res.end();
      return;
    }
    res.writeHead(opts.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...opts.headers, ...cors });
    res.end(opts.body ?? '<!doctype html><title>secgrade observatory fixture</title><p>fixture</p>');
  };
  const tlsServer = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => page(req, res));
  const plain = http.createServer((req, res) => {
    if (route(req, res)) return;
    if (opts.httpMode === 'redirect-http-first' && req.url !== '/http-first') {
      res.writeHead(301, { location: `http://${req.headers.host ?? 'localhost'}/http-first` });
      res.end();
    } else if ((opts.httpMode ?? 'redirect') === 'redirect' || opts.httpMode === 'redirect-http-first') {
      res.writeHead(301, { location: `https://${req.headers.host ?? 'localhost'}${req.url ?? '/'}` });
      res.end();
    } else page(req, res);
  });
  // TLS sockets read from the raw handle, so bytes already read cannot be handed back to an
  // in-process TLS server: TLS connections are relayed to its own loopback port instead.
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tlsServer.address() as net.AddressInfo).port;
  const open = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x16) {
        if (opts.httpsMode === 'refuse') {
          socket.destroy();
          return;
        }
        const upstream = net.connect(tlsPort, '127.0.0.1', () => {
          upstream.write(first);
          socket.pipe(upstream).pipe(socket);
          socket.resume();
        });
        upstream.on('error', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        return;
      }
      if (opts.httpMode === 'refuse') {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      plain.emit('connection', socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const port = (front.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        tlsServer.closeAllConnections();
        plain.closeAllConnections();
        tlsServer.close();
        front.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for `names` (the first is the CN), trusted by nobody: made by the openssl CLI. */
export async function makeSelfSigned(names: string[]): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-observatory-self-'));
  try {
    const r = await run(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`],
      { timeoutMs: 60_000, cwd: dir },
    );
    if (r.code !== 0) throw new Error(`openssl req: ${r.stderr}`);
    return { cert: await readFile(path.join(dir, 'c.pem'), 'utf8'), key: await readFile(path.join(dir, 'k.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A throwaway CA and a `localhost` / 127.0.0.1 leaf, made by the openssl CLI. */
export async function makeLocalhostPki(): Promise<{ dir: string; caFile: string; cert: string; key: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-observatory-pki-'));
  const f = (n: string) => path.join(dir, n);
  const openssl = async (args: string[]) => {
    const r = await run('openssl', args, { timeoutMs: 60_000, cwd: dir });
    if (r.code !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=secgrade observatory test CA']);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=localhost']);
  await writeFile(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
  return {
    dir,
    caFile: f('ca.pem'),
    cert: await readFile(f('leaf.pem'), 'utf8'),
    key: await readFile(f('leaf.key'), 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
