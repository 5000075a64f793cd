// The report card as a user sees it: the real binary in a pseudo-terminal (util-linux `script`) of
// 80 and 160 columns, scanning lab domains with the live view. The terminal must show every
// accepted suite with its key exchange and strength, every point lost in the TLS categories
// explained, reference URLs unbroken, no line wider than the terminal (but a URL longer than it),
// the findings hidden by --severity counted, and the summary table last. Also: --quiet on a
// terminal prints the card only, and `demo` says that the lab is starting.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { PROTOCOLS } from '../../src/model/constants.js';
import type { Report } from '../../src/model/report.js';
import { severityRank } from '../../src/model/severity.js';
import { stripAnsi } from '../../src/render/style.js';
import { linesTooWide } from '../helpers/card-width.js';
import { BIN, runInProcess } from '../helpers/cli.js';
import { labFlags } from '../helpers/lab-flags.js';

let lab: RunningLab;
const dir = mkdtempSync(join(tmpdir(), 'secgrade-card-pty-'));
const TARGETS = ['legacy.secgrade.test', 'dhe1024.secgrade.test', 'headers-weak.secgrade.test'];

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The binary with every stdio on a pseudo-terminal of `columns` columns; all it printed there, ANSI and CRs removed. */
function inPty(args: string[], columns: number): Promise<{ code: number | null; out: string }> {
  const command = `stty cols ${columns} rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  // CI=false: Ink prints only the last frame under CI; a user at a terminal sees every frame.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: 'false', NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: stripAnsi(out).replace(/\r/g, '') });
    }),
  );
}

const readReports = (path: string): Report[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Report);

describe.each([80, 160])('the card in a %i-column terminal', (width) => {
  let run: { code: number | null; out: string };
  let reports: Report[];

  beforeAll(async () => {
    const ndjson = join(dir, `cards-${width}.ndjson`);
    // --output keeps the live view on the terminal and writes the same reports to the file.
    run = await inPty(['scan', ...TARGETS, ...labFlags(lab.info), '--severity', 'medium', '--output', ndjson], width);
    reports = readReports(ndjson);
  }, 60_000);

  it('scanned the targets', () => {
    expect([0, 1]).toContain(run.code);
    expect(reports.map((r) => r.target.host).sort()).toEqual([...TARGETS].sort());
    for (const r of reports) expect(r.status).toBe('ok');
  });

  it('lists every accepted suite of every protocol with its key exchange and strength', () => {
    let rows = 0;
    for (const r of reports) {
      for (const e of r.endpoints) {
        for (const p of PROTOCOLS) {
          for (const name of e.tls.cipherSuites[p] ?? []) {
            // Name, key exchange, then the cipher: on the same row, or (a long row at 80 columns) on the indented next one.
            expect(run.out, `${r.target.host} ${p} ${name}`).toMatch(new RegExp(`^ {4}${name} {2,}(?:ECDHE|DHE|RSA)[^\\n]*?(?:\\d+ bits|kx size unknown)(?: {2,}|\\n {6})[A-Z0-9-]+`, 'm'));
            rows++;
          }
        }
      }
    }
    expect(rows).toBeGreaterThan(10);
  });

  it('explains every point lost in the TLS categories, and every cap', () => {
    for (const r of reports) {
      for (const e of r.endpoints) {
        const rating = e.tls.rating!;
        for (const [label, score] of [['protocol', rating.protocol], ['key exch\\.', rating.keyExchange], ['cipher', rating.cipherStrength]] as const) {
          if (score === null || score === 100) continue;
          expect(run.out, `${r.target.host} ${label}`).toMatch(new RegExp(`^ {2}${label} +[█░]+ +${score} {2}-${100 - score}: \\S`, 'm'));
        }
        for (const c of rating.caps) expect(run.out).toContain(c.reason);
      }
    }
    expect(run.out).toContain('-5: TLSv1.0 (90), TLSv1.1 (95) accepted;');
    expect(run.out).toContain('DHE 1024-bit parameters (under 2048 bits: 80)');
    expect(run.out).not.toContain('the reason is not in this report');
  });

  it('keeps every line within the terminal, reference URLs whole', () => {
    expect(linesTooWide(run.out, width)).toEqual([]);
    const lines = run.out.split('\n');
    const shown = reports.flatMap((r) => r.findings).filter((f) => severityRank(f.severity) <= severityRank('medium'));
    const urls = [...new Set(shown.flatMap((f) => f.references.flatMap((ref) => ref.match(/https?:\/\/[^\s)]+/g) ?? [])))];
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(lines.some((l) => l.includes(url)), url).toBe(true);
  });

  it('hides the findings below --severity and counts them', () => {
    for (const r of reports) {
      const n = (s: string) => r.findings.filter((f) => f.severity === s).length;
      const parts = [n('low') ? `${n('low')} low` : '', n('info') ? `${n('info')} info` : ''].filter(Boolean);
      expect(run.out).toContain(`${parts.join(' and ')} findings hidden (--severity medium)`);
    }
    expect(run.out).not.toMatch(/^ {2}(LOW|INFO) {3,}/m);
  });

  it('ends with the summary table of the targets', () => {
    const at = run.out.lastIndexOf('Summary  3 targets · 3 ok');
    expect(at).toBeGreaterThan(0);
    const tail = run.out.slice(at);
    for (const r of reports) {
      expect(tail).toMatch(new RegExp(`^ {2}${r.target.host}:${r.target.port} +${(r.grades.overall ?? '–').replace('+', '\\+')} +`, 'm'));
      // Nothing of the cards after the summary.
      expect(tail).not.toContain('Findings  ');
    }
  });
});

describe('on a terminal', () => {
  it('--quiet prints the card only: no live view', async () => {
    const run = await inPty(['scan', 'dhe1024.secgrade.test', ...labFlags(lab.info), '--quiet', '--probes', 'tls-ciphers'], 80);
    expect(run.code).toBe(0);
    expect(run.out).toContain('dhe1024.secgrade.test:');
    expect(run.out).toMatch(/^ {4}TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 {2}DHE/m);
    expect(run.out).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|probes done|✓ dhe1024/);
  }, 60_000);

  it('demo says the lab is starting before the scan; not with --quiet, nor to a pipe', async () => {
    const results = join(dir, 'demo.ndjson');
    const loud = await inPty(['demo', '--probes', 'tls-protocols', '--output', results], 100);
    expect(loud.code).toBe(0);
    const lines = loud.out.split('\n');
    expect(lines[0]).toMatch(/^secgrade: starting the bundled lab \(\d+ domains on local HTTPS, SMTP and DNS servers\)…$/);
    const ready = lines.findIndex((l) => /^secgrade: lab ready in \d+\.\ds; scanning \d+ domains$/.test(l));
    expect(ready).toBeGreaterThan(0);
    // Then the live view: every finished target, and the summary of the run.
    const first = lines.findIndex((l) => /^✓ \S+\.secgrade\.test/.test(l));
    expect(first).toBeGreaterThan(ready);
    const scanned = Number(/scanning (\d+)/.exec(lines[ready]!)![1]);
    expect(readReports(results)).toHaveLength(scanned);
    expect(loud.out).toContain(`Summary  ${scanned} targets`);
    const quiet = await inPty(['demo', '--probes', 'tls-protocols', '--format', 'ndjson', '--quiet'], 100);
    expect(quiet.code).toBe(0);
    expect(quiet.out).not.toContain('secgrade: ');
    expect(quiet.out.trim().split('\n')).toHaveLength(scanned);
    // Off a terminal the message is not written (a pipe or a log file gets the reports only).
    const piped = await runInProcess(['demo', '--probes', 'tls-protocols', '--format', 'ndjson']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
  }, 180_000);
});
