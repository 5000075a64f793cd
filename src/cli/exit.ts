// Exit codes are part of the contract that scripts and CI gates rely on.
import { gradeRank, severityRank } from '../model/severity.js';
import type { GradeLetter, Report, Severity } from '../model/report.js';

export const EXIT = {
  ok: 0,
  /** Findings at or above --fail-on, or a grade below --fail-under. */
  failed: 1,
  usage: 2,
  /** The scan could not be completed: unresolvable, unreachable, partial, interrupted. */
  incomplete: 3,
} as const;

/** What each exit code means, as `--help` lists them (the numbers come from EXIT, so they cannot drift). */
export const EXIT_MEANING: Readonly<Record<keyof typeof EXIT, string>> = {
  ok: 'ok: everything asked for was done and no gate failed',
  failed: 'a gate failed: a finding at or above --fail-on, or the overall grade below --fail-under',
  usage: 'usage error: a bad command, flag, value or target (one line on stderr)',
  incomplete: 'not completed: unresolvable, unreachable, partial (unless --allow-partial) or interrupted',
};

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Gate {
  failOn: Severity | null;
  failUnder: GradeLetter | null;
  /** --allow-partial: a partial scan does not by itself fail --fail-on. */
  allowPartial?: boolean;
}

/** Why a report fails the gate, or null when it passes. */
export function gateFailure(report: Report, gate: Gate, name = `${report.target.host}:${report.target.port}`): string | null {
  if (gate.failOn) {
    const bar = severityRank(gate.failOn);
    const hits = report.findings.filter((f) => severityRank(f.severity) <= bar);
    if (hits.length) return `${name}: ${hits.length} finding(s) at or above ${gate.failOn} (first: ${hits[0]?.id})`;
  }
  if (gate.failUnder) {
    // Overall only: it is null whenever an untested part could still change it, and a gate that
    // cannot be evaluated must not pass silently.
    const worst = report.grades.overall;
    if (worst === null) {
      const why = report.gradeReasons?.overall;
      return `${name}: no overall grade${why ? ` (${why})` : ''}, so --fail-under ${gate.failUnder} cannot pass`;
    }
    if (gradeRank(worst) < gradeRank(gate.failUnder)) return `${name}: grade ${worst} is below ${gate.failUnder}`;
  }
  return null;
}

/**
 * 3 when a scan is not complete (error, interrupted, or partial unless --allow-partial), else 1
 * when a gate fails, else 0. A cut-short scan never exits 0 on its own: what was not tested could
 * have failed the gate. `nameOf` names a target in the messages (a batch names it as its list does).
 */
export function exitCodeFor(reports: readonly Report[], gate: Gate, nameOf?: (r: Report) => string): { code: number; messages: string[] } {
  const incomplete = reports.filter((r) => r.status === 'error' || r.status === 'interrupted' || (r.status === 'partial' && !gate.allowPartial));
  const failures = reports.map((r) => gateFailure(r, gate, nameOf?.(r))).filter((m): m is string => m !== null);
  const messages = [
    ...incomplete.map((r) => `${nameOf?.(r) ?? r.target.host}: scan ${r.status === 'error' ? 'incomplete' : r.status}: ${r.reason ?? 'unknown reason'}`),
    ...failures,
  ];
  const code = incomplete.length ? EXIT.incomplete : failures.length ? EXIT.failed : EXIT.ok;
  return { code, messages };
}
