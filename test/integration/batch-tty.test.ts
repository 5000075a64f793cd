// `secgrade batch` with stderr on a terminal: the real binary in a pseudo-terminal (util-linux
// `script`), against the lab. What the terminal receives must hold the live view (done/total, the
// grade histogram, errors so far) and, at the end, the summary table; the NDJSON still goes to its
// file, and the non-TTY progress line never appears. A host that answers 429 with Retry-After shows
// up in the live view and, off a terminal, in the progress line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { stripAnsi } from '../../src/render/style.js';
import { BIN } from '../helpers/cli.js';

let lab: RunningLab;
let domains: string[];
const dir = mkdtempSync(join(tmpdir(), 'secgrade-batch-tty-'));

beforeAll(async () => {
  lab = await startLab();
  domains = Object.keys(lab.info.domains).sort();
  // The unresolvable name first: its error is in the live frames of every target after it (last, it
  // could finish just as the summary replaces the live view).
  writeFileSync(join(dir, 'list.txt'), `nx.invalid.secgrade.test\n${domains.join('\n')}\n`);
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run the binary with every stdio on a pseudo-terminal; resolves with all it printed there. */
function inPty(args: string[]): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  // CI=false: Ink prints only the last frame under CI, and a terminal user sees every frame.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: 'false', NO_COLOR: '1', COLUMNS: '100', LINES: '40' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('secgrade batch on a terminal', () => {
  it('shows the live view, then the summary table (the scans on two threads, their events sent across)', async () => {
    const i = lab.info;
    const results = join(dir, 'results.ndjson');
    const run = await inPty([
      'batch', join(dir, 'list.txt'), '--output', results,
      '--dns', i.dns, '--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--http-port', String(i.httpPort), '--smtp-port', String(i.smtpPort), '--allow-private',
      '--probes', 'tls-protocols', '--rate', '0', '--targets-in-flight', '2', '--threads', '2',
    ]);
    const out = stripAnsi(run.out).replace(/\r/g, '');
    const total = domains.length + 1;
    expect(run.code).toBe(3); // the unresolvable name could not be scanned
    // Live frames: the counts as targets finish, the histogram and the errors seen so far.
    expect(out).toMatch(new RegExp(`secgrade batch {2}0/${total} done \\(0%\\)`));
    expect(out).toMatch(new RegExp(`secgrade batch {2}\\d+/${total} done \\(\\d+%\\) · \\d+ in flight`));
    expect(out).toMatch(/rate {5}\d+\.\d+ targets\/s · ETA/);
    expect(out).toMatch(/grades {3}\S+ +█+ \d+/);
    expect(out).toMatch(/errors {3}\S+ \d/);
    expect(out).not.toMatch(/secgrade: \d+\/\d+ done/); // the non-TTY line
    // The end: the summary table, as `secgrade summary` prints it.
    expect(out).toContain(`${total} target(s) — run `);
    expect(out).toMatch(/Status\s+ok\s+\d+\s+error\s+1/);
    expect(out).toMatch(/Overall grade\n/);
    expect(out).toMatch(/Not completed\n\s+nx\.invalid\.secgrade\.test\s+-\s+error/);
    // The results file is untouched by the view: one line per target and the summary.
    const lines = readFileSync(results, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(total + 1);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ type: 'summary', total });
  });
});

describe('hosts backing off, as the views show them', () => {
  /** A local server that answers every request 429 with Retry-After: 1, and a batch list aimed at it. */
  async function throttled() {
    const server = http.createServer((_req, res) => res.writeHead(429, { 'retry-after': '1', connection: 'close' }).end('slow down'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const httpPort = (server.address() as AddressInfo).port;
    // https on a port nothing listens on (refused): each target's http request is what is throttled.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const list = join(dir, 'throttled.txt');
    writeFileSync(list, Array.from({ length: 2 }, (_, i) => `https://127.0.0.1:${closed}/p${i}`).join('\n') + '\n');
    const args = ['batch', list, '--checks', 'http', '--http-port', String(httpPort), '--allow-private', '--rate', '0', '--targets-in-flight', '1', '--timeout', '20000'];
    return { server, args };
  }

  it('on a terminal: "hosts backing off" with the reason, in the live view', async () => {
    const { server, args } = await throttled();
    try {
      const run = await inPty([...args, '--output', join(dir, 'throttled-tty.ndjson')]);
      const out = stripAnsi(run.out).replace(/\r/g, '');
      expect(out).toMatch(/backoff {2}hosts backing off: 1 · 127\.0\.0\.1 HTTP 429 with Retry-After, (paused \d+s|1\/4 connections)/);
    } finally {
      server.close();
    }
  });

  it('off a terminal: the progress line says it', async () => {
    const { server, args } = await throttled();
    try {
      const child = spawn(process.execPath, [BIN, ...args, '--output', join(dir, 'throttled-line.ndjson'), '--progress-interval', '100'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise((r) => child.on('close', r));
      expect(err).toMatch(/^secgrade: \d+\/2 done .*, hosts backing off: 1 \(latest: 127\.0\.0\.1 HTTP 429 with Retry-After, (paused \d+s|1\/4 connections)\)$/m);
    } finally {
      server.close();
    }
  });
});
