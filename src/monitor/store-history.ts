// The monitor's history backed by the history store (src/store): reports are saved as runs of
// source "monitor", and a target's previous report and recent statuses are read back, so a
// restarted monitor diffs against what it saw before the restart.
import type { Report } from '../model/report.js';
import type { Store } from '../store/types.js';
import type { ReportHistory } from './runner.js';

/** Reports looked at to find the last one that tested something (a longer failing streak diffs against nothing). */
const LOOK_BACK = 20;

export class StoreHistory implements ReportHistory {
  constructor(private readonly store: Store) {}
  async previous(target: string): Promise<Report | null> {
    const recent = await this.store.lastReports(target, LOOK_BACK);
    return recent.find((r) => r.status !== 'error' && r.status !== 'interrupted') ?? null;
  }
  async statuses(target: string, n: number): Promise<Array<Report['status']>> {
    if (n <= 0) return [];
    return (await this.store.history(target, { limit: n })).map((e) => e.status);
  }
  async record(_target: string, report: Report, runId: string): Promise<void> {
    await this.store.saveReport(report, { runId, source: 'monitor', ...(report.job ? { jobKey: report.job.key } : {}) });
  }
}
