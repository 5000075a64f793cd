// The monitor's dashboard on a terminal: one row per target with its grades (TLS, HTTP, email,
// overall), the overall grade's trend over its last runs, how its last run went and when, its next
// run, and its open alerts (the newest listed under it). Columns that do not fit a narrow terminal
// are dropped, least useful first; every line is cut at the width (Ink redraws everything once a
// line wraps or the output overflows).
import { useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import { sparkline } from '../src/cli/history.js';
import { formatDuration } from '../src/batch/progress.js';
import type { Grade } from '../src/model/report.js';
import { displayWidth, gradeTone, severityTone, truncate, type Tone } from '../src/render/style.js';
import type { GradeSection } from '../src/store/types.js';
import { useTicker } from './external-store.js';
import { gradeText, totalAlerts, TREND_RUNS, type MonitorState, type MonitorStore, type MonitorTargetState } from './monitor-state.js';
import { ColorContext, Tinted, useColumns } from './theme.js';

export interface MonitorViewProps {
  store: MonitorStore;
  color: boolean;
  /** Where the history lives and the metrics are served, for the header. */
  history: string;
  metrics?: string | null;
  columns?: number;
  /** Terminal height: alert lines are left out when the rows would not fit. */
  rows?: number;
  clock?: () => number;
  tickMs?: number;
}

interface Column {
  id: 'tls' | 'http' | 'email' | 'overall' | 'trend' | 'last' | 'next' | 'alerts';
  title: string;
  width: number;
}

const GRADE_COLUMNS: Column[] = [
  { id: 'tls', title: 'TLS', width: 5 },
  { id: 'http', title: 'HTTP', width: 5 },
  { id: 'email', title: 'EMAIL', width: 6 },
  { id: 'overall', title: 'OVERALL', width: 8 },
];
const TREND: Column = { id: 'trend', title: 'TREND', width: TREND_RUNS + 2 };
const NEXT: Column = { id: 'next', title: 'NEXT', width: 11 };
const ALERTS: Column = { id: 'alerts', title: 'ALERTS', width: 8 };
/** The last run's column takes the rest of the line, at least this much. */
const LAST_MIN = 14;

/**
 * The columns that fit `width` beside the names, in display order. Always the overall grade and the
 * alerts; then, as room allows: next run, last run, the section grades, the trend.
 */
export function monitorColumns(width: number, nameWidth: number): { columns: Column[]; lastWidth: number } {
  const want = new Set<Column['id']>(['overall', 'alerts']);
  let used = nameWidth + 8 + 8;
  for (const [ids, w] of [[['next'], NEXT.width], [['last'], LAST_MIN], [['tls', 'http', 'email'], 16], [['trend'], TREND.width]] as const) {
    if (used + w > width) continue;
    used += w;
    for (const id of ids) want.add(id);
  }
  const columns = [...GRADE_COLUMNS, TREND, ...(want.has('last') ? [{ id: 'last' as const, title: 'LAST RUN', width: 0 }] : []), NEXT, ALERTS].filter((c) => want.has(c.id));
  const fixed = nameWidth + columns.reduce((n, c) => n + c.width, 0);
  return { columns, lastWidth: want.has('last') ? Math.max(0, width - fixed) : 0 };
}

const pad = (text: string, width: number): string => {
  const cut = truncate(text, Math.max(0, width - 1));
  return cut + ' '.repeat(Math.max(0, width - displayWidth(cut)));
};

export function MonitorView({ store, color, history, metrics = null, columns, rows, clock = Date.now, tickMs = 1000 }: MonitorViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const width = useColumns(columns);
  useTicker(tickMs); // the countdowns and "ago" times move with the clock
  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        <Dashboard state={state} width={width} rows={rows} now={clock()} history={history} metrics={metrics} />
      </Box>
    </ColorContext.Provider>
  );
}

function Dashboard({ state, width, rows, now, history, metrics }: { state: MonitorState; width: number; rows: number | undefined; now: number; history: string; metrics: string | null }) {
  const nameWidth = Math.min(Math.max(8, ...state.targets.map((t) => displayWidth(t.name) + 1)), Math.max(8, Math.floor(width / 3)));
  const { columns, lastWidth } = monitorColumns(width, nameWidth);
  const open = totalAlerts(state);
  const running = state.targets.filter((t) => t.runningSince !== null).length;
  // Header, blank, column titles, a row per target, blank + messages: alert lines only when all fit.
  const alertLines = state.targets.reduce((n, t) => n + t.alerts.length + (t.alertsOpen > t.alerts.length ? 1 : 0), 0);
  const base = 3 + state.targets.length + (state.messages.length ? 1 + state.messages.length : 0);
  const showAlerts = rows === undefined || base + alertLines <= rows;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Tinted tone="strong">secgrade monitor</Tinted>
        {`  ${state.targets.length} target${state.targets.length === 1 ? '' : 's'}`}
        {running > 0 && ` · ${running} running`}
        {' · '}
        {open > 0 ? <Tinted tone="bad">{`${open} alert${open === 1 ? '' : 's'} open`}</Tinted> : <Tinted tone="good">no alerts open</Tinted>}
        <Tinted tone="dim">{` · history ${history}${metrics ? ` · metrics ${metrics}` : ''} · Ctrl-C to stop`}</Tinted>
      </Text>
      <Text> </Text>
      <Text wrap="truncate-end">
        <Tinted tone="dim">
          {pad('TARGET', nameWidth)}
          {columns.map((c) => pad(c.title, c.id === 'last' ? lastWidth : c.width)).join('')}
        </Tinted>
      </Text>
      {state.targets.map((t) => (
        <Box key={t.name} flexDirection="column">
          <TargetRow target={t} columns={columns} nameWidth={nameWidth} lastWidth={lastWidth} now={now} />
          {showAlerts && <AlertLines target={t} width={width} />}
        </Box>
      ))}
      {state.messages.length > 0 && <Text> </Text>}
      {state.messages.map((m, i) => (
        <Text key={i} wrap="truncate-end">
          <Tinted tone="dim">{`${formatDuration(now - m.at)} ago  ${m.line}`}</Tinted>
        </Text>
      ))}
    </Box>
  );
}

function TargetRow({ target: t, columns, nameWidth, lastWidth, now }: { target: MonitorTargetState; columns: Column[]; nameWidth: number; lastWidth: number; now: number }) {
  const cell = (c: Column): [string, Tone] => {
    switch (c.id) {
      case 'tls':
      case 'http':
      case 'email':
      case 'overall':
        return [gradeText(t, c.id as GradeSection), gradeTone(t.grades?.[c.id] ?? null)];
      case 'trend':
        // history's sparkline, its gaps (no grade: the scan failed) drawn as "·": a blank cell reads as nothing at all.
        return t.trend.length ? [sparkline(t.trend as Grade[]).replaceAll(' ', '·'), 'plain'] : ['—', 'dim'];
      case 'last':
        return lastRun(t, now);
      case 'next':
        return t.nextRun === null ? ['—', 'dim'] : [`in ${formatDuration(Math.max(0, t.nextRun - now))}`, 'plain'];
      case 'alerts':
        return t.alertsOpen > 0 ? [`${t.alertsOpen} open`, 'bad'] : ['none', 'dim'];
    }
  };
  return (
    <Text wrap="truncate-end">
      {pad(t.name, nameWidth)}
      {columns.map((c) => {
        const [text, tone] = cell(c);
        return (
          <Tinted key={c.id} tone={tone}>
            {pad(text, c.id === 'last' ? lastWidth : c.width)}
          </Tinted>
        );
      })}
    </Text>
  );
}

/** How the last run went and when; a run going now says so first. */
function lastRun(t: MonitorTargetState, now: number): [string, Tone] {
  if (t.runningSince !== null) return [`scanning ${formatDuration(now - t.runningSince)}`, 'low'];
  if (t.status === null || t.lastEndedAt === null) return ['no run yet', 'dim'];
  const ago = `${formatDuration(now - t.lastEndedAt)} ago`;
  if (t.status === 'ok') return [`ok ${ago}`, 'plain'];
  return [`${t.status} ${ago}${t.reason ? `: ${t.reason}` : ''}`, t.status === 'error' ? 'bad' : 'warn'];
}

function AlertLines({ target: t, width }: { target: MonitorTargetState; width: number }) {
  const more = t.alertsOpen - t.alerts.length;
  return (
    <>
      {t.alerts.map((a) => (
        <Text key={a.key} wrap="truncate-end">
          {'  '}
          <Tinted tone={severityTone(a.severity)}>{`▲ ${a.severity}`}</Tinted>
          {` ${truncate(`${a.rule}: ${a.summary}`, Math.max(0, width - 4 - a.severity.length - 1))}`}
        </Text>
      ))}
      {more > 0 && <Tinted tone="dim">{`  … and ${more} more open`}</Tinted>}
    </>
  );
}
