// Batch progress on a terminal: done/total, rate, ETA; a live histogram of overall grades; errors so
// far by kind; the hosts backing off (with the latest reasons); one row per target in flight with
// the probe it is running. When the batch is over
// the live area gives way to the run summary (the same table `secgrade summary` prints).
import { useSyncExternalStore } from 'react';
import { useTicker } from './external-store.js';
import { Box, Text } from 'ink';
import { describeBackoff } from '../src/batch/backoff-view.js';
import { formatDuration } from '../src/batch/progress.js';
import type { GradeLetter } from '../src/model/report.js';
import { gradeRank } from '../src/model/severity.js';
import { renderSummary } from '../src/render/summary.js';
import { displayWidth, gradeTone } from '../src/render/style.js';
import { currentProbe, pace, type BatchState, type BatchStore, type InFlightTarget } from './batch-state.js';
import { ColorContext, Tinted, useColumns } from './theme.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const LABEL_WIDTH = 9;
const MAX_BAR = 30;

export interface BatchViewProps {
  store: BatchStore;
  color: boolean;
  columns?: number;
  /** Terminal height: in-flight rows beyond it are counted, not listed (Ink redraws everything once output overflows). */
  rows?: number;
  clock?: () => number;
  tickMs?: number;
}


export function BatchView({ store, color, columns, rows, clock = Date.now, tickMs = 200 }: BatchViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const width = useColumns(columns);
  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        {state.over ? state.summary && <Summary text={renderSummary(state.summary, 'text')} /> : <Live state={state} rows={rows} clock={clock} tickMs={tickMs} width={width} />}
      </Box>
    </ColorContext.Provider>
  );
}

function Summary({ text }: { text: string }) {
  return (
    <Box flexDirection="column">
      {text.replace(/\n$/, '').split('\n').map((line, i) => (
        // Wrapped, not cut: the table stays on screen after the batch, reasons included.
        <Text key={i} wrap="wrap">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}

function Live({ state, rows, clock, tickMs, width }: { state: BatchState; rows: number | undefined; clock: () => number; tickMs: number; width: number }) {
  const tick = useTicker(tickMs);
  const now = clock();
  const { rate, etaMs } = pace(state, now);
  const pct = state.total ? Math.floor((state.done / state.total) * 100) : 100;
  const speed = `${rate.toFixed(rate < 10 ? 2 : 1)} targets/s · ${etaMs === null ? 'ETA –' : `ETA ${formatDuration(etaMs)}`}`;
  const grades = histogram(state.byGrade);
  const errors = Object.entries(state.errorsByKind).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const backoff = state.backoff.hosts > 0 ? state.backoff : null;
  // Header, rate, blank, histogram (at least one line), errors, back-off, blank, "… more": the rest lists targets in flight.
  const room = rows === undefined ? Infinity : Math.max(1, rows - 6 - Math.max(1, grades.length) - (backoff ? 1 : 0));
  const shown = state.inFlight.slice(0, room);
  const hidden = state.inFlight.length - shown.length;
  const nameWidth = Math.min(Math.max(8, ...shown.map((t) => displayWidth(t.target))), Math.floor(width / 3));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Tinted tone="strong">secgrade batch</Tinted>
        {`  ${state.done}/${state.total} done (${pct}%) · ${state.inFlight.length} in flight`}
        {state.notOk > 0 && <Tinted tone="warn">{` · ${state.notOk} not ok`}</Tinted>}
      </Text>
      <Text wrap="truncate-end">
        {'rate'.padEnd(LABEL_WIDTH)}
        {speed}
      </Text>
      <Text> </Text>
      {grades.length === 0 ? (
        <Text>
          {'grades'.padEnd(LABEL_WIDTH)}
          <Tinted tone="dim">none yet</Tinted>
        </Text>
      ) : (
        grades.map(([grade, n, bar], i) => (
          <Text key={grade} wrap="truncate-end">
            {(i === 0 ? 'grades' : '').padEnd(LABEL_WIDTH)}
            <Tinted tone={grade === 'none' ? 'dim' : gradeTone(grade as GradeLetter)}>{grade.padEnd(5)}</Tinted>
            <Tinted tone={grade === 'none' ? 'dim' : gradeTone(grade as GradeLetter)}>{'█'.repeat(bar)}</Tinted>
            {` ${n}`}
          </Text>
        ))
      )}
      <Text wrap="truncate-end">
        {'errors'.padEnd(LABEL_WIDTH)}
        {errors.length === 0 ? <Tinted tone="dim">none so far</Tinted> : <Tinted tone="bad">{errors.map(([k, n]) => `${k} ${n}`).join(' · ')}</Tinted>}
      </Text>
      {backoff && (
        <Text wrap="truncate-end">
          {'backoff'.padEnd(LABEL_WIDTH)}
          <Tinted tone="warn">{`hosts backing off: ${backoff.hosts}`}</Tinted>
          {backoff.latest.map((e) => ` · ${describeBackoff(e, now)}`).join('')}
        </Text>
      )}
      <Text> </Text>
      {shown.map((t) => (
        <TargetRow key={t.target} target={t} now={now} tick={tick} nameWidth={nameWidth} />
      ))}
      {hidden > 0 && <Tinted tone="dim">{`… and ${hidden} more in flight`}</Tinted>}
    </Box>
  );
}

/** Grades best first, `none` last, each with a bar scaled to the largest count. */
function histogram(byGrade: Readonly<Record<string, number>>): Array<[string, number, number]> {
  const entries = Object.entries(byGrade).filter(([, n]) => n > 0);
  const top = Math.max(1, ...entries.map(([, n]) => n));
  return entries
    .sort(([a], [b]) => (a === 'none' ? 1 : b === 'none' ? -1 : gradeRank(b as GradeLetter) - gradeRank(a as GradeLetter) || a.localeCompare(b)))
    .map(([g, n]) => [g, n, Math.max(1, Math.round((n / top) * MAX_BAR))]);
}

function TargetRow({ target, now, tick, nameWidth }: { target: InFlightTarget; now: number; tick: number; nameWidth: number }) {
  const probe = currentProbe(target);
  const tasks = target.tasksTotal > 0 ? `${target.tasksDone}/${target.tasksTotal}` : '';
  return (
    <Box>
      <Box flexShrink={0} width={2}>
        <Tinted tone="low">{SPINNER[tick % SPINNER.length]}</Tinted>
      </Box>
      <Box flexShrink={0} width={nameWidth}>
        <Text wrap="truncate-end">{target.target}</Text>
      </Box>
      <Box flexShrink={0} width={8} justifyContent="flex-end">
        <Tinted tone="dim">{tasks}</Tinted>
      </Box>
      <Box flexGrow={1} flexShrink={1} marginLeft={2}>
        <Text wrap="truncate-end">
          {probe ? `${probe.title}${probe.others ? ` (+${probe.others})` : ''}` : <Tinted tone="dim">{target.tasksTotal ? 'waiting for a slot' : 'resolving…'}</Tinted>}
        </Text>
      </Box>
      <Box flexShrink={0} marginLeft={1}>
        <Tinted tone="dim">{formatDuration(now - target.startedAt)}</Tinted>
      </Box>
    </Box>
  );
}
