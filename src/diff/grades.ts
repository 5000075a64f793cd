// The grade order a diff judges "worse" by: A+ > A > A- > B > C > D > E > F, then T and M (the
// trust and name-mismatch caps) below F; null is "not decided", which is never compared.
import type { GradeLetter } from '../model/report.js';

const ORDER: Record<GradeLetter, number> = { 'A+': 9, A: 8, 'A-': 7, B: 6, C: 5, D: 4, E: 3, F: 2, T: 1, M: 1 };

export function diffGradeRank(g: GradeLetter): number {
  return ORDER[g];
}

/** How `after` compares to `before`: worse, better, changed (T ↔ M: same rank, another cause) or same. */
export function compareGrades(before: GradeLetter, after: GradeLetter): 'worse' | 'better' | 'changed' | 'same' {
  if (before === after) return 'same';
  const d = ORDER[after] - ORDER[before];
  return d < 0 ? 'worse' : d > 0 ? 'better' : 'changed';
}
