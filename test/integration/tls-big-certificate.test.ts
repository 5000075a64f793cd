/**
 * A leaf with 10,000 subjectAltNames (~320 KB DER, like badssl.com's 10000-sans), generated here
 * with openssl and served by `openssl s_server` on 127.0.0.1: the raw engine reads the chain, the
 * certificate decodes with every name, the host matches, and the endpoint gets a decided letter.
 * Node's TLS client (the tls-handshake probe) refuses a Certificate message over OpenSSL's 100 KiB
 * max_cert_list, as Chrome does: that probe fails with a reason, nothing crashes. The HTTP probe
 * fails alike, so a full scan reads HSTS over the raw TLS client (tls-hsts-raw), as SSL Labs reads
 * it with its own: Node https servers with the same leaf decide A+ with HSTS and A without.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../src/cert/decode.js';
import { matchesHost } from '../../src/cert/describe.js';
import { selectProbes } from '../../src/cli/options.js';
import { optionValues } from '../../src/engine/options.js';
import type { AnyProbe } from '../../src/engine/probe.js';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import { ALL_PROBES } from '../../src/probes/index.js';
import { phoneOutOption } from '../../src/probes/tls/certificates.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const local = new LocalServers('bigcert');
const HOST = '10000-sans.secgrade.test';
const SANS = 10_000;
let caPem: string;
let leafDer: Buffer;
let port: number;
/** Node https servers with the big leaf: `/` redirects to `/home`, which sends HSTS (or not). */
let hstsPort: number;
let noHstsPort: number;

const noDns: Resolver = {
  description: 'none (tests pin addresses)',
  addresses: async () => ({ status: 'error', reason: 'no DNS in this test' }),
  query: async () => ({ status: 'error', reason: 'no DNS in this test' }),
};

beforeAll(async () => {
  const names = [HOST, ...Array.from({ length: SANS - 1 }, (_, i) => `s${i + 1}.${HOST}`)];
  const ext = [
    '[v3]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = @alt',
    '[alt]',
    ...names.map((n, i) => `DNS.${i + 1} = ${n}`),
    '',
  ].join('\n');
  writeFileSync(join(local.dir, 'san.cnf'), ext);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  local.openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=secgrade big-cert root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  local.openssl(['req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${HOST}`]);
  local.openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'san.cnf', '-extensions', 'v3', '-out', 'leaf.pem']);
  local.openssl(['x509', '-in', 'leaf.pem', '-outform', 'der', '-out', 'leaf.der']);
  caPem = readFileSync(join(local.dir, 'ca.pem'), 'utf8');
  leafDer = readFileSync(join(local.dir, 'leaf.der'));
  port = await local.sServer(['-www', '-key', join(local.dir, 'leaf.key'), '-cert', join(local.dir, 'leaf.pem')]);
  const site = (hsts: string | null) =>
    https.createServer({ key: readFileSync(join(local.dir, 'leaf.key')), cert: readFileSync(join(local.dir, 'leaf.pem')) }, (req, res) => {
      // HSTS only on the page the same-host redirect leads to: the fallback follows it, as hstsOf reads the chain.
      if (req.url === '/') res.writeHead(301, { location: '/home' }).end();
      else res.writeHead(200, { 'content-type': 'text/html', ...(hsts ? { 'strict-transport-security': hsts } : {}) }).end('<html></html>');
    });
  hstsPort = await local.listen(site('max-age=31536000; includeSubDomains'));
  noHstsPort = await local.listen(site(null));
});
afterAll(() => local.stop());

function scan(probes: AnyProbe[], at = port) {
  return scanTarget(parseTarget(`${HOST}:${at}`), {
    resolver: noDns,
    trust: createTrustStore([caPem]),
    ips: ['127.0.0.1'],
    timeoutMs: 60_000,
    connectTimeoutMs: 5000,
    probes,
    reference: testReference(),
    options: optionValues([[phoneOutOption, false]]),
  });
}

describe('a leaf with 10,000 SANs', () => {
  it('is bigger than the 100 KiB (Chrome) and 128 KiB (Firefox) limits, and decodes with every name', () => {
    expect(leafDer.length).toBeGreaterThan(256 * 1024);
    const decoded = decodeCertificate(leafDer);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.cert.malformed).toEqual([]);
    expect(decoded.cert.ext.subjectAltName).toHaveLength(SANS);
    expect(matchesHost(decoded.cert, `s9999.${HOST}`)).toBe(true);
    expect(matchesHost(decoded.cert, `s10000.${HOST}`)).toBe(false);
  });

  it('a scan reads the chain, matches the host among the names and decides the letter', async () => {
    const report = await scan(ALL_PROBES.filter((p) => p.categories.some((c) => c === 'tls' || c === 'cert' || c === 'vulns')));
    expectValidReport(report);
    const ep = report.endpoints[0]!;
    expect(ep.tls.probes['tls-certificates']?.status).toBe('ok');
    expect(ep.tls.chains?.[0]).toMatchObject({ trusted: true, hostnameMatch: true, certificates: 1 });
    const leaf = ep.tls.certificates[0]!;
    expect(leaf.sans).toHaveLength(SANS);
    expect(leaf.sans).toContain(`s9999.${HOST}`);
    expect(ep.tls.rating?.pending).toEqual([]);
    // Decided, not pending (an EC P-256 leaf, TLS 1.2 + 1.3: A today; the rules may move the letter).
    expect(ep.grade).toMatch(/^(A\+|A-|[A-F]|T|M)$/);
    // Node's OpenSSL stops at max_cert_list (100 KiB) as Chrome does: a failed probe with a reason.
    const handshake = ep.tls.probes['tls-handshake'];
    expect(handshake?.status).not.toBe('ok');
    expect(handshake?.reason).toMatch(/excessive message size .*100 KiB max_cert_list/);
  });

  it("the HTTP probe, on Node's TLS, fails as Chrome would: an error with OpenSSL's reason, in a valid report", async () => {
    const report = await scan(selectProbes('http-headers'));
    expectValidReport(report);
    const http = report.probes.find((p) => p.id === 'http-headers');
    expect(http).toMatchObject({ status: 'error' });
    expect(http?.reason).toMatch(/excessive message size/);
    expect(report.http?.score ?? null).toBeNull();
  });

  it('a full scan reads HSTS over the raw TLS client where Node cannot: A+ with HSTS ≥ 180 days, A without', async () => {
    const [withHsts, without] = await Promise.all([scan([...ALL_PROBES], hstsPort), scan([...ALL_PROBES], noHstsPort)]);
    for (const report of [withHsts, without]) {
      expectValidReport(report);
      // The HTTP section is what a Node/Chrome-like client meets: nothing.
      expect(report.probes.find((p) => p.id === 'http-headers')).toMatchObject({ status: 'error', errorKind: 'tls-alert' });
      expect(report.probes.find((p) => p.id === 'tls-hsts-raw')).toMatchObject({ status: 'ok' });
      expect(report.endpoints[0]!.tls.rating?.pending).toEqual([]);
    }
    const ep = withHsts.endpoints[0]!;
    expect(withHsts.grades.tls).toBe('A+');
    expect(ep.grade).toBe('A+');
    expect(ep.tls.rating?.hstsSource).toMatch(new RegExp(`^HSTS max-age 31536000 s read from https://${HOST}:${hstsPort}/home over secgrade's own TLS client \\(TLSv1\\.2, [^)]*\\), since Node's TLS could not fetch the page: https://.*: handshake failed: excessive message size`));

    const plain = without.endpoints[0]!;
    expect(without.grades.tls).toBe('A');
    expect(plain.tls.rating?.notAPlus).toBe(`no HSTS (needed for A+); read over secgrade's own TLS client from https://${HOST}:${noHstsPort}/home`);
    expect(plain.tls.rating?.hstsSource).toMatch(/^no Strict-Transport-Security header read from /);
  });

  it("is skipped, not untested, where Node's TLS fetched the page", async () => {
    const small = local.selfSigned('small', 'ec', HOST);
    const at = await local.listen(https.createServer({ key: readFileSync(small.key), cert: readFileSync(small.cert) }, (_req, res) => res.end('ok')));
    const report = await scan(selectProbes('tls-hsts-raw'), at);
    expectValidReport(report);
    expect(report.probes.find((p) => p.id === 'http-headers')).toMatchObject({ status: 'ok' });
    expect(report.probes.find((p) => p.id === 'tls-hsts-raw')).toMatchObject({ status: 'skipped' });
    expect(report.incomplete ?? []).toEqual([]);
  });
});
