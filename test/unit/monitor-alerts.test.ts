// The alert state machine: open once ("firing"), never re-sent while open, "resolved" only when a
// tested run finds the condition gone, untested keeps it open; and the state carries over a
// restart (two managers sharing one state object, as two processes share the store).
import { describe, expect, it } from 'vitest';
import { applyOutcome, MemoryAlertState, type AlertStateData } from '../../src/monitor/alerts.js';
import { alertKey } from '../../src/monitor/rules.js';
import type { AlertCondition, AlertEvent, RuleId, RuleOutcome } from '../../src/monitor/types.js';

const target = 'shop.example';
const rules = new Set<RuleId>(['grade-dropped', 'hsts-weakened']);
const drop: AlertCondition = {
  key: alertKey('grade-dropped', target, 'grade.tls'),
  rule: 'grade-dropped',
  target,
  subject: 'grade.tls',
  severity: 'medium',
  summary: 'tls grade dropped A → C',
  changes: [{ what: 'grade.tls', before: 'A', after: 'C' }],
  baseline: { before: 'A' },
};
const holds: RuleOutcome = { conditions: [drop], unknown: [] };
const gone: RuleOutcome = { conditions: [], unknown: [] };
const untested: RuleOutcome = { conditions: [], unknown: [{ rule: 'grade-dropped', subject: 'grade.tls', reason: 'no tls grade' }] };

let run = 0;
async function step(state: MemoryAlertState, outcome: RuleOutcome, opts: { rules?: Set<RuleId>; delivered?: boolean } = {}): Promise<AlertEvent[]> {
  run++;
  const at = new Date(Date.UTC(2026, 0, 1, run)).toISOString();
  const events = await applyOutcome(state, { target, outcome, rules: opts.rules ?? rules, runId: `run-${run}`, at, diff: null });
  // What the runner does once a notifier took a firing event.
  for (const e of events) if (e.state === 'firing' && opts.delivered !== false) await state.markNotified(e.alert.key, at);
  return events;
}
const states = (events: AlertEvent[]): string[] => events.map((e) => `${e.state}:${e.alert.key}`);

describe('alert dedup and resolve', () => {
  it('fires once, stays quiet while the condition holds, resolves once on a tested run', async () => {
    const state = new MemoryAlertState();
    expect(states(await step(state, holds))).toEqual([`firing:${drop.key}`]);
    expect(await step(state, holds)).toEqual([]);
    expect(await step(state, holds)).toEqual([]);
    const resolved = await step(state, gone);
    expect(states(resolved)).toEqual([`resolved:${drop.key}`]);
    expect(resolved[0]!.alert.resolvedAt).not.toBeNull();
    expect(await step(state, gone)).toEqual([]);
    expect(await state.openAlerts()).toEqual([]);
    // It can open again later: a new alert, fired again.
    expect(states(await step(state, holds))).toEqual([`firing:${drop.key}`]);
  });

  it('an untested run neither resolves nor re-fires', async () => {
    const state = new MemoryAlertState();
    await step(state, holds);
    expect(await step(state, untested)).toEqual([]);
    expect((await state.openAlerts()).map((a) => a.key)).toEqual([drop.key]);
    // A whole rule unknown (scan failed) covers it too.
    expect(await step(state, { conditions: [], unknown: [{ rule: 'grade-dropped', subject: null, reason: 'scan failed' }] })).toEqual([]);
    expect(states(await step(state, gone))).toEqual([`resolved:${drop.key}`]);
  });

  it('an open alert of a rule no longer configured is left alone', async () => {
    const state = new MemoryAlertState();
    await step(state, holds);
    expect(await step(state, gone, { rules: new Set<RuleId>(['hsts-weakened']) })).toEqual([]);
    expect(await state.openAlerts(target)).toHaveLength(1);
  });

  it('a firing that no notifier took is sent again on the next run, then never again', async () => {
    const state = new MemoryAlertState();
    expect(states(await step(state, holds, { delivered: false }))).toEqual([`firing:${drop.key}`]);
    expect(states(await step(state, holds))).toEqual([`firing:${drop.key}`]);
    expect(await step(state, holds)).toEqual([]);
  });

  it('an alert nobody was told about resolves silently', async () => {
    const state = new MemoryAlertState();
    await step(state, holds, { delivered: false });
    expect(await step(state, gone)).toEqual([]);
    expect(await state.openAlerts()).toEqual([]);
  });

  it('survives a restart: a second instance over the same state neither re-fires nor forgets to resolve', async () => {
    const data: AlertStateData = { alerts: [] };
    const before = new MemoryAlertState(data);
    expect(states(await step(before, holds))).toEqual([`firing:${drop.key}`]);
    // "Restart": a new state object reading the same data, as a new process reads the store.
    const after = new MemoryAlertState(data);
    expect(await step(after, holds)).toEqual([]);
    const open = await after.openAlerts(target);
    expect(open).toHaveLength(1);
    expect(open[0]!.baseline).toEqual({ before: 'A' });
    expect(states(await step(after, gone))).toEqual([`resolved:${drop.key}`]);
    expect(await new MemoryAlertState(data).openAlerts()).toEqual([]);
  });

  it('two monitors sharing the state: the second cannot open the same alert again', async () => {
    const data: AlertStateData = { alerts: [] };
    const a = new MemoryAlertState(data);
    const b = new MemoryAlertState(data);
    const record = { ...drop, openedAt: 'x', lastSeenAt: 'x', lastNotifiedAt: null, resolvedAt: null };
    expect(await a.open(record)).toBe(true);
    expect(await b.open(record)).toBe(false);
    expect(data.alerts.filter((x) => x.resolvedAt === null)).toHaveLength(1);
  });
});

describe('MemoryAlertState.pruneResolved', () => {
  it('drops alerts resolved before the time and keeps open ones', async () => {
    const state = new MemoryAlertState();
    const base = { rule: 'grade-dropped' as const, subject: 'grade.tls', severity: 'high' as const, summary: 's', changes: [], lastNotifiedAt: null, resolvedAt: null };
    await state.open({ ...base, key: 'a', target: 'a.example', openedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: '2025-01-01T00:00:00.000Z' });
    await state.open({ ...base, key: 'b', target: 'b.example', openedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: '2025-01-01T00:00:00.000Z' });
    await state.resolve('a', '2026-01-01T00:00:00.000Z');
    expect(await state.pruneResolved('2025-12-01T00:00:00.000Z')).toBe(0);
    expect(await state.pruneResolved('2026-02-01T00:00:00.000Z')).toBe(1);
    expect(state.data.alerts.map((a) => a.key)).toEqual(['b']);
  });
});
