// The history page's timeline chart and table (src/render/history-html.ts): where each run lands
// (time to scale, letter to row, T/M on their own row), an ungraded run as a gap and never a point,
// and hostile text (a target, a failure reason, a run id) escaped — checked on the parsed document.
import { describe, expect, it } from 'vitest';
import { CHART_ROWS, gradeRow, renderHistoryHtml, timelineGeometry, timelineSvg } from '../../src/render/history-html.js';
import type { HistoryEntry } from '../../src/store/types.js';
import { historyEntry } from '../helpers/history-entry.js';
import { all as allElements, attr, parseHtml, textOf, type Element, type Node } from '../helpers/html-dom.js';

const entry = (startedAt: string, over: Partial<HistoryEntry> = {}): HistoryEntry => historyEntry({ runId: `run-${startedAt.slice(11, 13)}`, startedAt, ...over });

const all = (g: HistoryEntry['grades']['tls']): HistoryEntry['grades'] => ({ tls: g, http: g, email: g, overall: g });

// Oldest first: 0 h A, 1 h not graded (failed), 3 h B, 4 h T.
const RUNS = [
  entry('2026-06-15T10:00:00.000Z', { grades: all('A') }),
  entry('2026-06-15T11:00:00.000Z', { grades: all(null), status: 'error', reason: 'DNS: NXDOMAIN' }),
  entry('2026-06-15T13:00:00.000Z', { grades: all('B') }),
  entry('2026-06-15T14:00:00.000Z', { grades: all('T') }),
];

/** Every element under `node`, itself included, in document order. */
const elements = (node: Node): Element[] => allElements(node, () => true);

describe('timeline geometry', () => {
  it('puts A+ … F on rows top to bottom, T and M together on the row below F, and null on none', () => {
    expect(CHART_ROWS).toEqual(['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T/M']);
    expect(['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M'].map((g) => gradeRow(g as never))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 8]);
    expect(gradeRow(null)).toBeNull();
  });

  it('places runs by time to scale, breaks the line at an ungraded run and draws no point for it', () => {
    const g = timelineGeometry(RUNS, 'overall');
    expect(g.points.map((p) => p.grade)).toEqual(['A', 'B', 'T']);
    // The line: A alone (the failed run ends it), then B → T.
    expect(g.segments.map((s) => s.map((p) => p.grade))).toEqual([['A'], ['B', 'T']]);
    expect(g.gaps.map((x) => x.at)).toEqual(['2026-06-15T11:00:00.000Z']);
    // x: 0 h, 1 h, 3 h, 4 h of a 4 h span → 0, ¼, ¾, 1 of the plot width.
    const [a, b, t] = g.points;
    const gap = g.gaps[0]!.x;
    const span = t!.x - a!.x;
    expect(span).toBeGreaterThan(400);
    expect((gap - a!.x) / span).toBeCloseTo(0.25, 2);
    expect((b!.x - a!.x) / span).toBeCloseTo(0.75, 2);
    // y: higher on the chart (smaller y) is better; T is below where F would be.
    expect(a!.y).toBeLessThan(b!.y);
    expect(b!.y).toBeLessThan(t!.y);
    const f = timelineGeometry([entry('2026-06-15T10:00:00.000Z', { grades: all('F') })], 'tls').points[0]!;
    expect(t!.y).toBeGreaterThan(f.y);
  });

  it('a single run sits in the middle; a section never graded has only gaps', () => {
    const one = timelineGeometry([RUNS[0]!], 'tls');
    expect(one.points).toHaveLength(1);
    const email = timelineGeometry([entry('2026-06-15T10:00:00.000Z'), entry('2026-06-15T11:00:00.000Z')], 'email');
    expect(email.points).toEqual([]);
    expect(email.segments).toEqual([]);
    expect(email.gaps).toHaveLength(2);
  });
});

describe('timeline SVG', () => {
  const svgDoc = (svg: string): Element[] => elements(parseHtml(`<!doctype html><body>${svg}`));

  it('draws one marker per graded run (a square for T/M), one line per connected stretch and a dashed mark per gap', () => {
    const els = svgDoc(timelineSvg('a.example', 'overall', RUNS));
    expect(els.filter((e) => e.tagName === 'circle')).toHaveLength(2);
    const squares = els.filter((e) => e.tagName === 'rect' && attr(e, 'class')?.includes('tm'));
    expect(squares).toHaveLength(1);
    const lines = els.filter((e) => e.tagName === 'polyline');
    expect(lines).toHaveLength(1);
    expect(attr(lines[0]!, 'points')!.split(' ')).toHaveLength(2);
    const gaps = els.filter((e) => e.tagName === 'line' && attr(e, 'class') === 'gap');
    expect(gaps).toHaveLength(1);
    expect(attr(gaps[0]!, 'stroke-dasharray')).toBeTruthy();
    expect(textOf(gaps[0]!)).toBe('2026-06-15 11:00 UTC: not graded');
    // No marker at the gap's x: an untested run is never drawn as a grade.
    const gx = attr(gaps[0]!, 'x1');
    expect(els.filter((e) => e.tagName === 'circle' && attr(e, 'cx') === gx)).toEqual([]);
    const svg = els.find((e) => e.tagName === 'svg')!;
    expect(attr(svg, 'role')).toBe('img');
    const desc = els.find((e) => e.tagName === 'desc')!;
    expect(textOf(desc)).toBe('4 runs: first A, latest T, best A, worst T; 1 not graded.');
  });

  it('escapes a hostile target name in the title', () => {
    const target = '</title><script>alert(1)</script>"\'&.example';
    const els = svgDoc(timelineSvg(target, 'tls', RUNS));
    expect(els.some((e) => e.tagName === 'script')).toBe(false);
    const title = els.find((e) => e.tagName === 'title')!;
    expect(textOf(title)).toBe(`TLS grade of ${target} over time`);
  });
});

describe('history page', () => {
  const generatedAt = new Date(Date.UTC(2026, 5, 16, 9, 0, 0));
  const newestFirst = [...RUNS].reverse();

  it('is one document: four charts, the runs table with a row per run, the latest grades; hostile text stays text', () => {
    const target = '<img src=x onerror=alert(1)>.example';
    const hostile = [{ ...newestFirst[0]! }, { ...newestFirst[1]! }, { ...newestFirst[2]!, reason: '<b>boom</b>', runId: '"><svg onload=alert(1)>' }, newestFirst[3]!];
    const html = renderHistoryHtml({ target, store: '/tmp/h<i>.db', entries: hostile, generatedAt });
    const els = elements(parseHtml(html));
    expect(els.filter((e) => e.tagName === 'svg')).toHaveLength(4);
    expect(els.filter((e) => ['script', 'img', 'b', 'i'].includes(e.tagName))).toEqual([]);
    expect(els.filter((e) => e.attrs.some((a) => a.name.startsWith('on')))).toEqual([]);
    expect(textOf(els.find((e) => e.tagName === 'h1')!)).toBe(`Grade history: ${target}`);
    expect(els.filter((e) => e.tagName === 'h3').map(textOf)).toEqual(['Overall', 'TLS', 'HTTP', 'Email']);
    const table = els.find((e) => e.tagName === 'table')!;
    const rows = elements(table).filter((e) => e.tagName === 'tr');
    expect(rows).toHaveLength(1 + 4);
    expect(elements(rows[0]!).filter((e) => e.tagName === 'th').map(textOf)).toEqual(['Started (UTC)', 'Status', 'Overall', 'TLS', 'HTTP', 'Email', 'critical', 'high', 'medium', 'low', 'info', 'Run']);
    const cells = (i: number): string[] => elements(rows[i]!).filter((e) => e.tagName === 'td' || e.tagName === 'th').map(textOf);
    expect(cells(1)).toEqual(['2026-06-15 14:00 UTC', 'ok', 'T (certificate not trusted)', 'T (certificate not trusted)', 'T (certificate not trusted)', 'T (certificate not trusted)', '0', '1', '0', '2', '0', 'run-14 scan']);
    // The failed run: its reason, and "no grade" (not a letter) in every section.
    expect(cells(3).slice(0, 3)).toEqual(['2026-06-15 11:00 UTC', 'error<b>boom</b>', 'no grade']);
    expect(cells(3).at(-1)).toBe('"><svg onload=alert(1)> scan');
    expect(html).toContain('/tmp/h&lt;i&gt;.db');
    expect(html).toContain('4 runs from 2026-06-15 10:00 UTC to 2026-06-15 14:00 UTC');
    expect(html).toContain('<time datetime="2026-06-16T09:00:00.000Z">');
  });

  it('says there are no runs (and since when) instead of drawing empty charts', () => {
    const html = renderHistoryHtml({ target: 'a.example', store: 's.db', entries: [], generatedAt, since: new Date(Date.UTC(2026, 5, 1)) });
    const els = elements(parseHtml(html));
    expect(els.filter((e) => e.tagName === 'svg' || e.tagName === 'table')).toEqual([]);
    expect(html).toContain('no runs since 2026-06-01 00:00 UTC');
  });
});
