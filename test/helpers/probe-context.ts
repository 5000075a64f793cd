// A probe context for one loopback endpoint, as the engine builds it, that counts the connections a
// probe opens: for tests that run probes' collect() directly. Also `testDeps`, the `deps` the engine
// hands a probe, made from evidence a test already has.
import { ledTo } from '../../src/engine/led-to.js';
import { OPEN_POLICY, type AddressPolicy } from '../../src/net/address-policy.js';
import { createReferenceData, type ReferenceData } from '../../src/data/reference.js';
import { createLimits } from '../../src/engine/limits.js';
import { createSharedWork, type SharedWork } from '../../src/engine/shared-work.js';
import { NO_OPTIONS, optionValue, type OptionValues } from '../../src/engine/options.js';
import { ProbeSkipped, type AnyProbe, type CheckFacts, type Deps, type Endpoint, type EndpointContext, type ScanTarget } from '../../src/engine/probe.js';
import type { CheckFinding } from '../../src/model/finding.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore, type TrustStore } from '../../src/trust/store.js';

/** One ReferenceData for the test process (each list is read on first use), as the CLI makes one per process. */
let shared: ReferenceData | null = null;
export function testReference(): ReferenceData {
  return (shared ??= createReferenceData());
}

export interface LoopbackOptions {
  connectTimeoutMs?: number;
  /** Probe option values (default: none, so every probe reads its spec's default). */
  options?: OptionValues;
  reference?: ReferenceData;
  target?: ScanTarget;
  resolver?: Resolver;
  trust?: TrustStore;
  signal?: AbortSignal;
  /** Where probes may be led (default: anywhere, as the tests run on loopback). */
  policy?: AddressPolicy;
  /** Shared work of a run (default: this context's own). */
  sharedWork?: SharedWork;
}

export function loopbackContext(port: number, opts: LoopbackOptions = {}): { ctx: EndpointContext; connections: () => number; reset: () => void } {
  const limits = createLimits({ concurrency: 8, perHostConnections: 4 });
  const endpoint: Endpoint = { ip: '127.0.0.1', port, family: 4 };
  const options = opts.options ?? NO_OPTIONS;
  let n = 0;
  const signal = opts.signal ?? new AbortController().signal;
  // As the engine does: a timeout beside other connections to the host is asked again alone.
  const withConnection: EndpointContext['withConnection'] = async (host, fn, connection) => {
    const open = () => {
      n++;
      return fn();
    };
    return limits.connect(host, open, connection?.retryAlone, connection?.feedback);
  };
  const sharedWork = opts.sharedWork ?? createSharedWork();
  const ctx: EndpointContext = {
    target: opts.target ?? { host: '127.0.0.1', port, path: '/', sni: null },
    endpoint,
    endpoints: [endpoint],
    resolver: opts.resolver ?? ({} as Resolver), // loopback IP targets never resolve anything
    addressOf: (host) => ledTo(host, opts.resolver ?? ({} as Resolver), opts.policy ?? OPEN_POLICY, opts.signal ?? new AbortController().signal),
    trust: opts.trust ?? createTrustStore(),
    reference: opts.reference ?? testReference(),
    option: (spec) => optionValue(options, spec),
    signal,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    withConnection,
    shared: (key, fn) => sharedWork.run(key, signal, (s) => fn({ signal: s, withConnection })),
    now: () => new Date(),
  };
  return { ctx, connections: () => n, reset: () => (n = 0) };
}

/** A dependency's outcome as a test gives it: its evidence, and optionally its check's findings. */
export type TestDep = readonly [probe: AnyProbe, evidence: unknown, findings?: readonly CheckFinding[]];

/**
 * The `deps` the engine gives a probe, from evidence a test has (as the engine's: `need` skips the
 * probe when a dependency is missing). A dependency's findings are the given ones, else what its
 * check makes of the evidence under `facts` ([] without facts).
 */
export function testDeps(entries: readonly TestDep[] = [], facts?: CheckFacts): Deps {
  const byProbe = new Map<AnyProbe, TestDep>(entries.map((e) => [e[0], e]));
  return {
    get: <E>(p: AnyProbe) => byProbe.get(p)?.[1] as E | undefined,
    need: <E>(p: AnyProbe, why: string) => {
      const e = byProbe.get(p);
      if (!e) throw new ProbeSkipped(`${why} (${p.id} did not complete)`);
      return e[1] as E;
    },
    findings: (p: AnyProbe): readonly CheckFinding[] => {
      const e = byProbe.get(p);
      if (!e) return [];
      return e[2] ?? (facts ? p.check(e[1], facts) : []);
    },
    failure: (p: AnyProbe) => (byProbe.has(p) ? undefined : { reason: 'not given by the test' }),
  };
}

/** A resolver for scans whose target is pinned (--ip): every name is NXDOMAIN, every query NODATA. */
export const noResolver: Resolver = {
  description: 'test resolver',
  addresses: async () => ({ status: 'nxdomain', reason: 'NXDOMAIN' }),
  query: async () => ({ status: 'nodata', authenticated: false, server: 'test', transport: 'udp' }) as never,
};
