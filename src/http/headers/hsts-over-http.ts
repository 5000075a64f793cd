// HSTS over plain HTTP: a Strict-Transport-Security header on the http:// response, which browsers
// ignore. The HSTS header itself is parsed by src/http/hsts.ts and judged in src/http/site-checks.ts.
import { finding, REF, type CheckFinding } from '../../model/finding.js';
import { clip, header, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const HSTS_OVER_HTTP_FINDINGS = {
  hstsOverHttp: 'http.hsts.over-http',
} as const;

/** Strict-Transport-Security on a plain-HTTP response: browsers ignore it (RFC 6797 §8.1). */
export function checkHstsOverHttp(httpHeaders: ResponseHeaders, httpUrl: string): CheckFinding[] {
  const value = header(httpHeaders, 'strict-transport-security');
  if (value === undefined) return [];
  return [
    finding({
      id: HSTS_OVER_HTTP_FINDINGS.hstsOverHttp,
      severity: 'info',
      title: 'Strict-Transport-Security sent over plain HTTP is ignored',
      detail: 'Browsers must ignore HSTS received over an insecure connection (RFC 6797 §8.1); only the HTTPS response can set it.',
      evidence: { url: httpUrl, header: clip(value) },
      remediation: 'Redirect plain HTTP to HTTPS with a 301 and send Strict-Transport-Security on the HTTPS responses.',
      references: [REF.rfc6797, REF.mdnHsts],
    }),
  ];
}
