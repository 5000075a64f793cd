// The report reaches its reader whole, or the run ends quietly when the reader leaves: the real
// binary behind a pipe closed early, a slow pipe, `--output -` and `--output FILE`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_DOMAINS } from '../../src/lab/domains.js';
import type { Report } from '../../src/model/report.js';
import { BIN, runBinary } from '../helpers/cli.js';
import { closedPort } from '../helpers/local-servers.js';

interface Piped {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the binary with its own TMPDIR (to see the lab's temp dir) and lets `read` consume stdout.
 * `read` resolves with what it read.
 */
function runPiped(args: string[], tmp: string, read: (out: NodeJS.ReadableStream) => Promise<Buffer>): Promise<Piped> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return Promise.all([read(child.stdout), exited]).then(([stdout, code]) => ({ code, stdout, stderr }));
}

/** Reads `bytes` bytes, then closes the pipe, as `head -c` does. */
const head = (bytes: number) => (out: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve) => {
    let buf = Buffer.alloc(0);
    out.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= bytes) {
        (out as NodeJS.ReadableStream & { destroy(): void }).destroy();
        resolve(buf.subarray(0, bytes));
      }
    });
    out.on('end', () => resolve(buf));
  });

/** A slow reader: one chunk (≤ 64 KiB, a pipe's buffer) every `pauseMs`, so the rest waits in the writer. */
const slow = (pauseMs: number) => (out: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    out.on('data', (d: Buffer) => {
      chunks.push(d);
      out.pause();
      setTimeout(() => out.resume(), pauseMs);
    });
    out.on('end', () => resolve(Buffer.concat(chunks)));
  });

const temps: string[] = [];
const tempDir = (): string => {
  temps.push(mkdtempSync(join(tmpdir(), 'secgrade-test-')));
  return temps.at(-1)!;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const labDirs = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith('secgrade-lab-'));

describe('a reader that leaves early (`| head`)', () => {
  it('json: the finished scan exits 0 quietly and the lab removes its temp dir', async () => {
    const tmp = tempDir();
    const run = await runPiped(['demo', '--format', 'json'], tmp, head(100));
    expect(run.stdout.toString()).toMatch(/^\[/);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(labDirs(tmp)).toEqual([]);
  });

  it('ndjson: scanning stops; the targets cut short make it exit 3, still quietly and cleaned up', async () => {
    const tmp = tempDir();
    const run = await runPiped(['demo', '--format', 'ndjson'], tmp, head(100));
    expect(run.stderr).toBe('');
    // Exit 3 is the evidence that scanning stopped: the whole demo, run to its end, exits 0 (the
    // json test above). A run that went on regardless fails by the test's timeout; no elapsed time
    // is asserted.
    expect(run.code).toBe(3);
    expect(labDirs(tmp)).toEqual([]);
  });
});

describe('a slow reader', () => {
  it('gets the whole JSON report, however long it takes past the end of the scan', async () => {
    const tmp = tempDir();
    // ~700 KB at 64 KiB per 400 ms: the last bytes are read seconds after the scan ended, well
    // past the launcher's 2 s safety exit.
    const run = await runPiped(['demo', '--format', 'json'], tmp, slow(400));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(400_000);
    const reports = JSON.parse(run.stdout.toString()) as Report[];
    expect(reports.map((r) => r.target.host).sort()).toEqual(LAB_DOMAINS.map((d) => d.name).sort());
    expect(labDirs(tmp)).toEqual([]);
  }, 120_000);
});

describe('--output', () => {
  it('- is stdout', async () => {
    const port = await closedPort();
    const run = await runBinary([`127.0.0.1:${port}`, '--checks', 'tls', '--format', 'json', '--output', '-']);
    expect(run.code).toBe(3);
    expect((JSON.parse(run.stdout) as Report).target).toMatchObject({ host: '127.0.0.1', port });
  });

  it('FILE.json is JSON, inferred from the extension', async () => {
    const port = await closedPort();
    const file = join(tempDir(), 'report.json');
    const run = await runBinary([`127.0.0.1:${port}`, '--checks', 'tls', '--output', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect((JSON.parse(readFileSync(file, 'utf8')) as Report).target).toMatchObject({ host: '127.0.0.1', port });
  });
});
