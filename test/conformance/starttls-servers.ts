// Debian's own servers behind STARTTLS (and implicit TLS) on 127.0.0.1 for the STARTTLS
// conformance tests: dovecot (IMAP, POP3, ManageSieve, LMTP, IMAPS), vsftpd (FTP AUTH TLS),
// prosody (XMPP c2s and s2s), slapd (LDAP StartTLS), mariadbd (MySQL protocol). Each runs from a
// temporary folder with its own configuration, a certificate from the test CA, on free ports;
// stop() kills the process it started (by its pid) and removes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort as freePort } from '../helpers/local-servers.js';

export interface ServiceTls {
  /** Leaf + intermediate, PEM. */
  chainPem: string;
  keyPem: string;
}

export interface RunningService {
  ports: Record<string, number>;
  stop(): Promise<void>;
}

/** The binary's path, or null when it is not installed. */
export function binary(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

function idOf(user: string): { uid: number; gid: number } | null {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
}

/** Resolves once something accepts TCP connections on the port; rejects after `timeoutMs`. */
async function listening(port: number, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms: ${log()}`);
}

/** Spawns, waits for every port, and hands back a stop() that kills this pid and removes `dir`. */
async function run(cmd: string, args: string[], dir: string, ports: Record<string, number>, opts: { uid?: number; gid?: number } = {}): Promise<RunningService> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...opts });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of Object.values(ports)) await listening(port, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, stop };
}

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `secgrade-${name}-`));
  // Daemons drop privileges: the folder and the certificate must stay readable to them.
  chmodSync(dir, 0o755);
  return dir;
}

function writeTls(dir: string, tls: ServiceTls, owner?: { uid: number; gid: number } | null): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, tls.chainPem, { mode: 0o644 });
  writeFileSync(key, tls.keyPem, { mode: 0o600 });
  if (owner) chownSync(key, owner.uid, owner.gid);
  else chmodSync(key, 0o644);
  return { cert, key };
}

async function ports(...names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = await freePort();
  return out;
}

/**
 * dovecot -F: imap (STARTTLS), imaps, pop3 (STLS), sieve (ManageSieve STARTTLS), lmtp over TCP.
 * Each login service runs as one long-lived process (dovecot's "high-performance" mode): by
 * default every connection gets a new login process with its own ticket keys, so no session
 * ticket ever resumes and Ticketbleed stays untested (the TLS letter then undecided).
 */
export async function startDovecot(tls: ServiceTls): Promise<RunningService> {
  const dir = tempDir('dovecot');
  const { cert, key } = writeTls(dir, tls);
  mkdirSync(join(dir, 'run'));
  const p = await ports('imap', 'imaps', 'pop3', 'sieve', 'lmtp');
  const conf = `base_dir = ${dir}/run
state_dir = ${dir}/run
instance_name = secgrade-${p.imap}
log_path = /dev/stderr
protocols = imap pop3 sieve lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
default_internal_user = dovenull
default_login_user = dovenull
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = static
  args = nopassword
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
service imap-login {
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener imap {
    port = ${p.imap}
  }
  inet_listener imaps {
    port = ${p.imaps}
    ssl = yes
  }
}
service pop3-login {
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener pop3 {
    port = ${p.pop3}
  }
  inet_listener pop3s {
    port = 0
  }
}
service managesieve-login {
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener sieve {
    port = ${p.sieve}
  }
}
service lmtp {
  inet_listener lmtp {
    port = ${p.lmtp}
  }
  unix_listener lmtp {
    mode = 0
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  return run(binary('dovecot')!, ['-F', '-c', join(dir, 'dovecot.conf')], dir, p);
}

/** vsftpd in the foreground: anonymous read-only login so it starts, AUTH TLS on. */
export async function startVsftpd(tls: ServiceTls): Promise<RunningService> {
  const dir = tempDir('vsftpd');
  const { cert, key } = writeTls(dir, tls);
  mkdirSync(join(dir, 'empty'));
  const p = await ports('ftp');
  writeFileSync(
    join(dir, 'vsftpd.conf'),
    [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${p.ftp}`,
      'background=NO',
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `anon_root=${dir}/empty`,
      'local_enable=NO',
      'write_enable=NO',
      'ssl_enable=YES',
      // vsftpd's default cipher list is DES-CBC3-SHA alone, which OpenSSL 3 no longer enables.
      'ssl_ciphers=HIGH',
      `rsa_cert_file=${cert}`,
      `rsa_private_key_file=${key}`,
      `secure_chroot_dir=${dir}/empty`,
      'run_as_launching_user=YES',
      'seccomp_sandbox=NO',
      '',
    ].join('\n'),
  );
  return run(binary('vsftpd')!, [join(dir, 'vsftpd.conf')], dir, p);
}

/** prosody -F: one virtual host, c2s and s2s with TLS required. */
export async function startProsody(tls: ServiceTls, domain: string): Promise<RunningService> {
  const dir = tempDir('prosody');
  const { cert, key } = writeTls(dir, tls);
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'certs'));
  const p = await ports('c2s', 's2s');
  const conf = `run_as_root = true
daemonize = false
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
certificates = "${dir}/certs"
log = { { levels = { min = "error" }, to = "console" } }
interfaces = { "127.0.0.1" }
c2s_ports = { ${p.c2s} }
s2s_ports = { ${p.s2s} }
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = false
modules_enabled = { "tls", "saslauth", "dialback" }
authentication = "internal_plain"
ssl = { key = "${key}", certificate = "${cert}" }
VirtualHost "${domain}"
`;
  writeFileSync(join(dir, 'prosody.cfg.lua'), conf);
  return run(binary('prosody')!, ['--config', join(dir, 'prosody.cfg.lua'), '-F'], dir, p);
}

/** slapd -d 0 with an empty mdb database and TLS for StartTLS on ldap://. */
export async function startSlapd(tls: ServiceTls): Promise<RunningService> {
  const dir = tempDir('slapd');
  const { cert, key } = writeTls(dir, tls);
  mkdirSync(join(dir, 'db'));
  const p = await ports('ldap');
  writeFileSync(
    join(dir, 'slapd.conf'),
    `include /etc/ldap/schema/core.schema
pidfile ${dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile ${cert}
TLSCertificateKeyFile ${key}
database mdb
maxsize 10485760
suffix "dc=secgrade,dc=test"
directory ${dir}/db
`,
  );
  return run(binary('slapd')!, ['-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${p.ldap}/`, '-d', '0'], dir, p);
}

/** mariadb-install-db into a temporary datadir, then mariadbd with --ssl-cert/--ssl-key (as mysql under root). */
export async function startMariadb(tls: ServiceTls): Promise<RunningService> {
  const dir = tempDir('mariadb');
  const root = process.getuid?.() === 0;
  const owner = root ? idOf('mysql') : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const { cert, key } = writeTls(dir, tls, owner);
  const user = root ? ['--user=mysql'] : [];
  const install = spawnSync(binary('mariadb-install-db')!, ['--no-defaults', `--datadir=${dir}/data`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${install.status}): ${install.stderr || install.stdout}`);
  }
  const p = await ports('mysql');
  return run(
    binary('mariadbd')!,
    [
      '--no-defaults',
      `--datadir=${dir}/data`,
      ...user,
      `--port=${p.mysql}`,
      '--bind-address=127.0.0.1',
      `--socket=${dir}/mysqld.sock`,
      `--pid-file=${dir}/mysqld.pid`,
      `--ssl-cert=${cert}`,
      `--ssl-key=${key}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=8M',
    ],
    dir,
    p,
  );
}
