// X-XSS-Protection: the obsolete XSS-auditor switch; `0` or no header is right, `1` is reported.
import { finding, type CheckFinding } from '../../model/finding.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const X_XSS_PROTECTION_FINDINGS = {
  xxssInvalid: 'http.xxss.invalid',
  xxssEnabled: 'http.xxss.enabled',
} as const;

/**
 * X-XSS-Protection: the XSS auditors it configured are gone (Chrome 78, Edge, Safari), and their
 * filtering mode could be abused to blank out or leak parts of a page; `0` or no header is right.
 */
export function checkXXssProtection(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const value = header(headers, 'x-xss-protection');
  if (value === undefined) return [];
  const m = /^\s*([01])\s*(?:;(.*))?$/s.exec(value);
  const directivesOk =
    m !== null &&
    (m[2] ?? '').split(';').every((d) => {
      const t = d.trim().toLowerCase();
      return t === '' || t === 'mode=block' || t.startsWith('report=');
    });
  const refs = [R.mdnXxss, R.owaspHeaders];
  if (m === null || !directivesOk) {
    return [
      finding({
        id: X_XSS_PROTECTION_FINDINGS.xxssInvalid,
        severity: 'info',
        title: 'X-XSS-Protection header is invalid',
        detail: 'The value is not `0` or `1` with `mode=block`/`report=` directives; no browser acts on the header any more anyway.',
        evidence: { url: pageUrl, header: clip(value) },
        remediation: 'Remove the header, or send `X-XSS-Protection: 0`; rely on a Content-Security-Policy.',
        references: refs,
      }),
    ];
  }
  if (m[1] === '0') return [];
  return [
    finding({
      id: X_XSS_PROTECTION_FINDINGS.xxssEnabled,
      severity: 'low',
      title: 'X-XSS-Protection enables the obsolete XSS auditor',
      detail: 'Browsers removed their XSS auditors; where one remains, its filtering could be abused to disable scripts of the page or leak data across origins. OWASP recommends `0` or no header.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation: 'Send `X-XSS-Protection: 0` or remove the header, and use a Content-Security-Policy against XSS.',
      references: refs,
    }),
  ];
}
