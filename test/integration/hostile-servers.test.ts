// Whole TLS scans (every TLS, certificate and vulnerability probe) against scripted fake servers that misbehave on purpose: each
// must end as a clean "could not test" or a result, within the deadline, never a crash or a hang.
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ALL_PROBES } from '../../src/probes/index.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

type Behaviour = (socket: net.Socket, firstBytes: Buffer) => void;

const local = new LocalServers('hostile');
afterEach(() => local.closeServers());
afterAll(() => local.stop());

/** A fake server: waits for the client's first bytes, then behaves as told. */
async function fake(behaviour: Behaviour): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => behaviour(socket, chunk));
    socket.setTimeout(10_000, () => socket.destroy());
  });
  return local.listen(server);
}

/** A TLS 1.2 ServerHello record choosing `suite`, which no client here ever offers. */
function serverHelloRecord(suite: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    Buffer.alloc(32, 7), // random
    Buffer.from([0x00]), // empty session id
    Buffer.from([suite >> 8, suite & 0xff]),
    Buffer.from([0x00]), // compression null
  ]);
  const hs = Buffer.concat([Buffer.from([0x02, 0x00, 0x00, body.length]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x00, hs.length]), hs]);
}

async function scan(port: number, timeoutMs = 5000, connectTimeoutMs = 1500) {
  const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
    resolver: createResolver({}),
    trust: createTrustStore(),
    reference: testReference(),
    timeoutMs,
    connectTimeoutMs,
    probes: ALL_PROBES.filter((p) => p.categories.some((c) => c === 'tls' || c === 'cert' || c === 'vulns')),
  });
  expectValidReport(report);
  return { report, tls: report.endpoints[0]!.tls };
}

describe('TLS scans of hostile fake servers', () => {
  it('fake: answers every hello with random bytes → could not test, no findings', async () => {
    const port = await fake((s) => s.end(Buffer.from('8f3a9c01d2e4b6a7c8d9e0f1a2b3c4d5e6f708192a3b4c5d', 'hex')));
    const { tls, report } = await scan(port);
    expect(tls.status).toBe('error');
    expect(tls.protocols['TLSv1.2']).toBeNull();
    expect(report.findings.filter((f) => f.id.startsWith('tls.protocol'))).toEqual([]);
  });

  it('fake: announces a 16 MB record → rejected quickly as not TLS', async () => {
    const port = await fake((s) => s.write(Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff, 0x02])));
    // Decided on the header, not at a deadline: the reasons name the record length and no probe
    // timed out. With 60 s deadlines a scan that waited them out fails by the test's 20 s timeout
    // (no elapsed time is asserted).
    const { tls, report } = await scan(port, 60_000, 60_000);
    expect(tls.probes['tls-protocols']).toMatchObject({ status: 'error', reason: expect.stringMatching(/record length 65535 exceeds/) });
    expect(report.probes.find((p) => p.id === 'tls-protocols')).toMatchObject({ status: 'error', errorKind: 'protocol' });
    expect(report.probes.filter((p) => p.errorKind === 'timeout')).toEqual([]);
  }, 20_000);

  it('fake: resets every hello without a byte → no TLS version refused (a reset is no answer), scan completes', async () => {
    const port = await fake((s) => s.resetAndDestroy());
    const { tls, report } = await scan(port);
    expect(tls.status).toBe('error');
    expect(tls.protocols).toMatchObject({ SSLv3: null, 'TLSv1.0': null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null });
    expect(report.probes.find((p) => p.id === 'tls-protocols')).toMatchObject({ status: 'error', errorKind: 'reset' });
    expect(report.probes.find((p) => p.id === 'tls-protocols')?.reason).toMatch(/reset the connection without sending a byte/);
    expect(report.findings.filter((f) => f.id.startsWith('tls.protocol'))).toEqual([]);
  });

  it('fake: resets in the middle of its ServerHello → protocols untested (null), no tls.protocol.no-modern', async () => {
    const port = await fake((s) => {
      s.write(serverHelloRecord(0xc02f).subarray(0, 20));
      setTimeout(() => s.resetAndDestroy(), 30);
    });
    const { tls, report } = await scan(port);
    expect(tls.protocols).toEqual({ SSLv2: null, SSLv3: null, 'TLSv1.0': null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null });
    expect(report.findings.map((f) => f.id)).not.toContain('tls.protocol.no-modern');
    expect(report.findings.filter((f) => f.id.startsWith('tls.protocol'))).toEqual([]);
    expect(report.probes.find((p) => p.id === 'tls-protocols')).toMatchObject({ status: 'error', errorKind: 'reset' });
    expect(report.probes.find((p) => p.id === 'tls-protocols')?.reason).toBe('the server reset the connection after 20 bytes of a record (on both attempts)');
  });

  it('fake: chooses a suite it was never offered → not counted as accepted', async () => {
    const port = await fake((s) => s.end(serverHelloRecord(0xfefe)));
    const { tls } = await scan(port);
    expect(Object.values(tls.cipherSuites).flat()).not.toContain('0xfefe');
    expect(tls.protocols['TLSv1.2']).toBeNull();
  });

  it('fake: answers an SSLv2 hello (and every other) with a TLS alert → refused, not a crash', async () => {
    const alert = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]); // fatal handshake_failure
    const port = await fake((s) => s.end(alert));
    const { tls } = await scan(port);
    expect(tls.protocols.SSLv2).toBe(false);
    expect(tls.protocols['TLSv1.3']).toBe(false);
  });

  it('fake: accepts TCP and never answers → ends at the deadline with a timeout reason', async () => {
    const port = await fake(() => undefined);
    // The deadlines end it (the reasons and typed kinds say so); a scan that hung would fail by the
    // test's timeout. No elapsed time is asserted.
    const { tls, report } = await scan(port, 2500);
    expect(tls.status).toBe('error');
    expect(tls.reason).toMatch(/within 1500 ms|deadline/);
    expect(report.probes.find((p) => p.id === 'tls-protocols')).toMatchObject({ status: 'error', errorKind: 'timeout' });
  });
});
