import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

// As in ui-live.test.tsx: colour support forced on (so the no-colour frames mean something) and CI
// cleared (Ink writes only the last frame under CI; the batch view only ever runs on a terminal).
const previousEnv = vi.hoisted(() => {
  const previous = { FORCE_COLOR: process.env.FORCE_COLOR, CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.FORCE_COLOR = '1';
  process.env.CI = 'false';
  delete process.env.CONTINUOUS_INTEGRATION;
  return previous;
});
afterAll(() => {
  for (const [key, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

import { cleanup, render } from 'ink-testing-library';
import { SummaryBuilder, summaryEntry } from '../../src/batch/summary.js';
import type { ScanEvent } from '../../src/engine/events.js';
import type { Report } from '../../src/model/report.js';
import { displayWidth } from '../../src/render/style.js';
import { applyBatchEvent, createBatchStore, currentProbe, initialBatchState, pace } from '../../ui/batch-state.js';
import { BatchView } from '../../ui/BatchView.js';
import { emailReport, expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

const waitLong = <T,>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 5000, interval: 20 });
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
