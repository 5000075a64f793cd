// Configuration profiles (`--profile`): a published TLS configuration an endpoint is held to, rule
// by rule, from the evidence already in the report. A rule passes, deviates, or could not be
// decided; one undecided rule and no deviation leaves the verdict null (never "compliant").
import type { HttpResult, TlsResult } from '../../model/report.js';

export const PROFILE_IDS = ['mozilla-modern', 'mozilla-intermediate', 'mozilla-old', 'nist-800-52r2'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export function isProfileId(s: string): s is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(s);
}

/** What one rule made of the evidence. */
export type RuleOutcome =
  | { rule: string; status: 'pass' }
  | { rule: string; status: 'deviation'; expected: string; actual: string }
  | { rule: string; status: 'untested'; reason: string };

/** What a rule reads: one endpoint's TLS section and the site's HTTP section (HSTS), both as reported. */
export interface ProfileEvidence {
  tls: TlsResult;
  /** null when the HTTP section was not asked for or not built. */
  http: HttpResult | null;
}

export interface ProfileRule {
  id: string;
  /** Where the rule comes from (the guideline key or the publication's section), for references. */
  source: string;
  /** How to fix a deviation. */
  remediation: string;
  /** A citation of this rule beside the profile's own reference (NIST: the section). */
  reference?: string;
  check(ev: ProfileEvidence): RuleOutcome;
}

export interface ProfileDefinition {
  id: ProfileId;
  /** The guideline's version ("5.7") or the publication's revision ("Rev. 2"). */
  version: string;
  title: string;
  /** Where the guideline is published. */
  reference: string;
  rules: readonly ProfileRule[];
  /** Requirements of the profile secgrade cannot observe from outside: named, never counted. */
  notAssessed: readonly { rule: string; reason: string }[];
}
