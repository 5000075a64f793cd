import { describe, expect, it } from 'vitest';
import {
  assessDnssec,
  dnssecFindings,
  dnssecVerdict,
  dsDigest,
  dsMatchesDnskey,
  keyTag,
  type DnssecQuery,
  type DnssecQueryOptions,
} from '../../src/email/dnssec.js';
import type { DnsRecord, LookupResult, RecordType } from '../../src/net/dns/types.js';

// RFC 4034 §5.4: the DNSKEY of dskey.example.com and its SHA-1 DS.
const RFC4034_KEY =
  'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==';
// From knot 3.2 (keymgr signed.test. dnskey / ds): an ECDSAP256SHA256 CSK and its SHA-256 and SHA-384 DS.
const KNOT_KEY = 'EgzVgY1C9UFvrc8LihyJazhCIHC8BHDvwg4riiG4xZLB0upwzzoNs95VwxM/Vay9DHafbloPpHYll+v3NFGDBg==';

describe('key tags and DS digests', () => {
  it('match RFC 4034 §5.4 and knot', () => {
    expect(keyTag(256, 5, Buffer.from(RFC4034_KEY, 'base64'))).toBe(60485);
    expect(dsDigest('dskey.example.com', { flags: 256, algorithm: 5, key: RFC4034_KEY }, 1)).toBe('2bb183af5f22588179a53b0a98631fad1a292118');
    expect(keyTag(257, 13, Buffer.from(KNOT_KEY, 'base64'))).toBe(42219);
    expect(dsDigest('Signed.Test.', { flags: 257, algorithm: 13, key: KNOT_KEY }, 2)).toBe('7aa485fc86694b6cb400d906f7256f2fe77a8ac69e9ef7c6c083516525af517b');
    expect(dsDigest('signed.test', { flags: 257, algorithm: 13, key: KNOT_KEY }, 4)).toBe(
      'b62a172ba84a1abdfc7bffbaf41a2832d4b4a51c736cfbbe138341e8b6072a664461749168e99cf19621954b9f8bc6ff',
    );
    expect(dsDigest('signed.test', { flags: 257, algorithm: 13, key: KNOT_KEY }, 3)).toBeNull();
  });
  it('dsMatchesDnskey: a match, a mismatch, nothing checkable', () => {
    const key = { flags: 257, algorithm: 13, keyTag: 42219, key: KNOT_KEY };
    const ds = { keyTag: 42219, algorithm: 13, digestType: 2, digest: '7aa485fc86694b6cb400d906f7256f2fe77a8ac69e9ef7c6c083516525af517b' };
    expect(dsMatchesDnskey('signed.test', [ds], [key])).toBe(true);
    expect(dsMatchesDnskey('other.test', [ds], [key])).toBe(false);
    expect(dsMatchesDnskey('signed.test', [{ ...ds, digestType: 3 }], [key])).toBeNull();
    // A key without the zone-key flag does not count.
    expect(dsMatchesDnskey('signed.test', [ds], [{ ...key, flags: 1 }])).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake resolver: answers per "name|TYPE", separately for CD queries; counts every question.

type Answer = LookupResult | (() => LookupResult);
const meta = { server: 'fake', transport: 'udp' as const };
const ok = (records: DnsRecord[], ad: boolean): LookupResult => ({ status: 'ok', records, authenticated: ad, ...meta });
const nodata = (ad: boolean): LookupResult => ({ status: 'nodata', authenticated: ad, ...meta });
const servfail: LookupResult = { status: 'error', reason: 'fake answered SERVFAIL over UDP', rcode: 'SERVFAIL' };
const timeout: LookupResult = { status: 'error', reason: 'timeout: no response from fake after 2 attempt(s) of 2000 ms' };

const soa = (zone: string): DnsRecord => ({ type: 'SOA', name: zone, ttl: 300, mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, minimum: 300 });
const mx = (name: string, host: string): DnsRecord => ({ type: 'MX', name, ttl: 300, preference: 10, exchange: host });
const a = (name: string): DnsRecord => ({ type: 'A', name, ttl: 300, address: '192.0.2.1' });
const dnskey = (name: string, algorithm = 13, key = KNOT_KEY, flags = 257): DnsRecord => ({ type: 'DNSKEY', name, ttl: 300, flags, algorithm, key });
function dsFor(name: string, algorithm = 13, key = KNOT_KEY, digestType = 2): DnsRecord {
  const digest = dsDigest(name, { flags: 257, algorithm, key }, digestType)!;
  return { type: 'DS', name, ttl: 300, keyTag: keyTag(257, algorithm, Buffer.from(key, 'base64')), algorithm, digestType, digest };
}

function fakeResolver(answers: Record<string, Answer>, cdAnswers: Record<string, Answer> = {}) {
  const asked: string[] = [];
  const query: DnssecQuery = async (name: string, type: RecordType, opts: DnssecQueryOptions) => {
    expect(opts.dnssecOk).toBe(true);
    const key = `${name}|${type}`;
    asked.push(opts.checkingDisabled ? `${key}+cd` : key);
    const found = (opts.checkingDisabled ? cdAnswers[key] : undefined) ?? answers[key];
    if (found === undefined) return { status: 'nxdomain', authenticated: false, ...meta };
    return typeof found === 'function' ? found() : found;
  };
  return { query, asked };
}

/** A signed, securely delegated zone `zone` with MX → mx.<zone>, every answer with AD = `ad`. */
function signedZone(zone: string, ad: boolean, opts: { algorithm?: number; key?: string; digestType?: number } = {}): Record<string, Answer> {
  const alg = opts.algorithm ?? 13;
  const key = opts.key ?? KNOT_KEY;
  return {
    [`${zone}|SOA`]: ok([soa(zone)], ad),
    [`${zone}|DNSKEY`]: ok([dnskey(zone, alg, key)], ad),
    [`${zone}|DS`]: ok([dsFor(zone, alg, key, opts.digestType ?? 2)], ad),
    [`${zone}|MX`]: ok([mx(zone, `mx.${zone}`)], ad),
    [`mx.${zone}|SOA`]: nodata(ad),
    [`mx.${zone}|A`]: ok([a(`mx.${zone}`)], ad),
  };
}

function unsignedZone(zone: string, dsAd = true): Record<string, Answer> {
  return {
    [`${zone}|SOA`]: ok([soa(zone)], false),
    [`${zone}|DNSKEY`]: nodata(false),
    [`${zone}|DS`]: nodata(dsAd),
    [`${zone}|MX`]: ok([mx(zone, `mx.${zone}`)], false),
    [`mx.${zone}|SOA`]: nodata(false),
    [`mx.${zone}|A`]: ok([a(`mx.${zone}`)], false),
  };
}

async function judge(domain: string, answers: Record<string, Answer>, opts: { mxHosts?: string[]; cd?: Record<string, Answer> } = {}) {
  const r = fakeResolver(answers, opts.cd);
  const evidence = await assessDnssec(domain, r.query, { mxHosts: opts.mxHosts, checkingDisabled: opts.cd !== undefined });
  const verdict = dnssecVerdict(evidence);
  const findings = dnssecFindings(verdict);
  return { evidence, verdict, findings, ids: findings.map((f) => [f.id, f.severity]), asked: r.asked };
}

describe('dnssecVerdict', () => {
  it('signed, delegated and validated: secure', async () => {
    const { verdict, ids, asked } = await judge('example.com', signedZone('example.com', true));
    expect(verdict).toMatchObject({ status: 'secure', zone: 'example.com', signed: true, delegated: true, validated: true, algorithms: [13], bogus: false, resolverValidates: true, mailDomain: true });
    expect(ids).toEqual([['email.dnssec.valid', 'info']]);
    // No ancestor probe when AD was seen.
    expect(asked.sort()).toEqual(['example.com|DNSKEY', 'example.com|DS', 'example.com|MX', 'example.com|SOA']);
  });

  it('no DNSKEY: insecure; medium for a mail domain, low without MX', async () => {
    const mail = await judge('example.com', unsignedZone('example.com'));
    expect(mail.verdict).toMatchObject({ status: 'insecure', signed: false, delegated: false, validated: false });
    expect(mail.ids).toEqual([['email.dnssec.unsigned', 'medium']]);
    expect(mail.findings[0]!.detail).toMatch(/example\.com is not signed/);
    const noMail = await judge('example.com', { ...unsignedZone('example.com'), 'example.com|MX': nodata(false) });
    expect(noMail.ids).toEqual([['email.dnssec.unsigned', 'low']]);
    const nullMx = await judge('example.com', { ...unsignedZone('example.com'), 'example.com|MX': ok([mx('example.com', '.')], false) });
    expect(nullMx.verdict.mailDomain).toBe(false);
  });

  it('signed without DS in the parent: an island', async () => {
    const { verdict, ids } = await judge('example.com', { ...signedZone('example.com', false), 'example.com|DS': nodata(true) });
    expect(verdict).toMatchObject({ status: 'island', signed: true, delegated: false, validated: false });
    expect(verdict.reason).toMatch(/island/);
    expect(ids).toEqual([['email.dnssec.island', 'medium']]);
  });

  it('an island the resolver has a trust anchor for is still secure, and says why', async () => {
    const { verdict } = await judge('example.com', { ...signedZone('example.com', true), 'example.com|DS': nodata(false) });
    expect(verdict).toMatchObject({ status: 'secure', delegated: false });
    expect(verdict.reason).toMatch(/trust anchor/);
  });

  it('AD never set, not even on the root DNSKEY: the resolver does not validate (info, not a pass)', async () => {
    const { verdict, ids, asked } = await judge('example.com', {
      ...signedZone('example.com', false),
      'com|DNSKEY': ok([dnskey('com', 8)], false),
      '.|DNSKEY': ok([dnskey('.', 8)], false),
    });
    expect(verdict).toMatchObject({ status: 'unvalidated', signed: true, delegated: true, validated: false, resolverValidates: false });
    expect(verdict.reason).toMatch(/did not validate \(AD bit not set/);
    expect(ids).toEqual([['email.dnssec.not-validated', 'info']]);
    expect(asked).toContain('.|DNSKEY');
  });

  it('an ancestor validates but the DS does not: the chain of trust is broken above the zone', async () => {
    const { verdict, ids, evidence } = await judge('example.com', {
      ...signedZone('example.com', false),
      'com|DNSKEY': ok([dnskey('com', 8)], false),
      '.|DNSKEY': ok([dnskey('.', 8)], true),
    });
    expect(verdict).toMatchObject({ status: 'unvalidated', resolverValidates: true });
    expect(verdict.reason).toMatch(/validates \. but not the DS records of example\.com/);
    expect(ids).toEqual([['email.dnssec.not-validated', 'medium']]);
    expect(evidence.zones[0]!.ancestors.map((x) => x.name)).toEqual(['com', '.']);
  });

  it('the DS validates but the zone does not: an algorithm the resolver does not accept', async () => {
    const answers = { ...signedZone('example.com', false), 'example.com|DS': ok([dsFor('example.com')], true) };
    const { verdict } = await judge('example.com', answers);
    expect(verdict).toMatchObject({ status: 'unvalidated', resolverValidates: true });
    expect(verdict.reason).toMatch(/ECDSAP256SHA256 \(13\)/);
  });

  it('SERVFAIL with DO but an answer with CD: bogus (high)', async () => {
    const answers = { 'example.com|SOA': servfail, 'example.com|DNSKEY': servfail, 'example.com|DS': ok([dsFor('example.com')], true), 'example.com|MX': servfail };
    const cd = { 'example.com|SOA': ok([soa('example.com')], false), 'example.com|DNSKEY': ok([dnskey('example.com')], false), 'example.com|MX': ok([mx('example.com', 'mx.example.com')], false) };
    const { verdict, ids, asked } = await judge('example.com', answers, { cd });
    expect(verdict).toMatchObject({ status: 'bogus', bogus: true, signed: true, delegated: true, validated: false, algorithms: [13] });
    expect(verdict.reason).toMatch(/SERVFAIL to SOA example\.com, DNSKEY example\.com, MX example\.com.*CD/);
    expect(ids).toEqual([['email.dnssec.bogus', 'high']]);
    expect(asked).toContain('example.com|SOA+cd');
    expect(asked).not.toContain('example.com|DS+cd');
  });

  it('SERVFAIL without CD support: could not test, and the reason says why', async () => {
    const { verdict, findings, asked } = await judge('example.com', { 'example.com|SOA': servfail });
    expect(verdict).toMatchObject({ status: 'untested', signed: null, delegated: null, validated: null, bogus: false, zone: null });
    expect(verdict.reason).toMatch(/SERVFAIL.*validation failure or a server failure.*CD bit/);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['email.dnssec.untested', 'info']]);
    expect(findings[0]!.detail).toMatch(/^No verdict: SOA example\.com: fake answered SERVFAIL/);
    expect(asked).toEqual(['example.com|SOA']);
  });

  it('SERVFAIL with and without CD: a server failure, could not test', async () => {
    const { verdict } = await judge('example.com', { ...signedZone('example.com', true), 'example.com|DNSKEY': servfail }, { cd: { 'example.com|DNSKEY': servfail } });
    expect(verdict.status).toBe('untested');
    expect(verdict.reason).toMatch(/^DNSKEY example\.com: .*SERVFAIL.*; asked again with CD \(checking disabled\): .*SERVFAIL/);
  });

  it('a timeout is could not test, with the reason', async () => {
    const { verdict, ids } = await judge('example.com', { ...signedZone('example.com', true), 'example.com|DNSKEY': timeout });
    expect(verdict).toMatchObject({ status: 'untested', signed: null, delegated: true });
    expect(verdict.reason).toMatch(/^DNSKEY example\.com: timeout/);
    expect(ids).toEqual([['email.dnssec.untested', 'info']]);
    // Not validated and the DS lookup timed out: could not test.
    const ds = await judge('example.com', { ...signedZone('example.com', false), 'example.com|DS': timeout, 'com|DNSKEY': timeout });
    expect(ds.verdict).toMatchObject({ status: 'untested', signed: true, delegated: null });
    expect(ds.verdict.reason).toMatch(/^DS example\.com: timeout/);
  });

  it('validated answers are secure even when the DS lookup failed', async () => {
    const { verdict } = await judge('example.com', { ...signedZone('example.com', true), 'example.com|DS': timeout });
    expect(verdict).toMatchObject({ status: 'secure', delegated: null, validated: true });
  });

  it('a DS that matches no DNSKEY is bogus even through a non-validating resolver', async () => {
    const wrong = { ...(dsFor('example.com') as Extract<DnsRecord, { type: 'DS' }>) };
    wrong.digest = wrong.digest.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const { verdict, ids, asked } = await judge('example.com', { ...signedZone('example.com', false), 'example.com|DS': ok([wrong], false) });
    expect(verdict).toMatchObject({ status: 'bogus', bogus: true });
    expect(verdict.reason).toMatch(/no DS record of example\.com .* matches a DNSKEY/);
    expect(ids).toEqual([['email.dnssec.bogus', 'high']]);
    // The ancestor probe ran (nothing had AD), but the mismatch decides.
    expect(asked).toContain('com|DNSKEY');
  });

  it('a DS with no DNSKEY in the zone is bogus', async () => {
    const { verdict } = await judge('example.com', { ...unsignedZone('example.com'), 'example.com|DS': ok([dsFor('example.com')], false) });
    expect(verdict).toMatchObject({ status: 'bogus', signed: false, delegated: true });
  });

  it('finds the zone apex above a name that is not one', async () => {
    const answers = { ...signedZone('example.com', true), 'mail.example.com|SOA': nodata(true), 'mail.example.com|MX': ok([mx('mail.example.com', 'mx.example.com')], true) };
    const { verdict, evidence, asked } = await judge('mail.example.com', answers);
    expect(verdict).toMatchObject({ status: 'secure', name: 'mail.example.com', zone: 'example.com' });
    expect(evidence.zones[0]!.apexWalk.map((x) => x.name)).toEqual(['mail.example.com', 'example.com']);
    expect(asked).toContain('example.com|DNSKEY');
    expect(asked).not.toContain('mail.example.com|DNSKEY');
  });

  it('an SOA reached through a CNAME is not the apex of the name asked', async () => {
    const answers = { ...signedZone('example.com', true), 'www.example.com|SOA': ok([soa('example.net')], true), 'www.example.com|MX': nodata(true) };
    const { verdict } = await judge('www.example.com', answers);
    expect(verdict.zone).toBe('example.com');
  });
});

describe('weak algorithms', () => {
  it('RSASHA1 alone: medium; beside ECDSA: low; RSAMD5: medium; SHA-1 DS digest: low', async () => {
    const rsa = (await judge('example.com', signedZone('example.com', true, { algorithm: 5, key: RFC4034_KEY }))).findings;
    expect(rsa.map((f) => [f.id, f.severity])).toEqual([['email.dnssec.valid', 'info'], ['email.dnssec.weak-algorithm', 'medium']]);
    expect(rsa[1]!.detail).toMatch(/RSASHA1 \(5\).*RFC 9905/);

    const both = signedZone('example.com', true);
    both['example.com|DNSKEY'] = ok([dnskey('example.com'), dnskey('example.com', 5, RFC4034_KEY)], true);
    expect((await judge('example.com', both)).ids).toEqual([['email.dnssec.valid', 'info'], ['email.dnssec.weak-algorithm', 'low']]);

    const md5 = signedZone('example.com', false, { algorithm: 1, key: RFC4034_KEY });
    md5['com|DNSKEY'] = ok([dnskey('com', 8)], true);
    const md5Ids = (await judge('example.com', md5)).ids;
    expect(md5Ids).toContainEqual(['email.dnssec.weak-algorithm', 'medium']);

    const sha1Ds = (await judge('example.com', signedZone('example.com', true, { digestType: 1 }))).ids;
    expect(sha1Ds).toEqual([['email.dnssec.valid', 'info'], ['email.dnssec.weak-ds-digest', 'low']]);
  });
});

describe('MX hosts', () => {
  it('each MX host zone is judged; problems are grouped; the domain zone is not repeated', async () => {
    const answers = {
      ...signedZone('example.com', true),
      ...unsignedZone('provider.net'),
      'mx1.provider.net|SOA': nodata(false),
      'mx1.provider.net|A': ok([a('mx1.provider.net')], false),
      'mx2.provider.net|SOA': nodata(false),
      'mx2.provider.net|A': ok([a('mx2.provider.net')], false),
      'mx.broken.org|SOA': servfail,
    };
    const cd = { 'mx.broken.org|SOA': nodata(false), 'broken.org|SOA': ok([soa('broken.org')], false) };
    const { verdict, ids, asked, findings } = await judge('example.com', { ...answers, 'broken.org|SOA': servfail }, { mxHosts: ['mx.example.com', 'MX1.provider.net.', 'mx2.provider.net', 'mx.broken.org'], cd });
    expect(verdict.status).toBe('secure');
    expect(verdict.mx.map((m) => [m.name, m.zone, m.status])).toEqual([
      ['mx.example.com', 'example.com', 'secure'],
      ['mx1.provider.net', 'provider.net', 'insecure'],
      ['mx2.provider.net', 'provider.net', 'insecure'],
      ['mx.broken.org', 'broken.org', 'bogus'],
    ]);
    expect(ids).toEqual([
      ['email.dnssec.valid', 'info'],
      ['email.dnssec.mx-bogus', 'high'],
      ['email.dnssec.mx-not-signed', 'low'],
    ]);
    expect(findings.find((f) => f.id === 'email.dnssec.mx-not-signed')!.detail).toMatch(/mx1\.provider\.net .*; mx2\.provider\.net/);
    // The shared zone was asked about once.
    expect(asked.filter((q) => q === 'provider.net|DNSKEY')).toHaveLength(1);
  });

  it('an MX host whose lookups fail is could not test, per host', async () => {
    const { ids, findings } = await judge('example.com', { ...signedZone('example.com', true), 'mx.other.net|SOA': timeout }, { mxHosts: ['mx.other.net'] });
    expect(ids).toEqual([['email.dnssec.valid', 'info'], ['email.dnssec.mx.untested', 'info']]);
    expect(findings[1]!.detail).toMatch(/mx\.other\.net \(SOA mx\.other\.net: timeout/);
  });
});

describe('robustness', () => {
  it('an aborted signal or a throwing query function is could not test, never a throw', async () => {
    const ac = new AbortController();
    ac.abort();
    const ev = await assessDnssec('example.com', fakeResolver({}).query, { signal: ac.signal });
    expect(dnssecVerdict(ev)).toMatchObject({ status: 'untested', reason: 'SOA example.com: aborted' });
    const throwing: DnssecQuery = () => Promise.reject(new Error('boom'));
    expect(dnssecVerdict(await assessDnssec('example.com', throwing))).toMatchObject({ status: 'untested', reason: 'SOA example.com: boom' });
  });
  it('every finding id is schema-shaped', async () => {
    const { findings } = await judge('example.com', unsignedZone('example.com'), { mxHosts: ['mx.example.com'] });
    for (const f of findings) expect(f.id).toMatch(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/);
  });
});
