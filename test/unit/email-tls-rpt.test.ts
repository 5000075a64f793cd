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

// RFC 8460 §3: tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim];
// tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri); tlsrpt-ext-name = (ALPHA / DIGIT)
// *31(ALPHA / DIGIT / "_" / "-" / "."). The example records are the RFC's own.
describe('TLS-RPT record by the RFC 8460 §3 grammar', () => {
  it('the RFC example records are valid', () => {
    for (const rec of ['v=TLSRPTv1;rua=mailto:reports@example.com', 'v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt']) {
      const r = parseTlsRptRecord(rec);
      expect(r.errors, rec).toEqual([]);
      expect(r.rua.every((u) => u.error === null), rec).toBe(true);
    }
  });

  it('extension names may hold "_", "-" and "." and start with a digit; such records are valid', async () => {
    const r = parseTlsRptRecord('v=TLSRPTv1; rua=mailto:reports@example.com; x_vendor-ext.v2=on; 1st=a:b/c;');
    expect(r.errors).toEqual([]);
    expect(r.extensions).toEqual({ 'x_vendor-ext.v2': 'on', '1st': 'a:b/c' });
    const d = await discoverTlsRpt('example.com', at('v=TLSRPTv1; rua=mailto:reports@example.com; x_vendor-ext.v2=on'));
    expect(d.status).toBe('found');
    expect(checkTlsRpt(d)).toEqual([]);
  });

  it('names, values and URI lists outside the grammar are errors', () => {
    const bad: Array<[string, RegExp]> = [
      ['v=TLSRPTv1; rua=mailto:a@example.com; .ext=1', /".ext" is not an extension field name/],
      ['v=TLSRPTv1; rua=mailto:a@example.com; ext=a b', /the value must be/],
      ['v=TLSRPTv1; rua=mailto:a@example.com; ext==', /the value must be/],
      ['v=TLSRPTv1; rua = mailto:a@example.com', /"rua " is not an extension field name/],
      ['v=TLSRPTv1; rua= mailto:a@example.com', /must follow "rua=" directly/],
      ['v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com', /an empty entry/],
      ['v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com', /rua= appears more than once/],
      ['v=TLSRPTv1 rua=mailto:a@example.com', /must be followed by ";"/],
      ['v=TLSRPTv1; rua=mailto:a@example.com ', /white space after the last field/],
    ];
    for (const [rec, why] of bad) expect(parseTlsRptRecord(rec).errors.join(' | '), rec).toMatch(why);
    // White space around the commas of the list is the grammar's.
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com ,\thttps://r.example.net/x').errors).toEqual([]);
  });

  it('report URIs are RFC 3986 URIs with "!" encoded, mailto: with an address or https:', () => {
    expect(parseTlsRptUri('mailto:reports@example.com!10m').error).toMatch(/"!" must be percent-encoded/);
    expect(parseTlsRptUri('mailto:a%21b@example.com').error).toBeNull();
    expect(parseTlsRptUri('https://r.example.net/a b').error).toMatch(/may not appear in a URI/);
    expect(parseTlsRptUri('mailto:a.@example.com').error).toMatch(/not a valid local part/);
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
