// Concurrency limits shared by every target of a run: a global cap on probe tasks and a per-host
// cap on simultaneous connections (servers and IDS rate-limit scanners that open too many).
import PQueue from 'p-queue';

export interface Limits {
  /** Run a probe task under the global concurrency cap. */
  task<T>(fn: () => Promise<T>): Promise<T>;
  /** Run one connection to `host` under its per-host cap. */
  connection<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /** Highest number of simultaneous connections seen per host (for tests and diagnostics). */
  peakConnections(host: string): number;
}

export function createLimits(opts: { concurrency: number; perHostConnections: number }): Limits {
  const global = new PQueue({ concurrency: opts.concurrency });
  const hosts = new Map<string, { queue: PQueue; active: number; peak: number }>();
  const hostState = (host: string) => {
    let s = hosts.get(host);
    if (!s) {
      s = { queue: new PQueue({ concurrency: opts.perHostConnections }), active: 0, peak: 0 };
      hosts.set(host, s);
    }
    return s;
  };
  return {
    task: <T>(fn: () => Promise<T>) => global.add(fn),
    connection<T>(host: string, fn: () => Promise<T>): Promise<T> {
      const s = hostState(host);
      return s.queue.add(
        async () => {
          s.active++;
          s.peak = Math.max(s.peak, s.active);
          try {
            return await fn();
          } finally {
            s.active--;
          }
        },
      );
    },
    peakConnections: (host) => hosts.get(host)?.peak ?? 0,
  };
}
