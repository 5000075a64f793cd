// The run summary of a batch: counts by status and grade, errors by kind, the worst targets and
// those that could not be completed. Built one report at a time from small entries, so a batch of
// 100,000 targets (or `secgrade summary` over its file) never holds the reports themselves.
import { gradeRank } from '../model/severity.js';
import type { GradeLetter, Report } from '../model/report.js';

export type ReportStatus = Report['status'];
export const STATUSES: readonly ReportStatus[] = ['ok', 'partial', 'interrupted', 'error'];

/** What the summary needs of one report. */
export interface SummaryEntry {
  target: string;
  status: ReportStatus;
  /** The overall grade (null: not decided). */
  grade: GradeLetter | null;
  reason?: string;
  /** Distinct error kinds of the target's probes (timeout, refused …). */
  errorKinds: string[];
  startedAt: number;
  durationMs: number;
}

export interface TargetLine {
  target: string;
  status: ReportStatus;
  grade: GradeLetter | null;
  reason?: string;
}

export interface BatchSummary {
  type: 'summary';
  runId: string | null;
  /** Targets with a result line. */
  total: number;
  byStatus: Record<ReportStatus, number>;
  /** By overall grade; `none` counts targets without one. */
  byGrade: Record<string, number>;
  /** Targets that met each kind of error (a target counts once per kind). */
  errorsByKind: Record<string, number>;
  /** The lowest overall grades, worst first (at most WORST_LISTED). */
  worst: TargetLine[];
  /** Targets not completed (error, interrupted, partial), first ones seen (at most WORST_LISTED). */
  incomplete: TargetLine[];
  /** From the first target's start to the last one's end, over every line summarised. */
  durationMs: number;
  /** Sum of the targets' own durations. */
  scanMs: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Set by the batch itself: targets of the list never started (interrupted batch), lines rejected, duplicates dropped. */
  notStarted?: number;
  rejectedLines?: number;
  duplicates?: number;
  /** Targets taken from the file being resumed rather than scanned in this session. */
  resumed?: number;
}

export const WORST_LISTED = 10;

export function summaryEntry(report: Report, target = `${report.target.host}:${report.target.port}`): SummaryEntry {
  const kinds = new Set<string>();
  for (const p of report.probes) if (p.errorKind) kinds.add(p.errorKind);
  // A target with no probe run at all stopped at resolution (or before anything started).
  if (report.status !== 'ok' && report.probes.length === 0) kinds.add(report.status === 'interrupted' ? 'interrupted' : 'resolution');
  return {
    target,
    status: report.status,
    grade: report.grades.overall,
    ...(report.reason !== undefined ? { reason: report.reason } : {}),
    errorKinds: [...kinds].sort(),
    startedAt: Date.parse(report.startedAt),
    durationMs: report.durationMs,
  };
}

const line = (e: SummaryEntry): TargetLine => ({ target: e.target, status: e.status, grade: e.grade, ...(e.reason !== undefined ? { reason: e.reason } : {}) });

export class SummaryBuilder {
  private total = 0;
  private readonly byStatus: Record<ReportStatus, number> = { ok: 0, partial: 0, interrupted: 0, error: 0 };
  private readonly byGrade = new Map<string, number>();
  private readonly errorsByKind = new Map<string, number>();
  private worst: SummaryEntry[] = [];
  private readonly incomplete: SummaryEntry[] = [];
  private first = Infinity;
  private last = -Infinity;
  private scanMs = 0;

  add(e: SummaryEntry): void {
    this.total++;
    this.byStatus[e.status]++;
    const g = e.grade ?? 'none';
    this.byGrade.set(g, (this.byGrade.get(g) ?? 0) + 1);
    for (const k of e.errorKinds) this.errorsByKind.set(k, (this.errorsByKind.get(k) ?? 0) + 1);
    if (e.status !== 'ok' && this.incomplete.length < WORST_LISTED) this.incomplete.push(e);
    if (e.grade !== null) {
      // Kept sorted and short: worst grade first, then by name for a stable order.
      this.worst.push(e);
      this.worst.sort((a, b) => gradeRank(a.grade as GradeLetter) - gradeRank(b.grade as GradeLetter) || a.target.localeCompare(b.target));
      if (this.worst.length > WORST_LISTED) this.worst.length = WORST_LISTED;
    }
    if (Number.isFinite(e.startedAt)) {
      this.first = Math.min(this.first, e.startedAt);
      this.last = Math.max(this.last, e.startedAt + e.durationMs);
    }
    this.scanMs += e.durationMs;
  }

  get count(): number {
    return this.total;
  }

  build(runId: string | null, extra: Pick<BatchSummary, 'notStarted' | 'rejectedLines' | 'duplicates' | 'resumed'> = {}): BatchSummary {
    const timed = Number.isFinite(this.first);
    // Letters best first, then "none", as a reader scans a histogram.
    const grades = [...this.byGrade.keys()].sort((a, b) => (b === 'none' ? -1 : a === 'none' ? 1 : gradeRank(b as GradeLetter) - gradeRank(a as GradeLetter) || a.localeCompare(b)));
    return {
      type: 'summary',
      runId,
      total: this.total,
      byStatus: { ...this.byStatus },
      byGrade: Object.fromEntries(grades.map((g) => [g, this.byGrade.get(g) ?? 0])),
      errorsByKind: Object.fromEntries([...this.errorsByKind.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))),
      worst: this.worst.map(line),
      incomplete: this.incomplete.map(line),
      durationMs: timed ? Math.max(0, this.last - this.first) : 0,
      scanMs: this.scanMs,
      startedAt: timed ? new Date(this.first).toISOString() : null,
      finishedAt: timed ? new Date(this.last).toISOString() : null,
      ...extra,
    };
  }
}
