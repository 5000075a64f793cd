// Permissions-Policy (and the deprecated Feature-Policy): whether the header parses as browsers
// parse it (an RFC 8941 Dictionary) and which of its entries browsers would skip.
import { finding, type CheckFinding } from '../../model/finding.js';
import { parseSfDictionary, type SfBareItem } from '../structured-fields.js';
import { clip, header, MAX_LISTED_URLS, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const PERMISSIONS_POLICY_FINDINGS = {
  permissionsPolicyFeaturePolicyOnly: 'http.permissions-policy.feature-policy-only',
  permissionsPolicyMissing: 'http.permissions-policy.missing',
  permissionsPolicyInvalid: 'http.permissions-policy.invalid',
} as const;

const describeSf = (b: SfBareItem) => (b.type === 'string' ? JSON.stringify(b.value) : String(b.value));
const isAllowlistItem = (b: SfBareItem) => b.type === 'string' || (b.type === 'token' && (b.value === '*' || b.value === 'self'));

/**
 * Permissions-Policy is an RFC 8941 Dictionary: a value that does not parse is ignored as a whole.
 * Members whose value is not `*`, `self`, a string or an inner list of those are ignored one by
 * one, as are other items inside an inner list (W3C Permissions Policy, "process response policy").
 */
export function checkPermissionsPolicy(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const value = header(headers, 'permissions-policy');
  const feature = header(headers, 'feature-policy');
  const refs = [R.permissionsPolicy, R.mdnPermissionsPolicy, R.rfc8941];
  const remediation = 'Send a Permissions-Policy disabling what the site does not use, e.g. `Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=()`.';
  if (value === undefined) {
    if (feature !== undefined) {
      return [
        finding({
          id: PERMISSIONS_POLICY_FINDINGS.permissionsPolicyFeaturePolicyOnly,
          severity: 'info',
          title: 'Only the deprecated Feature-Policy header is sent',
          detail: 'Feature-Policy was replaced by Permissions-Policy (with a different syntax); current browsers act on Permissions-Policy.',
          evidence: { url: pageUrl, header: null, featurePolicy: clip(feature) },
          remediation: 'Translate it to Permissions-Policy syntax (`geolocation=()` for `geolocation \'none\'`) and send that.',
          references: refs,
        }),
      ];
    }
    return [
      finding({
        id: PERMISSIONS_POLICY_FINDINGS.permissionsPolicyMissing,
        severity: 'info',
        title: 'Permissions-Policy header is missing',
        detail: 'Powerful browser features (camera, microphone, geolocation, payment …) are not restricted for the page and the frames it embeds. This is hardening: features behind a permission prompt still ask the user.',
        evidence: { url: pageUrl, header: null },
        remediation,
        references: refs,
      }),
    ];
  }
  const parsed = parseSfDictionary(value);
  if (!parsed.ok) {
    return [
      finding({
        id: PERMISSIONS_POLICY_FINDINGS.permissionsPolicyInvalid,
        severity: 'low',
        title: 'Permissions-Policy header does not parse and is ignored',
        detail: `The value is not a structured-field dictionary (${parsed.error} at offset ${parsed.offset}), so browsers ignore the whole header.${/'none'|'self'/.test(value) ? " It looks like Feature-Policy syntax ('none', 'self'): Permissions-Policy writes `feature=()` and `feature=(self)`." : ''}`,
        evidence: { url: pageUrl, header: clip(value), error: parsed.error, offset: parsed.offset },
        remediation,
        references: refs,
      }),
    ];
  }
  const ignored: string[] = [];
  for (const [feat, member] of parsed.value) {
    if ('list' in member) {
      for (const it of member.list) if (!isAllowlistItem(it.item)) ignored.push(clip(`${feat}: item ${describeSf(it.item)}`, 128));
    } else if (!isAllowlistItem(member.item)) {
      ignored.push(clip(`${feat}=${member.item.type === 'boolean' && member.item.value && member.params.length === 0 ? '(no value)' : describeSf(member.item)}`, 128));
    }
    if (ignored.length >= MAX_LISTED_URLS) break;
  }
  if (ignored.length === 0) return [];
  return [
    finding({
      id: PERMISSIONS_POLICY_FINDINGS.permissionsPolicyInvalid,
      severity: 'info',
      title: 'Permissions-Policy has entries browsers ignore',
      detail: `Allowlists take \`*\`, \`self\` or quoted origins (\`"https://x.example"\`), in parentheses; browsers skip these: ${ignored.join('; ')}.`,
      evidence: { url: pageUrl, header: clip(value), ignored },
      remediation: 'Quote origins and use `()` to disable a feature, e.g. `geolocation=(self "https://maps.example")`.',
      references: refs,
    }),
  ];
}
