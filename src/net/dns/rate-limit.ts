// Queries per second per DNS server, shared by every target of a batch: a thousand domains' MX,
// TXT and CAA lookups must not arrive at one resolver as a burst its rate limiter (or its operator)
// takes for abuse. Query starts are spaced 1000/rate ms apart per server (no burst, as the
// connection pacer does); the wait ends early when the caller's signal aborts.

export interface DnsRateLimiter {
  /** Wait for `server`'s next query slot (a key such as "127.0.0.1:53"); resolves at once on abort. */
  wait(server: string, signal?: AbortSignal): Promise<void>;
}

/** `queriesPerSecond` 0 (or less): no cap. */
export function createDnsRateLimiter(queriesPerSecond: number, now: () => number = Date.now): DnsRateLimiter | null {
  if (!(queriesPerSecond > 0) || !Number.isFinite(queriesPerSecond)) return null;
  const gap = 1000 / queriesPerSecond;
  const next = new Map<string, number>();
  return {
    wait(server, signal) {
      const t = now();
      const at = Math.max(t, next.get(server) ?? 0);
      next.set(server, at + gap);
      if (at <= t || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, at - t);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
