// Content-Security-Policy: parse (parse.ts, meta.ts) and evaluate. evaluateCsp runs the
// checks of Google's csp_evaluator with CSP3 semantics plus a few of secgrade's own (frame-ancestors,
// report-only, <meta> limits, parser notes). Several policies are enforced together, so a weakness
// that lets something through (unsafe-inline, a wildcard, a missing directive …) only counts when
// every policy has it; slips in the writing of one policy are reported for that policy.
//
// This folder: parse.ts (the CSP3 parser), meta.ts (policies from <meta>), view.ts (what a CSP3
// browser applies to scripts), checks-xss.ts and checks-lint.ts (the checks), issue.ts (the issue
// catalogue), bypass-data.ts (Google csp-evaluator's bypass lists, Apache-2.0, see NOTICE).
import {
  checkBroadSources, checkIgnoredSources, checkMissingDirectives, checkObjectAllowlist, checkScriptAllowlist,
  checkScriptInline, checkStrictCsp,
} from './checks-xss.js';
import {
  checkDirectiveNames, checkFrameAncestors, checkInsecureSources, checkNonces, checkReporting, checkValues,
} from './checks-lint.js';
import { cspIssue, scopeOf, type CspIssue, type CspIssueId, type CspSeverity } from './issue.js';
import {
  effectiveDirective, getDirective, META_FORBIDDEN_DIRECTIVES, type CspNote, type CspPolicy, type ParsedCsp,
} from './parse.js';

export { CSP_ISSUES, type CspIssue, type CspIssueId, type CspSeverity } from './issue.js';
export {
  CSP_KEYWORDS, CSP_LIMITS, classifySource, effectiveDirective, getDirective, parseCsp,
  type CspDirective, type CspKeyword, type CspNote, type CspNoteCode, type CspPolicy, type CspSource,
  type HashAlgorithm, type ParseCspOptions, type ParsedCsp,
} from './parse.js';
export { extractMetaCsp, parseMetaCsp, META_SCAN_MAX_LENGTH, type MetaCspExtraction } from './meta.js';

export interface EvaluateCspOptions {
  /** The policy came in Content-Security-Policy-Report-Only: nothing is enforced. */
  reportOnly?: boolean;
  /** Where the policy came from; defaults to how it was parsed. */
  source?: 'header' | 'meta';
}

/** Issues that describe what gets through; with several policies, all must let it through. */
const ENFORCEMENT_IDS: ReadonlySet<CspIssueId> = new Set<CspIssueId>([
  'csp.script-unsafe-inline', 'csp.script-unsafe-hashes', 'csp.script-unsafe-eval', 'csp.plain-scheme', 'csp.wildcard',
  'csp.script-src-missing', 'csp.object-src-missing', 'csp.base-uri-missing', 'csp.script-allowlist-bypass',
  'csp.script-self', 'csp.script-allowlist-host', 'csp.object-allowlist-bypass', 'csp.object-src-not-none',
  'csp.allowlist-without-strict-dynamic', 'csp.no-trusted-types', 'csp.no-reporting', 'csp.report-to-only',
  'csp.report-uri-only', 'csp.frame-ancestors-missing', 'csp.frame-ancestors-broad',
]);

const NOTE_IDS: Readonly<Record<CspNote['code'], CspIssueId>> = {
  'truncated': 'csp.truncated', 'too-many-policies': 'csp.truncated', 'too-many-directives': 'csp.truncated',
  'too-many-sources': 'csp.truncated', 'duplicate-directive': 'csp.duplicate-directive',
  'non-ascii-directive': 'csp.non-ascii-directive', 'control-characters': 'csp.control-characters',
  'empty-policy': 'csp.empty-policy', 'meta-ignored-directive': 'csp.meta-ignored-directive',
};

const RANK: Readonly<Record<CspSeverity, number>> = { high: 0, medium: 1, low: 2, info: 3 };

const key = (i: CspIssue, withDirective: boolean): string => `${i.id}|${withDirective ? i.directive : ''}|${i.value ?? ''}`;

function dedupe(issues: CspIssue[]): CspIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(key(i, true)) && (seen.add(key(i, true)), true));
}

/** Every check on one policy. */
export function evaluatePolicy(policy: CspPolicy, source: 'header' | 'meta' = 'header'): CspIssue[] {
  return dedupe([
    ...checkScriptInline(policy), ...checkBroadSources(policy), ...checkMissingDirectives(policy),
    ...checkScriptAllowlist(policy), ...checkObjectAllowlist(policy), ...checkStrictCsp(policy),
    ...checkIgnoredSources(policy), ...checkNonces(policy), ...checkInsecureSources(policy),
    ...checkDirectiveNames(policy), ...checkValues(policy), ...checkReporting(policy),
    ...checkFrameAncestors(policy, source),
  ]);
}

/** A header-parsed policy judged as <meta>: drop what <meta> cannot carry, as browsers do. */
function asMeta(policy: CspPolicy, index: number, out: CspIssue[]): CspPolicy {
  const kept = policy.directives.filter((d) => {
    if (!META_FORBIDDEN_DIRECTIVES.has(d.name)) return true;
    out.push({ ...cspIssue('csp.meta-ignored-directive', d.name, `${d.name} is ignored in a <meta> policy; it only works in an HTTP header.`), policy: index });
    return false;
  });
  return { directives: kept };
}

function noteIssues(parsed: ParsedCsp, many: boolean): CspIssue[] {
  const out: CspIssue[] = [];
  for (const n of parsed.notes) {
    if (n.code === 'empty-policy' && parsed.policies.length === 0) continue; // reported once below
    const i = cspIssue(NOTE_IDS[n.code], n.directive ?? '', n.message);
    if (n.code === 'empty-policy') i.severity = 'low'; // other policies still apply
    if (many && n.policy !== null) i.policy = n.policy;
    out.push(i);
  }
  if (parsed.notesDropped > 0) out.push(cspIssue('csp.truncated', '', `${parsed.notesDropped} further parser notes were not kept.`));
  return out;
}

/**
 * Does every other policy let through what issue `i` of policy `index` describes? It does if it has
 * the same issue, or if it restricts none of the directives the issue is about.
 */
function letThrough(i: CspIssue, policies: CspPolicy[], keys: Array<Set<string>>, index: number): boolean {
  const scope = scopeOf(i) ?? [];
  return policies.every((p, n) => n === index || keys[n]!.has(key(i, false)) || scope.some((use) => !effectiveDirective(p, use)));
}

/** Evaluate a parsed policy (or set of policies); never throws. Issues come sorted by severity. */
export function evaluateCsp(parsed: ParsedCsp, opts: EvaluateCspOptions = {}): CspIssue[] {
  const source = opts.source ?? parsed.source;
  const many = parsed.policies.length > 1;
  const out = noteIssues(parsed, many);
  if (parsed.policies.length === 0) {
    out.push(cspIssue('csp.empty-policy', '', 'The value holds no directive a browser would apply, so it protects nothing.'));
  }
  const policies = parsed.policies.map((p, index) => (source === 'meta' && parsed.source === 'header' ? asMeta(p, index, out) : p));
  const perPolicy = policies.map((p) => evaluatePolicy(p, source));
  const keys = perPolicy.map((list) => new Set(list.map((j) => key(j, false))));
  const claimed = new Set<string>();
  perPolicy.forEach((list, index) => {
    const claims: string[] = [];
    for (const i of list) {
      if (!ENFORCEMENT_IDS.has(i.id)) out.push(many ? { ...i, policy: index } : i);
      else if (!claimed.has(key(i, false)) && letThrough(i, policies, keys, index)) {
        claims.push(key(i, false));
        out.push(i);
      }
    }
    for (const c of claims) claimed.add(c); // one policy may show it on several directives
  });
  const result = opts.reportOnly ? reportOnly(parsed, source, out) : out;
  return result.map((i, n) => ({ i, n })).sort((a, b) => RANK[a.i.severity] - RANK[b.i.severity] || a.n - b.n).map(({ i }) => i);
}

/** A report-only policy blocks nothing: its weaknesses are advice for the day it is enforced. */
function reportOnly(parsed: ParsedCsp, source: 'header' | 'meta', issues: CspIssue[]): CspIssue[] {
  const capped = issues.map((i): CspIssue => (RANK[i.severity] < RANK.low
    ? { ...i, severity: 'low', detail: `Report-only, once enforced: ${i.detail}` } : i));
  const lead = cspIssue('csp.report-only', '', source === 'meta'
    ? 'Browsers ignore Content-Security-Policy-Report-Only in <meta>: this policy neither blocks nor reports anything.'
    : 'Sent as Content-Security-Policy-Report-Only: browsers only report violations and block nothing.');
  const reports = parsed.policies.some((p) => ['report-uri', 'report-to'].some((n) => (getDirective(p, n)?.values.length ?? 0) > 0));
  const extra = reports ? [] : [cspIssue('csp.report-only-no-reporting', 'report-uri',
    'A report-only policy without report-uri or report-to neither blocks nor reports: it has no effect.')];
  return [lead, ...extra, ...capped];
}
