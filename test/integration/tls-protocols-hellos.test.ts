// What the version scan costs and concludes: TLS 1.2's first hello also lists TLS 1.1, 1.0 and SSLv3
// in supported_versions, so a TLS 1.3-only server refuses all four with one protocol_version alert,
// while every other server's answer means what a plain TLS 1.2 hello's would. Real openssl s_server
// configurations on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('protocol-hellos');
let rsa: { key: string; cert: string };
beforeAll(() => {
  rsa = local.selfSigned('rsa', 'rsa', 'versions.secgrade.test');
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

async function versions(extra: string[]) {
  const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, ...extra]);
  const { ctx, connections } = loopbackContext(port, { connectTimeoutMs: 3000 });
  const ev = await tlsProtocolsProbe.collect(ctx, testDeps());
  return { ev, hellos: connections() };
}

describe('tls-protocols: versions asked together where the answer proves it', () => {
  it('TLS 1.3 only: SSLv2, TLS 1.3, and one hello refusing TLS 1.2, 1.1, 1.0 and SSLv3', async () => {
    const { ev, hellos } = await versions(['-tls1_3']);
    expect(ev.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
    expect(hellos).toBe(3);
    for (const p of ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const) {
      expect(ev.attempts[p]).toMatch(/protocol_version to a hello whose supported_versions listed only TLSv1\.2, TLSv1\.1, TLSv1\.0, SSLv3/);
    }
  });

  it('TLS 1.2 + 1.3: TLS 1.2 accepted from that hello, its pick seeds the suite enumeration', async () => {
    const { ev, hellos } = await versions([]);
    expect(ev.protocols['TLSv1.2']).toBe(true);
    expect(ev.protocols['TLSv1.3']).toBe(true);
    expect(ev.firstPick['TLSv1.2']).toMatchObject({ refusedBundles: 0 });
    expect(ev.attempts['TLSv1.2']).toMatch(/^negotiated TLS_/);
    // The older versions are never concluded from a hello that TLS 1.2 answered.
    expect(ev.attempts['TLSv1.0']).not.toMatch(/TLSv1\.2, TLSv1\.1/);
    expect(hellos).toBeGreaterThanOrEqual(4);
  });

  it('TLS 1.1 only (no TLS 1.3): the server picks TLS 1.1 from that hello, so TLS 1.2 is refused and TLS 1.1 found', async () => {
    const { ev } = await versions(['-tls1_1', '-cipher', 'ALL:@SECLEVEL=0']);
    expect(ev.protocols['TLSv1.3']).toBe(false);
    expect(ev.protocols['TLSv1.2']).toBe(false);
    expect(ev.attempts['TLSv1.2']).toBe('server answered with TLSv1.1');
    expect(ev.protocols['TLSv1.1']).toBe(true);
    // Without TLS 1.3 no refusal speaks for another version: each is asked alone.
    expect(ev.protocols['TLSv1.0']).toBe(false);
    expect(ev.attempts['TLSv1.0']).not.toMatch(/listed only/);
  });
});
