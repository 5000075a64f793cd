// Live progress: per target, its probes grouped by endpoint with waiting/running/done/error/skipped
// state. Finished targets and, at the end, the report cards go to <Static> (printed once, above).
import { useSyncExternalStore } from 'react';
import { useTicker } from './external-store.js';
import { Box, Static, Text } from 'ink';
import type { Report, Severity } from '../src/model/report.js';
import { displayWidth, formatDuration, gradeSegs, seg, type Seg } from '../src/render/style.js';
import { countTasks, targetViews, type GroupView, type TargetView } from './layout.js';
import { ReportCard, SummaryCard } from './ReportCard.js';
import type { LiveStore, LogEntry, TargetProgress, TaskProgress } from './state.js';
import { ColorContext, Segs, Tinted, useColumns } from './theme.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ROW_INDENT = 4;
const ICON_WIDTH = 2;
const DURATION_WIDTH = 6;

/** Whole seconds, for timers that tick while something runs. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}


export interface LiveViewProps {
  store: LiveStore;
  color: boolean;
  columns?: number;
  /** Terminal height; when the live area would not fit, groups are condensed. */
  rows?: number;
  clock?: () => number;
  tickMs?: number;
  /** --severity: the cards leave out findings below it (and say how many). */
  minSeverity?: Severity | null;
}

export function LiveView({ store, color, columns, rows, clock = Date.now, tickMs = 100, minSeverity = null }: LiveViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const width = useColumns(columns);
  return (
    <ColorContext.Provider value={color}>
      <Static items={state.log}>
        {(entry, i) => (
          <Box key={i} width={width} marginTop={entry.kind === 'target-done' ? 0 : 1}>
            <LogLine entry={entry} color={color} width={width} minSeverity={minSeverity} />
          </Box>
        )}
      </Static>
      {!state.finished && state.active.length > 0 && (
        <ActiveTargets targets={state.active} width={width} rows={rows} clock={clock} tickMs={tickMs} />
      )}
    </ColorContext.Provider>
  );
}

function LogLine({ entry, color, width, minSeverity }: { entry: LogEntry; color: boolean; width: number; minSeverity: Severity | null }) {
  if (entry.kind === 'report') return <ReportCard report={entry.report} color={color} columns={width} minSeverity={minSeverity} />;
  if (entry.kind === 'summary') return <SummaryCard reports={entry.reports} color={color} columns={width} />;
  return <TargetDone target={entry.target} />;
}

/** One line per finished target: outcome, overall grade, probe counts, duration. */
function TargetDone({ target }: { target: TargetProgress }) {
  const report: Report | null = target.report;
  const failed = report?.status === 'error';
  // ✓ only for a scan that completed: a partial or interrupted one is never shown as done and well.
  const cut = report?.status === 'partial' || report?.status === 'interrupted';
  const c = countTasks(target.tasks);
  const counts = [`${c.total} probe${c.total === 1 ? '' : 's'}`];
  if (c.error) counts.push(`${c.error} error${c.error === 1 ? '' : 's'}`);
  if (c.skipped) counts.push(`${c.skipped} skipped`);
  const icon: Seg = failed ? seg('✗ ', 'bad') : cut ? seg('◐ ', 'warn') : seg('✓ ', 'good');
  const segs: Seg[] = [icon, seg(target.target, 'strong'), seg('  ')];
  if (failed) segs.push(seg(`scan failed: ${report?.reason ?? 'no reason given'}`, 'bad'), seg('  '));
  else if (report) {
    if (cut) segs.push(seg(report.status, 'warn'), seg('  '));
    segs.push(seg('overall '), ...gradeSegs(report.grades.overall, 'not decided'), seg('  '));
  }
  segs.push(seg(`${counts.join(' · ')} · ${report ? formatDuration(report.durationMs) : 'done'}`, 'dim'));
  return <Segs segs={segs} wrap="truncate-end" />;
}

function ActiveTargets(props: {
  targets: TargetProgress[];
  width: number;
  rows: number | undefined;
  clock: () => number;
  tickMs: number;
}) {
  const tick = useTicker(props.tickMs);
  const now = props.clock();
  const views = targetViews(props.targets, props.rows === undefined ? undefined : Math.max(1, props.rows - 1));
  return (
    <Box flexDirection="column" width={props.width}>
      {views.map((view) => (
        <TargetBlock key={view.target.target} view={view} now={now} tick={tick} width={props.width} />
      ))}
    </Box>
  );
}

function TargetBlock({ view, now, tick, width }: { view: TargetView; now: number; tick: number; width: number }) {
  const { target } = view;
  const c = countTasks(target.tasks);
  const failedResolution = target.endpoints !== null && target.endpoints.length === 0;
  const titleWidth = titleColumn(target.tasks, width);
  return (
    <Box flexDirection="column">
      <Box>
        <Box flexShrink={1} flexGrow={1}>
          <Text wrap="truncate-end">
            {failedResolution ? <Tinted tone="bad">✗</Tinted> : <Tinted tone="low">{SPINNER[tick % SPINNER.length]}</Tinted>}
            {' '}
            <Tinted tone="strong">{target.target}</Tinted>
            {c.total > 0 && <Tinted tone="dim">{`  ${c.total - c.waiting - c.running}/${c.total} probes done`}</Tinted>}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Tinted tone="dim">{formatElapsed(now - target.startedAt)}</Tinted>
        </Box>
      </Box>
      <Resolution endpoints={target.endpoints} />
      {view.groups.map((group) => (
        <Group key={group.endpoint ?? ''} group={group} now={now} tick={tick} titleWidth={titleWidth} />
      ))}
    </Box>
  );
}

/** Title column: as wide as the longest title, but at most about half the row. */
function titleColumn(tasks: TaskProgress[], width: number): number {
  const longest = Math.max(8, ...tasks.map((t) => displayWidth(t.title)));
  const room = width - ROW_INDENT - ICON_WIDTH - DURATION_WIDTH - 2;
  return Math.max(8, Math.min(longest, Math.floor(room / 2)));
}

function Resolution({ endpoints }: { endpoints: string[] | null }) {
  let body;
  if (endpoints === null) body = <Tinted tone="dim">resolving…</Tinted>;
  else if (endpoints.length === 0) body = <Tinted tone="bad">✗ resolution failed: no address to scan</Tinted>;
  else body = <>resolved  {endpoints.join('  ')}</>;
  return (
    <Box paddingLeft={2}>
      <Text wrap="truncate-end">{body}</Text>
    </Box>
  );
}

function Group({ group, now, tick, titleWidth }: { group: GroupView; now: number; tick: number; titleWidth: number }) {
  const c = group.counts;
  const parts = group.condensed
    ? ([
        [c.ok, 'ok', 'good'],
        [c.error, 'error', 'bad'],
        [c.skipped, 'skipped', 'dim'],
        [c.running, 'running', 'low'],
        [c.waiting, 'waiting', 'dim'],
      ] as const).filter(([n]) => n > 0)
    : [];
  return (
    <Box flexDirection="column">
      <Box paddingLeft={2}>
        <Text wrap="truncate-end">
          {group.endpoint ?? 'target-level'}
          {group.condensed ? (
            parts.map(([n, label, tone], i) => (
              <Tinted key={label} tone={tone}>{`${i === 0 ? '  ' : ' · '}${n} ${label}`}</Tinted>
            ))
          ) : (
            <Tinted tone="dim">{`  ${c.total - c.waiting - c.running}/${c.total}`}</Tinted>
          )}
        </Text>
      </Box>
      {group.rows.map((task) => (
        <TaskRow key={task.probeId} task={task} now={now} tick={tick} titleWidth={titleWidth} />
      ))}
    </Box>
  );
}

function TaskRow({ task, now, tick, titleWidth }: { task: TaskProgress; now: number; tick: number; titleWidth: number }) {
  const { state } = task;
  let icon;
  let duration = '';
  let reason = '';
  let tone: 'dim' | 'bad' | undefined;
  if (state.kind === 'waiting') {
    icon = <Tinted tone="dim">·</Tinted>;
    tone = 'dim';
  } else if (state.kind === 'running') {
    icon = <Tinted tone="low">{SPINNER[tick % SPINNER.length]}</Tinted>;
    duration = formatElapsed(now - state.since);
  } else {
    duration = formatDuration(state.durationMs);
    reason = state.reason ?? '';
    if (state.status === 'ok') icon = <Tinted tone="good">✓</Tinted>;
    else if (state.status === 'error') {
      icon = <Tinted tone="bad">✗</Tinted>;
      tone = 'bad';
    } else {
      icon = <Tinted tone="dim">–</Tinted>;
      tone = 'dim';
      duration = ''; // a skipped probe did not run; its time is noise
    }
  }
  return (
    <Box paddingLeft={ROW_INDENT}>
      <Box width={ICON_WIDTH} flexShrink={0}>
        <Text>{icon}</Text>
      </Box>
      <Box width={titleWidth} flexShrink={0}>
        <Text wrap="truncate-end">
          <Tinted tone={tone === 'dim' ? 'dim' : undefined}>{task.title}</Tinted>
        </Text>
      </Box>
      <Box width={DURATION_WIDTH + 1} flexShrink={0} justifyContent="flex-end">
        <Text>{duration}</Text>
      </Box>
      {reason !== '' && (
        <Box marginLeft={2} flexShrink={1} flexGrow={1}>
          <Text wrap="truncate-end">
            <Tinted tone={tone}>{reason}</Tinted>
          </Text>
        </Box>
      )}
    </Box>
  );
}
