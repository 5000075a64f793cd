// SPF lint: everything that can be said about a domain's SPF policy without a sender address.
// Walks the whole include/redirect tree through the injected DNS function, counts the RFC 7208
// §4.6.4 DNS-querying terms and void lookups over the tree, and reports findings-ready issues.
//
// Work is bounded whatever the zone holds: nesting depth, a budget of DNS queries (including those
// made past the RFC's 10-lookup limit to report the full count) and of terms walked, and the
// AbortSignal, checked before every term and query. The default budgets exceed what any policy
// within the §4.6.4 limits needs (root + 10 records of at most 512 terms; 2 + 10 × 21 queries for
// ten mx terms of ten MX names each), so running out of budget implies more than 10 lookups. An
// exhausted budget or the deadline makes the result `incomplete` with a reason naming it ("SPF
// include tree exceeds the lint budget of N DNS queries", "deadline reached …"); a DNS failure
// keeps the resolver's words (timeout, SERVFAIL …). Every parser the walk uses is linear.
//
// Counting (RFC 7208 §4.6.4, as check_host() would on the path that evaluates every term):
//  - include, a, mx, ptr, exists and an effective redirect= count 1 each, wherever they are in the
//    tree; ip4, ip6, all and exp= count 0. The address lookups of an mx term's MX names do not
//    count (only the mx term does; more than 10 MX names is a permerror of its own). checkdmarc
//    differs here: it also adds one per MX host and does not count ptr; we follow the RFC.
//  - mechanisms after "all" are never evaluated and are not counted; redirect= next to an
//    "all" is ignored (§6.1) and is not followed.
//  - a void lookup is an a target with neither A nor AAAA records (as checkdmarc counts it: a
//    host with only one family is not void for the senders of that family), an mx or exists
//    target with no MX / A records, NXDOMAIN included.
//  - terms whose domain holds %{…} macros depend on the sender: counted, not followed.
//
// Severities, modelled on checkdmarc (errors = its "valid: false" outcomes) and internet.nl
// (the "sufficiently strict" policy test accepts only ~all and -all):
//  - high: whatever makes receivers return permerror, so SPF is void and DMARC's SPF leg fails
//    for every message: several SPF records, a syntax error anywhere in the tree, more than 10
//    DNS-querying terms, more than 2 void lookups, an include/redirect loop, an include or
//    redirect target without an SPF record, an mx term with more than 10 MX names; and +all,
//    which authorises every host on the internet.
//  - medium: ?all or no all at all (the default result is neutral): not sufficiently strict per
//    internet.nl; no SPF record (as the existing email probe rates it); a TXT string over 255.
//  - low: checkdmarc's warnings: ptr (RFC 7208 §5.5 "SHOULD NOT"), the obsolete SPF RR type,
//    a record over 450 bytes (§3.4, UDP answer size), void lookups within the limit, MX hosts
//    without addresses, terms after "all", a redirect= ignored because of "all".
//  - info: ~all (accepted by internet.nl, but -all is stronger), macros that cannot be checked
//    offline, an include repeated in the tree, parts that could not be tested (DNS errors).
import type { Severity } from '../../model/constants.js';
import type { LookupResult } from '../../net/dns/types.js';
import { addressRecords, mxRecords, normalizeDomain, safeQuery, txtRecords, type SpfDns, type SpfDnsType } from './dns.js';
import { isQueryableName, isValidSpfDomain } from './evaluate.js';
import { finishDomain, hasMacros, parseMacroString, shorten } from './macro.js';
import { DEFAULT_MAX_TERMS, parseSpfRecord, selectSpfRecord, type Mechanism, type Modifier, type SpfRecord } from './parse.js';

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

const REMEDY = {
  fixRecord: 'Publish exactly one well-formed v=spf1 TXT record (RFC 7208 §4.5, §12).',
  flatten:
    'Stay within 10 DNS-querying terms (include, a, mx, ptr, exists, redirect) over the whole tree: replace a and mx by ip4/ip6, drop unused includes, or use a provider\'s smaller include.',
  void: 'Remove terms that point at names without records (each such "void lookup" counts; more than 2 is a permerror).',
  loop: 'Remove the include/redirect that points back at a record already on the path.',
  target: 'Point include:/redirect= only at names that publish a v=spf1 record, or remove the term.',
  all: 'End the record in -all (or ~all while migrating).',
} as const;

/** Issues of one id listed at most; the rest are counted in one email.spf.more-issues note. */
const MAX_ISSUES_PER_ID = 10;

class Budget {
  /** DNS queries made. */
  used = 0;
  /** Terms walked. */
  terms = 0;
  /** Why the walk stopped (budget or deadline), null while it may go on. */
  stopped: string | null = null;
  constructor(
    readonly maxQueries: number,
    readonly maxTerms: number,
    readonly signal?: AbortSignal,
  ) {}
}

interface FetchOk {
  kind: 'ok';
  text: string;
  strings: string[];
}
type Fetch =
  | FetchOk
  | { kind: 'missing'; reason: string }
  | { kind: 'multiple'; records: string[] }
  | { kind: 'error'; reason: string };

class Linter {
  lookups = 0;
  voids = 0;
  incomplete = false;
  incompleteReasons: string[] = [];
  private readonly reasonSet = new Set<string>();
  private readonly perId = new Map<string, number>();
  suppressed = 0;
  errors: string[] = [];
  warnings: string[] = [];
  issues: SpfIssue[] = [];
  firstOverLookup?: { term: string; domain: string };
  firstOverVoid?: { term: string; domain: string; name: string };
  macroNoted = false;
  includeSeen = new Map<string, number>();
  readonly o: Required<Omit<SpfLintOptions, 'signal'>>;
  readonly budget: Budget;

  constructor(
    readonly dns: SpfDns,
    opts: SpfLintOptions,
  ) {
    const maxLookups = opts.maxLookups ?? 10;
    const maxMxNames = opts.maxMxNames ?? 10;
    this.o = {
      maxDepth: opts.maxDepth ?? 10,
      maxQueries: opts.maxQueries ?? Math.max(250, 2 + maxLookups * (1 + 2 * maxMxNames)),
      maxTerms: opts.maxTerms ?? (maxLookups + 1) * DEFAULT_MAX_TERMS,
      maxLookups,
      maxVoidLookups: opts.maxVoidLookups ?? 2,
      maxMxNames,
      checkSpfRrType: opts.checkSpfRrType ?? true,
      warnRecordBytes: opts.warnRecordBytes ?? 450,
    };
    this.budget = new Budget(this.o.maxQueries, this.o.maxTerms, opts.signal);
  }

  issue(kind: 'error' | 'warning' | 'note', i: SpfIssue): void {
    // A hostile tree can repeat one problem thousands of times: list the first few of each kind.
    const seen = (this.perId.get(i.id) ?? 0) + 1;
    this.perId.set(i.id, seen);
    if (seen > MAX_ISSUES_PER_ID) {
      this.suppressed++;
      return;
    }
    this.issues.push(i);
    const text = i.domain ? `${i.domain}: ${i.message}` : i.message;
    if (kind === 'error') this.errors.push(text);
    else if (kind === 'warning') this.warnings.push(text);
  }

  markIncomplete(why: string): void {
    this.incomplete = true;
    if (this.reasonSet.has(why)) return;
    this.reasonSet.add(why);
    this.incompleteReasons.push(why);
  }

  /** The incomplete reasons for the result: what stopped the walk first, then up to 4 others. */
  reasonText(): string {
    const first = this.budget.stopped;
    const others = this.incompleteReasons.filter((r) => r !== first);
    const shown = [...(first !== null ? [first] : []), ...others.slice(0, 4)];
    const more = others.length - Math.min(others.length, 4);
    return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  }

  /** One note for the issues left out by the per-id cap (bypasses the cap itself). */
  noteSuppressed(domain: string): void {
    if (this.suppressed === 0) return;
    this.issues.push({
      id: SPF_FINDINGS.moreIssues,
      severity: 'info',
      title: 'More SPF issues of the same kinds',
      message: `${this.suppressed} further issues repeat kinds already listed (at most ${MAX_ISSUES_PER_ID} of each are shown).`,
      remediation: 'Fix the issues listed; the repeats have the same remedies.',
      domain,
    });
  }

  /** Stop the walk for good (budget or deadline): every later term and query is skipped. */
  stop(why: string): void {
    if (this.budget.stopped === null) this.budget.stopped = why;
    this.markIncomplete(this.budget.stopped);
  }

  private deadline(): string {
    return `deadline reached (the scan's time limit) after ${this.budget.used} DNS queries and ${this.budget.terms} terms`;
  }

  /** Whether the walk may go on; checks the deadline. */
  running(): boolean {
    if (this.budget.stopped !== null) return false;
    if (this.budget.signal?.aborted) {
      this.stop(this.deadline());
      return false;
    }
    return true;
  }

  /** One more term walked; false (and the walk stops) when the term budget or the deadline is reached. */
  step(): boolean {
    if (!this.running()) return false;
    if (this.budget.terms >= this.budget.maxTerms) {
      this.stop(`SPF include tree exceeds the lint budget of ${this.budget.maxTerms} terms`);
      return false;
    }
    this.budget.terms++;
    return true;
  }

  /** null when the budget or the deadline stopped the query (marked incomplete). */
  async q(name: string, type: SpfDnsType): Promise<LookupResult | null> {
    if (!this.running()) return null;
    if (this.budget.used >= this.budget.maxQueries) {
      this.stop(`SPF include tree exceeds the lint budget of ${this.budget.maxQueries} DNS queries`);
      return null;
    }
    this.budget.used++;
    const res = await safeQuery(this.dns, name, type, this.budget.signal);
    // "aborted" from the resolver is the deadline, not a DNS failure.
    if (res.status === 'error' && (this.budget.signal?.aborted || res.reason === 'aborted')) {
      this.stop(this.deadline());
      return null;
    }
    return res;
  }

  async fetch(domain: string): Promise<Fetch> {
    const res = await this.q(domain, 'TXT');
    if (res === null) return { kind: 'error', reason: this.budget.stopped ?? 'not queried' };
    if (res.status === 'error') return { kind: 'error', reason: `TXT lookup for ${domain} failed: ${res.reason}` };
    if (res.status === 'nxdomain') return { kind: 'missing', reason: `${domain} does not exist (NXDOMAIN)` };
    const txt = txtRecords(res);
    const sel = selectSpfRecord(txt.map((t) => t.text));
    if (sel.status === 'none') return { kind: 'missing', reason: `${domain} publishes no v=spf1 TXT record` };
    if (sel.status === 'multiple') return { kind: 'multiple', records: sel.records };
    const strings = txt.find((t) => t.text === sel.record)?.strings ?? [sel.record];
    return { kind: 'ok', text: sel.record, strings };
  }

  countLookup(node: SpfTreeNode, term: Mechanism | Modifier, domain: string): void {
    this.lookups++;
    node.lookups++;
    if (this.lookups === this.o.maxLookups + 1) this.firstOverLookup = { term: term.text, domain };
  }

  countVoid(node: SpfTreeNode, term: Mechanism, domain: string, name: string, what: string): void {
    this.voids++;
    node.voidLookups++;
    if (this.voids === this.o.maxVoidLookups + 1) this.firstOverVoid = { term: term.text, domain, name };
    this.issue('warning', {
      id: SPF_FINDINGS.voidLookup,
      severity: 'low',
      title: 'SPF term points at a name without records',
      message: `"${shorten(term.text)}" looks up ${shorten(name)}, which has ${what}: a void lookup that can never match (${this.voids} so far; more than ${this.o.maxVoidLookups} is a permerror).`,
      remediation: REMEDY.void,
      term: term.text,
      domain,
    });
  }

  noteMacro(term: string, domain: string): void {
    if (this.macroNoted) return;
    this.macroNoted = true;
    this.issue('note', {
      id: SPF_FINDINGS.macros,
      severity: 'info',
      title: 'SPF record uses macros',
      message: `"${term}" depends on the sender (RFC 7208 §7 macros), so its target cannot be checked without one; it is counted as one lookup and not followed.`,
      remediation: 'None needed if intended; macros make the policy harder to audit.',
      term,
      domain,
    });
  }

  /** A target name without macros (expanded %% %_ %- escapes, trailing dot dropped); null with macros. */
  staticTarget(spec: string | undefined, domain: string): string | null {
    if (spec === undefined) return domain;
    const p = parseMacroString(spec);
    if (!p.ok || hasMacros(p.items)) return null;
    return normalizeDomain(finishDomain(p.items.map((i) => (i.kind === 'literal' ? i.text : '')).join('')));
  }

  checkStrings(f: FetchOk, domain: string, root: boolean): void {
    f.strings.forEach((s, i) => {
      const bytes = Buffer.byteLength(s, 'latin1');
      if (bytes > 255) {
        this.issue('warning', {
          id: SPF_FINDINGS.stringTooLong,
          severity: 'medium',
          title: 'SPF TXT string longer than 255 bytes',
          message: `character-string #${i + 1} of the SPF record is ${bytes} bytes; a DNS TXT string holds at most 255 (RFC 7208 §3.3), so it cannot be served as published.`,
          remediation: 'Split the record into several quoted strings of at most 255 bytes each.',
          domain,
        });
      }
    });
    const total = Buffer.byteLength(f.text, 'latin1');
    if (root && total > this.o.warnRecordBytes) {
      this.issue('warning', {
        id: SPF_FINDINGS.recordTooLong,
        severity: 'low',
        title: 'SPF record is long',
        message: `the SPF record is ${total} bytes; RFC 7208 §3.4 advises keeping the answer small enough for a 512-byte UDP DNS reply (about 450 bytes of record), else receivers need TCP and some give up.`,
        remediation: 'Shorten the record: move address lists into an include, or drop unused terms.',
        domain,
      });
    }
  }

  async resolvesAddresses(name: string): Promise<'yes' | 'void' | 'error'> {
    if (!isQueryableName(name)) return 'void';
    const a = await this.q(name, 'A');
    if (a === null) return 'error';
    const aaaa = await this.q(name, 'AAAA');
    if (a === null || aaaa === null) return 'error';
    if (addressRecords(a, 'A').length || addressRecords(aaaa, 'AAAA').length) return 'yes';
    if (a.status === 'error' || aaaa.status === 'error') {
      this.markIncomplete(`could not resolve ${name}: ${a.status === 'error' ? a.reason : aaaa.status === 'error' ? aaaa.reason : ''}`);
      return 'error';
    }
    return 'void';
  }

  /** Follow include:/redirect= to `target`; returns the child node. */
  async follow(
    parent: SpfTreeNode,
    via: 'include' | 'redirect',
    term: Mechanism | Modifier,
    target: string,
    stack: string[],
    depth: number,
  ): Promise<SpfTreeNode> {
    const child: SpfTreeNode = { domain: target, via, term: term.text, status: 'found', record: null, lookups: 0, voidLookups: 0, children: [] };
    parent.children.push(child);
    if (stack.includes(target)) {
      child.status = 'loop';
      child.reason = `${[...stack, target].join(' → ')}`;
      this.issue('error', {
        id: via === 'include' ? 'email.spf.include-loop' : 'email.spf.redirect-loop',
        severity: 'high',
        title: `SPF ${via} loop`,
        message: `"${term.text}" leads back to a record already on the path (${child.reason}); evaluation runs into the lookup limit: permerror.`,
        remediation: REMEDY.loop,
        term: term.text,
        domain: parent.domain,
      });
      return child;
    }
    if (depth >= this.o.maxDepth) {
      child.status = 'not-followed';
      child.reason = `nesting deeper than ${this.o.maxDepth}`;
      this.markIncomplete(child.reason);
      return child;
    }
    if (!this.running()) {
      child.status = 'not-followed';
      child.reason = this.budget.stopped ?? 'not followed';
      return child;
    }
    // check_host() returns "none" for a malformed <domain> (§4.3), which include/redirect turn into permerror.
    const f: Fetch = isValidSpfDomain(target) ? await this.fetch(target) : { kind: 'missing', reason: `"${shorten(target)}" is not a valid domain name` };
    if (f.kind === 'error' && this.budget.stopped !== null) {
      child.status = 'not-followed';
      child.reason = this.budget.stopped;
      return child;
    }
    if (f.kind === 'error') {
      child.status = 'error';
      child.reason = f.reason;
      this.markIncomplete(f.reason);
      this.issue('warning', {
        id: SPF_FINDINGS.includeUntested,
        severity: 'info',
        title: `SPF ${via} target could not be checked`,
        message: `"${term.text}": ${f.reason}. Receivers hitting the same error return temperror; this part of the policy was not checked.`,
        remediation: 'Re-run the check; if it persists, check the DNS servers of that domain.',
        term: term.text,
        domain: parent.domain,
      });
      return child;
    }
    if (f.kind === 'missing') {
      child.status = 'missing';
      child.reason = f.reason;
      this.issue('error', {
        id: via === 'include' ? 'email.spf.include-no-record' : 'email.spf.redirect-no-record',
        severity: 'high',
        title: `SPF ${via} target has no SPF record`,
        message: `"${term.text}": ${f.reason}; receivers return permerror when they reach this term (RFC 7208 §5.2, §6.1).`,
        remediation: REMEDY.target,
        term: term.text,
        domain: parent.domain,
      });
      return child;
    }
    if (f.kind === 'multiple') {
      child.status = 'multiple';
      child.reason = `${f.records.length} v=spf1 records`;
      this.issue('error', {
        id: SPF_FINDINGS.multiple,
        severity: 'high',
        title: 'More than one SPF record',
        message: `${target} (reached by "${term.text}") publishes ${f.records.length} v=spf1 records: permerror (RFC 7208 §4.5).`,
        remediation: REMEDY.fixRecord,
        term: term.text,
        domain: target,
      });
      return child;
    }
    child.record = f.text;
    this.checkStrings(f, target, false);
    const parsed = parseSpfRecord(f.text);
    if (!parsed.ok) {
      child.status = 'invalid';
      child.reason = parsed.error;
      this.issue('error', {
        id: SPF_FINDINGS.invalid,
        severity: 'high',
        title: 'SPF record has a syntax error',
        message: `the record of ${target} (reached by "${term.text}") has a syntax error: ${parsed.error}; receivers return permerror.`,
        remediation: REMEDY.fixRecord,
        term: parsed.term,
        domain: target,
      });
      return child;
    }
    await this.walk(child, parsed.record, target, [...stack, target], depth + 1);
    return child;
  }

  /** Walk one parsed record in evaluation order; returns the effective all of this branch. */
  async walk(node: SpfTreeNode, record: SpfRecord, domain: string, stack: string[], depth: number): Promise<string | null> {
    let all: string | null = null;
    let afterAllNoted = false;
    for (const m of record.mechanisms) {
      if (!this.step()) return (node.effectiveAll = null);
      if (all !== null) {
        if (!afterAllNoted) {
          afterAllNoted = true;
          this.issue('warning', {
            id: SPF_FINDINGS.termsAfterAll,
            severity: 'low',
            title: 'SPF terms after "all" are never evaluated',
            message: `"${m.text}" comes after "${all}" and is never evaluated.`,
            remediation: 'Move the term before "all" or remove it.',
            term: m.text,
            domain,
          });
        }
        continue;
      }
      await this.mechanism(node, m, domain, stack, depth);
      if (m.kind === 'all') all = `${m.qualifier}all`;
    }
    const redirect = record.redirect;
    if (redirect && all !== null) {
      this.issue('warning', {
        id: SPF_FINDINGS.redirectIgnored,
        severity: 'low',
        title: 'SPF redirect= is ignored',
        message: `"${redirect.text}" is ignored because the record has "${all}" (RFC 7208 §6.1).`,
        remediation: 'Remove either the redirect= or the all mechanism.',
        term: redirect.text,
        domain,
      });
    }
    if (redirect && all === null) {
      if (!this.step()) return (node.effectiveAll = null);
      this.countLookup(node, redirect, domain);
      const target = this.staticTarget(redirect.value, domain);
      if (target === null) {
        this.noteMacro(redirect.text, domain);
        return null;
      }
      const child = await this.follow(node, 'redirect', redirect, target, stack, depth);
      node.effectiveAll = child.status === 'found' ? (child.effectiveAll ?? null) : null;
      return node.effectiveAll;
    }
    node.effectiveAll = all;
    return all;
  }

  async mechanism(node: SpfTreeNode, m: Mechanism, domain: string, stack: string[], depth: number): Promise<void> {
    switch (m.kind) {
      case 'all':
      case 'ip4':
      case 'ip6':
        return;
      case 'ptr':
        this.countLookup(node, m, domain);
        this.issue('warning', {
          id: SPF_FINDINGS.ptr,
          severity: 'low',
          title: 'SPF record uses the ptr mechanism',
          message: `"${m.text}": ptr is slow, unreliable and SHOULD NOT be used (RFC 7208 §5.5); some receivers skip it.`,
          remediation: 'Replace ptr with ip4/ip6, a or include terms.',
          term: m.text,
          domain,
        });
        return;
      case 'include': {
        this.countLookup(node, m, domain);
        const target = this.staticTarget(m.domainSpec, domain);
        if (target === null) return this.noteMacro(m.text, domain);
        const seen = (this.includeSeen.get(target) ?? 0) + 1;
        this.includeSeen.set(target, seen);
        if (seen === 2) {
          this.issue('note', {
            id: SPF_FINDINGS.duplicateInclude,
            severity: 'info',
            title: 'SPF include repeated',
            message: `${target} is included more than once in the tree; each costs its lookups again.`,
            remediation: 'Include each provider once.',
            term: m.text,
            domain,
          });
        }
        await this.follow(node, 'include', m, target, stack, depth);
        return;
      }
      case 'a': {
        this.countLookup(node, m, domain);
        const target = this.staticTarget(m.domainSpec, domain);
        if (target === null) return this.noteMacro(m.text, domain);
        const r = await this.resolvesAddresses(target);
        if (r === 'void') this.countVoid(node, m, domain, target, 'no A or AAAA records');
        return;
      }
      case 'exists': {
        this.countLookup(node, m, domain);
        const target = this.staticTarget(m.domainSpec, domain);
        if (target === null) return this.noteMacro(m.text, domain);
        if (!isQueryableName(target)) return this.countVoid(node, m, domain, target, 'a name no DNS query can ask for');
        const res = await this.q(target, 'A');
        if (res === null) return;
        if (res.status === 'error') return this.markIncomplete(`A lookup for ${target} failed: ${res.reason}`);
        if (addressRecords(res, 'A').length === 0) this.countVoid(node, m, domain, target, 'no A record');
        return;
      }
      case 'mx': {
        this.countLookup(node, m, domain);
        const target = this.staticTarget(m.domainSpec, domain);
        if (target === null) return this.noteMacro(m.text, domain);
        if (!isQueryableName(target)) return this.countVoid(node, m, domain, target, 'a name no DNS query can ask for');
        const res = await this.q(target, 'MX');
        if (res === null) return;
        if (res.status === 'error') return this.markIncomplete(`MX lookup for ${target} failed: ${res.reason}`);
        const mx = mxRecords(res).filter((r) => r.exchange !== '.' && r.exchange !== '');
        if (mxRecords(res).length === 0) return this.countVoid(node, m, domain, target, 'no MX records');
        if (mx.length > this.o.maxMxNames) {
          this.issue('error', {
            id: SPF_FINDINGS.tooManyMx,
            severity: 'high',
            title: 'SPF mx term has more than 10 MX names',
            message: `"${m.text}": ${target} has ${mx.length} MX names; more than ${this.o.maxMxNames} is a permerror (RFC 7208 §4.6.4).`,
            remediation: 'Use ip4/ip6 terms for the mail servers instead of mx.',
            term: m.text,
            domain,
          });
          return;
        }
        for (const { exchange } of mx) {
          const r = await this.resolvesAddresses(exchange);
          if (r === 'void') {
            this.issue('warning', {
              id: SPF_FINDINGS.mxWithoutAddress,
              severity: 'low',
              title: 'MX host without addresses',
              message: `"${m.text}": the MX host ${exchange} has no A or AAAA records, so it can never match.`,
              remediation: 'Fix the MX host\'s address records or the MX records.',
              term: m.text,
              domain,
            });
          }
        }
        return;
      }
    }
  }
}

/** Lint the SPF policy of `domain`. Never throws; a DNS failure at the top is status 'error'. */
export async function lintSpf(domain: string, dns: SpfDns, opts: SpfLintOptions = {}): Promise<SpfLintResult> {
  const name = normalizeDomain(domain);
  const L = new Linter(dns, opts);
  const base = { record: null, lookups: null, voidLookups: null, all: null, effectiveAll: null, spfRrType: null as boolean | null };
  const finish = (r: Omit<SpfLintResult, 'errors' | 'warnings' | 'issues' | 'incomplete'>): SpfLintResult => ({
    ...r,
    errors: L.errors,
    warnings: L.warnings,
    issues: L.issues,
    incomplete: L.incomplete,
    work: { queries: L.budget.used, terms: L.budget.terms },
  });

  const top = await L.fetch(name);
  if (L.o.checkSpfRrType && top.kind !== 'error') {
    const rr = await L.q(name, 'SPF');
    if (rr !== null && rr.status !== 'error') base.spfRrType = txtRecords(rr).length > 0;
    if (base.spfRrType) {
      L.issue('warning', {
        id: SPF_FINDINGS.spfRrType,
        severity: 'low',
        title: 'Obsolete SPF (type 99) record published',
        message: 'an SPF resource record (type 99) is published; RFC 7208 §3.1 and §14.1 removed it, receivers only read TXT.',
        remediation: 'Delete the type-99 SPF record and keep the TXT record.',
        domain: name,
      });
    }
  }

  if (top.kind === 'error') {
    L.issue('note', {
      id: SPF_FINDINGS.untested,
      severity: 'info',
      title: 'SPF could not be tested',
      message: `No verdict: ${top.reason}.`,
      remediation: 'Re-run the scan; if this persists, check the domain\'s DNS servers.',
      domain: name,
    });
    return finish({ ...base, status: 'error', reason: top.reason });
  }
  if (top.kind === 'missing') {
    L.issue('note', {
      id: SPF_FINDINGS.missing,
      severity: 'medium',
      title: 'No SPF record',
      message: `${top.reason}: any host can send mail in the domain's name without SPF saying otherwise.`,
      remediation: 'Publish an SPF record listing your senders and ending in -all; a domain that sends no mail publishes "v=spf1 -all".',
      domain: name,
    });
    return finish({ ...base, status: 'missing', reason: top.reason });
  }
  if (top.kind === 'multiple') {
    L.issue('error', {
      id: SPF_FINDINGS.multiple,
      severity: 'high',
      title: 'More than one SPF record',
      message: `${top.records.length} v=spf1 TXT records are published: receivers return permerror and ignore SPF (RFC 7208 §4.5).`,
      remediation: REMEDY.fixRecord,
      domain: name,
    });
    return finish({ ...base, status: 'multiple', record: top.records.join(' | ') });
  }

  const tree: SpfTreeNode = { domain: name, via: 'root', status: 'found', record: top.text, lookups: 0, voidLookups: 0, children: [] };
  L.checkStrings(top, name, true);
  const parsed = parseSpfRecord(top.text);
  if (!parsed.ok) {
    tree.status = 'invalid';
    tree.reason = parsed.error;
    L.issue('error', {
      id: SPF_FINDINGS.invalid,
      severity: 'high',
      title: 'SPF record has a syntax error',
      message: `${parsed.error}; receivers return permerror whatever the sender.`,
      remediation: REMEDY.fixRecord,
      term: parsed.term,
      domain: name,
    });
    return finish({ ...base, status: 'invalid', record: top.text, tree });
  }

  const rec = parsed.record;
  const allMech = rec.mechanisms.find((m) => m.kind === 'all');
  const all = allMech ? `${allMech.qualifier}all` : rec.redirect ? `redirect=${rec.redirect.value}` : null;
  const effectiveAll = await L.walk(tree, rec, name, [name], 0);

  if (L.lookups > L.o.maxLookups) {
    const at = L.firstOverLookup;
    L.issue('error', {
      id: SPF_FINDINGS.tooManyLookups,
      severity: 'high',
      title: 'SPF needs more than 10 DNS lookups',
      message: `the policy needs ${L.lookups} DNS-querying terms over its include/redirect tree; more than ${L.o.maxLookups} is a permerror (RFC 7208 §4.6.4)${at ? `, first exceeded at "${at.term}" in ${at.domain}` : ''}.`,
      remediation: REMEDY.flatten,
      term: at?.term,
      domain: at?.domain,
    });
  }
  if (L.voids > L.o.maxVoidLookups) {
    const at = L.firstOverVoid;
    L.issue('error', {
      id: SPF_FINDINGS.tooManyVoidLookups,
      severity: 'high',
      title: 'SPF has more than 2 void lookups',
      message: `${L.voids} terms look up names without records; more than ${L.o.maxVoidLookups} is a permerror (RFC 7208 §4.6.4)${at ? `, first exceeded at "${at.term}" (${at.name})` : ''}.`,
      remediation: REMEDY.void,
      term: at?.term,
      domain: at?.domain,
    });
  }

  const policyDomain = name;
  if (effectiveAll === '+all') {
    L.issue('warning', {
      id: SPF_FINDINGS.permissiveAll,
      severity: 'high',
      title: 'SPF ends in +all',
      message: '+all lets every host on the internet pass SPF for this domain.',
      remediation: REMEDY.all,
      term: '+all',
      domain: policyDomain,
    });
  } else if (effectiveAll === '?all') {
    L.issue('warning', {
      id: SPF_FINDINGS.permissiveAll,
      severity: 'medium',
      title: 'SPF ends in ?all',
      message: '?all makes every unlisted host "neutral": the policy does not say which hosts may not send.',
      remediation: REMEDY.all,
      term: '?all',
      domain: policyDomain,
    });
  } else if (effectiveAll === '~all') {
    L.issue('note', {
      id: SPF_FINDINGS.softfailAll,
      severity: 'info',
      title: 'SPF ends in ~all',
      message: '~all marks unlisted hosts "softfail"; -all states the policy fully.',
      remediation: 'Move to -all once every sender is listed.',
      term: '~all',
      domain: policyDomain,
    });
  } else if (effectiveAll === null && !L.incomplete && !L.macroNoted) {
    L.issue('warning', {
      id: SPF_FINDINGS.noAll,
      severity: 'medium',
      title: 'SPF record has no all mechanism',
      message: 'without "all" (or a redirect= to a record with one) unlisted hosts get the default result neutral (RFC 7208 §4.7).',
      remediation: REMEDY.all,
      domain: policyDomain,
    });
  }

  if (L.budget.stopped !== null) {
    L.issue('note', {
      id: SPF_FINDINGS.incomplete,
      severity: 'info',
      title: 'SPF policy only partly checked',
      message: `${L.budget.stopped}; the rest of the tree was not checked, so the lookup counts are lower bounds.`,
      remediation: L.budget.stopped.startsWith('deadline')
        ? 'Re-run the scan with a longer --timeout.'
        : 'Flatten the SPF include tree: a policy receivers can evaluate needs at most 10 DNS lookups.',
      domain: name,
    });
  }
  L.noteSuppressed(name);
  const reason = L.incomplete ? `partly tested: ${L.reasonText()}` : undefined;
  return finish({
    ...base,
    status: L.errors.length ? 'invalid' : 'found',
    ...(reason ? { reason } : {}),
    record: top.text,
    lookups: L.lookups,
    voidLookups: L.voids,
    all,
    effectiveAll,
    tree,
  });
}

/** The lint result's fields that make the Contract's email.spf object (DESIGN.md). */
export type ContractSpf = Pick<SpfLintResult, 'status' | 'reason' | 'record' | 'lookups' | 'voidLookups' | 'all' | 'errors'>;

/** Exactly the Contract's email.spf object, from a lint result. */
export function toContractSpf(r: SpfLintResult): ContractSpf {
  return {
    status: r.status,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    record: r.record,
    lookups: r.lookups,
    voidLookups: r.voidLookups,
    all: r.all,
    errors: [...r.errors],
  };
}
