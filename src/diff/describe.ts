// One-line wording of a diff's parts, shared by the text and Markdown renderers (and alert texts later).
import type { FactChange, FactValue, TargetDiff } from './types.js';

const show = (v: FactValue): string => (v === null ? '(none)' : Array.isArray(v) ? (v.length ? v.join(', ') : '(empty)') : String(v));

/** A fact's change in one line: lists as what came and went, values as before → after. */
export function describeFactChange(c: FactChange): string {
  if (Array.isArray(c.before) && Array.isArray(c.after)) {
    const was = new Set(c.before);
    const now = new Set(c.after);
    const added = c.after.filter((x) => !was.has(x));
    const removed = c.before.filter((x) => !now.has(x));
    return [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ') || 'order changed';
  }
  return `${show(c.before)} → ${show(c.after)}`;
}

/** Worth a block of its own: anything but an unchanged target with nothing unknown. */
export const hasNews = (t: TargetDiff): boolean => t.status !== 'unchanged' || t.unknown.length > 0;

