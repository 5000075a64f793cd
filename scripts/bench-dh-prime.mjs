#!/usr/bin/env node
// node scripts/bench-dh-prime.mjs   (after `npm run build`)
//
// What deciding "safe prime?" costs on this machine, per modulus size: secgrade's bounded
// Miller–Rabin (dist/src/tls/dh-prime.js, the rounds of its ROUNDS table) on p and (p-1)/2, next
// to Node's crypto.checkPrimeSync on the same two numbers with checks 1 and 64 (OpenSSL 3 runs at
// least 64 rounds, 128 above 2048 bits, whatever `checks` asks). The inputs are the RFC 2409/3526
// MODP safe primes Node ships (modp2 … modp18), tested as numbers, not looked up as known groups.
// Times are printed, never asserted.
import { checkPrimeSync, getDiffieHellman } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(ROOT, 'dist', 'src', 'tls', 'dh-prime.js');
if (!existsSync(built)) {
  console.error(`${built} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const { primality, roundsFor } = await import(pathToFileURL(built).href);

const ms = (t0) => (performance.now() - t0).toFixed(1).padStart(8);
const withOpenssl = process.argv.includes('--openssl');

console.log('group   bits  rounds  secgrade p+q (ms)' + (withOpenssl ? '  checkPrimeSync p+q, checks 1 / 64 (ms)' : ''));
for (const group of ['modp2', 'modp5', 'modp14', 'modp15', 'modp16', 'modp17', 'modp18']) {
  const p = BigInt(`0x${getDiffieHellman(group).getPrime('hex')}`);
  const q = (p - 1n) / 2n;
  const bits = p.toString(2).length;
  const rounds = roundsFor(bits);
  let t0 = performance.now();
  const ok = primality(p, rounds).prime && primality(q, rounds).prime;
  let line = `${group.padEnd(7)} ${String(bits).padStart(5)} ${String(rounds).padStart(7)}  ${ms(t0)}${ok ? '' : '  (NOT judged safe!)'}`;
  // OpenSSL's own test only on request: at 8192 bits it takes close to a minute.
  if (withOpenssl) {
    const times = [1, 64].map((checks) => {
      t0 = performance.now();
      checkPrimeSync(p, { checks });
      checkPrimeSync(q, { checks });
      return ms(t0);
    });
    line += `  ${times.join(' /')}`;
  }
  console.log(line);
}
