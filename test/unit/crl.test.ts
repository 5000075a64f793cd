// The CRL reader (src/cert/crl.ts) on CRLs built here byte by byte (RFC 5280 §5.1) and signed with
// node:crypto: status, reason, freshness, signature, the extensions that make a CRL unusable, a
// 100 000-entry CRL in one linear pass, and hostile bytes that must never throw.
import { createPrivateKey, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { crlDistributionUrls, evaluateCrl } from '../../src/cert/crl.js';
import { decodeCertificate } from '../../src/cert/decode.js';
import { concatBytes, encodeOidContent, encodeTlv } from '../../src/cert/der.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { makeCert, type TestCert } from '../helpers/certs.js';

const DAY = 86_400_000;
let ca: TestCert;
let otherCa: TestCert;
let leaf: TestCert;

beforeAll(async () => {
  ca = await makeCert({ subject: 'CN=secgrade crl-test CA', ca: true });
  otherCa = await makeCert({ subject: 'CN=secgrade crl-test CA', ca: true }); // same name, another key
  leaf = await makeCert({ subject: 'CN=crl.secgrade.test', issuer: ca, serialNumber: '00a1b2c3d4' });
});

const seq = (...parts: Uint8Array[]) => encodeTlv(0x30, ...parts);
const oid = (dotted: string) => encodeTlv(0x06, encodeOidContent(dotted));
const int = (hex: string) => encodeTlv(0x02, Buffer.from(hex, 'hex'));
const utc = (ms: number) => encodeTlv(0x17, Buffer.from(new Date(ms).toISOString().slice(2, 19).replace(/[-:T]/g, '') + 'Z', 'latin1'));
const ext = (id: string, value: Uint8Array, critical = false) => seq(oid(id), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), encodeTlv(0x04, value));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

interface Entry {
  serial: string;
  reason?: number;
  exts?: Uint8Array[];
}

interface CrlSpec {
  entries?: Entry[];
  thisUpdate?: number;
  nextUpdate?: number | null;
  crlExts?: Uint8Array[];
  signer?: TestCert;
  issuerName?: Uint8Array;
}

function buildCrl(spec: CrlSpec = {}): Buffer {
  const now = Date.now();
  const name = spec.issuerName ?? (decodeCertificate(ca.der) as { ok: true; cert: { subject: { der: Buffer } } }).cert.subject.der;
  const entries = (spec.entries ?? []).map((e) => {
    const exts = [...(e.reason !== undefined ? [ext('2.5.29.21', encodeTlv(0x0a, Uint8Array.of(e.reason)))] : []), ...(e.exts ?? [])];
    return seq(int(e.serial), utc(now - DAY), ...(exts.length ? [seq(...exts)] : []));
  });
  const nextUpdate = spec.nextUpdate === undefined ? now + DAY : spec.nextUpdate;
  const tbs = seq(
    int('01'),
    ECDSA_SHA256,
    name,
    utc(spec.thisUpdate ?? now - 3_600_000),
    ...(nextUpdate === null ? [] : [utc(nextUpdate)]),
    // One buffer first: 100 000 entries do not fit a spread call.
    ...(entries.length ? [seq(concatBytes(entries))] : []),
    ...(spec.crlExts?.length ? [encodeTlv(0xa0, seq(...spec.crlExts))] : []),
  );
  const signature = sign('sha256', tbs, createPrivateKey((spec.signer ?? ca).keyPem));
  return Buffer.from(seq(tbs, ECDSA_SHA256, encodeTlv(0x03, Uint8Array.of(0), signature)));
}

const judge = (der: Buffer, issuer: TestCert = ca, now = new Date()) => evaluateCrl(der, { leafDer: leaf.der, issuerDer: issuer.der, now });

describe('evaluateCrl', () => {
  it('not listed: good, signed by the issuer, fresh', () => {
    const ev = judge(buildCrl({ entries: [{ serial: '0bad' }] }));
    expect(ev).toMatchObject({ status: 'good', signatureValid: true, fresh: true, entries: 1, revokedAt: null, errors: [] });
  });

  it('listed: revoked, with its date and CRLReason; serials compare as integers (leading zero octets ignored)', () => {
    const ev = judge(buildCrl({ entries: [{ serial: '0bad' }, { serial: 'a1b2c3d4', reason: 1 }] }));
    expect(ev).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise', entries: 2, errors: [] });
    expect(ev.revokedAt).toBeInstanceOf(Date);
  });

  it('certificateHold counts as revoked; removeFromCRL (a delta-CRL reason) does not', () => {
    expect(judge(buildCrl({ entries: [{ serial: '00a1b2c3d4', reason: 6 }] }))).toMatchObject({ status: 'revoked', revocationReason: 'certificateHold' });
    expect(judge(buildCrl({ entries: [{ serial: '00a1b2c3d4', reason: 8 }] }))).toMatchObject({ status: 'good', revocationReason: 'removeFromCRL' });
  });

  it('signed by another key under the same name: not used', () => {
    const ev = judge(buildCrl({ entries: [{ serial: 'a1b2c3d4' }], signer: otherCa }));
    expect(ev).toMatchObject({ status: null, signatureValid: false });
    expect(ev.errors.join(' ')).toMatch(/signature does not verify/);
  });

  it('stale (nextUpdate passed), not yet valid, and no nextUpdate for too long: not used', () => {
    const now = Date.now();
    expect(judge(buildCrl({ thisUpdate: now - 10 * DAY, nextUpdate: now - DAY }))).toMatchObject({ status: null, fresh: false, signatureValid: true });
    expect(judge(buildCrl({ thisUpdate: now + DAY, nextUpdate: now + 2 * DAY }))).toMatchObject({ status: null, fresh: false });
    expect(judge(buildCrl({ thisUpdate: now - 30 * DAY, nextUpdate: null }))).toMatchObject({ status: null, fresh: false });
    expect(judge(buildCrl({ thisUpdate: now - DAY, nextUpdate: null }))).toMatchObject({ status: 'good', fresh: true });
  });

  it('a CRL that is not complete for a server certificate is not used: delta, CA-only, some reasons, indirect', () => {
    const idp = (field: Uint8Array) => ext('2.5.29.28', seq(field), true);
    const cases: Array<[Uint8Array, RegExp]> = [
      [ext('2.5.29.27', encodeTlv(0x02, Uint8Array.of(1)), true), /delta CRL/],
      [idp(Uint8Array.of(0x82, 0x01, 0xff)), /CA certificates only/],
      [idp(Uint8Array.of(0x83, 0x02, 0x07, 0x80)), /some revocation reasons/],
      [idp(Uint8Array.of(0x84, 0x01, 0xff)), /indirect/],
      [ext('1.2.3.4.5', Uint8Array.of(0x05, 0x00), true), /unknown critical CRL extension 1\.2\.3\.4\.5/],
    ];
    for (const [e, why] of cases) {
      const ev = judge(buildCrl({ crlExts: [e] }));
      expect(ev.status, String(why)).toBeNull();
      expect(ev.errors.join(' ')).toMatch(why);
    }
    // onlyContainsUserCerts and unknown non-critical extensions are fine.
    expect(judge(buildCrl({ crlExts: [idp(Uint8Array.of(0x81, 0x01, 0xff)), ext('1.2.3.4.5', Uint8Array.of(0x05, 0x00))] })).status).toBe('good');
    // An unknown critical entry extension, or a certificateIssuer entry (indirect CRL).
    expect(judge(buildCrl({ entries: [{ serial: '01', exts: [ext('1.2.3.9', Uint8Array.of(0x05, 0x00), true)] }] })).status).toBeNull();
    expect(judge(buildCrl({ entries: [{ serial: '01', exts: [ext('2.5.29.29', seq(), true)] }] })).errors.join(' ')).toMatch(/indirect/);
  });

  it("an issuer name other than the certificate's issuer, or an issuer without cRLSign: not used", async () => {
    const otherName = (decodeCertificate(leaf.der) as { ok: true; cert: { subject: { der: Buffer } } }).cert.subject.der;
    expect(judge(buildCrl({ issuerName: otherName })).errors.join(' ')).toMatch(/is not the certificate's issuer/);
    // Same name and key, but an end-entity certificate whose key usage is digitalSignature only.
    const noCrlSign = await makeCert({ subject: 'CN=secgrade crl-test CA', keys: ca.keys, issuer: ca });
    const ev = judge(buildCrl(), noCrlSign);
    expect(ev.status).toBeNull();
    expect(ev.errors.join(' ')).toMatch(/does not include cRLSign/);
  });

  it('reads a 100 000-entry CRL in one linear pass', () => {
    const entries: Entry[] = Array.from({ length: 100_000 }, (_, i) => ({ serial: (0x100000 + i).toString(16).padStart(8, '0'), ...(i % 3 === 0 ? { reason: 4 } : {}) }));
    entries.push({ serial: 'a1b2c3d4', reason: 1 });
    const der = buildCrl({ entries });
    const started = performance.now();
    const ev = judge(der);
    const ms = performance.now() - started;
    expect(ev).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise', entries: 100_001, errors: [] });
    console.info(`evaluateCrl: ${entries.length} entries, ${(der.length / 1024 / 1024).toFixed(1)} MiB, ${ms.toFixed(0)} ms`);
  });

  it('never throws on truncated, corrupted or foreign bytes; such CRLs are not used', () => {
    const der = buildCrl({ entries: [{ serial: 'a1b2c3d4', reason: 1 }, { serial: '02' }] });
    for (let n = 0; n < der.length; n += 3) expect(judge(der.subarray(0, n)).status).toBeNull();
    for (let i = 0; i < der.length; i += 5) {
      const bad = Buffer.from(der);
      bad[i] = bad[i]! ^ 0x41;
      const ev = judge(bad);
      // A flipped byte in the signed part breaks the signature; elsewhere the structure.
      if (ev.status !== null) expect(i).toBeGreaterThanOrEqual(der.length - 80);
    }
    expect(judge(leaf.der).status).toBeNull();
    expect(judge(Buffer.from('not a crl')).errors).not.toEqual([]);
  });
});

describe('crlDistributionUrls', () => {
  it('keeps http URLs of full distribution points; skips ldap, https, reason-limited and indirect points', async () => {
    const x509 = await loadX509();
    const uri = (u: string) => encodeTlv(0x86, Buffer.from(u, 'latin1'));
    const point = (urls: string[], extra: Uint8Array[] = []) => seq(encodeTlv(0xa0, encodeTlv(0xa0, ...urls.map(uri))), ...extra);
    const value = seq(
      point(['ldap://ldap.example/cn=crl', 'http://crl.example/a.crl', 'https://crl.example/b.crl']),
      point(['http://crl.example/reasons.crl'], [Uint8Array.of(0x81, 0x02, 0x07, 0x80)]),
      point(['http://crl.example/indirect.crl'], [encodeTlv(0xa2, uri('http://other.example/'))]),
      point(['http://crl.example/c.crl']),
    );
    const cert = await makeCert({ subject: 'CN=dp.secgrade.test', issuer: ca, extensions: [new x509.Extension('2.5.29.31', false, value)] });
    expect(crlDistributionUrls(cert.der)).toEqual(['http://crl.example/a.crl', 'http://crl.example/c.crl']);
    expect(crlDistributionUrls(leaf.der)).toEqual([]);
  });
});
