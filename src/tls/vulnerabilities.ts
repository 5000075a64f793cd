// Vulnerabilities that follow from the configuration alone (POODLE, BEAST, SWEET32, FREAK, Logjam,
// DROWN, CRIME, Lucky13, RC4, insecure renegotiation, fallback SCSV). No connection: every verdict
// is read from the evidence of tls-protocols, tls-ciphers, tls-groups and tls-features through one
// rule table. Evidence a rule needs but did not get makes that verdict 'unknown', with the reason.
//
// Most of these facts are already findings of those probes (tls.cipher.rc4, tls.protocol.sslv2 …).
// A 'vulnerable' verdict whose every part is already reported becomes an info-level finding that
// names the attack and points at the existing ids (evidence.reportedAs), so severities are not
// counted twice; a part no existing finding states (BEAST, a common DH prime …) gets the full one.
// The existing findings are the ones those probes' checks made (passed in), matched by their ids.
import { finding, type CheckFinding } from '../model/finding.js';
import type { ProtocolName, Severity, VULNERABILITY_VERDICTS, VulnerabilityKey } from '../model/constants.js';
import { CIPHER_FINDINGS, type TlsCiphersEvidence } from './ciphers.js';
import { commonDhPrime } from './common-dh-primes.js';
import { FEATURE_FINDINGS, type TlsFeaturesEvidence } from './features.js';
import { GROUP_FINDINGS, type TlsGroupsEvidence } from './groups.js';
import { PROTOCOL_FINDINGS, type TlsProtocolsEvidence } from './protocols.js';
import { SSLV2_CIPHER_KINDS, suiteByName } from './registry/index.js';

/** The keys of endpoints[].tls.vulnerabilities these rules decide, in table order. */
export const CONFIG_VULN_KEYS = [
  'poodleSsl',
  'beast',
  'sweet32',
  'freak',
  'logjam',
  'drown',
  'crime',
  'lucky13',
  'rc4',
  'insecureRenegotiation',
  'fallbackScsv',
] as const satisfies readonly VulnerabilityKey[];
export type ConfigVulnKey = (typeof CONFIG_VULN_KEYS)[number];

export type Verdict = (typeof VULNERABILITY_VERDICTS)[number];

export interface VulnConfigInputs {
  protocols: TlsProtocolsEvidence;
  ciphers?: TlsCiphersEvidence;
  groups?: TlsGroupsEvidence;
  features?: TlsFeaturesEvidence;
}

/** Accepted suite names per protocol. */
export type SuitesByProtocol = Partial<Record<ProtocolName, string[]>>;

/** One reason a verdict is 'vulnerable', and the existing findings that already state it. */
export interface Part {
  seenIn: readonly string[];
  /** When set, the existing finding must list every one of these suites in its evidence. */
  suites?: SuitesByProtocol;
}

export interface Judgement {
  verdict: Verdict;
  /** What was seen (or what was missing, for 'unknown'). */
  reason: string;
  /** What the finding shows: suites per version, the prime … */
  evidence: Record<string, unknown>;
  /** Ids of existing findings that already state every part of a 'vulnerable' verdict; else []. */
  reportedAs: string[];
  /** Overrides the rule's severity (Logjam: by prime size). */
  severity?: Severity;
}

export interface VulnConfigEvidence {
  verdicts: Record<ConfigVulnKey, Judgement>;
}

// ---------------------------------------------------------------------------------------------
// Reading the inputs

/** Thrown by need(): a rule needs evidence a probe did not deliver, so its verdict is unknown. */
class Missing extends Error {}

function need<T>(value: T | undefined, probe: string): T {
  if (value === undefined) throw new Missing(`${probe} did not complete`);
  return value;
}

/** What the rules ask of a suite; SSLv2 cipher kinds answer it too. */
interface SuiteFacts {
  cipher: string;
  blockBits: number | null;
  cbc: boolean;
  mac: string;
  kx: string;
  auth: string;
  export: boolean;
}

function factsOf(protocol: ProtocolName, name: string): SuiteFacts | undefined {
  if (protocol === 'SSLv2') {
    const k = SSLV2_CIPHER_KINDS.find((x) => x.name === name);
    return k && { cipher: k.cipher, blockBits: k.blockBits, cbc: k.cipher.includes('CBC'), mac: k.mac, kx: 'RSA', auth: 'RSA', export: k.export };
  }
  return suiteByName(name);
}

const SSL2_TO_TLS12: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2'];
const SSL3_TO_TLS12: readonly ProtocolName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2'];
const VERSIONS_BUT_SSLV2: readonly ProtocolName[] = [...SSL3_TO_TLS12, 'TLSv1.3'];

interface SuiteScan {
  asked: readonly ProtocolName[];
  hits: SuitesByProtocol;
  /** Why a miss is not proof: untested versions, unknown or incomplete suite lists. */
  gaps: string[];
  /** Versions (of those asked) that are accepted. */
  accepted: ProtocolName[];
}

/** Accepted suites matching `test` on `versions`; tls-ciphers is only needed if one is accepted. */
function scanSuites(i: VulnConfigInputs, versions: readonly ProtocolName[], test: (s: SuiteFacts) => boolean): SuiteScan {
  const scan: SuiteScan = { asked: versions, hits: {}, gaps: [], accepted: [] };
  for (const p of versions) {
    const state = i.protocols.protocols[p];
    if (state === false) continue;
    if (state === null) {
      scan.gaps.push(`${p} was not tested`);
      continue;
    }
    scan.accepted.push(p);
    // SSLv2 cipher kinds come with the SSLv2 answer itself (tls-ciphers only copies them).
    const ciphers = p === 'SSLv2' ? undefined : need(i.ciphers, 'tls-ciphers');
    const names = ciphers ? ciphers.suites[p] : i.protocols.sslv2Ciphers;
    if (!names) {
      scan.gaps.push(`the ${p} suites are unknown`);
      continue;
    }
    const hits = names.filter((n) => {
      const f = factsOf(p, n);
      return f !== undefined && test(f);
    });
    if (hits.length) scan.hits[p] = hits;
    const why = ciphers?.incomplete[p];
    if (why) scan.gaps.push(`the ${p} suite list is incomplete (${why})`);
  }
  return scan;
}

const listHits = (hits: SuitesByProtocol): string =>
  Object.entries(hits)
    .map(([p, names]) => `${p}: ${names.join(', ')}`)
    .join('; ');

const anyHit = (hits: SuitesByProtocol): boolean => Object.keys(hits).length > 0;

/** Split hits into the SSLv2 part (reported by tls.protocol.sslv2) and the rest. */
function splitSslv2(hits: SuitesByProtocol): { sslv2: SuitesByProtocol; tls: SuitesByProtocol } {
  const { SSLv2, ...tls } = hits;
  return { sslv2: SSLv2 ? { SSLv2 } : {}, tls };
}

type Judged = Omit<Judgement, 'reportedAs'> & { parts?: Part[] };

const not = (reason: string, evidence: Record<string, unknown> = {}): Judged => ({ verdict: 'not-vulnerable', reason, evidence });
const unknown = (reason: string): Judged => ({ verdict: 'unknown', reason, evidence: {} });

/** The common verdict of a suite rule: a hit is proof, a miss only counts without gaps. */
function fromScan(scan: SuiteScan, what: string, parts: (hits: SuitesByProtocol) => Part[]): Judged {
  if (anyHit(scan.hits)) {
    return { verdict: 'vulnerable', reason: `${what} accepted (${listHits(scan.hits)})`, evidence: { suites: scan.hits }, parts: parts(scan.hits) };
  }
  if (scan.gaps.length) return unknown(`no ${what} found, but ${scan.gaps.join('; ')}`);
  if (scan.accepted.length === 0) return not(`${scan.asked.join(', ')} ${scan.asked.length > 1 ? 'are' : 'is'} not accepted`);
  return not(`no ${what} accepted on ${scan.accepted.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// The rule table

const HMAC_MACS = new Set(['SHA', 'SHA256', 'SHA384', 'MD5']);
const isDhe = (s: SuiteFacts): boolean => s.kx === 'DHE' || (s.kx === 'DH' && s.auth === 'anon');

interface VulnRule {
  key: ConfigVulnKey;
  /** The attack, as the finding's title names it. */
  name: string;
  severity: Severity;
  /** Why it matters (and how much, today); appended to the verdict's reason. */
  why: string;
  remediation: string;
  references: readonly string[];
  judge(i: VulnConfigInputs): Judged;
}

const CVE = (id: string, name: string): string => `${id} (${name}, https://nvd.nist.gov/vuln/detail/${id})`;
const RFC = (n: number, title: string): string => `RFC ${n} — ${title} (https://www.rfc-editor.org/rfc/rfc${n})`;

export const VULN_RULES: readonly VulnRule[] = [
  {
    key: 'poodleSsl',
    name: 'POODLE (SSLv3)',
    severity: 'high',
    why: 'SSLv3 CBC padding is not covered by the MAC, so an attacker in the path who can make the client repeat requests recovers a cookie byte per ~256 requests',
    remediation: 'Disable SSLv3.',
    references: [CVE('CVE-2014-3566', 'POODLE'), RFC(7568, 'Deprecating SSL 3.0')],
    judge: (i) => fromScan(scanSuites(i, ['SSLv3'], (s) => s.cbc), 'CBC suites', () => [{ seenIn: [PROTOCOL_FINDINGS.sslv3] }]),
  },
  {
    key: 'beast',
    name: 'BEAST',
    severity: 'info',
    why: 'TLS 1.0 and SSLv3 CBC use the previous record’s last block as IV, which a chosen-plaintext attacker can exploit; reported as information because browsers have split records (1/n−1) since 2012 and TLS 1.1+ clients never use these versions',
    remediation: 'Disable TLS 1.0 and SSLv3 (or, where they must stay, prefer non-CBC suites on them).',
    references: [CVE('CVE-2011-3389', 'BEAST'), RFC(8996, 'Deprecating TLS 1.0 and TLS 1.1')],
    judge(i) {
      const j = fromScan(scanSuites(i, ['SSLv3', 'TLSv1.0'], (s) => s.cbc), 'CBC suites', () => [{ seenIn: [] }]);
      const higher = ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'].filter((p) => i.protocols.protocols[p as ProtocolName] === true);
      if (j.verdict === 'vulnerable' && higher.length) j.reason += `; ${higher.join(', ')} also accepted, so current clients are not exposed`;
      return j;
    },
  },
  {
    key: 'sweet32',
    name: 'SWEET32',
    severity: 'medium',
    why: 'after ~2^32 blocks under one key, 64-bit blocks collide and leak plaintext XORs (tens of GB on a long-lived connection)',
    remediation: 'Remove 3DES, IDEA and the other 64-bit block suites (OpenSSL: `!3DES !IDEA`).',
    references: [CVE('CVE-2016-2183', 'SWEET32'), 'Sweet32: Birthday attacks on 64-bit block ciphers (https://sweet32.info/)'],
    judge: (i) =>
      fromScan(scanSuites(i, SSL2_TO_TLS12, (s) => s.blockBits === 64), '64-bit block cipher suites', (hits) => {
        const { sslv2, tls } = splitSslv2(hits);
        // tls-ciphers files each 64-bit suite under one of these, by key size.
        const parts: Part[] = [];
        if (anyHit(tls)) parts.push({ seenIn: [CIPHER_FINDINGS.block64, CIPHER_FINDINGS.weakKey, CIPHER_FINDINGS.export], suites: tls });
        if (anyHit(sslv2)) parts.push({ seenIn: [PROTOCOL_FINDINGS.sslv2], suites: sslv2 });
        return parts;
      }),
  },
  {
    key: 'freak',
    name: 'FREAK',
    severity: 'high',
    why: 'a client tricked into RSA_EXPORT accepts a 512-bit RSA key that can be factored in hours',
    remediation: 'Remove every EXPORT suite (OpenSSL: `!EXP`).',
    references: [CVE('CVE-2015-0204', 'FREAK'), 'SMACK / FREAK (https://mitls.org/pages/attacks/SMACK)'],
    judge: (i) =>
      fromScan(scanSuites(i, SSL3_TO_TLS12, (s) => s.kx === 'RSA' && s.export), 'RSA export suites', (hits) => [
        { seenIn: [CIPHER_FINDINGS.export], suites: hits },
      ]),
  },
  {
    key: 'logjam',
    name: 'Logjam',
    severity: 'high',
    why: 'Diffie-Hellman over a prime of 1024 bits or less (or DHE_EXPORT’s 512) can be broken by precomputation on the prime; a prime many servers share is the one worth precomputing',
    remediation:
      'Use a DH prime of at least 2048 bits that is your own or an RFC 7919 group (nginx `ssl_dhparam`, Apache `SSLOpenSSLConfCmd DHParameters`), remove DHE_EXPORT suites, or drop DHE in favour of ECDHE.',
    references: [
      CVE('CVE-2015-4000', 'Logjam'),
      'Imperfect Forward Secrecy: How Diffie-Hellman Fails in Practice (https://weakdh.org/)',
      RFC(7919, 'Negotiated FFDHE parameters for TLS'),
    ],
    judge: judgeLogjam,
  },
  {
    key: 'drown',
    name: 'DROWN',
    severity: 'critical',
    why: 'SSLv2 is a decryption oracle for any TLS session made with the same RSA key',
    remediation: 'Disable SSLv2 on every server that uses this certificate’s key (web, mail, VPN …).',
    references: [CVE('CVE-2016-0800', 'DROWN'), RFC(6176, 'Prohibiting SSL 2.0'), 'DROWN (https://drownattack.com/)'],
    judge(i) {
      const elsewhere = 'DROWN also works through any other server that shares this RSA key and accepts SSLv2, which a scan of one endpoint cannot see';
      const p = i.protocols.protocols.SSLv2;
      if (p === null) return unknown(`SSLv2 could not be tested (${i.protocols.attempts.SSLv2 ?? 'no answer'})`);
      if (p === false) return not(`SSLv2 is refused on this endpoint; ${elsewhere}`);
      return {
        verdict: 'vulnerable',
        reason: `SSLv2 is accepted (${i.protocols.sslv2Ciphers.join(', ') || 'no cipher named'}); ${elsewhere}`,
        evidence: { protocol: 'SSLv2', ciphers: i.protocols.sslv2Ciphers },
        parts: [{ seenIn: [PROTOCOL_FINDINGS.sslv2] }],
      };
    },
  },
  {
    key: 'crime',
    name: 'CRIME',
    severity: 'high',
    why: 'compressed record sizes reveal secrets such as cookies byte by byte to an attacker who can add chosen text to requests',
    remediation: 'Disable TLS-level compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0).',
    references: [CVE('CVE-2012-4929', 'CRIME')],
    judge(i) {
      const f = need(i.features, 'tls-features');
      if (f.compression === true) {
        return {
          verdict: 'vulnerable',
          reason: `the server selected DEFLATE compression (asked at ${f.versions.legacy})`,
          evidence: { compression: true, version: f.versions.legacy },
          parts: [{ seenIn: [FEATURE_FINDINGS.compression] }],
        };
      }
      if (f.compression === false) {
        return not(f.versions.legacy ? `the server refused compression at ${f.versions.legacy}` : 'only TLS 1.3 is accepted, which has no compression');
      }
      return unknown(`compression could not be asked (${notesAbout(f, /compression|DEFLATE|every feature/i)})`);
    },
  },
  {
    key: 'lucky13',
    name: 'Lucky Thirteen',
    severity: 'info',
    why: 'MAC-then-encrypt CBC leaks padding validity through timing; reported as information because maintained TLS libraries have constant-time fixes, and only AEAD suites remove the class of attack',
    remediation: 'Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305) and keep the TLS library patched.',
    references: [CVE('CVE-2013-0169', 'Lucky Thirteen'), 'Lucky Thirteen (https://www.isg.rhul.ac.uk/tls/Lucky13.html)'],
    judge: (i) =>
      fromScan(scanSuites(i, SSL3_TO_TLS12, (s) => s.cbc && HMAC_MACS.has(s.mac)), 'CBC suites with HMAC', (hits) => [
        { seenIn: [CIPHER_FINDINGS.cbc], suites: hits },
      ]),
  },
  {
    key: 'rc4',
    name: 'RC4',
    severity: 'high',
    why: 'RC4 keystream biases let an attacker recover repeated plaintext such as cookies; RFC 7465 prohibits it',
    remediation: 'Remove RC4 suites (OpenSSL: `!RC4`).',
    references: [RFC(7465, 'Prohibiting RC4 Cipher Suites'), CVE('CVE-2013-2566', 'RC4 biases'), CVE('CVE-2015-2808', 'Bar Mitzvah')],
    judge: (i) =>
      fromScan(scanSuites(i, SSL2_TO_TLS12, (s) => s.cipher.startsWith('RC4')), 'RC4 suites', (hits) => {
        const { sslv2, tls } = splitSslv2(hits);
        const parts: Part[] = [];
        if (anyHit(tls)) parts.push({ seenIn: [CIPHER_FINDINGS.rc4], suites: tls });
        if (anyHit(sslv2)) parts.push({ seenIn: [PROTOCOL_FINDINGS.sslv2], suites: sslv2 });
        return parts;
      }),
  },
  {
    key: 'insecureRenegotiation',
    name: 'Insecure renegotiation',
    severity: 'high',
    why: 'without RFC 5746 an attacker in the path can splice its own request in front of the client’s through a renegotiation',
    remediation: 'Upgrade the TLS library (every maintained one implements RFC 5746) or disable renegotiation.',
    references: [RFC(5746, 'TLS Renegotiation Indication Extension'), CVE('CVE-2009-3555', 'TLS renegotiation prefix injection')],
    judge(i) {
      const f = need(i.features, 'tls-features');
      const v = f.versions.legacy;
      // SSLv3 hellos carry no extensions: only the SCSV form could be asked (RFC 5746 §3.3 covers SSLv3 too).
      const ssl3 = v === 'SSLv3' ? ' (SSLv3 is the only version below TLS 1.3: asked with the SCSV alone, as SSLv3 hellos carry no extensions)' : '';
      if (f.secureRenegotiation === false) {
        return {
          verdict: 'vulnerable',
          reason: `the server answered neither renegotiation_info nor the renegotiation SCSV at ${v}${ssl3}`,
          evidence: { secureRenegotiation: false, version: v },
          parts: [{ seenIn: [FEATURE_FINDINGS.noSecureRenegotiation] }],
        };
      }
      if (f.secureRenegotiation === true) return not(`the server supports RFC 5746 at ${v}${ssl3}`);
      if (v === null) return not('only TLS 1.3 is accepted, which has no renegotiation');
      return unknown(`secure renegotiation could not be asked${ssl3} (${notesAbout(f, /renegotiation|every feature/i)})`);
    },
  },
  {
    key: 'fallbackScsv',
    name: 'No downgrade protection (TLS_FALLBACK_SCSV)',
    severity: 'low',
    why: 'clients that retry at a lower version after a failure can be pushed down to it by an attacker who breaks their first attempts',
    remediation: 'Upgrade the TLS library (OpenSSL ≥ 1.0.1j honours TLS_FALLBACK_SCSV), or disable the older versions.',
    references: [RFC(7507, 'TLS Fallback SCSV'), CVE('CVE-2014-3566', 'POODLE')],
    judge(i) {
      const p = i.protocols.protocols;
      const accepted = VERSIONS_BUT_SSLV2.filter((v) => p[v] === true);
      const untested = VERSIONS_BUT_SSLV2.filter((v) => p[v] === null);
      // As testssl.sh says: with one version there is nothing to fall back to.
      if (accepted.length <= 1 && untested.length === 0) {
        return not(`${accepted[0] ? `only ${accepted[0]} is` : 'no TLS version is'} accepted: there is nothing to fall back to`);
      }
      const f = need(i.features, 'tls-features');
      if (f.fallbackScsv === true) return not('a fallback hello flagged with TLS_FALLBACK_SCSV was refused with inappropriate_fallback');
      if (f.fallbackScsv === false) {
        return {
          verdict: 'vulnerable',
          reason: `a hello at the second-highest version flagged with TLS_FALLBACK_SCSV was accepted (versions: ${accepted.join(', ')})`,
          evidence: { fallbackScsv: false, protocols: accepted },
          parts: [{ seenIn: [FEATURE_FINDINGS.noFallbackScsv] }],
        };
      }
      return unknown(`the fallback hello gave no answer (${notesAbout(f, /fallback/i)})`);
    },
  },
];

/** Logjam: DHE_EXPORT suites, or a DHE prime of ≤ 1024 bits; names the prime when it is a common one. */
function judgeLogjam(i: VulnConfigInputs): Judged {
  const exp = scanSuites(i, SSL3_TO_TLS12, (s) => isDhe(s) && s.export);
  const dhe = scanSuites(i, SSL3_TO_TLS12, isDhe);
  const parts: Part[] = [];
  const reasons: string[] = [];
  const evidence: Record<string, unknown> = {};
  let severity: Severity | undefined;
  if (anyHit(exp.hits)) {
    reasons.push(`DHE export suites accepted (${listHits(exp.hits)})`);
    evidence.exportSuites = exp.hits;
    parts.push({ seenIn: [CIPHER_FINDINGS.export], suites: exp.hits });
  }
  // The prime only matters (and tls-groups only asked for it) when DHE suites are accepted.
  let primeUnknown: string | null = null;
  if (anyHit(dhe.hits)) {
    const g = i.groups;
    if (!g) primeUnknown = 'tls-groups did not complete';
    else if (g.dhPrimeBits === null) primeUnknown = g.incomplete.find((s) => s.startsWith('DHE')) ?? 'the DHE prime was not read';
    else {
      const bits = g.dhPrimeBits;
      const common = g.dhPrime ? commonDhPrime(g.dhPrime) : null;
      evidence.dhPrimeBits = bits;
      if (common) evidence.commonPrime = { name: common.name, source: common.source };
      const named = common ? `the common prime ${common.name}` : `a ${bits}-bit prime`;
      if (bits <= 1024) {
        reasons.push(`DHE uses ${named}${common ? ` (${common.source})` : ''}`);
        // A shared prime is the new fact here; a merely short one is tls.kx.dh-weak's.
        parts.push({ seenIn: common ? [] : [GROUP_FINDINGS.dhWeak] });
        severity = bits < 1024 || common ? 'high' : 'medium';
      } else if (common) {
        reasons.push(`DHE uses ${named} (${common.source}), too large for today's precomputation`);
      }
    }
  }
  if (anyHit(exp.hits)) severity = 'high';
  if (parts.length) return { verdict: 'vulnerable', reason: reasons.join('; '), evidence, parts, ...(severity ? { severity } : {}) };
  if (primeUnknown) return unknown(`DHE suites are accepted but the prime is unknown (${primeUnknown})`);
  if (dhe.gaps.length) return unknown(`no weak DHE found, but ${dhe.gaps.join('; ')}`);
  if (!anyHit(dhe.hits)) return not('no DHE suite is accepted');
  return not(reasons[0] ?? `DHE uses a ${String(evidence.dhPrimeBits)}-bit prime`, evidence);
}

/** tls-features' notes on a topic, for an 'unknown' reason. */
function notesAbout(f: TlsFeaturesEvidence, topic: RegExp): string {
  const notes = f.notes.filter((n) => topic.test(n));
  return notes.length ? notes.join('; ') : 'no answer recorded';
}

// ---------------------------------------------------------------------------------------------
// Deriving the verdicts, and the findings

/** The suites an existing finding lists for a protocol (tls.protocol.sslv2 lists `ciphers`). */
function listedSuites(f: CheckFinding, p: string): readonly unknown[] {
  const suites = f.evidence.suites as Record<string, unknown> | undefined;
  const list = suites?.[p] ?? (p === 'SSLv2' ? f.evidence.ciphers : undefined);
  return Array.isArray(list) ? list : [];
}

/** The existing findings that state a part, or [] if none states all of it. */
function stating(existing: readonly CheckFinding[], part: Part): CheckFinding[] {
  const candidates = existing.filter((f) => part.seenIn.includes(f.id));
  if (!part.suites) return candidates.slice(0, 1);
  const used = new Set<CheckFinding>();
  for (const [p, names] of Object.entries(part.suites)) {
    for (const name of names) {
      const by = candidates.find((f) => listedSuites(f, p).includes(name));
      if (!by) return [];
      used.add(by);
    }
  }
  return [...used];
}

/**
 * Every verdict of the rule table, from the dependency probes' evidence; `existing` are the findings
 * their checks made of it, to name where a vulnerable verdict is already reported.
 */
export function judgeVulnerabilities(i: VulnConfigInputs, existing: readonly CheckFinding[] = []): VulnConfigEvidence {
  const verdicts = {} as Record<ConfigVulnKey, Judgement>;
  for (const rule of VULN_RULES) {
    let judged: Judged;
    try {
      judged = rule.judge(i);
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      judged = unknown(`evidence missing: ${err.message}`);
    }
    const { parts, ...j } = judged;
    let reportedAs: string[] = [];
    if (j.verdict === 'vulnerable' && parts?.length) {
      const per = parts.map((part) => stating(existing, part));
      if (per.every((fs) => fs.length > 0)) reportedAs = [...new Set(per.flat().map((f) => f.id))];
    }
    verdicts[rule.key] = { ...j, reportedAs };
  }
  return { verdicts };
}

/** `poodleSsl` → `poodle-ssl`: the finding id's last part. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function checkVulnConfig(ev: VulnConfigEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  for (const rule of VULN_RULES) {
    const j = ev.verdicts[rule.key];
    if (j.verdict !== 'vulnerable') continue;
    const seen = j.reportedAs.length > 0;
    out.push(
      finding({
        id: `tls.vuln.${kebab(rule.key)}`,
        // Already a finding of its own: name the attack without counting its severity twice.
        severity: seen ? 'info' : (j.severity ?? rule.severity),
        title: seen ? `${rule.name}: vulnerable (reported as ${j.reportedAs.join(', ')})` : `${rule.name}: vulnerable`,
        detail: `${capitalise(j.reason)}: ${rule.why}.${seen ? ` The same configuration is reported as ${j.reportedAs.join(', ')}; this entry names the attack.` : ''}`,
        evidence: { ...j.evidence, ...(seen ? { reportedAs: j.reportedAs } : {}) },
        remediation: rule.remediation,
        references: [...rule.references],
      }),
    );
  }
  return out;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
