// The external store both live views read with useSyncExternalStore, and the ticker they redraw
// by. With `coalesceMs`, bursts of events cause one re-render per interval instead of one each:
// every Ink render is synchronous, and rendering per event slowed a 100 ms scan down to a second.
import { useEffect, useState } from 'react';

export interface ExternalStore<S> {
  getState(): S;
  subscribe(onChange: () => void): () => void;
  /** Replace the state; `now` renders at once (a finish), else within `coalesceMs`. */
  set(next: S, now?: boolean): void;
}

export function createExternalStore<S>(initial: S, opts: { coalesceMs?: number } = {}): ExternalStore<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  let pending: NodeJS.Timeout | null = null;
  const notify = (): void => {
    if (pending) clearTimeout(pending);
    pending = null;
    for (const l of listeners) l();
  };
  return {
    getState: () => state,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    set(next, now = false) {
      if (next === state) return;
      state = next;
      if (now || !opts.coalesceMs) notify();
      else pending ??= setTimeout(notify, opts.coalesceMs);
    },
  };
}

/** Re-render every `ms` while mounted; the count drives the spinner, the clock the elapsed times. */
export function useTicker(ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    timer.unref?.(); // the UI must never be what keeps the process alive
    return () => clearInterval(timer);
  }, [ms]);
  return tick;
}
