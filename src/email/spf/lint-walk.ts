// The walk of an SPF include/redirect tree (the Linter class): lookup and void-lookup counting, the
// query and term budgets, and the per-term issues. lint.ts holds the rules it follows (counting,
// bounds, severities) and turns its totals into the policy-wide verdicts.
import type { LookupResult } from '../../net/dns/types.js';
import { addressRecords, mxRecords, normalizeDomain, safeQuery, txtRecords, type SpfDns, type SpfDnsType } from './dns.js';
import { isQueryableName, isValidSpfDomain } from './evaluate.js';
import { REMEDY, SPF_FINDINGS, type SpfIssue, type SpfLintOptions, type SpfTreeNode } from './lint-types.js';
import { finishDomain, hasMacros, parseMacroString, shorten } from './macro.js';
import { DEFAULT_MAX_TERMS, parseSpfRecord, selectSpfRecord, type Mechanism, type Modifier, type SpfRecord } from './parse.js';

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

export class Linter {
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
