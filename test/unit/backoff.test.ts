// The per-host AIMD back-off (src/engine/backoff.ts) on a fake clock, and the limits that apply it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackoff, type HostFeedback } from '../../src/engine/backoff.js';
import { createLimits } from '../../src/engine/limits.js';
import { chainPushback } from '../../src/http/fetch-chain.js';

afterEach(() => vi.useRealTimers());

function clocked(opts: Partial<Parameters<typeof createBackoff>[0]> = {}) {
  let t = 1_000_000;
  const decreases: string[] = [];
  const b = createBackoff({ maxConnections: 4, now: () => t, onDecrease: (h, s) => decreases.push(`${h}:${s.connections}:${s.cause}`), ...opts });
  return { b, decreases, advance: (ms: number) => (t += ms) };
}

describe('per-host back-off (AIMD)', () => {
  it('halves a host that answers 429/421 once per settle window, and gives one connection back per quiet interval', () => {
    const { b, decreases, advance } = clocked();
    expect(b.connections('h')).toBe(4);
    b.report('h', 'throttled');
    // The other connections in flight answer alike: they do not halve again within the window.
    b.report('h', 'throttled');
    b.report('h', 'throttled');
    expect(b.connections('h')).toBe(2);
    advance(1_000);
    b.report('h', 'throttled');
    expect(b.connections('h')).toBe(1);
    b.report('h', 'throttled');
    advance(1_000);
    b.report('h', 'throttled');
    expect(b.connections('h')).toBe(1); // never below one
    expect(decreases).toEqual(['h:2:throttled', 'h:1:throttled', 'h:1:throttled']);
    // Additive increase: one step per quiet recoverMs (default 5 s), up to the cap.
    advance(4_999);
    expect(b.connections('h')).toBe(1);
    advance(1);
    expect(b.connections('h')).toBe(2);
    advance(5_000 * 10);
    expect(b.connections('h')).toBe(4);
    expect(b.connections('other')).toBe(4); // per host
  });

  it('counts resets and timeouts only in a row and only from a host that has answered', () => {
    const { b, advance } = clocked();
    // A silent host's timeouts are not strain we cause (and slowing it would only slow the scan).
    for (let i = 0; i < 5; i++) b.report('silent', 'timeout');
    expect(b.connections('silent')).toBe(4);

    b.report('busy', 'ok');
    b.report('busy', 'reset');
    b.report('busy', 'timeout');
    b.report('busy', 'ok'); // an answer between them breaks the run
    b.report('busy', 'reset');
    b.report('busy', 'timeout');
    expect(b.connections('busy')).toBe(4);
    b.report('busy', 'timeout');
    expect(b.connections('busy')).toBe(2);
    advance(2_000);
    for (let i = 0; i < 3; i++) b.report('busy', 'reset');
    expect(b.connections('busy')).toBe(1);
  });

  it('spaces connection starts to a backed-off host, the gap doubling per decrease and halving as it recovers', () => {
    const { b, advance } = clocked({ baseGapMs: 100, maxGapMs: 300 });
    expect(b.delay('h')).toBe(0);
    b.report('h', 'throttled');
    expect([b.delay('h'), b.delay('h'), b.delay('h')]).toEqual([0, 100, 200]);
    advance(1_000);
    b.report('h', 'throttled');
    advance(1_000);
    b.report('h', 'throttled'); // 100 → 200 → 300 (capped)
    expect(b.delay('h')).toBe(0);
    expect(b.delay('h')).toBe(300);
    advance(5_000); // one step: 150
    expect(b.delay('h') % 150).toBe(0);
    advance(5_000); // 75 < base: no gap
    expect(b.delay('h')).toBe(0);
    expect(b.delay('h')).toBe(0);
  });
});

describe('limits with back-off', () => {
  it('a 429 seen by one connection lowers the cap for the connections still waiting', async () => {
    vi.useFakeTimers();
    const limits = createLimits({ concurrency: 16, perHostConnections: 4, backoff: { baseGapMs: 10 } });
    let open = 0;
    const seen: number[] = [];
    const request = (status: number) => async () => {
      open++;
      seen.push(open);
      await new Promise((r) => setTimeout(r, 50));
      open--;
      return status;
    };
    const throttled = (s: number): HostFeedback => (s === 429 ? 'throttled' : 'ok');
    const all = Array.from({ length: 12 }, () => limits.connect('10.0.0.1', request(429), undefined, throttled));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(Math.max(...seen.slice(0, 4))).toBe(4); // the first wave at the cap
    // Halved by the first 429; the rest of that wave (same settle window) does not halve it again.
    expect(Math.max(...seen.slice(4))).toBe(2);
    expect(limits.hostConnections('10.0.0.1')).toBe(2);
    expect(limits.hostConnections('10.0.0.2')).toBe(4);
  });

  it('a thrown reset counts as strain; a refusal does not', async () => {
    const limits = createLimits({ concurrency: 4, perHostConnections: 4, backoff: { strikes: 2 } });
    const fail = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
    await limits.connect('h', async () => 'hello');
    for (let i = 0; i < 3; i++) await expect(limits.connect('h', fail('ECONNREFUSED'))).rejects.toThrow();
    expect(limits.hostConnections('h')).toBe(4);
    for (let i = 0; i < 2; i++) await expect(limits.connect('h', fail('ECONNRESET'))).rejects.toThrow();
    expect(limits.hostConnections('h')).toBe(2);
  });

  it('a timed-out TLS hello (retryAlone, no reading of its own) is no complaint; an HTTP timeout reading is', async () => {
    const limits = createLimits({ concurrency: 4, perHostConnections: 4, backoff: { strikes: 2 } });
    const timedOut = (r: string) => r === 'timeout';
    await limits.connect('h', async () => 'answer', timedOut);
    for (let i = 0; i < 4; i++) await limits.connect('h', async () => 'timeout', timedOut);
    expect(limits.hostConnections('h')).toBe(4);
    const reading = (r: string): HostFeedback => (r === 'timeout' ? 'timeout' : 'ok');
    for (let i = 0; i < 2; i++) await limits.connect('h', async () => 'timeout', undefined, reading);
    expect(limits.hostConnections('h')).toBe(2);
  });
});

describe('what an HTTP chain tells the back-off', () => {
  const hop = (ip: string, status: number) => ({ url: 'https://x/', ip, status, location: null, next: null, schemeChange: null, hostChange: false, headers: [], setCookies: [], durationMs: 1 });
  const error = (errorKind: 'reset' | 'timeout' | 'refused' | 'aborted') => ({ kind: 'error' as const, url: 'https://x/', errorKind, message: errorKind });
  it('429/421 from the pinned host is throttling; resets and timeouts count only on a chain that stayed there', () => {
    expect(chainPushback({ hops: [hop('192.0.2.1', 429)], stop: { kind: 'done' } }, '192.0.2.1')).toEqual({ kind: 'throttled', status: 429 });
    expect(chainPushback({ hops: [hop('192.0.2.1', 421)], stop: { kind: 'done' } }, '192.0.2.1')).toEqual({ kind: 'throttled', status: 421 });
    expect(chainPushback({ hops: [hop('192.0.2.1', 200)], stop: { kind: 'done' } }, '192.0.2.1')).toBe('ok');
    // Another host's 429 on a redirect route is not this host's.
    expect(chainPushback({ hops: [hop('192.0.2.1', 301), hop('198.51.100.7', 429)], stop: { kind: 'done' } }, '192.0.2.1')).toBe('ok');
    expect(chainPushback({ hops: [], stop: error('reset') }, '192.0.2.1')).toBe('reset');
    expect(chainPushback({ hops: [], stop: error('timeout') }, '192.0.2.1')).toBe('timeout');
    expect(chainPushback({ hops: [], stop: error('refused') }, '192.0.2.1')).toBe('ok');
    expect(chainPushback({ hops: [], stop: error('aborted') }, '192.0.2.1')).toBeNull();
    expect(chainPushback({ hops: [hop('192.0.2.1', 302)], stop: error('timeout') }, '192.0.2.1')).toBe('timeout');
    expect(chainPushback({ hops: [hop('192.0.2.1', 302), hop('198.51.100.7', 302)], stop: error('timeout') }, '192.0.2.1')).toBeNull();
  });
});
