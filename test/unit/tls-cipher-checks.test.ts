import { describe, expect, it } from 'vitest';
import { checkTlsCiphers, type TlsCiphersEvidence } from '../../src/tls/ciphers.js';

const ev = (suites: TlsCiphersEvidence['suites']): TlsCiphersEvidence => ({ suites, serverPreference: {}, incomplete: {} });
const ids = (e: TlsCiphersEvidence) => checkTlsCiphers(e).map((f) => [f.id, f.severity]);

describe('tls-ciphers checks', () => {
  it('a modern AEAD + forward-secret configuration has no findings', () => {
    expect(ids(ev({
      'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
      'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    }))).toEqual([]);
  });

  it('flags every weak family, worst first, naming the suites per protocol', () => {
    const findings = checkTlsCiphers(ev({
      SSLv3: ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_RSA_WITH_RC4_128_SHA'],
      'TLSv1.0': ['TLS_RSA_WITH_NULL_SHA', 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_DES_CBC_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    }));
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['tls.cipher.null', 'critical'],
      ['tls.cipher.anonymous', 'critical'],
      ['tls.cipher.export', 'high'],
      ['tls.cipher.rc4', 'high'],
      ['tls.cipher.weak-key', 'high'],
      ['tls.cipher.64bit-block', 'medium'],
      ['tls.cipher.no-forward-secrecy', 'medium'],
      ['tls.cipher.no-aead', 'medium'],
    ]);
    const rc4 = findings.find((f) => f.id === 'tls.cipher.rc4')!;
    expect(rc4.evidence).toEqual({ suites: { SSLv3: ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_RSA_WITH_RC4_128_SHA'] } });
    expect(rc4.detail).toContain('TLS_RSA_WITH_RC4_128_SHA');
  });

  it('static RSA beside ECDHE is low; CBC beside AEAD is low', () => {
    expect(ids(ev({ 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'] }))).toEqual([
      ['tls.cipher.static-key-exchange', 'low'],
      ['tls.cipher.cbc', 'low'],
    ]);
  });

  it('TLS 1.3 alone counts as AEAD and forward secret', () => {
    expect(ids(ev({ 'TLSv1.3': ['TLS_AES_256_GCM_SHA384'] }))).toEqual([]);
  });

  it('SSLv2 kinds and unknown code points are not judged by the TLS rules', () => {
    expect(ids(ev({ SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], 'TLSv1.2': ['0xfeee', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }))).toEqual([]);
  });

  it('nothing enumerated, nothing claimed', () => {
    expect(ids(ev({}))).toEqual([]);
  });
});
