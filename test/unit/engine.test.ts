import { describe, expect, it } from 'vitest';
import type { ScanEvent } from '../../src/engine/events.js';
import { createLimits } from '../../src/engine/limits.js';
import { defineEndpointProbe, defineTargetProbe, ProbeFailed, ProbeSkipped, type AnyProbe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { finding } from '../../src/model/finding.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
import { testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

// An in-memory resolver: these tests are about scheduling, not DNS (the DNS client has its own).
function fakeResolver(addresses: Record<string, string[]>): Resolver {
  return {
    description: 'fake',
    async addresses(host) {
      const list = addresses[host];
      if (!list) return { status: 'nxdomain', reason: 'NXDOMAIN' };
      return { status: 'ok', addresses: list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) };
    },
    async query() {
      return { status: 'nodata', authenticated: false, server: 'fake', transport: 'udp' };
    },
  } as Resolver;
}

const trust = createTrustStore();
const reference = testReference();
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

const okProbe = defineEndpointProbe({
  id: 'fake-ok', title: 'fake ok', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: ['groups'],
  async collect(ctx): Promise<{ seen: string }> { return { seen: ctx.endpoint.ip }; },
  check: (ev) => [finding({ id: 'fake.seen', severity: 'info', title: 'seen', detail: ev.seen, remediation: 'none', references: [] })],
  fields: () => ({ groups: ['x25519'] }),
});

describe('engine', () => {
  it('one endpoint per address, findings tagged with the endpoint, events in order', async () => {
    const events: ScanEvent[] = [];
    const report = await scanTarget(parseTarget('multi.test:8443'), {
      resolver: fakeResolver({ 'multi.test': ['127.0.0.1', '::1'] }), trust, reference, timeoutMs: 5000,
      probes: [okProbe], onEvent: (e) => events.push(e),
    });
    expectValidReport(report);
    expect(report.status).toBe('ok');
    expect(report.endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(['127.0.0.1:8443', '::1:8443']);
    expect(report.endpoints[0]?.tls).toMatchObject({ status: 'ok', groups: ['x25519'] });
    expect(report.findings.map((f) => f.endpoint).sort()).toEqual(['127.0.0.1:8443', '[::1]:8443'].sort());
    expect(report.findings.map((f) => f.subject).sort()).toEqual(['endpoint:127.0.0.1:8443', 'endpoint:[::1]:8443'].sort());
    expect(report.probes.map((p) => [p.id, p.subject, p.status])).toEqual([
      ['fake-ok', 'endpoint:127.0.0.1:8443', 'ok'],
      ['fake-ok', 'endpoint:[::1]:8443', 'ok'],
    ]);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['target-start', 'target-resolved', 'target-planned']);
    expect(types.at(-1)).toBe('target-end');
    expect(types.filter((t) => t === 'probe-start')).toHaveLength(2);
    expect(types.filter((t) => t === 'probe-end')).toHaveLength(2);
    const planned = events.find((e) => e.type === 'target-planned');
    expect(planned?.type === 'target-planned' && planned.tasks.map((t) => t.endpoint)).toEqual(['127.0.0.1:8443', '[::1]:8443']);
    expect(report.grades).toEqual({ tls: null, http: null, email: null, overall: null });
  });

  it('the deadline ends a probe that hangs and ignores its signal', async () => {
    const hung = defineEndpointProbe({
      id: 'hung', title: 'hangs forever', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: [],
      collect: () => new Promise<never>(() => undefined), check: () => [], fields: () => ({}),
    });
    // The point is that it ends (a scan that hung would fail by the test's timeout), and that the
    // deadline is what ended it: the reason and the typed kind say so. No elapsed time is asserted.
    const report = await scanTarget(parseTarget('h.test'), {
      resolver: fakeResolver({ 'h.test': ['127.0.0.1'] }), trust, reference, timeoutMs: 300, probes: [hung, okProbe],
    });
    expectValidReport(report);
    const tls = report.endpoints[0]!.tls;
    expect(tls.probes['hung']).toMatchObject({ status: 'error', reason: expect.stringMatching(/deadline of 300 ms/) });
    expect(report.probes.find((p) => p.id === 'hung')).toMatchObject({ status: 'error', errorKind: 'timeout' });
    expect(tls.probes['fake-ok']?.status).toBe('ok');
    expect(tls.status).toBe('ok');
  });

  it('the per-host connection limit holds across probes and endpoints of the same host', async () => {
    const limits = createLimits({ concurrency: 16, perHostConnections: 2 });
    let active = 0;
    let peak = 0;
    const greedy = (id: string) => defineEndpointProbe({
      id, title: id, categories: ['tls'], scope: 'endpoint', section: 'tls', owns: [],
      async collect(ctx) {
        await Promise.all(Array.from({ length: 5 }, () => ctx.withConnection(ctx.endpoint.ip, async () => {
          active++; peak = Math.max(peak, active);
          await sleep(20);
          active--;
        })));
        return {};
      },
      check: () => [], fields: () => ({}),
    });
    const report = await scanTarget(parseTarget('busy.test'), {
      resolver: fakeResolver({ 'busy.test': ['127.0.0.1'] }), trust, reference, timeoutMs: 10_000,
      probes: [greedy('a'), greedy('b'), greedy('c')], limits,
    });
    expect(report.endpoints[0]!.tls.probes['a']).toMatchObject({ status: 'ok', connections: 5 });
    expect(peak).toBe(2);
    expect(limits.peakConnections('127.0.0.1')).toBe(2);
  });

  it('a connection knows whether another one to its host overlapped it; one run alone has the host to itself', async () => {
    const limits = createLimits({ concurrency: 8, perHostConnections: 4 });
    const log: string[] = [];
    const work = (name: string, ms: number) => async () => {
      log.push(`+${name}`);
      await sleep(ms);
      log.push(`-${name}`);
      return name;
    };
    const solo = await limits.tracked('h', work('solo', 5));
    expect(solo).toEqual({ value: 'solo', shared: false });
    const [a, b] = await Promise.all([limits.tracked('h', work('a', 40)), limits.tracked('h', work('b', 5))]);
    expect([a.shared, b.shared]).toEqual([true, true]);
    // `alone` waits for the open one, and holds back one asked for after it.
    log.length = 0;
    const open = limits.tracked('h', work('open', 40));
    await sleep(5);
    const alone = limits.alone('h', work('alone', 20));
    const later = limits.tracked('h', work('later', 5));
    await Promise.all([open, alone, later]);
    expect(log).toEqual(['+open', '-open', '+alone', '-alone', '+later', '-later']);
    expect(limits.peakConnections('h')).toBe(2);
  });

  it('connections still queued at the deadline are never opened', async () => {
    let opened = 0;
    const queued = defineEndpointProbe({
      id: 'queued', title: 'queued', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: [],
      async collect(ctx) {
        await Promise.allSettled(Array.from({ length: 3 }, () => ctx.withConnection(ctx.endpoint.ip, async () => {
          opened++;
          await sleep(60_000, ctx.signal); // a connection that only ends when the deadline aborts it
        })));
        return {};
      },
      check: () => [], fields: () => ({}),
    });
    const report = await scanTarget(parseTarget('q.test'), {
      resolver: fakeResolver({ 'q.test': ['127.0.0.1'] }), trust, reference, timeoutMs: 200, probes: [queued],
      limits: createLimits({ concurrency: 4, perHostConnections: 1 }),
    });
    await sleep(50); // let the queue drain after the deadline
    expect(opened).toBe(1);
    expect(report.endpoints[0]!.tls.probes['queued']).toMatchObject({ status: 'error', connections: 1 });
  });

  it('skipped and failed probes are "could not test", never pass or fail', async () => {
    const skip = defineTargetProbe({ id: 'skip', title: 's', categories: ['email'], scope: 'target', section: 'email', owns: [],
      collect: async () => { throw new ProbeSkipped('not applicable'); }, check: () => [], fields: () => ({}) });
    const fail = defineEndpointProbe({ id: 'fail', title: 'f', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: [],
      collect: async () => { throw new ProbeFailed('connection refused', 'refused'); }, check: () => [], fields: () => ({}) });
    const report = await scanTarget(parseTarget('down.test'), {
      resolver: fakeResolver({ 'down.test': ['127.0.0.1'] }), trust, reference, timeoutMs: 5000, probes: [skip, fail],
    });
    expectValidReport(report);
    expect(report.email).toMatchObject({ status: 'skipped', reason: 'not applicable' });
    expect(report.endpoints[0]!.tls).toMatchObject({ status: 'error', reason: 'connection refused' });
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ status: 'error', reason: 'target unreachable: connection refused' });
    expect(report.probes).toEqual([
      { id: 'skip', subject: 'domain:down.test', status: 'skipped', reason: 'not applicable', durationMs: expect.any(Number), connections: 0 },
      { id: 'fail', subject: 'endpoint:127.0.0.1:443', status: 'error', errorKind: 'refused', reason: 'connection refused', durationMs: expect.any(Number), connections: 0 },
    ]);
  });

  it('a collect() that throws before returning a promise is skipped or failed like one that rejects, and a stray error is a bug', async () => {
    const base = { categories: ['tls'] as const, scope: 'endpoint' as const, section: 'tls' as const, owns: [], check: () => [], fields: () => ({}) };
    const syncSkip = defineEndpointProbe({ ...base, id: 'sync-skip', title: 's', collect: () => { throw new ProbeSkipped('dependency missing'); } });
    const syncBug = defineEndpointProbe({ ...base, id: 'sync-bug', title: 'b', collect: () => { throw new TypeError('oops'); } });
    const report = await scanTarget(parseTarget('sync.test'), {
      resolver: fakeResolver({ 'sync.test': ['127.0.0.1'] }), trust, reference, timeoutMs: 5000, probes: [syncSkip, syncBug],
    });
    expectValidReport(report);
    expect(report.probes.map((p) => [p.id, p.status, p.errorKind ?? null, p.reason])).toEqual([
      ['sync-skip', 'skipped', null, 'dependency missing'],
      ['sync-bug', 'error', 'bug', 'oops'],
    ]);
  });

  it('an unresolvable name is a failed scan with the reason, and no probe runs', async () => {
    const report = await scanTarget(parseTarget('nope.test'), {
      resolver: fakeResolver({}), trust, reference, timeoutMs: 5000, probes: [okProbe],
    });
    expectValidReport(report);
    expect(report).toMatchObject({ status: 'error', reason: 'could not resolve nope.test: the name does not exist (NXDOMAIN)', endpoints: [] });
  });

  it('--checks: a failed probe of a section not asked for stays incomplete while a requested grade is undecided', async () => {
    // The tls probe runs only as the http probe's dependency; without the real site evidence the
    // http grade is undecided, so the failure may be why: the scan is partial and lists it.
    const tlsFails = defineEndpointProbe({
      id: 'fake-tls-refused', title: 't', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: ['groups'],
      collect: async (): Promise<{ x: number }> => { throw new ProbeFailed('connection refused', 'refused'); },
      check: () => [], fields: () => ({}),
    });
    const httpAfterTls = defineTargetProbe({
      id: 'fake-http', title: 'h', categories: ['http'], scope: 'target', section: 'http', owns: ['statusCode'], after: [tlsFails],
      collect: async (): Promise<{ x: number }> => ({ x: 1 }), check: () => [], fields: () => ({ statusCode: 200 }),
    });
    const report = await scanTarget(parseTarget('dep.test'), {
      resolver: fakeResolver({}), trust, reference, timeoutMs: 5000, ips: ['127.0.0.9'], probes: [tlsFails, httpAfterTls] as AnyProbe[], checks: new Set(['http']),
    });
    expectValidReport(report);
    expect(report.grades.http).toBeNull();
    expect(report.status).toBe('partial');
    expect(report.incomplete).toEqual([expect.objectContaining({ section: 'tls', probe: 'fake-tls-refused', reason: 'connection refused' })]);
  });

  it('--ip pins the endpoints without resolving, --checks selects probes', async () => {
    const report = await scanTarget(parseTarget('pinned.test'), {
      resolver: fakeResolver({}), trust, reference, timeoutMs: 5000, ips: ['127.0.0.9'], probes: [okProbe] as AnyProbe[],
      checks: new Set(['http']),
    });
    expect(report.endpoints.map((e) => e.ip)).toEqual(['127.0.0.9']);
    expect(report.endpoints[0]!.tls.status).toBe('skipped');
    expect(report.status).toBe('ok');
  });
});
