// SMTP TLS Reporting (RFC 8460): the `_smtp._tls.<domain>` TXT record, its parser and findings.
import type { EmailResult } from '../model/report.js';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF, isHostname, lookupTxt, parseTagList, type RecordStatus, type TxtLookup } from './dns-lookup.js';
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

const START = /^v=TLSRPTv1(;|$)/;

/** Validate one rua URI: mailto: with an address, or https: (RFC 8460 §3). */
export function parseTlsRptUri(raw: string): TlsRptUri {
  const uri = raw.trim();
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(uri);
  if (!m) return { uri, scheme: null, error: `"${uri}" is not a URI` };
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  if (scheme === 'mailto') {
    const addr = rest.split('?')[0] ?? '';
    const at = addr.lastIndexOf('@');
    const domain = at > 0 ? normalizeName(addr.slice(at + 1)) : '';
    if (at <= 0 || !isHostname(domain) || !domain.includes('.')) return { uri, scheme, error: `"${uri}" does not hold a valid mail address` };
    return { uri, scheme, error: null };
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

/** Parse a TLS-RPT record (RFC 8460 §3). */
export function parseTlsRptRecord(record: string): TlsRptRecord {
  const out: TlsRptRecord = { record, rua: [], extensions: {}, errors: [] };
  if (!START.test(record)) {
    out.errors.push('the record must begin with exactly "v=TLSRPTv1;"');
    return out;
  }
  const list = parseTagList(record);
  out.errors.push(...list.errors);
  let sawRua = false;
  for (const { name, value } of list.tags.slice(1)) {
    if (name === 'rua') {
      sawRua = true;
      out.rua = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(parseTlsRptUri);
      if (out.rua.length === 0) out.errors.push('rua= is empty');
    } else if (name === 'v') {
      out.errors.push('v= appears more than once');
    } else {
      out.extensions[name] = value;
    }
  }
  if (!sawRua) out.errors.push('the required rua= field is missing');
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
