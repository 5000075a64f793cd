// Live progress state, folded from engine events by a pure reducer so it can be tested without Ink.
import type { EndpointKey, ScanEvent } from '../src/engine/events.js';
import { createExternalStore } from './external-store.js';
import type { ProbeStatus, Report } from '../src/model/report.js';

export type TaskState =
  | { kind: 'waiting' }
  | { kind: 'running'; since: number }
  | { kind: 'ended'; status: ProbeStatus; reason?: string; durationMs: number };

export interface TaskProgress {
  probeId: string;
  title: string;
  endpoint: EndpointKey;
  state: TaskState;
}

export interface TargetProgress {
  target: string;
  /** Local clock (not the event's `at`), so elapsed times never depend on the engine's time base. */
  startedAt: number;
  /** null until `target-resolved`; empty when resolution failed. */
  endpoints: string[] | null;
  tasks: TaskProgress[];
  report: Report | null;
}

/** Printed once, above the live area (Ink <Static>): finished targets, the report cards, then (several targets) the summary. */
export type LogEntry =
  | { kind: 'target-done'; target: TargetProgress }
  | { kind: 'report'; report: Report }
  | { kind: 'summary'; reports: Report[] };

export interface LiveState {
  active: TargetProgress[];
  log: LogEntry[];
  finished: boolean;
}

export const initialLiveState: LiveState = { active: [], log: [], finished: false };

const sameTask = (t: TaskProgress, probeId: string, endpoint: EndpointKey) =>
  t.probeId === probeId && t.endpoint === endpoint;

function updateTarget(state: LiveState, name: string, now: number, fn: (t: TargetProgress) => TargetProgress): LiveState {
  const existing = state.active.find((t) => t.target === name);
  // Events for a target we have not seen start (or already closed) still get a row rather than vanish.
  const base = existing ?? { target: name, startedAt: now, endpoints: null, tasks: [], report: null };
  const next = fn(base);
  const active = existing ? state.active.map((t) => (t === existing ? next : t)) : [...state.active, next];
  return { ...state, active };
}

function setTask(t: TargetProgress, probeId: string, endpoint: EndpointKey, state: TaskState): TargetProgress {
  if (!t.tasks.some((x) => sameTask(x, probeId, endpoint))) {
    // Unplanned probe: show it under its id rather than drop it.
    return { ...t, tasks: [...t.tasks, { probeId, title: probeId, endpoint, state }] };
  }
  return { ...t, tasks: t.tasks.map((x) => (sameTask(x, probeId, endpoint) ? { ...x, state } : x)) };
}

export function applyEvent(state: LiveState, event: ScanEvent, now: number): LiveState {
  if (state.finished) return state;
  switch (event.type) {
    case 'target-start':
      return updateTarget(state, event.target, now, (t) => ({ ...t, startedAt: now }));
    case 'target-resolved':
      return updateTarget(state, event.target, now, (t) => ({ ...t, endpoints: [...event.endpoints] }));
    case 'target-planned':
      return updateTarget(state, event.target, now, (t) => {
        const known = new Map(t.tasks.map((x) => [`${x.endpoint}\u0000${x.probeId}`, x]));
        const tasks = event.tasks.map(
          (p) => known.get(`${p.endpoint}\u0000${p.probeId}`) ?? { ...p, state: { kind: 'waiting' } as const },
        );
        return { ...t, tasks };
      });
    case 'probe-start':
      return updateTarget(state, event.target, now, (t) =>
        setTask(t, event.probeId, event.endpoint, { kind: 'running', since: now }),
      );
    case 'probe-end':
      return updateTarget(state, event.target, now, (t) =>
        setTask(t, event.probeId, event.endpoint, {
          kind: 'ended',
          status: event.status,
          ...(event.reason !== undefined ? { reason: event.reason } : {}),
          durationMs: event.durationMs,
        }),
      );
    case 'target-end': {
      const done = state.active.find((t) => t.target === event.target) ?? {
        target: event.target,
        startedAt: now,
        endpoints: null,
        tasks: [],
        report: null,
      };
      return {
        ...state,
        active: state.active.filter((t) => t !== done),
        log: [...state.log, { kind: 'target-done', target: { ...done, report: event.report } }],
      };
    }
  }
}

/**
 * All targets done: the live area goes away and the report cards are printed; after several
 * targets a summary table ends the run, so the last screen is the whole run, not one domain's findings.
 */
export function finishState(state: LiveState, reports: Report[]): LiveState {
  return {
    active: [],
    log: [
      ...state.log,
      ...reports.map((report) => ({ kind: 'report' as const, report })),
      ...(reports.length > 1 ? [{ kind: 'summary' as const, reports }] : []),
    ],
    finished: true,
  };
}

export interface LiveStore {
  getState(): LiveState;
  subscribe(onChange: () => void): () => void;
  dispatch(event: ScanEvent): void;
  finish(reports: Report[]): void;
}

/** The single scan's store (see external-store.ts for `coalesceMs`); `clock` is injectable for tests. */
export function createLiveStore(clock: () => number = Date.now, opts: { coalesceMs?: number } = {}): LiveStore {
  const store = createExternalStore<LiveState>(initialLiveState, opts);
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    dispatch: (event) => store.set(applyEvent(store.getState(), event, clock())),
    finish: (reports) => store.set(finishState(store.getState(), reports), true),
  };
}
