// Retry-After honoured end to end: a local Node HTTP server answers the first request with 429 Too
// Many Requests and a Retry-After; the batch's per-host limits hold every later connection to that
// address until the pause is over (compared with the pause the host-backoff event announced, on the
// same clock: no duration is asserted), and a target whose deadline comes first fails as a deadline
// does, without connecting.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceData } from '../../src/data/reference.js';
import type { HostBackoffEvent } from '../../src/engine/events.js';
import { createLimits } from '../../src/engine/limits.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTargets } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import { httpPortOption } from '../../src/probes/http/site.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers, closedPort } from '../helpers/local-servers.js';
import { noResolver } from '../helpers/probe-context.js';

const local = new LocalServers('backoff-retry-after');
afterAll(() => local.stop());

/** A server whose first answer is 429 with `retryAfter`; the wall-clock arrival of every request. */
async function throttlingServer(retryAfter: string) {
  const arrivals: number[] = [];
  const server = http.createServer((_req, res) => {
    arrivals.push(Date.now());
    if (arrivals.length === 1) res.writeHead(429, { 'retry-after': retryAfter, connection: 'close' }).end('slow down');
    else res.writeHead(200, { 'content-type': 'text/html', connection: 'close' }).end('<p>ok</p>');
  });
  return { arrivals, port: await local.listen(server) };
}

async function scanThrough(httpPort: number, count: number, timeoutMs: number) {
  const reference = createReferenceData();
  const events: HostBackoffEvent[] = [];
  // One connection at a time to the address: each one starts after the previous one's answer is read.
  const limits = createLimits({ concurrency: 16, perHostConnections: 1, onBackoff: (e) => events.push(e) });
  // https is closed (refused): each target's http request is what reaches the server.
  const port = await closedPort();
  const reports = await scanTargets(
    Array.from({ length: count }, (_, i) => parseTarget(`https://localhost:${port}/p${i}`)),
    {
      resolver: noResolver,
      trust: createTrustStore([], { mozilla: () => reference.mozillaRoots() }),
      reference,
      ips: ['127.0.0.1'],
      checks: new Set(['http']),
      timeoutMs,
      connectTimeoutMs: Math.min(timeoutMs, 5_000),
      options: optionValues([[httpPortOption, httpPort]]),
      limits,
    },
    1,
  );
  return { reports, events };
}

describe('Retry-After', () => {
  it('holds every later connection to the host until the pause it asked for is over, and says so', async () => {
    const server = await throttlingServer('2');
    const { reports, events } = await scanThrough(server.port, 3, 30_000);
    expect(reports).toHaveLength(3);
    const pause = events.find((e) => e.cause === 'throttled');
    expect(pause).toMatchObject({ type: 'host-backoff', host: '127.0.0.1', connections: 1, reason: 'HTTP 429 with Retry-After', hostsBackingOff: 1 });
    expect(pause!.pausedUntil).toBeGreaterThan(pause!.at);
    // Every request after the 429 arrived once the announced pause was over.
    expect(server.arrivals.length).toBeGreaterThanOrEqual(3);
    for (const at of server.arrivals.slice(1)) expect(at).toBeGreaterThanOrEqual(pause!.pausedUntil!);
    // The later targets got their page.
    const last = reports[2]!.probes.find((p) => p.id === 'http-headers');
    expect(last?.status).toBe('ok');
  });

  it('a target whose deadline comes before the end of the pause fails as the deadline does, without connecting', async () => {
    const server = await throttlingServer('30');
    const { reports, events } = await scanThrough(server.port, 2, 3_000);
    expect(events.find((e) => e.cause === 'throttled')?.pausedUntil).toBeDefined();
    // Only the first request reached the server: the second target's waited, then its deadline came.
    expect(server.arrivals).toHaveLength(1);
    const second = reports[1]!.probes.find((p) => p.id === 'http-headers');
    expect(second).toMatchObject({ status: 'error', errorKind: 'timeout' });
    expect(second?.reason).toMatch(/scan deadline of 3000 ms reached/);
  });
});
