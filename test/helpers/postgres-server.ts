// A throwaway PostgreSQL server for the services tests: Debian's binaries, a new cluster in a
// temporary folder, listening on a free loopback port (its unix socket in that folder too), no
// fsync; stopped and the folder removed by stop(). PostgreSQL refuses to run as root, so under
// root (as CI runs) initdb and the server run as the `postgres` user (else `nobody`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// A port free a moment ago (bound, then released): the server is started on it.
import { closedPort as freePort } from './local-servers.js';

export interface PostgresServer {
  port: number;
  /** The superuser the cluster was made with (trust authentication on loopback). */
  user: string;
  url(database: string): string;
  stop(): Promise<void>;
}

/** The folder with initdb and postgres: Debian's newest /usr/lib/postgresql/N/bin, else PATH; null when not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = which.status === 0 ? which.stdout.trim() : '';
  return initdb && existsSync(join(initdb, '..', 'postgres')) ? join(initdb, '..') : null;
}

/** uid and gid to run the server as: ours unless we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root and neither the postgres nor the nobody user exists: PostgreSQL refuses to run as root');
}

/** `tls`: serve TLS (SSLRequest) with this certificate chain and key (PEM). */
export async function startPostgresServer(bin: string, opts: { tls?: { chainPem: string; keyPem: string } } = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-pg-'));
  const as = runAs();
  if (as) chownSync(dir, as.uid, as.gid);
  const user = 'secgrade';
  const data = join(dir, 'data');
  const env = { ...process.env, LC_ALL: 'C', HOME: dir };
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C'], {
    encoding: 'utf8',
    env,
    cwd: dir,
    timeout: 60_000,
    ...(as ?? {}),
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const tlsArgs: string[] = [];
  if (opts.tls) {
    // PostgreSQL refuses a key file others can read, and one its own user does not own.
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    writeFileSync(cert, opts.tls.chainPem, { mode: 0o644 });
    writeFileSync(key, opts.tls.keyPem, { mode: 0o600 });
    if (as) chownSync(key, as.uid, as.gid);
    tlsArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`);
  }
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...tlsArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: dir, ...(as ?? {}) },
  );
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postgres did not start: ${output}`)), 30_000);
      const read = (d: Buffer): void => {
        output += d.toString();
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`postgres exited (${code}): ${output}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  child.removeAllListeners('exit');
  return {
    port,
    user,
    url: (database) => `postgres://${user}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // "fast" shutdown: roll back open sessions, then exit
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
