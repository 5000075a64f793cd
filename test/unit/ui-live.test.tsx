// Before ink loads: the test terminal (colour on, CI cleared; see the helper).
import { waitLong } from '../helpers/ink-terminal.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { cleanup, render } from 'ink-testing-library';
import type { PlannedTask, ScanEvent } from '../../src/engine/events.js';
import { displayWidth, stripAnsi } from '../../src/render/style.js';
import { linesTooWide } from '../helpers/card-width.js';
import { targetViews } from '../../ui/layout.js';
import { startLiveUi } from '../../ui/live.js';
import { LiveView } from '../../ui/LiveView.js';
import { applyEvent, createLiveStore, finishState, initialLiveState, type LiveStore } from '../../ui/state.js';
import { expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[\d;]*m/; // colour/style codes (cursor movement from Ink's redraw is fine)
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

const T = 'good.example';
const EP4 = '93.184.215.14:443';
const EP6 = '[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443';
const LONG_REASON =
  'connection reset by peer after sending the malformed heartbeat request; a middlebox may be rewriting records';

const plan: PlannedTask[] = [
  ...[EP4, EP6].flatMap((endpoint) => [
    { probeId: 'protocols', title: 'Protocol support', endpoint },
    { probeId: 'ciphers', title: 'Cipher suites', endpoint },
    { probeId: 'cert', title: 'Certificate chain', endpoint },
    { probeId: 'heartbleed', title: 'Heartbleed', endpoint },
    { probeId: 'robot', title: 'ROBOT (Bleichenbacher oracle)', endpoint },
  ]),
  { probeId: 'http', title: 'HTTP headers', endpoint: null },
  { probeId: 'email', title: 'Email (SPF, DMARC, MX)', endpoint: null },
];

/** planned → start → end ok / end error / skipped, with one endpoint left unfinished. */
function scanEvents(): ScanEvent[] {
  const at = 0;
  return [
    { type: 'target-start', target: T, at },
    { type: 'target-resolved', target: T, endpoints: [EP4, EP6], at },
    { type: 'target-planned', target: T, tasks: plan, at },
    { type: 'probe-start', target: T, probeId: 'protocols', endpoint: EP4, at },
    { type: 'probe-end', target: T, probeId: 'protocols', endpoint: EP4, status: 'ok', durationMs: 812, at },
    { type: 'probe-start', target: T, probeId: 'ciphers', endpoint: EP4, at },
    { type: 'probe-start', target: T, probeId: 'heartbleed', endpoint: EP4, at },
    {
      type: 'probe-end',
      target: T,
      probeId: 'heartbleed',
      endpoint: EP4,
      status: 'error',
      reason: LONG_REASON,
      durationMs: 230,
      at,
    },
    {
      type: 'probe-end',
      target: T,
      probeId: 'robot',
      endpoint: EP4,
      status: 'skipped',
      reason: 'no RSA key exchange offered',
      durationMs: 0,
      at,
    },
  ];
}

afterEach(() => cleanup());

describe('live state', () => {
  it('tracks every planned task through waiting, running and ended', () => {
    let state = initialLiveState;
    for (const e of scanEvents()) state = applyEvent(state, e, 1000);
    const target = state.active[0];
    expect(target?.endpoints).toEqual([EP4, EP6]);
    expect(target?.tasks).toHaveLength(plan.length);
    const task = (id: string, ep: string | null) =>
      target?.tasks.find((t) => t.probeId === id && t.endpoint === ep)?.state;
    expect(task('protocols', EP4)).toEqual({ kind: 'ended', status: 'ok', durationMs: 812 });
    expect(task('ciphers', EP4)).toEqual({ kind: 'running', since: 1000 });
    expect(task('heartbleed', EP4)).toMatchObject({ kind: 'ended', status: 'error', reason: LONG_REASON });
    expect(task('protocols', EP6)).toEqual({ kind: 'waiting' });
    expect(task('http', null)).toEqual({ kind: 'waiting' });
  });

  it('keeps unplanned probes, moves ended targets to the log, ignores events after finish', () => {
    let state = applyEvent(initialLiveState, { type: 'probe-start', target: 'x.example', probeId: 'extra', endpoint: null, at: 0 }, 5);
    expect(state.active[0]?.tasks[0]).toMatchObject({ probeId: 'extra', title: 'extra', state: { kind: 'running' } });
    state = applyEvent(state, { type: 'target-end', target: 'x.example', report: goodReport, at: 0 }, 9);
    expect(state.active).toHaveLength(0);
    expect(state.log[0]).toMatchObject({ kind: 'target-done', target: { target: 'x.example', report: goodReport } });
    state = finishState(state, [goodReport]);
    expect(state.log.map((e) => e.kind)).toEqual(['target-done', 'report']);
    expect(applyEvent(state, { type: 'target-start', target: 'late', at: 0 }, 10)).toBe(state);
  });

  it('collapses finished endpoint groups to counts plus errors, and everything when out of rows', () => {
    let state = initialLiveState;
    for (const e of scanEvents()) state = applyEvent(state, e, 0);
    for (const p of plan.filter((t) => t.endpoint === EP6)) {
      state = applyEvent(state, { type: 'probe-end', target: T, probeId: p.probeId, endpoint: EP6, status: p.probeId === 'robot' ? 'error' : 'ok', durationMs: 5, at: 0 }, 0);
    }
    const [view] = targetViews(state.active);
    expect(view?.groups.map((g) => g.endpoint)).toEqual([EP4, EP6, null]); // target-level last
    const [g4, g6, gNull] = view?.groups ?? [];
    expect(g4).toMatchObject({ condensed: false });
    expect(g4?.rows).toHaveLength(5);
    expect(g6).toMatchObject({ condensed: true, counts: { ok: 4, error: 1 } });
    expect(g6?.rows.map((r) => r.probeId)).toEqual(['robot']);
    expect(gNull?.rows).toHaveLength(2);

    const [tight] = targetViews(state.active, 8);
    expect(tight?.groups.every((g) => g.condensed)).toBe(true);
    expect(tight?.groups[0]?.rows.map((r) => r.probeId)).toEqual(['ciphers', 'heartbleed']); // running + error
  });
});

function mount(opts: { color: boolean; clock?: () => number }) {
  const store = createLiveStore(opts.clock);
  const app = render(<LiveView store={store} color={opts.color} columns={80} clock={opts.clock} tickMs={20} />);
  return { store, app };
}

const feed = (store: LiveStore, events: ScanEvent[]) => events.forEach((e) => store.dispatch(e));

describe('LiveView', () => {
  it('shows each row with its state, duration and reason', async () => {
    let now = 10_000;
    const clock = () => now;
    const { store, app } = mount({ color: false, clock });
    feed(store, scanEvents());
    now += 3_400;
    await waitLong(() => expect(app.lastFrame()).toContain('Cipher suites'));
    await waitLong(() => expect(app.lastFrame()).toMatch(/Cipher suites\s+3s/)); // elapsed ticks
    const lines = (app.lastFrame() ?? '').split('\n');
    const row = (title: string) => lines.find((l) => l.includes(title) && l.startsWith('    ')) ?? '';

    expect(lines[0]).toMatch(/^. good\.example {2}3\/12 probes done +3s$/); // ok + error + skipped
    expect(lines[1]).toBe(`  resolved  ${EP4}  ${EP6}`);
    expect(row('Protocol support')).toMatch(/^ {4}✓ Protocol support +0\.8s$/);
    expect(row('Cipher suites')).toMatch(new RegExp(`^ {4}${SPINNER.source} Cipher suites +3s$`));
    expect(row('Certificate chain')).toMatch(/^ {4}· Certificate chain$/);
    expect(row('Heartbleed')).toMatch(/^ {4}✗ Heartbleed +0\.2s {2}connection reset by peer.*…$/);
    expect(row('ROBOT')).toMatch(/^ {4}– ROBOT \(Bleichenbacher oracle\) +no RSA key exchange offered$/);
    expect(lines).toContain(`  ${EP6}  0/5`);
    expect(lines).toContain('  target-level  0/2');
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(app.lastFrame()).not.toMatch(ANSI);
  });

  it('animates the spinner on its own timer', async () => {
    const { store, app } = mount({ color: false });
    feed(store, scanEvents().slice(0, 4));
    const seen = new Set<string>();
    await waitLong(() => {
      const m = app.lastFrame()?.match(new RegExp(`(${SPINNER.source}) Protocol support`));
      if (m?.[1]) seen.add(m[1]);
      expect(seen.size).toBeGreaterThanOrEqual(3);
    });
  });

  it('reports a failed resolution and prints finished targets, then the report cards', async () => {
    const { store, app } = mount({ color: false });
    feed(store, [
      { type: 'target-start', target: 'nx.invalid', at: 0 },
      { type: 'target-resolved', target: 'nx.invalid', endpoints: [], at: 0 },
      ...scanEvents(),
    ]);
    await waitLong(() => expect(app.lastFrame()).toContain('✗ resolution failed: no address to scan'));
    expect(app.lastFrame()).toMatch(/^✗ nx\.invalid/m);

    store.dispatch({ type: 'target-end', target: 'nx.invalid', report: unreachableReport, at: 0 });
    store.dispatch({ type: 'target-end', target: T, report: expiredReport, at: 0 });
    await waitLong(() => expect(app.lastFrame()).toContain('✗ nx.invalid  scan failed: no endpoint reachable'));
    expect(app.lastFrame()).toMatch(/✓ good\.example {2}overall T {2}12 probes · 1 error · 1 skipped · 3\.0s/);
    expect(app.lastFrame()).not.toContain('resolved  '); // live area is empty once all targets ended

    store.finish([unreachableReport, expiredReport]);
    await waitLong(() => expect(app.lastFrame()).toContain('expired.example:443'));
    const out = app.lastFrame() ?? '';
    expect(out.indexOf('down.example:8443')).toBeLessThan(out.indexOf('expired.example:443'));
    expect(out.indexOf('CRITICAL')).toBeLessThan(out.indexOf('LOW '));
    expect(linesTooWide(out, 80)).toEqual([]);
  });

  it('colours states only when color is true', async () => {
    const coloured = mount({ color: true });
    feed(coloured.store, scanEvents());
    await waitLong(() => expect(coloured.app.lastFrame()).toContain('Heartbleed'));
    const frame = coloured.app.lastFrame() ?? '';
    expect(frame).toMatch(/\u001b\[32m✓/); // green done
    expect(frame).toMatch(/\u001b\[31m✗/); // red error
    expect(frame).toMatch(/\u001b\[2m·/); // dim waiting
    for (const line of frame.split('\n')) expect(displayWidth(stripAnsi(line))).toBeLessThanOrEqual(80);

    const plain = mount({ color: false });
    feed(plain.store, scanEvents());
    await waitLong(() => expect(plain.app.lastFrame()).toContain('Heartbleed'));
    expect(plain.app.lastFrame()).not.toMatch(ANSI);
  });
});

/** Just enough of a WriteStream for Ink, recording everything written. */
class FakeStdout extends EventEmitter {
  output = '';
  columns = 80;
  rows = 40;
  isTTY = true;
  write = (chunk: string, cb?: () => void) => {
    this.output += chunk;
    cb?.();
    return true;
  };
}

describe('startLiveUi', () => {
  // Ink patches console through console.Console, which vitest's console replacement lacks.
  beforeAll(() => {
    const c = console as Console & { Console?: typeof Console };
    c.Console ??= Console;
  });

  it('renders progress, then on finish the cards, unmounts and resolves', async () => {
    const stdout = new FakeStdout();
    const ui = startLiveUi({ stdout: stdout as unknown as NodeJS.WriteStream, color: false });
    for (const e of scanEvents()) ui.listener(e);
    await waitLong(() => expect(stdout.output).toContain('Heartbleed'));
    ui.listener({ type: 'target-end', target: T, report: goodReport, at: 0 });

    await ui.finish([goodReport]);
    const out = stdout.output;
    expect(out).toContain('✓ good.example  overall A');
    expect(out).toContain('good.example:443  scanned 2025-02-01T10:00:00Z in 4.2s');
    expect(out).toMatch(/grades\s+overall A {2}tls A\+ {2}http B {2}email – not tested/);
    expect(out).not.toMatch(SGR);

    // Unmounted: the spinner timer is gone and nothing more is written.
    const length = out.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(stdout.output.length).toBe(length);
  });

  it('after several targets ends with the summary table, and hides findings below --severity', async () => {
    const stdout = new FakeStdout();
    const ui = startLiveUi({ stdout: stdout as unknown as NodeJS.WriteStream, color: false, columns: 80, minSeverity: 'medium' });
    await ui.finish([goodReport, expiredReport]);
    const out = stripAnsi(stdout.output);
    const n = (s: string) => expiredReport.findings.filter((f) => f.severity === s).length;
    expect(out).toContain(`${n('low')} low and ${n('info')} info findings hidden (--severity medium)`);
    expect(out).not.toMatch(/^ {2}LOW /m);
    // The summary comes after the last card: the last screen is the whole run.
    const summary = out.lastIndexOf('Summary  2 targets · 2 ok');
    expect(summary).toBeGreaterThan(out.lastIndexOf('expired.example:443  scanned'));
    expect(out.slice(summary)).toMatch(/good\.example:443 +A +A\+ +B +–/);
    expect(out.slice(summary)).toMatch(/expired\.example:443 +T +T +D +–/);
  });

  it('a single target gets no summary table', () => {
    expect(finishState(initialLiveState, [goodReport]).log.map((e) => e.kind)).toEqual(['report']);
    expect(finishState(initialLiveState, [goodReport, expiredReport]).log.map((e) => e.kind)).toEqual(['report', 'report', 'summary']);
  });

  it('uses colour when asked to', async () => {
    const stdout = new FakeStdout();
    const ui = startLiveUi({ stdout: stdout as unknown as NodeJS.WriteStream, color: true, columns: 60 });
    await ui.finish([expiredReport]);
    expect(stdout.output).toMatch(SGR);
    expect(stdout.output).toContain('CRITICAL');
  });
});
