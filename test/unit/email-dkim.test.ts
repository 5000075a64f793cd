import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkDkim,
  DEFAULT_DKIM_SELECTORS,
  derKeyInfo,
  discoverDkim,
  dkimReport,
  evaluateDkimSelector,
  parseDkimRecord,
  type DkimDiscovery,
} from '../../src/email/dkim.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import type { LookupResult } from '../../src/net/dns/types.js';
import { Value } from '@sinclair/typebox/value';
import { EmailResultSchema, FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';

type Zone = Record<string, string[] | 'servfail'>;

function fakeDns(zone: Zone, delayMs = 0): TxtLookup & { calls: string[]; peak: () => number } {
  const calls: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const fn = async (name: string): Promise<LookupResult> => {
    calls.push(name);
    inFlight++;
    peak = Math.max(peak, inFlight);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    inFlight--;
    const meta = { authenticated: false, server: '127.0.0.1:53', transport: 'udp' as const };
    const v = zone[name];
    if (v === undefined) return { status: 'nxdomain', ...meta };
    if (v === 'servfail') return { status: 'error', reason: 'timeout', rcode: 'SERVFAIL' };
    return { status: 'ok', ...meta, records: v.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) };
  };
  return Object.assign(fn, { calls, peak: () => peak });
}

const rsaSpki = (bits: number) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const rsaPkcs1 = (bits: number) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
const edRaw = ed.subarray(ed.length - 32).toString('base64');
const K2048 = rsaSpki(2048);
const K1024 = rsaSpki(1024);
const K512 = rsaSpki(512);

const ids = (f: { id: string }[]) => f.map((x) => x.id);

describe('DKIM key sizes from DER', () => {
  it('reads RSA SPKI, bare RSAPublicKey and Ed25519 SPKI', () => {
    expect(derKeyInfo(Buffer.from(K2048, 'base64'))).toEqual({ kind: 'rsa-spki', bits: 2048 });
    expect(derKeyInfo(Buffer.from(rsaPkcs1(1024), 'base64'))).toEqual({ kind: 'rsa-pkcs1', bits: 1024 });
    expect(derKeyInfo(ed)).toEqual({ kind: 'ed25519-spki', bits: 256 });
  });
  it('rejects truncated or hostile DER without throwing', () => {
    const der = Buffer.from(K1024, 'base64');
    expect(derKeyInfo(der.subarray(0, der.length - 5))).toBeNull();
    expect(derKeyInfo(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
    expect(derKeyInfo(Buffer.from([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBeNull();
    expect(derKeyInfo(Buffer.alloc(0))).toBeNull();
  });
});

describe('parseDkimRecord', () => {
  it('parses a standard RSA record', () => {
    const r = parseDkimRecord(`v=DKIM1; k=rsa; h=sha256; t=s; s=email; n=hello; p=${K2048.slice(0, 40)} ${K2048.slice(40)}`);
    expect(r).toMatchObject({ version: 'DKIM1', keyType: 'rsa', keyBits: 2048, hashes: ['sha256'], strict: true, testing: false, services: ['email'], notes: 'hello', errors: [] });
  });
  it('defaults k to rsa and accepts a bare RSAPublicKey with a warning', () => {
    const r = parseDkimRecord(`p=${rsaPkcs1(1024)}`);
    expect(r).toMatchObject({ keyType: 'rsa', keyBits: 1024, errors: [] });
    expect(r.warnings).toHaveLength(1);
  });
  it('Ed25519 is 256 bits, raw or (with a warning) SPKI', () => {
    expect(parseDkimRecord(`v=DKIM1; k=ed25519; p=${edRaw}`)).toMatchObject({ keyType: 'ed25519', keyBits: 256, errors: [], warnings: [] });
    expect(parseDkimRecord(`v=DKIM1; k=ed25519; p=${ed.toString('base64')}`).warnings).toHaveLength(1);
    expect(parseDkimRecord('v=DKIM1; k=ed25519; p=AAAA').errors).toHaveLength(1);
  });
  it('an empty p= is a revoked key', () => {
    expect(parseDkimRecord('v=DKIM1; p=')).toMatchObject({ revoked: true, keyBits: null, errors: [] });
  });
  it('reports syntax errors', () => {
    expect(parseDkimRecord(`k=rsa; v=DKIM1; p=${K1024}`).errors).toEqual(['v= must be the first tag when present']);
    expect(parseDkimRecord(`v=DKIM2; p=${K1024}`).errors).toHaveLength(1);
    expect(parseDkimRecord('v=DKIM1; k=dsa; p=AAAA').errors[0]).toMatch(/unknown key type/);
    expect(parseDkimRecord('v=DKIM1; k=rsa').errors).toEqual(['the required p= tag is missing']);
    expect(parseDkimRecord('v=DKIM1; p=%%%').errors).toEqual(['p= is not valid base64']);
    expect(parseDkimRecord('v=DKIM1; p=AAAA').errors).toEqual(['p= is not a DER RSA public key']);
    expect(parseDkimRecord(`v=DKIM1; p=${K1024}; p=${K1024}`).errors[0]).toMatch(/more than once/);
    expect(parseDkimRecord(`v=DKIM1; k=rsa; p=${ed.toString('base64')}`).errors[0]).toMatch(/Ed25519/);
  });
  it('ignores TXT texts that are not key records', () => {
    const r = evaluateDkimSelector('s', 's._domainkey.example.com', ['v=spf1 -all', 'google-site-verification=x']);
    expect(r.status).toBe('missing');
    expect(r.ignored).toHaveLength(2);
  });
});

describe('discoverDkim', () => {
  it('tries the default selectors plus the user’s, a few at a time', async () => {
    const dns = fakeDns(
      {
        'google._domainkey.example.com': [`v=DKIM1; k=rsa; p=${K2048}`],
        'custom._domainkey.example.com': [`v=DKIM1; k=ed25519; p=${edRaw}`],
        'k1._domainkey.example.com': [`k=rsa; t=y; p=${K1024}`],
      },
      2,
    );
    const d = await discoverDkim('example.com', dns, { selectors: ['Custom', 'google', 'bad selector!'], concurrency: 3 });
    expect(DEFAULT_DKIM_SELECTORS.length).toBeGreaterThanOrEqual(25);
    expect(d.selectorsTried).toHaveLength(DEFAULT_DKIM_SELECTORS.length + 1);
    expect(d.invalidSelectors).toEqual(['bad selector!']);
    expect(dns.calls).toHaveLength(d.selectorsTried.length);
    expect(dns.peak()).toBeLessThanOrEqual(3);
    expect(dkimReport(d).selectors).toEqual([
      { name: 'google', keyType: 'rsa', keyBits: 2048, testing: false },
      { name: 'k1', keyType: 'rsa', keyBits: 1024, testing: true },
      { name: 'custom', keyType: 'ed25519', keyBits: 256, testing: false },
    ]);
    const f = checkDkim(d);
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['email.dkim.key-short', 'medium'],
      ['email.dkim.testing', 'low'],
    ]);
  });
  it('a 2048-bit RSA key with no flags has no findings', async () => {
    const d = await discoverDkim('example.com', fakeDns({ 's1._domainkey.example.com': [`v=DKIM1; p=${K2048}`] }), { defaults: false, selectors: ['s1'] });
    expect(d.results[0]?.status).toBe('found');
    expect(checkDkim(d)).toEqual([]);
  });
  it('DNS errors are "could not test", nxdomain is "not found"', async () => {
    const d = await discoverDkim('example.com', fakeDns({ 'a._domainkey.example.com': 'servfail' }), { defaults: false, selectors: ['a', 'b'] });
    expect(d.results.map((r) => r.status)).toEqual(['error', 'missing']);
    expect(checkDkim(d).map((x) => [x.id, x.severity])).toEqual([
      ['email.dkim.untested', 'info'],
      ['email.dkim.not-found', 'info'],
    ]);
    const all = await discoverDkim('example.com', fakeDns({ 'a._domainkey.example.com': 'servfail' }), { defaults: false, selectors: ['a'] });
    expect(ids(checkDkim(all))).toEqual(['email.dkim.untested']);
  });
  it('raises the key and record findings', async () => {
    const zone: Zone = {
      'weak._domainkey.example.com': [`v=DKIM1; p=${K512}`],
      'old._domainkey.example.com': [`v=DKIM1; h=sha1; p=${K2048}`],
      'gone._domainkey.example.com': ['v=DKIM1; p='],
      'broken._domainkey.example.com': ['v=DKIM1; k=rsa; p=AAAA'],
      'twice._domainkey.example.com': [`v=DKIM1; p=${K2048}`, `v=DKIM1; p=${K2048}`],
      'web._domainkey.example.com': [`v=DKIM1; s=http; p=${K2048}`],
    };
    const d = await discoverDkim('example.com', fakeDns(zone), { defaults: false, selectors: ['weak', 'old', 'gone', 'broken', 'twice', 'web'] });
    const f = checkDkim(d);
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['email.dkim.key-too-short', 'high'],
      ['email.dkim.sha1-only', 'medium'],
      ['email.dkim.revoked', 'info'],
      ['email.dkim.invalid', 'medium'],
      ['email.dkim.multiple', 'low'],
      ['email.dkim.not-for-email', 'low'],
    ]);
    for (const x of f) expect(x.references.some((r) => r.startsWith('RFC '))).toBe(true);
    for (const x of f) expect(Value.Check(FindingSchema, withSubject(x, 'domain:example.com'))).toBe(true);
    expect(Value.Check(EmailResultSchema.properties.dkim, dkimReport(d))).toBe(true);
    expect(dkimReport(d).selectors.find((s) => s.name === 'gone')).toEqual({ name: 'gone', keyType: 'rsa', keyBits: null, testing: false });
  });
  it('Ed25519-only signing is flagged', () => {
    const d: DkimDiscovery = {
      domain: 'example.com',
      selectorsTried: ['e'],
      invalidSelectors: [],
      results: [evaluateDkimSelector('e', 'e._domainkey.example.com', [`v=DKIM1; k=ed25519; p=${edRaw}`])],
    };
    expect(checkDkim(d).map((x) => [x.id, x.severity])).toEqual([['email.dkim.ed25519-only', 'low']]);
  });
});

// RFC 6376 §3.6.1: "v= … If specified, this tag MUST be set to "DKIM1" (without the quotes). This
// tag MUST be the first tag in the record. Records beginning with a "v=" tag with any other value
// MUST be discarded." The key is the "brisbane" selector's of RFC 6376 Appendix C.
describe('RFC 6376 §3.6.1: a key record whose v= is not DKIM1 is discarded', () => {
  const BRISBANE =
    'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB';

  it('the Appendix C record is a 1024-bit RSA key; without v= it is the same key (v= defaults to DKIM1)', () => {
    expect(parseDkimRecord(`v=DKIM1; p=${BRISBANE}`)).toMatchObject({ version: 'DKIM1', keyType: 'rsa', keyBits: 1024, errors: [] });
    expect(parseDkimRecord(`k=rsa; p=${BRISBANE}`)).toMatchObject({ version: null, keyBits: 1024, errors: [] });
    expect(parseDkimRecord(`v = DKIM1 ; p=${BRISBANE}`).errors).toEqual([]);
  });

  it('any other v=, or v= not first, makes it invalid', () => {
    for (const rec of [`v=DKIM2; p=${BRISBANE}`, `v=dkim1; p=${BRISBANE}`, `v=DKIM1.0; p=${BRISBANE}`, `v=; p=${BRISBANE}`, `k=rsa; v=DKIM1; p=${BRISBANE}`, `v=DKIM1; v=DKIM1; p=${BRISBANE}`]) {
      expect(parseDkimRecord(rec).errors.length, rec).toBeGreaterThan(0);
    }
    expect(parseDkimRecord(`v=DKIM2; p=${BRISBANE}`).errors).toEqual(['v=DKIM2: the version must be exactly DKIM1, so verifiers discard the record (RFC 6376 §3.6.1)']);
  });

  it('is not listed as a usable key: only under `invalid`, with the reason, and the finding says why', async () => {
    const dns = fakeDns({
      'brisbane._domainkey.example.com': [`v=DKIM2; p=${BRISBANE}`],
      'sydney._domainkey.example.com': [`v=DKIM1; p=${K2048}`],
    });
    const d = await discoverDkim('example.com', dns, { defaults: false, selectors: ['brisbane', 'sydney'] });
    expect(d.results.map((r) => [r.selector, r.status])).toEqual([['brisbane', 'invalid'], ['sydney', 'found']]);
    const report = dkimReport(d);
    expect(report.selectors).toEqual([{ name: 'sydney', keyType: 'rsa', keyBits: 2048, testing: false }]);
    expect(report.invalid).toEqual([{ name: 'brisbane', reason: expect.stringMatching(/^v=DKIM2: the version must be exactly DKIM1/) }]);
    expect(Value.Check(EmailResultSchema.properties.dkim, report)).toBe(true);
    const f = checkDkim(d);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['email.dkim.invalid', 'medium']]);
    expect(f[0]!.detail).toContain('v=DKIM2');
    // Alone, the discarded record leaves no key at all (its 1024 bits do not count either).
    const alone = dkimReport(await discoverDkim('example.com', fakeDns({ 'brisbane._domainkey.example.com': [`v=DKIM2; p=${BRISBANE}`] }), { defaults: false, selectors: ['brisbane'] }));
    expect(alone.selectors).toEqual([]);
    expect(alone.invalid).toHaveLength(1);
  });
});
