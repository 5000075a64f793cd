// `secgrade summary OUT.ndjson --format html`: a batch's run summary (src/batch/summary.ts) as a
// page in the fleet report's style: counts by status, the grade histogram, errors by kind, the worst
// targets and those not completed. Target names and reasons come from the results file: escaped.
import type { BatchSummary, TargetLine } from '../../batch/summary.js';
import { gradeBuckets, histogramSvg } from './fleet.js';
import { esc, htmlPage } from './page.js';
import { badge, code, dateText, h, kv, muted, plural, rowTh, table, td, tr } from './parts.js';
import { statusText } from './report.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function countsTable(caption: string, head: string, o: Record<string, number>, cell: (k: string) => string = esc): string {
  const rows = Object.entries(o).filter(([, n]) => n > 0);
  if (!rows.length) return `<p>None.</p>\n`;
  return table(caption, [{ head }, { head: 'Targets', num: true }], rows.map(([k, n]) => tr([rowTh(cell(k)), td(String(n), 'num')])).join(''));
}

function targetsTable(caption: string, list: readonly TargetLine[]): string {
  if (!list.length) return `<p>None.</p>\n`;
  return table(
    caption,
    [{ head: 'Target' }, { head: 'Overall' }, { head: 'Scan' }, { head: 'Reason' }],
    list.map((t) => tr([rowTh(esc(t.target)), td(badge(t.grade)), td(statusText(t.status)), td(t.reason ? esc(t.reason) : '', 'wrap')])).join(''),
  );
}

export function summaryHtml(s: BatchSummary, generatedAt: Date): string {
  const sec = (id: string, title: string, body: string): string => `<section aria-labelledby="s-${id}">${h(2, esc(title), ` id="s-${id}"`)}\n${body}</section>\n`;
  const list: Array<[string, string | null]> = [
    ['Not started', s.notStarted ? String(s.notStarted) : null],
    ['Lines rejected', s.rejectedLines ? String(s.rejectedLines) : null],
    ['Duplicates dropped', s.duplicates ? String(s.duplicates) : null],
    ['Resumed from the file', s.resumed ? String(s.resumed) : null],
  ];
  const body =
    kv([
      ['Run', s.runId ? code(s.runId) : muted('no run id')],
      ['Targets', String(s.total)],
      ['From', s.startedAt ? `${esc(dateText(s.startedAt))} to ${esc(dateText(s.finishedAt))} (${seconds(s.durationMs)})` : null],
      ['Scan time', s.scanMs ? `${seconds(s.scanMs)} summed over the targets` : null],
      ...list,
    ]) +
    sec('status', 'Status', countsTable('Targets by scan status', 'Status', s.byStatus, (k) => statusText(k as TargetLine['status']))) +
    sec(
      'grades',
      'Overall grades',
      histogramSvg(`Overall grades of ${plural(s.total, 'target')}`, gradeBuckets(s.byGrade), 'hist') +
        countsTable('Targets by overall grade', 'Grade', s.byGrade, (k) => (k === 'none' ? badge(null) : badge(k))),
    ) +
    sec('errors', 'Errors by kind', countsTable('Targets that met each kind of error', 'Kind', s.errorsByKind)) +
    sec('worst', 'Worst grades', targetsTable('The lowest overall grades, worst first', s.worst)) +
    sec('incomplete', 'Not completed', targetsTable('Targets not completed (failed, interrupted or partial), first seen', s.incomplete));
  return htmlPage({ title: `secgrade batch summary: ${plural(s.total, 'target')}`, body, generatedAt });
}
