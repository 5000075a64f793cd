// Expect-CT: a deprecated header that does nothing any more; its presence is reported as info.
import { finding, type CheckFinding } from '../../model/finding.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const EXPECT_CT_FINDINGS = {
  expectCtDeprecated: 'http.expect-ct.deprecated',
} as const;

/** Expect-CT: obsolete since CT is enforced for every certificate; Chrome removed support (v107). */
export function checkExpectCt(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const value = header(headers, 'expect-ct');
  if (value === undefined) return [];
  return [
    finding({
      id: EXPECT_CT_FINDINGS.expectCtDeprecated,
      severity: 'info',
      title: 'Expect-CT header is deprecated',
      detail: 'Browsers require Certificate Transparency for all publicly trusted certificates, and Chrome removed Expect-CT; the header does nothing.',
      evidence: { url: pageUrl, header: clip(value) },
      remediation: 'Remove the Expect-CT header.',
      references: [R.mdnExpectCt, R.rfc9163],
    }),
  ];
}
