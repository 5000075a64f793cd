// Retry-After (RFC 9110 §10.2.3) honoured by the per-host back-off: the header read in every form
// a server may send, the pause it asks for carried from an HTTP chain to the back-off, capped, and
// holding new connections to that host (fake clocks: no time is waited or asserted).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackoff, DEFAULT_MAX_PAUSE_MS, type BackoffChange } from '../../src/engine/backoff.js';
import type { HostBackoffEvent } from '../../src/engine/events.js';
import { createLimits } from '../../src/engine/limits.js';
import { chainPushback, type FetchHop } from '../../src/http/fetch-chain.js';
import { parseHttpDate, retryAfterMs } from '../../src/http/retry-after.js';

afterEach(() => vi.useRealTimers());

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

describe('Retry-After values', () => {
  it('delta-seconds', () => {
    expect(retryAfterMs('120', { now: NOW })).toBe(120_000);
    expect(retryAfterMs(' 0 ', { now: NOW })).toBe(0);
  });

  it('the three HTTP-date forms, all in GMT (asctime has no zone and is not local time)', () => {
    const at = Date.UTC(2026, 11, 7, 12, 0, 30);
    expect(parseHttpDate('Mon, 07 Dec 2026 12:00:30 GMT')).toBe(at);
    expect(parseHttpDate('Monday, 07-Dec-26 12:00:30 GMT', NOW)).toBe(at);
    expect(parseHttpDate('Mon Dec  7 12:00:30 2026')).toBe(at);
    expect(retryAfterMs('Mon, 07 Dec 2026 12:00:30 GMT', { now: NOW })).toBe(30_000);
  });

  it("a two-digit year more than 50 years ahead is last century's (RFC 9110 §5.6.7)", () => {
    expect(new Date(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)!).getUTCFullYear()).toBe(1994);
    expect(new Date(parseHttpDate('Thursday, 06-Nov-30 08:49:37 GMT', NOW)!).getUTCFullYear()).toBe(2030);
  });

  it("a date is measured from the response's own Date header when it has one (no clock skew), a past one is 0", () => {
    // The server's clock is 10 minutes behind ours: it still means "in 30 s".
    expect(retryAfterMs('Mon, 07 Dec 2026 11:50:30 GMT', { date: 'Mon, 07 Dec 2026 11:50:00 GMT', now: NOW })).toBe(30_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 11:50:30 GMT', { date: 'not a date', now: NOW })).toBe(0);
  });

  it.each(['', '-5', '1.5', '5s', 'soon', '2026-12-07T12:00:30Z', 'Mon, 31 Feb 2026 12:00:30 GMT', 'Mon, 07 Dec 2026 12:00:30 UTC'])('%j is not a Retry-After value', (v) => {
    expect(retryAfterMs(v, { now: NOW })).toBeNull();
  });
});

describe('what an HTTP chain tells the back-off of a pause', () => {
  const hop = (ip: string, status: number, headers: Array<[string, string]> = []): FetchHop => ({
    url: 'https://x/', ip, status, location: null, next: null, schemeChange: null, hostChange: false, headers, setCookies: [], durationMs: 1,
  });
  const done = { kind: 'done' } as const;

  it('a 429 or a 503 with Retry-After carries the pause; a 503 without is no throttling', () => {
    expect(chainPushback({ hops: [hop('192.0.2.1', 429, [['retry-after', '7']])], stop: done }, '192.0.2.1', NOW)).toEqual({ kind: 'throttled', status: 429, retryAfterMs: 7_000 });
    expect(chainPushback({ hops: [hop('192.0.2.1', 503, [['retry-after', 'Mon, 07 Dec 2026 12:01:00 GMT']])], stop: done }, '192.0.2.1', NOW)).toEqual({ kind: 'throttled', status: 503, retryAfterMs: 60_000 });
    expect(chainPushback({ hops: [hop('192.0.2.1', 503)], stop: done }, '192.0.2.1', NOW)).toBe('ok');
    // An unreadable Retry-After on a 429 is still a 429; a 421's Retry-After means nothing.
    expect(chainPushback({ hops: [hop('192.0.2.1', 429, [['retry-after', 'later']])], stop: done }, '192.0.2.1', NOW)).toEqual({ kind: 'throttled', status: 429 });
    expect(chainPushback({ hops: [hop('192.0.2.1', 421, [['retry-after', '30']])], stop: done }, '192.0.2.1', NOW)).toEqual({ kind: 'throttled', status: 421 });
    // Another host's Retry-After on the route is not this host's.
    expect(chainPushback({ hops: [hop('192.0.2.1', 301), hop('198.51.100.7', 429, [['retry-after', '30']])], stop: done }, '192.0.2.1', NOW)).toBe('ok');
  });
});

function clocked(opts: Partial<Parameters<typeof createBackoff>[0]> = {}) {
  let t = NOW;
  const changes: Array<{ host: string } & BackoffChange> = [];
  const b = createBackoff({ maxConnections: 4, now: () => t, onDecrease: (host, c) => changes.push({ host, ...c }), ...opts });
  return { b, changes, advance: (ms: number) => (t += ms), now: () => t };
}

describe('the back-off pauses a host that asks for it', () => {
  it('holds every new connection until the pause ends, halving as a 429 does; a shorter later pause does not shorten it', () => {
    const { b, changes, advance, now } = clocked();
    b.report('h', { kind: 'throttled', status: 429, retryAfterMs: 3_000 });
    expect(b.connections('h')).toBe(2);
    expect(changes).toEqual([{ host: 'h', connections: 2, gapMs: 250, cause: 'throttled', status: 429, pausedUntil: now() + 3_000, hostsBackingOff: 1 }]);
    expect(b.delay('h')).toBe(3_000);
    advance(500);
    b.report('h', { kind: 'throttled', status: 429, retryAfterMs: 500 });
    expect(changes).toHaveLength(1); // within the settle window, and no longer pause: nothing new to tell
    // The second start also keeps the gap after the first.
    expect(b.delay('h')).toBe(2_500 + 250);
    advance(2_000);
    b.report('h', { kind: 'throttled', status: 503, retryAfterMs: 10_000 });
    expect(changes.at(-1)).toMatchObject({ cause: 'throttled', status: 503, pausedUntil: now() + 10_000 });
    expect(b.delay('other')).toBe(0); // per host
  });

  it('caps a pause at maxPauseMs (60 s by default)', () => {
    const { b, now } = clocked();
    b.report('h', { kind: 'throttled', status: 429, retryAfterMs: 3_600_000 });
    expect(b.delay('h')).toBe(DEFAULT_MAX_PAUSE_MS);
    const small = clocked({ maxPauseMs: 5_000 });
    small.b.report('h', { kind: 'throttled', status: 429, retryAfterMs: 3_600_000 });
    expect(small.b.delay('h')).toBe(5_000);
    expect(now()).toBe(NOW);
  });

  it('counts recovery from the end of the pause, tells when the host is back, and forgets it once idle', () => {
    const { b, changes, advance } = clocked({ recoverMs: 1_000, idleMs: 10_000 });
    b.report('a', { kind: 'throttled', status: 429, retryAfterMs: 5_000 });
    b.report('b', 'ok');
    expect(changes.at(-1)?.hostsBackingOff).toBe(1);
    advance(5_999);
    expect(b.connections('a')).toBe(2); // still no recovery step: the pause ended 999 ms ago
    advance(1);
    expect(b.connections('a')).toBe(3);
    advance(1_000);
    expect(b.connections('a')).toBe(4);
    expect(changes.at(-1)).toEqual({ host: 'a', connections: 4, gapMs: 0, cause: 'recovered', hostsBackingOff: 0 });
    expect(b.size()).toBe(2);
    advance(10_000);
    b.report('c', { kind: 'throttled', status: 429 });
    b.sweep();
    // a and b are idle and recovered; c backs off: kept.
    expect(b.size()).toBe(1);
    expect(b.connections('c')).toBe(2);
  });
});

describe('limits honour the pause', () => {
  it('the next connection to a paused host starts only when the pause is over; other hosts go on', async () => {
    vi.useFakeTimers({ now: NOW });
    const events: HostBackoffEvent[] = [];
    const limits = createLimits({ concurrency: 8, perHostConnections: 1, onBackoff: (e) => events.push(e) });
    const starts: Array<[string, number]> = [];
    const request = (host: string, answer: 'throttled' | 'ok') => () =>
      limits.connect(
        host,
        async () => {
          starts.push([host, Date.now()]);
          return answer;
        },
        undefined,
        (a) => (a === 'throttled' ? { kind: 'throttled', status: 429, retryAfterMs: 20_000 } : 'ok'),
      );
    await request('10.0.0.1', 'throttled')();
    const all = Promise.all([request('10.0.0.1', 'ok')(), request('10.0.0.2', 'ok')()]);
    await vi.runAllTimersAsync();
    await all;
    expect(starts).toEqual([
      ['10.0.0.1', NOW],
      ['10.0.0.2', NOW],
      ['10.0.0.1', NOW + 20_000],
    ]);
    expect(events).toEqual([
      { type: 'host-backoff', host: '10.0.0.1', connections: 1, maxConnections: 1, pausedUntil: NOW + 20_000, cause: 'throttled', reason: 'HTTP 429 with Retry-After', hostsBackingOff: 1, at: NOW },
    ]);
  });

  it('forgets hosts idle for idleMs: a batch over many addresses keeps only the recent ones', async () => {
    vi.useFakeTimers({ now: NOW });
    const limits = createLimits({ concurrency: 8, perHostConnections: 4, idleMs: 1_000 });
    for (let i = 0; i < 500; i++) {
      await limits.connect(`10.1.${i >> 8}.${i & 255}`, async () => 'answer');
      vi.advanceTimersByTime(100);
    }
    // About idleMs / 100 ms of hosts, and those since the last pass (a pass at most every idleMs).
    const kept = limits.hostsKept();
    expect(kept.connections).toBeLessThanOrEqual(25);
    expect(kept.backoff).toBeLessThanOrEqual(25);
    expect(kept.connections).toBeGreaterThan(0);
  });

  it('keeps at most maxHosts idle hosts, the most recently used, however fast new ones come', async () => {
    vi.useFakeTimers({ now: NOW });
    const limits = createLimits({ concurrency: 8, perHostConnections: 4, idleMs: 60_000, maxHosts: 50 });
    for (let i = 0; i < 2_000; i++) await limits.connect(`10.2.${i >> 8}.${i & 255}`, async () => 'refused at once');
    expect(limits.hostsKept().connections).toBe(50);
    // The last one used is among them (its peak is still known), the first long gone.
    expect(limits.peakConnections('10.2.7.207')).toBe(1);
    expect(limits.peakConnections('10.2.0.0')).toBe(0);
  });

  it('keeps the state of a host with connections waiting, however long it waits', async () => {
    vi.useFakeTimers({ now: NOW });
    const limits = createLimits({ concurrency: 8, perHostConnections: 1, idleMs: 1_000 });
    let release!: () => void;
    const first = limits.connect('10.0.0.1', () => new Promise<string>((r) => (release = () => r('a'))));
    const second = limits.connect('10.0.0.1', async () => 'b');
    await vi.advanceTimersByTimeAsync(10_000);
    // A pass runs when another host first connects: the waiting host is not forgotten.
    await limits.connect('10.0.0.9', async () => 'c');
    expect(limits.peakConnections('10.0.0.1')).toBe(1);
    release();
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(limits.peakConnections('10.0.0.1')).toBe(1);
  });
});
