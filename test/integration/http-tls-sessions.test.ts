// pinnedRequest resumes the TLS session of an earlier verified request to the same address, port,
// name and trust anchors, and never one of a handshake that did not verify: against a real Node
// https server on 127.0.0.1, which tells whether each connection was resumed.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pinnedRequest } from '../../src/net/http/pinned-request.js';
import { forgetSessions } from '../../src/net/http/tls-sessions.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('tls-sessions');
afterEach(() => local.closeServers());
afterAll(() => local.stop());
beforeEach(() => forgetSessions());

let files: { key: string; cert: string };
let trusted: string[];
beforeAll(() => {
  files = local.selfSigned('site', 'ec', 'a.secgrade.test');
  trusted = [readFileSync(files.cert, 'utf8')];
});

/** An https server recording, per connection, whether its handshake resumed a session. */
async function server(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ port: number; resumed: boolean[] }> {
  const resumed: boolean[] = [];
  const s = https.createServer({ key: readFileSync(files.key), cert: readFileSync(files.cert), maxVersion }, (_req, res) => res.end('ok'));
  s.on('secureConnection', (socket: TLSSocket) => resumed.push(socket.isSessionReused()));
  return { port: await local.listen(s), resumed };
}

const get = (port: number, extraCa: readonly string[], servername = 'a.secgrade.test') =>
  pinnedRequest({ url: new URL(`https://${servername}:${port}/`), ip: '127.0.0.1', servername, extraCa, timeoutMs: 5000, signal: AbortSignal.timeout(10_000) });

describe('TLS session resumption across pinned requests', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: the second request to the same place resumes, and still reports the certificate as verified`, async () => {
      const { port, resumed } = await server(version);
      const first = await get(port, trusted);
      // TLS 1.3 tickets follow the handshake: give the first one a moment to arrive.
      await new Promise((r) => setTimeout(r, 50));
      const second = await get(port, trusted);
      expect(first.tls).toEqual({ authorized: true, error: null });
      expect(second.tls).toEqual({ authorized: true, error: null });
      expect(resumed).toEqual([false, true]);
    });
  }

  it('a handshake that did not verify leaves no session to resume', async () => {
    const { port, resumed } = await server('TLSv1.3');
    const untrusted: string[] = [];
    const first = await get(port, untrusted);
    await new Promise((r) => setTimeout(r, 50));
    const second = await get(port, untrusted);
    expect(first.tls?.authorized).toBe(false);
    expect(second.tls?.authorized).toBe(false);
    expect(resumed).toEqual([false, false]);
  });

  it('another name, or other trust anchors, never get the session', async () => {
    const { port, resumed } = await server('TLSv1.3');
    await get(port, trusted);
    await new Promise((r) => setTimeout(r, 50));
    const otherName = await get(port, trusted, 'b.secgrade.test');
    const otherTrust = await get(port, [...trusted]);
    // The certificate names a.secgrade.test only: a resumed handshake would have said "verified".
    expect(otherName.tls?.authorized).toBe(false);
    expect(otherTrust.tls).toEqual({ authorized: true, error: null });
    expect(resumed).toEqual([false, false, false]);
  });
});
