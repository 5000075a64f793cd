// A domain's MX set, read once per scan: the records as answered (sorted), the null-MX verdict
// (RFC 7505) and the hosts mail is delivered to. Pure; every email check and probe takes its MX
// hosts from here, so "which hosts receive mail" is decided in one place.
import { normalizeName } from '../net/dns/types.js';
import { analyseNullMx, type MxInput, type NullMxState } from './null-mx.js';

export interface MxSetEvidence {
  domain: string;
  /** ok: answered (records may be empty); none: NXDOMAIN/NODATA; error: the lookup failed (reason). */
  status: 'ok' | 'none' | 'error';
  /** MX records by preference, then exchange. */
  records: MxInput[];
  reason?: string;
}

export interface MxHost {
  /** Lower-case, without the trailing dot. */
  host: string;
  preference: number;
}

/** The report's `mxStatus`. */
export function mxStatusOf(mx: MxSetEvidence): NullMxState | 'error' {
  return mx.status === 'error' ? 'error' : analyseNullMx(mx.records).state;
}

/**
 * The hosts mail goes to: every exchange but the null MX ("." or empty), one entry per host name
 * (its lowest preference), by preference then name. Empty for a null-MX domain.
 */
export function mxHosts(mx: Pick<MxSetEvidence, 'records'>): MxHost[] {
  const nullMx = analyseNullMx(mx.records);
  if (nullMx.state === 'null-mx') return [];
  const byHost = new Map<string, number>();
  for (const r of nullMx.otherRecords) {
    const host = normalizeName(r.exchange);
    byHost.set(host, Math.min(byHost.get(host) ?? Infinity, r.preference));
  }
  return [...byHost.entries()].map(([host, preference]) => ({ host, preference })).sort((a, b) => a.preference - b.preference || a.host.localeCompare(b.host));
}
