// Server order told during the enumeration itself: every other hello offers its suites reversed,
// so a server that imposes its own order passes over the suite we put first and needs no extra
// hello; a client-order server still gets the one explicit check, and its list stays in our order.
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

async function enumerate(extra: string[]) {
  const port = await local.sServer(['-www', '-key', ec.key, '-cert', ec.cert, '-tls1_3', '-ciphersuites', SUITES, ...extra]);
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

  it('client order: one more hello tells it, and the list is given in our order', async () => {
    const { ciphers, hellos } = await enumerate([]);
    expect(ciphers.serverPreference['TLSv1.3']).toBe(false);
    expect(ciphers.suites['TLSv1.3']).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
    expect(hellos).toBe(2 + 1 + 1);
  });
});
