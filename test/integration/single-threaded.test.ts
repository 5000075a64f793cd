// Servers that serve one connection at a time: `openssl s_server` services a connection until the
// client leaves, and only then accepts the next. A probe whose connection waited behind another
// one timed out, which used to end Heartbleed and CCS injection as "no decisive answer". Now a
// timeout beside other open connections to the host is asked once more, alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vulnCcsInjectionProbe } from '../../src/probes/vuln/ccs-injection.js';
import { vulnHeartbleedProbe } from '../../src/probes/vuln/heartbleed.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import type { TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import { makeCert } from '../helpers/certs.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

let server: ChildProcess;
let port: number;
let dir: string;
let protocols: TlsProtocolsEvidence;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secgrade-single-'));
  const cert = await makeCert({ subject: 'CN=localhost', keyType: 'ec-p256' });
  writeFileSync(join(dir, 'key.pem'), cert.keyPem);
  writeFileSync(join(dir, 'cert.pem'), cert.pem);
  // Plain s_server (no -www): it holds each connection open, reading, until the client closes it.
  server = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-key', join(dir, 'key.pem'), '-cert', join(dir, 'cert.pem'), '-max_protocol', 'TLSv1.2'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`s_server exited (${code}): ${out}`)));
  });
  protocols = await tlsProtocolsProbe.collect(loopbackContext(port).ctx, testDeps());
}, 30_000);

afterAll(() => {
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A client that completes a handshake and then sits there: s_server serves nobody else meanwhile. */
function hold(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => setTimeout(() => s.end(), ms));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

describe('a single-threaded server busy with another connection', () => {
  it('the server really is busy: a second handshake waits for the first client to leave', async () => {
    const busy = hold(1500);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => s.end());
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect(Date.now() - t0).toBeGreaterThan(800);
    await busy;
  });

  for (const probe of [vulnHeartbleedProbe, vulnCcsInjectionProbe]) {
    it(`${probe.id}: a timeout beside another open connection is asked again alone, and decides`, async () => {
      const { ctx, connections, reset } = loopbackContext(port, { connectTimeoutMs: 800 });
      // Earlier probes of the scan have had answers from the host: it is alive, perhaps busy.
      await tlsProtocolsProbe.collect(ctx, testDeps());
      reset();
      // The other connection goes through the same limits, as another probe's would.
      const blocker = ctx.withConnection('127.0.0.1', () => hold(2000));
      await new Promise((r) => setTimeout(r, 200));
      const ev = await probe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
      await blocker;
      expect(ev.verdict).toBe('not-vulnerable');
      // The blocker, the attempt that timed out, and the one made alone.
      expect(connections()).toBeGreaterThanOrEqual(3);
    });
  }

  it('alone, nothing is asked twice', async () => {
    const { ctx, connections } = loopbackContext(port, { connectTimeoutMs: 2000 });
    const ev = await vulnHeartbleedProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    expect(ev.verdict).toBe('not-vulnerable');
    expect(connections()).toBe(ev.attempts.length);
  });
});
