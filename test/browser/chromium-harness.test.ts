// The harness itself, on pages made to break each rule: it must see a console error, a thrown
// error, a request that would leave the machine (blocked, and named), a page wider than the
// viewport (and which element), the dark/print emulation, and leave no chromium process behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumProcesses, launchChromium, overflows, requireChromiumUnderCi, type Chromium } from '../helpers/chromium.js';

/** Whether a process with this id still exists (`ps -p` exits 0). */
const alive = (pid: number): boolean => spawnSync('ps', ['-p', String(pid)], { stdio: 'ignore' }).status === 0;

const installed = requireChromiumUnderCi();

describe.skipIf(!installed)('the headless Chromium harness (Debian chromium over --remote-debugging-pipe)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-harness-'));
  let browser: Chromium;
  const page = (name: string, html: string): string => {
    const path = join(dir, name);
    writeFileSync(path, html);
    return pathToFileURL(path).href;
  };

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a clean page: its text, no messages, only its own file requested, a PNG of the whole length', async () => {
    const url = page('clean.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clean</title><style>body{margin:0} div{height:2000px}</style></head><body><h1>Hello grade A+</h1><div></div><img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>');
    const r = await browser.open(url, { width: 390, screenshot: true });
    expect(browser.version).toMatch(/Chrom/);
    expect(r.title).toBe('Clean');
    expect(r.text).toContain('Hello grade A+');
    expect(r.headings).toEqual(['h1 Hello grade A+']);
    expect(r.console).toEqual([]);
    expect(r.pageErrors).toEqual([]);
    expect(r.foreignRequests).toEqual([]);
    expect(r.requests[0]).toBe(url);
    expect(overflows(r)).toBe(false);
    expect(r.innerWidth).toBe(390);
    // PNG signature, and the height of the whole page (IHDR height at byte 20), not of the viewport.
    expect(r.png!.subarray(1, 4).toString()).toBe('PNG');
    expect(r.png!.readUInt32BE(16)).toBe(390);
    expect(r.png!.readUInt32BE(20)).toBeGreaterThan(2000);
    const cropped = await browser.open(url, { width: 390, screenshot: { maxHeight: 600 } });
    expect(cropped.png!.readUInt32BE(20)).toBe(600);
  });

  it('collects console errors and warnings and foreign requests (blocked, and failed)', async () => {
    const url = page('noisy.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Noisy</title>
      <link rel="stylesheet" href="http://127.0.0.1:9/style.css"></head><body><p>x</p>
      <script>console.error('bad thing'); console.warn('odd thing'); console.log('fine');</script>
      <img src="https://example.invalid/pixel.png" alt=""></body></html>`);
    const r = await browser.open(url, { width: 1280 });
    expect(r.console).toEqual(expect.arrayContaining([{ level: 'error', text: 'bad thing' }, { level: 'warning', text: 'odd thing' }]));
    expect(r.console.some((m) => m.text === 'fine')).toBe(false);
    expect(r.foreignRequests).toEqual(expect.arrayContaining(['http://127.0.0.1:9/style.css', 'https://example.invalid/pixel.png']));
    expect(r.failedRequests.map((f) => f.url)).toEqual(expect.arrayContaining(['http://127.0.0.1:9/style.css']));
    expect(r.failedRequests.find((f) => f.url === 'http://127.0.0.1:9/style.css')!.error).toMatch(/BLOCKED_BY_CLIENT/);
  });

  it('sees an uncaught error thrown while the page loads', async () => {
    const url = page('throws.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body><script>null.x;</script></body></html>');
    const r = await browser.open(url, { width: 1280 });
    expect(r.pageErrors.join('\n')).toMatch(/TypeError/);
  });

  it('measures horizontal overflow at the viewport width and names the element', async () => {
    const url = page('wide.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>W</title><style>body{margin:0}</style></head><body><table class="wide"><tr><td style="white-space:nowrap">' + 'x'.repeat(200) + '</td></tr></table></body></html>');
    const narrow = await browser.open(url, { width: 390 });
    expect(overflows(narrow)).toBe(true);
    expect(narrow.scrollWidth).toBeGreaterThan(390);
    expect(narrow.overflowing.join(' ')).toContain('table.wide');
    const wide = await browser.open(url, { width: 4000 });
    expect(overflows(wide)).toBe(false);
  });

  it('emulates prefers-color-scheme: dark and print media', async () => {
    const url = page('media.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>M</title><style>
      .dark, .print { display: none } @media (prefers-color-scheme: dark) { .dark { display: block } } @media print { .print { display: block } .screen { display: none } }
      </style></head><body><p class="dark">dark scheme</p><p class="print">printed</p><p class="screen">on screen</p></body></html>`);
    const light = await browser.open(url, { width: 1280 });
    expect(light.text).not.toContain('dark scheme');
    expect(light.textContent).toContain('dark scheme');
    expect(light.text).toContain('on screen');
    const dark = await browser.open(url, { width: 1280, colorScheme: 'dark' });
    expect(dark.text).toContain('dark scheme');
    const print = await browser.open(url, { width: 1280, media: 'print' });
    expect(print.text).toContain('printed');
    expect(print.text).not.toContain('on screen');
  });

  it('a missing browser: not installed, a launch that fails with the reason, and under CI=true an error instead of a skip', async () => {
    const missing = join(dir, 'no-chromium-here');
    expect(requireChromiumUnderCi({}, missing)).toBe(false);
    expect(() => requireChromiumUnderCi({ CI: 'true' }, missing)).toThrow(`${missing} is not installed`);
    await expect(launchChromium({ path: missing })).rejects.toThrow(/chromium did not start: .*ENOENT/);
  });

  it('leaves no chromium process once closed (pgrep on its process group and its profile)', async () => {
    const other = await launchChromium();
    const running = chromiumProcesses(other);
    expect(running).toContain(other.pid);
    expect(running.length).toBeGreaterThan(1);
    await other.open(page('bye.html', '<!doctype html><title>b</title><p>bye'), { width: 390 });
    await other.close();
    expect(chromiumProcesses(other)).toEqual([]);
    // Nothing else of it either, by pid.
    expect(running.filter((p) => alive(p))).toEqual([]);
  });
});
