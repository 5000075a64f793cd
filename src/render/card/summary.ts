// After several targets, one table that ends the run: each target's grades, status and finding
// counts, so the last screen is the whole run rather than the last domain's info findings.
import { SEVERITIES } from '../../model/constants.js';
import type { Grade, Report } from '../../model/report.js';
import { gradeTone, seg, targetHeading, type Seg } from '../style.js';
import { FIELD_INDENT, heading, plural, type CardLine } from './lines.js';

const STATUS_WORD: Readonly<Record<string, string>> = { error: 'failed' };

/** A grade cell: the letter in its colour, "–" when there is none (not tested or not decided). */
const gradeCell = (g: Grade): Seg[] => [g === null ? seg('–', 'dim') : seg(g, gradeTone(g))];

const HEADER = ['target', 'overall', 'tls', 'http', 'email', 'status', 'findings'];

/** What the summary keeps of a report: small, so a run of 100,000 targets can be summarised from a stream. */
export interface SummaryRow {
  target: Pick<Report['target'], 'host' | 'port'>;
  grades: Report['grades'];
  status: Report['status'];
  /** Findings by severity, most severe first (SEVERITIES order). */
  counts: number[];
}

export const summaryRowOf = (r: Report): SummaryRow => ({
  target: { host: r.target.host, port: r.target.port },
  grades: r.grades,
  status: r.status,
  counts: SEVERITIES.map((s) => r.findings.filter((f) => f.severity === s).length),
});

export function summaryLines(input: ReadonlyArray<Report | SummaryRow>): CardLine[] {
  const reports = input.map((r) => ('counts' in r ? r : summaryRowOf(r)));
  const rows: Seg[][][] = reports.map((r) => {
    const counts = r.counts;
    const status = STATUS_WORD[r.status] ?? r.status;
    return [
      [seg(targetHeading(r.target), 'strong')],
      gradeCell(r.grades.overall),
      gradeCell(r.grades.tls),
      gradeCell(r.grades.http),
      gradeCell(r.grades.email),
      [seg(status, r.status === 'ok' ? 'good' : r.status === 'error' ? 'bad' : 'warn')],
      [seg(counts.join('/'), counts[0]! + counts[1]! > 0 ? 'bad' : counts[2]! > 0 ? 'warn' : 'dim')],
    ];
  });
  // The status column only when some scan did not complete (the heading counts them either way).
  const withStatus = reports.some((r) => r.status !== 'ok');
  const keep = (row: Seg[][]) => row.filter((_, i) => withStatus || HEADER[i] !== 'status');
  const cells: Seg[][][] = [HEADER.map((h) => [seg(h, 'dim')]), ...rows].map(keep);
  const pad = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.reduce((n, s) => n + s.text.length, 0))));
  const byStatus = new Map<string, number>();
  for (const r of reports) byStatus.set(STATUS_WORD[r.status] ?? r.status, (byStatus.get(STATUS_WORD[r.status] ?? r.status) ?? 0) + 1);
  return [
    heading(
      [seg('Summary', 'strong')],
      [seg([plural(reports.length, 'target'), ...[...byStatus].map(([s, n]) => `${n} ${s}`)].join(' · '), 'dim')],
      [seg('findings: critical/high/medium/low/info', 'dim')],
    ),
    ...cells.map((items) => ({ indent: FIELD_INDENT, prefix: [seg(' '.repeat(FIELD_INDENT))], items, gap: 2, pad })),
  ];
}
