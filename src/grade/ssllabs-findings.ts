// The SSL Labs letter explained as findings: one per cap and per A- warning, naming the rule, so
// the report says why the grade is what it is. Informational: the issue behind each rule has its
// own finding with its real severity.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { SslLabsComponents, SslLabsGrade } from './ssllabs.js';

export function gradeFindings(rating: SslLabsComponents, grade: SslLabsGrade): CheckFinding[] {
  const out: CheckFinding[] = rating.caps.map((cap) =>
    finding({
      id: cap.id,
      severity: 'info',
      title: cap.grade === 'T' || cap.grade === 'M' ? `Grade ${cap.grade}: ${cap.reason}` : `Grade capped at ${cap.grade}: ${cap.reason}`,
      detail:
        cap.grade === 'T' || cap.grade === 'M'
          ? `The SSL Labs rating guide replaces the letter with ${cap.grade} because ${cap.reason}${grade.ignoringTrust ? `; with that fixed the grade would be ${grade.ignoringTrust}` : ''}.`
          : `The SSL Labs rating guide caps the grade at ${cap.grade} because ${cap.reason}.`,
      evidence: { rule: cap.id, cap: cap.grade, scoreLetter: rating.scoreLetter, score: rating.score },
      remediation: 'Fix the issue named in the rule (its own finding says how); the cap then no longer applies.',
      references: [REF.ssllabsGuide],
    }),
  );
  for (const w of grade.warnings) {
    out.push(
      finding({
        id: w.id,
        severity: 'info',
        title: `A- instead of A: ${w.reason}`,
        detail: `The rating guide gives A+ only to servers without warnings; ${w.reason}.`,
        evidence: { rule: w.id },
        remediation: w.id.endsWith('no-tls13') ? 'Enable TLS 1.3.' : 'Enable RFC 5746 secure renegotiation (any TLS library from after 2010 does).',
        references: [REF.ssllabsGuide],
      }),
    );
  }
  return out;
}
