import { describe, expect, it } from 'vitest';
import { checkTlsRpt, discoverTlsRpt, parseTlsRptRecord, parseTlsRptUri, tlsRptReport } from '../../src/email/tls-rpt.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import type { LookupResult } from '../../src/net/dns/types.js';
import { Value } from '@sinclair/typebox/value';
import { EmailResultSchema, FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';

function fakeDns(zone: Record<string, string[] | 'servfail' | 'nodata'>): TxtLookup {
  return async (name: string): Promise<LookupResult> => {
    const meta = { authenticated: false, server: '127.0.0.1:53', transport: 'udp' as const };
    const v = zone[name];
    if (v === undefined) return { status: 'nxdomain', ...meta };
    if (v === 'nodata') return { status: 'nodata', ...meta };
    if (v === 'servfail') return { status: 'error', reason: 'timed out' };
    return { status: 'ok', ...meta, records: v.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) };
  };
}
const at = (...texts: string[]) => fakeDns({ '_smtp._tls.example.com': texts });

describe('TLS-RPT record', () => {
  it('parses mailto and https URIs', () => {
    const r = parseTlsRptRecord('v=TLSRPTv1; rua=mailto:tls@example.com, https://reports.example.net/tlsrpt');
    expect(r.errors).toEqual([]);
    expect(r.rua.map((u) => [u.scheme, u.error])).toEqual([
      ['mailto', null],
      ['https', null],
    ]);
  });
  it('rejects other schemes, bad addresses, a missing rua and a wrong start', () => {
    expect(parseTlsRptUri('ftp://x.example.com/').error).toMatch(/only mailto/);
    expect(parseTlsRptUri('mailto:nobody').error).toMatch(/mail address/);
    expect(parseTlsRptUri('tls@example.com').error).toMatch(/not a URI/);
    expect(parseTlsRptRecord('v=TLSRPTv1;').errors).toEqual(['the required rua= field is missing']);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=').errors).toEqual(['rua= is empty']);
    expect(parseTlsRptRecord('v=tlsrptv1; rua=mailto:a@example.com').errors).toHaveLength(1);
  });
  it('keeps extension fields', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com; ext=1').extensions).toEqual({ ext: '1' });
  });
});

describe('discoverTlsRpt + checkTlsRpt', () => {
  it('a valid record: found, no findings', async () => {
    const d = await discoverTlsRpt('example.com', at('v=spf1 -all', 'v=TLSRPTv1; rua=mailto:tls@example.com'));
    expect(d.status).toBe('found');
    expect(tlsRptReport(d)).toEqual({ status: 'found', rua: ['mailto:tls@example.com'] });
    expect(checkTlsRpt(d)).toEqual([]);
  });
  it('missing: info, or low when MTA-STS/DANE is deployed', async () => {
    const d = await discoverTlsRpt('example.com', fakeDns({ '_smtp._tls.example.com': 'nodata' }));
    expect(d.status).toBe('missing');
    expect(tlsRptReport(d)).toEqual({ status: 'missing', rua: [] });
    expect(checkTlsRpt(d).map((f) => [f.id, f.severity])).toEqual([['email.tls-rpt.missing', 'info']]);
    expect(checkTlsRpt(d, { mtaStsOrDane: true })[0]?.severity).toBe('low');
  });
  it('DNS failure is error (untested), not missing', async () => {
    const d = await discoverTlsRpt('example.com', fakeDns({ '_smtp._tls.example.com': 'servfail' }));
    expect(d).toMatchObject({ status: 'error', reason: 'timed out' });
    expect(checkTlsRpt(d).map((f) => [f.id, f.severity])).toEqual([['email.tls-rpt.untested', 'info']]);
  });
  it('multiple records', async () => {
    const d = await discoverTlsRpt('example.com', at('v=TLSRPTv1; rua=mailto:a@example.com', 'v=TLSRPTv1; rua=mailto:b@example.com'));
    expect(checkTlsRpt(d).map((f) => [f.id, f.severity])).toEqual([['email.tls-rpt.multiple', 'medium']]);
  });
  it('invalid record, and one bad URI among good ones', async () => {
    const bad = await discoverTlsRpt('example.com', at('v=TLSRPTv1; rua=ftp://x.example.com/'));
    expect(bad.status).toBe('invalid');
    expect(checkTlsRpt(bad).map((f) => [f.id, f.severity])).toEqual([['email.tls-rpt.invalid', 'medium']]);
    const mixed = await discoverTlsRpt('example.com', at('v=TLSRPTv1; rua=mailto:a@example.com,ftp://x.example.com/'));
    expect(mixed.status).toBe('found');
    expect(tlsRptReport(mixed).rua).toEqual(['mailto:a@example.com']);
    const f = checkTlsRpt(mixed);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.tls-rpt.bad-uri', 'low']]);
    expect(f[0]?.references[0]).toMatch(/^RFC 8460/);
    expect(f.every((x) => Value.Check(FindingSchema, withSubject(x, 'domain:example.com')))).toBe(true);
    expect(Value.Check(EmailResultSchema.properties.tlsRpt, tlsRptReport(mixed))).toBe(true);
  });
});
