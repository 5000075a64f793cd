// `secgrade worker`: a BullMQ Worker over the job runner. Stalled-job recovery is BullMQ's: a job
// whose worker died (its lock not renewed for `lockDurationMs`) is moved back to the queue by any
// other worker's stalled check and run again there; the result is still written once (by key).
// Stopping: close() takes no new job and waits for those running; after `graceMs` their scans are
// aborted and the jobs moved back to the queue (run again elsewhere, nothing written).
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { QUEUE_NAME, type QueueAddress } from './address.js';
import { JobReleased, type JobOutcome } from './process.js';
import { PayloadError } from './payload.js';
import { bullConnection } from './queue.js';

export interface QueueWorkerOptions {
  address: QueueAddress;
  concurrency: number;
  lockDurationMs: number;
  runJob(data: unknown, signal: AbortSignal): Promise<JobOutcome>;
  onOutcome?(outcome: JobOutcome): void;
  onError?(jobId: string | undefined, err: Error): void;
}

export interface RunningWorker {
  /** Stop taking jobs; running ones get `graceMs`, then are released. */
  close(graceMs: number): Promise<void>;
}

export function startQueueWorker(o: QueueWorkerOptions): RunningWorker {
  const release = new AbortController();
  const worker = new Worker(
    QUEUE_NAME,
    async (job, token) => {
      try {
        const outcome = await o.runJob(job.data, release.signal);
        o.onOutcome?.(outcome);
        return outcome.kind;
      } catch (err) {
        // A job that can never be read is not retried: the collector reports it.
        if (err instanceof PayloadError) throw new UnrecoverableError(err.message);
        // Stopped mid-scan: straight back to the queue, without spending one of the job's attempts.
        if (err instanceof JobReleased) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        throw err;
      }
    },
    {
      connection: bullConnection(o.address),
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.lockDurationMs,
      // A job may outlive one dead worker and then another; a third stall fails it (collector reports it).
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, err) => o.onError?.(job?.id, err));
  worker.on('error', (err) => o.onError?.(undefined, err));
  return {
    close: async (graceMs) => {
      const timer = setTimeout(() => release.abort(new Error('worker stopping')), graceMs);
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
