// Work that several targets of one run would repeat against the same third-party host: the mail
// provider's MX that a thousand domains of a batch all name. Testing it once per domain costs the
// provider a thousand identical STARTTLS enumerations (and gets the scanner blocked); done once per
// run, every domain reads the same evidence.
//
// The work runs under its own signal, which aborts only when every target waiting for it has
// stopped waiting (its deadline or an interruption): one target's deadline does not cut the work
// short for the others. A caller whose own signal aborts stops waiting at once. A result is kept
// for the run; work that failed or was abandoned is done again by the next target that asks.

export interface SharedWork {
  /**
   * The result of `fn` for `key`, computed once per run. `signal` is the caller's: it stops only the
   * caller's waiting. `fn` gets the signal of the shared work itself.
   */
  run<T>(key: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Keys held (tests, diagnostics). */
  readonly size: number;
}

/** Distinct keys kept per run; the oldest settled results go first (a run names few MX hosts). */
export const DEFAULT_SHARED_ENTRIES = 4096;
/**
 * How long a result is read by later targets: a long batch or a worker that runs for days must not
 * report what a host showed hours ago.
 */
export const DEFAULT_SHARED_TTL_MS = 15 * 60_000;

interface Entry {
  promise: Promise<unknown>;
  /** Callers still waiting; the work is aborted when this drops to zero before it settles. */
  waiting: number;
  controller: AbortController;
  settled: boolean;
  failed: boolean;
  /** When the work started (Date.now()); results older than the TTL are not read again. */
  at: number;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export function createSharedWork(opts: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}): SharedWork {
  const maxEntries = opts.maxEntries ?? DEFAULT_SHARED_ENTRIES;
  const ttlMs = opts.ttlMs ?? DEFAULT_SHARED_TTL_MS;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const evict = (): void => {
    for (const [key, e] of entries) {
      if (entries.size <= maxEntries) return;
      if (e.settled) entries.delete(key);
    }
  };

  const start = <T>(key: string, fn: (signal: AbortSignal) => Promise<T>): Entry => {
    const controller = new AbortController();
    const entry: Entry = { promise: Promise.resolve(), waiting: 0, controller, settled: false, failed: false, at: now() };
    entry.promise = (async () => {
      try {
        return await fn(controller.signal);
      } catch (err) {
        entry.failed = true;
        throw err;
      } finally {
        entry.settled = true;
        // Failed or abandoned work is not a result: the next caller does it again.
        if ((entry.failed || controller.signal.aborted) && entries.get(key) === entry) entries.delete(key);
      }
    })();
    // Nobody may be waiting when it fails (every caller left): not an unhandled rejection.
    entry.promise.catch(() => undefined);
    entries.delete(key); // a result past its time is replaced at the end of the order
    entries.set(key, entry);
    evict();
    return entry;
  };

  return {
    get size() {
      return entries.size;
    },
    run<T>(key: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      if (signal.aborted) return Promise.reject(abortError(signal));
      const found = entries.get(key);
      // Work every caller abandoned may still be winding down: a new caller starts it afresh.
      const usable =
        found &&
        (found.settled ? !found.failed && now() - found.at < ttlMs : !found.controller.signal.aborted);
      const entry = usable ? found : start(key, fn);
      if (entry.settled) return entry.promise as Promise<T>;
      entry.waiting++;
      return new Promise<T>((resolve, reject) => {
        const leave = (): void => {
          signal.removeEventListener('abort', onAbort);
          entry.waiting--;
        };
        const onAbort = (): void => {
          leave();
          if (entry.waiting === 0 && !entry.settled) entry.controller.abort(signal.reason);
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        (entry.promise as Promise<T>).then(
          (value) => {
            if (signal.aborted) return;
            leave();
            resolve(value);
          },
          (err: unknown) => {
            if (signal.aborted) return;
            leave();
            reject(err);
          },
        );
      });
    },
  };
}
