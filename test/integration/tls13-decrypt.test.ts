/**
 * The raw client reads a TLS 1.3 server's encrypted flight (EncryptedExtensions, Certificate with
 * per-entry OCSP staple and SCTs, CertificateVerify) by deriving the server handshake keys, against
 * real servers on 127.0.0.1: Node's tls (OpenSSL 3) and `openssl s_server`.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawHello, type RawHelloResult } from '../../src/net/tls/raw-client.js';
import { buildClientHello, type ClientHelloOptions } from '../../src/net/tls/wire/client-hello.js';
import { ExtensionType, NamedGroup } from '../../src/net/tls/wire/constants.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('tls13');
let ec: { key: string; cert: string; der: Buffer; paths: { key: string; cert: string } };

beforeAll(() => {
  const paths = local.selfSigned('ec13', 'ec', 'tls13.secgrade.test');
  const cert = readFileSync(paths.cert, 'utf8');
  ec = { key: readFileSync(paths.key, 'utf8'), cert, der: new X509Certificate(cert).raw, paths };
});
afterAll(() => local.stop());
afterEach(() => local.closeServers());

async function tls13Server(options: tls.TlsOptions = {}, onServer?: (s: tls.Server) => void): Promise<number> {
  const server = tls.createServer({ key: ec.key, cert: ec.cert, minVersion: 'TLSv1.3', ...options }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  onServer?.(server);
  return local.listen(server);
}

async function decrypt(port: number, opts: Partial<ClientHelloOptions> = {}): Promise<Extract<RawHelloResult, { kind: 'server-hello' }>> {
  const built = buildClientHello({
    version: 'TLSv1.3',
    cipherSuites: [0x1301, 0x1302, 0x1303],
    serverName: 'tls13.secgrade.test',
    statusRequest: true,
    sct: true,
    ...opts,
  });
  const result = await rawHello({
    ip: '127.0.0.1',
    port,
    timeoutMs: 5000,
    signal: new AbortController().signal,
    hello: built.record,
    decryptTls13: built,
  });
  if (result.kind !== 'server-hello') throw new Error(`expected a ServerHello, got ${JSON.stringify(result)}`);
  return result;
}

describe('TLS 1.3 flight decryption', () => {
  for (const [suite, name] of [
    [0x1301, 'TLS_AES_128_GCM_SHA256'],
    [0x1302, 'TLS_AES_256_GCM_SHA384'],
    [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  ] as const) {
    it(`reads the certificate through ${name} (Node tls server)`, async () => {
      const port = await tls13Server({ ciphers: name });
      const r = await decrypt(port, { cipherSuites: [suite] });
      expect(r.serverHello.cipherSuite).toBe(suite);
      expect(r.interruptedBy).toBeUndefined();
      expect(r.tls13?.complete).toBe(true);
      expect(r.certificates).toHaveLength(1);
      expect(r.certificates[0]!.equals(ec.der)).toBe(true);
      expect(r.tls13?.encryptedExtensions).not.toBeNull();
    });
  }

  it('decrypts with a P-256 key share when the server prefers it', async () => {
    const port = await tls13Server({ ecdhCurve: 'P-256' });
    const r = await decrypt(port, { keyShareGroups: [NamedGroup.secp256r1, NamedGroup.x25519] });
    expect(r.serverHello.keyShareGroup).toBe(NamedGroup.secp256r1);
    expect(r.certificates[0]!.equals(ec.der)).toBe(true);
  });

  it('finds the ALPN choice in EncryptedExtensions', async () => {
    const port = await tls13Server({ ALPNProtocols: ['http/1.1'] });
    const r = await decrypt(port, { alpn: ['h2', 'http/1.1'] });
    const alpn = r.tls13?.encryptedExtensions?.find((e) => e.type === ExtensionType.alpn);
    expect(alpn?.data.subarray(3).toString()).toBe('http/1.1');
  });

  it("returns the OCSP staple from the leaf's certificate entry", async () => {
    const staple = Buffer.from('30030a0100', 'hex'); // any bytes: the wire layer does not judge them
    const port = await tls13Server({}, (s) => s.on('OCSPRequest', (_c, _i, cb) => cb(null, staple)));
    const r = await decrypt(port);
    expect(r.certificateStatus?.equals(staple)).toBe(true);
  });

  it('returns SCTs sent in the certificate entry (s_server -serverinfo, TLS 1.3 context)', async () => {
    const sctList = Buffer.from('000a0008' + '00'.repeat(8), 'hex');
    // SERVERINFOV2: context (TLS 1.3 Certificate | ClientHello), extension type 18, length, data.
    const body = Buffer.concat([Buffer.from([0, 0, 0x10, 0x80, 0, 18, 0, sctList.length]), sctList]);
    const file = join(local.dir, 'sct.serverinfo.pem');
    writeFileSync(file, `-----BEGIN SERVERINFOV2 FOR SCT-----\n${body.toString('base64')}\n-----END SERVERINFOV2 FOR SCT-----\n`);
    const port = await local.sServer(['-cert', ec.paths.cert, '-key', ec.paths.key, '-tls1_3', '-serverinfo', file, '-naccept', '1']);
    const r = await decrypt(port);
    expect(r.tls13?.complete).toBe(true);
    expect(r.sctList?.equals(sctList)).toBe(true);
  });

  it('without decryptTls13 stops at the ServerHello as before', async () => {
    const port = await tls13Server();
    const built = buildClientHello({ version: 'TLSv1.3', cipherSuites: [0x1301], serverName: 'tls13.secgrade.test' });
    const r = await rawHello({ ip: '127.0.0.1', port, timeoutMs: 5000, signal: new AbortController().signal, hello: built.record });
    expect(r.kind === 'server-hello' && r.tls13 === undefined && r.certificates.length === 0).toBe(true);
  });

  it('reports a key share the server chose but we never sent', async () => {
    const port = await tls13Server();
    const built = buildClientHello({ version: 'TLSv1.3', cipherSuites: [0x1301], serverName: 'tls13.secgrade.test' });
    const r = await rawHello({
      ip: '127.0.0.1',
      port,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      hello: built.record,
      decryptTls13: { handshake: built.handshake, keyAgreement: new Map() },
    });
    expect(r.kind).toBe('server-hello');
    if (r.kind === 'server-hello') expect(r.interruptedBy).toMatch(/key share group 29/);
  });
});
