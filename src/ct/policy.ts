// Chrome's CT policy, for certificates issued on or after 15 April 2022:
// https://googlechrome.github.io/CertificateTransparency/ct_policy.html (GoogleChrome/CertificateTransparency
// ct_policy.md). Facts used, all in CHROME_CT_POLICY below:
// - Embedded SCTs: (1) at least one from a log Qualified, Usable or ReadOnly at the time of check;
//   (2) SCTs from at least N distinct logs Qualified, Usable, ReadOnly or Retired at the time of check,
//   N = 2 for a lifetime ≤ 180 days, 3 above; (3) among those, at least two distinct log operators.
// - SCTs delivered by the TLS extension or OCSP: at least two from logs Qualified, Usable or ReadOnly at
//   the time of check, from at least two distinct operators. The two delivery modes are not mixed.
// - An SCT from a Retired log counts only if issued before the Retired timestamp, compared using the
//   earliest SCT presented (policy "Important Notes"; Chrome's enforcer also checks the SCT itself).
// - Operator uniqueness = separate `operators` entries in the log list; a log's operator at the SCT's
//   time follows `previous_operators`.
// - Chrome stops enforcing CT when its log list is 70 days old or more.
// - Chrome 134 (March 2025) also required one SCT from an RFC 6962 (non-tiled) log; the policy change
//   GoogleChrome/CertificateTransparency#59 lifted that after 2026-04-15. Applied here by check time.
import { operatorAt, type CtLog, type CtLogState } from './log-list.js';

export const CHROME_CT_POLICY = {
  url: 'https://googlechrome.github.io/CertificateTransparency/ct_policy.html',
  embedded: {
    /** Lifetime (notAfter − notBefore) at or under which the short-lived count applies. */
    shortLifetimeMaxDays: 180,
    sctsShortLifetime: 2,
    sctsLongLifetime: 3,
    /** At least one SCT must come from a log in one of these states. */
    currentStates: ['qualified', 'usable', 'readonly'] as readonly CtLogState[],
    /** Logs whose SCTs count towards N. */
    countedStates: ['qualified', 'usable', 'readonly', 'retired'] as readonly CtLogState[],
    minOperators: 2,
  },
  tlsOrOcsp: {
    minScts: 2,
    countedStates: ['qualified', 'usable', 'readonly'] as readonly CtLogState[],
    minOperators: 2,
  },
  /** Until this instant, one counted SCT had to come from an RFC 6962 log. */
  rfc6962LogRequiredUntil: '2026-04-15T00:00:00Z',
  logListMaxAgeDays: 70,
} as const;

const DAY_MS = 86_400_000;

export type SctSource = 'certificate' | 'tls-extension' | 'ocsp';

export interface PolicySct {
  source: SctSource;
  /** true: signature verified; false: failed; null: could not be checked. */
  valid: boolean | null;
  /** ms since the epoch. */
  timestamp: number;
  log: CtLog | null;
}

export interface PolicyInput {
  scts: PolicySct[];
  notBefore: Date;
  notAfter: Date;
  now: Date;
  logListTimestamp: Date;
}

export interface PolicyCount {
  /** SCTs that count, one per distinct log. */
  counted: number;
  operators: string[];
}

export interface PolicyResult {
  compliant: boolean;
  via: 'embedded' | 'tls-or-ocsp' | null;
  /** Plain English, for the report. */
  reason: string;
  lifetimeDays: number;
  requiredEmbeddedScts: number;
  embedded: PolicyCount & { fromCurrentLog: boolean };
  tlsOrOcsp: PolicyCount;
  /** SCTs whose signature could not be checked (log not in the list, issuer unknown). */
  unverifiable: number;
  logListAgeDays: number;
  logListStale: boolean;
}

/** One SCT per log, the first seen (a log may return several SCTs for one certificate). */
function distinctLogs(scts: Array<PolicySct & { log: CtLog }>): Array<PolicySct & { log: CtLog }> {
  const seen = new Map<string, PolicySct & { log: CtLog }>();
  for (const s of scts) if (!seen.has(s.log.logId)) seen.set(s.log.logId, s);
  return [...seen.values()];
}

const hasLog = (s: PolicySct): s is PolicySct & { log: CtLog } => s.valid === true && s.log !== null;
const operatorsOf = (scts: Array<PolicySct & { log: CtLog }>) => [...new Set(scts.map((s) => operatorAt(s.log, s.timestamp)))].sort();
const inState = (s: { log: CtLog }, states: readonly CtLogState[]) => s.log.state !== null && states.includes(s.log.state);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function evaluateChromePolicy(input: PolicyInput): PolicyResult {
  const P = CHROME_CT_POLICY;
  const lifetimeMs = input.notAfter.getTime() - input.notBefore.getTime();
  const required = lifetimeMs > P.embedded.shortLifetimeMaxDays * DAY_MS ? P.embedded.sctsLongLifetime : P.embedded.sctsShortLifetime;
  const verified = input.scts.filter(hasLog);
  const earliest = Math.min(...verified.map((s) => s.timestamp));
  const needRfc6962 = input.now.getTime() < Date.parse(P.rfc6962LogRequiredUntil);

  // Embedded: Retired logs count only for SCTs issued before retirement.
  const embedded = distinctLogs(
    verified.filter(
      (s) =>
        s.source === 'certificate' &&
        inState(s, P.embedded.countedStates) &&
        (s.log.state !== 'retired' || (s.log.stateTimestamp !== null && s.timestamp < s.log.stateTimestamp.getTime() && earliest < s.log.stateTimestamp.getTime())),
    ),
  );
  const embeddedOps = operatorsOf(embedded);
  const fromCurrentLog = embedded.some((s) => inState(s, P.embedded.currentStates));
  const embeddedRfc6962 = !needRfc6962 || embedded.some((s) => !s.log.tiled);
  const embeddedOk = embedded.length >= required && fromCurrentLog && embeddedOps.length >= P.embedded.minOperators && embeddedRfc6962;

  const delivered = distinctLogs(verified.filter((s) => s.source !== 'certificate' && inState(s, P.tlsOrOcsp.countedStates)));
  const deliveredOps = operatorsOf(delivered);
  const deliveredRfc6962 = !needRfc6962 || delivered.some((s) => !s.log.tiled);
  const deliveredOk = delivered.length >= P.tlsOrOcsp.minScts && deliveredOps.length >= P.tlsOrOcsp.minOperators && deliveredRfc6962;

  const lifetimeDays = Math.round((lifetimeMs / DAY_MS) * 10) / 10;
  const logListAgeDays = Math.floor((input.now.getTime() - input.logListTimestamp.getTime()) / DAY_MS);
  const logListStale = logListAgeDays >= P.logListMaxAgeDays;
  const unverifiable = input.scts.filter((s) => s.valid === null).length;

  /** Valid SCTs that did not count because of their log's state, said in the reason. */
  const leftOut = (kind: 'certificate' | 'delivered', counted: Array<PolicySct & { log: CtLog }>) => {
    const ids = new Set(counted.map((s) => s.log.logId));
    const others = verified.filter((s) => (kind === 'certificate') === (s.source === 'certificate') && !ids.has(s.log.logId));
    if (others.length === 0) return '';
    const states = [...new Set(others.map((s) => s.log.state ?? 'without a state'))].join(' or ');
    return ` (${plural(others.length, 'valid SCT')} left out: log ${states})`;
  };
  let reason: string;
  if (embeddedOk) {
    reason = `Compliant: ${plural(embedded.length, 'embedded SCT')} from distinct logs run by ${embeddedOps.join(', ')}; a ${lifetimeDays}-day certificate needs ${required}.`;
  } else if (deliveredOk) {
    reason = `Compliant: ${plural(delivered.length, 'SCT')} delivered by TLS or OCSP from logs run by ${deliveredOps.join(', ')}.`;
  } else if (input.scts.length === 0) {
    reason = 'Not compliant: the certificate embeds no SCTs and the server sent none by TLS extension or OCSP.';
  } else {
    const gaps: string[] = [];
    const hasEmbedded = input.scts.some((s) => s.source === 'certificate');
    const hasDelivered = input.scts.some((s) => s.source !== 'certificate');
    if (hasEmbedded) {
      if (embedded.length < required) gaps.push(`${plural(embedded.length, 'embedded SCT')} count (valid, one per log, log in an accepted state); a ${lifetimeDays}-day certificate needs ${required}${leftOut('certificate', embedded)}`);
      else if (!fromCurrentLog) gaps.push('no embedded SCT comes from a log that is Qualified, Usable or ReadOnly now');
      else if (embeddedOps.length < P.embedded.minOperators) gaps.push(`the embedded SCTs all come from one operator (${embeddedOps.join(', ')})`);
      else gaps.push('no embedded SCT comes from an RFC 6962 log, required until 15 April 2026');
    }
    if (hasDelivered) {
      if (delivered.length < P.tlsOrOcsp.minScts) gaps.push(`${plural(delivered.length, 'SCT')} sent by TLS or OCSP count (valid, one per log, log Qualified, Usable or ReadOnly); ${P.tlsOrOcsp.minScts} are needed${leftOut('delivered', delivered)}`);
      else if (deliveredOps.length < P.tlsOrOcsp.minOperators) gaps.push(`the SCTs sent by TLS or OCSP all come from one operator (${deliveredOps.join(', ')})`);
      else gaps.push('no SCT sent by TLS or OCSP comes from an RFC 6962 log, required until 15 April 2026');
    }
    reason = `Not compliant: ${gaps.join('; ')}.`;
  }
  if (unverifiable > 0) reason += ` ${plural(unverifiable, 'SCT')} could not be checked (log not in the list, or issuer unknown).`;
  if (logListStale) reason += ` The log list is ${logListAgeDays} days old; Chrome stops enforcing CT once its list is ${P.logListMaxAgeDays} days old.`;

  return {
    compliant: embeddedOk || deliveredOk,
    via: embeddedOk ? 'embedded' : deliveredOk ? 'tls-or-ocsp' : null,
    reason,
    lifetimeDays,
    requiredEmbeddedScts: required,
    embedded: { counted: embedded.length, operators: embeddedOps, fromCurrentLog },
    tlsOrOcsp: { counted: delivered.length, operators: deliveredOps },
    unverifiable,
    logListAgeDays,
    logListStale,
  };
}

/** When the certificate itself cannot be read there is nothing to evaluate against. */
export function policyNotEvaluated(reason: string, now: Date, logListTimestamp: Date): PolicyResult {
  const logListAgeDays = Math.floor((now.getTime() - logListTimestamp.getTime()) / DAY_MS);
  return {
    compliant: false,
    via: null,
    reason,
    lifetimeDays: 0,
    requiredEmbeddedScts: CHROME_CT_POLICY.embedded.sctsLongLifetime,
    embedded: { counted: 0, operators: [], fromCurrentLog: false },
    tlsOrOcsp: { counted: 0, operators: [] },
    unverifiable: 0,
    logListAgeDays,
    logListStale: logListAgeDays >= CHROME_CT_POLICY.logListMaxAgeDays,
  };
}
