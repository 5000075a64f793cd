import { describe, expect, it } from 'vitest';
import { checkCertificates, type CertificatesEvidence, type ChainEvidence } from '../../src/cert/checks.js';
import type { CertificateInfo } from '../../src/model/report.js';

const now = new Date('2026-11-22T00:00:00Z');
const leaf = (over: Partial<CertificateInfo> = {}): CertificateInfo => ({
  subject: 'CN=example.com', issuer: 'CN=Test CA', sans: ['example.com'], serialNumber: '01', fingerprintSha256: 'ab',
  notBefore: '2026-10-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', daysRemaining: 40, lifetimeDays: 92, keyType: 'EC', keyBits: 256,
  curve: 'prime256v1', rsaExponent: null, signatureAlgorithm: 'SHA256withECDSA', ca: false, extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'], mustStaple: false,
  trusted: true, trustError: null, hostnameMatch: true, chainComplete: true, selfSigned: false, ocspStapled: false, scts: [], ...over,
});
const intermediate = (over: Partial<CertificateInfo> = {}): CertificateInfo =>
  leaf({ subject: 'CN=Test CA', issuer: 'CN=Test Root', ca: true, hostnameMatch: null, trusted: null, chainComplete: null, scts: null, ...over });

const goodPath = (): ChainEvidence['path'] => ({
  trusted: true,
  errors: [],
  anchor: { subject: 'CN=Test Root', label: 'Test Root', source: 'mozilla' },
  path: [
    { subject: 'CN=example.com', from: 'served', servedIndex: 0 },
    { subject: 'CN=Test CA', from: 'served', servedIndex: 1 },
    { subject: 'CN=Test Root', from: 'anchor', servedIndex: null },
  ],
  chainComplete: true,
  fetchedUsed: 0,
  extraCertificates: [],
  misordered: false,
  anchorServed: false,
});

function chain(over: Partial<ChainEvidence> = {}, leafOver: Partial<CertificateInfo> = {}): ChainEvidence {
  return {
    index: 0,
    requested: 'ECDSA',
    protocol: 'TLSv1.3',
    certificates: [leaf(leafOver), intermediate()],
    path: goodPath(),
    aiaErrors: [],
    matchedName: 'example.com',
    leafDnsNames: ['example.com'],
    ocsp: [],
    ct: { compliant: true, reason: 'ok', validScts: 2, logListDate: '2026-08-20T13:34:57.000Z', logListStale: false, scts: [], parseErrors: [] },
    ctUnavailable: null,
    ...over,
  };
}
const evidence = (...chains: ChainEvidence[]): CertificatesEvidence => ({ chains, attempts: [], rootStore: { version: 'test', date: '', source: 'test' }, logList: null });
const ids = (ev: CertificatesEvidence) => checkCertificates(ev, now).map((f) => f.id);

describe('certificate checks', () => {
  it('a valid, trusted, matching, CT-compliant certificate has no findings', () => {
    expect(checkCertificates(evidence(chain()), now)).toEqual([]);
  });

  it('expired leaf is critical and its path error is not reported twice', () => {
    const path = { ...goodPath(), trusted: false, errors: [{ code: 'expired' as const, certIndex: 0, subject: 'CN=example.com', detail: 'The leaf expired.' }] };
    const f = checkCertificates(evidence(chain({ path }, { notAfter: '2026-10-23T00:00:00.000Z', daysRemaining: -30 })), now);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tls.cert.expired', 'critical']]);
    expect(f[0]?.detail).toContain('30 days ago');
  });

  it('expiring within 30 days is medium, within 7 high', () => {
    expect(checkCertificates(evidence(chain({}, { daysRemaining: 20 })), now).map((x) => x.severity)).toEqual(['medium']);
    expect(checkCertificates(evidence(chain({}, { daysRemaining: 3 })), now).map((x) => x.severity)).toEqual(['high']);
  });

  it('each trust error code has its own finding id, with the path in the evidence', () => {
    for (const [code, id] of [
      ['self-signed', 'tls.cert.self-signed'],
      ['unknown-issuer', 'tls.cert.unknown-issuer'],
      ['missing-intermediate', 'tls.cert.chain-incomplete'],
      ['expired', 'tls.cert.chain-expired'],
      ['distrusted-root', 'tls.cert.distrusted-root'],
      ['root-not-trusted-for-tls', 'tls.cert.root-not-trusted'],
      ['eku', 'tls.cert.wrong-usage'],
      ['bad-signature', 'tls.cert.bad-signature'],
      ['not-a-ca', 'tls.cert.chain-invalid'],
    ] as const) {
      const path = { ...goodPath(), trusted: false, anchor: null, errors: [{ code, certIndex: 1, subject: 'CN=Test CA', detail: `because ${code}.` }] };
      const f = checkCertificates(evidence(chain({ path })), now);
      expect(f.map((x) => x.id), code).toEqual([id]);
      expect(f[0]?.detail).toContain('Browsers will not trust');
      expect(f[0]?.evidence['code']).toBe(code);
    }
  });

  it('trusted only thanks to an AIA download: incomplete chain (medium)', () => {
    const path = { ...goodPath(), chainComplete: false, fetchedUsed: 1 };
    const f = checkCertificates(evidence(chain({ path })), now);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tls.cert.chain-incomplete', 'medium']]);
  });

  it('extra, misordered and root-served chains are reported separately', () => {
    const path = { ...goodPath(), extraCertificates: [2], misordered: true, anchorServed: true };
    expect(ids(evidence(chain({ path })))).toEqual(['tls.cert.chain-extra', 'tls.cert.chain-misordered', 'tls.cert.chain-root-served']);
  });

  it('host name mismatch names the host and the SANs; a certificate without SANs is flagged', () => {
    const f = checkCertificates(evidence(chain({}, { hostnameMatch: false, sans: ['other.example'] })), now);
    expect(f.map((x) => x.id)).toEqual(['tls.cert.hostname-mismatch']);
    expect(f[0]?.detail).toContain('other.example');
    expect(ids(evidence(chain({}, { hostnameMatch: false, sans: [] })))).toEqual(['tls.cert.hostname-mismatch', 'tls.cert.no-san']);
  });

  it('lifetime over 398 days only for certificates issued since 2020-09-01', () => {
    expect(ids(evidence(chain({}, { notBefore: '2026-01-01T00:00:00.000Z', lifetimeDays: 399 })))).toEqual(['tls.cert.lifetime-too-long']);
    expect(ids(evidence(chain({}, { notBefore: '2026-01-01T00:00:00.000Z', lifetimeDays: 398 })))).toEqual([]);
    expect(ids(evidence(chain({}, { notBefore: '2020-08-31T00:00:00.000Z', lifetimeDays: 825 })))).toEqual([]);
  });

  it('RSA key sizes: < 1024 critical, < 2048 high; odd exponents', () => {
    const sev = (o: Partial<CertificateInfo>) => checkCertificates(evidence(chain({}, { keyType: 'RSA', curve: null, rsaExponent: 65537, ...o })), now).map((f) => [f.id, f.severity]);
    expect(sev({ keyBits: 512 })).toEqual([['tls.cert.weak-key', 'critical']]);
    expect(sev({ keyBits: 1024 })).toEqual([['tls.cert.weak-key', 'high']]);
    expect(sev({ keyBits: 2048 })).toEqual([]);
    expect(sev({ keyBits: 2048, rsaExponent: 3 })).toEqual([['tls.cert.rsa-exponent', 'low']]);
    expect(sev({ keyBits: 2048, rsaExponent: 65536 })).toEqual([['tls.cert.rsa-exponent', 'high']]);
  });

  it('EC keys outside P-256/P-384/P-521 are flagged', () => {
    expect(ids(evidence(chain({}, { curve: 'secp256k1' })))).toEqual(['tls.cert.weak-key']);
    expect(ids(evidence(chain({}, { curve: 'secp384r1', keyBits: 384 })))).toEqual([]);
  });

  it('MD5 anywhere below the anchor is critical; SHA-1 high; a served self-signed root does not count', () => {
    const md5 = chain({ certificates: [leaf(), intermediate({ signatureAlgorithm: 'MD5withRSA' })] });
    expect(checkCertificates(evidence(md5), now).map((f) => [f.id, f.severity])).toEqual([['tls.cert.weak-signature', 'critical']]);
    const sha1 = chain({}, { signatureAlgorithm: 'SHA1withRSA' });
    expect(checkCertificates(evidence(sha1), now).map((f) => [f.id, f.severity])).toEqual([['tls.cert.weak-signature', 'high']]);
    const root = intermediate({ subject: 'CN=Test Root', issuer: 'CN=Test Root', selfSigned: true, signatureAlgorithm: 'SHA1withRSA' });
    expect(ids(evidence(chain({ certificates: [leaf(), intermediate(), root] })))).toEqual([]);
  });

  it('leaf with cA=TRUE', () => {
    expect(ids(evidence(chain({}, { ca: true })))).toEqual(['tls.cert.leaf-is-ca']);
  });

  it('OCSP: revoked is critical; unusable and stale staples; must-staple without a staple', () => {
    const base = { revokedAt: null, thisUpdate: '2026-11-21T00:00:00.000Z', nextUpdate: '2026-11-28T00:00:00.000Z', fresh: true, signatureValid: true, detail: 'good' };
    const revoked = chain({ ocsp: [{ ...base, source: 'responder', url: 'http://ocsp.test', status: 'revoked', revokedAt: '2026-11-01T00:00:00.000Z', detail: 'revoked (keyCompromise)' }] });
    expect(checkCertificates(evidence(revoked), now).map((f) => [f.id, f.severity])).toEqual([['tls.cert.revoked', 'critical']]);
    expect(ids(evidence(chain({ ocsp: [{ ...base, source: 'stapled', status: 'good', signatureValid: false }] })))).toEqual(['tls.cert.ocsp-staple-invalid']);
    // With a revocation verdict only its decisive answer counts: a responder's unsigned "revoked" is no revocation.
    const unchecked = { checked: false, method: null, status: null, revokedAt: null, notChecked: 'unreachable' as const, detail: 'no usable answer', crl: null };
    const forged = chain({ ocsp: [{ ...base, source: 'responder', url: 'http://ocsp.test', status: 'revoked', signatureValid: false, detail: 'revoked; bad signature' }], revocation: unchecked });
    expect(ids(evidence(forged))).toEqual([]);
    // Revoked on the CRL only: the same critical finding, naming the CRL.
    const crl = { url: 'http://crl.test/ca.crl', status: 'revoked' as const, revokedAt: '2026-11-01T00:00:00.000Z', revocationReason: 'keyCompromise', thisUpdate: null, nextUpdate: null, fresh: true, signatureValid: true, entries: 3, detail: '3 entries; lists it as revoked' };
    const byCrl = checkCertificates(evidence(chain({ revocation: { checked: true, method: 'crl', status: 'revoked', revokedAt: crl.revokedAt, notChecked: null, detail: 'checked with the CRL', crl } })), now);
    expect(byCrl.map((f) => [f.id, f.severity])).toEqual([['tls.cert.revoked', 'critical']]);
    expect(byCrl[0]!.detail).toMatch(/CRL http:\/\/crl\.test\/ca\.crl lists the certificate as revoked on 2026-11-01.*keyCompromise/);
    expect(ids(evidence(chain({ ocsp: [{ ...base, source: 'stapled', status: 'good', fresh: false }] })))).toEqual(['tls.cert.ocsp-staple-stale']);
    expect(ids(evidence(chain({}, { mustStaple: true })))).toEqual(['tls.cert.must-staple-missing']);
    expect(ids(evidence(chain({ ocsp: [{ ...base, source: 'stapled', status: 'good' }] }, { mustStaple: true })))).toEqual([]);
  });

  it('CT: an invalid SCT is high; non-compliance is reported for publicly trusted chains only', () => {
    const sct = { logId: 'abc', logName: 'Test log', operator: 'Test', logState: 'usable', source: 'certificate' as const, valid: false, timestamp: '2026-10-01T00:00:00.000Z', error: 'bad signature' };
    const ct = { compliant: false, reason: 'only 1 valid SCT', validScts: 1, logListDate: '2026-08-20T13:34:57.000Z', logListStale: true, scts: [sct], parseErrors: [] };
    expect(checkCertificates(evidence(chain({ ct })), now).map((f) => [f.id, f.severity])).toEqual([
      ['tls.cert.sct-invalid', 'high'],
      ['tls.cert.ct-not-compliant', 'medium'],
    ]);
    const privateRoot = { ...goodPath(), anchor: { subject: 'CN=Lab', label: 'Lab', source: 'ca-file' as const } };
    expect(ids(evidence(chain({ ct: { ...ct, scts: [] }, path: privateRoot })))).toEqual([]);
  });

  it('two chains: titles say which certificate', () => {
    const rsa = chain({ index: 1, requested: 'RSA' }, { keyType: 'RSA', keyBits: 2048, curve: null, rsaExponent: 65537, daysRemaining: 10 });
    const f = checkCertificates(evidence(chain(), rsa), now);
    expect(f.map((x) => x.title)).toEqual(['Certificate expires in 10 days (RSA certificate)']);
  });
});
