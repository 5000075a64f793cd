// `secgrade diff A B [--format text|json|markdown] [--fail-on SEVERITY] [--output FILE]`: what changed
// between two runs (report files, batch NDJSON runs, or run ids of the history store), and
// `secgrade diff TARGET --last N`: a target's oldest of its last N stored runs against its newest.
// Exit 1 on a regression (a worse grade; with --fail-on, a finding new or raised to at least that
// severity), 0 otherwise, 2 when a side cannot be read.
import { writeFile } from 'node:fs/promises';
import { diffRuns } from '../diff/diff.js';
import { DIFF_FORMATS, renderDiff, type DiffFormat } from '../render/diff.js';
import type { DiffSource, LoadedSide } from '../diff/types.js';
import { defaultStorePath } from '../store/spec.js';
import { normalTargetName } from '../store/target-name.js';
import type { Store } from '../store/types.js';
import { loadDiffSide, needsStore, parseDiffSource } from './diff-source.js';
import { openCliStore } from './store-flag.js';
import { EXIT, UsageError } from './exit.js';
import type { RunIo } from './io.js';
import { parseFailOn, STDOUT_OUTPUT } from './options.js';

const MAX_STDERR_LINES = 20;

export interface RawDiffFlags {
  format?: string;
  failOn?: string;
  output?: string;
  last?: string;
  store?: string;
}

function diffFormat(flags: RawDiffFlags): DiffFormat {
  if (flags.format === undefined) {
    const out = flags.output?.toLowerCase() ?? '';
    return out.endsWith('.json') ? 'json' : out.endsWith('.md') || out.endsWith('.markdown') ? 'markdown' : 'text';
  }
  const f = flags.format.toLowerCase();
  if (!(DIFF_FORMATS as readonly string[]).includes(f)) throw new UsageError(`diff --format "${flags.format}" (one of ${DIFF_FORMATS.join(', ')})`);
  return f as DiffFormat;
}

/** The two sides the arguments name: A B, or TARGET --last N (N ≥ 2: the Nth newest run against the newest). */
function sources(a: string, b: string | undefined, flags: RawDiffFlags): [DiffSource, DiffSource] {
  if (flags.last !== undefined) {
    if (b !== undefined) throw new UsageError('diff --last N takes one target: secgrade diff TARGET --last N');
    if (!/^\d{1,4}$/.test(flags.last) || Number(flags.last) < 2) throw new UsageError(`diff --last "${flags.last}" must be a whole number of runs, 2 or more`);
    const target = normalTargetName(a);
    if (target === null) throw new UsageError(`diff --last: "${a}" is not a target (host, host:port or URL)`);
    return [
      { kind: 'target-run', target, back: Number(flags.last) - 1 },
      { kind: 'target-run', target, back: 0 },
    ];
  }
  if (b === undefined) throw new UsageError('diff needs two runs (secgrade diff A B), or one target and --last N');
  return [parseDiffSource(a), parseDiffSource(b)];
}

export async function runDiff(a: string, b: string | undefined, flags: RawDiffFlags, io: RunIo): Promise<number> {
  const format = diffFormat(flags);
  const failOn = parseFailOn(flags.failOn);
  const [srcA, srcB] = sources(a, b, flags);
  let store: { store: Store; where: string } | undefined;
  if (needsStore(srcA) || needsStore(srcB)) {
    const where = flags.store ?? defaultStorePath(io.env);
    store = { store: await openCliStore(where, { mustExist: true }), where };
  }
  let sideA: LoadedSide;
  let sideB: LoadedSide;
  try {
    [sideA, sideB] = await Promise.all([loadDiffSide(srcA, 'A', store), loadDiffSide(srcB, 'B', store)]);
  } finally {
    await store?.store.close().catch(() => undefined);
  }
  for (const notice of [...sideA.notices, ...sideB.notices]) io.stderr.write(`secgrade: ${notice}\n`);
  const result = diffRuns(sideA.reports, sideB.reports, { failOn });
  const text = renderDiff(result, format);
  if (flags.output && flags.output !== STDOUT_OUTPUT) {
    try {
      await writeFile(flags.output, text);
    } catch (err) {
      throw new UsageError(`--output ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else if (!io.stdoutError()) io.stdout.write(text);
  // As the scan gates do: one line per regressed target on stderr, whatever the format (capped: a large run's list is in the output).
  const regressed = result.targets.filter((t) => t.regression);
  for (const t of regressed.slice(0, MAX_STDERR_LINES)) io.stderr.write(`secgrade: ${t.target}: regression: ${t.regressions.join('; ')}\n`);
  if (regressed.length > MAX_STDERR_LINES) io.stderr.write(`secgrade: … and ${regressed.length - MAX_STDERR_LINES} more target(s) with a regression\n`);
  return result.regression ? EXIT.failed : EXIT.ok;
}
