// Path building and evaluation over real certificates (WebCrypto-made, verified by OpenSSL).
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCert, makeChain, type TestCert } from '../helpers/certs.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { decodeCertificate } from '../../src/cert/decode.js';
import { buildPath, type PathErrorCode, type PathResult } from '../../src/trust/path.js';
import { anchorFromCertificate, createAnchorSet, createTrustStore, type AnchorSet } from '../../src/trust/store.js';

const DAY = 86_400_000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const ahead = (days: number) => new Date(now.getTime() + days * DAY);
const codes = (r: PathResult): PathErrorCode[] => r.errors.map((e) => e.code);

let chain: Awaited<ReturnType<typeof makeChain>>;
let store: AnchorSet;

beforeAll(async () => {
  chain = await makeChain();
  store = createTrustStore([chain.root.pem]);
});

/** Only this root as an anchor, with chosen Mozilla-style metadata. */
function onlyAnchor(root: TestCert, meta: { serverAuth?: boolean; serverDistrustAfter?: Date | null } = {}): AnchorSet {
  return createAnchorSet([anchorFromCertificate(new X509Certificate(root.der), { source: 'mozilla', label: 'Test Root', ...meta })]);
}

describe('buildPath: complete and incomplete chains', () => {
  it('trusts a complete chain ending at a --ca-file anchor', () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der], store, { now });
    expect(r.errors).toEqual([]);
    expect(r.trusted).toBe(true);
    expect(r.chainComplete).toBe(true);
    expect(r.anchor).toEqual({ subject: 'CN=secgrade test root, O=secgrade test', label: 'secgrade test root', source: 'ca-file' });
    expect(r.path.map((p) => [p.from, p.servedIndex])).toEqual([['served', 0], ['served', 1], ['anchor', null]]);
    expect(r).toMatchObject({ fetchedUsed: 0, extraCertificates: [], misordered: false, anchorServed: false });
  });

  it('reports a missing intermediate, and completes the path with a fetched one', () => {
    const r = buildPath([chain.leaf.der], store, { now });
    expect(r.trusted).toBe(false);
    expect(r.chainComplete).toBe(false);
    expect(codes(r)).toEqual(['missing-intermediate']);
    expect(r.errors[0]).toMatchObject({ certIndex: 0, subject: 'CN=leaf.secgrade.test' });
    expect(r.anchor).toBeNull();

    const fixed = buildPath([chain.leaf.der], store, { now, extraIntermediates: [chain.intermediate.der] });
    expect(fixed.trusted).toBe(true);
    expect(fixed.chainComplete).toBe(false);
    expect(fixed.fetchedUsed).toBe(1);
    expect(fixed.path.map((p) => p.from)).toEqual(['served', 'fetched', 'anchor']);
  });

  it('names the missing issuer and its AIA URL', async () => {
    const x509 = await loadX509();
    const aia = new x509.AuthorityInfoAccessExtension({ caIssuers: 'http://ca.example.test/int.der' });
    const leaf = await makeCert({ subject: 'CN=aia.test', dnsNames: ['aia.test'], issuer: chain.intermediate, extensions: [aia] });
    const r = buildPath([leaf.der], store, { now });
    expect(codes(r)).toEqual(['missing-intermediate']);
    expect(r.errors[0]!.detail).toContain('http://ca.example.test/int.der');
  });

  it('reports an unknown root as unknown-issuer, even when a trusted root has its name but another key', async () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der], createAnchorSet([]), { now });
    expect(codes(r)).toEqual(['unknown-issuer']);
    expect(r.errors[0]!.certIndex).toBe(1);
    expect(r.path).toHaveLength(2);

    const other = await makeChain(); // same names, new keys
    const r2 = buildPath([other.leaf.der, other.intermediate.der], store, { now });
    expect(codes(r2)).toEqual(['unknown-issuer']);
    expect(r2.errors[0]!.detail).toMatch(/another key/);
  });

  it('reports a served but untrusted root as unknown-issuer at that root', () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der, chain.root.der], createAnchorSet([]), { now });
    expect(codes(r)).toEqual(['unknown-issuer']);
    expect(r.errors[0]!.certIndex).toBe(2);
    expect(r.errors[0]!.detail).toMatch(/not in the trust store/);
  });

  it('reports a self-signed leaf', async () => {
    const self = await makeCert({ subject: 'CN=self.test', dnsNames: ['self.test'] });
    const r = buildPath([self.der], store, { now });
    expect(codes(r)).toEqual(['self-signed']);
    expect(r.errors[0]!.certIndex).toBe(0);
  });

  it('trusts a self-signed leaf that is itself an anchor', async () => {
    const self = await makeCert({ subject: 'CN=pinned.test', dnsNames: ['pinned.test'] });
    const r = buildPath([self.der], createTrustStore([self.pem]), { now });
    expect(r.trusted).toBe(true);
    expect(r.anchorServed).toBe(true);
    expect(r.path).toEqual([{ subject: 'CN=pinned.test', from: 'anchor', servedIndex: 0, der: self.der }]);
  });

  it('reports a signature that does not verify with the named issuer', () => {
    const bad = Buffer.from(chain.leaf.der);
    bad[bad.length - 5]! ^= 0x01; // inside the signature value
    const r = buildPath([bad, chain.intermediate.der], store, { now });
    expect(codes(r)).toEqual(['bad-signature']);
    expect(r.errors[0]!.certIndex).toBe(0);
  });

  it('verifies Ed25519 and SHA-1 RSA signatures, and refuses both as the web PKI does', async () => {
    // The signatures verify (the path is complete); the profile refuses the key type and the hash.
    const ed = await makeChain({ keyType: 'ed25519' });
    const edPath = buildPath([ed.leaf.der, ed.intermediate.der], createTrustStore([ed.root.pem]), { now });
    expect(edPath.chainComplete).toBe(true);
    expect(edPath.trusted).toBe(false);
    expect(new Set(codes(edPath))).toEqual(new Set(['web-pki']));
    expect(edPath.errors.every((e) => e.ruleId === 'key-algorithm')).toBe(true);
    const root = await makeCert({ subject: 'CN=rsa root', ca: true, keyType: 'rsa-2048', notBefore: ago(10), notAfter: ahead(1000) });
    const int = await makeCert({ subject: 'CN=rsa int', ca: true, keyType: 'rsa-2048', issuer: root, hash: 'SHA-1' });
    const leaf = await makeCert({ subject: 'CN=rsa.test', dnsNames: ['rsa.test'], issuer: int, hash: 'SHA-1' });
    const sha1 = buildPath([leaf.der, int.der], createTrustStore([root.pem]), { now });
    expect(sha1.chainComplete).toBe(true);
    expect(codes(sha1)).toEqual(['weak-signature', 'weak-signature']);
  });
});

describe('buildPath: validity and usage', () => {
  it('reports an expired intermediate (the chain is still complete)', async () => {
    const int = await makeCert({ subject: 'CN=old int', ca: true, issuer: chain.root, notBefore: ago(400), notAfter: ago(10) });
    const leaf = await makeCert({ subject: 'CN=e.test', dnsNames: ['e.test'], issuer: int });
    const r = buildPath([leaf.der, int.der], store, { now });
    expect(codes(r)).toEqual(['expired']);
    expect(r.errors[0]).toMatchObject({ certIndex: 1, subject: 'CN=old int' });
    expect(r.trusted).toBe(false);
    expect(r.chainComplete).toBe(true);
  });

  it('reports a leaf that is not yet valid', async () => {
    const leaf = await makeCert({ subject: 'CN=future.test', dnsNames: ['future.test'], issuer: chain.intermediate, notBefore: ahead(2), notAfter: ahead(90) });
    const r = buildPath([leaf.der, chain.intermediate.der], store, { now });
    expect(codes(r)).toEqual(['not-yet-valid']);
    expect(r.errors[0]!.certIndex).toBe(0);
  });

  it('reports an intermediate without cA', async () => {
    const int = await makeCert({ subject: 'CN=not a ca', issuer: chain.root, eku: [] });
    const leaf = await makeCert({ subject: 'CN=n.test', dnsNames: ['n.test'], issuer: int });
    const r = buildPath([leaf.der, int.der], store, { now });
    expect(codes(r)).toEqual(['not-a-ca']);
    expect(r.errors[0]!.certIndex).toBe(1);
  });

  it('reports a leaf whose EKU lacks serverAuth', async () => {
    const leaf = await makeCert({ subject: 'CN=client.test', dnsNames: ['client.test'], issuer: chain.intermediate, eku: ['1.3.6.1.5.5.7.3.2'] });
    const r = buildPath([leaf.der, chain.intermediate.der], store, { now });
    expect(codes(r)).toEqual(['eku']);
    expect(r.errors[0]!.certIndex).toBe(0);
  });

  it('refuses a leaf with anyExtendedKeyUsage or without EKU (web PKI), accepts serverAuth + clientAuth', async () => {
    const any = await makeCert({ subject: 'CN=any.test', dnsNames: ['any.test'], issuer: chain.intermediate, eku: ['1.3.6.1.5.5.7.3.1', '2.5.29.37.0'] });
    const none = await makeCert({ subject: 'CN=none.test', dnsNames: ['none.test'], issuer: chain.intermediate, eku: [] });
    for (const leaf of [any, none]) expect(codes(buildPath([leaf.der, chain.intermediate.der], store, { now }))).toEqual(['eku']);
    const both = await makeCert({ subject: 'CN=both.test', dnsNames: ['both.test'], issuer: chain.intermediate, eku: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] });
    expect(buildPath([both.der, chain.intermediate.der], store, { now }).trusted).toBe(true);
  });

  it('enforces pathLenConstraint', async () => {
    const x509 = await loadX509();
    const { keyCertSign, cRLSign } = x509.KeyUsageFlags;
    const strict = await makeCert({ subject: 'CN=pathlen 0', ca: true, issuer: chain.root });
    // makeCert writes basicConstraints without pathLen; re-sign the same subject/key with pathLen 0.
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '0102',
      subject: strict.subject,
      issuer: chain.root.subject,
      notBefore: ago(1),
      notAfter: ahead(100),
      publicKey: strict.keys.publicKey,
      signingKey: chain.root.keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(keyCertSign | cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(strict.keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(chain.root.keys.publicKey),
      ],
    });
    const pathLen0 = Buffer.from(cert.rawData);
    const decoded = decodeCertificate(pathLen0);
    expect(decoded.ok && decoded.cert.ext.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    const lower = await makeCert({ subject: 'CN=below pathlen', ca: true, issuer: strict });
    const leaf = await makeCert({ subject: 'CN=deep.test', dnsNames: ['deep.test'], issuer: lower });
    const r = buildPath([leaf.der, lower.der, pathLen0], store, { now });
    expect(codes(r)).toEqual(['path-length']);
    expect(r.errors[0]!.certIndex).toBe(2);
    // Directly under the pathLen-0 CA is fine.
    const direct = await makeCert({ subject: 'CN=direct.test', dnsNames: ['direct.test'], issuer: strict });
    expect(buildPath([direct.der, pathLen0], store, { now }).trusted).toBe(true);
  });
});

describe('buildPath: what the server sent', () => {
  it('trusts a misordered chain and says so', async () => {
    const int1 = await makeCert({ subject: 'CN=int one', ca: true, issuer: chain.root });
    const int2 = await makeCert({ subject: 'CN=int two', ca: true, issuer: int1 });
    const leaf = await makeCert({ subject: 'CN=m.test', dnsNames: ['m.test'], issuer: int2 });
    const inOrder = buildPath([leaf.der, int2.der, int1.der], store, { now });
    expect(inOrder).toMatchObject({ trusted: true, misordered: false });
    const upperFirst = buildPath([leaf.der, int1.der, int2.der], store, { now });
    expect(upperFirst).toMatchObject({ trusted: true, misordered: true, chainComplete: true, extraCertificates: [] });
    expect(upperFirst.path.map((p) => p.servedIndex)).toEqual([0, 2, 1, null]);

    const rootInMiddle = buildPath([chain.leaf.der, chain.root.der, chain.intermediate.der], store, { now });
    expect(rootInMiddle).toMatchObject({ trusted: true, misordered: true, anchorServed: true, extraCertificates: [] });
    expect(rootInMiddle.path.map((p) => [p.from, p.servedIndex])).toEqual([['served', 0], ['served', 2], ['anchor', 1]]);
  });

  it('lists certificates that are not on the path', async () => {
    const unrelated = await makeCert({ subject: 'CN=unrelated', ca: true });
    const r = buildPath([chain.leaf.der, chain.intermediate.der, unrelated.der], store, { now });
    expect(r).toMatchObject({ trusted: true, extraCertificates: [2], misordered: false });
  });

  it('notices a served root', () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der, chain.root.der], store, { now });
    expect(r).toMatchObject({ trusted: true, anchorServed: true, extraCertificates: [], misordered: false });
    expect(r.path[2]).toMatchObject({ from: 'anchor', servedIndex: 2 });
  });

  it('picks the valid one of two cross-signed copies of an intermediate', async () => {
    const keys = chain.intermediate.keys;
    const expired = await makeCert({ subject: 'CN=cross int', ca: true, issuer: chain.root, keys, notBefore: ago(800), notAfter: ago(5) });
    const valid = await makeCert({ subject: 'CN=cross int', ca: true, issuer: chain.root, keys, notBefore: ago(5), notAfter: ahead(500) });
    const leaf = await makeCert({ subject: 'CN=x.test', dnsNames: ['x.test'], issuer: expired });
    const r = buildPath([leaf.der, expired.der, valid.der], store, { now });
    expect(r.errors).toEqual([]);
    expect(r.path.map((p) => p.servedIndex)).toEqual([0, 2, null]);
    expect(r.extraCertificates).toEqual([1]);
    // Only the expired copy sent: the path is complete but flawed; a fetched valid copy repairs it.
    const onlyExpired = buildPath([leaf.der, expired.der], store, { now });
    expect(codes(onlyExpired)).toEqual(['expired']);
    const repaired = buildPath([leaf.der, expired.der], store, { now, extraIntermediates: [valid.der] });
    expect(repaired).toMatchObject({ trusted: true, chainComplete: false, fetchedUsed: 1, extraCertificates: [1] });
  });

  it('reaches the anchor by subject and key when the server sends an expired cross-signed copy of the root', async () => {
    const oldRoot = await makeCert({ subject: 'CN=old root', ca: true, notBefore: ago(5000), notAfter: ahead(100) });
    const crossRoot = await makeCert({ subject: chain.root.subject, ca: true, issuer: oldRoot, keys: chain.root.keys, notBefore: ago(3000), notAfter: ago(30) });
    const r = buildPath([chain.leaf.der, chain.intermediate.der, crossRoot.der], store, { now });
    expect(r).toMatchObject({ trusted: true, extraCertificates: [2], anchorServed: false });
    expect(r.anchor!.source).toBe('ca-file');
  });

  it('does not loop on mutually cross-signed CAs', async () => {
    const aKeys = chain.root.keys;
    const b = await makeCert({ subject: 'CN=loop b', ca: true });
    const aByB = await makeCert({ subject: chain.root.subject, ca: true, issuer: b, keys: aKeys });
    const bByA = await makeCert({ subject: 'CN=loop b', ca: true, issuer: chain.root, keys: b.keys });
    const leaf = await makeCert({ subject: 'CN=loop.test', dnsNames: ['loop.test'], issuer: b });
    const untrusted = buildPath([leaf.der, bByA.der, aByB.der], createAnchorSet([]), { now });
    expect(untrusted.trusted).toBe(false);
    const trusted = buildPath([leaf.der, bByA.der, aByB.der], store, { now });
    expect(trusted.trusted).toBe(true);
    expect(trusted.path.map((p) => p.from)).toEqual(['served', 'served', 'anchor']);
  });
});

describe('buildPath: anchor trust bits', () => {
  it('reports a root distrusted for certificates issued after a date', () => {
    const distrusting = onlyAnchor(chain.root, { serverDistrustAfter: ago(30) });
    const r = buildPath([chain.leaf.der, chain.intermediate.der], distrusting, { now });
    expect(codes(r)).toEqual(['distrusted-root']);
    expect(r.errors[0]!.certIndex).toBe(2);
    expect(r.anchor).toMatchObject({ label: 'Test Root', source: 'mozilla' });
  });

  it('still trusts leaves issued before the distrust date', async () => {
    const older = await makeCert({ subject: 'CN=older.test', dnsNames: ['older.test'], issuer: chain.intermediate, notBefore: ago(60), notAfter: ahead(30) });
    const r = buildPath([older.der, chain.intermediate.der], onlyAnchor(chain.root, { serverDistrustAfter: ago(30) }), { now });
    expect(r.trusted).toBe(true);
  });

  it('reports a root present but not trusted for TLS', () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der], onlyAnchor(chain.root, { serverAuth: false }), { now });
    expect(codes(r)).toEqual(['root-not-trusted-for-tls']);
    expect(r.errors[0]!.detail).toMatch(/Test Root/);
  });

  it('prefers a --ca-file anchor over a Mozilla entry of the same root without server trust', () => {
    const both = createAnchorSet([
      anchorFromCertificate(new X509Certificate(chain.root.der), { source: 'mozilla', serverAuth: false }),
      anchorFromCertificate(new X509Certificate(chain.root.der), { source: 'ca-file' }),
    ]);
    const r = buildPath([chain.leaf.der, chain.intermediate.der], both, { now });
    expect(r.trusted).toBe(true);
    expect(r.anchor!.source).toBe('ca-file');
  });
});

describe('buildPath: odd input', () => {
  it('handles an empty or unparsable list', () => {
    expect(buildPath([], store, { now })).toMatchObject({ trusted: false, path: [], anchor: null });
    const junk = buildPath([Buffer.from('junk'), chain.intermediate.der], store, { now });
    expect(junk.trusted).toBe(false);
    expect(junk.extraCertificates).toEqual([1]);
  });

  it('skips unparsable certificates after the leaf', () => {
    const r = buildPath([chain.leaf.der, Buffer.from([0x30, 0x03, 0x02, 0x01]), chain.intermediate.der], store, { now });
    expect(r).toMatchObject({ trusted: true, extraCertificates: [1] });
  });

  it('stops at the depth limit', () => {
    const r = buildPath([chain.leaf.der, chain.intermediate.der], store, { now, maxDepth: 2 });
    expect(r.trusted).toBe(false);
  });
});
