// CardLine → terminal rows: greedy filling within the width, items kept whole when they fit,
// else split at spaces, else hard-split — except URLs, which are never broken (a copied link must
// work): a URL that does not fit goes on a row of its own, moved left as far as needed, and one
// longer than the whole width stays whole on its own row (the terminal wraps it, the text is intact).
import { displayWidth, hardSplit, paint, seg, segText, truncate, type Seg } from '../style.js';
import type { CardLine } from './lines.js';

/** Narrower than this, indentation would leave no room for values. */
export const MIN_WIDTH = 20;

const URL_RE = /\b(?:https?|ftp):\/\/\S/i;
const isUrl = (word: Seg[]): boolean => URL_RE.test(word.map((s) => s.text).join(''));

/** Split an item at its spaces into words (each still a list of toned segments). */
function words(item: Seg[]): Seg[][] {
  const out: Seg[][] = [];
  let cur: Seg[] = [];
  for (const s of item) {
    const parts = s.text.split(/ +/);
    parts.forEach((part, i) => {
      if (i > 0 && cur.length) {
        out.push(cur);
        cur = [];
      }
      if (part !== '') cur.push({ ...s, text: part });
    });
  }
  if (cur.length) out.push(cur);
  return out;
}

const widthOf = (segs: Seg[]): number => segs.reduce((n, s) => n + displayWidth(s.text), 0);

/** A laid-out row; `own` marks a URL too wide for the indent, placed on a row of its own. */
interface Row {
  segs: Seg[];
  own?: boolean;
}

/** `first` columns on the first row, `rest` on the continuation rows. */
function flow(items: Seg[][], first: number, gap: number, rest = first): Row[] {
  const rows: Row[] = [];
  let row: Seg[] = [];
  let used = 0;
  const room = () => (rows.length === 0 ? first : rest);
  const endRow = () => {
    if (row.length) rows.push({ segs: row });
    row = [];
    used = 0;
  };
  const place = (piece: Seg[], sep: number) => {
    const w = widthOf(piece);
    if (used > 0 && used + sep + w > room()) endRow();
    if (used > 0) {
      row.push(seg(' '.repeat(sep)));
      used += sep;
    }
    row.push(...piece);
    used += w;
  };
  for (const item of items) {
    if (widthOf(item) <= room()) {
      place(item, gap);
      continue;
    }
    words(item).forEach((word, i) => {
      const sep = i === 0 ? gap : 1;
      if (widthOf(word) <= rest) return place(word, sep);
      if (isUrl(word)) {
        endRow();
        rows.push({ segs: word, own: true });
        return;
      }
      const head = word[0];
      for (const chunk of hardSplit(word.map((s) => s.text).join(''), rest)) place([{ ...head, text: chunk }], sep);
    });
  }
  if (row.length || rows.length === 0) rows.push({ segs: row });
  return rows;
}

function renderSegs(segs: Seg[], color: boolean): string {
  return segs.map((s) => paint(s.text, s.tone, { color, badge: s.badge })).join('');
}

/** The prefix, cut to `indent` columns and padded to it. */
function renderPrefix(prefix: Seg[] | undefined, indent: number, color: boolean): string {
  let out = '';
  let used = 0;
  for (const s of prefix ?? []) {
    const text = truncate(s.text, indent - used);
    out += paint(text, s.tone, { color, badge: s.badge });
    used += displayWidth(text);
    if (used >= indent) break;
  }
  return out + ' '.repeat(Math.max(0, indent - used));
}

/** Items padded to their `pad` widths, when the whole padded row fits; else as they are. */
function padded(items: Seg[][], pad: number[] | undefined, avail: number, gap: number): Seg[][] {
  if (!pad) return items;
  const out = items.map((item, i) => {
    const extra = (pad[i] ?? 0) - widthOf(item);
    return extra > 0 && i < items.length - 1 ? [...item, seg(' '.repeat(extra))] : item;
  });
  // The table's width (every column at its pad), so all rows of one table decide alike.
  const total = items.reduce((n, item, i) => n + Math.max(pad[i] ?? 0, widthOf(item)), 0) + gap * Math.max(0, items.length - 1);
  return total <= avail ? out : items;
}

/**
 * One CardLine as terminal rows, none wider than `width` — but for a URL longer than the whole
 * width, which is printed whole on its own row.
 */
export function layoutCardLine(line: CardLine, width: number, color: boolean): string[] {
  const indent = Math.min(line.indent, Math.floor(width / 3));
  if (line.items.length === 0) return [renderPrefix(line.prefix, indent, color).trimEnd()];
  const avail = width - indent;
  const items = padded(
    line.items.map((item) => item.map((s) => ({ ...s, text: segText(s, color) }))),
    line.pad,
    avail,
    line.gap,
  );
  const hang = Math.min(line.hang ?? 0, Math.max(0, avail - MIN_WIDTH / 2));
  const rows = flow(items, avail, line.gap, avail - hang);
  // A label is never lost to a URL that needed a row of its own.
  if (rows[0]?.own && line.prefix) rows.unshift({ segs: [] });
  return rows.map((row, i) => {
    if (row.own) {
      // Moved left just enough to fit the width (to column 0 when even that is too narrow).
      const lead = Math.max(0, Math.min(indent, width - widthOf(row.segs)));
      return ' '.repeat(lead) + renderSegs(row.segs, color);
    }
    const lead = i === 0 ? renderPrefix(line.prefix, indent, color) : ' '.repeat(indent + hang);
    return (lead + renderSegs(row.segs, color)).trimEnd();
  });
}

/** Lines as rows of the given width. */
export function layoutCard(lines: readonly CardLine[], width: number, color: boolean): string[] {
  const w = Math.max(MIN_WIDTH, Math.floor(width));
  return lines.flatMap((line) => layoutCardLine(line, w, color));
}
