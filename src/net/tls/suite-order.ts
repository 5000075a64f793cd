// The order in which suites are offered when probing. What servers actually deploy comes first, so
// that every suite a typical server accepts sits in the first hello of 128: then the picks form one
// ranking (no merging needed for server order) and later bundles are only refused once each.
//   tier 0: (EC)DHE or RSA key exchange with RSA/ECDSA/DSS certificates, any cipher (RC4, 3DES,
//           export and NULL included: legacy servers have exactly those) — 117 suites for TLS 1.2;
//   tier 1: the rest that OpenSSL implements (anonymous, static (EC)DH, PSK, SRP …);
//   tier 2: everything else assigned by IANA.
import { suitesForProtocol, type TlsProtocol } from '../../tls/registry/index.js';

export const MAX_SUITES_PER_HELLO = 128;

const cache = new Map<TlsProtocol, readonly number[]>();

export function probeOrder(p: TlsProtocol): readonly number[] {
  let order = cache.get(p);
  if (!order) {
    const all = suitesForProtocol(p);
    const tier = (s: (typeof all)[number]): number =>
      ['ECDHE', 'DHE', 'RSA'].includes(s.kx) && ['RSA', 'ECDSA', 'DSS'].includes(s.auth) ? 0 : s.opensslName !== null ? 1 : 2;
    // Array.prototype.sort is stable: within a tier the registry's code order is kept.
    order = [...all].sort((a, b) => tier(a) - tier(b)).map((s) => s.code);
    cache.set(p, order);
  }
  return order;
}

/** Split into hellos of at most MAX_SUITES_PER_HELLO suites. */
export function bundles(codes: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < codes.length; i += MAX_SUITES_PER_HELLO) out.push(codes.slice(i, i + MAX_SUITES_PER_HELLO));
  return out;
}
