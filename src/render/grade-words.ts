// A report's grades in words for the formats that print them: the letter, or what a missing letter
// means. "Could not test" is never a pass, and "not graded" (it ran, no letter was decided) is not
// "not tested" (it did not run).
import type { Report } from '../model/report.js';

export type GradeKey = 'overall' | 'tls' | 'http' | 'email';

/** Whether a section ran far enough to be graded. */
function sectionTested(r: Report, k: GradeKey): boolean {
  switch (k) {
    case 'tls':
      return r.endpoints.some((e) => e.tls.status === 'ok');
    case 'http':
      return r.http?.status === 'ok';
    case 'email':
      return r.email?.status === 'ok';
    case 'overall':
      return r.status !== 'error' && (['tls', 'http', 'email'] as const).some((s) => sectionTested(r, s));
  }
}

/**
 * The letter, or "not tested" (nothing ran), "not graded" (it ran, no letter was decided) or "not
 * applicable" (HTTP and email of a service target: imap://, smtp:// …).
 */
export function gradeWord(r: Report, k: GradeKey): string {
  const g = r.grades[k];
  if (g !== null) return g;
  if ((k === 'http' || k === 'email') && r.target.scheme) return 'not applicable';
  return sectionTested(r, k) ? 'not graded' : 'not tested';
}
