// The output formats this build renders. `tui` is not here: it is the live terminal UI (ui/), which
// reads engine events and prints the same card as `text`.
import { jsonRenderer, ndjsonRenderer } from './json.js';
import type { Renderer } from './renderer.js';
import { textRenderer } from './text.js';

export type { Renderer, RenderOptions } from './renderer.js';

export const RENDERERS: readonly Renderer[] = [textRenderer, jsonRenderer, ndjsonRenderer];

export function rendererById(id: string): Renderer | undefined {
  return RENDERERS.find((r) => r.id === id);
}

/** The renderer whose extension the file name ends with, if any. */
export function rendererForFile(path: string): Renderer | undefined {
  const lower = path.toLowerCase();
  return RENDERERS.find((r) => r.extensions.some((e) => lower.endsWith(e)));
}
