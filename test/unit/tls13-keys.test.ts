import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract, RecordDecryptor, serverHandshakeKeys } from '../../src/net/tls/tls13-keys.js';

describe('TLS 1.3 key schedule pieces', () => {
  it('HKDF extract+expand equals node:crypto hkdfSync (SHA-256 and SHA-384)', () => {
    for (const hash of ['sha256', 'sha384'] as const) {
      for (let i = 0; i < 20; i++) {
        const ikm = randomBytes(1 + i * 3);
        const salt = randomBytes(i);
        const info = randomBytes(i % 7);
        const len = 12 + i * 5;
        const ours = hkdfExpand(hash, hkdfExtract(hash, salt, ikm), info, len);
        expect(ours.equals(Buffer.from(hkdfSync(hash, ikm, salt, info, len)))).toBe(true);
      }
    }
  });

  it('has no keys for non-TLS 1.3 suites', () => {
    expect(serverHandshakeKeys(0xc02f, randomBytes(32), Buffer.alloc(4), Buffer.alloc(4))).toBeNull();
  });

  it('decrypts a record sealed with the same keys, strips padding, and rejects a flipped bit', () => {
    const keys = serverHandshakeKeys(0x1301, randomBytes(32), randomBytes(100), randomBytes(90))!;
    const seal = (seq: number, inner: Buffer): { header: Buffer; fragment: Buffer } => {
      const nonce = Buffer.from(keys.iv);
      nonce[11]! ^= seq;
      const header = Buffer.from([23, 3, 3, 0, 0]);
      header.writeUInt16BE(inner.length + 16, 3);
      const c = createCipheriv('aes-128-gcm', keys.key, nonce);
      c.setAAD(header);
      const body = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
      return { header, fragment: body };
    };
    const d = new RecordDecryptor(keys);
    const first = seal(0, Buffer.concat([Buffer.from('hello'), Buffer.from([22]), Buffer.alloc(7)]));
    expect(d.decrypt(first.header, first.fragment)).toEqual({ ok: true, value: { contentType: 22, data: Buffer.from('hello') } });
    const second = seal(1, Buffer.concat([Buffer.from('x'), Buffer.from([21])]));
    second.fragment[0]! ^= 1;
    const r = d.decrypt(second.header, second.fragment);
    expect(r.ok).toBe(false);
    const short = new RecordDecryptor(keys).decrypt(Buffer.from([23, 3, 3, 0, 4]), Buffer.alloc(4));
    expect(short).toEqual({ ok: false, error: expect.stringMatching(/shorter than its tag/) });
  });
});
