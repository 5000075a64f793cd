// `secgrade render RESULTS.ndjson`: a batch's results in a report format without scanning. Each
// target once, by its last line (a resumed batch appends a complete line after a partial one);
// torn and foreign lines are counted on stderr, not rendered; bad input is one line, exit 2.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const fixture = new URL('../fixtures/reports/lab.ndjson', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'secgrade-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = readFileSync(fixture, 'utf8').trim().split('\n');
const hostOf = (r: { target: { host: string } }): string => r.target.host;

describe('secgrade render', () => {
  it('renders every target of a results file once, in the file order', async () => {
    const run = await runInProcess(['render', fixture, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const reports = JSON.parse(run.stdout) as Array<{ target: { host: string } }>;
    expect(reports.map(hostOf)).toEqual(lines.map((l) => hostOf(JSON.parse(l))));
  });

  it('takes the last line of a target (resumed batches), skips summary, torn and foreign lines and says how many', async () => {
    const first = JSON.parse(lines[0]!) as Record<string, any>;
    const job = { key: 'legacy|h|run', runId: 'run', input: first['target'].host, line: 1 };
    const partial = { ...first, status: 'partial', job };
    const complete = { ...first, status: 'ok', durationMs: 4242, job };
    const other: Record<string, any> = { ...(JSON.parse(lines[1]!) as Record<string, any>), job: { key: 'good|h|run', runId: 'run', input: 'good', line: 2 } };
    const path = join(dir, 'resumed.ndjson');
    writeFileSync(
      path,
      [JSON.stringify(partial), JSON.stringify(other), '{"type":"summary","total":2}', 'not json', JSON.stringify(complete), '{"torn":'].join('\n'),
    );
    const run = await runInProcess(['render', path, '--format', 'ndjson']);
    expect(run.code).toBe(0);
    const out = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(out.map((r) => [r['job'].key, r['status'], r['durationMs']])).toEqual([
      ['good|h|run', other['status'], other['durationMs']],
      ['legacy|h|run', 'ok', 4242],
    ]);
    expect(run.stderr).toBe(`secgrade: ${path}: 2 line(s) not rendered (torn or not a result)\n`);
  });

  it('--output replaces the file whole (no temporary file left) and takes the format from its extension', async () => {
    const out = join(dir, 'out.json');
    writeFileSync(out, 'old content that must go');
    const run = await runInProcess(['render', fixture, '--output', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length).toBe(lines.length);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses what it cannot do in one line with exit 2', async () => {
    for (const [args, message] of [
      [['render', join(dir, 'missing.ndjson')], /^secgrade: .*missing\.ndjson: ENOENT\n$/],
      [['render', dir], /^secgrade: .* is not a file\n$/],
      [['render', fixture, '--format', 'docx'], /^secgrade: --format "docx" \(one of .*json.*\)\n$/],
      [['render', fixture, '--fail-on', 'urgent'], /^secgrade: --fail-on "urgent" is not a severity/],
      [['render', fixture, '--severity', 'loud'], /^secgrade: --severity "loud" is not a severity/],
      [['render', fixture, '--format', 'json', '--output', join(dir, 'no', 'such', 'dir.json')], /^secgrade: --output .*dir\.json: ENOENT\n$/],
    ] as Array<[string[], RegExp]>) {
      const run = await runInProcess(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });
});
