// The batch scheduler (targets in flight, interruption with a grace period), the DNS cache shared
// across targets, and the connection pacing behind --rate.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runJobs } from '../../src/batch/run.js';
import { createLimits } from '../../src/engine/limits.js';
import type { AddressResult, Resolver } from '../../src/net/dns/resolver.js';
import { sharedDnsCache } from '../../src/net/dns/shared-cache.js';
import type { LookupResult } from '../../src/net/dns/types.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('runJobs', () => {
  it('runs every job with at most N in flight and hands each result over', async () => {
    let running = 0;
    let peak = 0;
    const results: number[] = [];
    const out = await runJobs({
      jobs: Array.from({ length: 25 }, (_, i) => i),
      targetsInFlight: 4,
      signal: new AbortController().signal,
      graceMs: 0,
      scan: async (j) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1 + (j % 3)));
        running--;
        return j * 10;
      },
      onResult: async (_j, r) => void results.push(r),
    });
    expect(out).toEqual({ started: 25, notStarted: 0, interrupted: false });
    expect(peak).toBe(4);
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i * 10));
  });

  it('on interruption starts nothing new; jobs in flight see their signal only after the grace period', async () => {
    const stop = new AbortController();
    const seen: Array<{ job: number; abortedAtStop: boolean }> = [];
    const release: Array<() => void> = [];
    let inFlight = 0;
    const run = runJobs({
      jobs: [0, 1, 2, 3, 4, 5],
      targetsInFlight: 2,
      signal: stop.signal,
      graceMs: 50,
      scan: (job, signal) =>
        new Promise<string>((resolve) => {
          inFlight++;
          // Job 0 ends when released (within the grace); job 1 ends only when its signal aborts.
          if (job === 0) release.push(() => resolve('done'));
          signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
        }),
      onResult: async (job, r) => void seen.push({ job, abortedAtStop: r === 'interrupted' }),
    });
    while (inFlight < 2) await tick();
    stop.abort(new Error('interrupted'));
    release[0]!();
    const out = await run;
    expect(out).toEqual({ started: 2, notStarted: 4, interrupted: true });
    expect(seen).toEqual([
      { job: 0, abortedAtStop: false },
      { job: 1, abortedAtStop: true },
    ]);
  });

  it('a job that throws (a bug) stops the batch and is rethrown once the others end', async () => {
    await expect(
      runJobs({
        jobs: [1, 2, 3],
        targetsInFlight: 1,
        signal: new AbortController().signal,
        graceMs: 0,
        scan: async (j) => {
          if (j === 2) throw new Error('boom');
          return j;
        },
        onResult: async () => undefined,
      }),
    ).rejects.toThrow('boom');
  });
});

/** A resolver that counts questions and answers after `gate` resolves. */
function countingResolver(answer: (name: string) => LookupResult) {
  const asked: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const resolver: Resolver = {
    description: 'test resolver',
    async addresses(host): Promise<AddressResult> {
      asked.push(`addr ${host}`);
      await gate;
      return { status: 'ok', addresses: [{ address: '192.0.2.1', family: 4 }] };
    },
    async query(name, type) {
      asked.push(`${type} ${name}`);
      await gate;
      return answer(name);
    },
  };
  return { resolver, asked, open };
}

const ok = (): LookupResult => ({ status: 'ok', records: [], authenticated: false, server: 'test', transport: 'udp' });

describe('the shared DNS cache', () => {
  it('asks each question once for every target, in flight or answered, names folded to lower case', async () => {
    const { resolver, asked, open } = countingResolver(ok);
    const cache = sharedDnsCache(resolver);
    const pending = [cache.query('MX.provider.example', 'A'), cache.query('mx.provider.example', 'A'), cache.addresses('mx.provider.example')];
    open();
    await Promise.all(pending);
    await cache.query('mx.provider.example', 'A');
    await cache.query('mx.provider.example', 'A', undefined, { dnssecOk: true }); // other bits: another question
    expect(asked).toEqual(['A MX.provider.example', 'addr mx.provider.example', 'A mx.provider.example']);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 3 });
  });

  it('never keeps an error: the next target asks again', async () => {
    const { resolver, asked, open } = countingResolver(() => ({ status: 'error', reason: 'SERVFAIL' }));
    open();
    const cache = sharedDnsCache(resolver);
    expect((await cache.query('x.example', 'TXT')).status).toBe('error');
    await tick();
    await cache.query('x.example', 'TXT');
    expect(asked).toEqual(['TXT x.example', 'TXT x.example']);
  });

  it("one target's deadline ends its own wait, not the lookup the others share", async () => {
    const { resolver, open } = countingResolver(ok);
    const cache = sharedDnsCache(resolver);
    const late = new AbortController();
    const first = cache.query('x.example', 'TXT', late.signal);
    const second = cache.query('x.example', 'TXT', new AbortController().signal);
    late.abort();
    expect(await first).toEqual({ status: 'error', reason: 'aborted' });
    open();
    expect((await second).status).toBe('ok');
  });

  it('is bounded: the least recently used answer goes first, and answers expire', async () => {
    let now = 0;
    const { resolver, asked, open } = countingResolver(ok);
    open();
    const cache = sharedDnsCache(resolver, { maxEntries: 2, ttlMs: 1000, now: () => now });
    await cache.query('a.example', 'A');
    await cache.query('b.example', 'A');
    await cache.query('a.example', 'A'); // a is now the most recent
    await cache.query('c.example', 'A'); // evicts b
    expect(cache.stats().size).toBe(2);
    await cache.query('a.example', 'A');
    await cache.query('b.example', 'A');
    now = 5000;
    await cache.query('b.example', 'A');
    expect(asked.filter((q) => q === 'A a.example')).toHaveLength(1);
    expect(asked.filter((q) => q === 'A b.example')).toHaveLength(3);
  });

  it('drops expired answers as new ones come: a long batch holds one TTL of lookups, not maxEntries stale ones', async () => {
    let now = 0;
    const { resolver, open } = countingResolver(ok);
    open();
    const cache = sharedDnsCache(resolver, { maxEntries: 10_000, ttlMs: 1000, now: () => now });
    for (let i = 0; i < 300; i++) {
      await cache.query(`d${i}.example`, 'A');
      now += 100;
    }
    // Ten answers live at once (one TTL at one lookup per 100 ms), give or take the one just asked.
    expect(cache.stats().size).toBeLessThanOrEqual(11);
  });
});

describe('--rate: connection starts are paced across everything sharing the limits', () => {
  afterEach(() => vi.useRealTimers());

  it('10 per second spaces starts 100 ms apart (no burst), across hosts', async () => {
    vi.useFakeTimers({ now: 0 });
    const limits = createLimits({ concurrency: 10, perHostConnections: 4, connectionsPerSecond: 10 });
    const starts: number[] = [];
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => limits.connection(`192.0.2.${i % 2}`, async () => void starts.push(Date.now()))));
    await vi.advanceTimersByTimeAsync(1000);
    await all;
    expect(starts).toEqual([0, 100, 200, 300, 400]);
  });

  it('no rate: connections start at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const limits = createLimits({ concurrency: 10, perHostConnections: 4 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => limits.connection('192.0.2.1', async () => void starts.push(Date.now()))));
    expect(starts).toEqual([0, 0, 0, 0]);
  });
});
