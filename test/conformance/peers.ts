// Peer scanners (testssl.sh, sslscan, nmap) and secgrade itself, run against one TLS endpoint, with
// their verdicts normalised to one shape: which protocol versions are accepted and which cipher
// suites (IANA names) each accepted version offers.
//
// Cipher names come from this machine, never from a vendored table: testssl.sh's own mapping file
// (etc/cipher-mapping.txt of the installed testssl.sh) and `openssl ciphers -V -stdname`.
//
// Only node: built-ins here: scripts/bench.mjs transpiles this file on the fly and imports it.
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProtocolName = 'SSLv2' | 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export const PROTOCOLS: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface PeerVerdict {
  /** true: accepted; false: refused; null: the tool could not tell (or did not test it). */
  protocols: Record<ProtocolName, boolean | null>;
  /** IANA names per protocol, sorted; a protocol with no accepted suite has no key. */
  cipherSuites: Record<string, string[]>;
  /** The tool's own output: testssl.sh's JSON findings, sslscan's XML, nmap's text, secgrade's report. */
  raw: unknown;
  /** Wall time of the tool's process. */
  durationMs: number;
}

export interface PeerOptions {
  /** Name for SNI (and the tools' notion of the target host); the TCP connection still goes to `host`. */
  sni?: string | null;
  /** Kill the tool and fail after this long. */
  timeoutMs?: number;
}

export type PeerTool = 'testssl.sh' | 'sslscan' | 'nmap' | 'openssl';

const TOOL_EXECUTABLES: Record<PeerTool, string[]> = {
  // Debian installs testssl.sh as /usr/bin/testssl; upstream checkouts call it testssl.sh.
  'testssl.sh': ['testssl.sh', 'testssl'],
  sslscan: ['sslscan'],
  nmap: ['nmap'],
  openssl: ['openssl'],
};

const TOOL_PACKAGES: Record<PeerTool, string> = {
  'testssl.sh': 'testssl.sh',
  sslscan: 'sslscan',
  nmap: 'nmap',
  openssl: 'openssl',
};

export class ToolMissingError extends Error {
  constructor(readonly tool: PeerTool) {
    super(
      `${tool} is not installed (looked for ${TOOL_EXECUTABLES[tool].join(', ')} on PATH); ` +
        `install the Debian package: apt-get install -y ${TOOL_PACKAGES[tool]}`,
    );
    this.name = 'ToolMissingError';
  }
}

async function onPath(names: string[]): Promise<string | null> {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // next
      }
    }
  }
  return null;
}

/** Absolute path of the tool's executable, or null when it is not installed. */
export function findTool(tool: PeerTool): Promise<string | null> {
  return onPath(TOOL_EXECUTABLES[tool]);
}

async function requireTool(tool: PeerTool): Promise<string> {
  const found = await findTool(tool);
  if (!found) throw new ToolMissingError(tool);
  return found;
}

/** The tools among `tools` that are not installed. */
export async function missingTools(tools: readonly PeerTool[]): Promise<PeerTool[]> {
  const found = await Promise.all(tools.map((t) => findTool(t)));
  return tools.filter((_, i) => found[i] === null);
}

// ---------------------------------------------------------------------------------------------
// Running a tool

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const TAIL = 3000;

function tail(text: string, n = TAIL): string {
  const t = text.trim();
  return t.length > n ? `…${t.slice(-n)}` : t;
}

function toolError(label: string, what: string, run: { stdout: string; stderr: string }): Error {
  const out = tail(run.stderr) || tail(run.stdout);
  return new Error(`${label}: ${what}${out ? `\n--- ${label} stderr (tail) ---\n${out}` : ' (no output)'}`);
}

/**
 * Run a command in its own process group; on timeout kill the whole group (testssl.sh forks an
 * openssl per probe) and reject with the tail of its stderr.
 */
function runTool(label: string, cmd: string, args: string[], opts: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    const onExit = (): void => killGroup();
    process.once('exit', onExit);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      process.off('exit', onExit);
      reject(new Error(`${label}: could not run ${cmd}: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      process.off('exit', onExit);
      killGroup(); // stray grandchildren of a finished run
      const durationMs = Math.round(performance.now() - started);
      if (timedOut) reject(toolError(label, `timed out after ${opts.timeoutMs} ms (killed)`, { stdout, stderr }));
      else resolve({ code, stdout, stderr, durationMs });
    });
  });
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-peer-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Cipher suite names

/** Cipher code as "C0,2F" (TLS, two bytes) or "07,00,C0" (SSLv2, three bytes), upper-case hex. */
export type CipherCode = string;

export interface CipherNames {
  /** From testssl.sh's etc/cipher-mapping.txt; empty when testssl.sh is not installed. */
  testssl: Map<CipherCode, string>;
  /** From `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` on this machine. */
  openssl: Map<CipherCode, string>;
  testsslMappingFile: string | null;
}

export function codeFromHex(hex: string, bytes: 2 | 3): CipherCode {
  const h = hex.replace(/^0x/i, '').toUpperCase().padStart(bytes * 2, '0');
  return (h.match(/../g) ?? []).join(',');
}

/** IANA name for a code: the first table that knows it wins; unknown codes stay visible as 0x…. */
export function cipherName(names: CipherNames, code: CipherCode, prefer: 'testssl' | 'openssl'): string {
  const [first, second] = prefer === 'testssl' ? [names.testssl, names.openssl] : [names.openssl, names.testssl];
  return first.get(code) ?? second.get(code) ?? `0x${code.replace(/,/g, '')}`;
}

export function parseTestsslMapping(text: string): Map<CipherCode, string> {
  // " 0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  TLSv1.2 Kx=…"
  // (the OpenSSL column is "-" where OpenSSL has no name).
  const map = new Map<CipherCode, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(0x[0-9A-F]{2}(?:,0x[0-9A-F]{2}){1,2})\s+-\s+\S+\s+(\S+)/i.exec(line);
    if (m) map.set(m[1]!.replace(/0x/gi, '').toUpperCase(), m[2]!);
  }
  return map;
}

export function parseOpensslCiphers(text: string): Map<CipherCode, string> {
  // "          0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 …"
  const map = new Map<CipherCode, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(0x[0-9A-F]{2},0x[0-9A-F]{2})\s+-\s+(\S+)\s+-\s+\S+/i.exec(line);
    if (m) map.set(m[1]!.replace(/0x/gi, '').toUpperCase(), m[2]!);
  }
  return map;
}

/** Where the installed testssl.sh keeps etc/cipher-mapping.txt (Debian: /etc/testssl/). */
export async function findTestsslMappingFile(): Promise<string | null> {
  const candidates: string[] = [];
  if (process.env.TESTSSL_INSTALL_DIR) candidates.push(path.join(process.env.TESTSSL_INSTALL_DIR, 'etc', 'cipher-mapping.txt'));
  const bin = await findTool('testssl.sh');
  if (bin) {
    const dir = path.dirname(await realpath(bin));
    candidates.push(path.join(dir, 'etc', 'cipher-mapping.txt'), path.join(dir, '..', 'etc', 'testssl', 'cipher-mapping.txt'));
  }
  candidates.push(
    '/etc/testssl/cipher-mapping.txt',
    '/usr/share/testssl.sh/etc/cipher-mapping.txt',
    '/usr/share/testssl/etc/cipher-mapping.txt',
    '/usr/local/share/testssl.sh/etc/cipher-mapping.txt',
    '/usr/local/etc/testssl/cipher-mapping.txt',
  );
  for (const c of candidates) {
    try {
      await access(c, fsConstants.R_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

let namesPromise: Promise<CipherNames> | undefined;

/** Both name tables, read once per process. */
export function loadCipherNames(): Promise<CipherNames> {
  return (namesPromise ??= (async () => {
    const mappingFile = await findTestsslMappingFile();
    const testssl = mappingFile ? parseTestsslMapping(await readFile(mappingFile, 'utf8')) : new Map<CipherCode, string>();
    let openssl = new Map<CipherCode, string>();
    const bin = await findTool('openssl');
    if (bin) {
      const r = await runTool('openssl ciphers', bin, ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { timeoutMs: 30_000 });
      if (r.code === 0) openssl = parseOpensslCiphers(r.stdout);
    }
    if (testssl.size === 0 && openssl.size === 0) {
      throw new Error('no cipher-suite name table: neither testssl.sh etc/cipher-mapping.txt nor `openssl ciphers -V -stdname` is available');
    }
    return { testssl, openssl, testsslMappingFile: mappingFile };
  })());
}

// ---------------------------------------------------------------------------------------------
// Normalised shape helpers

export function emptyProtocols(): Record<ProtocolName, boolean | null> {
  return { SSLv2: null, SSLv3: null, 'TLSv1.0': null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null };
}

function addSuite(suites: Record<string, string[]>, protocol: string, name: string): void {
  const list = (suites[protocol] ??= []);
  if (!list.includes(name)) list.push(name);
}

function sortSuites(suites: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of PROTOCOLS) if (suites[p]?.length) out[p] = [...suites[p]!].sort();
  for (const [p, list] of Object.entries(suites)) if (!(p in out) && list.length) out[p] = [...list].sort();
  return out;
}

export function suitesOf(v: Pick<PeerVerdict, 'cipherSuites'>, protocol: ProtocolName): string[] {
  return v.cipherSuites[protocol] ?? [];
}

export interface SuiteDiff {
  onlyA: string[];
  onlyB: string[];
}

/** Per protocol, the suites only one side reports (protocols where both agree are left out). */
export function diffSuites(a: Pick<PeerVerdict, 'cipherSuites'>, b: Pick<PeerVerdict, 'cipherSuites'>): Partial<Record<ProtocolName, SuiteDiff>> {
  const out: Partial<Record<ProtocolName, SuiteDiff>> = {};
  for (const p of PROTOCOLS) {
    const sa = new Set(suitesOf(a, p));
    const sb = new Set(suitesOf(b, p));
    const onlyA = [...sa].filter((s) => !sb.has(s)).sort();
    const onlyB = [...sb].filter((s) => !sa.has(s)).sort();
    if (onlyA.length || onlyB.length) out[p] = { onlyA, onlyB };
  }
  return out;
}

/** Protocols on which the two verdicts differ, with both values. */
export function diffProtocols(
  a: Pick<PeerVerdict, 'protocols'>,
  b: Pick<PeerVerdict, 'protocols'>,
): Partial<Record<ProtocolName, [boolean | null, boolean | null]>> {
  const out: Partial<Record<ProtocolName, [boolean | null, boolean | null]>> = {};
  for (const p of PROTOCOLS) if (a.protocols[p] !== b.protocols[p]) out[p] = [a.protocols[p], b.protocols[p]];
  return out;
}

// ---------------------------------------------------------------------------------------------
// testssl.sh

export interface TestsslFinding {
  id: string;
  severity?: string;
  finding?: string;
  [key: string]: unknown;
}

const TESTSSL_PROTOCOL_IDS: Record<string, ProtocolName> = {
  SSLv2: 'SSLv2',
  SSLv3: 'SSLv3',
  TLS1: 'TLSv1.0',
  TLS1_1: 'TLSv1.1',
  TLS1_2: 'TLSv1.2',
  TLS1_3: 'TLSv1.3',
};

const TESTSSL_CIPHER_PROTOCOLS: Record<string, ProtocolName> = {
  ssl2: 'SSLv2',
  ssl3: 'SSLv3',
  tls1: 'TLSv1.0',
  tls1_1: 'TLSv1.1',
  tls1_2: 'TLSv1.2',
  tls1_3: 'TLSv1.3',
};

/**
 * testssl.sh 3.0's protocol findings (run_protocols): "offered", "offered (deprecated)", "offered
 * with final", "vulnerable with N ciphers" (SSLv2), "supported but couldn't detect a cipher" → true;
 * "not offered", "not offered + downgraded to weaker protocol", "likely not offered", "connection
 * failed rather than downgrading", "server responded with (higher) version number …" → false;
 * anything else ("not tested due to lack of local support", "couldn't be tested, socket problem",
 * "strange, server …", STARTTLS trouble) → null.
 */
export function testsslProtocolVerdict(finding: string): boolean | null {
  const f = finding.trim().toLowerCase();
  if (/^(offered|vulnerable with|supported but)/.test(f)) return true;
  if (/not offered|connection failed rather than downgrading|server responded with/.test(f)) return false;
  return null;
}

/** testssl.sh `-p -E` JSON findings → protocols + suites per protocol (ids "cipher-tls1_2_xc02f"). */
export function parseTestsslFindings(findings: TestsslFinding[], names: CipherNames): Pick<PeerVerdict, 'protocols' | 'cipherSuites'> {
  const protocols = emptyProtocols();
  const suites: Record<string, string[]> = {};
  for (const f of findings) {
    const proto = TESTSSL_PROTOCOL_IDS[f.id];
    if (proto) {
      protocols[proto] = testsslProtocolVerdict(String(f.finding ?? ''));
      continue;
    }
    // testssl.sh writes "x<second byte>" when the first byte is 00 (x9f = 0x00,0x9F) and six hex
    // digits for SSLv2's three-byte codes.
    const m = /^cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/i.exec(f.id);
    if (m) {
      const p = TESTSSL_CIPHER_PROTOCOLS[m[1]!.toLowerCase()]!;
      const code = codeFromHex(m[2]!, p === 'SSLv2' ? 3 : 2);
      addSuite(suites, p, cipherName(names, code, 'testssl'));
    }
  }
  return { protocols, cipherSuites: sortSuites(suites) };
}

export interface TestsslOptions extends PeerOptions {
  /** Extra arguments before the target (e.g. ['--openssl', '/path/to/openssl']). */
  extraArgs?: string[];
}

/**
 * testssl.sh -p -E: protocols, then each cipher per protocol ("-e" tests each cipher without
 * telling the protocols apart; "-E" is the per-protocol run). Default timeout 10 minutes.
 */
export async function runTestssl(host: string, port: number, opts: TestsslOptions = {}): Promise<PeerVerdict> {
  const bin = await requireTool('testssl.sh');
  const names = await loadCipherNames();
  return withTempDir(async (dir) => {
    const jsonFile = path.join(dir, 'testssl.json');
    const target = `${opts.sni ?? host}:${port}`;
    const args = [
      '--quiet', '--warnings', 'off', '--color', '0',
      '--nodns', 'none', // loopback target: no DNS at all
      '--jsonfile', jsonFile,
      ...(opts.extraArgs ?? []),
      '-p', '-E',
      '--ip', host,
      target,
    ];
    const run = await runTool('testssl.sh', bin, args, {
      timeoutMs: opts.timeoutMs ?? 600_000,
      cwd: dir,
      env: { ...process.env, TERM: 'dumb', COLUMNS: '160' },
    });
    let findings: TestsslFinding[];
    try {
      findings = JSON.parse(await readFile(jsonFile, 'utf8')) as TestsslFinding[];
    } catch (err) {
      throw toolError('testssl.sh', `exited with code ${run.code} and left no readable JSON (${(err as Error).message})`, run);
    }
    if (!Array.isArray(findings)) throw toolError('testssl.sh', 'JSON file is not an array of findings', run);
    const fatal = findings.find((f) => f.severity === 'FATAL' || f.id === 'scanProblem');
    if (fatal) throw toolError('testssl.sh', `scan problem: ${String(fatal.finding ?? fatal.id)}`, run);
    if (!findings.some((f) => f.id in TESTSSL_PROTOCOL_IDS)) {
      throw toolError('testssl.sh', `exited with code ${run.code} without protocol findings`, run);
    }
    return { ...parseTestsslFindings(findings, names), raw: findings, durationMs: run.durationMs };
  });
}

// ---------------------------------------------------------------------------------------------
// sslscan

function xmlElements(xml: string, tag: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const re = new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g');
  for (const m of xml.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    out.push(attrs);
  }
  return out;
}

function sslscanProtocol(type: string | undefined, version: string | undefined): ProtocolName | null {
  const key = `${type ?? ''} ${version ?? ''}`.toLowerCase();
  const map: Record<string, ProtocolName> = {
    'ssl 2': 'SSLv2',
    'ssl 3': 'SSLv3',
    'tls 1.0': 'TLSv1.0',
    'tls 1.1': 'TLSv1.1',
    'tls 1.2': 'TLSv1.2',
    'tls 1.3': 'TLSv1.3',
  };
  return map[key] ?? null;
}

function sslscanCipherProtocol(sslversion: string | undefined): ProtocolName | null {
  const v = (sslversion ?? '').replace(/^TLSv1$/, 'TLSv1.0');
  return (PROTOCOLS as readonly string[]).includes(v) ? (v as ProtocolName) : null;
}

/**
 * sslscan --xml: `<protocol type="tls" version="1.2" enabled="1" />` and `<cipher status="accepted"
 * sslversion="TLSv1.2" … id="0xC02F" />` (status "preferred" for the server's pick, also accepted).
 */
export function parseSslscanXml(xml: string, names: CipherNames): Pick<PeerVerdict, 'protocols' | 'cipherSuites'> {
  const protocols = emptyProtocols();
  for (const p of xmlElements(xml, 'protocol')) {
    const name = sslscanProtocol(p.type, p.version);
    if (name) protocols[name] = p.enabled === '1' ? true : p.enabled === '0' ? false : null;
  }
  const suites: Record<string, string[]> = {};
  for (const c of xmlElements(xml, 'cipher')) {
    if (c.status !== 'accepted' && c.status !== 'preferred') continue;
    const p = sslscanCipherProtocol(c.sslversion);
    if (!p || !c.id) continue;
    const hex = c.id.replace(/^0x/i, '');
    const code = codeFromHex(hex, p === 'SSLv2' || hex.length > 4 ? 3 : 2);
    addSuite(suites, p, cipherName(names, code, 'openssl'));
  }
  return { protocols, cipherSuites: sortSuites(suites) };
}

/** sslscan with protocol and cipher enumeration only (no heartbleed, renegotiation, groups …). */
export async function runSslscan(host: string, port: number, opts: PeerOptions = {}): Promise<PeerVerdict> {
  const bin = await requireTool('sslscan');
  const names = await loadCipherNames();
  return withTempDir(async (dir) => {
    const xmlFile = path.join(dir, 'sslscan.xml');
    const args = [
      '--no-colour',
      `--xml=${xmlFile}`,
      '--no-heartbleed', '--no-renegotiation', '--no-compression', '--no-fallback', '--no-groups',
      '--timeout=10', // socket timeout (default 3 s): a loaded CI machine must not turn into missed suites
      ...(opts.sni ? [`--sni-name=${opts.sni}`] : []),
      `${host}:${port}`,
    ];
    const run = await runTool('sslscan', bin, args, { timeoutMs: opts.timeoutMs ?? 180_000, cwd: dir });
    let xml: string;
    try {
      xml = await readFile(xmlFile, 'utf8');
    } catch (err) {
      throw toolError('sslscan', `exited with code ${run.code} and wrote no XML (${(err as Error).message})`, run);
    }
    const error = /<error>([^<]*)<\/error>/.exec(xml);
    if (error) throw toolError('sslscan', `reported an error: ${error[1]}`, run);
    if (xmlElements(xml, 'protocol').length === 0) {
      throw toolError('sslscan', `exited with code ${run.code} without <protocol> results`, run);
    }
    return { ...parseSslscanXml(xml, names), raw: xml, durationMs: run.durationMs };
  });
}

// ---------------------------------------------------------------------------------------------
// nmap (timing for the benchmark; its verdict is parsed for information, never asserted)

/**
 * nmap's ssl-enum-ciphers output: "|   TLSv1.2: " then "|       TLS_ECDHE_RSA_WITH_… (x25519) - A".
 * It lists only offered versions; SSLv2 belongs to another script, so it stays null.
 */
export function parseNmapSslEnum(text: string): Pick<PeerVerdict, 'protocols' | 'cipherSuites'> {
  const protocols = emptyProtocols();
  for (const p of PROTOCOLS) if (p !== 'SSLv2') protocols[p] = false;
  const suites: Record<string, string[]> = {};
  let current: ProtocolName | null = null;
  let inCiphers = false;
  for (const line of text.split('\n')) {
    const v = /^\|\s{3}(SSLv3|TLSv1\.[0-3]):\s*$/.exec(line);
    if (v) {
      current = v[1] as ProtocolName;
      protocols[current] = true;
      inCiphers = false;
      continue;
    }
    if (/^\|\s{5}ciphers:\s*$/.test(line)) {
      inCiphers = true;
      continue;
    }
    if (/^\|\s{5}\S/.test(line)) inCiphers = false;
    const c = /^\|\s{7}((?:TLS|SSL)_[A-Z0-9_]+)/.exec(line);
    if (c && current && inCiphers) addSuite(suites, current, c[1]!);
  }
  return { protocols, cipherSuites: sortSuites(suites) };
}

export async function runNmap(host: string, port: number, opts: PeerOptions = {}): Promise<PeerVerdict> {
  const bin = await requireTool('nmap');
  const args = [
    '-Pn', '-n', '-p', String(port),
    '--script', 'ssl-enum-ciphers',
    ...(opts.sni ? ['--script-args', `tls.servername=${opts.sni}`] : []),
    host,
  ];
  const run = await runTool('nmap', bin, args, { timeoutMs: opts.timeoutMs ?? 300_000 });
  if (run.code !== 0) throw toolError('nmap', `exited with code ${run.code}`, run);
  return { ...parseNmapSslEnum(run.stdout), raw: run.stdout, durationMs: run.durationMs };
}

// ---------------------------------------------------------------------------------------------
// secgrade itself, through the real binary

export interface SecgradeOptions extends PeerOptions {
  /** bin/secgrade.js; default: this repository's. */
  bin?: string;
  /** Working directory for the binary (default: the repository root). */
  cwd?: string;
  /** Probe selection (default: every TLS probe, `--checks tls`). */
  probes?: string[];
  /** `--checks` families when no probes are named (default 'tls'). */
  checks?: string;
  /** More command-line arguments (--ip, --ca-file, --http-port …). */
  extraArgs?: string[];
}

export interface SecgradeVerdict extends PeerVerdict {
  /** The parsed report (`raw` as well). */
  report: SecgradeReportShape;
  /** Σ `connections` over endpoints[0].tls.probes (what secgrade says it opened). */
  connections: number | null;
  probes: Record<string, { status?: string; durationMs?: number; connections?: number }>;
  /** The report's own durationMs (the scan, without Node's start-up). */
  reportDurationMs: number | null;
}

export interface SecgradeReportShape {
  durationMs?: number;
  endpoints?: Array<{
    tls?: {
      protocols?: Partial<Record<ProtocolName, boolean | null>>;
      cipherSuites?: Record<string, string[]>;
      probes?: Record<string, { status?: string; durationMs?: number; connections?: number }>;
    } | null;
  }>;
  [key: string]: unknown;
}

export function defaultSecgradeBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'secgrade.js');
}

/** secgrade's report → the normalised shape (missing fields stay null / empty). */
export function normaliseSecgradeReport(report: SecgradeReportShape): Pick<PeerVerdict, 'protocols' | 'cipherSuites'> & {
  connections: number | null;
  probes: SecgradeVerdict['probes'];
} {
  const tls = report.endpoints?.[0]?.tls ?? null;
  const protocols = emptyProtocols();
  for (const p of PROTOCOLS) {
    const v = tls?.protocols?.[p];
    protocols[p] = typeof v === 'boolean' ? v : null;
  }
  const suites: Record<string, string[]> = {};
  for (const [p, list] of Object.entries(tls?.cipherSuites ?? {})) for (const s of list ?? []) addSuite(suites, p, s);
  const probes = tls?.probes ?? {};
  const counts = Object.values(probes).map((p) => p.connections).filter((n): n is number => typeof n === 'number');
  return {
    protocols,
    cipherSuites: sortSuites(suites),
    probes,
    connections: counts.length ? counts.reduce((a, b) => a + b, 0) : null,
  };
}

/** `node bin/secgrade.js HOST:PORT --checks tls --format json [--sni NAME]`. */
export async function runSecgrade(host: string, port: number, opts: SecgradeOptions = {}): Promise<SecgradeVerdict> {
  const bin = opts.bin ?? defaultSecgradeBin();
  const selection = opts.probes ? ['--probes', opts.probes.join(',')] : ['--checks', opts.checks ?? 'tls'];
  const args = [bin, `${host}:${port}`, ...selection, '--format', 'json', ...(opts.sni ? ['--sni', opts.sni] : []), ...(opts.extraArgs ?? [])];
  const run = await runTool('secgrade', process.execPath, args, {
    timeoutMs: opts.timeoutMs ?? 180_000,
    cwd: opts.cwd ?? path.resolve(path.dirname(bin), '..'),
    env: { ...process.env, NO_COLOR: '1' },
  });
  let report: SecgradeReportShape;
  try {
    report = JSON.parse(run.stdout) as SecgradeReportShape;
  } catch {
    throw toolError('secgrade', `exited with code ${run.code} without a JSON report`, run);
  }
  const norm = normaliseSecgradeReport(report);
  return {
    protocols: norm.protocols,
    cipherSuites: norm.cipherSuites,
    raw: report,
    report,
    durationMs: run.durationMs,
    connections: norm.connections,
    probes: norm.probes,
    reportDurationMs: typeof report.durationMs === 'number' ? report.durationMs : null,
  };
}

// ---- vulnerability verdicts ------------------------------------------------------------------

export type VulnVerdict = 'vulnerable' | 'not-vulnerable' | 'unknown';

/** testssl.sh's vulnerability finding ids → the report's `tls.vulnerabilities` keys. */
export const TESTSSL_VULN_IDS: Readonly<Record<string, string>> = {
  heartbleed: 'heartbleed',
  CCS: 'ccsInjection',
  ticketbleed: 'ticketbleed',
  ROBOT: 'robot',
  secure_renego: 'insecureRenegotiation',
  secure_client_renego: 'clientRenegotiation',
  CRIME_TLS: 'crime',
  BREACH: 'breach',
  POODLE_SSL: 'poodleSsl',
  fallback_SCSV: 'fallbackScsv',
  SWEET32: 'sweet32',
  FREAK: 'freak',
  DROWN: 'drown',
  LOGJAM: 'logjam',
  BEAST: 'beast',
  LUCKY13: 'lucky13',
  RC4: 'rc4',
};

/**
 * One testssl.sh finding as a verdict. Its severity says most (OK: fine; LOW and up: a problem);
 * INFO and WARN findings are read from their wording, which differs per check.
 */
export function testsslVulnVerdict(id: string, finding: string, severity = ''): VulnVerdict {
  const f = finding.trim();
  // TLS 1.3 has no renegotiation at all, so a TLS 1.3-only server cannot renegotiate insecurely.
  if (id === 'secure_renego') return /^supported|TLS 1\.3 only/i.test(f) ? 'not-vulnerable' : /not supported|VULNERABLE/i.test(f) ? 'vulnerable' : 'unknown';
  if (id === 'fallback_SCSV') {
    if (/NOT supported/.test(f)) return 'vulnerable';
    return /supported|no protocol below|not needed/i.test(f) ? 'not-vulnerable' : 'unknown';
  }
  if (id === 'ticketbleed' && /no session ticket/i.test(f)) return 'not-vulnerable';
  if (/not vulnerable/i.test(f)) return 'not-vulnerable';
  if (/^OK$/i.test(severity)) return 'not-vulnerable';
  if (/^(LOW|MEDIUM|HIGH|CRITICAL)$/i.test(severity) || /VULNERABLE|potentially vulnerable/i.test(f)) return 'vulnerable';
  return 'unknown';
}

export interface TestsslVulns {
  verdicts: Record<string, VulnVerdict>;
  /** testssl.sh's own wording per key, for failure messages and the record. */
  findings: Record<string, string>;
  durationMs: number;
}

/** `testssl.sh -U` (every vulnerability check) against one endpoint. */
export async function runTestsslVulns(host: string, port: number, opts: TestsslOptions = {}): Promise<TestsslVulns> {
  const bin = await requireTool('testssl.sh');
  return withTempDir(async (dir) => {
    const jsonFile = path.join(dir, 'testssl-vulns.json');
    const target = `${opts.sni ?? host}:${port}`;
    const args = ['--quiet', '--warnings', 'off', '--color', '0', '--nodns', 'none', '--jsonfile', jsonFile, ...(opts.extraArgs ?? []), '-U', '--ip', host, target];
    const run = await runTool('testssl.sh', bin, args, { timeoutMs: opts.timeoutMs ?? 600_000, cwd: dir, env: { ...process.env, TERM: 'dumb', COLUMNS: '160' } });
    let found: TestsslFinding[];
    try {
      found = JSON.parse(await readFile(jsonFile, 'utf8')) as TestsslFinding[];
    } catch (err) {
      throw toolError('testssl.sh', `exited with code ${run.code} and left no readable JSON (${(err as Error).message})`, run);
    }
    const verdicts: Record<string, VulnVerdict> = {};
    const findings: Record<string, string> = {};
    for (const f of found) {
      const key = TESTSSL_VULN_IDS[f.id];
      if (!key) continue;
      verdicts[key] = testsslVulnVerdict(f.id, String(f.finding ?? ''), String(f.severity ?? ''));
      findings[key] = String(f.finding ?? '');
    }
    return { verdicts, findings, durationMs: run.durationMs };
  });
}

/** A whole default testssl.sh run (every check it makes without options): for timing the full TLS grade. */
export async function runTestsslFull(host: string, port: number, opts: TestsslOptions = {}): Promise<{ durationMs: number; code: number | null }> {
  const bin = await requireTool('testssl.sh');
  return withTempDir(async (dir) => {
    const args = ['--quiet', '--warnings', 'off', '--color', '0', '--nodns', 'none', '--jsonfile', path.join(dir, 'full.json'), ...(opts.extraArgs ?? []), '--ip', host, `${opts.sni ?? host}:${port}`];
    const run = await runTool('testssl.sh', bin, args, { timeoutMs: opts.timeoutMs ?? 900_000, cwd: dir, env: { ...process.env, TERM: 'dumb', COLUMNS: '160' } });
    return { durationMs: run.durationMs, code: run.code };
  });
}
