// Cron schedules on a fake clock (hours of ticks without waiting), the overlap guard (a run still
// going when its next tick comes is skipped and counted), and the whole monitor loop driven by the
// clock: scans on schedule, diff, rules, one firing alert delivered once, then resolved.
import { describe, expect, it } from 'vitest';
import { MemoryAlertState } from '../../src/monitor/alerts.js';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import { stdoutNotifier } from '../../src/monitor/notify/stdout.js';
import { MemoryHistory, Monitor } from '../../src/monitor/runner.js';
import { CronScheduler, nextRun, validCron } from '../../src/monitor/schedule.js';
import type { Report } from '../../src/model/report.js';
import { emailReport } from './fixtures-reports.js';
import { FakeClock } from '../helpers/fake-clock.js';


const START = Date.UTC(2026, 0, 1, 0, 0, 0);
const MIN = 60_000;

describe('cron expressions', () => {
  it('accepts cron and nickname forms, refuses bad ones with a reason', () => {
    expect(validCron('*/5 * * * *')).toBeNull();
    expect(validCron('@hourly')).toBeNull();
    expect(validCron('61 * * * *')).toMatch(/minute/);
    expect(validCron('not cron')).not.toBeNull();
    expect(validCron('')).toBe('empty');
  });

  it('computes the next run strictly after a time, in a time zone', () => {
    expect(nextRun('*/15 * * * *', 'UTC', START)).toBe(START + 15 * MIN);
    expect(nextRun('0 9 * * *', 'Europe/Paris', START)).toBe(Date.UTC(2026, 0, 1, 8, 0, 0));
  });
});

describe('CronScheduler on a fake clock', () => {
  it('ticks every 5 minutes for an hour: 12 runs, without waiting', async () => {
    const clock = new FakeClock(START);
    const s = new CronScheduler({ clock, timezone: 'UTC' });
    const seen: number[] = [];
    s.add('a', '*/5 * * * *', async () => void seen.push(clock.now()));
    s.start();
    expect(s.nextRunOf('a')).toBe(START + 5 * MIN);
    await clock.advance(60 * MIN);
    expect(seen).toHaveLength(12);
    expect(seen[0]).toBe(START + 5 * MIN);
    expect(seen[11]).toBe(START + 60 * MIN);
    await s.stop();
    expect(clock.pending).toBe(0);
  });

  it('a run still going at its next tick is not started twice: the tick is skipped and counted', async () => {
    const clock = new FakeClock(START);
    const skips: number[] = [];
    const s = new CronScheduler({ clock, timezone: 'UTC', onSkip: (_id, n) => skips.push(n) });
    let release!: () => void;
    let started = 0;
    s.add('slow', '* * * * *', () => {
      started++;
      return new Promise<void>((r) => (release = r));
    });
    s.start();
    await clock.advance(MIN); // starts
    await clock.advance(3 * MIN); // three ticks while it runs
    expect(started).toBe(1);
    expect(skips).toEqual([1, 2, 3]);
    expect(s.stats('slow')).toEqual({ runs: 1, skipped: 3, running: true });
    release();
    await new Promise((r) => setImmediate(r)); // the run ends before the next tick
    await clock.advance(MIN);
    expect(started).toBe(2);
    release();
    await s.stop();
  });
});

describe('the monitor loop on a fake clock', () => {
  it('scans on schedule, fires one alert when TLS 1.0 appears, stays quiet, resolves when it goes', async () => {
    const clock = new FakeClock(START);
    // Scripted scans of one target: the engine is exercised by the integration tests; here the
    // loop around it is (previous report, diff, rules, dedup, notify, metrics).
    const reports: Report[] = [false, true, true, false].map((tls10, i) => {
      const r = structuredClone(emailReport);
      r.startedAt = new Date(START + (i + 1) * 10 * MIN).toISOString();
      r.endpoints[0]!.tls.protocols['TLSv1.0'] = tls10;
      return r;
    });
    let scans = 0;
    const lines: string[] = [];
    const metrics = new MonitorMetrics(['mail.example']);
    const monitor = new Monitor({
      targets: [{ name: 'mail.example', schedule: '*/10 * * * *' }],
      rules: [{ rule: 'weak-protocol' }],
      scan: async () => reports[Math.min(scans++, reports.length - 1)]!,
      history: new MemoryHistory(),
      alerts: new MemoryAlertState(),
      notifiers: [stdoutNotifier((l) => void lines.push(l))],
      metrics,
      targetsInFlight: 2,
      log: () => undefined,
      clock,
      timezone: 'UTC',
    });
    const stop = new AbortController();
    const scheduler = await monitor.start(stop.signal);
    await clock.advance(40 * MIN);
    expect(scans).toBe(4);
    const events = lines.map((l) => JSON.parse(l) as { state: string; alert: { key: string; changes: unknown[] } });
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(events[0]!.alert.key).toBe('weak-protocol|mail.example|endpoint:192.0.2.25:443#TLSv1.0');
    expect(events[0]!.alert.changes).toEqual([{ what: 'tls.protocol.TLSv1.0', before: false, after: true }]);
    expect(metrics.render()).toMatch(/^secgrade_alerts_open\{target="mail\.example"\} 0$/m);
    stop.abort();
    await scheduler.stop();
  });
});

describe('Monitor.runOnce', () => {
  it('runs every target once; a history that fails costs the diff, not the run', async () => {
    const logs: string[] = [];
    const failing = {
      previous: async () => {
        throw new Error('store unavailable: connection refused');
      },
      statuses: async () => [],
      record: async () => {
        throw new Error('store unavailable: connection refused');
      },
    };
    const expiring = structuredClone(emailReport);
    expiring.endpoints[0]!.tls.certificates[0]!.notAfter = new Date(Date.parse(expiring.startedAt) + 3 * 86_400_000).toISOString();
    const monitor = new Monitor({
      targets: [{ name: 'a.example', schedule: '@hourly' }, { name: 'b.example', schedule: '@hourly' }],
      rules: [{ rule: 'cert-expiry', days: 14, percent: null }],
      scan: async (t) => (t.name === 'a.example' ? expiring : emailReport),
      history: failing,
      alerts: new MemoryAlertState(),
      notifiers: [],
      metrics: new MonitorMetrics(),
      targetsInFlight: 2,
      log: (l) => void logs.push(l),
    });
    const { runs, notStarted, interrupted } = await monitor.runOnce(new AbortController().signal);
    expect({ notStarted, interrupted }).toEqual({ notStarted: 0, interrupted: false });
    expect(runs.map((r) => [r.target, r.events.map((e) => `${e.state}:${e.alert.rule}`)]).sort()).toEqual([
      ['a.example', ['firing:cert-expiry']],
      ['b.example', []],
    ]);
    expect(logs.filter((l) => l.startsWith('a.example: history'))).toEqual([
      'a.example: history read failed: store unavailable: connection refused',
      'a.example: history save failed: store unavailable: connection refused',
    ]);
  });
});
