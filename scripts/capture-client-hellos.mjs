#!/usr/bin/env node
// Captures the ClientHello of the TLS clients installed on this machine (openssl s_client, curl,
// gnutls-cli, the JDK, Node) with a loopback listener that reads the first hello and hangs up,
// and writes one profile per client to data/clients/ (provenance kind 'local-capture'). The
// client's limits are facts of its configuration here, named beside each (see LIMITS).
//
//   node scripts/capture-client-hellos.mjs
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SNI = 'www.example.com';

const firstLine = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
const javaHome = dirname(dirname(execFileSync('readlink', ['-f', execFileSync('which', ['java'], { encoding: 'utf8' }).trim()], { encoding: 'utf8' }).trim()));
const dpkgVersion = (pkg) => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
};

/**
 * Each client: how to run it against 127.0.0.1:port with SNI, and its limits. Debian builds
 * OpenSSL 3.0 with security level 2 as the default (openssl.cnf sets none; s_client refuses a
 * 1024-bit DH group with "dh key too small" unless given @SECLEVEL=1), so openssl s_client and
 * curl: RSA and DH ≥ 2048 bits, ECC ≥ 224 (SSL_CTX_set_security_level(3ssl)); OpenSSL 3.0 also
 * refuses SHA-1 signed certificates at level ≥ 1 (requiresSha2). Node 20 carries its own OpenSSL
 * 3.0 at level 1: RSA and DH ≥ 1024, ECC ≥ 160, no SHA-1 certificates. The JDK:
 * jdk.tls.disabledAlgorithms in conf/security/java.security (DH keySize < 1024, EC keySize < 224;
 * jdk.certpath: RSA keySize < 1024; SHA-1 only for its own CAs). GnuTLS 3.7 NORMAL priority: DH
 * and RSA ≥ 1024 (GNUTLS_SEC_PARAM_LOW). test/integration/tls-simulation.test.ts runs each real
 * client against the same servers as its profile and checks they agree.
 */
const CLIENTS = [
  {
    id: 'openssl-3.0-local',
    name: 'OpenSSL',
    version: () => firstLine('openssl', ['version']).split(' ')[1],
    platform: 'Debian 12 s_client',
    run: (port) => ['openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', SNI]],
    package: () => `openssl ${dpkgVersion('openssl')}`,
    services: ['ANY'],
    limits: { minDhBits: 2048, maxDhBits: null, minRsaBits: 2048, maxRsaBits: null, minEcdsaBits: 224, requiresSha2: true },
  },
  {
    id: 'curl-7.88-local',
    name: 'curl',
    version: () => firstLine('curl', ['--version']).split(' ')[1],
    platform: 'Debian 12, OpenSSL 3.0',
    run: (port) => ['curl', ['-sk', '--max-time', '5', '--resolve', `${SNI}:${port}:127.0.0.1`, `https://${SNI}:${port}/`]],
    package: () => `curl ${dpkgVersion('curl')}`,
    services: ['HTTP'],
    limits: { minDhBits: 2048, maxDhBits: null, minRsaBits: 2048, maxRsaBits: null, minEcdsaBits: 224, requiresSha2: true },
  },
  {
    id: 'gnutls-3.7-local',
    name: 'GnuTLS',
    version: () => firstLine('gnutls-cli', ['--version']).split(' ')[1],
    platform: 'Debian 12 gnutls-cli',
    run: (port) => ['gnutls-cli', ['--insecure', '-p', String(port), '--sni-hostname', SNI, '127.0.0.1']],
    package: () => `gnutls-bin ${dpkgVersion('gnutls-bin')}`,
    services: ['ANY'],
    limits: { minDhBits: 1024, maxDhBits: null, minRsaBits: 1024, maxRsaBits: null, minEcdsaBits: null, requiresSha2: false },
  },
  {
    id: 'java-17-local',
    name: 'Java',
    // `java -version` writes to stderr.
    version: () => /version "([^"]+)"/.exec(spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr)?.[1] ?? 'unknown',
    platform: 'OpenJDK, Debian 12',
    run: (port) => ['java', [join(ROOT, 'scripts/capture/JavaHello.java'), '127.0.0.1', String(port), SNI]],
    package: () => `openjdk-17-jre-headless ${dpkgVersion('openjdk-17-jre-headless')} (${javaHome})`,
    services: ['ANY'],
    limits: { minDhBits: 1024, maxDhBits: null, minRsaBits: 1024, maxRsaBits: null, minEcdsaBits: 224, requiresSha2: false },
  },
  {
    id: 'node-20-local',
    name: 'Node.js',
    version: () => process.versions.node,
    platform: `OpenSSL ${process.versions.openssl}`,
    run: (port) => [process.execPath, ['-e', `require('tls').connect({host:'127.0.0.1',port:${port},servername:'${SNI}',rejectUnauthorized:false}).on('error',()=>{})`]],
    package: () => `node ${process.version}`,
    services: ['ANY'],
    limits: { minDhBits: 1024, maxDhBits: null, minRsaBits: 1024, maxRsaBits: null, minEcdsaBits: 160, requiresSha2: true },
  },
];

/** Listens once on loopback; resolves with the records that carry the first ClientHello message. */
function captureOnce(client) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        // Records until the handshake message (4-byte header + length) is complete.
        let pos = 0;
        const payload = [];
        while (buf.length >= pos + 5) {
          const len = buf.readUInt16BE(pos + 3);
          if (buf.length < pos + 5 + len) break;
          payload.push(buf.subarray(pos + 5, pos + 5 + len));
          pos += 5 + len;
          const message = Buffer.concat(payload);
          if (message.length >= 4 && message.length >= 4 + message.readUIntBE(1, 3)) {
            socket.destroy();
            server.close();
            child.kill();
            resolve(buf.subarray(0, pos));
            return;
          }
        }
      });
      socket.on('error', () => {});
    });
    let child;
    server.listen(0, '127.0.0.1', () => {
      const [cmd, args] = client.run(server.address().port);
      child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', reject);
    });
    setTimeout(() => {
      server.close();
      child?.kill();
      reject(new Error(`${client.id}: no ClientHello within 20 s`));
    }, 20_000).unref();
  });
}

/** The range the hello offers: supported_versions when present, else legacy_version alone. */
function offeredRange(record) {
  const msg = record.subarray(5);
  const legacy = msg.readUInt16BE(4);
  let pos = 4 + 2 + 32;
  pos += 1 + msg[pos];
  pos += 2 + msg.readUInt16BE(pos);
  pos += 1 + msg[pos];
  const end = pos + 2 + msg.readUInt16BE(pos);
  pos += 2;
  const names = { 0x0300: 'SSLv3', 0x0301: 'TLSv1.0', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };
  while (pos + 4 <= end) {
    const type = msg.readUInt16BE(pos);
    const len = msg.readUInt16BE(pos + 2);
    if (type === 43) {
      const versions = [];
      for (let i = pos + 5; i < pos + 4 + len; i += 2) {
        const v = msg.readUInt16BE(i);
        if (names[v]) versions.push(v);
      }
      return { lowest: names[Math.min(...versions)], highest: names[Math.max(...versions)] };
    }
    pos += 4 + len;
  }
  return { lowest: names[legacy], highest: names[legacy] };
}

for (const client of CLIENTS) {
  const record = await captureOnce(client);
  const version = client.version();
  const profile = {
    id: client.id,
    name: client.name,
    version,
    platform: client.platform,
    tier: 'current',
    services: client.services,
    helloFormat: 'tls',
    hello: record.toString('hex'),
    sni: true,
    protocols: offeredRange(record),
    limits: client.limits,
    source: {
      kind: 'local-capture',
      file: 'scripts/capture-client-hellos.mjs',
      package: client.package(),
      sha256: createHash('sha256').update(record).digest('hex'),
      entry: client.id,
      label: `${client.name} ${version}`,
    },
  };
  writeFileSync(join(ROOT, 'data', 'clients', `${client.id}.json`), `${JSON.stringify(profile, null, 2)}\n`);
  console.log(`${client.id}: ${record.length} bytes, ${profile.protocols.lowest}..${profile.protocols.highest}`);
}
