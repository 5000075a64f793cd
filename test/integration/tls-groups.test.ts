/**
 * tls-groups against real servers on 127.0.0.1 (`openssl s_server` and Node's tls), driven through
 * the probe contract after the real tls-protocols and tls-ciphers probes, plus fake servers that
 * answer the group enumeration wrongly on purpose (named "fake" below).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { enumerateTls13Groups, TLS13_OFFER, tlsGroupsProbe } from '../../src/probes/tls/groups.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import type { TlsCiphersEvidence } from '../../src/tls/ciphers.js';
import { checkTlsGroups, type TlsGroupsEvidence } from '../../src/tls/groups.js';
import type { TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { expectValidReport } from '../helpers/schema.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';

const local = new LocalServers('groups');
let ec: { key: string; cert: string };
let rsa: { key: string; cert: string };
let dh1024: string;

beforeAll(() => {
  ec = local.selfSigned('ec', 'ec', 'groups.secgrade.test');
  rsa = local.selfSigned('rsa', 'rsa', 'dhe.secgrade.test');
  dh1024 = local.dh1024();
});

afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

/** `openssl s_server -www` on a loopback port, accepting when this resolves. */
const sServer = (args: string[]): Promise<number> => local.sServer(['-www', ...args]);
const listen = (server: net.Server): Promise<number> => local.listen(server);

async function nodeServer(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer({ key: readFileSync(ec.key), cert: readFileSync(ec.cert), ...options }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

const context = (port: number) => loopbackContext(port);

interface Run {
  protocols: TlsProtocolsEvidence;
  ciphers: TlsCiphersEvidence;
  groups: TlsGroupsEvidence;
  /** Connections tls-groups alone opened. */
  handshakes: number;
}

/** tls-protocols → tls-ciphers → tls-groups, as the engine orders them. */
async function runProbes(port: number): Promise<Run> {
  const { ctx, connections, reset } = context(port);
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
  reset();
  const deps = testDeps([
    [tlsProtocolsProbe, protocols],
    [tlsCiphersProbe, ciphers],
  ]);
  const groups = await tlsGroupsProbe.collect(ctx, deps);
  return { protocols, ciphers, groups, handshakes: connections() };
}

const ids = (ev: TlsGroupsEvidence) => checkTlsGroups(ev).map((f) => f.id);

describe('tls-groups against openssl s_server', () => {
  it('-groups P-384:X25519 -serverpref: TLS 1.3 groups in the server order; TLS 1.2 asked only beyond them', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert, '-groups', 'P-384:X25519', '-serverpref']);
    const run = await runProbes(port);
    expect(run.groups).toEqual({ tls13Groups: ['secp384r1', 'x25519'], tls12Curves: [], tls12Beyond13: true, dhPrimeBits: null, incomplete: [] });
    // (groups + 1) for TLS 1.3; then TLS 1.2 (ECDSA suites only): the curves beyond, TLS 1.3's
    // after them → the server's favourite secp384r1; the curves beyond with the certificate's
    // secp256r1 (one of them) → refused: none of them is usable. No DHE suite was accepted.
    expect(run.handshakes).toBe(3 + 2);
    expect(tlsGroupsProbe.fields(run.groups)).toEqual({ groups: ['secp384r1', 'x25519'], dhParameterBits: null });
    expect(ids(run.groups)).toEqual(['tls.kx.no-pq']);
  });

  it('-groups X25519:P-384 without -serverpref: TLS 1.3 keeps the server order, TLS 1.2 adds nothing', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert, '-groups', 'X25519:P-384']);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual(['x25519', 'secp384r1']);
    expect(run.groups.tls12Curves).toEqual([]);
    expect(run.groups.incomplete).toEqual([]);
    expect(run.handshakes).toBe(3 + 2);
  });

  it('OpenSSL defaults, ECDSA P-256 certificate: every TLS 1.3 group; TLS 1.2 ends on the certificate curve', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert]);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual([
      'x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1',
      'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192',
    ]);
    // The curves beyond TLS 1.3's, then its five: x25519 (ours first, the server follows us); then
    // the curves beyond with secp256r1 behind them: secp256r1, so none beyond is usable.
    expect(run.groups.tls12Curves).toEqual([]);
    expect(run.groups.incomplete).toEqual([]);
    expect(run.handshakes).toBe(11 + 2);
  });

  it('the same server without TLS 1.3: every TLS 1.2 curve; the certificate curve is kept in later offers', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert, '-no_tls1_3']);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual([]);
    // TLS 1.2 ECDHE has no FFDHE, and OpenSSL follows the client's order there. Once secp256r1 is
    // found, ECDHE_ECDSA needs it offered: one refusal, then it rides last in every offer; the
    // server finally picks it again and one reversed offer shows it follows our order (complete).
    expect(run.groups.tls12Curves).toEqual(['x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'x448']);
    expect(run.groups.tls12Beyond13).toBeUndefined();
    expect(run.groups.incomplete).toEqual([]);
    expect(run.handshakes).toBe(5 + 1 + 1 + 1);
  });

  it('ECDSA certificate with -serverpref X25519:P-256:P-384, no TLS 1.3: TLS 1.2 curves below the certificate curve cannot be negotiated, and are noted', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert, '-groups', 'X25519:P-256:P-384', '-serverpref', '-no_tls1_3']);
    const run = await runProbes(port);
    expect(run.groups.tls12Curves).toEqual(['x25519', 'secp256r1']);
    // No client can negotiate the rest (it must offer P-256, which the server then picks): a note, not a lower bound.
    expect(run.groups.incomplete).toEqual([]);
    expect(run.groups.notes).toEqual([expect.stringMatching(/^TLS 1\.2 curves: the server prefers secp256r1, its ECDSA certificate's curve/)]);
    expect(tlsGroupsProbe.fields(run.groups)).toEqual({ groups: ['x25519', 'secp256r1'], dhParameterBits: null });
  });

  it('the same server with TLS 1.3: its three groups, and TLS 1.2 adds none in two hellos', async () => {
    const port = await sServer(['-key', ec.key, '-cert', ec.cert, '-groups', 'X25519:P-256:P-384', '-serverpref']);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual(['x25519', 'secp256r1', 'secp384r1']);
    expect(run.groups.tls12Curves).toEqual([]);
    expect(run.groups.incomplete).toEqual([]);
    expect(run.handshakes).toBe(4 + 2);
    expect(tlsGroupsProbe.fields(run.groups)).toEqual({ groups: ['x25519', 'secp256r1', 'secp384r1'], dhParameterBits: null });
    // The TLS 1.3 list is complete, so the no-pq gap is still reported.
    expect(ids(run.groups)).toEqual(['tls.kx.no-pq']);
  });

  it('DHE with a 1024-bit prime: dhPrimeBits and tls.kx.dh-weak (medium)', async () => {
    const port = await sServer([
      '-key', rsa.key, '-cert', rsa.cert, '-dhparam', dh1024,
      '-cipher', 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0', '-no_tls1_3',
    ]);
    const run = await runProbes(port);
    expect(run.protocols.protocols['TLSv1.3']).toBe(false);
    expect(run.ciphers.suites['TLSv1.2']).toEqual(['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256']);
    // The RFC 2409 group 2 prime (the dh1024 helper's file), recorded so Logjam can name it.
    expect(run.groups).toEqual({ tls13Groups: [], tls12Curves: [], dhPrimeBits: 1024, dhPrime: expect.stringMatching(/^FFFFFFFFFFFFFFFFC90FDAA2/), incomplete: [] });
    expect(run.handshakes).toBe(1);
    // A published group: known, so no primality test and no finding beyond its size.
    expect(tlsGroupsProbe.fields(run.groups)).toEqual({ groups: [], dhParameterBits: 1024, dhParameterPrime: 'known' });
    const findings = checkTlsGroups(run.groups);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['tls.kx.dh-weak', 'medium']]);
    expect(findings[0]?.detail).toContain('1024-bit');
  });

  it('RSA certificate, -groups P-256:P-192 -serverpref: secp192r1 in TLS 1.2 → tls.kx.weak-curve; TLS 1.3 does not use it', async () => {
    const port = await sServer(['-key', rsa.key, '-cert', rsa.cert, '-groups', 'P-256:P-192', '-serverpref', '-cipher', 'ECDHE:@SECLEVEL=0']);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual(['secp256r1']);
    // TLS 1.3's list was complete and RSA suites leave the curve free: TLS 1.2 is asked only for
    // the curves beyond it, which finds secp192r1; the union is the whole set.
    expect(run.groups.tls12Curves).toEqual(['secp192r1']);
    expect(run.groups.tls12Beyond13).toBe(true);
    expect(run.groups.incomplete).toEqual([]);
    expect(run.handshakes).toBe(2 + 2);
    expect(tlsGroupsProbe.fields(run.groups)).toMatchObject({ groups: ['secp256r1', 'secp192r1'] });
    const weak = checkTlsGroups(run.groups).find((f) => f.id === 'tls.kx.weak-curve');
    expect(weak).toMatchObject({ severity: 'medium', evidence: { curves: ['secp192r1'] } });
  });

  it('RSA certificate, OpenSSL defaults: no TLS 1.2 curve beyond the TLS 1.3 groups, told by one refused hello', async () => {
    const port = await sServer(['-key', rsa.key, '-cert', rsa.cert]);
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual([
      'x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1',
      'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192',
    ]);
    expect(run.groups.tls12Curves).toEqual([]);
    expect(run.groups.tls12Beyond13).toBe(true);
    expect(run.groups.incomplete).toEqual([]);
    // (groups + 1) for TLS 1.3, one refused hello for TLS 1.2 (the old way: 5 + 1, each signed),
    // one for the DHE prime (RSA: OpenSSL's DHE suites are accepted too).
    expect(run.handshakes).toBe(11 + 1 + 1);
    expect(run.groups.dhPrimeBits).toBe(2048);
    expect(tlsGroupsProbe.fields(run.groups)).toMatchObject({ groups: run.groups.tls13Groups });
  });
});

describe('tls-groups against Node tls', () => {
  it("ecdhCurve 'P-384:X25519' with honorCipherOrder: TLS 1.3 in that order, nothing beyond it at TLS 1.2", async () => {
    const port = await nodeServer({ ecdhCurve: 'P-384:X25519', honorCipherOrder: true });
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual(['secp384r1', 'x25519']);
    expect(run.groups.tls12Curves).toEqual([]);
    expect(run.handshakes).toBe(3 + 2);
  });

  it("ecdhCurve 'P-384:X25519' with honorCipherOrder, TLS 1.2 only: the curves in that order", async () => {
    const port = await nodeServer({ ecdhCurve: 'P-384:X25519', honorCipherOrder: true, maxVersion: 'TLSv1.2' });
    const run = await runProbes(port);
    expect(run.groups.tls13Groups).toEqual([]);
    expect(run.groups.tls12Curves).toEqual(['secp384r1', 'x25519']);
    expect(run.handshakes).toBe(3);
  });

  it('the whole engine: report.tls.groups, the probe cost and the finding', async () => {
    const port = await nodeServer({ ecdhCurve: 'P-384:X25519', honorCipherOrder: true, minVersion: 'TLSv1.2' });
    const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
      resolver: {} as Resolver,
      ips: ['127.0.0.1'],
      trust: createTrustStore(),
      reference: testReference(),
      timeoutMs: 30_000,
      probes: [tlsProtocolsProbe, tlsCiphersProbe, tlsGroupsProbe],
    });
    expectValidReport(report);
    const t = report.endpoints[0]!.tls;
    expect(t.groups).toEqual(['secp384r1', 'x25519']);
    expect(t.probes['tls-groups']).toMatchObject({ status: 'ok', connections: 5 });
    expect(report.findings.filter((f) => f.id.startsWith('tls.kx.')).map((f) => f.id)).toEqual(['tls.kx.no-pq']);
  });
});

// Server-side bytes for fakes.
const rec = (type: number, fragment: Buffer): Buffer => new Writer().u8(type).u16(0x0303).vector16(fragment).toBuffer();
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
function tls13ServerHello(opts: { hrr: boolean; group: number; suite?: number }): Buffer {
  const keyShare = opts.hrr ? new Writer().u16(opts.group).toBuffer() : new Writer().u16(opts.group).vector16(Buffer.alloc(32, 9)).toBuffer();
  const exts = new Writer().u16(0x002b).vector16(Buffer.from([3, 4])).u16(0x0033).vector16(keyShare).toBuffer();
  const body = new Writer()
    .u16(0x0303)
    .bytes(opts.hrr ? HRR_RANDOM : Buffer.alloc(32, 0x42))
    .vector8(Buffer.alloc(0))
    .u16(opts.suite ?? 0x1301)
    .u8(0)
    .vector16(exts)
    .toBuffer();
  return rec(22, new Writer().u8(2).vector24(body).toBuffer());
}

/** A fake server answering each hello with `answer(n)` (n = 0, 1 …), then closing. */
async function fakeServer(answer: (n: number) => Buffer): Promise<number> {
  let n = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(answer(n++)));
  });
  return listen(server);
}

const tls13Only: TlsProtocolsEvidence = {
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true },
  attempts: {},
  sslv2Ciphers: [],
  firstPick: {},
};

describe('tls-groups against fake TLS 1.3 servers', () => {
  it('fake: a ServerHello (not HRR) with a key share we never sent is a protocol error', async () => {
    const port = await fakeServer(() => tls13ServerHello({ hrr: false, group: 0x001d }));
    const { ctx, connections } = context(port);
    const e = await enumerateTls13Groups(ctx, ctx.endpoint!);
    expect(e.codes).toEqual([]);
    expect(e.incomplete).toMatch(/protocol error: .*ServerHello with a key share for x25519/);
    expect(connections()).toBe(1);
  });

  it('fake: an HRR naming a group already removed ends the list as incomplete', async () => {
    const port = await fakeServer(() => tls13ServerHello({ hrr: true, group: 0x0017 }));
    const { ctx, connections } = context(port);
    const e = await enumerateTls13Groups(ctx, ctx.endpoint!);
    expect(e.codes).toEqual([0x0017]);
    expect(e.incomplete).toMatch(/secp256r1, which was not offered/);
    expect(connections()).toBe(2);
  });

  it('fake: a server that names every group in turn is bounded by the offer and the round limit', async () => {
    const port = await fakeServer((n) => tls13ServerHello({ hrr: true, group: TLS13_OFFER[n % TLS13_OFFER.length]! }));
    const { ctx, connections } = context(port);
    const e = await enumerateTls13Groups(ctx, ctx.endpoint!);
    // Sequential connections: the n-th hello gets the n-th group, so all are accepted and the loop stops when none remain.
    expect(e.codes).toEqual([...TLS13_OFFER]);
    expect(e.incomplete).toBeUndefined();
    expect(connections()).toBe(TLS13_OFFER.length);
    expect(TLS13_OFFER.length).toBeLessThanOrEqual(64);
  });

  it('fake: a hybrid post-quantum favourite, then x25519, then handshake_failure → tls.kx.pq-hybrid', async () => {
    const alert = rec(21, Buffer.from([2, 40]));
    const port = await fakeServer((n) => (n === 0 ? tls13ServerHello({ hrr: true, group: 0x11ec }) : n === 1 ? tls13ServerHello({ hrr: true, group: 0x001d }) : alert));
    const { ctx, connections } = context(port);
    const groups = await tlsGroupsProbe.collect(ctx, testDeps([[tlsProtocolsProbe, tls13Only]]));
    expect(groups).toEqual({ tls13Groups: ['X25519MLKEM768', 'x25519'], tls12Curves: [], dhPrimeBits: null, incomplete: [] });
    expect(connections()).toBe(3);
    expect(ids(groups)).toEqual(['tls.kx.pq-hybrid']);
  });

  it('the probe turns a first-round protocol error into a probe error', async () => {
    const port = await fakeServer(() => tls13ServerHello({ hrr: false, group: 0x001d }));
    const { ctx } = context(port);
    await expect(tlsGroupsProbe.collect(ctx, testDeps([[tlsProtocolsProbe, tls13Only]]))).rejects.toThrow(/TLS 1\.3 groups: protocol error/);
  });
});
