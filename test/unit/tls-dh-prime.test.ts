// The DHE modulus beyond its size: published group, safe prime, prime with a composite (p-1)/2,
// composite, or too large to test; the findings and the SSL Labs cap (our reading) that follow.
import { generatePrimeSync, getDiffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyTls } from '../../src/engine/sections.js';
import { CAP_VULNERABILITIES, sslLabsComponents, sslLabsGrade } from '../../src/grade/ssllabs.js';
import { PROTOCOLS, type Protocols } from '../../src/model/constants.js';
import type { TlsResult } from '../../src/model/report.js';
import { COMMON_DH_PRIMES } from '../../src/tls/common-dh-primes.js';
import { assessDhPrime, DH_PRIME_MAX_BITS, primality, ROUNDS, roundsFor } from '../../src/tls/dh-prime.js';
import { checkTlsGroups, type TlsGroupsEvidence } from '../../src/tls/groups.js';

const hex = (n: bigint): string => n.toString(16).toUpperCase();

// `openssl dhparam 768` (a safe prime nobody publishes) and `openssl genpkey -genparam -algorithm
// DHX -pkeyopt dh_paramgen_prime_len:1024 -pkeyopt dh_paramgen_subprime_len:160` (X9.42: p = jq + 1
// with a 160-bit prime q, so (p-1)/2 is composite), both made for this test.
const SAFE_768 = BigInt(
  '0xd19e867b81b15870241d6dc033b8516a496dace367b165d1a4f22193c435c41dc34483e2c3cdc6b5c88c73a035263d22460692882516f608bb52bbea3a10e57516f91c3ea7afdf6dc5775a7bbfd0bbc7c8e2d9964f2ba5ecc4f94243959a88cf',
);
const X942_1024 = BigInt(
  '0xfb2e1c10442e45dd11331e7faa9dc77f47edba7184796b8690fb8192723f844fadbc9a977e5b315c149dd8cd608d289ec1c00c377799888f7db0244e6e5ca17e064f9f4aac4d2e3e80c1e2c0a26f7ecfcbbf03e2737800fef94e64dfd7e85b41865801604455c911aaca6b131676e8624fe84b8c87c5376ac6b2a4af818d51a3',
);

describe('assessDhPrime', () => {
  it('names every published group, RFC 7919 and RFC 3526 names kept, without testing it', () => {
    for (const g of COMMON_DH_PRIMES) expect(assessDhPrime(g.hex)).toMatchObject({ kind: 'known', group: g.name, bits: g.bits, rounds: 0 });
    const ffdhe2048 = COMMON_DH_PRIMES.find((g) => /ffdhe2048/.test(g.name))!;
    expect(assessDhPrime(`00${ffdhe2048.hex.toLowerCase()}`)).toMatchObject({ kind: 'known', group: expect.stringContaining('RFC 7919') });
    expect(assessDhPrime(getDiffieHellman('modp14').getPrime('hex'))).toMatchObject({ kind: 'known', group: expect.stringContaining('RFC 3526 group 14') });
  });

  it('a safe prime nobody publishes is safe', () => {
    expect(assessDhPrime(hex(SAFE_768))).toMatchObject({ kind: 'safe', bits: 768, rounds: roundsFor(768) });
  });

  it('the published MODP primes, tested as plain numbers (1024 … 4096 bits), are safe primes', () => {
    for (const g of ['modp2', 'modp5', 'modp14', 'modp15', 'modp16']) {
      const p = BigInt(`0x${getDiffieHellman(g).getPrime('hex')}`);
      const rounds = roundsFor(p.toString(2).length);
      expect(primality(p, rounds), g).toEqual({ prime: true });
      expect(primality((p - 1n) / 2n, rounds), g).toEqual({ prime: true });
    }
  });

  it('an X9.42 prime (p = jq + 1, q of 160 bits) is prime but not safe', () => {
    const a = assessDhPrime(hex(X942_1024));
    expect(a).toMatchObject({ kind: 'not-safe', bits: 1024 });
    expect(a.reason).toMatch(/^p is prime but \(p-1\)\/2 is not: /);
  });

  it('composite moduli: a small factor, or two large primes caught by Miller–Rabin (OpenSSL and BigInt sizes)', () => {
    expect(assessDhPrime(hex(SAFE_768 * 3n))).toMatchObject({ kind: 'composite', reason: 'p is not prime: it is divisible by 3' });
    for (const bits of [128, 1024]) {
      const n = generatePrimeSync(bits, { bigint: true }) * generatePrimeSync(bits, { bigint: true });
      const a = assessDhPrime(hex(n));
      expect(a.kind, `${bits}-bit factors`).toBe('composite');
      expect(a.reason).toBe('p is not prime: Miller–Rabin to base 2 shows it is composite');
    }
    // The socat modulus shape: an odd number that simply is not prime, from 2^1023 up.
    expect(assessDhPrime(hex((1n << 1023n) + 1n)).kind).toBe('composite');
    expect(assessDhPrime('00').kind).toBe('composite');
  });

  it('over 8192 bits: not tested, said so', () => {
    const big = (1n << BigInt(DH_PRIME_MAX_BITS)) + 1n;
    expect(assessDhPrime(hex(big))).toMatchObject({ kind: 'unchecked', bits: DH_PRIME_MAX_BITS + 1, rounds: 0 });
  });

  it('bounds the work: fewer rounds as numbers grow, none above the limit, each prime assessed once', () => {
    expect(ROUNDS.map((r) => r.rounds)).toEqual([...ROUNDS.map((r) => r.rounds)].sort((a, b) => b - a));
    expect(ROUNDS.at(-1)!.maxBits).toBe(DH_PRIME_MAX_BITS);
    expect(roundsFor(DH_PRIME_MAX_BITS + 1)).toBe(0);
    const first = assessDhPrime(hex(X942_1024));
    expect(assessDhPrime(`0000${hex(X942_1024).toLowerCase()}`)).toBe(first);
  });

  it('small numbers: exact answers for the primes below 2000 and their neighbours', () => {
    expect(primality(2n, 1)).toEqual({ prime: true });
    expect(primality(1999n, 1)).toEqual({ prime: true });
    expect(primality(2001n, 1)).toEqual({ prime: false, why: 'it is divisible by 3' });
    expect(primality(1n, 1).prime).toBe(false);
    // 2003 is prime and above the trial-division table: Miller–Rabin decides.
    expect(primality(2003n, 8)).toEqual({ prime: true });
  });
});

const groupsEv = (dhPrime: bigint): TlsGroupsEvidence => ({ tls13Groups: [], tls12Curves: [], dhPrimeBits: dhPrime.toString(2).length, dhPrime: hex(dhPrime), incomplete: [] });
const ids = (ev: TlsGroupsEvidence) => checkTlsGroups(ev).map((f) => `${f.id}:${f.severity}`);

describe('findings', () => {
  it('composite → tls.kx.dh-composite (high); not safe → tls.kx.dh-not-safe-prime (medium); safe or known → nothing of the kind', () => {
    expect(ids(groupsEv(SAFE_768 * 5n))).toContain('tls.kx.dh-composite:high');
    const notSafe = checkTlsGroups(groupsEv(X942_1024)).find((f) => f.id === 'tls.kx.dh-not-safe-prime');
    expect(notSafe).toMatchObject({ severity: 'medium', evidence: { dhPrime: 'not-safe', dhPrimeBits: 1024 } });
    expect(notSafe?.detail).toMatch(/group order p-1 may have small factors/);
    expect(notSafe?.references.join(' ')).toMatch(/RFC 7919.*§8/);
    expect(notSafe?.references.join(' ')).toMatch(/Measuring small subgroup attacks/);
    expect(ids(groupsEv(SAFE_768)).filter((i) => /dh-(composite|not-safe)/.test(i))).toEqual([]);
    const modp14 = BigInt(`0x${getDiffieHellman('modp14').getPrime('hex')}`);
    expect(ids(groupsEv(modp14))).toEqual([]);
  });

  it('too large to test → an info .untested finding with the reason', () => {
    const f = checkTlsGroups(groupsEv((1n << 9000n) + 1n)).find((x) => x.id.endsWith('.untested'));
    expect(f).toMatchObject({ id: 'tls.kx.dh-not-safe-prime.untested', severity: 'info' });
    expect(f?.detail).toMatch(/over the 8192-bit limit/);
  });
});

describe('the SSL Labs letter (our reading: a composite modulus caps at F)', () => {
  function dhe(extra: Partial<TlsResult>): TlsResult {
    const protocols = Object.fromEntries(PROTOCOLS.map((n) => [n, false])) as Protocols;
    return { ...emptyTls(), status: 'ok', protocols: { ...protocols, 'TLSv1.2': true }, cipherSuites: { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, dhParameterBits: 2048, ...extra };
  }
  const caps = (t: TlsResult) => sslLabsComponents(t).caps.map((c) => `${c.id}:${c.grade}`);

  it('composite → F; not safe, safe, known → no cap of their own', () => {
    expect(caps(dhe({ dhParameterPrime: 'composite' }))).toContain('ssllabs.cap.dh-composite:F');
    for (const kind of ['not-safe', 'safe', 'known'] as const) expect(caps(dhe({ dhParameterPrime: kind }))).toEqual(caps(dhe({})));
  });

  it('a modulus too large to test leaves the letter open between its best and F', () => {
    // Everything else decided: a trusted chain, every vulnerability tested, renegotiation known.
    const decided: Partial<TlsResult> = {
      certificates: [{ subject: 'CN=x', issuer: 'CN=ca', sans: ['x'], serialNumber: '01', fingerprintSha256: 'ab', notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2027-01-01T00:00:00.000Z', daysRemaining: 40, keyType: 'RSA', keyBits: 2048, signatureAlgorithm: 'SHA256withRSA', trusted: true,
        hostnameMatch: true, chainComplete: true, selfSigned: false, ocspStapled: false, scts: null, servedIndex: 0 }],
      chains: [{ index: 0, requested: 'RSA', protocol: 'TLSv1.2', leafKeyType: 'RSA 2048', certificates: 2, trusted: true, trustErrors: [],
        anchor: { subject: 'CN=root', label: 'root', source: 'mozilla' }, chainComplete: true, fetchedIntermediates: 0, extraCertificates: [],
        misordered: false, anchorServed: false, hostnameMatch: true, ocsp: [], ct: null }],
      vulnerabilities: Object.fromEntries(CAP_VULNERABILITIES.map((k) => [k, 'not-vulnerable' as const])),
    };
    const tested = sslLabsGrade(dhe({ ...decided, dhParameterPrime: 'safe' }), sslLabsComponents(dhe({ ...decided, dhParameterPrime: 'safe' })), null, { unknownRenegotiation: 'not-applied' });
    expect(tested.letter).not.toBeNull();
    expect(tested.letter).not.toBe('F');
    const t = dhe({ ...decided, dhParameterBits: 8200, dhParameterPrime: 'unchecked' });
    const rating = sslLabsComponents(t);
    expect(rating.pending).toContain('key exchange: the DHE modulus is over 8192 bits and was not tested for primality');
    const g = sslLabsGrade(t, rating, null, { unknownRenegotiation: 'not-applied' });
    expect(g).toMatchObject({ letter: null, best: tested.letter, worst: 'F' });
  });
});
