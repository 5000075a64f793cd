// What every HTML page must pass in the browser, in every way it is read: 1280 and 390 px wide,
// light and dark colour scheme, and print media (1280 px and an A4 page's width). Shared by the report and history page tests.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { overflows, type Chromium, type OpenOptions, type PageResult } from '../helpers/chromium.js';

/** Kept after the run (gitignored): CI's artefacts, and what a reviewer looks at. */
export const SCREENSHOTS = resolve('test-output/screenshots');

export const MODES: ReadonlyArray<{ name: string } & Omit<OpenOptions, 'screenshot'>> = [
  { name: '1280 light', width: 1280 },
  { name: '390 light', width: 390 },
  { name: '1280 dark', width: 1280, colorScheme: 'dark' },
  { name: '390 dark', width: 390, colorScheme: 'dark' },
  // Print: a page is never 390 px wide. 718 px is A4 portrait (794 CSS px) less Chrome's default margins.
  { name: '1280 print', width: 1280, media: 'print' },
  { name: 'A4 print', width: 718, media: 'print' },
];

/** No message, no error, no request but the file, no sideways scroll. */
export function expectClean(r: PageResult, what: string): void {
  expect(r.console, `${what}: console errors/warnings`).toEqual([]);
  expect(r.pageErrors, `${what}: uncaught errors`).toEqual([]);
  expect(r.foreignRequests, `${what}: requests other than the file and data: URLs`).toEqual([]);
  expect(r.failedRequests, `${what}: failed requests`).toEqual([]);
  expect(r.requests[0], `${what}: the file itself`).toBe(r.url);
  expect(overflows(r), `${what}: scrollWidth ${r.scrollWidth} > ${r.innerWidth}; overflowing: ${r.overflowing.join(', ')}`).toBe(false);
}

/**
 * Open `url` in every mode and check each; `screenshot` names the PNG kept in SCREENSHOTS for the
 * 1280 px light page (`NAME.png`), with the 390 px one beside it (`NAME-390.png`); null: none.
 * Returns the 1280 px light result.
 */
export async function expectCleanPage(browser: Chromium, url: string, screenshot: string | null): Promise<PageResult> {
  let first: PageResult | undefined;
  for (const { name, ...mode } of MODES) {
    const shot = screenshot !== null && !mode.colorScheme && !mode.media ? (mode.width === 1280 ? screenshot : screenshot.replace(/\.png$/, `-${mode.width}.png`)) : null;
    const r = await browser.open(url, { ...mode, ...(shot ? { screenshot: true } : {}) });
    expectClean(r, `${url.split('/').pop()} at ${name}`);
    if (shot) {
      expect(r.png!.length).toBeGreaterThan(10_000);
      writeFileSync(join(SCREENSHOTS, shot), r.png!);
    }
    first ??= r;
  }
  return first!;
}
