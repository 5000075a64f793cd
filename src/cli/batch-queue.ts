// `secgrade batch FILE --queue redis://HOST:PORT/DB [--collect OUT.ndjson]`: the list's jobs go to
// a Redis queue for `secgrade worker`s instead of being scanned here. The queue's metadata (made
// by the first enqueue) fixes its run id — so the same list gives the same job keys and enqueuing
// it again adds nothing — and its address policy (--allow-private), which workers obey.
// --collect then waits for the results and writes them to OUT as a local batch would: one line per
// job, then the summary; run again, it continues where it stopped (OUT is read back as --resume
// reads it) and takes only the keys still missing from Redis.
import type { InputProblem } from '../batch/input.js';
import { dedupeJobs, makeJob, type Job } from '../batch/jobs.js';
import { prepareResume } from '../batch/resume.js';
import { lineTarget, type ResultLine } from '../batch/results-file.js';
import { SummaryBuilder, summaryEntry } from '../batch/summary.js';
import type { Report } from '../model/report.js';
import { openFileSink, SinkError, streamSink, type LineSink } from '../sink/ndjson.js';
import { parseQueueAddress, QueueAddressError } from '../worker/address.js';
import { collectResults } from '../worker/collect.js';
import { toPayload } from '../worker/payload.js';
import { errorLine } from '../worker/process.js';
import { connectRedis, enqueueJobs, openQueue } from '../worker/queue.js';
import { QueueMetaMismatch, QueueStore } from '../worker/store.js';
import { GateTally } from './batch.js';
import { jobOptions, type BatchSettings, type RawBatchFlags } from './batch-flags.js';
import { EXIT, UsageError, type Gate } from './exit.js';
import type { RunIo } from './io.js';
import type { ScanSettings } from './options.js';
import { scanContext } from './scan-context.js';

export interface QueuedBatch {
  flags: RawBatchFlags;
  base: ScanSettings;
  batch: BatchSettings;
  entries: Array<{ settings: ScanSettings; line: number; tags: string[] }>;
  problems: InputProblem[];
  label: string;
}

/** How often --collect looks for new results. */
const POLL_MS = 500;

/** Flags that mean nothing here: the scan runs on the workers, the results go to --collect. */
const NOT_WITH_QUEUE: ReadonlyArray<[keyof RawBatchFlags, string]> = [
  ['output', 'the results go to --collect FILE'],
  ['outputDir', 'the results go to --collect FILE'],
  ['resume', 'run --collect FILE again to continue'],
  ['targetsInFlight', 'workers set theirs (secgrade worker --concurrency)'],
  ['maxConnectionsPerHost', 'workers set theirs (secgrade worker --max-connections-per-host)'],
  ['rate', 'workers set theirs (secgrade worker --rate)'],
  ['grace', 'workers set theirs (secgrade worker --grace)'],
  ['dnsRate', 'workers set theirs (secgrade worker --dns-rate)'],
  ['gentle', 'workers set their limits (secgrade worker --concurrency, --rate, --max-connections-per-host, --dns-rate)'],
  ['caFile', 'trust is the workers\' (secgrade worker --ca-file)'],
  ['ctLogList', 'reference data is the workers\' (secgrade worker --ct-log-list)'],
];

const FLAG_NAMES: Partial<Record<keyof RawBatchFlags, string>> = {
  output: '--output', outputDir: '--output-dir', resume: '--resume', targetsInFlight: '--targets-in-flight',
  maxConnectionsPerHost: '--max-connections-per-host', rate: '--rate', grace: '--grace', dnsRate: '--dns-rate', gentle: '--gentle', caFile: '--ca-file', ctLogList: '--ct-log-list',
};

export async function runQueuedBatch(q: QueuedBatch, io: RunIo): Promise<number> {
  const given = NOT_WITH_QUEUE.find(([key]) => q.flags[key] !== undefined);
  if (given) throw new UsageError(`${FLAG_NAMES[given[0]]} does not apply with --queue: ${given[1]}`);
  let address;
  try {
    address = parseQueueAddress(q.flags.queue!);
  } catch (err) {
    if (err instanceof QueueAddressError) throw new UsageError(`--queue ${err.message}`);
    throw err;
  }
  const say = (line: string): void => void io.stderr.write(`secgrade: ${line}\n`);
  const redis = await connectRedis(address);
  const queue = openQueue(address);
  try {
    const store = new QueueStore(redis);
    let meta;
    try {
      ({ meta } = await store.ensureMeta({ allowPrivate: q.base.allowPrivate }));
    } catch (err) {
      if (err instanceof QueueMetaMismatch) throw new UsageError(`--queue ${address.display} ${err.message}`);
      throw err;
    }
    const runId = meta.runId;
    const made = q.entries.map((e) => makeJob(e.settings.targets[0]!, jobOptions(e.settings), runId, e.line, e.tags));
    const { jobs, duplicates } = dedupeJobs(made);
    if (!q.batch.quiet) for (const d of duplicates) say(`${q.label}:${d.line}: same target and options as line ${d.of}, queued once`);
    const counts = await enqueueJobs(queue, store, jobs, runId);
    if (!q.batch.quiet) say(`queue ${address.display} (run ${runId}): ${counts.added} job(s) added, ${counts.queued} already queued, ${counts.done} already done`);
    const listCode = q.problems.length ? EXIT.usage : EXIT.ok;
    if (q.flags.collect === undefined) {
      if (q.problems.length) say(`${q.problems.length} line(s) of the list rejected (see above)`);
      return listCode;
    }
    return await collect(q, io, { store, queue, runId, keys: jobs.map((j) => j.key), jobs: new Map(jobs.map((j) => [j.key, j])), duplicates: duplicates.length, say });
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

interface CollectContext {
  store: QueueStore;
  queue: ReturnType<typeof openQueue>;
  runId: string;
  keys: string[];
  jobs: ReadonlyMap<string, Job>;
  duplicates: number;
  say(line: string): void;
}

async function openCollectSink(path: string, io: RunIo): Promise<LineSink> {
  if (path === '-') return streamSink(io.stdout, () => io.stdoutError() !== null);
  try {
    return await openFileSink(path, { append: true });
  } catch (err) {
    if (err instanceof SinkError) throw new UsageError(`--collect ${err.message}`);
    throw err;
  }
}

async function collect(q: QueuedBatch, io: RunIo, c: CollectContext): Promise<number> {
  const path = q.flags.collect!;
  const gate: Gate = { failOn: q.base.failOn, failUnder: q.base.failUnder, allowPartial: q.base.allowPartial };
  const tally = new GateTally(gate);
  const summary = new SummaryBuilder();
  const account = (report: Report, target: string): void => {
    summary.add(summaryEntry(report, target));
    tally.add(report, target);
  };
  let done = new Set<string>();
  if (path !== '-') {
    try {
      const state = await prepareResume(path, (r: ResultLine) => account(r, lineTarget(r)));
      if (state.runId !== null && state.runId !== c.runId) throw new UsageError(`--collect ${path} holds the results of run ${state.runId}, not of this queue's run ${c.runId}: collect into another file`);
      done = state.done;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--collect ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const resumed = summary.count;
  const wanted = c.keys.filter((k) => !done.has(k));
  const sink = await openCollectSink(path, io);
  const { trust, reference } = await scanContext(q.base);
  let lastNote = Date.now();
  let missing: string[];
  try {
    missing = await collectResults({
      store: c.store,
      queue: c.queue,
      keys: wanted,
      signal: io.signal,
      pollMs: POLL_MS,
      onLine: async (_key, line) => {
        await sink.write(line + '\n');
        const report = JSON.parse(line) as ResultLine;
        account(report, lineTarget(report));
      },
      failedLine: (key, reason) => errorLine({ trust, reference }, toPayload(c.jobs.get(key)!, c.runId), reason),
      onPoll: (left) => {
        if (q.batch.quiet || left === 0 || Date.now() - lastNote < q.batch.progressIntervalMs) return;
        lastNote = Date.now();
        c.say(`collected ${c.keys.length - left}/${c.keys.length}, waiting for ${left} result(s) from the workers`);
      },
    });
  } catch (err) {
    await sink.close();
    throw err;
  }
  const final = summary.build(c.runId, { resumed, notStarted: missing.length, rejectedLines: q.problems.length, duplicates: c.duplicates });
  await sink.write(JSON.stringify(final) + '\n');
  await sink.close();

  let code = tally.worst;
  if (missing.length > 0) code = EXIT.incomplete;
  else if (q.problems.length && code !== EXIT.incomplete) code = EXIT.usage;
  for (const m of tally.messages) c.say(m);
  if (tally.hidden) c.say(`… and ${tally.hidden} more (every target's line is in the results)`);
  if (missing.length > 0) c.say(`interrupted: ${missing.length} result(s) not collected yet (the jobs stay queued); continue with --collect ${path}`);
  if (q.problems.length) c.say(`${q.problems.length} line(s) of the list rejected (see above)`);
  if (!q.batch.quiet) c.say(`collect done: ${final.total} target(s)${resumed ? `, ${resumed} from the resumed file` : ''}; results in ${path === '-' ? 'stdout' : path}`);
  return code;
}
