// The orders the fleet's targets table can be read in. The page has no script (its CSP forbids it),
// so "sorting" is done at render time: the same rows are emitted once per order, and a radio group
// with CSS `:checked` rules shows the table of the checked order (see sortCss and fleetTableHtml).
// This file holds no markup but the stylesheet's rules, so css.ts can build them from the same list.
import type { GradeLetter, Report } from '../../model/report.js';
import { gradeRank } from '../../model/severity.js';
import type { Digest } from './fleet.js';

/** Not graded sorts before F: nothing could be decided, which needs a look first. */
const rank = (g: GradeLetter | null): number => (g === null ? 0 : gradeRank(g));
const STATUS_ORDER: Record<Report['status'], number> = { error: 0, interrupted: 1, partial: 2, ok: 3 };

/** Worst first: overall grade, then incomplete scans, then the most critical/high findings, then name. */
export function worstFirst(a: Digest, b: Digest): number {
  return (
    rank(a.grades.overall) - rank(b.grades.overall) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    b.counts.critical - a.counts.critical ||
    b.counts.high - a.counts.high ||
    b.counts.medium - a.counts.medium ||
    a.label.localeCompare(b.label) ||
    a.n - b.n
  );
}

/** Names A→Z as people expect them ("host2" before "host10"); one collator, reused (it is the costly part). */
const NAMES = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export interface SortOrder {
  /** Part of the radio's id (`sort-<key>`) and of its table's class (`by-<key>`): [a-z] only. */
  key: string;
  /** The radio's label. */
  label: string;
  /** The table's caption: it names the order, so each copy says which one it is. */
  caption: string;
  compare: (a: Digest, b: Digest) => number;
}

const byGrade = (k: 'tls' | 'http' | 'email') => (a: Digest, b: Digest): number => rank(a.grades[k]) - rank(b.grades[k]) || worstFirst(a, b);

/** The first is the default (checked, and the one shown where the sorting rules cannot apply). */
export const SORT_ORDERS: readonly SortOrder[] = [
  {
    key: 'worst',
    label: 'Worst overall first',
    caption: 'Targets by grade, worst first (not graded first, then F, T, M … A+; within a grade, incomplete scans and the most severe findings first)',
    compare: worstFirst,
  },
  { key: 'name', label: 'Target name (A→Z)', caption: 'Targets by name, A to Z', compare: (a, b) => NAMES.compare(a.label, b.label) || a.n - b.n },
  { key: 'tls', label: 'TLS grade', caption: 'Targets by TLS grade, worst first (not graded first)', compare: byGrade('tls') },
  { key: 'http', label: 'HTTP grade', caption: 'Targets by HTTP grade, worst first (not graded first)', compare: byGrade('http') },
  { key: 'email', label: 'Email grade', caption: 'Targets by email grade, worst first (not graded first)', compare: byGrade('email') },
  {
    key: 'findings',
    label: 'Findings (most severe first)',
    caption: 'Targets by findings, most critical first, then most high, medium, low and info',
    compare: (a, b) =>
      b.counts.critical - a.counts.critical ||
      b.counts.high - a.counts.high ||
      b.counts.medium - a.counts.medium ||
      b.counts.low - a.counts.low ||
      b.counts.info - a.counts.info ||
      worstFirst(a, b),
  },
  {
    key: 'cert',
    label: 'Certificate expiry (soonest first)',
    caption: 'Targets by certificate expiry, expired and soonest first (no certificate read last)',
    compare: (a, b) =>
      (a.certDays === null ? 1 : 0) - (b.certDays === null ? 1 : 0) || (a.certDays ?? 0) - (b.certDays ?? 0) || worstFirst(a, b),
  },
];

export const SORT_GROUP = 'fleet-sort';
export const sortInputId = (o: SortOrder): string => `sort-${o.key}`;
export const sortTableClass = (o: SortOrder): string => `by-${o.key}`;

/**
 * The rules that show the checked order's table and hide the others (display:none also hides them
 * from screen readers: one table is read, the one chosen). The radios sit in a <fieldset> before the
 * tables, so each rule reads `.sort:has(#sort-K:checked) ~ .by-K`. Where `:has()` is not supported
 * the whole block is skipped: the default (worst-first) table shows alone and the inert radios are
 * hidden. With no CSS at all, every order shows one after another, each under its caption.
 */
export function sortCss(): string {
  const [first] = SORT_ORDERS;
  const show = SORT_ORDERS.map((o) => `.sort:has(#${sortInputId(o)}:checked)~.${sortTableClass(o)}{display:block}`).join('\n');
  return (
    `.sort{display:none}\n.by{display:none}\n.${sortTableClass(first!)}{display:block}\n` +
    `@supports selector(:has(*)){\n.sort{display:flex}\n.${sortTableClass(first!)}{display:none}\n${show}\n}`
  );
}
