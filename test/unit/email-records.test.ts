// The email-records probe over an in-memory zone: what it collects, which findings it raises, and
// the report object it writes (each record module has its own tests; this is the wiring).
import { describe, expect, it } from 'vitest';
import { emailMxRecordsProbe } from '../../src/probes/email/mx-records.js';
import {
  checkEmailRecords,
  dkimSelectorOption,
  emailRecordsProbe,
  emailRecordsReport,
  spfIpOption,
  type EmailRecordsEvidence,
} from '../../src/probes/email/records.js';
import type { ProbeContext } from '../../src/engine/probe.js';
import { NO_OPTIONS, optionValues, type OptionValues } from '../../src/engine/options.js';
import { emptyEmail, mergeFragment } from '../../src/engine/sections.js';
import { mxHosts, type MxSetEvidence } from '../../src/email/mx-set.js';
import { createMemoryDns, type MemoryZone } from '../../src/email/spf/index.js';
import { EmailResultSchema, type EmailResult } from '../../src/model/report.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import type { RecordType } from '../../src/net/dns/types.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';
import { Value } from '@sinclair/typebox/value';

function context(domain: string, zone: MemoryZone, options: OptionValues = NO_OPTIONS): ProbeContext {
  const dns = createMemoryDns(zone);
  const resolver: Resolver = {
    description: 'memory',
    addresses: async () => ({ status: 'nxdomain', reason: 'not in the test zone' }),
    query: (name: string, type: RecordType) =>
      type === 'TXT' || type === 'A' || type === 'AAAA' || type === 'MX' || type === 'PTR'
        ? dns(name, type)
        : Promise.resolve({ status: 'nodata', authenticated: false, server: 'memory', transport: 'udp' }),
  };
  return loopbackContext(443, { target: { host: domain, port: 443, path: '/', sni: domain }, resolver, options }).ctx;
}

/** email-mx-records, then email-records with its MX set, as the engine runs them. */
async function collectBoth(domain: string, zone: MemoryZone, options: OptionValues = NO_OPTIONS): Promise<{ mx: MxSetEvidence; ev: EmailRecordsEvidence }> {
  const ctx = context(domain, zone, options);
  const mx = await emailMxRecordsProbe.collect(ctx, testDeps());
  const ev = await emailRecordsProbe.collect(ctx, testDeps([[emailMxRecordsProbe, mx]]));
  return { mx, ev };
}

const collect = async (domain: string, zone: MemoryZone, options: OptionValues = NO_OPTIONS): Promise<EmailRecordsEvidence> => (await collectBoth(domain, zone, options)).ev;

/** The email section the two probes' fields make (as assembly merges them, ownership checked). */
const section = (mx: MxSetEvidence, ev: EmailRecordsEvidence): EmailResult =>
  mergeFragment(mergeFragment({ ...emptyEmail(), status: 'ok' as const }, emailMxRecordsProbe, emailMxRecordsProbe.fields(mx)), emailRecordsProbe, emailRecordsProbe.fields(ev));

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
    const { mx, ev } = await collectBoth('example.com', GOOD);
    expect(ev.mx).toEqual({ domain: 'example.com', status: 'ok', records: [{ preference: 10, exchange: 'mx.example.com' }] });
    expect(ev.mx).toEqual(mx);
    const findings = checkEmailRecords(ev);
    expect(findings.filter((f) => f.severity !== 'info' && f.severity !== 'low').map((f) => f.id)).toEqual([]);
    // The MX hosts mail goes to (email-mx reports each one's transport).
    expect(mxHosts(ev.mx)).toEqual([{ host: 'mx.example.com', preference: 10 }]);
    const report = section(mx, ev);
    expect(report).toMatchObject({
      mxStatus: 'regular',
      spf: { status: 'found', all: '-all', effectiveAll: '-all', lookups: 1 },
      dmarc: { status: 'found', policy: 'reject' },
      tlsRpt: { status: 'found' },
      mtaSts: { status: 'missing' },
    });
    expect(report.dkim?.selectorsTried.length).toBeGreaterThan(20);
    expect(Value.Errors(EmailResultSchema, report).First()).toBeUndefined();
  });

  it('--spf-ip evaluates check_host and --dkim-selector is tried', async () => {
    const zone: MemoryZone = { ...GOOD, 'custom2026._domainkey.example.com': [{ type: 'TXT', strings: ['v=DKIM1; k=rsa; p='] }] };
    const ev = await collect('example.com', zone, optionValues([[spfIpOption, '198.51.100.7'], [dkimSelectorOption, ['custom2026']]]));
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
    const { mx, ev } = await collectBoth('example.org', {
      'example.org': [{ type: 'MX', preference: 0, exchange: '.' }, { type: 'TXT', strings: ['v=spf1 ~all'] }],
      '_dmarc.example.org': [{ type: 'TXT', strings: ['v=DMARC1; p=none'] }],
    });
    const ids = checkEmailRecords(ev).map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['email.null-mx.spf-not-strict', 'email.null-mx.dmarc-not-reject']));
    expect(ids.some((i) => i.startsWith('email.dkim.'))).toBe(false);
    expect(section(mx, ev)).toMatchObject({ mxStatus: 'null-mx' });
    expect(mxHosts(ev.mx)).toEqual([]);
  });

  it('an IP target is skipped', async () => {
    const ctx = { ...context('x', {}), target: { host: '192.0.2.1', port: 443, path: '/', sni: null } };
    await expect(emailMxRecordsProbe.collect(ctx, testDeps())).rejects.toThrow(/domain name/);
    await expect(emailRecordsProbe.collect(ctx, testDeps())).rejects.toThrow(/domain name/);
  });
});
