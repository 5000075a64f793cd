import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateSignatureOid } from '../../src/cert/der.js';
import { signatureAlgorithmOf } from '../../src/cert/describe.js';

/** A real certificate from the image's openssl, as DER. */
function opensslCert(keyArgs: string[], digest: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-der-'));
  try {
    execFileSync('openssl', ['req', '-x509', ...keyArgs, `-${digest}`, '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c.der'), '-outform', 'DER', '-subj', '/CN=der.test', '-days', '1'], { stdio: 'ignore' });
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
