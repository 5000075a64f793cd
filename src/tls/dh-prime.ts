// What the server's DHE modulus p is, beyond its size: a published group, a safe prime (p = 2q + 1
// with q prime, so the only subgroups are of order 2 and q), a prime whose group order p - 1 may
// have small factors (small-subgroup attacks: Valenta et al. 2016; RFC 7919 §8), or no prime at
// all (the key exchange is insecure). testssl.sh and sslyze check neither; OpenSSL's DH_check does.
//
// Pure (no I/O), but CPU: primality is decided by our own Miller–Rabin because Node's
// checkPrimeSync cannot be made cheaper — OpenSSL 3 raises its `checks` to at least 64 rounds
// (128 above 2048 bits): on this project's 2-core VM p and (p-1)/2 took ~270 ms at 2048 bits and
// ~4 s at 4096, whatever `checks` asked. Our rounds are bounded per size (ROUNDS), each a modular
// exponentiation by OpenSSL (opensslPow): p and q together took 30–90 ms at 2048 bits, 60–130 ms
// at 3072, 100–140 ms at 4096 and 0.6–1 s at 8192 on the same VM, from idle to a load of 9
// (scripts/bench-dh-prime.mjs); larger moduli are not tested. Results are cached by prime, so each
// costs once per process, and published groups (the common case) are looked up, not tested.
//
// A "composite" verdict is certain (a small factor or a Miller–Rabin witness proves it). "prime"
// is probabilistic with fixed bases: the servers' moduli are not built to fool a scanner, and
// for numbers that are not adversarial the Damgård–Landrock–Pomerance (1993) bounds put the error
// below 2^-60 for every size and round count used here (e.g. ~2^-100 for one round at 4096 bits).
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
// Square-and-multiply in BigInt: for small moduli, and when OpenSSL refuses the RSA shortcut.
import { modPow as bigintPow } from '../net/bigint.js';
import { commonDhPrime } from './common-dh-primes.js';

/** Moduli above this many bits are not tested (cost grows with the cube of the size). */
export const DH_PRIME_MAX_BITS = 8192;

export type DhPrimeKind = 'known' | 'safe' | 'not-safe' | 'composite' | 'unchecked';

export interface DhPrimeAssessment {
  kind: DhPrimeKind;
  bits: number;
  /** The published group's name ('known'). */
  group?: string;
  /** What showed it, in words: the factor or witness found, or why it was not tested. */
  reason: string;
  /** Miller–Rabin rounds run per number (0 when a factor or the group table decided). */
  rounds: number;
}

/** Miller–Rabin rounds per number by modulus size: p and q each get this many (bases 2, 3, 5 …). */
export const ROUNDS: ReadonlyArray<{ maxBits: number; rounds: number }> = [
  { maxBits: 2048, rounds: 8 },
  { maxBits: 3072, rounds: 3 },
  { maxBits: DH_PRIME_MAX_BITS, rounds: 1 },
];

const SMALL_PRIMES: readonly number[] = (() => {
  const out: number[] = [];
  for (let n = 2; n < 2000; n++) if (out.every((p) => p * p > n || n % p !== 0)) out.push(n);
  return out;
})();

const bitLength = (n: bigint): number => n.toString(2).length;


const b64u = (n: bigint): string => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

/**
 * x^e mod n by OpenSSL's Montgomery code: an RSA public operation without padding is exactly that.
 * OpenSSL allows any e < n up to 3072-bit moduli and at most 64-bit exponents above, so larger
 * moduli raise to 2^8 per step and multiply in the base's small power themselves (base ≤ 61).
 */
function opensslPow(base: bigint, exp: bigint, n: bigint): bigint {
  const bytes = Math.ceil(bitLength(n) / 8);
  const op = (e: bigint) => {
    const key = createPublicKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e) }, format: 'jwk' });
    return (x: bigint): bigint =>
      BigInt(`0x${publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(x.toString(16).padStart(bytes * 2, '0'), 'hex')).toString('hex')}`);
  };
  if (exp === 1n) return base % n;
  if (bitLength(n) <= 3072) return op(exp)(base % n);
  const pow256 = op(256n);
  const small = Array.from({ length: 256 }, (_, d) => base ** BigInt(d) % n);
  const digits = exp.toString(2);
  const first = digits.length % 8 || 8;
  let r = small[parseInt(digits.slice(0, first), 2)]!;
  for (let i = first; i < digits.length; i += 8) {
    r = pow256(r);
    const d = parseInt(digits.slice(i, i + 8), 2);
    if (d) r = (r * small[d]!) % n;
  }
  return r;
}

function modPow(base: bigint, exp: bigint, n: bigint): bigint {
  if (bitLength(n) < 512) return bigintPow(base, exp, n);
  try {
    return opensslPow(base, exp, n);
  } catch {
    return bigintPow(base, exp, n);
  }
}

/** n passes the strong probable-prime test to `base` (n odd, > base). */
function strongProbablePrime(n: bigint, base: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  let x = modPow(base, d, n);
  if (x === 1n || x === n - 1n) return true;
  for (let i = 1; i < s; i++) {
    x = (x * x) % n;
    if (x === n - 1n) return true;
    if (x === 1n) return false;
  }
  return false;
}

type Primality = { prime: true } | { prime: false; why: string };

/** Trial division by the primes below 2000, then `rounds` Miller–Rabin rounds to bases 2, 3, 5 … */
export function primality(n: bigint, rounds: number): Primality {
  if (n < 2n) return { prime: false, why: 'it is less than 2' };
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p);
    if (n === bp) return { prime: true };
    if (n % bp === 0n) return { prime: false, why: `it is divisible by ${p}` };
  }
  for (const base of SMALL_PRIMES.slice(0, rounds)) {
    if (!strongProbablePrime(n, BigInt(base))) return { prime: false, why: `Miller–Rabin to base ${base} shows it is composite` };
  }
  return { prime: true };
}

export const roundsFor = (bits: number): number => ROUNDS.find((r) => bits <= r.maxBits)?.rounds ?? 0;

const CACHE_SIZE = 64;
const cache = new Map<string, DhPrimeAssessment>();

/** The assessment of a DHE prime given as hex (any case, leading zeros allowed); cached by value. */
export function assessDhPrime(primeHex: string): DhPrimeAssessment {
  const hex = primeHex.toUpperCase().replace(/^0+/, '');
  const hit = cache.get(hex);
  if (hit) return hit;
  const out = assess(hex);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(hex, out);
  return out;
}

function assess(hex: string): DhPrimeAssessment {
  const p = BigInt(`0x${hex || '0'}`);
  const bits = p === 0n ? 0 : bitLength(p);
  const known = commonDhPrime(hex);
  if (known) return { kind: 'known', bits, group: known.name, reason: `the published group ${known.name} (${known.source})`, rounds: 0 };
  const rounds = roundsFor(bits);
  if (rounds === 0) return { kind: 'unchecked', bits, reason: `a ${bits}-bit modulus is over the ${DH_PRIME_MAX_BITS}-bit limit of the primality test`, rounds: 0 };
  const pp = primality(p, rounds);
  if (!pp.prime) return { kind: 'composite', bits, reason: `p is not prime: ${pp.why}`, rounds };
  const qq = primality((p - 1n) / 2n, rounds);
  if (!qq.prime) return { kind: 'not-safe', bits, reason: `p is prime but (p-1)/2 is not: ${qq.why}`, rounds };
  return { kind: 'safe', bits, reason: 'p and (p-1)/2 are both prime', rounds };
}
