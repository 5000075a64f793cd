// One target's signal: it aborts when the run's signal does (with that reason) or at the target's
// deadline (a TimeoutError DOMException, the reason AbortSignal.timeout gives and scan.ts reads).
// Not AbortSignal.any([run, AbortSignal.timeout(ms)]): on Node 20 a signal made by any() that has
// listeners is kept in a process-wide set until it aborts, and the timeout signal it waits for is
// only weakly held, so it can be collected before it fires: every target a batch scanned, with all
// its evidence, stayed in memory. Here the run's signal holds one listener per target in flight,
// removed by release() when the target ends, and the deadline is a timer cleared then.

export interface TargetSignal {
  signal: AbortSignal;
  /** The target is over: stop listening to the run's signal and drop the deadline (idempotent). */
  release(): void;
}

export function targetSignal(parent: AbortSignal | undefined, timeoutMs: number): TargetSignal {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  // As AbortSignal.timeout's: a deadline alone never keeps the process running.
  timer.unref();
  const release = (): void => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  };
  controller.signal.addEventListener('abort', release, { once: true });
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return { signal: controller.signal, release };
}
