// `--format text`: the report card as plain lines for pipes and logs.
// The card's content is built once as CardLine[] (reportCardLines, from the sections in ./card/)
// and laid out here as text; the Ink ReportCard (ui/ReportCard.tsx) renders the very same lines
// with Ink boxes, so the two cannot drift. Several reports end with a summary table.
import type { Renderer } from './renderer.js';
import type { Report } from '../model/report.js';
import { emailLines, dnsLines } from './card/email.js';
import { findingLines } from './card/findings.js';
import { httpLines } from './card/http.js';
import { layoutCard, layoutCardLine, MIN_WIDTH } from './card/layout.js';
import { blank, field, heading, statusItem, type CardLine, type CardOptions } from './card/lines.js';
import { summaryLines, summaryRowOf, type SummaryRow } from './card/summary.js';
import { endpointLines } from './card/tls.js';
import { formatDuration, gradeSegs, seg, targetHeading } from './style.js';

export { layoutCardLine, summaryLines };
export { FIELD_INDENT, FINDING_INDENT, LABEL_WIDTH, type CardLine, type CardOptions } from './card/lines.js';

/** The report card as layout-independent lines (used by renderText and the Ink ReportCard). */
export function reportCardLines(report: Report, opts: CardOptions = {}): CardLine[] {
  return [
    ...headerLines(report),
    ...report.endpoints.flatMap((e) => [blank(), ...endpointLines(e)]),
    blank(),
    ...httpLines(report.http),
    ...(report.email ? [blank(), ...emailLines(report.email)] : []),
    ...(report.dns ? [blank(), ...dnsLines(report.dns)] : []),
    blank(),
    ...findingLines(report.findings, opts),
  ];
}

function headerLines(r: Report): CardLine[] {
  const started = r.startedAt.replace(/\.\d+(?=Z|[+-]\d\d:?\d\d$)/, '');
  // A scan that did not complete says so in its first line: never read as a full one.
  const state = r.status === 'ok' ? [] : [seg(r.status === 'error' ? 'failed' : r.status, r.status === 'error' ? 'bad' : 'warn'), seg('  ')];
  const lines: CardLine[] = [
    heading([seg(targetHeading(r.target), 'strong')], [
      ...state,
      seg(`scanned ${started} in ${formatDuration(r.durationMs)}`, 'dim'),
    ]),
  ];
  if (r.target.url) lines.push(field('url', [[seg(r.target.url)]]));
  if (r.status !== 'ok') lines.push(field('status', [statusItem(r.status, r.reason)]));
  for (const i of r.incomplete ?? []) lines.push(field('not tested', [[seg(`${i.probe}${i.subject ? ` ${i.subject}` : ''}: ${i.reason}`, 'dim')]]));
  const g = r.grades;
  lines.push(
    field('grades', [
      // A null overall of a scan that ran means undecided: a requested section has no letter (gradeReasons says why).
      [seg('overall '), ...gradeSegs(g.overall, r.status === 'error' ? undefined : 'not decided')],
      [seg('tls '), ...gradeSegs(g.tls)],
      [seg('http '), ...gradeSegs(g.http, r.target.scheme ? 'not applicable' : r.http?.observatoryNotGraded ? 'not graded' : undefined)],
      [seg('email '), ...gradeSegs(g.email, r.target.scheme ? 'not applicable' : undefined)],
    ]),
  );
  // Why a grade that was asked for is missing (a grade not asked for needs no word).
  for (const k of ['overall', 'tls', 'http', 'email'] as const) {
    const why = r.gradeReasons?.[k];
    if (why && why !== 'not requested (--checks)' && why !== 'no graded section was requested') lines.push(field(`no ${k}`, [[seg(why, 'dim')]]));
  }
  return lines;
}

export interface TextOptions extends CardOptions {
  color: boolean;
  width?: number;
}

/**
 * Reports as plain-text cards, one line per `\n`, none wider than `width` (default 80, at least 20)
 * columns but for a URL longer than the width (kept whole on its own line), ending in a newline
 * ('' for no reports). More than one report ends with the summary table. ANSI colour codes only
 * when `color` is true.
 */
export function renderText(reports: readonly Report[], opts: TextOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? 80));
  const lines = reports.flatMap((report, i) => [...(i > 0 ? [''] : []), ...layoutCard(reportCardLines(report, opts), width, opts.color)]);
  if (reports.length > 1) lines.push('', ...layoutCard(summaryLines(reports), width, opts.color));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `--format text`: the report cards (the default when stdout is not a terminal). */
export const textRenderer: Renderer = {
  id: 'text',
  extensions: ['.txt'],
  render: (reports, opts) => renderText(reports, { color: opts.color, width: opts.width, minSeverity: opts.minSeverity }),
  // A batch's results (`secgrade render`, `--report x.txt`): one card at a time, keeping only the
  // summary's small row per target, so memory does not grow with the cards.
  async *stream(source, opts) {
    const rows: SummaryRow[] = [];
    for await (const report of source()) {
      yield (rows.length ? '\n' : '') + renderText([report], { color: opts.color, width: opts.width, minSeverity: opts.minSeverity });
      rows.push(summaryRowOf(report));
    }
    if (rows.length > 1) yield `\n${layoutCard(summaryLines(rows), Math.max(MIN_WIDTH, Math.floor(opts.width)), opts.color).join('\n')}\n`;
  },
};
