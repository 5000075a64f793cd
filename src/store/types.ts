// The history store: every report a scan, batch, worker or monitor run produced, kept per target
// so `history`, `diff` and `monitor` can read a target's timeline. One interface, two backends
// (SQLite in a file, PostgreSQL for teams) with the same semantics; all calls are async because
// PostgreSQL's are.
import type { Grade, Report, Severity } from '../model/report.js';
import type { AlertStateStore } from '../monitor/alerts.js';

/** What produced a run's reports. */
export const STORE_SOURCES = ['scan', 'batch', 'worker', 'monitor'] as const;
export type StoreSource = (typeof STORE_SOURCES)[number];

/** The grades history keeps as rows, one per section (the report's `grades`). */
export const GRADE_SECTIONS = ['tls', 'http', 'email', 'overall'] as const;
export type GradeSection = (typeof GRADE_SECTIONS)[number];
/** A letter, or null: not decided / not tested (never read as a pass). */
export type SectionGrades = Record<GradeSection, Grade>;
export type SeverityCounts = Record<Severity, number>;

export interface SaveMeta {
  runId: string;
  source: StoreSource;
  /**
   * The job's key (target|options-hash|run-id, src/batch/jobs.ts): a report saved again under the
   * same key keeps the first row. Default: the report's `job.key`, else `target|runId`.
   */
  jobKey?: string;
}

export interface SaveResult {
  /** false: a report with this key was already stored (nothing was written). */
  saved: boolean;
  key: string;
  /** The target's name in the store (see reportTargetName). */
  target: string;
}

/** One stored report, as `history` lists it: read from rows, without decompressing the report. */
export interface HistoryEntry {
  runId: string;
  source: StoreSource;
  jobKey: string;
  target: string;
  status: Report['status'];
  reason: string | null;
  startedAt: string;
  durationMs: number;
  grades: SectionGrades;
  findings: SeverityCounts;
  toolVersion: string;
  algorithmVersion: string;
}

export interface HistoryQuery {
  /** Only reports that started at or after this time. */
  since?: Date;
  /** At most this many, newest first (default DEFAULT_HISTORY_LIMIT, at most MAX_LIMIT). */
  limit?: number;
}

export interface RunInfo {
  runId: string;
  source: StoreSource;
  /** When the run's earliest stored report started. */
  startedAt: string;
  reports: number;
  targets: number;
  byStatus: Partial<Record<Report['status'], number>>;
}

export interface TargetInfo {
  name: string;
  reports: number;
  firstStartedAt: string;
  lastStartedAt: string;
}

export const DEFAULT_HISTORY_LIMIT = 100;
export const DEFAULT_RUNS_LIMIT = 50;
/** Rows one call returns at most, whatever it asks for. */
export const MAX_LIMIT = 10_000;

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, for messages (a PostgreSQL URL without its password). */
  readonly location: string;
  /** Idempotent by job key: the same job saved twice keeps one row (the first). */
  saveReport(report: Report, meta: SaveMeta): Promise<SaveResult>;
  /** A target's reports, newest first. */
  history(target: string, query?: HistoryQuery): Promise<HistoryEntry[]>;
  /** The full report of a target in a run (the newest, if the run scanned it more than once), or null. */
  report(runId: string, target: string): Promise<Report | null>;
  /** A target's last `n` full reports, newest first. */
  lastReports(target: string, n: number): Promise<Report[]>;
  /** Every report of a run (a batch), by target name. */
  runReports(runId: string): Promise<Report[]>;
  /** Runs, newest first. */
  runs(query?: { limit?: number }): Promise<RunInfo[]>;
  /** Every target with at least one report, by name. */
  targets(): Promise<TargetInfo[]>;
  /** One target, or null when the store has no report of it. */
  target(name: string): Promise<TargetInfo | null>;
  /** The monitor's alert state kept in this store (table monitor_alerts), so dedup survives restarts. */
  alertState(): AlertStateStore;
  close(): Promise<void>;
}

/**
 * Why a store cannot be used, in one line. `usage`: the user named something unusable (a bad URL,
 * an unwritable path, a file that is not a secgrade store, a store of a newer secgrade) — exit 2;
 * `unavailable`: a store that should work did not answer (server down, timeout) — exit 3.
 */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    message: string,
    readonly kind: 'usage' | 'unavailable',
  ) {
    super(message);
  }
}

/** A limit a caller asked for, made whole and kept within 1..MAX_LIMIT. */
export function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}
