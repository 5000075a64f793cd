// Handshake simulation without a network: the captured hellos replayed (SNI replaced or absent,
// GREASE and extension order kept, fresh random and key shares, lengths recomputed), the client's
// limits applied to what a server answered, and the findings made of the results.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClientProfiles, parseClientProfile } from '../../src/data/client-profiles.js';
import type { SimulationEntry } from '../../src/model/report.js';
import { Reader } from '../../src/net/tls/wire/bytes.js';
import { helloOffers, parseClientHelloRecords, replayClientHello, replaySslv2Hello, type ParsedClientHello } from '../../src/net/tls/wire/client-hello-replay.js';
import { isGrease } from '../../src/tls/registry/index.js';
import { checkSimulation, simulateClient, type ClientOffers, type ClientProfile, type SimulationObservation } from '../../src/tls/simulation.js';

const ROOT = join(import.meta.dirname, '../..');
const profile = (id: string): ClientProfile => loadClientProfiles().find((p) => p.id === id)!;
const parse = (id: string): ParsedClientHello => {
  const r = parseClientHelloRecords(Buffer.from(profile(id).hello, 'hex'));
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const ext = (h: ParsedClientHello, type: number): Buffer | undefined => h.extensions?.find((e) => e.type === type)?.data;
const sniOf = (h: ParsedClientHello): string | null => {
  const data = ext(h, 0);
  if (!data) return null;
  const r = new Reader(data);
  const list = new Reader(r.vector16('list'));
  list.u8('type');
  return list.vector16('name').toString('ascii');
};
const shares = (h: ParsedClientHello): Array<{ group: number; key: string }> => {
  const r = new Reader(ext(h, 51)!);
  const list = new Reader(r.vector16('shares'));
  const out: Array<{ group: number; key: string }> = [];
  while (list.remaining > 0) out.push({ group: list.u16('g'), key: list.vector16('k').toString('hex') });
  return out;
};
const reparse = (record: Buffer): ParsedClientHello => {
  const r = parseClientHelloRecords(record);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('replaying a captured ClientHello', () => {
  const chrome = parse('chrome-101-win10');
  const built = replayClientHello(chrome, { serverName: 'example.org' });
  const again = reparse(built.record);

  it('puts in the target SNI and keeps the suites (GREASE first) and the extension order', () => {
    expect(sniOf(chrome)).not.toBe('example.org');
    expect(sniOf(again)).toBe('example.org');
    expect(isGrease(chrome.cipherSuites[0]!)).toBe(true);
    expect(again.cipherSuites).toEqual(chrome.cipherSuites);
    expect(again.compressionMethods).toEqual(chrome.compressionMethods);
    expect(again.legacyVersion).toBe(chrome.legacyVersion);
    expect(again.recordVersion).toBe(chrome.recordVersion);
    expect(again.extensions!.map((e) => e.type)).toEqual(chrome.extensions!.map((e) => e.type));
    // GREASE extensions (and every one we do not rewrite) byte for byte.
    const greased = chrome.extensions!.filter((e) => isGrease(e.type));
    expect(greased.length).toBeGreaterThan(0);
    for (const g of greased) expect(again.extensions!.filter((e) => e.type === g.type).map((e) => e.data)).toContainEqual(g.data);
    expect(ext(again, 13)).toEqual(ext(chrome, 13));
    expect(ext(again, 10)).toEqual(ext(chrome, 10));
  });

  it('makes its own key shares where it can and keeps the GREASE share as sent', () => {
    const before = shares(chrome);
    const after = shares(again);
    expect(after.map((s) => s.group)).toEqual(before.map((s) => s.group));
    const grease = before.find((s) => isGrease(s.group))!;
    expect(after.find((s) => s.group === grease.group)!.key).toBe(grease.key);
    const x25519 = after.find((s) => s.group === 29)!;
    expect(x25519.key).toHaveLength(64);
    expect(x25519.key).not.toBe(before.find((s) => s.group === 29)!.key);
    expect([...built.keyAgreement.keys()]).toEqual([29]);
  });

  it('recomputes every length and pads as the client did (RFC 7685, to 512 bytes)', () => {
    expect(built.record.readUInt16BE(3)).toBe(built.handshake.length);
    expect(built.handshake.readUIntBE(1, 3)).toBe(built.handshake.length - 4);
    expect(chrome.extensions!.some((e) => e.type === 21)).toBe(true);
    expect(built.handshake.length).toBe(512);
    const long = replayClientHello(chrome, { serverName: `${`${'a'.repeat(60)}.`.repeat(4)}example.org` });
    expect(reparse(long.record).extensions!.some((e) => e.type === 21)).toBe(false);
    expect(long.handshake.length).toBeGreaterThan(512);
  });

  it('uses a fresh random and session id of the same length each time', () => {
    const other = replayClientHello(chrome, { serverName: 'example.org' });
    expect(other.random).not.toEqual(built.random);
    const original = Buffer.from(profile('chrome-101-win10').hello, 'hex').subarray(11, 43);
    expect(built.random).not.toEqual(original);
    expect(again.sessionIdLength).toBe(chrome.sessionIdLength);
    expect(built.handshake.subarray(39, 39 + chrome.sessionIdLength)).not.toEqual(other.handshake.subarray(39, 39 + chrome.sessionIdLength));
  });

  it('sends no SNI when the target has none, and never adds one to a hello without it', () => {
    expect(ext(reparse(replayClientHello(chrome, { serverName: null }).record), 0)).toBeUndefined();
    expect(ext(reparse(replayClientHello(chrome, { serverName: '192.0.2.1' }).record), 0)).toBeUndefined();
    const ie8 = parse('ie-8-xp');
    expect(ext(ie8, 0)).toBeUndefined();
    expect(ext(reparse(replayClientHello(ie8, { serverName: 'example.org' }).record), 0)).toBeUndefined();
  });

  it('resumes nothing: a session ticket goes empty, PSK, early data and a cookie are dropped', () => {
    const ticket = Buffer.from('01020304', 'hex');
    const withResumption: ParsedClientHello = {
      ...chrome,
      extensions: [...chrome.extensions!.filter((e) => e.type !== 35 && e.type !== 41), { type: 35, data: ticket }, { type: 42, data: Buffer.alloc(0) }, { type: 44, data: Buffer.from('0002abcd', 'hex') }, { type: 41, data: Buffer.from('00', 'hex') }],
    };
    const out = reparse(replayClientHello(withResumption, { serverName: 'example.org' }).record);
    expect(ext(out, 35)).toEqual(Buffer.alloc(0));
    expect([41, 42, 44].map((t) => ext(out, t))).toEqual([undefined, undefined, undefined]);
  });

  it('retries with the one group a HelloRetryRequest asked for', () => {
    const retry = replayClientHello(chrome, { serverName: 'example.org', keyShareGroups: [24] });
    const s = shares(reparse(retry.record));
    expect(s.map((x) => x.group)).toEqual([24]);
    expect(s[0]!.key).toHaveLength(97 * 2); // uncompressed P-384 point
    expect([...retry.keyAgreement.keys()]).toEqual([24]);
  });

  it('keeps an SSLv2-format hello whole but for a fresh challenge', () => {
    const bytes = Buffer.from(profile('java-6u45').hello, 'hex');
    const v2 = replaySslv2Hello(bytes);
    expect(v2.ok).toBe(true);
    if (!v2.ok) return;
    const challenge = bytes.readUInt16BE(9);
    expect(v2.value.length).toBe(bytes.length);
    expect(v2.value.subarray(0, bytes.length - challenge)).toEqual(bytes.subarray(0, bytes.length - challenge));
    expect(v2.value.subarray(bytes.length - challenge)).not.toEqual(bytes.subarray(bytes.length - challenge));
  });

  it('reads hostile or truncated bytes as errors, never throws', () => {
    const bytes = Buffer.from(profile('chrome-101-win10').hello, 'hex');
    for (let cut = 0; cut < bytes.length; cut += 7) expect(parseClientHelloRecords(bytes.subarray(0, cut)).ok).toBe(false);
    const wrongType = Buffer.from(bytes);
    wrongType[0] = 23;
    expect(parseClientHelloRecords(wrongType)).toMatchObject({ ok: false });
    const badExt = Buffer.from(bytes);
    badExt.writeUInt16BE(0xffff, bytes.length - 2 - 2); // a length past the end inside the last extension
    expect(() => parseClientHelloRecords(badExt)).not.toThrow();
    expect(replaySslv2Hello(Buffer.from('8003010203', 'hex')).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

const base: ClientProfile = {
  ...profile('java-7u25'),
  id: 'test-client',
  name: 'Test',
  version: '1',
  platform: '',
  tier: 'current',
  protocols: { lowest: 'TLSv1.0', highest: 'TLSv1.2' },
  limits: { minDhBits: null, maxDhBits: null, minRsaBits: null, maxRsaBits: null, minEcdsaBits: null, requiresSha2: false },
};
const offers: ClientOffers = { versions: [0x0301, 0x0302, 0x0303], suites: [0xc02f, 0x009e, 0x0005], groups: [23, 29] };
const rsa2048 = { keyType: 'RSA', keyBits: 2048, signatureAlgorithm: 'SHA256withRSA', fingerprintSha256: 'ab'.repeat(32) };
const answer = (o: Partial<Extract<SimulationObservation, { kind: 'answer' }>> = {}): SimulationObservation => ({
  kind: 'answer', version: 0x0303, suite: 0xc02f, group: 23, dhBits: null, certificate: rsa2048, ...o,
});
const withLimits = (limits: Partial<ClientProfile['limits']>): ClientProfile => ({ ...base, limits: { ...base.limits, ...limits } });

describe("the client's own limits", () => {
  it('connects when nothing is against it', () => {
    expect(simulateClient(base, offers, answer())).toMatchObject({
      status: 'ok', protocol: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', group: 'secp256r1', keyExchangeBits: 256, certificate: rsa2048,
    });
  });

  it.each([
    ['a DH group above its maximum (Java 7 and DH > 1024)', withLimits({ maxDhBits: 1024 }), answer({ suite: 0x009e, group: null, dhBits: 2048 }), /2048 bits, above the client's maximum of 1024/],
    ['a DH group below its minimum', withLimits({ minDhBits: 2048 }), answer({ suite: 0x009e, group: null, dhBits: 1024 }), /below the client's minimum of 2048/],
    ['an RSA key below its minimum', withLimits({ minRsaBits: 4096 }), answer(), /RSA key of 2048 bits, below/],
    ['an ECDSA key below its minimum', withLimits({ minEcdsaBits: 384 }), answer({ certificate: { ...rsa2048, keyType: 'EC', keyBits: 256 } }), /ECDSA key of 256 bits/],
    ['a SHA-1 signed certificate when it requires SHA-2', withLimits({ requiresSha2: true }), answer({ certificate: { ...rsa2048, signatureAlgorithm: 'SHA1withRSA' } }), /requires SHA-2/],
    ['a version it does not speak', base, answer({ version: 0x0300 }), /SSLv3, which the client does not speak/],
    ['a suite it did not offer', base, answer({ suite: 0xc030 }), /did not offer/],
    ['a group it does not support', base, answer({ group: 24 }), /secp384r1, which the client does not support/],
  ])('fails on %s', (_what, p, o, reason) => {
    const e = simulateClient(p, offers, o);
    expect(e.status).toBe('failed');
    expect(e.reason).toMatch(reason);
  });

  it('a refusal fails, no answer is untested, a HelloRetryRequest is named', () => {
    expect(simulateClient(base, offers, { kind: 'refused', reason: 'alert handshake_failure' })).toMatchObject({ status: 'failed', protocol: null, reason: 'the server refused the hello: alert handshake_failure' });
    expect(simulateClient(base, offers, { kind: 'untestable', reason: 'connection timed out' })).toMatchObject({ status: 'untested', reason: 'connection timed out' });
    const tls13 = { ...offers, versions: [...offers.versions, 0x0304], suites: [...offers.suites, 0x1301] };
    expect(simulateClient(base, tls13, answer({ version: 0x0304, suite: 0x1301, group: 23, helloRetryGroup: 23 }))).toMatchObject({ status: 'ok', helloRetry: 'secp256r1' });
    // An undecryptable TLS 1.3 flight: connected, certificate unknown and said why.
    expect(simulateClient(base, tls13, answer({ version: 0x0304, suite: 0x1301, certificate: null, certificateNote: 'not read' }))).toMatchObject({ status: 'ok', certificate: null, note: 'not read' });
  });
});

// ---------------------------------------------------------------------------------------------

const row = (tier: SimulationEntry['tier'], o: Partial<SimulationEntry>): SimulationEntry => ({
  client: `c-${tier}-${o.status ?? 'ok'}-${o.cipherSuite ?? ''}`, name: 'C', version: tier, platform: '', tier, status: 'ok',
  protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', group: 'x25519', keyExchangeBits: 253, certificate: null, ...o,
});
const failing = (tier: SimulationEntry['tier']) => row(tier, { status: 'failed', protocol: null, cipherSuite: null, group: null, reason: 'the server refused the hello: alert protocol_version' });

describe('findings', () => {
  it('none when every client connects with something strong', () => {
    expect(checkSimulation([row('current', {}), row('legacy', { protocol: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', group: 'secp256r1', keyExchangeBits: 256 })])).toEqual([]);
  });

  it('one tls.simulation.fails per endpoint, as loud as the most current client that fails', () => {
    const sev = (entries: SimulationEntry[]) => checkSimulation(entries).map((f) => [f.id, f.severity]);
    expect(sev([row('current', {}), failing('obsolete')])).toEqual([['tls.simulation.fails', 'info']]);
    expect(sev([failing('legacy'), failing('obsolete')])).toEqual([['tls.simulation.fails', 'low']]);
    expect(sev([failing('current'), failing('legacy')])).toEqual([['tls.simulation.fails', 'high']]);
    const f = checkSimulation([failing('current'), failing('legacy')])[0]!;
    expect(f.title).toBe('2 simulated clients cannot connect');
    expect(f.evidence).toEqual({ clients: [expect.objectContaining({ tier: 'current' }), expect.objectContaining({ tier: 'legacy' })] });
  });

  it('tls.simulation.weak names what is weak: old protocols, RC4, 3DES, static RSA, small DH', () => {
    const weak = checkSimulation([
      row('obsolete', { protocol: 'TLSv1.0', cipherSuite: 'TLS_RSA_WITH_RC4_128_SHA', group: null, keyExchangeBits: undefined }),
      row('legacy', { protocol: 'TLSv1.2', cipherSuite: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', group: null, keyExchangeBits: 1024 }),
      row('legacy', { protocol: 'TLSv1.2', cipherSuite: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', group: null, keyExchangeBits: undefined }),
    ]);
    expect(weak.map((f) => [f.id, f.severity])).toEqual([['tls.simulation.weak', 'low']]);
    expect(weak[0]!.detail).toContain('(TLSv1.0, RC4, no forward secrecy)');
    expect(weak[0]!.detail).toContain('(DH 1024 bits)');
    expect(weak[0]!.detail).toContain('64-bit block cipher (3DES_EDE_CBC)');
    const current = checkSimulation([row('current', { protocol: 'TLSv1.1', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', group: 'secp256r1', keyExchangeBits: 256 })]);
    expect(current.map((f) => f.severity)).toEqual(['medium']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the shipped client profiles', () => {
  const profiles = loadClientProfiles();

  it('load, each with a hello that parses and says what the profile says', () => {
    expect(profiles.length).toBeGreaterThanOrEqual(40);
    for (const p of profiles) {
      if (p.helloFormat === 'sslv2') {
        expect(replaySslv2Hello(Buffer.from(p.hello, 'hex')).ok, p.id).toBe(true);
        continue;
      }
      const h = parseClientHelloRecords(Buffer.from(p.hello, 'hex'));
      expect(h.ok, p.id).toBe(true);
      if (!h.ok) continue;
      expect(helloOffers(h.value).serverName, `${p.id} sni`).toBe(p.sni);
    }
  });

  it('say where they come from: local captures hash their own bytes, SSL Labs captures the testssl.sh file', () => {
    for (const p of profiles) {
      if (p.source.kind === 'local-capture') expect(p.source.sha256, p.id).toBe(createHash('sha256').update(Buffer.from(p.hello, 'hex')).digest('hex'));
      else expect(p.source.sha256, p.id).toBe('51a12ab67a31b78a59ea8c028b775a82be7a1314ba2458e319a0a90b6d143821');
    }
    const kinds = new Set(profiles.map((p) => p.source.kind));
    expect(kinds).toEqual(new Set(['ssllabs-capture', 'local-capture']));
  });

  it('refuse a malformed profile, naming it', () => {
    const bad = { ...profiles[0], hello: 'zz' };
    expect(() => parseClientProfile(JSON.stringify(bad), 'bad.json')).toThrow(/client profile bad\.json: \/hello/);
  });

  // Debian's testssl.sh package ships the SSL Labs captures; CI installs it (.ci/run).
  const SOURCE = '/etc/testssl/client-simulation.txt';
  it.skipIf(!existsSync(SOURCE) && !process.env.CI)('regenerate from testssl.sh byte for byte (scripts/gen-client-profiles.mjs)', () => {
    const out = mkdtempSync(join(tmpdir(), 'secgrade-profiles-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/gen-client-profiles.mjs'), SOURCE, out], { stdio: 'ignore' });
      const files = readdirSync(out).sort();
      expect(files.length).toBeGreaterThan(30);
      for (const f of files) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(ROOT, 'data/clients', f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
