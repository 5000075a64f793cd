// A renderer: one output format of reports. A format that can stream writes one chunk per target as
// soon as it finishes (`line`); the rest render the whole run at the end (`render`). A new format
// is one file beside this one plus one line in ./index.ts.
import type { Report } from '../model/report.js';

export interface RenderOptions {
  /** ANSI colour (terminals only). */
  color: boolean;
  /** Terminal width for wrapped layouts. */
  width: number;
}

export interface Renderer {
  /** The --format name. */
  id: string;
  /** File name endings (lower-case, with the dot) that select this format for --output. */
  extensions: readonly string[];
  /** One target's chunk, written as soon as the target finishes. */
  line?(report: Report): string;
  /** The whole run, written once every target is done. */
  render?(reports: readonly Report[], opts: RenderOptions): string;
}
