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
//
// The vocabulary is in lint-types.ts and the tree walk in lint-walk.ts; every name stays importable
// from here.
import { normalizeDomain, txtRecords, type SpfDns } from './dns.js';
import { REMEDY, SPF_FINDINGS, type SpfLintOptions, type SpfLintResult, type SpfTreeNode } from './lint-types.js';
import { Linter } from './lint-walk.js';
import { parseSpfRecord } from './parse.js';

export { SPF_FINDINGS } from './lint-types.js';
export type { SpfIssue, SpfLintOptions, SpfLintResult, SpfStatus, SpfTreeNode } from './lint-types.js';

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
