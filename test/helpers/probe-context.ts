// A ProbeContext for one loopback endpoint, as the engine builds it, that counts the connections a
// probe opens: for tests that run probes' collect() directly.
import { createLimits } from '../../src/engine/limits.js';
import { DEFAULT_PROBE_SETTINGS, type Endpoint, type ProbeContext } from '../../src/engine/probe.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';

export function loopbackContext(port: number, opts: { connectTimeoutMs?: number } = {}): { ctx: ProbeContext; connections: () => number; reset: () => void } {
  const limits = createLimits({ concurrency: 8, perHostConnections: 4 });
  const endpoint: Endpoint = { ip: '127.0.0.1', port, family: 4 };
  let n = 0;
  const ctx: ProbeContext = {
    target: { host: '127.0.0.1', port, path: '/', sni: null },
    endpoint,
    endpoints: [endpoint],
    resolver: {} as Resolver, // loopback IP targets never resolve anything
    trust: createTrustStore(),
    settings: DEFAULT_PROBE_SETTINGS,
    signal: new AbortController().signal,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    withConnection: (host, fn) =>
      limits.connection(host, () => {
        n++;
        return fn();
      }),
    now: () => new Date(),
  };
  return { ctx, connections: () => n, reset: () => (n = 0) };
}
