import { describe, expect, it } from 'vitest';
import { checkEmailRecords, evaluateDmarc, evaluateSpf } from '../../probes/email-records.js';
import type { LookupResult } from '../../src/net/dns/types.js';

const txt = (...texts: string[]): LookupResult => ({
  status: 'ok',
  authenticated: false,
  server: '127.0.0.1:53',
  transport: 'udp',
  records: texts.map((text) => ({ type: 'TXT', name: 'example.com', ttl: 300, strings: [text], text })),
});
const servfail: LookupResult = { status: 'error', reason: 'server failure (SERVFAIL)', rcode: 'SERVFAIL' };
const nxdomain: LookupResult = { status: 'nxdomain', authenticated: false, server: '127.0.0.1:53', transport: 'udp' };

describe('SPF record', () => {
  it('finds exactly one record among other TXT records and reads its all qualifier', () => {
    const spf = evaluateSpf(txt('google-site-verification=abc', 'v=spf1 mx ip4:192.0.2.0/24 include:_spf.example.net -all'));
    expect(spf).toMatchObject({ status: 'found', all: '-all', errors: [] });
  });
  it('defaults a bare all to +all', () => {
    expect(evaluateSpf(txt('v=spf1 a all')).all).toBe('+all');
  });
  it('flags two records as multiple (permerror)', () => {
    expect(evaluateSpf(txt('v=spf1 -all', 'v=spf1 mx -all')).status).toBe('multiple');
  });
  it('reports malformed terms', () => {
    const spf = evaluateSpf(txt('v=spf1 ip4:300.1 mx -all bogus'));
    expect(spf.status).toBe('invalid');
    expect(spf.errors.join()).toContain('bogus');
  });
  it('does not mistake v=spf10 for SPF', () => {
    expect(evaluateSpf(txt('v=spf10 -all')).status).toBe('missing');
  });
  it('a DNS failure is "error", never "missing"', () => {
    expect(evaluateSpf(servfail)).toMatchObject({ status: 'error', reason: 'server failure (SERVFAIL)' });
    expect(evaluateSpf(nxdomain).status).toBe('missing');
  });
});

describe('DMARC record', () => {
  it('parses policy, subdomain policy, pct and rua', () => {
    const d = evaluateDmarc(txt('v=DMARC1; p=quarantine; sp=reject; pct=50; rua=mailto:a@example.com,mailto:b@example.net'));
    expect(d).toMatchObject({
      status: 'found', policy: 'quarantine', subdomainPolicy: 'reject', pct: 50,
      rua: ['mailto:a@example.com', 'mailto:b@example.net'],
    });
  });
  it('sp defaults to p, pct to 100', () => {
    expect(evaluateDmarc(txt('v=DMARC1; p=reject'))).toMatchObject({ subdomainPolicy: 'reject', pct: 100 });
  });
  it('an invalid p is invalid', () => {
    expect(evaluateDmarc(txt('v=DMARC1; p=block')).status).toBe('invalid');
  });
  it('DNS failure is error', () => {
    expect(evaluateDmarc(servfail).status).toBe('error');
  });
});

describe('checkEmailRecords', () => {
  const base = { domain: 'example.com', mx: [], mxError: null };
  it('missing SPF and DMARC are findings; a DNS error is not', () => {
    const ids = checkEmailRecords({ ...base, spf: evaluateSpf(txt()), dmarc: evaluateDmarc(nxdomain) }).map((f) => f.id);
    expect(ids).toEqual(['email.spf.missing', 'email.dmarc.missing']);
    expect(checkEmailRecords({ ...base, spf: evaluateSpf(servfail), dmarc: evaluateDmarc(servfail) })).toEqual([]);
  });
  it('+all is high, p=none is low', () => {
    const f = checkEmailRecords({ ...base, spf: evaluateSpf(txt('v=spf1 +all')), dmarc: evaluateDmarc(txt('v=DMARC1; p=none')) });
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['email.spf.permissive-all', 'high'],
      ['email.dmarc.policy-none', 'low'],
    ]);
  });
  it('a strict configuration has no findings', () => {
    expect(checkEmailRecords({ ...base, spf: evaluateSpf(txt('v=spf1 mx -all')), dmarc: evaluateDmarc(txt('v=DMARC1; p=reject')) })).toEqual([]);
  });
});
