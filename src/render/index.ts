// The output formats this build renders. `tui` is not here: it is the live terminal UI (ui/), which
// reads engine events and prints the same card as `text`.
import { csvRenderer } from './csv-report.js';
import { htmlRenderer } from './html/index.js';
import { jsonRenderer, ndjsonRenderer } from './json.js';
import { junitRenderer } from './junit.js';
import { markdownRenderer } from './markdown.js';
import type { Renderer } from './renderer.js';
import { sarifRenderer } from './sarif.js';
import { textRenderer } from './text.js';

export type { Renderer, RenderOptions } from './renderer.js';

export const RENDERERS: readonly Renderer[] = [textRenderer, jsonRenderer, ndjsonRenderer, markdownRenderer, csvRenderer, sarifRenderer, junitRenderer, htmlRenderer];

export function rendererById(id: string): Renderer | undefined {
  return RENDERERS.find((r) => r.id === id);
}

/** The renderer whose extension the file name ends with, if any. */
export function rendererForFile(path: string): Renderer | undefined {
  const lower = path.toLowerCase();
  // The longest matching ending wins, so `.sarif.json` is SARIF and not JSON whatever the order.
  return RENDERERS.flatMap((r) => r.extensions.filter((e) => lower.endsWith(e)).map((e) => ({ r, e }))).sort((a, b) => b.e.length - a.e.length)[0]?.r;
}
