import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiaUrls, certificateSignatureOid, ocspResponderUrls, parseCertificate, readTbsCertificate } from '../../src/cert/der.js';
import { decodeCertificate } from '../../src/cert/decode.js';
import { signatureAlgorithmOf } from '../../src/cert/describe.js';

/** A real certificate from the image's openssl, as DER. */
function opensslCert(keyArgs: string[], digest: string, extraArgs: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-der-'));
  try {
    execFileSync('openssl', ['req', '-x509', ...keyArgs, `-${digest}`, '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c.der'), '-outform', 'DER', '-subj', '/CN=der.test', '-days', '1', ...extraArgs], { stdio: 'ignore' });
    return readFileSync(join(dir, 'c.der'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('certificate signature algorithm from DER', () => {
  it.each([
    [['-newkey', 'rsa:2048'], 'sha256', 'SHA256withRSA'],
    [['-newkey', 'rsa:2048'], 'sha1', 'SHA1withRSA'],
    [['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'sha384', 'SHA384withECDSA'],
  ])('%j %s → %s', (keyArgs, digest, name) => {
    expect(signatureAlgorithmOf(opensslCert(keyArgs, digest))).toBe(name);
  });

  it('Ed25519', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secgrade-der-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c.der'), '-outform', 'DER', '-subj', '/CN=der.test', '-days', '1'], { stdio: 'ignore' });
      expect(certificateSignatureOid(readFileSync(join(dir, 'c.der')))).toBe('1.3.101.112');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hostile input: truncated, oversized lengths, wrong tags, random bytes → null, never a throw', () => {
    const good = opensslCert(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'sha256');
    for (let n = 0; n < good.length; n += 7) expect(certificateSignatureOid(good.subarray(0, n))).toBeNull();
    expect(certificateSignatureOid(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
    expect(certificateSignatureOid(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toBeNull();
    expect(certificateSignatureOid(Buffer.from([0x31, 0x03, 0x30, 0x01, 0x00]))).toBeNull();
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.from(Array.from({ length: 1 + (rnd() % 64) }, rnd));
      if (i % 2) buf[0] = 0x30;
      expect(() => certificateSignatureOid(buf)).not.toThrow();
    }
  });
});

describe('certificate fields from DER', () => {
  const aia = 'authorityInfoAccess=OCSP;URI:http://ocsp.der.test/,OCSP;URI:https://ocsp.der.test/,caIssuers;URI:http://ca.der.test/i.der,caIssuers;URI:ldap://ca.der.test/i';
  const aiaCert = (): Buffer =>
    opensslCert(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'sha256', ['-addext', aia, '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2', '-addext', 'keyUsage=critical,keyCertSign']);

  it('reads names, key, validity, key usage, pathLen and AIA URLs as Node and OpenSSL see them', () => {
    const der = aiaCert();
    const node = new X509Certificate(der);
    const parts = parseCertificate(der)!;
    expect(parts.notAfter.getTime()).toBe(new Date(node.validTo).getTime());
    expect(der.subarray(parts.spki.headerStart, parts.spki.end)).toEqual(node.publicKey.export({ type: 'spki', format: 'der' }));
    expect(readTbsCertificate(der.subarray(parts.tbs.headerStart, parts.tbs.end))?.subject).toBeTruthy();
    const d = decodeCertificate(der);
    if (!d.ok) throw new Error(d.error);
    expect(d.cert.ext.basicConstraints).toEqual({ ca: true, pathLen: 2 });
    expect(d.cert.ext.keyUsage?.has('keyCertSign')).toBe(true);
    expect(d.cert.issuer.der).toEqual(d.cert.subject.der); // self-signed
    expect(d.cert.subjectText).toBe(node.subject.split('\n').join(', '));
    expect(d.cert.ext.subjectKeyId?.length).toBe(20);
    expect(d.cert.malformed).toEqual([]);
    expect(aiaUrls(der, 'caIssuers')).toEqual(['http://ca.der.test/i.der', 'ldap://ca.der.test/i']);
    expect(aiaUrls(der, 'ocsp')).toEqual(['http://ocsp.der.test/', 'https://ocsp.der.test/']);
    expect(ocspResponderUrls(der)).toEqual(['http://ocsp.der.test/']);
    expect(aiaUrls(Buffer.from('junk'), 'ocsp')).toBeNull();
  });

  it('hostile input: truncated or mutated certificates give nulls, never a throw', () => {
    const good = aiaCert();
    const all = (buf: Buffer) => {
      parseCertificate(buf);
      readTbsCertificate(buf);
      decodeCertificate(buf);
      aiaUrls(buf, 'caIssuers');
      ocspResponderUrls(buf);
    };
    for (let n = 0; n < good.length; n += 5) {
      expect(parseCertificate(good.subarray(0, n))).toBeNull();
      expect(aiaUrls(good.subarray(0, n), 'ocsp')).toBeNull();
      expect(() => all(good.subarray(0, n))).not.toThrow();
    }
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let i = 0; i < 3000; i++) {
      const buf = Buffer.from(good);
      for (let k = 0; k < 1 + (rnd() % 4); k++) buf[(rnd() * 256 + rnd()) % buf.length] = rnd();
      expect(() => all(buf)).not.toThrow();
    }
  });
});
