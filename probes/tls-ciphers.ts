// Every cipher suite the endpoint accepts, per accepted protocol, and whether it imposes its own
// order. Enumeration offers the registry in hellos of ≤ 128 suites and removes each suite the
// server picks, so it costs one handshake per accepted suite plus one per exhausted bundle.
import { defineProbe, ProbeFailed, type ProbeContext } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import type { Finding, ProtocolName } from '../src/model/report.js';
import { suiteByCode, suiteByName, type CipherSuiteInfo } from '../src/net/tls/registry/index.js';
import { offerTls, type OfferTarget } from '../src/net/tls/offer.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../src/net/tls/suite-order.js';
import { helloExtras, offerTarget, protocolsEvidence, type TlsProtocolsEvidence, WIRE_VERSION_OF } from './tls-protocols.js';

type TlsVersionName = Exclude<ProtocolName, 'SSLv2'>;

export interface TlsCiphersEvidence {
  /** IANA names (SSL_CK_* for SSLv2); in the server's order where it imposes one. */
  suites: Partial<Record<ProtocolName, string[]>>;
  serverPreference: Partial<Record<ProtocolName, boolean | null>>;
  /** Protocols whose enumeration stopped early, and why (the list is then a lower bound). */
  incomplete: Partial<Record<ProtocolName, string>>;
}

const nameOf = (code: number): string => suiteByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;

interface Enumeration {
  accepted: number[];
  /** For each accepted suite, the bundle it was picked from: picks within one bundle are one ranking. */
  bundleOf: number[];
  incomplete?: string;
}

async function enumerate(
  ctx: ProbeContext,
  target: OfferTarget,
  p: TlsVersionName,
  seed: TlsProtocolsEvidence['firstPick'][TlsVersionName],
): Promise<Enumeration> {
  const version = WIRE_VERSION_OF[p];
  let remaining = [...probeOrder(version)];
  const accepted: number[] = [];
  const bundleOf: number[] = [];
  let refusedBundles = 0;
  // tls-protocols already made the first offers with the same order and options: continue there.
  if (seed) {
    remaining = remaining.slice(seed.refusedBundles * MAX_SUITES_PER_HELLO).filter((c) => c !== seed.suite);
    accepted.push(seed.suite);
    bundleOf.push(seed.refusedBundles);
    refusedBundles = seed.refusedBundles;
  }
  while (remaining.length > 0) {
    const bundle = remaining.slice(0, MAX_SUITES_PER_HELLO);
    const v = await ctx.withConnection(target.ip, () => offerTls(target, version, bundle, helloExtras(version)));
    if (v.kind === 'accepted') {
      accepted.push(v.suite);
      bundleOf.push(refusedBundles);
      remaining = remaining.filter((c) => c !== v.suite);
    } else if (v.kind === 'untestable') {
      return { accepted, bundleOf, incomplete: v.reason };
    } else {
      // Nothing left in this bundle is acceptable: move on to the next one.
      remaining = remaining.slice(bundle.length);
      refusedBundles++;
    }
  }
  return { accepted, bundleOf };
}

/**
 * Server order: offer the accepted suites reversed. A client-order server takes our first; a
 * server-order server takes its own favourite again. When every pick came from one hello the first
 * pick is that favourite and the picks are already the server's ranking (one extra handshake).
 * Picks from several hellos are separate rankings: a forward offer finds the favourite, and later
 * groups are merged in by binary insertion, one two-suite hello per comparison.
 */
async function preference(ctx: ProbeContext, target: OfferTarget, p: TlsVersionName, e: Enumeration): Promise<{ server: boolean | null; order: number[] }> {
  if (e.accepted.length < 2) return { server: null, order: e.accepted };
  const version = WIRE_VERSION_OF[p];
  const offer = (suites: number[]) =>
    ctx.withConnection(target.ip, () => offerTls(target, version, suites.slice(0, MAX_SUITES_PER_HELLO), helloExtras(version)));
  const spans = new Set(e.bundleOf).size > 1;
  const reversed = await offer([...e.accepted].reverse());
  if (reversed.kind !== 'accepted') return { server: null, order: e.accepted };
  let favourite = e.accepted[0];
  if (spans) {
    const forward = await offer(e.accepted);
    if (forward.kind !== 'accepted') return { server: null, order: e.accepted };
    favourite = forward.suite;
  }
  const server = reversed.suite === favourite;
  if (!server || !spans) return { server, order: e.accepted };

  const groups = new Map<number, number[]>();
  e.accepted.forEach((suite, i) => groups.set(e.bundleOf[i]!, [...(groups.get(e.bundleOf[i]!) ?? []), suite]));
  const [first, ...later] = [...groups.values()];
  const merged = [...(first ?? [])];
  for (const group of later) {
    let lo = 0;
    for (const suite of group) {
      // Within a group the order is known, so each suite goes after the one inserted before it.
      let hi = merged.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const v = await offer([suite, merged[mid]!]);
        if (v.kind !== 'accepted') return { server, order: e.accepted };
        if (v.suite === suite) hi = mid;
        else lo = mid + 1;
      }
      merged.splice(lo, 0, suite);
      lo++;
    }
  }
  return { server, order: merged };
}

function suitesMatching(ev: TlsCiphersEvidence, test: (s: CipherSuiteInfo) => boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [p, names] of Object.entries(ev.suites)) {
    if (p === 'SSLv2') continue;
    const hits = names.filter((n) => {
      const s = suiteByName(n);
      return s !== undefined && test(s);
    });
    if (hits.length) out[p] = hits;
  }
  return out;
}

const flat = (byProtocol: Record<string, string[]>): string[] => [...new Set(Object.values(byProtocol).flat())];

interface WeakSuiteRule {
  id: string;
  severity: Finding['severity'];
  title: string;
  match: (s: CipherSuiteInfo) => boolean;
  why: string;
  remediation: string;
  references: string[];
}

// Ordered from worst to mildest; a suite may appear under several rules (e.g. export RC4).
const WEAK_SUITE_RULES: WeakSuiteRule[] = [
  {
    id: 'tls.cipher.null',
    severity: 'critical',
    title: 'NULL cipher suites accepted (no encryption)',
    match: (s) => s.nullCipher,
    why: 'traffic is sent in clear text',
    remediation: 'Remove every NULL / integrity-only suite (OpenSSL: `!eNULL`).',
    references: ['RFC 9150', REF.ssllabsGuide],
  },
  {
    id: 'tls.cipher.anonymous',
    severity: 'critical',
    title: 'Anonymous cipher suites accepted (no authentication)',
    match: (s) => s.anonymous && !s.nullCipher,
    why: 'the server is not authenticated, so anyone in the path can impersonate it',
    remediation: 'Remove anonymous suites (OpenSSL: `!aNULL`).',
    references: ['RFC 5246 §A.5', REF.ssllabsGuide],
  },
  {
    id: 'tls.cipher.export',
    severity: 'high',
    title: 'Export-grade cipher suites accepted',
    match: (s) => s.export,
    why: '40/56-bit export cryptography is breakable in hours (FREAK, Logjam)',
    remediation: 'Remove every EXPORT suite (OpenSSL: `!EXP`).',
    references: ['CVE-2015-0204 (FREAK)', 'CVE-2015-4000 (Logjam)', REF.ssllabsGuide],
  },
  {
    id: 'tls.cipher.rc4',
    severity: 'high',
    title: 'RC4 cipher suites accepted',
    match: (s) => s.cipher.startsWith('RC4'),
    why: 'RC4 has exploitable keystream biases; RFC 7465 prohibits it',
    remediation: 'Remove RC4 suites (OpenSSL: `!RC4`).',
    references: ['RFC 7465 — Prohibiting RC4 Cipher Suites (https://www.rfc-editor.org/rfc/rfc7465)', REF.ssllabsGuide],
  },
  {
    id: 'tls.cipher.weak-key',
    severity: 'high',
    title: 'Cipher suites with keys shorter than 112 bits accepted',
    match: (s) => !s.nullCipher && !s.export && s.bits > 0 && s.bits < 112,
    why: 'single DES (56 bits) and similar are brute-forced quickly',
    remediation: 'Remove DES and other short-key suites (OpenSSL: `!DES !LOW`).',
    references: [REF.ssllabsGuide],
  },
  {
    id: 'tls.cipher.64bit-block',
    severity: 'medium',
    title: '64-bit block ciphers accepted (3DES, IDEA …)',
    match: (s) => s.blockBits === 64 && !s.export && s.bits >= 112,
    why: 'long connections with 64-bit blocks leak plaintext through birthday collisions (SWEET32)',
    remediation: 'Remove 3DES and other 64-bit block suites (OpenSSL: `!3DES !IDEA`).',
    references: ['CVE-2016-2183 (SWEET32)', REF.ssllabsGuide],
  },
];

export function checkTlsCiphers(ev: TlsCiphersEvidence): Finding[] {
  const out: Finding[] = [];
  for (const rule of WEAK_SUITE_RULES) {
    const hits = suitesMatching(ev, rule.match);
    if (Object.keys(hits).length === 0) continue;
    out.push(
      finding({
        id: rule.id,
        severity: rule.severity,
        title: rule.title,
        detail: `Accepted: ${flat(hits).join(', ')}; ${rule.why}.`,
        evidence: { suites: hits },
        remediation: rule.remediation,
        references: rule.references,
      }),
    );
  }
  const all = suitesMatching(ev, () => true);
  const any = flat(all);
  if (any.length === 0) return out;
  const fs = flat(suitesMatching(ev, (s) => s.forwardSecrecy));
  const noFs = suitesMatching(ev, (s) => !s.forwardSecrecy && !s.anonymous && !s.nullCipher);
  if (fs.length === 0) {
    out.push(
      finding({
        id: 'tls.cipher.no-forward-secrecy',
        severity: 'medium',
        title: 'No forward secrecy',
        detail: 'No accepted suite uses ephemeral (EC)DH key exchange: a stolen private key decrypts all recorded traffic.',
        evidence: { suites: all },
        remediation: 'Offer ECDHE suites (and TLS 1.3), preferably only those.',
        references: [REF.ssllabsGuide, 'RFC 7525 — Recommendations for secure use of TLS (https://www.rfc-editor.org/rfc/rfc7525)'],
      }),
    );
  } else if (Object.keys(noFs).length > 0) {
    out.push(
      finding({
        id: 'tls.cipher.static-key-exchange',
        severity: 'low',
        title: 'Suites without forward secrecy are accepted',
        detail: `Clients can still negotiate static RSA/(EC)DH key exchange: ${flat(noFs).join(', ')}.`,
        evidence: { suites: noFs },
        remediation: 'Remove static RSA and static (EC)DH suites (OpenSSL: `!kRSA`); they also expose ROBOT-style oracles.',
        references: [REF.ssllabsGuide, 'RFC 7525 — Recommendations for secure use of TLS (https://www.rfc-editor.org/rfc/rfc7525)'],
      }),
    );
  }
  if (flat(suitesMatching(ev, (s) => s.aead)).length === 0) {
    out.push(
      finding({
        id: 'tls.cipher.no-aead',
        severity: 'medium',
        title: 'No AEAD cipher suite',
        detail: 'Only CBC or stream suites are accepted; SSL Labs caps such servers at B.',
        evidence: { suites: all },
        remediation: 'Offer AES-GCM or ChaCha20-Poly1305 suites, and TLS 1.3.',
        references: [REF.ssllabsGuide],
      }),
    );
  } else {
    const cbc = suitesMatching(ev, (s) => s.cbc);
    if (Object.keys(cbc).length > 0) {
      out.push(
        finding({
          id: 'tls.cipher.cbc',
          severity: 'low',
          title: 'CBC-mode suites are accepted',
          detail: `CBC with MAC-then-encrypt invites padding-oracle and timing attacks (Lucky13): ${flat(cbc).join(', ')}.`,
          evidence: { suites: cbc },
          remediation: 'Keep only AEAD suites (AES-GCM, ChaCha20-Poly1305) where clients allow.',
          references: ['CVE-2013-0169 (Lucky13)', REF.ssllabsGuide],
        }),
      );
    }
  }
  return out;
}

/**
 * Every suite `target` (an endpoint, or an MX host behind STARTTLS) accepts on each version
 * `protocols` found, and its preference: the probe's collect step.
 */
export async function collectTlsCiphers(ctx: ProbeContext, target: OfferTarget, protocols: TlsProtocolsEvidence): Promise<TlsCiphersEvidence> {
  const ev: TlsCiphersEvidence = { suites: {}, serverPreference: {}, incomplete: {} };
  if (protocols.sslv2Ciphers.length) ev.suites.SSLv2 = protocols.sslv2Ciphers;
  const versions = (Object.keys(WIRE_VERSION_OF) as TlsVersionName[]).filter((p) => protocols.protocols[p] === true);
  await Promise.all(
    versions.map(async (p) => {
      const e = await enumerate(ctx, target, p, protocols.firstPick[p]);
      const pref = e.incomplete ? { server: null, order: e.accepted } : await preference(ctx, target, p, e);
      ev.suites[p] = pref.order.map(nameOf);
      ev.serverPreference[p] = pref.server;
      if (e.incomplete) ev.incomplete[p] = e.incomplete;
    }),
  );
  return ev;
}

export const tlsCiphersProbe = defineProbe<TlsCiphersEvidence>({
  id: 'tls-ciphers',
  title: 'TLS cipher suites',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  after: ['tls-protocols'],
  async collect(ctx, deps) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    return collectTlsCiphers(ctx, offerTarget(ctx, ep), protocolsEvidence(deps));
  },
  check: (ev) => checkTlsCiphers(ev),
  report: (ev) => ({ cipherSuites: ev.suites, serverPreference: ev.serverPreference }),
});

