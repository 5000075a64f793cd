// The Mozilla root snapshot (generated from certdata.txt, kept in sync here) and the trust store.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { describeSnapshot, parseMozillaRoots, readMozillaRoots } from '../../src/trust/mozilla.js';
import { createTrustStore } from '../../src/trust/store.js';
import { decodeCertificate } from '../../src/cert/decode.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COMMITTED = join(ROOT, 'data', 'mozilla-roots.json');

describe('data/mozilla-roots.json', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'secgrade-roots-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is what scripts/gen-trust-store.mjs makes from data/mozilla-certdata.txt', () => {
    const out = join(tmp, 'roots.json');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-trust-store.mjs'), '--out', out], { stdio: 'pipe' });
    const freshText = readFileSync(out, 'utf8');
    const committedText = readFileSync(COMMITTED, 'utf8');
    // `generated` is the one field that depends on when the script ran; all else is byte-identical.
    const generated = (text: string) => JSON.parse(text).source.generated as string;
    expect(freshText.replace(generated(freshText), generated(committedText))).toBe(committedText);
  });

  it('records the source and its NSS version', () => {
    const { source } = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    const certdata = readFileSync(join(ROOT, 'data', 'mozilla-certdata.txt'));
    expect(source).toMatchObject({
      file: 'mozilla-certdata.txt',
      sha256: createHash('sha256').update(certdata).digest('hex'),
      nssVersion: '3.124',
      builtinsVersion: '2.86',
      lastChanged: '2026-04-09',
    });
    expect(new Date(source.generated).toISOString()).toBe(source.generated);
  });

  it('has the expected roots, trust bits and distrust-after dates', () => {
    const snap = readMozillaRoots();
    expect(snap.roots).toHaveLength(167);
    expect(snap.roots.filter((r) => r.serverAuth)).toHaveLength(121);
    expect(snap.roots.filter((r) => r.emailProtection)).toHaveLength(90);
    const distrust = snap.roots
      .filter((r) => r.serverDistrustAfter)
      .map((r) => [r.label, r.serverAuth, r.serverDistrustAfter!.toISOString()]);
    expect(distrust).toEqual([
      // on the certificate objects
      ['Entrust.net Premium 2048 Secure Server CA', false, '2024-11-30T23:59:59.000Z'],
      ['Entrust Root Certification Authority', true, '2024-11-30T23:59:59.000Z'],
      ['ePKI Root Certification Authority', true, '2025-04-15T23:59:59.000Z'],
      // on the trust object only (CKO_NSS_TRUST "Izenpe.com"); its certificate object says CK_FALSE
      ['Izenpe.com', true, '2026-04-15T23:59:59.000Z'],
      ['Entrust Root Certification Authority - G2', false, '2024-11-30T23:59:59.000Z'],
      ['Entrust Root Certification Authority - EC1', false, '2024-11-30T23:59:59.000Z'],
    ]);
    for (const r of snap.roots) {
      const cert = new X509Certificate(r.der);
      expect(cert.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(r.sha256);
      expect(cert.ca).toBe(true);
    }
    expect(describeSnapshot(snap)).toBe('NSS 3.124 (builtins 2.86, 2026-04-09)');
  });

  it('keeps roots that are present but not trusted for TLS', () => {
    const globalSign = readMozillaRoots().roots.find((r) => r.label === 'GlobalSign Root CA');
    expect(globalSign).toMatchObject({ serverAuth: false, emailProtection: true });
  });

  it('matches trust objects by issuer + serial when they carry no hash, and reads every trust value', async () => {
    const a = await makeCert({ subject: 'CN=synthetic a', ca: true, serialNumber: '0a' });
    const b = await makeCert({ subject: 'CN=synthetic b', ca: true, serialNumber: '0b' });
    const c = await makeCert({ subject: 'CN=synthetic c', ca: true, serialNumber: '0c' });
    const octal = (buf: Buffer) => `MULTILINE_OCTAL\n${[...buf].map((x) => '\\' + x.toString(8).padStart(3, '0')).join('')}\nEND`;
    const cert = (label: string, t: typeof a, distrust: string) =>
      `CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_LABEL UTF8 "${label}"\n` +
      `CKA_ISSUER ${octal(issuerDer(t.der))}\nCKA_SERIAL_NUMBER ${octal(serialDer(t.der))}\n` +
      `CKA_VALUE ${octal(t.der)}\nCKA_NSS_SERVER_DISTRUST_AFTER ${distrust}\n`;
    const trust = (label: string, t: typeof a, server: string, email: string, byHash: boolean) =>
      `CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\nCKA_LABEL UTF8 "${label}"\n` +
      (byHash
        ? `CKA_CERT_SHA1_HASH ${octal(createHash('sha1').update(t.der).digest())}\n`
        : `CKA_ISSUER ${octal(issuerDer(t.der))}\nCKA_SERIAL_NUMBER ${octal(serialDer(t.der))}\n`) +
      `CKA_TRUST_SERVER_AUTH CK_TRUST ${server}\nCKA_TRUST_EMAIL_PROTECTION CK_TRUST ${email}\n`;
    const text = [
      '# header\nBEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_NSS_BUILTIN_ROOT_LIST\nCKA_LABEL UTF8 "Mozilla Builtin Roots"\n',
      cert('A \\"quoted\\" caf\\303\\251', a, `MULTILINE_OCTAL\n${[...Buffer.from('241130235959Z')].map((x) => '\\' + x.toString(8).padStart(3, '0')).join('')}\nEND`),
      trust('A', a, 'CKT_NSS_TRUSTED_DELEGATOR', 'CKT_NSS_NOT_TRUSTED', false),
      cert('B', b, 'CK_BBOOL CK_FALSE'),
      trust('B', b, 'CKT_NSS_NOT_TRUSTED', 'CKT_NSS_TRUSTED_DELEGATOR', true),
      cert('C', c, 'CK_BBOOL CK_FALSE'), // no trust object at all
    ].join('\n');
    const input = join(tmp, 'certdata.txt');
    const out = join(tmp, 'synthetic.json');
    writeFileSync(input, text);
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-trust-store.mjs'), '--in', input, '--out', out], { stdio: 'pipe' });
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.source).toMatchObject({ file: 'certdata.txt', nssVersion: null });
    expect(doc.roots.map((r: Record<string, unknown>) => [r.label, r.serverAuth, r.emailProtection, r.serverDistrustAfter])).toEqual([
      ['A "quoted" café', true, false, '2024-11-30T23:59:59.000Z'],
      ['B', false, true, null],
      ['C', false, false, null],
    ]);
    expect(Buffer.from(doc.roots[0].der, 'base64').equals(a.der)).toBe(true);
  });

  it('rejects a malformed document', () => {
    expect(() => parseMozillaRoots('{"roots": 1}')).toThrow(/not a root list/);
  });
});

/** The issuer Name and serial INTEGER (whole TLVs) of a DER certificate, as certdata stores them. */
function tbsField(der: Buffer, index: number): Buffer {
  const len = (at: number): [number, number] => {
    const b = der[at + 1]!;
    if (b < 0x80) return [at + 2, b];
    let n = 0;
    for (let i = 0; i < (b & 0x7f); i++) n = n * 256 + der[at + 2 + i]!;
    return [at + 2 + (b & 0x7f), n];
  };
  const tbs = len(0)[0]; // the Certificate SEQUENCE's value starts with tbsCertificate
  let at = len(tbs)[0]; // first field of tbsCertificate
  if (der[at] === 0xa0) at = len(at)[0] + len(at)[1];
  for (let i = 0; i < index; i++) at = len(at)[0] + len(at)[1];
  return der.subarray(at, len(at)[0] + len(at)[1]);
}
const serialDer = (der: Buffer) => tbsField(der, 0);
const issuerDer = (der: Buffer) => tbsField(der, 2);

describe('createTrustStore', () => {
  it('serves Mozilla roots with trust bits, and --ca-file roots as server-auth anchors', async () => {
    const root = await makeCert({ subject: 'CN=store test root', ca: true });
    const store = createTrustStore([root.pem]);
    const anchors = store.anchors();
    expect(anchors).toHaveLength(168);
    expect(anchors[0]).toMatchObject({ source: 'ca-file', serverAuth: true, serverDistrustAfter: null, label: 'store test root' });
    expect(anchors[0]!.der.equals(root.der)).toBe(true);
    expect(anchors.filter((a) => a.source === 'mozilla' && a.serverAuth)).toHaveLength(121);
    const entrust = anchors.find((a) => a.label === 'Entrust Root Certification Authority');
    expect(entrust?.serverDistrustAfter?.toISOString()).toBe('2024-11-30T23:59:59.000Z');
    // existing fields keep working
    expect(store.extraCaPem).toEqual([root.pem]);
    expect(store.extraAnchors[0]!.subjectText).toBe('CN=store test root');
    expect(store.description).toBe('167 Mozilla roots, 121 trusted for TLS, from NSS 3.124 (builtins 2.86, 2026-04-09) + 1 from --ca-file');
    expect(store.snapshot()).toMatchObject({ nssVersion: '3.124', lastChanged: '2026-04-09' });
  });

  it('looks anchors up by subject name as RFC 5280 §7.1 compares names (case, spacing, string type)', async () => {
    const store = createTrustStore();
    const isrg = store.anchors().find((a) => a.label === 'ISRG Root X1')!;
    expect(store.anchorsFor(isrg.cert.subjectKey)).toEqual([isrg]);
    // The same name with other case and spacing, as a leaf's issuer, finds the same anchor.
    const leaf = await makeCert({ subject: 'CN=x.test', issuer: { ...(await makeCert({ subject: 'C=us, O=internet  security research group, CN=ISRG ROOT X1', ca: true })) } });
    const issuerKey = (decodeCertificate(leaf.der) as { ok: true; cert: { issuerKey: string } }).cert.issuerKey;
    expect(store.anchorsFor(issuerKey)).toEqual([isrg]);
    expect(store.anchorsFor('cn="nobody"')).toEqual([]);
  });

  it("falls back to Node's bundled roots when the snapshot cannot be loaded", () => {
    const store = createTrustStore([], {
      mozilla: () => {
        throw new Error('gone');
      },
    });
    const anchors = store.anchors();
    expect(anchors).toHaveLength(rootCertificates.length);
    expect(anchors.every((a) => a.source === 'node' && a.serverAuth && a.serverDistrustAfter === null)).toBe(true);
    expect(store.snapshot()).toBeNull();
    expect(store.description).toMatch(/without trust bits/);
    expect(new X509Certificate(anchors[0]!.der).subject.split('\n').join(', ')).toBe(anchors[0]!.cert.subjectText);
  });
});
