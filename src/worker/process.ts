// One queued job, run with the engine `batch` uses (scanTarget under shared limits, one DNS cache
// per resolver), its result written to Redis exactly once by job key. The worker is a service:
// the address policy applies to the target itself, to its --dns server and to everything the scan
// is led to, unless the queue's own metadata allows private addresses.
import type { ReferenceData } from '../data/reference.js';
import type { Limits } from '../engine/limits.js';
import { scanTarget } from '../engine/scan.js';
import { createRunEngine } from '../engine/run.js';
import type { Report } from '../model/report.js';
import { addressClass } from '../net/address-policy.js';
import type { DnsRateLimiter } from '../net/dns/rate-limit.js';
import { createResolver } from '../net/dns/resolver.js';
import { formatServer, type DnsServerAddress } from '../net/dns/types.js';
import type { Store } from '../store/types.js';
import type { TrustStore } from '../trust/store.js';
import { decodePayload, jobScanOptions, type DecodedJob, type JobPayload } from './payload.js';
import type { QueueStore } from './store.js';

/** What the refusals tell the reader: the allow-list is the queue's, set when it was created. */
export const QUEUE_ALLOW_HINT = 'this queue was created without --allow-private';

export interface WorkerEngine {
  store: QueueStore;
  trust: TrustStore;
  reference: ReferenceData;
  limits: Limits;
  /** DNS queries per second to each DNS server (null: no cap). */
  dnsRate: DnsRateLimiter | null;
  /** --store: each job's result also goes to the history store, once by job key. */
  history?: Store | null;
}

/**
 * The job's result as Redis holds it (the first one written wins there) saved in the history store
 * under the job key: saving again is a no-op, so a job retried after a store failure, or handed to
 * another worker, still ends up there once, with the same result as the queue's.
 */
async function saveToHistory(engine: WorkerEngine, info: DecodedJob['info'], ours: Report | null): Promise<void> {
  if (!engine.history) return;
  let report = ours;
  if (!report) {
    const line = (await engine.store.results([info.key])).get(info.key);
    if (line === undefined) return;
    report = JSON.parse(line) as Report;
  }
  await engine.history.saveReport(report, { runId: info.runId, source: 'worker', jobKey: info.key });
}

export type JobOutcome =
  | { kind: 'written'; report: Report; info: DecodedJob['info'] }
  /** Another run of the job (a worker thought dead) wrote first; this result is dropped. */
  | { kind: 'duplicate'; report: Report; info: DecodedJob['info'] }
  /** The result was there before the scan: nothing was scanned. */
  | { kind: 'already-done'; key: string };

/** The scan was cut short by the worker stopping: the job goes back to the queue, no result is kept. */
export class JobReleased extends Error {
  override name = 'JobReleased';
}

function dnsRefusal(dns: DnsServerAddress | null, allowPrivate: boolean): string | null {
  if (!dns || allowPrivate) return null;
  const cls = addressClass(dns.host);
  return cls === 'public' ? null : `target refused: its DNS server ${formatServer(dns)} is a ${cls} address (${QUEUE_ALLOW_HINT})`;
}

export function createJobRunner(engine: WorkerEngine) {
  // What the jobs of this worker share: limits, DNS caches per server, one examination of an MX host.
  const run = createRunEngine({ trust: engine.trust, reference: engine.reference, limits: engine.limits, dnsRate: engine.dnsRate });

  /** Throws PayloadError for a job that cannot be read, JobReleased when `signal` stopped it. */
  return async function runJob(data: unknown, signal: AbortSignal): Promise<JobOutcome> {
    const job = decodePayload(data);
    // Idempotent by key: a job handed over after a stall, or enqueued again, is not scanned twice.
    if (await engine.store.hasResult(job.info.key)) {
      await saveToHistory(engine, job.info, null);
      return { kind: 'already-done', key: job.info.key };
    }
    // Read per job: a missing or unreadable record allows nothing.
    const allowPrivate = (await engine.store.meta())?.allowPrivate === true;
    const report = await run.scan(job.target, {
      ...jobScanOptions(job),
      signal,
      allowPrivate,
      strictTarget: { allowHint: QUEUE_ALLOW_HINT },
      refusal: dnsRefusal(job.dns, allowPrivate),
    });
    if (signal.aborted) throw new JobReleased('the worker stopped before the scan finished');
    const result = { ...report, job: job.info };
    const first = await engine.store.putResult(job.info.key, JSON.stringify(result));
    await saveToHistory(engine, job.info, first ? result : null);
    return { kind: first ? 'written' : 'duplicate', report, info: job.info };
  };
}

/**
 * The result line of a job that will not run (BullMQ gave up on it): an error report from the
 * engine itself, so it has the shape of every other line. Nothing is connected to.
 */
export async function errorLine(ctx: Pick<WorkerEngine, 'trust' | 'reference'>, payload: JobPayload, reason: string): Promise<string> {
  const job = decodePayload(payload);
  const report = await scanTarget(job.target, {
    resolver: createResolver({}),
    trust: ctx.trust,
    reference: ctx.reference,
    timeoutMs: job.timeoutMs,
    ...(job.checks ? { checks: job.checks } : {}),
    ...(job.probes ? { probes: job.probes } : {}),
    refusal: reason,
  });
  return JSON.stringify({ ...report, job: job.info });
}
