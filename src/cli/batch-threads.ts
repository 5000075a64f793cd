// `batch --threads N`: the targets of one batch scanned on N worker threads of this process. On one
// thread a batch is limited to one core (every connection's TLS and socket work, ~50 ms of CPU per
// domain); with threads the main thread only reads the list, hands each job to the thread with the
// fewest in flight, and writes the results as before. Each thread runs the same engine with 1/N of the
// batch's limits (probe slots, connections per host, --rate, --dns-rate), so what a server sees
// stays within the flags; what threads do not share is their DNS caches and their examination of
// an MX host several targets name (at most once per thread instead of once per batch).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HostBackoffEvent, ScanEvent } from '../engine/events.js';
import type { Report } from '../model/report.js';
import type { JobPayload } from '../worker/payload.js';
import type { FromThread, ScanThreadInit, ToThread } from './batch-thread-protocol.js';

/** A thread's init with the batch's totals in the limit fields: threadInit() splits them. */
export interface ScanThreadsOptions extends ScanThreadInit {
  threads: number;
  /** Progress events of every target (undefined: none are sent across). */
  onEvent: ((event: ScanEvent) => void) | undefined;
  onBackoff: (event: HostBackoffEvent) => void;
}

export interface ScanThreads {
  scan(payload: JobPayload, allowPrivate: boolean, signal: AbortSignal): Promise<Report>;
  close(): Promise<void>;
}

interface Pending {
  resolve(report: Report): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  inFlight: number;
}

const YOUNG_GENERATION_MB = 16;

/** A share of a total among `n` (a cap of 0 stays "no cap"). */
const share = (total: number, n: number): number => (total === 0 ? 0 : total / n);

/** Each thread's init: its share of the limits. */
export function threadInit(o: ScanThreadsOptions): ScanThreadInit {
  return {
    caFile: o.caFile,
    ctLogListPath: o.ctLogListPath,
    concurrency: Math.max(1, Math.ceil(o.concurrency / o.threads)),
    // batch-flags.ts never starts more threads than connections per host (batchThreads).
    perHostConnections: Math.max(1, Math.floor(o.perHostConnections / o.threads)),
    connectionsPerSecond: share(o.connectionsPerSecond, o.threads),
    dnsRate: share(o.dnsRate, o.threads),
  };
}

// Beside this file in both built layouts: dist/bundle/ (scripts/bundle.mjs names the entry) and dist/src/cli/.
const ENTRY = new URL('./batch-thread.js', import.meta.url);

/**
 * Whether threads can start: the built thread entry is there. Only the TypeScript sources run in
 * place (the test runner's in-process CLI) lack it; they scan on the main thread.
 */
export const scanThreadsAvailable = (): boolean => existsSync(fileURLToPath(ENTRY));

export function startScanThreads(o: ScanThreadsOptions): ScanThreads {
  const init = threadInit(o);
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let broken: Error | null = null;
  // A smaller young generation than V8's default: short-lived garbage is collected sooner, and N
  // threads do not each hold their own large nursery.
  const threads: Thread[] = Array.from({ length: o.threads }, () => ({
    worker: new Worker(ENTRY, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }),
    inFlight: 0,
  }));
  const fail = (err: Error): void => {
    broken ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  // The target names the live view knows each scan by, for the target-end made here (see batch-thread.ts).
  const names = new Map<number, string>();
  for (const t of threads) {
    t.worker.on('message', (m: FromThread) => {
      if (m.type === 'backoff') return o.onBackoff(m.event);
      if (m.type === 'event') {
        if (m.event.type === 'target-start') names.set(m.id, m.event.target);
        return o.onEvent?.(m.event);
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      t.inFlight--;
      const name = names.get(m.id);
      names.delete(m.id);
      if (m.type === 'failed') return p.reject(Object.assign(new Error(m.message), m.stack ? { stack: m.stack } : {}));
      if (name !== undefined) o.onEvent?.({ type: 'target-end', target: name, report: m.report, at: Date.now() });
      p.resolve(m.report);
    });
    // A thread that dies takes its targets with it: the batch stops, as for any engine bug.
    t.worker.on('error', (err) => fail(err));
    t.worker.on('exit', (code) => {
      if (pending.size > 0) fail(new Error(`a scan thread exited (code ${code}) with targets in flight`));
    });
  }
  const send = (t: Thread, m: ToThread): void => t.worker.postMessage(m);

  return {
    scan(payload, allowPrivate, signal) {
      if (broken) return Promise.reject(broken);
      const t = threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const id = nextId++;
      t.inFlight++;
      const done = new Promise<Report>((resolve, reject) => pending.set(id, { resolve, reject }));
      const abort = (): void => send(t, { type: 'abort', id, reason: (signal.reason as Error | undefined)?.message ?? 'interrupted' });
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      send(t, { type: 'scan', id, payload, allowPrivate, events: o.onEvent !== undefined });
      return done.finally(() => signal.removeEventListener('abort', abort));
    },
    async close() {
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
