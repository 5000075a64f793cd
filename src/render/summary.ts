// A batch summary (src/batch/summary.ts) as text, JSON, CSV, Markdown or HTML, for `secgrade summary`.
// The whole-run view: counts by status and grade, errors by kind, the worst targets and those that
// could not be completed.
import type { BatchSummary, TargetLine } from '../batch/summary.js';
import { csvRow } from './csv.js';
import { summaryHtml } from './html/summary.js';
import { tableCell } from './markdown-escape.js';

export const SUMMARY_FORMATS = ['text', 'json', 'csv', 'markdown', 'html'] as const;
export type SummaryFormat = (typeof SUMMARY_FORMATS)[number];

const counts = (o: Record<string, number>): Array<[string, number]> => Object.entries(o).filter(([, n]) => n > 0);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function text(s: BatchSummary): string {
  const out: string[] = [];
  out.push(`${s.total} target(s)${s.runId ? ` — run ${s.runId}` : ''}${s.durationMs ? `, ${seconds(s.durationMs)} from first start to last end` : ''}`);
  const pad = (rows: Array<[string, string | number]>): string[] => {
    const w = Math.max(0, ...rows.map(([k]) => k.length));
    return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  };
  const section = (title: string, rows: Array<[string, string | number]>): void => {
    if (rows.length) out.push('', title, ...pad(rows));
  };
  section('Status', counts(s.byStatus));
  section('Overall grade', counts(s.byGrade));
  section('Errors by kind (targets)', counts(s.errorsByKind));
  const targetRows = (list: TargetLine[]): Array<[string, string]> =>
    list.map((t) => [t.target, `${t.grade ?? '-'}  ${t.status}${t.reason ? `: ${t.reason}` : ''}`]);
  section('Worst grades', targetRows(s.worst));
  section('Not completed', targetRows(s.incomplete));
  const extra: Array<[string, number]> = [
    ['not started', s.notStarted ?? 0],
    ['lines rejected', s.rejectedLines ?? 0],
    ['duplicates dropped', s.duplicates ?? 0],
  ];
  section('List', extra.filter(([, n]) => n > 0));
  return out.join('\n') + '\n';
}

/** A Markdown table cell: no line breaks, pipes escaped, no HTML (a target name is not markup). */
const md = (v: string | number): string => tableCell(v, { gt: false });

function markdown(s: BatchSummary): string {
  const out: string[] = [`## secgrade batch summary`, '', `${s.total} target(s)${s.runId ? `, run \`${md(s.runId)}\`` : ''}.`];
  const table = (title: string, head: string[], rows: Array<Array<string | number>>): void => {
    if (!rows.length) return;
    out.push('', `### ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(md).join(' | ')} |`));
  };
  table('Status', ['status', 'targets'], counts(s.byStatus));
  table('Overall grade', ['grade', 'targets'], counts(s.byGrade));
  table('Errors by kind', ['kind', 'targets'], counts(s.errorsByKind));
  const targetRows = (list: TargetLine[]) => list.map((t) => [t.target, t.grade ?? '–', t.status, t.reason ?? '']);
  table('Worst grades', ['target', 'grade', 'status', 'reason'], targetRows(s.worst));
  table('Not completed', ['target', 'grade', 'status', 'reason'], targetRows(s.incomplete));
  return out.join('\n') + '\n';
}

/** One row per fact: section, name, value, detail (a spreadsheet pivots it as it likes). */
function csv(s: BatchSummary): string {
  const rows: string[] = [csvRow(['section', 'name', 'value', 'detail'])];
  rows.push(csvRow(['total', 'targets', s.total, s.runId ?? '']));
  for (const [k, n] of Object.entries(s.byStatus)) rows.push(csvRow(['status', k, n, '']));
  for (const [k, n] of Object.entries(s.byGrade)) rows.push(csvRow(['grade', k, n, '']));
  for (const [k, n] of Object.entries(s.errorsByKind)) rows.push(csvRow(['error', k, n, '']));
  for (const t of s.worst) rows.push(csvRow(['worst', t.target, t.grade ?? '', t.reason ?? t.status]));
  for (const t of s.incomplete) rows.push(csvRow(['incomplete', t.target, t.status, t.reason ?? '']));
  return rows.join('');
}

/** `generatedAt`: the HTML page's "generated on" (the only format that prints a date; tests inject it). */
export function renderSummary(s: BatchSummary, format: SummaryFormat, opts: { generatedAt?: Date } = {}): string {
  switch (format) {
    case 'text':
      return text(s);
    case 'json':
      return JSON.stringify(s, null, 2) + '\n';
    case 'csv':
      return csv(s);
    case 'markdown':
      return markdown(s);
    case 'html':
      return summaryHtml(s, opts.generatedAt ?? new Date(0));
  }
}
