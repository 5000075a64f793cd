import { describe, expect, it } from 'vitest';
import { suitesToAsk, TLS12_CURVE_OFFER, TLS13_OFFER, tlsGroupsProbe } from '../../src/probes/tls/groups.js';
import { checkTlsGroups, groupName, groupsUnion, INCOMPLETE, type TlsGroupsEvidence } from '../../src/tls/groups.js';
import { REF } from '../../src/model/finding.js';
import { groupByCode } from '../../src/tls/registry/index.js';

const ev = (e: Partial<TlsGroupsEvidence> = {}): TlsGroupsEvidence => ({ tls13Groups: [], tls12Curves: [], dhPrimeBits: null, incomplete: [], ...e });
const ids = (e: TlsGroupsEvidence) => checkTlsGroups(e).map((f) => [f.id, f.severity]);
const MODERN = ['x25519', 'secp256r1', 'secp384r1'];

describe('tls-groups checks', () => {
  it('no evidence, no findings', () => {
    expect(checkTlsGroups(ev())).toEqual([]);
  });

  it('every finding has a well-formed id, references and a remediation', () => {
    const all = checkTlsGroups(ev({ tls13Groups: ['X25519MLKEM768', 'x25519'], tls12Curves: ['secp192r1'], dhPrimeBits: 512 }));
    expect(all.map((f) => f.id)).toEqual(['tls.kx.dh-weak', 'tls.kx.weak-curve', 'tls.kx.pq-hybrid']);
    for (const f of all) {
      expect(f.id).toMatch(/^tls\.kx\.[a-z0-9-]+$/);
      expect(f.references.length).toBeGreaterThan(0);
      expect(f.remediation).not.toBe('');
    }
  });

  describe('tls.kx.dh-weak', () => {
    it('high below 1024 bits, naming the size', () => {
      const [f] = checkTlsGroups(ev({ dhPrimeBits: 768 }));
      expect(f).toMatchObject({ id: 'tls.kx.dh-weak', severity: 'high', evidence: { dhPrimeBits: 768 } });
      expect(f?.detail).toContain('768-bit');
      expect(f?.references).toEqual(expect.arrayContaining(['CVE-2015-4000 (Logjam)', REF.ssllabsGuide, expect.stringContaining('RFC 7919')]));
    });

    it('medium from 1024 to 2047 bits', () => {
      expect(ids(ev({ dhPrimeBits: 1024 }))).toEqual([['tls.kx.dh-weak', 'medium']]);
      expect(ids(ev({ dhPrimeBits: 2047 }))).toEqual([['tls.kx.dh-weak', 'medium']]);
    });

    it('silent at 2048 bits and above, and when DHE was not tested', () => {
      expect(ids(ev({ dhPrimeBits: 2048 }))).toEqual([]);
      expect(ids(ev({ dhPrimeBits: 4096 }))).toEqual([]);
      expect(ids(ev({ dhPrimeBits: null }))).toEqual([]);
    });
  });

  describe('tls.kx.weak-curve', () => {
    it('medium for curves under 224 bits, from either list, each named once', () => {
      const findings = checkTlsGroups(ev({ tls12Curves: ['secp256r1', 'secp160r1', 'sect163k1', 'secp192r1'], tls13Groups: ['secp192r1'] }));
      const f = findings.find((x) => x.id === 'tls.kx.weak-curve');
      expect(f).toMatchObject({ severity: 'medium', evidence: { curves: ['secp192r1', 'secp160r1', 'sect163k1'] } });
      expect(f?.detail).toContain('secp160r1');
    });

    it('silent for 224 bits and up, FFDHE, hybrids and unknown codes', () => {
      expect(ids(ev({ tls12Curves: ['secp224r1', 'sect233k1', 'brainpoolP256r1', 'x448', '0x1234'] }))).toEqual([]);
      expect(ids(ev({ tls13Groups: ['ffdhe2048', 'X25519MLKEM768', 'secp224k1'] })).map(([id]) => id)).not.toContain('tls.kx.weak-curve');
    });
  });

  describe('tls.kx.pq-hybrid and tls.kx.no-pq', () => {
    it('a hybrid group is reported as information', () => {
      const findings = checkTlsGroups(ev({ tls13Groups: ['X25519MLKEM768', ...MODERN] }));
      expect(findings.map((f) => [f.id, f.severity])).toEqual([['tls.kx.pq-hybrid', 'info']]);
      expect(findings[0]?.detail).toContain('X25519MLKEM768');
      expect(findings[0]?.detail).toContain('reported as information');
      expect(findings[0]?.evidence).toMatchObject({ groups: ['X25519MLKEM768'] });
    });

    it('obsolete Kyber drafts are hybrids too', () => {
      expect(ids(ev({ tls13Groups: ['x25519', 'X25519Kyber768Draft00'] }))).toEqual([['tls.kx.pq-hybrid', 'info']]);
    });

    it('TLS 1.3 without any post-quantum group: no-pq (info) naming the groups seen', () => {
      const findings = checkTlsGroups(ev({ tls13Groups: MODERN, tls12Curves: MODERN }));
      expect(findings.map((f) => [f.id, f.severity])).toEqual([['tls.kx.no-pq', 'info']]);
      expect(findings[0]?.detail).toContain('x25519, secp256r1, secp384r1');
      expect(findings[0]?.evidence).toEqual({ tls13Groups: MODERN });
    });

    it('no no-pq without TLS 1.3, or when a pure ML-KEM group is supported', () => {
      expect(ids(ev({ tls12Curves: MODERN }))).toEqual([]);
      expect(ids(ev({ tls13Groups: ['MLKEM768', 'x25519'] }))).toEqual([]);
    });

    it('no no-pq when the TLS 1.3 list stopped early (a hybrid may rank after it)', () => {
      expect(ids(ev({ tls13Groups: ['x25519'], incomplete: [`${INCOMPLETE.tls13}: timed out`] }))).toEqual([]);
      // An early stop elsewhere does not matter.
      expect(ids(ev({ tls13Groups: ['x25519'], incomplete: [`${INCOMPLETE.tls12}: timed out`] }))).toEqual([['tls.kx.no-pq', 'info']]);
    });
  });
});

describe('tls-groups evidence helpers', () => {
  it('report: the union, TLS 1.3 order first, without duplicates; null when nothing was learnt and something failed', () => {
    const e = ev({ tls13Groups: ['x25519', 'secp256r1', 'ffdhe2048'], tls12Curves: ['secp384r1', 'x25519', 'secp256r1'] });
    expect(groupsUnion(e)).toEqual(['x25519', 'secp256r1', 'ffdhe2048', 'secp384r1']);
    expect(tlsGroupsProbe.fields(e)).toEqual({ groups: ['x25519', 'secp256r1', 'ffdhe2048', 'secp384r1'], dhParameterBits: e.dhPrimeBits });
    expect(tlsGroupsProbe.fields(ev())).toEqual({ groups: [], dhParameterBits: null });
    expect(tlsGroupsProbe.fields(ev({ incomplete: [`${INCOMPLETE.tls13}: timed out`] }))).toEqual({ groups: null, dhParameterBits: null, groupsIncomplete: [`${INCOMPLETE.tls13}: timed out`] });
  });

  it('names from the registry, 0x… for unknown codes', () => {
    expect(groupName(0x001d)).toBe('x25519');
    expect(groupName(0x11ec)).toBe('X25519MLKEM768');
    expect(groupName(0x0abc)).toBe('0x0abc');
  });

  it('offers: TLS 1.3 every real group (hybrids first), TLS 1.2 only named curves; both fit the round limit', () => {
    const kinds = (codes: readonly number[]) => new Set(codes.map((c) => groupByCode(c)?.kind));
    expect(TLS13_OFFER.slice(0, 4)).toEqual([0x11ec, 0x11eb, 0x11ed, 0x001d]);
    expect(kinds(TLS13_OFFER)).toEqual(new Set(['hybrid-pq', 'pq', 'ecdhe', 'ffdhe']));
    expect(kinds(TLS12_CURVE_OFFER)).toEqual(new Set(['ecdhe']));
    expect(TLS13_OFFER).not.toContain(0xff01);
    expect(TLS12_CURVE_OFFER).not.toContain(0xff02);
    expect(new Set(TLS13_OFFER).size).toBe(TLS13_OFFER.length);
    expect(TLS13_OFFER.length).toBeLessThan(64);
  });

  it('suitesToAsk: the highest protocol with matching accepted suites', () => {
    const ciphers = {
      suites: {
        'TLSv1.3': ['TLS_AES_128_GCM_SHA256'],
        'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
        'TLSv1.0': ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
      },
      serverPreference: {},
      incomplete: {},
    };
    expect(suitesToAsk(ciphers, (s) => s.kx === 'ECDHE')).toEqual({ version: 'TLSv1.2', suites: [0xc02f] });
    expect(suitesToAsk(ciphers, (s) => s.kx === 'DHE')).toEqual({ version: 'TLSv1.0', suites: [0x0033] });
    expect(suitesToAsk(ciphers, (s) => s.kx === 'PSK')).toBeNull();
  });
});
