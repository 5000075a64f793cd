// Run the CLI in-process (fast, same code path as the binary) or as the real binary (exit codes,
// stderr lines, signals), collecting what it writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env, signal: new AbortController().signal });
  return { code, stdout: out.text(), stderr: err.text() };
}

export const BIN = new URL('../../bin/secgrade.js', import.meta.url).pathname;

export function runBinary(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`secgrade ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The binary running in the background (for signals and services): its end, and what it wrote so far. */
export interface Spawned {
  child: ChildProcess;
  done: Promise<CliRun>;
  stdout(): string;
  stderr(): string;
}

/** Start the binary without waiting; `stdin: 'pipe'` to write to it. A signal death is code -1. */
export function spawnCli(args: string[], opts: { stdin?: 'pipe' | 'ignore' } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr })));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Poll `test` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
