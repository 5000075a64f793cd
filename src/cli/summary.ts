// `secgrade summary OUT.ndjson [--format text|json|csv|markdown|html]`: the run summary of a batch's
// results, finished or partial, without scanning again. Exit 0 once rendered: a summary is a view,
// not a gate (the batch's own exit code is the gate).
import { stat } from 'node:fs/promises';
import { summarizeFile } from '../batch/summarize-file.js';
import { renderSummary, SUMMARY_FORMATS, type SummaryFormat } from '../render/summary.js';
import { EXIT, UsageError } from './exit.js';
import type { RunIo } from './io.js';

export async function runSummary(path: string, flags: { format?: string }, io: RunIo): Promise<number> {
  const format = (flags.format ?? 'text').toLowerCase();
  if (!(SUMMARY_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`summary --format "${flags.format}" (one of ${SUMMARY_FORMATS.join(', ')})`);
  }
  try {
    if (!(await stat(path)).isFile()) throw new UsageError(`${path} is not a file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { summary, unreadable, ended } = await summarizeFile(path);
  io.stdout.write(renderSummary(summary, format as SummaryFormat, { generatedAt: new Date() }));
  if (unreadable) io.stderr.write(`secgrade: ${path}: ${unreadable} line(s) not counted (torn or not a result)\n`);
  if (!ended) io.stderr.write(`secgrade: ${path} has no final summary line: the batch is still running or was killed (secgrade batch --resume ${path} continues it)\n`);
  return EXIT.ok;
}
