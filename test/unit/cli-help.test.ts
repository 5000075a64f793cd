// Every command's --help teaches: its exit codes, the values its flags accept, and examples whose
// flags the command really has. Run in-process (the same code path as the binary).
import { describe, expect, it } from 'vitest';
import { CHECK_CATEGORIES } from '../../src/engine/probe.js';
import { SEVERITIES } from '../../src/model/constants.js';
import { EXIT } from '../../src/cli/exit.js';
import { IMPLEMENTED_FORMATS } from '../../src/cli/options.js';
import { RENDER_FORMATS } from '../../src/cli/render.js';
import { SUMMARY_FORMATS } from '../../src/render/summary.js';
import { runInProcess } from '../helpers/cli.js';

const help = async (...cmd: string[]) => {
  const r = await runInProcess([...cmd, '--help']);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
};

/** The "Exit codes:" rows as code → meaning. */
function exitCodes(text: string): Map<number, string> {
  const block = text.slice(text.indexOf('\nExit codes:\n') + 1).split('\n\n')[0]!;
  return new Map([...block.matchAll(/^ {2}(\d) {2}(.+(?:\n {5}.+)*)/gm)].map((m) => [Number(m[1]), m[2]!.replace(/\s+/g, ' ')]));
}

/** The examples: each "$ secgrade …" line after its "# what" line. */
function examples(text: string): string[][] {
  const block = text.slice(text.indexOf('\nExamples:\n'));
  const lines = block.split('\n');
  return lines.flatMap((l, i) => (l.startsWith('  $ secgrade ') && lines[i - 1]?.startsWith('  # ') ? [l.slice(4).split(/\s+/)] : []));
}

/** Every --flag an example uses is one the command's own option list has. */
function expectKnownFlags(text: string, example: string[]): void {
  for (const flag of example.filter((w) => w.startsWith('--'))) expect(text, `${example.join(' ')}: ${flag}`).toMatch(new RegExp(`^ {2}(?:-\\w, )?${flag}\\b`, 'm'));
}

/** "Accepted values" row of a flag, unwrapped. */
function accepted(text: string, flag: string): string {
  const block = text.slice(text.indexOf('\nAccepted values:\n')).split('\n\n')[0]!;
  const m = new RegExp(`^ {2}${flag} +(.+(?:\\n {8,}.+)*)`, 'm').exec(block);
  expect(m, flag).not.toBeNull();
  return m![1]!.replace(/\s+/g, ' ');
}

const COMMANDS: Array<{ cmd: string[]; codes: number[]; min: number }> = [
  { cmd: ['scan'], codes: [0, 1, 2, 3], min: 3 },
  { cmd: ['batch'], codes: [0, 1, 2, 3], min: 1 },
  { cmd: ['render'], codes: [0, 2, 3], min: 1 },
  { cmd: ['summary'], codes: [0, 2, 3], min: 1 },
  { cmd: ['history'], codes: [0, 2, 3], min: 1 },
  { cmd: ['diff'], codes: [0, 1, 2, 3], min: 1 },
  { cmd: ['monitor'], codes: [0, 1, 2, 3], min: 1 },
  { cmd: ['worker'], codes: [0, 2, 3], min: 1 },
  { cmd: ['lab'], codes: [0, 2, 3], min: 1 },
  { cmd: ['demo'], codes: [0, 1, 2, 3], min: 1 },
  { cmd: ['data'], codes: [0, 1, 2, 3], min: 2 },
  { cmd: ['data', 'update'], codes: [0, 1, 2, 3], min: 1 },
  { cmd: ['data', 'status'], codes: [0, 2], min: 1 },
  { cmd: ['schema'], codes: [0], min: 1 },
];

describe('--help of every command', () => {
  it.each(COMMANDS)('$cmd: exit codes and examples that use real flags', async ({ cmd, codes, min }) => {
    const text = await help(...cmd);
    expect([...exitCodes(text).keys()]).toEqual(codes);
    const found = examples(text);
    expect(found.length).toBeGreaterThanOrEqual(min);
    for (const ex of found) {
      // The example runs this command (scan may be implied by a target as first word).
      const words = ex.slice(1);
      if (cmd[0] !== 'scan') expect(words.slice(0, cmd.length)).toEqual(cmd);
      else expect(words[0] === 'scan' || /\./.test(words[0]!)).toBe(true);
      expectKnownFlags(text, ex);
    }
    // Help text is laid out for 80 columns (example command lines excepted: they must stay whole to copy).
    for (const line of text.split('\n').filter((l) => !l.startsWith('  $ '))) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('scan: the exit codes by their contract meaning, every accepted value, three examples', async () => {
    const text = await help('scan');
    const codes = exitCodes(text);
    expect(codes.get(EXIT.ok)).toMatch(/^ok/);
    expect(codes.get(EXIT.failed)).toContain('--fail-on');
    expect(codes.get(EXIT.failed)).toContain('--fail-under');
    expect(codes.get(EXIT.usage)).toMatch(/usage error/);
    expect(codes.get(EXIT.incomplete)).toMatch(/unreachable, partial \(unless --allow-partial\) or interrupted/);
    expect(accepted(text, '--format')).toContain(IMPLEMENTED_FORMATS.join(', '));
    expect(accepted(text, '--fail-on')).toContain(SEVERITIES.join(', '));
    expect(accepted(text, '--severity')).toContain(SEVERITIES.join(', '));
    expect(accepted(text, '--fail-under')).toContain('A+, A, A-, B, C, D, E, F');
    expect(accepted(text, '--checks')).toBe(CHECK_CATEGORIES.join(','));
    expect(examples(text)).toHaveLength(3);
    expect(text).toContain('$ secgrade scan example.com --fail-on high --fail-under B --quiet');
  });

  it('the values the other commands accept', async () => {
    expect(accepted(await help('render'), '--format')).toContain(RENDER_FORMATS.join(', '));
    expect(accepted(await help('summary'), '--format')).toBe(SUMMARY_FORMATS.join(', '));
    expect(accepted(await help('diff'), '--format')).toBe('text, json, markdown');
    expect(accepted(await help('batch'), '--format')).toMatch(/^ndjson /);
    expect(accepted(await help('demo'), '--fail-on')).toContain(SEVERITIES.join(', '));
  });

  it('the top-level help still lists every command', async () => {
    const text = await help();
    for (const c of ['scan', 'batch', 'render', 'summary', 'history', 'diff', 'monitor', 'worker', 'demo', 'lab', 'data', 'schema']) {
      expect(text).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
    }
  });
});

describe('secgrade data without a subcommand', () => {
  it('prints its help on stderr and exits 2, as git does for a bare command group', async () => {
    const r = await runInProcess(['data']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('secgrade: data needs a subcommand (update, status)');
    expect(r.stderr).toContain('Usage: secgrade data [options] [command]');
    expect(r.stderr).toMatch(/^ {2}update \[options\] +fetch fresher/m);
    expect(r.stderr).toMatch(/^ {2}status +which copy/m);
    expect(r.stderr).toContain('$ secgrade data status');
  });

  it('an unknown subcommand is a one-line usage error', async () => {
    const r = await runInProcess(['data', 'refresh']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('scan --quiet', () => {
  it('is accepted by scan (no "applies to a list" refusal) and still checks the targets', async () => {
    const r = await runInProcess(['scan', '--quiet', 'bad target!']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^secgrade: bad target/);
  });
});
