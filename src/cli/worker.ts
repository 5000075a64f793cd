// `secgrade worker --queue redis://HOST:PORT/DB`: run the queue's jobs with the batch's engine until
// SIGINT/SIGTERM, writing each result to Redis once. A worker is a service: it has no
// --allow-private; the address policy it applies is the queue's (set by the batch that created it).
import { Command } from 'commander';
import { createLimits } from '../engine/limits.js';
import { createDnsRateLimiter } from '../net/dns/rate-limit.js';
import { parseQueueAddress, QueueAddressError } from '../worker/address.js';
import { BATCH_DEFAULTS } from './batch-flags.js';
import { EXIT, UsageError } from './exit.js';
import type { RunIo } from './io.js';
import { scanContext } from './scan-context.js';
import { openCliStore } from './store-flag.js';
import { startHeapBudget } from './heap-budget.js';

export interface RawWorkerFlags {
  queue?: string;
  concurrency?: string;
  maxConnectionsPerHost?: string;
  rate?: string;
  dnsRate?: string;
  grace?: string;
  lockDuration?: string;
  caFile?: string;
  ctLogList?: string;
  store?: string;
  quiet?: boolean;
}

export const WORKER_DEFAULTS = {
  /** Jobs (targets) run at once by one worker. */
  concurrency: 4,
  /** A job whose worker stopped renewing its lock this long ago is handed to another worker. */
  lockDurationMs: 30_000,
} as const;

export function addWorkerFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--queue <redis-url>', 'the queue to take jobs from (redis://HOST:PORT/DB)')
    .option('--concurrency <n>', `jobs run at once (default ${WORKER_DEFAULTS.concurrency})`)
    .option('--max-connections-per-host <n>', `connections open at once to one IP address (default ${BATCH_DEFAULTS.maxConnectionsPerHost})`)
    .option('--rate <n>', `new connections per second, 0 for no cap (default ${BATCH_DEFAULTS.rate})`)
    .option('--dns-rate <n>', `DNS queries per second to each DNS server, 0 for no cap (default ${BATCH_DEFAULTS.dnsRate})`)
    .option('--grace <ms>', `on SIGINT/SIGTERM, how long running jobs may finish before they go back to the queue (default ${BATCH_DEFAULTS.graceMs})`)
    .option('--lock-duration <ms>', `a dead worker's jobs go to another worker after about this long (default ${WORKER_DEFAULTS.lockDurationMs})`)
    .option('--ca-file <pem>', 'extra trust anchors (PEM) beside the Mozilla roots')
    .option('--ct-log-list <file>', 'CT log list (Google v3 JSON) to use instead of the shipped/updated one')
    .option('--store <path|url>', 'also save each result in this history store (SQLite file or postgres:// URL), once per job key')
    .option('--quiet', 'no line per job on stderr (errors still)');
}

function whole(raw: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`${flag} "${raw}" must be a whole number between ${min} and ${max}`);
  return Number(raw);
}

export async function runWorker(flags: RawWorkerFlags, io: RunIo): Promise<number> {
  let address;
  try {
    address = parseQueueAddress(flags.queue ?? '');
  } catch (err) {
    if (err instanceof QueueAddressError) throw new UsageError(`--queue ${err.message}`);
    throw err;
  }
  const concurrency = whole(flags.concurrency, '--concurrency', 1, 1000, WORKER_DEFAULTS.concurrency);
  const perHost = whole(flags.maxConnectionsPerHost, '--max-connections-per-host', 1, 64, BATCH_DEFAULTS.maxConnectionsPerHost);
  const graceMs = whole(flags.grace, '--grace', 0, 600_000, BATCH_DEFAULTS.graceMs);
  const lockDurationMs = whole(flags.lockDuration, '--lock-duration', 500, 600_000, WORKER_DEFAULTS.lockDurationMs);
  let rate: number = BATCH_DEFAULTS.rate;
  if (flags.rate !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(flags.rate) || Number(flags.rate) > 100_000) throw new UsageError(`--rate "${flags.rate}" must be a number of connections per second (0 for no cap, at most 100000)`);
    rate = Number(flags.rate);
  }
  let dnsRate: number = BATCH_DEFAULTS.dnsRate;
  if (flags.dnsRate !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(flags.dnsRate) || Number(flags.dnsRate) > 100_000) throw new UsageError(`--dns-rate "${flags.dnsRate}" must be a number of DNS queries per second (0 for no cap, at most 100000)`);
    dnsRate = Number(flags.dnsRate);
  }
  const { trust, reference } = await scanContext({ caFile: flags.caFile ?? null, ctLogListPath: flags.ctLogList ?? null });
  const say = (line: string): void => void io.stderr.write(`secgrade: worker: ${line}\n`);

  // Loaded only by this command: BullMQ and ioredis cost every other command's start-up.
  const [{ createJobRunner }, { connectRedis }, { QueueStore }, { startQueueWorker }] = await Promise.all([
    import('../worker/process.js'),
    import('../worker/queue.js'),
    import('../worker/store.js'),
    import('../worker/worker.js'),
  ]);
  // Opened before the queue: a store that cannot be used stops the worker before it takes a job.
  const history = flags.store !== undefined ? await openCliStore(flags.store) : null;
  let redis;
  try {
    redis = await connectRedis(address);
  } catch (err) {
    await history?.close();
    throw err;
  }
  const store = new QueueStore(redis);
  const runJob = createJobRunner({
    store,
    history,
    trust,
    reference,
    dnsRate: createDnsRateLimiter(dnsRate),
    limits: createLimits({ concurrency: Math.max(32, 4 * concurrency), perHostConnections: perHost, connectionsPerSecond: rate }),
  });
  const worker = startQueueWorker({
    address,
    concurrency,
    lockDurationMs,
    runJob,
    onOutcome: (o) => {
      if (flags.quiet) return;
      if (o.kind === 'already-done') say(`${o.key}: already done, skipped`);
      else say(`${o.info.input}: ${o.report.status}${o.report.reason ? ` (${o.report.reason})` : ''}, grade ${o.report.grades.overall ?? 'none'}${o.kind === 'duplicate' ? '; another run of this job wrote first, this result dropped' : ''}`);
    },
    onError: (jobId, err) => say(`${jobId ? `job ${decodeURIComponent(jobId)}: ` : ''}${err.message.split('\n')[0]}`),
  });
  const heap = startHeapBudget();
  if (!flags.quiet) say(`taking jobs from ${address.display}, ${concurrency} at once${history ? `; results also saved to ${history.location}` : ''}`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  if (!flags.quiet) say(`stopping: no new job; running ones get ${graceMs} ms, then go back to the queue`);
  try {
    await worker.close(graceMs);
  } finally {
    heap.stop();
    redis.disconnect();
    await history?.close();
  }
  return EXIT.ok;
}
