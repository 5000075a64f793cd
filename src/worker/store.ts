// What secgrade keeps in Redis beside BullMQ's own keys (same db, prefix `secgrade:`):
//   secgrade:meta     the queue's settings, one JSON string written once (SET NX): run id and the
//                     address policy's allow-list. Workers read the policy from here, never from
//                     their own flags.
//   secgrade:results  hash, job key → the result's NDJSON line. Written with HSETNX, so the first
//                     result for a key wins and a job run twice (a stalled worker) still has one.
//   secgrade:keys     set of the job keys ever enqueued (counts what an enqueue added).
//   secgrade:abandoned  set of the monitor's job keys it stopped waiting for: their late results
//                     are removed by the next sweep (a monitor takes its results out of Redis).
import type { Redis } from 'ioredis';
import { newRunId } from '../batch/jobs.js';

const META = 'secgrade:meta';
const RESULTS = 'secgrade:results';
const KEYS = 'secgrade:keys';
const ABANDONED = 'secgrade:abandoned';
/** Keys per round trip when reading or writing many. */
const CHUNK = 1000;

export interface QueueMeta {
  v: 1;
  /** Run id of every job key on this queue, so enqueuing the same list again gives the same keys. */
  runId: string;
  /** Jobs may reach loopback, private, link-local and metadata addresses. */
  allowPrivate: boolean;
  createdAt: string;
}

export class QueueMetaMismatch extends Error {
  override name = 'QueueMetaMismatch';
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function parseMeta(raw: string | null): QueueMeta | null {
  if (raw === null) return null;
  try {
    const m = JSON.parse(raw) as Partial<QueueMeta>;
    if (m.v === 1 && typeof m.runId === 'string' && typeof m.allowPrivate === 'boolean' && typeof m.createdAt === 'string') return m as QueueMeta;
  } catch {
    // fall through: unreadable metadata allows nothing
  }
  return null;
}

export class QueueStore {
  constructor(readonly redis: Redis) {}

  /** The queue's settings, or null when no batch created it (or they are unreadable: nothing is allowed). */
  async meta(): Promise<QueueMeta | null> {
    return parseMeta(await this.redis.get(META));
  }

  /**
   * The queue's settings, created with `wanted` if the queue has none. A queue made with another
   * allow-list is refused: the policy of jobs already queued must not change under them.
   */
  async ensureMeta(wanted: { allowPrivate: boolean }): Promise<{ meta: QueueMeta; created: boolean }> {
    const fresh: QueueMeta = { v: 1, runId: newRunId(), allowPrivate: wanted.allowPrivate, createdAt: new Date().toISOString() };
    const created = (await this.redis.set(META, JSON.stringify(fresh), 'NX')) === 'OK';
    const meta = created ? fresh : await this.meta();
    if (!meta) throw new QueueMetaMismatch(`its ${META} key is not secgrade's queue metadata (use another database)`);
    if (meta.allowPrivate !== wanted.allowPrivate) {
      throw new QueueMetaMismatch(
        meta.allowPrivate
          ? 'was created with --allow-private: give it here too, or use another database for a queue without it'
          : 'was created without --allow-private, which cannot be added to queued jobs: use another database (redis://HOST:PORT/N)',
      );
    }
    return { meta, created };
  }

  /** Write a job's result unless one is there: true when this call wrote it. */
  async putResult(key: string, line: string): Promise<boolean> {
    return (await this.redis.hsetnx(RESULTS, key, line)) === 1;
  }

  async hasResult(key: string): Promise<boolean> {
    return (await this.redis.hexists(RESULTS, key)) === 1;
  }

  /** Which of `keys` have a result (without reading the results). */
  async withResults(keys: readonly string[]): Promise<Set<string>> {
    const have = new Set<string>();
    for (const part of chunks(keys)) {
      const pipe = this.redis.pipeline();
      for (const k of part) pipe.hexists(RESULTS, k);
      const replies = (await pipe.exec()) ?? [];
      part.forEach((k, i) => replies[i]?.[1] === 1 && have.add(k));
    }
    return have;
  }

  /** The results there are for `keys`, by key. */
  async results(keys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(keys)) {
      const values = await this.redis.hmget(RESULTS, ...part);
      part.forEach((k, i) => {
        const v = values[i];
        if (typeof v === 'string') out.set(k, v);
      });
    }
    return out;
  }

  /** Remove these jobs' results and keys (the monitor took them: the queue is not its archive). */
  async forget(keys: readonly string[]): Promise<void> {
    for (const part of chunks(keys)) await this.redis.multi().hdel(RESULTS, ...part).srem(KEYS, ...part).exec();
  }

  /** A job whose result nobody will read: forgotten by sweepAbandoned once the result is there. */
  async abandon(key: string): Promise<void> {
    await this.redis.sadd(ABANDONED, key);
  }

  /** Forget the abandoned jobs that have a result by now. */
  async sweepAbandoned(): Promise<void> {
    const keys = await this.redis.smembers(ABANDONED);
    if (keys.length === 0) return;
    const done = [...(await this.withResults(keys))];
    if (done.length === 0) return;
    await this.forget(done);
    for (const part of chunks(done)) await this.redis.srem(ABANDONED, ...part);
  }

  /** Record keys as enqueued; returns how many were new. */
  async addKeys(keys: readonly string[]): Promise<number> {
    let added = 0;
    for (const part of chunks(keys)) added += await this.redis.sadd(KEYS, ...part);
    return added;
  }
}
