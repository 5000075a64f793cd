// SMTP TLS Reporting (RFC 8460): the `_smtp._tls.<domain>` TXT record, its parser and findings.
import type { EmailResult } from '../model/report.js';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF, EXT_FIELD_NAME, EXT_FIELD_VALUE, lookupTxt, splitVersionedRecord, type RecordStatus, type TxtLookup } from './dns-lookup.js';
import { mailtoAddress, uriScheme, uriSyntaxError } from './uri.js';
import { normalizeName } from '../net/dns/types.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const TLS_RPT_FINDINGS = {
  missing: 'email.tls-rpt.missing',
  multiple: 'email.tls-rpt.multiple',
  invalid: 'email.tls-rpt.invalid',
  badUri: 'email.tls-rpt.bad-uri',
} as const;

export interface TlsRptUri {
  uri: string;
  scheme: string | null;
  error: string | null;
}

export interface TlsRptRecord {
  record: string;
  rua: TlsRptUri[];
  extensions: Record<string, string>;
  /** Record-level errors (per-URI problems are in rua[].error). */
  errors: string[];
}

const RFC8460_3 = 'RFC 8460 §3';

/**
 * Validate one rua URI (RFC 8460 §3): `tlsrpt-uri = URI` (RFC 3986) in which commas and
 * exclamation points must be percent-encoded, of one of the two schemes defined: mailto: (with a
 * mail address) or https:.
 */
export function parseTlsRptUri(raw: string): TlsRptUri {
  const uri = raw.trim();
  const syntax = uriSyntaxError(uri);
  if (syntax) return { uri, scheme: uriScheme(uri), error: `"${uri}" is not a URI: ${syntax}` };
  const scheme = uriScheme(uri);
  if (uri.includes('!')) return { uri, scheme, error: `"${uri}": "!" must be percent-encoded (%21) in a report URI (${RFC8460_3})` };
  if (scheme === 'mailto') {
    const mail = mailtoAddress(uri);
    return mail.ok ? { uri, scheme, error: null } : { uri, scheme, error: `"${uri}": ${mail.error}` };
  }
  if (scheme === 'https') {
    try {
      const u = new URL(uri);
      if (!u.hostname) throw new Error('no host');
      return { uri, scheme, error: null };
    } catch {
      return { uri, scheme, error: `"${uri}" is not a valid https URL` };
    }
  }
  return { uri, scheme, error: `"${uri}": only mailto: and https: report URIs are defined` };
}

/**
 * Parse a TLS-RPT record by RFC 8460 §3's grammar:
 * `tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]`, a field being
 * `tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)` (required) or an extension
 * `tlsrpt-ext-name "=" tlsrpt-ext-value` (name: ALPHA or DIGIT, then up to 31 of ALPHA, DIGIT,
 * "_", "-", "."; value: visible ASCII but "=" and ";"), kept and ignored. A repeated rua= (or v=)
 * is an error: which list applies would be ambiguous (our reading).
 */
export function parseTlsRptRecord(record: string): TlsRptRecord {
  const out: TlsRptRecord = { record, rua: [], extensions: {}, errors: [] };
  const split = splitVersionedRecord(record, 'v=TLSRPTv1', RFC8460_3);
  out.errors.push(...split.errors);
  if (!record.startsWith('v=TLSRPTv1')) return out;
  let ruas = 0;
  for (const { name, value } of split.fields) {
    if (name === 'rua') {
      ruas++;
      if (ruas > 1) {
        out.errors.push('rua= appears more than once: list every URI in one rua= field, separated by ","');
        continue;
      }
      if (value === '') {
        out.errors.push('rua= is empty');
        continue;
      }
      if (/^[ \t]/.test(value)) out.errors.push(`rua=${value}: the first URI must follow "rua=" directly (${RFC8460_3})`);
      const items = value.split(/[ \t]*,[ \t]*/);
      if (items.some((u) => u === '')) out.errors.push(`rua=${value}: an empty entry in the URI list (${RFC8460_3})`);
      out.rua = items.filter((u) => u !== '').map(parseTlsRptUri);
    } else if (name === 'v') {
      out.errors.push('v= appears more than once');
    } else if (!EXT_FIELD_NAME.test(name)) {
      out.errors.push(`"${name}=${value}": "${name}" is not an extension field name (a letter or digit, then up to 31 letters, digits, "_", "-" or ".", ${RFC8460_3})`);
    } else if (!EXT_FIELD_VALUE.test(value)) {
      out.errors.push(`"${name}=${value}": the value must be 1 or more visible characters other than "=" and ";" (${RFC8460_3})`);
    } else {
      out.extensions[name] = value;
    }
  }
  if (ruas === 0) out.errors.push('the required rua= field is missing');
  return out;
}

export interface TlsRptDiscovery {
  domain: string;
  name: string;
  status: RecordStatus;
  reason?: string;
  records: string[];
  parsed: TlsRptRecord | null;
}

/** Look up and validate `_smtp._tls.<domain>`. */
export async function discoverTlsRpt(domainIn: string, lookup: TxtLookup, opts: { signal?: AbortSignal } = {}): Promise<TlsRptDiscovery> {
  const domain = normalizeName(domainIn);
  const res = await lookupTxt(lookup, `_smtp._tls.${domain}`, opts.signal);
  const base: TlsRptDiscovery = { domain, name: res.name, status: 'missing', records: [], parsed: null };
  if (res.status === 'error') return { ...base, status: 'error', reason: res.reason };
  if (res.status === 'absent') return base;
  // RFC 8460 §3: records not beginning with "v=TLSRPTv1" are discarded; exactly one must remain.
  const records = res.texts.filter((t) => /^v=TLSRPTv1/i.test(t.trimStart()));
  if (records.length === 0) return base;
  if (records.length > 1) return { ...base, status: 'multiple', records, reason: `${records.length} v=TLSRPTv1 records` };
  const parsed = parseTlsRptRecord(records[0] ?? '');
  // A record whose every URI is broken is useless; one bad URI among good ones is reported apart.
  if (parsed.errors.length || !parsed.rua.some((u) => u.error === null)) {
    const reasons = [...parsed.errors, ...parsed.rua.flatMap((u) => (u.error ? [u.error] : []))];
    return { ...base, status: 'invalid', records, parsed, reason: reasons.join('; ') };
  }
  return { ...base, status: 'found', records, parsed };
}

/** The report-contract shape (`email.tlsRpt`). */
export function tlsRptReport(d: TlsRptDiscovery): NonNullable<EmailResult['tlsRpt']> {
  return { status: d.status, rua: d.parsed?.rua.filter((u) => u.error === null).map((u) => u.uri) ?? [] };
}

const REFS = [EMAIL_REF.rfc8460];

/** Findings for TLS-RPT. With `mtaStsOrDane`, a missing record is low (failures go unseen) instead of info. */
export function checkTlsRpt(d: TlsRptDiscovery, opts: { mtaStsOrDane?: boolean } = {}): CheckFinding[] {
  const ev = { name: d.name, records: d.records };
  switch (d.status) {
    case 'error':
      return [untestedFinding('email.tls-rpt', 'TLS-RPT', d.reason ?? 'DNS lookup failed', ev, REFS)];
    case 'missing':
      return [
        finding({
          id: TLS_RPT_FINDINGS.missing,
          severity: opts.mtaStsOrDane ? 'low' : 'info',
          title: 'No SMTP TLS reporting (TLS-RPT)',
          detail: `${d.name} has no v=TLSRPTv1 record: sending servers cannot report TLS failures when delivering to this domain.`,
          evidence: ev,
          remediation: 'Publish `_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@<your domain>"`.',
          references: REFS,
        }),
      ];
    case 'multiple':
      return [
        finding({
          id: TLS_RPT_FINDINGS.multiple,
          severity: 'medium',
          title: 'More than one TLS-RPT record',
          detail: `${d.name} has ${d.records.length} v=TLSRPTv1 records: senders then assume TLS-RPT is not implemented (RFC 8460 §3).`,
          evidence: ev,
          remediation: 'Keep exactly one v=TLSRPTv1 record (several rua URIs go in one comma-separated list).',
          references: REFS,
        }),
      ];
    case 'invalid':
      return [
        finding({
          id: TLS_RPT_FINDINGS.invalid,
          severity: 'medium',
          title: 'TLS-RPT record is invalid',
          detail: `Senders ignore ${d.name}: ${d.reason ?? 'syntax error'}.`,
          evidence: { ...ev, errors: d.parsed?.errors ?? [], uris: d.parsed?.rua ?? [] },
          remediation: 'Publish `v=TLSRPTv1; rua=mailto:…` (or an https: URL).',
          references: REFS,
        }),
      ];
    case 'found': {
      const bad = d.parsed?.rua.filter((u) => u.error !== null) ?? [];
      if (!bad.length) return [];
      return [
        finding({
          id: TLS_RPT_FINDINGS.badUri,
          severity: 'low',
          title: 'TLS-RPT record has unusable report URIs',
          detail: `Reports cannot be sent to: ${bad.map((u) => u.error).join('; ')}.`,
          evidence: { ...ev, uris: bad.map((u) => u.uri) },
          remediation: 'Use mailto: addresses or https: URLs only.',
          references: REFS,
        }),
      ];
    }
  }
}
