/**
 * vuln-config's rule table: each rule fires on one configuration and stays quiet on another, the
 * table holds exactly the configuration-derived keys, missing or partial evidence gives 'unknown',
 * verdicts that existing findings already state become info-level pointers, and the common DH
 * primes are what they claim to be.
 */
import { getDiffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTlsCiphers, type TlsCiphersEvidence } from '../../src/tls/ciphers.js';
import { checkTlsFeatures } from '../../src/tls/features.js';
import { checkTlsGroups, type TlsGroupsEvidence } from '../../src/tls/groups.js';
import { checkTlsProtocols, type TlsProtocolsEvidence } from '../../src/tls/protocols.js';
import {
  checkVulnConfig,
  CONFIG_VULN_KEYS,
  judgeVulnerabilities,
  kebab,
  VULN_RULES,
  type ConfigVulnKey,
  type VulnConfigInputs,
} from '../../src/tls/vulnerabilities.js';
import { ProbeSkipped } from '../../src/engine/probe.js';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsFeaturesProbe } from '../../src/probes/tls/features.js';
import { tlsGroupsProbe } from '../../src/probes/tls/groups.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { vulnConfigProbe } from '../../src/probes/vuln/configuration.js';
import { RFC2409_GROUP2_PEM } from '../../src/lab/domains.js';
import { VULNERABILITY_KEYS, type Protocols } from '../../src/model/constants.js';
import { COMMON_DH_PRIMES, commonDhPrime } from '../../src/tls/common-dh-primes.js';
import { testDeps } from '../helpers/probe-context.js';
import { modernFeatures } from '../helpers/tls-evidence.js';

// ---------------------------------------------------------------------------------------------
// A modern endpoint (TLS 1.2 + 1.3, ECDHE AES-GCM, every feature right), and edits of it.

const protocols = (p: Partial<Protocols> = {}, sslv2Ciphers: string[] = []): TlsProtocolsEvidence => ({
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true, ...p },
  attempts: {},
  sslv2Ciphers,
  firstPick: {},
});
const ciphers = (suites: TlsCiphersEvidence['suites'], incomplete: TlsCiphersEvidence['incomplete'] = {}): TlsCiphersEvidence => ({
  suites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': [GCM], ...suites },
  serverPreference: {},
  incomplete,
});
const groups = (g: Partial<TlsGroupsEvidence> = {}): TlsGroupsEvidence => ({ tls13Groups: ['x25519'], tls12Curves: ['x25519'], dhPrimeBits: null, incomplete: [], ...g });
const features = modernFeatures;
const modern = (over: Partial<VulnConfigInputs> = {}): VulnConfigInputs => ({ protocols: protocols(), ciphers: ciphers({}), groups: groups(), features: features(), ...over });

const GCM = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256';
const CBC = 'TLS_RSA_WITH_AES_128_CBC_SHA';
const CBC_SHA256 = 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256';
const RC4 = 'TLS_RSA_WITH_RC4_128_SHA';
const DES3 = 'TLS_RSA_WITH_3DES_EDE_CBC_SHA';
const DHE = 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256';

/** The 1024-bit prime of the lab's RFC 2409 group: DER SEQUENCE { INTEGER p (0x00-padded), INTEGER 2 }. */
const RFC2409_GROUP2_HEX = (() => {
  const der = Buffer.from(RFC2409_GROUP2_PEM.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const len = der[5]!;
  return der.subarray(7, 6 + len).toString('hex').toUpperCase();
})();

/** The findings the dependency probes' checks make of this evidence (what the engine hands vuln-config). */
const existingFindings = (i: VulnConfigInputs) => [
  ...checkTlsProtocols(i.protocols),
  ...(i.ciphers ? checkTlsCiphers(i.ciphers) : []),
  ...(i.groups ? checkTlsGroups(i.groups) : []),
  ...(i.features ? checkTlsFeatures(i.features) : []),
];
/** The verdicts as vuln-config makes them in a scan: with the dependency probes' findings. */
const judge = (i: VulnConfigInputs) => judgeVulnerabilities(i, existingFindings(i));

const verdicts = (i: VulnConfigInputs) => Object.fromEntries(Object.entries(judge(i).verdicts).map(([k, j]) => [k, j.verdict]));

// ---------------------------------------------------------------------------------------------

/** The keys issue #7 assigns to the configuration-derived probe. */
const EXPECTED_KEYS = ['poodleSsl', 'beast', 'sweet32', 'freak', 'logjam', 'drown', 'crime', 'lucky13', 'rc4', 'insecureRenegotiation', 'fallbackScsv'];

/** For each rule: a configuration where it fires and a close one where it does not. */
const SCENARIOS: Record<ConfigVulnKey, { fires: VulnConfigInputs; quiet: VulnConfigInputs }> = {
  poodleSsl: {
    fires: modern({ protocols: protocols({ SSLv3: true }), ciphers: ciphers({ SSLv3: [RC4, CBC] }) }),
    quiet: modern({ protocols: protocols({ SSLv3: true }), ciphers: ciphers({ SSLv3: [RC4] }) }),
  },
  beast: {
    fires: modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': [CBC] }) }),
    quiet: modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': [RC4], 'TLSv1.2': [GCM, CBC] }) }),
  },
  sweet32: {
    fires: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, DES3] }) }),
    quiet: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, CBC] }) }),
  },
  freak: {
    fires: modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': ['TLS_RSA_EXPORT_WITH_RC4_40_MD5'] }) }),
    quiet: modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'] }), groups: groups({ dhPrimeBits: 2048 }) }),
  },
  logjam: {
    fires: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, DHE] }), groups: groups({ dhPrimeBits: 1024 }) }),
    quiet: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, DHE] }), groups: groups({ dhPrimeBits: 2048 }) }),
  },
  drown: {
    fires: modern({ protocols: protocols({ SSLv2: true }, ['SSL_CK_DES_192_EDE3_CBC_WITH_MD5']), ciphers: ciphers({ SSLv2: ['SSL_CK_DES_192_EDE3_CBC_WITH_MD5'] }) }),
    quiet: modern(),
  },
  crime: { fires: modern({ features: features({ compression: true }) }), quiet: modern({ features: features({ compression: false }) }) },
  lucky13: {
    fires: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, CBC_SHA256] }) }),
    quiet: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'] }) }),
  },
  rc4: { fires: modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'] }) }), quiet: modern() },
  insecureRenegotiation: {
    fires: modern({ features: features({ secureRenegotiation: false }) }),
    quiet: modern({ features: features({ secureRenegotiation: true }) }),
  },
  fallbackScsv: {
    fires: modern({ features: features({ fallbackScsv: false }) }),
    // One version only: nothing to fall back to, whatever the SCSV answer (tls-features did not ask).
    quiet: modern({ protocols: protocols({ 'TLSv1.3': false }), features: features({ fallbackScsv: null, versions: { legacy: 'TLSv1.2', tls13: false } }) }),
  },
};

describe('the rule table', () => {
  it('holds exactly the configuration-derived keys, all of them Contract keys, each with a scenario', () => {
    expect([...CONFIG_VULN_KEYS]).toEqual(EXPECTED_KEYS);
    expect(VULN_RULES.map((r) => r.key)).toEqual(EXPECTED_KEYS);
    expect(Object.keys(SCENARIOS).sort()).toEqual([...EXPECTED_KEYS].sort());
    for (const k of EXPECTED_KEYS) expect(VULNERABILITY_KEYS).toContain(k);
  });

  it('a modern endpoint is not vulnerable to any of them, and gives no finding', () => {
    const ev = judge(modern());
    expect(Object.values(ev.verdicts).map((j) => j.verdict)).toEqual(EXPECTED_KEYS.map(() => 'not-vulnerable'));
    expect(checkVulnConfig(ev)).toEqual([]);
    expect(vulnConfigProbe.fields(ev)).toEqual({ vulnerabilities: Object.fromEntries(EXPECTED_KEYS.map((k) => [k, 'not-vulnerable'])) });
  });

  for (const key of EXPECTED_KEYS as ConfigVulnKey[]) {
    it(`${key}: fires on its scenario (finding tls.vuln.${kebab(key)}), stays quiet on the other`, () => {
      const fired = judge(SCENARIOS[key].fires);
      expect(fired.verdicts[key].verdict).toBe('vulnerable');
      const f = checkVulnConfig(fired).find((x) => x.id === `tls.vuln.${kebab(key)}`);
      expect(f).toBeDefined();
      expect(f!.references.length).toBeGreaterThan(0);
      expect(f!.remediation).not.toBe('');
      const quiet = judge(SCENARIOS[key].quiet);
      expect(quiet.verdicts[key]).toMatchObject({ verdict: 'not-vulnerable' });
      expect(checkVulnConfig(quiet).map((x) => x.id)).not.toContain(`tls.vuln.${kebab(key)}`);
    });
  }

  it('each finding cites its CVE or RFC', () => {
    const cite: Record<ConfigVulnKey, string> = {
      poodleSsl: 'CVE-2014-3566',
      beast: 'CVE-2011-3389',
      sweet32: 'CVE-2016-2183',
      freak: 'CVE-2015-0204',
      logjam: 'CVE-2015-4000',
      drown: 'CVE-2016-0800',
      crime: 'CVE-2012-4929',
      lucky13: 'CVE-2013-0169',
      rc4: 'RFC 7465',
      insecureRenegotiation: 'RFC 5746',
      fallbackScsv: 'RFC 7507',
    };
    for (const rule of VULN_RULES) expect(rule.references.join(' ')).toContain(cite[rule.key]);
    expect(VULN_RULES.find((r) => r.key === 'insecureRenegotiation')!.references.join(' ')).toContain('CVE-2009-3555');
  });
});

describe('verdict details', () => {
  it('BEAST and Lucky13 are information; BEAST says when newer versions make it moot', () => {
    const j = judge(SCENARIOS.beast.fires).verdicts.beast;
    expect(j.reason).toMatch(/TLSv1\.2, TLSv1\.3 also accepted/);
    const ids = checkVulnConfig(judge(modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': [CBC], 'TLSv1.2': [CBC_SHA256] }) })));
    expect(ids.filter((f) => f.id === 'tls.vuln.beast' || f.id === 'tls.vuln.lucky13').map((f) => [f.id, f.severity])).toEqual([
      ['tls.vuln.beast', 'info'],
      ['tls.vuln.lucky13', 'info'],
    ]);
  });

  it('SWEET32 and RC4 count SSLv2 cipher kinds too', () => {
    const i = modern({ protocols: protocols({ SSLv2: true }, ['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_IDEA_128_CBC_WITH_MD5']), ciphers: ciphers({ SSLv2: ['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_IDEA_128_CBC_WITH_MD5'] }) });
    const v = judge(i).verdicts;
    expect(v.rc4).toMatchObject({ verdict: 'vulnerable', evidence: { suites: { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'] } }, reportedAs: ['tls.protocol.sslv2'] });
    expect(v.sweet32).toMatchObject({ verdict: 'vulnerable', evidence: { suites: { SSLv2: ['SSL_CK_IDEA_128_CBC_WITH_MD5'] } } });
    expect(v.drown).toMatchObject({ verdict: 'vulnerable', reportedAs: ['tls.protocol.sslv2'] });
  });

  it('DROWN: a refused SSLv2 says other servers with the same key are out of sight', () => {
    expect(judge(modern()).verdicts.drown.reason).toMatch(/other server that shares this RSA key/);
  });

  it('insecure renegotiation: TLS 1.3 only is not vulnerable; an SSLv3-only server is said to be asked by SCSV alone', () => {
    const only13 = modern({
      protocols: protocols({ 'TLSv1.2': false }),
      ciphers: { suites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] }, serverPreference: {}, incomplete: {} },
      features: features({ secureRenegotiation: null, fallbackScsv: null, versions: { legacy: null, tls13: true } }),
    });
    expect(verdicts(only13)).toMatchObject({ insecureRenegotiation: 'not-vulnerable', crime: 'not-vulnerable', fallbackScsv: 'not-vulnerable' });
    const ssl3 = modern({
      protocols: protocols({ SSLv3: true, 'TLSv1.2': false, 'TLSv1.3': false }),
      ciphers: { suites: { SSLv3: [RC4] }, serverPreference: {}, incomplete: {} },
      features: features({ secureRenegotiation: false, versions: { legacy: 'SSLv3', tls13: false } }),
    });
    expect(judge(ssl3).verdicts.insecureRenegotiation.reason).toMatch(/SCSV alone/);
  });

  it('fallback SCSV: unanswered with two versions is unknown, with the note', () => {
    const j = judge(modern({ features: features({ fallbackScsv: null, notes: ['fallback SCSV: TLSv1.2 hello with TLS_FALLBACK_SCSV: timeout'] }) })).verdicts.fallbackScsv;
    expect(j).toMatchObject({ verdict: 'unknown', reason: expect.stringContaining('timeout') });
  });
});

describe("missing or partial evidence gives 'unknown' with the reason", () => {
  it('without tls-ciphers, suite rules are unknown while protocol-only ones still decide', () => {
    const v = judge({ protocols: protocols(), features: features() }).verdicts;
    for (const k of ['beast', 'sweet32', 'freak', 'logjam', 'lucky13', 'rc4'] as const) {
      // beast only reads SSLv3/TLS 1.0, both refused here: decided without suites.
      if (k === 'beast') expect(v[k].verdict).toBe('not-vulnerable');
      else expect(v[k]).toMatchObject({ verdict: 'unknown', reason: 'evidence missing: tls-ciphers did not complete' });
    }
    expect(v.poodleSsl.verdict).toBe('not-vulnerable');
    expect(v.drown.verdict).toBe('not-vulnerable');
    // SSLv2 cipher kinds come with tls-protocols' own answer.
    const sslv2Only = judge({ protocols: protocols({ SSLv2: true, 'TLSv1.2': false, 'TLSv1.3': false }, ['SSL_CK_RC4_128_WITH_MD5']) });
    expect(sslv2Only.verdicts.rc4).toMatchObject({ verdict: 'vulnerable', evidence: { suites: { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'] } } });
  });

  it('without tls-features, CRIME and renegotiation are unknown; one version still settles fallback', () => {
    const v = judge({ protocols: protocols({ 'TLSv1.3': false }), ciphers: ciphers({ 'TLSv1.3': [] }) }).verdicts;
    expect(v.crime).toMatchObject({ verdict: 'unknown', reason: 'evidence missing: tls-features did not complete' });
    expect(v.insecureRenegotiation.verdict).toBe('unknown');
    expect(v.fallbackScsv.verdict).toBe('not-vulnerable');
  });

  it('an incomplete suite list or an untested version keeps a miss from being a pass, but a hit still counts', () => {
    const partial = modern({ ciphers: ciphers({}, { 'TLSv1.2': 'timeout' }) });
    expect(judge(partial).verdicts.rc4).toMatchObject({ verdict: 'unknown', reason: expect.stringContaining('TLSv1.2 suite list is incomplete (timeout)') });
    const hit = modern({ ciphers: ciphers({ 'TLSv1.2': [RC4] }, { 'TLSv1.2': 'timeout' }) });
    expect(judge(hit).verdicts.rc4.verdict).toBe('vulnerable');
    const untested = modern({ protocols: protocols({ SSLv3: null }) });
    expect(judge(untested).verdicts.poodleSsl).toMatchObject({ verdict: 'unknown', reason: expect.stringContaining('SSLv3 was not tested') });
    expect(judge(modern({ protocols: protocols({ SSLv2: null }) })).verdicts.drown.verdict).toBe('unknown');
  });

  it('logjam: DHE accepted but the prime unread is unknown', () => {
    const i = modern({ ciphers: ciphers({ 'TLSv1.2': [DHE] }), groups: groups({ incomplete: ['DHE parameters: connection reset'] }) });
    expect(judge(i).verdicts.logjam).toMatchObject({ verdict: 'unknown', reason: expect.stringContaining('connection reset') });
    expect(judge({ ...i, groups: undefined }).verdicts.logjam.reason).toContain('tls-groups did not complete');
  });

  it('the probe is skipped without tls-protocols (nothing to derive from)', () => {
    expect(() => vulnConfigProbe.derive(testDeps())).toThrow(ProbeSkipped);
  });

  it("the probe derives the same verdicts from its dependencies' evidence and findings", () => {
    const i = modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, RC4, DES3] }), features: features({ compression: true }) });
    const facts = { target: { host: 'example.test', port: 443, path: '/', sni: 'example.test' }, endpoint: null, now: new Date() };
    const deps = testDeps(
      [
        [tlsProtocolsProbe, i.protocols],
        [tlsCiphersProbe, i.ciphers],
        [tlsGroupsProbe, i.groups],
        [tlsFeaturesProbe, i.features],
      ],
      facts,
    );
    expect(vulnConfigProbe.derive(deps)).toEqual(judge(i));
    expect(vulnConfigProbe.derive(deps).verdicts.rc4.reportedAs).toEqual(['tls.cipher.rc4']);
  });
});

describe('findings: the vulnerability framing without counting an existing finding twice', () => {
  it('RC4 and SWEET32 point at tls.cipher.rc4 / tls.cipher.64bit-block at info level', () => {
    const ev = judge(modern({ ciphers: ciphers({ 'TLSv1.2': [GCM, RC4, DES3] }) }));
    expect(ev.verdicts.rc4.reportedAs).toEqual(['tls.cipher.rc4']);
    expect(ev.verdicts.sweet32.reportedAs).toEqual(['tls.cipher.64bit-block']);
    const rc4 = checkVulnConfig(ev).find((f) => f.id === 'tls.vuln.rc4')!;
    expect(rc4).toMatchObject({ severity: 'info', evidence: { reportedAs: ['tls.cipher.rc4'], suites: { 'TLSv1.2': [RC4] } } });
    expect(rc4.title).toBe('RC4: vulnerable (reported as tls.cipher.rc4)');
  });

  it('every configuration-derived finding that has an existing twin is info; the rest keep their severity', () => {
    const all = modern({
      protocols: protocols({ SSLv2: true, SSLv3: true, 'TLSv1.0': true }, ['SSL_CK_RC4_128_WITH_MD5']),
      ciphers: ciphers({ SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], SSLv3: [CBC], 'TLSv1.0': [CBC, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'], 'TLSv1.2': [GCM, DES3, DHE] }),
      groups: groups({ dhPrimeBits: 1024, dhPrime: 'C0FFEE' }),
      features: features({ compression: true, secureRenegotiation: false, fallbackScsv: false }),
    });
    const ev = judge(all);
    expect(Object.values(ev.verdicts).every((j) => j.verdict === 'vulnerable')).toBe(true);
    const bySeverity = Object.fromEntries(checkVulnConfig(ev).map((f) => [f.id, f.severity]));
    expect(bySeverity).toEqual({
      'tls.vuln.poodle-ssl': 'info',
      'tls.vuln.beast': 'info',
      'tls.vuln.sweet32': 'info',
      'tls.vuln.freak': 'info',
      'tls.vuln.logjam': 'info',
      'tls.vuln.drown': 'info',
      'tls.vuln.crime': 'info',
      'tls.vuln.lucky13': 'info',
      'tls.vuln.rc4': 'info',
      'tls.vuln.insecure-renegotiation': 'info',
      'tls.vuln.fallback-scsv': 'info',
    });
    expect(ev.verdicts.logjam.reportedAs).toEqual(['tls.kx.dh-weak']);
    expect(ev.verdicts.freak.reportedAs).toEqual(['tls.cipher.export']);
    // Only the pointer findings say "reported as"; BEAST and Lucky13 are information in their own right.
    expect(ev.verdicts.beast.reportedAs).toEqual([]);
  });

  it('Lucky13 without any AEAD suite (so no tls.cipher.cbc) is its own finding', () => {
    const ev = judge(modern({ protocols: protocols({ 'TLSv1.3': false }), ciphers: ciphers({ 'TLSv1.3': [], 'TLSv1.2': [CBC_SHA256] }) }));
    expect(ev.verdicts.lucky13).toMatchObject({ verdict: 'vulnerable', reportedAs: [] });
  });
});

describe('logjam names common primes', () => {
  const dhe = (dhPrimeBits: number, dhPrime?: string) =>
    judge(modern({ ciphers: ciphers({ 'TLSv1.2': [DHE] }), groups: groups({ dhPrimeBits, ...(dhPrime ? { dhPrime } : {}) }) }));

  it("the lab's RFC 2409 group 2: vulnerable, named, a full high finding (the shared prime is news)", () => {
    expect(commonDhPrime(RFC2409_GROUP2_HEX)?.name).toBe('RFC 2409 group 2 (1024-bit MODP)');
    const ev = dhe(1024, RFC2409_GROUP2_HEX);
    expect(ev.verdicts.logjam).toMatchObject({
      verdict: 'vulnerable',
      severity: 'high',
      reportedAs: [],
      evidence: { dhPrimeBits: 1024, commonPrime: { name: 'RFC 2409 group 2 (1024-bit MODP)', source: 'RFC 2409 §6.2' } },
    });
    const f = checkVulnConfig(ev).find((x) => x.id === 'tls.vuln.logjam')!;
    expect(f.severity).toBe('high');
    expect(f.detail).toContain('the common prime RFC 2409 group 2');
  });

  it('an unknown 1024-bit prime: vulnerable, medium, already tls.kx.dh-weak', () => {
    const ev = dhe(1024, 'C0FFEE');
    expect(ev.verdicts.logjam).toMatchObject({ verdict: 'vulnerable', severity: 'medium', reportedAs: ['tls.kx.dh-weak'] });
  });

  it('a prime under 1024 bits is high; DHE_EXPORT is vulnerable whatever the prime', () => {
    expect(dhe(768).verdicts.logjam.severity).toBe('high');
    const exp = judge(
      modern({ protocols: protocols({ 'TLSv1.0': true }), ciphers: ciphers({ 'TLSv1.0': ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'] }), groups: groups({ dhPrimeBits: 2048 }) }),
    );
    expect(exp.verdicts.logjam).toMatchObject({ verdict: 'vulnerable', severity: 'high', reportedAs: ['tls.cipher.export'] });
  });

  it('a common 2048-bit prime is named but not vulnerable (as testssl.sh reports it)', () => {
    const modp14 = getDiffieHellman('modp14').getPrime('hex');
    const j = dhe(2048, modp14).verdicts.logjam;
    expect(j).toMatchObject({ verdict: 'not-vulnerable', evidence: { commonPrime: { name: 'RFC 3526 group 14 (2048-bit MODP)' } } });
    expect(j.reason).toMatch(/common prime RFC 3526 group 14/);
  });
});

/** 3^(p−1) ≡ 1 (mod p): true for every prime, false for almost every composite. */
function fermat(p: bigint): boolean {
  let [result, base, e] = [1n, 3n, p - 1n];
  for (; e > 0n; e >>= 1n, base = (base * base) % p) if (e & 1n) result = (result * base) % p;
  return result === 1n;
}

describe('the common DH primes (data)', () => {
  it('the RFC 2409 / 3526 groups equal the ones Node ships', () => {
    const named: Array<[string, string]> = [
      ['modp1', 'RFC 2409 group 1 (768-bit MODP)'],
      ['modp2', 'RFC 2409 group 2 (1024-bit MODP)'],
      ['modp5', 'RFC 3526 group 5 (1536-bit MODP)'],
      ['modp14', 'RFC 3526 group 14 (2048-bit MODP)'],
      ['modp15', 'RFC 3526 group 15 (3072-bit MODP)'],
    ];
    for (const [group, name] of named) expect(commonDhPrime(getDiffieHellman(group).getPrime('hex'))?.name).toBe(name);
    expect(commonDhPrime(`00${RFC2409_GROUP2_HEX.toLowerCase()}`)?.bits).toBe(1024);
  });

  it('every entry is prime, unique, with a source and a size matching its name', () => {
    expect(new Set(COMMON_DH_PRIMES.map((p) => p.hex)).size).toBe(COMMON_DH_PRIMES.length);
    for (const p of COMMON_DH_PRIMES) {
      // A Fermat test catches a mistyped digit (a random change leaves no prime) in ~2 s for all.
      expect(fermat(BigInt(`0x${p.hex}`)), p.name).toBe(true);
      expect(p.source).not.toBe('');
      const size = /(\d{3,4})-bit/.exec(p.name)?.[1] ?? /ffdhe(\d+)/.exec(p.name)?.[1];
      if (size) expect(p.bits, p.name).toBe(Number(size));
    }
    expect(commonDhPrime('C0FFEE')).toBeNull();
    expect(fermat(BigInt(`0x${COMMON_DH_PRIMES[1]!.hex}`) + 2n)).toBe(false);
  });
});
