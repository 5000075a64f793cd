// `--format junit`: JUnit XML for CI (Jenkins, GitLab, GitHub test reporters), in the dialect of
// the Jenkins xUnit plugin's junit-10.xsd.
//
// One <testsuite> per target (name host:port, timestamp = when its scan started, time = how long it
// took). In it:
//  - one <testcase> per check family (tls, cert, vulns, http, email, and any other the report
//    names), classname "host:port.family" so Jenkins shows target › family › case:
//      error    a probe of the family failed (type = its errorKind): the family is not fully tested;
//      failure  else, one of its findings is at or above the threshold;
//      skipped  else, none of its probes ran (not requested, or nothing could be reached);
//      passed   otherwise.
//  - one failing <testcase> per finding at or above the threshold (message = title; text =
//    detail, evidence, remediation, references);
//  - one skipped <testcase> per check that could not be tested (the report's `incomplete` entries
//    that are not failed probes, and the `*.untested` findings), with the reason;
//  - for a target that could not be scanned at all, an erroring "scan" case.
// The threshold is --fail-on, or `high` when it is not given (JUNIT_DEFAULT_FAIL_ON). --severity
// hides findings below it from the listing; the family case still counts them.
//
// Streamed in two passes: the first counts the totals for <testsuites>, the second writes a suite
// per target; nothing but the counts is kept between targets.
import type { Severity } from '../model/constants.js';
import type { Finding, ProbeRun, Report } from '../model/report.js';
import { atOrAbove, findingFamily, isUntestedFinding, orderedFamilies, probeFamily, targetName, targetUri } from './families.js';
import type { Renderer, RenderOptions, ReportSource } from './renderer.js';
import { attrs, xmlText } from './xml.js';

/** The threshold when --fail-on is not given: high and critical findings fail. */
export const JUNIT_DEFAULT_FAIL_ON: Severity = 'high';

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

type Outcome = { kind: 'error' | 'failure' | 'skipped'; type?: string; message: string; text: string } | null;

function testcase(classname: string, name: string, time: number | null, outcome: Outcome, out?: string): string {
  const head = `    <testcase${attrs([
    ['classname', classname],
    ['name', name],
    ['time', time === null ? undefined : seconds(time)],
  ])}`;
  const body: string[] = [];
  if (outcome) {
    const open = `<${outcome.kind}${attrs([
      ['type', outcome.type],
      ['message', outcome.message],
    ])}`;
    body.push(outcome.text ? `      ${open}>${xmlText(outcome.text)}</${outcome.kind}>` : `      ${open}/>`);
  }
  if (out) body.push(`      <system-out>${xmlText(out)}</system-out>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>\n` : `${head}/>\n`;
}

const findingText = (f: Finding): string =>
  [
    f.detail,
    `Evidence: ${JSON.stringify(f.evidence, null, 2)}`,
    `Remediation: ${f.remediation}`,
    ...(f.references.length ? [`References:\n${f.references.map((r) => `- ${r}`).join('\n')}`] : []),
  ].join('\n\n');

const countBy = (fs: readonly Finding[]): string => {
  const n = new Map<string, number>();
  for (const f of fs) n.set(f.severity, (n.get(f.severity) ?? 0) + 1);
  return [...n].map(([s, c]) => `${c} ${s}`).join(', ');
};

const GRADED: Readonly<Record<string, keyof Report['grades']>> = { tls: 'tls', http: 'http', email: 'email' };

/** One target's suite and its counts (`countOnly`: the counts alone, for the first pass). */
export function junitSuite(report: Report, index: number, opts: RenderOptions, countOnly = false): Suite {
  const threshold = opts.failOn ?? JUNIT_DEFAULT_FAIL_ON;
  const listed = (f: Finding) => !opts.minSeverity || atOrAbove(f.severity, opts.minSeverity);
  const target = targetName(report.target);
  const failedScan = report.status === 'error' || report.status === 'interrupted';
  const probesOf = new Map<string, ProbeRun[]>();
  for (const p of report.probes) probesOf.set(probeFamily(p.id), [...(probesOf.get(probeFamily(p.id)) ?? []), p]);
  // In the report's order: the engine writes them most severe first.
  const findings = report.findings;
  const familyOf = new Map(findings.map((f) => [f, findingFamily(f.id)] as const));
  const findingsOf = (family: string) => findings.filter((f) => familyOf.get(f) === family);
  const families = orderedFamilies([...probesOf.keys(), ...findings.map((f) => findingFamily(f.id))]);
  const failedProbe = new Set(report.probes.filter((p) => p.status === 'error').map((p) => `${p.id}\n${p.subject}`));
  const incompleteOf = (family: string) =>
    (report.incomplete ?? []).filter((i) => probeFamily(i.probe) === family && !failedProbe.has(`${i.probe}\n${i.subject ?? ''}`));

  let xml = '';
  const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const add = (classname: string, name: string, time: number | null, outcome: Outcome, out?: string) => {
    counts.tests++;
    if (outcome?.kind === 'error') counts.errors++;
    if (outcome?.kind === 'failure') counts.failures++;
    if (outcome?.kind === 'skipped') counts.skipped++;
    if (!countOnly) xml += testcase(classname, name, time, outcome, out);
  };

  if (failedScan) {
    add(target, 'scan', report.durationMs, {
      kind: 'error',
      type: report.status,
      message: report.reason ?? (report.status === 'error' ? 'the target could not be scanned' : 'the scan was interrupted'),
      text: '',
    });
  }

  const skippedFamilies = new Set<string>();
  for (const family of families) {
    const classname = `${target}.${family}`;
    const probes = probesOf.get(family) ?? [];
    const mine = findingsOf(family).filter((f) => !isUntestedFinding(f));
    const failing = mine.filter((f) => atOrAbove(f.severity, threshold));
    const errored = probes.filter((p) => p.status === 'error');
    const grade = GRADED[family] ? report.grades[GRADED[family]] : undefined;
    const summary = [
      ...(grade !== undefined ? [`grade: ${grade ?? 'not graded'}`] : []),
      `probes: ${probes.map((p) => `${p.id} ${p.status}`).join(', ') || 'none'}`,
      `findings: ${countBy(mine) || 'none'}`,
    ].join('\n');
    let outcome: Outcome = null;
    if (errored.length) {
      const first = errored[0]!;
      outcome = {
        kind: 'error',
        type: first.errorKind ?? 'error',
        message: `${first.id} on ${first.subject}: ${first.reason ?? 'failed'}${errored.length > 1 ? ` (and ${errored.length - 1} more)` : ''}`,
        text: [
          ...errored.map((p) => `${p.id} on ${p.subject} failed (${p.errorKind ?? 'error'}): ${p.reason ?? 'no reason given'}`),
          ...(failing.length ? [`Also ${failing.length} finding(s) at or above ${threshold} (their own test cases).`] : []),
        ].join('\n'),
      };
    } else if (failing.length) {
      const shown = failing.filter(listed);
      const hidden = failing.length - shown.length;
      outcome = {
        kind: 'failure',
        type: failing[0]!.severity,
        message: `${failing.length} finding(s) at or above ${threshold}: ${shown
          .slice(0, 3)
          .map((f) => f.title)
          .join('; ')}${shown.length > 3 ? ' …' : ''}`,
        text: [
          ...shown.map((f) => `${f.severity} ${f.id} @ ${f.subject}: ${f.title}`),
          ...(hidden ? [`${hidden} more below --severity ${opts.minSeverity} (not listed)`] : []),
        ].join('\n'),
      };
    } else if (!probes.some((p) => p.status === 'ok')) {
      skippedFamilies.add(family);
      const reasons = [...incompleteOf(family).map((i) => `${i.probe}: ${i.reason}`), ...probes.filter((p) => p.reason).map((p) => `${p.id}: ${p.reason}`)];
      const message = failedScan
        ? `not tested: ${report.reason ?? report.status}`
        : reasons.length
          ? `not tested: ${[...new Set(reasons)].join('; ')}`
          : `not tested: no ${family} check ran (not requested)`;
      outcome = { kind: 'skipped', message, text: '' };
    }
    // No time: a family's probes run side by side, so their sum would exceed the suite's time.
    add(classname, `${family} checks`, null, outcome, summary);
  }

  for (const f of findings) {
    if (isUntestedFinding(f) || !atOrAbove(f.severity, threshold) || !listed(f)) continue;
    add(`${target}.${findingFamily(f.id)}`, `${f.id} @ ${f.subject}`, null, { kind: 'failure', type: f.severity, message: f.title, text: findingText(f) });
  }

  // What could not be tested, one case each (a family already skipped whole says it once).
  for (const family of families) {
    if (skippedFamilies.has(family)) continue;
    for (const i of incompleteOf(family)) add(`${target}.${family}`, `${i.probe} @ ${i.subject ?? `domain:${report.target.host}`}`, null, { kind: 'skipped', message: i.reason, text: '' });
  }
  for (const f of findings) {
    if (!isUntestedFinding(f) || skippedFamilies.has(findingFamily(f.id))) continue;
    add(`${target}.${findingFamily(f.id)}`, `${f.id} @ ${f.subject}`, null, { kind: 'skipped', message: `${f.title}: ${f.detail}`, text: '' });
  }

  const properties = [
    ['status', report.status],
    ['url', targetUri(report.target)],
    ...(report.reason ? [['reason', report.reason]] : []),
    ...(['overall', 'tls', 'http', 'email'] as const).map((k) => [`grade.${k}`, report.grades[k] ?? 'not graded']),
    ['fail-on', threshold],
  ]
    .map(([name, value]) => `      <property${attrs([['name', name!], ['value', value!]])}/>\n`)
    .join('');
  const head = `  <testsuite${attrs([
    ['name', target],
    ['tests', counts.tests],
    ['failures', counts.failures],
    ['errors', counts.errors],
    ['skipped', counts.skipped],
    ['time', seconds(report.durationMs)],
    ['timestamp', report.startedAt],
    ['hostname', report.target.host],
    ['id', index],
  ])}>\n    <properties>\n${properties}    </properties>\n`;
  return { xml: `${head}${xml}  </testsuite>\n`, ...counts };
}

async function* streamJunit(source: ReportSource, opts: RenderOptions): AsyncGenerator<string> {
  const total = { tests: 0, failures: 0, errors: 0, ms: 0 };
  let i = 0;
  for await (const report of source()) {
    const s = junitSuite(report, i++, opts, true);
    total.tests += s.tests;
    total.failures += s.failures;
    total.errors += s.errors;
    total.ms += report.durationMs;
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs([
    ['name', 'secgrade'],
    ['tests', total.tests],
    ['failures', total.failures],
    ['errors', total.errors],
    ['time', seconds(total.ms)],
  ])}>\n`;
  i = 0;
  for await (const report of source()) yield junitSuite(report, i++, opts).xml;
  yield '</testsuites>\n';
}

export const junitRenderer: Renderer = {
  id: 'junit',
  extensions: ['.junit.xml', '.xml'],
  stream: streamJunit,
};
