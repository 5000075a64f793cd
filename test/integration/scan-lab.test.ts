// End to end: the lab's real servers, scanned through the CLI exactly as a user would
// (`--dns` the lab's DNS server, `--ca-file` its CA, port from the HTTPS record).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observatoryGradeAsLetter, observatoryGradeForScore } from '../../src/grade/observatory.js';
import { findLabDomain, LAB_DOMAINS } from '../../src/lab/domains.js';
import { worstGrade } from '../../src/model/severity.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import { runInProcess } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';

let lab: RunningLab;
const reports = new Map<string, Report>();

beforeAll(async () => {
  lab = await startLab();
  const names = Object.keys(lab.info.domains);
  const run = await runInProcess([...names, '--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--ct-log-list', lab.info.ctLogList, '--http-port', String(lab.info.httpPort), '--smtp-port', String(lab.info.smtpPort), '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const parsed = JSON.parse(run.stdout) as unknown[];
  for (const r of parsed) {
    expectValidReport(r);
    reports.set(r.target.host, r);
  }
});

afterAll(async () => {
  await lab?.stop();
});

const get = (name: string): Report => {
  const r = reports.get(name);
  if (!r) throw new Error(`no report for ${name}`);
  return r;
};

describe('scanning the lab through the CLI', () => {
  it('scans every lab domain on the port its HTTPS record names', () => {
    for (const [name, d] of Object.entries(lab.info.domains)) {
      const r = get(name);
      expect(r.status).toBe('ok');
      expect(r.target).toMatchObject({ host: name, port: d.port, portSource: 'dns-https-record' });
      expect(r.endpoints.map((e) => [e.ip, e.port])).toEqual([[d.ip, d.port]]);
      // The SSL Labs letter, the Observatory score and the email letter the catalogue says the domain
      // deserves (the scores are the real Observatory's on the same header sets:
      // test/conformance/observatory.test.ts).
      const { tlsGrade: want, observatoryScore, emailGrade } = findLabDomain(name)!.expect;
      expect(r.endpoints[0]!.grade, name).toBe(want);
      expect(r.http?.score, name).toBe(observatoryScore);
      const httpGrade = observatoryGradeAsLetter(observatoryGradeForScore(observatoryScore));
      expect(r.grades, name).toEqual({ tls: want, http: httpGrade, email: emailGrade, overall: worstGrade([want, httpGrade, emailGrade]) });
      expect(r.endpoints[0]!.tls.rating?.pending, name).toEqual([]);
    }
  });

  it('good: TLS 1.2 + 1.3 only, trusted matching certificate, HSTS and CSP, no findings', () => {
    const r = get('good.secgrade.test');
    const tls = r.endpoints[0]!.tls;
    expect(tls.status).toBe('ok');
    expect(tls.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    // The server's own order (honorCipherOrder), as configured in the lab catalogue.
    expect(tls.cipherSuites).toEqual({
      'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
      'TLSv1.2': [
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      ],
    });
    expect(tls.serverPreference).toEqual({ 'TLSv1.3': true, 'TLSv1.2': true });
    // SSL Labs categories: TLS 1.2/1.3 → 100; ffdhe2048 among the TLS 1.3 groups → key exchange 90;
    // AES-256 best and AES-128 worst → cipher strength (100 + 80) / 2.
    expect(tls.rating).toMatchObject({ protocol: 100, keyExchange: 90, cipherStrength: 90, score: 93, scoreLetter: 'A', caps: [] });
    expect(tls.negotiated).toMatchObject({ protocol: 'TLSv1.3', cipherSuite: expect.stringMatching(/^TLS_(AES|CHACHA20)/) });
    expect(tls.certificates[0]).toMatchObject({
      sans: ['good.secgrade.test'], trusted: true, hostnameMatch: true, keyType: 'EC', keyBits: 256,
      signatureAlgorithm: 'SHA256withECDSA', selfSigned: false, ocspStapled: true, chainComplete: true, mustStaple: false,
    });
    // Leaf + intermediate as served, verified up to the lab root (--ca-file); staple and SCTs check out.
    expect(tls.certificates.map((c) => c.subject)).toEqual(['CN=good.secgrade.test', 'CN=secgrade lab intermediate CA (throwaway), O=secgrade lab']);
    expect(tls.chains).toEqual([
      expect.objectContaining({
        requested: 'ECDSA', protocol: 'TLSv1.3', trusted: true, chainComplete: true, trustErrors: [], hostnameMatch: true,
        anchor: expect.objectContaining({ source: 'ca-file' }),
        ocsp: [expect.objectContaining({ source: 'stapled', status: 'good', fresh: true, signatureValid: true })],
        ct: expect.objectContaining({ compliant: true, validScts: 2 }),
      }),
    ]);
    expect(tls.certificates[0]!.scts).toEqual([
      expect.objectContaining({ logName: 'secgrade lab log Alpha', source: 'certificate', valid: true, operator: 'secgrade lab CT operator A' }),
      expect.objectContaining({ logName: 'secgrade lab log Beta', source: 'certificate', valid: true, operator: 'secgrade lab CT operator B' }),
    ]);
    expect(r.dns?.caa).toMatchObject({ status: 'ok', foundAt: 'secgrade.test', issue: ['secgrade.test'], issuerPlausible: null });
    expect(r.dataSources?.map((d) => d.name)).toEqual(expect.arrayContaining(['ct-log-list', 'root-store', 'hsts-preload']));
    expect(tls.certificates[0]!.daysRemaining).toBeGreaterThan(80);
    // SSLv2, TLS 1.3 and TLS 1.2, each settled by its first hello; then one hello whose
    // supported_versions lists only TLS 1.1, 1.0 and SSLv3, which this TLS 1.3 server refuses with
    // protocol_version: all three refused (asked alone, SSLv3 would take two hellos more).
    expect(tls.probes['tls-protocols']).toMatchObject({ status: 'ok', connections: 4 });
    expect(tls.protocols).toMatchObject({ SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    expect(r.http).toMatchObject({
      status: 'ok', statusCode: 200, hsts: { maxAge: 31536000, includeSubDomains: true, preload: false, preloaded: false },
    });
    expect(r.http!.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.http!.cookies).toEqual([
      expect.objectContaining({ name: '__Host-session', secure: true, httpOnly: true, sameSite: 'Lax', path: '/' }),
    ]);
    expect(r.email).toMatchObject({ status: 'ok', mxStatus: 'null-mx', spf: { status: 'found', all: '-all' }, dmarc: { policy: 'reject' }, mx: [], grade: 'A' });
    // Information only: the lab's Node servers speak HTTP/1.1, OpenSSL 3.0 has no post-quantum hybrid
    // group, the CSP evaluator's notes on a sound 'self' policy (no reporting, no Trusted Types), the
    // null MX itself, the long-dead clients of the handshake simulation (IE 6/8, Java 6/7) that
    // cannot connect; and one low: the lab zone is not signed.
    expect(r.findings.map((f) => [f.id, f.severity]).sort()).toEqual([
      ['email.dnssec.unsigned', 'low'],
      ['email.null-mx.declared', 'info'],
      ['http.csp.no-reporting', 'info'],
      ['http.csp.no-trusted-types', 'info'],
      ['http.csp.script-self', 'info'],
      ['tls.feature.no-h2', 'info'],
      ['tls.kx.no-pq', 'info'],
      ['tls.simulation.fails', 'info'],
    ]);
  });

  it('legacy: offers TLS 1.0 and 1.1, no TLS 1.3, no HSTS or CSP', () => {
    const r = get('legacy.secgrade.test');
    const tls = r.endpoints[0]!.tls;
    expect(tls.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false });
    // Client order (honorCipherOrder off): listed in the order secgrade offered them.
    const legacy10 = ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'];
    expect(tls.cipherSuites).toEqual({
      'TLSv1.0': legacy10,
      'TLSv1.1': legacy10,
      'TLSv1.2': ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
    });
    expect(tls.serverPreference).toEqual({ 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false });
    expect(tls.rating).toMatchObject({ protocol: 95, keyExchange: 90, cipherStrength: 90, score: 92 });
    expect(tls.rating?.caps).toEqual([{ id: 'ssllabs.cap.tls10-11', grade: 'B', reason: 'TLS 1.0 or TLS 1.1 is supported' }]);
    expect(tls.certificates[0]).toMatchObject({ keyType: 'RSA', keyBits: 2048, trusted: true, hostnameMatch: true });
    const ids = r.findings.map((f) => f.id);
    for (const id of [
      'tls.protocol.tls10', 'tls.protocol.tls11', 'tls.protocol.no-tls13', 'tls.cipher.static-key-exchange', 'tls.cipher.cbc',
      'http.hsts.missing', 'http.csp.missing', 'http.cookie.no-secure', 'http.cookie.no-httponly',
    ]) {
      expect(ids).toContain(id);
    }
    expect(r.findings.find((f) => f.id === 'tls.protocol.tls10')?.endpoint).toBe(`127.0.0.1:${lab.info.domains['legacy.secgrade.test']!.port}`);
    expect(r.http!.headers['server']).toBe('Apache/2.2.15 (CentOS)');
    expect(r.http!.cookies[0]).toMatchObject({ name: 'PHPSESSID', secure: false, httpOnly: false });
  });

  it('expired: flagged critical, untrusted because expired, days remaining negative', () => {
    const r = get('expired.secgrade.test');
    const leaf = r.endpoints[0]!.tls.certificates[0]!;
    expect(leaf.daysRemaining).toBeLessThan(0);
    expect(leaf).toMatchObject({ trusted: false, trustError: expect.stringMatching(/expired/), hostnameMatch: true });
    expect(r.endpoints[0]!.tls.chains![0]!.trustErrors.map((e) => e.code)).toEqual(['expired']);
    expect(r.findings[0]).toMatchObject({ id: 'tls.cert.expired', severity: 'critical' });
    // The leaf's expiry is one finding, not also a chain finding.
    expect(r.findings.filter((f) => f.id.startsWith('tls.cert.')).map((f) => f.id)).toEqual(['tls.cert.expired']);
    expect(r.endpoints[0]!.tls.rating?.caps.map((c) => c.id)).toEqual(['ssllabs.cap.cert-untrusted']);
  });

  it('dual: both the ECDSA and the RSA chain are read and verified', () => {
    const tls = get('dual.secgrade.test').endpoints[0]!.tls;
    expect(tls.chains!.map((c) => [c.requested, c.leafKeyType, c.trusted, c.ct?.compliant])).toEqual([
      ['ECDSA', 'EC 256', true, true],
      ['RSA', 'RSA 2048', true, true],
    ]);
    expect(tls.certificates.filter((c) => c.servedIndex === 0).map((c) => c.keyType)).toEqual(['EC', 'RSA']);
  });

  it('incomplete: completed from AIA by default (B cap); with --no-phone-out the missing intermediate is untrusted (T cap)', async () => {
    let r = get('incomplete.secgrade.test');
    expect(r.endpoints[0]!.tls.chains![0]).toMatchObject({ trusted: true, chainComplete: false, fetchedIntermediates: 1 });
    expect(r.findings.find((f) => f.id === 'tls.cert.chain-incomplete')?.severity).toBe('medium');
    expect(r.endpoints[0]!.tls.chains![0]!.ct).toMatchObject({ compliant: true, validScts: 2 });
    const run = await runInProcess([
      'incomplete.secgrade.test', '--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--ct-log-list', lab.info.ctLogList,
      '--no-phone-out', '--checks', 'cert', '--format', 'json',
    ]);
    r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r.endpoints[0]!.tls.chains![0]).toMatchObject({ trusted: false, chainComplete: false, trustErrors: [expect.objectContaining({ code: 'missing-intermediate' })] });
    // Without the issuer the staple's signature cannot be checked, and nobody else may be asked.
    expect(r.endpoints[0]!.tls.chains![0]!.revocation).toMatchObject({ checked: false, notChecked: 'phone-out-disabled' });
    expect(r.findings.find((f) => f.id === 'tls.cert.chain-incomplete')?.severity).toBe('high');
  });

  it('self-signed and revoked', () => {
    expect(get('self-signed.secgrade.test').findings.filter((f) => f.id.startsWith('tls.cert.')).map((f) => f.id)).toEqual(['tls.cert.self-signed']);
    const revoked = get('revoked.secgrade.test');
    expect(revoked.findings[0]).toMatchObject({ id: 'tls.cert.revoked', severity: 'critical' });
    expect(revoked.endpoints[0]!.tls.rating?.caps.map((c) => c.id)).toEqual(['ssllabs.cap.cert-revoked']);
    expect(revoked.endpoints[0]!.tls.chains![0]!.revocation).toMatchObject({ checked: true, method: 'stapled', status: 'revoked' });
  });

  it('wrong-host: chain trusted but the name does not match', () => {
    const r = get('wrong-host.secgrade.test');
    const leaf = r.endpoints[0]!.tls.certificates[0]!;
    expect(leaf).toMatchObject({ trusted: true, hostnameMatch: false, sans: ['other.secgrade.test'] });
    expect(r.findings.filter((f) => f.id.startsWith('tls.cert.')).map((f) => f.id)).toEqual(['tls.cert.hostname-mismatch']);
  });

  it('mail: MX with STARTTLS, SPF and DMARC found; no DKIM, MTA-STS, TLS-RPT or DNSSEC', () => {
    const r = get('mail.secgrade.test');
    expect(r.email).toMatchObject({
      status: 'ok',
      mx: [{ host: 'mx.mail.secgrade.test', preference: 10 }],
      spf: { status: 'found', record: 'v=spf1 mx -all', all: '-all', errors: [] },
      dmarc: { status: 'found', policy: 'reject', subdomainPolicy: 'reject', pct: 100, rua: ['mailto:dmarc@mail.secgrade.test'] },
      dkim: { status: 'missing', selectors: [] },
      mtaSts: { status: 'missing' },
      tlsRpt: { status: 'missing' },
      grade: 'B',
    });
    expect(r.email!.mx[0]).toMatchObject({ starttls: true, daneStatus: 'no-tlsa', grade: 'A' });
    expect(r.findings.map((f) => [f.id, f.severity]).sort()).toEqual([
      ['email.bimi.missing', 'info'],
      ['email.dane.absent', 'info'],
      ['email.dkim.not-found', 'info'],
      ['email.dmarc.historic-tag', 'info'], // pct=, gone in DMARCbis
      ['email.dnssec.unsigned', 'medium'],
      ['email.mta-sts.missing', 'low'],
      ['email.mx.tls.cipher.cbc', 'low'], // smtp-server keeps Node's default suites, CBC included
      ['email.tls-rpt.missing', 'info'],
      ['http.csp.no-reporting', 'info'],
      ['http.csp.no-trusted-types', 'info'],
      ['http.csp.script-self', 'info'],
      ['tls.feature.no-h2', 'info'],
      ['tls.kx.no-pq', 'info'],
      ['tls.simulation.fails', 'info'],
    ]);
  });

  it('every mail domain reports what its catalogue entry publishes', () => {
    const mailDomains = LAB_DOMAINS.filter((d) => d.expect.email);
    expect(mailDomains.map((d) => d.name)).toEqual(expect.arrayContaining(['mail-good.secgrade.test', 'mail-weak.secgrade.test', 'mail-broken.secgrade.test']));
    for (const d of mailDomains) {
      const want = d.expect.email!;
      const email = get(d.name).email!;
      expect(email.status, d.name).toBe('ok');
      expect(email.spf, d.name).toMatchObject({ status: want.spfStatus, all: want.spfAll, lookups: want.spfLookups });
      expect(email.dmarc, d.name).toMatchObject({ status: want.dmarcStatus, policy: want.dmarcPolicy, ruaAuthorized: want.ruaAuthorized });
      expect(email.dkim?.selectors.map((k) => ({ selector: k.name, keyType: k.keyType, bits: k.keyBits })), d.name).toEqual(want.dkim);
      expect(email.mtaSts?.mode ?? null, d.name).toBe(want.mtaSts);
      expect(email.tlsRpt?.status === 'found', d.name).toBe(want.tlsRpt);
      expect(email.mx.map((m) => m.host), d.name).toEqual(want.mx);
      for (const m of email.mx) {
        expect(m.starttls, `${d.name} ${m.host}`).toBe(want.starttls[m.host]);
        // The lab zone is not DNSSEC-signed, so a published TLSA record is ignored (RFC 7672 §2.2):
        // "insecure", never a DANE match; the finding says it would match were it validated.
        expect((m.tlsa ?? []).length > 0, `${d.name} ${m.host}`).toBe(want.dane[m.host]);
        expect(m.daneStatus, `${d.name} ${m.host}`).toBe(want.dane[m.host] ? 'insecure' : 'no-tlsa');
        if (want.dane[m.host]) {
          expect(m.tlsaDnssec, `${d.name} ${m.host}`).toEqual({ status: 'insecure', reason: 'secgrade.test is not DNSSEC-signed' });
          const notDnssec = get(d.name).findings.find((f) => f.id === 'email.dane.not-dnssec' && f.subject === `mx:${m.host}`);
          expect(notDnssec?.evidence, `${d.name} ${m.host}`).toMatchObject({ status: 'insecure', ifValidated: 'match' });
        }
      }
    }
  });

  it('mail-good, mail-weak, mail-broken: the findings that make their grades', () => {
    const ids = (name: string) => new Set(get(name).findings.map((f) => f.id));
    const good = get('mail-good.secgrade.test').email!;
    // Every check passes but the recommended DNSSEC one (the lab zone is not signed) and so DANE:
    // its TLSA record, not DNSSEC-validated, is ignored (RFC 7672 §2.2).
    expect(good.rating).toMatchObject({ score: 97, pending: [], caps: [] });
    expect(good.rating!.checks.filter((c) => c.status !== 'pass' && c.status !== 'not-applicable').map((c) => [c.id, c.status])).toEqual([
      ['dane', 'fail'],
      ['dnssec', 'fail'],
    ]);
    expect(good.rating!.checks.find((c) => c.id === 'dane')!.reason).toMatch(/not DNSSEC-validated, which senders ignore, on mx1\.mail-good\.secgrade\.test/);
    expect(good.mtaSts).toMatchObject({ status: 'found', mode: 'enforce', policyValid: true, mxNotCovered: [] });
    expect(ids('mail-good.secgrade.test')).toContain('email.dane.not-dnssec');
    expect(ids('mail-good.secgrade.test')).not.toContain('email.dane.valid');
    const weak = ids('mail-weak.secgrade.test');
    for (const id of ['email.spf.too-many-lookups', 'email.dmarc.policy-none', 'email.dkim.key-short', 'email.mta-sts.missing']) expect(weak, id).toContain(id);
    const broken = ids('mail-broken.secgrade.test');
    for (const id of ['email.spf.multiple', 'email.dmarc.invalid', 'email.mx.no-starttls']) expect(broken, id).toContain(id);
    expect(get('mail-broken.secgrade.test').email!.rating!.caps.map((c) => c.grade)).toEqual(['F', 'C']);
  });

  it("tls13: only TLS 1.3, in the server's order", () => {
    const tls = get('tls13.secgrade.test').endpoints[0]!.tls;
    expect(tls.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
    expect(tls.cipherSuites).toEqual({ 'TLSv1.3': ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] });
    expect(tls.serverPreference).toEqual({ 'TLSv1.3': true });
  });

  it('chacha: the server puts ChaCha20-Poly1305 first on both versions', () => {
    const tls = get('chacha.secgrade.test').endpoints[0]!.tls;
    expect(tls.cipherSuites['TLSv1.3']?.[0]).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(tls.cipherSuites['TLSv1.2']).toEqual(['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']);
    expect(tls.negotiated?.cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });

  it('dhe1024: DHE suites only, TLS 1.2 only, the 1024-bit prime flagged', () => {
    const r = get('dhe1024.secgrade.test');
    const tls = r.endpoints[0]!.tls;
    expect(tls.protocols).toMatchObject({ 'TLSv1.2': true, 'TLSv1.3': false, 'TLSv1.1': false });
    expect(r.findings.find((f) => f.id === 'tls.kx.dh-weak')).toMatchObject({ severity: 'medium', evidence: expect.objectContaining({ dhPrimeBits: 1024 }) });
    expect(tls.cipherSuites).toEqual({ 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] });
    expect(tls.dhParameterBits).toBe(1024);
    expect(tls.rating).toMatchObject({ keyExchange: 80, caps: [expect.objectContaining({ id: 'ssllabs.cap.dh-below-2048', grade: 'B' })] });
  });

  it('without --ca-file the lab CA is not trusted', async () => {
    const run = await runInProcess(['good.secgrade.test', '--dns', lab.info.dns, '--checks', 'cert', '--format', 'json']);
    const r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r.endpoints[0]!.tls.certificates[0]).toMatchObject({ trusted: false, trustError: expect.stringMatching(/secgrade lab root CA/) });
    expect(r.findings.map((f) => f.id)).toEqual(['tls.cert.unknown-issuer']);
    expect(r.http).toBeNull(); // --checks cert runs no HTTP probe
  });

  it('--ip and --sni pin the connection: wrong-host served under the good name still mismatches', async () => {
    const port = lab.info.domains['wrong-host.secgrade.test']!.port;
    const run = await runInProcess([
      `127.0.0.1:${port}`, '--sni', 'wrong-host.secgrade.test', '--ca-file', lab.info.caFile, '--checks', 'tls,cert', '--format', 'json',
    ]);
    const r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r.target).toMatchObject({ host: '127.0.0.1', port, portSource: 'target' });
    expect(r.endpoints[0]!.tls.certificates[0]!.hostnameMatch).toBe(false);
    expect(r.email).toBeNull();
  });

  it('ndjson writes one line per target', async () => {
    const run = await runInProcess(['good.secgrade.test', 'mail.secgrade.test', '--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--format', 'ndjson']);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const hosts = lines.map((l) => {
      const r = JSON.parse(l) as Report;
      expectValidReport(r);
      return r.target.host;
    });
    expect(hosts.sort()).toEqual(['good.secgrade.test', 'mail.secgrade.test']);
  });

  it('--fail-on gates on severity: expired fails at critical, good passes', async () => {
    const base = ['--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--format', 'json', '--fail-on', 'critical'];
    const bad = await runInProcess(['expired.secgrade.test', ...base]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/expired\.secgrade\.test:\d+: 1 finding\(s\) at or above critical \(first: tls\.cert\.expired\)/);
    const good = await runInProcess(['good.secgrade.test', ...base]);
    expect(good.code).toBe(0);
  });

  it('an unknown lab name is a DNS failure: exit 3 with the reason', async () => {
    const run = await runInProcess(['missing.secgrade.test', '--dns', lab.info.dns, '--format', 'json']);
    expect(run.code).toBe(3);
    const r = JSON.parse(run.stdout) as Report;
    expectValidReport(r);
    expect(r).toMatchObject({ status: 'error', reason: 'could not resolve missing.secgrade.test: the name does not exist (NXDOMAIN)' });
    expect(run.stderr.trim().split('\n')).toEqual(['secgrade: missing.secgrade.test: scan incomplete: could not resolve missing.secgrade.test: the name does not exist (NXDOMAIN)']);
  });

  it('text output carries the facts, without colour when not a terminal', async () => {
    const run = await runInProcess(['expired.secgrade.test', '--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--format', 'text']);
    expect(run.stdout).toContain('expired.secgrade.test');
    expect(run.stdout).toContain('tls.cert.expired');
    expect(run.stdout).not.toMatch(/\x1b\[/);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});
