// The BullMQ side: connecting, enqueuing jobs by key, and the job options every job gets.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Job } from '../batch/jobs.js';
import { QUEUE_NAME, type QueueAddress } from './address.js';
import { JOB_NAME, jobIdOf, toPayload } from './payload.js';
import { QueueStore } from './store.js';

export class QueueUnavailable extends Error {
  override name = 'QueueUnavailable';
}

const CONNECT_TIMEOUT_MS = 5_000;
/** Jobs added per round trip. */
const ADD_CHUNK = 500;

/**
 * What every job is added with. A job fails only when a worker was stopped mid-scan (it is
 * released) or on a bug: it is tried again; results are kept in secgrade:results, so completed
 * jobs need not stay in BullMQ; failed ones stay for the collector to report.
 */
export const JOB_OPTIONS = { attempts: 3, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: true, removeOnFail: false } as const;

/** A Redis client that has answered a PING (a wrong address fails here, in one line). */
export async function connectRedis(address: QueueAddress): Promise<Redis> {
  const redis = new Redis({ ...address.connection, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 2 });
  // Reported by the commands that fail, not as an unhandled event; the first one names the cause.
  let first: NodeJS.ErrnoException | null = null;
  redis.on('error', (err: NodeJS.ErrnoException) => void (first ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS))),
    ]);
  } catch (err) {
    redis.disconnect();
    const e = first ?? (err as NodeJS.ErrnoException);
    throw new QueueUnavailable(`cannot reach the queue at ${address.display}: ${e.code ?? e.message}`);
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** BullMQ's own connections need `maxRetriesPerRequest: null` (its blocking commands wait). */
export const bullConnection = (address: QueueAddress) => ({ ...address.connection, maxRetriesPerRequest: null });

export function openQueue(address: QueueAddress): Queue {
  return new Queue(QUEUE_NAME, { connection: bullConnection(address) });
}

export interface EnqueueResult {
  /** Jobs this call added to the queue. */
  added: number;
  /** Jobs already queued (or running) by an earlier enqueue. */
  queued: number;
  /** Jobs whose result is already in Redis: not queued again. */
  done: number;
}

/**
 * One job per key, id = the key (percent-encoded): adding a key that is queued is a no-op in
 * BullMQ, and a key that has a result is not added, so enqueuing the same list twice duplicates
 * nothing. Keys are recorded after their job exists, so the count of new ones is exact.
 */
export async function enqueueJobs(queue: Queue, store: QueueStore, jobs: readonly Job[], runId: string): Promise<EnqueueResult> {
  const withResult = await store.withResults(jobs.map((j) => j.key));
  const todo = jobs.filter((j) => !withResult.has(j.key));
  let added = 0;
  for (let i = 0; i < todo.length; i += ADD_CHUNK) {
    const part = todo.slice(i, i + ADD_CHUNK);
    await queue.addBulk(part.map((j) => ({ name: JOB_NAME, data: toPayload(j, runId), opts: { ...JOB_OPTIONS, jobId: jobIdOf(j.key) } })));
    added += await store.addKeys(part.map((j) => j.key));
  }
  return { added, queued: todo.length - added, done: withResult.size };
}
