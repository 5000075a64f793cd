// Real TLS servers on 127.0.0.1 for the conformance suite: openssl s_server, nginx, gnutls-serv and
// Node, each with a throwaway certificate made by the openssl CLI in a temporary directory. Every
// server states the protocols (and, where the configuration pins them, the cipher suites) it was
// configured with, so peer tools and secgrade can be checked against the configuration itself.
//
// Only node: built-ins here: scripts/bench.mjs transpiles this file on the fly and imports it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProtocolName } from './peers.js';

export type ServerName =
  | 'openssl-modern'
  | 'openssl-legacy'
  | 'openssl-tls13'
  | 'openssl-dhe1024'
  | 'nginx-dual-cert'
  | 'gnutls-legacy'
  | 'node-chacha'
  | 'sunjsse-legacy';

export const SERVER_NAMES: readonly ServerName[] = [
  'openssl-modern',
  'openssl-legacy',
  'openssl-tls13',
  'openssl-dhe1024',
  'nginx-dual-cert',
  'gnutls-legacy',
  'node-chacha',
  'sunjsse-legacy',
];

/** What the server was configured to accept: the ground truth the peers and secgrade must find. */
export interface ExpectedVerdict {
  protocols: Record<ProtocolName, boolean>;
  /**
   * Exact IANA suite sets, per protocol, for servers whose configuration pins every suite. Null when
   * the set is "whatever this OpenSSL calls ALL" (openssl-legacy): there the peers are compared with
   * each other, plus the spot checks in `includes`.
   */
  cipherSuites: Partial<Record<ProtocolName, string[]>> | null;
  /** Suites that must be found (a subset check), for servers without an exact list. */
  includes?: Partial<Record<ProtocolName, string[]>>;
  /** Suites that must not be found. */
  excludes?: Partial<Record<ProtocolName, string[]>>;
}

export interface ConformanceServer {
  name: ServerName;
  host: '127.0.0.1';
  port: number;
  /** Server name to send (SNI); null to connect by IP without SNI. */
  sni: string | null;
  description: string;
  /** The software that terminates TLS, for reports. */
  software: string;
  expected: ExpectedVerdict;
}

export interface StartedServer extends ConformanceServer {
  stop(): Promise<void>;
}

export interface ConformanceServers {
  servers: ConformanceServer[];
  stop(): Promise<void>;
}

const HOST = '127.0.0.1' as const;
const READY_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// Expected verdicts

function protocols(on: ProtocolName[]): Record<ProtocolName, boolean> {
  const all: ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  return Object.fromEntries(all.map((p) => [p, on.includes(p)])) as Record<ProtocolName, boolean>;
}

const TLS13_DEFAULT = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** GnuTLS "TLS1.0" suites for an RSA certificate under the priority string below (gnutls-cli --list). */
const GNUTLS_LEGACY_TLS10 = [
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_RC4_128_MD5',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
];
const GNUTLS_LEGACY_TLS12_ONLY = [
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_256_CCM',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_128_CCM',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CCM',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_CCM',
];

/**
 * sunjsse-legacy (OpenJDK 17 SunJSSE, policy cleared, RSA certificate): what it negotiates, found by
 * experiment with secgrade and testssl.sh (which agree). SSLv3 and TLS 1.0 share one list; TLS 1.1
 * drops the export suites (RFC 4346 forbids them); TLS 1.2 drops single DES (RFC 5246) and adds the
 * SHA-256/384 and AEAD suites. ECDSA, static ECDH and DSS suites need another certificate, so they are
 * not configured.
 */
const SUNJSSE_SSL3_TLS12 = [
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDH_anon_WITH_AES_256_CBC_SHA',
  'TLS_DH_anon_WITH_AES_256_CBC_SHA',
  'TLS_ECDH_anon_WITH_AES_128_CBC_SHA',
  'TLS_DH_anon_WITH_AES_128_CBC_SHA',
  'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA',
  'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_RC4_128_MD5',
  'TLS_ECDH_anon_WITH_RC4_128_SHA',
  'TLS_DH_anon_WITH_RC4_128_MD5',
  'TLS_ECDHE_RSA_WITH_NULL_SHA',
  'TLS_RSA_WITH_NULL_SHA',
  'TLS_ECDH_anon_WITH_NULL_SHA',
  'TLS_RSA_WITH_NULL_MD5',
];
/** Single DES: SSLv3 to TLS 1.1. */
const SUNJSSE_DES = ['TLS_RSA_WITH_DES_CBC_SHA', 'TLS_DHE_RSA_WITH_DES_CBC_SHA', 'TLS_DH_anon_WITH_DES_CBC_SHA'];
/** 40-bit export suites: SSLv3 and TLS 1.0 only. */
const SUNJSSE_EXPORT = [
  'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_RSA_EXPORT_WITH_RC4_40_MD5',
  'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5',
];
/** TLS 1.2 only: AEAD and SHA-256/384 suites. */
const SUNJSSE_TLS12_ONLY = [
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_DH_anon_WITH_AES_256_GCM_SHA384',
  'TLS_DH_anon_WITH_AES_128_GCM_SHA256',
  'TLS_DH_anon_WITH_AES_256_CBC_SHA256',
  'TLS_DH_anon_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_NULL_SHA256',
];

interface ServerSpec {
  description: string;
  software: string;
  sni: string | null;
  expected: ExpectedVerdict;
}

export const NGINX_SNI = 'nginx.conformance.test';

export const SERVER_SPECS: Record<ServerName, ServerSpec> = {
  'openssl-modern': {
    software: 'openssl s_server',
    sni: null,
    description: 'TLS 1.2 + 1.3, ECDSA P-256 certificate, ECDHE + AEAD suites only',
    expected: {
      protocols: protocols(['TLSv1.2', 'TLSv1.3']),
      cipherSuites: {
        'TLSv1.2': [
          'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
          'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
          'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        ],
        'TLSv1.3': TLS13_DEFAULT,
      },
    },
  },
  'openssl-legacy': {
    software: 'openssl s_server',
    sni: null,
    description:
      "TLS 1.0-1.2, RSA certificate, 'ALL:@SECLEVEL=0': CBC, static RSA, anonymous DH/ECDH, Camellia, ARIA " +
      "(no 3DES/RC4: Debian's OpenSSL 3 has neither; gnutls-legacy covers them)",
    expected: {
      protocols: protocols(['TLSv1.0', 'TLSv1.1', 'TLSv1.2']),
      cipherSuites: null,
      includes: {
        'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
        'TLSv1.1': ['TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'],
        'TLSv1.2': [
          'TLS_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_RSA_WITH_AES_256_CBC_SHA256',
          'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
          'TLS_DHE_RSA_WITH_AES_256_CCM_8',
          'TLS_RSA_WITH_ARIA_128_GCM_SHA256',
        ],
      },
      // An RSA certificate cannot serve ECDSA suites; GCM does not exist before TLS 1.2.
      excludes: {
        'TLSv1.0': ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
        'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
      },
    },
  },
  'openssl-tls13': {
    software: 'openssl s_server',
    sni: null,
    description: 'TLS 1.3 only, RSA certificate, all five TLS 1.3 suites including the two CCM ones',
    expected: {
      protocols: protocols(['TLSv1.3']),
      cipherSuites: {
        'TLSv1.3': [...TLS13_DEFAULT, 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'],
      },
    },
  },
  'openssl-dhe1024': {
    software: 'openssl s_server',
    sni: null,
    description: 'TLS 1.1 + 1.2, DHE-RSA only with a 1024-bit group generated at start, server preference',
    expected: {
      protocols: protocols(['TLSv1.1', 'TLSv1.2']),
      cipherSuites: {
        'TLSv1.1': ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
        'TLSv1.2': [
          'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
          'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
          'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
        ],
      },
    },
  },
  'nginx-dual-cert': {
    software: 'nginx',
    sni: NGINX_SNI,
    description:
      `TLS 1.2 + 1.3, RSA and ECDSA certificates side by side, server preference; the default server ` +
      `rejects handshakes without the SNI name ${NGINX_SNI}`,
    expected: {
      protocols: protocols(['TLSv1.2', 'TLSv1.3']),
      cipherSuites: {
        'TLSv1.2': [
          'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
          'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
          'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
        ],
        'TLSv1.3': ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'],
      },
    },
  },
  'gnutls-legacy': {
    software: 'gnutls-serv',
    sni: null,
    description:
      'TLS 1.0-1.2 on GnuTLS, RSA certificate, static RSA + 3DES + RC4 (SHA1 and MD5) + CBC next to AEAD, server precedence',
    expected: {
      protocols: protocols(['TLSv1.0', 'TLSv1.1', 'TLSv1.2']),
      cipherSuites: {
        'TLSv1.0': GNUTLS_LEGACY_TLS10,
        'TLSv1.1': GNUTLS_LEGACY_TLS10,
        'TLSv1.2': [...GNUTLS_LEGACY_TLS10, ...GNUTLS_LEGACY_TLS12_ONLY],
      },
    },
  },
  'node-chacha': {
    software: 'node:tls',
    sni: null,
    description: 'TLS 1.2 + 1.3 on Node, RSA certificate, ChaCha20 first, client order honoured',
    expected: {
      protocols: protocols(['TLSv1.2', 'TLSv1.3']),
      cipherSuites: {
        'TLSv1.2': [
          'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        ],
        'TLSv1.3': ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'],
      },
    },
  },
  'sunjsse-legacy': {
    software: 'SunJSSE (OpenJDK 17)',
    sni: null,
    description:
      'SSLv3 + TLS 1.0-1.2 on the JDK with its security policy cleared, RSA certificate: export, single DES, ' +
      'RC4, 3DES, NULL and anonymous (EC)DH next to CBC and AEAD suites, server preference (32 + 32 + 27 + 43 suites)',
    expected: {
      protocols: protocols(['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2']),
      cipherSuites: {
        SSLv3: [...SUNJSSE_SSL3_TLS12, ...SUNJSSE_DES, ...SUNJSSE_EXPORT],
        'TLSv1.0': [...SUNJSSE_SSL3_TLS12, ...SUNJSSE_DES, ...SUNJSSE_EXPORT],
        'TLSv1.1': [...SUNJSSE_SSL3_TLS12, ...SUNJSSE_DES],
        'TLSv1.2': [...SUNJSSE_TLS12_ONLY, ...SUNJSSE_SSL3_TLS12],
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Processes

const TAIL_CHARS = 4000;

/** A child process in its own process group, with the tail of what it wrote kept for errors. */
class Managed {
  readonly child: ChildProcess;
  readonly label: string;
  private out = '';
  private exitInfo: string | null = null;
  private readonly exited: Promise<void>;
  private readonly listeners = new Set<(chunk: string) => void>();

  constructor(label: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.label = label;
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: stop() signals the group, so grandchildren (gnutls-serv under its
      // namespace helper) go too.
      detached: true,
    });
    const onData = (d: Buffer): void => {
      const text = d.toString('utf8');
      this.out = (this.out + text).slice(-TAIL_CHARS);
      for (const l of this.listeners) l(text);
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.exitInfo = `could not start ${cmd}: ${err.message}`;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitInfo ??= `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
    });
    if (this.child.pid !== undefined) LIVE_GROUPS.add(this.child.pid);
    void this.exited.then(() => {
      if (this.child.pid !== undefined) LIVE_GROUPS.delete(this.child.pid);
    });
  }

  get output(): string {
    return this.out;
  }

  get exit(): string | null {
    return this.exitInfo;
  }

  onOutput(fn: (chunk: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  whenExited(): Promise<void> {
    return this.exited;
  }

  describeFailure(what: string): string {
    const tail = this.out.trim() ? `\n--- ${this.label} output (tail) ---\n${this.out.trim()}` : ` (${this.label} wrote nothing)`;
    return `${this.label}: ${what}${this.exitInfo ? ` (${this.exitInfo})` : ''}${tail}`;
  }

  async stop(): Promise<void> {
    if (this.exitInfo !== null || this.child.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child.pid!, 'SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; make sure nothing else of its group survives.
    signalGroup(this.child.pid, 'SIGKILL');
  }
}

const LIVE_GROUPS = new Set<number>();

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

// A crashed test run must not leave servers behind: kill every group we started on exit.
process.once('exit', () => {
  for (const pgid of LIVE_GROUPS) signalGroup(pgid, 'SIGKILL');
});

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'ENOENT' ? `${cmd} is not installed (not found on PATH)` : `${cmd} ${args.join(' ')} failed: ${err.message}`;
        reject(new Error(`${why}${stderr ? `\n${String(stderr).slice(-TAIL_CHARS)}` : ''}`));
      } else resolve(String(stdout));
    });
  });
}

/** A port that was free a moment ago: bind 0, read the number, close. Callers retry on EADDRINUSE. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Poll TCP connect until the server accepts; fail early if the process dies, with its output. */
async function waitForPort(port: number, proc: Managed, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exit !== null) throw new Error(proc.describeFailure(`died before accepting on ${HOST}:${port}`));
    if (await tryConnect(port)) return;
    if (Date.now() > deadline) {
      throw new Error(proc.describeFailure(`did not accept TCP connections on ${HOST}:${port} within ${timeoutMs} ms`));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait for a line matching `re` in the process output (e.g. s_server's "ACCEPT 127.0.0.1:PORT"). */
function waitForOutput(proc: Managed, re: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = proc.output.match(re);
      if (m) {
        finish();
        resolve(m);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(proc.describeFailure(`did not print ${re} within ${timeoutMs} ms`)));
    }, timeoutMs);
    const off = proc.onOutput(() => void check());
    const finish = (): void => {
      clearTimeout(timer);
      off();
    };
    void proc.whenExited().then(() => {
      if (!check()) {
        finish();
        reject(new Error(proc.describeFailure('exited before it was ready')));
      }
    });
    check();
  });
}

// ---------------------------------------------------------------------------------------------
// Workspace: temp dir + certificates, shared by the servers of one startConformanceServers() call

interface Cert {
  key: string;
  cert: string;
}

class Workspace {
  private readonly memo = new Map<string, Promise<string>>();
  constructor(readonly dir: string) {}

  static async create(): Promise<Workspace> {
    if (!(await findExecutable(['openssl']))) {
      throw new Error('conformance servers: the openssl CLI is not installed (Debian package openssl); it makes every certificate');
    }
    return new Workspace(await mkdtemp(path.join(os.tmpdir(), 'secgrade-conformance-')));
  }

  private once(key: string, make: () => Promise<string>): Promise<string> {
    let p = this.memo.get(key);
    if (!p) {
      p = make();
      this.memo.set(key, p);
    }
    return p;
  }

  async cert(kind: 'rsa' | 'ecdsa'): Promise<Cert> {
    const key = path.join(this.dir, `${kind}.key`);
    const cert = path.join(this.dir, `${kind}.crt`);
    await this.once(`cert-${kind}`, async () => {
      const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
      await run('openssl', [
        'req', '-x509', ...keyArgs, '-nodes', '-sha256', '-days', '30',
        '-keyout', key, '-out', cert,
        '-subj', `/CN=secgrade conformance ${kind.toUpperCase()}`,
        '-addext', `subjectAltName=DNS:localhost,DNS:${NGINX_SNI},DNS:*.conformance.test,IP:127.0.0.1`,
      ]);
      return cert;
    });
    return { key, cert };
  }

  dhparam1024(): Promise<string> {
    const file = path.join(this.dir, 'dh1024.pem');
    return this.once('dh1024', async () => {
      await run('openssl', ['dhparam', '-out', file, '1024'], { timeoutMs: 120_000 });
      return file;
    });
  }

  async subdir(name: string): Promise<string> {
    const d = path.join(this.dir, name);
    await mkdir(d, { recursive: true });
    return d;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

interface Running {
  port: number;
  stop(): Promise<void>;
}

/**
 * A started process that prints the port it listens on: wait for that line, then for the port to
 * accept, and stop the process if either never comes.
 */
async function runningOn(proc: Managed, portLine: RegExp, timeoutMs?: number): Promise<Running> {
  try {
    const port = Number((await waitForOutput(proc, portLine, timeoutMs))[1]);
    await waitForPort(port, proc);
    return { port, stop: () => proc.stop() };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// openssl s_server

async function startSServer(name: string, ws: Workspace, args: string[]): Promise<Running> {
  // "-accept 127.0.0.1:0" lets the OS pick the port; s_server prints "ACCEPT 127.0.0.1:PORT".
  const proc = new Managed(`openssl s_server (${name})`, 'openssl', ['s_server', '-www', '-accept', `${HOST}:0`, ...args], {
    cwd: ws.dir,
  });
  return runningOn(proc, /ACCEPT 127\.0\.0\.1:(\d+)/);
}

async function startOpensslModern(ws: Workspace): Promise<Running> {
  const { key, cert } = await ws.cert('ecdsa');
  return startSServer('openssl-modern', ws, [
    '-key', key, '-cert', cert,
    '-min_protocol', 'TLSv1.2', '-max_protocol', 'TLSv1.3',
    '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305',
    '-ciphersuites', 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
  ]);
}

async function startOpensslLegacy(ws: Workspace): Promise<Running> {
  const { key, cert } = await ws.cert('rsa');
  // SECLEVEL=0: OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) and small groups at level ≥ 1.
  return startSServer('openssl-legacy', ws, [
    '-key', key, '-cert', cert,
    '-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.2',
    '-cipher', 'ALL:@SECLEVEL=0',
  ]);
}

async function startOpensslTls13(ws: Workspace): Promise<Running> {
  const { key, cert } = await ws.cert('rsa');
  return startSServer('openssl-tls13', ws, [
    '-key', key, '-cert', cert,
    '-tls1_3',
    '-ciphersuites',
    'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256',
  ]);
}

async function startOpensslDhe1024(ws: Workspace): Promise<Running> {
  const [{ key, cert }, dh] = await Promise.all([ws.cert('rsa'), ws.dhparam1024()]);
  return startSServer('openssl-dhe1024', ws, [
    '-key', key, '-cert', cert,
    '-min_protocol', 'TLSv1.1', '-max_protocol', 'TLSv1.2',
    '-cipher',
    'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=0',
    '-dhparam', dh,
    '-serverpref',
  ]);
}

// ---------------------------------------------------------------------------------------------
// nginx

async function startNginx(ws: Workspace): Promise<Running> {
  if (!(await findExecutable(['nginx']))) throw new Error('nginx-dual-cert: nginx is not installed (Debian package nginx)');
  const [rsa, ecdsa] = await Promise.all([ws.cert('rsa'), ws.cert('ecdsa')]);
  const dir = await ws.subdir('nginx');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    // Protocols and suites sit at http level so the SNI-less default server and the named server
    // agree: nginx takes the cipher list from the default server's context before SNI is seen.
    const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA;
  ssl_prefer_server_ciphers on;
  ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256;
  server {
    listen ${HOST}:${port} ssl default_server;
    ssl_reject_handshake on;
  }
  server {
    listen ${HOST}:${port} ssl;
    server_name ${NGINX_SNI};
    ssl_certificate ${rsa.cert};
    ssl_certificate_key ${rsa.key};
    ssl_certificate ${ecdsa.cert};
    ssl_certificate_key ${ecdsa.key};
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
    const confFile = path.join(dir, 'nginx.conf');
    await writeFile(confFile, conf);
    const proc = new Managed('nginx', 'nginx', ['-e', 'stderr', '-p', `${dir}/`, '-c', confFile]);
    try {
      await waitForPort(port, proc);
      return { port, stop: () => proc.stop() };
    } catch (err) {
      await proc.stop();
      lastError = err as Error;
      if (!/Address already in use/i.test(proc.output)) throw err;
    }
  }
  throw lastError ?? new Error('nginx: could not find a free port');
}

// ---------------------------------------------------------------------------------------------
// gnutls-serv
//
// gnutls-serv has no listen-address option: it binds every address (0.0.0.0 and ::). To keep it on
// loopback only, it runs in a private network namespace (unshare --net; or --user --map-root-user
// --net when not root), where the only interface is that namespace's own loopback. A helper inside
// the namespace forwards a Unix socket in the temp dir to it, and a forwarder here listens on
// 127.0.0.1 and connects to that Unix socket. Forwarding is byte-for-byte with half-close, so the
// TLS conversation, alerts and closes are the server's own.

const NETNS_HELPER = `
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
const [sockPath, ipCmd, innerPort, serverCmd, ...serverArgs] = process.argv.slice(2);
try {
  execFileSync(ipCmd, ['link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
} catch (err) {
  console.error('netns helper: cannot bring up lo: ' + err.message);
  process.exit(1);
}
const server = spawn(serverCmd, serverArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
server.on('error', (err) => { console.error('netns helper: ' + serverCmd + ': ' + err.message); process.exit(1); });
server.on('exit', (code, signal) => { console.error('netns helper: ' + serverCmd + ' exited with ' + (signal ?? code)); process.exit(1); });
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => { server.kill('SIGKILL'); process.exit(0); });
const connectOnce = () => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port: Number(innerPort) });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
while (!(await connectOnce())) await new Promise((r) => setTimeout(r, 50));
net.createServer({ allowHalfOpen: true }, (down) => {
  const up = net.connect({ host: '127.0.0.1', port: Number(innerPort), allowHalfOpen: true });
  down.pipe(up); up.pipe(down);
  down.on('error', () => up.destroy()); up.on('error', () => down.destroy());
  down.on('close', () => up.destroy()); up.on('close', () => down.destroy());
}).listen(sockPath, () => console.log('NETNS-READY'));
`;

let unshareMode: Promise<string[] | Error> | undefined;

/** How to enter a private network namespace on this machine, or why it cannot be done. */
function detectUnshare(): Promise<string[] | Error> {
  return (unshareMode ??= (async () => {
    const failures: string[] = [];
    for (const flags of [['--net'], ['--user', '--map-root-user', '--net']]) {
      try {
        await run('unshare', [...flags, '--', 'true'], { timeoutMs: 10_000 });
        return flags;
      } catch (err) {
        failures.push(`unshare ${flags.join(' ')}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return new Error(
      'gnutls-legacy needs a private network namespace, because gnutls-serv cannot be told to listen on ' +
        `127.0.0.1 only (it binds every address). Neither form of unshare(1) works here:\n  ${failures.join('\n  ')}`,
    );
  })());
}

async function findExecutable(candidates: string[]): Promise<string | null> {
  for (const c of candidates) {
    if (!c.includes('/')) {
      for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
        try {
          await access(path.join(dir, c), fsConstants.X_OK);
          return path.join(dir, c);
        } catch {
          // next
        }
      }
    } else {
      try {
        await access(c, fsConstants.X_OK);
        return c;
      } catch {
        // next
      }
    }
  }
  return null;
}

// Runs as its own process (not in the harness's event loop), so a caller that blocks in
// execFileSync cannot stall the forwarding.
const LOOPBACK_FORWARDER = `
import net from 'node:net';
const [sockPath, host] = process.argv.slice(1);
const server = net.createServer({ allowHalfOpen: true }, (down) => {
  const up = net.connect({ path: sockPath, allowHalfOpen: true });
  down.pipe(up); up.pipe(down);
  down.on('error', () => up.destroy()); up.on('error', () => down.destroy());
  down.on('close', () => up.destroy()); up.on('close', () => down.destroy());
});
server.listen(0, host, () => console.log('FORWARD-PORT ' + server.address().port));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
`;

export const GNUTLS_PRIORITY =
  'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+ARCFOUR-128:+MD5:+SHA1:%SERVER_PRECEDENCE';

function startGnutls(ws: Workspace): Promise<Running> {
  return startGnutlsWith(ws, { priority: GNUTLS_PRIORITY, extraArgs: [], certKind: 'rsa' });
}

/**
 * gnutls-serv with any priority string and flags, kept on loopback as above. For tests of TLS
 * behaviour only GnuTLS can be configured into (heartbeat, RFC 5746 off, no EMS).
 */
export async function startGnutlsServer(opts: { priority: string; extraArgs?: string[]; certKind?: 'rsa' | 'ecdsa' }): Promise<{ host: string; port: number; stop(): Promise<void> }> {
  const ws = await Workspace.create();
  try {
    const running = await startGnutlsWith(ws, { priority: opts.priority, extraArgs: opts.extraArgs ?? [], certKind: opts.certKind ?? 'rsa' });
    let stopped: Promise<void> | undefined;
    return { host: HOST, port: running.port, stop: () => (stopped ??= running.stop().finally(() => ws.remove())) };
  } catch (err) {
    await ws.remove();
    throw err;
  }
}

async function startGnutlsWith(ws: Workspace, opts: { priority: string; extraArgs: string[]; certKind: 'rsa' | 'ecdsa' }): Promise<Running> {
  const gnutlsServ = await findExecutable(['gnutls-serv']);
  if (!gnutlsServ) throw new Error('gnutls-legacy: gnutls-serv is not installed (Debian package gnutls-bin)');
  const ipCmd = await findExecutable(['ip', '/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']);
  if (!ipCmd) throw new Error('gnutls-legacy: ip(8) is not installed (Debian package iproute2); it brings up the namespace loopback');
  const mode = await detectUnshare();
  if (mode instanceof Error) throw mode;
  const { key, cert } = await ws.cert(opts.certKind);
  const dir = await ws.subdir('gnutls');
  const helper = path.join(dir, 'netns-helper.mjs');
  const sockPath = path.join(dir, 'gnutls.sock');
  await writeFile(helper, NETNS_HELPER);
  const innerPort = '4433'; // the namespace is private: a fixed port cannot collide with anything
  const proc = new Managed('gnutls-serv (in a network namespace)', 'unshare', [
    ...mode, '--', process.execPath, helper, sockPath, ipCmd, innerPort,
    gnutlsServ, '--http', '--port', innerPort, '--disable-client-cert', '--nodb',
    '--x509keyfile', key, '--x509certfile', cert,
    '--priority', opts.priority, ...opts.extraArgs,
  ]);
  let fwd: Managed | undefined;
  try {
    await waitForOutput(proc, /NETNS-READY/);
    fwd = new Managed('loopback forwarder (gnutls-legacy)', process.execPath, ['--input-type=module', '-e', LOOPBACK_FORWARDER, sockPath, HOST]);
    const port = Number((await waitForOutput(fwd, /FORWARD-PORT (\d+)/))[1]);
    await waitForPort(port, proc);
    const forwarderProc = fwd;
    return {
      port,
      stop: async () => {
        await forwarderProc.stop();
        await proc.stop();
      },
    };
  } catch (err) {
    await fwd?.stop();
    await proc.stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Node tls

const NODE_SERVER = `
import https from 'node:https';
import fs from 'node:fs';
const [key, cert, host] = process.argv.slice(1);
const server = https.createServer({
  key: fs.readFileSync(key),
  cert: fs.readFileSync(cert),
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384',
  honorCipherOrder: false,
}, (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('ok\\n'); });
server.on('tlsClientError', () => {});
server.listen(0, host, () => console.log('NODE-PORT ' + server.address().port));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
`;

async function startNodeChacha(ws: Workspace): Promise<Running> {
  const { key, cert } = await ws.cert('rsa');
  const proc = new Managed('node tls server', process.execPath, ['--input-type=module', '-e', NODE_SERVER, key, cert, HOST]);
  return runningOn(proc, /NODE-PORT (\d+)/);
}

// ---------------------------------------------------------------------------------------------
// SunJSSE (java LegacyTlsServer.java)
//
// OpenJDK's SunJSSE still implements SSLv3, export, single DES, RC4 and 3DES suites; only the
// security policy (jdk.tls.disabledAlgorithms) turns them off. A java.security override file in the
// workspace clears it, and test/conformance/java/LegacyTlsServer.java enables the protocols and the
// configured suites explicitly (it fails to start if this JDK no longer knows one of them).

/** Clear the policy: the TLS blacklist, the certificate-path one, and the "legacy last" ordering. */
const JAVA_SECURITY_OVERRIDE = `jdk.tls.disabledAlgorithms=
jdk.certpath.disabledAlgorithms=
jdk.tls.legacyAlgorithms=
`;

/** The IANA suites that SunJSSE still spells with the SSLv3-era SSL_ prefix. */
const JSSE_SSL_PREFIXED = new Set([
  'TLS_RSA_WITH_NULL_MD5',
  'TLS_RSA_WITH_NULL_SHA',
  'TLS_RSA_EXPORT_WITH_RC4_40_MD5',
  'TLS_RSA_WITH_RC4_128_MD5',
  'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_RSA_WITH_DES_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_DHE_RSA_WITH_DES_CBC_SHA',
  'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5',
  'TLS_DH_anon_WITH_RC4_128_MD5',
  'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA',
  'TLS_DH_anon_WITH_DES_CBC_SHA',
  'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA',
]);

function jsseSuiteName(iana: string): string {
  return JSSE_SSL_PREFIXED.has(iana) ? `SSL_${iana.slice('TLS_'.length)}` : iana;
}

/** Server order: TLS 1.2's AEAD suites first, export last (what an operator would at least do). */
const SUNJSSE_SUITES = [...SUNJSSE_TLS12_ONLY, ...SUNJSSE_SSL3_TLS12, ...SUNJSSE_DES, ...SUNJSSE_EXPORT];

const JAVA_STARTUP_TIMEOUT_MS = 60_000; // compiling the single-file program takes a few seconds

async function findLegacyTlsServerSource(): Promise<string> {
  // Next to this file; scripts/bench.mjs runs a transpiled copy from a temp dir, so also try the
  // repository layout from the working directory.
  const candidates = [
    path.join(path.dirname(fileURLToPath(import.meta.url)), 'java', 'LegacyTlsServer.java'),
    path.resolve('test', 'conformance', 'java', 'LegacyTlsServer.java'),
  ];
  for (const c of candidates) {
    try {
      await access(c, fsConstants.R_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error(`sunjsse-legacy: LegacyTlsServer.java not found (looked in ${candidates.join(', ')})`);
}

async function startSunjsseLegacy(ws: Workspace): Promise<Running> {
  const java = await findExecutable(['java']);
  if (!java) throw new Error('sunjsse-legacy: java is not installed (Debian package openjdk-17-jdk-headless)');
  const [source, { key, cert }, dir] = await Promise.all([findLegacyTlsServerSource(), ws.cert('rsa'), ws.subdir('sunjsse')]);
  const password = 'secgrade-conformance';
  const p12 = path.join(dir, 'server.p12');
  // OpenSSL 3's default PKCS#12 protection (PBES2/AES-256-CBC, HMAC-SHA256) spelled out: JDK 17 reads
  // it (no -legacy RC2/3DES needed).
  await run('openssl', [
    'pkcs12', '-export', '-inkey', key, '-in', cert, '-name', 'server', '-out', p12,
    '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256', '-passout', `pass:${password}`,
  ]);
  const securityFile = path.join(dir, 'java.security.override');
  await writeFile(securityFile, JAVA_SECURITY_OVERRIDE);
  const proc = new Managed('java LegacyTlsServer (sunjsse-legacy)', java, [
    `-Djava.security.properties=${securityFile}`,
    source,
    '0', p12, password,
    'SSLv3,TLSv1,TLSv1.1,TLSv1.2',
    SUNJSSE_SUITES.map(jsseSuiteName).join(','),
    'server',
  ], { cwd: dir });
  return runningOn(proc, /LISTENING (\d+)/, JAVA_STARTUP_TIMEOUT_MS);
}

// ---------------------------------------------------------------------------------------------
// Public API

const STARTERS: Record<ServerName, (ws: Workspace) => Promise<Running>> = {
  'openssl-modern': startOpensslModern,
  'openssl-legacy': startOpensslLegacy,
  'openssl-tls13': startOpensslTls13,
  'openssl-dhe1024': startOpensslDhe1024,
  'nginx-dual-cert': startNginx,
  'gnutls-legacy': startGnutls,
  'node-chacha': startNodeChacha,
  'sunjsse-legacy': startSunjsseLegacy,
};

function describeServer(name: ServerName, port: number): ConformanceServer {
  const spec = SERVER_SPECS[name];
  return { name, host: HOST, port, sni: spec.sni, description: spec.description, software: spec.software, expected: spec.expected };
}

const SERVER_EXECUTABLES: Record<ServerName, string[][]> = {
  'openssl-modern': [['openssl']],
  'openssl-legacy': [['openssl']],
  'openssl-tls13': [['openssl']],
  'openssl-dhe1024': [['openssl']],
  'nginx-dual-cert': [['openssl'], ['nginx']],
  'gnutls-legacy': [['openssl'], ['gnutls-serv'], ['unshare'], ['ip', '/usr/sbin/ip', '/sbin/ip']],
  'node-chacha': [['openssl']],
  'sunjsse-legacy': [['java'], ['openssl']],
};

/** Executables this server needs that are not installed (e.g. ['nginx']); empty when it can start. */
export async function missingServerTools(name: ServerName): Promise<string[]> {
  const missing: string[] = [];
  for (const alternatives of SERVER_EXECUTABLES[name]) {
    if (!(await findExecutable(alternatives))) missing.push(alternatives[0]!);
  }
  return missing;
}

/** Start one server with its own temp dir and certificates. */
export async function startServer(name: ServerName): Promise<StartedServer> {
  const starter = STARTERS[name];
  if (!starter) throw new Error(`unknown conformance server ${JSON.stringify(name)}; known: ${SERVER_NAMES.join(', ')}`);
  const ws = await Workspace.create();
  try {
    const running = await starter(ws);
    let stopped: Promise<void> | undefined;
    return {
      ...describeServer(name, running.port),
      stop: () => (stopped ??= running.stop().finally(() => ws.remove())),
    };
  } catch (err) {
    await ws.remove();
    throw err;
  }
}

/**
 * For each named server, `concurrency` at a time: start it alone, run `scan` against it, stop it.
 * One tool at a time per server: s_server answers one connection at a time, and two scanners
 * hammering one server would only measure each other. A failure is kept as the server's Error so
 * one broken server does not hide the others; outside CI a server whose tools are missing gives
 * an Error whose message starts with "skip:" (in CI a missing tool must fail, so it is started).
 */
export async function scanEachServer<T>(
  names: readonly ServerName[],
  concurrency: number,
  scan: (server: StartedServer) => Promise<T>,
): Promise<Map<ServerName, T | Error>> {
  const results = new Map<ServerName, T | Error>();
  const one = async (name: ServerName): Promise<T | Error> => {
    const missing = await missingServerTools(name);
    if (missing.length > 0 && !process.env.CI) return new Error(`skip: ${missing.join(', ')} not installed`);
    let server: StartedServer;
    try {
      server = await startServer(name);
    } catch (err) {
      return err as Error;
    }
    try {
      return await scan(server);
    } catch (err) {
      return err as Error;
    } finally {
      await server.stop();
    }
  };
  const queue = [...names];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name; name = queue.shift()) results.set(name, await one(name));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/**
 * Start every conformance server (sharing one temp dir and one RSA + one ECDSA certificate). If
 * any fails to start, the others are stopped and the error lists every failure.
 */
export async function startConformanceServers(names: readonly ServerName[] = SERVER_NAMES): Promise<ConformanceServers> {
  const ws = await Workspace.create();
  const results = await Promise.allSettled(names.map(async (name) => ({ name, running: await STARTERS[name](ws) })));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= Promise.allSettled(started.map((s) => s.running.stop())).then(() => ws.remove()));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${(r.reason as Error).message}`] : []));
  if (failures.length > 0) {
    await stop();
    throw new Error(`could not start ${failures.length} conformance server(s):\n${failures.join('\n')}`);
  }
  return { servers: started.map((s) => describeServer(s.name, s.running.port)), stop };
}
