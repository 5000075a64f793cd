// What every secgrade HTML page must be, checked on the parse5 tree (the HTML parsing algorithm a
// browser runs, so what is asserted here is what a browser builds): shared by the render-html tests.
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { expect } from 'vitest';

export type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];
type Parent = DefaultTreeAdapterMap['parentNode'];

export const parseHtml = (html: string): DefaultTreeAdapterMap['document'] => parse(html);

const isElement = (n: Node): n is Element => 'tagName' in n;
const children = (n: Node): Node[] => {
  const out: Node[] = 'childNodes' in n ? [...(n as Parent).childNodes] : [];
  if (isElement(n) && n.tagName === 'template') out.push((n as DefaultTreeAdapterMap['template']).content);
  return out;
};

/** Every element under `root` (document order) for which `pred` holds. */
export function all(root: Node, pred: (e: Element) => boolean): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    if (isElement(n) && pred(n)) out.push(n);
    for (const c of children(n)) walk(c);
  };
  walk(root);
  return out;
}

export const attr = (e: Element, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;

/** The text content (what textContent gives: text nodes concatenated). */
export function textOf(n: Node): string {
  if (n.nodeName === '#text') return (n as DefaultTreeAdapterMap['textNode']).value;
  if (isElement(n) && (n.tagName === 'style' || n.tagName === 'title' && n.parentNode?.nodeName === 'head')) return '';
  return children(n).map(textOf).join('');
}

export function headings(root: Node): Array<{ level: number; text: string }> {
  return all(root, (e) => /^h[1-6]$/.test(e.tagName)).map((e) => ({ level: Number(e.tagName[1]), text: textOf(e).replace(/\s+/g, ' ').trim() }));
}

/** An href allowed on the page: a fragment, the empty data: favicon, or a finding reference (http/https, rel=noreferrer). */
function allowedUrl(e: Element, name: string, value: string): boolean {
  if (value.startsWith('#')) return true;
  if (e.tagName === 'link' && attr(e, 'rel') === 'icon' && value === 'data:,') return true;
  if (e.tagName === 'a' && name === 'href' && attr(e, 'class') === 'ref') {
    return /^https?:\/\//.test(value) && (attr(e, 'rel') ?? '').split(/\s+/).includes('noreferrer');
  }
  return false;
}

/**
 * The page's invariants: a doctype and lang; one h1 and no skipped heading level; header, main and
 * footer landmarks; every table with a caption and scoped header cells, in a labelled, focusable
 * scroll region; no control but labelled radios in a fieldset; no script, no event handler, no
 * external URL but the findings' references, no javascript: anywhere; unique ids (fragment links
 * must land); every chart named.
 */
export function checkDocument(doc: DefaultTreeAdapterMap['document'], what: string): void {
  const doctype = doc.childNodes.find((n) => n.nodeName === '#documentType') as DefaultTreeAdapterMap['documentType'] | undefined;
  expect(doctype?.name, `${what}: doctype`).toBe('html');
  const html = all(doc, (e) => e.tagName === 'html')[0]!;
  expect(attr(html, 'lang'), `${what}: lang`).toMatch(/^[a-z]{2}/);
  expect(all(doc, (e) => e.tagName === 'meta' && attr(e, 'charset') === 'utf-8').length, `${what}: charset`).toBe(1);
  expect(all(doc, (e) => e.tagName === 'meta' && attr(e, 'name') === 'viewport').length, `${what}: viewport`).toBe(1);
  const csp = all(doc, (e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy')[0];
  expect(csp && attr(csp, 'content'), `${what}: CSP`).toContain("default-src 'none'");

  const hs = headings(doc);
  expect(hs.filter((x) => x.level === 1).length, `${what}: one h1`).toBe(1);
  expect(hs[0]?.level, `${what}: h1 first`).toBe(1);
  for (let i = 1; i < hs.length; i++) {
    expect(hs[i]!.level, `${what}: heading "${hs[i]!.text}" after h${hs[i - 1]!.level} "${hs[i - 1]!.text}" skips a level`).toBeLessThanOrEqual(hs[i - 1]!.level + 1);
  }
  for (const tag of ['header', 'main', 'footer']) expect(all(doc, (e) => e.tagName === tag).length, `${what}: one <${tag}>`).toBe(1);

  for (const t of all(doc, (e) => e.tagName === 'table')) {
    const caption = all(t, (e) => e.tagName === 'caption')[0];
    expect(caption && textOf(caption).trim(), `${what}: table caption`).toBeTruthy();
    const ths = all(t, (e) => e.tagName === 'th');
    expect(ths.length, `${what}: table "${caption && textOf(caption)}" has header cells`).toBeGreaterThan(0);
    for (const th of ths) expect(['col', 'row', 'rowgroup', 'colgroup'], `${what}: th scope`).toContain(attr(th, 'scope'));
    const region = t.parentNode as Element;
    expect(attr(region, 'class'), `${what}: table in a scroll region`).toBe('scroll');
    expect(attr(region, 'role')).toBe('region');
    expect(attr(region, 'aria-label')).toBeTruthy();
    expect(attr(region, 'tabindex')).toBe('0');
  }

  const banned = ['script', 'iframe', 'object', 'embed', 'img', 'form', 'base', 'frame', 'button', 'video', 'audio', 'source', 'select', 'textarea'];
  expect(all(doc, (e) => banned.includes(e.tagName)).map((e) => e.tagName), `${what}: active or loading elements`).toEqual([]);
  // The one control allowed: a radio (the fleet table's CSS-only sort), with no form to send, inside
  // a fieldset with a legend, and a label pointing at it.
  for (const input of all(doc, (e) => e.tagName === 'input')) {
    expect(attr(input, 'type'), `${what}: an input that is not a radio`).toBe('radio');
    expect(attr(input, 'name'), `${what}: radio name`).toBeTruthy();
    expect(input.attrs.map((a) => a.name).filter((n) => !['type', 'name', 'id', 'checked'].includes(n)), `${what}: radio attributes`).toEqual([]);
    const labels = all(doc, (e) => e.tagName === 'label' && attr(e, 'for') === attr(input, 'id'));
    expect(labels.map((l) => textOf(l).trim()).filter(Boolean).length, `${what}: radio ${attr(input, 'id')} has one label`).toBe(1);
    let p: Node | null = input.parentNode;
    while (p && !(isElement(p) && p.tagName === 'fieldset')) p = (p as Element).parentNode ?? null;
    expect(p && all(p, (e) => e.tagName === 'legend').length, `${what}: radio ${attr(input, 'id')} in a fieldset with a legend`).toBe(1);
  }
  const ids = new Set<string>();
  for (const e of all(doc, () => true)) {
    for (const a of e.attrs) {
      expect(a.name.startsWith('on'), `${what}: event handler ${a.name} on <${e.tagName}>`).toBe(false);
      expect(/javascript\s*:/i.test(a.value.replace(/[\s\u0000-\u001f]/g, '')), `${what}: javascript: in ${a.name}="${a.value}"`).toBe(false);
      if (['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'poster', 'data', 'background', 'cite'].includes(a.name)) {
        expect(allowedUrl(e, a.name, a.value), `${what}: URL ${a.name}="${a.value}" on <${e.tagName}>`).toBe(true);
      }
      if (a.name === 'style') expect(a.value, `${what}: inline style`).toMatch(/^width:\d{1,3}%$/);
      if (a.name === 'id') {
        expect(ids.has(a.value), `${what}: duplicate id ${a.value}`).toBe(false);
        ids.add(a.value);
      }
    }
  }
  // Every fragment link lands on an element of the page.
  for (const a of all(doc, (e) => (attr(e, 'href') ?? '').startsWith('#'))) expect(ids.has(attr(a, 'href')!.slice(1)), `${what}: link ${attr(a, 'href')} lands`).toBe(true);
  for (const svg of all(doc, (e) => e.tagName === 'svg')) {
    expect(attr(svg, 'role'), `${what}: svg role`).toBe('img');
    for (const id of (attr(svg, 'aria-labelledby') ?? '').split(' ')) expect(ids.has(id), `${what}: svg label ${id}`).toBe(true);
  }
}
