// One modern handshake per endpoint through Node's TLS stack: what a browser would negotiate, and
// the certificate chain with its verification against the trust store.
import { describeCertificate } from '../src/cert/describe.js';
import { defineProbe, pinnedTls, ProbeFailed } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import type { CertificateInfo, Finding } from '../src/model/report.js';
import { nodeTlsHandshake } from '../src/net/tls/node-client.js';

export interface TlsHandshakeEvidence {
  protocol: string;
  cipherSuite: string;
  alpn: string | null;
  /** OpenSSL's verification error code (e.g. CERT_HAS_EXPIRED), null when the chain verified. */
  verifyError: string | null;
  certificates: CertificateInfo[];
  /** The name the leaf was matched against, null for IP targets without SNI. */
  matchedName: string | null;
}

const EXPIRY_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Node reports TLS 1.0 as "TLSv1"; the report uses the registry's names. */
export function normaliseProtocolName(p: string): string {
  return p === 'TLSv1' ? 'TLSv1.0' : p;
}

const UNTRUSTED_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate that is not a trusted root',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is unknown (not a trusted root, or an intermediate is missing)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate could not be found',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the leaf signature could not be verified (missing intermediate?)',
  CERT_SIGNATURE_FAILURE: 'a certificate signature is invalid',
  CERT_REVOKED: 'the certificate is revoked',
  CERT_UNTRUSTED: 'the root is not trusted for server authentication',
  INVALID_CA: 'an issuing certificate is not a valid CA',
  INVALID_PURPOSE: 'a certificate is not valid for server authentication',
};

export function checkTlsHandshake(ev: TlsHandshakeEvidence, now: Date): Finding[] {
  const leaf = ev.certificates[0];
  if (!leaf) return [];
  const out: Finding[] = [];
  const evidence = { subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter };
  if (leaf.daysRemaining < 0 || new Date(leaf.notAfter) < now) {
    out.push(
      finding({
        id: 'tls.cert.expired',
        severity: 'critical',
        title: 'Certificate has expired',
        detail: `The server certificate expired on ${leaf.notAfter} (${-leaf.daysRemaining} days ago); browsers refuse the connection.`,
        evidence,
        remediation: 'Renew the certificate and deploy it together with its intermediates; automate renewal (ACME).',
        references: [REF.rfc5280, REF.ssllabsGuide],
      }),
    );
  } else if (new Date(leaf.notBefore) > now) {
    out.push(
      finding({
        id: 'tls.cert.not-yet-valid',
        severity: 'critical',
        title: 'Certificate is not valid yet',
        detail: `The server certificate becomes valid only on ${leaf.notBefore}.`,
        evidence,
        remediation: 'Check the server clock and the certificate dates; deploy a certificate that is valid now.',
        references: [REF.rfc5280],
      }),
    );
  } else if (leaf.daysRemaining < 30) {
    out.push(
      finding({
        id: 'tls.cert.expires-soon',
        severity: leaf.daysRemaining < 7 ? 'high' : 'medium',
        title: `Certificate expires in ${leaf.daysRemaining} days`,
        detail: `The server certificate expires on ${leaf.notAfter}.`,
        evidence,
        remediation: 'Renew the certificate now and automate renewal (ACME) well before expiry.',
        references: [REF.cabBr],
      }),
    );
  }
  if (ev.verifyError !== null && !EXPIRY_ERRORS.has(ev.verifyError)) {
    const why = UNTRUSTED_REASONS[ev.verifyError] ?? `verification failed (${ev.verifyError})`;
    out.push(
      finding({
        id: 'tls.cert.untrusted',
        severity: 'high',
        title: 'Certificate chain is not trusted',
        detail: `The chain does not verify against the trust store: ${why}.`,
        evidence: { ...evidence, verifyError: ev.verifyError },
        remediation: 'Use a certificate from a publicly trusted CA and serve the full chain (leaf + intermediates).',
        references: [REF.rfc5280, REF.ssllabsGuide],
      }),
    );
  }
  if (leaf.hostnameMatch === false && ev.matchedName !== null) {
    out.push(
      finding({
        id: 'tls.cert.hostname-mismatch',
        severity: 'high',
        title: 'Certificate does not match the host name',
        detail: `${ev.matchedName} is not among the certificate's names (${leaf.sans.join(', ') || leaf.subject}).`,
        evidence: { host: ev.matchedName, sans: leaf.sans, subject: leaf.subject },
        remediation: `Issue a certificate whose subjectAltName covers ${ev.matchedName}.`,
        references: [REF.rfc6125, REF.ssllabsGuide],
      }),
    );
  }
  return out;
}

export const tlsHandshakeProbe = defineProbe<TlsHandshakeEvidence>({
  id: 'tls-handshake',
  title: 'TLS handshake and certificate',
  categories: ['tls', 'cert'],
  scope: 'endpoint',
  section: 'tls',
  async collect(ctx) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    const outcome = await ctx.withConnection(ep.ip, () =>
      nodeTlsHandshake({ ...pinnedTls(ctx, ep), requestOCSP: true, alpn: ['h2', 'http/1.1'] }),
    );
    if (!outcome.ok) throw new ProbeFailed(outcome.reason);
    const now = ctx.now();
    const matchedName = ctx.target.sni ?? ctx.target.host;
    const certificates = outcome.chain.map((der, i) =>
      describeCertificate(der, i, {
        host: matchedName,
        now,
        trusted: outcome.authorized,
        trustError: outcome.authorizationError,
        ocspStapled: outcome.ocspResponse !== null,
      }),
    );
    return {
      protocol: normaliseProtocolName(outcome.protocol),
      cipherSuite: outcome.cipher.iana,
      alpn: outcome.alpn,
      verifyError: outcome.authorizationError,
      certificates,
      matchedName,
    };
  },
  check: (ev, facts) => checkTlsHandshake(ev, facts.now),
  report: (ev) => ({
    negotiated: { protocol: ev.protocol, cipherSuite: ev.cipherSuite, alpn: ev.alpn },
    certificates: ev.certificates,
  }),
});
