// Exit codes are part of the contract that scripts and CI gates rely on.
import { gradeRank, severityRank, worstGrade } from '../model/severity.js';
import type { GradeLetter, Report, Severity } from '../model/report.js';

export const EXIT = {
  ok: 0,
  /** Findings at or above --fail-on, or a grade below --fail-under. */
  failed: 1,
  usage: 2,
  /** The scan could not be completed: unresolvable, unreachable, interrupted. */
  incomplete: 3,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Gate {
  failOn: Severity | null;
  failUnder: GradeLetter | null;
}

/** Why a report fails the gate, or null when it passes. */
export function gateFailure(report: Report, gate: Gate): string | null {
  const name = `${report.target.host}:${report.target.port}`;
  if (gate.failOn) {
    const bar = severityRank(gate.failOn);
    const hits = report.findings.filter((f) => severityRank(f.severity) <= bar);
    if (hits.length) return `${name}: ${hits.length} finding(s) at or above ${gate.failOn} (first: ${hits[0]?.id})`;
  }
  if (gate.failUnder) {
    const g = report.grades;
    const worst = g.overall ?? worstGrade([g.tls, g.http, g.email]);
    // A gate that cannot be evaluated must not pass silently.
    if (worst === null) return `${name}: no grade was computed, so --fail-under ${gate.failUnder} cannot pass`;
    if (gradeRank(worst) < gradeRank(gate.failUnder)) return `${name}: grade ${worst} is below ${gate.failUnder}`;
  }
  return null;
}

export function exitCodeFor(reports: readonly Report[], gate: Gate): { code: number; messages: string[] } {
  const incomplete = reports.filter((r) => r.status === 'error');
  const failures = reports.map((r) => gateFailure(r, gate)).filter((m): m is string => m !== null);
  const messages = [
    ...incomplete.map((r) => `${r.target.host}: scan incomplete: ${r.reason ?? 'unknown reason'}`),
    ...failures,
  ];
  const code = incomplete.length ? EXIT.incomplete : failures.length ? EXIT.failed : EXIT.ok;
  return { code, messages };
}
