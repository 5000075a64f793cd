// Cross-Origin-Opener-Policy / -Embedder-Policy / -Resource-Policy: missing COOP, and values of
// the three that browsers ignore (COOP and COEP are RFC 8941 tokens, CORP an exact string).
import { finding, type CheckFinding } from '../../model/finding.js';
import { parseSfItem } from '../structured-fields.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CROSS_ORIGIN_FINDINGS = {
  coopMissing: 'http.coop.missing',
  coopInvalid: 'http.coop.invalid',
  coepInvalid: 'http.coep.invalid',
  corpInvalid: 'http.corp.invalid',
} as const;

const COOP_VALUES = new Set(['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups', 'unsafe-none']);
const COEP_VALUES = new Set(['require-corp', 'credentialless', 'unsafe-none']);
const CORP_VALUES = new Set(['same-origin', 'same-site', 'cross-origin']);

/** The token of a structured-field item header (COOP, COEP), or null when browsers would ignore it. */
function sfToken(value: string, allowed: ReadonlySet<string>): string | null {
  const r = parseSfItem(value);
  return r.ok && r.value.item.type === 'token' && allowed.has(r.value.item.value) ? r.value.item.value : null;
}

/**
 * COOP and COEP are structured-field tokens (case-sensitive; a repeated header joined with ", "
 * no longer parses and is ignored); CORP is compared byte for byte (Fetch). COOP missing is info:
 * it isolates the page from cross-origin windows it opens or that open it (XS-Leaks, Spectre).
 */
export function checkCrossOriginPolicies(headers: ResponseHeaders, pageUrl: string): CheckFinding[] {
  const out: CheckFinding[] = [];
  const coop = header(headers, 'cross-origin-opener-policy');
  if (coop === undefined) {
    out.push(
      finding({
        id: CROSS_ORIGIN_FINDINGS.coopMissing,
        severity: 'info',
        title: 'Cross-Origin-Opener-Policy header is missing',
        detail: 'Cross-origin pages that open this one, or that it opens, keep a handle on its window, which enables cross-site leaks and keeps it out of cross-origin isolation.',
        evidence: { url: pageUrl, header: null },
        remediation: 'Send `Cross-Origin-Opener-Policy: same-origin` (or `same-origin-allow-popups` if the site relies on OAuth or payment pop-ups).',
        references: [R.mdnCoop, R.htmlCoop],
      }),
    );
  } else if (sfToken(coop, COOP_VALUES) === null) {
    out.push(
      finding({
        id: CROSS_ORIGIN_FINDINGS.coopInvalid,
        severity: 'low',
        title: 'Cross-Origin-Opener-Policy header is invalid',
        detail: `Browsers ignore it and apply unsafe-none. Valid values: ${[...COOP_VALUES].join(', ')} (lower-case tokens, one header).`,
        evidence: { url: pageUrl, header: clip(coop) },
        remediation: 'Send exactly one `Cross-Origin-Opener-Policy: same-origin`.',
        references: [R.mdnCoop, R.htmlCoop, R.rfc8941],
      }),
    );
  }
  const coep = header(headers, 'cross-origin-embedder-policy');
  if (coep !== undefined && sfToken(coep, COEP_VALUES) === null) {
    out.push(
      finding({
        id: CROSS_ORIGIN_FINDINGS.coepInvalid,
        severity: 'info',
        title: 'Cross-Origin-Embedder-Policy header is invalid',
        detail: `Browsers ignore it (unsafe-none), so the page cannot be cross-origin isolated. Valid values: ${[...COEP_VALUES].join(', ')}.`,
        evidence: { url: pageUrl, header: clip(coep) },
        remediation: 'Send `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`), or remove the header.',
        references: [R.mdnCoep, R.rfc8941],
      }),
    );
  }
  const corp = header(headers, 'cross-origin-resource-policy');
  if (corp !== undefined && !CORP_VALUES.has(corp.trim())) {
    out.push(
      finding({
        id: CROSS_ORIGIN_FINDINGS.corpInvalid,
        severity: 'low',
        title: 'Cross-Origin-Resource-Policy header is invalid',
        detail: `Browsers ignore it, so any site can embed this resource. Valid values (exact, lower-case): ${[...CORP_VALUES].join(', ')}.`,
        evidence: { url: pageUrl, header: clip(corp) },
        remediation: 'Send `Cross-Origin-Resource-Policy: same-origin` (or `same-site`).',
        references: [R.mdnCorp, R.fetchCorp],
      }),
    );
  }
  return out;
}
