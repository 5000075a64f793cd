// `secgrade monitor --queue redis://…`: one scheduler, many workers. Each monitored run becomes one
// queued job under a key of its own (target, options, a fresh run id: a schedule's runs are new
// scans, never "already done"), the monitor waits for its result in Redis, takes it and removes it
// (the monitor's history store keeps the report; the queue is not an archive). A run nobody takes
// within the wait is an error report (the scan-failing rule counts it), and its job is withdrawn.
import type { ReferenceData } from '../data/reference.js';
import { makeJob, newRunId, type Job, type JobOptions } from '../batch/jobs.js';
import { scanTarget } from '../engine/scan.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import { createResolver } from '../net/dns/resolver.js';
import type { TrustStore } from '../trust/store.js';
import type { QueueAddress } from './address.js';
import { collectResults } from './collect.js';
import { jobIdOf, toPayload } from './payload.js';
import { errorLine } from './process.js';
import { connectRedis, enqueueJobs, openQueue } from './queue.js';
import { QueueStore } from './store.js';

export interface QueuedScanner {
  scan(target: Target, options: JobOptions, signal: AbortSignal): Promise<Report>;
  close(): Promise<void>;
}

export interface QueuedScannerOptions {
  address: QueueAddress;
  /** The queue's address policy (a queue made with another one is refused: QueueMetaMismatch). */
  allowPrivate: boolean;
  trust: TrustStore;
  reference: ReferenceData;
  /** How long a run waits for a worker past its own scan deadline, in ms. */
  waitMs: number;
  pollMs?: number;
}

/** Connects and checks the queue's metadata (a wrong address or policy fails here, before any run). */
export async function openQueuedScanner(o: QueuedScannerOptions): Promise<QueuedScanner> {
  const redis = await connectRedis(o.address);
  const queue = openQueue(o.address);
  const store = new QueueStore(redis);
  try {
    await store.ensureMeta({ allowPrivate: o.allowPrivate });
  } catch (err) {
    await queue.close();
    redis.disconnect();
    throw err;
  }
  const ctx = { trust: o.trust, reference: o.reference };

  /** A report for a run that got no result: made by the engine from a refusal, nothing is connected to. */
  const noResult = async (job: Job, runId: string, reason: string, interrupted: boolean): Promise<Report> => {
    if (!interrupted) return JSON.parse(await errorLine(ctx, toPayload(job, runId), reason)) as Report;
    const stopped = new AbortController();
    stopped.abort();
    return scanTarget(job.target, { resolver: createResolver({}), trust: o.trust, reference: o.reference, refusal: reason, signal: stopped.signal, timeoutMs: job.options.timeoutMs });
  };

  return {
    async scan(target, options, signal) {
      await store.sweepAbandoned();
      const runId = newRunId();
      const job = makeJob(target, options, runId, 0, ['monitor']);
      await enqueueJobs(queue, store, [job], runId);
      const waited = new AbortController();
      const timer = setTimeout(() => waited.abort(), options.timeoutMs + o.waitMs);
      const stop = (): void => waited.abort();
      signal.addEventListener('abort', stop, { once: true });
      let line: string | null = null;
      try {
        await collectResults({
          store,
          queue,
          keys: [job.key],
          signal: waited.signal,
          pollMs: o.pollMs ?? 500,
          onLine: async (_key, l) => void (line = l),
          failedLine: (_key, reason) => errorLine(ctx, toPayload(job, runId), reason),
        });
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
      }
      if (line !== null) {
        await store.forget([job.key]);
        return JSON.parse(line) as Report;
      }
      // Not taken (or not finished) in time: withdraw the job if it is still waiting; one a worker
      // is running cannot be removed (BullMQ answers 0), and its late result is forgotten by a later sweep.
      const removed = await queue.remove(jobIdOf(job.key)).catch(() => 0);
      if (removed === 1) await store.forget([job.key]);
      else await store.abandon(job.key);
      const waitedS = Math.round((options.timeoutMs + o.waitMs) / 1000);
      return noResult(job, runId, signal.aborted ? 'monitor stopped before a worker returned the result' : `no worker returned a result within ${waitedS} s (queue ${o.address.display})`, signal.aborted);
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
