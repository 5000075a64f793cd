// One scan thread of `batch --threads N` (started by batch-threads.ts): the same engine a
// single-threaded batch runs — scanTarget under shared limits, one DNS cache per DNS server, one
// examination of an MX host several targets name — over the jobs this thread is handed, with its
// share of the batch's limits. The list, the sink, resume and the summary stay on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { startHeapBudget } from './heap-budget.js';
import { scanContext } from './scan-context.js';
import { createLimits } from '../engine/limits.js';
import { createRunEngine } from '../engine/run.js';
import { createDnsRateLimiter } from '../net/dns/rate-limit.js';
import { decodePayload, jobScanOptions } from '../worker/payload.js';
import type { FromThread, ScanThreadInit, ToThread } from './batch-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('scan-thread runs as a worker thread of `secgrade batch`');
const init = workerData as ScanThreadInit;
const post = (m: FromThread): void => port.postMessage(m);

// Each thread holds a share of the targets in flight: half the main thread's floor. (Less room
// above the live heap, 1.5× at a 32 MB floor, saved 40 MB of 378 on 1,000 lab domains with two
// threads and cost 16 % of the speed.)
const heap = startHeapBudget({ floorMb: 48 });
// The main thread checked these files before starting any thread: read again here, they cannot fail differently.
const { trust, reference } = await scanContext({ caFile: init.caFile, ctLogListPath: init.ctLogListPath });
const limits = createLimits({
  concurrency: init.concurrency,
  perHostConnections: init.perHostConnections,
  connectionsPerSecond: init.connectionsPerSecond,
  onBackoff: (event) => post({ type: 'backoff', event }),
});
const engine = createRunEngine({ trust, reference, limits, dnsRate: createDnsRateLimiter(init.dnsRate) });
const running = new Map<number, AbortController>();

async function scan(m: Extract<ToThread, { type: 'scan' }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  try {
    const job = decodePayload(m.payload);
    const report = await engine.scan(job.target, {
      ...jobScanOptions(job),
      signal: controller.signal,
      allowPrivate: m.allowPrivate,
      // The report comes back in the result; target-end would only send it twice.
      ...(m.events ? { onEvent: (event) => void (event.type !== 'target-end' && post({ type: 'event', id: m.id, event })) } : {}),
    });
    post({ type: 'report', id: m.id, report });
  } catch (err) {
    const e = err as Error;
    post({ type: 'failed', id: m.id, message: e?.message ?? String(err), ...(e?.stack ? { stack: e.stack } : {}) });
  } finally {
    running.delete(m.id);
  }
}

port.on('message', (m: ToThread) => {
  if (m.type === 'scan') void scan(m);
  else if (m.type === 'abort') running.get(m.id)?.abort(new Error(m.reason));
  else {
    heap.stop();
    port.close();
  }
});
