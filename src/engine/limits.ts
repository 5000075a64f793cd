// Concurrency limits shared by every target of a run: a global cap on probe tasks and a per-host
// cap on simultaneous connections (servers and IDS rate-limit scanners that open too many). A
// connection can also run alone: old single-threaded servers (openssl s_server, embedded devices)
// leave a connection unanswered while another one is open, so a probe that timed out beside others
// asks once more with nothing else open to that host. A host that pushes back (429/421, resets,
// timeouts) gets fewer connections for a while, or none until the time its Retry-After names
// (backoff.ts). A host idle for a while is forgotten: a batch over 100,000 addresses keeps the
// state of those in use, not of every address it ever connected to.
import PQueue from 'p-queue';
import { createBackoff, type BackoffChange, type BackoffOptions, type HostFeedback } from './backoff.js';
import type { HostBackoffEvent } from './events.js';

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
  connect<T>(host: string, fn: () => Promise<T>, timedOut?: (result: T) => boolean, feedback?: (result: T) => HostFeedback | null): Promise<T>;
  /** Connections allowed at once to `host` now: the per-host cap, lowered while the host backs off. */
  hostConnections(host: string): number;
  /** Highest number of simultaneous connections seen per host (for tests and diagnostics). */
  peakConnections(host: string): number;
  /** Hosts with a connection state and with a back-off state now (for tests and diagnostics). */
  hostsKept(): { connections: number; backoff: number };
}

interface HostState {
  queue: PQueue;
  /** Open connections, each marked when another overlapped it. */
  open: Set<{ shared: boolean }>;
  peak: number;
  /** Resolves when no connection to the host runs alone; new connections wait for it. */
  gate: Promise<void>;
  answered: boolean;
  /** Connections waiting for a slot, running, or waiting to run alone: the state is in use. */
  pending: number;
  usedAt: number;
}

export interface LimitsOptions {
  /** Probe tasks running at once, across every target that shares these limits. */
  concurrency: number;
  /** Connections open at once to one host (an IP address: what a provider's rate limiter sees). */
  perHostConnections: number;
  /** New connections per second across everything sharing these limits (a batch's --rate); unset: no cap. */
  connectionsPerSecond?: number;
  /** Tuning of the per-host back-off (tests, diagnostics); the ceiling is perHostConnections. */
  backoff?: Omit<BackoffOptions, 'maxConnections' | 'onDecrease'>;
  /** A host's state is forgotten after this long without a connection (once recovered). Default 30 s. */
  idleMs?: number;
  /** Idle hosts kept at most, the ones used most recently (default 4,096); hosts in use are always kept. */
  maxHosts?: number;
  /** Told when a host backs off (fewer connections, or paused by Retry-After) and when it recovers. */
  onBackoff?: (event: HostBackoffEvent) => void;
}

/** Words for the progress view: why a host was slowed down. */
export function backoffReason(change: Pick<BackoffChange, 'cause' | 'status' | 'pausedUntil'>): string {
  switch (change.cause) {
    case 'throttled':
      return `HTTP ${change.status ?? '429/421'}${change.pausedUntil !== undefined ? ' with Retry-After' : ''}`;
    case 'reset':
      return 'connections reset';
    case 'timeout':
      return 'connections timed out';
    case 'recovered':
      return 'recovered';
  }
}

/** A thrown socket error that says the host is straining (not a refusal, not our deadline). */
function thrownFeedback(err: unknown): HostFeedback | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
  const now = opts.backoff?.now ?? Date.now;
  const idleMs = opts.idleMs ?? 30_000;
  const maxHosts = opts.maxHosts ?? 4096;
  const onBackoff = opts.onBackoff;
  const backoff = createBackoff({
    ...opts.backoff,
    idleMs,
    maxConnections: opts.perHostConnections,
    ...(onBackoff
      ? {
          onDecrease: (host: string, change: BackoffChange) =>
            onBackoff({
              type: 'host-backoff',
              host,
              connections: change.connections,
              maxConnections: Math.max(1, opts.perHostConnections),
              ...(change.pausedUntil !== undefined ? { pausedUntil: change.pausedUntil } : {}),
              cause: change.cause,
              reason: backoffReason(change),
              hostsBackingOff: change.hostsBackingOff,
              at: now(),
            }),
        }
      : {}),
  });
  const hosts = new Map<string, HostState>();
  // Forgetting idle hosts, and noticing the recovery of hosts no longer connected to, is done in
  // passes at most this often (each pass looks at every host kept, which idleMs bounds).
  const sweepEveryMs = Math.min(idleMs, 5_000);
  let sweptAt = now();
  const sweep = (): void => {
    const t = now();
    if (t - sweptAt < sweepEveryMs) return;
    sweptAt = t;
    for (const [host, s] of hosts) if (s.pending === 0 && t - s.usedAt >= idleMs) hosts.delete(host);
    backoff.sweep();
  };
  /**
   * Beyond maxHosts, the hosts used longest ago and idle now are forgotten at once: a fast batch
   * over a list of dead addresses (each answered by a refusal in a millisecond) passes through
   * tens of thousands in an idle period. The map is kept in order of last use for this.
   */
  const trim = (keep: string): void => {
    if (hosts.size <= maxHosts) return;
    for (const [host, s] of hosts) {
      if (hosts.size <= maxHosts) break;
      if (s.pending === 0 && host !== keep) hosts.delete(host);
    }
  };
  const hostState = (host: string): HostState => {
    sweep();
    let s = hosts.get(host);
    if (s) {
      hosts.delete(host);
    } else {
      s = { queue: new PQueue({ concurrency: opts.perHostConnections }), open: new Set(), peak: 0, gate: Promise.resolve(), answered: false, pending: 0, usedAt: now() };
    }
    hosts.set(host, s);
    trim(host);
    s.usedAt = now();
    return s;
  };
  /** Run `fn` with the host's state counted as in use (not forgotten meanwhile). */
  const using = async <T>(s: HostState, fn: () => Promise<T>): Promise<T> => {
    s.pending++;
    try {
      return await fn();
    } finally {
      s.pending--;
      s.usedAt = now();
    }
  };

  /** Count one connection as open while it runs; mark every overlap. */
  async function run<T>(host: string, s: HostState, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const wait = backoff.delay(host);
    if (wait > 0) await sleep(wait);
    if (pace) await pace();
    const me = { shared: s.open.size > 0 };
    for (const other of s.open) other.shared = true;
    s.open.add(me);
    s.peak = Math.max(s.peak, s.open.size);
    try {
      return { value: await fn(), shared: me.shared };
    } finally {
      s.open.delete(me);
      // Back-off may have changed meanwhile: the next connection waiting sees the new cap.
      s.queue.concurrency = backoff.connections(host);
    }
  }

  const tracked = <T>(host: string, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }> => {
    const s = hostState(host);
    s.queue.concurrency = backoff.connections(host);
    return using(s, () =>
      s.queue.add(async () => {
        // A connection running alone holds back the ones that would start beside it.
        await s.gate;
        return run(host, s, fn);
      }),
    );
  };

  return {
    task: <T>(fn: () => Promise<T>) => global.add(fn),
    connection: async <T>(host: string, fn: () => Promise<T>) => (await tracked(host, fn)).value,
    tracked,
    async alone<T>(host: string, fn: () => Promise<T>): Promise<T> {
      const s = hostState(host);
      return using(s, async () => {
        // Close the gate first (new connections wait), then wait for the open ones to end.
        let open!: () => void;
        const previous = s.gate;
        s.gate = previous.then(() => new Promise<void>((resolve) => (open = resolve)));
        await previous;
        try {
          while (s.open.size > 0) await new Promise((r) => setTimeout(r, 10));
          return (await run(host, s, fn)).value;
        } finally {
          open();
        }
      });
    },
    async connect<T>(host: string, fn: () => Promise<T>, timedOut?: (result: T) => boolean, feedback?: (result: T) => HostFeedback | null): Promise<T> {
      // Each attempt tells the back-off how the host took it, inside its slot: the next connection
      // waiting already sees a lowered cap. Without the caller's reading, a timed-out result teaches
      // nothing (servers and middleboxes drop hellos they dislike: silence there is an answer).
      const observed = async (): Promise<T> => {
        try {
          const value = await fn();
          const f = feedback ? feedback(value) : throttledByStartTls(value) ? 'throttled' : timedOut?.(value) ? null : 'ok';
          if (f) backoff.report(host, f);
          return value;
        } catch (err) {
          const f = thrownFeedback(err);
          if (f) backoff.report(host, f);
          throw err;
        }
      };
      const first = await tracked(host, observed);
      if (!timedOut) return first.value;
      const s = hostState(host);
      if (!timedOut(first.value)) {
        s.answered = true;
        return first.value;
      }
      return first.shared && s.answered ? this.alone(host, observed) : first.value;
    },
    hostConnections: (host) => backoff.connections(host),
    peakConnections: (host) => hosts.get(host)?.peak ?? 0,
    hostsKept: () => ({ connections: hosts.size, backoff: backoff.size() }),
  };
}

/**
 * A connection whose STARTTLS dialogue was told "too many connections" (421, `* BYE`, LDAP busy,
 * MySQL 1040 …): the TLS clients mark such results `starttls: 'throttled'` (or an offer verdict
 * `throttled: true`), read here so every probe's connections feed the per-host back-off alike.
 */
function throttledByStartTls(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { starttls?: unknown; throttled?: unknown };
  return v.starttls === 'throttled' || v.throttled === true;
}
