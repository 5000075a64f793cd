// X-Content-Type-Options: whether MIME sniffing is turned off (`nosniff`) the way browsers read it.
import { finding, type CheckFinding } from '../../model/finding.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const X_CONTENT_TYPE_OPTIONS_FINDINGS = {
  xctoMissing: 'http.xcto.missing',
  xctoInvalid: 'http.xcto.invalid',
} as const;

/**
 * X-Content-Type-Options: browsers honour it when the first comma-separated value is "nosniff",
 * case-insensitively (Fetch, "determine nosniff"); anything else is ignored.
 */
export function checkXContentTypeOptions(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const value = header(headers, 'x-content-type-options');
  const refs = [R.mdnXcto, R.fetchNosniff, R.owaspHeaders];
  const remediation = 'Send `X-Content-Type-Options: nosniff` on every response.';
  if (value === undefined) {
    return [
      finding({
        id: X_CONTENT_TYPE_OPTIONS_FINDINGS.xctoMissing,
        severity: 'low',
        title: 'X-Content-Type-Options header is missing',
        detail: 'Without `nosniff`, browsers may sniff a response into a script or stylesheet type it was not served as, which turns uploads or JSON endpoints into XSS vectors.',
        evidence: { url: pageUrl, header: null },
        remediation,
        references: refs,
      }),
    ];
  }
  if (isNosniff(value)) return [];
  return [
    finding({
      id: X_CONTENT_TYPE_OPTIONS_FINDINGS.xctoInvalid,
      severity: 'low',
      title: 'X-Content-Type-Options header is invalid',
      detail: 'The only value browsers act on is `nosniff`; this one is ignored, so MIME sniffing stays on.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation,
      references: refs,
    }),
  ];
}

export const isNosniff = (value: string) => (value.split(',')[0] ?? '').trim().toLowerCase() === 'nosniff';
