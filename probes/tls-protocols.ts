// Which TLS versions the endpoint accepts, one pinned-version handshake each through Node's OpenSSL.
// OpenSSL 3 cannot speak SSLv2/SSLv3, so those stay null ("not tested") until the raw TLS engine
// replaces this collector; the report field and the checks stay the same.
import type { SecureVersion } from 'node:tls';
import { defineProbe, pinnedTls, ProbeFailed } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import { untestedProtocols, type Finding, type ProtocolName, type Protocols } from '../src/model/report.js';
import { nodeTlsHandshake, type NodeTlsOutcome } from '../src/net/tls/node-client.js';

export interface TlsProtocolsEvidence {
  protocols: Protocols;
  /** Why each version was judged as it was (alert text, or why it could not be tested). */
  attempts: Partial<Record<ProtocolName, string>>;
}

const VERSIONS: ReadonlyArray<[ProtocolName, SecureVersion]> = [
  ['TLSv1.0', 'TLSv1'],
  ['TLSv1.1', 'TLSv1.1'],
  ['TLSv1.2', 'TLSv1.2'],
  ['TLSv1.3', 'TLSv1.3'],
];

/**
 * A handshake failure means the server refused that version; a network failure (refused, timed
 * out, aborted) means we could not tell, which must stay null rather than become "not offered".
 */
export function versionVerdict(outcome: NodeTlsOutcome): boolean | null {
  if (outcome.ok) return true;
  return outcome.kind === 'handshake' || outcome.kind === 'reset' ? false : null;
}

export function checkTlsProtocols(ev: TlsProtocolsEvidence): Finding[] {
  const p = ev.protocols;
  const out: Finding[] = [];
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

export const tlsProtocolsProbe = defineProbe<TlsProtocolsEvidence>({
  id: 'tls-protocols',
  title: 'TLS protocol versions',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  async collect(ctx) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    const protocols = untestedProtocols();
    const attempts: TlsProtocolsEvidence['attempts'] = {
      SSLv2: 'not tested: needs the raw TLS engine',
      SSLv3: 'not tested: needs the raw TLS engine',
    };
    await Promise.all(
      VERSIONS.map(async ([name, version]) => {
        const outcome = await ctx.withConnection(ep.ip, () =>
          nodeTlsHandshake({
            ...pinnedTls(ctx, ep),
            minVersion: version,
            maxVersion: version,
            // Offer everything this OpenSSL can, so a refusal is about the version, not the suites.
            ciphers: 'ALL:COMPLEMENTOFALL:@SECLEVEL=0',
          }),
        );
        protocols[name] = versionVerdict(outcome);
        attempts[name] = outcome.ok ? `negotiated ${outcome.cipher.iana}` : outcome.reason;
      }),
    );
    if (VERSIONS.every(([name]) => protocols[name] === null)) {
      throw new ProbeFailed(attempts['TLSv1.2'] ?? 'no version could be tested');
    }
    return { protocols, attempts };
  },
  check: (ev) => checkTlsProtocols(ev),
  report: (ev) => ({ protocols: ev.protocols }),
});
