// Just enough of the TLS 1.3 key schedule (RFC 8446 §7) to read the server's encrypted first
// flight: the server handshake traffic keys and record decryption. We never send a Finished, so
// the connection is only ever observed, never completed.
import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { fail, ok, Writer, type Result } from './wire/bytes.js';
import { ContentType } from './wire/constants.js';

type Hash = 'sha256' | 'sha384';
type Aead = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';

interface SuiteParams {
  hash: Hash;
  aead: Aead;
  keyLength: number;
  tagLength: number;
}

/** The TLS 1.3 cipher suites (RFC 8446 §B.4). */
const TLS13_SUITES: Readonly<Record<number, SuiteParams>> = {
  0x1301: { hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16, tagLength: 16 },
  0x1302: { hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32, tagLength: 16 },
  0x1303: { hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32, tagLength: 16 },
  0x1304: { hash: 'sha256', aead: 'aes-128-ccm', keyLength: 16, tagLength: 16 },
  0x1305: { hash: 'sha256', aead: 'aes-128-ccm', keyLength: 16, tagLength: 8 },
};

const hashLength = (h: Hash) => (h === 'sha256' ? 32 : 48);

export function hkdfExtract(hash: Hash, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(hash, salt).update(ikm).digest();
}

export function hkdfExpand(hash: Hash, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    prev = createHmac(hash, prk).update(Buffer.concat([prev, info, Buffer.from([i])])).digest();
    blocks.push(prev);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) with the "tls13 " prefix. */
export function hkdfExpandLabel(hash: Hash, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const info = Writer.build((w) => w.u16(length).vector8(Buffer.from(`tls13 ${label}`, 'latin1')).vector8(context));
  return hkdfExpand(hash, secret, info, length);
}

export interface ServerHandshakeKeys {
  suite: number;
  aead: Aead;
  tagLength: number;
  key: Buffer;
  iv: Buffer;
}

/**
 * server_handshake_traffic_secret's key and IV from the (EC)DHE secret and the transcript
 * ClientHello‖ServerHello (whole handshake messages, headers included). Null for suites we lack.
 */
export function serverHandshakeKeys(suite: number, sharedSecret: Buffer, clientHello: Buffer, serverHello: Buffer): ServerHandshakeKeys | null {
  const p = TLS13_SUITES[suite];
  if (!p) return null;
  const len = hashLength(p.hash);
  const zeros = Buffer.alloc(len);
  const emptyHash = createHash(p.hash).digest();
  const early = hkdfExtract(p.hash, zeros, zeros);
  const derived = hkdfExpandLabel(p.hash, early, 'derived', emptyHash, len);
  const handshakeSecret = hkdfExtract(p.hash, derived, sharedSecret);
  const transcript = createHash(p.hash).update(clientHello).update(serverHello).digest();
  const serverSecret = hkdfExpandLabel(p.hash, handshakeSecret, 's hs traffic', transcript, len);
  return {
    suite,
    aead: p.aead,
    tagLength: p.tagLength,
    key: hkdfExpandLabel(p.hash, serverSecret, 'key', Buffer.alloc(0), p.keyLength),
    iv: hkdfExpandLabel(p.hash, serverSecret, 'iv', Buffer.alloc(0), 12),
  };
}

/** Decrypts the server's protected records in order (the sequence number starts at 0). */
export class RecordDecryptor {
  private seq = 0n;

  constructor(private readonly keys: ServerHandshakeKeys) {}

  /** `header` is the 5-byte record header (the AEAD's additional data). */
  decrypt(header: Buffer, fragment: Buffer): Result<{ contentType: number; data: Buffer }> {
    const { aead, key, iv, tagLength } = this.keys;
    if (fragment.length < tagLength + 1) return fail(`encrypted record of ${fragment.length} bytes is shorter than its tag`);
    const nonce = Buffer.from(iv);
    const seq = this.seq++;
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    const ciphertext = fragment.subarray(0, fragment.length - tagLength);
    const tag = fragment.subarray(fragment.length - tagLength);
    let plain: Buffer;
    try {
      plain = open(aead, key, nonce, header, ciphertext, tag);
    } catch {
      return fail('a protected record did not decrypt (bad tag): the key schedule and the server disagree');
    }
    // TLSInnerPlaintext: content, then the real content type, then zero padding (RFC 8446 §5.2).
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0) return fail('a protected record held only padding');
    const contentType = plain[end]!;
    if (contentType !== ContentType.handshake && contentType !== ContentType.alert && contentType !== ContentType.applicationData) {
      return fail(`a protected record carried content type ${contentType}`);
    }
    return ok({ contentType, data: plain.subarray(0, end) });
  }
}

/** AEAD-open one record; throws on a bad tag. */
function open(aead: Aead, key: Buffer, nonce: Buffer, aad: Buffer, ciphertext: Buffer, tag: Buffer): Buffer {
  const authTagLength = tag.length;
  if (aead === 'aes-128-ccm') {
    const d = createDecipheriv(aead, key, nonce, { authTagLength });
    d.setAuthTag(tag);
    d.setAAD(aad, { plaintextLength: ciphertext.length });
    return Buffer.concat([d.update(ciphertext), d.final()]);
  }
  if (aead === 'chacha20-poly1305') {
    const d = createDecipheriv(aead, key, nonce, { authTagLength });
    d.setAuthTag(tag);
    d.setAAD(aad, { plaintextLength: ciphertext.length });
    return Buffer.concat([d.update(ciphertext), d.final()]);
  }
  const d = createDecipheriv(aead, key, nonce, { authTagLength });
  d.setAuthTag(tag);
  d.setAAD(aad);
  return Buffer.concat([d.update(ciphertext), d.final()]);
}
