// A batch's NDJSON results file, read back: report lines (the report plus its `job`), summary
// lines, and what is not a result (a torn last line, a corrupt line). Shared by --resume and
// `secgrade summary` so both judge a line the same way.
import { REPORT_SCHEMA_ID, type Report } from '../model/report.js';
import type { JobInfo } from './jobs.js';
import { parseJsonLine, readNdjsonLines, type NdjsonLine } from './ndjson-read.js';
import type { BatchSummary } from './summary.js';

/** One NDJSON line of a batch: the full report and the job it answers. */
export type ResultLine = Report & { job: JobInfo };

export type ReadLine =
  | { kind: 'report'; report: Report; line: NdjsonLine }
  | { kind: 'summary'; summary: BatchSummary; line: NdjsonLine }
  /** A last line without its newline (the writer was stopped mid-line). */
  | { kind: 'torn'; line: NdjsonLine }
  /** A complete line that is not JSON or not a report. */
  | { kind: 'invalid'; line: NdjsonLine };

function isReport(v: unknown): v is Report {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<Report>;
  return r.schema === REPORT_SCHEMA_ID && typeof r.status === 'string' && typeof r.target === 'object' && r.target !== null && Array.isArray(r.probes);
}

export async function* readResults(path: string): AsyncGenerator<ReadLine> {
  for await (const line of readNdjsonLines(path)) {
    if (!line.complete) {
      yield { kind: 'torn', line };
      continue;
    }
    if (line.text.trim() === '') continue;
    const value = parseJsonLine(line.text);
    if (isReport(value)) yield { kind: 'report', report: value, line };
    else if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'summary') yield { kind: 'summary', summary: value as BatchSummary, line };
    else yield { kind: 'invalid', line };
  }
}

/** The name a report line is counted under: its job's target, else host:port. */
export const lineTarget = (r: Report): string => r.job?.input ?? `${r.target.host}:${r.target.port}`;
