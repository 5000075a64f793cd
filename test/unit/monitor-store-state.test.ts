// The monitor over the history store's alert state (SQLite): an alert fired before a restart is
// not sent again by the restarted monitor, its "resolved" is sent once, and a store that stops
// answering costs the run its alerts (said in one line, flagged for --once's exit 3), never the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import type { Notifier } from '../../src/monitor/notify/types.js';
import { Monitor, type MonitorTarget } from '../../src/monitor/runner.js';
import { StoreHistory } from '../../src/monitor/store-history.js';
import type { AlertEvent } from '../../src/monitor/types.js';
import type { Report } from '../../src/model/report.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { goodReport, unreachableReport } from './fixtures-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-monitor-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target: MonitorTarget = { name: 'down.example:8443', schedule: '0 * * * *' };

function monitorOver(store: Store, scanned: () => Report, sent: AlertEvent[], log: string[]): Monitor<MonitorTarget> {
  const recorder: Notifier = { name: 'recorder', resolved: true, send: async (e) => void sent.push(e) };
  return new Monitor({
    targets: [target],
    rules: [{ rule: 'scan-failing', runs: 1 }],
    scan: async () => structuredClone(scanned()),
    history: new StoreHistory(store),
    alerts: store.alertState(),
    notifiers: [recorder],
    metrics: new MonitorMetrics([target.name]),
    targetsInFlight: 1,
    log: (line) => void log.push(line),
  });
}

describe('monitor alert state in the store', () => {
  it('does not re-send an open alert after a restart, sends "resolved" once, and survives a store that fails', async () => {
    const path = join(dir, 'history.db');
    const sent: AlertEvent[] = [];
    const log: string[] = [];
    const signal = new AbortController().signal;

    const first = await openStore(path);
    const fired = await monitorOver(first, () => unreachableReport, sent, log).runTarget(target, signal);
    expect(fired.events.map((e) => `${e.state}:${e.alert.rule}`)).toEqual(['firing:scan-failing']);
    await first.close();

    // A new process on the same file: the condition still holds, nothing is sent.
    const second = await openStore(path);
    let scanned: Report = unreachableReport;
    const restarted = monitorOver(second, () => scanned, sent, log);
    const quiet = await restarted.runTarget(target, signal);
    expect(quiet.events).toEqual([]);
    expect(quiet.alertStateFailed).toBeUndefined();
    const open = await second.alertState().openAlerts(target.name);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ key: fired.events[0]!.alert.key, openedAt: fired.events[0]!.alert.openedAt, lastNotifiedAt: expect.any(String), resolvedAt: null });

    // The target answers again: resolved, once.
    scanned = goodReport;
    const resolved = await restarted.runTarget(target, signal);
    expect(resolved.events.map((e) => `${e.state}:${e.alert.key}`)).toEqual([`resolved:${fired.events[0]!.alert.key}`]);
    expect((await restarted.runTarget(target, signal)).events).toEqual([]);
    expect(sent.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(log).toEqual([]);

    // The store goes away under the monitor: the run ends, without alerts, saying why.
    await second.close();
    scanned = unreachableReport;
    const broken = await restarted.runTarget(target, signal);
    expect(broken.report.status).toBe('error');
    expect(broken.events).toEqual([]);
    expect(broken.alertStateFailed).toBe(true);
    expect(log.filter((l) => l.includes('alert state'))[0]).toMatch(/^down\.example:8443: alert state update failed: [^\n]+$/);
    expect(sent).toHaveLength(2);
  });
});
