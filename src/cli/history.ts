// `secgrade history TARGET [--since 30d|12h|2026-11-01] [--limit N] [--store PATH|URL]
// [--format text|json|html] [--output FILE]`: a target's runs from the history store, newest first,
// and a grade timeline per section (text: sparklines; html: a page with SVG charts and a table).
// It only reads the store: a store that does not exist is an error, never created.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SEVERITIES, type Grade } from '../model/report.js';
import { defaultStorePath } from '../store/spec.js';
import { normalTargetName } from '../store/target-name.js';
import { GRADE_SECTIONS, MAX_LIMIT, type HistoryEntry } from '../store/types.js';
import { renderHistoryHtml } from '../render/history-html.js';
import { replaceFileAtomic } from '../sink/json-files.js';
import { EXIT, UsageError } from './exit.js';
import { flushed, type RunIo } from './io.js';
import { STDOUT_OUTPUT } from './options.js';
import { openCliStore } from './store-flag.js';

export interface RawHistoryFlags {
  since?: string;
  limit?: string;
  store?: string;
  format?: string;
  output?: string;
}

export const HISTORY_FORMATS = ['text', 'json', 'html'] as const;
type HistoryFormat = (typeof HISTORY_FORMATS)[number];
export const DEFAULT_HISTORY_RUNS = 50;

export function addHistoryFlags(cmd: Command): Command {
  return cmd
    .argument('<target>', 'host, host:port or URL, as it was scanned')
    .option('--since <when>', 'only runs since a time ago (30d, 12h, 90m, 2w) or a date (2026-11-01, 2026-11-01T08:00:00Z)')
    .option('--limit <n>', `at most this many runs, newest first (default ${DEFAULT_HISTORY_RUNS})`)
    .option('--store <path|url>', 'the history store (SQLite file or postgres:// URL; default: $XDG_DATA_HOME/secgrade/history.db)')
    .option('--format <format>', `${HISTORY_FORMATS.join('|')} (default: from --output's extension, else text)`)
    .option('--output <file>', 'write to this file (replaced whole) instead of stdout; a .html name means --format html');
}

/** --format, else the --output file's extension (.html/.htm, .json), else text. */
function historyFormat(flags: RawHistoryFlags, output: string | null): HistoryFormat {
  if (flags.format === undefined) {
    const out = output?.toLowerCase() ?? '';
    return out.endsWith('.html') || out.endsWith('.htm') ? 'html' : out.endsWith('.json') ? 'json' : 'text';
  }
  const format = flags.format.toLowerCase();
  if (!(HISTORY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format "${flags.format}" for history (one of ${HISTORY_FORMATS.join(', ')})`);
  return format as HistoryFormat;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--since`: a duration back from `now`, a UTC day, or a date-time with its zone. */
export function parseSince(raw: string, now: Date): Date {
  const bad = (): never => {
    throw new UsageError(`--since "${raw}" is neither a duration (30d, 12h, 90m, 2w) nor a date (2026-11-01, 2026-11-01T08:00:00Z)`);
  };
  const ago = /^(\d{1,6})([mhdw])$/.exec(raw.trim());
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2]!]!);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (day) {
    const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    // 2026-02-30 is not a day (Date would roll it over to March).
    if (d.getUTCMonth() !== Number(day[2]) - 1 || d.getUTCDate() !== Number(day[3])) bad();
    return d;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw.trim())) {
    const t = Date.parse(raw.trim());
    if (Number.isFinite(t)) return new Date(t);
  }
  return bad();
}

/** A+ … F as ▁ … █ (taller is worse); T and M fail like F; null (not graded, or the scan failed) is a gap, never a pass. */
const BARS: Record<Exclude<Grade, null>, string> = { 'A+': '▁', A: '▂', 'A-': '▃', B: '▄', C: '▅', D: '▆', E: '▇', F: '█', T: '█', M: '█' };
export const sparkline = (grades: readonly Grade[]): string => grades.map((g) => (g === null ? ' ' : BARS[g])).join('');

const when = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');
const grade = (g: Grade): string => (g ?? '—').padEnd(3);

function findingsText(e: HistoryEntry): string {
  const parts = SEVERITIES.filter((s) => e.findings[s] > 0).map((s) => `${e.findings[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no findings';
}

export function renderHistoryText(target: string, location: string, entries: readonly HistoryEntry[]): string {
  const lines = [`${target}: ${entries.length} run${entries.length === 1 ? '' : 's'}, newest first (store ${location})`];
  for (const e of entries) {
    const grades = GRADE_SECTIONS.map((s) => `${s} ${grade(e.grades[s])}`).join('  ');
    const tail = e.status === 'error' || e.status === 'interrupted' ? (e.reason ?? '') : findingsText(e);
    lines.push(`${when(e.startedAt)}  ${e.status.padEnd(11)}  ${grades}  ${tail}`.trimEnd());
  }
  const oldestFirst = [...entries].reverse();
  lines.push('', 'grades, oldest → newest (▁ A+ ▂ A ▃ A- ▄ B ▅ C ▆ D ▇ E █ F/T/M; a gap: not graded):');
  for (const s of GRADE_SECTIONS) lines.push(`  ${s.padEnd(8)} │${sparkline(oldestFirst.map((e) => e.grades[s]))}│`);
  return `${lines.join('\n')}\n`;
}

export async function runHistory(input: string, flags: RawHistoryFlags, io: RunIo): Promise<number> {
  const target = normalTargetName(input);
  if (target === null) throw new UsageError(`"${input}" is not a host, host:port or URL`);
  const output = flags.output === undefined || flags.output === STDOUT_OUTPUT ? null : flags.output;
  const format = historyFormat(flags, output);
  let limit = DEFAULT_HISTORY_RUNS;
  if (flags.limit !== undefined) {
    if (!/^\d+$/.test(flags.limit) || Number(flags.limit) < 1 || Number(flags.limit) > MAX_LIMIT) throw new UsageError(`--limit "${flags.limit}" must be a whole number between 1 and ${MAX_LIMIT}`);
    limit = Number(flags.limit);
  }
  const since = flags.since !== undefined ? parseSince(flags.since, new Date()) : undefined;

  const spec = flags.store ?? defaultStorePath(io.env);
  if (flags.store === undefined && !existsSync(spec)) throw new UsageError(`no history store at the default path ${spec}: scans save there with --store ${spec}, or name another store with --store`);
  const store = await openCliStore(spec, { mustExist: true });
  try {
    if (!(await store.target(target))) throw new UsageError(`no reports of ${target} in the store ${store.location}`);
    const entries = await store.history(target, { limit, ...(since ? { since } : {}) });
    let text: string;
    if (format === 'json') text = `${JSON.stringify({ target, store: store.location, runs: entries }, null, 2)}\n`;
    else if (format === 'html') text = renderHistoryHtml({ target, store: store.location, entries, generatedAt: new Date(), ...(since ? { since } : {}) });
    else if (entries.length === 0) text = `${target}: no runs since ${when(since!.toISOString())} (store ${store.location})\n`;
    else text = renderHistoryText(target, store.location, entries);
    if (output) {
      try {
        await replaceFileAtomic(output, (h) => h.writeFile(text, 'utf8'));
      } catch (err) {
        throw new UsageError(`--output ${output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    } else if (!io.stdoutError()) {
      io.stdout.write(text);
      await flushed(io.stdout);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
