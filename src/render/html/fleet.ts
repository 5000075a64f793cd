// The batch view: a small digest per target (read in a first pass over the reports, so the page can
// start with totals), then the fleet table (worst first by default, other orders one click away),
// the grade histogram and the worst findings across the fleet with how many targets each affects.
// Only digests are kept, never reports.
import { GRADES, SEVERITIES, type Report, type Severity } from '../../model/report.js';
import { severityRank } from '../../model/severity.js';
import { esc } from './page.js';
import { badge, code, gradeTone, h, muted, plural, rowTh, sevTag, table, td, toned, tr, type Tone } from './parts.js';
import { statusText, targetLabel } from './report.js';
import { SORT_GROUP, SORT_ORDERS, sortInputId, sortTableClass } from './fleet-sort.js';

/** What the fleet view needs of one target: a few dozen bytes, whatever the report's size. */
export interface Digest {
  /** 1-based position in the source: the target's section is #t{n}. */
  n: number;
  label: string;
  status: Report['status'];
  grades: Report['grades'];
  counts: Record<Severity, number>;
  /** Fewest days left on any endpoint's leaf certificate (negative: expired); null when none was read. */
  certDays: number | null;
}

interface FindingTally {
  id: string;
  severity: Severity;
  title: string;
  targets: number;
}

/** Distinct finding ids tallied: secgrade has a few hundred; a hostile results file cannot grow this past it. */
export const MAX_TALLIED_IDS = 5000;
export const WORST_FINDINGS = 20;

export class FleetBuilder {
  readonly digests: Digest[] = [];
  private readonly tally = new Map<string, FindingTally>();
  untalliedIds = 0;

  add(r: Report): void {
    const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    const seen = new Set<string>();
    for (const f of r.findings) {
      if (f.severity in counts) counts[f.severity]++;
      if (seen.has(f.id)) continue;
      seen.add(f.id);
      const t = this.tally.get(f.id);
      if (t) {
        t.targets++;
        if (severityRank(f.severity) < severityRank(t.severity)) t.severity = f.severity;
      } else if (this.tally.size < MAX_TALLIED_IDS) {
        this.tally.set(f.id, { id: f.id, severity: f.severity, title: f.title, targets: 1 });
      } else this.untalliedIds++;
    }
    let certDays: number | null = null;
    for (const ep of r.endpoints) {
      const leaf = ep.tls.certificates.find((c) => (c.servedIndex ?? 0) === 0);
      if (leaf && (certDays === null || leaf.daysRemaining < certDays)) certDays = leaf.daysRemaining;
    }
    this.digests.push({ n: this.digests.length + 1, label: targetLabel(r), status: r.status, grades: { ...r.grades }, counts, certDays });
  }

  get count(): number {
    return this.digests.length;
  }

  /** The most severe findings, then the most widespread, at most `n`; those below `minSeverity` left out. */
  worstFindings(n: number, minSeverity: Severity | null): FindingTally[] {
    return [...this.tally.values()]
      .filter((t) => minSeverity === null || severityRank(t.severity) <= severityRank(minSeverity))
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.targets - a.targets || a.id.localeCompare(b.id))
      .slice(0, n);
  }
}

export { worstFirst } from './fleet-sort.js';

function certCell(days: number | null): string {
  if (days === null) return muted('not tested');
  if (days < 0) return toned(`expired ${-days} d ago`, 'bad');
  return toned(`${days} d`, days < 14 ? 'bad' : days < 30 ? 'warn' : null);
}

const COLUMNS = [
  { head: 'Target' },
  { head: 'Scan' },
  { head: 'Overall' },
  { head: 'TLS' },
  { head: 'HTTP' },
  { head: 'Email' },
  ...SEVERITIES.map((s) => ({ head: s[0]!.toUpperCase() + s.slice(1), num: true })),
  { head: 'Certificate' },
];

/** One target's row: built once, then repeated in every order (no id on it: each copy would repeat it). */
function rowHtml(d: Digest): string {
  return tr([
    rowTh(`<a href="#t${d.n}">${esc(d.label)}</a>`),
    td(statusText(d.status)),
    td(badge(d.grades.overall)),
    td(badge(d.grades.tls)),
    td(badge(d.grades.http)),
    td(badge(d.grades.email)),
    ...SEVERITIES.map((s) => td(String(d.counts[s]), 'num')),
    td(certCell(d.certDays)),
  ]);
}

/**
 * The targets table in every order of SORT_ORDERS, after the radio group that picks one (css.ts shows
 * the checked order's table only; no script): the control, then one string per order. Each row's
 * HTML is made once and the digests are sorted per order, so the cost is one small string per target
 * and order. Without CSS all the tables show in turn, each under the caption naming its order: long,
 * but complete and readable.
 */
export function fleetTableParts(digests: readonly Digest[]): string[] {
  const rows = new Map<Digest, string>(digests.map((d) => [d, rowHtml(d)]));
  const radios = SORT_ORDERS.map(
    (o, i) => `<span><input type="radio" name="${SORT_GROUP}" id="${sortInputId(o)}"${i === 0 ? ' checked' : ''}><label for="${sortInputId(o)}">${esc(o.label)}</label></span>`,
  ).join('');
  return [
    `<fieldset class="sort"><legend>Sort the targets by</legend>${radios}</fieldset>\n`,
    ...SORT_ORDERS.map((o) => {
      const body = [...digests].sort(o.compare).map((d) => rows.get(d)!).join('');
      return `<div class="by ${sortTableClass(o)}">${table(o.caption, COLUMNS, body, 'fleet')}</div>\n`;
    }),
  ];
}

export const fleetTableHtml = (digests: readonly Digest[]): string => fleetTableParts(digests).join('');

export const HISTOGRAM_BUCKETS: readonly string[] = [...GRADES, 'not graded'];

/**
 * A bar chart of counts per bucket as inline SVG: every bar has its count and its label as text, and
 * the figure's accessible name lists them all, so neither colour nor the picture alone carries it.
 */
export function histogramSvg(title: string, buckets: ReadonlyArray<{ label: string; count: number; tone: Tone }>, idp: string): string {
  const bw = 44;
  const gap = 12;
  const top = 20;
  const chartH = 120;
  const w = buckets.length * (bw + gap) + gap;
  const hgt = top + chartH + 24;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const desc = buckets.map((b) => `${b.label}: ${b.count}`).join(', ');
  const bars = buckets
    .map((b, i) => {
      const x = gap + i * (bw + gap);
      const bh = Math.round((b.count / max) * chartH);
      const y = top + chartH - bh;
      return (
        `<g class="t-${b.tone}"><rect class="bar-rect" x="${x}" y="${y}" width="${bw}" height="${bh}"></rect>` +
        `<text x="${x + bw / 2}" y="${y - 4}" text-anchor="middle">${b.count}</text>` +
        `<text x="${x + bw / 2}" y="${top + chartH + 16}" text-anchor="middle">${esc(b.label)}</text></g>`
      );
    })
    .join('');
  return (
    `<figure><svg role="img" aria-labelledby="${idp}-t ${idp}-d" viewBox="0 0 ${w} ${hgt}" width="${w}" height="${hgt}" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${idp}-t">${esc(title)}</title><desc id="${idp}-d">${esc(desc)}</desc>` +
    `<line x1="${gap / 2}" y1="${top + chartH}" x2="${w - gap / 2}" y2="${top + chartH}" stroke="currentColor" stroke-width="1"></line>${bars}</svg>` +
    `<figcaption>${esc(title)}: ${esc(desc)}.</figcaption></figure>\n`
  );
}

export function gradeBuckets(byGrade: ReadonlyMap<string, number> | Record<string, number>): Array<{ label: string; count: number; tone: Tone }> {
  const get = (k: string): number => (byGrade instanceof Map ? byGrade.get(k) : (byGrade as Record<string, number>)[k]) ?? 0;
  return HISTOGRAM_BUCKETS.map((label) => ({ label, count: label === 'not graded' ? get('none') + get('not graded') : get(label), tone: label === 'not graded' ? 'none' : gradeTone(label) }));
}

function worstFindingsHtml(fleet: FleetBuilder, minSeverity: Severity | null, total: number): string {
  const worst = fleet.worstFindings(WORST_FINDINGS, minSeverity);
  if (!worst.length) return `<p>No finding${minSeverity ? ` at or above ${esc(minSeverity)}` : ''} on any target.</p>\n`;
  const rows = worst.map((t) => tr([td(sevTag(t.severity)), rowTh(esc(t.title)), td(code(t.id)), td(`${t.targets} of ${total}`, 'num')]));
  return (
    table(`The ${plural(worst.length, 'worst finding')} across the fleet, most severe then most widespread first`, [{ head: 'Severity' }, { head: 'Finding' }, { head: 'Id' }, { head: 'Targets', num: true }], rows.join('')) +
    (fleet.untalliedIds ? `<p class="muted">${fleet.untalliedIds} findings with further distinct ids were not tallied.</p>\n` : '')
  );
}

function statusCountsHtml(digests: readonly Digest[]): string {
  const by: Record<Report['status'], number> = { ok: 0, partial: 0, interrupted: 0, error: 0 };
  for (const d of digests) by[d.status]++;
  const rows = (Object.keys(by) as Array<Report['status']>).filter((s) => by[s]).map((s) => tr([rowTh(statusText(s)), td(String(by[s]), 'num')]));
  return table('Scans by status', [{ head: 'Status' }, { head: 'Targets', num: true }], rows.join(''));
}

/**
 * The fleet overview: counts, histogram, worst findings and the targets table (sections at `level`),
 * as a few strings — one per order of the targets table — so a streaming caller can yield them one
 * by one rather than as one string (7 orders of a 100,000-target fleet are hundreds of MB).
 */
export function fleetHtmlParts(fleet: FleetBuilder, minSeverity: Severity | null, level: number): string[] {
  const byGrade = new Map<string, number>();
  for (const d of fleet.digests) {
    const k = d.grades.overall ?? 'none';
    byGrade.set(k, (byGrade.get(k) ?? 0) + 1);
  }
  const total = fleet.count;
  return [
    `<section aria-labelledby="fleet-overview">${h(level, 'Overview', ' id="fleet-overview"')}\n` +
      statusCountsHtml(fleet.digests) +
      histogramSvg(`Overall grades of ${plural(total, 'target')}`, gradeBuckets(byGrade), 'hist') +
      `</section>\n<section aria-labelledby="fleet-worst">${h(level, 'Worst findings', ' id="fleet-worst"')}\n` +
      worstFindingsHtml(fleet, minSeverity, total) +
      `</section>\n<section aria-labelledby="fleet-table">${h(level, 'Targets by grade', ' id="fleet-table"')}\n` +
      `<p>Worst first by default; pick another order below (this file has no script: each order is a table sorted in advance, and the choice shows one). Each target links to its section below.</p>\n`,
    ...fleetTableParts(fleet.digests),
    `</section>\n`,
  ];
}

