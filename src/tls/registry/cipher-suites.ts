// Cipher suite facts derived from IANA names. The registry rows (code, name, IANA flags, OpenSSL
// name) are generated into cipher-suites.data.ts; everything a grader asks about a suite (key
// exchange, cipher strength, AEAD, forward secrecy …) is parsed here from the IANA name, so one
// deterministic rule set covers every assigned code point, not only the ones OpenSSL knows. The
// code points IANA never registered (EXPORT1024, pre-RFC ChaCha20, GOST, FORTEZZA …, from
// fixtures/tls-legacy) are parsed by the same rules from their draft or vendor names.
import { CIPHER_SUITE_ROWS } from './cipher-suites.data.js';

export interface CipherSuiteInfo {
  /** 0x0000..0xFFFF */
  code: number;
  /**
   * IANA Description, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; for a non-IANA code point the
   * draft's or vendor's name (TLS_RSA_EXPORT1024_WITH_RC4_56_SHA), else the OpenSSL name (GOST-GOST89MAC).
   */
  name: string;
  /** false: a code point IANA never registered (a draft, a vendor or private-use value) that legacy servers accept. */
  iana: boolean;
  /** TLS 1.3 suite: negotiates no key exchange or authentication of its own. */
  tls13: boolean;
  /** Signalling value (RFC 5746, RFC 7507): never a suite a server "accepts". */
  scsv: boolean;
  /**
   * 'RSA'|'DH'|'DHE'|'ECDH'|'ECDHE'|'PSK'|'DHE_PSK'|'ECDHE_PSK'|'RSA_PSK'|'SRP'|'KRB5'|'ECCPWD'|
   * 'GOSTR341112_256'|'NULL'|'ANY' (TLS 1.3)|'NONE' (SCSV); non-IANA: 'GOSTR341094'|'GOSTR341001'|
   * 'CECPQ1'|'FORTEZZA_KEA'. DH_anon/ECDH_anon count as 'DH'/'ECDH'.
   */
  kx: string;
  /**
   * 'RSA'|'DSS'|'ECDSA'|'anon'|'PSK'|'KRB5'|'SRP'|'ECCPWD'|'GOSTR341012'|'NULL'|'ANY' (TLS 1.3)|'NONE'
   * (SCSV); non-IANA: 'GOSTR341094'|'GOSTR341001'|'FORTEZZA'.
   */
  auth: string;
  /** e.g. 'AES_128_GCM', '3DES_EDE_CBC', 'RC4_40', 'CHACHA20_POLY1305', 'NULL'; 'NONE' for an SCSV */
  cipher: string;
  /** Effective symmetric key bits (3DES = 112, export 40/56, NULL 0). */
  bits: number;
  /** Block size of the underlying block cipher (64 → SWEET32); null for stream ciphers, ChaCha20, AEGIS, NULL. */
  blockBits: number | null;
  /** Record MAC: 'SHA'|'SHA256'|'SHA384'|'MD5'|'OMAC'|'IMIT'|'AEAD'|'NULL'|'NONE' (SCSV); GOST: 'GOSTR3411'|'GOST94'|'STREEBOG256'. */
  mac: string;
  aead: boolean;
  cbc: boolean;
  /** Ephemeral (EC)DH key exchange, incl. its PSK variants, and every TLS 1.3 suite. */
  forwardSecrecy: boolean;
  /** *_EXPORT_* and *_EXPORT1024_* suites. */
  export: boolean;
  /** No server authentication (anon, or TLS_NULL_WITH_NULL_NULL). */
  anonymous: boolean;
  /** No encryption at all (NULL cipher, RFC 9150 integrity-only suites). */
  nullCipher: boolean;
  /**
   * OpenSSL's name where this machine's OpenSSL 3.0 has one (fixtures/iana/openssl-names.txt); for
   * a non-IANA suite, the name of the OpenSSL build or engine that shipped it (EXP1024-RC4-SHA); else null.
   */
  opensslName: string | null;
  /** IANA "Recommended" column is Y. */
  recommended: boolean;
  /** IANA references, e.g. ['RFC5246']. */
  references: readonly string[];
}

export type TlsProtocol = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

type Facts = Omit<CipherSuiteInfo, 'code' | 'name' | 'iana' | 'opensslName' | 'recommended' | 'references'>;

interface CipherFacts {
  cipher: string;
  bits: number;
  blockBits: number | null;
  aead: boolean;
  cbc: boolean;
}

/**
 * Symmetric cipher token → facts. Bits are effective key strength: 3DES counts 112 (meet-in-the-
 * middle), DES 56, export variants the bits in their name.
 */
function cipherFacts(token: string): CipherFacts | null {
  const f = (bits: number, blockBits: number | null, mode: 'cbc' | 'aead' | 'stream' | 'ctr'): CipherFacts => ({
    cipher: token,
    bits,
    blockBits,
    aead: mode === 'aead',
    cbc: mode === 'cbc',
  });
  let m: RegExpExecArray | null;
  if (token === 'NULL') return f(0, null, 'stream');
  if ((m = /^(AES|CAMELLIA|ARIA)_(128|256)_(CBC|GCM|CCM|CCM_8)$/.exec(token))) {
    return f(Number(m[2]), 128, m[3] === 'CBC' ? 'cbc' : 'aead');
  }
  if (token === 'CHACHA20_POLY1305') return f(256, null, 'aead');
  if ((m = /^RC4_(\d+)$/.exec(token))) return f(Number(m[1]), null, 'stream');
  if ((m = /^RC2_CBC_(\d+)$/.exec(token))) return f(Number(m[1]), 64, 'cbc');
  if (token === 'DES40_CBC' || token === 'DES_CBC_40') return f(40, 64, 'cbc');
  if (token === 'DES_CBC') return f(56, 64, 'cbc');
  if (token === '3DES_EDE_CBC') return f(112, 64, 'cbc');
  if (token === 'IDEA_CBC') return f(128, 64, 'cbc');
  if (token === 'SEED_CBC') return f(128, 128, 'cbc');
  if (token === 'SM4_GCM' || token === 'SM4_CCM') return f(128, 128, 'aead');
  // AEGIS is built from the AES round function but is not a block cipher mode.
  if ((m = /^AEGIS_(128L|256)$/.exec(token))) return f(m[1] === '256' ? 256 : 128, null, 'aead');
  // GOST (RFC 9189, RFC 9367): Kuznyechik has 128-bit blocks, Magma and GOST 28147-89 64-bit.
  if ((m = /^(KUZNYECHIK|MAGMA)_(CTR|MGM_L|MGM_S)$/.exec(token))) {
    return f(256, m[1] === 'KUZNYECHIK' ? 128 : 64, m[2] === 'CTR' ? 'ctr' : 'aead');
  }
  if (token === '28147_CNT') return f(256, 64, 'ctr');
  // SSLv3's FORTEZZA (RFC 6101): Skipjack, an 80-bit key on 64-bit blocks.
  if (token === 'FORTEZZA_CBC') return f(80, 64, 'cbc');
  return null;
}

// Key exchange part of a ≤ TLS 1.2 name (between TLS_ and _WITH_, EXPORT marker removed).
const KX: Record<string, { kx: string; auth: string }> = {
  NULL: { kx: 'NULL', auth: 'NULL' },
  RSA: { kx: 'RSA', auth: 'RSA' },
  DH_DSS: { kx: 'DH', auth: 'DSS' },
  DH_RSA: { kx: 'DH', auth: 'RSA' },
  DHE_DSS: { kx: 'DHE', auth: 'DSS' },
  DHE_RSA: { kx: 'DHE', auth: 'RSA' },
  DH_anon: { kx: 'DH', auth: 'anon' },
  ECDH_ECDSA: { kx: 'ECDH', auth: 'ECDSA' },
  ECDH_RSA: { kx: 'ECDH', auth: 'RSA' },
  ECDHE_ECDSA: { kx: 'ECDHE', auth: 'ECDSA' },
  ECDHE_RSA: { kx: 'ECDHE', auth: 'RSA' },
  ECDH_anon: { kx: 'ECDH', auth: 'anon' },
  KRB5: { kx: 'KRB5', auth: 'KRB5' },
  PSK: { kx: 'PSK', auth: 'PSK' },
  DHE_PSK: { kx: 'DHE_PSK', auth: 'PSK' },
  // IANA spells 0xC0AA/0xC0AB "TLS_PSK_DHE_WITH_…" (RFC 6655); same key exchange as DHE_PSK.
  PSK_DHE: { kx: 'DHE_PSK', auth: 'PSK' },
  ECDHE_PSK: { kx: 'ECDHE_PSK', auth: 'PSK' },
  // RSA_PSK: the server also proves an RSA certificate (RFC 4279 §4).
  RSA_PSK: { kx: 'RSA_PSK', auth: 'RSA' },
  SRP_SHA: { kx: 'SRP', auth: 'SRP' },
  SRP_SHA_RSA: { kx: 'SRP', auth: 'RSA' },
  SRP_SHA_DSS: { kx: 'SRP', auth: 'DSS' },
  ECCPWD: { kx: 'ECCPWD', auth: 'ECCPWD' },
  // RFC 9189: VKO key agreement against the server's static GOST R 34.10-2012 certificate key.
  GOSTR341112_256: { kx: 'GOSTR341112_256', auth: 'GOSTR341012' },
  // Not in IANA's registry (fixtures/tls-legacy). Older GOST suites (draft-chudov-cryptopro-cptls):
  // VKO against the server's static GOST R 34.10-94 / 34.10-2001 key, so no forward secrecy.
  GOSTR341094: { kx: 'GOSTR341094', auth: 'GOSTR341094' },
  GOSTR341001: { kx: 'GOSTR341001', auth: 'GOSTR341001' },
  // OpenSSL 0.9.8's ccgost "GOST-MD5": RSA key transport with a GOST 28147-89 cipher.
  GOSTR341094_RSA: { kx: 'RSA', auth: 'RSA' },
  // Chrome's 2016 post-quantum experiment: ephemeral X25519 + NewHope.
  CECPQ1_RSA: { kx: 'CECPQ1', auth: 'RSA' },
  CECPQ1_ECDSA: { kx: 'CECPQ1', auth: 'ECDSA' },
  // SSLv3's FORTEZZA KEA against the server's certified (static) KEA key (RFC 6101).
  FORTEZZA_KEA: { kx: 'FORTEZZA_KEA', auth: 'FORTEZZA' },
  // Netscape/NSS "FIPS" variants of RSA suites (0xFEFE/0xFEFF, older 0xFFE0/0xFFE1): plain RSA key exchange.
  RSA_FIPS: { kx: 'RSA', auth: 'RSA' },
  RSA_OLDFIPS: { kx: 'RSA', auth: 'RSA' },
};

const EPHEMERAL_KX = new Set(['DHE', 'ECDHE', 'DHE_PSK', 'ECDHE_PSK', 'CECPQ1']);
// Last name token: the record MAC (≤ TLS 1.2) or the PRF/HKDF hash (AEAD and TLS 1.3 suites).
// GOSTR3411 / GOST94 (GOST R 34.11-94 HMAC) and STREEBOG256 only occur in non-IANA GOST names.
const MAC_TOKENS = new Set(['NULL', 'SHA', 'SHA256', 'SHA384', 'MD5', 'SM3', 'OMAC', 'IMIT', 'GOSTR3411', 'GOST94', 'STREEBOG256']);

/** Split "AES_128_CBC_SHA256" into cipher "AES_128_CBC" and MAC/PRF hash "SHA256". */
function splitCipherMac(post: string): { cipher: CipherFacts; hash: string | null } | null {
  const whole = cipherFacts(post);
  if (whole) return { cipher: whole, hash: null };
  const cut = post.lastIndexOf('_');
  if (cut < 0) return null;
  const hash = post.slice(cut + 1);
  const cipher = cipherFacts(post.slice(0, cut));
  return cipher && MAC_TOKENS.has(hash) ? { cipher, hash } : null;
}

const UNKNOWN: Facts = {
  tls13: false,
  scsv: false,
  kx: 'UNKNOWN',
  auth: 'UNKNOWN',
  cipher: 'UNKNOWN',
  bits: 0,
  blockBits: null,
  mac: 'UNKNOWN',
  aead: false,
  cbc: false,
  forwardSecrecy: false,
  export: false,
  anonymous: false,
  nullCipher: false,
};

/**
 * Facts from an IANA cipher suite name. Deterministic and total: a name it cannot read comes back
 * with 'UNKNOWN' fields rather than throwing, so one odd future registry row cannot break startup
 * (the unit test asserts no current row is UNKNOWN).
 */
export function parseCipherSuiteName(name: string): Facts {
  if (/_SCSV$/.test(name)) {
    return {
      ...UNKNOWN,
      scsv: true,
      kx: 'NONE',
      auth: 'NONE',
      cipher: 'NONE',
      mac: 'NONE',
    };
  }
  // SSLv3-era vendor names (SSL_FORTEZZA_…, SSL_RSA_FIPS_…) read as their TLS_ forms.
  if (!name.startsWith('TLS_') && !name.startsWith('SSL_')) return UNKNOWN;
  // Pre-RFC 7905 ChaCha20-Poly1305 code points (0xCC13–0xCC15) carry testssl's/BoringSSL's "_OLD".
  const body = name.slice(4).replace(/_SHA256_OLD$/, '_SHA256');

  // RFC 9150 integrity-only TLS 1.3 suites: TLS_SHA256_SHA256, TLS_SHA384_SHA384.
  const integrityOnly = /^(SHA256|SHA384)_\1$/.exec(body);
  if (integrityOnly) {
    return {
      ...UNKNOWN,
      tls13: true,
      kx: 'ANY',
      auth: 'ANY',
      cipher: 'NULL',
      mac: integrityOnly[1]!,
      forwardSecrecy: true,
      nullCipher: true,
    };
  }

  const withAt = body.indexOf('_WITH_');
  // TLS 1.3 names carry only AEAD and hash (RFC 8446 §B.4); so do RFC 8998's SM4 suites.
  // RFC 9367's GOST MGM suites keep a "…_WITH_" form but are TLS 1.3 too.
  const gost13 = /^GOSTR341112_256_WITH_(KUZNYECHIK|MAGMA)_MGM_[LS]$/.test(body);
  if (withAt < 0 || gost13) {
    const split = gost13 ? splitCipherMac(body.slice(withAt + 6)) : splitCipherMac(body);
    if (!split || !split.cipher.aead) return UNKNOWN;
    return {
      ...split.cipher,
      tls13: true,
      scsv: false,
      kx: 'ANY',
      auth: 'ANY',
      mac: 'AEAD',
      forwardSecrecy: true,
      export: false,
      anonymous: false,
      nullCipher: false,
    };
  }

  let pre = body.slice(0, withAt);
  const exportSuite = /_EXPORT(1024)?$/.test(pre);
  pre = pre.replace(/_EXPORT(1024)?$/, '');
  const kx = KX[pre];
  const split = splitCipherMac(body.slice(withAt + 6));
  if (!kx || !split) return UNKNOWN;
  const { cipher, hash } = split;
  const nullCipher = cipher.cipher === 'NULL';
  const anonymous = kx.auth === 'anon' || kx.auth === 'NULL';
  return {
    ...cipher,
    tls13: false,
    scsv: false,
    kx: kx.kx,
    auth: kx.auth,
    // AEAD suites name their PRF hash, not a MAC; a NULL-cipher suite still has its HMAC.
    mac: cipher.aead ? 'AEAD' : (hash ?? 'UNKNOWN'),
    // Anonymous suites get no credit: without authentication an active attacker holds the keys.
    forwardSecrecy: EPHEMERAL_KX.has(kx.kx) && !anonymous,
    export: exportSuite,
    anonymous,
    nullCipher,
  };
}

export const CIPHER_SUITES: readonly CipherSuiteInfo[] = Object.freeze(
  CIPHER_SUITE_ROWS.map((row) =>
    Object.freeze({
      code: row.code,
      name: row.name,
      iana: row.iana,
      ...parseCipherSuiteName(row.factsName ?? row.name),
      opensslName: row.opensslName,
      recommended: row.recommended,
      references: row.references,
    }),
  ),
);

const BY_CODE = new Map(CIPHER_SUITES.map((s) => [s.code, s]));
const BY_NAME = new Map<string, CipherSuiteInfo>();
for (const s of CIPHER_SUITES) {
  BY_NAME.set(s.name, s);
  if (s.opensslName) BY_NAME.set(s.opensslName, s);
}
// IANA spells "anon" in lower case; accept any case as a fallback.
const BY_UPPER_NAME = new Map([...BY_NAME].map(([k, v]) => [k.toUpperCase(), v]));

export function suiteByCode(code: number): CipherSuiteInfo | undefined {
  return BY_CODE.get(code);
}

/** By IANA name or OpenSSL name (exact first, then case-insensitive). */
export function suiteByName(name: string): CipherSuiteInfo | undefined {
  return BY_NAME.get(name) ?? BY_UPPER_NAME.get(name.toUpperCase());
}

/**
 * Suites defined only for TLS 1.2 by their RFCs: AEAD modes, SHA-256/384 record MACs (RFC 5246,
 * 5288, 5289 …) and the RFC 9189 GOST suites. They are left out of SSLv3–TLS 1.1 lists.
 */
function tls12Only(s: CipherSuiteInfo): boolean {
  return s.aead || s.mac === 'SHA256' || s.mac === 'SHA384' || s.kx === 'GOSTR341112_256';
}

const BY_PROTOCOL: Record<TlsProtocol, readonly CipherSuiteInfo[]> = (() => {
  const legacy = Object.freeze(CIPHER_SUITES.filter((s) => !s.tls13 && !s.scsv && !tls12Only(s)));
  return {
    SSLv3: legacy,
    'TLSv1.0': legacy,
    'TLSv1.1': legacy,
    'TLSv1.2': Object.freeze(CIPHER_SUITES.filter((s) => !s.tls13 && !s.scsv)),
    'TLSv1.3': Object.freeze(CIPHER_SUITES.filter((s) => s.tls13)),
  };
})();

/** Every suite a client could offer for that version, sorted by code; never SCSVs. */
export function suitesForProtocol(p: TlsProtocol): readonly CipherSuiteInfo[] {
  return BY_PROTOCOL[p];
}
