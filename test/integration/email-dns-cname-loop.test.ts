/**
 * A mail domain whose TXT, MX and _dmarc names are CNAME loops, served by the lab DNS server (an
 * authoritative-only server, RA=0) and read through the real client: the mail records are "could
 * not test" with the loop as the reason, never "missing" (which would grade the domain F).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServerHandle } from '../../src/lab/dns-server.js';
import { emailMxRecordsProbe } from '../../src/probes/email/mx-records.js';
import { checkEmailRecords, emailRecordsProbe } from '../../src/probes/email/records.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const ZONE = 'cnameloop.test';
let dns: DnsServerHandle;

beforeAll(async () => {
  dns = await startDnsServer({
    zones: [ZONE],
    records: [
      // The apex (TXT for SPF, MX) and _dmarc each lead back to themselves.
      { name: ZONE, type: 'CNAME', target: `a.${ZONE}` },
      { name: `a.${ZONE}`, type: 'CNAME', target: ZONE },
      { name: `_dmarc.${ZONE}`, type: 'CNAME', target: `b.${ZONE}` },
      { name: `b.${ZONE}`, type: 'CNAME', target: `_dmarc.${ZONE}` },
    ],
  });
});

afterAll(async () => {
  await dns.close();
});

function context() {
  const resolver = createResolver({ server: { host: dns.host, port: dns.port }, timeoutMs: 1000, retries: 0 });
  return loopbackContext(443, { target: { host: ZONE, port: 443, path: '/', sni: ZONE }, resolver }).ctx;
}

describe('a mail domain behind CNAME loops (lab DNS server)', () => {
  it('the client reports the loop as an error naming it', async () => {
    const r = await createResolver({ server: { host: dns.host, port: dns.port } }).query(`_dmarc.${ZONE}`, 'TXT');
    expect(r.status).toBe('error');
    expect(r.status === 'error' && r.reason).toMatch(/^CNAME loop: _dmarc\.cnameloop\.test → b\.cnameloop\.test → _dmarc\.cnameloop\.test/);
  });

  it('email-mx-records and email-records: SPF, DMARC and MX are errors with the loop as the reason, not missing', async () => {
    const ctx = context();
    const mx = await emailMxRecordsProbe.collect(ctx, testDeps());
    expect(mx.status).toBe('error');
    expect(mx.reason).toMatch(/CNAME loop: cnameloop\.test → a\.cnameloop\.test → cnameloop\.test/);
    expect(emailMxRecordsProbe.fields(mx)).toEqual({ mxStatus: 'error' });

    const ev = await emailRecordsProbe.collect(ctx, testDeps([[emailMxRecordsProbe, mx]]));
    expect(ev.spf.status).toBe('error');
    expect(ev.spf.reason).toMatch(/CNAME loop: cnameloop\.test → a\.cnameloop\.test → cnameloop\.test/);
    expect(ev.dmarc.status).toBe('error');
    expect(ev.dmarc.reason).toMatch(/CNAME loop: _dmarc\.cnameloop\.test → b\.cnameloop\.test → _dmarc\.cnameloop\.test/);

    const report = emailRecordsProbe.fields(ev);
    expect(report.spf).toMatchObject({ status: 'error', reason: expect.stringMatching(/CNAME loop/) });
    expect(report.dmarc).toMatchObject({ status: 'error', reason: expect.stringMatching(/CNAME loop/) });

    const ids = checkEmailRecords(ev).map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['email.mx.untested', 'email.spf.untested', 'email.dmarc.untested']));
    // MTA-STS, TLS-RPT and BIMI names are plain NXDOMAIN here (no loop): missing is right for them.
    expect(ids.filter((id) => /^email\.(spf|dmarc|mx|null-mx)\./.test(id) && !id.endsWith('.untested'))).toEqual([]);
    expect(ids).not.toContain('email.spf.missing');
    expect(ids).not.toContain('email.dmarc.missing');
  });
});
