import type { Report } from '../model/report.js';
import type { Renderer } from './renderer.js';

/** One report as `--format json` writes it inside an array: JSON.stringify's own indentation, one level in. */
const element = (r: Report): string => '  ' + JSON.stringify(r, null, 2).replace(/\n/g, '\n  ');

/**
 * `--format json`: one object for one target, an array for several — the bytes JSON.stringify(…, null, 2)
 * gives, written one report at a time so a batch of any length is rendered in flat memory.
 */
export const jsonRenderer: Renderer = {
  id: 'json',
  extensions: ['.json'],
  async *stream(source) {
    let first: Report | null = null;
    let count = 0;
    for await (const r of source()) {
      count++;
      if (count === 1) {
        first = r;
        continue;
      }
      if (count === 2) yield `[\n${element(first!)}`;
      yield `,\n${element(r)}`;
    }
    if (count === 0) yield '[]\n';
    else if (count === 1) yield JSON.stringify(first, null, 2) + '\n';
    else yield '\n]\n';
  },
};

/** `--format ndjson`: one line per target, written as each target finishes. */
export const ndjsonRenderer: Renderer = {
  id: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  line: (report: Report) => JSON.stringify(report) + '\n',
};
