// `batch --queue … --collect OUT`: wait for the results of a list's job keys and hand each one,
// once, to the sink. Redis keeps every result (secgrade:results); what has been collected is what
// OUT holds, so a collection stopped at any point continues with --collect OUT again (the file is
// read back like --resume's) and takes only the keys still missing.
// A job that failed for good in BullMQ (stalled too often, a bug) gets an error result written
// here, with the same HSETNX as a worker's, so the list always completes and a late worker's
// result cannot add a second line.
import type { Queue } from 'bullmq';
import { jobIdOf } from './payload.js';
import type { QueueStore } from './store.js';

export interface CollectOptions {
  store: QueueStore;
  queue: Queue;
  /** Keys to wait for, in the order lines should be written when several are ready at once. */
  keys: readonly string[];
  signal: AbortSignal;
  pollMs: number;
  /** Awaited before the next line (the sink's back-pressure). */
  onLine(key: string, line: string): Promise<void>;
  /** The error line for a job BullMQ gave up on (by key: made from the collector's own list, not from the job's data). */
  failedLine(key: string, reason: string): Promise<string>;
  /** Called after each poll with what is still missing. */
  onPoll?(missing: number): void;
}

/** How many polls between looks at BullMQ's failed jobs (rarer: that list may be long). */
const FAILED_EVERY_POLLS = 5;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Resolves with the keys still missing (none unless the signal stopped it). */
export async function collectResults(o: CollectOptions): Promise<string[]> {
  const missing = new Set(o.keys);
  for (let poll = 0; missing.size > 0 && !o.signal.aborted; poll++) {
    const found = await o.store.results([...missing]);
    for (const key of o.keys) {
      const line = found.get(key);
      if (line === undefined || !missing.has(key)) continue;
      await o.onLine(key, line);
      missing.delete(key);
    }
    if (missing.size > 0 && poll % FAILED_EVERY_POLLS === 0) await reportFailed(o, missing);
    o.onPoll?.(missing.size);
    if (missing.size > 0) await sleep(o.pollMs, o.signal);
  }
  return [...missing];
}

async function reportFailed(o: CollectOptions, missing: ReadonlySet<string>): Promise<void> {
  const byId = new Map([...missing].map((key) => [jobIdOf(key), key]));
  for (const job of await o.queue.getFailed()) {
    const key = job.id !== undefined ? byId.get(job.id) : undefined;
    if (key === undefined) continue;
    const line = await o.failedLine(key, `worker gave up on the job after ${job.attemptsMade} attempt(s): ${job.failedReason ?? 'unknown reason'}`);
    await o.store.putResult(key, line); // picked up by the next poll, like any result
  }
}
