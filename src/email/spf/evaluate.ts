// check_host() (RFC 7208 §4-§6): the SPF verdict for one client address, sender and HELO name.
//
// Limits (§4.6.4), all shared by the whole evaluation including include/redirect recursion:
//  - at most 10 terms that cause DNS queries (include, a, mx, ptr, exists, redirect); the 11th is
//    a permerror before its query is sent. The first TXT lookup and exp= do not count.
//  - at most 2 "void lookups" (NOERROR with no answer, or NXDOMAIN) by those terms; the third is
//    a permerror at once. exp= never counts.
//  - an mx term with more than 10 MX names is a permerror; a ptr term (and %{p}) validates only
//    the first 10 PTR names, the rest are ignored.
// DNS failures (timeout, SERVFAIL …) are temperror with the reason, except where §5.5 says a
// failed PTR or address lookup during ptr validation is a non-match. A safety budget on the
// total number of queries and of terms evaluated, and the AbortSignal (checked before every term
// and query), bound the work; exhausting one is a temperror whose reason names it ("exceeds the
// evaluation budget of N …", "deadline reached …"), never a DNS failure. Both budgets are above
// what any evaluation within the §4.6.4 limits can use, so they only stop hostile trees.
import { addressBytes, cidrMatch, reverseName, sameAddress, toClientIp, type IpAddress } from './ip.js';
import { expandDomainSpec, expandExplanation, MAX_SPF_TEXT, shorten, type MacroContext } from './macro.js';
import { DEFAULT_MAX_TERMS, parseSpfRecord, selectSpfRecord, type Mechanism, type Modifier, type SpfTerm } from './parse.js';
import { addressRecords, mxRecords, normalizeDomain, ptrRecords, safeQuery, txtRecords, type SpfDns, type SpfDnsType } from './dns.js';
import type { LookupResult } from '../../net/dns/types.js';

export type SpfResultCode = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface CheckHostInput {
  /** The SMTP client address (IPv4, IPv6; IPv4-mapped IPv6 is treated as IPv4). */
  ip: string;
  /** MAIL FROM; empty or missing means the HELO identity: postmaster@<helo> (§2.4). */
  sender?: string;
  /** HELO/EHLO name (the h macro). */
  helo?: string;
  /** The <domain> to check; defaults to the sender's domain. */
  domain?: string;
}

export interface CheckHostOptions {
  /** §4.6.4 term limit (default 10). */
  maxDnsMechanisms?: number;
  /** §4.6.4 void-lookup limit (default 2). */
  maxVoidLookups?: number;
  /** MX names per mx term / PTR names per ptr validation (default 10). */
  maxNamesPerLookup?: number;
  /** Safety budget on queries of one evaluation (default 250); beyond it: temperror. */
  maxQueries?: number;
  /**
   * Safety budget on terms evaluated over the whole tree (default (maxDnsMechanisms + 1) × 512:
   * every term of the 11 records a policy within the limits can reach); beyond it: temperror.
   */
  maxTerms?: number;
  signal?: AbortSignal;
  /** Explanation used for a fail when exp= is absent or unusable (§6.2). */
  defaultExplanation?: string;
  /** The r macro (receiving host); "unknown" when absent. */
  receiver?: string;
  /** The t macro, seconds since the epoch; now when absent. */
  timestamp?: number;
}

export interface CheckHostResult {
  result: SpfResultCode;
  /** For fail: the exp= text, else `defaultExplanation`. */
  explanation?: string;
  /** The term that decided (e.g. "-all", "include:_spf.example.com"); absent for the default result. */
  mechanism?: string;
  /** The domain whose record decided (differs from the checked domain after redirect=). */
  domain: string;
  /** Why: for none, permerror and temperror. */
  reason?: string;
  /** The checked domain's SPF record, when one was selected. */
  record?: string;
  lookups: number;
  voidLookups: number;
  queries: number;
}

class SpfStop extends Error {
  constructor(
    readonly result: 'permerror' | 'temperror',
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface State {
  dns: SpfDns;
  ip: IpAddress;
  sender: string;
  localPart: string;
  senderDomain: string;
  helo: string;
  opts: Required<Pick<CheckHostOptions, 'maxDnsMechanisms' | 'maxVoidLookups' | 'maxNamesPerLookup' | 'maxQueries' | 'maxTerms'>> & CheckHostOptions;
  lookups: number;
  voids: number;
  queries: number;
  terms: number;
  ptrNames?: Promise<{ names: string[]; void: boolean }>;
}

interface Outcome {
  result: SpfResultCode;
  domain: string;
  mechanism?: string;
  reason?: string;
  record?: string;
  exp?: { modifier: Modifier; domain: string };
}

const MAX_LOCAL_PART = 64;
const MAX_SMTP_DOMAIN = 255;

const QUALIFIER_RESULT = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' } as const;
const MAX_DEPTH = 32;

/**
 * §4.3: a <domain> that is malformed (empty or > 63-octet label, > 253 octets), not multi-label,
 * a domain literal or an IP address makes check_host() return "none".
 */
export function isValidSpfDomain(name: string): boolean {
  const d = name.endsWith('.') ? name.slice(0, -1) : name;
  if (d.length === 0 || d.length > 253) return false;
  const labels = d.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (!/^[\x21-\x7e]+$/.test(label) || /[[\]]/.test(label)) return false;
  }
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}

/** A name a DNS query can be built from: labels of 1-63 octets, ≤ 253 octets. */
export function isQueryableName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= 63);
}

function deadline(state: State, before: string): SpfStop {
  return new SpfStop('temperror', `deadline reached (the scan's time limit) after ${state.queries} DNS queries and ${state.terms} terms, before ${before}`);
}

async function query(state: State, name: string, type: SpfDnsType): Promise<LookupResult> {
  if (state.opts.signal?.aborted) throw deadline(state, `the ${type} lookup for ${name}`);
  state.queries++;
  if (state.queries > state.opts.maxQueries) {
    throw new SpfStop('temperror', `SPF include tree exceeds the evaluation budget of ${state.opts.maxQueries} DNS queries`);
  }
  const res = await safeQuery(state.dns, name, type, state.opts.signal);
  // A query cut short by the deadline says "aborted": that is the deadline, not the DNS.
  if (res.status === 'error' && (state.opts.signal?.aborted || res.reason === 'aborted')) throw deadline(state, `the ${type} lookup for ${name} completed`);
  return res;
}

/** One more term evaluated: within the term budget and the deadline, else temperror. */
function countTerm(state: State, term: SpfTerm): void {
  if (state.opts.signal?.aborted) throw deadline(state, `"${shorten(term.text)}" was evaluated`);
  state.terms++;
  if (state.terms > state.opts.maxTerms) {
    throw new SpfStop('temperror', `SPF include tree exceeds the evaluation budget of ${state.opts.maxTerms} terms`);
  }
}

function countLookup(state: State, term: SpfTerm): void {
  state.lookups++;
  if (state.lookups > state.opts.maxDnsMechanisms) {
    throw new SpfStop(
      'permerror',
      `more than ${state.opts.maxDnsMechanisms} DNS-querying terms (limit reached at "${term.text}", RFC 7208 §4.6.4)`,
    );
  }
}

function countVoid(state: State, term: SpfTerm, name: string): void {
  state.voids++;
  if (state.voids > state.opts.maxVoidLookups) {
    throw new SpfStop(
      'permerror',
      `more than ${state.opts.maxVoidLookups} void lookups (the last for ${name} by "${term.text}", RFC 7208 §4.6.4)`,
    );
  }
}

function isVoid(result: LookupResult, hasAnswer: boolean): boolean {
  return result.status === 'nxdomain' || result.status === 'nodata' || (result.status === 'ok' && !hasAnswer);
}

/** The resolver's own words say which failure it was: "timeout: no UDP response …", "… answered SERVFAIL …". */
function dnsFailure(result: LookupResult, name: string, type: string): SpfStop {
  const why = result.status === 'error' ? result.reason : result.status;
  return new SpfStop('temperror', `DNS ${type} lookup for ${name} failed: ${why}`);
}

function macroContext(state: State, domain: string): MacroContext {
  return {
    sender: state.sender,
    localPart: state.localPart,
    senderDomain: state.senderDomain,
    domain,
    ip: state.ip,
    helo: state.helo,
    receiver: state.opts.receiver,
    timestamp: state.opts.timestamp,
    validatedName: (d) => validatedName(state, d),
  };
}

/**
 * §5.5 "validated domain names" of the client address: the first N PTR names whose forward
 * lookup contains the address. A failed PTR lookup gives none; a failed forward lookup skips
 * that name. Cached for the evaluation.
 */
function validatedNames(state: State): Promise<{ names: string[]; void: boolean }> {
  state.ptrNames ??= (async () => {
    const ptr = await query(state, reverseName(state.ip), 'PTR');
    const names = ptrRecords(ptr);
    if (ptr.status !== 'ok' || names.length === 0) return { names: [], void: ptr.status !== 'error' };
    const type = state.ip.family === 4 ? 'A' : 'AAAA';
    const out: string[] = [];
    for (const name of names.slice(0, state.opts.maxNamesPerLookup)) {
      if (!isQueryableName(normalizeDomain(name))) continue;
      const fwd = await query(state, name, type);
      if (fwd.status !== 'ok') continue;
      if (addressRecords(fwd, type).some((a) => sameBytes(a, state.ip.bytes))) out.push(normalizeDomain(name));
    }
    return { names: out, void: false };
  })();
  return state.ptrNames;
}

function sameBytes(text: string, bytes: Uint8Array): boolean {
  const b = addressBytes(text);
  return b !== null && sameAddress(b, bytes);
}

function isSubdomainOrSelf(name: string, domain: string): boolean {
  const n = normalizeDomain(name);
  const d = normalizeDomain(domain);
  return n === d || n.endsWith(`.${d}`);
}

/** The p macro (§7.3): the domain itself if validated, else a validated subdomain, else any, else "unknown". */
async function validatedName(state: State, domain: string): Promise<string> {
  let names: string[];
  try {
    names = (await validatedNames(state)).names;
  } catch (err) {
    if (err instanceof SpfStop) throw err;
    return 'unknown';
  }
  const d = normalizeDomain(domain);
  return names.find((n) => n === d) ?? names.find((n) => n.endsWith(`.${d}`)) ?? names[0] ?? 'unknown';
}

async function targetOf(state: State, mech: Mechanism, domain: string): Promise<string> {
  if (mech.domainSpec === undefined) return domain;
  return expandDomainSpec(mech.domainSpec, macroContext(state, domain));
}

async function matchAddresses(state: State, mech: Mechanism, name: string, countVoids: boolean): Promise<boolean> {
  const type = state.ip.family === 4 ? 'A' : 'AAAA';
  if (!isQueryableName(name)) {
    if (countVoids) countVoid(state, mech, name);
    return false;
  }
  const res = await query(state, name, type);
  if (res.status === 'error') throw dnsFailure(res, name, type);
  const addrs = addressRecords(res, type);
  if (isVoid(res, addrs.length > 0)) {
    if (countVoids) countVoid(state, mech, name);
    return false;
  }
  const bits = state.ip.family === 4 ? (mech.cidr4 ?? 32) : (mech.cidr6 ?? 128);
  return addrs.some((a) => {
    const b = addressBytes(a);
    return b !== null && cidrMatch(b, state.ip.bytes, bits);
  });
}

async function matchMechanism(state: State, mech: Mechanism, domain: string, depth: number): Promise<boolean> {
  switch (mech.kind) {
    case 'all':
      return true;
    case 'ip4':
      return state.ip.family === 4 && !!mech.networkBytes && cidrMatch(mech.networkBytes, state.ip.bytes, mech.cidr4 ?? 32);
    case 'ip6':
      return state.ip.family === 6 && !!mech.networkBytes && cidrMatch(mech.networkBytes, state.ip.bytes, mech.cidr6 ?? 128);
    case 'a': {
      countLookup(state, mech);
      const target = await targetOf(state, mech, domain);
      return matchAddresses(state, mech, target, true);
    }
    case 'mx': {
      countLookup(state, mech);
      const target = await targetOf(state, mech, domain);
      if (!isQueryableName(target)) {
        countVoid(state, mech, target);
        return false;
      }
      const res = await query(state, target, 'MX');
      if (res.status === 'error') throw dnsFailure(res, target, 'MX');
      const mx = mxRecords(res);
      if (isVoid(res, mx.length > 0)) {
        countVoid(state, mech, target);
        return false;
      }
      if (mx.length > state.opts.maxNamesPerLookup) {
        throw new SpfStop(
          'permerror',
          `"${mech.text}": ${target} has ${mx.length} MX names, more than ${state.opts.maxNamesPerLookup} (RFC 7208 §4.6.4)`,
        );
      }
      for (const { exchange } of [...mx].sort((a, b) => a.preference - b.preference)) {
        const host = normalizeDomain(exchange);
        if (host === '.' || host === '') continue; // null MX (RFC 7505)
        if (await matchAddresses(state, mech, host, false)) return true;
      }
      return false;
    }
    case 'ptr': {
      countLookup(state, mech);
      const target = await targetOf(state, mech, domain);
      const validated = await validatedNames(state);
      if (validated.void) countVoid(state, mech, reverseName(state.ip));
      return validated.names.some((n) => isSubdomainOrSelf(n, target));
    }
    case 'exists': {
      countLookup(state, mech);
      const target = await targetOf(state, mech, domain);
      if (!isQueryableName(target)) {
        countVoid(state, mech, target);
        return false;
      }
      const res = await query(state, target, 'A');
      if (res.status === 'error') throw dnsFailure(res, target, 'A');
      const found = addressRecords(res, 'A').length > 0;
      if (isVoid(res, found)) countVoid(state, mech, target);
      return found;
    }
    case 'include': {
      countLookup(state, mech);
      const target = await targetOf(state, mech, domain);
      const inner = await checkHostInner(state, target, depth + 1);
      // §5.2: pass → match; fail, softfail, neutral → no match; temperror/permerror propagate
      // (thrown); none → permerror.
      if (inner.result === 'none') {
        throw new SpfStop('permerror', `"${mech.text}": ${inner.reason ?? `${target} has no SPF record`}`);
      }
      return inner.result === 'pass';
    }
  }
}

async function checkHostInner(state: State, domain: string, depth: number): Promise<Outcome> {
  if (depth > MAX_DEPTH) throw new SpfStop('permerror', `include/redirect nesting deeper than ${MAX_DEPTH}`);
  if (!isValidSpfDomain(domain)) return { result: 'none', domain, reason: `"${domain}" is not a valid domain name` };
  const txt = await query(state, domain, 'TXT');
  if (txt.status === 'error') throw dnsFailure(txt, domain, 'TXT');
  if (txt.status === 'nxdomain') return { result: 'none', domain, reason: `${domain} does not exist (NXDOMAIN)` };
  const selection = selectSpfRecord(txtRecords(txt).map((r) => r.text));
  if (selection.status === 'none') return { result: 'none', domain, reason: `${domain} publishes no SPF record` };
  if (selection.status === 'multiple') {
    throw new SpfStop('permerror', `${domain} publishes ${selection.records.length} SPF records (RFC 7208 §4.5)`);
  }
  const parsed = parseSpfRecord(selection.record);
  if (!parsed.ok) throw new SpfStop('permerror', `${domain}: syntax error: ${parsed.error}`);
  const record = parsed.record;

  for (const mech of record.mechanisms) {
    countTerm(state, mech);
    if (await matchMechanism(state, mech, domain, depth)) {
      const result = QUALIFIER_RESULT[mech.qualifier];
      return {
        result,
        domain,
        mechanism: mech.text,
        record: record.text,
        exp: result === 'fail' && record.exp ? { modifier: record.exp, domain } : undefined,
      };
    }
  }
  if (record.redirect) {
    // §6.1: only when no mechanism matched (an "all" would have); counts as a DNS term.
    const redirect = record.redirect;
    countTerm(state, redirect);
    countLookup(state, redirect);
    const target = await expandDomainSpec(redirect.value, macroContext(state, domain));
    const inner = await checkHostInner(state, target, depth + 1);
    if (inner.result === 'none') {
      throw new SpfStop('permerror', `"${redirect.text}": ${inner.reason ?? `${target} has no SPF record`}`);
    }
    return { ...inner, record: record.text };
  }
  return { result: 'neutral', domain, record: record.text };
}

/** §6.2: fetch and expand exp= text; null when anything is wrong (then the default applies). */
async function explanation(state: State, exp: { modifier: Modifier; domain: string }): Promise<string | null> {
  try {
    const ctx = macroContext(state, exp.domain);
    const target = await expandDomainSpec(exp.modifier.value, ctx);
    if (!isQueryableName(target)) return null;
    const res = await query(state, target, 'TXT');
    const txt = txtRecords(res);
    if (res.status !== 'ok' || txt.length !== 1) return null;
    const text = txt[0]?.text ?? '';
    if (text.length > MAX_SPF_TEXT || !/^[\x20-\x7e]*$/.test(text)) return null;
    return await expandExplanation(text, ctx);
  } catch {
    return null;
  }
}

/** check_host(<ip>, <domain>, <sender>) per RFC 7208. Never throws for DNS or record problems. */
export async function checkHost(input: CheckHostInput, dns: SpfDns, opts: CheckHostOptions = {}): Promise<CheckHostResult> {
  const ip = toClientIp(input.ip);
  if (!ip) throw new TypeError(`checkHost: "${input.ip}" is not an IP address`);
  const helo = input.helo ?? '';
  let sender = input.sender ?? '';
  if (sender === '') sender = `postmaster@${helo}`;
  const at = sender.lastIndexOf('@');
  const localPart = (at < 0 ? '' : sender.slice(0, at)) || 'postmaster';
  const senderDomain = at < 0 ? sender : sender.slice(at + 1);
  const domain = input.domain ?? senderDomain;
  // SMTP cannot carry more (RFC 5321 §4.5.3.1: local-part 64, domain 255 octets); bounding the
  // macro values bounds every expansion.
  const tooLong =
    localPart.length > MAX_LOCAL_PART ? `the sender's local-part is ${localPart.length} characters long (SMTP allows ${MAX_LOCAL_PART}, RFC 5321 §4.5.3.1.1)`
    : senderDomain.length > MAX_SMTP_DOMAIN ? `the sender's domain is ${senderDomain.length} characters long (SMTP allows ${MAX_SMTP_DOMAIN}, RFC 5321 §4.5.3.1.2)`
    : helo.length > MAX_SMTP_DOMAIN ? `the HELO name is ${helo.length} characters long (SMTP allows ${MAX_SMTP_DOMAIN}, RFC 5321 §4.5.3.1.2)`
    : domain.length > MAX_SMTP_DOMAIN ? `the domain is ${domain.length} characters long (at most ${MAX_SMTP_DOMAIN})`
    : null;
  if (tooLong) return { result: 'none', domain: shorten(domain), reason: tooLong, lookups: 0, voidLookups: 0, queries: 0 };
  const state: State = {
    dns,
    ip,
    sender: `${localPart}@${senderDomain}`,
    localPart,
    senderDomain,
    helo,
    opts: {
      ...opts,
      maxDnsMechanisms: opts.maxDnsMechanisms ?? 10,
      maxVoidLookups: opts.maxVoidLookups ?? 2,
      maxNamesPerLookup: opts.maxNamesPerLookup ?? 10,
      maxQueries: opts.maxQueries ?? 250,
      maxTerms: opts.maxTerms ?? ((opts.maxDnsMechanisms ?? 10) + 1) * DEFAULT_MAX_TERMS,
    },
    lookups: 0,
    voids: 0,
    queries: 0,
    terms: 0,
  };
  const counters = () => ({ lookups: state.lookups, voidLookups: state.voids, queries: state.queries });
  let outcome: Outcome;
  try {
    outcome = await checkHostInner(state, domain.endsWith('.') ? domain.slice(0, -1) : domain, 0);
  } catch (err) {
    if (err instanceof SpfStop) return { result: err.result, reason: err.reason, domain, ...counters() };
    return { result: 'temperror', reason: err instanceof Error ? err.message : String(err), domain, ...counters() };
  }
  const out: CheckHostResult = {
    result: outcome.result,
    domain: outcome.domain,
    ...(outcome.mechanism !== undefined ? { mechanism: outcome.mechanism } : {}),
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    ...(outcome.record !== undefined ? { record: outcome.record } : {}),
    ...counters(),
  };
  if (outcome.result === 'fail') {
    const text = outcome.exp ? await explanation(state, outcome.exp) : null;
    const chosen = text ?? opts.defaultExplanation;
    if (chosen !== undefined) out.explanation = chosen;
    out.queries = state.queries;
  }
  return out;
}
