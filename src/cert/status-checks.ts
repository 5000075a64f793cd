// Findings on the status of a served chain as others vouch for it: revocation (stapled OCSP, the
// responder, the CRL) and Certificate Transparency. Pure functions of the probe's evidence.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { CertificateInfo } from '../model/report.js';
import { CERT_FINDINGS, leafEvidence, type ChainEvidence } from './evidence.js';

export function revocationFindings(leaf: CertificateInfo, c: ChainEvidence, tag: string): CheckFinding[] {
  const out: CheckFinding[] = [];
  // With a revocation verdict, only a decisive answer (signed by the issuer, current) counts.
  const v = c.revocation;
  const decidedBy = v?.status === 'revoked' && v.method !== 'crl' ? (v.method === 'stapled' ? 'stapled' : 'responder') : null;
  const revoked = v ? c.ocsp.find((o) => o.status === 'revoked' && o.source === decidedBy) : c.ocsp.find((o) => o.status === 'revoked');
  if (revoked) {
    out.push(
      finding({
        id: CERT_FINDINGS.revoked,
        severity: 'critical',
        title: `Certificate is revoked${tag}`,
        detail: `The ${revoked.source === 'stapled' ? 'stapled OCSP response' : `OCSP responder ${revoked.url ?? ''}`} says the certificate was revoked${revoked.revokedAt ? ` on ${revoked.revokedAt}` : ''} (${revoked.detail}).`,
        evidence: { chain: c.index, ocsp: revoked },
        remediation: 'Deploy a newly issued certificate (with a new key if the old one was compromised).',
        references: [REF.rfc6960, REF.ssllabsGuide],
      }),
    );
  }
  // Revoked on the CA's CRL only (no OCSP answer said so).
  const crl = c.revocation?.method === 'crl' && c.revocation.status === 'revoked' ? c.revocation.crl : null;
  if (!revoked && crl) {
    out.push(
      finding({
        id: CERT_FINDINGS.revoked,
        severity: 'critical',
        title: `Certificate is revoked${tag}`,
        detail: `The CA's CRL ${crl.url} lists the certificate as revoked${crl.revokedAt ? ` on ${crl.revokedAt}` : ''}${crl.revocationReason ? ` (${crl.revocationReason})` : ''}; the CRL is signed by the issuer and current.`,
        evidence: { chain: c.index, crl },
        remediation: 'Deploy a newly issued certificate (with a new key if the old one was compromised).',
        references: [REF.rfc5280, REF.ssllabsGuide],
      }),
    );
  }
  const staple = c.ocsp.find((o) => o.source === 'stapled');
  if (staple && (staple.status === null || staple.signatureValid === false)) {
    out.push(
      finding({
        id: CERT_FINDINGS.ocspStapleInvalid,
        severity: 'medium',
        title: `The stapled OCSP response is unusable${tag}`,
        detail: `Clients discard it: ${staple.detail}.`,
        evidence: { chain: c.index, ocsp: staple },
        remediation: 'Check the server\'s OCSP stapling configuration (responder reachable from the server, correct issuer certificate).',
        references: [REF.rfc6960],
      }),
    );
  } else if (staple && staple.fresh === false) {
    out.push(
      finding({
        id: CERT_FINDINGS.ocspStapleStale,
        severity: 'medium',
        title: `The stapled OCSP response is out of date${tag}`,
        detail: `thisUpdate ${staple.thisUpdate ?? '?'}, nextUpdate ${staple.nextUpdate ?? 'absent'}: clients treat it as missing (or fail, with must-staple).`,
        evidence: { chain: c.index, ocsp: staple },
        remediation: 'Make the server refresh its staple before nextUpdate (it must reach the OCSP responder).',
        references: [REF.rfc6960],
      }),
    );
  }
  if (leaf.mustStaple && !staple) {
    out.push(
      finding({
        id: CERT_FINDINGS.mustStapleMissing,
        severity: 'high',
        title: `Must-staple certificate served without an OCSP staple${tag}`,
        detail: 'The certificate carries the TLS Feature status_request extension, so Firefox refuses the connection when no OCSP response is stapled.',
        evidence: leafEvidence(leaf, c),
        remediation: 'Enable OCSP stapling on the server (e.g. nginx ssl_stapling on), or reissue without must-staple.',
        references: [REF.rfc7633, REF.rfc6960],
      }),
    );
  }
  return out;
}

export function ctFindings(c: ChainEvidence, tag: string): CheckFinding[] {
  const out: CheckFinding[] = [];
  if (!c.ct) return out;
  const invalid = c.ct.scts.filter((s) => s.valid === false);
  if (invalid.length > 0) {
    out.push(
      finding({
        id: CERT_FINDINGS.sctInvalid,
        severity: 'high',
        title: `${invalid.length} SCT(s) do not verify${tag}`,
        detail: `Signed certificate timestamps whose signatures fail: ${invalid.map((s) => `${s.logName ?? s.logId} via ${s.source} (${s.error ?? 'invalid'})`).join('; ')}.`,
        evidence: { chain: c.index, scts: invalid },
        remediation: 'Serve SCTs the logs issued for exactly this certificate (re-fetch them, or reissue the certificate).',
        references: [REF.rfc6962],
      }),
    );
  }
  // Chrome requires CT for publicly trusted certificates only; private roots are exempt.
  const publicRoot = c.path.anchor?.source === 'mozilla';
  if (publicRoot && !c.ct.compliant) {
    out.push(
      finding({
        id: CERT_FINDINGS.ctNotCompliant,
        severity: c.ct.logListStale ? 'medium' : 'high',
        title: `Certificate does not meet Chrome's CT policy${tag}`,
        detail: `${c.ct.reason} (CT log list of ${c.ct.logListDate.slice(0, 10)}${c.ct.logListStale ? ', older than the 70 days after which Chrome stops enforcing' : ''}).`,
        evidence: { chain: c.index, validScts: c.ct.validScts, scts: c.ct.scts },
        remediation: 'Get the certificate logged in enough qualified CT logs from distinct operators (public CAs embed SCTs automatically), or serve SCTs via the TLS extension or OCSP stapling.',
        references: [REF.chromeCtPolicy, REF.rfc6962],
      }),
    );
  }
  return out;
}

