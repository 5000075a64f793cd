// A lab killed with SIGKILL leaves its temp dir; the next lab start removes it, and never the dir
// of a lab that is still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleLabDirs } from '../../src/lab/stale.js';
import { BIN } from '../helpers/cli.js';

/** The pid of a process that has exited (the kernel will not hand it out again this soon). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('removeStaleLabDirs', () => {
  it('removes only lab dirs whose recorded pid is dead', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'secgrade-test-'));
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const dir = (name: string, pid?: number) => {
        mkdirSync(join(parent, name));
        if (pid !== undefined) writeFileSync(join(parent, name, 'pid'), `${pid}\n`);
        return join(parent, name);
      };
      const dead = dir('secgrade-lab-dead', await deadPid());
      writeFileSync(join(dead, 'ca.pem'), 'x');
      const alive = dir('secgrade-lab-alive', live.pid);
      const mine = dir('secgrade-lab-mine', process.pid);
      const noPid = dir('secgrade-lab-nopid');
      const garbage = dir('secgrade-lab-garbage');
      writeFileSync(join(garbage, 'pid'), 'not a pid');
      const other = dir('other-dead', await deadPid());
      // A link to a dead lab's dir is not a lab dir of its own.
      const target = dir('target', await deadPid());
      symlinkSync(target, join(parent, 'secgrade-lab-link'));

      expect(await removeStaleLabDirs(parent)).toEqual([dead]);
      expect(existsSync(dead)).toBe(false);
      for (const kept of [alive, mine, noPid, garbage, other, target, join(parent, 'secgrade-lab-link')]) expect(existsSync(kept)).toBe(true);
    } finally {
      live.kill('SIGKILL');
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('secgrade lab', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'secgrade-test-'));
  const labs: ChildProcess[] = [];

  /** Starts `secgrade lab` with TMPDIR=tmp; resolves with the lab's temp dir once it is up. */
  function startLab(): Promise<{ child: ChildProcess; dir: string }> {
    const child = spawn(process.execPath, [BIN, 'lab'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
    labs.push(child);
    return new Promise((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve({ child, dir: dirname((JSON.parse(buf.slice(0, nl)) as { caFile: string }).caFile) });
      });
      child.on('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
    });
  }

  afterAll(() => {
    for (const lab of labs) if (lab.exitCode === null && lab.signalCode === null) lab.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the next start removes the dir of a lab killed with SIGKILL and keeps a live lab\'s dir', async () => {
    const [live, killed] = await Promise.all([startLab(), startLab()]);
    expect(live.dir.startsWith(tmp)).toBe(true);
    const exited = new Promise((r) => killed.child.on('exit', r));
    killed.child.kill('SIGKILL');
    await exited;
    expect(existsSync(killed.dir)).toBe(true); // SIGKILL leaves no chance to clean up

    const next = await startLab();
    expect(existsSync(killed.dir)).toBe(false);
    expect(existsSync(live.dir)).toBe(true);
    expect(existsSync(next.dir)).toBe(true);

    for (const lab of [live, next]) {
      const done = new Promise((r) => lab.child.on('exit', r));
      lab.child.kill('SIGTERM');
      await done;
      expect(existsSync(lab.dir)).toBe(false);
    }
  });
});
