// A lab killed with SIGKILL cannot remove its temp dir. Each lab writes its pid into its dir, and
// the next lab start removes the dirs whose owner is gone; a live lab's dir is never touched.
import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LAB_DIR_PREFIX = 'secgrade-lab-';
const PID_FILE = 'pid';

export function writeLabPid(dir: string, pid = process.pid): Promise<void> {
  return writeFile(join(dir, PID_FILE), `${pid}\n`, { mode: 0o644 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, but another user's
  }
}

async function ownerPid(dir: string): Promise<number | null> {
  try {
    const info = await lstat(dir);
    // Only real directories of this user: /tmp is shared, and a symlink could point anywhere.
    if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) return null;
    const pid = Number((await readFile(join(dir, PID_FILE), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // no pid file: an older lab, or one still being created
  }
}

/** Removes the lab dirs in `parent` whose recorded pid is dead; returns the dirs removed. */
export async function removeStaleLabDirs(parent = tmpdir()): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(LAB_DIR_PREFIX)) continue;
    const dir = join(parent, name);
    const pid = await ownerPid(dir);
    if (pid === null || pid === process.pid || isAlive(pid)) continue;
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(dir),
      () => undefined, // best effort: a dir that cannot go stays, the lab still starts
    );
  }
  return removed;
}
