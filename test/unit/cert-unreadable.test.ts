/**
 * A served certificate that cannot be read — here a notAfter patched to the invalid UTCTime
 * "991399235959Z", which Node loads but prints as "Bad time value" — never disables the judgement
 * of the chain: it gets a typed error, the chain is untrusted with an 'unreadable' trust error
 * naming its position, the readable certificates are still described, and an unreadable leaf
 * leaves host name and key facts null (not tested), never a pass.
 */
import { sign, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainInfo, describeServedChain, withUnreadable } from '../../src/cert/chain.js';
import { checkCertificates, type ChainEvidence } from '../../src/cert/checks.js';
import { CertificateReadError, describeCertificate } from '../../src/cert/describe.js';
import { buildPath } from '../../src/trust/path.js';
import { createTrustStore } from '../../src/trust/store.js';
import { makeCert, type TestCert } from '../helpers/certs.js';

const DAY = 86_400_000;
const BAD_TIME = '991399235959Z'; // month 13, day 99: not a time

/** The DER with its notAfter (a UTCTime) overwritten by BAD_TIME; nothing else changes, so the signature no longer verifies. */
function withBadNotAfter(der: Buffer): Buffer {
  const out = Buffer.from(der);
  // Validity ::= SEQUENCE (30 1e) { notBefore UTCTime (17 0d …), notAfter UTCTime (17 0d …) }
  for (let i = 0; i < out.length - 32; i++) {
    if (out[i] === 0x30 && out[i + 1] === 0x1e && out[i + 2] === 0x17 && out[i + 3] === 0x0d && out[i + 17] === 0x17 && out[i + 18] === 0x0d) {
      out.write(BAD_TIME, i + 19, 'latin1');
      return out;
    }
  }
  throw new Error('no UTCTime validity found');
}

function tlv(buf: Buffer, off: number): { end: number; hdr: number } {
  const first = buf[off + 1]!;
  if (first < 0x80) return { hdr: 2, end: off + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i]!;
  return { hdr: 2 + n, end: off + 2 + n + len };
}
const derLength = (n: number) => (n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]));

/** Sign the (patched) TBSCertificate again with the issuer's EC key: a certificate a CA really issued with a malformed date. */
function resign(der: Buffer, issuer: TestCert): Buffer {
  const outer = tlv(der, 0);
  const tbs = tlv(der, outer.hdr);
  const alg = tlv(der, tbs.end);
  const tbsBytes = der.subarray(outer.hdr, tbs.end);
  const signature = sign('sha256', tbsBytes, { key: issuer.keyPem, dsaEncoding: 'der' });
  const bits = Buffer.concat([Buffer.from([0x03]), derLength(signature.length + 1), Buffer.from([0]), signature]);
  const body = Buffer.concat([tbsBytes, der.subarray(tbs.end, alg.end), bits]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

let root: TestCert;
let intermediate: TestCert;
let leaf: TestCert;
const now = new Date();

beforeAll(async () => {
  const t = Date.now();
  root = await makeCert({ subject: 'CN=unreadable-test root', ca: true, notBefore: new Date(t - 400 * DAY), notAfter: new Date(t + 3650 * DAY) });
  intermediate = await makeCert({ subject: 'CN=unreadable-test intermediate', ca: true, issuer: root, notBefore: new Date(t - 300 * DAY), notAfter: new Date(t + 1000 * DAY) });
  leaf = await makeCert({ subject: 'CN=bad.test', dnsNames: ['bad.test'], issuer: intermediate });
});

const store = () => createTrustStore([root.pem]);
const opts = { host: 'bad.test', now, index: 0, ocspStapled: false };

describe('a certificate with a malformed date', () => {
  it('Node loads it, prints "Bad time value"; describeCertificate throws a typed bad-time error quoting the encoded time', () => {
    const bad = withBadNotAfter(intermediate.der);
    expect(new X509Certificate(bad).validTo).toMatch(/^Bad time value/);
    let err: unknown;
    try {
      describeCertificate(bad, 1, { host: null, now, trusted: null, trustError: null, ocspStapled: null });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CertificateReadError);
    expect(err).toMatchObject({ code: 'bad-time', message: 'notAfter ("991399235959Z") is not a valid time' });
    const garbage = Buffer.from('3003020100', 'hex');
    expect(() => describeCertificate(garbage, 0, { host: null, now, trusted: null, trustError: null, ocspStapled: null })).toThrow(
      expect.objectContaining({ code: 'unparseable' }),
    );
  });

  it('as the intermediate: the leaf is still judged, the chain is untrusted naming position 1', () => {
    const served = [leaf.der, withBadNotAfter(intermediate.der)];
    const path = buildPath(served, store(), { now }); // must not throw
    expect(path.trusted).toBe(false); // the patched intermediate's signature no longer verifies
    const facts = describeServedChain(served, path, opts);
    expect(facts.unreadable).toEqual([{ servedIndex: 1, code: 'bad-time', error: expect.stringMatching(/991399235959Z/) }]);
    expect(facts.certificates.map((c) => [c.servedIndex, c.subject])).toEqual([[0, 'CN=bad.test']]);
    expect(facts.certificates[0]).toMatchObject({ trusted: false, hostnameMatch: true, keyType: 'EC' });
    expect(facts.certificates[0]?.trustError).toMatch(/certificate at served position 1 cannot be read: notAfter/);
    expect(facts.hostnameMatch).toBe(true);
    const info = chainInfo({ index: 0, requested: 'ECDSA', protocol: 'TLSv1.3', certificates: facts.certificates, served: 2, path, unreadable: facts.unreadable, ocsp: [], ct: null });
    expect(info.trusted).toBe(false);
    expect(info.certificates).toBe(2);
    expect(info.trustErrors.map((e) => e.code)).toContain('unreadable');
  });

  it('as the leaf: host name and key facts are null, never a pass', () => {
    const served = [withBadNotAfter(leaf.der), intermediate.der];
    const path = buildPath(served, store(), { now });
    expect(path.trusted).toBe(false);
    const facts = describeServedChain(served, path, opts);
    expect(facts.leaf).toBeNull();
    expect(facts.hostnameMatch).toBeNull();
    expect(facts.unreadable).toMatchObject([{ servedIndex: 0, code: 'bad-time' }]);
    expect(facts.certificates.map((c) => c.servedIndex)).toEqual([1]);
    const info = chainInfo({ index: 0, requested: 'ECDSA', protocol: 'TLSv1.3', certificates: facts.certificates, served: 2, path, unreadable: facts.unreadable, ocsp: [], ct: null });
    expect(info).toMatchObject({ trusted: false, hostnameMatch: null, leafKeyType: 'unknown' });
  });

  it('correctly signed by its CA, a malformed date still makes the chain untrusted', () => {
    const badInt = resign(withBadNotAfter(intermediate.der), root);
    expect(new X509Certificate(badInt).verify(new X509Certificate(root.der).publicKey)).toBe(true);
    const served = [leaf.der, badInt];
    const path = buildPath(served, store(), { now });
    const facts = describeServedChain(served, path, opts);
    expect(withUnreadable(path, facts.unreadable).trusted).toBe(false);
    expect(facts.certificates[0]?.trusted).toBe(false);
    // A caller that passes the path as built (the MX transport probe) still gets an untrusted
    // chain: the served position missing from the described certificates counts as unreadable.
    const info = chainInfo({ index: 0, requested: 'ECDSA', protocol: 'TLSv1.3', certificates: facts.certificates, served: 2, path, ocsp: [], ct: null });
    expect(info.trusted).toBe(false);
    expect(info.trustErrors).toContainEqual(expect.objectContaining({ code: 'unreadable', subject: 'served certificate #1' }));
  });

  it('the checks: tls.cert.unreadable (high) with position and error; no leaf finding stands in for an unreadable leaf', () => {
    const served = [withBadNotAfter(leaf.der), intermediate.der];
    const built = buildPath(served, store(), { now });
    const facts = describeServedChain(served, built, opts);
    const path = withUnreadable(built, facts.unreadable);
    const chain: ChainEvidence = {
      index: 0,
      requested: 'ECDSA',
      protocol: 'TLSv1.3',
      certificates: facts.certificates,
      path: { ...path, path: path.path.map(({ der: _der, ...rest }) => rest) },
      unreadable: facts.unreadable,
      aiaErrors: [],
      matchedName: 'bad.test',
      leafDnsNames: [],
      ocsp: [],
      ct: null,
      ctUnavailable: 'the server certificate cannot be read',
    };
    const findings = checkCertificates({ chains: [chain], attempts: [], rootStore: { version: 't', date: '', source: 't' }, logList: null }, now);
    const unreadable = findings.find((f) => f.id === 'tls.cert.unreadable');
    expect(unreadable).toMatchObject({ severity: 'high', title: 'The server certificate cannot be read' });
    expect(unreadable?.evidence).toMatchObject({ chain: 0, certificates: [{ servedIndex: 0, code: 'bad-time', error: expect.stringMatching(/991399235959Z/) }] });
    const ids = findings.map((f) => f.id);
    expect(ids).toContain('tls.cert.bad-signature');
    // Nothing judged the intermediate as if it were the leaf.
    expect(ids).not.toContain('tls.cert.leaf-is-ca');
    expect(ids).not.toContain('tls.cert.hostname-mismatch');
    expect(ids).not.toContain('tls.cert.no-san');
  });

  it('a chain whose path could not be built at all still gets the finding (no served position)', () => {
    const chain: ChainEvidence = {
      index: 0,
      requested: 'ECDSA',
      protocol: 'TLSv1.3',
      certificates: [],
      path: {
        trusted: false,
        errors: [{ code: 'unreadable', certIndex: null, subject: 'served chain', detail: 'The chain could not be evaluated: boom. Clients reject a chain they cannot parse.' }],
        anchor: null,
        path: [],
        chainComplete: false,
        fetchedUsed: 0,
        extraCertificates: [],
        misordered: false,
        anchorServed: false,
      },
      unreadable: [],
      aiaErrors: [],
      matchedName: 'bad.test',
      leafDnsNames: [],
      ocsp: [],
      ct: null,
      ctUnavailable: null,
    };
    const f = checkCertificates({ chains: [chain], attempts: [], rootStore: { version: 't', date: '', source: 't' }, logList: null }, now);
    expect(f.map((x) => x.id)).toEqual(['tls.cert.unreadable']);
    expect(f[0]?.evidence).toMatchObject({ certificates: [{ servedIndex: null, error: expect.stringMatching(/could not be evaluated: boom/) }] });
    expect(f[0]?.detail).not.toMatch(/\.\./);
  });
});
