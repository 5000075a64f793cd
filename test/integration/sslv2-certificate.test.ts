/**
 * SSLv2-only servers: the certificate comes from the SSLv2 SERVER-HELLO, so the certificate caps
 * (T, M, key size) are decided instead of pending. Debian's OpenSSL has no SSLv2, so the server is a
 * scripted fake (named "fake SSLv2" below) that answers an SSLv2 CLIENT-HELLO with a SERVER-HELLO
 * carrying a real certificate generated here, and hangs up on every SSLv3/TLS hello, as an
 * SSLv2-only OpenSSL 0.9.x build does.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { selectProbes } from '../../src/cli/options.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget } from '../../src/engine/scan.js';
import type { Report } from '../../src/model/report.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { fetchSslv2Certificate } from '../../src/net/tls/sslv2-certificate.js';
import { phoneOutOption } from '../../src/probes/tls/certificates.js';
import { createTrustStore } from '../../src/trust/store.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { LocalServers } from '../helpers/local-servers.js';
import { testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const DAY = 86_400_000;
const local = new LocalServers('sslv2');
afterAll(() => local.stop());

const noDns: Resolver = {
  description: 'none (tests pin addresses)',
  addresses: async () => ({ status: 'error', reason: 'no DNS in this test' }),
  query: async () => ({ status: 'error', reason: 'no DNS in this test' }),
};

/** SSL 2.0 SERVER-HELLO (2-byte record header): type 4, no session hit, X.509 certificate, version 2. */
function serverHello(certificate: Buffer, kinds: number[]): Buffer {
  const specs = Buffer.alloc(kinds.length * 3);
  kinds.forEach((k, i) => specs.writeUIntBE(k, i * 3, 3));
  const connectionId = Buffer.alloc(16, 0x5a);
  const head = Buffer.alloc(11);
  head.writeUInt8(4, 0);
  head.writeUInt8(0, 1);
  head.writeUInt8(1, 2);
  head.writeUInt16BE(0x0002, 3);
  head.writeUInt16BE(certificate.length, 5);
  head.writeUInt16BE(specs.length, 7);
  head.writeUInt16BE(connectionId.length, 9);
  const body = Buffer.concat([head, certificate, specs, connectionId]);
  const header = Buffer.alloc(2);
  header.writeUInt16BE(0x8000 | body.length);
  return Buffer.concat([header, body]);
}

/** The fake SSLv2-only server: SERVER-HELLO to an SSLv2 CLIENT-HELLO (2-byte header, type 1), a hang-up to anything else. */
async function fakeSslv2Server(certificate: Buffer, kinds = [0x010080, 0x0700c0, 0x080080]): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (d: Buffer) => {
      const sslv2Hello = (d[0]! & 0x80) !== 0 && d[2] === 1;
      if (sslv2Hello) socket.end(serverHello(certificate, kinds));
      else socket.end();
    });
  });
  return local.listen(server);
}

async function scan(port: number, trust: TestCert[]): Promise<Report> {
  const report = await scanTarget(parseTarget(`sslv2.secgrade.test:${port}`), {
    resolver: noDns,
    trust: createTrustStore(trust.map((c) => c.pem)),
    ips: ['127.0.0.1'],
    timeoutMs: 30_000,
    connectTimeoutMs: 3000,
    probes: selectProbes('tls-protocols,tls-ciphers,tls-certificates'),
    reference: testReference(),
    options: optionValues([[phoneOutOption, false]]),
  });
  expectValidReport(report);
  return report;
}

describe('fake SSLv2-only server', () => {
  it('fetchSslv2Certificate reads the certificate bytes of the SERVER-HELLO', async () => {
    const leaf = await makeCert({ subject: 'CN=sslv2.secgrade.test', dnsNames: ['sslv2.secgrade.test'], keyType: 'rsa-2048' });
    const port = await fakeSslv2Server(leaf.der);
    const got = await fetchSslv2Certificate({ ip: '127.0.0.1', port, timeoutMs: 3000, signal: new AbortController().signal });
    expect(got).toEqual({ ok: true, certificate: leaf.der, cipherKinds: [0x010080, 0x0700c0, 0x080080] });
  });

  it('a trusted RSA certificate: the chain is examined, certificate caps listed, letter F (SSLv2), nothing pending for certificates', async () => {
    const now = Date.now();
    const root = await makeCert({ subject: 'CN=secgrade sslv2-test root', ca: true, keyType: 'rsa-2048', notBefore: new Date(now - 100 * DAY), notAfter: new Date(now + 3650 * DAY) });
    const leaf = await makeCert({ subject: 'CN=sslv2.secgrade.test', dnsNames: ['sslv2.secgrade.test'], keyType: 'rsa-2048', issuer: root });
    const r = await scan(await fakeSslv2Server(leaf.der), [root]);
    const tls = r.endpoints[0]!.tls;
    expect(tls.protocols).toMatchObject({ SSLv2: true, SSLv3: false, 'TLSv1.0': false, 'TLSv1.2': false, 'TLSv1.3': false });
    // The vendor kind RC4_64 (not in the SSL 2.0 specification) is offered and reported.
    expect(tls.cipherSuites.SSLv2).toEqual(['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', 'SSL_CK_RC4_64_WITH_MD5']);
    expect(r.findings.find((f) => f.id === 'tls.protocol.sslv2')?.evidence).toMatchObject({ nonStandard: ['SSL_CK_RC4_64_WITH_MD5'] });
    expect(tls.probes['tls-certificates']?.status).toBe('ok');
    expect(tls.chains).toEqual([expect.objectContaining({ requested: 'RSA', protocol: 'SSLv2', certificates: 1, trusted: true, hostnameMatch: true, leafKeyType: 'RSA 2048' })]);
    expect(tls.certificates[0]).toMatchObject({ subject: 'CN=sslv2.secgrade.test', keyType: 'RSA', keyBits: 2048 });
    expect(tls.rating?.pending.some((p) => p.startsWith('certificate caps'))).toBe(false);
    expect(tls.rating?.caps.map((c) => c.id)).toContain('ssllabs.cap.sslv2');
    expect(tls.rating?.caps.map((c) => c.id)).not.toContain('ssllabs.cap.cert-untrusted');
    expect(r.endpoints[0]!.grade).toBe('F');
  });

  it('an untrusted 1024-bit certificate: T and the short-key cap are decided from the SSLv2 certificate', async () => {
    const leaf = await makeCert({ subject: 'CN=other.secgrade.test', dnsNames: ['other.secgrade.test'], keyType: 'rsa-1024' });
    const r = await scan(await fakeSslv2Server(leaf.der, [0x010080]), []);
    const tls = r.endpoints[0]!.tls;
    expect(tls.chains![0]).toMatchObject({ protocol: 'SSLv2', trusted: false, hostnameMatch: false, leafKeyType: 'RSA 1024' });
    const caps = tls.rating!.caps.map((c) => c.id);
    expect(caps).toEqual(expect.arrayContaining(['ssllabs.cap.cert-untrusted', 'ssllabs.cap.cert-mismatch', 'ssllabs.cap.cert-short-key', 'ssllabs.cap.sslv2']));
    expect(tls.rating?.pending.some((p) => p.startsWith('certificate caps'))).toBe(false);
    // T replaces the letter (as at SSL Labs); F is what it would be if trusted.
    expect(r.endpoints[0]!.grade).toBe('T');
    expect(tls.rating?.ignoringTrust).toBe('F');
  });

  it('a SERVER-HELLO with no certificate: the probe fails with the reason, and the certificate caps stay pending', async () => {
    const port = await fakeSslv2Server(Buffer.alloc(0));
    const r = await scan(port, []);
    const tls = r.endpoints[0]!.tls;
    expect(tls.probes['tls-certificates']).toMatchObject({ status: 'error', reason: expect.stringMatching(/SSLv2: the SSLv2 SERVER-HELLO carries an empty certificate/) });
    expect(tls.rating?.pending.some((p) => p.startsWith('certificate caps'))).toBe(true);
    expect(r.endpoints[0]!.grade).toBeNull();
  });
});
