// The HTML reports as users make them (the built binary against the bundled lab) and as a browser
// shows them (Debian's headless chromium): one page per lab domain (`scan … --format html --output`),
// the fleet page of a batch (`batch LIST --output … --report fleet.html`) and the committed fixture
// rendered by `secgrade render`. Each page, at 1280 and 390 px, light, dark and print: no console
// error or warning, no uncaught error, no request but its own file, no sideways scrolling, and the
// text a reader looks for (domain, overall letter, section headings, a finding). A 1280 px and a
// 390 px screenshot per lab domain and of the fleet page are kept in test-output/screenshots/;
// UPDATE_DOCS_SCREENSHOTS=1 also writes the README's docs/html-report.png and docs/html-fleet.png.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DOMAINS } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import { launchChromium, requireChromiumUnderCi, type Chromium, type PageResult } from '../helpers/chromium.js';
import { runBinary, type CliRun } from '../helpers/cli.js';
import { labFlags } from '../helpers/lab-flags.js';
import { expectClean, expectCleanPage, SCREENSHOTS } from './page-checks.js';

const installed = requireChromiumUnderCi();
const FIXTURE = resolve('test/fixtures/reports/lab.ndjson');
/** The domain whose page the README shows: a legacy server has caps, weak suites and many findings. */
const DOCS_DOMAIN = 'legacy.secgrade.test';

/** `f` over `items`, at most `n` at a time (the machine has two cores; each scan is a node process). */
async function pool<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

const reportsOf = (ndjson: string): Report[] =>
  ndjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Report & { type?: string })
    .filter((r) => r.type !== 'summary');

describe.skipIf(!installed)('HTML reports of the lab in headless chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-browser-html-'));
  let lab: RunningLab;
  let browser: Chromium;
  let domains: string[] = [];
  /** The batch's reports, by host: what each page must show. */
  const reports = new Map<string, Report>();
  const scans = new Map<string, CliRun>();
  let batch: CliRun;
  let rendered: CliRun;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [lab, browser] = await Promise.all([startLab(), launchChromium()]);
    const flags = labFlags(lab.info);
    domains = Object.keys(lab.info.domains).sort();
    const list = join(dir, 'list.txt');
    writeFileSync(list, `${domains.join('\n')}\n`);
    batch = await runBinary(['batch', list, ...flags, '--output', join(dir, 'out.ndjson'), '--report', join(dir, 'fleet.html')], { timeoutMs: 240_000 });
    for (const r of reportsOf(readFileSync(join(dir, 'out.ndjson'), 'utf8'))) reports.set(r.target.host, r);
    await pool(domains, 3, async (d) => {
      scans.set(d, await runBinary(['scan', d, ...flags, '--format', 'html', '--output', join(dir, `${d}.html`)], { timeoutMs: 120_000 }));
    });
    rendered = await runBinary(['render', FIXTURE, '--format', 'html', '--output', join(dir, 'fixture.html')], { timeoutMs: 60_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the batch and every scan wrote their page and exited 0', () => {
    expect(batch.code, batch.stderr).toBe(0);
    expect([...reports.keys()].sort()).toEqual(domains);
    expect(domains).toEqual(LAB_DOMAINS.map((d) => d.name).sort());
    for (const d of domains) {
      const run = scans.get(d)!;
      expect(run.code, `${d}: ${run.stderr}`).toBe(0);
      expect(run.stdout, d).toBe('');
      expect(readFileSync(join(dir, `${d}.html`), 'utf8'), d).toMatch(/^<!doctype html>/i);
    }
    expect(rendered.code, rendered.stderr).toBe(0);
  });

  /**
   * UPDATE_DOCS_SCREENSHOTS=1: the README's pictures (docs/), the top 1280×1600 px of the page, kept
   * small enough to commit. Read them before committing: they show whatever the renderer draws now.
   */
  async function docsScreenshot(url: string, name: string): Promise<void> {
    if (process.env['UPDATE_DOCS_SCREENSHOTS'] !== '1') return;
    const r = await browser.open(url, { width: 1280, height: 1600, screenshot: { maxHeight: 1600 } });
    expectClean(r, `${name} (docs)`);
    expect(r.png!.length, `${name} under 400 KB`).toBeLessThan(400 * 1024);
    mkdirSync(resolve('docs'), { recursive: true });
    writeFileSync(resolve('docs', name), r.png!);
  }

  /** The report page of one domain: its name, its overall letter, the sections, its worst finding. */
  function expectReportText(page: PageResult, r: Report): void {
    const host = r.target.host;
    expect(page.title, host).toContain(host);
    expect(page.text, host).toContain(host);
    for (const h of ['h2 Grades', 'h2 TLS', 'h2 HTTP', 'h2 Email', 'h2 Findings']) expect(page.headings, `${host}: ${h}`).toContain(h);
    // The overall letter as the first badge of the grades list (not graded is said in words).
    const overall = r.grades.overall ?? 'not graded';
    expect(page.text, host).toMatch(new RegExp(`Overall\\s+${overall.replace(/[+]/g, '\\+')}(\\s|$)`));
    if (r.findings.length) {
      const worst = [...r.findings].sort((a, b) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(a.severity) - ['critical', 'high', 'medium', 'low', 'info'].indexOf(b.severity))[0]!;
      expect(page.text, `${host}: finding "${worst.title}"`).toContain(worst.title);
    }
  }

  it.each(LAB_DOMAINS.map((d) => d.name).sort())('%s: its page at 1280 and 390 px, light, dark and print', async (d) => {
    const url = pathToFileURL(join(dir, `${d}.html`)).href;
    const shot = await expectCleanPage(browser, url, `${d}.png`);
    expectReportText(shot, reports.get(d)!);
    const narrow = await browser.open(url, { width: 390 });
    expectReportText(narrow, reports.get(d)!);
    if (d === DOCS_DOMAIN) await docsScreenshot(url, 'html-report.png');
  });

  it('the fleet page: every target with its overall letter, the sections of a batch, clean in every mode', async () => {
    const fleetUrl = pathToFileURL(join(dir, 'fleet.html')).href;
    const page = await expectCleanPage(browser, fleetUrl, 'fleet.png');
    await docsScreenshot(fleetUrl, 'html-fleet.png');
    for (const [host, r] of reports) {
      expect(page.text, host).toContain(host);
      expect(page.textContent, host).toContain(host);
      // Its row of the targets table (chromium's innerText separates cells with tabs): label, scan status, overall letter.
      if (r.grades.overall) expect(page.text, host).toMatch(new RegExp(`\\n${host.replace(/\./g, '\\.')}:\\d+\\t[^\\t\\n]+\\t${r.grades.overall.replace('+', '\\+')}\\s`));
    }
    expect(page.headings.join('\n')).toMatch(/h2 .*(grade|Grade)/);
    // The fleet's worst finding is listed by title.
    const all = [...reports.values()].flatMap((r) => r.findings);
    const worst = all.find((f) => f.severity === 'critical') ?? all.find((f) => f.severity === 'high') ?? all[0]!;
    expect(page.text).toContain(worst.title);
  });

  it('the committed fixture rendered by `secgrade render --format html`: clean in every mode, every target present', async () => {
    const page = await expectCleanPage(browser, pathToFileURL(join(dir, 'fixture.html')).href, null);
    const fixture = reportsOf(readFileSync(FIXTURE, 'utf8'));
    expect(fixture.length).toBe(17);
    for (const r of fixture) expect(page.text, r.target.host).toContain(r.target.host);
  });
});
