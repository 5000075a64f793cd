// The batch's command-line surface in-process (no scanning): usage errors, the mistyped-command
// guard, and `secgrade summary` in every format, CSV as RFC 4180 and safe to open in a spreadsheet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../src/render/csv.js';
import { runInProcess } from '../helpers/cli.js';
import { expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-batch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
};

describe('usage errors (exit 2, one line)', () => {
  it.each([
    [['claims', 'a', 'b'], /^secgrade: the claims command is not available in this version yet \(commands: scan, batch, worker, summary,/],
    [['sumary', 'out.ndjson'], /^secgrade: unknown command "sumary" .*; to scan a host named "sumary", write: secgrade scan sumary$/],
    [['batch', join(dir, 'missing.txt')], /^secgrade: .*missing\.txt: ENOENT$/],
    [['scan', '--targets', 'x.txt', 'a.example'], /^secgrade: give targets either as arguments or with --targets, not both$/],
    [['a.example', '--resume', 'x.ndjson'], /^secgrade: --resume applies to a list of targets/],
    // (--quiet is scan's flag too: no live view, the report only.)
    [['a.example', '--gentle'], /^secgrade: --gentle applies to a list of targets/],
    // Not shaped like a command: parsed as a target, and refused as one.
    [['bad host name'], /^secgrade: bad target "bad host name" is not a host, host:port or URL$/],
    [['batch', 'x.txt', '--format', 'json'], /^secgrade: a batch streams its results as ndjson .*secgrade render FILE\.ndjson --format json/],
    [['summary', join(dir, 'missing.ndjson')], /missing\.ndjson: ENOENT$/],
    [['summary', 'x', '--format', 'sarif'], /^secgrade: summary --format "sarif"/],
  ])('%j', async (args, message) => {
    const run = await runInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toMatch(message);
  });

  it('a list with no valid line is a usage error after naming each bad line', async () => {
    const list = join(dir, 'bad.txt');
    writeFileSync(list, '# nothing good\nbad host\nx.example --timeout 3\n');
    const run = await runInProcess(['batch', list]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `secgrade: ${list}:2: more than one target ("bad host"): one target per line`,
      expect.stringMatching(new RegExp(`^secgrade: ${list}:3: --timeout cannot be set per line`)),
      `secgrade: no target to scan in ${list} (2 line(s) rejected)`,
    ]);
  });

  it('host-like first words are still scanned by the implied command (only the guard is tested here)', async () => {
    // A flag error after the first word shows the word was taken as a target, not a command.
    for (const word of ['example.com', 'localhost', '192.0.2.1', 'host:8443']) {
      const run = await runInProcess([word, '--timeout', 'x']);
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toMatch(/^secgrade: --timeout "x"/);
    }
  });
});

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+2', "'=1+2"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=x', "'\t=x"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('numbers stay numbers (a negative count is not a formula); rows end in CRLF', () => {
    expect(csvRow([-1, 2, null, 'x'])).toBe('-1,2,,x\r\n');
  });
});

describe('secgrade summary', () => {
  const results = join(dir, 'results.ndjson');
  const withJob = (r: typeof goodReport, name: string) => JSON.stringify({ ...r, job: { key: `${name}|h|run9`, runId: 'run9', input: name, line: 1 } });
  writeFileSync(
    results,
    [
      withJob(goodReport, 'good.example'),
      withJob(expiredReport, '=cmd|calc.example'),
      withJob({ ...unreachableReport, reason: 'refused, "twice"' }, 'down.example:8443'),
      JSON.stringify({ type: 'summary', runId: 'run9', notStarted: 1 }),
      '',
    ].join('\n'),
  );

  it('text: counts, worst grades and what did not complete', async () => {
    const run = await runInProcess(['summary', results]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^3 target\(s\) — run run9/);
    expect(run.stdout).toMatch(/Status\n {2}ok {5}2\n {2}error {2}1\n/);
    expect(run.stdout).toMatch(/Errors by kind \(targets\)\n {2}refused {2}1\n/);
    expect(run.stdout).toMatch(/Worst grades\n {2}=cmd\|calc\.example {2}T {2}ok\n {2}good\.example {7}A {2}ok\n/);
    expect(run.stdout).toMatch(/Not completed\n {2}down\.example:8443 {2}- {2}error: refused, "twice"\n/);
    expect(run.stdout).toMatch(/not started {2}1/);
  });

  it('json: the summary object', async () => {
    const run = await runInProcess(['summary', results, '--format', 'json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'summary', runId: 'run9', total: 3, byGrade: { A: 1, T: 1, none: 1 }, notStarted: 1 });
  });

  it('csv: RFC 4180 that a parser reads back, with formula-like cells neutralised', async () => {
    const run = await runInProcess(['summary', results, '--format', 'csv']);
    expect(run.stdout.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(run.stdout) as string[][];
    expect(rows[0]).toEqual(['section', 'name', 'value', 'detail']);
    expect(rows).toContainEqual(['worst', "'=cmd|calc.example", 'T', 'ok']);
    expect(rows).toContainEqual(['incomplete', 'down.example:8443', 'error', 'refused, "twice"']);
    expect(rows).toContainEqual(['status', 'ok', '2', '']);
    expect(rows.every((r) => r.length === 4)).toBe(true);
  });

  it('markdown: tables with pipes escaped', async () => {
    const run = await runInProcess(['summary', results, '--format', 'markdown']);
    expect(run.stdout).toMatch(/^## secgrade batch summary\n/);
    expect(run.stdout).toContain('| =cmd\\|calc.example | T | ok |  |');
    expect(run.stdout).toContain('| status | targets |\n| --- | --- |\n| ok | 2 |\n| error | 1 |');
  });

  it('a file still being written (no summary line, a torn tail) is summarised, and said to be unfinished', async () => {
    const partial = join(dir, 'partial.ndjson');
    writeFileSync(partial, `${withJob(goodReport, 'good.example')}\n{"schema":"secgrade/rep`);
    const run = await runInProcess(['summary', partial, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 1 });
    expect(run.stderr).toMatch(/1 line\(s\) not counted \(torn or not a result\)\nsecgrade: .* has no final summary line: .*--resume/);
  });
});
