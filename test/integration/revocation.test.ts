/**
 * Revocation checked by default (staple, then the OCSP responder, then the CRL) and AIA downloads,
 * against real loopback servers: CRLs made by `openssl ca -gencrl` and served by a Node HTTP server
 * on 127.0.0.1, `openssl ocsp` for the responder. Every case says in `chains[].revocation` whether
 * and how revocation was checked; --no-phone-out contacts nobody.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { selectProbes } from '../../src/cli/options.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget } from '../../src/engine/scan.js';
import { sslLabsGrader } from '../../src/grade/endpoint.js';
import type { Report } from '../../src/model/report.js';
import { parseTarget } from '../../src/model/target.js';
import { createAddressPolicy } from '../../src/net/address-policy.js';
import { phoneOutOption, tlsCertificatesProbe } from '../../src/probes/tls/certificates.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { renderText } from '../../src/render/text.js';
import { createTrustStore } from '../../src/trust/store.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { LocalServers } from '../helpers/local-servers.js';
import { startOpensslOcspResponder, stopOcspResponders } from '../helpers/ocsp-responder.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';
import { makeTestCa, noDns } from '../helpers/test-ca.js';

const DAY = 86_400_000;
const local = new LocalServers('revocation');
let root: TestCert;
let intermediate: TestCert;
/** CRLs by path, served by one Node HTTP server; `hits` counts requests per path. */
const crls = new Map<string, Buffer>();
const hits = new Map<string, number>();
let crlBase: string;
let crlServer: http.Server | undefined;

beforeAll(async () => {
  ({ root, intermediate } = await makeTestCa('revocation-test'));
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = crls.get(path);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
  });
  // Not through LocalServers: closeServers() after each test must not close it.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  crlBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  crlServer = server;
});
afterAll(async () => {
  await new Promise<void>((r) => (crlServer ? crlServer.close(() => r()) : r()));
  await stopOcspResponders();
  await local.stop();
});
afterEach(async () => {
  await local.closeServers();
});

/** YYYYMMDDHHMMSSZ, as `openssl ca -crl_lastupdate` takes it. */
const genTime = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');

interface CrlSpec {
  /** Serials (hex) listed as revoked, with a reason. */
  revoked?: Array<{ serial: string; reason?: string }>;
  lastUpdate?: number;
  nextUpdate?: number;
  /** Signs with this CA (default: the intermediate). */
  signer?: TestCert;
}

/** A CRL made by `openssl ca -gencrl` (DER), published at `${crlBase}/<name>.crl`; returns the URL. */
function publishCrl(name: string, spec: CrlSpec = {}): string {
  const signer = spec.signer ?? intermediate;
  const index = (spec.revoked ?? []).map((r) => `R\t351231235959Z\t240102030405Z${r.reason ? `,${r.reason}` : ''}\t${r.serial.toUpperCase()}\tunknown\t/CN=x\n`).join('');
  writeFileSync(join(local.dir, `${name}.index`), index);
  writeFileSync(join(local.dir, `${name}.crlnumber`), '01\n');
  writeFileSync(join(local.dir, `${name}.ca.pem`), signer.pem);
  writeFileSync(join(local.dir, `${name}.ca.key`), signer.keyPem);
  writeFileSync(
    join(local.dir, `${name}.cnf`),
    `[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = ${name}.index\ncrlnumber = ${name}.crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\ncrl_extensions = e\n[ e ]\nauthorityKeyIdentifier = keyid:always\n`,
  );
  const dates = [
    ...(spec.lastUpdate !== undefined ? ['-crl_lastupdate', genTime(spec.lastUpdate)] : []),
    ...(spec.nextUpdate !== undefined ? ['-crl_nextupdate', genTime(spec.nextUpdate)] : []),
  ];
  execFileSync('openssl', ['ca', '-gencrl', '-batch', '-config', `${name}.cnf`, '-keyfile', `${name}.ca.key`, '-cert', `${name}.ca.pem`, '-out', `${name}.crl.pem`, ...dates], { cwd: local.dir, stdio: 'ignore' });
  execFileSync('openssl', ['crl', '-in', `${name}.crl.pem`, '-outform', 'DER', '-out', `${name}.crl`], { cwd: local.dir, stdio: 'ignore' });
  crls.set(`/${name}.crl`, readFileSync(join(local.dir, `${name}.crl`)));
  return `${crlBase}/${name}.crl`;
}

/** A closed loopback port: a URL nobody answers (connection refused at once). */
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/gone.crl`;
}

async function leafWith(name: string, serial: string, pointers: { crl?: string[]; ocsp?: string[]; caIssuers?: string[] }): Promise<TestCert> {
  const x509 = await loadX509();
  const extensions = [];
  if (pointers.crl) extensions.push(new x509.CRLDistributionPointsExtension(pointers.crl));
  if (pointers.ocsp || pointers.caIssuers) {
    extensions.push(
      new x509.AuthorityInfoAccessExtension({
        ...(pointers.ocsp ? { ocsp: pointers.ocsp.map((u) => new x509.GeneralName('url', u)) } : {}),
        ...(pointers.caIssuers ? { caIssuers: pointers.caIssuers.map((u) => new x509.GeneralName('url', u)) } : {}),
      }),
    );
  }
  return makeCert({ subject: `CN=${name}`, dnsNames: [name], issuer: intermediate, serialNumber: serial, extensions });
}

async function serve(leaf: TestCert, withIntermediate = true): Promise<number> {
  const server = tls.createServer({ key: leaf.keyPem, cert: withIntermediate ? leaf.pem + intermediate.pem : leaf.pem }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  return local.listen(server);
}

async function scan(port: number, host: string, phoneOut = true): Promise<Report> {
  const report = await scanTarget(parseTarget(`${host}:${port}`), {
    resolver: noDns,
    trust: createTrustStore([root.pem]),
    ips: ['127.0.0.1'],
    timeoutMs: 30_000,
    connectTimeoutMs: 5000,
    probes: selectProbes('tls-certificates'),
    reference: testReference(),
    options: optionValues([[phoneOutOption, phoneOut]]),
  });
  expectValidReport(report);
  expect(report.endpoints[0]?.tls.probes['tls-certificates']?.status).toBe('ok');
  return report;
}

const chain0 = (r: Report) => r.endpoints[0]!.tls.chains![0]!;
const revokedFinding = (r: Report) => r.findings.find((f) => f.id === 'tls.cert.revoked');
/** The best letter the certificate allows (a TLS 1.3 suite stands in for the suites this scan does not enumerate). */
const bestLetter = (r: Report) => sslLabsGrader.grade({ tls: { ...r.endpoints[0]!.tls, cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] } }, hstsMaxAge: null }).best;
const caps = (r: Report) => sslLabsGrader.grade({ tls: { ...r.endpoints[0]!.tls, cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] } }, hstsMaxAge: null }).rating!.caps.map((c) => c.id);

describe('CRL (CRL Distribution Points), by default', () => {
  it('good: the CRL (signed by the issuer, current) does not list the certificate', async () => {
    const url = publishCrl('good', { revoked: [{ serial: '0c0ffee1', reason: 'superseded' }] });
    const leaf = await leafWith('crl-good.rev.test', '0c0ffee2', { crl: [url] });
    const r = await scan(await serve(leaf), 'crl-good.rev.test');
    expect(chain0(r).revocation).toMatchObject({
      checked: true, method: 'crl', status: 'good', notChecked: null,
      crl: { url, status: 'good', signatureValid: true, fresh: true, entries: 1, revokedAt: null },
    });
    expect(revokedFinding(r)).toBeUndefined();
    expect(bestLetter(r)).toBe('A');
    expect(renderText([r], { color: false, width: 400 })).toMatch(/revocation good \(CRL\)/);
  });

  it('revoked via the CRL only: critical finding, reason and date, and T', async () => {
    const url = publishCrl('revoked', { revoked: [{ serial: '0c0ffee3', reason: 'keyCompromise' }, { serial: '0c0ffee4' }] });
    const leaf = await leafWith('crl-revoked.rev.test', '0c0ffee3', { crl: [url] });
    const r = await scan(await serve(leaf), 'crl-revoked.rev.test');
    expect(chain0(r).ocsp).toEqual([]);
    expect(chain0(r).revocation).toMatchObject({
      checked: true, method: 'crl', status: 'revoked', revokedAt: '2024-01-02T03:04:05.000Z',
      crl: { status: 'revoked', revocationReason: 'keyCompromise', entries: 2, signatureValid: true, fresh: true },
    });
    expect(revokedFinding(r)).toMatchObject({ severity: 'critical', evidence: { crl: { url } } });
    expect(caps(r)).toContain('ssllabs.cap.cert-revoked');
    expect(bestLetter(r)).toBe('T');
  });

  it('a CRL with a bad signature is not used: not checked (unreachable), the reason said, letter unaffected', async () => {
    // Same issuer name, another key: the signature cannot verify with the real issuer's key.
    const impostor = await makeCert({ subject: 'CN=secgrade revocation-test intermediate', ca: true, issuer: root });
    const url = publishCrl('forged', { revoked: [{ serial: '0c0ffee5' }], signer: impostor });
    const leaf = await leafWith('crl-forged.rev.test', '0c0ffee5', { crl: [url] });
    const r = await scan(await serve(leaf), 'crl-forged.rev.test');
    expect(chain0(r).revocation).toMatchObject({ checked: false, status: null, notChecked: 'unreachable', crl: { status: null, signatureValid: false } });
    expect(chain0(r).revocation!.detail).toMatch(/signature does not verify/);
    expect(revokedFinding(r)).toBeUndefined();
    expect(bestLetter(r)).toBe('A');
  });

  it('a stale CRL (nextUpdate passed) is not used', async () => {
    const now = Date.now();
    const url = publishCrl('stale', { revoked: [{ serial: '0c0ffee6' }], lastUpdate: now - 10 * DAY, nextUpdate: now - 3 * DAY });
    const leaf = await leafWith('crl-stale.rev.test', '0c0ffee6', { crl: [url] });
    const r = await scan(await serve(leaf), 'crl-stale.rev.test');
    expect(chain0(r).revocation).toMatchObject({ checked: false, notChecked: 'unreachable', crl: { status: null, fresh: false, signatureValid: true } });
    expect(chain0(r).revocation!.crl!.detail).toMatch(/stale/);
    expect(revokedFinding(r)).toBeUndefined();
  });

  it('unreachable CRL server: not checked (unreachable), letter unaffected, the card says so', async () => {
    const url = await deadUrl();
    const leaf = await leafWith('crl-dead.rev.test', '0c0ffee7', { crl: [url] });
    const r = await scan(await serve(leaf), 'crl-dead.rev.test');
    expect(chain0(r).revocation).toMatchObject({ checked: false, notChecked: 'unreachable', crl: { url, status: null } });
    expect(chain0(r).revocation!.detail).toMatch(/connection refused/);
    expect(bestLetter(r)).toBe('A');
    expect(renderText([r], { color: false, width: 400 })).toMatch(/revocation not checked \(no usable answer\)/);
  });

  it('no OCSP or CRL URL in the certificate: not checked (no-pointers)', async () => {
    const leaf = await leafWith('bare.rev.test', '0c0ffee8', {});
    const r = await scan(await serve(leaf), 'bare.rev.test');
    expect(chain0(r).revocation).toMatchObject({ checked: false, notChecked: 'no-pointers', crl: null });
  });
});

describe('order: stapled, OCSP responder, CRL', () => {
  it('the responder is asked before the CRL; when it cannot answer, the CRL decides', async () => {
    writeFileSync(join(local.dir, 'int.pem'), intermediate.pem);
    writeFileSync(join(local.dir, 'int.key'), intermediate.keyPem);
    writeFileSync(join(local.dir, 'ocsp-index.txt'), 'R\t351231235959Z\t250102030405Z,keyCompromise\t0C0FFEE9\tunknown\t/CN=x\n');
    const responder = await startOpensslOcspResponder(local.dir, 'rev', ['-index', 'ocsp-index.txt', '-CA', 'int.pem', '-rsigner', 'int.pem', '-rkey', 'int.key', '-ndays', '1']);
    const goodCrl = publishCrl('order-good');
    // Revoked per the responder, not listed on the CRL: the responder's answer is the one used.
    const first = await leafWith('ocsp-first.rev.test', '0c0ffee9', { ocsp: [responder.url], crl: [goodCrl] });
    let r = await scan(await serve(first), 'ocsp-first.rev.test');
    expect(chain0(r).revocation).toMatchObject({ checked: true, method: 'ocsp-responder', status: 'revoked', crl: null });
    expect(hits.get('/order-good.crl') ?? 0).toBe(0);
    // The responder refuses connections: the CRL (listing the certificate) decides.
    const revokedCrl = publishCrl('order-revoked', { revoked: [{ serial: '0c0ffeea' }] });
    const second = await leafWith('crl-second.rev.test', '0c0ffeea', { ocsp: [await deadUrl()], crl: [revokedCrl] });
    r = await scan(await serve(second), 'crl-second.rev.test');
    expect(chain0(r).ocsp).toEqual([expect.objectContaining({ source: 'responder', status: null, detail: expect.stringMatching(/could not ask/) })]);
    expect(chain0(r).revocation).toMatchObject({ checked: true, method: 'crl', status: 'revoked' });
  });
});

describe('--no-phone-out', () => {
  it('contacts no AIA, OCSP or CRL server: revocation not checked (phone-out-disabled), incomplete chain T; by default B', async () => {
    const aia = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(intermediate.der));
    let aiaHits = 0;
    aia.on('request', () => aiaHits++);
    const aiaPort = await local.listen(aia);
    const url = publishCrl('phone', { revoked: [{ serial: '0c0ffeeb' }] });
    const leaf = await leafWith('phone.rev.test', '0c0ffeeb', { crl: [url], caIssuers: [`http://127.0.0.1:${aiaPort}/int.der`] });
    const port = await serve(leaf, false);
    const quiet = await scan(port, 'phone.rev.test', false);
    expect(chain0(quiet)).toMatchObject({ trusted: false, fetchedIntermediates: 0 });
    expect(chain0(quiet).revocation).toMatchObject({ checked: false, notChecked: 'phone-out-disabled', crl: null });
    expect(aiaHits).toBe(0);
    expect(hits.get('/phone.crl') ?? 0).toBe(0);
    expect(bestLetter(quiet)).toBe('T');
    expect(renderText([quiet], { color: false, width: 400 })).toMatch(/revocation not checked \(--no-phone-out\)/);
    // By default: the intermediate comes from AIA, and with it the CRL's signature can be checked.
    const loud = await scan(port, 'phone.rev.test');
    expect(chain0(loud)).toMatchObject({ trusted: true, chainComplete: false, fetchedIntermediates: 1 });
    expect(chain0(loud).revocation).toMatchObject({ checked: true, method: 'crl', status: 'revoked' });
    expect(aiaHits).toBe(1);
    // The same leaf, not revoked: incomplete chain, completed by download, caps at B.
    const fine = await leafWith('phone-fine.rev.test', '0c0ffeec', { crl: [url], caIssuers: [`http://127.0.0.1:${aiaPort}/int.der`] });
    expect(bestLetter(await scan(await serve(fine, false), 'phone-fine.rev.test'))).toBe('B');
  });
});

describe('address policy', () => {
  it('a CRL URL on loopback is refused when the target is elsewhere (IP literal included), and never fetched', async () => {
    const url = publishCrl('policy', { revoked: [{ serial: '0c0ffeed' }] });
    const leaf = await leafWith('policy.rev.test', '0c0ffeed', { crl: [url] });
    const port = await serve(leaf);
    // As for a public target: loopback is where the scanned site may not lead the scan.
    const policy = createAddressPolicy({ allowPrivate: false, targetAddresses: ['203.0.113.7'] });
    const { ctx } = loopbackContext(port, { policy, trust: createTrustStore([root.pem]), target: { host: 'policy.rev.test', port, path: '/', sni: 'policy.rev.test' } });
    const protocols = { protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true }, attempts: {}, sslv2Ciphers: [], firstPick: {} };
    const ev = await tlsCertificatesProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
    expect(ev.chains[0]!.revocation).toMatchObject({ checked: false, notChecked: 'unreachable' });
    expect(ev.chains[0]!.revocation!.detail).toMatch(/loopback address/);
    expect(hits.get('/policy.crl') ?? 0).toBe(0);
  });
});
