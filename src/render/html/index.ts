// `--format html` (.html, .htm): one self-contained page for one target or a whole batch.
// One report: the full report page. Several: the fleet view first (table worst-first, grade
// histogram, worst findings across the fleet), then each target's report in a collapsible section.
// The source is read twice — pass 1 keeps a small digest per target for the fleet view, pass 2
// streams each target's section as it is read — so memory stays flat in the number of targets.
import type { Report } from '../../model/report.js';
import type { Renderer, RenderOptions, ReportSource } from '../renderer.js';
import { fleetHtmlParts, FleetBuilder } from './fleet.js';
import { esc, htmlPage, pageEnd, pageStart } from './page.js';
import { badge, dateText, h, plural } from './parts.js';
import { reportBody, statusText, targetLabel, tocHtml } from './report.js';

/** The page of one target. */
export function reportPage(r: Report, opts: Pick<RenderOptions, 'generatedAt' | 'minSeverity'>): string {
  const label = targetLabel(r);
  return (
    pageStart({
      title: `secgrade report: ${label}`,
      generatedAt: opts.generatedAt,
      subtitle: `Overall ${badge(r.grades.overall)} · scan ${statusText(r.status)} · started ${esc(dateText(r.startedAt))}`,
    }) +
    tocHtml('t1', 'Report sections') +
    reportBody(r, { level: 2, idp: 't1', minSeverity: opts.minSeverity }) +
    pageEnd(opts)
  );
}

/** One target of a batch: collapsed by default (1,000 targets stay usable), its id the fleet table's anchor. */
export function targetSection(r: Report, n: number, opts: Pick<RenderOptions, 'minSeverity'>): string {
  const counts = ['critical', 'high'].map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const).filter(([, c]) => c);
  return (
    `<details id="t${n}"><summary>${h(3, esc(targetLabel(r)))} ${badge(r.grades.overall)} · ${statusText(r.status)}` +
    `${counts.length ? ` · ${counts.map(([s, c]) => `${c} ${s}`).join(', ')}` : ''}</summary>\n` +
    reportBody(r, { level: 4, idp: `t${n}`, minSeverity: opts.minSeverity }) +
    `</details>\n`
  );
}

async function* stream(source: ReportSource, opts: RenderOptions): AsyncIterable<string> {
  const fleet = new FleetBuilder();
  for await (const r of source()) fleet.add(r);
  if (fleet.count === 0) {
    yield htmlPage({ title: 'secgrade report', body: '<p>No report to render: the results hold no target.</p>\n', generatedAt: opts.generatedAt });
    return;
  }
  if (fleet.count === 1) {
    for await (const r of source()) {
      yield reportPage(r, opts);
      return;
    }
    return;
  }
  yield pageStart({
    title: `secgrade fleet report: ${plural(fleet.count, 'target')}`,
    generatedAt: opts.generatedAt,
    subtitle: 'The fleet overview, then every target (open one to read its report).',
  });
  yield `<nav class="toc" aria-label="Page sections"><ul class="badges"><li><a href="#fleet-overview">Overview</a></li><li><a href="#fleet-worst">Worst findings</a></li><li><a href="#fleet-table">Targets by grade</a></li><li><a href="#targets">Target reports</a></li></ul></nav>\n`;
  // Part by part: the sort orders of a long fleet together would be one string of hundreds of MB.
  yield* fleetHtmlParts(fleet, opts.minSeverity, 2);
  yield `<section aria-labelledby="targets">${h(2, 'Target reports', ' id="targets"')}\n<p>In the order of the results; each opens to the full report.</p>\n`;
  let n = 0;
  for await (const r of source()) {
    n++;
    yield targetSection(r, n, opts);
  }
  yield `</section>\n`;
  yield pageEnd(opts);
}

export const htmlRenderer: Renderer = {
  id: 'html',
  extensions: ['.html', '.htm'],
  stream,
};
