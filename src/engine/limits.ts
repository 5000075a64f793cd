// Concurrency limits shared by every target of a run: a global cap on probe tasks and a per-host
// cap on simultaneous connections (servers and IDS rate-limit scanners that open too many). A
// connection can also run alone: old single-threaded servers (openssl s_server, embedded devices)
// leave a connection unanswered while another one is open, so a probe that timed out beside others
// asks once more with nothing else open to that host.
import PQueue from 'p-queue';

export interface Limits {
  /** Run a probe task under the global concurrency cap. */
  task<T>(fn: () => Promise<T>): Promise<T>;
  /** Run one connection to `host` under its per-host cap. */
  connection<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /** The same, and whether any other connection to `host` was open at some point while it ran. */
  tracked<T>(host: string, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }>;
  /** Run one connection to `host` with no other open to it: waits for those open, holds back new ones. */
  alone<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /**
   * One connection that may be asked again alone: when `timedOut` says it got no answer in time,
   * other connections to `host` were open meanwhile, and the host has answered before (it is busy,
   * not silent), it runs once more with none open. What ProbeContext.withConnection does.
   */
  connect<T>(host: string, fn: () => Promise<T>, timedOut?: (result: T) => boolean): Promise<T>;
  /** Highest number of simultaneous connections seen per host (for tests and diagnostics). */
  peakConnections(host: string): number;
}

interface HostState {
  queue: PQueue;
  /** Open connections, each marked when another overlapped it. */
  open: Set<{ shared: boolean }>;
  peak: number;
  /** Resolves when no connection to the host runs alone; new connections wait for it. */
  gate: Promise<void>;
  answered: boolean;
}

export interface LimitsOptions {
  /** Probe tasks running at once, across every target that shares these limits. */
  concurrency: number;
  /** Connections open at once to one host (an IP address: what a provider's rate limiter sees). */
  perHostConnections: number;
  /** New connections per second across everything sharing these limits (a batch's --rate); unset: no cap. */
  connectionsPerSecond?: number;
}

/**
 * Spaces connection starts `1000 / rate` ms apart (no burst: a scanner that opens 50 connections in
 * the same millisecond is what intrusion detection flags). Waiting happens before the connection
 * counts as open, so its connect deadline starts only once it may go.
 */
function pacer(rate: number | undefined): (() => Promise<void>) | null {
  if (!rate || !Number.isFinite(rate) || rate <= 0) return null;
  const gap = 1000 / rate;
  let next = 0;
  return () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + gap;
    return at > now ? new Promise((r) => setTimeout(r, at - now)) : Promise.resolve();
  };
}

export function createLimits(opts: LimitsOptions): Limits {
  const global = new PQueue({ concurrency: opts.concurrency });
  const pace = pacer(opts.connectionsPerSecond);
  const hosts = new Map<string, HostState>();
  const hostState = (host: string): HostState => {
    let s = hosts.get(host);
    if (!s) {
      s = { queue: new PQueue({ concurrency: opts.perHostConnections }), open: new Set(), peak: 0, gate: Promise.resolve(), answered: false };
      hosts.set(host, s);
    }
    return s;
  };

  /** Count one connection as open while it runs; mark every overlap. */
  async function run<T>(s: HostState, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    if (pace) await pace();
    const me = { shared: s.open.size > 0 };
    for (const other of s.open) other.shared = true;
    s.open.add(me);
    s.peak = Math.max(s.peak, s.open.size);
    try {
      return { value: await fn(), shared: me.shared };
    } finally {
      s.open.delete(me);
    }
  }

  const tracked = <T>(host: string, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }> => {
    const s = hostState(host);
    return s.queue.add(async () => {
      // A connection running alone holds back the ones that would start beside it.
      await s.gate;
      return run(s, fn);
    });
  };

  return {
    task: <T>(fn: () => Promise<T>) => global.add(fn),
    connection: async <T>(host: string, fn: () => Promise<T>) => (await tracked(host, fn)).value,
    tracked,
    async alone<T>(host: string, fn: () => Promise<T>): Promise<T> {
      const s = hostState(host);
      // Close the gate first (new connections wait), then wait for the open ones to end.
      let open!: () => void;
      const previous = s.gate;
      s.gate = previous.then(() => new Promise<void>((resolve) => (open = resolve)));
      await previous;
      try {
        while (s.open.size > 0) await new Promise((r) => setTimeout(r, 10));
        return (await run(s, fn)).value;
      } finally {
        open();
      }
    },
    async connect<T>(host: string, fn: () => Promise<T>, timedOut?: (result: T) => boolean): Promise<T> {
      const first = await tracked(host, fn);
      if (!timedOut) return first.value;
      const s = hostState(host);
      if (!timedOut(first.value)) {
        s.answered = true;
        return first.value;
      }
      return first.shared && s.answered ? this.alone(host, fn) : first.value;
    },
    peakConnections: (host) => hosts.get(host)?.peak ?? 0,
  };
}
