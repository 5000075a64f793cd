// Client randoms and session ids for hellos: one call into OpenSSL's generator per 4 KiB instead of
// one per hello (each call costs more than the bytes do). Every slice is still fresh CSPRNG output.
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `n` (≤ 4096) random bytes in a buffer of their own. */
export function pooledRandom(n: number): Buffer {
  if (n > POOL_SIZE) throw new RangeError(`pooledRandom: ${n} > ${POOL_SIZE}`);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}
