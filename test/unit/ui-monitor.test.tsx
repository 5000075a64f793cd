// The monitor dashboard: its pure state (runs, trend, next runs, alerts, store seeding), the frame
// Ink draws (grades, trend, next run, alerts, an untested grade as "—", no line past a narrow
// width), and the runner's hooks driving it on a fake clock (run started → scanning, run finished →
// grades, the scheduler's next run).
// Before ink loads: the test terminal (colour on, CI cleared), as in ui-batch.test.tsx.
import { waitLong } from '../helpers/ink-terminal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { PassThrough } from 'node:stream';
import { sparkline } from '../../src/cli/history.js';
import type { Report } from '../../src/model/report.js';
import { MemoryAlertState } from '../../src/monitor/alerts.js';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import { MemoryHistory, Monitor, type TargetRun } from '../../src/monitor/runner.js';
import type { AlertRecord } from '../../src/monitor/types.js';
import { displayWidth } from '../../src/render/style.js';
import { applyMonitorEvent, createMonitorStore, initialMonitorState, TREND_RUNS, type MonitorEvent, type MonitorState } from '../../ui/monitor-state.js';
import { monitorColumns, MonitorView } from '../../ui/MonitorView.js';
import { startMonitorUi } from '../../ui/monitor-live.js';
import { emailReport, expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';
import { FakeClock } from '../helpers/fake-clock.js';

afterEach(() => cleanup());

const MIN = 60_000;
const run = (target: string, report: Report): TargetRun => ({ target, runId: `run-${Math.random()}`, report, diff: null, events: [] });
const alert = (target: string, n: number, over: Partial<AlertRecord> = {}): AlertRecord => ({
  key: `cert-expiry|${target}|cert:${n}`,
  rule: 'cert-expiry',
  target,
  subject: `cert:${n}`,
  severity: 'high',
  summary: `certificate ${n} expires in ${n} days`,
  changes: [],
  openedAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  lastSeenAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  lastNotifiedAt: null,
  resolvedAt: null,
  ...over,
});
const fold = (events: MonitorEvent[], at = 0, s: MonitorState = initialMonitorState(['a.example', 'b.example'], 0)): MonitorState =>
  events.reduce((acc, e) => applyMonitorEvent(acc, e, at), s);

describe('monitor state', () => {
  it('keeps each target in config order with unknown grades until a run, then the last grades and the overall trend', () => {
    let s = initialMonitorState(['a.example', 'b.example'], 0);
    expect(s.targets.map((t) => [t.name, t.grades, t.status, t.runningSince])).toEqual([['a.example', null, null, null], ['b.example', null, null, null]]);
    s = applyMonitorEvent(s, { type: 'run-started', target: 'a.example' }, 1_000);
    expect(s.targets[0]!.runningSince).toBe(1_000);
    s = applyMonitorEvent(s, { type: 'run-finished', run: run('a.example', goodReport) }, 5_000);
    expect(s.targets[0]).toMatchObject({ runningSince: null, status: 'ok', lastEndedAt: 5_000, trend: ['A'], grades: { tls: 'A+', http: 'B', email: null, overall: 'A' } });
    // A failed scan graded nothing: every section unknown, a gap in the trend, its reason kept.
    s = applyMonitorEvent(s, { type: 'run-finished', run: run('a.example', unreachableReport) }, 6_000);
    expect(s.targets[0]).toMatchObject({ status: 'error', trend: ['A', null], grades: { tls: null, http: null, email: null, overall: null } });
    expect(s.targets[0]!.reason).toBe(unreachableReport.reason ?? null);
    // An interrupted run (the monitor stopping) tested nothing: the last grades stay.
    const interrupted = { ...expiredReport, status: 'interrupted' as const };
    s = applyMonitorEvent(s, { type: 'run-started', target: 'a.example' }, 7_000);
    s = applyMonitorEvent(s, { type: 'run-finished', run: run('a.example', interrupted) }, 8_000);
    expect(s.targets[0]).toMatchObject({ status: 'error', trend: ['A', null], runningSince: null, lastEndedAt: 6_000 });
    // The trend keeps the last TREND_RUNS runs.
    for (let i = 0; i < TREND_RUNS + 3; i++) s = applyMonitorEvent(s, { type: 'run-finished', run: run('a.example', i % 2 ? expiredReport : goodReport) }, 9_000 + i);
    expect(s.targets[0]!.trend).toHaveLength(TREND_RUNS);
    expect(s.targets[0]!.trend.at(-1)).toBe('A');
    expect(s.targets[1]!.grades).toBeNull(); // the other target untouched
  });

  it('takes next-run times (the same state when nothing moved), open alerts newest first, log lines, and rows for unknown targets', () => {
    let s = fold([{ type: 'next-runs', next: { 'a.example': 60_000, 'b.example': null } }]);
    expect(s.targets.map((t) => t.nextRun)).toEqual([60_000, null]);
    expect(applyMonitorEvent(s, { type: 'next-runs', next: { 'a.example': 60_000, 'b.example': null } }, 1)).toBe(s);
    s = applyMonitorEvent(s, { type: 'alerts', target: 'b.example', open: [1, 5, 3, 4].map((n) => alert('b.example', n)) }, 0);
    expect(s.targets[1]!.alertsOpen).toBe(4);
    expect(s.targets[1]!.alerts.map((a) => a.summary)).toEqual(['certificate 5 expires in 5 days', 'certificate 4 expires in 4 days', 'certificate 3 expires in 3 days']);
    expect(applyMonitorEvent(s, { type: 'alerts', target: 'b.example', open: [4, 3, 5, 1].map((n) => alert('b.example', n)) }, 0)).toBe(s);
    s = applyMonitorEvent(s, { type: 'alerts', target: 'b.example', open: [] }, 0);
    expect(s.targets[1]).toMatchObject({ alertsOpen: 0, alerts: [] });
    for (let i = 0; i < 5; i++) s = applyMonitorEvent(s, { type: 'log', line: `line ${i}` }, i);
    expect(s.messages.map((m) => m.line)).toEqual(['line 2', 'line 3', 'line 4']);
    s = applyMonitorEvent(s, { type: 'run-started', target: 'c.example' }, 0);
    expect(s.targets.map((t) => t.name)).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('is seeded from the store: past runs give the trend and last grades; runs seen live win', () => {
    const past = [goodReport, expiredReport, goodReport].map((r, i) => ({ grades: r.grades, status: r.status, reason: null, endedAt: i * MIN }));
    let s = fold([{ type: 'history', target: 'a.example', runs: past }]);
    expect(s.targets[0]).toMatchObject({ trend: ['A', 'T', 'A'], status: 'ok', lastEndedAt: 2 * MIN, grades: goodReport.grades });
    s = fold([{ type: 'run-finished', run: run('b.example', emailReport) }], 5 * MIN, s);
    expect(applyMonitorEvent(s, { type: 'history', target: 'b.example', runs: past }, 6 * MIN)).toBe(s);
    expect(applyMonitorEvent(s, { type: 'history', target: 'b.example', runs: [] }, 6 * MIN)).toBe(s);
  });
});

describe('MonitorView', () => {
  it('draws grades, the trend, the last and next run, open alerts; an untested grade as "—"', async () => {
    let now = 0;
    const clock = () => now;
    const store = createMonitorStore(['good.example', 'expired.example', 'new.example'], clock);
    const app = render(<MonitorView store={store} color={false} history="/tmp/h.db" metrics="127.0.0.1:9464" columns={120} clock={clock} tickMs={20} />);
    await waitLong(() => expect(app.lastFrame()).toContain('secgrade monitor  3 targets · no alerts open · history /tmp/h.db · metrics 127.0.0.1:9464'));
    store.dispatch({ type: 'run-finished', run: run('good.example', expiredReport) });
    store.dispatch({ type: 'run-finished', run: run('good.example', goodReport) });
    store.dispatch({ type: 'run-finished', run: run('expired.example', unreachableReport) });
    store.dispatch({ type: 'run-finished', run: run('expired.example', expiredReport) });
    store.dispatch({ type: 'next-runs', next: { 'good.example': 5 * MIN, 'expired.example': 65 * MIN, 'new.example': 30_000 } });
    store.dispatch({ type: 'alerts', target: 'expired.example', open: [1, 2, 3, 4].map((n) => alert('expired.example', n)) });
    store.dispatch({ type: 'run-started', target: 'new.example' });
    now = 2 * MIN;
    await waitLong(() => expect(app.lastFrame()).toContain('4 alerts open'));
    await waitLong(() => expect(app.lastFrame()).toMatch(/^new\.example .*scanning 2m00s/m));
    const frame = app.lastFrame() ?? '';
    const lines = frame.split('\n');
    expect(lines.find((l) => l.startsWith('TARGET'))).toMatch(/^TARGET\s+TLS\s+HTTP\s+EMAIL\s+OVERALL\s+TREND\s+LAST RUN\s+NEXT\s+ALERTS$/);
    // Email was not tested: "—", never a letter; the trend is history's sparkline (T then A).
    expect(frame).toMatch(new RegExp(`^good\\.example\\s+A\\+\\s+B\\s+—\\s+A\\s+${sparkline(['T', 'A'])}\\s+ok 2m00s ago\\s+in 3m00s\\s+none$`, 'm'));
    // A failed scan is a gap in the trend, drawn "·".
    expect(frame).toMatch(/^expired\.example\s+T\s+D\s+—\s+T\s+·█\s+ok 2m00s ago\s+in 1h03m\s+4 open$/m);
    expect(frame).toMatch(/^new\.example\s+—\s+—\s+—\s+—\s+—\s+scanning 2m00s\s+in 0s\s+none$/m);
    // The newest three alerts under their target, the rest counted.
    const at = lines.findIndex((l) => l.startsWith('expired.example'));
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  ▲ high cert-expiry: certificate 4 expires in 4 days',
      '  ▲ high cert-expiry: certificate 3 expires in 3 days',
      '  ▲ high cert-expiry: certificate 2 expires in 2 days',
      '  … and 1 more open',
    ]);
    store.dispatch({ type: 'log', line: 'expired.example: firing cert-expiry not delivered: HTTP 500' });
    await waitLong(() => expect(app.lastFrame()).toMatch(/^0s ago {2}expired\.example: firing cert-expiry not delivered: HTTP 500$/m));
  });

  it('fits a narrow terminal: columns dropped least useful first, every line cut at the width', async () => {
    expect(monitorColumns(120, 16).columns.map((c) => c.id)).toEqual(['tls', 'http', 'email', 'overall', 'trend', 'last', 'next', 'alerts']);
    expect(monitorColumns(60, 16).columns.map((c) => c.id)).toEqual(['overall', 'last', 'next', 'alerts']);
    expect(monitorColumns(40, 16).columns.map((c) => c.id)).toEqual(['overall', 'alerts']);
    const clock = () => 0;
    const store = createMonitorStore(['a-very-long-target-name-for-a-narrow-terminal.example', 'b.example'], clock);
    const app = render(<MonitorView store={store} color={false} history="/var/lib/secgrade/a/long/path/history.db" columns={40} clock={clock} tickMs={20} />);
    store.dispatch({ type: 'run-finished', run: run('b.example', unreachableReport) });
    store.dispatch({ type: 'alerts', target: 'b.example', open: [alert('b.example', 9, { summary: 'x'.repeat(200) })] });
    // 13 columns of name, the overall grade, the next run (none yet), the alerts.
    await waitLong(() => expect(app.lastFrame()).toMatch(/^b\.example\s+—\s+—\s+1 open$/m));
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('▲ high');
    for (const line of frame.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(40);
  });

  it('leaves out the alert lines when the terminal has no room for them', async () => {
    const clock = () => 0;
    const names = Array.from({ length: 6 }, (_, i) => `t${i}.example`);
    const store = createMonitorStore(names, clock);
    const app = render(<MonitorView store={store} color={false} history="mem" columns={100} rows={10} clock={clock} tickMs={20} />);
    for (const n of names) store.dispatch({ type: 'alerts', target: n, open: [alert(n, 1), alert(n, 2)] });
    await waitLong(() => expect(app.lastFrame()).toContain('12 alerts open'));
    expect(app.lastFrame()).not.toContain('▲');
    expect((app.lastFrame() ?? '').split('\n').length).toBeLessThanOrEqual(10);
  });
});


describe('the runner drives the dashboard', () => {
  it('run started → scanning, run finished → grades, the scheduler gives the next run', async () => {
    const start = Date.UTC(2026, 0, 1);
    const clock = new FakeClock(start);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const monitor = new Monitor({
      targets: [{ name: 'mail.example', schedule: '*/10 * * * *' }],
      rules: [],
      scan: async () => {
        await gate;
        return emailReport;
      },
      history: new MemoryHistory(),
      alerts: new MemoryAlertState(),
      notifiers: [],
      metrics: new MonitorMetrics(['mail.example']),
      targetsInFlight: 1,
      log: () => undefined,
      clock,
      timezone: 'UTC',
    });
    const store = createMonitorStore(['mail.example'], clock.now);
    const stop = new AbortController();
    const scheduler = await monitor.start(
      stop.signal,
      (r) => store.dispatch({ type: 'run-finished', run: r }),
      (target) => store.dispatch({ type: 'run-started', target }),
    );
    const nextRuns = () => store.dispatch({ type: 'next-runs', next: { 'mail.example': scheduler.nextRunOf('mail.example') } });
    nextRuns();
    expect(store.getState().targets[0]).toMatchObject({ nextRun: start + 10 * MIN, runningSince: null });
    await clock.advance(10 * MIN);
    nextRuns();
    expect(store.getState().targets[0]).toMatchObject({ nextRun: start + 20 * MIN, runningSince: start + 10 * MIN, grades: null });
    clock.t += 30_000;
    release();
    await waitLong(() => expect(store.getState().targets[0]!.runningSince).toBeNull());
    expect(store.getState().targets[0]).toMatchObject({ status: 'ok', grades: emailReport.grades, trend: ['B'], lastEndedAt: start + 10 * MIN + 30_000 });
    stop.abort();
    await scheduler.stop();
  });
});

describe('startMonitorUi', () => {
  it('renders on the given stream, polls the next runs, and stops leaving the last frame', async () => {
    const stream = Object.assign(new PassThrough(), { columns: 100, rows: 30, isTTY: true }) as unknown as NodeJS.WriteStream;
    let out = '';
    stream.on('data', (b: Buffer) => void (out += b.toString('utf8')));
    let polls = 0;
    const ui = startMonitorUi({
      stream,
      color: false,
      targets: ['a.example'],
      history: 'in memory',
      metrics: null,
      nextRuns: () => (polls++, { 'a.example': Date.now() + 90_000 }),
      pollMs: 20,
    });
    ui.dispatch({ type: 'run-finished', run: run('a.example', goodReport) });
    await waitLong(() => expect(out).toMatch(/a\.example\s+A\+\s+B\s+—\s+A\s+▂\s+ok \d+s ago\s+in 1m\d\ds\s+none/));
    await waitLong(() => expect(polls).toBeGreaterThan(2));
    await ui.stop();
    await ui.stop(); // idempotent
    const after = polls;
    await new Promise((r) => setTimeout(r, 60));
    expect(polls).toBe(after); // no polling once stopped
  });
});
