// MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record, the policy file parser, MX-pattern
// matching, and the findings. Nothing here touches the network except the TXT lookup through the
// injected function: the probe fetches https://mta-sts.<domain>/.well-known/mta-sts.txt itself
// (without following redirects, RFC 8461 §3.3) and hands the response to analyseMtaStsPolicy().
import type { EmailResult } from '../model/report.js';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF, EXT_FIELD_NAME, EXT_FIELD_VALUE, isHostname, lookupTxt, splitVersionedRecord, type RecordStatus, type TxtLookup } from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const MTA_STS_FINDINGS = {
  missing: 'email.mta-sts.missing',
  multiple: 'email.mta-sts.multiple',
  invalidRecord: 'email.mta-sts.invalid-record',
  policyUnavailable: 'email.mta-sts.policy-unavailable',
  policyContentType: 'email.mta-sts.policy-content-type',
  policyInvalid: 'email.mta-sts.policy-invalid',
  policyNotes: 'email.mta-sts.policy-notes',
  testing: 'email.mta-sts.testing',
  modeNone: 'email.mta-sts.mode-none',
  maxAgeShort: 'email.mta-sts.max-age-short',
  mxMismatch: 'email.mta-sts.mx-mismatch',
} as const;

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;
/** RFC 8461 §3.3: senders may refuse policy bodies over 64 KiB. */
export const MTA_STS_MAX_POLICY_BYTES = 64 * 1024;
const ONE_DAY = 86_400;

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsTxtRecord {
  record: string;
  id: string | null;
  /** Extension fields (ignored by senders). */
  extensions: Record<string, string>;
  errors: string[];
}

const RFC8461_31 = 'RFC 8461 §3.1';

/** The policy-file URL for `domain`. */
export function mtaStsPolicyUrl(domain: string): string {
  return `https://mta-sts.${normalizeName(domain)}/.well-known/mta-sts.txt`;
}

/**
 * Parse the `_mta-sts` TXT record by RFC 8461 §3.1's grammar:
 * `sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]`, where a field is
 * `sts-id = %s"id=" 1*32(ALPHA / DIGIT)` (required) or an extension
 * `sts-ext-name "=" sts-ext-value` (name: ALPHA or DIGIT, then up to 31 of ALPHA, DIGIT, "_", "-",
 * "."; value: visible ASCII but "=" and ";"). Extensions are kept and ignored, as senders do. A
 * repeated id= (or v=) is an error: which policy id applies would be ambiguous (our reading; the
 * grammar does not forbid it).
 */
export function parseMtaStsTxt(record: string): MtaStsTxtRecord {
  const out: MtaStsTxtRecord = { record, id: null, extensions: {}, errors: [] };
  const split = splitVersionedRecord(record, 'v=STSv1', RFC8461_31);
  out.errors.push(...split.errors);
  if (!record.startsWith('v=STSv1')) return out;
  let ids = 0;
  for (const { name, value } of split.fields) {
    if (name === 'id') {
      ids++;
      if (ids > 1) out.errors.push('id= appears more than once: which policy id applies is ambiguous');
      else if (/^[A-Za-z0-9]{1,32}$/.test(value)) out.id = value;
      else out.errors.push(`id=${value} must be 1 to 32 letters and digits (${RFC8461_31})`);
    } else if (name === 'v') {
      out.errors.push('v= appears more than once');
    } else if (!EXT_FIELD_NAME.test(name)) {
      out.errors.push(`"${name}=${value}": "${name}" is not an extension field name (a letter or digit, then up to 31 letters, digits, "_", "-" or ".", ${RFC8461_31})`);
    } else if (!EXT_FIELD_VALUE.test(value)) {
      out.errors.push(`"${name}=${value}": the value must be 1 or more visible characters other than "=" and ";" (${RFC8461_31})`);
    } else {
      out.extensions[name] = value;
    }
  }
  if (out.id === null && !out.errors.some((e) => e.startsWith('id='))) out.errors.push('the required id= field is missing');
  return out;
}

export interface MtaStsDiscovery {
  domain: string;
  name: string;
  status: RecordStatus;
  reason?: string;
  /** The v=STSv1 texts found. */
  records: string[];
  parsed: MtaStsTxtRecord | null;
}

/** Look up and validate `_mta-sts.<domain>`. */
export async function discoverMtaSts(domainIn: string, lookup: TxtLookup, opts: { signal?: AbortSignal } = {}): Promise<MtaStsDiscovery> {
  const domain = normalizeName(domainIn);
  const res = await lookupTxt(lookup, `_mta-sts.${domain}`, opts.signal);
  const base: MtaStsDiscovery = { domain, name: res.name, status: 'missing', records: [], parsed: null };
  if (res.status === 'error') return { ...base, status: 'error', reason: res.reason };
  if (res.status === 'absent') return base;
  // RFC 8461 §3.1: records not beginning with "v=STSv1;" are discarded; exactly one must remain.
  const records = res.texts.filter((t) => /^v=STSv1/i.test(t.trimStart()));
  if (records.length === 0) return base;
  if (records.length > 1) {
    return { ...base, status: 'multiple', records, reason: `${records.length} v=STSv1 records: senders assume no MTA-STS policy` };
  }
  const parsed = parseMtaStsTxt(records[0] ?? '');
  if (parsed.errors.length) return { ...base, status: 'invalid', records, parsed, reason: parsed.errors.join('; ') };
  return { ...base, status: 'found', records, parsed };
}

export interface MtaStsPolicy {
  version: string | null;
  mode: MtaStsMode | null;
  maxAge: number | null;
  /** mx patterns as written (lower-cased). */
  mx: string[];
  unknownKeys: string[];
  /** Problems that make senders discard the policy. */
  errors: string[];
  /** Problems senders tolerate. */
  warnings: string[];
}

/** Whether `pattern` is a valid policy mx pattern: a host name, optionally with a leading "*." (one label). */
export function isMxPattern(pattern: string): boolean {
  const host = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  return isHostname(host) && !host.includes('*') && host.includes('.');
}

/** RFC 8461 §3.2 `sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]`, vchar = %x21-7E or UTF-8. */
const POLICY_EXT_VALUE = /^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$/u;

/** Parse a policy file body (RFC 8461 §3.2); LF or CRLF line ends. */
export function parseMtaStsPolicy(body: string): MtaStsPolicy {
  const out: MtaStsPolicy = { version: null, mode: null, maxAge: null, mx: [], unknownKeys: [], errors: [], warnings: [] };
  const size = Buffer.byteLength(body, 'utf8');
  if (size > MTA_STS_MAX_POLICY_BYTES) {
    out.errors.push(`the policy is ${size} bytes, over the 64 KiB senders accept`);
    return out;
  }
  const seen = new Set<string>();
  let first = true;
  for (const [i, rawLine] of body.split(/\r?\n/).entries()) {
    const line = rawLine.replace(/[ \t]+$/, '');
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      out.errors.push(`line ${i + 1}: "${line.slice(0, 80)}" is not a "key: value" field`);
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (first && key !== 'version') out.warnings.push('"version" should be the first field');
    first = false;
    if (key !== 'mx' && seen.has(key)) {
      out.warnings.push(`line ${i + 1}: "${key}" repeated; the first value is used`);
      continue;
    }
    seen.add(key);
    switch (key) {
      case 'version':
        out.version = value;
        if (value !== 'STSv1') out.errors.push(`version: ${value} is not STSv1`);
        break;
      case 'mode':
        if (value === 'enforce' || value === 'testing' || value === 'none') out.mode = value;
        else out.errors.push(`mode: ${value} is not enforce, testing or none`);
        break;
      case 'max_age':
        if (/^\d{1,10}$/.test(value) && Number(value) <= MTA_STS_MAX_AGE_LIMIT) out.maxAge = Number(value);
        else out.errors.push(`max_age: ${value} is not a number of seconds from 0 to ${MTA_STS_MAX_AGE_LIMIT}`);
        break;
      case 'mx': {
        const pattern = value.toLowerCase();
        if (isMxPattern(pattern)) out.mx.push(pattern);
        else out.errors.push(`mx: "${value}" is not a host name or a "*." wildcard of one label`);
        break;
      }
      default:
        // sts-policy-extension: sts-policy-ext-name (as the TXT record's) ":" *WSP
        // sts-policy-ext-value (visible characters or UTF-8, inner spaces only; RFC 8461 §3.2).
        if (!EXT_FIELD_NAME.test(key)) out.errors.push(`line ${i + 1}: "${key}" is not a field name (a letter or digit, then up to 31 letters, digits, "_", "-" or ".", RFC 8461 §3.2)`);
        else if (!POLICY_EXT_VALUE.test(value)) out.errors.push(`line ${i + 1}: ${key}: the value must be visible characters, with spaces only between them (RFC 8461 §3.2)`);
        else out.unknownKeys.push(key);
    }
  }
  if (out.version === null && !seen.has('version')) out.errors.push('the required "version" field is missing');
  if (out.mode === null && !seen.has('mode')) out.errors.push('the required "mode" field is missing');
  if (out.maxAge === null && !seen.has('max_age')) out.errors.push('the required "max_age" field is missing');
  if (out.mx.length === 0 && out.mode !== 'none' && !out.errors.some((e) => e.startsWith('mx:'))) {
    out.errors.push('no "mx" field: one is required unless mode is none');
  }
  return out;
}

/** RFC 8461 §4.1: exact match, or "*." matching exactly one leftmost label. Case-insensitive. */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const h = normalizeName(host);
  const p = normalizeName(pattern);
  if (p.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return h === p;
}

export interface MxMatch {
  matched: Array<{ host: string; pattern: string }>;
  unmatched: string[];
}

/** Match every MX host against the policy's patterns. */
export function matchMxHosts(patterns: readonly string[], mxHosts: readonly string[]): MxMatch {
  const out: MxMatch = { matched: [], unmatched: [] };
  for (const raw of mxHosts) {
    const host = normalizeName(raw);
    const pattern = patterns.find((p) => mxMatchesPattern(host, p));
    if (pattern !== undefined) out.matched.push({ host, pattern });
    else if (!out.unmatched.includes(host)) out.unmatched.push(host);
  }
  return out;
}

/** What the probe saw when fetching the policy (the fetch must not follow redirects). */
export interface MtaStsPolicyResponse {
  status: number;
  contentType: string | null;
  body: string;
  url: string;
}

export interface MtaStsPolicyAnalysis {
  url: string;
  httpStatus: number;
  contentType: string | null;
  /** Transport problems that make senders ignore the policy (not 200, a redirect, wrong URL). */
  unavailable: string[];
  /** The media type is not text/plain (some senders then refuse the policy). */
  contentTypeProblem: string | null;
  policy: MtaStsPolicy | null;
  /** Whether senders would apply this policy. */
  valid: boolean;
  /** MX hosts against the policy's patterns (null when there is no usable policy). */
  mxMatch: MxMatch | null;
}

/** Analyse a fetched policy file against the domain's MX host names. Pure. */
export function analyseMtaStsPolicy(response: MtaStsPolicyResponse, mxHosts: readonly string[]): MtaStsPolicyAnalysis {
  const unavailable: string[] = [];
  let url: URL | null = null;
  try {
    url = new URL(response.url);
  } catch {
    unavailable.push(`"${response.url}" is not a URL`);
  }
  if (url) {
    if (url.protocol !== 'https:') unavailable.push('the policy must be served over HTTPS');
    if (!url.hostname.toLowerCase().startsWith('mta-sts.')) unavailable.push(`the policy host must be mta-sts.<domain>, not ${url.hostname}`);
    if (url.pathname !== '/.well-known/mta-sts.txt') unavailable.push(`the policy path must be /.well-known/mta-sts.txt, not ${url.pathname}`);
  }
  if (response.status >= 300 && response.status < 400) unavailable.push(`HTTP ${response.status}: senders must not follow redirects (RFC 8461 §3.3)`);
  else if (response.status !== 200) unavailable.push(`HTTP ${response.status} instead of 200`);
  const mediaType = response.contentType?.split(';')[0]?.trim().toLowerCase() ?? null;
  const contentTypeProblem =
    mediaType === 'text/plain' ? null : mediaType ? `Content-Type is ${mediaType}, not text/plain` : 'no Content-Type header (should be text/plain)';
  const policy = response.status === 200 ? parseMtaStsPolicy(response.body) : null;
  const valid = unavailable.length === 0 && policy !== null && policy.errors.length === 0;
  return {
    url: response.url,
    httpStatus: response.status,
    contentType: response.contentType,
    unavailable,
    contentTypeProblem,
    policy,
    valid,
    mxMatch: valid && policy ? matchMxHosts(policy.mx, mxHosts) : null,
  };
}

/** The policy fetch failed before an HTTP answer; `definite` when it is the server's fault (TLS certificate, refused). */
export interface MtaStsFetchError {
  error: string;
  definite?: boolean;
}

export type MtaStsPolicyInput = MtaStsPolicyAnalysis | MtaStsFetchError | null;

function isFetchError(p: MtaStsPolicyInput): p is MtaStsFetchError {
  return p !== null && 'error' in p;
}

/** The report-contract shape (`email.mtaSts`). */
export function mtaStsReport(d: MtaStsDiscovery, policy: MtaStsPolicyInput = null): NonNullable<EmailResult['mtaSts']> {
  let status: string = d.status;
  if (d.status === 'found' && policy !== null) {
    if (isFetchError(policy)) status = policy.definite ? 'invalid' : 'error';
    else if (!policy.valid) status = 'invalid';
  }
  const p = policy && !isFetchError(policy) ? policy.policy : null;
  return { status, mode: p?.mode ?? null, maxAge: p?.maxAge ?? null, mx: p?.mx ?? [] };
}

const REFS = [EMAIL_REF.rfc8461];

/** Findings for MTA-STS: the TXT record, and the policy when the probe fetched it. */
export function checkMtaSts(d: MtaStsDiscovery, policy: MtaStsPolicyInput = null): CheckFinding[] {
  const ev = { name: d.name, records: d.records };
  switch (d.status) {
    case 'error':
      return [untestedFinding('email.mta-sts', 'MTA-STS', d.reason ?? 'DNS lookup failed', ev, REFS)];
    case 'missing':
      return [
        finding({
          id: MTA_STS_FINDINGS.missing,
          severity: 'low',
          title: 'No MTA-STS policy',
          detail: `${d.name} has no v=STSv1 record: sending servers fall back to opportunistic STARTTLS, which an active attacker can strip.`,
          evidence: ev,
          remediation: 'Serve a policy at ' + mtaStsPolicyUrl(d.domain) + ' and publish `_mta-sts TXT "v=STSv1; id=<date>"` (start in mode: testing).',
          references: REFS,
        }),
      ];
    case 'multiple':
      return [
        finding({
          id: MTA_STS_FINDINGS.multiple,
          severity: 'medium',
          title: 'More than one MTA-STS record',
          detail: `${d.name} has ${d.records.length} v=STSv1 records: senders then assume no policy (RFC 8461 §3.1).`,
          evidence: ev,
          remediation: 'Keep exactly one v=STSv1 record.',
          references: REFS,
        }),
      ];
    case 'invalid':
      return [
        finding({
          id: MTA_STS_FINDINGS.invalidRecord,
          severity: 'medium',
          title: 'MTA-STS record is invalid',
          detail: `Senders ignore ${d.name}: ${d.reason ?? 'syntax error'}.`,
          evidence: { ...ev, errors: d.parsed?.errors ?? [] },
          remediation: 'Publish `v=STSv1; id=<1-32 letters/digits>` and change the id whenever the policy changes.',
          references: REFS,
        }),
      ];
    case 'found':
      break;
  }
  if (policy === null) return [];
  const url = mtaStsPolicyUrl(d.domain);
  if (isFetchError(policy)) {
    if (!policy.definite) return [untestedFinding('email.mta-sts.policy', 'The MTA-STS policy file', policy.error, { url }, REFS)];
    return [
      finding({
        id: MTA_STS_FINDINGS.policyUnavailable,
        severity: 'medium',
        title: 'MTA-STS policy cannot be fetched',
        detail: `The TXT record announces a policy, but ${url} failed: ${policy.error}. Senders then treat the domain as having no policy.`,
        evidence: { url, error: policy.error },
        remediation: 'Serve the policy over HTTPS with a certificate valid for mta-sts.<domain>.',
        references: REFS,
      }),
    ];
  }
  const out: CheckFinding[] = [];
  const pev = { url: policy.url, httpStatus: policy.httpStatus, contentType: policy.contentType };
  if (policy.unavailable.length) {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.policyUnavailable,
        severity: 'medium',
        title: 'MTA-STS policy cannot be fetched',
        detail: `Senders find no usable policy: ${policy.unavailable.join('; ')}.`,
        evidence: { ...pev, problems: policy.unavailable },
        remediation: `Serve the policy with HTTP 200 directly at ${url}.`,
        references: REFS,
      }),
    );
  }
  if (policy.contentTypeProblem && policy.policy) {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.policyContentType,
        severity: 'low',
        title: 'MTA-STS policy is not served as text/plain',
        detail: `${policy.contentTypeProblem}; RFC 8461 §3.2 specifies text/plain and strict senders refuse other types.`,
        evidence: pev,
        remediation: 'Serve mta-sts.txt with `Content-Type: text/plain`.',
        references: REFS,
      }),
    );
  }
  const p = policy.policy;
  if (!p) return out;
  if (p.errors.length) {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.policyInvalid,
        severity: 'medium',
        title: 'MTA-STS policy is invalid',
        detail: `Senders discard the policy: ${p.errors.join('; ')}.`,
        evidence: { ...pev, errors: p.errors },
        remediation: 'Write the policy as `version: STSv1`, `mode: enforce`, `max_age: 604800` and one `mx:` line per MX host.',
        references: REFS,
      }),
    );
    return out;
  }
  if (p.warnings.length || p.unknownKeys.length) {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.policyNotes,
        severity: 'info',
        title: 'MTA-STS policy has minor issues',
        detail: [...p.warnings, ...p.unknownKeys.map((k) => `unknown field "${k}" is ignored`)].join('; ') + '.',
        evidence: { ...pev, warnings: p.warnings, unknownKeys: p.unknownKeys },
        remediation: 'Tidy the policy file.',
        references: REFS,
      }),
    );
  }
  if (p.mode === 'testing') {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.testing,
        severity: 'low',
        title: 'MTA-STS is in testing mode',
        detail: 'Senders report failures (via TLS-RPT) but still deliver over unauthenticated or plaintext connections.',
        evidence: { ...pev, mode: p.mode },
        remediation: 'Switch to `mode: enforce` once TLS-RPT reports are clean.',
        references: [EMAIL_REF.rfc8461, EMAIL_REF.rfc8460],
      }),
    );
  } else if (p.mode === 'none') {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.modeNone,
        severity: 'low',
        title: 'MTA-STS policy is mode: none',
        detail: 'mode: none withdraws the policy; senders do not require TLS.',
        evidence: { ...pev, mode: p.mode },
        remediation: 'Use `mode: enforce` (or remove MTA-STS deliberately).',
        references: REFS,
      }),
    );
  }
  if (p.maxAge !== null && p.maxAge < ONE_DAY && p.mode !== 'none') {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.maxAgeShort,
        severity: 'low',
        title: `MTA-STS max_age is ${p.maxAge} seconds`,
        detail: 'Senders cache the policy only briefly, so an attacker who blocks the policy fetch soon disables it; RFC 8461 §3.2 recommends weeks or more.',
        evidence: { ...pev, maxAge: p.maxAge },
        remediation: 'Set max_age to at least 604800 (one week), ideally 31557600.',
        references: REFS,
      }),
    );
  }
  const m = policy.mxMatch;
  if (m && m.unmatched.length && p.mode !== 'none') {
    out.push(
      finding({
        id: MTA_STS_FINDINGS.mxMismatch,
        severity: p.mode === 'enforce' ? 'high' : 'medium',
        title: 'MX hosts not covered by the MTA-STS policy',
        detail:
          `${m.unmatched.join(', ')} match${m.unmatched.length > 1 ? '' : 'es'} no mx pattern (${p.mx.join(', ')}). ` +
          (p.mode === 'enforce' ? 'MTA-STS senders will not deliver to them.' : 'In enforce mode senders would refuse to deliver to them.'),
        evidence: { ...pev, patterns: p.mx, unmatched: m.unmatched, matched: m.matched },
        remediation: 'Add an `mx:` line for each MX host (and change the TXT id).',
        references: REFS,
      }),
    );
  }
  return out;
}
