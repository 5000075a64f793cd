// Batch progress state, folded from the engine's events by a pure reducer (as ui/state.ts does for
// one scan): targets done of the total, those in flight with the probe each is running, grades and
// errors by kind of the finished ones, the hosts backing off, and at the end the run summary.
import type { BatchEvent } from '../src/engine/events.js';
import { createExternalStore } from './external-store.js';
import { applyBackoff, NO_BACKOFF, type BackoffView } from '../src/batch/backoff-view.js';
import { summaryEntry, type BatchSummary } from '../src/batch/summary.js';

export interface InFlightTarget {
  target: string;
  /** Local clock, like ui/state.ts. */
  startedAt: number;
  /** Probe titles by id, from the plan. */
  titles: Readonly<Record<string, string>>;
  /** Running tasks ("probeId@endpoint"), oldest first. */
  running: readonly string[];
  tasksDone: number;
  tasksTotal: number;
}

export interface BatchState {
  /** Targets this session scans. */
  total: number;
  done: number;
  startedAt: number;
  inFlight: readonly InFlightTarget[];
  /** Overall grade of each finished target; `none` when it has none. */
  byGrade: Readonly<Record<string, number>>;
  /** Finished targets whose status is not ok. */
  notOk: number;
  /** Targets that met each kind of error (as the run summary counts them). */
  errorsByKind: Readonly<Record<string, number>>;
  /** Hosts backing off now, and the latest ones with why. */
  backoff: BackoffView;
  /** The batch is over: the live area gives way to the summary table (none when the batch failed). */
  over: boolean;
  summary: BatchSummary | null;
}

export function initialBatchState(total: number, now: number): BatchState {
  return { total, done: 0, startedAt: now, inFlight: [], byGrade: {}, notOk: 0, errorsByKind: {}, backoff: NO_BACKOFF, over: false, summary: null };
}

const taskKey = (probeId: string, endpoint: string | null): string => `${probeId}@${endpoint ?? '-'}`;

function update(state: BatchState, target: string, now: number, fn: (t: InFlightTarget) => InFlightTarget): BatchState {
  const existing = state.inFlight.find((t) => t.target === target);
  // An event for a target not seen starting still gets a row (never dropped).
  const base: InFlightTarget = existing ?? { target, startedAt: now, titles: {}, running: [], tasksDone: 0, tasksTotal: 0 };
  const next = fn(base);
  return { ...state, inFlight: existing ? state.inFlight.map((t) => (t === existing ? next : t)) : [...state.inFlight, next] };
}

const bump = (counts: Readonly<Record<string, number>>, key: string): Record<string, number> => ({ ...counts, [key]: (counts[key] ?? 0) + 1 });

export function applyBatchEvent(state: BatchState, event: BatchEvent, now: number): BatchState {
  if (state.over) return state;
  switch (event.type) {
    case 'host-backoff':
      return { ...state, backoff: applyBackoff(state.backoff, event) };
    case 'target-start':
      return update(state, event.target, now, (t) => ({ ...t, startedAt: now }));
    case 'target-resolved':
      return state;
    case 'target-planned':
      return update(state, event.target, now, (t) => ({
        ...t,
        titles: Object.fromEntries(event.tasks.map((p) => [p.probeId, p.title])),
        tasksTotal: event.tasks.length,
      }));
    case 'probe-start':
      return update(state, event.target, now, (t) => ({ ...t, running: [...t.running, taskKey(event.probeId, event.endpoint)] }));
    case 'probe-end': {
      const key = taskKey(event.probeId, event.endpoint);
      return update(state, event.target, now, (t) => ({ ...t, running: t.running.filter((k) => k !== key), tasksDone: t.tasksDone + 1 }));
    }
    case 'target-end': {
      const entry = summaryEntry(event.report, event.target);
      let errorsByKind = state.errorsByKind;
      for (const kind of entry.errorKinds) errorsByKind = bump(errorsByKind, kind);
      return {
        ...state,
        done: state.done + 1,
        inFlight: state.inFlight.filter((t) => t.target !== event.target),
        byGrade: bump(state.byGrade, entry.grade ?? 'none'),
        notOk: state.notOk + (entry.status === 'ok' ? 0 : 1),
        errorsByKind,
      };
    }
  }
}

/** The probe a target is busy with: the longest-running task's title, and how many run beside it. */
export function currentProbe(t: InFlightTarget): { title: string; others: number } | null {
  const first = t.running[0];
  if (first === undefined) return null;
  const id = first.slice(0, first.lastIndexOf('@'));
  return { title: t.titles[id] ?? id, others: t.running.length - 1 };
}

/** Targets per second since the start, and the time left at that rate (null until one is done). */
export function pace(state: BatchState, now: number): { rate: number; etaMs: number | null } {
  const elapsed = Math.max(0, now - state.startedAt);
  const rate = elapsed > 0 ? state.done / (elapsed / 1000) : 0;
  const left = state.total - state.done;
  return { rate, etaMs: rate > 0 && left > 0 ? (left / rate) * 1000 : null };
}

export interface BatchStore {
  getState(): BatchState;
  subscribe(onChange: () => void): () => void;
  dispatch(event: BatchEvent): void;
  /** The batch is over: show its summary (null: the batch failed, just clear the live area). */
  finish(summary: BatchSummary | null): void;
}

/** An external store for useSyncExternalStore; bursts of events re-render once per `coalesceMs`. */
export function createBatchStore(total: number, clock: () => number = Date.now, opts: { coalesceMs?: number } = {}): BatchStore {
  const store = createExternalStore<BatchState>(initialBatchState(total, clock()), opts);
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    dispatch: (event) => store.set(applyBatchEvent(store.getState(), event, clock())),
    finish: (summary) => store.set({ ...store.getState(), inFlight: [], over: true, summary }, true),
  };
}
