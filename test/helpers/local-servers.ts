// Real servers on 127.0.0.1 for integration tests: a temp dir with throwaway keys made by the
// image's openssl, Node servers and `openssl s_server` processes, all stopped by one call.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RFC2409_GROUP2_PEM } from '../../src/lab/domains.js';

export class LocalServers {
  readonly dir: string;
  private readonly servers: net.Server[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `secgrade-${prefix}-`));
  }

  /** Run the openssl CLI in the temp dir (key and certificate generation). */
  openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'ignore' });
  }

  /** A self-signed certificate: `ec` (P-256) or `rsa` (2048); returns the two paths. */
  selfSigned(name: string, kind: 'ec' | 'rsa', cn = `${name}.secgrade.test`): { key: string; cert: string } {
    const keyArgs = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    this.openssl(['req', '-x509', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`]);
    return { key: join(this.dir, `${name}.key`), cert: join(this.dir, `${name}.pem`) };
  }

  /** The 1024-bit RFC 2409 group as a DH parameter file (instant, unlike generating one). */
  dh1024(): string {
    const path = join(this.dir, 'dh1024.pem');
    writeFileSync(path, RFC2409_GROUP2_PEM);
    return path;
  }

  /** Listen on an OS-chosen port of a loopback address (127.0.0.1 by default); closed by stop() or closeServers(). */
  async listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
    this.servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, () => r()));
    return (server.address() as net.AddressInfo).port;
  }

  /** `openssl s_server` on an OS-chosen loopback port; resolves once it accepts. */
  async sServer(args: string[]): Promise<number> {
    const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(child);
    return new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`s_server not ready within 20 s: ${out}`)), 20_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s_server exited (${code}): ${out}`));
      });
    });
  }

  /** Close listening servers (and their connections), keep processes: for afterEach. */
  async closeServers(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            (s as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      ),
    );
  }

  /** Kill s_server processes and wait for them to exit. */
  async killChildren(): Promise<void> {
    await Promise.all(
      this.children.splice(0).map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null || c.signalCode !== null) return r();
            c.once('exit', () => r());
            c.kill();
          }),
      ),
    );
  }

  /** Everything: servers, processes, the temp dir. */
  async stop(): Promise<void> {
    await this.closeServers();
    await this.killChildren();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A loopback port nothing listens on (bound, then released): connecting there is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
