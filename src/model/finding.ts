import type { Finding } from './report.js';

/**
 * A finding as a check makes it. `subject` (what it is about) may be left out: the engine then
 * gives the probe's own (its endpoint, the site's URL or the domain), so checks stay unaware of it.
 */
export type CheckFinding = Omit<Finding, 'subject'> & { subject?: string };

/** Subjects: with the id, a finding's identity across runs (`id@subject`). */
export const SUBJECT = {
  endpoint: (key: string) => `endpoint:${key}`,
  mx: (host: string) => `mx:${host}`,
  domain: (name: string) => `domain:${name}`,
  url: (url: string) => `url:${url}`,
} as const;

/** Build a finding; `evidence` defaults to {} so every finding carries the field. */
export function finding(f: Omit<CheckFinding, 'evidence'> & { evidence?: Finding['evidence'] }): CheckFinding {
  return { ...f, evidence: f.evidence ?? {} };
}

/** A check's finding with its subject (the finding's own, else `fallback`), `subject` right after `id`. */
export function withSubject(f: CheckFinding, fallback: string): Finding {
  const { id, subject, ...rest } = f;
  return { id, subject: subject ?? fallback, ...rest };
}

/** Common references, so the same citation reads the same everywhere. */
export const REF = {
  rfc8996: 'RFC 8996 — Deprecating TLS 1.0 and TLS 1.1 (https://www.rfc-editor.org/rfc/rfc8996)',
  rfc8446: 'RFC 8446 — TLS 1.3 (https://www.rfc-editor.org/rfc/rfc8446)',
  rfc5280: 'RFC 5280 — X.509 certificate and CRL profile (https://www.rfc-editor.org/rfc/rfc5280)',
  rfc6125: 'RFC 6125 — service identity in TLS (https://www.rfc-editor.org/rfc/rfc6125)',
  rfc6797: 'RFC 6797 — HTTP Strict Transport Security (https://www.rfc-editor.org/rfc/rfc6797)',
  csp3: 'W3C Content Security Policy Level 3 (https://www.w3.org/TR/CSP3/)',
  ssllabsGuide: 'SSL Labs SSL Server Rating Guide (https://github.com/ssllabs/research/wiki/SSL-Server-Rating-Guide)',
  mdnHsts: 'MDN: Strict-Transport-Security (https://developer.mozilla.org/docs/Web/HTTP/Headers/Strict-Transport-Security)',
  mdnCsp: 'MDN: Content-Security-Policy (https://developer.mozilla.org/docs/Web/HTTP/CSP)',
  rfc7208: 'RFC 7208 — Sender Policy Framework (https://www.rfc-editor.org/rfc/rfc7208)',
  rfc7489: 'RFC 7489 — DMARC (https://www.rfc-editor.org/rfc/rfc7489)',
  cabBr: 'CA/Browser Forum Baseline Requirements (https://cabforum.org/baseline-requirements-documents/)',
  rfc8659: 'RFC 8659 — DNS Certification Authority Authorization (https://www.rfc-editor.org/rfc/rfc8659)',
  rfc6962: 'RFC 6962 — Certificate Transparency (https://www.rfc-editor.org/rfc/rfc6962)',
  chromeCtPolicy: 'Chrome Certificate Transparency Policy (https://googlechrome.github.io/CertificateTransparency/ct_policy.html)',
  rfc6960: 'RFC 6960 — Online Certificate Status Protocol (https://www.rfc-editor.org/rfc/rfc6960)',
  rfc7633: 'RFC 7633 — X.509v3 TLS Feature extension (OCSP must-staple) (https://www.rfc-editor.org/rfc/rfc7633)',
  mozillaRootStore: 'Mozilla Root Store Policy (https://www.mozilla.org/projects/security/certs/policy/)',
} as const;

/**
 * The info finding for a vulnerability check that could not decide: the report keeps the verdict
 * 'unknown', and this says why (a could-not-test is never a pass).
 */
export function untestedFinding(
  id: string,
  name: string,
  reason: string,
  evidence: Finding['evidence'],
  references: string[],
  remediation = 'Re-run the scan; if this persists, test with another tool.',
): CheckFinding {
  return finding({ id: `${id}.untested`, severity: 'info', title: `${name} could not be tested`, detail: `No verdict: ${reason}.`, evidence, remediation, references });
}
