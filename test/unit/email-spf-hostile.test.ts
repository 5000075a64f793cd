/**
 * SPF on hostile input: every parser is linear, inputs are capped where RFC 7208 (and the DNS)
 * bound them, and the lint and check_host() have a budget of DNS queries, terms and wall time
 * whose exhaustion is reported as such ("exceeds the lint budget of N …", "deadline reached"),
 * never as a DNS failure.
 *
 * The timing tests never assert an absolute time: they compare the cost of an input with the cost
 * of one ten times larger (linear: ~10×; the quadratic top-label regex this replaced was ~100×,
 * 40 ms for an 8 KB label and 4.4 s for 57.6 KB) and require less than 30× — measured as
 * test/helpers/growth.ts does (interleaved, batched, best of 5, wall clock and CPU time), so that
 * neither timer noise on tiny inputs nor a loaded machine can fail them.
 */
import { describe, expect, it } from 'vitest';
import {
  checkDomainSpec,
  checkHost,
  createMemoryDns,
  finishDomain,
  isTopLabel,
  lintSpf,
  parseMacroString,
  parseSpfRecord,
  type MemoryRecord,
  type MemoryZone,
  type SpfDns,
} from '../../src/email/spf/index.js';
import { expectGrowthBelow } from '../helpers/growth.js';

const txt = (...strings: string[]): MemoryRecord => ({ type: 'TXT', strings });
/** A record as one TXT record of 255-byte strings. */
const record = (text: string): MemoryRecord => txt(...(text.match(/.{1,255}/gs) ?? ['']));

/** cost(large) < 30 × cost(small), where `large` is ten times the input of `small`. */
const expectLinear = (what: string, small: () => unknown, large: () => unknown): Promise<unknown> => expectGrowthBelow(what, 30, small, large);

describe('parsers are linear', () => {
  // A label that does not match until its last character: the worst case of a backtracking regex.
  const hostileLabel = (n: number) => `${'a'.repeat(n)}!`;

  it('top-label check: 8 KB vs 80 KB, 57.6 KB vs 576 KB', async () => {
    for (const n of [8_192, 57_600]) {
      const [a, b] = [hostileLabel(n), hostileLabel(10 * n)];
      await expectLinear(`isTopLabel ${n}`, () => isTopLabel(a), () => isTopLabel(b));
    }
    expect(isTopLabel(hostileLabel(576_000))).toBe(false);
    expect(isTopLabel('a'.repeat(576_000))).toBe(true);
  });

  it('top-label grammar (RFC 7208 §12) is unchanged', () => {
    for (const ok of ['com', 'c0m', '0com', 'x-y', '1-2', 'a--b', 'A1-b2']) expect(isTopLabel(ok), ok).toBe(true);
    for (const bad of ['', '123', '-com', 'com-', '-', 'co_m', 'co!m', 'co.m']) expect(isTopLabel(bad), bad).toBe(false);
  });

  it('checkDomainSpec: an 800 B vs 8 KB label, and a 576 KB one is refused at once', async () => {
    const spec = (n: number) => `x.${hostileLabel(n)}`;
    const [s820, s8k, s57k, s576k] = [spec(820), spec(8_200), spec(57_600), spec(576_000)];
    await expectLinear('checkDomainSpec 8 KB', () => checkDomainSpec(s820), () => checkDomainSpec(s8k));
    await expectLinear('checkDomainSpec 576 KB', () => checkDomainSpec(s57k), () => checkDomainSpec(s576k));
    expect(checkDomainSpec(spec(576_000))).toMatch(/longer than any DNS TXT record \(65535\)/);
    // Error messages quote hostile text shortened, not 57 600 characters of it.
    const err = checkDomainSpec(spec(57_600)) ?? '';
    expect(err).toMatch(/is not a valid top-level label/);
    expect(err.length).toBeLessThan(300);
  });

  it('parseSpfRecord: a record of hostile terms costs linear time in its length', async () => {
    // Every term shape that takes a domain-spec or a cidr suffix, each with a long tail.
    const terms = (n: number) =>
      [
        `a:x.${'a'.repeat(n)}`,
        `mx:x.example.com/${'1'.repeat(n)}`,
        `a:x.example.com//${'1'.repeat(n)}`,
        `include:${'%{d}'.repeat(n / 4)}.x.${'a1-'.repeat(n / 3)}b`,
        `exists:${'%%'.repeat(n / 2)}.com`,
        `x${'-'.repeat(n)}=${'%{d}'.repeat(n / 4)}`,
      ];
    const text = (n: number) => `v=spf1 ${terms(n).join(' ')} -all`;
    const [t600, t6k] = [text(600), text(6_000)];
    await expectLinear('parseSpfRecord', () => parseSpfRecord(t600, { maxLength: 65_535 }), () => parseSpfRecord(t6k, { maxLength: 65_535 }));
    // And a syntax error at the very end of a long label is found as fast.
    const bad = (n: number) => `v=spf1 include:x.${hostileLabel(n)}`;
    const [b6k, b60k] = [bad(6_000), bad(60_000)];
    await expectLinear(
      'parseSpfRecord syntax error',
      () => parseSpfRecord(b6k, { maxLength: 65_535 }),
      () => parseSpfRecord(b60k, { maxLength: 65_535 }),
    );
    expect(parseSpfRecord(bad(60_000), { maxLength: 65_535 })).toMatchObject({ ok: false });
    // A TXT record is at most 65535 octets: no option makes the parser read more.
    expect(parseSpfRecord(`v=spf1 ${'ip4:192.0.2.1 '.repeat(6_000)}`, { maxLength: 1e9 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/limit 65535/),
    });
  });

  it('dual-cidr suffixes parse as before', () => {
    const mech = (t: string) => {
      const r = parseSpfRecord(`v=spf1 ${t}`);
      return r.ok ? r.record.mechanisms[0] : r.error;
    };
    expect(mech('a/24')).toMatchObject({ kind: 'a', cidr4: 24, cidr6: undefined, domainSpec: undefined });
    expect(mech('a//64')).toMatchObject({ kind: 'a', cidr4: undefined, cidr6: 64 });
    expect(mech('mx:example.com/24//64')).toMatchObject({ kind: 'mx', cidr4: 24, cidr6: 64, domainSpec: 'example.com' });
    expect(mech('a:example.com/33')).toMatch(/invalid IPv4 prefix length "\/33"/);
    expect(mech('a:example.com//129')).toMatch(/invalid IPv6 prefix length "\/\/129"/);
    expect(mech('a:example.com/24/64')).toMatch(/invalid IPv4 prefix length "\/64"/);
    expect(mech('a///24')).toMatch(/unexpected "\/"/);
  });

  it('macro strings: linear, and capped at the size of a TXT record', async () => {
    const [m600, m6k] = ['%{d}.%%x%_'.repeat(600), '%{d}.%%x%_'.repeat(6_000)];
    await expectLinear('parseMacroString', () => parseMacroString(m600), () => parseMacroString(m6k));
    expect(parseMacroString('a'.repeat(65_536))).toMatchObject({ ok: false, error: expect.stringMatching(/longer than any DNS TXT record/) });
  });

  it('finishDomain keeps the right-most labels that fit in 253 characters, at once', async () => {
    const name = `${'abcdefghi.'.repeat(100_000)}example.com`;
    const out = finishDomain(name);
    expect(out.length).toBeLessThanOrEqual(253);
    expect(out.endsWith('.example.com')).toBe(true);
    expect(out.startsWith('abcdefghi.')).toBe(true);
    expect(finishDomain('a.b.c.')).toBe('a.b.c');
    // No dot within the last 254 characters: the last label, still too long to query.
    expect(finishDomain(`x.${'y'.repeat(300)}`)).toBe('y'.repeat(300));
    const tenth = name.slice(-100_000);
    await expectLinear('finishDomain', () => finishDomain(tenth), () => finishDomain(name));
  });
});

/** A zone of `width` includes per record, `depth` levels deep, each record also carrying macros, void lookups, ptr and filler up to `pad` characters. */
function hostileTree(width: number, depth: number, pad: number): MemoryZone {
  const zone: MemoryZone = { 'example.com': [] };
  const make = (name: string, level: number): void => {
    const kids = level < depth ? Array.from({ length: width }, (_, i) => `n${i}.${name}`) : [];
    const terms = [
      ...kids.map((k) => `include:${k}`),
      // Macros that expand to long names (the lint cannot expand them; check_host does).
      `exists:${'%{s}.'.repeat(20)}%{d}`,
      `a:${'%{l}%{o}'.repeat(10)}.${name}`,
      // Void lookups: NXDOMAIN targets.
      ...Array.from({ length: 5 }, (_, i) => `a:void${i}.${name}`),
      'ptr',
    ];
    let text = `v=spf1 ${terms.join(' ')}`;
    // Filler: valid ip4 terms up to `pad` characters, then a long label (valid: parsing it must
    // cost linear time without failing the record).
    while (text.length < pad - 40) text += ' ip4:192.0.2.1';
    text += ` exists:x.${'a'.repeat(Math.max(1, pad - text.length - 20))} -all`;
    zone[name] = [record(text)];
    for (const k of kids) make(k, level + 1);
  };
  make('example.com', 0);
  return zone;
}

describe('lint budget on a hostile include tree', () => {
  it('wide and deep includes, macros, void lookups: bounded queries, incomplete, and the reason names the budget', async () => {
    const dns = createMemoryDns(hostileTree(12, 3, 2_000));
    const r = await lintSpf('example.com', dns);
    expect(dns.log.length).toBeLessThanOrEqual(250);
    expect(r.work?.queries).toBe(dns.log.length);
    expect(r.incomplete).toBe(true);
    expect(r.reason).toMatch(/^partly tested: SPF include tree exceeds the lint budget of 250 DNS queries/);
    expect(r.reason).not.toMatch(/timeout|SERVFAIL|lookup failed/);
    // Running out of budget implies more than 10 lookups: the verdict is already a permerror.
    expect(r.status).toBe('invalid');
    expect(r.issues.map((i) => i.id)).toEqual(expect.arrayContaining(['email.spf.too-many-lookups', 'email.spf.too-many-void-lookups', 'email.spf.incomplete', 'email.spf.macros']));
    // At most 10 issues of one kind, plus one note counting the rest.
    const perId = new Map<string, number>();
    for (const i of r.issues) perId.set(i.id, (perId.get(i.id) ?? 0) + 1);
    expect(Math.max(...perId.values())).toBeLessThanOrEqual(10);
    expect(r.issues.find((i) => i.id === 'email.spf.more-issues')?.message).toMatch(/^\d+ further issues/);
    // The tree holds only what was walked: no more records than TXT queries.
    let nodes = 0;
    const walk = (n: NonNullable<typeof r.tree>): void => {
      nodes++;
      n.children.forEach(walk);
    };
    walk(r.tree!);
    expect(nodes).toBeLessThanOrEqual(dns.log.filter((q) => q.type === 'TXT').length);
  });

  it('the term budget: records full of terms stop at maxTerms, named as such', async () => {
    const ip4s = Array.from({ length: 450 }, (_, i) => `ip4:198.51.${i >> 8}.${i & 255}`).join(' ');
    const zone: MemoryZone = { 'example.com': [record(`v=spf1 ${Array.from({ length: 15 }, (_, i) => `include:k${i}.example.com`).join(' ')} -all`)] };
    for (let i = 0; i < 15; i++) zone[`k${i}.example.com`] = [record(`v=spf1 ${ip4s} -all`)];
    const dns = createMemoryDns(zone);
    const r = await lintSpf('example.com', dns);
    expect(r.work?.terms).toBe(11 * 512);
    expect(r.reason).toMatch(/^partly tested: SPF include tree exceeds the lint budget of 5632 terms/);
    // 12 TXT + the type-99 query: the term budget, not the query budget, stopped it.
    expect(dns.log.length).toBeLessThan(20);
    expect(r.status).toBe('invalid');
    // A policy within the RFC's limits (10 includes of 451 terms) is never cut short.
    const ok: MemoryZone = { 'example.com': [record(`v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:k${i}.example.com`).join(' ')} -all`)] };
    for (let i = 0; i < 10; i++) ok[`k${i}.example.com`] = zone[`k${i}.example.com`]!;
    const full = await lintSpf('example.com', createMemoryDns(ok));
    expect(full).toMatchObject({ status: 'found', incomplete: false, lookups: 10 });
  });

  it('ten mx terms of ten MX hosts each (within the limits) fit in the default query budget', async () => {
    const zone: MemoryZone = { 'example.com': [record(`v=spf1 ${Array.from({ length: 10 }, (_, i) => `mx:m${i}.example.com`).join(' ')} -all`)] };
    for (let i = 0; i < 10; i++) {
      zone[`m${i}.example.com`] = Array.from({ length: 10 }, (_, j) => ({ type: 'MX', preference: j, exchange: `h${i}-${j}.example.com` }) as MemoryRecord);
      for (let j = 0; j < 10; j++) zone[`h${i}-${j}.example.com`] = [{ type: 'A', address: '192.0.2.1' }];
    }
    const dns = createMemoryDns(zone);
    const r = await lintSpf('example.com', dns);
    expect(dns.log.length).toBe(2 + 10 * 21);
    expect(r).toMatchObject({ status: 'found', incomplete: false, lookups: 10 });
  });

  it("the lint's CPU time grows linearly with the size of the records", async () => {
    // Same tree (budget-bound), records of 400 vs 4000 characters: both under the 512-term cap of
    // one record (a longer filler would be cut at the cap and measure the cap, not the growth).
    const small = hostileTree(12, 3, 400);
    const large = hostileTree(12, 3, 4_000);
    const [rs, rl] = [await lintSpf('example.com', createMemoryDns(small)), await lintSpf('example.com', createMemoryDns(large))];
    expect(rs.lookups).toBeGreaterThan(10); // the whole budget-bound walk, in both
    expect(rl.lookups).toBe(rs.lookups); // the same walk, only the records are longer
    await expectLinear('lintSpf', () => lintSpf('example.com', createMemoryDns(small)), () => lintSpf('example.com', createMemoryDns(large)));
    // And with records that end in an invalid 8 KB label (the case that cost 5 s of CPU).
    const bad = (n: number): MemoryZone => {
      const kids = Array.from({ length: 300 }, (_, i) => `k${i}.example.com`);
      const z: MemoryZone = { 'example.com': [record(`v=spf1 ${kids.map((k) => `include:${k}`).join(' ')} -all`)] };
      for (const k of kids) z[k] = [record(`v=spf1 include:x.${'a'.repeat(n)}!`)];
      return z;
    };
    const [b800, b8k] = [bad(800), bad(8_000)];
    await expectLinear('lintSpf invalid labels', () => lintSpf('example.com', createMemoryDns(b800)), () => lintSpf('example.com', createMemoryDns(b8k)));
  });

  it('the deadline: a signal that fires mid-walk stops at once, and the reason says deadline', async () => {
    const inner = createMemoryDns(hostileTree(12, 3, 2_000));
    const ac = new AbortController();
    let n = 0;
    const dns: SpfDns = async (name, type, signal) => {
      if (++n === 40) ac.abort(); // e.g. the CPU of earlier records used the time up
      return inner(name, type, signal);
    };
    const r = await lintSpf('example.com', dns, { signal: ac.signal });
    expect(n).toBe(40);
    expect(r.incomplete).toBe(true);
    expect(r.reason).toMatch(/^partly tested: deadline reached \(the scan's time limit\) after 40 DNS queries and \d+ terms/);
    expect(r.issues.find((i) => i.id === 'email.spf.incomplete')?.remediation).toMatch(/--timeout/);
  });

  it('DNS timeout and SERVFAIL keep their own words; the deadline at the top is status error naming it', async () => {
    const zone: MemoryZone = {
      'example.com': [txt('v=spf1 include:slow.example.com include:broken.example.com -all')],
      'slow.example.com': [{ type: 'TIMEOUT' }],
      'broken.example.com': [{ type: 'CNAME', target: 'broken.example.com' }],
    };
    const r = await lintSpf('example.com', createMemoryDns(zone));
    expect(r.reason).toMatch(/TXT lookup for slow\.example\.com failed: timeout/);
    expect(r.reason).toMatch(/TXT lookup for broken\.example\.com failed: CNAME loop/);
    expect(r.reason).not.toMatch(/budget|deadline/);
    const servfail: SpfDns = async () => ({ status: 'error', reason: '192.0.2.53:53 answered SERVFAIL over UDP', rcode: 'SERVFAIL' });
    expect(await lintSpf('example.com', servfail)).toMatchObject({ status: 'error', reason: expect.stringMatching(/answered SERVFAIL/) });
    // A resolver that gives up because the scan's signal fired says "aborted": that is the deadline.
    const ac = new AbortController();
    const aborting: SpfDns = async () => {
      ac.abort();
      return { status: 'error', reason: 'aborted' };
    };
    const top = await lintSpf('example.com', aborting, { signal: ac.signal });
    expect(top).toMatchObject({ status: 'error', reason: expect.stringMatching(/^deadline reached/) });
  });

  it('targets that are not domain names are never queried', async () => {
    const long = `${'a'.repeat(64)}.example.com`;
    const zone: MemoryZone = { 'example.com': [txt(`v=spf1 include:${long} a:${long} exists:${long} mx:${long} -all`)] };
    const dns = createMemoryDns(zone);
    const r = await lintSpf('example.com', dns);
    expect(dns.log.map((q) => q.name)).toEqual(['example.com', 'example.com']);
    expect(r.issues.map((i) => i.id)).toEqual(expect.arrayContaining(['email.spf.include-no-record', 'email.spf.void-lookup', 'email.spf.too-many-void-lookups']));
  });
});

describe('check_host budget and caps', () => {
  const ip = '192.0.2.99';

  it('macros that expand to long names: every query is a valid name, cost linear in the macro count', async () => {
    const zone = (macros: number): MemoryZone => ({ 'example.com': [record(`v=spf1 exists:${'%{s}.'.repeat(macros)}%{d} a:${'%{l}'.repeat(macros)}.example.com -all`)] });
    const sender = `${'x'.repeat(64)}@example.com`;
    const dns = createMemoryDns(zone(800));
    const r = await checkHost({ ip, sender }, dns);
    expect(r.result).toBe('fail');
    for (const q of dns.log) {
      expect(q.name.length).toBeLessThanOrEqual(253);
      for (const label of q.name.split('.')) expect(label.length).toBeLessThanOrEqual(63);
    }
    const [z80, z800] = [zone(80), zone(800)];
    await expectLinear('checkHost macro expansion', () => checkHost({ ip, sender }, createMemoryDns(z80)), () => checkHost({ ip, sender }, createMemoryDns(z800)));
  });

  it('the term budget and the query budget are temperrors that name the budget', async () => {
    const zone: MemoryZone = { 'example.com': [record(`v=spf1 ${'ip4:198.51.100.1 '.repeat(400)}include:b.example.com -all`)], 'b.example.com': [record(`v=spf1 ${'ip4:198.51.100.1 '.repeat(400)}-all`)] };
    const r = await checkHost({ ip, sender: 'a@example.com' }, createMemoryDns(zone), { maxTerms: 500 });
    expect(r).toMatchObject({ result: 'temperror', reason: 'SPF include tree exceeds the evaluation budget of 500 terms' });
    const q = await checkHost({ ip, sender: 'a@example.com' }, createMemoryDns(zone), { maxQueries: 1 });
    expect(q).toMatchObject({ result: 'temperror', reason: 'SPF include tree exceeds the evaluation budget of 1 DNS queries' });
    // Within the RFC's limits the default budget never bites.
    expect((await checkHost({ ip, sender: 'a@example.com' }, createMemoryDns(zone))).result).toBe('fail');
  });

  it('the deadline mid-evaluation is a temperror saying so, not a DNS failure', async () => {
    const inner = createMemoryDns(hostileTree(3, 3, 600));
    const ac = new AbortController();
    let n = 0;
    const dns: SpfDns = async (name, type, signal) => {
      if (++n === 3) ac.abort();
      return inner(name, type, signal);
    };
    const r = await checkHost({ ip, sender: 'a@example.com' }, dns, { signal: ac.signal });
    expect(r.result).toBe('temperror');
    expect(r.reason).toMatch(/^deadline reached \(the scan's time limit\) after 3 DNS queries/);
  });

  it('a sender, HELO or domain longer than SMTP allows is "none" at once', async () => {
    const dns = createMemoryDns({});
    expect(await checkHost({ ip, sender: `${'x'.repeat(576_000)}@example.com` }, dns)).toMatchObject({ result: 'none', reason: expect.stringMatching(/local-part is 576000 characters long/) });
    expect(await checkHost({ ip, sender: `a@${'x.'.repeat(200)}com` }, dns)).toMatchObject({ result: 'none', reason: expect.stringMatching(/sender's domain/) });
    expect(await checkHost({ ip, sender: 'a@example.com', helo: 'h'.repeat(300) }, dns)).toMatchObject({ result: 'none', reason: expect.stringMatching(/HELO name/) });
    expect(dns.log).toEqual([]);
  });
});
