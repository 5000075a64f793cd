// `secgrade batch FILE|-` (and `scan --targets FILE`): check the list, make one job per distinct
// target, pick up where --resume's file left off, scan every job in this process under shared
// limits, and write each result as one NDJSON line as it finishes, then the run summary. The list
// is streamed (batch-list.ts): memory does not grow with its length.
import { access, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { jobInfo, newRunId } from '../batch/jobs.js';
import { lineTarget, type ResultLine } from '../batch/results-file.js';
import { prepareResume } from '../batch/resume.js';
import { runJobs } from '../batch/run.js';
import { SummaryBuilder, summaryEntry } from '../batch/summary.js';
import { createLimits } from '../engine/limits.js';
import { createRunEngine } from '../engine/run.js';
import type { Report } from '../model/report.js';
import { createDnsRateLimiter } from '../net/dns/rate-limit.js';
import { prepareDir, safeFileName, writeFileAtomic } from '../sink/json-files.js';
import { openFileSink, SinkError, streamSink, type LineSink } from '../sink/ndjson.js';
import { parseBatchFlags, type BatchSettings, type RawBatchFlags } from './batch-flags.js';
import { checkList, listJobs, openList, pendingCount, readWholeList, type BatchJob, type ListSource } from './batch-list.js';
import { EXIT, exitCodeFor, UsageError, type Gate } from './exit.js';
import { readerGone, type RunIo } from './io.js';
import { parseScanFlags, renderOptionsOf, targetScanOptions, type ScanSettings } from './options.js';
import { renderResultsFile } from './render.js';
import { scanContext } from './scan-context.js';
import { openCliStore } from './store-flag.js';
import { startBatchProgress, type BatchProgressView } from './batch-progress.js';
import { scanThreadsAvailable, startScanThreads } from './batch-threads.js';
import { toPayload } from '../worker/payload.js';
import type { ReferenceData } from '../data/reference.js';
import type { TrustStore } from '../trust/store.js';
import { startHeapBudget } from './heap-budget.js';

/** Gate messages printed at the end, at most; the rest are counted (the NDJSON has them all). */
const MESSAGES_SHOWN = 10;

/** Exit code of the whole batch: the worst of its targets, as `scan` derives it for one. */
export class GateTally {
  private code: number = EXIT.ok;
  readonly messages: string[] = [];
  hidden = 0;
  constructor(private readonly gate: Gate) {}
  /** `name`: the target as listed, for the messages (the report's host alone is ambiguous in a list). */
  add(report: Report, name: string): void {
    const { code, messages } = exitCodeFor([report], this.gate, () => name);
    if (code === EXIT.incomplete || (code === EXIT.failed && this.code === EXIT.ok)) this.code = code;
    for (const m of messages) {
      if (this.messages.length < MESSAGES_SHOWN) this.messages.push(m);
      else this.hidden++;
    }
  }
  get worst(): number {
    return this.code;
  }
}

async function openSink(batch: BatchSettings, io: RunIo): Promise<LineSink> {
  if (!batch.ndjsonPath) return streamSink(io.stdout, () => io.stdoutError() !== null);
  try {
    return await openFileSink(batch.ndjsonPath, { append: batch.resume });
  } catch (err) {
    if (err instanceof SinkError) throw new UsageError(`${batch.resume ? '--resume' : '--output'} ${err.message}`);
    throw err;
  }
}

export async function runBatch(source: string, flags: RawBatchFlags, io: RunIo): Promise<number> {
  // Everything the user can get wrong is found before the first connection.
  const base = parseScanFlags([], flags, false);
  const batch = parseBatchFlags(flags);
  const list = await openList(source, io);
  const heap = startHeapBudget();
  try {
    return await runList(list, flags, base, batch, io);
  } finally {
    heap.stop();
    await list.dispose();
  }
}

const noTarget = (label: string, rejected: number): UsageError =>
  new UsageError(`no target to scan in ${label}${rejected ? ` (${rejected} line(s) rejected)` : ''}`);

async function runList(list: ListSource, flags: RawBatchFlags, base: ScanSettings, batch: BatchSettings, io: RunIo): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`secgrade: ${line}\n`);
  const label = list.label;
  if (flags.queue !== undefined) {
    const { entries, problems } = await readWholeList(list, flags, base);
    for (const p of problems) say(`${label}:${p.line}: ${p.message}`);
    if (entries.length === 0) throw noTarget(label, problems.length);
    // Loaded only here: BullMQ and ioredis cost every other command's start-up.
    return (await import('./batch-queue.js')).runQueuedBatch({ flags, base, batch, entries, problems, label }, io);
  }
  // Bad lines and repeats are told as the list is read, before anything is scanned.
  const check = await checkList(list, flags, base, {
    problem: (p) => say(`${label}:${p.line}: ${p.message}`),
    duplicate: (line, of) => void (batch.quiet || say(`${label}:${line}: same target and options as line ${of}, scanned once`)),
  });
  if (check.firstLine.size === 0) throw noTarget(label, check.rejected);
  const { trust, reference } = await scanContext(base);
  if (batch.outputDir) {
    try {
      await prepareDir(batch.outputDir);
    } catch (err) {
      throw new UsageError(`--output-dir ${(err as Error).message}`);
    }
  }

  // A --report that cannot be written is found now, not after an hour of scanning.
  for (const { path } of batch.reports) {
    await access(dirname(resolve(path)), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--report ${path}: ${err.code ?? err.message}`);
    });
  }

  const gate: Gate = { failOn: base.failOn, failUnder: base.failUnder, allowPartial: base.allowPartial };
  const tally = new GateTally(gate);
  const summary = new SummaryBuilder();
  const account = (report: Report, target: string): void => {
    summary.add(summaryEntry(report, target));
    tally.add(report, target);
  };

  // --resume: what the file already holds counts as done (and in the summary and exit code).
  let runId: string | null = null;
  let done = new Set<string>();
  if (batch.resume && batch.ndjsonPath) {
    try {
      const state = await prepareResume(batch.ndjsonPath, (r) => account(r, lineTarget(r)));
      runId = state.runId;
      done = state.done;
      if (!batch.quiet && state.dropped) say(`${batch.ndjsonPath}: ${state.dropped} line(s) removed to be scanned again (torn, interrupted, partial or summary)`);
    } catch (err) {
      throw new UsageError(`--resume ${batch.ndjsonPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const id = (runId ??= newRunId());
  const resumed = summary.count;
  const total = pendingCount(check, id, done);

  // --store: opened before the first scan, so a store named wrong is a usage error with nothing scanned.
  const history = base.store ? await openCliStore(base.store) : null;
  let storeFailed = false;
  const sink = await openSink(batch, io).catch(async (err: unknown) => {
    await history?.close().catch(() => undefined);
    throw err;
  });
  const progress = await startBatchProgress({ total, quiet: batch.quiet, intervalMs: batch.progressIntervalMs, io });
  // Enough probe slots for every target in flight to progress; the per-host cap is what a server sees.
  const limitsConcurrency = Math.max(32, 4 * batch.targetsInFlight);

  const scan = batchScanner(batch, base, limitsConcurrency, progress, { trust, reference });
  let result;
  try {
    result = await runJobs({
      // Each job is made from its line only when a slot is free for it.
      jobs: listJobs(list, flags, base, check, id, done),
      total,
      targetsInFlight: batch.targetsInFlight,
      signal: io.signal,
      graceMs: batch.graceMs,
      onStart: () => progress.started(),
      scan: (job, signal) => scan.run(job, id, signal),
      onResult: async (job, report) => {
        const line: ResultLine = { ...report, job: jobInfo(job, id) };
        // The file first: a batch killed between the two scans the target again and replaces it.
        if (batch.outputDir) await writeFileAtomic(batch.outputDir, `${safeFileName(job.name)}-${job.optionsHash}.json`, JSON.stringify(line, null, 2) + '\n');
        await sink.write(JSON.stringify(line) + '\n');
        // The NDJSON is the durable record; a store that fails is said once and ends the run with exit 3.
        if (history && !storeFailed) {
          try {
            await history.saveReport(line, { runId: id, source: 'batch' });
          } catch (err) {
            storeFailed = true;
            say(`--store: reports not saved from ${job.name} on: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        account(report, job.name);
        progress.finished(report.status);
      },
    });
  } catch (err) {
    await progress.end(null);
    throw err;
  } finally {
    await scan.close();
    await history?.close().catch(() => undefined);
  }

  const final = summary.build(id, {
    resumed,
    notStarted: result.notStarted,
    rejectedLines: check.rejected,
    duplicates: check.duplicates,
  });
  await sink.write(JSON.stringify(final) + '\n');
  await sink.close();
  await progress.end(readerGone(io.stdoutError()) ? null : final);
  // --report: the whole batch (what is complete of it, when interrupted) in each file's format.
  let reportFailed = false;
  for (const { path, renderer } of batch.reports) {
    if (!batch.ndjsonPath) break;
    try {
      await renderResultsFile(batch.ndjsonPath, renderer, renderOptionsOf(base, { color: false, width: 80 }), path, io);
      if (!batch.quiet) say(`report: ${path} (${renderer.id})`);
    } catch (err) {
      reportFailed = true;
      say(`--report ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  // Worst of the targets (3, then 1); an interrupted batch is incomplete; rejected lines are a usage error.
  let code = tally.worst;
  if (result.interrupted || result.notStarted > 0 || storeFailed || reportFailed) code = EXIT.incomplete;
  else if (check.rejected && code !== EXIT.incomplete) code = EXIT.usage;
  if (readerGone(io.stdoutError())) return code;
  for (const m of tally.messages) say(m);
  if (tally.hidden) say(`… and ${tally.hidden} more (every target's line is in the results)`);
  if (result.interrupted) {
    const where = batch.ndjsonPath ? `; continue with --resume ${batch.ndjsonPath}` : '';
    say(`interrupted: ${result.notStarted} target(s) not started, ${final.byStatus.interrupted} interrupted${where}`);
  }
  if (check.rejected) say(`${check.rejected} line(s) of the list rejected (see above)`);
  if (!batch.quiet) {
    const statuses = Object.entries(final.byStatus).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    say(`batch done: ${final.total} target(s)${statuses ? ` (${statuses})` : ''}${resumed ? `, ${resumed} from the resumed file` : ''}${batch.ndjsonPath ? `; results in ${batch.ndjsonPath}` : ''}`);
  }
  return code;
}

interface BatchScanner {
  run(job: BatchJob, runId: string, signal: AbortSignal): Promise<Report>;
  close(): Promise<void>;
}

/**
 * Where the jobs are scanned: on this thread, or on --threads scan threads. Either way every target
 * shares the limits (split between threads), one DNS cache per DNS server (a line's --dns is its
 * own) under one --dns-rate, and one examination of an MX host many domains name.
 */
function batchScanner(
  batch: BatchSettings,
  base: ScanSettings,
  concurrency: number,
  progress: BatchProgressView,
  context: { trust: TrustStore; reference: ReferenceData },
): BatchScanner {
  if (batch.threads > 1 && scanThreadsAvailable()) {
    const threads = startScanThreads({
      threads: batch.threads,
      caFile: base.caFile,
      ctLogListPath: base.ctLogListPath,
      concurrency,
      perHostConnections: batch.maxConnectionsPerHost,
      connectionsPerSecond: batch.rate,
      dnsRate: batch.dnsRate,
      onEvent: progress.onEvent,
      onBackoff: progress.hostBackoff,
    });
    return { run: (job, runId, signal) => threads.scan(toPayload(job, runId), job.options.allowPrivate, signal), close: () => threads.close() };
  }
  const limits = createLimits({ concurrency, perHostConnections: batch.maxConnectionsPerHost, connectionsPerSecond: batch.rate, onBackoff: progress.hostBackoff });
  const engine = createRunEngine({ ...context, limits, dnsRate: createDnsRateLimiter(batch.dnsRate) });
  return {
    run: (job, _runId, signal) => engine.scan(job.target, { ...targetScanOptions(job.settings), dns: job.settings.dns, signal, onEvent: progress.onEvent }),
    close: async () => undefined,
  };
}
