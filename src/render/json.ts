import type { Report } from '../model/report.js';
import type { Renderer } from './renderer.js';

/** `--format json`: one object for one target, an array for several. */
export const jsonRenderer: Renderer = {
  id: 'json',
  extensions: ['.json'],
  render: (reports) => JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n',
};

/** `--format ndjson`: one line per target, written as each target finishes. */
export const ndjsonRenderer: Renderer = {
  id: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  line: (report: Report) => JSON.stringify(report) + '\n',
};
