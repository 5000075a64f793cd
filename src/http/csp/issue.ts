// The catalogue of CSP issues: stable ids, their severity and title. The checks follow Google's
// csp_evaluator (security_checks.ts, strictcsp_checks.ts, parser_checks.ts), read with CSP3
// semantics; ids marked "secgrade" have no csp_evaluator counterpart.
import { printable } from './parse.js';

export type CspSeverity = 'high' | 'medium' | 'low' | 'info';

export interface CspIssue {
  /** Stable id, e.g. 'csp.script-unsafe-inline'. */
  id: CspIssueId;
  severity: CspSeverity;
  /** The directive concerned (after fallback: the one that actually governs), or '' for the policy. */
  directive: string;
  /** The offending source expression or token, control characters escaped. */
  value?: string;
  title: string;
  detail: string;
  /** Index of the policy when the value held several (comma-separated or several <meta>). */
  policy?: number;
}

const C = <T extends Record<string, { severity: CspSeverity; title: string }>>(t: T): T => t;

export const CSP_ISSUES = C({
  // Script execution (csp_evaluator security_checks.ts)
  'csp.script-unsafe-inline': { severity: 'high', title: "'unsafe-inline' allows injected inline scripts" },
  'csp.script-unsafe-hashes': { severity: 'low', title: "'unsafe-hashes' allows hashed inline event handlers" },
  'csp.script-unsafe-eval': { severity: 'medium', title: "'unsafe-eval' allows eval() and similar" },
  'csp.plain-scheme': { severity: 'high', title: 'A whole URL scheme is allowed where scripts can run' },
  'csp.wildcard': { severity: 'high', title: "'*' allows any host where scripts can run" },
  'csp.script-src-missing': { severity: 'high', title: 'Neither script-src nor default-src restricts scripts' },
  'csp.object-src-missing': { severity: 'high', title: 'Neither object-src nor default-src restricts plugins' },
  'csp.base-uri-missing': { severity: 'high', title: 'base-uri is missing from a nonce- or hash-based policy' },
  'csp.script-allowlist-bypass': { severity: 'high', title: 'An allowlisted host serves JSONP or AngularJS that bypasses the policy' },
  'csp.script-self': { severity: 'info', title: "'self' allows scripts from this origin's JSONP, AngularJS or uploads" },
  'csp.script-allowlist-host': { severity: 'info', title: 'An allowlisted script host must serve no JSONP or AngularJS' },
  'csp.object-allowlist-bypass': { severity: 'low', title: 'An allowlisted object-src host serves Flash that bypasses the policy' },
  'csp.object-src-not-none': { severity: 'low', title: "object-src allows more than 'none'" },
  'csp.nonce-length': { severity: 'medium', title: 'A nonce is shorter than 8 characters' },
  'csp.nonce-charset': { severity: 'info', title: 'A nonce is not base64' },
  'csp.src-http': { severity: 'medium', title: 'A source or report URL uses plain http://' },
  'csp.ip-source': { severity: 'info', title: 'A source is an IP address' },
  'csp.deprecated-directive': { severity: 'info', title: 'A deprecated directive is used' },
  'csp.no-reporting': { severity: 'info', title: 'No reporting destination (report-uri / report-to)' },
  'csp.report-to-only': { severity: 'info', title: 'Only report-to is set; add report-uri for browsers without it' },
  'csp.source-ignored': { severity: 'info', title: 'A source expression is ignored by CSP3 browsers' },
  // Strict CSP (csp_evaluator strictcsp_checks.ts)
  'csp.allowlist-without-strict-dynamic': { severity: 'low', title: "Host allowlist without 'strict-dynamic' (bypassable)" },
  'csp.strict-dynamic-without-nonce': { severity: 'info', title: "'strict-dynamic' without a nonce or hash blocks all scripts" },
  'csp.no-unsafe-inline-fallback': { severity: 'info', title: "No 'unsafe-inline' fallback for browsers without nonces" },
  'csp.no-allowlist-fallback': { severity: 'info', title: "No https: fallback for browsers without 'strict-dynamic'" },
  'csp.no-trusted-types': { severity: 'info', title: "Trusted Types are not required (require-trusted-types-for 'script')" },
  // Syntax (csp_evaluator parser_checks.ts)
  'csp.unknown-directive': { severity: 'low', title: 'Unknown directive (ignored by browsers)' },
  'csp.missing-semicolon': { severity: 'low', title: 'A directive name appears as a value: missing semicolon?' },
  'csp.invalid-keyword': { severity: 'low', title: 'Invalid quoted keyword, nonce or hash (ignored by browsers)' },
  'csp.unquoted-keyword': { severity: 'low', title: 'A keyword without its single quotes is read as a host name' },
  // secgrade
  'csp.frame-ancestors-missing': { severity: 'medium', title: 'No frame-ancestors: any site may frame the page (clickjacking)' },
  'csp.frame-ancestors-broad': { severity: 'medium', title: 'frame-ancestors allows any site to frame the page' },
  'csp.report-only': { severity: 'info', title: 'Report-only policy: nothing is enforced' },
  'csp.report-only-no-reporting': { severity: 'low', title: 'Report-only policy without a reporting destination does nothing' },
  'csp.meta-ignored-directive': { severity: 'low', title: 'Directive ignored in a <meta> policy' },
  'csp.report-uri-only': { severity: 'info', title: 'report-uri without report-to (report-uri is deprecated in CSP3)' },
  'csp.obsolete-directive': { severity: 'info', title: 'A directive no browser supports any more' },
  'csp.none-with-other-sources': { severity: 'low', title: "'none' next to other sources is ignored" },
  'csp.invalid-source': { severity: 'low', title: 'A source expression is malformed (ignored by browsers)' },
  'csp.duplicate-directive': { severity: 'low', title: 'A directive is repeated; only the first counts' },
  'csp.non-ascii-directive': { severity: 'low', title: 'A directive with non-ASCII characters is ignored' },
  'csp.control-characters': { severity: 'low', title: 'Control characters in the policy' },
  'csp.truncated': { severity: 'low', title: 'The policy is too large and was only read in part' },
  'csp.empty-policy': { severity: 'medium', title: 'The policy has no usable directive' },
});

export type CspIssueId = keyof typeof CSP_ISSUES;

// Which directives (before fallback) an issue that lets something through is about: with several
// policies, a policy that restricts none of them lets it through too. Kept beside the issue, not in it.
const SCOPE = new WeakMap<CspIssue, readonly string[]>();

export function scoped(issue: CspIssue, uses: readonly string[]): CspIssue {
  SCOPE.set(issue, uses);
  return issue;
}

export const scopeOf = (issue: CspIssue): readonly string[] | undefined => SCOPE.get(issue);

/** Build an issue from the catalogue. */
export function cspIssue(id: CspIssueId, directive: string, detail: string, value?: string): CspIssue {
  const { severity, title } = CSP_ISSUES[id];
  // Names and details quote the policy, which the server controls: escape and bound them.
  const out: CspIssue = { id, severity, directive: printable(directive, 100), title, detail: printable(detail, 1000) };
  if (value !== undefined) out.value = printable(value, 200);
  return out;
}
