// `secgrade history TARGET --format html` in headless chromium: a store filled by two real scans of
// a lab domain (`scan --store`, the built binary) and three earlier runs saved through the store API
// (the same report with other grades: a T, a failed scan with no grade at all, a better past), then
// the page at 1280 and 390 px, light, dark and print: clean (no message, request or overflow), the
// four charts drawn with one marker per graded run and a gap for the failed one, the runs table.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import { openStore } from '../../src/store/open.js';
import { launchChromium, requireChromiumUnderCi, type Chromium } from '../helpers/chromium.js';
import { runBinary, type CliRun } from '../helpers/cli.js';
import { labFlags } from '../helpers/lab-flags.js';
import { expectCleanPage, SCREENSHOTS } from './page-checks.js';

const installed = requireChromiumUnderCi();
const DOMAIN = 'legacy.secgrade.test';
const DAY = 86_400_000;

/** What the page's charts hold, read in the browser: per chart its markers, lines and gap marks. */
const CHARTS = `[...document.querySelectorAll('svg.timeline')].map((s) => ({
  title: s.querySelector('title').textContent,
  points: s.querySelectorAll('.point').length,
  squares: s.querySelectorAll('.point.tm').length,
  lines: s.querySelectorAll('polyline.trend').length,
  gaps: s.querySelectorAll('line.gap').length,
  width: s.getBoundingClientRect().width,
}))`;

describe.skipIf(!installed)('secgrade history --format html in headless chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-browser-history-'));
  const store = join(dir, 'history.db');
  let lab: RunningLab;
  let browser: Chromium;
  const scans: Report[] = [];
  let page: CliRun;
  let inferred: CliRun;
  let stdout: CliRun;
  let unwritable: CliRun;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [lab, browser] = await Promise.all([startLab(), launchChromium()]);
    for (let n = 0; n < 2; n++) {
      const run = await runBinary(['scan', DOMAIN, ...labFlags(lab.info), '--format', 'json', '--store', store], { timeoutMs: 120_000 });
      expect(run.code, run.stderr).toBe(0);
      scans.push(JSON.parse(run.stdout) as Report);
    }
    // Earlier runs through the store API: the real report with its time moved back and other grades.
    const s = await openStore(store);
    try {
      const base = scans[0]!;
      const earlier = (days: number, over: Partial<Report>): Report => {
        const { job: _job, ...rest } = structuredClone(base);
        return { ...rest, startedAt: new Date(Date.parse(base.startedAt) - days * DAY).toISOString(), ...over } as Report;
      };
      const saves = [
        [earlier(3, { grades: { tls: 'A', http: 'B', email: 'A', overall: 'B' } }), 'earlier-b'],
        [earlier(2, { grades: { tls: 'T', http: 'B', email: 'A', overall: 'T' } }), 'earlier-t'],
        [earlier(1, { status: 'error', reason: 'DNS: SERVFAIL <from a test>', grades: { tls: null, http: null, email: null, overall: null }, findings: [] }), 'earlier-failed'],
      ] as const;
      for (const [report, runId] of saves) expect((await s.saveReport(report, { runId, source: 'monitor' })).saved).toBe(true);
    } finally {
      await s.close();
    }
    page = await runBinary(['history', DOMAIN, '--store', store, '--format', 'html', '--output', join(dir, 'history.html')]);
    inferred = await runBinary(['history', DOMAIN, '--store', store, '--output', join(dir, 'inferred.htm')]);
    stdout = await runBinary(['history', DOMAIN, '--store', store, '--format', 'html']);
    unwritable = await runBinary(['history', DOMAIN, '--store', store, '--output', join(dir, 'no-such-dir', 'h.html')]);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the page to --output (format from --format or the .htm extension) or to stdout; an unwritable --output is exit 2', () => {
    for (const run of [page, inferred]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
    }
    const html = readFileSync(join(dir, 'history.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(readFileSync(join(dir, 'inferred.htm'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toMatch(/^<!doctype html>[^]*<\/html>\n$/);
    // A file that cannot be written: one line, exit 2, nothing half-written.
    expect(unwritable.code).toBe(2);
    expect(unwritable.stdout).toBe('');
    expect(unwritable.stderr).toBe(`secgrade: --output ${join(dir, 'no-such-dir', 'h.html')}: ENOENT\n`);
  });

  it('renders clean at 1280 and 390 px, light, dark and print, with the charts and the runs', async () => {
    const url = pathToFileURL(join(dir, 'history.html')).href;
    const r = await expectCleanPage(browser, url, 'history.png');
    expect(r.title).toBe(`Grade history: ${DOMAIN}`);
    expect(r.headings).toEqual([`h1 Grade history: ${DOMAIN}`, 'h2 Grade timeline', 'h3 Overall', 'h3 TLS', 'h3 HTTP', 'h3 Email', 'h2 Runs']);
    expect(r.text).toContain('5 runs from');
    expect(r.text).toContain('DNS: SERVFAIL <from a test>');
    // Every run is a row: its time as the table shows it.
    for (const scan of scans) expect(r.text).toContain(new Date(scan.startedAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');

    for (const width of [1280, 390]) {
      const charts = (await browser.open(url, { width, evaluate: CHARTS })).evaluated as Array<{ title: string; points: number; squares: number; lines: number; gaps: number; width: number }>;
      expect(charts.map((c) => c.title)).toEqual(['Overall', 'TLS', 'HTTP', 'Email'].map((s) => `${s} grade of ${DOMAIN} over time`));
      const [overall, tls, http] = charts;
      // 5 runs, one failed: 4 markers, 1 gap; the line breaks there (B–T, then the two scans).
      expect(overall).toMatchObject({ points: 4, squares: 1, gaps: 1, lines: 2 });
      expect(tls).toMatchObject({ points: 4, squares: 1, gaps: 1 });
      expect(http).toMatchObject({ points: 4, squares: 0, gaps: 1 });
      for (const c of charts) expect(c.width, `chart width at ${width}`).toBeLessThanOrEqual(width);
    }
  });
});
