// Referrer-Policy: which referrer policy a browser applies from the header and from
// <meta name="referrer">, and whether it leaks full URLs or origins to other sites.
import type { Severity } from '../../model/constants.js';
import { finding, type CheckFinding } from '../../model/finding.js';
import type { HtmlScan } from '../html-resources.js';
import { clip, header, R, type ResponseHeaders } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const REFERRER_POLICY_FINDINGS = {
  referrerPolicyMissing: 'http.referrer-policy.missing',
  referrerPolicyInvalid: 'http.referrer-policy.invalid',
  referrerPolicyUnsafe: 'http.referrer-policy.unsafe',
} as const;

export const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;
export type ReferrerPolicyToken = (typeof REFERRER_POLICIES)[number];
const REFERRER_SET: ReadonlySet<string> = new Set(REFERRER_POLICIES);

/** Policies that send more than the origin to other origins (medium) or the origin over downgrades (low). */
const UNSAFE_REFERRER: Readonly<Partial<Record<ReferrerPolicyToken, Severity>>> = {
  'unsafe-url': 'medium',
  'no-referrer-when-downgrade': 'medium',
  origin: 'low',
  'origin-when-cross-origin': 'low',
};

/**
 * The policy a browser applies from a Referrer-Policy value: the last token it recognises in the
 * comma list (W3C Referrer Policy §8.1, which lets sites list fallbacks first). Tokens are matched
 * case-insensitively, as Chromium and the Observatory do. null: no recognised token.
 */
export function effectiveReferrerPolicy(value: string): ReferrerPolicyToken | null {
  let policy: ReferrerPolicyToken | null = null;
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase();
    if (REFERRER_SET.has(t)) policy = t as ReferrerPolicyToken;
  }
  return policy;
}

// <meta name=referrer> also takes the legacy keywords (HTML Standard, "Standard metadata names").
const META_REFERRER_LEGACY: Readonly<Record<string, ReferrerPolicyToken>> = {
  never: 'no-referrer',
  default: 'strict-origin-when-cross-origin',
  always: 'unsafe-url',
  'origin-when-crossorigin': 'origin-when-cross-origin',
};

/**
 * The last valid <meta name="referrer"> policy in the page: it overrides the header, and an
 * invalid one changes nothing (HTML Standard, "referrer" metadata name).
 */
function metaReferrer(scan: HtmlScan | null | undefined): { content: string; policy: ReferrerPolicyToken } | null {
  let found: { content: string; policy: ReferrerPolicyToken } | null = null;
  for (const e of scan?.elements ?? []) {
    if (e.tag !== 'meta' || e.ns !== 'html' || (e.attrs['name'] ?? '').trim().toLowerCase() !== 'referrer') continue;
    const content = e.attrs['content'] ?? '';
    const t = content.trim().toLowerCase();
    const policy = REFERRER_SET.has(t) ? (t as ReferrerPolicyToken) : META_REFERRER_LEGACY[t];
    if (policy !== undefined) found = { content, policy };
  }
  return found;
}

/**
 * Referrer-Policy: missing, unsafe (leaks full URLs or origins across origins or over plain HTTP),
 * invalid (no token a browser knows). A valid <meta name="referrer"> in the page counts as set.
 */
export function checkReferrerPolicy(headers: ResponseHeaders, pageUrl: string, scan?: HtmlScan | null): CheckFinding[] {
  const value = header(headers, 'referrer-policy');
  const meta = metaReferrer(scan);
  const refs = [R.mdnReferrer, R.referrerSpec, R.owaspHeaders];
  const remediation = 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer` / `same-origin` for sensitive pages).';
  const headerPolicy = value === undefined ? null : effectiveReferrerPolicy(value);
  const policy = meta?.policy ?? headerPolicy;
  const evidence = { url: pageUrl, header: value === undefined ? null : clip(value), meta: meta ? clip(meta.content) : null, policy };
  if (policy === null && value === undefined) {
    return [
      finding({
        id: REFERRER_POLICY_FINDINGS.referrerPolicyMissing,
        severity: 'low',
        title: 'Referrer-Policy header is missing',
        detail: `${pageUrl} sets no referrer policy. Current browsers default to strict-origin-when-cross-origin, older ones send the full URL (path and query) to every site linked or loaded.`,
        evidence,
        remediation,
        references: refs,
      }),
    ];
  }
  if (policy === null) {
    return [
      finding({
        id: REFERRER_POLICY_FINDINGS.referrerPolicyInvalid,
        severity: 'low',
        title: 'Referrer-Policy header has no valid policy',
        detail: 'Browsers ignore every token in this header they do not recognise, and none is recognised, so the browser default applies.',
        evidence,
        remediation,
        references: refs,
      }),
    ];
  }
  const severity = UNSAFE_REFERRER[policy];
  if (severity === undefined) return [];
  return [
    finding({
      id: REFERRER_POLICY_FINDINGS.referrerPolicyUnsafe,
      severity,
      title: `Referrer-Policy "${policy}" leaks ${severity === 'medium' ? 'full URLs' : 'the origin'} to other sites`,
      detail:
        severity === 'medium'
          ? `With "${policy}" the full URL of the page, path and query included (tokens, search terms, IDs), is sent to other origins${policy === 'unsafe-url' ? ', even over plain HTTP' : ''}.`
          : `With "${policy}" the origin is sent to other origins even when navigating from HTTPS to plain HTTP.`,
      evidence,
      remediation,
      references: refs,
    }),
  ];
}
