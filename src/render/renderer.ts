// A renderer: one output format of reports. A format that can stream writes one chunk per target as
// soon as it finishes (`line`); the others render the whole run once every target is done, either
// from the reports in memory (`render`) or from a source they may read more than once (`stream`:
// a batch's NDJSON is read again from disk, so memory stays flat in the number of targets).
// A new format is one file (or folder) beside this one plus one line in ./index.ts.
import type { Report, Severity } from '../model/report.js';

export interface RenderOptions {
  /** ANSI colour (terminals only). */
  color: boolean;
  /** Terminal width for wrapped layouts. */
  width: number;
  /** --fail-on: findings at or above it fail (JUnit failures, SARIF `error`); null when not given. */
  failOn: Severity | null;
  /** --severity: findings below it are not listed (the counts still include them); null = all. */
  minSeverity: Severity | null;
  /** --csv-findings: one CSV row per finding instead of one per target. */
  csvFindings: boolean;
  /** When the document was written (the formats that print a date; injected so tests are stable). */
  generatedAt: Date;
}

/** The run's reports, in order. Each call starts a new pass over them. */
export type ReportSource = () => AsyncIterable<Report>;

export interface Renderer {
  /** The --format name. */
  id: string;
  /** File name endings (lower-case, with the dot) that select this format for --output. */
  extensions: readonly string[];
  /** One target's chunk, written as soon as the target finishes. */
  line?(report: Report): string;
  /** The whole run from the reports in memory, written once every target is done. */
  render?(reports: readonly Report[], opts: RenderOptions): string;
  /** The whole run as chunks, reading the source as many times as the layout needs. */
  stream?(source: ReportSource, opts: RenderOptions): AsyncIterable<string>;
}

/** A source over reports already in memory. */
export const arraySource = (reports: readonly Report[]): ReportSource =>
  async function* () {
    yield* reports;
  };

/** The whole document a renderer makes of these reports, as one string (tests, small runs). */
export async function renderToString(renderer: Renderer, reports: readonly Report[], opts: RenderOptions): Promise<string> {
  if (renderer.render) return renderer.render(reports, opts);
  if (renderer.stream) {
    let out = '';
    for await (const chunk of renderer.stream(arraySource(reports), opts)) out += chunk;
    return out;
  }
  return reports.map((r) => renderer.line!(r)).join('');
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  color: false,
  width: 80,
  failOn: null,
  minSeverity: null,
  csvFindings: false,
  generatedAt: new Date(0),
};
