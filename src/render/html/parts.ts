// Small HTML building blocks every section uses: grade badges, severity tags, yes/no/not-tested
// words, tables inside their own scroll region, reference links. Every string that reaches the page
// goes through esc() here or in the caller; a link is made only for an http(s) URL.
import type { Grade, GradeLetter, Severity } from '../../model/report.js';
import { esc } from './page.js';

export type Tone = 'good' | 'warn' | 'bad' | 'low' | 'info' | 'none';

/** Heading level (1-6) as a tag name, clamped so deep nesting stays valid HTML. */
export const h = (level: number, text: string, attrs = ''): string => {
  const n = Math.min(6, Math.max(1, level));
  return `<h${n}${attrs}>${text}</h${n}>`;
};

export function gradeTone(g: GradeLetter | string | null): Tone {
  if (g === null) return 'none';
  if (g.startsWith('A')) return 'good';
  if (g.startsWith('B') || g.startsWith('C')) return 'warn';
  return 'bad'; // D, E, F and the failing T (untrusted) / M (name mismatch)
}

/** What T and M mean, for the badge's accessible name: the letter alone does not say it. */
const GRADE_MEANING: Partial<Record<string, string>> = { T: 'certificate not trusted', M: 'certificate name mismatch' };

/** A grade letter as a badge; null is "not graded" in words, never a letter and never styled as a pass. */
export function badge(g: Grade | string | undefined, untestedWord = 'not graded'): string {
  if (g === null || g === undefined) return `<span class="badge untested">${esc(untestedWord)}</span>`;
  const meaning = GRADE_MEANING[g];
  return `<span class="badge t-${gradeTone(g)}"${meaning ? ` title="${esc(meaning)}"` : ''}>${esc(g)}</span>${meaning ? `<span class="visually-hidden"> (${esc(meaning)})</span>` : ''}`;
}

export function severityTone(s: Severity): Tone {
  return s === 'critical' || s === 'high' ? 'bad' : s === 'medium' ? 'warn' : s === 'low' ? 'low' : 'info';
}

/** A severity as a word in a coloured tag (the word carries the meaning; the colour only repeats it). */
export const sevTag = (s: Severity): string => `<span class="sev t-${severityTone(s)}">${esc(s)}</span>`;

/** Text in a tone's colour (bold), for words like "accepted" or "expired". */
export const toned = (text: string, tone: Tone | null): string => (tone ? `<span class="tone t-${tone}">${esc(text)}</span>` : esc(text));

/**
 * A tri-state verdict as words: null/undefined is "not tested" (muted), never "no" and never a pass.
 * `goodIs` says which answer is the good one (true for "trusted", false for "compression").
 */
export function yesNo(v: boolean | null | undefined, goodIs: boolean | null = true, words: [string, string] = ['yes', 'no']): string {
  if (v === null || v === undefined) return `<span class="muted">not tested</span>`;
  const text = v ? words[0] : words[1];
  if (goodIs === null) return esc(text);
  return toned(text, v === goodIs ? 'good' : 'bad');
}

export const muted = (text: string): string => `<span class="muted">${esc(text)}</span>`;
export const code = (text: string): string => `<code>${esc(text)}</code>`;
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

export interface Column {
  /** Header text (plain, escaped here). */
  head: string;
  num?: boolean;
}

/**
 * A table in its own horizontal scroll region (a focusable, labelled region, so keyboard users can
 * scroll it), with a caption and column headers. Rows are HTML cells already (`<td>`/`<th scope=row>`):
 * use td()/rowTh(). An array `body` gives one <tbody> per entry (row groups, e.g. one per protocol).
 */
export function table(caption: string, cols: readonly Column[], body: string | string[], extraClass = ''): string {
  const head = cols.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.head)}</th>`).join('');
  const bodies = Array.isArray(body) ? body.map((b) => `<tbody>${b}</tbody>`).join('') : `<tbody>${body}</tbody>`;
  return (
    `<div class="scroll" role="region" aria-label="${esc(caption)}" tabindex="0">` +
    `<table${extraClass ? ` class="${extraClass}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead>${bodies}</table></div>\n`
  );
}

/** A data cell; `html` is markup already (escape text with esc()). */
export const td = (html: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
/** A row header cell. */
export const rowTh = (html: string): string => `<th scope="row">${html}</th>`;
export const tr = (cells: string[]): string => `<tr>${cells.join('')}</tr>`;

/** Key/value pairs as a description list; values are markup, null values are left out. */
export function kv(pairs: Array<[string, string | null | undefined]>): string {
  const items = pairs.filter((p): p is [string, string] => p[1] !== null && p[1] !== undefined);
  if (!items.length) return '';
  return `<dl class="kv">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>\n`;
}

/** An http(s) URL made safe for href, or null (javascript:, data:, relative, malformed, credentials …). */
export function safeHttpUrl(raw: string): string | null {
  const s = raw.trim();
  if (!/^https?:\/\//i.test(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password) return null;
  return u.href;
}

/**
 * A finding reference: "Title (https://…)" or a bare URL becomes a link (rel=noreferrer, class ref);
 * a citation without a URL ("RFC 9150", "CVE-2013-0169 (Lucky13)") stays text.
 */
export function referenceHtml(ref: string): string {
  const m = /^(.*?)\s*\((https?:\/\/[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)\s*$/i.exec(ref);
  const [label, rawUrl] = m ? [m[1]!.trim() || m[2]!, m[2]!] : /^https?:\/\/\S+$/i.test(ref.trim()) ? [ref.trim(), ref.trim()] : [ref, null];
  const url = rawUrl ? safeHttpUrl(rawUrl) : null;
  if (!url) return esc(ref);
  return `<a class="ref" href="${esc(url)}" rel="noreferrer">${esc(label)}</a>`;
}

/** "endpoint:1.2.3.4:443" → a fragment id part safe in any id/href (letters, digits, dashes). */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'x';

/** A date-time string as "2026-12-07 17:49 UTC" (the report's own dates; not the clock). */
export function dateText(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

/** A signed point count: "+5", "−20", "0" (a real minus sign, so it reads as one). */
export const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `\u2212${-n}` : '0');
