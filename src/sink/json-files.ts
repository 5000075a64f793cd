// --output-dir: one JSON file per target beside the NDJSON. Written to a temporary name, flushed,
// then renamed: a reader (or a crash) sees the old file or the new one, never half of one.
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SinkError } from './ndjson.js';

/** Create the folder (and parents) up front: a bad path fails before anything is scanned. */
export async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new SinkError(`${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A file name from free text: letters, digits, `.`, `_`, `-`; the rest becomes `_`. */
export const safeFileName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 200);

/**
 * Replace `path` whole: `fill` writes a temporary file beside it, which is flushed to disk and then
 * renamed over `path` (on failure the temporary file is removed and `path` is untouched).
 */
export async function replaceFileAtomic(path: string, fill: (handle: FileHandle) => Promise<void>, tmp = `${path}.${process.pid}.tmp`): Promise<void> {
  const handle = await open(tmp, 'w');
  try {
    await fill(handle);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, path);
}

export function writeFileAtomic(dir: string, name: string, content: string): Promise<void> {
  return replaceFileAtomic(join(dir, name), (h) => h.writeFile(content, 'utf8'), join(dir, `.${name}.${process.pid}.tmp`));
}
