// A DNSSEC lab on 127.0.0.1 for the conformance suite: Knot DNS (knotd) serves a signed root and a
// signed `test.` with child zones in every DNSSEC state, and unbound, with the root's DS as its only
// trust anchor, validates on top of it. Both run as the current user in a temporary directory; every
// zone and the root are stub zones pointing at knotd, so nothing ever leaves loopback.
//
// | zone                  | state                                                                 |
// | --------------------- | --------------------------------------------------------------------- |
// | `signed.test.`        | ECDSAP256SHA256, DS in test.: secure                                   |
// | `unsigned.test.`      | not signed, no DS: insecure                                            |
// | `island.test.`        | signed, no DS in test.: an island                                      |
// | `bogus.test.`         | signed, the DS in test. has one digest nibble changed: bogus           |
// | `rsasha1.test.`       | RSASHA1 (algorithm 5), DS in test.: secure, with a deprecated algorithm |
// | `deep.unsigned.test.` | signed, DS in unsigned.test. (an unsigned parent): no chain of trust   |
//
// Keys are made with `keymgr` before knotd starts (policy `manual: on`), so the DS records can be
// written into the parents' zone files; knotd then signs every signed zone itself on load.
// Only node: built-ins and the project's DNS client here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DnsClient } from '../../src/net/dns/client.js';
import type { DnsServerAddress } from '../../src/net/dns/types.js';
import { freePort } from './servers.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3000;
const TAIL_CHARS = 4000;

/** Executables the lab needs, with the Debian package that has each. */
export const DNSSEC_TOOLS: ReadonlyArray<{ exe: string; pkg: string }> = [
  { exe: 'knotd', pkg: 'knot' },
  { exe: 'keymgr', pkg: 'knot' },
  { exe: 'unbound', pkg: 'unbound' },
];
export const DNSSEC_APT = 'apt-get install -y knot unbound';

/** Daemons live in sbin, which is not on every user's PATH. */
const SEARCH_DIRS = (): string[] => [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/local/sbin'];

async function findExecutable(name: string): Promise<string | null> {
  for (const dir of SEARCH_DIRS()) {
    try {
      await access(path.join(dir, name), fsConstants.X_OK);
      return path.join(dir, name);
    } catch {
      // next
    }
  }
  return null;
}

/** Tools of DNSSEC_TOOLS that are not installed, e.g. ['knotd (knot)']. */
export async function missingDnssecTools(): Promise<string[]> {
  const missing: string[] = [];
  for (const t of DNSSEC_TOOLS) if (!(await findExecutable(t.exe))) missing.push(`${t.exe} (${t.pkg})`);
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Processes: each in its own process group, killed by the PID we started, bounded waits.

const LIVE = new Set<number>();
process.once('exit', () => {
  for (const pid of LIVE) signalGroup(pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

class Daemon {
  readonly child: ChildProcess;
  private out = '';
  private exitInfo: string | null = null;
  private readonly exited: Promise<void>;

  constructor(readonly label: string, cmd: string, args: string[], cwd: string) {
    this.child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (d: Buffer): void => {
      this.out = (this.out + d.toString('utf8')).slice(-TAIL_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.exitInfo = `could not start ${cmd}: ${err.message}`;
        resolve();
      });
      // 'close', not 'exit': by then all of its output has been read (for the error message).
      this.child.once('close', (code, signal) => {
        this.exitInfo ??= `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
    });
    const pid = this.child.pid;
    if (pid !== undefined) {
      LIVE.add(pid);
      void this.exited.then(() => LIVE.delete(pid));
    }
  }

  get output(): string {
    return this.out;
  }

  get exit(): string | null {
    return this.exitInfo;
  }

  failure(what: string): Error {
    const tail = this.out.trim() ? `\n--- ${this.label} output (tail) ---\n${this.out.trim()}` : ` (${this.label} wrote nothing)`;
    return new Error(`${this.label}: ${what}${this.exitInfo ? ` (${this.exitInfo})` : ''}${tail}`);
  }

  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (this.exitInfo !== null || pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    signalGroup(pid, 'SIGKILL');
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${err.message}${stderr ? `\n${String(stderr).slice(-TAIL_CHARS)}` : ''}`));
      else resolve(String(stdout));
    });
  });
}

/**
 * Ask `server` for SOA of every zone until each gives a NOERROR answer (with AD, when `validated`),
 * or fail with the daemon's output once `timeoutMs` has passed or the daemon died.
 */
async function waitForAnswers(daemon: Daemon, server: DnsServerAddress, zones: string[], validated: boolean, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const client = new DnsClient({ servers: [server], timeoutMs: 500, retries: 0 });
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (daemon.exit !== null) throw daemon.failure(`died before answering on ${HOST}:${server.port}`);
    const results = await Promise.all(zones.map((z) => client.query(z, 'SOA', { dnssecOk: true })));
    const waiting = results.flatMap((r, i) => (r.status === 'ok' && (!validated || r.authenticated) ? [] : [`${zones[i]}: ${r.status === 'error' ? r.reason : `${r.status}, AD=${r.authenticated}`}`]));
    if (waiting.length === 0) return;
    last = waiting.join('; ');
    if (Date.now() > deadline) throw daemon.failure(`not ready within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// Zones

interface ZoneSpec {
  /** Absolute, with the trailing dot. */
  name: string;
  /** DNSSEC algorithm number; undefined = not signed. */
  algorithm?: number;
  /** Which child zones get a DS here, and whether the DS is spoiled. */
  children: Array<{ name: string; ds: 'valid' | 'none' | 'bogus' }>;
}

export const LAB_ZONES: ZoneSpec[] = [
  { name: '.', algorithm: 13, children: [{ name: 'test.', ds: 'valid' }] },
  {
    name: 'test.',
    algorithm: 13,
    children: [
      { name: 'signed.test.', ds: 'valid' },
      { name: 'unsigned.test.', ds: 'none' },
      { name: 'island.test.', ds: 'none' },
      { name: 'bogus.test.', ds: 'bogus' },
      { name: 'rsasha1.test.', ds: 'valid' },
    ],
  },
  { name: 'signed.test.', algorithm: 13, children: [] },
  { name: 'unsigned.test.', children: [{ name: 'deep.unsigned.test.', ds: 'valid' }] },
  { name: 'island.test.', algorithm: 13, children: [] },
  { name: 'bogus.test.', algorithm: 13, children: [] },
  { name: 'rsasha1.test.', algorithm: 5, children: [] },
  { name: 'deep.unsigned.test.', algorithm: 13, children: [] },
];

const fileOf = (zone: string): string => (zone === '.' ? 'root.zone' : `${zone.slice(0, -1)}.zone`);
const hostOf = (zone: string, label: string): string => (zone === '.' ? `${label}.` : `${label}.${zone}`);

function knotConfig(dir: string, port: number): string {
  const zones = LAB_ZONES.map((z) =>
    [
      `  - domain: "${z.name}"`,
      `    file: "${path.join(dir, fileOf(z.name))}"`,
      ...(z.algorithm === undefined ? [] : ['    dnssec-signing: on', '    dnssec-policy: manual']),
    ].join('\n'),
  );
  return `server:
    rundir: "${dir}"
${port > 0 ? `    listen: ${HOST}@${port}\n` : ''}log:
  - target: stderr
    any: info
database:
    storage: "${path.join(dir, 'db')}"
policy:
  - id: manual
    manual: on
template:
  - id: default
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: on
zone:
${zones.join('\n')}
`;
}

/** "owner DS tag alg 2 hex" from keymgr's output, the SHA-256 one. */
function sha256Ds(keymgrOutput: string, zone: string): string {
  const line = keymgrOutput.split('\n').find((l) => /\sDS\s+\d+\s+\d+\s+2\s+[0-9a-f]+\s*$/i.test(l));
  if (!line) throw new Error(`keymgr ${zone} ds printed no SHA-256 DS:\n${keymgrOutput}`);
  return line.trim().split(/\s+/).slice(-4).join(' ');
}

/** Change the last hex digit, so the DS names the right key tag and algorithm but matches no key. */
function spoil(ds: string): string {
  return ds.replace(/[0-9a-f]$/i, (c) => (c === '0' ? '1' : '0'));
}

function zoneFile(z: ZoneSpec, ds: Map<string, string>, extra: readonly string[] = []): string {
  const lines = [
    '$TTL 300',
    `@ SOA ${hostOf('test.', 'ns')} hostmaster.test. 1 3600 600 86400 300`,
    `@ NS ${hostOf('test.', 'ns')}`,
  ];
  if (z.name === '.' || z.name === 'test.') lines.push(`${hostOf('test.', 'ns')} A ${HOST}`);
  if (z.name !== '.') lines.push(`@ MX 10 ${hostOf(z.name, 'mx')}`, `${hostOf(z.name, 'mx')} A ${HOST}`, `@ TXT "v=spf1 -all"`);
  lines.push(...extra);
  for (const child of z.children) {
    lines.push(`${child.name} NS ${hostOf('test.', 'ns')}`);
    const d = ds.get(child.name);
    if (child.ds === 'valid' && d) lines.push(`${child.name} DS ${d}`);
    if (child.ds === 'bogus' && d) lines.push(`${child.name} DS ${spoil(d)}`);
  }
  return `${lines.join('\n')}\n`;
}

function unboundConfig(dir: string, port: number, knot: DnsServerAddress, rootDs: string): string {
  const stubs = LAB_ZONES.map((z) => `stub-zone:\n  name: "${z.name}"\n  stub-addr: ${knot.host}@${knot.port}\n  stub-prime: no\n`);
  return `server:
  interface: ${HOST}@${port}
  do-ip6: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${path.join(dir, 'unbound.pid')}"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  do-not-query-localhost: no
  local-zone: "test." nodefault
  access-control: 127.0.0.0/8 allow
  trust-anchor: ". DS ${rootDs}"
  trust-anchor-signaling: no
  num-threads: 1
  outgoing-range: 64
  num-queries-per-thread: 32
  so-reuseport: no
  cache-max-ttl: 60
remote-control:
  control-enable: no
${stubs.join('')}`;
}

// ---------------------------------------------------------------------------------------------
// The lab

export interface DnssecLab {
  /** knotd: authoritative for every zone. */
  knot: DnsServerAddress;
  /** unbound: the validating resolver. */
  unbound: DnsServerAddress;
  /** The root's DS (unbound's trust anchor), "tag alg 2 hex". */
  rootDs: string;
  dir: string;
  stop(): Promise<void>;
}

async function withPortRetries<T>(what: string, start: (port: number) => Promise<T>): Promise<T> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      lastError = err as Error;
      // The port was taken (UDP or TCP) between freePort() and the bind: try another.
      // The error carries the daemon's output: knotd and unbound both say "address already in use".
      if (!/address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error(`${what}: no free port`);
}

export interface DnssecLabOptions {
  /** More zone-file lines per zone (absolute zone name with the trailing dot, e.g. 'signed.test.'), signed with the rest. */
  extraRecords?: Readonly<Record<string, readonly string[]>>;
}

export async function startDnssecLab(opts: DnssecLabOptions = {}): Promise<DnssecLab> {
  const tools = new Map<string, string>();
  for (const t of DNSSEC_TOOLS) {
    const found = await findExecutable(t.exe);
    if (!found) throw new Error(`the DNSSEC lab needs ${t.exe} (Debian package ${t.pkg}): ${DNSSEC_APT}`);
    tools.set(t.exe, found);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-dnssec-'));
  const daemons: Daemon[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(daemons.map((d) => d.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(path.join(dir, 'db'));
    const conf = path.join(dir, 'knot.conf');
    // Keys first (knotd is not running yet), so each parent's zone file can carry its child's DS;
    // keymgr only reads the configuration, so it has no listen address yet.
    await writeFile(conf, knotConfig(dir, 0));
    const ds = new Map<string, string>();
    for (const z of LAB_ZONES) {
      if (z.algorithm === undefined) continue;
      const size = z.algorithm === 5 || z.algorithm === 8 ? ['size=2048'] : [];
      await run(tools.get('keymgr')!, ['-c', conf, z.name, 'generate', `algorithm=${z.algorithm}`, ...size, 'ksk=yes', 'zsk=yes'], dir);
      ds.set(z.name, sha256Ds(await run(tools.get('keymgr')!, ['-c', conf, z.name, 'ds'], dir), z.name));
    }
    for (const z of LAB_ZONES) await writeFile(path.join(dir, fileOf(z.name)), zoneFile(z, ds, opts.extraRecords?.[z.name]));

    const knot = await withPortRetries('knotd', async (port) => {
      await writeFile(conf, knotConfig(dir, port));
      const d = new Daemon('knotd', tools.get('knotd')!, ['-c', conf], dir);
      const server = { host: HOST, port };
      try {
        await waitForAnswers(d, server, LAB_ZONES.map((z) => z.name), false);
        daemons.push(d);
        return server;
      } catch (err) {
        await d.stop();
        throw err;
      }
    });

    const rootDs = ds.get('.')!;
    const unbound = await withPortRetries('unbound', async (port) => {
      const file = path.join(dir, 'unbound.conf');
      await writeFile(file, unboundConfig(dir, port, knot, rootDs));
      const d = new Daemon('unbound', tools.get('unbound')!, ['-d', '-c', file], dir);
      const server = { host: HOST, port };
      try {
        await waitForAnswers(d, server, ['test.', 'signed.test.'], true);
        daemons.push(d);
        return server;
      } catch (err) {
        await d.stop();
        throw err;
      }
    });
    let stopped: Promise<void> | undefined;
    return { knot, unbound, rootDs, dir, stop: () => (stopped ??= stop()) };
  } catch (err) {
    await stop();
    throw err;
  }
}
