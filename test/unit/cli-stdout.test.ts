// stdout failing under the CLI, in-process: a reader that left is quiet, anything else is one line.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/** A stdout whose every write fails with `code`, as a closed pipe or a full disk does. */
function failingStdout(code: string): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
}

async function run(stdout: Writable, args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = new Writable({
    write(chunk: Buffer, _enc, cb) {
      stderr += chunk.toString();
      cb();
    },
  });
  const code = await runCli(args, { stdout, stderr: err, env: {}, signal: new AbortController().signal });
  return { code, stderr };
}

describe('stdout errors', () => {
  it('EPIPE (the reader left): no message, the code of what was done', async () => {
    expect(await run(failingStdout('EPIPE'), ['schema'])).toEqual({ code: 0, stderr: '' });
  });
  it('any other write error: one line and exit 3, never a silent success', async () => {
    expect(await run(failingStdout('ENOSPC'), ['schema'])).toEqual({ code: 3, stderr: 'secgrade: cannot write to stdout: ENOSPC\n' });
  });
});
