/**
 * The raw TLS 1.0–1.2 handshake client against real `openssl s_server` processes on 127.0.0.1
 * (Debian's OpenSSL 3 at @SECLEVEL=0): one suite offered at a time, each handshake completed with
 * the server's Finished verified and a session ticket received. RC4, 3DES, DES, export suites and DH
 * groups under 1024 bits are out of reach of Debian's libssl (compiled out; level 0 still refuses
 * DH under 80 bits of security): gnutls-serv and SunJSSE cover them in
 * test/conformance/tls-handshake12-legacy.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullHandshake12, type Handshake12Options } from '../../src/net/tls/handshake12/client.js';
import { suiteByName } from '../../src/tls/registry/index.js';
import { fetchSessionTicket } from '../../src/net/tls/session-ticket.js';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsFeaturesProbe } from '../../src/probes/tls/features.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { vulnTicketbleedProbe } from '../../src/probes/vuln/ticketbleed.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const local = new LocalServers('hs12');
let rsa: { key: string; cert: string };
let ec: { key: string; cert: string };

beforeAll(() => {
  rsa = local.selfSigned('rsa', 'rsa', 'rsa.hs12.test');
  ec = local.selfSigned('ec', 'ec', 'ec.hs12.test');
});
afterAll(() => local.stop());

const opts = (port: number, version: Handshake12Options['version'], suite: string): Handshake12Options => {
  const code = suiteByName(suite)?.code;
  if (code === undefined) throw new Error(`unknown suite ${suite}`);
  return { ip: '127.0.0.1', port, timeoutMs: 5000, signal: new AbortController().signal, serverName: null, version, cipherSuites: [code] };
};

describe('raw full handshake against openssl s_server (RSA certificate, every suite at SECLEVEL=0)', () => {
  let port: number;
  beforeAll(async () => {
    port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-cipher', 'ALL:eNULL:@SECLEVEL=0', '-dhparam', local.dh1024()]);
  });

  const cases: Array<[Handshake12Options['version'], string, RegExp]> = [
    ['TLSv1.2', 'TLS_RSA_WITH_NULL_SHA256', /^RSA 2048$/],
    ['TLSv1.2', 'TLS_RSA_WITH_NULL_SHA', /^RSA/],
    ['TLSv1.0', 'TLS_RSA_WITH_NULL_MD5', /^RSA/],
    ['TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', /^ECDH group 29$/],
    ['TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', /^ECDH/],
    ['TLSv1.2', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', /^ECDH/],
    ['TLSv1.2', 'TLS_DHE_RSA_WITH_AES_128_CCM', /^DH 1024$/],
    ['TLSv1.2', 'TLS_DHE_RSA_WITH_AES_256_CCM_8', /^DH 1024$/],
    ['TLSv1.2', 'TLS_RSA_WITH_ARIA_128_GCM_SHA256', /^RSA/],
    ['TLSv1.2', 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384', /^ECDH/],
    ['TLSv1.2', 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', /^DH 1024$/],
    ['TLSv1.1', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', /^ECDH/],
    ['TLSv1.0', 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', /^DH 1024$/],
    ['TLSv1.0', 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', /^DH 1024$/],
    ['TLSv1.2', 'TLS_DH_anon_WITH_AES_128_GCM_SHA256', /^DH 1024$/],
    ['TLSv1.0', 'TLS_ECDH_anon_WITH_NULL_SHA', /^ECDH/],
  ];
  it.each(cases)('%s %s: completed, Finished verified, a ticket issued', async (version, suite, kx) => {
    const r = await fullHandshake12(opts(port, version, suite));
    if (!r.ok) throw new Error(`${suite}: ${r.kind}: ${r.reason}`);
    expect(r.session).toMatchObject({ protocol: version, suiteName: suite, extendedMasterSecret: true });
    expect(r.session.keyExchange).toMatch(kx);
    expect(r.session.ticket?.length).toBeGreaterThan(0);
    expect(r.session.masterSecret).toHaveLength(48);
  });

  it('without extended master secret offered, the session has none', async () => {
    const r = await fullHandshake12({ ...opts(port, 'TLSv1.2', 'TLS_RSA_WITH_AES_128_CBC_SHA'), extendedMasterSecret: false, sessionTicket: false });
    if (!r.ok) throw new Error(r.reason);
    expect(r.session).toMatchObject({ extendedMasterSecret: false, ticket: null });
    expect(r.session.sessionId.length).toBe(32);
  });
});

describe('raw full handshake: other certificates and refusals', () => {
  it('ECDSA certificate with ECDHE on P-256 only, TLS 1.2', async () => {
    const port = await local.sServer(['-www', '-key', ec.key, '-cert', ec.cert, '-cipher', 'ECDHE-ECDSA-AES256-SHA384', '-groups', 'P-256']);
    const r = await fullHandshake12(opts(port, 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.session.keyExchange).toBe('ECDH group 23');
  });

  it('a server that shares none of the offered suites refuses with an alert', async () => {
    const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-cipher', 'AES128-SHA']);
    const r = await fullHandshake12(opts(port, 'TLSv1.2', 'TLS_RSA_WITH_NULL_SHA256'));
    expect(r).toMatchObject({ ok: false, kind: 'refused', alert: 40 });
  });
});

describe('Ticketbleed takes its ticket from the raw client', () => {
  /** tls-protocols, then Ticketbleed, as the engine runs them. */
  async function ticketbleed(port: number) {
    const { ctx, connections, reset } = loopbackContext(port, { connectTimeoutMs: 3000 });
    const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
    reset();
    const ev = await vulnTicketbleedProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    return { ev, connections: connections() };
  }

  it("NULL-SHA256 only (Node's client cannot negotiate it): a verdict, not unknown", async () => {
    const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-cipher', 'NULL-SHA256:@SECLEVEL=0']);
    const node = await fetchSessionTicket({ ip: '127.0.0.1', port, servername: null, version: 'TLSv1.2', timeoutMs: 3000, signal: new AbortController().signal });
    expect(node.ok).toBe(false);
    const { ev, connections } = await ticketbleed(port);
    expect(ev).toMatchObject({ verdict: 'not-vulnerable', version: 'TLSv1.2', ticketIssued: true, resumed: true, sessionIdSent: 1, sessionIdEchoed: 1 });
    expect(connections).toBe(2);
  });

  it('TLS 1.0 only with DHE-RSA and a CBC suite: resumed from the raw session, EMS kept', async () => {
    const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-tls1', '-cipher', 'DHE-RSA-AES256-SHA:@SECLEVEL=0', '-dhparam', local.dh1024()]);
    const { ev } = await ticketbleed(port);
    expect(ev).toMatchObject({ verdict: 'not-vulnerable', version: 'TLSv1.0', resumed: true, sessionIdEchoed: 1 });
  });
});

describe('tls-features asks resumption through the raw engine when Node cannot', () => {
  it('NULL-SHA256 only: session-ID and ticket resumption decided, with a note saying how', async () => {
    const port = await local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-cipher', 'NULL-SHA256:@SECLEVEL=0']);
    const { ctx } = loopbackContext(port, { connectTimeoutMs: 3000 });
    const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
    const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    const ev = await tlsFeaturesProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols], [tlsCiphersProbe, ciphers]]));
    expect(ev.resumption).toEqual({ ids: true, tickets: true });
    expect(ev.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^TLSv1\.2 session-ID resumption: through the raw engine \(TLS_RSA_WITH_NULL_SHA256; Node: .+\): abbreviated handshake$/)]));
  });
});
