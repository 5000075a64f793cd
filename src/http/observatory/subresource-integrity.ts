// Observatory test `subresource-integrity` (tests/subresource-integrity.js in 1.4.8): integrity and scheme of the page's
// <script src> elements, judged by site (registrable domain) as upstream does.
import { parse as parseHost } from 'tldts';
import type { ObservatoryResultOf } from './results.js';
import type { HtmlElementRef, HtmlScan } from '../html-resources.js';
import { clip, worse, type Outcome } from './evidence.js';
import { HTML_TYPES, mimeOf, type Requests, type ScanPage } from './retriever.js';

// tests/subresource-integrity.js
const SRI_ORDER: ReadonlyArray<ObservatoryResultOf<'subresource-integrity'>> = [
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely',
  'sri-not-implemented-and-external-scripts-not-loaded-securely',
  'sri-not-implemented-response-not-html',
];

/**
 * What `script.src` returns in JSDOM for a document at about:blank: the attribute resolved against
 * the document base (the first <base href> when it is absolute, else about:blank, against which
 * only absolute URLs and fragments resolve), serialized; the raw attribute when it does not resolve.
 */
function reflectedSrc(raw: string, base: string | null): string {
  try {
    return new URL(raw, base ?? 'about:blank').href;
  } catch {
    return raw;
  }
}

/**
 * jsdom's document base: `querySelector("base[href]")` (the first <base> with an href, whatever its
 * namespace) resolved against about:blank; null (about:blank) when there is none or it is relative.
 */
function documentBase(scan: HtmlScan): string | null {
  const first = scan.elements.find((e) => e.tag === 'base' && e.attrs['href'] !== undefined);
  const href = first?.attrs['href'];
  if (href === undefined) return null;
  try {
    return new URL(href).href;
  } catch {
    return null;
  }
}

/**
 * The scripts of the page as the Observatory's test sees them in jsdom:
 * `document.querySelectorAll("script")` lists every element named script, HTML or foreign
 * (<svg>/<math>), outside <template> content; `script.src` is the reflected URL on an HTML script
 * ('' without the attribute) and does not exist (undefined) on a foreign one, which so counts as a
 * script that loads nothing; `integrity` is `getAttribute("integrity")`.
 */
export function observatoryScriptView(scan: HtmlScan): Array<{ src: string | undefined; integrity: string | null }> {
  const base = documentBase(scan);
  return scan.elements
    .filter((e: HtmlElementRef) => e.tag === 'script')
    .map((e) => {
      const raw = e.attrs['src'];
      return { src: e.ns !== 'html' ? undefined : raw === undefined ? '' : reflectedSrc(raw, base), integrity: e.attrs['integrity'] ?? null };
    });
}

/** tests/subresource-integrity.js subresourceIntegrityTest. */
export function sriTest(r: Requests, scanPage: ScanPage): Outcome<'subresource-integrity'> {
  const resp = r.auto;
  if (!resp) return { result: 'sri-not-implemented-but-no-scripts-loaded', detail: 'No response.' };
  const mime = mimeOf(resp);
  if (!HTML_TYPES.has(mime)) return { result: 'sri-not-implemented-response-not-html', detail: `The response is ${mime ? `"${clip(mime, 60)}"` : 'untyped'}, not HTML.` };
  let scan: HtmlScan;
  try {
    scan = scanPage(r.html, 'document');
  } catch (err) {
    // JSDOM throwing ("severe parser error"): HtmlNotParseable, the one generic result.
    return { result: 'html-not-parseable', detail: `The HTML could not be parsed: ${(err as Error).message}.` };
  }
  const scripts = observatoryScriptView(scan);
  if (scripts.length === 0) return { result: 'sri-not-implemented-but-no-scripts-loaded', detail: `The page has no <script> element${scan.truncated ? ' (in the part of it that was read)' : ''}.` };
  const siteDomain = parseHost(r.host).domain;
  const sessionHttps = r.session?.url.protocol === 'https:';
  let result: ObservatoryResultOf<'subresource-integrity'> | null = null;
  let foreign = false;
  let example = '';
  for (const script of scripts) {
    const src = script.src;
    if (!src) continue;
    const integrity = script.integrity ?? '';
    let relativeOrigin = false;
    let relativeProtocol = false;
    let sameSite = false;
    if (/^(\/\/)[^/]/.test(src)) {
      relativeProtocol = true; // src="//cdn.example/x.js"
      sameSite = true;
    } else if (/^https?:\/\//.test(src)) {
      sameSite = parseHost(src).domain === siteDomain; // registrable domains (ICANN section), null for IPs
    } else relativeOrigin = true; // "/x.js", "x.js", data:, anything else
    const secureOrigin = relativeOrigin || (sameSite && !relativeProtocol);
    if (!secureOrigin) foreign = true;
    let scheme: string | null = null;
    // A full URL that does not parse (e.g. "http://[x") makes upstream's `new URL` throw and the
    // whole scan abort; here its scheme is read from the text instead.
    if (!relativeProtocol && !relativeOrigin) scheme = URL.canParse(src) ? new URL(src).protocol : src.slice(0, src.indexOf(':') + 1);
    const secureScheme = scheme === 'https:' || (relativeOrigin && sessionHttps);
    const before: ObservatoryResultOf<'subresource-integrity'> | null = result;
    if (!secureOrigin) {
      if (integrity && !secureScheme) result = worse('sri-implemented-but-external-scripts-not-loaded-securely', result, SRI_ORDER);
      else if (!integrity && secureScheme) result = worse('sri-not-implemented-but-external-scripts-loaded-securely', result, SRI_ORDER);
      else if (!integrity) result = worse('sri-not-implemented-and-external-scripts-not-loaded-securely', result, SRI_ORDER);
    } else if (integrity && secureScheme && result === null) {
      result = 'sri-implemented-and-all-scripts-loaded-securely';
    }
    if (result !== before) example = clip(src);
  }
  const n = `${scripts.length} script element(s)${scan.truncated ? ' in the part of the page that was read' : ''}`;
  if (result === null) {
    return foreign
      ? { result: 'sri-implemented-and-external-scripts-loaded-securely', detail: `${n}: external scripts all have integrity and load over https.` }
      : { result: 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin', detail: `${n}, all from the same site.` };
  }
  const why: Partial<Record<ObservatoryResultOf<'subresource-integrity'>, string>> = {
    'sri-implemented-and-all-scripts-loaded-securely': 'same-site scripts with integrity over https',
    'sri-implemented-but-external-scripts-not-loaded-securely': 'an external script with integrity is loaded over http or protocol-relative',
    'sri-not-implemented-but-external-scripts-loaded-securely': 'an external https script has no integrity',
    'sri-not-implemented-and-external-scripts-not-loaded-securely': 'an external script without integrity is loaded over http or protocol-relative',
  };
  return { result, detail: `${n}: ${why[result] ?? result} (${example}).` };
}
