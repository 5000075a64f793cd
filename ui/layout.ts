// Which progress rows to show. Pure, so the compaction rules are testable without rendering.
import type { EndpointKey } from '../src/engine/events.js';
import type { TargetProgress, TaskProgress } from './state.js';

export interface TaskCounts {
  total: number;
  ok: number;
  error: number;
  skipped: number;
  running: number;
  waiting: number;
}

export function countTasks(tasks: readonly TaskProgress[]): TaskCounts {
  const c: TaskCounts = { total: tasks.length, ok: 0, error: 0, skipped: 0, running: 0, waiting: 0 };
  for (const t of tasks) {
    if (t.state.kind === 'waiting') c.waiting++;
    else if (t.state.kind === 'running') c.running++;
    else c[t.state.status]++;
  }
  return c;
}

export interface GroupView {
  endpoint: EndpointKey;
  counts: TaskCounts;
  /** Condensed groups show counts in their header and list only running and failed tasks. */
  condensed: boolean;
  rows: TaskProgress[];
}

/** Tasks by endpoint, in plan order, with the target-level (null) group last. */
export function groupTasks(tasks: readonly TaskProgress[]): { endpoint: EndpointKey; tasks: TaskProgress[] }[] {
  const groups = new Map<EndpointKey, TaskProgress[]>();
  for (const t of tasks) {
    const list = groups.get(t.endpoint);
    if (list) list.push(t);
    else groups.set(t.endpoint, [t]);
  }
  return [...groups]
    .sort(([a], [b]) => Number(a === null) - Number(b === null))
    .map(([endpoint, list]) => ({ endpoint, tasks: list }));
}

function groupView(endpoint: EndpointKey, tasks: TaskProgress[], squeeze: boolean): GroupView {
  const counts = countTasks(tasks);
  // A finished group collapses to one line (plus its errors): its details are in the report.
  const condensed = squeeze || counts.waiting + counts.running === 0;
  const rows = condensed
    ? tasks.filter((t) => t.state.kind === 'running' || (t.state.kind === 'ended' && t.state.status === 'error'))
    : tasks;
  return { endpoint, counts, condensed, rows };
}

export interface TargetView {
  target: TargetProgress;
  groups: GroupView[];
}

/** Header + resolution line + a header line per group + its rows. */
export function viewHeight(view: TargetView): number {
  return 2 + view.groups.reduce((n, g) => n + 1 + g.rows.length, 0);
}

/**
 * Views for the running targets. When the full list would be taller than `maxRows` (the terminal),
 * every group is condensed: Ink redraws the whole screen, scrollback included, once output overflows.
 */
export function targetViews(targets: readonly TargetProgress[], maxRows?: number): TargetView[] {
  const build = (squeeze: boolean) =>
    targets.map((target) => ({
      target,
      groups: groupTasks(target.tasks).map((g) => groupView(g.endpoint, g.tasks, squeeze)),
    }));
  const full = build(false);
  if (maxRows === undefined) return full;
  const height = full.reduce((n, v) => n + viewHeight(v), 0);
  return height > maxRows ? build(true) : full;
}
