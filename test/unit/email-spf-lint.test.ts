import { describe, expect, it } from 'vitest';
import { lintSpf, toContractSpf } from '../../src/email/spf/lint.js';
import { createMemoryDns, type MemoryRecord, type MemoryZone } from '../../src/email/spf/dns.js';

const txt = (...strings: string[]): MemoryRecord => ({ type: 'TXT', strings });
const a = (address: string): MemoryRecord => ({ type: 'A', address });
const mx = (exchange: string, preference = 10): MemoryRecord => ({ type: 'MX', preference, exchange });

/** A zone where every helper name used below resolves. */
function zone(extra: MemoryZone): MemoryZone {
  return {
    'mail.example.com': [a('192.0.2.10')],
    'host.example.com': [a('192.0.2.11')],
    'e.example.com': [a('127.0.0.2')],
    ...extra,
  };
}

async function lint(z: MemoryZone, domain = 'example.com', opts = {}) {
  return lintSpf(domain, createMemoryDns(zone(z)), opts);
}
const ids = (r: { issues: Array<{ id: string }> }) => r.issues.map((i) => i.id);

describe('lintSpf: lookup counting (RFC 7208 §4.6.4)', () => {
  it('ip4, ip6 and all cost nothing', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all')] });
    expect(r).toMatchObject({ status: 'found', lookups: 0, voidLookups: 0, all: '-all', errors: [] });
    expect(r.issues).toEqual([]);
  });

  it('counts a, mx, exists, ptr, include and redirect, through nested includes', async () => {
    const r = await lint({
      'example.com': [a('192.0.2.1'), mx('mail.example.com'), txt('v=spf1 a mx exists:e.example.com ptr include:_a.example.com ip4:192.0.2.0/24 redirect=_r.example.com')],
      '_a.example.com': [txt('v=spf1 include:_b.example.com a:host.example.com ?all')],
      '_b.example.com': [txt('v=spf1 ip4:198.51.100.0/24 -all')],
      '_r.example.com': [txt('v=spf1 mx:example.com -all')],
    });
    // root: a, mx, exists, ptr, include, redirect = 6; _a: include, a = 2; _b: 0; _r: mx = 1.
    expect(r.lookups).toBe(9);
    expect(r.voidLookups).toBe(0);
    expect(r.status).toBe('found');
    expect(r.all).toBe('redirect=_r.example.com');
    expect(r.effectiveAll).toBe('-all');
    expect(r.tree?.lookups).toBe(6);
    expect(r.tree?.children.map((c) => [c.via, c.domain, c.lookups])).toEqual([
      ['include', '_a.example.com', 2],
      ['redirect', '_r.example.com', 1],
    ]);
    expect(r.tree?.children[0]?.children[0]).toMatchObject({ domain: '_b.example.com', lookups: 0, status: 'found' });
    expect(ids(r)).toContain('email.spf.ptr');
  });

  it('a record needing 12 lookups is invalid: too-many-lookups names the 11th term', async () => {
    const r = await lint({
      'example.com': [a('192.0.2.1'), mx('mail.example.com'), txt('v=spf1 a mx a mx a mx a mx a mx include:_x.example.com a:host.example.com -all')],
      '_x.example.com': [txt('v=spf1 ip4:203.0.113.0/24 -all')],
    });
    expect(r.lookups).toBe(12);
    expect(r.status).toBe('invalid');
    const issue = r.issues.find((i) => i.id === 'email.spf.too-many-lookups');
    expect(issue).toMatchObject({ severity: 'high', term: 'include:_x.example.com', domain: 'example.com' });
    expect(r.errors.join()).toMatch(/12 DNS-querying terms/);
  });

  it('exactly 10 lookups is fine', async () => {
    const r = await lint({ 'example.com': [a('192.0.2.1'), mx('mail.example.com'), txt('v=spf1 a mx a mx a mx a mx a mx -all')] });
    expect(r).toMatchObject({ status: 'found', lookups: 10, errors: [] });
  });

  it('counts lookups over includes against the limit of the whole tree', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 include:_1.example.com include:_2.example.com -all')],
      '_1.example.com': [txt('v=spf1 a:host.example.com a:host.example.com a:host.example.com a:host.example.com ~all')],
      '_2.example.com': [txt('v=spf1 a:host.example.com a:host.example.com a:host.example.com a:host.example.com ~all')],
    });
    expect(r.lookups).toBe(10);
    expect(r.status).toBe('found');
  });

  it('does not count terms after all, nor a redirect next to all', async () => {
    const r = await lint({ 'example.com': [a('192.0.2.1'), txt('v=spf1 a -all mx redirect=_r.example.com')] });
    expect(r.lookups).toBe(1);
    expect(ids(r)).toEqual(expect.arrayContaining(['email.spf.terms-after-all', 'email.spf.redirect-ignored']));
    expect(r.tree?.children).toEqual([]);
  });

  it('counts a macro include once and does not follow it', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 include:%{ir}.%{v}._spf.example.com exists:%{l}.e.example.com -all')] });
    expect(r.lookups).toBe(2);
    expect(r.status).toBe('found');
    expect(ids(r)).toContain('email.spf.macros');
  });
});

describe('lintSpf: void lookups', () => {
  it('two void lookups are warnings; the record stays valid', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 a:nx1.example.com mx:host.example.com -all')] });
    expect(r.voidLookups).toBe(2);
    expect(r.status).toBe('found');
    expect(r.issues.filter((i) => i.id === 'email.spf.void-lookup')).toHaveLength(2);
  });

  it('a third void lookup is a permerror condition', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 a:nx1.example.com exists:nx2.example.com include:_i.example.com -all')],
      '_i.example.com': [txt('v=spf1 mx:nomx.example.com ~all')],
      'nomx.example.com': [a('192.0.2.99')],
    });
    expect(r.voidLookups).toBe(3);
    expect(r.status).toBe('invalid');
    expect(r.issues.find((i) => i.id === 'email.spf.too-many-void-lookups')).toMatchObject({
      severity: 'high',
      term: 'mx:nomx.example.com',
      domain: '_i.example.com',
    });
  });

  it('a host with only AAAA records is not void', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 a:v6.example.com -all')], 'v6.example.com': [{ type: 'AAAA', address: '2001:db8::1' }] });
    expect(r.voidLookups).toBe(0);
  });
});

describe('lintSpf: loops and broken targets', () => {
  it('detects an include loop', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 include:_a.example.com -all')],
      '_a.example.com': [txt('v=spf1 include:_b.example.com -all')],
      '_b.example.com': [txt('v=spf1 include:_a.example.com -all')],
    });
    expect(r.status).toBe('invalid');
    const loop = r.issues.find((i) => i.id === 'email.spf.include-loop');
    expect(loop).toMatchObject({ severity: 'high', term: 'include:_a.example.com', domain: '_b.example.com' });
    expect(loop?.message).toContain('example.com → _a.example.com → _b.example.com → _a.example.com');
  });

  it('detects a redirect to itself', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 ip4:192.0.2.1 redirect=example.com')] });
    expect(ids(r)).toContain('email.spf.redirect-loop');
    expect(r.status).toBe('invalid');
  });

  it('an include without an SPF record is a permerror condition', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 include:nospf.example.com include:nx.example.com -all')],
      'nospf.example.com': [txt('google-site-verification=abc')],
    });
    expect(r.status).toBe('invalid');
    expect(r.issues.filter((i) => i.id === 'email.spf.include-no-record').map((i) => i.term)).toEqual([
      'include:nospf.example.com',
      'include:nx.example.com',
    ]);
  });

  it('a syntax error inside an include makes the policy invalid and names the domain and term', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 include:_a.example.com -all')],
      '_a.example.com': [txt('v=spf1 ip4:192.0.2.300 -all')],
    });
    expect(r.status).toBe('invalid');
    expect(r.issues.find((i) => i.id === 'email.spf.invalid')).toMatchObject({ domain: '_a.example.com', term: 'ip4:192.0.2.300' });
  });

  it('an mx term with more than 10 MX names is a permerror condition', async () => {
    const many = Array.from({ length: 11 }, (_, i) => mx(`mail.example.com`, i));
    const r = await lint({ 'example.com': [...many, txt('v=spf1 mx -all')] });
    expect(ids(r)).toContain('email.spf.too-many-mx');
    expect(r.status).toBe('invalid');
  });
});

describe('lintSpf: record selection and status', () => {
  it('no record: missing', async () => {
    const r = await lint({ 'example.com': [txt('some other text')] });
    expect(toContractSpf(r)).toEqual({
      status: 'missing',
      reason: 'example.com publishes no v=spf1 TXT record',
      record: null,
      lookups: null,
      voidLookups: null,
      all: null,
      errors: [],
    });
    expect(r.issues.map((i) => [i.id, i.severity])).toEqual([['email.spf.missing', 'medium']]);
  });

  it('NXDOMAIN: missing, and says so', async () => {
    const r = await lint({}, 'nx.example.com');
    expect(r.status).toBe('missing');
    expect(r.reason).toMatch(/does not exist/);
  });

  it('two records: multiple', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 -all'), txt('V=SPF1 +all')] });
    expect(r.status).toBe('multiple');
    expect(r.record).toBe('v=spf1 -all | V=SPF1 +all');
    expect(r.issues.find((i) => i.id === 'email.spf.multiple')?.severity).toBe('high');
    expect(r.errors).toHaveLength(1);
  });

  it('a DNS timeout is status error with the reason, never missing', async () => {
    const r = await lint({ 'example.com': [{ type: 'TIMEOUT' }] });
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/TXT lookup for example\.com failed: timeout/);
    expect(r.lookups).toBeNull();
    expect(ids(r)).toEqual(['email.spf.untested']);
  });

  it('a SERVFAIL from the resolver is status error too', async () => {
    const dns = async () => ({ status: 'error' as const, reason: 'SERVFAIL from 192.0.2.53:53', rcode: 'SERVFAIL' });
    const r = await lintSpf('example.com', dns);
    expect(r).toMatchObject({ status: 'error', reason: 'TXT lookup for example.com failed: SERVFAIL from 192.0.2.53:53' });
  });

  it('a timeout inside the tree leaves the record found but marked partly tested', async () => {
    const r = await lint({
      'example.com': [txt('v=spf1 include:_t.example.com -all')],
      '_t.example.com': [{ type: 'TIMEOUT' }],
    });
    expect(r.status).toBe('found');
    expect(r.incomplete).toBe(true);
    expect(r.reason).toMatch(/^partly tested: TXT lookup for _t\.example\.com failed/);
    expect(r.issues.find((i) => i.id === 'email.spf.include-untested')?.severity).toBe('info');
  });

  it('an aborted signal is status error, not missing', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await lint({ 'example.com': [txt('v=spf1 -all')] }, 'example.com', { signal: ac.signal });
    expect(r.status).toBe('error');
    // The deadline, named as such: not a DNS timeout, not SERVFAIL.
    expect(r.reason).toMatch(/^deadline reached \(the scan's time limit\) after 0 DNS queries/);
  });

  it('the query budget bounds the walk', async () => {
    const z: MemoryZone = { 'example.com': [txt('v=spf1 include:_0.example.com -all')] };
    for (let i = 0; i < 30; i++) z[`_${i}.example.com`] = [txt(`v=spf1 include:_${i + 1}.example.com -all`)];
    const dns = createMemoryDns(zone(z));
    const r = await lintSpf('example.com', dns, { maxQueries: 8, maxDepth: 50 });
    expect(dns.log.length).toBeLessThanOrEqual(8);
    expect(r.incomplete).toBe(true);
    expect(r.reason).toMatch(/^partly tested: SPF include tree exceeds the lint budget of 8 DNS queries/);
    expect(r.issues.find((i) => i.id === 'email.spf.incomplete')?.message).toMatch(/exceeds the lint budget of 8 DNS queries/);
  });

  it('depth is bounded', async () => {
    const z: MemoryZone = { 'example.com': [txt('v=spf1 include:_0.example.com -all')] };
    for (let i = 0; i < 30; i++) z[`_${i}.example.com`] = [txt(`v=spf1 include:_${i + 1}.example.com -all`)];
    const r = await lint(z, 'example.com', { maxDepth: 3 });
    expect(r.incomplete).toBe(true);
    expect(r.reason).toMatch(/nesting deeper than 3/);
  });
});

describe('lintSpf: all, size, obsolete RR type, syntax', () => {
  it.each([
    ['v=spf1 +all', '+all', 'email.spf.permissive-all', 'high'],
    ['v=spf1 ?all', '?all', 'email.spf.permissive-all', 'medium'],
    ['v=spf1 ~all', '~all', 'email.spf.softfail-all', 'info'],
    ['v=spf1 ip4:192.0.2.1', null, 'email.spf.no-all', 'medium'],
  ])('%s', async (record, all, id, severity) => {
    const r = await lint({ 'example.com': [txt(record)] });
    expect(r.all).toBe(all);
    expect(r.issues.find((i) => i.id === id)?.severity).toBe(severity);
  });

  it('-all raises nothing', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 -all')] });
    expect(r.issues).toEqual([]);
  });

  it('follows redirect= for the effective all', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 redirect=_spf.example.com')], '_spf.example.com': [txt('v=spf1 +all')] });
    expect(r.all).toBe('redirect=_spf.example.com');
    expect(r.effectiveAll).toBe('+all');
    expect(ids(r)).toContain('email.spf.permissive-all');
  });

  it('a record over 450 bytes warns; strings are reported individually', async () => {
    const ips = Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i}`).join(' ');
    const record = `v=spf1 ${ips} -all`;
    expect(record.length).toBeGreaterThan(450);
    const r = await lint({ 'example.com': [txt(record.slice(0, 250), record.slice(250, 500), record.slice(500))] });
    expect(r.status).toBe('found');
    expect(r.issues.map((i) => i.id)).toEqual(['email.spf.record-too-long']);
    const r2 = await lint({ 'example.com': [txt(record)] });
    expect(ids(r2)).toEqual(expect.arrayContaining(['email.spf.record-too-long', 'email.spf.string-too-long']));
  });

  it('notes an obsolete type-99 SPF record', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 -all'), { type: 'SPF', strings: ['v=spf1 -all'] }] });
    expect(r.spfRrType).toBe(true);
    expect(r.issues.find((i) => i.id === 'email.spf.spf-rr-type')?.severity).toBe('low');
  });

  it('a syntax error is invalid, naming the term', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 ip4:192.0.2.1 a:example.com:8080 -all')] });
    expect(r.status).toBe('invalid');
    expect(r.lookups).toBeNull();
    expect(r.issues[0]).toMatchObject({ id: 'email.spf.invalid', severity: 'high', term: 'a:example.com:8080' });
    expect(r.errors[0]).toMatch(/a:example\.com:8080/);
  });

  it('the Contract object carries exactly the Contract keys', async () => {
    const r = await lint({ 'example.com': [txt('v=spf1 mx -all'), mx('mail.example.com')] });
    expect(Object.keys(toContractSpf(r)).sort()).toEqual(['all', 'errors', 'lookups', 'record', 'status', 'voidLookups']);
    expect(toContractSpf(r)).toMatchObject({ status: 'found', record: 'v=spf1 mx -all', lookups: 1, voidLookups: 0, all: '-all' });
  });
});
