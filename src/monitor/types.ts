// The monitor's shared vocabulary: alert rules' ids, the conditions rules report, the alert
// records the state machine keeps, and the events notifiers receive. Public API like the report:
// the `json` webhook payload and the stdout NDJSON lines are made of these. Extend, never rename.
import type { Report, Severity } from '../model/report.js';
import type { TargetDiff } from '../diff/types.js';

export const RULE_IDS = [
  'grade-dropped',
  'new-finding',
  'cert-expiry',
  'weak-protocol',
  'weak-suite',
  'hsts-weakened',
  'dmarc-weakened',
  'spf-weakened',
  'mx-starttls-lost',
  'scan-failing',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The relevant part of the diff (or of the reports) an alert carries: what changed, before → after. */
export interface AlertChange {
  /** What it is about: a grade (grade.tls), a fact (http.hsts.maxAge), a finding (id@subject), a certificate … */
  what: string;
  before: unknown;
  after: unknown;
}

/** A condition that holds now for a target: what would open (or keep open) an alert. */
export interface AlertCondition {
  /** rule|target|subject: stable across runs, so one condition is one alert. */
  key: string;
  rule: RuleId;
  target: string;
  /** What in the target: endpoint:IP:PORT, url:URL, domain:NAME, mx:HOST, grade.SECTION, id@subject … */
  subject: string;
  severity: Severity;
  /** One line, for a chat message or an email subject. */
  summary: string;
  changes: AlertChange[];
  /**
   * What the rule needs to judge later runs (the grade or HSTS before the drop …): kept with the
   * open alert, so "still weaker than before" survives restarts.
   */
  baseline?: unknown;
}

/** Something a rule could not judge on this run (untested): open alerts it covers neither resolve nor change. */
export interface RuleUnknown {
  rule: RuleId;
  /** null: the whole rule for this target. */
  subject: string | null;
  reason: string;
}

export interface RuleOutcome {
  conditions: AlertCondition[];
  unknown: RuleUnknown[];
}

/** An alert as the state store keeps it (one row of a monitor_alerts table): its condition, and when. */
export interface AlertRecord extends AlertCondition {
  /** ISO times. */
  openedAt: string;
  lastSeenAt: string;
  /** When "firing" was delivered to at least one notifier; null: not yet (sent again on the next run). */
  lastNotifiedAt: string | null;
  resolvedAt: string | null;
}

/** What notifiers get: an alert that opened (firing) or whose condition stopped holding on a tested run (resolved). */
export interface AlertEvent {
  type: 'alert';
  state: 'firing' | 'resolved';
  alert: AlertRecord;
  /** The run that opened or resolved it. */
  runId: string;
  at: string;
  /** The target's diff against its previous report, when there was one. */
  diff: TargetDiff | null;
}

/** The statuses of a target's recent runs, newest first (the current run first). */
export type RunStatuses = ReadonlyArray<Report['status']>;
