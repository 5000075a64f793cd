// Handshake simulation cross-checked with real clients: the profiles captured here from curl,
// gnutls-cli and the JDK (scripts/capture-client-hellos.mjs) must predict the protocol and suite
// the real client gets from the same openssl s_server configurations. (openssl s_client and Node
// are cross-checked in test/integration/tls-simulation.test.ts.)
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsSimulationEvidence } from '../../src/probes/tls/simulation.js';
import { suiteByName } from '../../src/tls/registry/index.js';
import { LocalServers } from '../helpers/local-servers.js';
import { outcome, pageSays, S_SERVERS, SIM_SNI as SNI, simulate, startSimulationServers } from '../helpers/simulation-servers.js';

const IN_CI = Boolean(process.env.CI);
const TOOLS = ['curl', 'gnutls-cli', 'java', 'javac']; // apt: curl gnutls-bin openjdk-17-jdk-headless
const has = (tool: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = TOOLS.filter((t) => !has(t));
if (missing.length && !IN_CI) console.warn(`conformance: skipping the simulation cross-check, not installed: ${missing.join(', ')} (CI would fail here)`);

/** Runs a command with stdin given; resolves with stdout + stderr (never rejects). */
function run(cmd: string, args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill(), 20_000);
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

const iana = (openssl: string): string => suiteByName(openssl)?.name ?? openssl;

describe.skipIf(missing.length > 0 && !IN_CI)('handshake simulation: curl, gnutls-cli and the JDK get what their profiles predict', () => {
  const local = new LocalServers('simulation-clients');
  let ports: Record<string, number> = {};
  const results: Record<string, TlsSimulationEvidence> = {};
  let javaClasses = '';

  beforeAll(async () => {
    ports = await startSimulationServers(local);
    for (const server of S_SERVERS) results[server] = await simulate(ports[server]!);
    // Compiled once: source-file mode costs seconds per run.
    javaClasses = join(local.dir, 'java');
    execFileSync('javac', ['-d', javaClasses, join(import.meta.dirname, '../../scripts/capture/JavaHello.java')]);
  }, 120_000);
  afterAll(() => local.stop());

  // s_server -www answers with a page that says what was negotiated; the JDK prints it itself.
  const REAL: Record<string, (port: number) => Promise<string>> = {
    'curl-7.88-local': async (port) => pageSays(await run('curl', ['-sk', '--max-time', '10', '--resolve', `${SNI}:${port}:127.0.0.1`, `https://${SNI}:${port}/`]), iana),
    'gnutls-3.7-local': async (port) => pageSays(await run('gnutls-cli', ['--insecure', '-p', String(port), '--sni-hostname', SNI, '127.0.0.1'], 'GET / HTTP/1.0\r\n\r\n'), iana),
    'java-17-local': async (port) => {
      const m = /^JAVA (\S+) (\S+)$/m.exec(await run('java', ['-cp', javaClasses, 'JavaHello', '127.0.0.1', String(port), SNI, '--print']));
      return m ? `${m[1]} ${m[2]}` : 'failed';
    },
  };

  for (const client of Object.keys(REAL)) {
    it(client, async () => {
      for (const server of S_SERVERS) {
        const predicted = results[server]!.entries.find((e) => e.client === client);
        expect(predicted, `${client} has a profile`).toBeDefined();
        const real = await REAL[client]!(ports[server]!);
        expect(`${server}: ${real}`).toBe(`${server}: ${outcome(predicted!)}`);
      }
    }, 120_000);
  }
});
