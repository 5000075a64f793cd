import type { Report } from '../model/report.js';

/** `--format json`: one object for one target, an array for several. */
export function renderJson(reports: readonly Report[]): string {
  return JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n';
}

/** `--format ndjson`: one line per target, written as each target finishes. */
export function renderNdjsonLine(report: Report): string {
  return JSON.stringify(report) + '\n';
}
