// Configuration profiles: each endpoint held to each profile asked for, in one pure step after the
// probes (the engine's assembly runs it beside the graders). The verdict is fail-closed: compliant
// only when every rule was decided and none deviates; a deviation is a finding whose severity
// (medium) trips `--fail-on medium` and below; an undecided verdict is one info finding.
import { finding, SUBJECT, withSubject, type CheckFinding } from '../../model/finding.js';
import type { EndpointReport, Finding, HttpResult, ProfileResult } from '../../model/report.js';
import { endpointKey } from '../../model/target.js';
import type { ProfileDefinition, ProfileEvidence, RuleOutcome } from './types.js';

export { PROFILE_IDS, isProfileId, type ProfileId, type ProfileDefinition } from './types.js';
export { profileDefinitions } from './data.js';

/** The severity of a deviation: a configuration policy broken, not a vulnerability by itself. */
export const DEVIATION_SEVERITY = 'medium' as const;

export interface ProfileCheck {
  result: ProfileResult;
  findings: CheckFinding[];
}

/** One endpoint against one profile. */
export function checkProfile(def: ProfileDefinition, ev: ProfileEvidence): ProfileCheck {
  const outcomes: RuleOutcome[] = def.rules.map((r) => r.check(ev));
  const bySource = new Map(def.rules.map((r) => [r.id, r]));
  const deviations = outcomes.flatMap((o) => (o.status === 'deviation' ? [{ rule: o.rule, expected: o.expected, actual: o.actual, source: bySource.get(o.rule)!.source }] : []));
  const untested = outcomes.flatMap((o) => (o.status === 'untested' ? [{ rule: o.rule, reason: o.reason }] : []));
  const compliant = deviations.length ? false : untested.length ? null : true;
  const result: ProfileResult = { profile: def.id, version: def.version, compliant, deviations, untested, notAssessed: [...def.notAssessed] };
  const findings = deviations.map((d) => {
    const rule = bySource.get(d.rule)!;
    return finding({
      id: `tls.profile.${def.id}.${d.rule}`,
      severity: DEVIATION_SEVERITY,
      title: `Not ${def.title} compliant: ${d.rule}`,
      detail: `${def.title} (${rule.source}) expects ${d.expected}; found: ${d.actual}.`,
      evidence: { profile: def.id, version: def.version, rule: d.rule, source: rule.source, expected: d.expected, actual: d.actual },
      remediation: rule.remediation,
      references: [def.reference, ...(rule.reference ? [rule.reference] : [])],
    });
  });
  if (compliant === null) {
    findings.push(
      finding({
        id: `tls.profile.${def.id}.untested`,
        severity: 'info',
        title: `${def.title} compliance not decided`,
        detail: `No deviation was seen, but ${untested.length} rule(s) could not be decided: ${untested.map((u) => `${u.rule} (${u.reason})`).join('; ')}.`,
        evidence: { profile: def.id, version: def.version, untested: untested.map((u) => u.rule) },
        remediation: 'Re-run the scan with every check family (the profile reads TLS, certificate and HTTP evidence).',
        references: [def.reference],
      }),
    );
  }
  return { result, findings };
}

/**
 * Every endpoint against every profile asked for: `tls.profiles` on each endpoint (only when a
 * profile was asked for) and the findings, with the endpoint as subject.
 */
export function applyProfiles(defs: readonly ProfileDefinition[], endpoints: readonly EndpointReport[], http: HttpResult | null): { endpoints: EndpointReport[]; findings: Finding[] } {
  if (!defs.length) return { endpoints: [...endpoints], findings: [] };
  const findings: Finding[] = [];
  const out = endpoints.map((ep) => {
    const key = endpointKey(ep);
    const profiles = defs.map((def) => {
      const c = checkProfile(def, { tls: ep.tls, http });
      findings.push(...c.findings.map((f) => withSubject({ ...f, endpoint: key }, SUBJECT.endpoint(key))));
      return c.result;
    });
    return { ...ep, tls: { ...ep.tls, profiles } };
  });
  return { endpoints: out, findings };
}
