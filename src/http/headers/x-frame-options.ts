// X-Frame-Options and CSP frame-ancestors: clickjacking protection. X-Frame-Options is parsed as
// the HTML Standard does; it only matters when the enforced CSP has no frame-ancestors.
import { finding, REF, type CheckFinding } from '../../model/finding.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const X_FRAME_OPTIONS_FINDINGS = {
  framingMissing: 'http.framing.missing',
  xfoAllowFrom: 'http.xfo.allow-from',
  xfoInvalid: 'http.xfo.invalid',
} as const;

export type XfoVerdict = 'deny' | 'sameorigin' | 'allow-from' | 'invalid';

/**
 * X-Frame-Options as the HTML Standard processes it: the comma-separated values, lower-cased, as a
 * set; more than one distinct value containing deny/sameorigin/allowall blocks framing (deny);
 * any other set, ALLOW-FROM (dropped by every current browser) or an unknown value allows it.
 */
export function xfoVerdict(value: string): XfoVerdict {
  const set = new Set(value.split(',').map((v) => v.trim().toLowerCase()));
  if (set.size > 1) return set.has('deny') || set.has('sameorigin') || set.has('allowall') ? 'deny' : 'invalid';
  const only = [...set][0] ?? '';
  if (only === 'deny' || only === 'sameorigin') return only;
  if (only.startsWith('allow-from')) return 'allow-from';
  return 'invalid';
}

/**
 * Clickjacking protection. `frameAncestors` is the enforced CSP's frame-ancestors source list
 * (null: the CSP has no such directive, or there is no CSP). When it is set, browsers ignore
 * X-Frame-Options entirely (HTML Standard), so nothing about X-Frame-Options is reported then.
 */
export function checkFraming(headers: ResponseHeaders, pageUrl: string, frameAncestors: string[] | null): CheckFinding[] {
  if (frameAncestors !== null) return [];
  const value = header(headers, 'x-frame-options');
  const refs = [R.mdnXfo, R.htmlXfo, R.owaspClickjacking, REF.csp3];
  const remediation = "Send `Content-Security-Policy: frame-ancestors 'self'` (or 'none'), and `X-Frame-Options: SAMEORIGIN` (or DENY) for old browsers.";
  if (value === undefined) {
    return [
      finding({
        id: X_FRAME_OPTIONS_FINDINGS.framingMissing,
        severity: 'medium',
        title: 'No clickjacking protection (X-Frame-Options or CSP frame-ancestors)',
        detail: `${pageUrl} can be framed by any site, which lets an attacker overlay it and trick users into clicking (clickjacking).`,
        evidence: { url: pageUrl, header: null, frameAncestors: null },
        remediation,
        references: refs,
      }),
    ];
  }
  const verdict = xfoVerdict(value);
  if (verdict === 'deny' || verdict === 'sameorigin') return [];
  if (verdict === 'allow-from') {
    return [
      finding({
        id: X_FRAME_OPTIONS_FINDINGS.xfoAllowFrom,
        severity: 'medium',
        title: 'X-Frame-Options ALLOW-FROM is obsolete and ignored',
        detail: 'Current browsers ignore an X-Frame-Options header with ALLOW-FROM altogether, so the page can be framed by any site.',
        evidence: { url: pageUrl, header: clip(value), frameAncestors: null },
        remediation: 'Replace it with `Content-Security-Policy: frame-ancestors <the allowed origins>`.',
        references: refs,
      }),
    ];
  }
  return [
    finding({
      id: X_FRAME_OPTIONS_FINDINGS.xfoInvalid,
      severity: 'medium',
      title: 'X-Frame-Options header is invalid',
      detail: 'Browsers only act on DENY or SAMEORIGIN; this value is ignored (ALLOWALL explicitly allows framing), so the page can be framed by any site.',
      evidence: { url: pageUrl, header: clip(value), frameAncestors: null },
      remediation,
      references: refs,
    }),
  ];
}
