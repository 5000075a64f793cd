// `--format html`: goldens over the lab's reports (the batch page and one report's page), the
// document's structure checked on the parsed tree (one h1, no skipped heading level, every table
// with a caption and header cells, landmarks, no script, no external URL but the findings'
// references, no javascript:), and the renderer registered for .html/.htm. Regenerate the goldens
// with UPDATE_GOLDEN=1 (and read the diff).
import { describe, expect, it } from 'vitest';

import type { Report } from '../../src/model/report.js';
import { htmlRenderer } from '../../src/render/html/index.js';
import { SORT_ORDERS } from '../../src/render/html/fleet-sort.js';
import { rendererById, rendererForFile } from '../../src/render/index.js';
import { renderToString, type RenderOptions } from '../../src/render/renderer.js';
import { checkDocument, headings, parseHtml, textOf, all } from '../helpers/html-dom.js';
import { LAB, byHost, GOLDEN_OPTS, expectGolden } from '../helpers/lab-reports.js';

const OPTS = GOLDEN_OPTS;
const render = (reports: Report[], opts: Partial<RenderOptions> = {}) => renderToString(htmlRenderer, reports, { ...OPTS, ...opts });

const golden = (name: string, actual: string): void => expectGolden('html', name, actual);

describe('html renderer', () => {
  it('is registered as html for .html and .htm', () => {
    expect(rendererById('html')).toBe(htmlRenderer);
    expect(rendererForFile('out/Fleet.HTML')).toBe(htmlRenderer);
    expect(rendererForFile('report.htm')).toBe(htmlRenderer);
    expect(htmlRenderer.stream).toBeTypeOf('function');
  });

  it('renders the lab batch as the golden fleet page', async () => {
    expect(LAB.length).toBe(17);
    const html = await render(LAB);
    golden('lab-batch.html', html);
    const doc = parseHtml(html);
    checkDocument(doc, 'batch');
    // The fleet view first, then one collapsible section per target, each the table's anchor.
    const hs = headings(doc).map((x) => `h${x.level} ${x.text}`);
    expect(hs.slice(0, 5)).toEqual(['h1 secgrade fleet report: 17 targets', 'h2 Overview', 'h2 Worst findings', 'h2 Targets by grade', 'h2 Target reports']);
    const details = all(doc, (e) => e.tagName === 'details' && e.attrs.some((a) => a.name === 'id' && /^t\d+$/.test(a.value)));
    expect(details.length).toBe(17);
    const links = all(doc, (e) => e.tagName === 'a' && e.attrs.some((a) => a.name === 'href' && /^#t\d+$/.test(a.value)));
    // The targets table in every order: each copy links each target to its one section.
    expect(links.length).toBe(17 * SORT_ORDERS.length);
    expect(new Set(links.map((a) => a.attrs.find((x) => x.name === 'href')!.value)).size).toBe(17);
    // Worst first (the default, first table): the F and T/M targets before the A ones.
    const rows = all(doc, (e) => e.tagName === 'table' && e.attrs.some((a) => a.name === 'class' && a.value === 'fleet'))[0]!;
    const order = all(rows, (e) => e.tagName === 'a').map((a) => textOf(a).replace(/:\d+$/, ''));
    const grade = (h: string) => LAB.find((r) => r.target.host === h)!.grades.overall;
    expect(order.slice(0, 3).map(grade).every((g) => g === 'F' || g === 'T' || g === 'M')).toBe(true);
    expect(order.slice(-4).map(grade).every((g) => g === 'A')).toBe(true);
    // The histogram names every count as text.
    const figcaption = textOf(all(doc, (e) => e.tagName === 'figcaption')[0]!);
    const count = (g: string) => LAB.filter((r) => r.grades.overall === g).length;
    for (const g of ['A', 'B', 'F', 'T', 'M']) expect(figcaption).toContain(`${g}: ${count(g)},`);
    expect(figcaption).toContain('not graded: 0.');
  });

  it('renders one report as the golden report page', async () => {
    const html = await render([byHost('legacy.secgrade.test')]);
    golden('lab-legacy.html', html);
    const doc = parseHtml(html);
    checkDocument(doc, 'single');
    const hs = headings(doc).filter((x) => x.level <= 2).map((x) => `h${x.level} ${x.text}`);
    expect(hs).toEqual(['h1 secgrade report: legacy.secgrade.test:43247', 'h2 Grades', 'h2 TLS', 'h2 HTTP', 'h2 Email', 'h2 Findings', 'h2 About this scan']);
    const text = textOf(doc);
    // The summary bars' numbers and the cap with its reason.
    expect(text).toMatch(/Protocol support\s*95/);
    expect(text).toMatch(/Key exchange\s*90/);
    expect(text).toMatch(/Cipher strength\s*90/);
    expect(text).toContain('capped at B: TLS 1.0 or TLS 1.1 is supported');
    // The handshake table: every accepted suite with key exchange, bits and forward secrecy.
    expect(text).toContain('TLS_RSA_WITH_AES_128_GCM_SHA256');
    expect(text).toMatch(/TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\s*ECDHE x25519 \(253 bits, ≈ RSA 3072\)\s*RSA\s*AES_128_CBC\s*128\s*yes/);
    expect(text).toMatch(/TLS_RSA_WITH_AES_256_CBC_SHA\s*RSA 2048 bits\s*RSA\s*AES_256_CBC\s*256\s*no/);
    // The chain: leaf, intermediate, anchor; CT verdict.
    expect(text).toMatch(/Leaf \(server certificate\)\s*CN=legacy\.secgrade\.test/);
    expect(text).toMatch(/Intermediate\s*CN=secgrade lab intermediate CA/);
    expect(text).toMatch(/Trust anchor\s*secgrade lab root CA \(throwaway\)/);
    expect(text).toContain('compliant: Compliant: 2 embedded SCTs');
    // Observatory per-test points and the email points lost.
    expect(text).toMatch(/cookies\s*cookies-session-without-secure-flag\s*−40/);
    expect(text).toMatch(/DMARC record published and valid\s*required\s*fail\s*0 \/ 20\s*−20/);
    // Findings by severity with their references as links.
    expect(hs.length).toBe(7);
    const refs = all(doc, (e) => e.tagName === 'a' && e.attrs.some((a) => a.name === 'class' && a.value === 'ref'));
    expect(refs.length).toBeGreaterThan(10);
    expect(text).toContain('CVE-2013-0169 (Lucky13)'); // a citation without URL stays text
  });

  it('renders every lab report alone as a valid page', async () => {
    for (const r of LAB) {
      const doc = parseHtml(await render([r]));
      checkDocument(doc, r.target.host);
      expect(textOf(doc)).toContain(r.target.host);
    }
  });

  it('shows what sets each lab domain apart', async () => {
    const text = async (host: string) => textOf(parseHtml(await render([byHost(host)])));
    expect(await text('revoked.secgrade.test')).toMatch(/Trust path: trusted: .*, but the server certificate is revoked/);
    expect(await text('revoked.secgrade.test')).toMatch(/Revokedyes, on 2026-12-06 17:49 UTC/);
    expect(await text('expired.secgrade.test')).toContain('expired 31 days ago');
    expect(await text('self-signed.secgrade.test')).toMatch(/Trust anchornone found/);
    expect(await text('wrong-host.secgrade.test')).toMatch(/Name matchesno/);
    expect(await text('incomplete.secgrade.test')).toContain('1 intermediate not sent by the server');
    expect(await text('dhe1024.secgrade.test')).toMatch(/TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\s*DHE 1024 bits\s*RSA\s*AES_128_GCM\s*128\s*yes/);
    expect(await text('legacy.secgrade.test')).toContain('Score 0 → F (MDN HTTP Observatory 1.4.8): 100 −130 in penalties, floored at 0.');
    expect(await text('good.secgrade.test')).toContain('Score 130 → A+ (MDN HTTP Observatory 1.4.8): 100 with no penalty, +30 in bonuses counted.');
    expect(await text('mail-broken.secgrade.test')).toMatch(/STARTTLS\S*\s*not offered/);
  });

  it('says so when there is no report', async () => {
    const doc = parseHtml(await render([]));
    checkDocument(doc, 'empty');
    expect(textOf(doc)).toContain('No report to render');
  });
});
