// `secgrade summary OUT.ndjson`: the run summary of a results file, finished or not, without
// scanning. A target with several lines (a file appended to by hand, or concatenated runs) counts
// once, by its last line; torn and corrupt lines are counted and otherwise ignored.
import { lineTarget, readResults } from './results-file.js';
import { SummaryBuilder, summaryEntry, type BatchSummary, type SummaryEntry } from './summary.js';

export interface FileSummary {
  summary: BatchSummary;
  /** Lines that are not results: a torn last line, corrupt lines. */
  unreadable: number;
  /** The file ends with the batch's summary line: the run ended (finished or interrupted), not killed. */
  ended: boolean;
}

export async function summarizeFile(path: string): Promise<FileSummary> {
  const byKey = new Map<string, SummaryEntry>();
  let runId: string | null = null;
  let unreadable = 0;
  let last: BatchSummary | null = null;
  let ended = false;
  for await (const read of readResults(path)) {
    if (read.kind === 'report') {
      const r = read.report;
      runId ??= r.job?.runId ?? null;
      const target = lineTarget(r);
      const key = r.job?.key ?? target;
      byKey.delete(key); // re-inserted: the map keeps the order of last lines
      byKey.set(key, summaryEntry(r, target));
      ended = false;
    } else if (read.kind === 'summary') {
      last = read.summary;
      ended = true;
      runId ??= read.summary.runId;
    } else unreadable++;
  }
  const builder = new SummaryBuilder();
  for (const e of byKey.values()) builder.add(e);
  const extra = last ? { notStarted: last.notStarted ?? 0, rejectedLines: last.rejectedLines ?? 0, duplicates: last.duplicates ?? 0 } : {};
  return { summary: builder.build(runId, extra), unreadable, ended };
}
