// Subresource Integrity: external <script src> without a (valid) integrity digest. It reads the
// page, not a header, and runs with the header checks because checkResponseHeaders has the page.
import { getDomain } from 'tldts';
import { finding, type CheckFinding } from '../../model/finding.js';
import { scriptElements, type HtmlScan } from '../html-resources.js';
import { clip, documentBase, MAX_LISTED_URLS, R, resolve } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const SUBRESOURCE_INTEGRITY_FINDINGS = {
  sriMissing: 'http.sri.missing',
  sriInvalid: 'http.sri.invalid',
} as const;

// One integrity token: algorithm, base64 (or base64url) digest of the algorithm's length, options.
const SRI_TOKEN = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(\?.*)?$/;
const SRI_DIGEST_CHARS: Readonly<Record<string, number>> = { sha256: 43, sha384: 64, sha512: 86 };

/** Whether an integrity attribute holds at least one well-formed sha256/384/512 digest. */
export function validIntegrity(value: string): boolean {
  return value
    .split(/[\t\n\f\r ]+/)
    .some((tok) => {
      const m = SRI_TOKEN.exec(tok);
      return m !== null && m[2]!.replace(/=+$/, '').length === SRI_DIGEST_CHARS[m[1]!];
    });
}

export interface SriOptions {
  /**
   * What counts as external: 'origin' (default) — another scheme, host or port; 'site' — another
   * registrable domain, as the MDN Observatory judges (static.example.com is not external to
   * www.example.com).
   */
  scope?: 'origin' | 'site';
}

const siteOf = (u: URL) => getDomain(u.hostname, { allowPrivateDomains: true }) ?? u.hostname;

/**
 * Subresource Integrity for the page's scripts (every <script src>, as the Observatory counts
 * them). External scripts without integrity run whatever their host serves (polyfill.io, 2024).
 * An integrity attribute with no sha256/384/512 digest is ignored by browsers: no check at all.
 * Scripts over http:// on an https page are mixed content (checkMixedContent), not listed here.
 */
export function checkSri(scan: HtmlScan, pageUrl: string, opts: SriOptions = {}): CheckFinding[] {
  const base = documentBase(scan, pageUrl);
  if (base === null) return [];
  const page = new URL(pageUrl);
  const scope = opts.scope ?? 'origin';
  const missing: string[] = [];
  let missingCount = 0;
  const malformed: Array<{ src: string; integrity: string }> = [];
  let malformedCount = 0;
  for (const s of scriptElements(scan)) {
    if (s.url === null || s.url.trim() === '') continue;
    const u = resolve(s.url, base);
    if (u === null || (u.protocol !== 'https:' && u.protocol !== 'http:')) continue;
    if (page.protocol === 'https:' && u.protocol === 'http:') continue; // mixed content
    const integrity = s.attrs['integrity'];
    if (integrity !== undefined && integrity.trim() !== '') {
      if (!validIntegrity(integrity)) {
        malformedCount++;
        if (malformed.length < MAX_LISTED_URLS) malformed.push({ src: clip(u.href, 256), integrity: clip(integrity, 256) });
      }
      continue;
    }
    const external = scope === 'site' ? siteOf(u) !== siteOf(page) : u.origin !== page.origin;
    if (!external) continue;
    missingCount++;
    if (missing.length < MAX_LISTED_URLS) missing.push(clip(u.href, 256));
  }
  const refs = [R.sri, R.mdnSri];
  const out: CheckFinding[] = [];
  if (missingCount > 0) {
    out.push(
      finding({
        id: SUBRESOURCE_INTEGRITY_FINDINGS.sriMissing,
        severity: 'medium',
        title: `${missingCount} external script${missingCount === 1 ? '' : 's'} without Subresource Integrity`,
        detail: `Scripts from other ${scope === 'site' ? 'sites' : 'origins'} run with the page's full privileges, so whoever controls or compromises their host controls the page: ${missing.join(', ')}${missingCount > missing.length ? ` and ${missingCount - missing.length} more` : ''}.`,
        evidence: { url: pageUrl, scope, count: missingCount, scripts: missing },
        remediation: 'Pin each versioned third-party script with `integrity="sha384-…" crossorigin="anonymous"` (or self-host it); scripts that change in place cannot be pinned and deserve a review.',
        references: refs,
      }),
    );
  }
  if (malformedCount > 0) {
    out.push(
      finding({
        id: SUBRESOURCE_INTEGRITY_FINDINGS.sriInvalid,
        severity: 'low',
        title: 'Integrity attribute without a valid sha256/384/512 digest',
        detail: 'Browsers ignore integrity metadata with unknown algorithms, and a digest of the wrong length never matches: either the script loads unchecked or it never loads.',
        evidence: { url: pageUrl, count: malformedCount, scripts: malformed },
        remediation: 'Generate the value with `openssl dgst -sha384 -binary FILE | openssl base64 -A` and write `integrity="sha384-<digest>"`.',
        references: refs,
      }),
    );
  }
  return out;
}
