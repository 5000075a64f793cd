// Email needs no web address: a mail domain without A/AAAA records (or whose A query SERVFAILs) is
// graded on its email, and the web sections say "not tested: no address". With every check asked
// for, such a scan is partial (never an error, never ok); a name that does not exist stays an error.
// And the email is the same with and without a web address: the same domains served again with an
// A record give the same email section, letter and email findings, field for field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData } from '../../src/data/reference.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget, type ScanOptions } from '../../src/engine/scan.js';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { spkiOf } from '../../src/email/dane.js';
import { txtStrings } from '../../src/lab/domains.js';
import { startDnsServer, type DnsServerHandle, type ZoneRecord } from '../../src/lab/dns-server.js';
import type { Report } from '../../src/model/report.js';
import type { CheckCategory } from '../../src/engine/probe.js';
import { makeCert } from '../helpers/certs.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { createTrustStore } from '../../src/trust/store.js';
import { expectValidReport } from '../helpers/schema.js';

let dns: DnsServerHandle;
let smtp: LabSmtpServer;
let opts: Omit<ScanOptions, 'timeoutMs'>;
/** The same zones plus an A record for each domain itself; a mail server with STARTTLS for tlsmail.test. */
let dnsWithA: DnsServerHandle;
let tlsSmtp: LabSmtpServer;
let twinOpts: (withA: boolean, smtpPort: number) => Omit<ScanOptions, 'timeoutMs'>;

/** A domain that sends and receives mail and serves no web site: MX, SPF, DMARC, no A/AAAA. */
const mailDomain = (d: string): ZoneRecord[] => [
  { name: d, type: 'MX', preference: 10, exchange: `mx.${d}` },
  { name: `mx.${d}`, type: 'A', address: '127.0.0.1' },
  { name: d, type: 'TXT', strings: ['v=spf1 mx -all'] },
  { name: `_dmarc.${d}`, type: 'TXT', strings: ['v=DMARC1; p=reject'] },
];

beforeAll(async () => {
  // An MX without STARTTLS: a definite answer, so the email grade has a letter (C at most).
  smtp = await startLabSmtpServer({ tls: null, name: 'mx.mailonly.test' });
  // servfail.test's own address lookups fail; its other records answer (see below).
  // tlsmail.test: everything the email probes look at (STARTTLS with a certificate for the MX name,
  // TLSA in the unsigned zone, DKIM, TLS-RPT, an MTA-STS record whose policy host does not exist).
  const root = await makeCert({ subject: 'CN=secgrade mail-only root', ca: true });
  const leaf = await makeCert({ subject: 'CN=mx.tlsmail.test', dnsNames: ['mx.tlsmail.test'], issuer: root });
  tlsSmtp = await startLabSmtpServer({ tls: { key: leaf.keyPem, cert: leaf.pem + root.pem }, name: 'mx.tlsmail.test' });
  const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const tlsmail: ZoneRecord[] = [
    { name: 'tlsmail.test', type: 'SOA', mname: 'ns.tlsmail.test', rname: 'hostmaster.tlsmail.test', serial: 1, minimum: 60 },
    ...mailDomain('tlsmail.test'),
    { name: 'selector1._domainkey.tlsmail.test', type: 'TXT', strings: txtStrings(`v=DKIM1; k=rsa; p=${dkimKey}`) },
    { name: '_smtp._tls.tlsmail.test', type: 'TXT', strings: ['v=TLSRPTv1; rua=mailto:tls@tlsmail.test'] },
    { name: '_mta-sts.tlsmail.test', type: 'TXT', strings: ['v=STSv1; id=20250101'] },
    { name: '_25._tcp.mx.tlsmail.test', type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: createHash('sha256').update(spkiOf(leaf.der)!).digest('hex') },
  ];
  const zones = ['mailonly.test', 'servfail.test', 'tlsmail.test'];
  const records = [...mailDomain('mailonly.test'), ...mailDomain('servfail.test'), ...tlsmail];
  dns = await startDnsServer({
    zones,
    records,
    behaviour: (q) => (q.name === 'servfail.test' && (q.type === 'A' || q.type === 'AAAA') ? 'servfail' : undefined),
  });
  dnsWithA = await startDnsServer({
    zones,
    records: [...records, { name: 'mailonly.test', type: 'A', address: '127.0.0.1' }, { name: 'tlsmail.test', type: 'A', address: '127.0.0.1' }],
  });
  const reference = createReferenceData();
  twinOpts = (withA, smtpPort) => {
    const server = withA ? dnsWithA : dns;
    return {
      resolver: createResolver({ server: { host: server.host, port: server.port }, timeoutMs: 1000, retries: 0 }),
      trust: createTrustStore([root.pem], { mozilla: () => reference.mozillaRoots() }),
      reference,
      options: optionValues([[smtpPortOption, smtpPort]]),
      allowPrivate: true,
    };
  };
  opts = {
    resolver: createResolver({ server: { host: dns.host, port: dns.port }, timeoutMs: 1000, retries: 0 }),
    trust: createTrustStore([], { mozilla: () => reference.mozillaRoots() }),
    reference,
    options: optionValues([[smtpPortOption, smtp.port]]),
    // The MX host is on loopback, as everything in a test is; the domain itself has no address.
    allowPrivate: true,
  };
});

afterAll(async () => {
  await Promise.all([dns?.close(), dnsWithA?.close(), smtp?.close(), tlsSmtp?.close()]);
});

describe('a mail-only domain', () => {
  it('--checks email: the email is graded and the scan is complete', async () => {
    const r = await scanTarget(parseTarget('mailonly.test'), { ...opts, timeoutMs: 20_000, checks: new Set(['email']) });
    expectValidReport(r);
    expect(r.status).toBe('ok');
    expect(r.endpoints).toEqual([]);
    expect(r.email?.status).toBe('ok');
    expect(r.email?.mx.map((m) => [m.host, m.starttls])).toEqual([['mx.mailonly.test', false]]);
    expect(r.grades.email).not.toBeNull();
    expect(r.grades.overall).toBe(r.grades.email);
    expect(r.gradeReasons).toMatchObject({ tls: 'not requested (--checks)', http: 'not requested (--checks)' });
  });

  it('every check: partial, the web sections "not tested: no address", the email still graded', async () => {
    const r = await scanTarget(parseTarget('mailonly.test'), { ...opts, timeoutMs: 20_000 });
    expectValidReport(r);
    expect(r.status).toBe('partial');
    expect(r.grades.email).not.toBeNull();
    const missing = (r.incomplete ?? []).map((i) => `${i.section}/${i.probe}: ${i.reason}`);
    expect(missing).toContain('tls/tls-protocols: could not resolve mailonly.test: no A or AAAA records');
    expect(missing).toContain('http/http-headers: no address to connect to');
    expect(r.gradeReasons?.tls).toMatch(/TLS not tested: could not resolve mailonly\.test: no A or AAAA records/);
    expect(r.gradeReasons?.http).toMatch(/HTTP not tested/);
    expect(r.grades.tls).toBeNull();
    expect(r.grades.http).toBeNull();
  });

  it('an A query that SERVFAILs is no address, not the end of the scan', async () => {
    const r = await scanTarget(parseTarget('servfail.test'), { ...opts, timeoutMs: 20_000 });
    expectValidReport(r);
    expect(r.status).toBe('partial');
    expect(r.email?.status).toBe('ok');
    expect((r.incomplete ?? []).find((i) => i.probe === 'tls-protocols')?.reason).toMatch(/SERVFAIL/);
  });

  it('a name that does not exist is still an error', async () => {
    const r = await scanTarget(parseTarget('nowhere.mailonly.test'), { ...opts, timeoutMs: 20_000 });
    expectValidReport(r);
    expect(r).toMatchObject({ status: 'error', reason: expect.stringMatching(/NXDOMAIN/) });
    expect(r.grades.overall).toBeNull();
  });
});

/**
 * What of a report is about email: the section (its letter and rating included), the email letter
 * and its reason, and every email finding. Nothing is left out: a difference anywhere fails.
 */
function emailFacts(r: Report, dnsServer: DnsServerHandle) {
  const facts = {
    grade: r.grades.email,
    gradeReason: r.gradeReasons?.email ?? null,
    email: r.email,
    findings: r.findings.filter((f) => f.id.startsWith('email.')),
    incomplete: (r.incomplete ?? []).filter((i) => i.section === 'email'),
    probes: r.probes.filter((p) => p.id.startsWith('email-')).map(({ id, subject, status, errorKind, reason }) => ({ id, subject, status, errorKind, reason })),
  };
  // The two setups are two DNS servers: where a message names the server, that is not a fact about the domain.
  return JSON.parse(JSON.stringify(facts).split(dnsServer.address).join('<dns server>')) as typeof facts;
}

describe('a mail domain with and without a web address: the same email, fact for fact', () => {
  const cases: Array<[string, () => number, ReadonlySet<CheckCategory> | undefined]> = [
    ['mailonly.test', () => smtp.port, new Set(['email'])],
    ['mailonly.test', () => smtp.port, undefined],
    ['tlsmail.test', () => tlsSmtp.port, new Set(['email'])],
    ['tlsmail.test', () => tlsSmtp.port, undefined],
  ];
  it.each(cases.map(([d, p, c]) => [`${d}, ${c ? 'email checks' : 'every check'}`, d, p, c] as const))('%s', async (_name, domain, port, checks) => {
    const scan = (withA: boolean) => scanTarget(parseTarget(domain), { ...twinOpts(withA, port()), timeoutMs: 30_000, ...(checks ? { checks } : {}) });
    const [without, withA] = [await scan(false), await scan(true)];
    expectValidReport(without);
    expectValidReport(withA);
    // The web address did change the scan: the TLS side has an endpoint only with it.
    expect(without.endpoints).toEqual([]);
    if (!checks) expect(withA.endpoints.length).toBeGreaterThan(0);
    expect(without.email?.status).toBe('ok');
    expect(without.grades.email).not.toBeNull();
    expect(emailFacts(withA, dnsWithA)).toEqual(emailFacts(without, dns));
  });

  it('tlsmail.test has every fact to compare: STARTTLS and its TLS, TLSA (ignored: unsigned zone), DKIM, TLS-RPT, MTA-STS', async () => {
    const r = await scanTarget(parseTarget('tlsmail.test'), { ...twinOpts(false, tlsSmtp.port), timeoutMs: 30_000, checks: new Set(['email']) });
    const m = r.email!.mx[0]!;
    expect(m).toMatchObject({ host: 'mx.tlsmail.test', starttls: true, daneStatus: 'insecure', tls: { status: 'ok' } });
    expect(r.email!.dkim?.selectors).toEqual([{ name: 'selector1', keyType: 'rsa', keyBits: 2048, testing: false }]);
    expect(r.email!.tlsRpt?.status).toBe('found');
    // The record is valid; its policy host does not exist (a definite answer, so a letter).
    expect(r.findings.map((f) => f.id)).toContain('email.mta-sts.policy-unavailable');
    expect(r.findings.map((f) => f.id)).not.toContain('email.mta-sts.invalid-record');
  });
});
