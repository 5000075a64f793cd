import { describe, expect, it } from 'vitest';
import { parseSpfRecord, selectSpfRecord, isSpfRecordText } from '../../src/email/spf/parse.js';
import { expandDomainSpec, expandExplanation, parseMacroString, type MacroContext } from '../../src/email/spf/macro.js';
import { toClientIp } from '../../src/email/spf/ip.js';
import { checkHost } from '../../src/email/spf/evaluate.js';
import { createMemoryDns } from '../../src/email/spf/dns.js';

describe('SPF record selection (RFC 7208 §4.5)', () => {
  it('takes exactly one v=spf1 record, case-insensitively, ended by a space or the end', () => {
    expect(isSpfRecordText('V=SpF1 -all')).toBe(true);
    expect(isSpfRecordText('v=spf1')).toBe(true);
    expect(isSpfRecordText('v=spf10 -all')).toBe(false);
    expect(isSpfRecordText(' v=spf1 -all')).toBe(false);
    expect(selectSpfRecord(['x', 'v=spf1 -all'])).toEqual({ status: 'one', record: 'v=spf1 -all' });
    expect(selectSpfRecord(['v=spf1 -all', 'v=spf1 -all'])).toMatchObject({ status: 'multiple' });
    expect(selectSpfRecord(['v=spf10'])).toEqual({ status: 'none' });
  });
});

describe('parseSpfRecord', () => {
  it('parses terms with qualifiers, positions and dual CIDR', () => {
    const r = parseSpfRecord('v=spf1  -a:mail.example.com/24//64 ~mx ip6:2001:db8::/32 include:_spf.example.net  exp=why.%{d} foo=bar ?all ');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = r.record.terms;
    expect(t.map((x) => [x.text, x.position])).toEqual([
      ['-a:mail.example.com/24//64', 8],
      ['~mx', 35],
      ['ip6:2001:db8::/32', 39],
      ['include:_spf.example.net', 57],
      ['exp=why.%{d}', 83],
      ['foo=bar', 96],
      ['?all', 104],
    ]);
    expect(t[0]).toMatchObject({ kind: 'a', qualifier: '-', domainSpec: 'mail.example.com', cidr4: 24, cidr6: 64 });
    expect(t[1]).toMatchObject({ kind: 'mx', qualifier: '~', domainSpec: undefined });
    expect(r.record.exp?.value).toBe('why.%{d}');
    expect(r.record.unknownModifiers.map((m) => m.name)).toEqual(['foo']);
  });

  it.each([
    ['v=spf1 ip4:1.2.3.4 -all moo', 'moo'],
    ['v=spf1 -all.', '-all.'],
    ['v=spf1 a/33', 'a/33'],
    ['v=spf1 a//129', 'a//129'],
    ['v=spf1 ip4:1.2.3.4/032', 'ip4:1.2.3.4/032'],
    ['v=spf1 ip4:01.2.3.4', 'ip4:01.2.3.4'],
    ['v=spf1 ip6::CAFE::BABE', 'ip6::CAFE::BABE'],
    ['v=spf1 include:', 'include:'],
    ['v=spf1 a:museum', 'a:museum'],
    ['v=spf1 a:abc.123', 'a:abc.123'],
    ['v=spf1 exists:%{x}.example.com', 'exists:%{x}.example.com'],
    ['v=spf1 exists:%{d0}.example.com', 'exists:%{d0}.example.com'],
    ['v=spf1 a:%{r}.example.com', 'a:%{r}.example.com'],
    ['v=spf1 1up=foo', '1up=foo'],
    ['v=spf1 redirect=-all', 'redirect=-all'],
    ['v=spf1 a:ctrl.example.com\rptr', 'a:ctrl.example.com\rptr'],
    ['v=spf1 a:caf\u00e9.example.com', 'a:caf\u00e9.example.com'],
  ])('rejects %j naming the term', (record, term) => {
    const r = parseSpfRecord(record);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.term).toBe(term);
  });

  it('rejects duplicate redirect= and exp=', () => {
    expect(parseSpfRecord('v=spf1 redirect=a.example.com redirect=b.example.com')).toMatchObject({ ok: false, term: 'redirect=b.example.com' });
    expect(parseSpfRecord('v=spf1 exp=a.example.com EXP=b.example.com')).toMatchObject({ ok: false, term: 'EXP=b.example.com' });
  });

  it('accepts the grammar corners', () => {
    for (const rec of [
      'v=spf1 a:foo:bar/baz.example.com',
      'v=spf1 a:foo.example.xn--zckzah',
      'v=spf1 a:%{H}',
      'v=spf1 include:o.spf.example.com.',
      'v=spf1 moo.cow-far_out=man:dog/cat',
      'v=spf1 default=+',
      'v=spf1 ip6:::1.1.1.1/0',
      'v=spf1',
    ]) {
      expect(parseSpfRecord(rec).ok, rec).toBe(true);
    }
  });

  it('is bounded', () => {
    expect(parseSpfRecord(`v=spf1 ${'a '.repeat(600)}`)).toMatchObject({ ok: false, error: 'record has more than 512 terms' });
    expect(parseSpfRecord(`v=spf1 ${'x'.repeat(9000)}`)).toMatchObject({ ok: false });
  });
});

describe('macro expansion (RFC 7208 §7.4 examples)', () => {
  const ctx = (ip: string): MacroContext => ({
    sender: 'strong-bad@email.example.com',
    localPart: 'strong-bad',
    senderDomain: 'email.example.com',
    domain: 'email.example.com',
    ip: toClientIp(ip)!,
    helo: 'mx.example.org',
  });
  it.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
  ])('%s', async (spec, expected) => {
    expect(await expandDomainSpec(spec, ctx('192.0.2.3'))).toBe(expected);
  });

  it('IPv6 %{ir} (nibbles; case is not fixed by the RFC, DNS ignores it)', async () => {
    const out = await expandDomainSpec('%{ir}.%{v}._spf.%{d2}', ctx('2001:db8::cb01'));
    expect(out.toLowerCase()).toBe('1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com');
  });

  it('escapes, URL-encoding, c/r/t only in explanations', async () => {
    expect(await expandDomainSpec('a%%b%_c%-d.example.com', ctx('192.0.2.3'))).toBe('a%b c%20d.example.com');
    const c = { ...ctx('2001:db8::cb01'), sender: '~jack&jill=up@example.com', localPart: '~jack&jill=up', receiver: 'mx.example.net', timestamp: 42 };
    expect(await expandExplanation('%{L} from %{c} at %{r} %{t}', c)).toBe('~jack%26jill%3Dup from 2001:db8::cb01 at mx.example.net 42');
    expect(parseMacroString('%{c}.example.com').ok).toBe(false);
    expect(await expandExplanation('bad %{x}', c)).toBeNull();
  });

  it('truncates expanded names over 253 characters from the left', async () => {
    const c = { ...ctx('192.0.2.3'), localPart: 'x'.repeat(60) };
    const out = await expandDomainSpec('%{l}.%{l}.%{l}.%{l}.%{l}.example.com', c);
    expect(out.length).toBeLessThanOrEqual(253);
    expect(out.endsWith('.example.com')).toBe(true);
  });
});

describe('checkHost extras', () => {
  const dns = createMemoryDns({
    'example.com': [{ type: 'TXT', strings: ['v=spf1 ip4:192.0.2.0/24 include:_t.example.com -all'] }],
    '_t.example.com': [{ type: 'TIMEOUT' }],
    'v6.example.com': [{ type: 'TXT', strings: ['v=spf1 ip6:2001:db8::/32 -all'] }],
  });

  it('reports the deciding mechanism and the counters', async () => {
    const r = await checkHost({ ip: '192.0.2.7', sender: 'a@example.com' }, dns);
    expect(r).toMatchObject({ result: 'pass', mechanism: 'ip4:192.0.2.0/24', lookups: 0, record: 'v=spf1 ip4:192.0.2.0/24 include:_t.example.com -all' });
  });

  it('a DNS timeout is temperror with the reason', async () => {
    const r = await checkHost({ ip: '198.51.100.1', sender: 'a@example.com' }, dns);
    expect(r.result).toBe('temperror');
    expect(r.reason).toMatch(/_t\.example\.com.*timeout/);
  });

  it('IPv4-mapped IPv6 clients are IPv4', async () => {
    expect((await checkHost({ ip: '::ffff:192.0.2.9', sender: 'a@example.com' }, dns)).result).toBe('pass');
    expect((await checkHost({ ip: '::ffff:192.0.2.9', sender: 'a@v6.example.com' }, dns)).result).toBe('fail');
    expect((await checkHost({ ip: '2001:db8::9', sender: 'a@v6.example.com' }, dns)).result).toBe('pass');
  });

  it('an aborted signal is temperror, not none', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await checkHost({ ip: '192.0.2.7', sender: 'a@example.com' }, dns, { signal: ac.signal });
    expect(r).toMatchObject({ result: 'temperror' });
  });
});
