// Email needs no web address: a mail domain without A/AAAA records (or whose A query SERVFAILs) is
// graded on its email, and the web sections say "not tested: no address". With every check asked
// for, such a scan is partial (never an error, never ok); a name that does not exist stays an error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData } from '../../src/data/reference.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget, type ScanOptions } from '../../src/engine/scan.js';
import { startDnsServer, type DnsServerHandle, type ZoneRecord } from '../../src/lab/dns-server.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { createTrustStore } from '../../src/trust/store.js';
import { expectValidReport } from '../helpers/schema.js';

let dns: DnsServerHandle;
let smtp: LabSmtpServer;
let opts: Omit<ScanOptions, 'timeoutMs'>;

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
  dns = await startDnsServer({
    zones: ['mailonly.test', 'servfail.test'],
    records: [...mailDomain('mailonly.test'), ...mailDomain('servfail.test')],
    // servfail.test's own address lookups fail; its other records answer.
    behaviour: (q) => (q.name === 'servfail.test' && (q.type === 'A' || q.type === 'AAAA') ? 'servfail' : undefined),
  });
  const reference = createReferenceData();
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
  await Promise.all([dns?.close(), smtp?.close()]);
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
