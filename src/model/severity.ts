import { GRADES, SEVERITIES, type GradeLetter, type Severity } from './constants.js';
import type { Finding } from './report.js';

/** 0 = most severe. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** Findings sorted most severe first, then by id, so output is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id) ||
      (a.endpoint ?? '').localeCompare(b.endpoint ?? '') || a.subject.localeCompare(b.subject),
  );
}

export function isGradeLetter(g: string): g is GradeLetter {
  return (GRADES as readonly string[]).includes(g);
}

/** Higher is better. T (untrusted) and M (name mismatch) fail like F, as SSL Labs treats them. */
export function gradeRank(g: GradeLetter): number {
  const order: Record<GradeLetter, number> = { 'A+': 8, A: 7, 'A-': 6, B: 5, C: 4, D: 3, E: 2, F: 1, T: 1, M: 1 };
  return order[g];
}

/** The worst of the letters given (null entries are ignored; the first of equals); null when there is none. */
export function worstGrade<G extends GradeLetter>(grades: ReadonlyArray<G | null>): G | null {
  const letters = grades.filter((g): g is G => g !== null);
  return letters.length ? letters.reduce((a, b) => (gradeRank(b) < gradeRank(a) ? b : a)) : null;
}
