// --dns-rate: query starts per DNS server spaced 1000/rate ms apart, on a fake clock; and the DNS
// client waits its turn for every attempt it sends.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DnsClient } from '../../src/net/dns/client.js';
import { createDnsRateLimiter, type DnsRateLimiter } from '../../src/net/dns/rate-limit.js';

afterEach(() => vi.useRealTimers());

describe('DNS rate limiter', () => {
  it('spaces queries to one server, keeps servers apart, and is off at 0', async () => {
    vi.useFakeTimers();
    const limiter = createDnsRateLimiter(20); // one every 50 ms
    if (!limiter) throw new Error('a positive rate makes a limiter');
    const started: Array<[string, number]> = [];
    const t0 = Date.now();
    const ask = (server: string) => limiter.wait(server).then(() => void started.push([server, Date.now() - t0]));
    const all = [ask('a'), ask('a'), ask('a'), ask('b'), ask('b')];
    await vi.runAllTimersAsync();
    await Promise.all(all);
    const at = (s: string) => started.filter(([k]) => k === s).map(([, ms]) => ms);
    expect(at('a')).toEqual([0, 50, 100]);
    expect(at('b')).toEqual([0, 50]);
    expect(createDnsRateLimiter(0)).toBeNull();
  });

  it('stops waiting when the caller aborts', async () => {
    vi.useFakeTimers();
    const limiter = createDnsRateLimiter(1)!;
    await limiter.wait('a');
    const ctl = new AbortController();
    let done = false;
    const waiting = limiter.wait('a', ctl.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false);
    ctl.abort();
    await waiting;
    expect(done).toBe(true);
  });

  it('the client waits for a slot before each attempt, retries included', async () => {
    const keys: string[] = [];
    const spy: DnsRateLimiter = { wait: async (server) => void keys.push(server) };
    // A server that reads queries and never answers: each attempt times out.
    const mute = dgram.createSocket('udp4');
    await new Promise<void>((r) => mute.bind(0, '127.0.0.1', r));
    const port = mute.address().port;
    try {
      const client = new DnsClient({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 50, retries: 2, rateLimit: spy });
      const r = await client.query('example.com', 'A');
      expect(r.status).toBe('error');
      expect(keys).toEqual(Array(3).fill(`127.0.0.1:${port}`));
    } finally {
      mute.close();
    }
  });
});
