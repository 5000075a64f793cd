// The one writer of a batch's NDJSON: each line reaches the file or stdout in one write call, so a
// reader (or a process killed mid-run) only ever sees whole lines, plus at most one torn last line
// that --resume removes. File output is flushed to disk (fsync) every FSYNC_EVERY_LINES lines,
// every FSYNC_EVERY_MS and at the end: after a power loss at most that much is scanned again.
import { open } from 'node:fs/promises';

export interface LineSink {
  /** Write one complete line (newline included). Lines are written in the order given. */
  write(line: string): Promise<void>;
  /** Flush (and fsync a file), then close. Stdout is left open. */
  close(): Promise<void>;
}

export const FSYNC_EVERY_LINES = 100;
export const FSYNC_EVERY_MS = 2_000;

export class SinkError extends Error {
  override name = 'SinkError';
}

/**
 * Create (or, with `append`, append to) `path`. An unwritable path fails here, before anything is
 * scanned.
 */
export async function openFileSink(path: string, opts: { append?: boolean; fsyncEveryLines?: number; fsyncEveryMs?: number } = {}): Promise<LineSink> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, opts.append ? 'a' : 'w');
  } catch (err) {
    throw new SinkError(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const everyLines = opts.fsyncEveryLines ?? FSYNC_EVERY_LINES;
  let unsynced = 0;
  let chain: Promise<void> = Promise.resolve();
  const sync = async (): Promise<void> => {
    if (unsynced === 0) return;
    unsynced = 0;
    await handle.sync();
  };
  // Serialised with the writes, so a sync never runs between a line's bytes.
  const enqueue = (step: () => Promise<void>): Promise<void> => (chain = chain.then(step));
  const timer = setInterval(() => void enqueue(sync).catch(() => undefined), opts.fsyncEveryMs ?? FSYNC_EVERY_MS);
  timer.unref();
  return {
    write: (line) =>
      enqueue(async () => {
        const buf = Buffer.from(line, 'utf8');
        // One write(2) for a regular file; the loop only guards against a short write.
        for (let off = 0; off < buf.length; ) off += (await handle.write(buf, off)).bytesWritten;
        if (++unsynced >= everyLines) await sync();
      }),
    close: async () => {
      clearInterval(timer);
      try {
        await enqueue(sync);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Stdout (or any stream): one write per line, waiting for the reader when its buffer is full. */
export function streamSink(stream: NodeJS.WritableStream, failed: () => boolean): LineSink {
  let chain: Promise<void> = Promise.resolve();
  return {
    write: (line) =>
      (chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            // Once the stream has failed (the reader left) nothing more is written to it.
            if (failed() || stream.write(line)) resolve();
            else {
              const done = (): void => {
                stream.off('drain', done);
                stream.off('error', done);
                resolve();
              };
              stream.on('drain', done);
              stream.on('error', done);
            }
          }),
      )),
    close: () => chain,
  };
}
