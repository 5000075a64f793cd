/**
 * Client-initiated renegotiation against `openssl s_server` on 127.0.0.1 (OpenSSL 3 refuses it
 * unless -client_renegotiation is given) and a TLS 1.3-only Node server; then the whole engine on
 * a legacy DHE server that renegotiates and serves the lab's RFC 2409 group, so vuln-config's
 * verdicts (Logjam naming the common prime …) come from real probe evidence.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsFeaturesProbe } from '../../src/probes/tls/features.js';
import { tlsGroupsProbe } from '../../src/probes/tls/groups.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { clientRenegotiationProbe, tryClientRenegotiation } from '../../src/probes/vuln/client-renegotiation.js';
import { vulnConfigProbe } from '../../src/probes/vuln/configuration.js';
import { checkClientRenegotiation } from '../../src/tls/vulns/client-renegotiation.js';
import { ProbeSkipped } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { expectValidReport } from '../helpers/schema.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';

const local = new LocalServers('reneg');
let rsa: { key: string; cert: string };
let dh1024: string;

beforeAll(() => {
  rsa = local.selfSigned('rsa', 'rsa', 'reneg.secgrade.test');
  dh1024 = local.dh1024();
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

const context = (port: number) => loopbackContext(port);

/** tls-protocols, then the renegotiation probe, as the engine orders them. */
async function renegotiation(port: number) {
  const { ctx, connections } = context(port);
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  const before = connections();
  const ev = await clientRenegotiationProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
  return { ev, connections: connections() - before };
}

const sServer = (args: string[]): Promise<number> => local.sServer(['-key', rsa.key, '-cert', rsa.cert, ...args]);

describe('client-initiated renegotiation against openssl s_server (TLS 1.2)', () => {
  it('OpenSSL 3 default: refused with no_renegotiation → not-vulnerable, no finding', async () => {
    const port = await sServer(['-tls1_2']);
    const { ev, connections } = await renegotiation(port);
    expect(ev).toEqual({ verdict: 'not-vulnerable', reason: 'server sent alert no renegotiation', protocol: 'TLSv1.2' });
    expect(connections).toBe(1);
    expect(checkClientRenegotiation(ev)).toEqual([]);
    expect(clientRenegotiationProbe.fields(ev)).toEqual({ vulnerabilities: { clientRenegotiation: 'not-vulnerable' } });
  });

  it('-client_renegotiation: the second handshake completes → vulnerable, tls.vuln.client-renegotiation (low)', async () => {
    const port = await sServer(['-tls1_2', '-client_renegotiation']);
    const { ev } = await renegotiation(port);
    expect(ev).toEqual({ verdict: 'vulnerable', reason: 'the second handshake completed', protocol: 'TLSv1.2' });
    const [f] = checkClientRenegotiation(ev);
    expect(f).toMatchObject({ id: 'tls.vuln.client-renegotiation', severity: 'low', evidence: { clientRenegotiation: true, protocol: 'TLSv1.2' } });
    expect(clientRenegotiationProbe.fields(ev)).toEqual({ vulnerabilities: { clientRenegotiation: 'vulnerable' } });
  });

  it('a port that is not TLS: untestable, said as such', async () => {
    // resume(): a socket that never reads never sees the client leave, and close() would wait.
    const server = net.createServer((s) => s.on('error', () => undefined).resume().end('SSH-2.0-OpenSSH_9.6\r\n'));
    const port = await local.listen(server);
    const o = await tryClientRenegotiation({
      ip: '127.0.0.1',
      port,
      servername: null,
      version: 'TLSv1.2',
      answerTimeoutMs: 2000,
      timeoutMs: 5000,
      signal: new AbortController().signal,
    });
    expect(o.kind).toBe('untestable');
  });
});

describe('renegotiation without a TLS ≤ 1.2 handshake to make', () => {
  it('a TLS 1.3-only server is not vulnerable, without a connection (TLS 1.3 has no renegotiation)', async () => {
    const server = tls.createServer({ key: readFileSync(rsa.key), cert: readFileSync(rsa.cert), minVersion: 'TLSv1.3' }, (s) => s.end());
    server.on('tlsClientError', () => undefined);
    const port = await local.listen(server);
    const { ev, connections } = await renegotiation(port);
    expect(ev).toEqual({ verdict: 'not-vulnerable', reason: 'only TLS 1.3 is accepted, which has no renegotiation', protocol: null });
    expect(connections).toBe(0);
  });

  it('is skipped when the protocol versions are unknown', async () => {
    const { ctx } = context(1);
    await expect(clientRenegotiationProbe.collect(ctx, testDeps())).rejects.toBeInstanceOf(ProbeSkipped);
  });
});

describe('the whole engine on a legacy DHE server (RFC 2409 group 2, renegotiates, CBC only)', () => {
  it('report.tls.vulnerabilities holds every configuration verdict, Logjam names the common prime', async () => {
    const port = await sServer([
      '-dhparam', dh1024,
      '-cipher', 'DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:@SECLEVEL=0',
      '-tls1_2',
      '-client_renegotiation',
    ]);
    const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
      resolver: {} as Resolver,
      ips: ['127.0.0.1'],
      trust: createTrustStore(),
      reference: testReference(),
      timeoutMs: 60_000,
      probes: [tlsProtocolsProbe, tlsCiphersProbe, tlsGroupsProbe, tlsFeaturesProbe, vulnConfigProbe, clientRenegotiationProbe],
    });
    expectValidReport(report);
    const t = report.endpoints[0]!.tls;
    expect(t.probes['vuln-config']).toMatchObject({ status: 'ok', connections: 0 });
    expect(t.vulnerabilities).toEqual({
      poodleSsl: 'not-vulnerable',
      beast: 'not-vulnerable',
      sweet32: 'not-vulnerable',
      freak: 'not-vulnerable',
      logjam: 'vulnerable',
      drown: 'not-vulnerable',
      crime: 'not-vulnerable',
      lucky13: 'vulnerable',
      rc4: 'not-vulnerable',
      insecureRenegotiation: 'not-vulnerable',
      fallbackScsv: 'not-vulnerable',
      clientRenegotiation: 'vulnerable',
    });
    const vulns = report.findings.filter((f) => f.id.startsWith('tls.vuln.'));
    expect(vulns.map((f) => [f.id, f.severity]).sort()).toEqual([
      ['tls.vuln.client-renegotiation', 'low'],
      // tls.cipher.cbc is not emitted without an AEAD suite (tls.cipher.no-aead is), so this stands alone.
      ['tls.vuln.logjam', 'high'],
      ['tls.vuln.lucky13', 'info'],
    ]);
    const logjam = vulns.find((f) => f.id === 'tls.vuln.logjam')!;
    expect(logjam.detail).toContain('the common prime RFC 2409 group 2 (1024-bit MODP)');
    expect(logjam.evidence).toMatchObject({ dhPrimeBits: 1024, commonPrime: { name: 'RFC 2409 group 2 (1024-bit MODP)', source: 'RFC 2409 §6.2' } });
    expect(logjam.endpoint).toBe(`127.0.0.1:${port}`);
  });
});
