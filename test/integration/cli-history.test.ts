// `secgrade scan --store` and `secgrade history` as users run them (the real binary) against the
// lab: two scans of one lab domain saved to an SQLite store, then the timeline as text and JSON
// (grades as the scans reported them), --since, a store that cannot be used, an unknown target.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import type { HistoryEntry } from '../../src/store/types.js';
import { runBinary, runInProcess } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { labFlags as flagsFor } from '../helpers/lab-flags.js';

let lab: RunningLab;
let labFlags: string[];
const dir = mkdtempSync(join(tmpdir(), 'secgrade-history-it-'));
const store = join(dir, 'nested', 'history.db');
const DOMAIN = 'legacy.secgrade.test';
const scans: Report[] = [];

beforeAll(async () => {
  lab = await startLab();
  const i = lab.info;
  labFlags = flagsFor(i);
  for (let n = 0; n < 2; n++) {
    const run = await runBinary(['scan', DOMAIN, ...labFlags, '--format', 'json', '--store', store], { timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    // One target: one object.
    const report = JSON.parse(run.stdout) as Report;
    expectValidReport(report);
    scans.push(report);
  }
}, 150_000);
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('secgrade scan --store, then secgrade history', () => {
  it('lists both runs newest first as JSON, with the grades and findings the scans reported', async () => {
    expect(existsSync(store)).toBe(true);
    const run = await runBinary(['history', DOMAIN, '--store', store, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { target: string; store: string; runs: HistoryEntry[] };
    expect(out.target).toBe(DOMAIN);
    expect(out.store).toBe(store);
    const newestFirst = [...scans].reverse();
    expect(out.runs).toHaveLength(2);
    expect(new Set(out.runs.map((r) => r.runId)).size).toBe(2);
    out.runs.forEach((entry, i) => {
      const scan = newestFirst[i]!;
      expect(entry).toMatchObject({ source: 'scan', target: DOMAIN, status: scan.status, startedAt: new Date(scan.startedAt).toISOString(), durationMs: scan.durationMs });
      expect(entry.grades).toEqual({ tls: scan.grades.tls, http: scan.grades.http, email: scan.grades.email, overall: scan.grades.overall });
      for (const s of ['critical', 'high', 'medium', 'low', 'info'] as const) expect(entry.findings[s]).toBe(scan.findings.filter((f) => f.severity === s).length);
      // Keyed like a batch job: target|options-hash|run-id.
      expect(entry.jobKey).toMatch(new RegExp(`^${DOMAIN.replace(/\./g, '\\.')}\\|[0-9a-f]{12}\\|${entry.runId}$`));
    });
    // The same options hash twice: the same scan, two runs.
    expect(out.runs[0]!.jobKey.split('|')[1]).toBe(out.runs[1]!.jobKey.split('|')[1]);
  });

  it('prints one line per run and a sparkline per section as text; the target may be typed in any case', async () => {
    const run = await runBinary(['history', DOMAIN.toUpperCase() + '.', '--store', store]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${DOMAIN}: 2 runs, newest first (store ${store})`);
    const overall = scans[0]!.grades.overall;
    expect(overall).not.toBeNull();
    const runLines = lines.slice(1, 3);
    for (const [i, line] of runLines.entries()) {
      const scan = [...scans].reverse()[i]!;
      expect(line.startsWith(new Date(scan.startedAt).toISOString().replace(/\.\d+Z$/, 'Z'))).toBe(true);
      expect(line).toContain(` ${scan.status} `);
      expect(line).toMatch(new RegExp(`overall ${(scan.grades.overall ?? '—').replace('+', '\\+')}\\s`));
    }
    const bars: Record<string, string> = { 'A+': '▁', A: '▂', 'A-': '▃', B: '▄', C: '▅', D: '▆', E: '▇', F: '█', T: '█', M: '█' };
    for (const section of ['tls', 'http', 'email', 'overall'] as const) {
      const row = lines.find((l) => l.trimStart().startsWith(`${section} `) && l.includes('│'));
      const expected = scans.map((s) => (s.grades[section] === null ? ' ' : bars[s.grades[section]!])).join('');
      expect(row, section).toBe(`  ${section.padEnd(8)} │${expected}│`);
    }
  });

  it('--since keeps what started since then, and says so when nothing did', async () => {
    const all = await runBinary(['history', DOMAIN, '--store', store, '--since', '2000-01-01', '--format', 'json']);
    expect((JSON.parse(all.stdout) as { runs: unknown[] }).runs).toHaveLength(2);
    const recent = await runBinary(['history', DOMAIN, '--store', store, '--since', '12h', '--format', 'json']);
    expect((JSON.parse(recent.stdout) as { runs: unknown[] }).runs).toHaveLength(2);
    const none = await runBinary(['history', DOMAIN, '--store', store, '--since', '9999-01-01']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(`${DOMAIN}: no runs since 9999-01-01T00:00:00Z (store ${store})\n`);
    const bad = await runBinary(['history', DOMAIN, '--store', store, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^secgrade: --since "yesterday" is neither a duration .* nor a date .*\n$/);
  });

  it('refuses an unknown target, a store that is not there, and a bad --store — one line, exit 2, nothing scanned', async () => {
    const unknown = await runBinary(['history', 'nobody.secgrade.test', '--store', store]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`secgrade: no reports of nobody.secgrade.test in the store ${store}\n`);

    const missing = await runBinary(['history', DOMAIN, '--store', join(dir, 'none.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^secgrade: --store no store at .*none\.db .*\n$/);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);

    // Without --store: the default path under XDG_DATA_HOME, which has no store yet.
    const xdg = join(dir, 'xdg');
    const byDefault = await runInProcess(['history', DOMAIN], { XDG_DATA_HOME: xdg });
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toBe(`secgrade: no history store at the default path ${join(xdg, 'secgrade', 'history.db')}: scans save there with --store ${join(xdg, 'secgrade', 'history.db')}, or name another store with --store\n`);

    for (const bad of ['/proc/secgrade-history/h.db', 'mysql://db.example/x']) {
      const run = await runBinary(['scan', DOMAIN, ...labFlags, '--format', 'json', '--store', bad]);
      expect(run.code, bad).toBe(2);
      expect(run.stdout, bad).toBe('');
      expect(run.stderr.split('\n'), bad).toHaveLength(2);
      expect(run.stderr, bad).toMatch(/^secgrade: --store /);
    }
    // A file that is not a store is refused before the scan, too.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'these are notes, not an SQLite database; '.repeat(40));
    const notStore = await runBinary(['scan', DOMAIN, ...labFlags, '--format', 'json', '--store', text]);
    expect(notStore.code).toBe(2);
    expect(notStore.stdout).toBe('');
    expect(notStore.stderr).toMatch(/^secgrade: --store .*notes\.txt: file is not a database/);

    const badFormat = await runBinary(['history', DOMAIN, '--store', store, '--format', 'csv']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toBe('secgrade: unknown --format "csv" for history (one of text, json, html)\n');
  });

  it('diff reads the store: TARGET --last 2 and two run ids give the same diff; too few runs or no store is one line, exit 2', async () => {
    const last = await runBinary(['diff', DOMAIN, '--last', '2', '--store', store, '--format', 'json']);
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    const byLast = JSON.parse(last.stdout) as { targets: Array<{ target: string; status: string; grades: unknown[]; facts: unknown[] }> };
    // The same configuration scanned twice: nothing changed, not even a volatile field.
    expect(byLast.targets).toHaveLength(1);
    expect(byLast.targets[0]).toMatchObject({ target: DOMAIN, status: 'unchanged', grades: [], facts: [] });

    const ids = scans.map((r) => r.job?.runId);
    const history = JSON.parse((await runBinary(['history', DOMAIN, '--store', store, '--format', 'json'])).stdout) as { runs: HistoryEntry[] };
    const [newer, older] = history.runs.map((r) => r.runId);
    expect(ids.every((id) => id === undefined)).toBe(true); // a scan's report carries no job; the store keys its run
    const byIds = await runBinary(['diff', older!, newer!, '--store', store, '--format', 'json']);
    expect(byIds.code).toBe(0);
    expect(JSON.parse(byIds.stdout)).toEqual(byLast);

    const tooFew = await runBinary(['diff', DOMAIN, '--last', '3', '--store', store]);
    expect(tooFew.code).toBe(2);
    expect(tooFew.stderr).toBe(`secgrade: ${DOMAIN}: 2 run(s) in the store ${store}, 3 needed\n`);
    const noRun = await runBinary(['diff', '20260101T000000Z-abcdef', newer!, '--store', store]);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toBe(`secgrade: A: no run 20260101T000000Z-abcdef in the store ${store}\n`);
    const noStore = await runBinary(['diff', older!, newer!, '--store', join(dir, 'none.db')]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/^secgrade: --store no store at .*none\.db/);
    const oneArg = await runBinary(['diff', DOMAIN, '--store', store]);
    expect(oneArg.code).toBe(2);
    expect(oneArg.stderr).toBe('secgrade: diff needs two runs (secgrade diff A B), or one target and --last N\n');
  });
});
