// What an AIA caIssuers download may contain (DER, PEM, certs-only PKCS#7), and reading the URLs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCert, makeChain } from '../helpers/certs.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { aiaUrls } from '../../src/cert/der.js';
import { fetchCaIssuers, parseCertificates } from '../../src/trust/aia.js';

let chain: Awaited<ReturnType<typeof makeChain>>;

beforeAll(async () => {
  chain = await makeChain();
});

/** A certs-only PKCS#7 made by openssl, an encoder independent of ours. */
function pkcs7(pems: string[], form: 'DER' | 'PEM'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-p7-'));
  try {
    writeFileSync(join(dir, 'certs.pem'), pems.join(''));
    return execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'certs.pem'), '-outform', form]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('parseCertificates', () => {
  it('reads a DER certificate', async () => {
    expect(await parseCertificates(chain.intermediate.der)).toEqual([chain.intermediate.der]);
  });

  it('reads PEM certificates', async () => {
    const got = await parseCertificates(Buffer.from(chain.intermediate.pem + chain.root.pem));
    expect(got).toEqual([chain.intermediate.der, chain.root.der]);
  });

  it('reads a certs-only PKCS#7, DER or PEM', async () => {
    for (const form of ['DER', 'PEM'] as const) {
      const got = await parseCertificates(pkcs7([chain.intermediate.pem, chain.root.pem], form));
      const hex = (bufs: Buffer[]) => bufs.map((b) => b.toString('hex')).sort();
      expect(hex(got)).toEqual(hex([chain.intermediate.der, chain.root.der]));
    }
  });

  it('finds nothing in junk', async () => {
    expect(await parseCertificates(Buffer.from('<html>not found</html>'))).toEqual([]);
    expect(await parseCertificates(Buffer.from([0x30, 0x82, 0xff, 0xff, 0x01]))).toEqual([]);
    expect(await parseCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'))).toEqual([]);
  });
});

describe('caIssuers URLs', () => {
  it('reads every caIssuers URL, and none from a certificate without AIA', async () => {
    const x509 = await loadX509();
    const aia = new x509.AuthorityInfoAccessExtension({
      ocsp: 'http://ocsp.example.test/',
      caIssuers: ['http://ca.example.test/int.der', 'ldap://ldap.example.test/cn=int'],
    });
    const leaf = await makeCert({ subject: 'CN=aia.test', issuer: chain.intermediate, extensions: [aia] });
    expect(aiaUrls(leaf.der, 'caIssuers')).toEqual(['http://ca.example.test/int.der', 'ldap://ldap.example.test/cn=int']);
    expect(aiaUrls(leaf.der, 'ocsp')).toEqual(['http://ocsp.example.test/']);
    expect(aiaUrls(chain.leaf.der, 'caIssuers')).toEqual([]);
    expect(aiaUrls(Buffer.from('junk'), 'caIssuers')).toBeNull();
  });

  it('fetches nothing, and never throws, when there is nothing to fetch', async () => {
    expect(await fetchCaIssuers(chain.leaf.der, { timeoutMs: 1000 })).toEqual({ certs: [], errors: [] });
    const junk = await fetchCaIssuers(Buffer.from('junk'), { timeoutMs: 1000 });
    expect(junk.certs).toEqual([]);
    expect(junk.errors[0]).toMatch(/does not parse/);
    const x509 = await loadX509();
    const ldapOnly = await makeCert({
      subject: 'CN=ldap.test',
      issuer: chain.intermediate,
      extensions: [new x509.AuthorityInfoAccessExtension({ caIssuers: 'ldap://ldap.example.test/cn=int' })],
    });
    expect(await fetchCaIssuers(ldapOnly.der, { timeoutMs: 1000 })).toEqual({
      certs: [],
      errors: ['ldap://ldap.example.test/cn=int: skipped (only http:// caIssuers URLs are fetched)'],
    });
  });
});
