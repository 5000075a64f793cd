// Monitor dashboard state, folded from the monitor's events by a pure reducer (as batch-state.ts
// does for a batch): per target its last grades, the overall grade's trend, its status, when its
// last run ended, its next run, whether it runs now, and its open alerts; plus the latest log lines
// (on a terminal they cannot go to stderr under the view). Times are the local clock (ms).
import type { Grade, Report, Severity } from '../src/model/report.js';
import type { TargetRun } from '../src/monitor/runner.js';
import type { AlertRecord, RuleId } from '../src/monitor/types.js';
import type { GradeSection, SectionGrades } from '../src/store/types.js';
import { createExternalStore } from './external-store.js';

/** Runs the trend covers (a sparkline cell each). */
export const TREND_RUNS = 12;
/** Newest alerts listed per target (the rest are counted). */
export const ALERTS_LISTED = 3;
/** Log lines kept for the view's footer. */
export const MESSAGES_KEPT = 3;

export interface AlertLine {
  key: string;
  rule: RuleId;
  severity: Severity;
  summary: string;
  openedAt: string;
}

export interface MonitorTargetState {
  name: string;
  /** The last run's grades; null before any run is known (each shows as "—", as does an untested section). */
  grades: SectionGrades | null;
  /** Overall grade of the last runs, oldest first; null: not graded or the scan failed (a gap). */
  trend: readonly Grade[];
  status: Report['status'] | null;
  /** Why the last run was not ok (error, partial). */
  reason: string | null;
  lastEndedAt: number | null;
  nextRun: number | null;
  /** When its current run started; null: not running. */
  runningSince: number | null;
  alertsOpen: number;
  /** The newest open alerts, newest first. */
  alerts: readonly AlertLine[];
}

export interface MonitorState {
  startedAt: number;
  targets: readonly MonitorTargetState[];
  messages: readonly { at: number; line: string }[];
}

/** Past runs of a target (from the store at start), oldest first. */
export interface PastRun {
  grades: SectionGrades;
  status: Report['status'];
  reason: string | null;
  endedAt: number;
}

export type MonitorEvent =
  | { type: 'run-started'; target: string }
  | { type: 'run-finished'; run: TargetRun }
  | { type: 'next-runs'; next: Readonly<Record<string, number | null>> }
  | { type: 'alerts'; target: string; open: readonly AlertRecord[] }
  | { type: 'history'; target: string; runs: readonly PastRun[] }
  | { type: 'log'; line: string };

const blank = (name: string): MonitorTargetState => ({
  name,
  grades: null,
  trend: [],
  status: null,
  reason: null,
  lastEndedAt: null,
  nextRun: null,
  runningSince: null,
  alertsOpen: 0,
  alerts: [],
});

export function initialMonitorState(targets: readonly string[], now: number): MonitorState {
  return { startedAt: now, targets: targets.map(blank), messages: [] };
}

function update(state: MonitorState, target: string, fn: (t: MonitorTargetState) => MonitorTargetState): MonitorState {
  const existing = state.targets.find((t) => t.name === target);
  // An event for a target not configured still gets a row (never dropped).
  const next = fn(existing ?? blank(target));
  if (next === existing) return state;
  return { ...state, targets: existing ? state.targets.map((t) => (t === existing ? next : t)) : [...state.targets, next] };
}

const withTrend = (trend: readonly Grade[], g: Grade): Grade[] => [...trend, g].slice(-TREND_RUNS);

/** A report's grades: an error report graded nothing (every section unknown, never its old letters). */
const gradesOf = (report: Report): SectionGrades => ({ tls: report.grades.tls, http: report.grades.http, email: report.grades.email, overall: report.grades.overall });

export function applyMonitorEvent(state: MonitorState, event: MonitorEvent, now: number): MonitorState {
  switch (event.type) {
    case 'run-started':
      return update(state, event.target, (t) => ({ ...t, runningSince: now }));
    case 'run-finished': {
      const { run } = event;
      return update(state, run.target, (t) =>
        // An interrupted run (the monitor stopping) tested nothing: the last grades stay.
        run.report.status === 'interrupted'
          ? { ...t, runningSince: null }
          : {
              ...t,
              runningSince: null,
              grades: gradesOf(run.report),
              trend: withTrend(t.trend, run.report.grades.overall),
              status: run.report.status,
              reason: run.report.status === 'ok' ? null : (run.report.reason ?? null),
              lastEndedAt: now,
            },
      );
    }
    case 'next-runs': {
      let next = state;
      for (const [target, at] of Object.entries(event.next)) next = update(next, target, (t) => (t.nextRun === at ? t : { ...t, nextRun: at }));
      return next;
    }
    case 'alerts': {
      const newest = [...event.open].sort((a, b) => b.openedAt.localeCompare(a.openedAt) || a.key.localeCompare(b.key));
      const alerts = newest.slice(0, ALERTS_LISTED).map((a) => ({ key: a.key, rule: a.rule, severity: a.severity, summary: a.summary, openedAt: a.openedAt }));
      return update(state, event.target, (t) =>
        t.alertsOpen === newest.length && sameAlerts(t.alerts, alerts) ? t : { ...t, alertsOpen: newest.length, alerts },
      );
    }
    case 'history': {
      const kept = event.runs.filter((r) => r.status !== 'interrupted');
      const last = kept[kept.length - 1];
      if (!last) return state;
      // Runs seen live are newer than the store's (and may be in it already): they win.
      return update(state, event.target, (t) =>
        t.lastEndedAt !== null
          ? t
          : {
              ...t,
              grades: last.grades,
              trend: kept.map((r) => r.grades.overall).slice(-TREND_RUNS),
              status: last.status,
              reason: last.status === 'ok' ? null : last.reason,
              lastEndedAt: last.endedAt,
            },
      );
    }
    case 'log':
      return { ...state, messages: [...state.messages, { at: now, line: event.line }].slice(-MESSAGES_KEPT) };
  }
}

const sameAlerts = (a: readonly AlertLine[], b: readonly AlertLine[]): boolean =>
  a.length === b.length && a.every((x, i) => x.key === b[i]!.key && x.summary === b[i]!.summary && x.severity === b[i]!.severity);

/** A section's grade as the view shows it: "—" for unknown (no run yet, untested, failed scan). */
export const gradeText = (t: MonitorTargetState, section: GradeSection): string => t.grades?.[section] ?? '—';

export const totalAlerts = (state: MonitorState): number => state.targets.reduce((n, t) => n + t.alertsOpen, 0);

export interface MonitorStore {
  getState(): MonitorState;
  subscribe(onChange: () => void): () => void;
  dispatch(event: MonitorEvent): void;
}

/** An external store for useSyncExternalStore; bursts of events re-render once per `coalesceMs`. */
export function createMonitorStore(targets: readonly string[], clock: () => number = Date.now, opts: { coalesceMs?: number } = {}): MonitorStore {
  const store = createExternalStore<MonitorState>(initialMonitorState(targets, clock()), opts);
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    dispatch: (event) => store.set(applyMonitorEvent(store.getState(), event, clock())),
  };
}
