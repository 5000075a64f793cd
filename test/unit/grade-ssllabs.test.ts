import { describe, expect, it } from 'vitest';
import { emptyTls } from '../../src/engine/sections.js';
import { A_PLUS_MIN_HSTS_SECONDS, CAP_RULES, CAP_VULNERABILITIES, letterFor, sslLabsComponents, sslLabsGrade } from '../../src/grade/ssllabs.js';
import { CIPHER_STRENGTH_BANDS, KEY_EXCHANGE_BANDS, LETTER_THRESHOLDS, PROTOCOL_SCORES } from '../../src/grade/ssllabs-tables.js';
import { PROTOCOLS, type Protocols, type VulnerabilityKey } from '../../src/model/constants.js';
import type { CertificateInfo, TlsResult } from '../../src/model/report.js';

const leaf = (keyType: string, keyBits: number): CertificateInfo => ({
  subject: 'CN=x', issuer: 'CN=ca', sans: ['x'], serialNumber: '01', fingerprintSha256: 'ab', notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z', daysRemaining: 40, keyType, keyBits, signatureAlgorithm: 'SHA256withRSA', trusted: true,
  hostnameMatch: true, chainComplete: null, selfSigned: false, ocspStapled: false, scts: null,
});

function tls(p: Partial<Protocols>, suites: TlsResult['cipherSuites'], extra: Partial<TlsResult> = {}): TlsResult {
  const protocols = Object.fromEntries(PROTOCOLS.map((n) => [n, false])) as Protocols;
  return { ...emptyTls(), status: 'ok', protocols: { ...protocols, ...p }, cipherSuites: suites, certificates: [leaf('RSA', 2048)], ...extra };
}

const MODERN = ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'];

type Chain = NonNullable<TlsResult['chains']>[number];
const trustError = (code: string, detail = code) => ({ code, subject: 'CN=x', detail });
const goodChain = (over: Partial<Chain> = {}): Chain => ({
  index: 0, requested: 'RSA', protocol: 'TLSv1.2', leafKeyType: 'RSA 2048', certificates: 2, trusted: true, trustErrors: [],
  anchor: { subject: 'CN=root', label: 'root', source: 'mozilla' }, chainComplete: true, fetchedIntermediates: 0, extraCertificates: [],
  misordered: false, anchorServed: false, hostnameMatch: true, ocsp: [], ct: null, ...over,
});
/** Every verdict a cap depends on, not vulnerable, except `key`. */
const clean = () => Object.fromEntries(CAP_VULNERABILITIES.map((k) => [k, 'not-vulnerable' as const]));
const vuln = (key: VulnerabilityKey) => tls({ 'TLSv1.2': true }, { 'TLSv1.2': MODERN }, { vulnerabilities: { ...clean(), [key]: 'vulnerable' } });

/** A modern TLS 1.2 server whose certificate side is changed by `chain` / `cert`. */
const withCert = (chain: Partial<Chain>, cert: Partial<CertificateInfo> = {}) =>
  tls({ 'TLSv1.2': true }, { 'TLSv1.2': MODERN }, { chains: [goodChain(chain)], certificates: [{ ...leaf('RSA', 2048), servedIndex: 0, ...cert }] });

describe('SSL Labs score tables are complete', () => {
  it('every protocol has a score, and the letter table covers 0…100', () => {
    expect(Object.keys(PROTOCOL_SCORES).sort()).toEqual([...PROTOCOLS].sort());
    for (let s = 0; s <= 100; s++) expect(LETTER_THRESHOLDS.map((t) => t.letter)).toContain(letterFor(s));
    expect([80, 65, 50, 35, 20, 0].map(letterFor)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect([79, 64, 49, 34, 19].map(letterFor)).toEqual(['B', 'C', 'D', 'E', 'F']);
  });

  it('bands are ordered and end open', () => {
    for (const bands of [KEY_EXCHANGE_BANDS, CIPHER_STRENGTH_BANDS]) {
      expect(bands.at(-1)!.below).toBe(Infinity);
      expect(bands.map((b) => b.below)).toEqual([...bands.map((b) => b.below)].sort((a, b) => a - b));
    }
  });

  // One scenario per cap rule: each must fire there, so no rule in the table is dead.
  const scenarios: Record<string, TlsResult> = {
    'ssllabs.cap.sslv2': tls({ SSLv2: true, 'TLSv1.2': true }, { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], 'TLSv1.2': MODERN }),
    'ssllabs.cap.export': tls({ 'TLSv1.0': true, 'TLSv1.2': true }, { 'TLSv1.0': ['TLS_RSA_EXPORT_WITH_RC4_40_MD5'], 'TLSv1.2': MODERN }),
    'ssllabs.cap.anonymous': tls({ 'TLSv1.2': true }, { 'TLSv1.2': [...MODERN, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256'] }),
    'ssllabs.cap.weak-cipher': tls({ 'TLSv1.2': true }, { 'TLSv1.2': [...MODERN, 'TLS_RSA_WITH_DES_CBC_SHA'] }),
    'ssllabs.cap.dh-below-1024': tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { dhParameterBits: 768 }),
    // Our reading (no published rule): a DH modulus that is not prime is an insecure key exchange.
    'ssllabs.cap.dh-composite': tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { dhParameterBits: 2048, dhParameterPrime: 'composite' }),
    'ssllabs.cap.no-tls12': tls({ 'TLSv1.0': true }, { 'TLSv1.0': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] }),
    'ssllabs.cap.rc4-modern': tls({ 'TLSv1.2': true }, { 'TLSv1.2': [...MODERN, 'TLS_RSA_WITH_RC4_128_SHA'] }),
    'ssllabs.cap.64bit-block-modern': tls({ 'TLSv1.2': true }, { 'TLSv1.2': [...MODERN, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }),
    'ssllabs.cap.sslv3': tls({ SSLv3: true, 'TLSv1.2': true }, { SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': MODERN }),
    'ssllabs.cap.tls10-11': tls({ 'TLSv1.1': true, 'TLSv1.2': true }, { 'TLSv1.1': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': MODERN }),
    'ssllabs.cap.rc4': tls({ 'TLSv1.0': true, 'TLSv1.2': true }, { 'TLSv1.0': ['TLS_RSA_WITH_RC4_128_SHA'], 'TLSv1.2': MODERN }),
    'ssllabs.cap.no-forward-secrecy': tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_RSA_WITH_AES_128_GCM_SHA256'] }),
    'ssllabs.cap.no-aead': tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'] }),
    'ssllabs.cap.dh-below-2048': tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { dhParameterBits: 1024 }),
    'ssllabs.cap.cert-untrusted': withCert({ trusted: false }),
    'ssllabs.cap.cert-sha1': withCert({}, { signatureAlgorithm: 'SHA1withRSA' }),
    'ssllabs.cap.cert-revoked': withCert({ ocsp: [{ source: 'stapled', status: 'revoked', revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: true, signatureValid: true, detail: 'revoked' }] }),
    'ssllabs.cap.cert-mismatch': withCert({ hostnameMatch: false }),
    'ssllabs.cap.cert-md5': withCert({}, { signatureAlgorithm: 'MD5withRSA' }),
    'ssllabs.cap.cert-weak-key': withCert({}, { keyBits: 768 }),
    'ssllabs.cap.cert-short-key': withCert({}, { keyBits: 1024 }),
    'ssllabs.cap.chain-incomplete': withCert({ chainComplete: false, fetchedIntermediates: 1 }),
    'ssllabs.cap.sslv3-only': tls({ SSLv3: true }, { SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }),
    'ssllabs.cap.rc4-only': tls({ 'TLSv1.0': true }, { 'TLSv1.0': ['TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_RC4_128_MD5'] }),
    'ssllabs.cap.heartbleed': vuln('heartbleed'),
    'ssllabs.cap.ccs-injection': vuln('ccsInjection'),
    'ssllabs.cap.robot': vuln('robot'),
    'ssllabs.cap.ticketbleed': vuln('ticketbleed'),
    'ssllabs.cap.drown': vuln('drown'),
    'ssllabs.cap.insecure-renegotiation': vuln('insecureRenegotiation'),
    'ssllabs.cap.crime': vuln('crime'),
    'ssllabs.cap.poodle-ssl': vuln('poodleSsl'),
  };
  it.each(CAP_RULES.map((r) => [r.id, r.grade] as const))('%s (%s) has a scenario where it applies', (id, grade) => {
    const scenario = scenarios[id];
    expect(scenario, `no scenario for ${id}`).toBeDefined();
    expect(sslLabsComponents(scenario!).caps).toContainEqual(expect.objectContaining({ id, grade }));
  });
  it('every scenario is a rule', () => {
    expect(Object.keys(scenarios).sort()).toEqual(CAP_RULES.map((r) => r.id).sort());
  });
});

describe('SSL Labs components', () => {
  it('TLS 1.2 + 1.0, RSA 2048, AES-256 … 3DES-strength: 95 / 90 / 90 (the rating guide worked example)', () => {
    const r = sslLabsComponents(tls({ 'TLSv1.0': true, 'TLSv1.2': true }, {
      'TLSv1.0': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
      'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    }, { groups: ['x25519', 'secp256r1'] }));
    expect(r).toMatchObject({ protocol: 95, keyExchange: 90, cipherStrength: 90, score: Math.round(0.3 * 95 + 0.3 * 90 + 0.4 * 90), scoreLetter: 'A' });
    expect(r.caps.map((c) => c.id)).toEqual(['ssllabs.cap.tls10-11']);
  });

  it('modern ECDSA P-256 + TLS 1.3 only AEAD-256: full marks, no caps', () => {
    const r = sslLabsComponents(tls({ 'TLSv1.3': true }, { 'TLSv1.3': ['TLS_AES_256_GCM_SHA384'] }, { certificates: [leaf('EC', 256)], groups: ['x25519'] }));
    expect(r).toMatchObject({ protocol: 100, keyExchange: 100, cipherStrength: 100, score: 100, scoreLetter: 'A', caps: [] });
  });

  it('a zero category zeroes the score (SSLv2 only, anonymous)', () => {
    const sslv2Only = sslLabsComponents(tls({ SSLv2: true }, { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], SSLv3: [] }, { groups: [] }));
    expect(sslv2Only.protocol).toBe(0);
    // Best SSLv3 (80) and worst SSLv2 (0) average to 40: not zero, so the score is not zeroed.
    expect(sslLabsComponents(tls({ SSLv2: true, SSLv3: true }, { SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA'] })).protocol).toBe(40);
    const anon = sslLabsComponents(tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DH_anon_WITH_AES_128_GCM_SHA256'] }));
    expect(anon).toMatchObject({ keyExchange: 0, score: 0, scoreLetter: 'F' });
  });

  it('DH 1024 lowers key exchange to 80; weak curves and export to 40', () => {
    expect(sslLabsComponents(tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { dhParameterBits: 1024 })).keyExchange).toBe(80);
    expect(sslLabsComponents(tls({ 'TLSv1.0': true }, { 'TLSv1.0': ['TLS_RSA_EXPORT_WITH_RC4_40_MD5'] })).keyExchange).toBe(40);
  });

  it('nothing enumerated → no score, never a made-up number', () => {
    expect(sslLabsComponents(tls({}, {}))).toMatchObject({ protocol: null, cipherStrength: null, score: null, scoreLetter: null });
  });
});

describe('SSL Labs certificate caps', () => {
  const ids = (t: TlsResult) => sslLabsComponents(t).caps.map((c) => c.id);
  it('a trusted, complete, matching SHA-256 chain imposes no certificate cap', () => {
    expect(ids(withCert({}))).toEqual([]);
  });
  it('a served self-signed root signed with MD5 or SHA-1 does not count', () => {
    const root = { ...leaf('RSA', 2048), servedIndex: 1, selfSigned: true, signatureAlgorithm: 'MD5withRSA' };
    expect(ids({ ...withCert({}), certificates: [{ ...leaf('RSA', 2048), servedIndex: 0 }, root] })).toEqual([]);
  });
  it('a self-signed or unknown-root chain is T only: no intermediate is missing', () => {
    expect(ids(withCert({ trusted: false, chainComplete: false, trustErrors: [trustError('self-signed')] }))).toEqual(['ssllabs.cap.cert-untrusted']);
    expect(ids(withCert({ trusted: false, chainComplete: false, trustErrors: [trustError('unknown-issuer')] }))).toEqual(['ssllabs.cap.cert-untrusted']);
  });
  it('a CRL that lists the certificate is T, as a revoked OCSP answer is', () => {
    const crl = { checked: true, method: 'crl' as const, status: 'revoked' as const, revokedAt: null, notChecked: null, detail: 'listed', crl: null };
    expect(ids(withCert({ revocation: crl }))).toEqual(['ssllabs.cap.cert-revoked']);
    // Revocation that could not be checked does not cap (SSL Labs grades it so too).
    const unchecked = { checked: false, method: null, status: null, revokedAt: null, notChecked: 'unreachable' as const, detail: 'no answer', crl: null };
    expect(ids(withCert({ revocation: unchecked }))).toEqual([]);
    // With a verdict, an OCSP "revoked" whose signature fails is not a revocation (it was not decisive).
    const forged = { source: 'responder' as const, url: 'http://ocsp.test', status: 'revoked' as const, revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: true, signatureValid: false, detail: 'revoked; bad signature' };
    expect(ids(withCert({ ocsp: [forged], revocation: unchecked }))).toEqual([]);
  });
  it('without an examined chain the certificate caps are pending, not silently passed', () => {
    expect(sslLabsComponents(tls({ 'TLSv1.2': true }, { 'TLSv1.2': MODERN })).pending[0]).toMatch(/certificate caps/);
    expect(sslLabsComponents(withCert({})).pending.join(' ')).not.toMatch(/certificate caps/);
  });
});

describe('SSL Labs letter', () => {
  const tested = (t: TlsResult): TlsResult => ({ ...t, vulnerabilities: { ...clean(), ...t.vulnerabilities }, features: { ...FEATURES, ...t.features } });
  const FEATURES = {
    alpn: [], secureRenegotiation: true, fallbackScsv: true, extendedMasterSecret: true, ocspStapling: true, sctExtension: false,
    heartbeat: false, sessionTickets: true, compression: false, resumption: { ids: true, tickets: true },
  };
  const modern13 = () => tested(tls({ 'TLSv1.2': true, 'TLSv1.3': true }, { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': MODERN }, { chains: [goodChain()] }));
  const letter = (t: TlsResult, hsts: number | null = A_PLUS_MIN_HSTS_SECONDS) => sslLabsGrade(t, sslLabsComponents(t), hsts);

  it('A+ needs HSTS of at least 180 days; without it the grade is A and says why', () => {
    expect(letter(modern13()).letter).toBe('A+');
    expect(letter(modern13(), A_PLUS_MIN_HSTS_SECONDS - 1)).toMatchObject({ letter: 'A', notAPlus: expect.stringMatching(/under 180 days/) });
    expect(letter(modern13(), null)).toMatchObject({ letter: 'A', notAPlus: expect.stringMatching(/no HSTS/) });
  });

  it('no TLS 1.3 turns A+ into A- (a warning, named)', () => {
    const t = tested(tls({ 'TLSv1.2': true }, { 'TLSv1.2': MODERN }, { chains: [goodChain()] }));
    expect(letter(t)).toMatchObject({ letter: 'A-', warnings: [{ id: 'ssllabs.warning.no-tls13' }] });
  });

  it('caps lower the letter: the worst cap wins', () => {
    const t = tested({ ...modern13(), protocols: { ...modern13().protocols, 'TLSv1.0': true }, cipherSuites: { ...modern13().cipherSuites, 'TLSv1.0': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] } });
    expect(letter(t).letter).toBe('B');
    expect(letter({ ...t, vulnerabilities: { ...t.vulnerabilities, heartbleed: 'vulnerable' } }).letter).toBe('F');
  });

  it('T and M replace the letter and keep what it would be', () => {
    const untrusted = tested({ ...modern13(), chains: [goodChain({ trusted: false })] });
    expect(letter(untrusted)).toMatchObject({ letter: 'T', ignoringTrust: 'A+' });
    const mismatch = tested({ ...modern13(), chains: [goodChain({ hostnameMatch: false })] });
    expect(letter(mismatch)).toMatchObject({ letter: 'M', ignoringTrust: 'A+' });
  });

  it('an untested vulnerability or certificate leaves the endpoint without a letter, saying why', () => {
    const t = modern13();
    const unknownRobot = { ...t, vulnerabilities: { ...t.vulnerabilities, robot: 'unknown' as const } };
    expect(letter(unknownRobot)).toMatchObject({ letter: null, ungraded: expect.stringMatching(/robot/) });
    const noChain: TlsResult = { ...t };
    delete noChain.chains;
    expect(letter(noChain)).toMatchObject({ letter: null, ungraded: expect.stringMatching(/certificate caps/) });
  });

  describe('a letter whenever the untested parts cannot change it (best = worst), and only then', () => {
    const legacy = () =>
      tested(tls({ SSLv2: true, 'TLSv1.2': true }, { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], 'TLSv1.2': MODERN }, { chains: [goodChain()] }));
    const without = (t: TlsResult, ...keys: VulnerabilityKey[]): TlsResult => {
      const vulnerabilities = { ...t.vulnerabilities };
      for (const k of keys) delete vulnerabilities[k];
      return { ...t, vulnerabilities };
    };

    it('SSLv2 floors the letter at F: untested vulnerabilities cannot lift it', () => {
      const t = without(legacy(), ...CAP_VULNERABILITIES);
      expect(letter(t)).toMatchObject({ letter: 'F', best: 'F', worst: 'F', ungraded: null });
      expect(sslLabsComponents(t).pending.join(' ')).toMatch(/vulnerability caps/);
    });

    it('a certain T stays T whatever the vulnerabilities turn out to be (--checks tls,cert on an expired certificate)', () => {
      const t = without(tested({ ...modern13(), chains: [goodChain({ trusted: false })] }), ...CAP_VULNERABILITIES);
      expect(letter(t)).toMatchObject({ letter: 'T', best: 'T', worst: 'T', ignoringTrust: null });
    });

    it('an untested vulnerability on a good server: from A+ to F, no letter', () => {
      expect(letter(without(modern13(), 'heartbleed'))).toMatchObject({ letter: null, best: 'A+', worst: 'F', ungraded: expect.stringMatching(/from A\+ to F/) });
    });

    it('an untested certificate: T at worst, so no letter unless T is certain', () => {
      const t: TlsResult = { ...modern13() };
      delete t.chains;
      expect(letter(t)).toMatchObject({ letter: null, best: 'A+', worst: 'T' });
    });

    it('an untested protocol version could be accepted (legacy, at worst) or refused (modern, at worst)', () => {
      const sslv3Unknown = tested({ ...modern13(), protocols: { ...modern13().protocols, SSLv3: null } });
      expect(sslLabsComponents(sslv3Unknown).pending).toContain('protocols: SSLv3 could not be tested');
      expect(letter(sslv3Unknown)).toMatchObject({ letter: null, best: 'A+', worst: 'F' });
      const tls13Unknown = tested({ ...modern13(), protocols: { ...modern13().protocols, 'TLSv1.3': null }, cipherSuites: { 'TLSv1.2': MODERN } });
      expect(letter(tls13Unknown)).toMatchObject({ letter: null, best: 'A+', worst: 'A-' });
    });

    it('an incomplete suite list could hide the weakest suite', () => {
      const t = tested({ ...modern13(), cipherSuitesIncomplete: { 'TLSv1.2': 'connection timed out' } });
      expect(sslLabsComponents(t).pending).toContain('cipher suites: the TLSv1.2 list is incomplete (connection timed out)');
      expect(letter(t)).toMatchObject({ letter: null, best: 'A+', worst: 'F' });
    });

    it('groups or the DHE prime not read: the weakest could be in use', () => {
      // The weakest named curve (160 bits) costs 10 key-exchange points: still A+, so the letter stands.
      const noGroups = tested({ ...modern13(), groups: null });
      expect(sslLabsComponents(noGroups).pending).toContain('key exchange: ECDHE suites are accepted but the groups could not be (fully) enumerated');
      expect(letter(noGroups)).toMatchObject({ letter: 'A+', best: 'A+', worst: 'A+' });
      const dhe = tested(tls({ 'TLSv1.2': true, 'TLSv1.3': true }, { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { chains: [goodChain()], groups: [] }));
      expect(sslLabsComponents(dhe).pending).toContain('key exchange: DHE suites are accepted but the DHE prime could not be read');
      expect(letter(dhe)).toMatchObject({ letter: null, worst: 'F' });
    });

    it('secure renegotiation not asked: A or A- is undecided', () => {
      const t = tested(tls({ 'TLSv1.2': true }, { 'TLSv1.2': MODERN }, { chains: [goodChain()] }));
      const unknown = { ...t, features: { ...t.features!, secureRenegotiation: null } };
      expect(letter(unknown)).toMatchObject({ letter: 'A-' }); // no TLS 1.3 already makes it A-
      const with13 = { ...modern13(), protocols: { ...modern13().protocols, 'TLSv1.3': false }, features: { ...modern13().features!, secureRenegotiation: null } };
      expect(letter(with13).letter).toBe('A-');
    });

    it('HSTS not read although asked for: A+ or A is undecided', () => {
      const t = modern13();
      expect(sslLabsGrade(t, sslLabsComponents(t), null, { hstsUnknown: true })).toMatchObject({ letter: null, best: 'A+', worst: 'A' });
      expect(sslLabsGrade(t, sslLabsComponents(t), null)).toMatchObject({ letter: 'A', best: 'A', worst: 'A' });
    });

    it('over every outcome: each single untested verdict set either way gives a letter within [worst, best]', () => {
      const rank = (g: string | null) => ['F', 'T', 'M', 'E', 'D', 'C', 'B', 'A-', 'A', 'A+'].indexOf(g ?? 'F');
      for (const key of CAP_VULNERABILITIES) {
        const open = letter(without(modern13(), key));
        for (const outcome of ['vulnerable', 'not-vulnerable'] as const) {
          const settled = letter({ ...modern13(), vulnerabilities: { ...modern13().vulnerabilities, [key]: outcome } }).letter;
          expect(rank(settled), `${key} ${outcome}`).toBeLessThanOrEqual(rank(open.best));
          expect(rank(settled), `${key} ${outcome}`).toBeGreaterThanOrEqual(rank(open.worst));
        }
      }
    });
  });
});

// testssl.sh 3.1+ also rates servers, but departs from the SSL Labs guide in three places; secgrade
// follows the guide (testssl.sh 3.0.8, the one installable here, has no rating to compare against).
describe('the guide, where testssl.sh rates differently', () => {
  const caps = (t: TlsResult) => sslLabsComponents(t).caps.map((c) => `${c.id}:${c.grade}`);

  it('no AEAD suite caps at B (testssl.sh\'s "no AEAD" cap never fires)', () => {
    expect(caps(tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'] }))).toContain(
      'ssllabs.cap.no-aead:B',
    );
  });

  it('DH parameter size is part of the key-exchange score (testssl.sh no longer scores it)', () => {
    const dhe = (bits: number) => sslLabsComponents(tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] }, { dhParameterBits: bits })).keyExchange;
    // The weakest of key and DH group counts: 1024-bit DH pulls the RSA-2048 server's 90 down to 80.
    expect([dhe(1024), dhe(2048), dhe(4096)]).toEqual([80, 90, 90]);
  });

  it('3DES with TLS 1.1 or newer caps at C (testssl.sh\'s SWEET32 cap never fires by default)', () => {
    expect(caps(tls({ 'TLSv1.2': true }, { 'TLSv1.2': [...MODERN, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }))).toContain('ssllabs.cap.64bit-block-modern:C');
  });
});

// The rules Qualys added to the guide over the years (facts from their announcements; where a rule
// needs reading, the README says so): each a row, with the letter and what T/M hide.
describe("the guide's published changes, row by row", () => {
  const FEATURES = {
    alpn: [], secureRenegotiation: true, fallbackScsv: true, extendedMasterSecret: true, ocspStapling: true, sctExtension: false,
    heartbeat: false, sessionTickets: true, compression: false, resumption: { ids: true, tickets: true },
  };
  const tested = (t: TlsResult): TlsResult => ({ ...t, vulnerabilities: { ...clean(), ...t.vulnerabilities }, features: { ...FEATURES, ...t.features } });
  /** TLS 1.2 + 1.3, modern suites, HSTS: A+ unless a row's change says otherwise. */
  const server = (chain: Partial<Chain> = {}, certs: Array<Partial<CertificateInfo>> = [{}], extra: Partial<TlsResult> = {}) =>
    tested(
      tls({ 'TLSv1.2': true, 'TLSv1.3': true }, { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': MODERN }, {
        groups: ['x25519'],
        chains: [goodChain(chain)],
        certificates: certs.map((c, i) => ({ ...leaf('RSA', 2048), servedIndex: i, ...c })),
        ...extra,
      }),
    );
  const grade = (t: TlsResult) => {
    const g = sslLabsGrade(t, sslLabsComponents(t), A_PLUS_MIN_HSTS_SECONDS);
    return { letter: g.letter, ignoringTrust: g.ignoringTrust, caps: sslLabsComponents(t).caps.map((c) => `${c.id.replace('ssllabs.cap.', '')}:${c.grade}`) };
  };
  const intermediate = (over: Partial<CertificateInfo> = {}): Partial<CertificateInfo> => ({ subject: 'CN=ca', issuer: 'CN=root', ca: true, trusted: null, ...over });
  const keyRejected = trustError('web-pki', 'The server certificate has an RSA key of 1024 bits.');
  const sha1Rejected = trustError('weak-signature', 'The intermediate "ca" is signed with SHA-1, which browsers no longer accept.');

  const rows: Array<[string, TlsResult, { letter: string | null; ignoringTrust: string | null; caps: string[] }]> = [
    ['baseline: modern server, trusted RSA-2048 chain', server(), { letter: 'A+', ignoringTrust: 'A+', caps: [] }],
    // 2014: keys below 2048 bits cap at B; web-PKI path validation rejects them, so T hides the B.
    [
      'RSA-1024 leaf (path validation rejects the key): T, B behind it',
      server({ trusted: false, trustErrors: [keyRejected] }, [{ keyBits: 1024 }]),
      { letter: 'T', ignoringTrust: 'B', caps: ['cert-untrusted:T', 'cert-short-key:B'] },
    ],
    ['RSA-1024 leaf under a private anchor that took it: B', server({}, [{ keyBits: 1024 }]), { letter: 'B', ignoringTrust: 'B', caps: ['cert-short-key:B'] }],
    ['EC-192 leaf: B (below the RSA-2048 equivalent)', server({}, [{ keyType: 'EC', keyBits: 192 }]), { letter: 'B', ignoringTrust: 'B', caps: ['cert-short-key:B'] }],
    ['RSA-768 leaf: F, not also B', server({}, [{ keyBits: 768 }]), { letter: 'F', ignoringTrust: 'F', caps: ['cert-weak-key:F'] }],
    // 2017: SHA-1 certificates are no longer trusted, the intermediate's signature as much as the leaf's.
    [
      'SHA-1-signed served intermediate: T',
      server({ trusted: false, trustErrors: [sha1Rejected] }, [{}, intermediate({ signatureAlgorithm: 'SHA1withRSA' })]),
      { letter: 'T', ignoringTrust: 'A+', caps: ['cert-untrusted:T', 'cert-sha1:T'] },
    ],
    [
      'SHA-1-signed intermediate downloaded from the AIA URL: T',
      server({ trusted: false, chainComplete: false, fetchedIntermediates: 1, trustErrors: [sha1Rejected] }),
      { letter: 'T', ignoringTrust: 'B', caps: ['cert-untrusted:T', 'cert-sha1:T', 'chain-incomplete:B'] },
    ],
    ['SHA-1 self-signature of a served root: no cap', server({ anchorServed: true }, [{}, intermediate(), intermediate({ selfSigned: true, signatureAlgorithm: 'SHA1withRSA' })]), { letter: 'A+', ignoringTrust: 'A+', caps: [] }],
    // December 2014: F to servers that support only SSL 3; SSL 3 beside TLS caps at B (C with POODLE).
    [
      'SSL 3.0 is the best protocol: F',
      tested(tls({ SSLv3: true }, { SSLv3: ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] }, { chains: [goodChain()], groups: ['x25519'] })),
      { letter: 'F', ignoringTrust: 'F', caps: ['sslv3-only:F', 'no-tls12:C', 'sslv3:B', 'no-aead:B'] },
    ],
    [
      'SSL 3.0 beside TLS 1.2: not SSL 3-only',
      tested(tls({ SSLv3: true, 'TLSv1.2': true }, { SSLv3: ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': MODERN }, { chains: [goodChain()], groups: ['x25519'] })),
      { letter: 'B', ignoringTrust: 'B', caps: ['sslv3:B'] },
    ],
    // 2015: RC4 with TLS 1.1+ caps at C, RC4 with older protocols only at B (May); RC4-only fails (October).
    [
      'RC4 only, on TLS 1.2: F',
      tested(tls({ 'TLSv1.2': true }, { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_RC4_128_SHA'] }, { chains: [goodChain()], groups: ['x25519'] })),
      { letter: 'F', ignoringTrust: 'F', caps: ['rc4-only:F', 'rc4-modern:C', 'no-aead:B'] },
    ],
    [
      'RC4 only, on TLS 1.0: F',
      tested(tls({ 'TLSv1.0': true }, { 'TLSv1.0': ['TLS_RSA_WITH_RC4_128_SHA'] }, { chains: [goodChain()], groups: [] })),
      { letter: 'F', ignoringTrust: 'F', caps: ['rc4-only:F', 'no-tls12:C', 'tls10-11:B', 'rc4:B', 'no-forward-secrecy:B', 'no-aead:B'] },
    ],
    [
      'RC4 beside AES on TLS 1.2: C',
      tested(tls({ 'TLSv1.2': true, 'TLSv1.3': true }, { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': [...MODERN, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'] }, { chains: [goodChain()], groups: ['x25519'] })),
      { letter: 'C', ignoringTrust: 'C', caps: ['rc4-modern:C'] },
    ],
    // December 2014: incomplete chains cap at B; the cap stays behind a T.
    [
      'incomplete chain completed from the AIA URL: B',
      server({ chainComplete: false, fetchedIntermediates: 1 }),
      { letter: 'B', ignoringTrust: 'B', caps: ['chain-incomplete:B'] },
    ],
    [
      'incomplete chain not completed (no download): T, B behind it',
      server({ trusted: false, chainComplete: false, trustErrors: [trustError('missing-intermediate')] }),
      { letter: 'T', ignoringTrust: 'B', caps: ['cert-untrusted:T', 'chain-incomplete:B'] },
    ],
    [
      'incomplete and expired: T, B behind it',
      server({ trusted: false, chainComplete: false, fetchedIntermediates: 1, trustErrors: [trustError('expired')] }),
      { letter: 'T', ignoringTrust: 'B', caps: ['cert-untrusted:T', 'chain-incomplete:B'] },
    ],
    // Revocation: T when a verdict says revoked (staple, responder or CRL); unknown does not cap.
    [
      'revoked by the CRL: T',
      server({ revocation: { checked: true, method: 'crl', status: 'revoked', revokedAt: null, notChecked: null, detail: 'listed', crl: null } }),
      { letter: 'T', ignoringTrust: 'A+', caps: ['cert-revoked:T'] },
    ],
    [
      'revocation not checked (--no-phone-out): no cap',
      server({ revocation: { checked: false, method: null, status: null, revokedAt: null, notChecked: 'phone-out-disabled', detail: 'not asked', crl: null } }),
      { letter: 'A+', ignoringTrust: 'A+', caps: [] },
    ],
  ];
  it.each(rows)('%s', (_name, t, want) => {
    expect(grade(t)).toEqual(want);
  });
});
