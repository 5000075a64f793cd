// `--format html`, a batch: the targets table in every order, switched by CSS alone. Each order's
// table holds every target exactly once, in its order (checked on the cells a reader sees, with keys
// computed here, not by the renderer's comparators); the worst-first one is the default; every radio
// has its `:checked` rule showing its table and every rule its radio; no script anywhere.
import { parse } from 'parse5';
import { describe, expect, it } from 'vitest';

import type { Report } from '../../src/model/report.js';
import { SORT_ORDERS } from '../../src/render/html/fleet-sort.js';
import { htmlRenderer } from '../../src/render/html/index.js';
import { renderToString } from '../../src/render/renderer.js';
import { all, attr, checkDocument, parseHtml, textOf, type Element } from '../helpers/html-dom.js';
import { LAB, GOLDEN_OPTS } from '../helpers/lab-reports.js';

const OPTS = GOLDEN_OPTS;
const render = (reports: Report[]) => renderToString(htmlRenderer, reports, OPTS);

/** A scan that failed: no grade, no certificate (it must sort first by grade, last by expiry). */
function failed(host: string): Report {
  const f = structuredClone(LAB.find((r) => r.target.host === 'good.secgrade.test')!);
  Object.assign(f, { status: 'error', reason: 'DNS lookup failed: NXDOMAIN', endpoints: [], http: null, email: null, dns: null, probes: [], findings: [] });
  f.target.host = host;
  f.grades = { tls: null, http: null, email: null, overall: null };
  return f;
}

const hasClass = (e: Element, c: string): boolean => (attr(e, 'class') ?? '').split(/\s+/).includes(c);

/** One row as read: the target's link, its grades (null: "not graded"), counts, certificate days (null: none). */
interface Row {
  href: string;
  name: string;
  grade: { overall: string | null; tls: string | null; http: string | null; email: string | null };
  counts: number[];
  certDays: number | null;
  html: string;
}

function readRows(wrapper: Element, html: string): Row[] {
  const tables = all(wrapper, (e) => e.tagName === 'table');
  expect(tables.length).toBe(1);
  return all(tables[0]!, (e) => e.tagName === 'tr' && e.parentNode !== null && (e.parentNode as Element).tagName === 'tbody').map((tr) => {
    const cells = all(tr, (e) => (e.tagName === 'td' || e.tagName === 'th') && e.parentNode === tr);
    expect(cells.length).toBe(12);
    const a = all(cells[0]!, (e) => e.tagName === 'a')[0]!;
    const letter = (c: Element): string | null => {
      const t = textOf(c).trim();
      return t === 'not graded' ? null : t.split(' ')[0]!;
    };
    const cert = textOf(cells[11]!).trim();
    const m = /^expired (\d+) d ago$|^(-?\d+) d$/.exec(cert);
    expect(m !== null || cert === 'not tested', `certificate cell "${cert}"`).toBe(true);
    const loc = tr.sourceCodeLocation;
    return {
      href: attr(a, 'href')!,
      name: textOf(a),
      grade: { overall: letter(cells[2]!), tls: letter(cells[3]!), http: letter(cells[4]!), email: letter(cells[5]!) },
      counts: cells.slice(6, 11).map((c) => Number(textOf(c))),
      certDays: m ? (m[1] !== undefined ? -Number(m[1]) : Number(m[2])) : null,
      html: loc ? html.slice(loc.startOffset, loc.endOffset) : '',
    };
  });
}

/** Worst first: not graded, then the failing letters, then D … A+ (the letter scale, written out here). */
const SCALE = [null, 'F', 'E', 'D', 'C', 'B', 'A-', 'A', 'A+'];
const gradeKey = (g: string | null): number => (g === 'T' || g === 'M' ? 1 : SCALE.indexOf(g));
const lexLE = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return true;
};
/** The key each order must be non-decreasing in (its first criteria; ties are the renderer's to break). */
const KEYS: Record<string, (r: Row) => number[]> = {
  worst: (r) => [gradeKey(r.grade.overall)],
  tls: (r) => [gradeKey(r.grade.tls)],
  http: (r) => [gradeKey(r.grade.http)],
  email: (r) => [gradeKey(r.grade.email)],
  findings: (r) => r.counts.map((c) => -c),
  cert: (r) => (r.certDays === null ? [1, 0] : [0, r.certDays]),
};

/** Every order's rows, by key, after checking the page's structure and the control's markup. */
function orders(html: string): Map<string, Row[]> {
  const doc = parse(html, { sourceCodeLocationInfo: true });
  checkDocument(doc, 'sortable fleet');
  const out = new Map<string, Row[]>();
  const section = all(doc, (e) => e.tagName === 'section' && attr(e, 'aria-labelledby') === 'fleet-table')[0]!;
  const wrappers = all(section, (e) => e.tagName === 'div' && hasClass(e, 'by'));
  expect(wrappers.length).toBe(SORT_ORDERS.length);
  for (const o of SORT_ORDERS) {
    const w = wrappers.filter((e) => hasClass(e, `by-${o.key}`));
    expect(w.length, o.key).toBe(1);
    expect(textOf(all(w[0]!, (e) => e.tagName === 'caption')[0]!), `${o.key}: its caption names its order`).toBe(o.caption);
    out.set(o.key, readRows(w[0]!, html));
  }
  return out;
}

function expectSorted(byOrder: Map<string, Row[]>, n: number): void {
  const expected = Array.from({ length: n }, (_, i) => `#t${i + 1}`);
  for (const [key, rows] of byOrder) {
    // Every target exactly once.
    expect([...rows.map((r) => r.href)].sort(), key).toEqual([...expected].sort());
    if (key === 'name') {
      const names = rows.map((r) => r.name);
      expect(names, 'A → Z').toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
      continue;
    }
    const k = KEYS[key]!;
    for (let i = 1; i < rows.length; i++) {
      expect(lexLE(k(rows[i - 1]!), k(rows[i]!)), `${key}: ${rows[i - 1]!.name} before ${rows[i]!.name}`).toBe(true);
    }
  }
  // A row is the same markup in every order (built once), and carries no id (its copies would repeat it).
  const first = new Map(byOrder.get('worst')!.map((r) => [r.href, r.html]));
  for (const rows of byOrder.values()) for (const r of rows) expect(r.html).toBe(first.get(r.href));
  for (const r of first.values()) expect(r).not.toMatch(/\sid=/);
}

describe('html: the fleet table sorted without script', () => {
  it('renders every order of the lab batch (and a failed scan) with every target once, in order', async () => {
    const reports = [...LAB, failed('gone.example')];
    const byOrder = orders(await render(reports));
    expectSorted(byOrder, reports.length);
    // The failed scan (nothing graded, no certificate): first by every grade, last by expiry.
    for (const k of ['worst', 'tls', 'http', 'email']) expect(byOrder.get(k)![0]!.name, k).toMatch(/^gone\.example/);
    expect(byOrder.get('cert')!.at(-1)!.name).toMatch(/^gone\.example/);
    // Expiry: the expired lab certificate comes first, with its days in the past.
    expect(byOrder.get('cert')![0]!.certDays).toBeLessThan(0);
    // Findings: the most critical/high first (the lab's legacy target has the most high ones among those).
    const f = byOrder.get('findings')!;
    expect(f[0]!.counts[0]! + f[0]!.counts[1]!).toBeGreaterThan(0);
  });

  it('sorts names as people do (host2 before host10) and keeps every target once in a 40-target fleet', async () => {
    const reports = Array.from({ length: 40 }, (_, i) => {
      const r = structuredClone(LAB[i % LAB.length]!);
      r.target.host = `host${39 - i}.fleet.test`;
      return r;
    });
    const byOrder = orders(await render(reports));
    expectSorted(byOrder, 40);
    expect(byOrder.get('name')!.slice(0, 3).map((r) => r.name.replace(/:\d+$/, ''))).toEqual(['host0.fleet.test', 'host1.fleet.test', 'host2.fleet.test']);
    expect(byOrder.get('name')!.at(-1)!.name).toMatch(/^host39\.fleet\.test/);
  });

  it('has one radio per order in a labelled fieldset, worst first checked, and a :checked rule for each', async () => {
    const html = await render(LAB.slice(0, 3));
    const doc = parseHtml(html);
    const fieldsets = all(doc, (e) => e.tagName === 'fieldset');
    expect(fieldsets.length).toBe(1);
    const fs = fieldsets[0]!;
    expect(textOf(all(fs, (e) => e.tagName === 'legend')[0]!)).toBe('Sort the targets by');
    const inputs = all(fs, (e) => e.tagName === 'input');
    expect(inputs.map((i) => attr(i, 'id'))).toEqual(SORT_ORDERS.map((o) => `sort-${o.key}`));
    expect(new Set(inputs.map((i) => attr(i, 'name'))).size).toBe(1);
    expect(inputs.filter((i) => attr(i, 'checked') !== undefined).map((i) => attr(i, 'id'))).toEqual(['sort-worst']);
    for (const i of inputs) {
      expect(attr(i, 'type')).toBe('radio');
      const label = all(fs, (e) => e.tagName === 'label' && attr(e, 'for') === attr(i, 'id'));
      expect(label.length).toBe(1);
      expect(textOf(label[0]!)).toBe(SORT_ORDERS.find((o) => `sort-${o.key}` === attr(i, 'id'))!.label);
    }
    // The control comes before the tables, which are its following siblings (what `~` needs).
    const siblings = (fs.parentNode as Element).childNodes.filter((n): n is Element => 'tagName' in n);
    const at = siblings.indexOf(fs);
    expect(siblings.slice(at + 1).filter((e) => hasClass(e, 'by')).length).toBe(SORT_ORDERS.length);
    expect(siblings.slice(0, at).filter((e) => hasClass(e, 'by')).length).toBe(0);
    // The stylesheet: hidden by default, and one rule per radio showing the table of its order (and no other).
    const css = textOf(all(doc, (e) => e.tagName === 'style')[0]!.childNodes[0]!);
    expect(css).toMatch(/(^|\n)\.by\{display:none\}/);
    const rules = [...css.matchAll(/\.sort:has\(#([a-z-]+):checked\)~\.by-([a-z]+)\{display:block\}/g)].map((m) => [m[1], m[2]]);
    expect(rules).toEqual(SORT_ORDERS.map((o) => [`sort-${o.key}`, o.key]));
    expect(css.match(/:checked\)/g)?.length).toBe(inputs.length);
    // The default table is the one shown where :has() is unknown; the radios are hidden there and on paper.
    expect(css).toMatch(/\.by-worst\{display:block\}\n@supports selector\(:has\(\*\)\)\{\n\.sort\{display:flex\}\n\.by-worst\{display:none\}/);
    expect(css).toMatch(/@media print\{[^]*fieldset\.sort\{display:none\}/);
    // Still no script of any kind.
    expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    expect(all(doc, (e) => e.tagName === 'script').length).toBe(0);
  });

  it('a single report has no sort control (it has no fleet table)', async () => {
    const html = await render([LAB[0]!]);
    expect(html).not.toContain('<fieldset');
    expect(html).not.toContain('<input');
  });
});
