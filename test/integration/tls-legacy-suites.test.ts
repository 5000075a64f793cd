/**
 * Non-IANA cipher suites on the wire. Debian's OpenSSL 3 can serve neither EXPORT1024 nor the
 * pre-RFC ChaCha20 suites, so a scripted fake TLS 1.2 server (named "fake" below) plays an OpenSSL
 * 0.9.8-style server that picks TLS_RSA_EXPORT1024_WITH_RC4_56_SHA (0x0064) when offered. And a
 * modern `openssl s_server`, to hold the enumeration's handshake count to its formula.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../../src/net/tls/suite-order.js';
import type { WireVersion } from '../../src/net/tls/wire/client-hello.js';
import type { ProtocolName } from '../../src/model/constants.js';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { suiteByCode, suiteByName } from '../../src/tls/registry/index.js';
import { alert, fakeTlsServer, rec, scanLoopback, serverHello } from '../helpers/fake-tls-server.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const local = new LocalServers('legacy-suites');
let ec: { key: string; cert: string };

beforeAll(() => {
  ec = local.selfSigned('ec', 'ec', 'legacy.secgrade.test');
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

/**
 * The fake: TLS 1.2 only (client_version 0x0303; TLS 1.3 hellos carry no suite it knows), server
 * order `favourites`, handshake_failure when none is offered, protocol_version below TLS 1.2.
 */
function fakeLegacyServer(favourites: number[]): Promise<number> {
  return fakeTlsServer(local, (socket, hello) => {
    if (hello.version < 0x0303) return void socket.end(alert(70));
    const pick = favourites.find((s) => hello.suites.includes(s));
    if (pick === undefined) return void socket.end(alert(40));
    // ServerHello, then nothing: the enumeration reads no further than the ServerHello.
    socket.write(rec(22, serverHello(pick)));
    setTimeout(() => socket.destroy(), 200);
  });
}

describe('fake OpenSSL 0.9.8-style server with EXPORT1024 (0x0064)', () => {
  it('enumeration lists TLS_RSA_EXPORT1024_WITH_RC4_56_SHA, marked non-IANA, and the letter is capped at F', async () => {
    const port = await fakeLegacyServer([0x0064, 0x002f]);
    const report = await scanLoopback(port, [tlsProtocolsProbe, tlsCiphersProbe], { timeoutMs: 20_000, connectTimeoutMs: 3000 });
    expectValidReport(report);
    const tls = report.endpoints[0]!.tls;
    expect(tls.protocols).toMatchObject({ 'TLSv1.2': true, 'TLSv1.1': false, 'TLSv1.0': false, 'TLSv1.3': false });
    // In the server's order: the export suite is its favourite.
    expect(tls.cipherSuites['TLSv1.2']).toEqual(['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA']);
    expect(tls.serverPreference['TLSv1.2']).toBe(true);
    // The report marks it: its name alone does not say IANA never registered it.
    expect(tls.cipherSuitesNonIana).toEqual(['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA']);
    expect(suiteByName('TLS_RSA_EXPORT1024_WITH_RC4_56_SHA')).toMatchObject({ code: 0x0064, iana: false, export: true, bits: 56 });
    expect(suiteByName('TLS_RSA_WITH_AES_128_CBC_SHA')?.iana).toBe(true);

    expect(tls.rating?.caps).toContainEqual({ id: 'ssllabs.cap.export', grade: 'F', reason: 'export cipher suites are supported' });
    // Certificates were not examined here (T at worst), but whatever they are the letter behind them is F.
    expect(tls.rating?.ignoringTrust).toBe('F');
    expect(tls.rating?.best).toBe('F');
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['tls.cipher.export', 'tls.cipher.rc4', 'ssllabs.cap.export']));
    const exportFinding = report.findings.find((f) => f.id === 'tls.cipher.export');
    expect(exportFinding?.evidence).toEqual({ suites: { 'TLSv1.2': ['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA'] } });
  });

  it('fake server with the pre-RFC ChaCha20 suite (0xCC13) only: listed, AEAD and forward secret, no export cap', async () => {
    const port = await fakeLegacyServer([0xcc13]);
    const { ctx } = loopbackContext(port, { connectTimeoutMs: 3000 });
    const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
    const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    expect(ciphers.suites['TLSv1.2']).toEqual(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD']);
    expect(suiteByName('ECDHE-RSA-CHACHA20-POLY1305-OLD')).toMatchObject({ code: 0xcc13, iana: false, aead: true, forwardSecrecy: true });
    const ids = tlsCiphersProbe.check(ciphers, { target: { host: '127.0.0.1', port, path: '/', sni: null }, endpoint: null, now: new Date() }).map((f) => f.id);
    expect(ids).not.toContain('tls.cipher.export');
    expect(ids).not.toContain('tls.cipher.no-aead');
    expect(ids).not.toContain('tls.cipher.no-forward-secrecy');
  });
});

describe('a modern openssl s_server: what the enumeration costs', () => {
  it('TLS 1.2 + 1.3 with OpenSSL defaults: at most one handshake more than with the IANA suites alone', async () => {
    const port = await local.sServer(['-www', '-key', ec.key, '-cert', ec.cert]);
    const { ctx, connections, reset } = loopbackContext(port, { connectTimeoutMs: 3000 });
    const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
    const protocolHellos = connections();
    reset();
    const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    const cipherHellos = connections();
    expect(protocols.protocols).toMatchObject({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    // No non-IANA suite is accepted by OpenSSL 3.
    for (const names of Object.values(ciphers.suites)) for (const n of names) expect(suiteByName(n)?.iana, n).toBe(true);

    // Hellos needed to offer a version's whole list, with and without the non-IANA suites.
    const hellos = (p: WireVersion, ianaOnly: boolean) =>
      Math.ceil(probeOrder(p).filter((c) => !ianaOnly || suiteByCode(c)?.iana).length / MAX_SUITES_PER_HELLO);
    // tls-protocols: SSLv2, then one hello per version, except that a version refused with
    // handshake_failure ("no suite in common", as OpenSSL 3 answers SSLv3) is asked with every
    // hello. With TLS 1.3 accepted, one hello first asks TLS 1.1, 1.0 and SSLv3 together; this
    // s_server picks TLS 1.1 from it and fails (no SHA-1 signature at its security level) rather
    // than answering protocol_version, so each is then asked alone: one hello more here.
    const cost = (ps: readonly WireVersion[], ianaOnly: boolean) =>
      ps.map((p) => (protocols.attempts[p as ProtocolName] === 'alert handshake_failure' ? hellos(p, ianaOnly) : 1)).reduce((a, b) => a + b, 0);
    const together = /supported_versions listed only/.test(protocols.attempts['TLSv1.1'] ?? '');
    expect(together).toBe(false);
    const protocolCost = (ianaOnly: boolean) =>
      1 + cost(['TLSv1.2', 'TLSv1.3'], ianaOnly) + 1 + (together ? 0 : cost(['SSLv3', 'TLSv1.0', 'TLSv1.1'], ianaOnly));
    // tls-ciphers: per accepted version, one hello per accepted suite after tls-protocols' first
    // pick and one per exhausted hello; this s_server follows the client's order, which the hello
    // ending the first exhausted bundle tells (it carries two known suites): no hello more for it.
    expect(ciphers.serverPreference).toEqual({ 'TLSv1.2': false, 'TLSv1.3': false });
    const cipherCost = (ianaOnly: boolean) =>
      (['TLSv1.2', 'TLSv1.3'] as const)
        .map((p) => ciphers.suites[p]!.length - 1 + hellos(p, ianaOnly))
        .reduce((a, b) => a + b, 0);
    expect(protocolHellos).toBe(protocolCost(false));
    expect(cipherHellos).toBe(cipherCost(false));
    // TLS 1.2's 365 suites still fit in three hellos; SSLv3's 147 need two where 126 needed one.
    expect(hellos('TLSv1.2', false)).toBe(hellos('TLSv1.2', true));
    expect(protocolHellos + cipherHellos - (protocolCost(true) + cipherCost(true))).toBeLessThanOrEqual(1);
  });
});
