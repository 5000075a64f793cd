// Server order told during the enumeration itself: every other hello offers its suites reversed,
// so a server that imposes its own order passes over the suite we put first and needs no extra
// hello; once two suites are known they ride at the end of each hello in the reverse of their pick
// order, so the hello that ends a client-order enumeration proves that order too (the list stays in
// ours), and a server whose ranking hides behind our alternation shows it there.
// Against real openssl s_server TLS 1.3 configurations on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('cipher-order');
let ec: { key: string; cert: string };
beforeAll(() => {
  ec = local.selfSigned('ec', 'ec', 'order.secgrade.test');
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

const SUITES = 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384';

async function enumerate(extra: string[], suites = SUITES) {
  const port = await local.sServer(['-www', '-key', ec.key, '-cert', ec.cert, '-tls1_3', '-ciphersuites', suites, ...extra]);
  const { ctx, connections, reset } = loopbackContext(port, { connectTimeoutMs: 3000 });
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  reset();
  const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
  return { ciphers, hellos: connections() };
}

describe('cipher suite order from the enumeration', () => {
  it('-serverpref: the server order, with no hello beyond the enumeration', async () => {
    const { ciphers, hellos } = await enumerate(['-serverpref']);
    expect(ciphers.serverPreference['TLSv1.3']).toBe(true);
    expect(ciphers.suites['TLSv1.3']).toEqual(['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384']);
    // tls-protocols made the first pick: two more picks, one refused hello, nothing else.
    expect(hellos).toBe(2 + 1);
  });

  it('client order: told by the hello that ends the enumeration, the list in our order', async () => {
    const { ciphers, hellos } = await enumerate([]);
    expect(ciphers.serverPreference['TLSv1.3']).toBe(false);
    expect(ciphers.suites['TLSv1.3']).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
    // Two more picks, then the hello offering nothing new plus the two known suites: no extra check.
    expect(hellos).toBe(2 + 1);
  });

  it('a server ranking that matches our alternating offers is still found, at no extra cost', async () => {
    // Our order is AES-128, AES-256, ChaCha; forward and reversed offers pick AES-128 then ChaCha
    // from either kind of server, so the order shows only when the known suites ride along.
    const { ciphers, hellos } = await enumerate(['-serverpref'], 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384');
    expect(ciphers.serverPreference['TLSv1.3']).toBe(true);
    expect(ciphers.suites['TLSv1.3']).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']);
    // Two more picks, one hello answered with a known suite, one refused: as many as a separate check.
    expect(hellos).toBe(2 + 1 + 1);
  });
});
