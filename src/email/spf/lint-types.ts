// The SPF lint's vocabulary: its finding ids, result, issue and include-tree shapes, options and
// remedy texts. Apart so that the walk (lint-walk.ts) and the verdicts (lint.ts) share them.
import type { Severity } from '../../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const SPF_FINDINGS = {
  voidLookup: 'email.spf.void-lookup',
  macros: 'email.spf.macros',
  stringTooLong: 'email.spf.string-too-long',
  recordTooLong: 'email.spf.record-too-long',
  includeUntested: 'email.spf.include-untested',
  multiple: 'email.spf.multiple',
  invalid: 'email.spf.invalid',
  termsAfterAll: 'email.spf.terms-after-all',
  redirectIgnored: 'email.spf.redirect-ignored',
  ptr: 'email.spf.ptr',
  duplicateInclude: 'email.spf.duplicate-include',
  tooManyMx: 'email.spf.too-many-mx',
  mxWithoutAddress: 'email.spf.mx-without-address',
  spfRrType: 'email.spf.spf-rr-type',
  untested: 'email.spf.untested',
  missing: 'email.spf.missing',
  tooManyLookups: 'email.spf.too-many-lookups',
  tooManyVoidLookups: 'email.spf.too-many-void-lookups',
  permissiveAll: 'email.spf.permissive-all',
  softfailAll: 'email.spf.softfail-all',
  noAll: 'email.spf.no-all',
  incomplete: 'email.spf.incomplete',
  moreIssues: 'email.spf.more-issues',
} as const;

export type SpfStatus = 'found' | 'missing' | 'multiple' | 'invalid' | 'error';

export interface SpfIssue {
  /** Stable finding id, e.g. "email.spf.too-many-lookups". */
  id: string;
  severity: Severity;
  title: string;
  /** One or two sentences: what and why it matters. */
  message: string;
  remediation: string;
  /** The term concerned, as written. */
  term?: string;
  /** The domain whose record holds the term (differs from the checked domain inside includes). */
  domain?: string;
}

export interface SpfTreeNode {
  domain: string;
  via: 'root' | 'include' | 'redirect';
  /** The parent's term that led here. */
  term?: string;
  status: 'found' | 'missing' | 'multiple' | 'invalid' | 'error' | 'loop' | 'not-followed';
  record: string | null;
  reason?: string;
  /** DNS-querying terms in this record itself (children not included). */
  lookups: number;
  voidLookups: number;
  /** The all that applies to this branch (following its redirect=); null = none. */
  effectiveAll?: string | null;
  children: SpfTreeNode[];
}

/** The Contract's email.spf object, plus the lint's extras (issues, warnings, tree …). */
export interface SpfLintResult {
  status: SpfStatus;
  reason?: string;
  record: string | null;
  /** DNS-querying terms over the whole tree; null when there is no usable record. */
  lookups: number | null;
  voidLookups: number | null;
  /** "+all", "?all", "~all", "-all", or "redirect=<target>" when the record ends in a redirect. */
  all: string | null;
  /** Conditions that make receivers return permerror. */
  errors: string[];
  warnings: string[];
  issues: SpfIssue[];
  /** The all that finally applies (following redirect=); null = none, the default neutral. */
  effectiveAll: string | null;
  /** Whether an obsolete type-99 SPF record is published; null when not known. */
  spfRrType: boolean | null;
  /** Some part could not be checked (DNS error, budget, abort): counts are then lower bounds. */
  incomplete: boolean;
  /** The work the lint did: DNS queries made and terms walked (each bounded by the budget). */
  work?: { queries: number; terms: number };
  tree?: SpfTreeNode;
}

export interface SpfLintOptions {
  signal?: AbortSignal;
  /** Deepest include/redirect nesting followed (default 10). */
  maxDepth?: number;
  /**
   * Most DNS queries for the whole lint, including those past the 10-lookup limit (default
   * max(250, 2 + maxLookups × (1 + 2 × maxMxNames)) = 250: more than the 212 any policy within the
   * §4.6.4 limits needs).
   */
  maxQueries?: number;
  /** Most terms walked over the whole tree (default (maxLookups + 1) × 512 = 5632). */
  maxTerms?: number;
  /** §4.6.4 limits (defaults 10 and 2) and the MX-name limit (10). */
  maxLookups?: number;
  maxVoidLookups?: number;
  maxMxNames?: number;
  /** Also ask for the obsolete SPF RR type (default true). */
  checkSpfRrType?: boolean;
  /** Record size above which to warn (default 450 bytes, RFC 7208 §3.4). */
  warnRecordBytes?: number;
}

/** Remedy texts the walk and the verdicts share. */
export const REMEDY = {
  fixRecord: 'Publish exactly one well-formed v=spf1 TXT record (RFC 7208 §4.5, §12).',
  flatten:
    'Stay within 10 DNS-querying terms (include, a, mx, ptr, exists, redirect) over the whole tree: replace a and mx by ip4/ip6, drop unused includes, or use a provider\'s smaller include.',
  void: 'Remove terms that point at names without records (each such "void lookup" counts; more than 2 is a permerror).',
  loop: 'Remove the include/redirect that points back at a record already on the path.',
  target: 'Point include:/redirect= only at names that publish a v=spf1 record, or remove the term.',
  all: 'End the record in -all (or ~all while migrating).',
} as const;
