// Per-host back-off end to end: a site whose server answers every request with 429 Too Many
// Requests, scanned as a batch of targets on one address. The server counts the connections open
// to it when each arrives: the first wave reaches the per-host cap, the connections that come after
// its 429s find fewer open beside them. No clock is read by the assertions, only counts.
import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceData } from '../../src/data/reference.js';
import { createLimits } from '../../src/engine/limits.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTargets } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import { httpPortOption } from '../../src/probes/http/site.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers, closedPort } from '../helpers/local-servers.js';
import { noResolver } from '../helpers/probe-context.js';

const local = new LocalServers('backoff-429');
afterAll(() => local.stop());

describe('back-off on HTTP 429', () => {
  it("lowers the host's concurrency for the targets that come after the 429s", async () => {
    let open = 0;
    let answered = 0;
    /** Per connection, in arrival order: how many were open (itself included), and how many 429s had been sent. */
    const arrivals: Array<{ open: number; answered: number }> = [];
    const server = http.createServer((_req, res) => {
      // Held a moment, so connections that start together are seen together.
      setTimeout(() => {
        answered++;
        // No Retry-After: this is the AIMD halving alone (backoff-retry-after.test.ts has the pause).
        res.writeHead(429, { connection: 'close' }).end('slow down');
      }, 60);
    });
    server.on('connection', (socket: net.Socket) => {
      open++;
      arrivals.push({ open, answered });
      socket.on('close', () => open--);
    });
    const httpPort = await local.listen(server);
    // https is closed (refused, which is no strain): each target makes its http request and stops.
    const port = await closedPort();
    const reference = createReferenceData();
    const limits = createLimits({
      concurrency: 64,
      perHostConnections: 4,
      // No recovery within the test, and short gaps: the counts alone tell the story.
      backoff: { recoverMs: 3_600_000, baseGapMs: 5, maxGapMs: 20, settleMs: 0 },
    });
    const targets = Array.from({ length: 16 }, (_, i) => parseTarget(`https://localhost:${port}/p${i}`));
    const reports = await scanTargets(
      targets,
      {
        resolver: noResolver,
        trust: createTrustStore([], { mozilla: () => reference.mozillaRoots() }),
        reference,
        ips: ['127.0.0.1'],
        checks: new Set(['http']),
        timeoutMs: 30_000,
        connectTimeoutMs: 5_000,
        options: optionValues([[httpPortOption, httpPort]]),
        limits,
      },
      8,
    );
    expect(reports).toHaveLength(16);
    expect(arrivals.length).toBeGreaterThanOrEqual(16);
    // Before any 429: as many at once as the per-host cap allows.
    const before = arrivals.filter((a) => a.answered === 0);
    expect(Math.max(...before.map((a) => a.open))).toBeGreaterThanOrEqual(3);
    // Once the first wave was answered, one at a time (a closing socket may still be counted: ≤ 2).
    const after = arrivals.filter((a) => a.answered >= 4);
    expect(after.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...after.map((a) => a.open))).toBeLessThanOrEqual(2);
    expect(limits.hostConnections('127.0.0.1')).toBe(1);
    expect(limits.peakConnections('127.0.0.1')).toBe(4);
  });
});
