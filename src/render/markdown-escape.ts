// Markdown escaping shared by the Markdown outputs (the report, `secgrade diff`, `secgrade summary`).
// Everything these print comes from scanned servers (titles, headers, certificate names, records),
// so no value may start markup: not a table cell break, not HTML, not a link or an image.

/** One line: table cells and list items cannot hold a line break. */
const oneLine = (v: string | number): string => String(v).replace(/\r\n|\r|\n/g, ' ');

/**
 * A table cell as `secgrade diff` and `secgrade summary` have always written it: one line, pipes
 * escaped, `<` (and unless `gt` is false, `>`) as entities. Their outputs are kept byte for byte.
 */
export function tableCell(v: string | number, opts: { gt?: boolean } = {}): string {
  // \r?\n (not a lone \r) and no backslash escaping: what both have always done.
  const s = String(v).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return opts.gt === false ? s : s.replace(/>/g, '&gt;');
}

/** `secgrade diff`'s code span: backticks become quotes so the span cannot end early. */
export const diffCode = (v: string): string => `\`${v.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

/**
 * Free text from a report as literal Markdown text, for a table cell, a list item or a paragraph:
 * one line; the characters that start emphasis, code, links, strikethrough or a cell break are
 * backslash-escaped (a backslash too, or `\|` would become an escaped backslash and a real pipe);
 * `&`, `<` and `>` are entities, so no HTML, entity or autolink can start. Plain URLs in the text
 * still show as links on GitHub (its autolinking needs no markup), which is harmless.
 */
export function mdText(v: string | number): string {
  return oneLine(v)
    .replace(/[\\`*_[\]~|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A code span that holds any text: the fence is one backtick longer than the longest run inside,
 * padded with a space when the text starts or ends with a backtick (CommonMark §6.1). Pipes are
 * escaped, as GitHub splits table rows before it reads code spans.
 */
export function mdCode(v: string): string {
  const text = oneLine(v).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text for HTML contexts (`<summary>`): the five characters HTML gives meaning to. */
export function htmlText(v: string): string {
  return oneLine(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * An http(s) URL made safe as a link destination, or null for anything else (javascript:, data:,
 * file:, relative or unparsable): those are shown as text, never as links. The characters that end
 * a destination or a table cell are percent-encoded.
 */
export function safeHref(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return u.href.replace(/[()<>|\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * A finding reference as Markdown: "Title (https://…)" as a link titled Title, a bare http(s) URL
 * as a link to itself, anything else (a citation, an RFC number, a URL of another scheme) as text.
 */
export function mdReference(ref: string): string {
  const titled = /^(.*?\S)\s*\((https?:\/\/.*)\)\s*$/i.exec(ref);
  if (titled) {
    const href = safeHref(titled[2]!);
    if (href) return `[${mdText(titled[1]!)}](${href})`;
  }
  const bare = safeHref(ref);
  if (bare && /^https?:\/\/\S+$/i.test(ref.trim())) return `[${mdText(ref.trim())}](${bare})`;
  return mdText(ref);
}
