// The card's building blocks: a CardLine is one logical line (label + items) that the layout
// (./layout.ts) flows into terminal rows. Shared by every section of the card.
import { seg, SEVERITY_TAG_WIDTH, type Seg, type Tone } from '../style.js';
import type { Report, Severity } from '../../model/report.js';

/**
 * One logical line of a card: an optional prefix (label or severity tag) filling the first `indent`
 * columns, then items separated by `gap` spaces. Items wrap as units onto continuation lines that
 * start at `indent`; an item wider than the space left is broken at its spaces (a URL never is).
 */
export interface CardLine {
  indent: number;
  prefix?: Seg[];
  items: Seg[][];
  gap: number;
  /**
   * Minimum widths of the items, for table-like rows (suites, the summary): applied only when the
   * padded row fits the width, so narrow terminals get the compact flow instead of wrapped padding.
   */
  pad?: number[];
  /** Extra indent of continuation rows, so a wrapped table row does not read as the next row. */
  hang?: number;
}

/** What the card leaves out: findings below --severity. */
export interface CardOptions {
  minSeverity?: Severity | null;
}

export const FIELD_INDENT = 2;
export const LABEL_WIDTH = 12;
/** Column where a finding's title and its detail lines start. */
export const FINDING_INDENT = FIELD_INDENT + SEVERITY_TAG_WIDTH + 2;
/** Column of the rows under a field (a protocol's suites). */
export const ROW_INDENT = FIELD_INDENT + 2;

export const blank = (): CardLine => ({ indent: 0, items: [], gap: 0 });
export const heading = (...items: Seg[][]): CardLine => ({ indent: 0, items, gap: 2 });
export const field = (label: string, items: Seg[][]): CardLine => ({
  indent: FIELD_INDENT + LABEL_WIDTH,
  prefix: [seg(' '.repeat(FIELD_INDENT) + label)],
  items,
  gap: 2,
});
/** Free text under a finding: one item, broken at spaces only when it does not fit. */
export const note = (segs: Seg[]): CardLine => ({ indent: FINDING_INDENT, items: [segs], gap: 1 });

export function statusItem(status: Report['status'] | 'skipped', reason: string | undefined): Seg[] {
  const tone: Tone = status === 'error' ? 'bad' : status === 'skipped' ? 'dim' : 'warn';
  return [seg(`${status}: ${reason ?? 'no reason given'}`, tone)];
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
