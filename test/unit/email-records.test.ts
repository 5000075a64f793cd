// The email-records probe over an in-memory zone: what it collects, which findings it raises, and
// the report object it writes (each record module has its own tests; this is the wiring).
import { describe, expect, it } from 'vitest';
import { checkEmailRecords, emailRecordsProbe, emailRecordsReport, type EmailRecordsEvidence } from '../../probes/email-records.js';
import { DEFAULT_PROBE_SETTINGS, type ProbeContext } from '../../src/engine/probe.js';
import { createMemoryDns, type MemoryZone } from '../../src/email/spf/index.js';
import { EmailResultSchema } from '../../src/model/report.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import type { RecordType } from '../../src/net/dns/types.js';
import { loopbackContext } from '../helpers/probe-context.js';
import { Value } from '@sinclair/typebox/value';

function context(domain: string, zone: MemoryZone, settings: Partial<ProbeContext['settings']> = {}): ProbeContext {
  const dns = createMemoryDns(zone);
  const resolver: Resolver = {
    description: 'memory',
    addresses: async () => ({ status: 'nxdomain', reason: 'not in the test zone' }),
    query: (name: string, type: RecordType) =>
      type === 'TXT' || type === 'A' || type === 'AAAA' || type === 'MX' || type === 'PTR'
        ? dns(name, type)
        : Promise.resolve({ status: 'nodata', authenticated: false, server: 'memory', transport: 'udp' }),
  };
  const { ctx } = loopbackContext(443);
  return { ...ctx, target: { host: domain, port: 443, path: '/', sni: domain }, resolver, settings: { ...DEFAULT_PROBE_SETTINGS, ...settings } };
}

const collect = (domain: string, zone: MemoryZone, settings: Partial<ProbeContext['settings']> = {}): Promise<EmailRecordsEvidence> =>
  emailRecordsProbe.collect(context(domain, zone, settings), new Map());

const GOOD: MemoryZone = {
  'example.com': [
    { type: 'MX', preference: 10, exchange: 'mx.example.com' },
    { type: 'TXT', strings: ['v=spf1 mx -all'] },
  ],
  'mx.example.com': [{ type: 'A', address: '192.0.2.25' }],
  '_dmarc.example.com': [{ type: 'TXT', strings: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] }],
  '_smtp._tls.example.com': [{ type: 'TXT', strings: ['v=TLSRPTv1; rua=mailto:tlsrpt@example.com'] }],
};

describe('email-records probe', () => {
  it('a good mail domain: every record found, only informational findings, a report that fits the schema', async () => {
    const ev = await collect('example.com', GOOD);
    expect(ev.mx).toEqual({ status: 'ok', records: [{ preference: 10, exchange: 'mx.example.com' }] });
    const findings = checkEmailRecords(ev);
    expect(findings.filter((f) => f.severity !== 'info' && f.severity !== 'low').map((f) => f.id)).toEqual([]);
    const report = emailRecordsReport(ev);
    expect(report).toMatchObject({
      mxStatus: 'regular',
      mx: [{ host: 'mx.example.com', preference: 10, starttls: null }],
      spf: { status: 'found', all: '-all', effectiveAll: '-all', lookups: 1 },
      dmarc: { status: 'found', policy: 'reject' },
      tlsRpt: { status: 'found' },
      mtaSts: { status: 'missing' },
    });
    expect(report.dkim?.selectorsTried.length).toBeGreaterThan(20);
    expect(Value.Errors(EmailResultSchema, { status: 'ok', dnssec: null, grade: null, ...report }).First()).toBeUndefined();
  });

  it('--spf-ip evaluates check_host and --dkim-selector is tried', async () => {
    const zone: MemoryZone = { ...GOOD, 'custom2026._domainkey.example.com': [{ type: 'TXT', strings: ['v=DKIM1; k=rsa; p='] }] };
    const ev = await collect('example.com', zone, { spfIp: '198.51.100.7', dkimSelectors: ['custom2026'] });
    expect(ev.spfCheck?.result.result).toBe('fail');
    expect(checkEmailRecords(ev).map((f) => f.id)).toContain('email.spf.check-host.fail');
    expect(ev.dkim.selectorsTried).toContain('custom2026');
    // p= empty: the key is revoked, listed without a size, and said so.
    expect(emailRecordsReport(ev).dkim?.selectors).toEqual([expect.objectContaining({ name: 'custom2026', keyBits: null })]);
    expect(checkEmailRecords(ev).map((f) => f.id)).toContain('email.dkim.revoked');
  });

  it('a DNS timeout on the TXT records is could-not-test, never "no SPF"', async () => {
    const ev = await collect('example.com', { ...GOOD, 'example.com': [{ type: 'MX', preference: 10, exchange: 'mx.example.com' }, { type: 'TIMEOUT' }] });
    expect(ev.spf.status).toBe('error');
    const ids = checkEmailRecords(ev).map((f) => f.id);
    expect(ids).not.toContain('email.spf.missing');
  });

  it('a null-MX domain is held to SPF -all and DMARC reject, and not asked for DKIM', async () => {
    const ev = await collect('example.org', {
      'example.org': [{ type: 'MX', preference: 0, exchange: '.' }, { type: 'TXT', strings: ['v=spf1 ~all'] }],
      '_dmarc.example.org': [{ type: 'TXT', strings: ['v=DMARC1; p=none'] }],
    });
    const ids = checkEmailRecords(ev).map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['email.null-mx.spf-not-strict', 'email.null-mx.dmarc-not-reject']));
    expect(ids.some((i) => i.startsWith('email.dkim.'))).toBe(false);
    expect(emailRecordsReport(ev)).toMatchObject({ mxStatus: 'null-mx', mx: [] });
  });

  it('an IP target is skipped', async () => {
    await expect(emailRecordsProbe.collect({ ...context('x', {}), target: { host: '192.0.2.1', port: 443, path: '/', sni: null } }, new Map())).rejects.toThrow(/domain name/);
  });
});
