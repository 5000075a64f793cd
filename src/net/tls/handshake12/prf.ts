// The TLS 1.0–1.2 pseudo-random functions and what is derived with them: the master secret
// (RFC 5246 §8.1, RFC 7627 for the extended one), the key block (§6.3), Finished verify_data
// (§7.4.9) and the TLS 1.0 export keys (RFC 2246 §6.3). Pure functions over buffers.
import { createHash, createHmac } from 'node:crypto';

export type PrfHash = 'sha256' | 'sha384';

/** How a version derives: TLS 1.0/1.1 split the secret over MD5 and SHA-1; TLS 1.2 uses one hash. */
export type PrfKind = { version: 'tls10' } | { version: 'tls12'; hash: PrfHash };

/** P_hash(secret, seed) of RFC 5246 §5, `length` bytes. */
export function pHash(hash: 'md5' | 'sha1' | PrfHash, secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let a = seed;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** TLS 1.0/1.1 PRF (RFC 2246 §5): P_MD5 over the secret's first half XOR P_SHA1 over its second (halves overlap when odd). */
export function prf10(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const full = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const md5 = pHash('md5', s1, full, length);
  const sha = pHash('sha1', s2, full, length);
  for (let i = 0; i < length; i++) md5[i] = (md5[i] ?? 0) ^ (sha[i] ?? 0);
  return md5;
}

/** TLS 1.2 PRF (RFC 5246 §5): P_<hash>(secret, label + seed). */
export function prf12(hash: PrfHash, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  return pHash(hash, secret, Buffer.concat([Buffer.from(label, 'latin1'), seed]), length);
}

export function prf(kind: PrfKind, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  return kind.version === 'tls10' ? prf10(secret, label, seed, length) : prf12(kind.hash, secret, label, seed, length);
}

/** The handshake hash Finished and the extended master secret use: MD5‖SHA-1 before TLS 1.2. */
export function transcriptHash(kind: PrfKind, messages: Buffer): Buffer {
  if (kind.version === 'tls12') return createHash(kind.hash).update(messages).digest();
  return Buffer.concat([createHash('md5').update(messages).digest(), createHash('sha1').update(messages).digest()]);
}

export interface MasterSecretInput {
  premaster: Buffer;
  clientRandom: Buffer;
  serverRandom: Buffer;
  /** RFC 7627: the transcript up to and including ClientKeyExchange, when both sides agreed to it. */
  extendedTranscript?: Buffer;
}

export function masterSecret(kind: PrfKind, i: MasterSecretInput): Buffer {
  if (i.extendedTranscript) return prf(kind, i.premaster, 'extended master secret', transcriptHash(kind, i.extendedTranscript), 48);
  return prf(kind, i.premaster, 'master secret', Buffer.concat([i.clientRandom, i.serverRandom]), 48);
}

/** key_block = PRF(master, "key expansion", server_random + client_random). */
export function keyBlock(kind: PrfKind, master: Buffer, clientRandom: Buffer, serverRandom: Buffer, length: number): Buffer {
  return prf(kind, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/** Finished.verify_data (12 bytes) over the handshake messages so far. */
export function finishedVerifyData(kind: PrfKind, master: Buffer, sender: 'client' | 'server', messages: Buffer): Buffer {
  return prf(kind, master, `${sender} finished`, transcriptHash(kind, messages), 12);
}

/**
 * RFC 2246 §6.3 export keys: the key block's short write keys are stretched with the randoms to
 * the cipher's full key length, and block-cipher IVs come from the randoms alone (no secret).
 */
export function exportKeys(
  clientKey: Buffer,
  serverKey: Buffer,
  clientRandom: Buffer,
  serverRandom: Buffer,
  keyLength: number,
  ivLength: number,
): { clientKey: Buffer; serverKey: Buffer; clientIv: Buffer; serverIv: Buffer } {
  const seed = Buffer.concat([clientRandom, serverRandom]);
  const ivBlock = ivLength > 0 ? prf10(Buffer.alloc(0), 'IV block', seed, 2 * ivLength) : Buffer.alloc(0);
  return {
    clientKey: prf10(clientKey, 'client write key', seed, keyLength),
    serverKey: prf10(serverKey, 'server write key', seed, keyLength),
    clientIv: ivBlock.subarray(0, ivLength),
    serverIv: ivBlock.subarray(ivLength, 2 * ivLength),
  };
}
