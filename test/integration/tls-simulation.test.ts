// Handshake simulation against real servers on loopback: every client profile against openssl
// s_server configurations (TLS 1.2 ECDHE-RSA only, TLS 1.3 only, DHE with a 1024-bit group, an
// RSA + ECDSA dual certificate, TLS 1.3 with P-384 or X448 only, so clients get a HelloRetryRequest)
// and a scripted TLS 1.0 RC4 server; the expected result per client is written out. The profiles
// captured from openssl s_client and Node are cross-checked: the real client connects to the same
// server and must get the protocol and suite the simulation predicts.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientProfiles } from '../../src/data/client-profiles.js';
import type { Report, SimulationEntry } from '../../src/model/report.js';
import { offerTarget } from '../../src/probes/tls/protocols.js';
import { collectTlsSimulation, type TlsSimulationEvidence } from '../../src/probes/tls/simulation.js';
import { suiteByName } from '../../src/tls/registry/index.js';
import { checkSimulation } from '../../src/tls/simulation.js';
import { runBinary } from '../helpers/cli.js';
import { closedPort, LocalServers } from '../helpers/local-servers.js';
import { loopbackContext } from '../helpers/probe-context.js';
import { outcome, S_SERVERS, SIM_SNI as SNI, simulate, startSimulationServers } from '../helpers/simulation-servers.js';

const local = new LocalServers('simulation');
let ports: Record<string, number> = {};
const results: Record<string, TlsSimulationEvidence> = {};

beforeAll(async () => {
  ports = await startSimulationServers(local);
  for (const [name, port] of Object.entries(ports)) results[name] = await simulate(port);
}, 120_000);
afterAll(() => local.stop());

const table = (name: string): Record<string, string> => Object.fromEntries(results[name]!.entries.map((e) => [e.client, outcome(e)]));
const entry = (name: string, client: string): SimulationEntry => results[name]!.entries.find((e) => e.client === client)!;

const E12 = (s: string) => `TLSv1.2 TLS_ECDHE_RSA_WITH_${s}`;
const T13 = (s: string) => `TLSv1.3 TLS_${s}`;

describe('every profile against local servers', () => {
  it('TLS 1.2 ECDHE-RSA only: everything from Android 4.4 on connects, SSLv3/TLS 1.0-only clients fail', () => {
    const a128 = E12('AES_128_GCM_SHA256');
    const a256 = E12('AES_256_GCM_SHA384');
    const cbc = E12('AES_128_CBC_SHA');
    expect(table('tls12')).toEqual({
      'android-10': a128, 'android-11': a128, 'android-12': a128, 'android-4.4.2': a256, 'android-7.0': a128, 'android-8.1': a128, 'android-9.0': a128,
      'apple-mail-16.0': a256, 'chrome-101-win10': a128, 'chrome-79-win10': a128, 'curl-7.88-local': a256, 'edge-101-win10': a128, 'edge-15-win10': a256,
      'firefox-100-win10': a128, 'firefox-66-win81': a128, 'gnutls-3.7-local': a256, 'go-1.17.8': a128, 'ie-11-win10': a256, 'ie-11-win7': cbc, 'ie-11-win81': cbc,
      'ie-6-xp': 'failed', 'ie-8-win7': 'failed', 'ie-8-xp': 'failed', 'java-11.0.2': a256, 'java-17-local': a256, 'java-17.0.3': a256, 'java-6u45': 'failed',
      'java-7u25': 'failed', 'java-8u161': cbc, 'libressl-2.8.3': a256, 'node-20-local': a128, 'openssl-1.0.2e': a256, 'openssl-1.1.0l': a256, 'openssl-1.1.1d': a256,
      'openssl-3.0-local': a256, 'openssl-3.0.3': a256, 'safari-12.1-ios12.2': a256, 'safari-13.0-macos10.14': a256, 'safari-15.4-macos12.3': a256, 'thunderbird-91.9': a128,
    });
    const chrome = entry('tls12', 'chrome-101-win10');
    expect(chrome).toMatchObject({ group: 'x25519', keyExchangeBits: 253, certificate: { keyType: 'RSA', keyBits: 2048 } });
    expect(entry('tls12', 'java-7u25').reason).toMatch(/protocol_version/);
  });

  it('TLS 1.3 only: the certificate is read from the decrypted flight', () => {
    const t = table('tls13');
    const ok13 = Object.entries(t).filter(([, v]) => v.startsWith('TLSv1.3')).map(([k]) => k).sort();
    expect(ok13).toEqual([
      'android-10', 'android-11', 'android-12', 'android-9.0', 'chrome-101-win10', 'chrome-79-win10', 'curl-7.88-local', 'edge-101-win10', 'firefox-100-win10',
      'firefox-66-win81', 'gnutls-3.7-local', 'go-1.17.8', 'java-11.0.2', 'java-17-local', 'java-17.0.3', 'node-20-local', 'openssl-1.1.1d', 'openssl-3.0-local',
      'openssl-3.0.3', 'safari-12.1-ios12.2', 'safari-13.0-macos10.14', 'safari-15.4-macos12.3', 'thunderbird-91.9',
    ]);
    expect(Object.values(t).filter((v) => !v.startsWith('TLSv1.3')).every((v) => v === 'failed')).toBe(true);
    // Each client's own TLS 1.3 preference (s_server follows the client's order).
    expect(t['safari-12.1-ios12.2']).toBe(T13('CHACHA20_POLY1305_SHA256'));
    expect(t['chrome-101-win10']).toBe(T13('AES_128_GCM_SHA256'));
    expect(t['openssl-3.0.3']).toBe(T13('AES_256_GCM_SHA384'));
    expect(entry('tls13', 'java-11.0.2')).toMatchObject({ group: 'secp256r1', certificate: { keyType: 'RSA', keyBits: 2048 } });
    expect(entry('tls13', 'firefox-100-win10').certificate?.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry('tls13', 'ie-11-win10').reason).toMatch(/protocol_version/);
  });

  it('DHE with a 1024-bit group: clients without DHE fail, the rest get DH 1024 (weak)', () => {
    const t = table('dhe1024');
    const gcm = 'TLSv1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256';
    for (const c of ['android-4.4.2', 'gnutls-3.7-local', 'ie-11-win10', 'ie-11-win7', 'java-11.0.2', 'java-17-local', 'node-20-local', 'openssl-1.0.2e']) {
      expect(t[c], c).toBe(gcm);
    }
    expect(t['java-8u161']).toBe('TLSv1.2 TLS_DHE_RSA_WITH_AES_128_CBC_SHA');
    for (const c of ['chrome-101-win10', 'firefox-100-win10', 'safari-15.4-macos12.3', 'android-12', 'go-1.17.8', 'thunderbird-91.9']) expect(t[c], c).toBe('failed');
    expect(entry('dhe1024', 'java-17.0.3')).toMatchObject({ group: null, keyExchangeBits: 1024 });
    // Debian's OpenSSL (security level 2) takes the suite, then refuses the group: the client's own limit.
    expect(entry('dhe1024', 'openssl-3.0-local')).toMatchObject({ status: 'failed', protocol: 'TLSv1.2', reason: "DH parameters of 1024 bits, below the client's minimum of 2048" });
    expect(entry('dhe1024', 'curl-7.88-local').status).toBe('failed');
    const ids = checkSimulation(results.dhe1024!.entries).map((f) => [f.id, f.severity]);
    expect(ids).toEqual([['tls.simulation.fails', 'high'], ['tls.simulation.weak', 'medium']]);
  });

  it('RSA + ECDSA certificates: each client gets the certificate its suites and order lead to', () => {
    const t = table('dual');
    expect(t['android-7.0']).toBe('TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    expect(t['ie-11-win7']).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384');
    expect(t['openssl-1.0.2e']).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(t['chrome-101-win10']).toBe(T13('AES_128_GCM_SHA256'));
    expect(entry('dual', 'chrome-101-win10').certificate).toMatchObject({ keyType: 'EC', keyBits: 256 });
    expect(entry('dual', 'go-1.17.8').certificate).toMatchObject({ keyType: 'RSA', keyBits: 2048 });
    expect(entry('dual', 'ie-11-win7').certificate).toMatchObject({ keyType: 'RSA' });
    expect(entry('dual', 'android-7.0').certificate).toMatchObject({ keyType: 'EC' });
    const fingerprints = new Set(results.dual!.entries.flatMap((e) => (e.certificate ? [e.certificate.fingerprintSha256] : [])));
    expect(fingerprints.size).toBe(2);
  });

  it('TLS 1.3 with P-384 only: clients that support it retry after the HelloRetryRequest', () => {
    const chrome = entry('p384', 'chrome-101-win10');
    expect(chrome).toMatchObject({ status: 'ok', protocol: 'TLSv1.3', group: 'secp384r1', helloRetry: 'secp384r1', certificate: { keyType: 'RSA' } });
    expect(entry('p384', 'java-17.0.3')).toMatchObject({ status: 'ok', helloRetry: 'secp384r1' });
    // One extra hello per distinct TLS 1.3 hello that was asked to retry.
    expect(results.p384!.handshakes).toBeGreaterThan(results.tls13!.handshakes);
  });

  it('TLS 1.3 with X448 only: the few clients that offer it retry, the rest fail', () => {
    const t = table('x448');
    expect(Object.entries(t).filter(([, v]) => v !== 'failed').map(([k]) => k).sort()).toEqual([
      'curl-7.88-local', 'gnutls-3.7-local', 'java-17-local', 'java-17.0.3', 'node-20-local', 'openssl-1.1.1d', 'openssl-3.0-local', 'openssl-3.0.3',
    ]);
    expect(entry('x448', 'openssl-3.0-local')).toMatchObject({ group: 'x448', helloRetry: 'x448', keyExchangeBits: 448, certificate: { keyType: 'RSA' } });
    expect(entry('x448', 'chrome-101-win10').reason).toMatch(/handshake_failure/);
  });

  it('a TLS 1.0 RC4 server: only old clients connect, and the weak finding names them', () => {
    const t = table('rc4');
    const rc4 = 'TLSv1.0 TLS_RSA_WITH_RC4_128_SHA';
    expect(Object.entries(t).filter(([, v]) => v === rc4).map(([k]) => k).sort()).toEqual(['android-4.4.2', 'ie-8-win7', 'ie-8-xp', 'java-7u25', 'libressl-2.8.3', 'openssl-1.0.2e']);
    const weak = checkSimulation(results.rc4!.entries).find((f) => f.id === 'tls.simulation.weak')!;
    expect(weak.severity).toBe('low');
    expect(weak.detail).toMatch(/IE 8 \(Windows XP\): TLSv1\.0 TLS_RSA_WITH_RC4_128_SHA \(TLSv1\.0, RC4, no forward secrecy\)/);
  });

  it('shares one handshake among clients whose hellos the server reads alike', () => {
    const profiles = loadClientProfiles().length;
    expect(results.tls12!.handshakes).toBeLessThan(profiles);
    expect(results.tls12!.handshakes).toBeGreaterThan(profiles / 2);
  });
});

/** Runs a command with stdin given; resolves with stdout + stderr (never rejects). */
function run(cmd: string, args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`spawn error: ${err.message}`);
    });
    child.stdin.end(stdin);
  });
}

/** What the real client negotiated, as "<protocol> <IANA suite>", or 'failed'. */
const REAL: Record<string, (port: number) => Promise<string>> = {
  'openssl-3.0-local': async (port) => {
    const out = await run('openssl', ['s_client', '-brief', '-connect', `127.0.0.1:${port}`, '-servername', SNI]);
    const p = /Protocol version: (\S+)/.exec(out)?.[1];
    const c = /Ciphersuite: (\S+)/.exec(out)?.[1];
    return p && c ? `${p} ${suiteByName(c)?.name ?? c}` : 'failed';
  },
  'node-20-local': async (port) => {
    const script = `const s=require('tls').connect({host:'127.0.0.1',port:${port},servername:'${SNI}',rejectUnauthorized:false},()=>{console.log('NODE',s.getProtocol(),s.getCipher().standardName);s.destroy()}).on('error',()=>{})`;
    const m = /^NODE (\S+) (\S+)$/m.exec(await run(process.execPath, ['-e', script]));
    return m ? `${m[1]} ${m[2]}` : 'failed';
  },
};

// curl, gnutls-cli and the JDK are cross-checked in test/conformance/tls-simulation-clients.test.ts.
describe('cross-check: openssl s_client and Node get what their profiles predict', () => {
  for (const client of Object.keys(REAL)) {
    it(client, async () => {
      for (const server of S_SERVERS) {
        const real = await REAL[client]!(ports[server]!);
        expect(`${server}: ${real}`).toBe(`${server}: ${outcome(entry(server, client))}`);
      }
    }, 90_000);
  }
});

describe('through the CLI (--checks tls)', () => {
  it('tls.simulation is in the JSON report, one entry per profile, and the card shows the table', async () => {
    const port = ports.tls13!;
    const json = await runBinary([`127.0.0.1:${port}`, '--checks', 'tls,simulation', '--format', 'json', '--output', '-']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    const tls = report.endpoints[0]!.tls;
    expect(tls.simulation).toHaveLength(loadClientProfiles().length);
    expect(tls.simulation!.find((e) => e.client === 'chrome-101-win10')).toMatchObject({ status: 'ok', protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', group: 'x25519' });
    expect(tls.probes['tls-simulation']).toMatchObject({ status: 'ok' });
    expect(tls.probes['tls-simulation']!.connections).toBeGreaterThan(20);
    // Old clients fail on a TLS 1.3-only server: legacy ones among them, so the finding is low.
    expect(report.findings.find((f) => f.id === 'tls.simulation.fails')).toMatchObject({ severity: 'low', subject: `endpoint:127.0.0.1:${port}` });
    // Never part of the letter.
    expect(report.endpoints[0]!.tls.rating?.caps.some((c) => /simulat/i.test(c.reason))).toBe(false);

    const text = await runBinary([`127.0.0.1:${port}`, '--checks', 'tls,simulation', '--format', 'text', '--output', '-']);
    expect(text.stdout).toMatch(/^ {2}simulation {2}40 clients · 23 connect {2}17 fail {2}certificate RSA 2048$/m);
    expect(text.stdout).toMatch(/^ {4}Chrome 101 +TLSv1\.3 +TLS_AES_128_GCM_SHA256 +x25519 253$/m);
    expect(text.stdout).toMatch(/^ {4}Java 7u25 +fails: the server refused the hello: alert protocol_version$/m);

    // A family of its own: `--checks tls` alone, or a batch without it named, does not simulate.
    const tlsOnly = await runBinary([`127.0.0.1:${port}`, '--checks', 'tls', '--format', 'json', '--output', '-']);
    expect((JSON.parse(tlsOnly.stdout) as Report).endpoints[0]!.tls.simulation).toBeUndefined();
    const scanDefault = await runBinary([`127.0.0.1:${port}`, '--format', 'json', '--output', '-']);
    expect((JSON.parse(scanDefault.stdout) as Report).endpoints[0]!.tls.simulation).toHaveLength(loadClientProfiles().length);
  }, 60_000);
});

describe('when nothing answers', () => {
  it('every client untested: the probe fails with the reason, never a list of failures', async () => {
    const port = await closedPort();
    const { ctx } = loopbackContext(port, { connectTimeoutMs: 2000 });
    await expect(collectTlsSimulation(ctx, offerTarget(ctx, ctx.endpoint), loadClientProfiles())).rejects.toMatchObject({
      name: 'ProbeFailed', kind: 'refused', message: 'no simulated client got an answer (connection refused)',
    });
  });
});
