// Observatory test `content-security-policy` (tests/csp.js in 1.4.8): the policy from the header and <meta>, read
// with the Observatory's own parser (csp-policy.ts), judged for unsafe sources.
import type { ObservatoryResultOf } from './results.js';
import { DUPLICATE_KEY, observatoryParseCsp, observatoryParseCspMeta, type CspMap } from './csp-policy.js';
import type { Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

// tests/csp.js
const DANGEROUSLY_BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
const BROAD_OR_INLINE = new Set([...DANGEROUSLY_BROAD, "'unsafe-inline'", 'data:']);
const PASSIVE_DIRECTIVES = ['img-src', 'media-src'];
const NONCE_HASH_PREFIXES = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];
const hasNonceOrHash = (sources: Set<string>): boolean => [...sources].some((s) => NONCE_HASH_PREFIXES.some((p) => s.startsWith(p)));

export interface CspOutcome extends Outcome<'content-security-policy'> {
  /** The combined policy (header + meta) when the test ran to its end (read by the X-Frame-Options test). */
  data: CspMap | null;
}

/** tests/csp.js contentSecurityPolicyTest. */
export function cspTest(r: Requests): CspOutcome {
  const resp = r.auto;
  const url = r.session?.url;
  if (!resp || !url) return { result: 'csp-not-implemented', detail: 'No response to read a policy from.', data: null };
  const headerValue = nodeHeader(resp.headers, 'content-security-policy');
  const fromHeader = headerValue === null ? [] : [headerValue];
  const fromMeta = r.equiv.csp;
  let csp: CspMap;
  try {
    csp = observatoryParseCsp([...fromHeader, ...fromMeta]);
  } catch (err) {
    return { result: 'csp-header-invalid', detail: `The Observatory's CSP parser rejects the policy: ${(err as Error).message}.`, data: null };
  }
  let headerOnly: CspMap;
  let metaOnly: CspMap;
  try {
    headerOnly = observatoryParseCsp(fromHeader);
  } catch {
    headerOnly = new Map();
  }
  try {
    metaOnly = observatoryParseCspMeta(fromMeta);
  } catch {
    metaOnly = new Map();
  }
  if (headerOnly.size + metaOnly.size === 0) {
    // Report-Only counts from the header only (it is not allowed in <meta>).
    if (nodeHeader(resp.headers, 'content-security-policy-report-only')) {
      return { result: 'csp-not-implemented-but-reporting-enabled', detail: 'Only Content-Security-Policy-Report-Only is set; nothing is enforced.', data: null };
    }
    const metaNote = fromMeta.length > 0 ? ' (the <meta> policy holds only directives a <meta> cannot carry)' : '';
    return { result: 'csp-not-implemented', detail: `No Content-Security-Policy header or <meta> policy${metaNote}.`, data: null };
  }
  const where = [fromHeader.length ? 'header' : '', fromMeta.length ? '<meta>' : ''].filter(Boolean).join(' and ');
  let result: ObservatoryResultOf<'content-security-policy'> | null = null;
  const set = (res: ObservatoryResultOf<'content-security-policy'>): void => void (result ??= res);
  // These are the very sets of the map (shared when they fall back to default-src): edits below
  // show through every name that refers to them, as upstream.
  const scriptSrc = csp.get('script-src') ?? csp.get('default-src') ?? new Set(['*']);
  const styleSrc = csp.get('style-src') ?? csp.get('default-src') ?? new Set(['*']);
  const objectSrc = csp.get('object-src') ?? csp.get('default-src') ?? new Set(['*']);
  // A nonce or hash disables 'unsafe-inline' (script-src, then style-src).
  for (const list of [scriptSrc, styleSrc]) if (hasNonceOrHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");
  // 'strict-dynamic' with a nonce or hash drops schemes/hosts, 'self' and 'unsafe-inline'; without one the policy is invalid.
  if (scriptSrc.has("'strict-dynamic'")) {
    if (hasNonceOrHash(scriptSrc)) {
      for (const s of scriptSrc) {
        if ([...DANGEROUSLY_BROAD].some((b) => s.startsWith(b)) || s === "'self'" || s === "'unsafe-inline'") scriptSrc.delete(s);
      }
    } else set('csp-header-invalid');
  }
  const active = [...csp.entries()].filter(([d]) => !PASSIVE_DIRECTIVES.includes(d) && d !== 'script-src').flatMap(([, s]) => [...s]);
  active.push(...scriptSrc);
  const passive = PASSIVE_DIRECTIVES.flatMap((d) => [...(csp.get(d) ?? csp.get('default-src') ?? new Set<string>())]);
  const https = url.protocol === 'https:';
  const insecure = (s: string): boolean => s.startsWith('http:') || s.startsWith('ftp:');
  if ([...scriptSrc].some((s) => BROAD_OR_INLINE.has(s)) || [...objectSrc].some((s) => DANGEROUSLY_BROAD.has(s))) set('csp-implemented-with-unsafe-inline');
  if (https && active.some(insecure)) set('csp-implemented-with-insecure-scheme');
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) set('csp-implemented-with-unsafe-eval');
  if (https && passive.some(insecure)) set('csp-implemented-with-insecure-scheme-in-passive-content-only');
  if ([...styleSrc].some((s) => BROAD_OR_INLINE.has(s))) set('csp-implemented-with-unsafe-inline-in-style-src-only');
  const defaultSrc = csp.get('default-src');
  set(defaultSrc?.has("'none'") && defaultSrc.size === 1 ? 'csp-implemented-with-no-unsafe-default-src-none' : 'csp-implemented-with-no-unsafe');
  let final: ObservatoryResultOf<'content-security-policy'> = result ?? 'csp-implemented-with-no-unsafe';
  const passing = ['csp-implemented-with-no-unsafe', 'csp-implemented-with-no-unsafe-default-src-none', 'csp-implemented-with-unsafe-inline-in-style-src-only', 'csp-implemented-with-insecure-scheme-in-passive-content-only'];
  if (passing.includes(final) && csp.has(DUPLICATE_KEY)) final = 'csp-implemented-but-duplicate-directives';
  const why: Record<string, string> = {
    'csp-header-invalid': "script-src has 'strict-dynamic' without a nonce or hash",
    'csp-implemented-with-unsafe-inline': "script-src allows 'unsafe-inline', data: or a broad source, or object-src a broad source (a missing directive counts as *)",
    'csp-implemented-with-insecure-scheme': 'a directive other than img-src/media-src allows http: or ftp: sources on an https site',
    'csp-implemented-with-unsafe-eval': "script-src or style-src allows 'unsafe-eval'",
    'csp-implemented-with-insecure-scheme-in-passive-content-only': 'img-src or media-src allows http: or ftp: sources on an https site',
    'csp-implemented-with-unsafe-inline-in-style-src-only': "only style-src allows 'unsafe-inline', data: or a broad source",
    'csp-implemented-with-no-unsafe-default-src-none': "default-src 'none' and nothing unsafe",
    'csp-implemented-with-no-unsafe': 'nothing unsafe',
    'csp-implemented-but-duplicate-directives': `the policy passes but repeats ${[...(csp.get(DUPLICATE_KEY) ?? [])].join(', ')}`,
  };
  return { result: final, detail: `CSP from the ${where}: ${why[final] ?? final}.`, data: csp };
}
