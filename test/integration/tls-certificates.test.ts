/**
 * The tls-certificates probe against real servers on 127.0.0.1 (Node's tls and `openssl s_server`)
 * serving certificates generated here: validity, trust paths, host names, keys and signatures,
 * dual RSA+ECDSA, Certificate Transparency from all three sources, OCSP staples.
 */
import { execFileSync } from 'node:child_process';
import { KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CertificatesEvidence } from '../../src/cert/checks.js';
import { selectProbes } from '../../src/cli/options.js';
import { precertEntryFromIssuer, x509Entry } from '../../src/ct/verify.js';
import { createReferenceData, type ReferenceData } from '../../src/data/reference.js';
import { optionValues } from '../../src/engine/options.js';
import type { AnyProbe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { createLabCtLog, issueSct, labLogListJson, sctExtensionValue, sctListOf, type LabCtLog } from '../../src/lab/ct-log.js';
import { signOcspResponse } from '../../src/lab/ocsp-signer.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import type { Report } from '../../src/model/report.js';
import { parseTarget } from '../../src/model/target.js';
import { phoneOutOption, tlsCertificatesProbe } from '../../src/probes/tls/certificates.js';
import { sslLabsGrader } from '../../src/grade/endpoint.js';
import { createTrustStore } from '../../src/trust/store.js';
import { makeCert, type TestCert, type TestCertOptions } from '../helpers/certs.js';
import { LocalServers } from '../helpers/local-servers.js';
import { startOpensslOcspResponder, stopOcspResponders } from '../helpers/ocsp-responder.js';
import { expectValidReport } from '../helpers/schema.js';
import { makeTestCa, noDns } from '../helpers/test-ca.js';

const DAY = 86_400_000;
const local = new LocalServers('certs');
let root: TestCert;
let intermediate: TestCert;
let logs: LabCtLog[];
let logListPath: string;
/** The reference data of these scans: the lab's CT log list (--ct-log-list). */
let reference: ReferenceData;

beforeAll(async () => {
  const now = Date.now();
  ({ root, intermediate } = await makeTestCa('cert-test'));
  logs = [createLabCtLog('Test Log A', 'Operator A'), createLabCtLog('Test Log B', 'Operator B')];
  logListPath = join(local.dir, 'log-list.json');
  writeFileSync(logListPath, JSON.stringify(labLogListJson(logs, new Date(now))));
  reference = createReferenceData({ ctLogListPath: logListPath });
});
afterAll(async () => {
  await stopOcspResponders();
  await local.stop();
});
afterEach(async () => {
  await local.closeServers();
  await local.killChildren();
});

const leafOf = (names: string[], over: Partial<TestCertOptions> = {}) =>
  makeCert({ subject: `CN=${names[0] ?? 'leaf'}`, dnsNames: names, issuer: intermediate, ...over });

/** A Node TLS server; `chain` is served in exactly the order given; `staple` answers OCSP requests. */
async function serve(key: string | string[], chain: string | string[], options: tls.TlsOptions = {}, staple?: Buffer): Promise<number> {
  const server = tls.createServer({ key, cert: chain, ...options }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  if (staple) server.on('OCSPRequest', (_cert, _issuer, cb) => cb(null, staple));
  return local.listen(server);
}

interface ScanResult {
  report: Report;
  ev: CertificatesEvidence;
}

async function scan(port: number, host: string, opts: { anchors?: string[]; phoneOut?: boolean } = {}): Promise<ScanResult> {
  let ev: CertificatesEvidence | null = null;
  // tls-certificates as registered, keeping a copy of its evidence.
  const keeping: AnyProbe = { ...tlsCertificatesProbe, collect: async (...args: Parameters<typeof tlsCertificatesProbe.collect>) => (ev = await tlsCertificatesProbe.collect(...args)) };
  const probes = selectProbes('tls-certificates').map((p) => (p === tlsCertificatesProbe ? keeping : p));
  const report = await scanTarget(parseTarget(`${host}:${port}`), {
    resolver: noDns,
    trust: createTrustStore(opts.anchors ?? [root.pem]),
    ips: ['127.0.0.1'],
    timeoutMs: 30_000,
    connectTimeoutMs: 5000,
    probes,
    reference,
    // AIA, OCSP and CRL requests are the default; --no-phone-out (phoneOut false) turns them off.
    options: optionValues([[phoneOutOption, opts.phoneOut ?? true]]),
  });
  expectValidReport(report);
  const status = report.endpoints[0]?.tls.probes['tls-certificates'];
  if (status?.status !== 'ok' || !ev) throw new Error(`tls-certificates: ${JSON.stringify(status)}`);
  return { report, ev };
}

const findingIds = (r: Report) => r.findings.filter((f) => f.id.startsWith('tls.cert.')).map((f) => f.id).sort();
const chain0 = (r: Report) => r.endpoints[0]!.tls.chains![0]!;

describe('validity and trust', () => {
  it('a complete chain to the anchor: trusted, complete, nothing to report', async () => {
    const leaf = await leafOf(['ok.cert.test']);
    const port = await serve(leaf.keyPem, leaf.pem + intermediate.pem);
    const { report } = await scan(port, 'ok.cert.test');
    expect(findingIds(report)).toEqual([]);
    const c = chain0(report);
    expect(c).toMatchObject({ trusted: true, chainComplete: true, extraCertificates: [], misordered: false, anchorServed: false, hostnameMatch: true });
    expect(c.anchor?.subject).toContain('secgrade cert-test root');
    const certs = report.endpoints[0]!.tls.certificates;
    expect(certs.map((x) => [x.servedIndex, x.subject])).toEqual([
      [0, 'CN=ok.cert.test'],
      [1, 'CN=secgrade cert-test intermediate'],
    ]);
    expect(certs[0]).toMatchObject({ trusted: true, chainComplete: true, keyType: 'EC', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'SHA256withECDSA', ca: false, mustStaple: false });
    expect(certs[1]).toMatchObject({ ca: true, trusted: null });
  });

  it('expired and not-yet-valid leaves', async () => {
    const expired = await leafOf(['expired.cert.test'], { notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 10 * DAY) });
    let { report } = await scan(await serve(expired.keyPem, expired.pem + intermediate.pem), 'expired.cert.test');
    expect(findingIds(report)).toEqual(['tls.cert.expired']);
    expect(chain0(report).trusted).toBe(false);
    expect(report.endpoints[0]!.tls.certificates[0]!.daysRemaining).toBeLessThan(-9);
    const future = await leafOf(['future.cert.test'], { notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 100 * DAY) });
    ({ report } = await scan(await serve(future.keyPem, future.pem + intermediate.pem), 'future.cert.test'));
    expect(findingIds(report)).toEqual(['tls.cert.not-yet-valid']);
  });

  it('self-signed leaf and unknown root', async () => {
    const self = await makeCert({ subject: 'CN=self.cert.test', dnsNames: ['self.cert.test'] });
    let { report } = await scan(await serve(self.keyPem, self.pem), 'self.cert.test');
    expect(findingIds(report)).toEqual(['tls.cert.self-signed']);
    expect(report.endpoints[0]!.tls.certificates[0]!.selfSigned).toBe(true);
    const otherRoot = await makeCert({ subject: 'CN=unknown root', ca: true });
    const otherInt = await makeCert({ subject: 'CN=unknown intermediate', ca: true, issuer: otherRoot });
    const leaf = await makeCert({ subject: 'CN=stranger.cert.test', dnsNames: ['stranger.cert.test'], issuer: otherInt });
    ({ report } = await scan(await serve(leaf.keyPem, leaf.pem + otherInt.pem + otherRoot.pem), 'stranger.cert.test'));
    expect(findingIds(report)).toEqual(['tls.cert.unknown-issuer']);
  });

  it('missing intermediate: completed from the AIA URL by default; untrusted with --no-phone-out', async () => {
    const http = await import('node:http');
    const aia = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/pkix-cert');
      res.end(req.url === '/int.der' ? intermediate.der : undefined);
    });
    const aiaPort = await local.listen(aia);
    const x509 = await loadX509();
    const leaf = await leafOf(['aia.cert.test'], {
      extensions: [new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', `http://127.0.0.1:${aiaPort}/int.der`)] })],
    });
    const port = await serve(leaf.keyPem, leaf.pem);
    let { report } = await scan(port, 'aia.cert.test', { phoneOut: false });
    expect(findingIds(report)).toEqual(['tls.cert.chain-incomplete']);
    expect(report.findings.find((f) => f.id === 'tls.cert.chain-incomplete')?.severity).toBe('high');
    expect(chain0(report)).toMatchObject({ trusted: false, chainComplete: false, fetchedIntermediates: 0 });
    expect(certificateLetter(report).letter).toBe('T');
    ({ report } = await scan(port, 'aia.cert.test'));
    expect(chain0(report)).toMatchObject({ trusted: true, chainComplete: false, fetchedIntermediates: 1 });
    expect(report.findings.find((f) => f.id === 'tls.cert.chain-incomplete')?.severity).toBe('medium');
    // Trusted once completed, but SSL Labs caps an incomplete chain at B (the best this scan can give:
    // it tests no vulnerability, so only the best case is certain).
    expect(certificateLetter(report).best).toBe('B');
  });

  it('misordered chain, extra certificate and a served root', async () => {
    const leaf = await leafOf(['order.cert.test']);
    const stranger = await makeCert({ subject: 'CN=unrelated', ca: true });
    const { report } = await scan(await serve(leaf.keyPem, leaf.pem + root.pem + stranger.pem + intermediate.pem), 'order.cert.test');
    expect(chain0(report)).toMatchObject({ trusted: true, misordered: true, extraCertificates: [2], anchorServed: true });
    expect(findingIds(report)).toEqual(['tls.cert.chain-extra', 'tls.cert.chain-misordered', 'tls.cert.chain-root-served']);
    expect(report.endpoints[0]!.tls.certificates.map((c) => c.subject)).toEqual([
      'CN=order.cert.test',
      'CN=secgrade cert-test root',
      'CN=unrelated',
      'CN=secgrade cert-test intermediate',
    ]);
  });

  it('expired intermediate', async () => {
    const oldInt = await makeCert({ subject: 'CN=old intermediate', ca: true, issuer: root, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const leaf = await makeCert({ subject: 'CN=oldint.cert.test', dnsNames: ['oldint.cert.test'], issuer: oldInt });
    const { report } = await scan(await serve(leaf.keyPem, leaf.pem + oldInt.pem), 'oldint.cert.test');
    expect(findingIds(report)).toEqual(['tls.cert.chain-expired']);
  });
});

describe('host names (RFC 6125 as browsers apply it)', () => {
  const cases: Array<[string, string[], string, boolean]> = [
    ['exact name', ['a.cert.test'], 'a.cert.test', true],
    ['wildcard covers one label', ['*.a.cert.test'], 'x.a.cert.test', true],
    ['wildcard does not cover the bare domain', ['*.a.cert.test'], 'a.cert.test', false],
    ['wildcard does not cover two labels', ['*.a.cert.test'], 'x.y.a.cert.test', false],
    ['another name entirely', ['other.cert.test'], 'a.cert.test', false],
  ];
  for (const [what, names, host, match] of cases) {
    it(`${what}: ${names.join(',')} vs ${host} → ${match}`, async () => {
      const leaf = await leafOf(names);
      const { report } = await scan(await serve(leaf.keyPem, leaf.pem + intermediate.pem), host);
      expect(chain0(report).hostnameMatch).toBe(match);
      expect(findingIds(report)).toEqual(match ? [] : ['tls.cert.hostname-mismatch']);
    });
  }

  it('IP address target matches an IP SAN, not a DNS SAN', async () => {
    const withIp = await leafOf(['ip.cert.test'], { ipAddresses: ['127.0.0.1'] });
    let { report } = await scan(await serve(withIp.keyPem, withIp.pem + intermediate.pem), '127.0.0.1');
    expect(chain0(report).hostnameMatch).toBe(true);
    const dnsOnly = await leafOf(['127.0.0.1.cert.test']);
    ({ report } = await scan(await serve(dnsOnly.keyPem, dnsOnly.pem + intermediate.pem), '127.0.0.1'));
    expect(chain0(report).hostnameMatch).toBe(false);
  });

  it('a certificate with the name only in the subject CN does not match', async () => {
    const cnOnly = await makeCert({ subject: 'CN=cn.cert.test', issuer: intermediate });
    const { report } = await scan(await serve(cnOnly.keyPem, cnOnly.pem + intermediate.pem), 'cn.cert.test');
    expect(findingIds(report)).toEqual(['tls.cert.hostname-mismatch', 'tls.cert.no-san']);
  });
});

describe('keys and signatures', () => {
  const weak = { ciphers: 'DEFAULT:@SECLEVEL=0' };

  it('EC P-384 and Ed25519 leaves', async () => {
    const p384 = await leafOf(['p384.cert.test'], { keyType: 'ec-p384' });
    let { report } = await scan(await serve(p384.keyPem, p384.pem + intermediate.pem), 'p384.cert.test');
    expect(report.endpoints[0]!.tls.certificates[0]).toMatchObject({ keyType: 'EC', keyBits: 384, curve: 'secp384r1' });
    expect(findingIds(report)).toEqual([]);
    const ed = await leafOf(['ed.cert.test'], { keyType: 'ed25519' });
    ({ report } = await scan(await serve(ed.keyPem, ed.pem + intermediate.pem), 'ed.cert.test'));
    // Signed and served fine, but the web PKI allows RSA and ECDSA keys only: browsers refuse it.
    expect(chain0(report)).toMatchObject({ requested: 'EdDSA', trusted: false, chainComplete: true, leafKeyType: 'Ed25519 256' });
    expect(findingIds(report)).toEqual(['tls.cert.web-pki']);
  });

  it('RSA-1024 leaf and a SHA-1 signature', async () => {
    const small = await leafOf(['rsa1024.cert.test'], { keyType: 'rsa-1024' });
    let { report } = await scan(await serve(small.keyPem, small.pem + intermediate.pem, weak), 'rsa1024.cert.test');
    expect(report.findings.filter((f) => f.id === 'tls.cert.weak-key').map((f) => f.severity)).toEqual(['high']);
    expect(report.endpoints[0]!.tls.certificates[0]).toMatchObject({ keyType: 'RSA', keyBits: 1024, rsaExponent: 65537 });
    const rsaRoot = await makeCert({ subject: 'CN=rsa root', ca: true, keyType: 'rsa-2048' });
    const sha1 = await makeCert({ subject: 'CN=sha1.cert.test', dnsNames: ['sha1.cert.test'], issuer: rsaRoot, hash: 'SHA-1' });
    ({ report } = await scan(await serve(sha1.keyPem, sha1.pem, weak), 'sha1.cert.test', { anchors: [rsaRoot.pem] }));
    expect(report.endpoints[0]!.tls.certificates[0]!.signatureAlgorithm).toBe('SHA1withRSA');
    expect(report.findings.filter((f) => f.id === 'tls.cert.weak-signature').map((f) => f.severity)).toEqual(['high']);
  });

  it('an MD5-signed certificate (made with the openssl CLI) is critical', async () => {
    const o = (args: string[]) => execFileSync('openssl', args, { cwd: local.dir, stdio: 'ignore' });
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'md5ca.key', '-out', 'md5ca.pem', '-days', '30', '-subj', '/CN=md5 root']);
    o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'md5.key', '-out', 'md5.csr', '-subj', '/CN=md5.cert.test']);
    writeFileSync(join(local.dir, 'md5.ext'), 'subjectAltName=DNS:md5.cert.test\nbasicConstraints=CA:FALSE\n');
    o(['x509', '-req', '-in', 'md5.csr', '-CA', 'md5ca.pem', '-CAkey', 'md5ca.key', '-CAcreateserial', '-md5', '-days', '30', '-extfile', 'md5.ext', '-out', 'md5.pem']);
    const read = (f: string) => readFileSync(join(local.dir, f), 'utf8');
    const { report } = await scan(await serve(read('md5.key'), read('md5.pem'), weak), 'md5.cert.test', { anchors: [read('md5ca.pem')] });
    expect(report.endpoints[0]!.tls.certificates[0]!.signatureAlgorithm).toBe('MD5withRSA');
    expect(report.findings.find((f) => f.id === 'tls.cert.weak-signature')?.severity).toBe('critical');
  });

  it('dual RSA + ECDSA server: both chains are read and reported', async () => {
    const ec = await leafOf(['dual.cert.test']);
    const rsa = await leafOf(['dual.cert.test'], { keyType: 'rsa-2048' });
    const { report } = await scan(await serve([ec.keyPem, rsa.keyPem], [ec.pem + intermediate.pem, rsa.pem + intermediate.pem]), 'dual.cert.test');
    const chains = report.endpoints[0]!.tls.chains!;
    expect(chains.map((c) => [c.requested, c.leafKeyType, c.trusted])).toEqual([
      ['ECDSA', 'EC 256', true],
      ['RSA', 'RSA 2048', true],
    ]);
    expect(report.endpoints[0]!.tls.certificates.map((c) => [c.chain, c.servedIndex])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
  });
});

/** The precertificate flow: sign SCTs over the TBS without the SCT extension, then issue with it. */
async function certWithEmbeddedScts(name: string, tamper = false): Promise<TestCert> {
  const x509 = await loadX509();
  const base = { subject: `CN=${name}`, dnsNames: [name], issuer: intermediate, serialNumber: '0a1b2c3d', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 90 * DAY) };
  const pre = await makeCert(base);
  const entry = precertEntryFromIssuer(pre.der, intermediate.der);
  if (!entry.ok) throw new Error(entry.error.message);
  const scts = logs.map((log) => issueSct(log, entry.value, Date.now() - 60_000));
  if (tamper) scts[0]![scts[0]!.length - 1]! ^= 0x01;
  const ext = new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, sctExtensionValue(sctListOf(scts)));
  return makeCert({ ...base, keys: pre.keys, extensions: [ext] });
}

describe('Certificate Transparency', () => {
  it('embedded SCTs verify against the test logs; a tampered one fails', async () => {
    const good = await certWithEmbeddedScts('ct.cert.test');
    let { report } = await scan(await serve(good.keyPem, good.pem + intermediate.pem), 'ct.cert.test');
    const scts = report.endpoints[0]!.tls.certificates[0]!.scts!;
    expect(scts.map((s) => [s.logName, s.source, s.valid])).toEqual([
      ['Test Log A', 'certificate', true],
      ['Test Log B', 'certificate', true],
    ]);
    expect(chain0(report).ct).toMatchObject({ compliant: true, validScts: 2 });
    expect(findingIds(report)).toEqual([]);

    const bad = await certWithEmbeddedScts('ct.cert.test', true);
    ({ report } = await scan(await serve(bad.keyPem, bad.pem + intermediate.pem), 'ct.cert.test'));
    expect(report.endpoints[0]!.tls.certificates[0]!.scts!.map((s) => s.valid)).toEqual([false, true]);
    expect(findingIds(report)).toEqual(['tls.cert.sct-invalid']);
  });

  it('SCTs in the TLS extension (s_server -serverinfo) and in a stapled OCSP response (-status_file)', async () => {
    const leaf = await leafOf(['ctx.cert.test']);
    const paths = { key: join(local.dir, 'ctx.key'), cert: join(local.dir, 'ctx.pem'), chain: join(local.dir, 'ctx-chain.pem') };
    writeFileSync(paths.key, leaf.keyPem);
    writeFileSync(paths.cert, leaf.pem);
    writeFileSync(paths.chain, intermediate.pem);
    const list = sctListOf([issueSct(logs[0]!, x509Entry(leaf.der), Date.now() - 1000)]);
    const serverinfo = join(local.dir, 'sct.serverinfo.pem');
    const ext = Buffer.concat([Buffer.from([0, 18, list.length >> 8, list.length & 0xff]), list]);
    writeFileSync(serverinfo, `-----BEGIN SERVERINFO FOR SCT-----\n${ext.toString('base64')}\n-----END SERVERINFO FOR SCT-----\n`);
    const issuerKey = KeyObject.from(intermediate.keys.privateKey);
    const staple = signOcspResponse({
      leafDer: leaf.der,
      issuerDer: intermediate.der,
      issuerKey,
      status: 'good',
      thisUpdate: new Date(Date.now() - 3_600_000),
      nextUpdate: new Date(Date.now() + 3 * DAY),
      sctList: sctListOf([issueSct(logs[1]!, x509Entry(leaf.der), Date.now() - 1000)]),
    });
    const statusFile = join(local.dir, 'ctx.ocsp.der');
    writeFileSync(statusFile, staple);
    const port = await local.sServer(['-cert', paths.cert, '-key', paths.key, '-cert_chain', paths.chain, '-tls1_2', '-serverinfo', serverinfo, '-status_file', statusFile]);
    const { report } = await scan(port, 'ctx.cert.test');
    const scts = report.endpoints[0]!.tls.certificates[0]!.scts!;
    expect(scts.map((s) => [s.logName, s.source, s.valid])).toEqual([
      ['Test Log A', 'tls-extension', true],
      ['Test Log B', 'ocsp', true],
    ]);
    expect(chain0(report).ocsp).toMatchObject([{ source: 'stapled', status: 'good', fresh: true, signatureValid: true }]);
    expect(chain0(report).ct).toMatchObject({ compliant: true, validScts: 2 });
    expect(report.endpoints[0]!.tls.certificates[0]!.ocspStapled).toBe(true);
  });
});

describe('OCSP staples and must-staple', () => {
  it('a stapled "revoked" response is critical', async () => {
    const leaf = await leafOf(['revoked.cert.test']);
    const staple = signOcspResponse({
      leafDer: leaf.der,
      issuerDer: intermediate.der,
      issuerKey: KeyObject.from(intermediate.keys.privateKey),
      status: 'revoked',
      revokedAt: new Date(Date.now() - DAY),
      thisUpdate: new Date(Date.now() - 3_600_000),
      nextUpdate: new Date(Date.now() + DAY),
    });
    const port = await serve(leaf.keyPem, leaf.pem + intermediate.pem, {}, staple);
    const { report } = await scan(port, 'revoked.cert.test');
    expect(chain0(report).ocsp).toMatchObject([{ source: 'stapled', status: 'revoked', signatureValid: true }]);
    expect(report.findings.find((f) => f.id === 'tls.cert.revoked')?.severity).toBe('critical');
  });

  it('must-staple without a staple', async () => {
    const x509 = await loadX509();
    const tlsFeature = new x509.Extension('1.3.6.1.5.5.7.1.24', false, Buffer.from('3003020105', 'hex'));
    const leaf = await leafOf(['staple.cert.test'], { extensions: [tlsFeature] });
    const { report } = await scan(await serve(leaf.keyPem, leaf.pem + intermediate.pem), 'staple.cert.test');
    expect(report.endpoints[0]!.tls.certificates[0]!.mustStaple).toBe(true);
    expect(findingIds(report)).toEqual(['tls.cert.must-staple-missing']);
  });
});

describe('revocation by default: the OCSP responder (`openssl ocsp` on loopback)', () => {
  it('asks the AIA responder: good and revoked, signed by the issuer', async () => {
    const x509 = await loadX509();
    writeFileSync(join(local.dir, 'int.pem'), intermediate.pem);
    writeFileSync(join(local.dir, 'int.key'), intermediate.keyPem);
    writeFileSync(
      join(local.dir, 'index.txt'),
      'V\t351231235959Z\t\t0C5E0001\tunknown\t/CN=live-good.cert.test\n' +
        'R\t351231235959Z\t250102030405Z,keyCompromise\t0C5E0002\tunknown\t/CN=live-revoked.cert.test\n',
    );
    const responder = await startOpensslOcspResponder(local.dir, 'live', ['-index', 'index.txt', '-CA', 'int.pem', '-rsigner', 'int.pem', '-rkey', 'int.key', '-ndays', '1']);
    const aia = new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', responder.url)] });
    const verdict = async (name: string, serial: string) => {
      const leaf = await leafOf([name], { serialNumber: serial, extensions: [aia] });
      const port = await serve(leaf.keyPem, leaf.pem + intermediate.pem);
      const without = await scan(port, name, { phoneOut: false });
      expect(chain0(without.report).ocsp).toEqual([]); // no third-party request with --no-phone-out
      expect(chain0(without.report).revocation).toMatchObject({ checked: false, notChecked: 'phone-out-disabled' });
      return scan(port, name);
    };
    const good = await verdict('live-good.cert.test', '0c5e0001');
    expect(chain0(good.report).ocsp).toEqual([
      expect.objectContaining({ source: 'responder', url: responder.url, status: 'good', fresh: true, signatureValid: true }),
    ]);
    expect(findingIds(good.report)).toEqual([]);
    expect(chain0(good.report).revocation).toMatchObject({ checked: true, method: 'ocsp-responder', status: 'good', notChecked: null });
    const revoked = await verdict('live-revoked.cert.test', '0c5e0002');
    expect(chain0(revoked.report).ocsp).toEqual([
      expect.objectContaining({ source: 'responder', status: 'revoked', revokedAt: '2025-01-02T03:04:05.000Z', signatureValid: true }),
    ]);
    expect(findingIds(revoked.report)).toEqual(['tls.cert.revoked']);
    expect(chain0(revoked.report).revocation).toMatchObject({ checked: true, method: 'ocsp-responder', status: 'revoked', revokedAt: '2025-01-02T03:04:05.000Z' });
    // A revoked leaf is T by default, as at SSL Labs.
    expect(certificateLetter(revoked.report)).toEqual({ best: 'T', worst: 'T', letter: 'T' });
  });
});

/** The DER with its notAfter (a UTCTime) overwritten by the invalid "991399235959Z"; nothing else changes (the signature no longer verifies). */
function withBadNotAfter(der: Buffer): Buffer {
  const out = Buffer.from(der);
  for (let i = 0; i < out.length - 32; i++) {
    // Validity ::= SEQUENCE (30 1e) { notBefore UTCTime (17 0d …), notAfter UTCTime (17 0d …) }
    if (out[i] === 0x30 && out[i + 1] === 0x1e && out[i + 2] === 0x17 && out[i + 3] === 0x0d && out[i + 17] === 0x17 && out[i + 18] === 0x0d) {
      out.write('991399235959Z', i + 19, 'latin1');
      return out;
    }
  }
  throw new Error('no UTCTime validity found');
}
/**
 * The SSL Labs letter of the scanned endpoint. A tls-certificates-only scan enumerates no suites
 * (and is not graded): grade it as if the server offered one modern TLS 1.3 suite, so only the
 * certificate decides.
 */
function certificateLetter(report: Report) {
  const tls = report.endpoints[0]!.tls;
  const g = sslLabsGrader.grade({ tls: { ...tls, cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] } }, hstsMaxAge: null });
  return { best: g.best, worst: g.worst, letter: g.letter };
}
const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;

describe('unreadable certificates (a malformed date) do not disable the probe', () => {
  it('as the intermediate: evidence for the rest, tls.cert.unreadable naming position 1, untrusted (T)', async () => {
    const leaf = await leafOf(['bad-int.cert.test']);
    const badInt = withBadNotAfter(intermediate.der);
    expect(new X509Certificate(badInt).validTo).toMatch(/^Bad time value/);
    const port = await serve(leaf.keyPem, leaf.pem + pemOf(badInt));
    const { report, ev } = await scan(port, 'bad-int.cert.test');
    const c = chain0(report);
    expect(c).toMatchObject({ trusted: false, certificates: 2, hostnameMatch: true });
    expect(c.trustErrors).toContainEqual({ code: 'unreadable', subject: 'served certificate #1', detail: expect.stringMatching(/position 1 cannot be read: notAfter \("991399235959Z/) });
    const certs = report.endpoints[0]!.tls.certificates;
    expect(certs.map((x) => [x.servedIndex, x.subject])).toEqual([[0, 'CN=bad-int.cert.test']]);
    expect(certs[0]).toMatchObject({ trusted: false, hostnameMatch: true, keyType: 'EC' });
    expect(ev.chains[0]!.unreadable).toEqual([{ servedIndex: 1, code: 'bad-time', error: expect.stringMatching(/991399235959Z/) }]);
    const f = report.findings.find((x) => x.id === 'tls.cert.unreadable');
    expect(f).toMatchObject({ severity: 'high', evidence: { chain: 0, certificates: [{ servedIndex: 1, code: 'bad-time', error: expect.stringMatching(/991399235959Z/) }] } });
    expect(findingIds(report)).toContain('tls.cert.unreadable');
    expect(certificateLetter(report)).toEqual({ best: 'T', worst: 'T', letter: 'T' });
  });

  it('as the leaf: host name and key facts null (not tested), never a pass; untrusted (T)', async () => {
    const leaf = await leafOf(['bad-leaf.cert.test']);
    const port = await serve(leaf.keyPem, pemOf(withBadNotAfter(leaf.der)) + intermediate.pem);
    const { report } = await scan(port, 'bad-leaf.cert.test');
    const c = chain0(report);
    expect(c).toMatchObject({ trusted: false, certificates: 2, hostnameMatch: null, leafKeyType: 'unknown', ct: null });
    expect(c.trustErrors.map((e) => e.code)).toContain('unreadable');
    const certs = report.endpoints[0]!.tls.certificates;
    expect(certs.map((x) => x.servedIndex)).toEqual([1]);
    const ids = findingIds(report);
    expect(ids).toContain('tls.cert.unreadable');
    expect(ids).not.toContain('tls.cert.hostname-mismatch');
    expect(ids).not.toContain('tls.cert.leaf-is-ca');
    expect(report.findings.find((x) => x.id === 'tls.cert.unreadable')).toMatchObject({ severity: 'high', title: 'The server certificate cannot be read' });
    expect(certificateLetter(report)).toEqual({ best: 'T', worst: 'T', letter: 'T' });
  });
});
