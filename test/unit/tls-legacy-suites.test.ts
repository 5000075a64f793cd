// The cipher suites IANA never registered (fixtures/tls-legacy): every row's facts as the registry
// derives them from its name, one explicit case per family, where enumeration offers them, and
// what the checks and the SSL Labs letter make of them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyTls } from '../../src/engine/sections.js';
import { sslLabsComponents } from '../../src/grade/ssllabs.js';
import { PROTOCOLS, type Protocols } from '../../src/model/constants.js';
import type { TlsResult } from '../../src/model/report.js';
import { MAX_SUITES_PER_HELLO, offerTier, probeOrder } from '../../src/net/tls/suite-order.js';
import { checkTlsCiphers, nonIanaField } from '../../src/tls/ciphers.js';
import { CIPHER_SUITES, suiteByCode, suiteByName, suitesForProtocol, type CipherSuiteInfo } from '../../src/tls/registry/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface FixtureRow {
  code: number;
  name: string;
  opensslName: string | null;
  family: string;
  facts: Pick<CipherSuiteInfo, 'kx' | 'auth' | 'cipher' | 'bits' | 'mac' | 'export'>;
}

/** The fixture as the test reads it itself (plain comma-separated, no quoting needed). */
function fixtureRows(): FixtureRow[] {
  const lines = readFileSync(resolve(ROOT, 'fixtures/tls-legacy/cipher-suites.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const [head, ...body] = lines.map((l) => l.split(','));
  const col = (r: string[], name: string) => r[head!.indexOf(name)]!;
  return body.map((r) => ({
    code: parseInt(col(r, 'code'), 16),
    name: col(r, 'name'),
    opensslName: col(r, 'openssl_name') || null,
    family: col(r, 'family'),
    facts: {
      kx: col(r, 'kx'),
      auth: col(r, 'auth'),
      cipher: col(r, 'cipher'),
      bits: Number(col(r, 'bits')),
      mac: col(r, 'mac'),
      export: col(r, 'export') === 'Y',
    },
  }));
}

const ROWS = fixtureRows();

const hex = (code: number): string => `0x${code.toString(16).padStart(4, '0')}`;

function suite(code: number): CipherSuiteInfo {
  const s = suiteByCode(code);
  if (!s) throw new Error(`no suite 0x${code.toString(16)}`);
  return s;
}

describe('non-IANA cipher suites in the registry', () => {
  it('has every fixture row, marked non-IANA, and nothing else non-IANA', () => {
    expect(ROWS.length).toBe(30);
    expect(CIPHER_SUITES.filter((s) => !s.iana).map((s) => s.code)).toEqual(ROWS.map((r) => r.code).sort((a, b) => a - b));
  });

  it.each(ROWS.map((r) => [hex(r.code), r] as const))('%s: facts as listed', (_, row) => {
    const s = suite(row.code);
    expect(s).toMatchObject({ name: row.name, iana: false, opensslName: row.opensslName, ...row.facts, scsv: false, tls13: false });
    expect(suiteByName(row.name)).toBe(s);
    if (row.opensslName) expect(suiteByName(row.opensslName)).toBe(s);
  });

  // [code, family, the facts the family is about]
  const cases: Array<[number, string, Partial<CipherSuiteInfo>]> = [
    // EXPORT1024: 56-bit DES / RC4_56 / RC2_56 behind a 1024-bit export key exchange.
    [0x0064, 'export1024', { kx: 'RSA', auth: 'RSA', cipher: 'RC4_56', bits: 56, blockBits: null, export: true, forwardSecrecy: false, aead: false, cbc: false }],
    [0x0062, 'export1024', { cipher: 'DES_CBC', bits: 56, blockBits: 64, cbc: true, export: true, mac: 'SHA' }],
    [0x0061, 'export1024', { cipher: 'RC2_CBC_56', bits: 56, blockBits: 64, export: true, mac: 'MD5' }],
    [0x0063, 'export1024', { kx: 'DHE', auth: 'DSS', bits: 56, export: true, forwardSecrecy: true }],
    [0x0065, 'export1024', { kx: 'DHE', auth: 'DSS', cipher: 'RC4_56', export: true, forwardSecrecy: true }],
    [0x0066, 'export1024', { kx: 'DHE', auth: 'DSS', cipher: 'RC4_128', bits: 128, export: false, forwardSecrecy: true }],
    // Pre-RFC 7905 ChaCha20-Poly1305: AEAD; forward secret with ECDHE and DHE.
    [0xcc13, 'chacha-draft', { kx: 'ECDHE', auth: 'RSA', cipher: 'CHACHA20_POLY1305', bits: 256, blockBits: null, aead: true, mac: 'AEAD', forwardSecrecy: true, export: false }],
    [0xcc14, 'chacha-draft', { kx: 'ECDHE', auth: 'ECDSA', aead: true, forwardSecrecy: true }],
    [0xcc15, 'chacha-draft', { kx: 'DHE', auth: 'RSA', aead: true, forwardSecrecy: true }],
    // GOST: VKO against a static GOST key (no forward secrecy), GOST 28147-89 in counter mode.
    [0x0081, 'gost', { kx: 'GOSTR341001', auth: 'GOSTR341001', cipher: '28147_CNT', bits: 256, blockBits: 64, mac: 'IMIT', aead: false, cbc: false, forwardSecrecy: false }],
    [0x0082, 'gost', { kx: 'GOSTR341094', cipher: 'NULL', bits: 0, nullCipher: true, mac: 'GOSTR3411', anonymous: false }],
    [0xff00, 'gost', { kx: 'RSA', auth: 'RSA', cipher: '28147_CNT', mac: 'MD5', forwardSecrecy: false }],
    [0xff01, 'gost', { kx: 'RSA', mac: 'GOST94' }],
    [0xff02, 'gost', { name: 'GOST-GOST89MAC', kx: 'RSA', cipher: '28147_CNT', mac: 'IMIT' }],
    [0xff85, 'gost', { name: 'GOST2012256-GOST89-GOST89', kx: 'GOSTR341112_256', auth: 'GOSTR341012', forwardSecrecy: false }],
    [0xff87, 'gost', { kx: 'GOSTR341112_256', cipher: 'NULL', nullCipher: true, mac: 'STREEBOG256' }],
    // FORTEZZA (SSL 3.0): Skipjack's 80-bit key.
    [0x001d, 'fortezza', { kx: 'FORTEZZA_KEA', auth: 'FORTEZZA', cipher: 'FORTEZZA_CBC', bits: 80, blockBits: 64, cbc: true, forwardSecrecy: false }],
    [0x001c, 'fortezza', { cipher: 'NULL', nullCipher: true, bits: 0 }],
    // NSS FIPS variants: plain RSA key exchange.
    [0xfeff, 'nss-fips', { kx: 'RSA', auth: 'RSA', cipher: '3DES_EDE_CBC', bits: 112, blockBits: 64, forwardSecrecy: false }],
    [0xffe1, 'nss-fips', { name: 'SSL_RSA_OLDFIPS_WITH_DES_CBC_SHA', cipher: 'DES_CBC', bits: 56 }],
    // CECPQ1: ephemeral X25519 + NewHope.
    [0x16b9, 'cecpq1', { kx: 'CECPQ1', auth: 'RSA', cipher: 'AES_256_GCM', aead: true, forwardSecrecy: true }],
  ];

  it.each(cases.map(([code, family, facts]) => [hex(code), family, code, facts] as const))('%s (%s)', (_, family, code, facts) => {
    expect(ROWS.find((r) => r.code === code)?.family).toBe(family);
    expect(suite(code)).toMatchObject({ iana: false, ...facts });
  });

  it('leaves IANA code points to IANA: 0x001E stays TLS_KRB5_WITH_DES_CBC_SHA, every IANA row is marked so', () => {
    expect(suite(0x001e)).toMatchObject({ name: 'TLS_KRB5_WITH_DES_CBC_SHA', iana: true });
    expect(suite(0xcca8)).toMatchObject({ name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', iana: true });
    expect(CIPHER_SUITES.filter((s) => s.iana).length).toBeGreaterThan(340);
  });

  it('lists AEAD draft suites and GOST 2012 only for TLS 1.2, the rest from SSL 3.0 on', () => {
    const legacy = suitesForProtocol('TLSv1.0').map((s) => s.code);
    const tls12 = suitesForProtocol('TLSv1.2').map((s) => s.code);
    expect(legacy).toEqual(expect.arrayContaining([0x0060, 0x0064, 0x0066, 0x0080, 0x001d, 0xfeff, 0xff00]));
    expect(legacy).not.toContain(0xcc13);
    expect(legacy).not.toContain(0x16b7);
    expect(legacy).not.toContain(0xff85);
    expect(tls12).toEqual(expect.arrayContaining(ROWS.map((r) => r.code)));
    expect(suitesForProtocol('TLSv1.3').some((s) => !s.iana)).toBe(false);
  });
});

describe('where enumeration offers them', () => {
  it('what stock OpenSSL/BoringSSL builds shipped is in the first hello; engine and vendor suites last', () => {
    for (const p of ['SSLv3', 'TLSv1.0', 'TLSv1.2'] as const) {
      const order = probeOrder(p);
      const first = new Set(order.slice(0, MAX_SUITES_PER_HELLO));
      // Every tier-0 suite fits in one hello, so a typical legacy server's picks form one ranking.
      const tier0 = suitesForProtocol(p).filter((s) => offerTier(s) === 0);
      expect(tier0.length).toBeLessThanOrEqual(MAX_SUITES_PER_HELLO);
      for (const s of tier0) expect(first.has(s.code), s.name).toBe(true);
      for (const code of [0x0060, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066]) expect(first.has(code)).toBe(true);
      // The last suites offered are the non-IANA ones only an engine or a vendor stack speaks.
      const tail = order.slice(-4).map((c) => suite(c));
      expect(tail.every((s) => !s.iana && offerTier(s) === 2)).toBe(true);
    }
    expect(new Set(probeOrder('TLSv1.2').slice(0, MAX_SUITES_PER_HELLO))).toContain(0xcc13);
  });

  it('a modern server costs no extra hello: TLS 1.2 still fits in three, SSLv3–TLS 1.1 in two', () => {
    expect(Math.ceil(probeOrder('TLSv1.2').length / MAX_SUITES_PER_HELLO)).toBe(3);
    expect(Math.ceil(probeOrder('TLSv1.0').length / MAX_SUITES_PER_HELLO)).toBe(2);
    expect(probeOrder('TLSv1.3').length).toBeLessThanOrEqual(MAX_SUITES_PER_HELLO);
  });
});

describe('what the checks and the letter make of them', () => {
  const found = (names: string[]) => checkTlsCiphers({ suites: { 'TLSv1.0': names }, serverPreference: {}, incomplete: {} }).map((f) => f.id);

  it('the report field marks exactly the non-IANA names, once each, and is absent without them', () => {
    const ev = { suites: { 'TLSv1.0': ['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': ['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA', 'GOST-GOST89MAC'] }, serverPreference: {}, incomplete: {} };
    expect(nonIanaField(ev)).toEqual({ cipherSuitesNonIana: ['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA', 'GOST-GOST89MAC'] });
    expect(nonIanaField({ suites: { 'TLSv1.2': ['TLS_RSA_WITH_AES_128_CBC_SHA'] }, serverPreference: {}, incomplete: {} })).toEqual({});
  });

  it('EXPORT1024 is export (and RC4); FORTEZZA is a short key; GOST NULL is no encryption', () => {
    expect(found(['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA'])).toEqual(expect.arrayContaining(['tls.cipher.export', 'tls.cipher.rc4']));
    expect(found(['TLS_RSA_EXPORT1024_WITH_RC4_56_SHA'])).not.toContain('tls.cipher.weak-key');
    expect(found(['SSL_FORTEZZA_KEA_WITH_FORTEZZA_CBC_SHA'])).toContain('tls.cipher.weak-key');
    expect(found(['TLS_GOSTR341001_WITH_NULL_GOSTR3411'])).toContain('tls.cipher.null');
    expect(found(['TLS_DHE_DSS_WITH_RC4_128_SHA'])).not.toContain('tls.cipher.no-forward-secrecy');
  });

  function tls12(names: string[]): TlsResult {
    const protocols = Object.fromEntries(PROTOCOLS.map((n) => [n, false])) as Protocols;
    return { ...emptyTls(), status: 'ok', protocols: { ...protocols, 'TLSv1.2': true }, cipherSuites: { 'TLSv1.2': names } };
  }
  const caps = (names: string[]) => sslLabsComponents(tls12(names)).caps.map((c) => `${c.id}:${c.grade}`);

  it('an accepted EXPORT1024 suite caps the letter at F, as IANA export suites do', () => {
    const modern = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'];
    expect(caps(modern)).not.toContain('ssllabs.cap.export:F');
    expect(caps([...modern, 'TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA'])).toContain('ssllabs.cap.export:F');
    expect(caps([...modern, 'EXP1024-DHE-DSS-RC4-SHA'])).toContain('ssllabs.cap.export:F');
    // The draft ChaCha20 suites are as good as their RFC successors.
    expect(caps(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD'])).toEqual(caps(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256']));
  });
});
