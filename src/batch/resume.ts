// --resume OUT.ndjson: what an earlier run of the batch already finished, and the file made ready
// for appending. A line counts as done when it is complete and its status is ok or error (a
// verdict that scanning again would not change); partial and interrupted lines are scanned again.
// What is not kept — the torn last line, the old summary, lines to be scanned again, corrupt
// lines, repeats — is removed first, so the file ends up with exactly one line per job:
//   - when everything kept is a prefix of the file, it is truncated after that prefix;
//   - otherwise the kept lines are copied to a temporary file that replaces it (rename is atomic:
//     killed at any point, the old file or the new one is there, whole).
import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import type { Report } from '../model/report.js';
import { replaceFileAtomic } from '../sink/json-files.js';
import { readResults, type ResultLine } from './results-file.js';

export interface ResumeState {
  /** The run being continued (from its lines), or null when the file has no result yet. */
  runId: string | null;
  /** Job keys already done. */
  done: Set<string>;
  /** Lines removed from the file (torn, summary, to scan again, corrupt, repeated). */
  dropped: number;
  torn: boolean;
}

/** Statuses that are final: scanning the target again would not complete it further. */
const FINAL: ReadonlySet<Report['status']> = new Set(['ok', 'error']);

/**
 * Read `path` (a missing file is an empty run), call `kept` for every line that stays, and leave
 * the file holding only those lines, ready for appending.
 */
export async function prepareResume(path: string, kept: (report: ResultLine) => void): Promise<ResumeState> {
  const state: ResumeState = { runId: null, done: new Set(), dropped: 0, torn: false };
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw err;
  }
  const ranges: Array<[number, number]> = [];
  for await (const read of readResults(path)) {
    if (read.kind === 'report') {
      const job = read.report.job;
      if (job && typeof job.key === 'string' && FINAL.has(read.report.status) && !state.done.has(job.key)) {
        state.done.add(job.key);
        state.runId ??= job.runId;
        ranges.push([read.line.start, read.line.end]);
        kept({ ...read.report, job });
        continue;
      }
    }
    if (read.kind === 'torn') state.torn = true;
    state.dropped++;
  }
  // A run whose every line is to be scanned again still continues under its own id.
  if (state.runId === null) state.runId = await firstRunId(path);
  const prefixEnd = contiguousPrefix(ranges);
  if (prefixEnd !== null) {
    if (prefixEnd < size) await truncate(path, prefixEnd);
  } else {
    await rewriteWith(path, ranges);
  }
  return state;
}

/** Where the kept lines end when they are the file's first bytes, back to back; else null. */
function contiguousPrefix(ranges: ReadonlyArray<[number, number]>): number | null {
  let at = 0;
  for (const [start, end] of ranges) {
    if (start !== at) return null;
    at = end;
  }
  return at;
}

async function firstRunId(path: string): Promise<string | null> {
  for await (const read of readResults(path)) {
    if (read.kind === 'report' && typeof read.report.job?.runId === 'string') return read.report.job.runId;
    if (read.kind === 'summary' && typeof read.summary.runId === 'string') return read.summary.runId;
  }
  return null;
}

/** Copy the byte ranges to `path.resume-tmp`, flush it to disk, then rename it over `path`. */
async function rewriteWith(path: string, ranges: ReadonlyArray<[number, number]>): Promise<void> {
  // Lines kept back to back are copied as one range.
  const merged: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last && last[1] === start) last[1] = end;
    else merged.push([start, end]);
  }
  await replaceFileAtomic(path, async (out) => {
    for (const [start, end] of merged) {
      for await (const chunk of createReadStream(path, { start, end: end - 1 }) as AsyncIterable<Buffer>) await out.write(chunk);
    }
  }, `${path}.resume-tmp`);
}
