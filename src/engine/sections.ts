// The report's sections (endpoints[].tls, http, email, dns): what each starts as, the order its
// fields appear in, and which probe owns which field. A probe writes only the fields it declares
// (`owns`); two probes never own the same one, so probe order never decides what a field says.
import { untestedProtocols } from '../model/constants.js';
import type { DnsResult, EmailResult, HttpResult, TlsResult } from '../model/report.js';
import type { AnyProbe, SectionName } from './probe.js';

export function emptyTls(): TlsResult {
  return {
    status: 'skipped',
    reason: 'no TLS checks selected',
    negotiated: null,
    protocols: untestedProtocols(),
    cipherSuites: {},
    serverPreference: {},
    groups: null,
    certificates: [],
    vulnerabilities: {},
    probes: {},
  };
}

export function emptyHttp(url: string): HttpResult {
  return { status: 'skipped', url, finalUrl: null, statusCode: null, redirects: [], headers: {}, cookies: [], hsts: null, score: null, grade: null };
}

export function emptyEmail(): EmailResult {
  return { status: 'skipped', spf: null, dmarc: null, dkim: null, mtaSts: null, tlsRpt: null, mx: [], dnssec: null, grade: null };
}

export function emptyDns(): DnsResult {
  return { status: 'skipped', caa: null };
}

/**
 * The order of each section's fields in the report (JSON keeps insertion order): readers and diffs
 * see the same layout whichever probes ran. Fields not listed follow in the order they were set.
 */
export const FIELD_ORDER: { readonly [S in SectionName]: readonly string[] } = {
  tls: ['status', 'reason', 'negotiated', 'starttls', 'protocols', 'cipherSuites', 'serverPreference', 'groups', 'certificates', 'vulnerabilities', 'probes', 'chains', 'dhParameterBits', 'dhParameterPrime', 'features', 'cipherSuitesIncomplete', 'cipherSuitesNonIana', 'groupsIncomplete', 'chainsIncomplete', 'simulation', 'rating', 'profiles'],
  http: ['status', 'reason', 'url', 'finalUrl', 'statusCode', 'redirects', 'headers', 'cookies', 'hsts', 'score', 'grade', 'httpRedirect', 'observatory', 'securityHeaders', 'cors', 'securityTxt'],
  email: ['status', 'reason', 'spf', 'dmarc', 'dkim', 'mtaSts', 'tlsRpt', 'mx', 'dnssec', 'grade', 'mxStatus', 'bimi', 'dnssecDetail', 'rating'],
  dns: ['status', 'reason', 'caa'],
};

/** `obj` with its keys in `order` (unlisted keys after, as they were). */
export function inFieldOrder<T extends object>(obj: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const src = obj as Record<string, unknown>;
  for (const k of order) if (k in src) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out)) out[k] = src[k];
  return out as T;
}

/** Section field (`section.field`, or `tls.vulnerabilities.heartbleed`) → the probe that owns it. */
export function fieldOwners(probes: readonly AnyProbe[]): Map<string, AnyProbe> {
  const owners = new Map<string, AnyProbe>();
  for (const p of probes) {
    for (const field of p.owns as readonly string[]) {
      const path = `${p.section as string}.${field}`;
      for (const [taken, owner] of owners) {
        if (taken === path || taken.startsWith(`${path}.`) || path.startsWith(`${taken}.`)) {
          throw new Error(`probes ${owner.id} and ${p.id} both write ${path}`);
        }
      }
      owners.set(path, p);
    }
  }
  return owners;
}

/**
 * Copy a probe's fragment into its section: only the fields it owns (a vulnerability verdict is
 * merged into the map). A fragment field the probe does not own is a bug in the probe.
 */
export function mergeFragment<S extends object>(section: S, probe: AnyProbe, fragment: object): S {
  const owns = probe.owns as readonly string[];
  const out = { ...section } as Record<string, unknown>;
  for (const [key, value] of Object.entries(fragment)) {
    if (value === undefined) continue;
    if (owns.includes(key)) {
      out[key] = value;
      continue;
    }
    const verdicts = owns.filter((f) => f.startsWith(`${key}.`)).map((f) => f.slice(key.length + 1));
    const given = Object.keys(value as object);
    const stray = given.find((k) => !verdicts.includes(k));
    if (verdicts.length === 0 || stray !== undefined) {
      throw new Error(`probe ${probe.id} wrote ${probe.section as string}.${key}${stray !== undefined && verdicts.length ? `.${stray}` : ''}, which it does not own`);
    }
    out[key] = { ...(out[key] as object), ...(value as object) };
  }
  return out as S;
}
