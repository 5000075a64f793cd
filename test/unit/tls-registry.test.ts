import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CIPHER_SUITES,
  GREASE_VALUES,
  GROUPS,
  SIGNATURE_SCHEMES,
  SSLV2_CIPHER_KINDS,
  groupByCode,
  groupByName,
  isGrease,
  parseCipherSuiteName,
  signatureSchemeByCode,
  signatureSchemeByName,
  sslv2KindByCode,
  sslv2KindFromBytes,
  suiteByCode,
  suiteByName,
  suitesForProtocol,
  type CipherSuiteInfo,
} from '../../src/tls/registry/index.js';
import { CIPHER_SUITE_GREASE } from '../../src/tls/registry/cipher-suites.data.js';
import { GROUP_GREASE } from '../../src/tls/registry/groups.data.js';

const ROOT = resolve(import.meta.dirname, '../..');

function suite(code: number): CipherSuiteInfo {
  const s = suiteByCode(code);
  if (!s) throw new Error(`no suite 0x${code.toString(16)}`);
  return s;
}

describe('cipher suite facts parsed from IANA names', () => {
  // [code, name, opensslName, partial facts]
  const cases: Array<[number, string, string | null, Partial<CipherSuiteInfo>]> = [
    [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA',
      { kx: 'RSA', auth: 'RSA', cipher: 'AES_128_CBC', bits: 128, blockBits: 128, mac: 'SHA', cbc: true, aead: false, forwardSecrecy: false, tls13: false }],
    [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
      { kx: 'ECDHE', auth: 'RSA', cipher: 'AES_128_GCM', bits: 128, blockBits: 128, mac: 'AEAD', aead: true, cbc: false, forwardSecrecy: true }],
    [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
      { kx: 'ECDHE', bits: 256, aead: true, forwardSecrecy: true }],
    [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256',
      { kx: 'ECDHE', auth: 'ECDSA', aead: true, forwardSecrecy: true }],
    [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', null,
      { kx: 'RSA', cipher: '3DES_EDE_CBC', bits: 112, blockBits: 64, cbc: true, mac: 'SHA', forwardSecrecy: false }],
    [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', null,
      { kx: 'RSA', auth: 'RSA', cipher: 'RC4_40', bits: 40, blockBits: null, mac: 'MD5', export: true, cbc: false }],
    [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', null,
      { cipher: 'RC2_CBC_40', bits: 40, blockBits: 64, export: true, cbc: true }],
    [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', null,
      { kx: 'DHE', auth: 'RSA', cipher: 'DES40_CBC', bits: 40, blockBits: 64, export: true, forwardSecrecy: true }],
    [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA', null, { cipher: 'DES_CBC', bits: 56, blockBits: 64, export: false }],
    [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', null, { cipher: 'RC4_128', bits: 128, blockBits: null, cbc: false, aead: false }],
    [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA', null, { cipher: 'IDEA_CBC', bits: 128, blockBits: 64 }],
    [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA', null, { cipher: 'SEED_CBC', bits: 128, blockBits: 128 }],
    [0x0026, 'TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA', null,
      { kx: 'KRB5', auth: 'KRB5', cipher: 'DES_CBC_40', bits: 40, export: true }],
    [0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256',
      { tls13: true, kx: 'ANY', auth: 'ANY', cipher: 'AES_128_GCM', bits: 128, mac: 'AEAD', aead: true, forwardSecrecy: true }],
    [0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', { tls13: true, cipher: 'AES_256_GCM', bits: 256 }],
    [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256',
      { tls13: true, cipher: 'CHACHA20_POLY1305', bits: 256, blockBits: null, aead: true }],
    [0x1304, 'TLS_AES_128_CCM_SHA256', null, { tls13: true, cipher: 'AES_128_CCM', aead: true }],
    [0x1305, 'TLS_AES_128_CCM_8_SHA256', null, { tls13: true, cipher: 'AES_128_CCM_8', aead: true, bits: 128 }],
    [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', null, { scsv: true, tls13: false, bits: 0 }],
    [0x5600, 'TLS_FALLBACK_SCSV', null, { scsv: true, tls13: false }],
    [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305',
      { kx: 'ECDHE', auth: 'RSA', cipher: 'CHACHA20_POLY1305', bits: 256, blockBits: null, mac: 'AEAD', aead: true, forwardSecrecy: true }],
    [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'ADH-AES128-SHA',
      { kx: 'DH', auth: 'anon', anonymous: true, forwardSecrecy: false, cbc: true }],
    [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', 'AECDH-AES128-SHA', { kx: 'ECDH', auth: 'anon', anonymous: true }],
    [0x0000, 'TLS_NULL_WITH_NULL_NULL', null,
      { kx: 'NULL', auth: 'NULL', cipher: 'NULL', mac: 'NULL', bits: 0, nullCipher: true, anonymous: true }],
    [0x0002, 'TLS_RSA_WITH_NULL_SHA', 'NULL-SHA',
      { kx: 'RSA', cipher: 'NULL', bits: 0, blockBits: null, mac: 'SHA', nullCipher: true, anonymous: false }],
    [0x003b, 'TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', { nullCipher: true, mac: 'SHA256' }],
    [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA', 'PSK-AES128-CBC-SHA',
      { kx: 'PSK', auth: 'PSK', forwardSecrecy: false, cbc: true }],
    [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256', 'DHE-PSK-AES128-GCM-SHA256',
      { kx: 'DHE_PSK', auth: 'PSK', forwardSecrecy: true, aead: true }],
    [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256', 'RSA-PSK-AES128-GCM-SHA256',
      { kx: 'RSA_PSK', auth: 'RSA', forwardSecrecy: false }],
    [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA', 'ECDHE-PSK-AES128-CBC-SHA', { kx: 'ECDHE_PSK', forwardSecrecy: true }],
    [0xc0aa, 'TLS_PSK_DHE_WITH_AES_128_CCM_8', 'DHE-PSK-AES128-CCM8',
      { kx: 'DHE_PSK', cipher: 'AES_128_CCM_8', aead: true, forwardSecrecy: true }],
    [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE-ECDSA-AES128-CCM8',
      { cipher: 'AES_128_CCM_8', bits: 128, blockBits: 128, mac: 'AEAD', aead: true }],
    [0xd003, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256', null, { kx: 'ECDHE_PSK', cipher: 'AES_128_CCM_8', mac: 'AEAD' }],
    [0xc050, 'TLS_RSA_WITH_ARIA_128_GCM_SHA256', 'ARIA128-GCM-SHA256', { cipher: 'ARIA_128_GCM', aead: true }],
    [0xc060, 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256', 'ECDHE-ARIA128-GCM-SHA256', { kx: 'ECDHE', cipher: 'ARIA_128_GCM' }],
    [0xc03c, 'TLS_RSA_WITH_ARIA_128_CBC_SHA256', null, { cipher: 'ARIA_128_CBC', cbc: true, mac: 'SHA256' }],
    [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', 'CAMELLIA256-SHA',
      { cipher: 'CAMELLIA_256_CBC', bits: 256, blockBits: 128, cbc: true }],
    [0xc07c, 'TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256', null, { cipher: 'CAMELLIA_128_GCM', aead: true }],
    [0xc01e, 'TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA', 'SRP-RSA-AES-128-CBC-SHA', { kx: 'SRP', auth: 'RSA' }],
    [0xc0b0, 'TLS_ECCPWD_WITH_AES_128_GCM_SHA256', null, { kx: 'ECCPWD', auth: 'ECCPWD', aead: true }],
    [0xc0b4, 'TLS_SHA256_SHA256', null,
      { tls13: true, cipher: 'NULL', bits: 0, mac: 'SHA256', nullCipher: true, aead: false }],
    [0x00c6, 'TLS_SM4_GCM_SM3', null, { tls13: true, cipher: 'SM4_GCM', bits: 128, aead: true }],
    [0xc100, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC', null,
      { tls13: false, kx: 'GOSTR341112_256', cipher: 'KUZNYECHIK_CTR', bits: 256, blockBits: 128, mac: 'OMAC', forwardSecrecy: false }],
    [0xc102, 'TLS_GOSTR341112_256_WITH_28147_CNT_IMIT', null, { cipher: '28147_CNT', blockBits: 64, mac: 'IMIT' }],
    [0xc104, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_L', null,
      { tls13: true, kx: 'ANY', cipher: 'MAGMA_MGM_L', blockBits: 64, aead: true }],
  ];

  it.each(cases)('%i %s', (code, name, opensslName, facts) => {
    const s = suite(code);
    expect(s.name).toBe(name);
    expect(s.opensslName).toBe(opensslName);
    expect(s).toMatchObject(facts);
    expect(suiteByName(name)).toBe(s);
    if (opensslName) expect(suiteByName(opensslName)).toBe(s);
  });

  it('parses EXPORT1024 names, which IANA keeps out of the registry (0x0060-0x0066 reserved)', () => {
    expect(parseCipherSuiteName('TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA')).toMatchObject({
      kx: 'DHE', auth: 'DSS', cipher: 'DES_CBC', bits: 56, export: true, cbc: true,
    });
    expect(parseCipherSuiteName('TLS_RSA_EXPORT1024_WITH_RC4_56_SHA')).toMatchObject({
      kx: 'RSA', cipher: 'RC4_56', bits: 56, blockBits: null, export: true,
    });
    expect(parseCipherSuiteName('TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5')).toMatchObject({ bits: 56, blockBits: 64 });
    expect(parseCipherSuiteName('TLS_MADE_UP_WITH_AES_128_CBC_SHA').kx).toBe('UNKNOWN');
  });

  it('reads every assigned code point, none UNKNOWN, with unique codes and names', () => {
    expect(CIPHER_SUITES.length).toBeGreaterThanOrEqual(350);
    for (const s of CIPHER_SUITES) {
      expect([s.kx, s.auth, s.cipher, s.mac], s.name).not.toContain('UNKNOWN');
      expect(s.code).toBeGreaterThanOrEqual(0);
      expect(s.code).toBeLessThanOrEqual(0xffff);
      // Internal consistency of the derived flags.
      if (s.aead) expect(s.mac, s.name).toBe('AEAD');
      expect(s.aead && s.cbc).toBe(false);
      if (s.nullCipher) expect(s.bits).toBe(0);
      if (s.export) expect(s.bits).toBeLessThanOrEqual(56);
    }
    const codes = CIPHER_SUITES.map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(codes);
    const names = CIPHER_SUITES.flatMap((s) => (s.opensslName && s.opensslName !== s.name ? [s.name, s.opensslName] : [s.name]));
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps GREASE and unassigned space out of the suite list', () => {
    for (const g of GREASE_VALUES) expect(suiteByCode(g)).toBeUndefined();
    expect(suiteByCode(0x0047)).toBeUndefined(); // reserved range
    expect(suiteByCode(0x1308)).toBeUndefined(); // unassigned
    expect(suiteByName('tls_dh_anon_with_aes_128_cbc_sha')?.code).toBe(0x0034);
    expect(suiteByName('NOPE')).toBeUndefined();
  });

  it('lists suites per protocol version', () => {
    const tls13 = suitesForProtocol('TLSv1.3');
    expect(tls13.every((s) => s.tls13)).toBe(true);
    expect(tls13.map((s) => s.code)).toEqual(expect.arrayContaining([0x1301, 0x1302, 0x1303, 0x1304, 0x1305]));
    const tls12 = suitesForProtocol('TLSv1.2');
    expect(tls12.some((s) => s.tls13 || s.scsv)).toBe(false);
    expect(tls12.map((s) => s.code)).toEqual(expect.arrayContaining([0x002f, 0x000a, 0xc02f, 0xcca8, 0x003c, 0x0000]));
    for (const p of ['SSLv3', 'TLSv1.0', 'TLSv1.1'] as const) {
      const list = suitesForProtocol(p);
      expect(list.some((s) => s.tls13 || s.scsv || s.aead || s.mac === 'SHA256' || s.mac === 'SHA384')).toBe(false);
      expect(list.map((s) => s.code)).toEqual(expect.arrayContaining([0x002f, 0x000a, 0x0003, 0xc013, 0x0005]));
      expect(list.map((s) => s.code)).not.toContain(0xc02f);
      expect(list.map((s) => s.code)).not.toContain(0x003c);
    }
    expect(CIPHER_SUITES.filter((s) => s.scsv).map((s) => s.code)).toEqual([0x00ff, 0x5600]);
  });
});

describe("this machine's OpenSSL", () => {
  // "0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD"
  const listing = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], {
    encoding: 'utf8',
  });
  const ciphers = listing
    .split('\n')
    .map((line) =>
      /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)\s+-\s+(\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)/i.exec(line),
    )
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      code: (parseInt(m[1]!, 16) << 8) | parseInt(m[2]!, 16),
      std: m[3]!,
      openssl: m[4]!,
      version: m[5]!,
      kx: m[6]!,
      au: m[7]!,
      enc: m[8]!,
      mac: m[9]!,
    }));

  it('lists ciphers', () => expect(ciphers.length).toBeGreaterThan(100));

  it('maps every OpenSSL cipher by code to the entry with the same IANA name and OpenSSL name', () => {
    for (const c of ciphers) {
      const s = suiteByCode(c.code);
      expect(s, c.std).toBeDefined();
      if (c.std !== '(NONE)') expect(s!.name).toBe(c.std);
      expect(s!.opensslName).toBe(c.openssl);
      expect(suiteByName(c.openssl)).toBe(s);
    }
  });

  it('agrees with OpenSSL on TLS 1.3, AEAD, NULL, anonymity, key bits and forward secrecy', () => {
    for (const c of ciphers) {
      const s = suite(c.code);
      expect(s.tls13, s.name).toBe(c.version === 'TLSv1.3');
      expect(s.aead, s.name).toBe(c.mac === 'AEAD');
      expect(s.nullCipher, s.name).toBe(c.enc.startsWith('None'));
      expect(s.anonymous, s.name).toBe(c.au === 'None');
      const bits = /\((\d+)\)/.exec(c.enc);
      if (bits && !c.enc.startsWith('3DES')) expect(s.bits, s.name).toBe(Number(bits[1]));
      // OpenSSL 3 has no static (EC)DH suites: Kx=DH/ECDH always means ephemeral.
      const ephemeral = ['DH', 'ECDH', 'DHEPSK', 'ECDHEPSK', 'any'].includes(c.kx) && c.au !== 'None';
      expect(s.forwardSecrecy, s.name).toBe(ephemeral);
    }
  });
});

describe('SSL 2.0 cipher kinds', () => {
  it('has the seven specification kinds and five vendor kinds, with their strength', () => {
    expect(SSLV2_CIPHER_KINDS).toHaveLength(12);
    expect(SSLV2_CIPHER_KINDS.filter((k) => !k.nonStandard)).toHaveLength(7);
    expect(sslv2KindByCode(0x010080)).toMatchObject({ name: 'SSL_CK_RC4_128_WITH_MD5', bits: 128, export: false, blockBits: null });
    expect(sslv2KindByCode(0x020080)).toMatchObject({ name: 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', bits: 40, export: true });
    expect(sslv2KindByCode(0x040080)).toMatchObject({ cipher: 'RC2_128_CBC', bits: 40, export: true, blockBits: 64 });
    expect(sslv2KindByCode(0x050080)).toMatchObject({ name: 'SSL_CK_IDEA_128_CBC_WITH_MD5', bits: 128 });
    expect(sslv2KindByCode(0x060040)).toMatchObject({ name: 'SSL_CK_DES_64_CBC_WITH_MD5', bits: 56, blockBits: 64 });
    expect(sslv2KindByCode(0x0700c0)).toMatchObject({ name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', bits: 112, export: false });
    expect(sslv2KindFromBytes(0x03, 0x00, 0x80)?.name).toBe('SSL_CK_RC2_128_CBC_WITH_MD5');
    // Vendor kinds (OpenSSL ssl2.h, testssl.sh cipher-mapping.txt), marked non-standard.
    expect(sslv2KindByCode(0x080080)).toMatchObject({ name: 'SSL_CK_RC4_64_WITH_MD5', cipher: 'RC4_64', bits: 64, nonStandard: true });
    expect(sslv2KindByCode(0x000000)).toMatchObject({ name: 'SSL_CK_NULL_WITH_MD5', cipher: 'NULL', bits: 0, nonStandard: true });
    expect(sslv2KindByCode(0x060140)).toMatchObject({ name: 'SSL_CK_DES_64_CBC_WITH_SHA', bits: 56, mac: 'SHA', nonStandard: true });
    expect(sslv2KindByCode(0x0701c0)).toMatchObject({ name: 'SSL_CK_DES_192_EDE3_CBC_WITH_SHA', bits: 112, mac: 'SHA', nonStandard: true });
    expect(sslv2KindByCode(0xff0800)).toMatchObject({ name: 'SSL_CK_DES_64_CFB64_WITH_MD5_1', bits: 56, blockBits: 64, nonStandard: true });
    expect(sslv2KindByCode(0x0100c0)).toBeUndefined();
  });
});

describe('supported groups', () => {
  it('classifies the groups that matter', () => {
    expect(groupByCode(23)).toMatchObject({ name: 'secp256r1', kind: 'ecdhe', bits: 256, recommended: true });
    expect(groupByCode(24)).toMatchObject({ name: 'secp384r1', kind: 'ecdhe', bits: 384 });
    expect(groupByCode(25)).toMatchObject({ name: 'secp521r1', kind: 'ecdhe', bits: 521 });
    expect(groupByCode(29)).toMatchObject({ name: 'x25519', kind: 'ecdhe', bits: 253, recommended: true });
    expect(groupByCode(30)).toMatchObject({ name: 'x448', kind: 'ecdhe', bits: 448 });
    expect(groupByCode(1)).toMatchObject({ name: 'sect163k1', bits: 163, discouraged: true, recommended: false });
    expect(groupByCode(26)).toMatchObject({ name: 'brainpoolP256r1', bits: 256 });
    for (const [code, bits] of [[256, 2048], [257, 3072], [258, 4096], [259, 6144], [260, 8192]] as const) {
      expect(groupByCode(code)).toMatchObject({ name: `ffdhe${bits}`, kind: 'ffdhe', bits });
    }
    expect(groupByCode(0x11ec)).toMatchObject({ name: 'X25519MLKEM768', kind: 'hybrid-pq', bits: 253 });
    expect(groupByCode(0x11eb)).toMatchObject({ name: 'SecP256r1MLKEM768', kind: 'hybrid-pq', bits: 256 });
    expect(groupByCode(0x11ed)).toMatchObject({ name: 'SecP384r1MLKEM1024', kind: 'hybrid-pq', bits: 384 });
    expect(groupByCode(0x6399)).toMatchObject({ name: 'X25519Kyber768Draft00', kind: 'hybrid-pq', obsolete: true });
    expect(groupByCode(513)).toMatchObject({ name: 'MLKEM768', kind: 'pq', bits: 0 });
    expect(groupByName('X25519')?.code).toBe(29);
    expect(groupByName('x25519mlkem768')?.code).toBe(4588);
    expect(groupByCode(0x0a0a)).toBeUndefined();
  });

  it('has unique codes and names, every one classified', () => {
    expect(GROUPS.every((g) => g.kind !== 'unknown')).toBe(true);
    expect(new Set(GROUPS.map((g) => g.code)).size).toBe(GROUPS.length);
    expect(new Set(GROUPS.map((g) => g.name.toLowerCase())).size).toBe(GROUPS.length);
  });
});

describe('signature schemes', () => {
  it('names the common schemes', () => {
    expect(signatureSchemeByCode(0x0403)?.name).toBe('ecdsa_secp256r1_sha256');
    expect(signatureSchemeByCode(0x0804)).toMatchObject({ name: 'rsa_pss_rsae_sha256', recommended: true });
    expect(signatureSchemeByCode(0x0807)?.name).toBe('ed25519');
    expect(signatureSchemeByCode(0x0201)).toMatchObject({ name: 'rsa_pkcs1_sha1', recommended: false });
    expect(signatureSchemeByCode(0x0601)?.name).toBe('rsa_pkcs1_sha512');
    expect(signatureSchemeByCode(0x0905)?.name).toBe('mldsa65');
    expect(signatureSchemeByName('RSA_PSS_PSS_SHA384')?.code).toBe(0x080a);
    expect(signatureSchemeByCode(0x0202)).toBeUndefined(); // reserved for backward compatibility
    expect(new Set(SIGNATURE_SCHEMES.map((s) => s.code)).size).toBe(SIGNATURE_SCHEMES.length);
  });
});

describe('GREASE (RFC 8701)', () => {
  it('matches the values both registries reserve', () => {
    expect(GREASE_VALUES).toHaveLength(16);
    expect(GREASE_VALUES[0]).toBe(0x0a0a);
    expect(GREASE_VALUES[15]).toBe(0xfafa);
    expect(CIPHER_SUITE_GREASE).toEqual(GREASE_VALUES);
    expect(GROUP_GREASE).toEqual(GREASE_VALUES);
    expect(GREASE_VALUES.every(isGrease)).toBe(true);
    expect([0x0a1a, 0x1a0a, 0x0000, 0x1301, 0x10a0a].some(isGrease)).toBe(false);
  });
});

describe('generator', () => {
  const out = mkdtempSync(join(tmpdir(), 'secgrade-tls-registry-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('regenerates byte-identical data files', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-tls-registry.mjs'), '--out', out], { stdio: 'pipe' });
    for (const file of ['cipher-suites.data.ts', 'groups.data.ts', 'signature-schemes.data.ts']) {
      const committed = readFileSync(join(ROOT, 'src', 'tls', 'registry', file));
      const fresh = readFileSync(join(out, file));
      expect(fresh.equals(committed), file).toBe(true);
      expect(fresh.toString('utf8')).toMatch(/^\/\/ generated by scripts\/gen-tls-registry\.mjs from fixtures\/iana; do not edit\n/);
    }
  });
});
