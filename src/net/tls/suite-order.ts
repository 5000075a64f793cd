// The order in which suites are offered when probing. What servers actually deploy comes first, so
// that every suite a typical server accepts sits in the first hello of 128: then the picks form one
// ranking (no merging needed for server order) and later bundles are only refused once each.
//   tier 0: (EC)DHE or RSA key exchange with RSA/ECDSA/DSS certificates, any cipher (RC4, 3DES,
//           export and NULL included: legacy servers have exactly those) — 117 IANA suites for
//           TLS 1.2, plus the 10 non-IANA ones default OpenSSL 0.9.8/1.0.x and BoringSSL builds
//           shipped (EXPORT1024, DHE-DSS-RC4-SHA, pre-RFC ChaCha20): 127, one hello;
//   tier 1: the rest that OpenSSL implements (anonymous, static (EC)DH, PSK, SRP …);
//   tier 2: everything else assigned by IANA, then the non-IANA suites only an engine or a vendor
//           stack speaks (GOST, NSS FIPS, FORTEZZA, CECPQ1).
// TLS 1.2's 365 suites still fit in three hellos; SSLv3–TLS 1.1 now take two (147 suites), which
// costs a server one hello more only for a version it refuses with handshake_failure ("no suite in
// common") rather than by version: OpenSSL 3 answers SSLv3 so, so a modern scan costs one more.
import { suitesForProtocol, type CipherSuiteInfo, type TlsProtocol } from '../../tls/registry/index.js';

export const MAX_SUITES_PER_HELLO = 128;

const MAINSTREAM_KX = ['ECDHE', 'DHE', 'RSA'];
const MAINSTREAM_AUTH = ['RSA', 'ECDSA', 'DSS'];

/** Which tier (see above) a suite is offered in. */
export function offerTier(s: CipherSuiteInfo): 0 | 1 | 2 {
  const mainstream = MAINSTREAM_KX.includes(s.kx) && MAINSTREAM_AUTH.includes(s.auth);
  if (s.iana) return mainstream ? 0 : s.opensslName !== null ? 1 : 2;
  // Non-IANA: only what stock OpenSSL/BoringSSL builds shipped is common enough for the first hello;
  // the GOST ones (RSA key transport included) needed an engine.
  return mainstream && s.opensslName !== null && !s.cipher.startsWith('28147') ? 0 : 2;
}

const cache = new Map<TlsProtocol, readonly number[]>();

export function probeOrder(p: TlsProtocol): readonly number[] {
  let order = cache.get(p);
  if (!order) {
    const all = suitesForProtocol(p);
    // IANA suites before non-IANA ones within a tier; Array.prototype.sort is stable, so within
    // that the registry's code order is kept.
    const rank = (s: CipherSuiteInfo): number => offerTier(s) * 2 + (s.iana ? 0 : 1);
    order = [...all].sort((a, b) => rank(a) - rank(b)).map((s) => s.code);
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
