// `secgrade history TARGET --format html`: one self-contained page (the HTML report's frame and
// stylesheet) with a target's grade timeline per section as inline SVG, and the runs as a table —
// the accessible alternative to the chart, and the place for exact values.
// The chart: x = when the run started (to scale), y = the letter, A+ at the top. T and M (failing
// like F, but fixable certificate problems) get their own row below F, drawn as labelled squares.
// A run whose section was not graded (not tested, or the scan failed) is a gap in the line and a
// dashed mark — never a point, so it can never read as a drop to F.
import type { Grade } from '../model/report.js';
import { SEVERITIES } from '../model/constants.js';
import type { GradeSection, HistoryEntry } from '../store/types.js';
import { esc, htmlPage } from './html/page.js';
import { badge, dateText, gradeTone, table, td, tr, type Column } from './html/parts.js';

/** Top to bottom: the rows of the chart. */
export const CHART_ROWS = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T/M'] as const;

/** The chart row of a letter (T and M share the row below F); null for not graded. */
export function gradeRow(g: Grade): number | null {
  if (g === null) return null;
  if (g === 'T' || g === 'M') return CHART_ROWS.length - 1;
  return CHART_ROWS.indexOf(g);
}

/** Sections in the page's order: the overall grade first. */
export const HISTORY_SECTIONS: readonly GradeSection[] = ['overall', 'tls', 'http', 'email'];
const SECTION_NAME: Record<GradeSection, string> = { overall: 'Overall', tls: 'TLS', http: 'HTTP', email: 'Email' };

// The drawing's own units (the SVG scales to the column width; the text stays readable at 1280 px
// and the table carries the values at 390 px).
const W = 720;
const LEFT = 40;
const RIGHT = 14;
const TOP = 10;
const ROW = 17;
const PLOT_H = ROW * (CHART_ROWS.length - 1);
const H = TOP + PLOT_H + 34;

export interface TimelinePoint {
  x: number;
  y: number;
  grade: Exclude<Grade, null>;
  at: string;
}

export interface TimelineGeometry {
  /** Graded runs, oldest first. */
  points: TimelinePoint[];
  /** Runs of consecutive graded points joined by a line; a not-graded run ends one. */
  segments: TimelinePoint[][];
  /** Where a run was not graded. */
  gaps: Array<{ x: number; at: string }>;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Where each run of `oldestFirst` goes on the chart of `section`. Times that do not parse sit at the left. */
export function timelineGeometry(oldestFirst: readonly HistoryEntry[], section: GradeSection): TimelineGeometry {
  const times = oldestFirst.map((e) => Date.parse(e.startedAt)).map((t) => (Number.isFinite(t) ? t : NaN));
  const known = times.filter((t) => !Number.isNaN(t));
  const min = known.length ? Math.min(...known) : 0;
  const max = known.length ? Math.max(...known) : 0;
  const plotW = W - LEFT - RIGHT;
  const xOf = (t: number): number => round(Number.isNaN(t) ? LEFT : max === min ? LEFT + plotW / 2 : LEFT + ((t - min) / (max - min)) * plotW);
  const out: TimelineGeometry = { points: [], segments: [], gaps: [] };
  let current: TimelinePoint[] = [];
  oldestFirst.forEach((e, i) => {
    const g = e.grades[section];
    const row = gradeRow(g);
    const x = xOf(times[i]!);
    if (g === null || row === null || row < 0) {
      out.gaps.push({ x, at: e.startedAt });
      if (current.length) out.segments.push(current);
      current = [];
      return;
    }
    const p: TimelinePoint = { x, y: TOP + row * ROW, grade: g, at: e.startedAt };
    out.points.push(p);
    current.push(p);
  });
  if (current.length) out.segments.push(current);
  return out;
}

const toneVar = (g: Grade): string => `var(--${gradeTone(g)})`;

/** The inline SVG of one section's timeline, with a title and a description for screen readers. */
export function timelineSvg(target: string, section: GradeSection, oldestFirst: readonly HistoryEntry[]): string {
  const geo = timelineGeometry(oldestFirst, section);
  const name = SECTION_NAME[section];
  const id = `chart-${section}`;
  const parts: string[] = [];
  // Grid: one line and one label per row.
  CHART_ROWS.forEach((label, row) => {
    const y = TOP + row * ROW;
    parts.push(`<line x1="${LEFT}" y1="${y}" x2="${W - RIGHT}" y2="${y}" style="stroke:var(--border)" stroke-width="1"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end">${esc(label)}</text>`);
  });
  for (const g of geo.gaps) {
    parts.push(
      `<line class="gap" x1="${g.x}" y1="${TOP - 4}" x2="${g.x}" y2="${TOP + PLOT_H + 4}" style="stroke:var(--muted)" stroke-width="1.5" stroke-dasharray="3 3"><title>${esc(dateText(g.at))}: not graded</title></line>`,
    );
  }
  for (const s of geo.segments) {
    if (s.length < 2) continue;
    parts.push(`<polyline class="trend" points="${s.map((p) => `${p.x},${p.y}`).join(' ')}" fill="none" style="stroke:var(--fg)" stroke-width="2" stroke-linejoin="round"/>`);
  }
  for (const p of geo.points) {
    const title = `<title>${esc(dateText(p.at))}: ${esc(p.grade)}</title>`;
    if (p.grade === 'T' || p.grade === 'M') {
      parts.push(`<rect class="point tm" x="${p.x - 5}" y="${p.y - 5}" width="10" height="10" style="fill:${toneVar(p.grade)}">${title}</rect>`);
      parts.push(`<text x="${p.x + 8}" y="${p.y - 6}" font-weight="700">${esc(p.grade)}</text>`);
    } else {
      parts.push(`<circle class="point" cx="${p.x}" cy="${p.y}" r="4.5" style="fill:${toneVar(p.grade)};stroke:var(--bg)" stroke-width="1">${title}</circle>`);
    }
  }
  // The time axis: the first and last run (one run: its time, in the middle).
  const axisY = TOP + PLOT_H + 24;
  const first = oldestFirst[0];
  const last = oldestFirst[oldestFirst.length - 1];
  if (first && last && first !== last && first.startedAt !== last.startedAt) {
    parts.push(`<text x="${LEFT}" y="${axisY}" text-anchor="start">${esc(dateText(first.startedAt))}</text>`);
    parts.push(`<text x="${W - RIGHT}" y="${axisY}" text-anchor="end">${esc(dateText(last.startedAt))}</text>`);
  } else if (first) {
    parts.push(`<text x="${LEFT + (W - LEFT - RIGHT) / 2}" y="${axisY}" text-anchor="middle">${esc(dateText(first.startedAt))}</text>`);
  }
  const desc = describe(geo, oldestFirst.length);
  return (
    `<svg class="timeline" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-t">${esc(`${name} grade of ${target} over time`)}</title><desc id="${id}-d">${esc(desc)}</desc>` +
    parts.join('') +
    `</svg>`
  );
}

/** The chart in one sentence: what a screen reader announces (the table below has every value). */
function describe(geo: TimelineGeometry, runs: number): string {
  if (!geo.points.length) return `${runs} run${runs === 1 ? '' : 's'}, none graded.`;
  const first = geo.points[0]!;
  const last = geo.points[geo.points.length - 1]!;
  const best = geo.points.reduce((a, b) => (b.y < a.y ? b : a));
  const worst = geo.points.reduce((a, b) => (b.y > a.y ? b : a));
  const notGraded = geo.gaps.length ? `; ${geo.gaps.length} not graded` : '';
  return `${runs} run${runs === 1 ? '' : 's'}: first ${first.grade}, latest ${last.grade}, best ${best.grade}, worst ${worst.grade}${notGraded}.`;
}

export interface HistoryPage {
  target: string;
  /** Where the runs came from (the store's location), shown under the title. */
  store: string;
  /** Newest first, as the store lists them. */
  entries: readonly HistoryEntry[];
  generatedAt: Date;
  since?: Date;
}

const FINDING_COLS: Column[] = SEVERITIES.map((s) => ({ head: s, num: true }));

function runsTable(entries: readonly HistoryEntry[]): string {
  const cols: Column[] = [{ head: 'Started (UTC)' }, { head: 'Status' }, ...HISTORY_SECTIONS.map((s) => ({ head: SECTION_NAME[s] })), ...FINDING_COLS, { head: 'Run' }];
  const rows = entries.map((e) => {
    const failed = e.status === 'error' || e.status === 'interrupted';
    const status = esc(e.status) + (failed && e.reason ? `<br><span class="muted">${esc(e.reason)}</span>` : '');
    return tr([
      `<th scope="row"><time datetime="${esc(e.startedAt)}">${esc(dateText(e.startedAt))}</time></th>`,
      td(status),
      ...HISTORY_SECTIONS.map((s) => td(badge(e.grades[s], failed ? 'no grade' : 'not graded'))),
      ...SEVERITIES.map((s) => td(String(e.findings[s]), 'num')),
      td(`<code>${esc(e.runId)}</code> <span class="muted">${esc(e.source)}</span>`),
    ]);
  });
  return table('Runs, newest first: grades and findings by severity', cols, rows.join(''));
}

/** The whole page. */
export function renderHistoryHtml(p: HistoryPage): string {
  const oldestFirst = [...p.entries].reverse();
  const body: string[] = [];
  const n = p.entries.length;
  const range = n ? `${n} run${n === 1 ? '' : 's'} from ${dateText(oldestFirst[0]!.startedAt)} to ${dateText(p.entries[0]!.startedAt)}` : `no runs${p.since ? ` since ${dateText(p.since.toISOString())}` : ''}`;
  body.push(`<p class="meta">${esc(range)} · store <code>${esc(p.store)}</code></p>\n`);
  if (n) {
    const latest = p.entries[0]!;
    body.push(
      `<ul class="badges" aria-label="Latest grades">${HISTORY_SECTIONS.map((s) => `<li><span class="label">${esc(SECTION_NAME[s])}</span>${badge(latest.grades[s])}</li>`).join('')}</ul>\n`,
    );
    body.push(`<h2>Grade timeline</h2>\n`);
    body.push(
      `<p class="muted">Higher is better: A+ at the top, F at the bottom; T (certificate not trusted) and M (certificate name mismatch) fail like F and are drawn as squares on their own row. ` +
        `A dashed line marks a run that was not graded (not tested, or the scan failed): a gap in the line, not a drop. Every value is in the table of runs below.</p>\n`,
    );
    for (const s of HISTORY_SECTIONS) {
      body.push(`<figure><figcaption><h3>${esc(SECTION_NAME[s])}</h3></figcaption>${timelineSvg(p.target, s, oldestFirst)}</figure>\n`);
    }
    body.push(`<h2>Runs</h2>\n${runsTable(p.entries)}`);
  }
  return htmlPage({ title: `Grade history: ${p.target}`, body: body.join(''), generatedAt: p.generatedAt });
}
