// The Observatory's own CSP parser (analyzer/cspParser.js in 1.4.8), which its CSP and
// X-Frame-Options tests read. It is kept apart from ours (src/http/csp/parse.ts) on purpose: the
// two give different answers for many real headers, and the Observatory's score follows this one.
// Compared input by input, the Observatory:
//   - rejects a policy that repeats a directive (csp-header-invalid), where CSP3 and ours keep the
//     first occurrence; a repeated report-uri/report-to is kept and reported separately
//     (csp-implemented-but-duplicate-directives);
//   - does not split a header on ",": a repeated header joined with ", " is one policy whose
//     sources end in "," and whose later directive names become sources (ours: several policies);
//   - splits on any JavaScript whitespace (\s, so U+00A0 too) after deleting CR and LF, where ours
//     splits on ASCII whitespace and drops a directive holding non-ASCII characters;
//   - rejects any policy shorter than 6 characters, reads a "-src" directive with no value as
//     'none', and lower-cases every source (ours keeps the text as written);
//   - merges the header and <meta> policies into one map by its own "intersection" of sources;
//   - has no length, directive or source limits (ours truncates at 64 KiB, 128 directives, 1024
//     sources).
// Our parser's tokenizer cannot reproduce that (it already splits on commas, drops non-ASCII
// directives and keeps the first duplicate), so this parser is kept as it is.

// ───────────────────────────── CSP parsing (analyzer/cspParser.js) ─────────────────────────────

export type CspMap = Map<string, Set<string>>;
/** cspParser.js DUPLICATE_WARNINGS_KEY: an entry listing repeated report-uri/report-to directives. */
export const DUPLICATE_KEY = '_observatory_duplicate_key_warnings';
/** cspParser.js: a policy shorter than "img-src" minus one character is invalid. */
const MIN_POLICY_LENGTH = 'img-src'.length - 1;
const META_FORBIDDEN = ['frame-ancestors', 'report-uri', 'sandbox'];
const DUPLICATES_ALLOWED = new Set(['report-uri', 'report-to']);
const collate = new Intl.Collator('en').compare;

class CspInvalid extends Error {}

interface SourceEntry {
  source: string;
  policy: number;
  keep: boolean;
}

/**
 * cspParser.js pathPartMatch: does path-ish string `a` cover `b`, segment by segment (a trailing
 * "/" in `a` makes it a prefix)? decodeURIComponent may throw on a bad escape: the caller's parse
 * then fails, as upstream.
 */
function pathCovers(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === '/' && b.length === 0) return true;
  const prefix = a.endsWith('/');
  const as = a.split('/');
  const bs = b.split('/');
  if (as.length > bs.length) return false;
  if (!prefix && as.length !== bs.length) return false;
  if (prefix) as.pop();
  return as.every((seg, i) => decodeURIComponent(seg) === decodeURIComponent(bs[i] ?? ''));
}

/**
 * cspParser.js parseCsp: the Observatory's own CSP parse of a list of policies (header values and
 * meta contents). Throws CspInvalid (→ csp-header-invalid) on an empty or very short policy and on
 * a directive repeated inside one policy (report-uri/report-to excepted: noted under DUPLICATE_KEY).
 * Commas are not separators. Sources are lower-cased. A directive of a later policy keeps only the
 * sources that match one of the earlier policies' (an "intersection" by sorted neighbours and path
 * match); a "-src" directive without values, or left with none, is 'none'.
 */
export function observatoryParseCsp(list: readonly string[]): CspMap {
  const policies = list.map((p) => p.replace(/[\r\n]/g, '').trim());
  if (policies.length === 0) return new Map();
  for (const p of policies) if (p.length < MIN_POLICY_LENGTH) throw new CspInvalid(`policy too short: "${p}"`);
  const parsed = new Map<string, SourceEntry[]>();
  const duplicates = new Set<string>();
  policies.forEach((policy, index) => {
    const seen = new Set<string>();
    for (const part of policy.split(';')) {
      const tokens = part.trim().split(/\s+/);
      const first = tokens[0];
      if (!first) continue;
      const name = first.toLowerCase();
      if (seen.has(name)) {
        if (!DUPLICATES_ALLOWED.has(name)) throw new CspInvalid(`directive ${name} repeated in policy ${index}`);
        duplicates.add(name);
      } else seen.add(name);
      const keep = index === 0;
      const values: SourceEntry[] = tokens.slice(1).map((raw) => ({ source: raw.trim().toLowerCase(), policy: index, keep }));
      if (values.length === 0 && name.endsWith('-src')) values.push({ source: "'none'", policy: index, keep });
      const combined = index === 0 ? values : [...(parsed.get(name) ?? []), ...values];
      combined.sort((x, y) => collate(x.source, y.source));
      for (let i = 1; i < combined.length; i++) {
        const cur = combined[i]!;
        const prev = combined[i - 1]!;
        // Same policy: a longer source starting like its neighbour adds nothing.
        if (cur.policy === prev.policy && cur.source.startsWith(prev.source)) cur.keep = false;
        // Different policies: kept only when both allow it.
        if (cur.policy !== prev.policy && pathCovers(prev.source, cur.source)) cur.keep = true;
      }
      const kept = combined.filter((e) => e.keep);
      parsed.set(name, kept);
      // With several policies, the first policy's sources must be matched again to survive.
      if (index === 0 && list.length > 1) for (const e of kept) e.keep = false;
    }
  });
  const out: CspMap = new Map();
  for (const [name, entries] of parsed) out.set(name, new Set(entries.length ? entries.map((e) => e.source) : ["'none'"]));
  if (duplicates.size > 0) out.set(DUPLICATE_KEY, duplicates);
  return out;
}

export function observatoryParseCspMeta(list: readonly string[]): CspMap {
  const map = observatoryParseCsp(list);
  for (const d of META_FORBIDDEN) map.delete(d);
  return map;
}
