// What a command gets to talk to the world with, and the stream helpers every command shares.

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /** For `batch -` (the target list on stdin); process.stdin when not given. */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the bin wrapper. */
  signal: AbortSignal;
}

/** What the commands get: `signal` also aborts when stdout fails (the reader went away). */
export interface RunIo extends CliIo {
  /** The first error stdout reported (EPIPE …), if any: nothing more is written there. */
  stdoutError(): NodeJS.ErrnoException | null;
}

/** EPIPE and ECONNRESET: the reader of a pipe or socket went away, which is not a failure of ours. */
export const readerGone = (err: NodeJS.ErrnoException | null): boolean => err?.code === 'EPIPE' || err?.code === 'ECONNRESET';

/** Resolves once everything written so far has left the stream (or the stream failed). */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    // setImmediate: a failed write's 'error' event (emitted on next tick) is seen before this resolves.
    const done = (): void => void setImmediate(resolve);
    // Write callbacks run in order, so this one runs after every earlier chunk is handed over.
    if (!stream.writable) done();
    else stream.write('', done);
  });
}
