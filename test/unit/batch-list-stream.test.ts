// The target list read as a stream (a batch never holds it): the same items as parseTargetList
// from the whole text, whatever the chunking; the two readings of the list (check, then jobs): bad
// lines and repeats told once in line order, one job per distinct target with its repeats' tags,
// --resume's finished keys skipped; the scheduler pulling jobs from a generator one slot at a time;
// and a target's own signal (deadline or the run's interruption) that lets go of the run's signal.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseTargetList } from '../../src/batch/input.js';
import { readTargetList } from '../../src/batch/list-stream.js';
import { runJobs } from '../../src/batch/run.js';
import { checkList, listJobs, openList, pendingCount } from '../../src/cli/batch-list.js';
import type { RunIo } from '../../src/cli/io.js';
import { parseScanFlags } from '../../src/cli/options.js';
import { targetSignal } from '../../src/engine/deadline.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-list-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('the list as a stream', () => {
  const texts = [
    'a.example\nb c\n\r\n# x\nd.example --ip 192.0.2.1\r\nlast.example',
    '\uFEFFtärget.example\nü.example --tags ä,ö\n',
    ['\uFEFFtarget,ip,sni,checks,tags', 'a.example,192.0.2.1,,"tls,cert","prod;eu"', '# a comment row', '"b.example","192.0.2.2 192.0.2.3",www.b.example,,', 'c.example,,,,"say ""hi"",', 'there"'].join('\r\n'),
    'target,ip\na.example,192.0.2.1\nb.example,192.0.2.2,extra\n,192.0.2.3\nc.example,\n',
    '# comment first\n\ntarget\nx.example\ny.example',
    '',
  ];
  it.each(texts.flatMap((t) => [1, 3, 7, 4096].map((size) => [t, size] as const)))('%j in chunks of %i: what the whole text gives', async (text, size) => {
    const whole = parseTargetList(text);
    const want = [...whole.entries.map((e) => ({ kind: 'entry', ...e })), ...whole.problems.map((p) => ({ kind: 'problem', ...p }))].sort((a, b) => a.line - b.line);
    expect(await collect(readTargetList(chunks(text, size)))).toEqual(want);
  });

  it('an unknown CSV column fails the whole input, as for the whole text', async () => {
    await expect(collect(readTargetList(chunks('target,port\na.example,443\n', 5)))).rejects.toThrow(/unknown column "port"/);
  });
});

describe('checking the list, then making its jobs', () => {
  const flags = { checks: 'tls', timeout: '5000' };
  const base = parseScanFlags([], flags, false);
  const io = (stdin?: string): RunIo => {
    const input = new PassThrough();
    if (stdin !== undefined) input.end(stdin);
    return { stdout: process.stdout, stderr: process.stderr, stdin: input, env: {}, signal: new AbortController().signal, stdoutError: () => null };
  };
  const text = [
    'a.example --tags one',
    'bad one',
    'b.example --checks nope',
    'A.EXAMPLE --tags two',
    'c.example',
    'a.example --checks tls --tags three', // the same options spelled out: still a repeat
    'a.example --checks email', // other options: another job
  ].join('\n');

  it('tells bad lines and repeats in line order, counts distinct jobs; the jobs carry their repeats\' tags', async () => {
    const path = join(dir, 'list.txt');
    writeFileSync(path, text);
    const list = await openList(path, io());
    const told: string[] = [];
    const check = await checkList(list, flags, base, { problem: (p) => told.push(`${p.line}: ${p.message}`), duplicate: (line, of) => told.push(`${line}: repeats ${of}`) });
    expect(told.map((t) => t.split(':')[0])).toEqual(['2', '3', '4', '6']);
    expect(told.slice(2)).toEqual(['4: repeats 1', '6: repeats 1']);
    expect(told[1]).toMatch(/^3: .*nope/);
    expect(check).toMatchObject({ rejected: 2, duplicates: 2 });
    expect(pendingCount(check, 'run-1', new Set())).toBe(3);
    const jobs = await collect(listJobs(list, flags, base, check, 'run-1', new Set()));
    expect(jobs.map((j) => [j.line, j.name, j.tags])).toEqual([
      [1, 'a.example', ['one', 'two', 'three']],
      [5, 'c.example', []],
      [7, 'a.example', []],
    ]);
    expect(jobs[0]!.key).toMatch(/^a\.example\|[0-9a-f]{12}\|run-1$/);
    expect(jobs[0]!.settings.checks).toEqual(new Set(['tls']));
    // --resume: finished keys are neither counted nor made again.
    const done = new Set([jobs[1]!.key]);
    expect(pendingCount(check, 'run-1', done)).toBe(2);
    expect((await collect(listJobs(list, flags, base, check, 'run-1', done))).map((j) => j.line)).toEqual([1, 7]);
    await list.dispose();
  });

  it('stdin is spooled to a temporary file, read twice alike, and removed', async () => {
    const list = await openList('-', io(text));
    expect(list.label).toBe('stdin');
    const check = await checkList(list, flags, base, { problem: () => undefined, duplicate: () => undefined });
    expect((await collect(listJobs(list, flags, base, check, 'r', new Set()))).map((j) => j.line)).toEqual([1, 5, 7]);
    await list.dispose();
    await expect(collect(listJobs(list, flags, base, check, 'r', new Set()))).rejects.toThrow(/stdin: ENOENT/);
  });

  it('the scheduler pulls a job only when a slot is free, and counts those never started', async () => {
    let made = 0;
    let started = 0;
    const pulledAtStart: number[] = [];
    async function* jobs(): AsyncGenerator<number> {
      for (let i = 0; i < 20; i++) {
        made++;
        yield i;
      }
    }
    const stop = new AbortController();
    const out = await runJobs({
      jobs: jobs(),
      total: 20,
      targetsInFlight: 3,
      signal: stop.signal,
      graceMs: 0,
      scan: async (j) => {
        started++;
        pulledAtStart.push(made - started);
        await new Promise((r) => setTimeout(r, 1));
        if (j === 9) stop.abort(new Error('interrupted'));
        return j;
      },
      onResult: async () => undefined,
    });
    // Never more than one job made ahead of those running.
    expect(Math.max(...pulledAtStart)).toBeLessThanOrEqual(1);
    expect(out.interrupted).toBe(true);
    expect(out.started + out.notStarted).toBe(20);
    expect(made).toBeLessThan(20);
  });
});

describe("a target's signal", () => {
  it('aborts at the deadline with a TimeoutError, as AbortSignal.timeout does', async () => {
    vi.useFakeTimers();
    const { signal } = targetSignal(undefined, 1_000);
    vi.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it("follows the run's signal with its reason, and once released neither listens to it nor times out", () => {
    vi.useFakeTimers();
    const run = new AbortController();
    const listeners = () => (run.signal as unknown as Record<symbol, Map<string, unknown>>)[Object.getOwnPropertySymbols(run.signal).find((s) => s.description === 'kEvents')!]!.get('abort');
    const a = targetSignal(run.signal, 60_000);
    const b = targetSignal(run.signal, 60_000);
    b.release();
    expect(listeners()).toBeDefined();
    const reason = new Error('interrupted');
    run.abort(reason);
    expect(a.signal.reason).toBe(reason);
    expect(b.signal.aborted).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(b.signal.aborted).toBe(false);
    // Already aborted: the target starts aborted.
    expect(targetSignal(run.signal, 1_000).signal.reason).toBe(reason);
  });

  it('a released target leaves no listener on the run\'s signal', () => {
    const run = new AbortController();
    setMaxListeners(0, run.signal); // one listener per target in flight, by design
    const kEvents = Object.getOwnPropertySymbols(run.signal).find((s) => s.description === 'kEvents');
    const count = () => ((run.signal as unknown as Record<symbol, Map<string, { size?: number }>>)[kEvents!]?.get('abort')?.size ?? 0);
    const targets = Array.from({ length: 50 }, () => targetSignal(run.signal, 60_000));
    expect(count()).toBe(50);
    for (const t of targets) t.release();
    expect(count()).toBe(0);
  });
});
