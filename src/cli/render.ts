// `secgrade render RESULTS.ndjson --format F [--output FILE]`: a batch's results (finished or
// partial) in any report format, without scanning again; batch's `--report FILE` calls the same
// code when the batch ends. The results are read from disk on each pass the format needs, so a
// batch of any length renders in flat memory. A file is replaced whole (written beside, then
// renamed): a reader never sees half a report.
import { stat } from 'node:fs/promises';
import { indexResults, resultsSource } from '../batch/results-source.js';
import { rendererById, rendererForFile, RENDERERS, type Renderer, type RenderOptions } from '../render/index.js';
import { replaceFileAtomic } from '../sink/json-files.js';
import { EXIT, UsageError } from './exit.js';
import { flushed, type RunIo } from './io.js';
import { parseFailOn, renderOptionsOf, STDOUT_OUTPUT } from './options.js';

export interface RawRenderFlags {
  format?: string;
  output?: string;
  failOn?: string;
  severity?: string;
  csvFindings?: boolean;
}

/** The formats that render a whole batch from its results (tui is live only). */
export const RENDER_FORMATS = RENDERERS.map((r) => r.id);

/** The renderer a --format or an output file's extension names; text when neither does. */
export function renderFormat(flag: string, format: string | undefined, output: string | null): Renderer {
  if (format !== undefined) {
    const r = rendererById(format.toLowerCase());
    if (!r) throw new UsageError(`${flag} "${format}" (one of ${RENDER_FORMATS.join(', ')})`);
    return r;
  }
  return (output ? rendererForFile(output) : undefined) ?? rendererById('text')!;
}

/** Render the results file with this renderer into `output` (a file) or write to stdout. Returns the number of targets. */
export async function renderResultsFile(
  path: string,
  renderer: Renderer,
  opts: RenderOptions,
  output: string | null,
  io: RunIo,
): Promise<{ targets: number; unreadable: number }> {
  const index = await indexResults(path);
  const source = resultsSource(path, index);
  const chunks = async function* (): AsyncGenerator<string> {
    if (renderer.stream) yield* renderer.stream(source, opts);
    else if (renderer.line) for await (const r of source()) yield renderer.line(r);
    else {
      // A format that renders from memory only (none of the built-in ones: each streams).
      const all = [];
      for await (const r of source()) all.push(r);
      yield renderer.render!(all, opts);
    }
  };
  if (output) {
    await replaceFileAtomic(output, async (h) => {
      for await (const c of chunks()) await h.write(c);
    });
  } else {
    for await (const c of chunks()) if (!io.stdoutError()) io.stdout.write(c);
    await flushed(io.stdout);
  }
  return { targets: index.lastLines.size, unreadable: index.unreadable };
}

export async function runRender(path: string, flags: RawRenderFlags, io: RunIo): Promise<number> {
  const output = flags.output === undefined || flags.output === STDOUT_OUTPUT ? null : flags.output;
  const renderer = renderFormat('--format', flags.format, output);
  const opts = renderOptionsOf(
    { failOn: parseFailOn(flags.failOn), minSeverity: parseFailOn(flags.severity, '--severity'), csvFindings: flags.csvFindings === true },
    { color: false, width: 80 },
  );
  try {
    if (!(await stat(path)).isFile()) throw new UsageError(`${path} is not a file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let done;
  try {
    done = await renderResultsFile(path, renderer, opts, output, io);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (output && code) throw new UsageError(`--output ${output}: ${code}`);
    throw err;
  }
  if (done.unreadable) io.stderr.write(`secgrade: ${path}: ${done.unreadable} line(s) not rendered (torn or not a result)\n`);
  if (done.targets === 0) io.stderr.write(`secgrade: ${path}: no result to render\n`);
  return EXIT.ok;
}
