// `secgrade batch FILE|-` (and `scan --targets FILE`): read the list, make one job per distinct
// target, pick up where --resume's file left off, scan every job in this process under shared
// limits, and write each result as one NDJSON line as it finishes, then the run summary.
import { readFile } from 'node:fs/promises';
import { InputError, parseTargetList, type InputProblem } from '../batch/input.js';
import { dedupeJobs, jobInfo, makeJob, newRunId, type Job } from '../batch/jobs.js';
import { lineTarget, type ResultLine } from '../batch/results-file.js';
import { prepareResume } from '../batch/resume.js';
import { runJobs } from '../batch/run.js';
import { SummaryBuilder, summaryEntry } from '../batch/summary.js';
import { createLimits } from '../engine/limits.js';
import { scanTarget } from '../engine/scan.js';
import type { Report } from '../model/report.js';
import { createDnsRateLimiter } from '../net/dns/rate-limit.js';
import { createResolver } from '../net/dns/resolver.js';
import { sharedDnsCache, type SharedDnsCache } from '../net/dns/shared-cache.js';
import { formatServer } from '../net/dns/types.js';
import { prepareDir, safeFileName, writeFileAtomic } from '../sink/json-files.js';
import { openFileSink, SinkError, streamSink, type LineSink } from '../sink/ndjson.js';
import { entrySettings, jobOptions, parseBatchFlags, type BatchSettings, type RawBatchFlags } from './batch-flags.js';
import { EXIT, exitCodeFor, UsageError, type Gate } from './exit.js';
import { readerGone, type RunIo } from './io.js';
import { parseScanFlags, targetScanOptions, type ScanSettings } from './options.js';
import { runQueuedBatch } from './batch-queue.js';
import { scanContext } from './scan-context.js';
import { startBatchProgress } from './batch-progress.js';

interface BatchJob extends Job {
  settings: ScanSettings;
}

/** Gate messages printed at the end, at most; the rest are counted (the NDJSON has them all). */
const MESSAGES_SHOWN = 10;

async function readSource(source: string, io: RunIo): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of (io.stdin ?? process.stdin) as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (err) {
    throw new UsageError(`${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Each entry of the list with its scan settings, and the lines that could not be read or validated. */
function validateList(text: string, flags: RawBatchFlags, base: ScanSettings): { entries: Array<{ settings: ScanSettings; line: number; tags: string[] }>; problems: InputProblem[] } {
  let parsed;
  try {
    parsed = parseTargetList(text);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  const problems = [...parsed.problems];
  const entries: Array<{ settings: ScanSettings; line: number; tags: string[] }> = [];
  for (const entry of parsed.entries) {
    try {
      entries.push({ settings: entrySettings(entry, base, flags), line: entry.line, tags: entry.flags.tags ?? [] });
    } catch (err) {
      if (err instanceof UsageError) problems.push({ line: entry.line, message: err.message });
      else throw err;
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { entries, problems };
}

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
  const { entries, problems } = validateList(await readSource(source, io), flags, base);
  const say = (line: string): void => void io.stderr.write(`secgrade: ${line}\n`);
  const label = source === '-' ? 'stdin' : source;
  for (const p of problems) say(`${label}:${p.line}: ${p.message}`);
  if (entries.length === 0) throw new UsageError(`no target to scan in ${label}${problems.length ? ` (${problems.length} line(s) rejected)` : ''}`);
  if (flags.queue !== undefined) return runQueuedBatch({ flags, base, batch, entries, problems, label }, io);
  const { trust, reference } = await scanContext(base);
  if (batch.outputDir) {
    try {
      await prepareDir(batch.outputDir);
    } catch (err) {
      throw new UsageError(`--output-dir ${(err as Error).message}`);
    }
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
  runId ??= newRunId();
  const resumed = summary.count;
  const made = entries.map((e): BatchJob => ({ ...makeJob(e.settings.targets[0]!, jobOptions(e.settings), runId, e.line, e.tags), settings: e.settings }));
  const { jobs: distinct, duplicates } = dedupeJobs(made);
  if (!batch.quiet) for (const d of duplicates) say(`${label}:${d.line}: same target and options as line ${d.of}, scanned once`);
  const todo = (distinct as BatchJob[]).filter((j) => !done.has(j.key));

  const sink = await openSink(batch, io);
  // One cache per DNS server (a line's --dns is its own resolver), shared by every target using it.
  const resolvers = new Map<string, SharedDnsCache>();
  // --dns-rate: one limiter for every resolver, keyed by DNS server (lines may share a --dns server).
  const rateLimit = createDnsRateLimiter(batch.dnsRate);
  const resolverFor = (s: ScanSettings): SharedDnsCache => {
    const key = s.dns ? formatServer(s.dns) : 'system';
    let r = resolvers.get(key);
    if (!r) resolvers.set(key, (r = sharedDnsCache(createResolver(s.dns ? { server: s.dns, rateLimit } : { rateLimit }))));
    return r;
  };
  const limits = createLimits({
    // Enough probe slots for every target in flight to progress; the per-host cap is what a server sees.
    concurrency: Math.max(32, 4 * batch.targetsInFlight),
    perHostConnections: batch.maxConnectionsPerHost,
    connectionsPerSecond: batch.rate,
  });

  const progress = await startBatchProgress({ total: todo.length, quiet: batch.quiet, intervalMs: batch.progressIntervalMs, io });
  let result;
  try {
    result = await runJobs({
      jobs: todo,
      targetsInFlight: batch.targetsInFlight,
      signal: io.signal,
      graceMs: batch.graceMs,
      onStart: () => progress.started(),
      scan: (job, signal) =>
        scanTarget(job.target, { ...targetScanOptions(job.settings), resolver: resolverFor(job.settings), trust, reference, signal, limits, onEvent: progress.onEvent }),
      onResult: async (job, report) => {
        const line: ResultLine = { ...report, job: jobInfo(job, runId) };
        // The file first: a batch killed between the two scans the target again and replaces it.
        if (batch.outputDir) await writeFileAtomic(batch.outputDir, `${safeFileName(job.name)}-${job.optionsHash}.json`, JSON.stringify(line, null, 2) + '\n');
        await sink.write(JSON.stringify(line) + '\n');
        account(report, job.name);
        progress.finished(report.status);
      },
    });
  } catch (err) {
    await progress.end(null);
    throw err;
  }

  const final = summary.build(runId, {
    resumed,
    notStarted: result.notStarted,
    rejectedLines: problems.length,
    duplicates: duplicates.length,
  });
  await sink.write(JSON.stringify(final) + '\n');
  await sink.close();
  await progress.end(readerGone(io.stdoutError()) ? null : final);

  // Worst of the targets (3, then 1); an interrupted batch is incomplete; rejected lines are a usage error.
  let code = tally.worst;
  if (result.interrupted || result.notStarted > 0) code = EXIT.incomplete;
  else if (problems.length && code !== EXIT.incomplete) code = EXIT.usage;
  if (readerGone(io.stdoutError())) return code;
  for (const m of tally.messages) say(m);
  if (tally.hidden) say(`… and ${tally.hidden} more (every target's line is in the results)`);
  if (result.interrupted) {
    const where = batch.ndjsonPath ? `; continue with --resume ${batch.ndjsonPath}` : '';
    say(`interrupted: ${result.notStarted} target(s) not started, ${final.byStatus.interrupted} interrupted${where}`);
  }
  if (problems.length) say(`${problems.length} line(s) of the list rejected (see above)`);
  if (!batch.quiet) {
    const statuses = Object.entries(final.byStatus).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    say(`batch done: ${final.total} target(s)${statuses ? ` (${statuses})` : ''}${resumed ? `, ${resumed} from the resumed file` : ''}${batch.ndjsonPath ? `; results in ${batch.ndjsonPath}` : ''}`);
  }
  return code;
}
