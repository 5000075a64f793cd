import { describe, expect, it } from 'vitest';
import {
  checkDmarc,
  discoverDmarc,
  dmarcReport,
  isDmarcRecord,
  parseDmarcRecord,
  parseDmarcUri,
  ruaAuthorized,
} from '../../src/email/dmarc.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import { lookupTxt, organizationalDomain, parseTagList, mapLimit } from '../../src/email/dns-lookup.js';
import type { LookupResult } from '../../src/net/dns/types.js';
import { Value } from '@sinclair/typebox/value';
import { EmailResultSchema, FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';

type Zone = Record<string, string[] | 'nxdomain' | 'servfail' | 'nodata'>;

function fakeDns(zone: Zone): TxtLookup & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string): Promise<LookupResult> => {
    calls.push(name);
    const meta = { authenticated: false, server: '127.0.0.1:53', transport: 'udp' as const };
    const v = zone[name];
    if (v === undefined || v === 'nxdomain') return { status: 'nxdomain', ...meta };
    if (v === 'nodata') return { status: 'nodata', ...meta };
    if (v === 'servfail') return { status: 'error', reason: 'server failure (SERVFAIL)', rcode: 'SERVFAIL' };
    return { status: 'ok', ...meta, records: v.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) };
  };
  return Object.assign(fn, { calls });
}

const ids = (f: { id: string }[]) => f.map((x) => x.id);
const sev = (f: { id: string; severity: string }[], id: string) => f.find((x) => x.id === id)?.severity;

describe('dns-lookup helpers', () => {
  it('turns thrown lookups and SERVFAIL into error, never absent', async () => {
    const throwing: TxtLookup = async () => {
      throw new Error('socket closed');
    };
    expect(await lookupTxt(throwing, 'x.example')).toMatchObject({ status: 'error', reason: 'socket closed' });
    expect(await lookupTxt(fakeDns({ 'x.example': 'servfail' }), 'x.example')).toMatchObject({ status: 'error' });
    expect(await lookupTxt(fakeDns({}), 'X.Example.')).toEqual({ status: 'absent', name: 'x.example', rcode: 'nxdomain' });
    const ac = new AbortController();
    ac.abort();
    expect((await lookupTxt(fakeDns({}), 'x.example', ac.signal)).status).toBe('error');
  });
  it('parses tag lists and flags duplicates', () => {
    expect(parseTagList('a=1; b = 2 ;;').tags).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
    expect(parseTagList('a=1; A=2', { caseInsensitiveNames: true }).errors).toEqual(['tag "a" appears more than once']);
    expect(parseTagList('junk; 9x=1').errors).toHaveLength(2);
  });
  it('finds organisational domains with the PSL', () => {
    expect(organizationalDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(organizationalDomain('mail.secgrade.test')).toBe('secgrade.test');
  });
  it('limits concurrency and keeps order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12]);
    expect(peak).toBe(2);
  });
});

describe('parseDmarcRecord', () => {
  it('reads every tag of a full record', () => {
    const r = parseDmarcRecord(
      'v=DMARC1; p=reject; sp=quarantine; np=reject; pct=100; rua=mailto:a@example.com!10m,mailto:b@example.net; ruf=mailto:f@example.com; adkim=s; aspf=r; fo=1:d:s; rf=afrf; ri=86400',
    );
    expect(r).toMatchObject({
      usable: true,
      policy: 'reject',
      subdomainPolicy: 'quarantine',
      nonExistentPolicy: 'reject',
      pct: 100,
      adkim: 's',
      aspf: 'r',
      fo: ['1', 'd', 's'],
      rf: ['afrf'],
      ri: 86400,
      errors: [],
      policyErrors: [],
      unknownTags: [],
    });
    expect(r.rua.map((u) => [u.address, u.domain, u.maxSize])).toEqual([
      ['a@example.com', 'example.com', '10m'],
      ['b@example.net', 'example.net', null],
    ]);
    expect(r.historicTags).toEqual(['pct', 'rf', 'ri']);
  });
  it('requires v=DMARC1 first, value case-sensitive', () => {
    expect(isDmarcRecord('v=DMARC1; p=none')).toBe(true);
    expect(isDmarcRecord('V = DMARC1')).toBe(true);
    expect(isDmarcRecord('v=dmarc1; p=none')).toBe(false);
    expect(isDmarcRecord('p=none; v=DMARC1')).toBe(false);
    expect(isDmarcRecord('v=DMARC10')).toBe(false);
    expect(parseDmarcRecord('v=dmarc1; p=none').usable).toBe(false);
  });
  it('flags invalid optional tag values but keeps the record', () => {
    const r = parseDmarcRecord('v=DMARC1; p=reject; pct=150; adkim=x; fo=2; rf=iodef; ri=soon; t=maybe; psd=q; np=block; rua=foo@example.com');
    expect(r.usable).toBe(true);
    // Eight tag errors; the rua entry, not a URI, is kept apart with its own error (invalid-uri).
    expect(r.errors).toHaveLength(8);
    expect(r.rua.map((u) => u.error)).toEqual([expect.stringMatching(/is not a URI: it has no scheme/)]);
    expect(r.pct).toBeNull();
    expect(r.adkim).toBe('r');
  });
  it('missing p with a valid rua is p=none (RFC 7489 §6.6.3); without rua the record is void', () => {
    expect(parseDmarcRecord('v=DMARC1; rua=mailto:d@example.com')).toMatchObject({ usable: true, policyImplied: true, effectivePolicy: 'none' });
    expect(parseDmarcRecord('v=DMARC1; p=block; rua=mailto:d@example.com')).toMatchObject({ usable: true, policyImplied: true });
    expect(parseDmarcRecord('v=DMARC1; p=reject; sp=bogus')).toMatchObject({ usable: false });
    expect(parseDmarcRecord('v=DMARC1')).toMatchObject({ usable: false, policyErrors: ['the required p= tag is missing'] });
  });
  it('notes p not right after v, and unknown tags', () => {
    const r = parseDmarcRecord('v=DMARC1; rua=mailto:a@example.com; p=none; foo=bar');
    expect(r.warnings).toHaveLength(1);
    expect(r.unknownTags).toEqual(['foo']);
  });
  it('validates report URIs', () => {
    expect(parseDmarcUri('mailto:rep%2Bdmarc@example.com')).toMatchObject({ address: 'rep+dmarc@example.com', domain: 'example.com', error: null });
    // An encoded "@" in the local part is only an address when quoted (RFC 5322 §3.4.1).
    expect(parseDmarcUri('mailto:rep%40x@example.com').error).toMatch(/not a valid local part/);
    expect(parseDmarcUri('mailto:%22rep%40x%22@example.com')).toMatchObject({ domain: 'example.com', error: null });
    expect(parseDmarcUri('mailto:nobody').error).toMatch(/does not hold a mail address/);
    expect(parseDmarcUri('mailto:a@example.com!big').error).toMatch(/size limit/);
    expect(parseDmarcUri('https://reports.example.net/dmarc')).toMatchObject({ scheme: 'https', domain: 'reports.example.net', error: null });
  });
});

describe('discoverDmarc', () => {
  it('finds the record at _dmarc.<domain> and checks no authorisation for internal rua', async () => {
    const dns = fakeDns({ '_dmarc.example.com': ['v=spf1 -all', 'v=DMARC1; p=reject; rua=mailto:d@sub.example.com'] });
    const d = await discoverDmarc('Example.com.', dns);
    expect(d).toMatchObject({ status: 'found', location: 'example.com', inherited: false, policy: 'reject' });
    expect(d.authorizations).toEqual([]);
    expect(dmarcReport(d)).toEqual({
      status: 'found',
      record: 'v=DMARC1; p=reject; rua=mailto:d@sub.example.com',
      policy: 'reject',
      subdomainPolicy: 'reject',
      pct: 100,
      rua: ['mailto:d@sub.example.com'],
      ruaAuthorized: true,
    });
    expect(checkDmarc(d)).toEqual([]);
  });
  it('falls back to the organisational domain and applies its sp', async () => {
    const dns = fakeDns({ '_dmarc.example.co.uk': ['v=DMARC1; p=reject; sp=none; rua=mailto:d@example.co.uk'] });
    const d = await discoverDmarc('a.b.example.co.uk', dns);
    expect(dns.calls).toEqual(['_dmarc.a.b.example.co.uk', '_dmarc.example.co.uk']);
    expect(d).toMatchObject({ status: 'found', inherited: true, location: 'example.co.uk', policy: 'none' });
    expect(dmarcReport(d)).toMatchObject({ policy: 'none', subdomainPolicy: 'none' });
    const f = checkDmarc(d);
    expect(ids(f)).toEqual(['email.dmarc.inherited', 'email.dmarc.policy-none', 'email.dmarc.subdomain-policy-weak']);
    expect(sev(f, 'email.dmarc.policy-none')).toBe('low');
  });
  it('missing at both levels', async () => {
    const d = await discoverDmarc('www.example.com', fakeDns({ '_dmarc.www.example.com': 'nodata' }));
    expect(d.status).toBe('missing');
    expect(dmarcReport(d)).toMatchObject({ status: 'missing', record: null, policy: null, ruaAuthorized: null });
    expect(checkDmarc(d).map((x) => [x.id, x.severity])).toEqual([['email.dmarc.missing', 'medium']]);
  });
  it('a DNS failure is error, at either level, and never falls through to "missing"', async () => {
    const d1 = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': 'servfail' }));
    expect(d1).toMatchObject({ status: 'error', reason: '_dmarc.example.com: server failure (SERVFAIL)' });
    expect(dmarcReport(d1).status).toBe('error');
    const d2 = await discoverDmarc('www.example.com', fakeDns({ '_dmarc.example.com': 'servfail' }));
    expect(d2.status).toBe('error');
    expect(checkDmarc(d2).map((x) => [x.id, x.severity])).toEqual([['email.dmarc.untested', 'info']]);
  });
  it('multiple records: none applies, no fallback', async () => {
    const dns = fakeDns({
      '_dmarc.www.example.com': ['v=DMARC1; p=none', 'v=DMARC1; p=reject'],
      '_dmarc.example.com': ['v=DMARC1; p=reject'],
    });
    const d = await discoverDmarc('www.example.com', dns);
    expect(d.status).toBe('multiple');
    expect(dns.calls).toEqual(['_dmarc.www.example.com']);
    expect(dmarcReport(d).policy).toBeNull();
    expect(checkDmarc(d).map((x) => [x.id, x.severity])).toEqual([['email.dmarc.multiple', 'high']]);
  });
  it('a record receivers discard is invalid', async () => {
    const d = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': ['v=dmarc1; p=reject'] }));
    expect(d.status).toBe('invalid');
    expect(checkDmarc(d).map((x) => [x.id, x.severity])).toEqual([['email.dmarc.invalid', 'high']]);
    const d2 = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': ['v=DMARC1'] }));
    expect(d2.status).toBe('invalid');
    expect(checkDmarc(d2)[0]?.detail).toContain('RFC 9989');
  });
  it('authorises external report destinations (RFC 7489 §7.1)', async () => {
    const dns = fakeDns({
      '_dmarc.example.com': ['v=DMARC1; p=quarantine; rua=mailto:a@reports.vendor.net,mailto:b@other.org; ruf=mailto:c@broken.io'],
      'example.com._report._dmarc.reports.vendor.net': ['v=DMARC1'],
      'example.com._report._dmarc.other.org': 'nxdomain',
      'example.com._report._dmarc.broken.io': 'servfail',
    });
    const d = await discoverDmarc('example.com', dns);
    expect(d.authorizations.map((a) => [a.destination, a.authorized, a.kinds])).toEqual([
      ['reports.vendor.net', true, ['rua']],
      ['other.org', false, ['rua']],
      ['broken.io', null, ['ruf']],
    ]);
    expect(dmarcReport(d).ruaAuthorized).toBe(false);
    const f = checkDmarc(d);
    expect(ids(f)).toEqual([
      'email.dmarc.policy-quarantine',
      'email.dmarc.report-unauthorized',
      'email.dmarc.report-authorization.untested',
    ]);
    expect(sev(f, 'email.dmarc.report-unauthorized')).toBe('low');
  });
  it('ruaAuthorized is null when an authorisation lookup failed, true when all authorise', async () => {
    const base = { parsed: parseDmarcRecord('v=DMARC1; p=reject; rua=mailto:a@x.net') };
    expect(ruaAuthorized({ ...base, authorizations: [{ kinds: ['rua'], destination: 'x.net', name: 'n', authorized: null }] })).toBeNull();
    expect(ruaAuthorized({ ...base, authorizations: [{ kinds: ['rua'], destination: 'x.net', name: 'n', authorized: true }] })).toBe(true);
    expect(ruaAuthorized({ parsed: parseDmarcRecord('v=DMARC1; p=reject'), authorizations: [] })).toBeNull();
  });
  it('skips authorisation lookups when asked', async () => {
    const dns = fakeDns({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=mailto:a@vendor.net'] });
    const d = await discoverDmarc('example.com', dns, { checkAuthorization: false });
    expect(dns.calls).toEqual(['_dmarc.example.com']);
    expect(d.authorizations).toEqual([]);
  });
});

describe('checkDmarc findings', () => {
  const found = async (record: string) => discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': [record] }));
  it('implied p=none', async () => {
    const f = checkDmarc(await found('v=DMARC1; rua=mailto:d@example.com'));
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.dmarc.policy-implied', 'medium']]);
  });
  it('pct, t=y, sp/np, invalid, unknown and historic tags, no rua, non-mailto, tag order', async () => {
    const f = checkDmarc(await found('v=DMARC1; sp=none; np=none; p=reject; pct=50; t=y; adkim=x; foo=1; rua=https://r.example.com/x'));
    expect(ids(f)).toEqual([
      'email.dmarc.pct-partial',
      'email.dmarc.testing',
      'email.dmarc.subdomain-policy-weak',
      'email.dmarc.invalid-tag',
      'email.dmarc.tag-order',
      'email.dmarc.unknown-tag',
      'email.dmarc.historic-tag',
      'email.dmarc.uri-unsupported',
    ]);
    expect(sev(f, 'email.dmarc.pct-partial')).toBe('low');
    const f2 = checkDmarc(await found('v=DMARC1; p=quarantine; pct=0'));
    expect(sev(f2, 'email.dmarc.pct-partial')).toBe('medium');
    expect(ids(f2)).toContain('email.dmarc.no-rua');
  });
  it('reports and findings match the report schema', async () => {
    for (const rec of ['v=DMARC1; p=none; pct=10; foo=1; rua=mailto:x@vendor.net', 'v=DMARC1', 'v=DMARC1; p=reject']) {
      const d = await found(rec);
      expect(Value.Check(EmailResultSchema.properties.dmarc, dmarcReport(d))).toBe(true);
      for (const f of checkDmarc(d)) expect(Value.Check(FindingSchema, withSubject(f, 'domain:example.com'))).toBe(true);
    }
  });
  it('every finding carries evidence, remediation and an RFC reference', async () => {
    const f = checkDmarc(await found('v=DMARC1; p=none; pct=10; foo=1'));
    for (const x of f) {
      expect(x.remediation.length).toBeGreaterThan(0);
      expect(x.references.some((r) => r.startsWith('RFC '))).toBe(true);
      expect(x.id).toMatch(/^email\.dmarc\./);
    }
  });
});

// RFC 7489 §6.4 (dmarc-uri, and the DKIM tag-list syntax of RFC 6376 §3.2 it takes) and the
// example records of RFC 7489 §6.2 and Appendix B.2.
describe('RFC 7489 details: repeated tags and dmarc-uri', () => {
  const RFC_B21 = 'v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com';
  const RFC_B23 = 'v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; ruf=mailto:auth-reports@thirdparty.example.net';
  const RFC_B24 = 'v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m; pct=25';

  it('the RFC 7489 Appendix B records parse without an error, their URIs all valid', () => {
    for (const rec of [RFC_B21, RFC_B23, RFC_B24]) {
      const r = parseDmarcRecord(rec);
      expect(r, rec).toMatchObject({ usable: true, errors: [], policyErrors: [], duplicateTags: [] });
      expect([...r.rua, ...r.ruf].every((u) => u.error === null), rec).toBe(true);
    }
    expect(parseDmarcRecord(RFC_B24).rua.map((u) => [u.address, u.maxSize])).toEqual([
      ['dmarc-feedback@example.com', null],
      ['tld-test@thirdparty.example.net', '10m'],
    ]);
  });

  it('§6.2: "mailto:reports@example.com!50m" is a size limit of 50 megabytes; every unit of the grammar is accepted', () => {
    expect(parseDmarcUri('mailto:reports@example.com!50m')).toMatchObject({ address: 'reports@example.com', maxSize: '50m', error: null });
    for (const size of ['1024', '10k', '50M', '2g', '1t']) expect(parseDmarcUri(`mailto:reports@example.com!${size}`).error, size).toBeNull();
    expect(parseDmarcUri('https://reports.example.com/dmarc!2g')).toMatchObject({ scheme: 'https', maxSize: '2g', error: null });
  });

  it('entries that are not dmarc-uris are invalid, each with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['dmarc@example.com', /no scheme/],
      ['mailto:', /names no mail address/],
      ['mailto:a@example.com!', /is not a size limit/],
      ['mailto:a@example.com!10x', /is not a size limit/],
      ['mailto:a@example.com!10m!1k', /is not a size limit/],
      ['mailto:a b@example.com', /U\+0020 may not appear in a URI/],
      ['mailto:a@example.com%zz', /percent-encoding/],
      ['mailto:a@localhost', /not a mail domain/],
      // "[" and "]" are not path characters (RFC 3986 §3.3); encoded, the domain literal is still no host name.
      ['mailto:a@[192.0.2.1]', /is not a URI: the path is not valid/],
      ['mailto:a@%5B192.0.2.1%5D', /not a mail domain/],
      ['mailto:a.@example.com', /not a valid local part/],
      ['mailto:a@example.com%2Cb@example.net', /several addresses/],
      ['https://exa mple.com/r', /may not appear in a URI/],
      ['https://[::zz]/r', /not an IPv6 address/],
      ['https://r.example.com:44x/', /not a port number/],
      ['<mailto:a@example.com>', /no scheme/],
    ];
    for (const [uri, why] of cases) expect(parseDmarcUri(uri).error, uri).toMatch(why);
  });

  it('a repeated tag makes the record invalid: no policy, whatever rua says (RFC 6376 §3.2)', async () => {
    for (const rec of [
      'v=DMARC1; p=reject; p=none; rua=mailto:dmarc-feedback@example.com',
      'v=DMARC1; p=reject; P=none',
      'v=DMARC1; p=reject; rua=mailto:a@example.com; rua=mailto:b@example.com',
      'v=DMARC1; p=reject; v=DMARC1',
    ]) {
      const r = parseDmarcRecord(rec);
      expect(r, rec).toMatchObject({ usable: false, policyImplied: false, effectivePolicy: null });
      expect(r.duplicateTags.length, rec).toBe(1);
      expect(r.errors.some((e) => /more than once/.test(e)), rec).toBe(false);
    }
    const d = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': ['v=DMARC1; p=reject; p=none; rua=mailto:dmarc-feedback@example.com'] }));
    expect(d).toMatchObject({ status: 'invalid', policy: null });
    expect(d.reason).toMatch(/^p= appears more than once: a tag-list with a repeated tag is invalid as a whole \(RFC 7489 §6\.4, RFC 6376 §3\.2\)/);
    expect(dmarcReport(d)).toMatchObject({ status: 'invalid', policy: null, pct: null, ruaAuthorized: null });
    const f = checkDmarc(d);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.dmarc.invalid', 'high']]);
    expect(f[0]!.detail).toContain('p= appears more than once');
    expect(f[0]!.evidence).toMatchObject({ duplicateTags: ['p'] });
  });

  it('invalid rua entries are not report destinations: the report lists them apart, a finding names each', async () => {
    const only = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=dmarc@example.com'] }));
    expect(only.status).toBe('found');
    expect(dmarcReport(only)).toMatchObject({ status: 'found', policy: 'reject', rua: [], ruaInvalid: ['dmarc@example.com'], ruaAuthorized: null });
    const f = checkDmarc(only);
    // Not "no-rua" and not an authorisation lookup that failed: the entry is invalid.
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.dmarc.invalid-uri', 'medium']]);
    expect(f[0]!.detail).toMatch(/rua: "dmarc@example\.com" is not a URI: it has no scheme.*no aggregate report is sent at all/);

    const mixed = await discoverDmarc(
      'example.com',
      fakeDns({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:bad address@example.com; ruf=mailto:f@example.com!5x'] }),
    );
    expect(dmarcReport(mixed)).toMatchObject({ rua: ['mailto:d@example.com'], ruaInvalid: ['mailto:bad address@example.com'], ruaAuthorized: true });
    const fm = checkDmarc(mixed);
    expect(fm.map((x) => [x.id, x.severity])).toEqual([['email.dmarc.invalid-uri', 'low']]);
    expect((fm[0]!.evidence as { invalid: Array<{ tag: string }> }).invalid.map((i) => i.tag)).toEqual(['rua', 'ruf']);
    // Only valid URIs are asked for authorisation.
    const ext = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=mailto:a@vendor.net!x'] }));
    expect(ext.authorizations).toEqual([]);
    expect(Value.Check(EmailResultSchema.properties.dmarc, dmarcReport(mixed))).toBe(true);
    for (const x of [...f, ...fm]) expect(Value.Check(FindingSchema, withSubject(x, 'domain:example.com'))).toBe(true);
  });
});
