// Configuration profiles (--profile): each rule of Mozilla's 5.7 configurations and of NIST SP
// 800-52r2, table-driven with a passing, a deviating and an undecided case, the verdict's
// fail-closed rule, the findings, and the vendored data.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HttpResult, Report, TlsResult } from '../../src/model/report.js';
import { rendererById } from '../../src/render/index.js';
import { renderToString } from '../../src/render/renderer.js';
import { applyProfiles, checkProfile, profileDefinitions, type ProfileId } from '../../src/tls/profiles/index.js';
import { parseProfiles } from '../../src/cli/options.js';
import { UsageError } from '../../src/cli/exit.js';
import { byHost, GOLDEN_OPTS } from '../helpers/lab-reports.js';

const LAB_GOOD = byHost('good.secgrade.test');

/** An endpoint Mozilla intermediate 5.7 accepts: the lab's good server with the guideline's curves and HSTS. */
function intermediateTls(): TlsResult {
  const tls = structuredClone(LAB_GOOD.endpoints[0]!.tls);
  tls.groups = ['x25519', 'secp256r1', 'secp384r1'];
  return tls;
}
const goodHttp = (maxAge = 63072000): HttpResult => ({ ...structuredClone(LAB_GOOD.http!), hsts: { maxAge, includeSubDomains: true, preload: false, preloaded: false } });

/** An endpoint NIST SP 800-52r2 accepts: AES-GCM only, NIST curves, P-256 ECDSA. */
function nistTls(): TlsResult {
  const tls = intermediateTls();
  tls.cipherSuites = {
    'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'],
    'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  };
  tls.groups = ['secp256r1', 'secp384r1'];
  return tls;
}

const def = (id: ProfileId) => profileDefinitions([id])[0]!;
const outcome = (id: ProfileId, rule: string, tls: TlsResult, http: HttpResult | null = goodHttp()) => {
  const r = def(id).rules.find((x) => x.id === rule);
  if (!r) throw new Error(`${id} has no rule ${rule}`);
  return r.check({ tls, http });
};
const leaf = (tls: TlsResult) => tls.certificates.find((c) => c.servedIndex === 0)!;

type Case = [string, (tls: TlsResult) => void, 'pass' | 'deviation' | 'untested', string?];

const mozillaCases: Record<string, { profile?: ProfileId; http?: HttpResult | null; cases: Case[] }> = {
  protocols: {
    cases: [
      ['TLS 1.2 + 1.3', () => {}, 'pass'],
      ['TLS 1.1 offered', (t) => (t.protocols['TLSv1.1'] = true), 'deviation', 'offers TLSv1.1'],
      ['TLS 1.3 refused', (t) => (t.protocols['TLSv1.3'] = false), 'deviation', 'refuses TLSv1.3'],
      ['TLS 1.0 not tested', (t) => (t.protocols['TLSv1.0'] = null), 'untested', 'TLSv1.0 not tested'],
    ],
  },
  'cipher-suites': {
    cases: [
      ['the guideline suites', () => {}, 'pass'],
      ['an RSA key-transport suite', (t) => t.cipherSuites['TLSv1.2']!.push('TLS_RSA_WITH_AES_128_CBC_SHA'), 'deviation', 'TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA'],
      ['a TLS 1.3 CCM suite', (t) => t.cipherSuites['TLSv1.3']!.push('TLS_AES_128_CCM_SHA256'), 'deviation', 'TLSv1.3: TLS_AES_128_CCM_SHA256'],
      ['enumeration stopped early', (t) => (t.cipherSuitesIncomplete = { 'TLSv1.2': 'timeout' }), 'untested', 'TLSv1.2 suite list incomplete (timeout)'],
    ],
  },
  'tls-curves': {
    cases: [
      ['X25519, P-256, P-384', () => {}, 'pass'],
      ['P-521 and X448 too', (t) => t.groups!.push('secp521r1', 'x448'), 'deviation', 'offers secp521r1, x448'],
      ['ffdhe groups are not curves', (t) => t.groups!.push('ffdhe2048'), 'pass'],
      ['groups not enumerated', (t) => (t.groups = null), 'untested'],
      ['group enumeration incomplete', (t) => (t.groupsIncomplete = ['TLS 1.2 curves: timeout']), 'untested'],
    ],
  },
  'ecdh-param-size': {
    cases: [
      ['256 bits and more', () => {}, 'pass'],
      ['a 163-bit curve', (t) => t.groups!.push('sect163k1'), 'deviation', 'offers sect163k1 (163 bits)'],
      ['hybrid and pure ML-KEM groups', (t) => t.groups!.push('X25519MLKEM768', 'SecP256r1MLKEM768', 'MLKEM1024'), 'pass'],
      ['a group of unknown size', (t) => t.groups!.push('GC256A'), 'untested', 'size of GC256A unknown'],
      ['groups not enumerated', (t) => (t.groups = null), 'untested'],
    ],
  },
  'dh-param-size': {
    cases: [
      ['no DHE suite', () => {}, 'pass'],
      ['DHE with 2048-bit parameters', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = 2048)), 'pass'],
      ['DHE with 1024-bit parameters', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = 1024)), 'deviation', 'DHE parameters of 1024 bits'],
      ['DHE, size not measured', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = null)), 'untested'],
    ],
  },
  'certificate-types': {
    cases: [
      ['ECDSA', () => {}, 'pass'],
      ['RSA', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: 2048, curve: null }), 'pass'],
      ['DSA', (t) => Object.assign(leaf(t), { keyType: 'DSA', keyBits: 2048, curve: null }), 'deviation', 'deployed dsa'],
      ['no certificate read', (t) => (t.certificates = []), 'untested'],
    ],
  },
  'certificate-curves': {
    cases: [
      ['P-256', () => {}, 'pass'],
      ['P-521', (t) => (leaf(t).curve = 'secp521r1'), 'deviation'],
      ['curve unknown', (t) => (leaf(t).curve = null), 'untested'],
    ],
  },
  'certificate-signatures': {
    cases: [
      ['ecdsa-with-SHA256', () => {}, 'pass'],
      ['sha1WithRSAEncryption', (t) => (leaf(t).signatureAlgorithm = 'SHA1withRSA'), 'deviation', 'deployed sha1WithRSAEncryption'],
    ],
  },
  'rsa-key-size': {
    cases: [
      ['no RSA certificate', () => {}, 'pass'],
      ['RSA 2048', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: 2048, curve: null }), 'pass'],
      ['RSA 1024', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: 1024, curve: null }), 'deviation'],
      ['RSA of unknown size', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: null, curve: null }), 'untested'],
    ],
  },
  'certificate-lifespan': {
    cases: [
      ['90 days', () => {}, 'pass'],
      ['366 days', (t) => (leaf(t).lifetimeDays = 366), 'pass'],
      ['398 days', (t) => (leaf(t).lifetimeDays = 398), 'deviation'],
      ['no certificate read', (t) => (t.certificates = []), 'untested'],
    ],
  },
  'ocsp-staple': {
    cases: [
      ['stapled', () => {}, 'pass'],
      ['not stapled', (t) => (t.features!.ocspStapling = false), 'deviation', 'none stapled'],
      ['not tested', (t) => (t.features!.ocspStapling = null), 'untested'],
    ],
  },
  'server-preferred-order': {
    profile: 'mozilla-old',
    cases: [
      ["the server's order", () => {}, 'pass'],
      ["the client's order", (t) => (t.serverPreference['TLSv1.2'] = false), 'deviation', "TLSv1.2: the client's order"],
      ['order not tested', (t) => (t.serverPreference['TLSv1.2'] = null), 'untested'],
    ],
  },
};

describe('Mozilla 5.7 rules (mozilla-intermediate unless named)', () => {
  for (const [rule, { profile = 'mozilla-intermediate', cases }] of Object.entries(mozillaCases)) {
    it.each(cases)(`${rule}: %s`, (_name, mutate, status, actual) => {
      const tls = intermediateTls();
      mutate(tls);
      const o = outcome(profile, rule, tls);
      expect(o.status).toBe(status);
      if (actual && o.status === 'deviation') expect(o.actual).toBe(actual);
      if (actual && o.status === 'untested') expect(o.reason).toBe(actual);
    });
  }

  it.each<[string, HttpResult | null, 'pass' | 'deviation' | 'untested', string?]>([
    ['max-age two years', goodHttp(), 'pass'],
    ['max-age one year', goodHttp(31536000), 'deviation', 'max-age=31536000'],
    ['no HSTS header', { ...goodHttp(), hsts: null }, 'deviation', 'no Strict-Transport-Security header'],
    ['HTTP not checked', null, 'untested'],
    ['HTTP failed', { ...goodHttp(), status: 'error', reason: 'connection refused' }, 'untested'],
  ])('hsts-min-age: %s', (_name, http, status, actual) => {
    const o = outcome('mozilla-intermediate', 'hsts-min-age', intermediateTls(), http);
    expect(o.status).toBe(status);
    if (actual && o.status === 'deviation') expect(o.actual).toBe(actual);
  });

  it('modern has no rsa-key-size, dh-param-size or server-preferred-order rule (null / false in the JSON)', () => {
    const ids = def('mozilla-modern').rules.map((r) => r.id);
    expect(ids).not.toContain('rsa-key-size');
    expect(ids).not.toContain('dh-param-size');
    expect(ids).not.toContain('server-preferred-order');
    expect(def('mozilla-old').rules.map((r) => r.id)).toContain('server-preferred-order');
  });

  it('the verdicts of one TLS 1.2 + 1.3 ECDSA server: intermediate yes, modern and old no', () => {
    const tls = intermediateTls();
    const verdict = (id: ProfileId) => checkProfile(def(id), { tls, http: goodHttp() }).result;
    expect(verdict('mozilla-intermediate')).toMatchObject({ profile: 'mozilla-intermediate', version: '5.7', compliant: true, deviations: [], untested: [] });
    const modern = verdict('mozilla-modern');
    expect(modern.compliant).toBe(false);
    expect(modern.deviations.map((d) => d.rule)).toEqual(['protocols', 'cipher-suites']);
    expect(modern.deviations[0]).toEqual({ rule: 'protocols', source: 'tls_versions', expected: 'exactly TLSv1.3', actual: 'offers TLSv1.2' });
    const old = verdict('mozilla-old');
    expect(old.deviations.map((d) => d.rule)).toEqual(['protocols', 'certificate-types', 'certificate-signatures']);
    expect(old.deviations[0]!.actual).toBe('refuses TLSv1.0, TLSv1.1');
  });

  it('fail-closed: an undecided rule and no deviation is null, never compliant; a deviation is false whatever is undecided', () => {
    const tls = intermediateTls();
    tls.features!.ocspStapling = null;
    const undecided = checkProfile(def('mozilla-intermediate'), { tls, http: goodHttp() }).result;
    expect(undecided.compliant).toBeNull();
    expect(undecided.untested).toEqual([{ rule: 'ocsp-staple', reason: 'OCSP stapling not tested' }]);
    tls.protocols['TLSv1.0'] = true;
    expect(checkProfile(def('mozilla-intermediate'), { tls, http: goodHttp() }).result.compliant).toBe(false);
  });
});

const nistCases: Record<string, Case[]> = {
  protocols: [
    ['TLS 1.2 + 1.3', () => {}, 'pass'],
    ['TLS 1.3 refused', (t) => (t.protocols['TLSv1.3'] = false), 'deviation', 'TLSv1.3 refused (shall be supported)'],
    ['TLS 1.1 offered', (t) => (t.protocols['TLSv1.1'] = true), 'deviation', 'TLSv1.1 offered (should not be used)'],
    ['SSLv3 offered', (t) => (t.protocols.SSLv3 = true), 'deviation', 'SSLv3 offered (shall not be used)'],
    ['SSLv2 not tested', (t) => (t.protocols.SSLv2 = null), 'untested'],
  ],
  'cipher-suites': [
    ['AES-GCM', () => {}, 'pass'],
    ['ChaCha20 in TLS 1.3', (t) => t.cipherSuites['TLSv1.3']!.push('TLS_CHACHA20_POLY1305_SHA256'), 'deviation', 'TLSv1.3: TLS_CHACHA20_POLY1305_SHA256'],
    ['AES-CCM in TLS 1.3', (t) => t.cipherSuites['TLSv1.3']!.push('TLS_AES_128_CCM_SHA256'), 'pass'],
    ['RSA key transport', (t) => t.cipherSuites['TLSv1.2']!.push('TLS_RSA_WITH_AES_128_GCM_SHA256'), 'deviation'],
    ['DHE-RSA CBC-SHA', (t) => t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_CBC_SHA'), 'pass'],
  ],
  'certificate-key': [
    ['EC P-256', () => {}, 'pass'],
    ['EC P-521', (t) => (leaf(t).curve = 'secp521r1'), 'deviation'],
    ['RSA 2048', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: 2048, curve: null }), 'pass'],
    ['RSA 1024', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: 1024, curve: null }), 'deviation'],
    ['Ed25519', (t) => Object.assign(leaf(t), { keyType: 'Ed25519', keyBits: 256, curve: null }), 'deviation'],
    ['RSA of unknown size', (t) => Object.assign(leaf(t), { keyType: 'RSA', keyBits: null, curve: null }), 'untested'],
  ],
  'certificate-signature': [
    ['ECDSA with SHA-256', () => {}, 'pass'],
    ['RSASSA-PSS', (t) => (leaf(t).signatureAlgorithm = 'RSASSA-PSS'), 'pass'],
    ['SHA-1 with RSA', (t) => (leaf(t).signatureAlgorithm = 'SHA1withRSA'), 'deviation'],
    ['no certificate read', (t) => (t.certificates = []), 'untested'],
  ],
  'certificate-validity': [
    ['90 days', () => {}, 'pass'],
    ['three years and a leap day', (t) => (leaf(t).lifetimeDays = 1096), 'pass'],
    ['five years', (t) => (leaf(t).lifetimeDays = 1826), 'deviation'],
  ],
  'dh-parameters': [
    ['no DHE', () => {}, 'pass'],
    ['DHE 2048', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = 2048)), 'pass'],
    ['DHE 1024', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = 1024)), 'deviation', '1024 bits'],
    ['DHE, size not measured', (t) => (t.cipherSuites['TLSv1.2']!.push('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'), (t.dhParameterBits = null)), 'untested'],
  ],
  'supported-groups': [
    ['P-256 and P-384', () => {}, 'pass'],
    ['X25519 too', (t) => t.groups!.unshift('x25519'), 'deviation', 'offers x25519'],
    ['P-521 alone', (t) => (t.groups = ['secp521r1']), 'deviation', 'neither secp256r1, secp384r1'],
    ['not enumerated', (t) => (t.groups = null), 'untested'],
  ],
  'renegotiation-info': [
    ['supported', () => {}, 'pass'],
    ['not supported', (t) => (t.features!.secureRenegotiation = false), 'deviation'],
    ['not tested', (t) => (t.features!.secureRenegotiation = null), 'untested'],
    ['TLS 1.3 only (built in)', (t) => ((t.features!.secureRenegotiation = null), (t.protocols['TLSv1.2'] = false)), 'pass'],
  ],
  'extended-master-secret': [
    ['supported', () => {}, 'pass'],
    ['not supported', (t) => (t.features!.extendedMasterSecret = false), 'deviation'],
    ['not tested', (t) => (t.features!.extendedMasterSecret = null), 'untested'],
  ],
  'ocsp-stapling': [
    ['stapled', () => {}, 'pass'],
    ['not stapled', (t) => (t.features!.ocspStapling = false), 'deviation'],
    ['not tested', (t) => (t.features!.ocspStapling = null), 'untested'],
  ],
  compression: [
    ['none', () => {}, 'pass'],
    ['DEFLATE accepted', (t) => (t.features!.compression = true), 'deviation'],
    ['not tested', (t) => (t.features!.compression = null), 'untested'],
  ],
};

describe('NIST SP 800-52r2 rules', () => {
  for (const [rule, cases] of Object.entries(nistCases)) {
    it.each(cases)(`${rule}: %s`, (_name, mutate, status, actual) => {
      const tls = nistTls();
      mutate(tls);
      const o = outcome('nist-800-52r2', rule, tls);
      expect(o.status).toBe(status);
      if (actual && o.status === 'deviation') expect(o.actual).toBe(actual);
    });
  }

  it('an AES-GCM P-256 server complies; the lab good server (ChaCha20, X25519) does not', () => {
    expect(checkProfile(def('nist-800-52r2'), { tls: nistTls(), http: null }).result).toMatchObject({ compliant: true, version: 'Rev. 2' });
    const lab = checkProfile(def('nist-800-52r2'), { tls: structuredClone(LAB_GOOD.endpoints[0]!.tls), http: null }).result;
    expect(lab.compliant).toBe(false);
    expect(lab.deviations.map((d) => d.rule)).toEqual(['cipher-suites', 'supported-groups']);
    expect(lab.notAssessed.map((n) => n.rule)).toEqual(['server_name', 'signature_algorithms', 'encrypt_then_mac', 'truncated_hmac']);
  });

  it('the data file: sections cited, the TLS 1.3 list of §3.3.1.2, no ChaCha20, RSA ≥ 2048 on P-256/P-384', () => {
    const d = JSON.parse(readFileSync(new URL('../../data/nist-sp800-52r2.json', import.meta.url), 'utf8')) as Record<string, any>;
    expect(d.protocols.section).toBe('3.1');
    expect(d.protocols.required).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(d.cipherSuites.tls13['3.3.1.2 TLS 1.3']).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256']);
    const all = [...Object.values(d.cipherSuites.tls12AndEarlier), ...Object.values(d.cipherSuites.tls13)].flat() as string[];
    expect(all.filter((s) => /CHACHA|RC4|3DES|NULL|EXPORT|anon|^TLS_RSA_WITH_/.test(s))).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
    expect(d.certificate).toMatchObject({ section: '3.2.1', rsaMinBits: 2048, ecCurves: ['prime256v1', 'secp384r1'] });
    expect(d.keyExchange.requireOneOf).toEqual(['secp256r1', 'secp384r1']);
  });
});

describe('profile findings and the report field', () => {
  const endpoint = () => ({ ...structuredClone(LAB_GOOD.endpoints[0]!), tls: intermediateTls() });

  it('one medium finding per deviating rule, id tls.profile.<profile>.<rule>, the endpoint as subject', () => {
    const { endpoints, findings } = applyProfiles(profileDefinitions(['mozilla-modern', 'mozilla-intermediate']), [endpoint()], goodHttp());
    expect(endpoints[0]!.tls.profiles!.map((p) => [p.profile, p.compliant])).toEqual([['mozilla-modern', false], ['mozilla-intermediate', true]]);
    const key = `${LAB_GOOD.endpoints[0]!.ip}:${LAB_GOOD.endpoints[0]!.port}`;
    expect(findings.map((f) => [f.id, f.severity, f.subject, f.endpoint])).toEqual([
      ['tls.profile.mozilla-modern.protocols', 'medium', `endpoint:${key}`, key],
      ['tls.profile.mozilla-modern.cipher-suites', 'medium', `endpoint:${key}`, key],
    ]);
    const f = findings[0]!;
    expect(f.detail).toBe('Mozilla modern 5.7 (tls_versions) expects exactly TLSv1.3; found: offers TLSv1.2.');
    expect(f.evidence).toMatchObject({ expected: 'exactly TLSv1.3', actual: 'offers TLSv1.2', version: '5.7' });
    expect(f.remediation).toContain('ssl_protocols TLSv1.3;');
    expect(f.references[0]).toContain('https://ssl-config.mozilla.org/guidelines/5.7.json');
  });

  it('a NIST finding cites the section of its rule', () => {
    const { findings } = applyProfiles(profileDefinitions(['nist-800-52r2']), [endpoint()], null);
    const f = findings.find((x) => x.id === 'tls.profile.nist-800-52r2.supported-groups')!;
    expect(f.references).toEqual([
      'NIST SP 800-52 Rev. 2, Guidelines for the Selection, Configuration, and Use of TLS Implementations (https://doi.org/10.6028/NIST.SP.800-52r2)',
      'NIST SP 800-52 Rev. 2, §3.4.2.2 (https://doi.org/10.6028/NIST.SP.800-52r2)',
    ]);
    expect(f.severity).toBe('medium');
  });

  it('an undecided verdict is one info finding naming the untested rules', () => {
    const { findings, endpoints } = applyProfiles(profileDefinitions(['mozilla-intermediate']), [endpoint()], null);
    expect(endpoints[0]!.tls.profiles![0]!.compliant).toBeNull();
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['tls.profile.mozilla-intermediate.untested', 'info']]);
    expect(findings[0]!.detail).toContain('hsts-min-age');
  });

  it('no profile asked for: no profiles field, no finding, no data read', () => {
    const ep = endpoint();
    const { endpoints, findings } = applyProfiles(profileDefinitions([]), [ep], goodHttp());
    expect(endpoints[0]).toEqual(ep);
    expect('profiles' in endpoints[0]!.tls).toBe(false);
    expect(findings).toEqual([]);
  });
});

describe('--profile values and the vendored guidelines', () => {
  it('repeatable, comma lists, each once, case-insensitive; an unknown name is a usage error', () => {
    expect(parseProfiles(['mozilla-modern,NIST-800-52r2', 'mozilla-modern'])).toEqual(['mozilla-modern', 'nist-800-52r2']);
    expect(parseProfiles(undefined)).toEqual([]);
    expect(() => parseProfiles(['mozilla-strict'])).toThrow(UsageError);
    expect(() => parseProfiles(['mozilla-strict'])).toThrow('--profile "mozilla-strict" is not a profile (one of mozilla-modern, mozilla-intermediate, mozilla-old, nist-800-52r2)');
  });

  it('data/mozilla-server-side-tls-5.7.json is the file PROVENANCE.md names (sha256) and says version 5.7', () => {
    const bytes = readFileSync(new URL('../../data/mozilla-server-side-tls-5.7.json', import.meta.url));
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(readFileSync(new URL('../../data/PROVENANCE.md', import.meta.url), 'utf8')).toContain(sha);
    const g = JSON.parse(bytes.toString('utf8')) as { version: number; configurations: Record<string, { tls_versions: string[] }> };
    expect(g.version).toBe(5.7);
    expect(g.configurations['modern']!.tls_versions).toEqual(['TLSv1.3']);
    expect(g.configurations['intermediate']!.tls_versions).toEqual(['TLSv1.2', 'TLSv1.3']);
  });
});

describe('the renderers show the verdicts', () => {
  /** The lab's good report held to three profiles: intermediate passes, modern deviates, old is not decided without HTTP. */
  function profiledReport(): Report {
    const r = byHost('good.secgrade.test');
    r.endpoints[0]!.tls = intermediateTls();
    r.http = goodHttp();
    const { endpoints, findings } = applyProfiles(profileDefinitions(['mozilla-intermediate', 'mozilla-modern', 'nist-800-52r2']), r.endpoints, r.http);
    r.endpoints = endpoints;
    r.findings.push(...findings);
    r.endpoints[0]!.tls.profiles!.push({ profile: 'mozilla-old', version: '5.7', compliant: null, deviations: [], untested: [{ rule: 'hsts-min-age', reason: 'not read' }], notAssessed: [] });
    return r;
  }

  it('text (the card): one line per profile', async () => {
    const out = await renderToString(rendererById('text')!, [profiledReport()], { ...GOLDEN_OPTS, width: 160 });
    expect(out).toContain('profile     mozilla-intermediate 5.7: compliant');
    expect(out).toContain('profile     mozilla-modern 5.7: not compliant (2 deviations: protocols, cipher-suites)');
    expect(out).toContain('profile     mozilla-old 5.7: not decided (untested: hsts-min-age)');
    expect(out).toContain('tls.profile.mozilla-modern.protocols');
  });

  it('markdown: a row per profile with expected and actual', async () => {
    const out = await renderToString(rendererById('markdown')!, [profiledReport()], GOLDEN_OPTS);
    expect(out).toContain('| Profile mozilla-intermediate 5.7 | compliant |');
    expect(out).toMatch(/\| Profile mozilla-modern 5\.7 \| \*\*not compliant\*\* — protocols: expected exactly TLSv1\.3; actual offers TLSv1\.2 ·/);
    expect(out).toContain('| Profile mozilla-old 5.7 | _not decided_ — untested: hsts-min-age (not read) |');
  });

  it('html: a table of the verdicts and deviations; sarif, junit and csv carry the findings', async () => {
    const report = profiledReport();
    const html = await renderToString(rendererById('html')!, [report], GOLDEN_OPTS);
    expect(html).toContain('<caption>Configuration profiles (--profile)</caption>');
    expect(html).toContain('<td><span class="tone t-good">compliant</span></td>');
    expect(html).toContain('<code>protocols</code> expected exactly TLSv1.3');
    // JUnit fails a case per finding only from high up; a medium deviation is in its family's case.
    expect(await renderToString(rendererById('sarif')!, [report], GOLDEN_OPTS)).toContain('tls.profile.mozilla-modern.cipher-suites');
    expect(await renderToString(rendererById('csv')!, [report], { ...GOLDEN_OPTS, csvFindings: true })).toContain('tls.profile.nist-800-52r2.cipher-suites');
  });
});
