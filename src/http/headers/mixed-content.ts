// Mixed content: http:// resources (active or passive) loaded by an https page. It reads the page,
// not a header, and runs with the header checks because checkResponseHeaders has the page.
import { finding, type CheckFinding } from '../../model/finding.js';
import type { HtmlElementRef, HtmlScan } from '../html-resources.js';
import { clip, documentBase, MAX_LISTED_URLS, R, resolve } from './common.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const MIXED_CONTENT_FINDINGS = {
  mixedContentActive: 'http.mixed-content.active',
  mixedContentPassive: 'http.mixed-content.passive',
} as const;

type MixedKind = 'active' | 'passive';

/** Which URLs of an element are fetched as active (blockable) or passive (upgradable) content. */
function mixedUrls(e: HtmlElementRef): Array<{ kind: MixedKind; raw: string }> {
  const out: Array<{ kind: MixedKind; raw: string }> = [];
  const push = (kind: MixedKind, raw: string | null | undefined) => {
    if (raw !== null && raw !== undefined && raw.trim() !== '') out.push({ kind, raw });
  };
  switch (e.tag) {
    case 'script':
    case 'iframe':
    case 'object':
    case 'embed':
    case 'form':
      push('active', e.url);
      break;
    case 'link': {
      const rel = (e.attrs['rel'] ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
      if (rel.includes('stylesheet')) push('active', e.url);
      break;
    }
    case 'img':
    case 'audio':
    case 'source':
    case 'track':
      push('passive', e.url);
      break;
    case 'video':
      push('passive', e.url);
      push('passive', e.attrs['poster']);
      break;
  }
  return out;
}

/**
 * Mixed content on an https page: active content (script, iframe, object, embed, stylesheet, form
 * action) over http:// is high — browsers block it, or the page breaks, and where it loads a
 * network attacker controls the page; passive content (img, audio, video, source, track) is low —
 * browsers upgrade or block it, and where they do not it can be swapped or observed.
 * Protocol-relative `//host/x` inherits https and is fine. Relative URLs resolve against <base>.
 */
export function checkMixedContent(scan: HtmlScan, pageUrl: string): CheckFinding[] {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return [];
  }
  if (page.protocol !== 'https:') return [];
  const base = documentBase(scan, pageUrl) ?? page;
  const found: Record<MixedKind, { count: number; items: Array<{ tag: string; url: string }> }> = {
    active: { count: 0, items: [] },
    passive: { count: 0, items: [] },
  };
  for (const e of scan.elements) {
    if (e.ns !== 'html') continue; // foreign (<svg>/<math>) elements load nothing through these attributes
    for (const { kind, raw } of mixedUrls(e)) {
      const u = resolve(raw, base);
      if (u === null || u.protocol !== 'http:') continue;
      const f = found[kind];
      f.count++;
      if (f.items.length < MAX_LISTED_URLS) f.items.push({ tag: e.tag, url: clip(u.href, 256) });
    }
  }
  const out: CheckFinding[] = [];
  const refs = [R.mixedContent, R.mdnMixedContent];
  const list = (f: (typeof found)[MixedKind]) =>
    `${f.items.map((i) => `<${i.tag}> ${i.url}`).join(', ')}${f.count > f.items.length ? ` and ${f.count - f.items.length} more` : ''}`;
  if (found.active.count > 0) {
    out.push(
      finding({
        id: MIXED_CONTENT_FINDINGS.mixedContentActive,
        severity: 'high',
        title: 'HTTPS page loads active content over plain HTTP',
        detail: `Scripts, frames, stylesheets or form targets over http:// can be read or replaced by anyone on the network, which gives them the page: ${list(found.active)}.`,
        evidence: { url: pageUrl, kind: 'active', count: found.active.count, resources: found.active.items },
        remediation: "Load every resource over https:// (or a relative / protocol-relative URL); `Content-Security-Policy: upgrade-insecure-requests` upgrades the stragglers.",
        references: refs,
      }),
    );
  }
  if (found.passive.count > 0) {
    out.push(
      finding({
        id: MIXED_CONTENT_FINDINGS.mixedContentPassive,
        severity: 'low',
        title: 'HTTPS page loads images or media over plain HTTP',
        detail: `Browsers upgrade or block these, and older ones show the page as not fully secure; the content can be observed or swapped on the network: ${list(found.passive)}.`,
        evidence: { url: pageUrl, kind: 'passive', count: found.passive.count, resources: found.passive.items },
        remediation: 'Serve images and media over https://, or send `Content-Security-Policy: upgrade-insecure-requests`.',
        references: refs,
      }),
    );
  }
  return out;
}
