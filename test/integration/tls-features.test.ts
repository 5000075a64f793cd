/**
 * tls-features through the engine (after tls-protocols and tls-ciphers) against real servers on
 * 127.0.0.1: Node's tls, `openssl s_server` (OCSP staple, SCT serverinfo, ALPN, tickets and cache
 * on/off). gnutls-serv (heartbeat, no RFC 5746, no EMS) is a Debian package, so that case lives in
 * test/conformance/tls-features-gnutls.test.ts. TLS compression and
 * an ignored TLS_FALLBACK_SCSV cannot be configured on any of these (OpenSSL 3 here is built
 * without zlib; all three honour the SCSV), so a fake server that does both covers collect().
 */
import { execFileSync } from 'node:child_process';
import { constants as cryptoConstants } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsFeaturesProbe } from '../../src/probes/tls/features.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import type { TlsCiphersEvidence } from '../../src/tls/ciphers.js';
import type { TlsFeaturesEvidence } from '../../src/tls/features.js';
import type { TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import { defineEndpointProbe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import type { Report } from '../../src/model/report.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const local = new LocalServers('features');
const dir = local.dir;
let key: string;
let cert: string;
const trust = createTrustStore();

// IP targets only: an IP literal resolves to itself, as the system resolver does.
const resolver = {
  description: 'literal',
  async addresses(host: string) {
    return { status: 'ok', addresses: [{ address: host, family: net.isIP(host) }] };
  },
  async query() {
    return { status: 'nodata', authenticated: false, server: 'none', transport: 'udp' };
  },
} as unknown as Resolver;

const openssl = (args: string[]): void => local.openssl(args);


beforeAll(() => {
  // A CA, a leaf it signs, and a "good" OCSP response for the leaf, for s_server -status_file.
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=features-ca']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=features.secgrade.test']);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2']);
  const serial = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-serial'], { cwd: dir, encoding: 'utf8' }).trim().split('=')[1];
  const expiry = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(join(dir, 'index.txt'), `V\t${expiry}\t\t${serial}\tunknown\t/CN=features.secgrade.test\n`);
  openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der']);
  openssl(['ocsp', '-index', 'index.txt', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-reqin', 'req.der', '-respout', 'ocsp.der', '-ndays', '1']);
  // signed_certificate_timestamp (18) served as-is to clients that ask for it (the list is opaque to us).
  const sct = Buffer.from([0x00, 0x04, 0x00, 0x02, 0xab, 0xcd]);
  const ext = Buffer.concat([Buffer.from([0, 18, 0, sct.length]), sct]);
  writeFileSync(join(dir, 'sct.pem'), `-----BEGIN SERVERINFO FOR features-----\n${ext.toString('base64')}\n-----END SERVERINFO FOR features-----\n`);
  key = readFileSync(join(dir, 'leaf.key'), 'utf8');
  cert = readFileSync(join(dir, 'leaf.pem'), 'utf8');
});

afterAll(() => local.stop());
afterEach(() => local.closeServers());

const listen = (server: net.Server): Promise<number> => local.listen(server);

/** A Node TLS server that answers and closes; with `sessionStore`, it resumes session IDs too. */
async function nodeServer(options: tls.TlsOptions, sessionStore = false): Promise<number> {
  const server = tls.createServer({ key, cert, ...options }, (s) => {
    s.on('error', () => undefined);
    s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  server.on('tlsClientError', () => undefined);
  if (sessionStore) {
    const store = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      store.set(id.toString('hex'), data);
      cb();
    });
    server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, store.get(id.toString('hex')) ?? null));
  }
  return listen(server);
}

/** `openssl s_server -www` with the leaf certificate; resolves to its port. */
const sServer = (args: string[]): Promise<number> => local.sServer(['-www', '-key', 'leaf.key', '-cert', 'leaf.pem', ...args]);

interface Scan {
  report: Report;
  ev: TlsFeaturesEvidence;
  features: NonNullable<Report['endpoints'][number]['tls']['features']>;
  findings: string[];
  connections: number;
}

/** Scan through the engine, keeping the features evidence (notes are not in the report). */
async function scan(port: number): Promise<Scan> {
  let ev: TlsFeaturesEvidence | undefined;
  const capturing = defineEndpointProbe({
    ...tlsFeaturesProbe,
    async collect(ctx, deps) {
      ev = await tlsFeaturesProbe.collect(ctx, deps);
      return ev;
    },
  });
  const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
    resolver,
    trust,
    reference: testReference(),
    timeoutMs: 50_000,
    connectTimeoutMs: 5000,
    probes: [tlsProtocolsProbe, tlsCiphersProbe, capturing],
  });
  expectValidReport(report);
  const tlsResult = report.endpoints[0]!.tls;
  const status = tlsResult.probes['tls-features'];
  if (status?.status !== 'ok' || !ev || !tlsResult.features) throw new Error(`tls-features: ${JSON.stringify(status)}`);
  return {
    report,
    ev,
    features: tlsResult.features,
    findings: report.findings.filter((f) => f.id.startsWith('tls.feature.')).map((f) => f.id),
    connections: status.connections,
  };
}

describe('tls-features against real servers', () => {
  it('Node, TLS 1.2 + 1.3, ALPN h2 + http/1.1, a session cache: everything modern, no OCSP staple', async () => {
    const port = await nodeServer({ ALPNProtocols: ['h2', 'http/1.1'], minVersion: 'TLSv1.2' }, true);
    const s = await scan(port);
    expect(s.features).toEqual({
      alpn: ['h2', 'http/1.1'],
      secureRenegotiation: true,
      fallbackScsv: true,
      extendedMasterSecret: true,
      ocspStapling: false,
      sctExtension: false,
      heartbeat: false,
      sessionTickets: true,
      compression: false,
      resumption: { ids: true, tickets: true },
    });
    expect(s.ev.versions).toEqual({ legacy: 'TLSv1.2', tls13: true });
    expect(s.findings).toEqual(['tls.feature.no-ocsp-stapling']);
    // 3 raw hellos (features, renegotiation SCSV, fallback SCSV) + 2 TLS 1.3 (ALPN ×2, one of them
    // resumable) + 1 TLS 1.3 resumption + 2 × 2 TLS 1.2 resumption (IDs, tickets).
    expect(s.connections).toBe(10);
  });

  it('Node, TLS 1.2 only, no ALPN, no tickets, no session cache: resumption impossible, SCSV untestable', async () => {
    const port = await nodeServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', secureOptions: cryptoConstants.SSL_OP_NO_TICKET });
    const s = await scan(port);
    expect(s.features).toMatchObject({
      alpn: [],
      secureRenegotiation: true,
      fallbackScsv: null,
      extendedMasterSecret: true,
      sessionTickets: false,
      compression: false,
      resumption: { ids: false, tickets: false },
    });
    expect(s.ev.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/only one protocol version/), 'ALPN: the server selected no protocol', 'TLSv1.2: the server issued no session ticket']),
    );
    expect(s.findings).toEqual(['tls.feature.no-ocsp-stapling']);
    // 3 raw hellos (features, ALPN http/1.1, renegotiation SCSV; no fallback to ask) + 3 Node
    // handshakes (session ID and its resumption; the ticket attempt gets none, so no second).
    expect(s.connections).toBe(6);
  });

  it('s_server with a stapled OCSP response, an SCT extension and ALPN http/1.1 only', async () => {
    const port = await sServer(['-status_file', 'ocsp.der', '-serverinfo', 'sct.pem', '-alpn', 'http/1.1']);
    const s = await scan(port);
    expect(s.features).toEqual({
      alpn: ['http/1.1'],
      secureRenegotiation: true,
      fallbackScsv: true,
      extendedMasterSecret: true,
      ocspStapling: true,
      sctExtension: true,
      heartbeat: false,
      sessionTickets: true,
      compression: false,
      resumption: { ids: true, tickets: true },
    });
    expect(s.ev.notes).toContain('ALPN: offered h2 and http/1.1, the server chose http/1.1');
    expect(s.findings).toEqual(['tls.feature.no-h2']);
  });

  it('s_server TLS 1.2 with -no_ticket: session IDs resume, tickets do not exist', async () => {
    const s = await scan(await sServer(['-tls1_2', '-no_ticket']));
    expect(s.features).toMatchObject({ sessionTickets: false, fallbackScsv: null, resumption: { ids: true, tickets: false }, alpn: [] });
    expect(s.findings).toEqual(['tls.feature.no-ocsp-stapling']);
  });

  it('s_server TLS 1.2 with -no_ticket -no_cache: no resumption at all', async () => {
    const s = await scan(await sServer(['-tls1_2', '-no_ticket', '-no_cache']));
    expect(s.features.resumption).toEqual({ ids: false, tickets: false });
  });

  it('s_server TLS 1.3 only: ALPN, OCSP and resumption through Node; the rest is built out or encrypted', async () => {
    // CCM_8 only: off in OpenSSL's default client list, so the probe must offer it itself.
    const s = await scan(await sServer(['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_8_SHA256', '-status_file', 'ocsp.der', '-alpn', 'h2,http/1.1']));
    expect(s.features).toEqual({
      alpn: ['h2', 'http/1.1'],
      secureRenegotiation: null,
      fallbackScsv: null,
      extendedMasterSecret: null,
      ocspStapling: true,
      sctExtension: null,
      heartbeat: null,
      sessionTickets: null,
      compression: false,
      resumption: { ids: null, tickets: true },
    });
    expect(s.ev.versions).toEqual({ legacy: null, tls13: true });
    expect(s.findings).toEqual([]);
    expect(s.connections).toBe(3);
  });

  it('s_server TLS 1.3 that issues no tickets: resumption by ticket is false after the wait', async () => {
    const s = await scan(await sServer(['-tls1_3', '-num_tickets', '0']));
    expect(s.features.resumption).toEqual({ ids: null, tickets: false });
    expect(s.ev.notes).toContain('TLS 1.3 resumption: no session ticket within 2000 ms of the handshake');
    // The resuming handshake is not even tried, nor ALPN with http/1.1 alone: s_server picked no
    // protocol from h2 and http/1.1, so it has none to pick from one.
    expect(s.connections).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake TLS ≤ 1.2 server: picks the first offered suite, DEFLATE when offered, no extensions at
// all, and ignores TLS_FALLBACK_SCSV. It never finishes a handshake (Node's attempts fail).

interface Hello {
  version: number;
  suites: number[];
  compression: number[];
}

function parseHello(b: Buffer): Hello | null {
  if (b.length < 5 + 4 + 2 + 32 + 1 || b[0] !== 22 || b[5] !== 1) return null;
  let o = 9;
  const version = b.readUInt16BE(o);
  o += 2 + 32;
  o += 1 + b[o]!;
  const suitesLen = b.readUInt16BE(o);
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(b.readUInt16BE(o + 2 + i));
  o += 2 + suitesLen;
  const compression = [...b.subarray(o + 1, o + 1 + b[o]!)];
  return { version, suites, compression };
}

async function fakeLegacyServer(): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (data) => {
      const hello = parseHello(data);
      if (!hello || hello.version > 0x0303) {
        socket.destroy();
        return;
      }
      const suite = hello.suites.find((s) => s !== 0x00ff && s !== 0x5600) ?? 0x002f;
      const body = new Writer()
        .u16(hello.version)
        .bytes(Buffer.alloc(32, 7))
        .vector8(Buffer.alloc(0))
        .u16(suite)
        .u8(hello.compression.includes(1) ? 1 : 0)
        .toBuffer();
      const hs = (type: number, b: Buffer) => new Writer().u8(type).vector24(b).toBuffer();
      const flight = Buffer.concat([hs(2, body), hs(14, Buffer.alloc(0))]);
      socket.end(new Writer().u8(22).u16(hello.version).vector16(flight).toBuffer());
    });
  });
  return listen(server);
}

describe('tls-features collect against a fake legacy server', () => {
  it('reports DEFLATE, an ignored fallback SCSV and the missing extensions', async () => {
    const port = await fakeLegacyServer();
    const { ctx, connections } = loopbackContext(port, { connectTimeoutMs: 3000, resolver, trust });
    const protocols: TlsProtocolsEvidence = {
      protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false },
      attempts: {},
      sslv2Ciphers: [],
      firstPick: {},
    };
    const ciphers: TlsCiphersEvidence = {
      suites: { 'TLSv1.2': ['TLS_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.1': ['TLS_RSA_WITH_AES_128_CBC_SHA'] },
      serverPreference: {},
      incomplete: {},
    };
    const deps = testDeps([
      [tlsProtocolsProbe, protocols],
      [tlsCiphersProbe, ciphers],
    ]);
    const ev = await tlsFeaturesProbe.collect(ctx, deps);
    expect(ev).toMatchObject({
      alpn: [],
      secureRenegotiation: false,
      fallbackScsv: false,
      extendedMasterSecret: false,
      ocspStapling: false,
      sctExtension: false,
      heartbeat: false,
      sessionTickets: false,
      compression: true,
      resumption: { ids: null, tickets: null },
    });
    expect(ev.notes.some((n) => /session-ID resumption: handshake through Node failed/.test(n))).toBe(true);
    expect(tlsFeaturesProbe.check(ev, { target: ctx.target, endpoint: ctx.endpoint, now: new Date() }).map((f) => f.id)).toEqual([
      'tls.feature.no-secure-renegotiation',
      'tls.feature.compression',
      'tls.feature.no-fallback-scsv',
      'tls.feature.no-extended-master-secret',
      'tls.feature.no-ocsp-stapling',
    ]);
    // features, ALPN http/1.1, renegotiation SCSV, fallback SCSV + 2 failed Node handshakes, then
    // the raw engine's 2 (this fake's flight is a ServerHello and ServerHelloDone: nothing to key with).
    expect(connections()).toBe(8);
    expect(ev.notes.some((n) => /ticket resumption: handshake through Node failed .*; raw handshake: no DH ServerKeyExchange/.test(n))).toBe(true);
  });
});
