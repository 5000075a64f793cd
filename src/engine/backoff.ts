// Per-host back-off, AIMD as TCP does it: a host that answers 429/421, or resets or times out
// repeatedly, gets half the connections at once and a growing gap between connection starts; each
// quiet interval after that gives one connection back and halves the gap. A host that also says
// when to come back (Retry-After on a 429 or 503) gets no new connection before then (capped).
// Shared by every target of a batch, so a hosting provider behind one address is asked more slowly
// by all of them. A host left alone long enough, fully recovered, is forgotten (sweep()), so a
// batch of 100,000 addresses does not keep 100,000 states.

/** What one connection taught about its host, in short. */
export type HostFeedbackKind = 'ok' | 'throttled' | 'reset' | 'timeout';

/** A throttling answer with its details: the HTTP status, and the Retry-After it carried. */
export interface HostThrottled {
  kind: 'throttled';
  status?: number;
  /** Retry-After, as ms from when the answer was read (not yet capped). */
  retryAfterMs?: number;
}

/** What one connection taught about its host: a kind, or a throttling answer with a pause. */
export type HostFeedback = HostFeedbackKind | HostThrottled;

/** The longest pause a Retry-After can ask for, unless BackoffOptions.maxPauseMs says otherwise. */
export const DEFAULT_MAX_PAUSE_MS = 60_000;

/** A change of a host's back-off, for diagnostics and the progress view. */
export interface BackoffChange {
  connections: number;
  gapMs: number;
  /** What caused it; 'recovered': the host is back to the full cap with no gap and no pause. */
  cause: Exclude<HostFeedbackKind, 'ok'> | 'recovered';
  /** No new connection before this time (ms since the epoch, on `now`'s clock), when paused. */
  pausedUntil?: number;
  /** HTTP status of a throttling answer. */
  status?: number;
  /** Hosts backing off now (told of a back-off, not yet of their recovery), this one included. */
  hostsBackingOff: number;
}

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
  /** Cap on a Retry-After pause. Default DEFAULT_MAX_PAUSE_MS. */
  maxPauseMs?: number;
  /** A recovered host's state is dropped after this long without a connection or report. Default 60 s. */
  idleMs?: number;
  now?: () => number;
  /** Told of every decrease, every pause a host asks for, and every return to the full cap. */
  onDecrease?: (host: string, change: BackoffChange) => void;
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
  /** No connection starts before this (Retry-After); 0 when not paused. */
  pausedUntil: number;
  /** Last report or reserved start: a state unused for idleMs may be forgotten. */
  usedAt: number;
  /** Told a listener it backed off and not yet that it recovered. */
  backingOff: boolean;
}

export interface HostBackoff {
  /** Connections allowed at once to `host` now. */
  connections(host: string): number;
  /** Reserve the next start to `host`: how long to wait before connecting (0: go). */
  delay(host: string): number;
  report(host: string, feedback: HostFeedback): void;
  /** Apply the recovery every host has earned and forget those recovered and idle. */
  sweep(): void;
  /** Hosts with a state (for tests and diagnostics). */
  size(): number;
}

export function createBackoff(opts: BackoffOptions): HostBackoff {
  const max = Math.max(1, opts.maxConnections);
  const strikes = opts.strikes ?? 3;
  const recoverMs = opts.recoverMs ?? 5_000;
  const settleMs = opts.settleMs ?? 1_000;
  const baseGap = opts.baseGapMs ?? 250;
  const maxGap = opts.maxGapMs ?? 4_000;
  const maxPause = opts.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  const idleMs = opts.idleMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const hosts = new Map<string, HostState>();
  let backingOff = 0;

  const recovered = (s: HostState, t: number): boolean => s.connections >= max && s.gapMs === 0 && s.pausedUntil <= t;

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
    if (s.backingOff && recovered(s, t)) {
      s.backingOff = false;
      backingOff--;
      opts.onDecrease?.(host, { connections: s.connections, gapMs: 0, cause: 'recovered', hostsBackingOff: backingOff });
    }
    return s;
  };

  const tell = (host: string, s: HostState, cause: BackoffChange['cause'], status: number | undefined): void => {
    if (!s.backingOff) backingOff++;
    s.backingOff = true;
    const paused = s.pausedUntil > now();
    const details = { ...(paused ? { pausedUntil: s.pausedUntil } : {}), ...(status !== undefined ? { status } : {}) };
    opts.onDecrease?.(host, { connections: s.connections, gapMs: s.gapMs, cause, ...details, hostsBackingOff: backingOff });
  };

  const decrease = (host: string, s: HostState, cause: Exclude<HostFeedbackKind, 'ok'>, status?: number): boolean => {
    const t = now();
    s.strikes = 0;
    if (t - s.decreasedAt < settleMs) return false;
    s.connections = Math.max(1, Math.floor(s.connections / 2));
    s.gapMs = s.gapMs === 0 ? baseGap : Math.min(maxGap, s.gapMs * 2);
    s.changedAt = s.decreasedAt = t;
    // Recovery counts quiet time from the end of a pause, not from its start.
    if (s.pausedUntil > t) s.changedAt = s.pausedUntil;
    tell(host, s, cause, status);
    return true;
  };

  /** Hold new connections until `ms` from now (capped); true when that moves the pause's end. */
  const pause = (s: HostState, ms: number): boolean => {
    const t = now();
    const until = t + Math.min(Math.max(0, ms), maxPause);
    if (until <= s.pausedUntil || until <= t) return false;
    s.pausedUntil = until;
    s.changedAt = Math.max(s.changedAt, until);
    return true;
  };

  const fresh = (): HostState => ({ connections: max, gapMs: 0, strikes: 0, changedAt: now(), decreasedAt: -Infinity, answered: false, nextStart: 0, pausedUntil: 0, usedAt: now(), backingOff: false });

  return {
    connections: (host) => state(host)?.connections ?? max,
    delay(host) {
      const s = state(host);
      if (!s) return 0;
      const t = now();
      s.usedAt = t;
      const from = Math.max(t, s.pausedUntil);
      if (s.gapMs === 0) return from - t;
      const at = Math.max(from, s.nextStart);
      s.nextStart = at + s.gapMs;
      return at - t;
    },
    report(host, feedback) {
      let s = state(host);
      if (!s) hosts.set(host, (s = fresh()));
      s.usedAt = now();
      const kind = typeof feedback === 'string' ? feedback : feedback.kind;
      if (kind === 'ok') {
        s.strikes = 0;
        s.answered = true;
      } else if (kind === 'throttled') {
        s.answered = true;
        const details = typeof feedback === 'string' ? undefined : feedback;
        // The pause first: a decrease made with it counts its quiet time from the pause's end.
        const paused = details?.retryAfterMs !== undefined && pause(s, details.retryAfterMs);
        const decreased = decrease(host, s, kind, details?.status);
        // Within the settle window no decrease is told: a longer pause still is.
        if (paused && !decreased) tell(host, s, kind, details?.status);
      } else if (s.answered && ++s.strikes >= strikes) {
        decrease(host, s, kind);
      }
    },
    sweep() {
      const t = now();
      for (const [host, s] of hosts) {
        state(host);
        if (t - s.usedAt >= idleMs && recovered(s, t)) hosts.delete(host);
      }
    },
    size: () => hosts.size,
  };
}
