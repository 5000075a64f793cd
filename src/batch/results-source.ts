// A batch's NDJSON results as a source of reports for the whole-run formats (HTML, SARIF …): each
// target once, by its last line (a resumed run appends a complete line after a partial one), in the
// order of those last lines. Read from disk on every pass, so rendering 100,000 targets keeps one
// key per target in memory, never the reports.
import type { Report } from '../model/report.js';
import type { ReportSource } from '../render/renderer.js';
import { lineTarget, readResults } from './results-file.js';

export interface ResultsIndex {
  /** Byte offsets of the report lines that are the last of their target. */
  lastLines: Set<number>;
  /** Lines that are neither a report nor the summary (a torn last line, corrupt lines). */
  unreadable: number;
}

const keyOf = (r: Report): string => r.job?.key ?? lineTarget(r);

export async function indexResults(path: string): Promise<ResultsIndex> {
  const lastByKey = new Map<string, number>();
  let unreadable = 0;
  for await (const read of readResults(path)) {
    if (read.kind === 'report') lastByKey.set(keyOf(read.report), read.line.start);
    else if (read.kind !== 'summary') unreadable++;
  }
  return { lastLines: new Set(lastByKey.values()), unreadable };
}

export function resultsSource(path: string, index: ResultsIndex): ReportSource {
  return async function* () {
    for await (const read of readResults(path)) {
      if (read.kind === 'report' && index.lastLines.has(read.line.start)) yield read.report;
    }
  };
}
