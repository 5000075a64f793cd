// The shape of a diff between two runs (`secgrade diff A B --format json`): public API like the
// report, versioned by `schema`. Extend it, never rename.
import type { Grade, Report, Severity } from '../model/report.js';

export const DIFF_SCHEMA_ID = 'secgrade/diff@1';

/** The graded sections a diff compares (ssh only when a report has it). */
export const DIFF_SECTIONS = ['tls', 'http', 'email', 'ssh', 'overall'] as const;
export type DiffSection = (typeof DIFF_SECTIONS)[number];

export interface GradeChange {
  section: DiffSection;
  before: Grade;
  after: Grade;
  /** worse / better by the grade order (A+ > … > F > T, M); changed: T ↔ M, same rank. */
  change: 'worse' | 'better' | 'changed';
}

/** A finding as a diff names it: its identity (`id@subject`) and what a reader needs to see. */
export interface DiffFinding {
  id: string;
  subject: string;
  severity: Severity;
  title: string;
}

export interface SeverityChange {
  id: string;
  subject: string;
  title: string;
  before: Severity;
  after: Severity;
}

/** A fact of the configuration that differs (volatile fields are never facts). */
export interface FactChange {
  /** What it is about: endpoint:IP:PORT, url:URL, domain:NAME, mx:HOST. */
  subject: string;
  /** e.g. tls.protocol.TLSv1.0, tls.suites.TLSv1.2, cert.0.serial, http.hsts.maxAge, email.dmarc.p. */
  fact: string;
  /** null = absent on that side (an endpoint that is gone, no HSTS header …). */
  before: FactValue;
  after: FactValue;
}

export type FactValue = string | number | boolean | string[] | null;

/** Something that could not be compared because one side did not test it: never a change. */
export interface UnknownItem {
  /** A section (tls, http, email, dns), a grade (grade.tls), a fact or a finding (id@subject). */
  what: string;
  subject?: string;
  reason: string;
}

export type TargetDiffStatus = 'changed' | 'unchanged' | 'only-in-a' | 'only-in-b';

export interface TargetDiff {
  /** The target's name: the batch's input, else host (host:port when the port was given). */
  target: string;
  status: TargetDiffStatus;
  /** A worse grade, or a finding new (or raised) at or above --fail-on. */
  regression: boolean;
  /** One sentence per regression. */
  regressions: string[];
  grades: GradeChange[];
  findings: { added: DiffFinding[]; removed: DiffFinding[]; severityChanged: SeverityChange[] };
  facts: FactChange[];
  unknown: UnknownItem[];
}

export interface DiffResult {
  schema: typeof DIFF_SCHEMA_ID;
  /** The --fail-on bar used for "new finding" regressions; null: only grade drops count. */
  failOn: Severity | null;
  regression: boolean;
  summary: { targets: number; changed: number; unchanged: number; onlyInA: number; onlyInB: number; regressions: number; unknown: number };
  targets: TargetDiff[];
}

export interface DiffOptions {
  failOn?: Severity | null;
}

/**
 * Where the reports of one side come from: a file (a JSON report, a JSON array, a batch's NDJSON),
 * every report of a run in the history store, or one report of a target's history in the store
 * (`back` runs before its newest: 0 is the newest).
 */
export type DiffSource =
  | { kind: 'file'; path: string }
  | { kind: 'run'; runId: string }
  | { kind: 'target-run'; target: string; back: number };

export interface LoadedSide {
  source: DiffSource;
  /** How the source is named in messages. */
  label: string;
  reports: Report[];
  /** Notices for the user (a torn last line ignored …), one line each. */
  notices: string[];
}
