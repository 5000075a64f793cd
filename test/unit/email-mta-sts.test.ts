import { describe, expect, it } from 'vitest';
import {
  analyseMtaStsPolicy,
  checkMtaSts,
  discoverMtaSts,
  isMxPattern,
  matchMxHosts,
  mtaStsPolicyUrl,
  mtaStsReport,
  mxMatchesPattern,
  parseMtaStsPolicy,
  parseMtaStsTxt,
  type MtaStsDiscovery,
} from '../../src/email/mta-sts.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import type { LookupResult } from '../../src/net/dns/types.js';
import { Value } from '@sinclair/typebox/value';
import { EmailResultSchema, FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';

function fakeDns(zone: Record<string, string[] | 'servfail'>): TxtLookup {
  return async (name: string): Promise<LookupResult> => {
    const meta = { authenticated: false, server: '127.0.0.1:53', transport: 'udp' as const };
    const v = zone[name];
    if (v === undefined) return { status: 'nxdomain', ...meta };
    if (v === 'servfail') return { status: 'error', reason: 'timed out', rcode: 'SERVFAIL' };
    return { status: 'ok', ...meta, records: v.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) };
  };
}

const URL_OK = 'https://mta-sts.example.com/.well-known/mta-sts.txt';
const GOOD = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.backup.example.net\r\nmax_age: 604800\r\n';
const resp = (body: string, over: Partial<{ status: number; contentType: string | null; url: string }> = {}) => ({
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  url: URL_OK,
  body,
  ...over,
});
const found = async (): Promise<MtaStsDiscovery> => discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': ['v=STSv1; id=20240101T000000'] }));
const ids = (f: { id: string }[]) => f.map((x) => x.id);

describe('MTA-STS TXT record', () => {
  it('parses v and id, with extensions', () => {
    expect(parseMtaStsTxt('v=STSv1; id=abc123; ext=1')).toMatchObject({ id: 'abc123', extensions: { ext: '1' }, errors: [] });
  });
  it('rejects a bad or missing id and a wrong start', () => {
    expect(parseMtaStsTxt('v=STSv1; id=' + 'a'.repeat(33)).errors).toHaveLength(1);
    expect(parseMtaStsTxt('v=STSv1; id=2024-01-01').errors).toHaveLength(1);
    expect(parseMtaStsTxt('v=STSv1;').errors).toEqual(['the required id= field is missing']);
    expect(parseMtaStsTxt('v=stsv1; id=1').errors).toHaveLength(1);
  });
  it('discovers: found, missing, multiple, invalid, error', async () => {
    expect((await found()).status).toBe('found');
    const missing = await discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': ['something else'] }));
    expect(missing.status).toBe('missing');
    expect(checkMtaSts(missing).map((f) => [f.id, f.severity])).toEqual([['email.mta-sts.missing', 'low']]);
    const multiple = await discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': ['v=STSv1; id=1', 'v=STSv1; id=2'] }));
    expect(checkMtaSts(multiple).map((f) => [f.id, f.severity])).toEqual([['email.mta-sts.multiple', 'medium']]);
    const invalid = await discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': ['v=STSv1; id=not-ok!'] }));
    expect(checkMtaSts(invalid).map((f) => [f.id, f.severity])).toEqual([['email.mta-sts.invalid-record', 'medium']]);
    const error = await discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': 'servfail' }));
    expect(error).toMatchObject({ status: 'error', reason: 'timed out' });
    expect(mtaStsReport(error).status).toBe('error');
    expect(checkMtaSts(error).map((f) => [f.id, f.severity])).toEqual([['email.mta-sts.untested', 'info']]);
  });
});

// RFC 8461 §3.1: sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim];
// sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."); sts-ext-value =
// 1*(%x21-3A / %x3C / %x3E-7E). The example record is the RFC's own.
describe('MTA-STS TXT record by the RFC 8461 §3.1 grammar', () => {
  it('the RFC example record, trailing delimiter included, is valid', () => {
    expect(parseMtaStsTxt('v=STSv1; id=20160831085700Z;')).toMatchObject({ id: '20160831085700Z', errors: [] });
    expect(parseMtaStsTxt('v=STSv1;id=20160831085700Z')).toMatchObject({ id: '20160831085700Z', errors: [] });
    expect(parseMtaStsTxt('v=STSv1 ;\tid=1 ; ')).toMatchObject({ id: '1', errors: [] });
  });

  it('extension names may hold "_", "-" and "." and start with a digit; such records are valid', () => {
    const r = parseMtaStsTxt('v=STSv1; id=20160831085700Z; my_ext=1; x-vendor.flag=on; 9lives=yes; ' + `${'a'.repeat(32)}=v`);
    expect(r.errors).toEqual([]);
    expect(r.extensions).toEqual({ my_ext: '1', 'x-vendor.flag': 'on', '9lives': 'yes', ['a'.repeat(32)]: 'v' });
    // Any visible ASCII but "=" and ";" in the value.
    expect(parseMtaStsTxt('v=STSv1; id=1; ext=a:b/c,d!"#$%&\'()*+-.<>?@[]^_`{|}~').errors).toEqual([]);
  });

  it('names and values outside the grammar are errors', () => {
    const bad: Array<[string, RegExp]> = [
      ['v=STSv1; id=1; _ext=1', /"_ext" is not an extension field name/],
      ['v=STSv1; id=1; -ext=1', /"-ext" is not an extension field name/],
      ['v=STSv1; id=1; ' + `${'a'.repeat(33)}=v`, /is not an extension field name/],
      ['v=STSv1; id=1; e xt=1', /is not an extension field name/],
      ['v=STSv1; id=1; ext=', /the value must be 1 or more visible characters/],
      ['v=STSv1; id=1; ext=a b', /the value must be 1 or more visible characters/],
      ['v=STSv1; id=1; ext=a=b', /the value must be 1 or more visible characters/],
      ['v=STSv1; id=1; ext=caf\u00e9', /the value must be 1 or more visible characters/],
      ['v=STSv1; id = 1', /"id " is not an extension field name/],
      ['v=STSv1; id=1;; ext=1', /an empty field/],
      ['v=STSv1; id=1 ', /white space after the last field/],
      ['v=STSv1 id=1', /must be followed by ";"/],
      ['v=STSv1', /no field follows/],
      ['v=STSv1; id=1; junk', /is not a name=value field/],
      ['v=STSv1; id=1; id=2', /id= appears more than once/],
      [' v=STSv1; id=1', /must begin with exactly "v=STSv1"/],
      ['v=STSv1; ID=1', /the required id= field is missing/],
    ];
    for (const [rec, why] of bad) expect(parseMtaStsTxt(rec).errors.join(' | '), rec).toMatch(why);
  });

  it('discovery: a record with such extensions is found, not invalid', async () => {
    const d = await discoverMtaSts('example.com', fakeDns({ '_mta-sts.example.com': ['v=STSv1; id=20160831085700Z; x-report.to=ops_team'] }));
    expect(d.status).toBe('found');
    expect(d.parsed?.extensions).toEqual({ 'x-report.to': 'ops_team' });
  });

  it('policy extension fields follow the same name grammar (RFC 8461 §3.2)', () => {
    const ok = parseMtaStsPolicy(`${GOOD}x-vendor.note_1: kept as is, spaces inside\r\n`);
    expect(ok.errors).toEqual([]);
    expect(ok.unknownKeys).toEqual(['x-vendor.note_1']);
    expect(parseMtaStsPolicy(`${GOOD}_bad: 1\r\n`).errors).toEqual([expect.stringMatching(/"_bad" is not a field name/)]);
    expect(parseMtaStsPolicy(`${GOOD}ext: a\tb\r\n`).errors).toEqual([expect.stringMatching(/ext: the value must be visible characters/)]);
  });
});

describe('MTA-STS policy', () => {
  it('parses a good policy with CRLF or LF', () => {
    const p = parseMtaStsPolicy(GOOD);
    expect(p).toMatchObject({ version: 'STSv1', mode: 'enforce', maxAge: 604800, mx: ['mx1.example.com', '*.backup.example.net'], errors: [], warnings: [] });
    expect(parseMtaStsPolicy(GOOD.replace(/\r\n/g, '\n'))).toEqual(p);
  });
  it('validates every field', () => {
    expect(parseMtaStsPolicy('version: STSv2\nmode: on\nmax_age: 31557601\nmx: *.*.example.com\nmx: mx.*.example.com').errors).toHaveLength(5);
    expect(parseMtaStsPolicy('mode: enforce').errors).toEqual([
      'the required "version" field is missing',
      'the required "max_age" field is missing',
      'no "mx" field: one is required unless mode is none',
    ]);
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400').errors).toEqual([]);
    expect(parseMtaStsPolicy('version: STSv1\ngarbage line').errors[0]).toMatch(/line 2/);
    expect(parseMtaStsPolicy('x'.repeat(65 * 1024)).errors[0]).toMatch(/64 KiB/);
  });
  it('notes tolerated problems', () => {
    const p = parseMtaStsPolicy('mode: testing\nversion: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx.example.com\nfoo: bar');
    expect(p.mode).toBe('testing');
    expect(p.warnings).toHaveLength(2);
    expect(p.unknownKeys).toEqual(['foo']);
  });
  it('wildcards cover exactly one leftmost label', () => {
    expect(mxMatchesPattern('a.example.com', '*.example.com')).toBe(true);
    expect(mxMatchesPattern('A.Example.com.', '*.example.com')).toBe(true);
    expect(mxMatchesPattern('example.com', '*.example.com')).toBe(false);
    expect(mxMatchesPattern('a.b.example.com', '*.example.com')).toBe(false);
    expect(mxMatchesPattern('mx.example.com', 'mx.example.com')).toBe(true);
    expect(isMxPattern('*.example.com')).toBe(true);
    expect(isMxPattern('mx*.example.com')).toBe(false);
    expect(matchMxHosts(['*.example.com'], ['a.example.com', 'mx.other.net', 'mx.other.net'])).toEqual({
      matched: [{ host: 'a.example.com', pattern: '*.example.com' }],
      unmatched: ['mx.other.net'],
    });
  });
});

describe('analyseMtaStsPolicy + checkMtaSts', () => {
  it('a good policy covering every MX has no findings', async () => {
    const a = analyseMtaStsPolicy(resp(GOOD), ['mx1.example.com.', 'b.backup.example.net']);
    expect(a.valid).toBe(true);
    expect(a.mxMatch?.unmatched).toEqual([]);
    const d = await found();
    expect(checkMtaSts(d, a)).toEqual([]);
    expect(mtaStsReport(d, a)).toEqual({ status: 'found', mode: 'enforce', maxAge: 604800, mx: ['mx1.example.com', '*.backup.example.net'] });
  });
  it('MX hosts outside the policy: high in enforce, medium in testing', async () => {
    const d = await found();
    const enforce = checkMtaSts(d, analyseMtaStsPolicy(resp(GOOD), ['mx1.example.com', 'mx2.example.com']));
    expect(enforce.map((f) => [f.id, f.severity])).toEqual([['email.mta-sts.mx-mismatch', 'high']]);
    expect(enforce[0]?.evidence['unmatched']).toEqual(['mx2.example.com']);
    const testing = checkMtaSts(d, analyseMtaStsPolicy(resp(GOOD.replace('enforce', 'testing')), ['mx9.example.org']));
    expect(testing.map((f) => [f.id, f.severity])).toEqual([
      ['email.mta-sts.testing', 'low'],
      ['email.mta-sts.mx-mismatch', 'medium'],
    ]);
  });
  it('short max_age, mode none, notes', async () => {
    const d = await found();
    const f = checkMtaSts(d, analyseMtaStsPolicy(resp('version: STSv1\nmode: enforce\nmax_age: 3600\nmx: mx1.example.com\nfoo: 1'), ['mx1.example.com']));
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['email.mta-sts.policy-notes', 'info'],
      ['email.mta-sts.max-age-short', 'low'],
    ]);
    const none = checkMtaSts(d, analyseMtaStsPolicy(resp('version: STSv1\nmode: none\nmax_age: 60'), []));
    expect(none.map((x) => [x.id, x.severity])).toEqual([['email.mta-sts.mode-none', 'low']]);
  });
  it('HTTP problems: redirect, 404, wrong URL, content type', async () => {
    const d = await found();
    const redirect = analyseMtaStsPolicy(resp('', { status: 301 }), []);
    expect(redirect.valid).toBe(false);
    expect(redirect.unavailable[0]).toMatch(/redirects/);
    expect(checkMtaSts(d, redirect).map((x) => [x.id, x.severity])).toEqual([['email.mta-sts.policy-unavailable', 'medium']]);
    expect(mtaStsReport(d, redirect).status).toBe('invalid');
    expect(analyseMtaStsPolicy(resp('', { status: 404 }), []).unavailable).toEqual(['HTTP 404 instead of 200']);
    expect(analyseMtaStsPolicy(resp(GOOD, { url: 'http://example.com/mta-sts.txt' }), []).unavailable).toHaveLength(3);
    const ct = analyseMtaStsPolicy(resp(GOOD, { contentType: 'text/html' }), ['mx1.example.com']);
    expect(ct.valid).toBe(true);
    expect(checkMtaSts(d, ct).map((x) => [x.id, x.severity])).toEqual([['email.mta-sts.policy-content-type', 'low']]);
    expect(analyseMtaStsPolicy(resp(GOOD, { contentType: null }), []).contentTypeProblem).toMatch(/no Content-Type/);
  });
  it('an invalid policy body', async () => {
    const d = await found();
    const a = analyseMtaStsPolicy(resp('version: STSv1\nmode: enforce'), ['mx1.example.com']);
    expect(a.valid).toBe(false);
    expect(a.mxMatch).toBeNull();
    expect(checkMtaSts(d, a).map((x) => [x.id, x.severity])).toEqual([['email.mta-sts.policy-invalid', 'medium']]);
  });
  it('fetch errors: untested unless the probe says they are definite', async () => {
    const d = await found();
    expect(checkMtaSts(d, { error: 'connect timeout' }).map((x) => [x.id, x.severity])).toEqual([['email.mta-sts.policy.untested', 'info']]);
    expect(mtaStsReport(d, { error: 'connect timeout' }).status).toBe('error');
    expect(checkMtaSts(d, { error: 'certificate has expired', definite: true }).map((x) => x.id)).toEqual(['email.mta-sts.policy-unavailable']);
    expect(checkMtaSts(d, null)).toEqual([]);
    expect(mtaStsPolicyUrl('Example.COM.')).toBe(URL_OK);
  });
  it('finding ids use the email.mta-sts prefix and cite RFC 8461', async () => {
    const d = await found();
    const f = checkMtaSts(d, analyseMtaStsPolicy(resp(GOOD.replace('enforce', 'testing')), ['zz.example.com']));
    expect(ids(f).every((i) => i.startsWith('email.mta-sts.'))).toBe(true);
    expect(f.every((x) => x.references.some((r) => r.startsWith('RFC 8461')))).toBe(true);
    expect(f.every((x) => Value.Check(FindingSchema, withSubject(x, 'domain:example.com')))).toBe(true);
    expect(Value.Check(EmailResultSchema.properties.mtaSts, mtaStsReport(d, { error: 'x' }))).toBe(true);
  });
});
