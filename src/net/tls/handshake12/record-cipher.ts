// TLS 1.0–1.2 record protection (RFC 5246 §6.2.3): stream (RC4, NULL) and CBC block ciphers with
// MAC-then-encrypt, and AEAD ciphers (GCM, CCM, ChaCha20-Poly1305). One instance per direction;
// it owns that direction's sequence number and, for TLS 1.0 CBC, the chained IV.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type CipherGCM, type CipherGCMTypes, type DecipherGCM } from 'node:crypto';
import { fail, ok, type Result } from '../wire/bytes.js';
import type { MacHash, RecordCipherSpec } from './suites.js';

const MAC_LENGTH: Readonly<Record<MacHash, number>> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

export function macLength(mac: MacHash | null): number {
  return mac ? MAC_LENGTH[mac] : 0;
}

/** RC4 (the stream cipher itself is a few lines; OpenSSL 3 moved it to the legacy provider). */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Buffer) {
    if (key.length === 0 || key.length > 256) throw new RangeError(`RC4 key of ${key.length} bytes`);
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    for (let k = 0, j = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      [s[k], s[j]] = [s[j]!, s[k]!];
    }
  }

  /** XORs the next keystream bytes into a copy of `data`. */
  update(data: Buffer): Buffer {
    const out = Buffer.from(data);
    const s = this.s;
    let { i, j } = this;
    for (let n = 0; n < out.length; n++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
      out[n] = out[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

export interface DirectionKeys {
  macKey: Buffer;
  key: Buffer;
  /** TLS 1.0 CBC: the first IV; AEAD: the implicit nonce part; empty otherwise. */
  iv: Buffer;
}

/** One direction's record protection. `version` is the negotiated one (explicit CBC IVs from TLS 1.1). */
export class RecordCipher {
  private seq = 0n;
  private iv: Buffer;
  private readonly rc4: Rc4 | null;
  private readonly key: Buffer;

  constructor(
    private readonly spec: RecordCipherSpec,
    private readonly mac: MacHash | null,
    private readonly keys: DirectionKeys,
    private readonly version: number,
  ) {
    this.iv = keys.iv;
    this.rc4 = spec.kind === 'rc4' ? new Rc4(keys.key) : null;
    // Single DES through des-ede3: E(k) D(k) E(k) is E(k).
    this.key = spec.kind === 'cbc' && spec.singleDes ? Buffer.concat([keys.key, keys.key, keys.key]) : keys.key;
  }

  /** seq_num(8) ‖ type ‖ version ‖ length: the MAC's and the AEAD's associated data. */
  private header(type: number, length: number): Buffer {
    const h = Buffer.alloc(13);
    h.writeBigUInt64BE(this.seq, 0);
    h[8] = type;
    h.writeUInt16BE(this.version, 9);
    h.writeUInt16BE(length, 11);
    return h;
  }

  private macOf(type: number, content: Buffer): Buffer {
    if (!this.mac) return Buffer.alloc(0);
    return createHmac(this.mac, this.keys.macKey).update(this.header(type, content.length)).update(content).digest();
  }

  private nonce(explicit: Buffer): Buffer {
    const spec = this.spec as Extract<RecordCipherSpec, { kind: 'aead' }>;
    if (spec.mode !== 'chacha') return Buffer.concat([this.iv, explicit]);
    // RFC 7905 §2: the 64-bit sequence number, left-padded, XORed into the 12-byte IV.
    const n = Buffer.from(this.iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(this.seq);
    for (let k = 0; k < 8; k++) n[4 + k] = n[4 + k]! ^ seq[k]!;
    return n;
  }

  encrypt(type: number, content: Buffer): Buffer {
    const out = this.protect(type, content);
    this.seq++;
    return out;
  }

  private protect(type: number, content: Buffer): Buffer {
    const spec = this.spec;
    switch (spec.kind) {
      case 'null':
        return Buffer.concat([content, this.macOf(type, content)]);
      case 'rc4':
        return this.rc4!.update(Buffer.concat([content, this.macOf(type, content)]));
      case 'cbc': {
        const body = Buffer.concat([content, this.macOf(type, content)]);
        const padLength = spec.blockSize - ((body.length + 1) % spec.blockSize);
        const padded = Buffer.concat([body, Buffer.alloc(padLength + 1, padLength)]);
        const explicit = this.version >= 0x0302;
        const iv = explicit ? randomBytes(spec.blockSize) : this.iv;
        const c = createCipheriv(spec.node, this.key, iv).setAutoPadding(false);
        const encrypted = Buffer.concat([c.update(padded), c.final()]);
        if (!explicit) this.iv = encrypted.subarray(encrypted.length - spec.blockSize);
        return explicit ? Buffer.concat([iv, encrypted]) : encrypted;
      }
      case 'aead': {
        const explicit = Buffer.alloc(spec.explicitNonce);
        if (spec.explicitNonce === 8) explicit.writeBigUInt64BE(this.seq);
        const aad = this.header(type, content.length);
        const c = this.aeadEncryptor(spec, this.nonce(explicit), content.length, aad);
        const encrypted = Buffer.concat([c.update(content), c.final()]);
        return Buffer.concat([explicit, encrypted, c.getAuthTag()]);
      }
    }
  }

  // Typed as GCM: CCM and ChaCha20-Poly1305 objects have the same setAAD/auth-tag methods.
  private aeadEncryptor(spec: Extract<RecordCipherSpec, { kind: 'aead' }>, nonce: Buffer, plaintextLength: number, aad: Buffer): CipherGCM {
    const c = createCipheriv(spec.node as CipherGCMTypes, this.key, nonce, { authTagLength: spec.tagLength });
    c.setAAD(aad, { plaintextLength });
    return c;
  }

  private aeadDecryptor(spec: Extract<RecordCipherSpec, { kind: 'aead' }>, nonce: Buffer, plaintextLength: number, aad: Buffer): DecipherGCM {
    const d = createDecipheriv(spec.node as CipherGCMTypes, this.key, nonce, { authTagLength: spec.tagLength });
    d.setAAD(aad, { plaintextLength });
    return d;
  }

  /** The record's content, or why it does not decrypt/verify (bad_record_mac in TLS terms). */
  decrypt(type: number, fragment: Buffer): Result<Buffer> {
    const out = this.unprotect(type, fragment);
    this.seq++;
    return out;
  }

  private unprotect(type: number, fragment: Buffer): Result<Buffer> {
    const spec = this.spec;
    const macLen = macLength(this.mac);
    switch (spec.kind) {
      case 'null':
      case 'rc4': {
        const plain = spec.kind === 'rc4' ? this.rc4!.update(fragment) : fragment;
        return this.checkMac(type, plain, macLen);
      }
      case 'cbc': {
        const explicit = this.version >= 0x0302;
        const bs = spec.blockSize;
        const body = explicit ? fragment.subarray(bs) : fragment;
        if ((explicit && fragment.length < bs) || body.length === 0 || body.length % bs !== 0) return fail(`a CBC record of ${fragment.length} bytes`);
        const iv = explicit ? fragment.subarray(0, bs) : this.iv;
        const d = createDecipheriv(spec.node, this.key, iv).setAutoPadding(false);
        const plain = Buffer.concat([d.update(body), d.final()]);
        if (!explicit) this.iv = Buffer.from(body.subarray(body.length - bs));
        const padLength = plain[plain.length - 1]!;
        if (padLength + 1 + macLen > plain.length) return fail('bad CBC padding');
        for (let k = plain.length - 1 - padLength; k < plain.length; k++) if (plain[k] !== padLength) return fail('bad CBC padding');
        return this.checkMac(type, plain.subarray(0, plain.length - 1 - padLength), macLen);
      }
      case 'aead': {
        if (fragment.length < spec.explicitNonce + spec.tagLength) return fail(`an AEAD record of ${fragment.length} bytes`);
        const explicit = fragment.subarray(0, spec.explicitNonce);
        const encrypted = fragment.subarray(spec.explicitNonce, fragment.length - spec.tagLength);
        const d = this.aeadDecryptor(spec, this.nonce(explicit), encrypted.length, this.header(type, encrypted.length));
        d.setAuthTag(fragment.subarray(fragment.length - spec.tagLength));
        try {
          return ok(Buffer.concat([d.update(encrypted), d.final()]));
        } catch {
          return fail('the record does not authenticate (bad_record_mac)');
        }
      }
    }
  }

  private checkMac(type: number, plain: Buffer, macLen: number): Result<Buffer> {
    if (plain.length < macLen) return fail(`a record of ${plain.length} bytes cannot hold a ${macLen}-byte MAC`);
    const content = plain.subarray(0, plain.length - macLen);
    const expected = this.macOf(type, content);
    return timingSafeEqual(expected, plain.subarray(plain.length - macLen)) ? ok(content) : fail('bad record MAC');
  }
}
