// The target list of `secgrade batch`, streamed: it is never held whole, nor are its jobs. Read
// twice: check() validates every line (each bad line reported with its number before the first
// connection, as `scan` validates its flags), notices duplicates and counts the distinct jobs;
// jobs() reads it again and makes each job only when the scheduler has a slot for it. What stays
// in memory for the run is one small string per distinct job (its identity, for duplicates, the
// progress total and --resume), never a job or its settings. A list on stdin is spooled to a
// temporary file first (spool()), so it is read twice the same way.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { InputProblem } from '../batch/input.js';
import { InputError } from '../batch/input.js';
import { jobIdentity, makeJob, optionsHash, targetName, type Job } from '../batch/jobs.js';
import { readTargetList, type ListItem } from '../batch/list-stream.js';
import { entrySettings, jobOptions, type RawBatchFlags } from './batch-flags.js';
import { UsageError } from './exit.js';
import type { RunIo } from './io.js';
import type { ScanSettings } from './options.js';

export interface BatchJob extends Job {
  settings: ScanSettings;
}

/** A list entry with its validated settings. */
export interface ListEntry {
  settings: ScanSettings;
  line: number;
  tags: string[];
}

/** What check() learnt of the list. */
export interface ListCheck {
  /** Each distinct job's identity (target|options hash) with the first line that asks for it. */
  firstLine: Map<string, number>;
  /** Tags given on later lines of the same job: they join the first line's. */
  extraTags: Map<string, string[]>;
  rejected: number;
  duplicates: number;
}

/** Where the list is read from: a path (or a spooled copy of stdin), and its name for messages. */
export interface ListSource {
  path: string;
  label: string;
  /** Remove what spool() made (idempotent). */
  dispose(): Promise<void>;
}

/** `FILE` as is; `-` (stdin) copied to a temporary file, so the list can be read twice. */
export async function openList(source: string, io: RunIo): Promise<ListSource> {
  if (source !== '-') return { path: source, label: source, dispose: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'secgrade-batch-list-'));
  const path = join(dir, 'stdin.txt');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline((io.stdin ?? process.stdin) as NodeJS.ReadableStream, createWriteStream(path));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { path, label: 'stdin', dispose };
}

/** The list's items; an unreadable file or CSV header is a usage error. */
async function* items(list: ListSource): AsyncGenerator<ListItem> {
  try {
    yield* readTargetList(createReadStream(list.path));
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new UsageError(`${list.label}: ${code}`);
    throw err;
  }
}

/** The line's settings, or the message saying why its values are refused. */
function settingsOf(item: ListItem & { kind: 'entry' }, base: ScanSettings, flags: RawBatchFlags): ScanSettings | string {
  try {
    return entrySettings(item, base, flags);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
}

/** A job's identity without making the job (the key without the run id). */
const identityOf = (settings: ScanSettings): string => jobIdentity(targetName(settings.targets[0]!), optionsHash(jobOptions(settings)));

export interface CheckHooks {
  problem(p: InputProblem): void;
  /** Line `line` asks for the same job as line `of`. */
  duplicate(line: number, of: number): void;
}

/** First reading: every line validated, bad ones and duplicates told as they come, in line order. */
export async function checkList(list: ListSource, flags: RawBatchFlags, base: ScanSettings, hooks: CheckHooks): Promise<ListCheck> {
  const check: ListCheck = { firstLine: new Map(), extraTags: new Map(), rejected: 0, duplicates: 0 };
  for await (const item of items(list)) {
    if (item.kind === 'problem') {
      check.rejected++;
      hooks.problem({ line: item.line, message: item.message });
      continue;
    }
    const settings = settingsOf(item, base, flags);
    if (typeof settings === 'string') {
      check.rejected++;
      hooks.problem({ line: item.line, message: settings });
      continue;
    }
    const id = identityOf(settings);
    const of = check.firstLine.get(id);
    if (of === undefined) {
      check.firstLine.set(id, item.line);
      continue;
    }
    check.duplicates++;
    hooks.duplicate(item.line, of);
    const tags = item.flags.tags ?? [];
    if (tags.length) check.extraTags.set(id, [...(check.extraTags.get(id) ?? []), ...tags]);
  }
  return check;
}

/** Jobs of the list not in `done` (keys of a resumed file): what this session scans. */
export function pendingCount(check: ListCheck, runId: string, done: ReadonlySet<string>): number {
  if (done.size === 0) return check.firstLine.size;
  let n = 0;
  for (const id of check.firstLine.keys()) if (!done.has(`${id}|${runId}`)) n++;
  return n;
}

/**
 * Second reading: one job per distinct target and options, at its first line, with the tags of its
 * repeats, skipping those `done` holds; made only as the caller asks for the next.
 */
export async function* listJobs(list: ListSource, flags: RawBatchFlags, base: ScanSettings, check: ListCheck, runId: string, done: ReadonlySet<string>): AsyncGenerator<BatchJob> {
  for await (const item of items(list)) {
    if (item.kind === 'problem') continue;
    const settings = settingsOf(item, base, flags);
    if (typeof settings === 'string') continue;
    const id = identityOf(settings);
    // Its first line only (a repeat, or a line the first reading did not see, is no job of its own).
    if (check.firstLine.get(id) !== item.line) continue;
    if (done.has(`${id}|${runId}`)) continue;
    const tags = [...(item.flags.tags ?? []), ...(check.extraTags.get(id) ?? [])];
    yield { ...makeJob(settings.targets[0]!, jobOptions(settings), runId, item.line, tags), settings };
  }
}

/** The whole list in memory, as `batch --queue` takes it (it hands every job to Redis at once). */
export async function readWholeList(list: ListSource, flags: RawBatchFlags, base: ScanSettings): Promise<{ entries: ListEntry[]; problems: InputProblem[] }> {
  const entries: ListEntry[] = [];
  const problems: InputProblem[] = [];
  for await (const item of items(list)) {
    if (item.kind === 'problem') {
      problems.push({ line: item.line, message: item.message });
      continue;
    }
    const settings = settingsOf(item, base, flags);
    if (typeof settings === 'string') problems.push({ line: item.line, message: settings });
    else entries.push({ settings, line: item.line, tags: item.flags.tags ?? [] });
  }
  return { entries, problems };
}
