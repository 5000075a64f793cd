// Which of SSLv2, SSLv3, TLS 1.0, 1.1, 1.2 and 1.3 the endpoint accepts, asked with hand-built
// hellos over plain sockets (OpenSSL 3 can no longer offer SSLv2/SSLv3 or most legacy suites).
import { defineProbe, ProbeFailed, ProbeSkipped, type Endpoint, type ProbeContext } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import { PROTOCOLS, untestedProtocols, type ProtocolName, type Protocols } from '../src/model/constants.js';
import type { Finding } from '../src/model/report.js';
import { SSLV2_CIPHER_KINDS, suiteByCode } from '../src/net/tls/registry/index.js';
import { offerSslv2, offerTls, type OfferTarget, type OfferVerdict } from '../src/net/tls/offer.js';
import { bundles, probeOrder } from '../src/net/tls/suite-order.js';
import { AlertDescription, versionName } from '../src/net/tls/wire/constants.js';
import type { WireVersion } from '../src/net/tls/wire/client-hello.js';

export interface TlsProtocolsEvidence {
  protocols: Protocols;
  /** Why each version was judged as it was: the suite negotiated, the alert, or why untested. */
  attempts: Partial<Record<ProtocolName, string>>;
  /** SSLv2 cipher kinds the server named in its SERVER-HELLO (SSL_CK_* names). */
  sslv2Ciphers: string[];
  /**
   * Per accepted version: the suite the server picked and how many bundles it refused first, so
   * tls-ciphers continues from there instead of repeating these handshakes.
   */
  firstPick: Partial<Record<ProtocolName, { suite: number; refusedBundles: number }>>;
}

export const WIRE_VERSION_OF: Record<Exclude<ProtocolName, 'SSLv2'>, WireVersion> = {
  SSLv3: 'SSLv3',
  'TLSv1.0': 'TLSv1.0',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/** tls-protocols' evidence for a probe that runs after it; skipped (not failed) when it is missing. */
export function protocolsEvidence(deps: ReadonlyMap<string, unknown>): TlsProtocolsEvidence {
  const protocols = deps.get('tls-protocols') as TlsProtocolsEvidence | undefined;
  if (!protocols) throw new ProbeSkipped('protocol versions are unknown (tls-protocols did not complete)');
  return protocols;
}

export function offerTarget(ctx: ProbeContext, ep: Endpoint): OfferTarget {
  return { ip: ep.ip, port: ep.port, servername: ctx.target.sni, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal };
}

/** Hello options per version: SSLv3 servers predate extensions; TLS 1.3 is asked for alone. */
export function helloExtras(version: WireVersion) {
  if (version === 'SSLv3') return { extensions: false };
  if (version === 'TLSv1.3') return { supportedVersions: ['TLSv1.3' as const], keyShareGroups: [29, 23] };
  return { renegotiationInfo: true };
}

// Alerts that mean "no suite in common" rather than "not this version": try the next bundle.
const NO_COMMON_SUITE = new Set<number>([AlertDescription.handshakeFailure, AlertDescription.insufficientSecurity]);

interface VersionVerdict {
  accepted: boolean | null;
  why: string;
  firstPick?: { suite: number; refusedBundles: number };
}

/** Offer each bundle until one is accepted or the answer shows the version itself is refused. */
async function testVersion(ctx: ProbeContext, target: OfferTarget, version: WireVersion): Promise<VersionVerdict> {
  let last: OfferVerdict | null = null;
  let refusedBundles = 0;
  for (const bundle of bundles(probeOrder(version))) {
    last = await ctx.withConnection(target.ip, () => offerTls(target, version, bundle, helloExtras(version)));
    if (last.kind === 'accepted') {
      return { accepted: true, why: `negotiated ${suiteByCode(last.suite)?.name ?? last.suite}`, firstPick: { suite: last.suite, refusedBundles } };
    }
    if (last.kind === 'untestable') return { accepted: null, why: last.reason };
    if (last.kind === 'other-version') return { accepted: false, why: `server answered with ${versionName(last.selectedVersion)}` };
    if (last.alert !== undefined && !NO_COMMON_SUITE.has(last.alert)) return { accepted: false, why: last.reason };
    refusedBundles++;
  }
  return { accepted: false, why: last?.kind === 'refused' ? last.reason : 'no suite accepted' };
}

export function checkTlsProtocols(ev: TlsProtocolsEvidence): Finding[] {
  const p = ev.protocols;
  const out: Finding[] = [];
  if (p.SSLv2 === true) {
    out.push(
      finding({
        id: 'tls.protocol.sslv2',
        severity: 'critical',
        title: 'SSLv2 is enabled',
        detail: `The server accepts SSL 2.0 (${ev.sslv2Ciphers.join(', ') || 'no cipher named'}), broken since 1996 and exploitable through DROWN.`,
        evidence: { protocol: 'SSLv2', accepted: true, ciphers: ev.sslv2Ciphers },
        remediation: 'Disable SSLv2 everywhere the certificate or key is used.',
        references: ['RFC 6176 — Prohibiting SSL 2.0 (https://www.rfc-editor.org/rfc/rfc6176)', 'CVE-2016-0800 (DROWN)', REF.ssllabsGuide],
      }),
    );
  }
  if (p.SSLv3 === true) {
    out.push(
      finding({
        id: 'tls.protocol.sslv3',
        severity: 'high',
        title: 'SSLv3 is enabled',
        detail: 'The server accepts SSL 3.0, deprecated by RFC 7568 and open to POODLE.',
        evidence: { protocol: 'SSLv3', accepted: true, attempt: ev.attempts.SSLv3 ?? null },
        remediation: 'Disable SSLv3; offer TLS 1.2 and TLS 1.3 only.',
        references: ['RFC 7568 — Deprecating SSL 3.0 (https://www.rfc-editor.org/rfc/rfc7568)', 'CVE-2014-3566 (POODLE)', REF.ssllabsGuide],
      }),
    );
  }
  for (const [version, id] of [
    ['TLSv1.0', 'tls.protocol.tls10'],
    ['TLSv1.1', 'tls.protocol.tls11'],
  ] as const) {
    if (p[version] === true) {
      out.push(
        finding({
          id,
          severity: 'medium',
          title: `${version} is enabled`,
          detail: `The server accepts ${version}, deprecated by RFC 8996 and capped at B by SSL Labs.`,
          evidence: { protocol: version, accepted: true },
          remediation: `Disable ${version}; offer TLS 1.2 and TLS 1.3 only.`,
          references: [REF.rfc8996, REF.ssllabsGuide],
        }),
      );
    }
  }
  if (p['TLSv1.2'] === false && p['TLSv1.3'] === false) {
    out.push(
      finding({
        id: 'tls.protocol.no-modern',
        severity: 'high',
        title: 'Neither TLS 1.2 nor TLS 1.3 is supported',
        detail: 'The server offers no current TLS version; modern clients will fail to connect.',
        evidence: { protocols: p },
        remediation: 'Enable TLS 1.2 and TLS 1.3.',
        references: [REF.rfc8446, REF.ssllabsGuide],
      }),
    );
  } else if (p['TLSv1.3'] === false) {
    out.push(
      finding({
        id: 'tls.protocol.no-tls13',
        severity: 'low',
        title: 'TLS 1.3 is not supported',
        detail: 'TLS 1.3 removes legacy algorithms and saves a round trip; SSL Labs withholds A+ without it.',
        evidence: { protocol: 'TLSv1.3', accepted: false, attempt: ev.attempts['TLSv1.3'] ?? null },
        remediation: 'Enable TLS 1.3 (OpenSSL ≥ 1.1.1, nginx `ssl_protocols TLSv1.2 TLSv1.3;`).',
        references: [REF.rfc8446, REF.ssllabsGuide],
      }),
    );
  }
  return out;
}

/**
 * Every version asked of `target` (an endpoint, or an MX host behind STARTTLS): the probe's
 * collect step. Throws ProbeFailed when no TLS version could be asked at all.
 */
export async function collectTlsProtocols(ctx: ProbeContext, target: OfferTarget): Promise<TlsProtocolsEvidence> {
  const protocols = untestedProtocols();
  const attempts: TlsProtocolsEvidence['attempts'] = {};
  let sslv2Ciphers: string[] = [];
  const firstPick: TlsProtocolsEvidence['firstPick'] = {};
  const sslv2 = async (): Promise<void> => {
    const kinds = SSLV2_CIPHER_KINDS.map((k) => k.code);
    const v = await ctx.withConnection(target.ip, () => offerSslv2(target, kinds));
    protocols.SSLv2 = v.kind === 'accepted' ? true : v.kind === 'refused' ? false : null;
    attempts.SSLv2 = v.kind === 'accepted' ? `${v.cipherKinds.length} cipher kind(s)` : v.reason;
    if (v.kind === 'accepted') sslv2Ciphers = v.cipherKinds.map((c) => SSLV2_CIPHER_KINDS.find((k) => k.code === c)?.name ?? `0x${c.toString(16)}`);
  };
  // Versions are independent: ask them in parallel (the per-host limit still caps connections).
  await Promise.all([
    sslv2(),
    ...PROTOCOLS.filter((p): p is Exclude<ProtocolName, 'SSLv2'> => p !== 'SSLv2').map(async (name) => {
      const v = await testVersion(ctx, target, WIRE_VERSION_OF[name]);
      protocols[name] = v.accepted;
      attempts[name] = v.why;
      if (v.firstPick) firstPick[name] = v.firstPick;
    }),
  ]);
  // SSLv2's answer alone proves little (junk to an SSLv2 hello reads as a refusal): if no TLS
  // version could be asked, the endpoint could not be tested.
  if (PROTOCOLS.every((name) => name === 'SSLv2' || protocols[name] === null)) {
    throw new ProbeFailed(attempts['TLSv1.2'] ?? 'no version could be tested');
  }
  return { protocols, attempts, sslv2Ciphers, firstPick };
}

export const tlsProtocolsProbe = defineProbe<TlsProtocolsEvidence>({
  id: 'tls-protocols',
  title: 'TLS protocol versions',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  async collect(ctx) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    return collectTlsProtocols(ctx, offerTarget(ctx, ep));
  },
  check: (ev) => checkTlsProtocols(ev),
  // SSLv2 cipher kinds reach the report through tls-ciphers, which owns cipherSuites.
  report: (ev) => ({ protocols: ev.protocols }),
});
