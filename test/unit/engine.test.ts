import { describe, expect, it } from 'vitest';
import type { ScanEvent } from '../../src/engine/events.js';
import { createLimits } from '../../src/engine/limits.js';
import { defineProbe, ProbeFailed, ProbeSkipped, type Probe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { finding } from '../../src/model/finding.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
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
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

const okProbe = defineProbe<{ seen: string }>({
  id: 'fake-ok', title: 'fake ok', categories: ['tls'], scope: 'endpoint', section: 'tls',
  async collect(ctx) { return { seen: ctx.endpoint!.ip }; },
  check: (ev) => [finding({ id: 'fake.seen', severity: 'info', title: 'seen', detail: ev.seen, remediation: 'none', references: [] })],
  report: () => ({ groups: ['x25519'] }),
});

describe('engine', () => {
  it('one endpoint per address, findings tagged with the endpoint, events in order', async () => {
    const events: ScanEvent[] = [];
    const report = await scanTarget(parseTarget('multi.test:8443'), {
      resolver: fakeResolver({ 'multi.test': ['127.0.0.1', '::1'] }), trust, timeoutMs: 5000,
      probes: [okProbe], onEvent: (e) => events.push(e),
    });
    expectValidReport(report);
    expect(report.status).toBe('ok');
    expect(report.endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(['127.0.0.1:8443', '::1:8443']);
    expect(report.endpoints[0]?.tls).toMatchObject({ status: 'ok', groups: ['x25519'] });
    expect(report.findings.map((f) => f.endpoint).sort()).toEqual(['127.0.0.1:8443', '[::1]:8443'].sort());
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
    const hung = defineProbe({
      id: 'hung', title: 'hangs forever', categories: ['tls'], scope: 'endpoint', section: 'tls',
      collect: () => new Promise<never>(() => undefined), check: () => [], report: () => ({}),
    });
    const t0 = Date.now();
    const report = await scanTarget(parseTarget('h.test'), {
      resolver: fakeResolver({ 'h.test': ['127.0.0.1'] }), trust, timeoutMs: 300, probes: [hung, okProbe],
    });
    expectValidReport(report);
    expect(Date.now() - t0).toBeLessThan(5000); // loose: the point is that it ends, not how fast
    const tls = report.endpoints[0]!.tls;
    expect(tls.probes['hung']).toMatchObject({ status: 'error', reason: expect.stringMatching(/deadline of 300 ms/) });
    expect(tls.probes['fake-ok']?.status).toBe('ok');
    expect(tls.status).toBe('ok');
  });

  it('the per-host connection limit holds across probes and endpoints of the same host', async () => {
    const limits = createLimits({ concurrency: 16, perHostConnections: 2 });
    let active = 0;
    let peak = 0;
    const greedy = (id: string) => defineProbe({
      id, title: id, categories: ['tls'], scope: 'endpoint', section: 'tls',
      async collect(ctx) {
        await Promise.all(Array.from({ length: 5 }, () => ctx.withConnection(ctx.endpoint!.ip, async () => {
          active++; peak = Math.max(peak, active);
          await sleep(20);
          active--;
        })));
        return {};
      },
      check: () => [], report: () => ({}),
    });
    const report = await scanTarget(parseTarget('busy.test'), {
      resolver: fakeResolver({ 'busy.test': ['127.0.0.1'] }), trust, timeoutMs: 10_000,
      probes: [greedy('a'), greedy('b'), greedy('c')], limits,
    });
    expect(report.endpoints[0]!.tls.probes['a']).toMatchObject({ status: 'ok', connections: 5 });
    expect(peak).toBe(2);
    expect(limits.peakConnections('127.0.0.1')).toBe(2);
  });

  it('connections still queued at the deadline are never opened', async () => {
    let opened = 0;
    const queued = defineProbe({
      id: 'queued', title: 'queued', categories: ['tls'], scope: 'endpoint', section: 'tls',
      async collect(ctx) {
        await Promise.allSettled(Array.from({ length: 3 }, () => ctx.withConnection(ctx.endpoint!.ip, async () => {
          opened++;
          await sleep(60_000, ctx.signal); // a connection that only ends when the deadline aborts it
        })));
        return {};
      },
      check: () => [], report: () => ({}),
    });
    const report = await scanTarget(parseTarget('q.test'), {
      resolver: fakeResolver({ 'q.test': ['127.0.0.1'] }), trust, timeoutMs: 200, probes: [queued],
      limits: createLimits({ concurrency: 4, perHostConnections: 1 }),
    });
    await sleep(50); // let the queue drain after the deadline
    expect(opened).toBe(1);
    expect(report.endpoints[0]!.tls.probes['queued']).toMatchObject({ status: 'error', connections: 1 });
  });

  it('skipped and failed probes are "could not test", never pass or fail', async () => {
    const skip = defineProbe({ id: 'skip', title: 's', categories: ['email'], scope: 'target', section: 'email',
      collect: async () => { throw new ProbeSkipped('not applicable'); }, check: () => [], report: () => ({}) });
    const fail = defineProbe({ id: 'fail', title: 'f', categories: ['tls'], scope: 'endpoint', section: 'tls',
      collect: async () => { throw new ProbeFailed('connection refused'); }, check: () => [], report: () => ({}) });
    const report = await scanTarget(parseTarget('down.test'), {
      resolver: fakeResolver({ 'down.test': ['127.0.0.1'] }), trust, timeoutMs: 5000, probes: [skip, fail],
    });
    expectValidReport(report);
    expect(report.email).toMatchObject({ status: 'skipped', reason: 'not applicable' });
    expect(report.endpoints[0]!.tls).toMatchObject({ status: 'error', reason: 'connection refused' });
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ status: 'error', reason: 'target unreachable: connection refused' });
  });

  it('an unresolvable name is a failed scan with the reason, and no probe runs', async () => {
    const report = await scanTarget(parseTarget('nope.test'), {
      resolver: fakeResolver({}), trust, timeoutMs: 5000, probes: [okProbe],
    });
    expectValidReport(report);
    expect(report).toMatchObject({ status: 'error', reason: 'could not resolve nope.test: the name does not exist (NXDOMAIN)', endpoints: [] });
  });

  it('--ip pins the endpoints without resolving, --checks selects probes', async () => {
    const report = await scanTarget(parseTarget('pinned.test'), {
      resolver: fakeResolver({}), trust, timeoutMs: 5000, ips: ['127.0.0.9'], probes: [okProbe] as Probe<any>[],
      checks: new Set(['http']),
    });
    expect(report.endpoints.map((e) => e.ip)).toEqual(['127.0.0.9']);
    expect(report.endpoints[0]!.tls.status).toBe('skipped');
    expect(report.status).toBe('ok');
  });
});
