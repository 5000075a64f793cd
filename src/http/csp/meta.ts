// CSP delivered in <meta http-equiv="Content-Security-Policy" content="…"> (HTML §4.2.5.3), read
// from the tree the HTML parser builds (html-resources.ts, parse5): comments, raw text, <template>
// content and foreign content cannot fake a <meta>, and only a <meta> that is a child of <head>
// counts, as the HTML Standard requires ("if the meta element is not a child of a head element,
// return") — the parser decides where the head ends. Bounded by the scan's limits.
import { MAX_HTML_BYTES, scanHtml } from '../html-resources.js';
import { CSP_LIMITS, parseCsp, type CspNote, type ParsedCsp } from './parse.js';

/** How much of a page is read for <meta> policies: the HTML scan's cap. */
export const META_SCAN_MAX_LENGTH = MAX_HTML_BYTES;

export interface MetaCspExtraction {
  /** content of each enforced meta CSP inside <head>, in document order. */
  policies: string[];
  /** Meta CSP elements browsers ignore, with the reason (report-only, outside <head>, empty). */
  ignored: Array<{ content: string; reason: string }>;
  /** True when the page was read only in part (size or parse limits). */
  truncated: boolean;
}

/** Find every CSP <meta> of an HTML document (the first `maxLength` characters of it). */
export function extractMetaCsp(input: string, maxLength = META_SCAN_MAX_LENGTH): MetaCspExtraction {
  const html = typeof input === 'string' ? input : '';
  const cut = html.length > maxLength;
  const scan = scanHtml(cut ? html.slice(0, maxLength) : html);
  const out: MetaCspExtraction = { policies: [], ignored: [], truncated: cut || scan.truncated };
  for (const el of scan.elements) {
    if (el.tag === 'meta' && el.ns === 'html') visitMeta(el.attrs, el.inHead, out);
  }
  return out;
}

function visitMeta(attrs: Readonly<Record<string, string>>, inHead: boolean, out: MetaCspExtraction): void {
  const equiv = (attrs['http-equiv'] ?? '').toLowerCase();
  if (equiv !== 'content-security-policy' && equiv !== 'content-security-policy-report-only') return;
  const content = attrs['content'] ?? '';
  if (out.policies.length + out.ignored.length >= CSP_LIMITS.maxPolicies) return;
  if (equiv === 'content-security-policy-report-only') {
    out.ignored.push({ content, reason: 'Content-Security-Policy-Report-Only is not supported in <meta>' });
  } else if (!inHead) {
    out.ignored.push({ content, reason: 'the <meta> element is not in <head>' });
  } else if (content === '') {
    out.ignored.push({ content, reason: 'the <meta> element has no content' });
  } else {
    out.policies.push(content);
  }
}

/** Parse the contents found by extractMetaCsp as one set of policies (each meta is one policy). */
export function parseMetaCsp(contents: readonly string[]): ParsedCsp {
  const merged: ParsedCsp = { source: 'meta', policies: [], notes: [], notesDropped: 0, length: 0 };
  for (const content of contents.slice(0, CSP_LIMITS.maxPolicies)) {
    const p = parseCsp(content, { source: 'meta' });
    const offset = merged.policies.length;
    merged.policies.push(...p.policies);
    const notes: CspNote[] = p.notes.map((n) => ({ ...n, policy: n.policy === null ? null : n.policy + offset }));
    const room = CSP_LIMITS.maxNotes - merged.notes.length;
    merged.notes.push(...notes.slice(0, Math.max(0, room)));
    merged.notesDropped += p.notesDropped + Math.max(0, notes.length - Math.max(0, room));
    merged.length += p.length;
  }
  return merged;
}
