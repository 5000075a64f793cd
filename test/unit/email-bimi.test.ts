import { describe, expect, it } from 'vitest';
import { bimiDmarcEligibility, checkBimi, checkBimiDmarc, discoverBimi, parseBimiRecord } from '../../src/email/bimi.js';
import { discoverDmarc } from '../../src/email/dmarc.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import type { LookupResult } from '../../src/net/dns/types.js';

function fakeDns(zone: Record<string, string[] | 'servfail'>): TxtLookup & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string): Promise<LookupResult> => {
    calls.push(name);
    const meta = { authenticated: false, server: '127.0.0.1:53', transport: 'udp' as const };
    const v = zone[name];
    if (v === undefined) return { status: 'nxdomain', ...meta };
    if (v === 'servfail') return { status: 'error', reason: 'timed out' };
    return { status: 'ok', ...meta, records: v.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) };
  };
  return Object.assign(fn, { calls });
}
const GOOD = 'v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem';
const dmarc = (record: string) => discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': [record] }), { checkAuthorization: false });

describe('BIMI record', () => {
  it('parses l= and a=', () => {
    expect(parseBimiRecord(GOOD)).toMatchObject({
      location: 'https://example.com/logo.svg',
      authority: 'https://example.com/vmc.pem',
      declined: false,
      errors: [],
      warnings: [],
    });
  });
  it('requires https and v=BIMI1 first; notes odd file types and unknown tags', () => {
    expect(parseBimiRecord('v=BIMI1; l=http://example.com/logo.svg').errors[0]).toMatch(/https/);
    expect(parseBimiRecord('v=BIMI1; l=not a url').errors[0]).toMatch(/not a URL/);
    expect(parseBimiRecord('l=https://example.com/logo.svg; v=BIMI1').errors).toHaveLength(1);
    expect(parseBimiRecord('v=BIMI1; a=https://example.com/vmc.pem').errors[0]).toMatch(/l= tag is missing/);
    const r = parseBimiRecord('v=BIMI1; l=https://example.com/logo.png; zz=1; avp=odd');
    expect(r.warnings).toHaveLength(2);
    expect(r.unknownTags).toEqual(['zz']);
  });
  it('an empty l= without a= declines', () => {
    expect(parseBimiRecord('v=BIMI1; l=;').declined).toBe(true);
    expect(parseBimiRecord('v=BIMI1; l=; a=;').declined).toBe(true);
  });
});

describe('discoverBimi + checkBimi', () => {
  it('found with VMC: no findings', async () => {
    const d = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': [GOOD] }));
    expect(d).toMatchObject({ status: 'found', inherited: false });
    expect(checkBimi(d)).toEqual([]);
  });
  it('falls back to the organisational domain', async () => {
    const dns = fakeDns({ 'default._bimi.example.com': [GOOD] });
    const d = await discoverBimi('news.example.com', dns);
    expect(dns.calls).toEqual(['default._bimi.news.example.com', 'default._bimi.example.com']);
    expect(d).toMatchObject({ status: 'found', inherited: true, name: 'default._bimi.example.com' });
  });
  it('missing, error, multiple, invalid', async () => {
    const missing = await discoverBimi('example.com', fakeDns({}));
    expect(checkBimi(missing).map((f) => [f.id, f.severity])).toEqual([['email.bimi.missing', 'info']]);
    const error = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': 'servfail' }));
    expect(error.status).toBe('error');
    expect(checkBimi(error).map((f) => [f.id, f.severity])).toEqual([['email.bimi.untested', 'info']]);
    const multiple = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': [GOOD, GOOD] }));
    expect(checkBimi(multiple).map((f) => [f.id, f.severity])).toEqual([['email.bimi.multiple', 'low']]);
    const invalid = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': ['v=BIMI1; l=http://x.example.com/a.svg'] }));
    expect(checkBimi(invalid).map((f) => [f.id, f.severity])).toEqual([['email.bimi.invalid', 'low']]);
  });
  it('declined, no a=, notes; custom selector', async () => {
    const declined = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': ['v=BIMI1; l=;'] }));
    expect(checkBimi(declined).map((f) => [f.id, f.severity])).toEqual([['email.bimi.declined', 'info']]);
    const noA = await discoverBimi('example.com', fakeDns({ 'brand._bimi.example.com': ['v=BIMI1; l=https://example.com/logo.png'] }), { selector: 'brand' });
    expect(checkBimi(noA).map((f) => [f.id, f.severity])).toEqual([
      ['email.bimi.no-authority', 'info'],
      ['email.bimi.notes', 'info'],
    ]);
  });
});

describe('BIMI needs DMARC enforcement', () => {
  const bimiFound = () => discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': [GOOD] }));
  it('p=reject (or quarantine) at 100% is eligible', async () => {
    expect(checkBimiDmarc(await bimiFound(), await dmarc('v=DMARC1; p=reject'))).toEqual([]);
    expect(bimiDmarcEligibility(await dmarc('v=DMARC1; p=quarantine; pct=100')).eligible).toBe(true);
  });
  it('p=none, pct<100, sp=none, t=y and no DMARC are not', async () => {
    const f = checkBimiDmarc(await bimiFound(), await dmarc('v=DMARC1; p=none'));
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.bimi.dmarc-not-enforced', 'low']]);
    expect(bimiDmarcEligibility(await dmarc('v=DMARC1; p=reject; pct=50; sp=none; t=y')).problems).toHaveLength(3);
    const none = await discoverDmarc('example.com', fakeDns({}));
    expect(bimiDmarcEligibility(none)).toMatchObject({ eligible: false });
  });
  it('a DMARC lookup failure makes the cross-check untested; no BIMI logo → no cross-check', async () => {
    const broken = await discoverDmarc('example.com', fakeDns({ '_dmarc.example.com': 'servfail' }));
    expect(checkBimiDmarc(await bimiFound(), broken).map((x) => [x.id, x.severity])).toEqual([['email.bimi.dmarc.untested', 'info']]);
    const declined = await discoverBimi('example.com', fakeDns({ 'default._bimi.example.com': ['v=BIMI1; l='] }));
    expect(checkBimiDmarc(declined, await dmarc('v=DMARC1; p=none'))).toEqual([]);
  });
});
