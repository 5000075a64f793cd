// CORS: what the Access-Control-Allow-Origin/-Credentials answer to a request from an untrusted
// Origin allows (wildcard, reflected origin, null origin). Needs its own request (site probe).
import { finding, type CheckFinding } from '../../model/finding.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CORS_FINDINGS = {
  corsWildcardCredentials: 'http.cors.wildcard-credentials',
  corsWildcard: 'http.cors.wildcard',
  corsReflectedOrigin: 'http.cors.reflected-origin',
  corsNullOrigin: 'http.cors.null-origin',
} as const;

/**
 * CORS as seen by a request that sent `Origin: <testOrigin>` (an origin the site has no reason to
 * trust). A reflected or `null` allowed origin lets any site (or any sandboxed frame, for null)
 * read the response; with credentials, the user's authenticated data.
 */
export function checkCors(resp: { headers: ResponseHeaders; url?: string }, testOrigin: string): CheckFinding[] {
  const acao = header(resp.headers, 'access-control-allow-origin');
  if (acao === undefined) return [];
  const allowOrigin = acao.trim();
  const credentials = (header(resp.headers, 'access-control-allow-credentials') ?? '').trim().toLowerCase() === 'true';
  const evidence = {
    ...(resp.url !== undefined ? { url: resp.url } : {}),
    requestOrigin: testOrigin,
    allowOrigin: clip(allowOrigin),
    allowCredentials: credentials,
  };
  const refs = [R.fetchCors, R.portswiggerCors, R.owaspCors];
  if (allowOrigin === '*') {
    if (credentials) {
      return [
        finding({
          id: CORS_FINDINGS.corsWildcardCredentials,
          severity: 'low',
          title: 'CORS allows any origin with credentials (rejected by browsers)',
          detail: 'Browsers refuse `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`, so credentialed requests fail; the configuration shows an intent to share authenticated data with everyone, often "fixed" next by reflecting the Origin.',
          evidence,
          remediation: 'List the trusted origins explicitly and send credentials only to them, or drop Access-Control-Allow-Credentials.',
          references: refs,
        }),
      ];
    }
    return [
      finding({
        id: CORS_FINDINGS.corsWildcard,
        severity: 'info',
        title: 'CORS allows any origin to read this resource',
        detail: 'Fine for public data (no cookies are sent with `*`); make sure the resource holds nothing that depends on the network position (intranet) of the visitor.',
        evidence,
        remediation: 'Keep `*` only on public resources; use an allowlist of origins otherwise.',
        references: refs,
      }),
    ];
  }
  if (allowOrigin.toLowerCase() === testOrigin.trim().toLowerCase()) {
    return [
      finding({
        id: CORS_FINDINGS.corsReflectedOrigin,
        severity: credentials ? 'high' : 'medium',
        title: `CORS reflects an arbitrary Origin${credentials ? ' with credentials' : ''}`,
        detail: `The server allowed ${testOrigin}, an origin it has no reason to trust, so any site can read the response${credentials ? " with the visitor's cookies: the user's authenticated data" : ''}.`,
        evidence,
        remediation: 'Check the Origin against an explicit allowlist before echoing it, and send `Vary: Origin`.',
        references: refs,
      }),
    ];
  }
  if (allowOrigin.toLowerCase() === 'null') {
    return [
      finding({
        id: CORS_FINDINGS.corsNullOrigin,
        severity: credentials ? 'high' : 'medium',
        title: `CORS allows the "null" origin${credentials ? ' with credentials' : ''}`,
        detail: `Any site can make requests with Origin: null (from a sandboxed iframe or a data: URL), so any site can read the response${credentials ? " with the visitor's cookies" : ''}.`,
        evidence,
        remediation: 'Never allow `null`; allow explicit https origins only.',
        references: refs,
      }),
    ];
  }
  return [];
}
