import { describe, expect, it } from 'vitest';
import { checkTlsProtocols, type TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import type { Protocols } from '../../src/model/report.js';

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
