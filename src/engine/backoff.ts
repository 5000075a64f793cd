// Per-host back-off, AIMD as TCP does it: a host that answers 429/421, or resets or times out
// repeatedly, gets half the connections at once and a growing gap between connection starts; each
// quiet interval after that gives one connection back and halves the gap. Shared by every target of
// a batch, so a hosting provider behind one address is asked more slowly by all of them.

/** What one connection taught about its host. */
export type HostFeedback = 'ok' | 'throttled' | 'reset' | 'timeout';

export interface BackoffOptions {
  /** The ceiling and starting point: --max-connections-per-host. */
  maxConnections: number;
  /** Resets/timeouts in a row (no answer between them) that count as one "slow down". Default 3. */
  strikes?: number;
  /** Quiet time after a decrease before one step back up. Default 5000 ms. */
  recoverMs?: number;
  /** Decreases closer together than this count once (the connections already in flight answer alike). Default 1000 ms. */
  settleMs?: number;
  /** First gap between connection starts once a host backs off; doubles on each decrease. Default 250 ms. */
  baseGapMs?: number;
  maxGapMs?: number;
  now?: () => number;
  /** Told of every decrease (diagnostics, the progress view). */
  onDecrease?: (host: string, state: { connections: number; gapMs: number; cause: HostFeedback }) => void;
}

interface HostState {
  connections: number;
  gapMs: number;
  strikes: number;
  /** Time of the last decrease, or of the last recovery step. */
  changedAt: number;
  decreasedAt: number;
  /** The host has answered at least once: timeouts from a silent host are not strain we cause. */
  answered: boolean;
  /** Earliest start of the next connection (gap pacing). */
  nextStart: number;
}

export interface HostBackoff {
  /** Connections allowed at once to `host` now. */
  connections(host: string): number;
  /** Reserve the next start to `host`: how long to wait before connecting (0: go). */
  delay(host: string): number;
  report(host: string, feedback: HostFeedback): void;
}

export function createBackoff(opts: BackoffOptions): HostBackoff {
  const max = Math.max(1, opts.maxConnections);
  const strikes = opts.strikes ?? 3;
  const recoverMs = opts.recoverMs ?? 5_000;
  const settleMs = opts.settleMs ?? 1_000;
  const baseGap = opts.baseGapMs ?? 250;
  const maxGap = opts.maxGapMs ?? 4_000;
  const now = opts.now ?? Date.now;
  const hosts = new Map<string, HostState>();

  /** The host's state with every recovery step that its quiet time has earned applied. */
  const state = (host: string): HostState | undefined => {
    const s = hosts.get(host);
    if (!s) return undefined;
    const t = now();
    while (t - s.changedAt >= recoverMs && (s.connections < max || s.gapMs > 0)) {
      s.connections = Math.min(max, s.connections + 1);
      s.gapMs = s.gapMs / 2 < baseGap ? 0 : s.gapMs / 2;
      s.changedAt += recoverMs;
    }
    return s;
  };

  const decrease = (host: string, s: HostState, cause: HostFeedback): void => {
    const t = now();
    s.strikes = 0;
    if (t - s.decreasedAt < settleMs) return;
    s.connections = Math.max(1, Math.floor(s.connections / 2));
    s.gapMs = s.gapMs === 0 ? baseGap : Math.min(maxGap, s.gapMs * 2);
    s.changedAt = s.decreasedAt = t;
    opts.onDecrease?.(host, { connections: s.connections, gapMs: s.gapMs, cause });
  };

  return {
    connections: (host) => state(host)?.connections ?? max,
    delay(host) {
      const s = state(host);
      if (!s || s.gapMs === 0) return 0;
      const t = now();
      const at = Math.max(t, s.nextStart);
      s.nextStart = at + s.gapMs;
      return at - t;
    },
    report(host, feedback) {
      let s = state(host);
      if (!s) hosts.set(host, (s = fresh()));
      if (feedback === 'ok') {
        s.strikes = 0;
        s.answered = true;
      } else if (feedback === 'throttled') {
        s.answered = true;
        decrease(host, s, feedback);
      } else if (s.answered && ++s.strikes >= strikes) {
        decrease(host, s, feedback);
      }
    },
  };

  function fresh(): HostState {
    return { connections: max, gapMs: 0, strikes: 0, changedAt: now(), decreasedAt: -Infinity, answered: false, nextStart: 0 };
  }
}
