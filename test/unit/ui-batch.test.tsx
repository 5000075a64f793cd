// Before ink loads: the test terminal (colour on, CI cleared), as in ui-live.test.tsx.
import { waitLong } from '../helpers/ink-terminal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { SummaryBuilder, summaryEntry } from '../../src/batch/summary.js';
import { BatchProgress } from '../../src/batch/progress.js';
import type { HostBackoffEvent, ScanEvent } from '../../src/engine/events.js';
import type { Report } from '../../src/model/report.js';
import { displayWidth } from '../../src/render/style.js';
import { applyBatchEvent, createBatchStore, currentProbe, initialBatchState, pace } from '../../ui/batch-state.js';
import { BatchView } from '../../ui/BatchView.js';
import { emailReport, expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

afterEach(() => cleanup());

/** A target that starts, plans two probes and runs the first (still in flight). */
function running(target: string): ScanEvent[] {
  return [
    { type: 'target-start', target, at: 0 },
    { type: 'target-resolved', target, endpoints: ['192.0.2.1:443'], at: 0 },
    {
      type: 'target-planned',
      target,
      tasks: [
        { probeId: 'tls-protocols', title: 'Protocol support', endpoint: '192.0.2.1:443' },
        { probeId: 'http-headers', title: 'HTTP headers', endpoint: null },
      ],
      at: 0,
    },
    { type: 'probe-start', target, probeId: 'tls-protocols', endpoint: '192.0.2.1:443', at: 0 },
  ];
}
const ended = (target: string, report: Report): ScanEvent => ({ type: 'target-end', target, report, at: 0 });

describe('batch state', () => {
  it('counts done targets, grades and error kinds, and keeps each target in flight with its probe', () => {
    let s = initialBatchState(5, 0);
    for (const e of [...running('a.example'), ...running('b.example')]) s = applyBatchEvent(s, e, 0);
    expect(s.inFlight.map((t) => t.target)).toEqual(['a.example', 'b.example']);
    expect(currentProbe(s.inFlight[0]!)).toEqual({ title: 'Protocol support', others: 0 });
    s = applyBatchEvent(s, { type: 'probe-start', target: 'a.example', probeId: 'http-headers', endpoint: null, at: 0 }, 0);
    expect(currentProbe(s.inFlight[0]!)).toEqual({ title: 'Protocol support', others: 1 });
    s = applyBatchEvent(s, { type: 'probe-end', target: 'a.example', probeId: 'tls-protocols', endpoint: '192.0.2.1:443', status: 'ok', durationMs: 5, at: 0 }, 0);
    expect(currentProbe(s.inFlight[0]!)).toEqual({ title: 'HTTP headers', others: 0 });
    expect(s.inFlight[0]).toMatchObject({ tasksDone: 1, tasksTotal: 2 });

    for (const [t, r] of [['a.example', goodReport], ['b.example', unreachableReport], ['c.example', goodReport]] as const) s = applyBatchEvent(s, ended(t, r), 0);
    expect(s).toMatchObject({ done: 3, notOk: 1, byGrade: { A: 2, none: 1 }, errorsByKind: { refused: 1 } });
    expect(s.inFlight).toEqual([]);
    // 3 of 5 in 2 s: 1.5 targets/s, 2 left.
    expect(pace(s, 2_000)).toEqual({ rate: 1.5, etaMs: (2 / 1.5) * 1000 });
  });
});

function mount(total: number, clock: () => number) {
  const store = createBatchStore(total, clock);
  const app = render(<BatchView store={store} color={false} columns={80} rows={30} clock={clock} tickMs={20} />);
  return { store, app };
}

describe('BatchView', () => {
  it('shows counts, rate, ETA, the grade histogram, errors by kind and the targets in flight; then the summary table', async () => {
    let now = 0;
    const clock = () => now;
    const { store, app } = mount(6, clock);
    for (const e of [...running('a.example'), ...running('slow.example')]) store.dispatch(e);
    await waitLong(() => expect(app.lastFrame()).toMatch(/slow\.example\s+0\/2\s+Protocol support/));
    expect(app.lastFrame()).toContain('secgrade batch  0/6 done (0%) · 2 in flight');
    expect(app.lastFrame()).toMatch(/^rate {5}0\.00 targets\/s · ETA –$/m);
    expect(app.lastFrame()).toMatch(/^grades {3}none yet$/m);
    expect(app.lastFrame()).toMatch(/^errors {3}none so far$/m);

    const reports: Array<[string, Report]> = [['a.example', goodReport], ['b.example', expiredReport], ['c.example', unreachableReport], ['d.example', emailReport]];
    for (const [t, r] of reports) store.dispatch(ended(t, r));
    now = 4_000;
    await waitLong(() => expect(app.lastFrame()).toContain('4/6 done (66%) · 1 in flight · 1 not ok'));
    await waitLong(() => expect(app.lastFrame()).toMatch(/^rate {5}1\.00 targets\/s · ETA 2s$/m));
    const frame = app.lastFrame() ?? '';
    // Best grade first, `none` last, bars scaled to the largest count (all 1 here: full width).
    const bars = frame.split('\n').filter((l) => /█/.test(l));
    expect(bars.map((l) => l.replace(/█+/, '▇').trim())).toEqual(['grades   A    ▇ 1', 'B    ▇ 1', 'T    ▇ 1', 'none ▇ 1']);
    expect(frame).toMatch(/^errors {3}refused 1$/m);
    expect(frame).toMatch(/slow\.example\s+0\/2\s+Protocol support\s+4s$/m);
    expect(frame).not.toContain('a.example'); // done targets leave the live area
    for (const line of frame.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);

    const summary = new SummaryBuilder();
    for (const [t, r] of reports) summary.add(summaryEntry(r, t));
    store.finish(summary.build('run-1', { notStarted: 2 }));
    await waitLong(() => expect(app.lastFrame()).toContain('Overall grade'));
    const table = app.lastFrame() ?? '';
    expect(table).toContain('4 target(s) — run run-1');
    expect(table).toMatch(/Worst grades\n\s+b\.example\s+T {2}ok/);
    expect(table).toMatch(/Errors by kind \(targets\)\n\s+refused\s+1/);
    expect(table).toMatch(/not started\s+2/);
    expect(table).not.toContain('slow.example'); // the live area is gone
    // Events after the end change nothing.
    const before = store.getState();
    store.dispatch(ended('slow.example', goodReport));
    expect(store.getState()).toBe(before);
  });

  it('counts the targets in flight it has no room to list', async () => {
    const clock = () => 0;
    const store = createBatchStore(20, clock);
    const app = render(<BatchView store={store} color={false} columns={60} rows={10} clock={clock} tickMs={20} />);
    for (let i = 0; i < 8; i++) for (const e of running(`t${i}.example`)) store.dispatch(e);
    await waitLong(() => expect(app.lastFrame()).toContain('8 in flight'));
    const frame = app.lastFrame() ?? '';
    expect(frame).toMatch(/… and \d+ more in flight/);
    expect(frame.split('\n').length).toBeLessThanOrEqual(10);
  });
});

describe('hosts backing off', () => {
  const backoff = (host: string, over: Partial<HostBackoffEvent> = {}): HostBackoffEvent => ({
    type: 'host-backoff', host, connections: 2, maxConnections: 4, cause: 'throttled', reason: 'HTTP 429', hostsBackingOff: 1, at: 0, ...over,
  });

  it('the state counts them as the limits do and keeps the latest few, newest first, one per host; a recovered host leaves', () => {
    let s = initialBatchState(5, 0);
    expect(s.backoff).toEqual({ hosts: 0, latest: [] });
    s = applyBatchEvent(s, backoff('192.0.2.1'), 0);
    s = applyBatchEvent(s, backoff('192.0.2.2', { cause: 'reset', reason: 'connections reset', hostsBackingOff: 2 }), 0);
    s = applyBatchEvent(s, backoff('192.0.2.1', { connections: 1, pausedUntil: 30_000, reason: 'HTTP 429 with Retry-After', hostsBackingOff: 2 }), 0);
    expect(s.backoff.hosts).toBe(2);
    expect(s.backoff.latest.map((e) => [e.host, e.connections])).toEqual([['192.0.2.1', 1], ['192.0.2.2', 2]]);
    for (let i = 3; i < 8; i++) s = applyBatchEvent(s, backoff(`192.0.2.${i}`, { hostsBackingOff: i }), 0);
    expect(s.backoff.latest.map((e) => e.host)).toEqual(['192.0.2.7', '192.0.2.6', '192.0.2.5']);
    s = applyBatchEvent(s, backoff('192.0.2.6', { cause: 'recovered', reason: 'recovered', connections: 4, hostsBackingOff: 6 }), 0);
    expect(s.backoff).toMatchObject({ hosts: 6 });
    expect(s.backoff.latest.map((e) => e.host)).toEqual(['192.0.2.7', '192.0.2.5']);
  });

  it('the view shows how many back off and why, with the time left of a pause; nothing once all recovered', async () => {
    let now = 0;
    const clock = () => now;
    const store = createBatchStore(10, clock);
    const app = render(<BatchView store={store} color={false} columns={160} clock={clock} tickMs={20} />);
    await waitLong(() => expect(app.lastFrame()).toContain('0/10 done'));
    expect(app.lastFrame()).not.toContain('backing off');
    store.dispatch(backoff('192.0.2.9', { cause: 'reset', reason: 'connections reset', connections: 2 }));
    store.dispatch(backoff('192.0.2.1', { connections: 1, pausedUntil: 25_000, reason: 'HTTP 429 with Retry-After', hostsBackingOff: 2 }));
    await waitLong(() =>
      expect(app.lastFrame()).toMatch(/^backoff {2}hosts backing off: 2 · 192\.0\.2\.1 HTTP 429 with Retry-After, paused 25s · 192\.0\.2\.9 connections reset, 2\/4 connections$/m),
    );
    // The pause counts down as the view redraws; once over, the host's connections show.
    now = 24_500;
    await waitLong(() => expect(app.lastFrame()).toMatch(/192\.0\.2\.1 HTTP 429 with Retry-After, paused 1s/));
    now = 26_000;
    await waitLong(() => expect(app.lastFrame()).toMatch(/192\.0\.2\.1 HTTP 429 with Retry-After, 1\/4 connections/));
    store.dispatch(backoff('192.0.2.1', { cause: 'recovered', reason: 'recovered', connections: 4, hostsBackingOff: 1 }));
    store.dispatch(backoff('192.0.2.9', { cause: 'recovered', reason: 'recovered', connections: 4, hostsBackingOff: 0 }));
    await waitLong(() => expect(app.lastFrame()).not.toContain('backing off'));
  });

  it('the progress line off a terminal says it too', () => {
    let now = 0;
    const p = new BatchProgress(4, () => now);
    p.start();
    expect(p.line()).not.toContain('backing off');
    p.hostBackoff(backoff('192.0.2.1', { connections: 1, pausedUntil: 12_000, reason: 'HTTP 503 with Retry-After' }));
    now = 2_000;
    expect(p.line()).toMatch(/, hosts backing off: 1 \(latest: 192\.0\.2\.1 HTTP 503 with Retry-After, paused 10s\)$/);
    p.hostBackoff(backoff('192.0.2.1', { cause: 'recovered', reason: 'recovered', connections: 4, hostsBackingOff: 0 }));
    expect(p.line()).not.toContain('backing off');
  });
});
