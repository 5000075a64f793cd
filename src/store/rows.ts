// Query rows → the Store's answers, for both backends: they differ only in how a time comes back
// (SQLite: epoch milliseconds; PostgreSQL: a Date) and how a count does (a number; a bigint string).
import type { Report } from '../model/report.js';
import { emptyCounts, gradesFromRows } from './codec.js';
import type { HistoryEntry, RunInfo, StoreSource } from './types.js';

/** A report's row joined with its target and run, as both backends select it for `history`. */
export interface HistoryRow<Time> {
  job_key: string;
  run_id: string;
  source: StoreSource;
  name: string;
  status: Report['status'];
  reason: string | null;
  started_at: Time;
  duration_ms: number;
  tool_version: string;
  algorithm_version: string;
}

export function historyEntry<Time>(
  r: HistoryRow<Time>,
  grades: ReadonlyArray<{ section: string; grade: string | null }>,
  counts: ReadonlyArray<{ severity: string; n: number | string }>,
  iso: (t: Time) => string,
): HistoryEntry {
  const findings = emptyCounts();
  for (const c of counts) if (c.severity in findings) findings[c.severity as keyof typeof findings] = Number(c.n);
  return {
    runId: r.run_id,
    source: r.source,
    jobKey: r.job_key,
    target: r.name,
    status: r.status,
    reason: r.reason,
    startedAt: iso(r.started_at),
    durationMs: r.duration_ms,
    grades: gradesFromRows(grades),
    findings,
    toolVersion: r.tool_version,
    algorithmVersion: r.algorithm_version,
  };
}

export function runInfo<Time>(
  r: { id: string; source: StoreSource; started_at: Time },
  counts: ReadonlyArray<{ status: string; n: number | string }>,
  targets: number,
  iso: (t: Time) => string,
): RunInfo {
  const byStatus = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
  return {
    runId: r.id,
    source: r.source,
    startedAt: iso(r.started_at),
    reports: Object.values(byStatus).reduce((a, b) => a + b, 0),
    targets,
    byStatus,
  };
}
