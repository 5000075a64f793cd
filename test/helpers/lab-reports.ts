// The lab's reports as the formats' tests read them (test/fixtures/reports/lab.ndjson: 17 real
// reports of `secgrade demo --format ndjson`), the fixed render options of the goldens, and the
// golden-file check (UPDATE_GOLDEN=1 rewrites a golden: read its diff before committing).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../../src/render/renderer.js';

export const LAB_FIXTURE = new URL('../fixtures/reports/lab.ndjson', import.meta.url).pathname;

/** Shared by every test of the file: never change it (byHost gives a copy to change). */
export const LAB: Report[] = readFileSync(LAB_FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Report)
  .filter((r) => r.schema === 'secgrade/report@1');

/** A copy of the lab report of `host`, free to change. */
export const byHost = (host: string): Report => {
  const r = LAB.find((x) => x.target.host === host);
  if (!r) throw new Error(`no lab report of ${host}`);
  return structuredClone(r);
};

/** What the goldens are rendered with: no colour, 80 columns, a fixed date. */
export const GOLDEN_OPTS: RenderOptions = { ...DEFAULT_RENDER_OPTIONS, generatedAt: new Date('2026-01-02T03:04:05Z') };

/** `actual` must equal test/fixtures/golden/<dir>/<name>; written when missing (never under CI) or with UPDATE_GOLDEN=1. */
export function expectGolden(dir: string, name: string, actual: string): void {
  const path = new URL(`../fixtures/golden/${dir}/${name}`, import.meta.url).pathname;
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    if (process.env['CI'] === 'true') throw new Error(`golden ${dir}/${name} missing under CI`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** The mail lab report cut short: its MX checks timed out, so email (and overall) is not graded. */
export function partialReport(): Report {
  const r = byHost('mail.secgrade.test');
  r.status = 'partial';
  r.reason = 'the email checks ran out of time';
  r.incomplete = [{ section: 'email', probe: 'email-mx', subject: 'mx:mx1.mail.secgrade.test', reason: 'timeout after 10 s' }];
  r.email = null;
  r.grades = { ...r.grades, email: null, overall: null };
  r.gradeReasons = { email: 'the MX hosts could not be tested', overall: 'email is not graded' };
  r.probes.push({ id: 'email-mx', subject: 'domain:mail.secgrade.test', status: 'error', errorKind: 'timeout', reason: 'timeout after 10 s', durationMs: 10_000 });
  return r;
}

/** The good lab report as a scan that failed before any check: its name did not resolve (`reason`). */
export function failedReport(reason: string): Report {
  return Object.assign(byHost('good.secgrade.test'), {
    status: 'error',
    reason,
    endpoints: [],
    http: null,
    email: null,
    findings: [],
    grades: { tls: null, http: null, email: null, overall: null },
    probes: [{ id: 'resolve', subject: 'domain:good.secgrade.test', status: 'error', errorKind: 'dns', reason: 'SERVFAIL', durationMs: 12 }],
  } satisfies Partial<Report>);
}
