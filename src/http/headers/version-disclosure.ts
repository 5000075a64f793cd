// Version disclosure: software versions in Server, X-Powered-By and X-AspNet(Mvc)-Version.
import { finding, type CheckFinding } from '../../model/finding.js';
import { clip, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const VERSION_DISCLOSURE_FINDINGS = {
  disclosureVersion: 'http.disclosure.version',
} as const;

const DISCLOSURE_HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version'] as const;
// A dotted version (1.18.0, 10.0) or a product/number (nginx/1); "nyb/1D2E" is not a version.
const VERSION = /\d+\.\d+|\/v?\d+(?![\w])/;

/**
 * Version numbers in Server / X-Powered-By / X-AspNet(Mvc)-Version tell an attacker which known
 * vulnerabilities to try. A bare product name ("nginx", "cloudflare", "Express") is not reported:
 * it says little that fingerprinting would not, and flagging it is noise.
 */
export function checkVersionDisclosure(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const disclosed: Array<{ header: string; value: string }> = [];
  for (const name of DISCLOSURE_HEADERS) {
    const value = headers[name];
    // The version test only needs the start of the value.
    if (value !== undefined && VERSION.test(value.slice(0, 256))) disclosed.push({ header: name, value: clip(value, 256) });
  }
  if (disclosed.length === 0) return [];
  return [
    finding({
      id: VERSION_DISCLOSURE_FINDINGS.disclosureVersion,
      severity: 'low',
      title: 'Response headers disclose software versions',
      detail: `${disclosed.map((d) => `${d.header}: ${d.value}`).join('; ')}. Version numbers let an attacker pick exploits for known vulnerabilities without probing.`,
      evidence: { url: pageUrl, headers: disclosed },
      remediation: 'Remove the version (nginx `server_tokens off;`, Apache `ServerTokens Prod`, PHP `expose_php = Off`, ASP.NET `enableVersionHeader="false"` and `MvcHandler.DisableMvcResponseHeader = true`), and drop X-Powered-By.',
      references: [R.owaspFingerprint, R.owaspHeaders],
    }),
  ];
}
