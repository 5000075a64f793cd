// What the handshake table says about each accepted suite: key exchange (with the size of the
// exchange the server would use: its DHE prime, its preferred curve, its RSA key), authentication,
// cipher, bits and forward secrecy. The facts come from the project's cipher suite registry
// (src/tls/registry), read from the IANA name; the sizes from the report's own groups and keys.
import type { TlsResult } from '../../model/report.js';
import { groupByName, SSLV2_CIPHER_KINDS, suiteByName, type GroupInfo } from '../../tls/registry/index.js';

export interface SuiteRow {
  name: string;
  /** Key exchange as shown: "ECDHE x25519 (253 bits, ≈ RSA 3072)", "RSA 2048 bits", "DHE 1024 bits". */
  kx: string;
  auth: string;
  cipher: string;
  /** Symmetric key bits, or null when the name is not in the registry. */
  bits: number | null;
  /** true/false, or null when unknown (a name the registry does not know). */
  forwardSecrecy: boolean | null;
  aead: boolean | null;
  /** Why the suite is weak, in words (empty when it is not). */
  weak: string[];
  /** Not an IANA-registered code point (a draft or vendor suite). */
  nonIana: boolean;
}

/** RSA modulus of comparable strength (NIST SP 800-57 Part 1, table 2) for an elliptic curve size. */
export function rsaEquivalent(ecBits: number): number | null {
  if (ecBits >= 500) return 15360;
  if (ecBits >= 380) return 7680;
  if (ecBits >= 250) return 3072; // x25519's 253 bits gives 128-bit security, like P-256
  if (ecBits >= 224) return 2048;
  if (ecBits >= 160) return 1024;
  return null;
}

function groupText(g: GroupInfo | undefined, name: string): string {
  if (!g) return name;
  if (g.kind === 'ffdhe') return `${name} (${g.bits} bits)`;
  if (g.kind === 'pq') return `${name} (post-quantum)`;
  const eq = rsaEquivalent(g.bits);
  const pq = g.kind === 'hybrid-pq' ? ', hybrid post-quantum' : '';
  return g.bits ? `${name} (${g.bits} bits${eq ? `, \u2248 RSA ${eq}` : ''}${pq})` : name;
}

/** The report's groups, TLS 1.3 ones first then TLS 1.2 curves, each in the server's pick order. */
function preferred(tls: TlsResult, kinds: ReadonlyArray<GroupInfo['kind']>): string | null {
  for (const name of tls.groups ?? []) {
    const g = groupByName(name);
    if (g && kinds.includes(g.kind)) return groupText(g, name);
  }
  return null;
}

/** The leaf key of the first chain whose key type matches (RSA key exchange uses it). */
function leafKey(tls: TlsResult, type: string): string | null {
  const leaf = tls.certificates.find((c) => (c.servedIndex ?? 0) === 0 && c.keyType.toUpperCase() === type && c.keyBits);
  return leaf ? `${leaf.keyBits} bits` : null;
}

function kxText(tls: TlsResult, kx: string, tls13: boolean): string {
  if (tls13) {
    const g = preferred(tls, ['ecdhe', 'ffdhe', 'hybrid-pq', 'pq']);
    return g ? `(EC)DHE ${g}` : '(EC)DHE, group not tested';
  }
  if (kx === 'ECDHE' || kx === 'ECDHE_PSK') {
    const g = preferred(tls, ['ecdhe']);
    return g ? `${kx} ${g}` : kx;
  }
  if (kx === 'DHE' || kx === 'DHE_PSK' || kx === 'DH') {
    return tls.dhParameterBits ? `${kx} ${tls.dhParameterBits} bits` : kx;
  }
  if (kx === 'RSA' || kx === 'RSA_PSK') {
    const k = leafKey(tls, 'RSA');
    return k ? `${kx} ${k}` : kx;
  }
  return kx;
}

function weakness(s: { nullCipher: boolean; anonymous: boolean; export: boolean; bits: number; blockBits: number | null; cipher: string; forwardSecrecy: boolean; cbc: boolean }): string[] {
  const w: string[] = [];
  if (s.nullCipher) w.push('no encryption');
  if (s.anonymous) w.push('no authentication');
  if (s.export) w.push('export grade');
  if (s.cipher.startsWith('RC4')) w.push('RC4');
  if (!s.nullCipher && s.bits < 128) w.push(`${s.bits}-bit key`);
  if (s.blockBits === 64) w.push('64-bit block (SWEET32)');
  if (!s.forwardSecrecy) w.push('no forward secrecy');
  if (s.cbc) w.push('CBC');
  return w;
}

/** One row of the handshake table for an accepted suite of `protocol`. */
export function suiteRow(tls: TlsResult, protocol: string, name: string): SuiteRow {
  if (protocol === 'SSLv2') {
    const k = SSLV2_CIPHER_KINDS.find((c) => c.name === name);
    if (!k) return unknownSuite(name);
    return {
      name,
      kx: 'RSA (SSL 2.0)',
      auth: 'RSA',
      cipher: k.cipher,
      bits: k.bits,
      forwardSecrecy: false,
      aead: false,
      weak: ['SSL 2.0', ...(k.export ? ['export grade'] : []), ...(k.bits < 128 ? [`${k.bits}-bit key`] : [])],
      nonIana: k.nonStandard,
    };
  }
  const s = suiteByName(name);
  if (!s) return unknownSuite(name);
  return {
    name,
    kx: kxText(tls, s.kx, s.tls13),
    auth: s.tls13 ? 'certificate' : s.auth,
    cipher: s.cipher,
    bits: s.bits,
    forwardSecrecy: s.forwardSecrecy,
    aead: s.aead,
    weak: weakness(s),
    nonIana: !s.iana || (tls.cipherSuitesNonIana ?? []).includes(name),
  };
}

function unknownSuite(name: string): SuiteRow {
  return { name, kx: 'unknown', auth: 'unknown', cipher: 'unknown', bits: null, forwardSecrecy: null, aead: null, weak: [], nonIana: false };
}

/** The report's groups with their kind and size, in the server's order. */
export function groupRows(tls: TlsResult): Array<{ name: string; kind: string; bits: number | null; text: string }> {
  return (tls.groups ?? []).map((name) => {
    const g = groupByName(name);
    return { name, kind: g?.kind ?? 'unknown', bits: g?.bits || null, text: groupText(g, name) };
  });
}
