// Big-endian bytes ⇄ BigInt and modular exponentiation, for the key exchanges the raw engine
// performs itself (RSA encryption, DHE of any size) and the DH prime tests.

/** An unsigned big-endian integer; empty bytes are 0. */
export const bigFromBytes = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`));

/** base^exp mod mod by square-and-multiply (BigInt: fine for the sizes TLS key exchanges use). */
export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}
