// `secgrade batch` as users run it (the real binary) against the lab: one valid JSON line per
// target and a summary, stdin and stdout, SIGKILL at random points then --resume until done (no
// line lost, none repeated, none broken), --store, and SIGINT (stop starting, finish or mark in-flight
// targets, summary, exit 3). Scans are cut to one probe so each run takes about a second.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { runBinary, spawnCli, type CliRun } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { labFlags as flagsFor } from '../helpers/lab-flags.js';

let lab: RunningLab;
let domains: string[];
let labFlags: string[];
const dir = mkdtempSync(join(tmpdir(), 'secgrade-batch-it-'));
const list = join(dir, 'list.txt');

beforeAll(async () => {
  lab = await startLab();
  const i = lab.info;
  domains = Object.keys(i.domains).sort();
  labFlags = flagsFor(i);
  // A comment, a blank line, and a repeat of the first domain in other case (one job).
  writeFileSync(list, `# every lab domain\n\n${domains.join('\n')}\n${domains[0]!.toUpperCase()}\n`);
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Quick scans: the protocol probe only, no connection pacing. */
const fast = () => [...labFlags, '--probes', 'tls-protocols', '--rate', '0', '--quiet'];

interface Parsed {
  reports: Array<Record<string, any>>;
  summaries: Array<Record<string, any>>;
}

/** Every line must be complete JSON; reports and summary lines apart. */
function parseLines(text: string): Parsed {
  const out: Parsed = { reports: [], summaries: [] };
  if (text === '') return out;
  expect(text.endsWith('\n'), 'the file ends with a complete line').toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const value = JSON.parse(line) as Record<string, any>;
    (value['type'] === 'summary' ? out.summaries : out.reports).push(value);
  }
  return out;
}

/** `secgrade batch ARGS` in the background, its stdin a pipe. */
const spawnBatch = (args: string[]) => spawnCli(['batch', ...args], { stdin: 'pipe' });

describe('secgrade batch over the lab', () => {
  it('writes one valid report line per distinct target, then the summary; --output-dir holds the same reports', async () => {
    const out = join(dir, 'all.ndjson');
    const perTarget = join(dir, 'per-target');
    const run = await runBinary(['batch', list, ...fast(), '--output', out, '--output-dir', perTarget]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
    for (const r of reports) expectValidReport(r);
    expect(reports.map((r) => r['job'].input).sort()).toEqual(domains);
    expect(new Set(reports.map((r) => r['job'].key)).size).toBe(domains.length);
    expect(new Set(reports.map((r) => r['job'].runId)).size).toBe(1);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ type: 'summary', total: domains.length, byStatus: { ok: domains.length }, duplicates: 1, notStarted: 0 });
    // The last line is the summary.
    expect(readFileSync(out, 'utf8').trim().split('\n').pop()).toMatch(/^\{"type":"summary"/);
    const files = readdirSync(perTarget);
    expect(files).toHaveLength(domains.length);
    const byKey = new Map(reports.map((r) => [r['job'].key, r]));
    for (const f of files) {
      const r = JSON.parse(readFileSync(join(perTarget, f), 'utf8')) as Record<string, any>;
      expect(r).toEqual(byKey.get(r['job'].key));
    }
  });

  it('reads the list from stdin and streams NDJSON to stdout (scan --targets - is the same); progress goes to stderr', async () => {
    const { child, done } = spawnBatch(['-', ...labFlags, '--probes', 'tls-protocols', '--rate', '0', '--progress-interval', '100']);
    child.stdin!.end(domains.slice(0, 4).join('\n'));
    const run = await done;
    expect(run.code).toBe(0);
    const { reports, summaries } = parseLines(run.stdout);
    expect(reports.map((r) => r['job'].input).sort()).toEqual(domains.slice(0, 4));
    expect(summaries).toHaveLength(1);
    expect(run.stderr).toMatch(/^secgrade: batch done: 4 target\(s\) \(4 ok\)$/m);

    const alias = await runBinary(['scan', '--targets', list, ...fast()]);
    expect(alias.code).toBe(0);
    expect(parseLines(alias.stdout).reports).toHaveLength(domains.length);
  });

  it('--store saves each line once, keyed by its job key: a resumed run adds nothing twice', async () => {
    const out = join(dir, 'stored.ndjson');
    const store = join(dir, 'history.db');
    const some = join(dir, 'some.txt');
    writeFileSync(some, domains.slice(0, 3).join('\n') + '\n');
    const run = await runBinary(['batch', some, ...fast(), '--output', out, '--store', store]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { reports } = parseLines(readFileSync(out, 'utf8'));
    // Finished: a resume scans nothing and saves nothing again.
    expect((await runBinary(['batch', some, ...fast(), '--resume', out, '--store', store])).code).toBe(0);
    for (const r of reports) {
      const history = await runBinary(['history', r['job'].input, '--store', store, '--format', 'json']);
      expect(history.code, history.stderr).toBe(0);
      const runs = (JSON.parse(history.stdout) as { runs: Array<Record<string, unknown>> }).runs;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ source: 'batch', runId: r['job'].runId, jobKey: r['job'].key, status: r['status'] });
    }
    // A store named wrong is refused before anything is scanned.
    const bad = await runBinary(['batch', some, ...fast(), '--store', 'mysql://db.example/x']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^secgrade: --store /);
  });

  it('a target that cannot be reached is an error line and makes the batch exit 3; a rejected line exits 2', async () => {
    const mixed = join(dir, 'mixed.txt');
    writeFileSync(mixed, `${domains[0]}\nno-such-name.secgrade.test\n`);
    const run = await runBinary(['batch', mixed, ...fast()]);
    expect(run.code).toBe(3);
    const { reports } = parseLines(run.stdout);
    expect(reports.find((r) => r['job'].input === 'no-such-name.secgrade.test')?.['status']).toBe('error');
    expect(run.stderr).toMatch(/^secgrade: no-such-name\.secgrade\.test: scan incomplete: /m);

    writeFileSync(mixed, `${domains[0]}\n${domains[1]} --port 8443\n`);
    const rejected = await runBinary(['batch', mixed, ...fast()]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/mixed\.txt:2: --port cannot be set per line/);
    expect(parseLines(rejected.stdout).reports).toHaveLength(1);
  });

  it('--report renders the whole batch from its results when it ends; a --report it cannot write or name is refused before scanning', async () => {
    const out = join(dir, 'reported.ndjson');
    const report = join(dir, 'reported.json');
    const run = await runBinary(['batch', list, ...fast(), '--output', out, '--report', report]);
    expect(run.code, run.stderr).toBe(0);
    const { reports } = parseLines(readFileSync(out, 'utf8'));
    const rendered = JSON.parse(readFileSync(report, 'utf8')) as Array<Record<string, any>>;
    // The same reports, each target once, in the results' order (the format's own shape: an array).
    expect(rendered.map((r) => r['job'].key)).toEqual(reports.map((r) => r['job'].key));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);

    for (const [args, message] of [
      [['--output', out, '--report', join(dir, 'fleet.docx')], /^secgrade: --report .*fleet\.docx: name the format by the extension/],
      [['--report', join(dir, 'fleet.json')], /^secgrade: --report renders the results file when the batch ends: give --output FILE\.ndjson/],
      [['--output', out, '--report', join(dir, 'no-such-dir', 'fleet.json')], /^secgrade: --report .*fleet\.json: ENOENT/],
      [['--format', 'sarif'], /^secgrade: a batch streams its results as ndjson .* add --report FILE\.sarif/],
    ] as Array<[string[], RegExp]>) {
      const refused = await runBinary(['batch', list, ...fast(), ...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('--threads', () => {
  /** What a report says of its target, without the timings and the run's own ids. */
  const facts = (r: Record<string, any>) => ({
    target: r['job'].input,
    status: r['status'],
    grades: r['grades'],
    protocols: r['endpoints'].map((e: any) => e.tls?.protocols),
    findings: r['findings'].map((f: any) => `${f.id}@${f.subject}`).sort(),
  });

  it('scans on threads with the same results as on the main thread, each line once, then the summary', async () => {
    const results = [];
    for (const threads of ['1', '2', '3']) {
      const out = join(dir, `threads-${threads}.ndjson`);
      const run = await runBinary(['batch', list, ...labFlags, '--probes', 'tls-protocols,tls-certificates', '--rate', '0', '--quiet', '--threads', threads, '--output', out]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
      for (const r of reports) expectValidReport(r);
      expect(new Set(reports.map((r) => r['job'].key)).size).toBe(domains.length);
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ total: domains.length, byStatus: { ok: domains.length } });
      results.push(reports.map(facts).sort((a, b) => a.target.localeCompare(b.target)));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('more threads than connections per host is refused before anything is scanned', async () => {
    const run = await runBinary(['batch', list, ...fast(), '--threads', '3', '--max-connections-per-host', '2']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual(['secgrade: --threads 3 is more than --max-connections-per-host 2: each thread needs a share of at least one connection per host']);
  });
});

describe('killed at random points (SIGKILL), then --resume until done', () => {
  it('20 runs: the union of lines is the target set, no job twice, every line valid JSON', { timeout: 300_000 }, async () => {
    const some = domains.slice(0, 10);
    const shortList = join(dir, 'short.txt');
    writeFileSync(shortList, some.join('\n') + '\n');
    // From before the first line is written to near the end of the run.
    const delays = Array.from({ length: 20 }, () => 200 + Math.floor(Math.random() * 2500));
    const one = async (i: number, delay: number): Promise<void> => {
      const out = join(dir, `kill-${i}.ndjson`);
      // Two targets at a time, so the kill lands with work in flight.
      const args = [shortList, ...fast(), '--targets-in-flight', '2'];
      const first = spawnBatch([...args, '--output', out]);
      setTimeout(() => first.child.kill('SIGKILL'), delay);
      await first.done;
      let last: CliRun | null = null;
      for (let attempt = 0; attempt < 3 && last?.code !== 0; attempt++) last = await runBinary(['batch', ...args, '--resume', out]);
      const context = `run ${i}, killed after ${delay} ms`;
      expect(last?.code, `${context}: ${last?.stderr}`).toBe(0);
      const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
      const keys = reports.map((r) => r['job'].key as string);
      expect(new Set(keys).size, context).toBe(keys.length);
      expect(reports.map((r) => r['job'].input).sort(), context).toEqual(some);
      expect(reports.every((r) => r['status'] === 'ok'), context).toBe(true);
      expect(summaries, context).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ total: some.length, byStatus: { ok: some.length } });
    };
    // Ten at a time: the machine's cores, not the kill points, would otherwise decide the timing.
    for (let wave = 0; wave < delays.length; wave += 10) await Promise.all(delays.slice(wave, wave + 10).map((d, i) => one(wave + i, d)));
  });
});

describe('SIGINT and SIGTERM', () => {
  /** Start a slow batch (paced connections) and interrupt it once the first line is written. */
  async function interrupted(out: string, graceMs: number, signal: NodeJS.Signals = 'SIGINT'): Promise<CliRun> {
    const { child, done } = spawnBatch([list, ...labFlags, '--probes', 'tls-protocols', '--rate', '15', '--targets-in-flight', '2', '--grace', String(graceMs), '--output', out]);
    while (!(existsSync(out) && readFileSync(out, 'utf8').includes('\n'))) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill(signal);
    return done;
  }

  it('stops starting targets, interrupts those in flight after the grace period, writes the summary and exits 3; --resume finishes', async () => {
    const out = join(dir, 'sigint.ndjson');
    const run = await interrupted(out, 0);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`^secgrade: interrupted: \\d+ target\\(s\\) not started, \\d+ interrupted; continue with --resume ${out.replace(/[.]/g, '\\.')}$`, 'm'));
    const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
    expect(summaries).toHaveLength(1);
    const s = summaries[0]!;
    expect(s['notStarted']).toBeGreaterThan(0);
    expect(s['total'] + s['notStarted']).toBe(domains.length);
    expect(reports.filter((r) => r['status'] === 'interrupted').length).toBe(s['byStatus'].interrupted);
    expect(s['byStatus'].interrupted).toBeGreaterThan(0);

    const resumed = await runBinary(['batch', list, ...fast(), '--resume', out]);
    expect(resumed.code).toBe(0);
    const after = parseLines(readFileSync(out, 'utf8'));
    expect(after.reports.map((r) => r['job'].input).sort()).toEqual(domains);
    expect(after.reports.every((r) => r['status'] === 'ok')).toBe(true);
    expect(after.summaries).toHaveLength(1);
    expect(after.summaries[0]).toMatchObject({ total: domains.length, resumed: reports.length - s['byStatus'].interrupted });
  });

  it('SIGTERM with a grace period: targets in flight finish as ok', async () => {
    const out = join(dir, 'sigterm-grace.ndjson');
    const run = await interrupted(out, 30_000, 'SIGTERM');
    expect(run.code).toBe(3);
    const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => r['status'] === 'ok')).toBe(true);
    expect(summaries[0]?.['notStarted']).toBe(domains.length - reports.length);
  });
});
