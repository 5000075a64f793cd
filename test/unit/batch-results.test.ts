// A batch's results file read back: byte-exact line ranges, torn tails, --resume (what is kept,
// what is scanned again, the file left with one line per job), the run summary, and the writer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src/batch/jobs.js';
import { readNdjsonLines } from '../../src/batch/ndjson-read.js';
import { prepareResume } from '../../src/batch/resume.js';
import { summarizeFile } from '../../src/batch/summarize-file.js';
import { SummaryBuilder, summaryEntry, WORST_LISTED } from '../../src/batch/summary.js';
import type { Report } from '../../src/model/report.js';
import { writeFileAtomic } from '../../src/sink/json-files.js';
import { openFileSink } from '../../src/sink/ndjson.js';
import { expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string): string => {
  const path = join(dir, `f${n++}.ndjson`);
  writeFileSync(path, content);
  return path;
};

const job = (name: string, runId = 'run1'): JobInfo => ({ key: `${name}|abc|${runId}`, runId, input: name, line: 1 });
const line = (base: Report, name: string, status: Report['status'] = base.status): string =>
  JSON.stringify({ ...base, status, target: { ...base.target, host: name }, job: job(name) }) + '\n';
const SUMMARY = JSON.stringify({ type: 'summary', runId: 'run1', total: 2 }) + '\n';

describe('reading NDJSON lines', () => {
  it('gives each line its byte range (multi-byte text included) and marks a last line without newline as torn', async () => {
    const path = file('{"a":"é"}\n{"b":2}\n{"c":');
    const lines = [];
    for await (const l of readNdjsonLines(path)) lines.push(l);
    expect(lines).toEqual([
      { text: '{"a":"é"}', start: 0, end: 11, complete: true },
      { text: '{"b":2}', start: 11, end: 19, complete: true },
      { text: '{"c":', start: 19, end: 24, complete: false },
    ]);
  });
});

describe('--resume', () => {
  it('a missing file is an empty run (the file is created by the batch)', async () => {
    const state = await prepareResume(join(dir, 'none.ndjson'), () => undefined);
    expect(state).toEqual({ runId: null, done: new Set(), dropped: 0, torn: false });
  });

  it('keeps ok and error lines, truncates a torn last line, and leaves the kept prefix untouched', async () => {
    const kept = line(goodReport, 'a.example') + line(unreachableReport, 'b.example');
    const path = file(kept + '{"schema":"secgrade/report@1","sta');
    const seen: string[] = [];
    const state = await prepareResume(path, (r) => seen.push(r.job.input));
    expect(seen).toEqual(['a.example', 'b.example']);
    expect(state.runId).toBe('run1');
    expect([...state.done]).toEqual(['a.example|abc|run1', 'b.example|abc|run1']);
    expect(state).toMatchObject({ dropped: 1, torn: true });
    expect(readFileSync(path, 'utf8')).toBe(kept);
  });

  it('drops partial and interrupted lines, the old summary, corrupt lines and repeats, rewriting the file', async () => {
    const a = line(goodReport, 'a.example');
    const c = line(expiredReport, 'c.example');
    const path = file(a + line(goodReport, 'p.example', 'partial') + 'not json\n' + line(goodReport, 'i.example', 'interrupted') + c + a + SUMMARY);
    const state = await prepareResume(path, () => undefined);
    expect([...state.done].map((k) => k.split('|')[0])).toEqual(['a.example', 'c.example']);
    expect(state.dropped).toBe(5);
    expect(readFileSync(path, 'utf8')).toBe(a + c);
    expect(readdirSync(dir).filter((f) => f.endsWith('.resume-tmp'))).toEqual([]);
  });

  it('a file whose lines must all be scanned again still continues its run id', async () => {
    const path = file(line(goodReport, 'i.example', 'interrupted') + SUMMARY);
    const state = await prepareResume(path, () => undefined);
    expect(state.runId).toBe('run1');
    expect(state.done.size).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});

describe('run summary', () => {
  it('counts by status, overall grade and error kind, lists the worst and the incomplete', () => {
    const b = new SummaryBuilder();
    b.add(summaryEntry(goodReport, 'good'));
    b.add(summaryEntry(expiredReport, 'expired'));
    b.add(summaryEntry(unreachableReport, 'down'));
    b.add(summaryEntry({ ...goodReport, status: 'partial', reason: 'email timed out' }, 'half'));
    const s = b.build('run1', { notStarted: 2 });
    expect(s).toMatchObject({
      type: 'summary',
      runId: 'run1',
      total: 4,
      byStatus: { ok: 2, partial: 1, interrupted: 0, error: 1 },
      byGrade: { A: 2, T: 1, none: 1 },
      errorsByKind: { refused: 1 },
      notStarted: 2,
    });
    expect(s.worst.map((t) => [t.target, t.grade])).toEqual([
      ['expired', 'T'],
      ['good', 'A'],
      ['half', 'A'],
    ]);
    expect(s.incomplete.map((t) => [t.target, t.status])).toEqual([
      ['down', 'error'],
      ['half', 'partial'],
    ]);
    expect(s.scanMs).toBe(goodReport.durationMs * 2 + expiredReport.durationMs + unreachableReport.durationMs);
  });

  it('a target stopped before any probe ran counts as a resolution error; the worst list stays short', () => {
    const b = new SummaryBuilder();
    b.add(summaryEntry({ ...unreachableReport, probes: [] }, 'nx'));
    for (let i = 0; i < WORST_LISTED + 5; i++) b.add(summaryEntry(expiredReport, `t${String(i).padStart(2, '0')}`));
    const s = b.build(null);
    expect(s.errorsByKind).toEqual({ resolution: 1 });
    expect(s.worst).toHaveLength(WORST_LISTED);
    expect(s.worst[0]?.target).toBe('t00');
  });

  it('summarises a file: last line per job wins, torn and corrupt lines are counted apart, an unfinished run is said', async () => {
    const path = file(line(goodReport, 'a.example', 'interrupted') + 'garbage\n' + line(goodReport, 'a.example') + line(expiredReport, 'b.example') + '{"torn');
    const { summary, unreadable, ended } = await summarizeFile(path);
    expect(summary).toMatchObject({ total: 2, byStatus: { ok: 2, interrupted: 0 }, byGrade: { A: 1, T: 1 }, runId: 'run1' });
    expect(unreadable).toBe(2);
    expect(ended).toBe(false);
    const finished = await summarizeFile(file(line(goodReport, 'a.example') + JSON.stringify({ type: 'summary', runId: 'run1', notStarted: 3 }) + '\n'));
    expect(finished.ended).toBe(true);
    expect(finished.summary.notStarted).toBe(3);
  });
});

describe('writers', () => {
  it('the NDJSON file sink writes lines in order, replaces or appends, and fsyncs on close', async () => {
    const path = join(dir, 'sink.ndjson');
    writeFileSync(path, 'old\n');
    const sink = await openFileSink(path, { fsyncEveryLines: 2 });
    await Promise.all(['1', '2', '3'].map((x) => sink.write(`{"n":${x}}\n`)));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    const again = await openFileSink(path, { append: true });
    await again.write('{"n":4}\n');
    await again.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(5);
  });

  it('an unwritable path fails when opened, naming the error', async () => {
    await expect(openFileSink(join(dir, 'no', 'such', 'dir.ndjson'))).rejects.toThrow(/ENOENT/);
  });

  it('a per-target file is replaced whole, leaving no temporary file', async () => {
    await writeFileAtomic(dir, 'x.json', '{"v":1}\n');
    await writeFileAtomic(dir, 'x.json', '{"v":2}\n');
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('{"v":2}\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'x.json'))).toBe(true);
  });
});
