// A soft memory budget for the long runs (batch, worker). V8 lets the old generation grow to
// several times the live heap before it collects: a 1,000-domain batch whose live heap is ~55 MB
// peaked at ~390 MB RSS. Here, once the heap in use passes max(floor, 2 × what the last full
// collection left), one is made now. Soft on purpose: when the live heap itself is larger the
// collections only become rarer, where --max-old-space-size would end the run out of memory.
import v8 from 'node:v8';
import vm from 'node:vm';

export interface HeapBudget {
  stop(): void;
  /** Collections made so far and the time they took. */
  readonly stats: { collections: number; ms: number };
}

export interface HeapBudgetOptions {
  floorMb?: number;
  intervalMs?: number;
}

let collect: (() => void) | undefined;

function gcFunction(): () => void {
  if (collect) return collect;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return (collect = existing);
  // --expose-gc set after start-up reaches new contexts only: take gc from one.
  v8.setFlagsFromString('--expose-gc');
  return (collect = vm.runInNewContext('gc') as () => void);
}

export function startHeapBudget(opts: HeapBudgetOptions = {}): HeapBudget {
  const floor = (opts.floorMb ?? 96) * 1024 * 1024;
  const gc = gcFunction();
  const stats = { collections: 0, ms: 0 };
  let limit = floor;
  const timer = setInterval(() => {
    // This isolate's heap: a batch's scan threads each keep their own budget.
    if (v8.getHeapStatistics().used_heap_size <= limit) return;
    const started = performance.now();
    gc();
    stats.ms += performance.now() - started;
    stats.collections++;
    limit = Math.max(floor, 2 * v8.getHeapStatistics().used_heap_size);
  }, opts.intervalMs ?? 250);
  timer.unref();
  return { stop: () => clearInterval(timer), stats };
}
