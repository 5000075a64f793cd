import { describe, expect, it } from 'vitest';
import { checkTlsHandshake, type TlsHandshakeEvidence } from '../../probes/tls-handshake.js';
import { checkTlsProtocols, type TlsProtocolsEvidence } from '../../probes/tls-protocols.js';
import type { CertificateInfo, Protocols } from '../../src/model/report.js';

const now = new Date('2026-11-22T00:00:00Z');
const leaf = (over: Partial<CertificateInfo> = {}): CertificateInfo => ({
  subject: 'CN=example.com', issuer: 'CN=Test CA', sans: ['example.com'], serialNumber: '01', fingerprintSha256: 'ab',
  notBefore: '2026-10-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', daysRemaining: 40, keyType: 'EC', keyBits: 256,
  curve: 'prime256v1', signatureAlgorithm: 'SHA256withECDSA', trusted: true, trustError: null, hostnameMatch: true,
  chainComplete: null, selfSigned: false, ocspStapled: false, scts: null, ...over,
});
const ev = (over: Partial<TlsHandshakeEvidence> = {}, cert: Partial<CertificateInfo> = {}): TlsHandshakeEvidence => ({
  protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', verifyError: null,
  certificates: [leaf(cert)], matchedName: 'example.com', ...over,
});

describe('tls-handshake checks', () => {
  it('a valid, trusted, matching certificate has no findings', () => {
    expect(checkTlsHandshake(ev(), now)).toEqual([]);
  });
  it('expired is critical and not also reported as untrusted', () => {
    const f = checkTlsHandshake(ev({ verifyError: 'CERT_HAS_EXPIRED' }, { notAfter: '2026-10-23T00:00:00.000Z', daysRemaining: -30, trusted: false }), now);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tls.cert.expired', 'critical']]);
    expect(f[0]?.detail).toContain('30 days ago');
  });
  it('expiring within 30 days is medium, within 7 high', () => {
    expect(checkTlsHandshake(ev({}, { daysRemaining: 20 }), now).map((x) => x.severity)).toEqual(['medium']);
    expect(checkTlsHandshake(ev({}, { daysRemaining: 3 }), now).map((x) => x.severity)).toEqual(['high']);
  });
  it('self-signed is untrusted with the reason spelled out', () => {
    const f = checkTlsHandshake(ev({ verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, { trusted: false }), now);
    expect(f.map((x) => x.id)).toEqual(['tls.cert.untrusted']);
    expect(f[0]?.detail).toContain('self-signed');
  });
  it('name mismatch names the host and the SANs', () => {
    const f = checkTlsHandshake(ev({}, { hostnameMatch: false, sans: ['other.example'] }), now);
    expect(f.map((x) => x.id)).toEqual(['tls.cert.hostname-mismatch']);
    expect(f[0]?.detail).toContain('other.example');
  });
});

const protocols = (p: Partial<Protocols>): Protocols => ({
  SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true, ...p,
});
const pev = (p: Partial<Protocols>, sslv2Ciphers: string[] = []): TlsProtocolsEvidence => ({ protocols: protocols(p), attempts: {}, sslv2Ciphers, firstPick: {} });

describe('tls-protocols checks', () => {
  it('modern only: nothing to report', () => {
    expect(checkTlsProtocols(pev({}))).toEqual([]);
  });
  it('TLS 1.0 and 1.1 enabled, no TLS 1.3', () => {
    const ids = checkTlsProtocols(pev({ 'TLSv1.0': true, 'TLSv1.1': true, 'TLSv1.3': false })).map((f) => f.id);
    expect(ids).toEqual(['tls.protocol.tls10', 'tls.protocol.tls11', 'tls.protocol.no-tls13']);
  });
  it('not tested (null) is never reported as missing', () => {
    expect(checkTlsProtocols(pev({ 'TLSv1.3': null, SSLv2: null, SSLv3: null }))).toEqual([]);
  });
  it('neither 1.2 nor 1.3 is high', () => {
    const f = checkTlsProtocols(pev({ 'TLSv1.0': true, 'TLSv1.2': false, 'TLSv1.3': false }));
    expect(f.find((x) => x.id === 'tls.protocol.no-modern')?.severity).toBe('high');
  });
  it('SSLv2 is critical and names its ciphers, SSLv3 is high', () => {
    const f = checkTlsProtocols(pev({ SSLv2: true, SSLv3: true }, ['SSL_CK_RC4_128_WITH_MD5']));
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tls.protocol.sslv2', 'critical'], ['tls.protocol.sslv3', 'high']]);
    expect(f[0]?.detail).toContain('SSL_CK_RC4_128_WITH_MD5');
  });
});
