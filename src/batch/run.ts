// The batch scheduler: every job in one process, at most `targetsInFlight` scanning at once (each
// target's probes then share the engine's global and per-host limits). Jobs are taken from their
// source (an array, or a generator reading the list) one at a time as slots free up, so a list of
// 100,000 targets never becomes 100,000 jobs or pending closures. On interruption no new job starts; those in flight get `graceMs` to finish, then their
// own signal aborts and they end as `interrupted` (still written, and scanned again on --resume).
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';

export interface RunJobsOptions<J, R> {
  /** Pulled one at a time, when a slot is free. */
  jobs: Iterable<J> | AsyncIterable<J>;
  /** How many `jobs` holds, for notStarted (default: the array's length). */
  total?: number;
  targetsInFlight: number;
  /** Interruption of the batch (SIGINT/SIGTERM, stdout gone). */
  signal: AbortSignal;
  /** How long targets in flight may still run after an interruption, in ms. */
  graceMs: number;
  scan(job: J, signal: AbortSignal): Promise<R>;
  onStart?(job: J): void;
  /** Awaited before the job's slot is given to the next (the sink's back-pressure reaches the scheduler). */
  onResult(job: J, result: R): Promise<void>;
}

export interface RunJobsResult {
  /** Jobs that started (each got a result). */
  started: number;
  /** Jobs never started because the batch was interrupted. */
  notStarted: number;
  interrupted: boolean;
}

/**
 * Resolves when the queue has a free slot or the signal aborts. Its abort listener goes when the
 * slot comes: racing every job against one long-pending "aborted" promise instead left a reaction
 * on it per job, a batch's only memory that grew with the length of its list.
 */
function slotOrAbort(queue: PQueue, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void queue.onSizeLessThan(1).then(done);
  });
}

export async function runJobs<J, R>(opts: RunJobsOptions<J, R>): Promise<RunJobsResult> {
  const queue = new PQueue({ concurrency: opts.targetsInFlight });
  // The signal the targets in flight see: the interruption, delayed by the grace period.
  const grace = new AbortController();
  // Every target in flight derives its deadline signal from this one: by design, not a leak.
  setMaxListeners(0, grace.signal);
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    queue.clear(); // the one job waiting for a slot does not start
    graceTimer = setTimeout(() => grace.abort(opts.signal.reason), opts.graceMs);
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });

  let started = 0;
  let failure: { error: unknown } | null = null;
  for await (const job of opts.jobs) {
    if (opts.signal.aborted || failure) break;
    void queue.add(async () => {
      if (opts.signal.aborted) return;
      started++;
      opts.onStart?.(job);
      try {
        await opts.onResult(job, await opts.scan(job, grace.signal));
      } catch (error) {
        // A bug (the engine does not throw for a target): stop starting jobs, report it at the end.
        failure ??= { error };
      }
    });
    // Hand over the next job only when a slot is free (at most one waits in the queue).
    await slotOrAbort(queue, opts.signal);
  }
  await queue.onIdle();
  clearTimeout(graceTimer);
  opts.signal.removeEventListener('abort', onAbort);
  if (failure) throw (failure as { error: unknown }).error;
  const total = opts.total ?? (Array.isArray(opts.jobs) ? opts.jobs.length : started);
  return { started, notStarted: Math.max(0, total - started), interrupted: opts.signal.aborted };
}
