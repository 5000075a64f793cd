// `--format sarif`: the lab's reports as SARIF 2.1.0, validated against the vendored OASIS schema
// (test/fixtures/sarif, see PROVENANCE.md) by ajv, checked against GitHub code scanning's
// documented upload requirements and limits, and compared with a committed golden file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';

import type { Severity } from '../../src/model/constants.js';
import type { Finding, Report } from '../../src/model/report.js';
import { rendererForFile } from '../../src/render/index.js';
import { DEFAULT_RENDER_OPTIONS, renderToString, type RenderOptions, type ReportSource } from '../../src/render/renderer.js';
import { GITHUB_LIMITS } from '../../src/render/sarif-parts.js';
import { resultAllowance, sarifRenderer } from '../../src/render/sarif.js';
import { LAB as lab, byHost } from '../helpers/lab-reports.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '../fixtures');
const GOLDEN = join(FIXTURES, 'golden/sarif/lab.sarif');
const GENERATED_AT = new Date('2026-12-01T12:00:00.000Z');
const OPTS: RenderOptions = { ...DEFAULT_RENDER_OPTIONS, generatedAt: GENERATED_AT };

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(FIXTURES, 'sarif/sarif-schema-2.1.0.json'), 'utf8')) as object);

// The SARIF log as far as these tests read it.
interface Loc {
  physicalLocation: { artifactLocation: { uri: string; description?: { text: string } }; region: Record<string, number> };
  logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Loc[];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity; target: string; subject: string; evidence: unknown };
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity'?: string; severity: Severity };
}
interface Notification {
  level: string;
  message: { text: string };
  descriptor: { id: string; index: number };
  properties?: Record<string, unknown>;
}
interface Run {
  tool: { driver: { name: string; version: string; informationUri: string; rules: Rule[]; notifications: Array<{ id: string }> } };
  invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Notification[] }>;
  automationDetails: { id: string };
  results: Result[];
  properties: { findingsBySeverity: Record<Severity, number>; resultsBySeverity: Record<Severity, number>; targets: number };
}
interface Log {
  $schema: string;
  version: string;
  runs: Run[];
}

async function sarif(reports: readonly Report[], opts: Partial<RenderOptions> = {}): Promise<{ text: string; log: Log }> {
  const text = await renderToString(sarifRenderer, reports, { ...OPTS, ...opts });
  return { text, log: JSON.parse(text) as Log };
}

function expectSchemaValid(log: unknown): void {
  const ok = validateSarif(log);
  expect(ok ? [] : validateSarif.errors?.slice(0, 10).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}

/**
 * GitHub's "SARIF support for code scanning" reference (required properties, "the empty string is
 * not supported for required properties") and its upload limits ("SARIF results exceed limits").
 */
function githubProblems(log: Log): string[] {
  const out: string[] = [];
  const need = (ok: boolean, what: string) => ok || out.push(what);
  const text = (v: { text?: unknown } | undefined) => typeof v?.text === 'string' && v.text.trim() !== '';
  need(typeof log.$schema === 'string' && log.$schema.length > 0, '$schema');
  need(log.version === '2.1.0', 'version 2.1.0');
  need(Array.isArray(log.runs) && log.runs.length >= 1 && log.runs.length <= GITHUB_LIMITS.runsPerFile, `1–${GITHUB_LIMITS.runsPerFile} runs`);
  const categories = new Set<string>();
  for (const [r, run] of log.runs.entries()) {
    const d = run.tool?.driver;
    need(typeof d?.name === 'string' && d.name !== '', `runs[${r}].tool.driver.name`);
    need(Array.isArray(d?.rules) && d.rules.length <= GITHUB_LIMITS.rulesPerRun, `runs[${r}] rules[] within limit`);
    need(Array.isArray(run.results) && run.results.length <= GITHUB_LIMITS.resultsPerRun, `runs[${r}] results[] within limit`);
    const id = run.automationDetails?.id ?? '';
    const category = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
    need(category !== '' && !categories.has(category), `runs[${r}] a distinct automationDetails category`);
    categories.add(category);
    for (const rule of d.rules) {
      const at = `rule ${rule.id}`;
      need(typeof rule.id === 'string' && rule.id !== '', `${at}: id`);
      need(text(rule.shortDescription) && rule.shortDescription.text.length <= GITHUB_LIMITS.descriptionChars, `${at}: shortDescription.text`);
      need(text(rule.fullDescription) && rule.fullDescription.text.length <= GITHUB_LIMITS.descriptionChars, `${at}: fullDescription.text`);
      need(text(rule.help), `${at}: help.text`);
      need(rule.name === undefined || rule.name.length <= GITHUB_LIMITS.ruleNameChars, `${at}: name length`);
      need(['note', 'warning', 'error'].includes(rule.defaultConfiguration?.level ?? 'warning'), `${at}: defaultConfiguration.level`);
      const tags = rule.properties?.tags ?? [];
      need(tags.length <= GITHUB_LIMITS.tagsPerRule && tags.includes('security'), `${at}: tags`);
      const sev = rule.properties?.['security-severity'];
      if (sev !== undefined) {
        const n = Number(sev);
        need(typeof sev === 'string' && n > 0 && n <= 10, `${at}: security-severity a string in (0, 10]`);
      }
    }
    for (const [i, res] of run.results.entries()) {
      const at = `result ${i} (${res.ruleId})`;
      need(text(res.message), `${at}: message.text`);
      need(Array.isArray(res.locations) && res.locations.length >= 1 && res.locations.length <= GITHUB_LIMITS.locationsPerResult, `${at}: 1–10 locations`);
      for (const loc of res.locations ?? []) {
        const uri = loc.physicalLocation?.artifactLocation?.uri ?? '';
        need(uri !== '', `${at}: physicalLocation.artifactLocation.uri`);
        // A scheme other than the checkout's (file:) makes GitHub reject the whole upload.
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
        need(scheme === undefined || scheme === 'file', `${at}: artifact URI relative or file: (got ${uri})`);
        need((loc.physicalLocation?.region?.startLine ?? 0) >= 1, `${at}: region.startLine`);
      }
      need(typeof res.partialFingerprints?.primaryLocationLineHash === 'string', `${at}: partialFingerprints.primaryLocationLineHash`);
      need(d.rules[res.ruleIndex]?.id === res.ruleId, `${at}: ruleIndex points at its rule`);
      need(['note', 'warning', 'error'].includes(res.level), `${at}: level`);
    }
  }
  return out;
}

describe('sarif renderer: the lab fixture', () => {
  it('matches the golden file, is valid SARIF 2.1.0 and meets GitHub upload requirements', async () => {
    const { text, log } = await sarif(lab);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    expectSchemaValid(log);
    expect(githubProblems(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'secgrade', informationUri: 'https://secgrade.dev/' });
    expect(run.automationDetails.id).toBe('secgrade/batch/2026-12-01T12:00:00.000Z');
    expect(run.properties.targets).toBe(lab.length);
    // One result per tested finding, nothing more, nothing less.
    const findings = lab.flatMap((r) => r.findings.filter((f) => !f.id.endsWith('.untested')));
    expect(run.results).toHaveLength(findings.length);
    // One rule per finding id, each used.
    expect(run.tool.driver.rules.map((r) => r.id).sort()).toEqual([...new Set(findings.map((f) => f.id))].sort());
  });

  it('maps severity to level and security-severity as GitHub reads them', async () => {
    const { log } = await sarif(lab);
    const run = log.runs[0]!;
    const expected: Record<Severity, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
    for (const r of run.results) expect([r.properties.severity, r.level]).toEqual([r.properties.severity, expected[r.properties.severity]]);
    const band = (s: string | undefined) => (s === undefined ? 'none' : Number(s) >= 9 ? 'critical' : Number(s) >= 7 ? 'high' : Number(s) >= 4 ? 'medium' : 'low');
    for (const rule of run.tool.driver.rules) {
      expect([rule.id, band(rule.properties['security-severity'])]).toEqual([rule.id, rule.properties.severity === 'info' ? 'none' : rule.properties.severity]);
    }
    // tls.cert.expired is critical in the lab (expired.secgrade.test).
    const expired = run.tool.driver.rules.find((r) => r.id === 'tls.cert.expired')!;
    expect(expired.properties['security-severity']).toBe('9.5');
    expect(expired.properties.tags).toEqual(['security', 'cert']);
    expect(expired.helpUri).toMatch(/^https:\/\//);
    expect(expired.help.markdown).toContain('**Remediation:**');
  });

  it('a rule takes the worst severity its results have; each result keeps its own level', async () => {
    // email.dnssec.unsigned is low on some lab domains and medium on others.
    const { log } = await sarif(lab);
    const run = log.runs[0]!;
    const rule = run.tool.driver.rules.find((r) => r.id === 'email.dnssec.unsigned')!;
    expect(rule.properties.severity).toBe('medium');
    const levels = new Set(run.results.filter((r) => r.ruleId === 'email.dnssec.unsigned').map((r) => r.level));
    expect([...levels].sort()).toEqual(['note', 'warning']);
  });

  it('--fail-on makes the findings at or above it errors and nothing else', async () => {
    const { log } = await sarif(lab, { failOn: 'medium' });
    for (const r of log.runs[0]!.results) {
      const sev = r.properties.severity;
      expect([sev, r.level]).toEqual([sev, ['critical', 'high', 'medium'].includes(sev) ? 'error' : 'note']);
    }
    const critical = await sarif(lab, { failOn: 'critical' });
    const high = critical.log.runs[0]!.results.find((r) => r.properties.severity === 'high')!;
    expect(high.level).toBe('warning');
    expectSchemaValid(critical.log);
  });

  it('--severity leaves out the findings below it from the results but counts them', async () => {
    const { log } = await sarif(lab, { minSeverity: 'high' });
    const run = log.runs[0]!;
    expect(run.results.every((r) => ['critical', 'high'].includes(r.properties.severity))).toBe(true);
    expect(run.results.length).toBeGreaterThan(0);
    expect(run.properties.findingsBySeverity.high).toBe(run.results.filter((r) => r.properties.severity === 'high').length);
    const medium = lab.flatMap((r) => r.findings).filter((f) => f.severity === 'medium').length;
    expect(medium).toBeGreaterThan(0);
    expect(run.properties.findingsBySeverity.medium).toBe(medium);
    expect(run.properties.resultsBySeverity.medium).toBe(0);
    expect(githubProblems(log)).toEqual([]);
  });
});

describe('sarif renderer: locations and fingerprints', () => {
  it('locates a finding at its subject (logical) on the target (a relative artifact URI, the URL beside it)', async () => {
    const report = byHost('expired.secgrade.test');
    const { log } = await sarif([report]);
    const result = log.runs[0]!.results.find((r) => r.ruleId === 'tls.cert.expired')!;
    const f = report.findings.find((x) => x.id === 'tls.cert.expired')!;
    const loc = result.locations[0]!;
    expect(loc.logicalLocations[0]).toEqual({ name: f.subject, fullyQualifiedName: `expired.secgrade.test:${report.target.port}/${f.subject}`, kind: 'resource' });
    expect(loc.physicalLocation.artifactLocation.uri).toBe(`expired.secgrade.test%3A${report.target.port}/`);
    expect(loc.physicalLocation.artifactLocation.description?.text).toBe(`https://expired.secgrade.test:${report.target.port}/`);
    expect(result.properties.evidence).toEqual(f.evidence);
    expect(result.message.text.startsWith(f.title)).toBe(true);
  });

  it('an IPv6 target and a URL target keep a valid relative URI', async () => {
    const v6 = byHost('good.secgrade.test');
    v6.target = { host: '::1', port: 8443 };
    const url = byHost('good.secgrade.test');
    url.target = { host: 'good.secgrade.test', port: 443, url: 'https://good.secgrade.test/login?next=/a b' };
    const { log } = await sarif([v6, url]);
    const uris = new Set(log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...uris].sort()).toEqual(['%5B%3A%3A1%5D%3A8443/', 'good.secgrade.test%3A443/login?next=/a%20b']);
    expectSchemaValid(log);
    expect(githubProblems(log)).toEqual([]);
  });

  it('fingerprints are stable across runs and orders, and differ between targets', async () => {
    const a = await sarif(lab);
    const b = await sarif([...lab].reverse(), { generatedAt: new Date('2027-01-01T00:00:00Z') });
    const prints = (log: Log) =>
      new Map(log.runs[0]!.results.map((r) => [`${r.ruleId}@${r.properties.subject}@${r.properties.target}`, r.partialFingerprints.primaryLocationLineHash]));
    expect(prints(b.log)).toEqual(prints(a.log));
    const hashes = [...prints(a.log).values()];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(b.log.runs[0]!.automationDetails.id).toBe('secgrade/batch/2027-01-01T00:00:00.000Z');
  });
});

describe('sarif renderer: one report, partial and failed reports', () => {
  it('one report alone: its own category, every tested finding a result', async () => {
    const report = byHost('headers-weak.secgrade.test');
    const { log } = await sarif([report]);
    expectSchemaValid(log);
    expect(githubProblems(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.automationDetails.id).toBe(`secgrade/headers-weak.secgrade.test:${report.target.port}/2026-12-01T12:00:00.000Z`);
    expect(run.results).toHaveLength(report.findings.length);
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
    expect(run.invocations[0]!.toolExecutionNotifications).toEqual([]);
  });

  it('a partial report: the checks not tested are notifications with their reason, never results', async () => {
    const report = byHost('legacy.secgrade.test');
    const endpoint = report.probes.find((p) => p.id === 'tls-ciphers')!.subject;
    report.status = 'partial';
    report.reason = '2 requested check(s) could not be completed';
    const ciphers = report.probes.find((p) => p.id === 'tls-ciphers')!;
    Object.assign(ciphers, { status: 'error', errorKind: 'timeout', reason: 'no answer within 10 s' });
    report.incomplete = [
      { section: 'tls', probe: 'tls-ciphers', subject: endpoint, reason: 'no answer within 10 s' },
      { section: 'email', probe: 'email-mx', subject: 'domain:legacy.secgrade.test', reason: 'no MX host address may be reached' },
    ];
    const untested: Finding = {
      id: 'tls.vuln.robot.untested',
      subject: endpoint,
      severity: 'info',
      title: 'ROBOT could not be tested',
      detail: 'No verdict: the server reset every connection.',
      evidence: { attempts: 3 },
      remediation: 'Re-run the scan.',
      references: [],
    };
    report.findings.push(untested);
    const { log } = await sarif([report]);
    expectSchemaValid(log);
    expect(githubProblems(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results.some((r) => r.ruleId.endsWith('.untested'))).toBe(false);
    expect(run.results).toHaveLength(report.findings.length - 1);
    const notes = run.invocations[0]!.toolExecutionNotifications;
    expect(notes.map((n) => [n.level, n.descriptor.id])).toEqual([
      ['error', 'probe.tls-ciphers'],
      ['warning', 'probe.email-mx'],
      ['warning', 'tls.vuln.robot.untested'],
    ]);
    expect(notes[0]!.message.text).toContain('failed (timeout): no answer within 10 s');
    expect(notes[0]!.properties).toMatchObject({ errorKind: 'timeout', family: 'tls' });
    expect(notes[1]!.message.text).toContain('not tested: no MX host address may be reached');
    // Each descriptor is declared in the driver at the index the notification names.
    for (const n of notes) expect(run.tool.driver.notifications[n.descriptor.index]!.id).toBe(n.descriptor.id);
    // Partial is a completed run with gaps: the notifications carry the gaps.
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
  });

  it('a failed report: an error notification, no results, the run not successful', async () => {
    const report = byHost('good.secgrade.test');
    Object.assign(report, { status: 'error', reason: 'DNS lookup failed: SERVFAIL', probes: [], endpoints: [], http: null, email: null, findings: [] });
    report.grades = { tls: null, http: null, email: null, overall: null };
    const { log } = await sarif([report]);
    expectSchemaValid(log);
    expect(githubProblems(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications.map((n) => [n.level, n.message.text])).toEqual([
      ['error', `good.secgrade.test:${report.target.port}: not scanned: DNS lookup failed: SERVFAIL`],
    ]);
  });

  it('an empty run is still a valid document', async () => {
    const { log } = await sarif([]);
    expectSchemaValid(log);
    expect(log.runs[0]!.results).toEqual([]);
  });
});

describe('sarif renderer: hostile text and large batches', () => {
  it('text from the scanned site cannot break the JSON', async () => {
    const report = byHost('headers-broken.secgrade.test');
    const hostile = 'x"},{"injected":true}\u2028\u2029\u0000\u001b[31m</script><!--\ud800 ]]>';
    report.findings[0]!.title = hostile;
    report.findings[0]!.detail = hostile;
    report.findings[0]!.evidence = { header: hostile };
    const { log } = await sarif([report]);
    expectSchemaValid(log);
    const result = log.runs[0]!.results.find((r) => r.properties.subject === report.findings[0]!.subject && r.ruleId === report.findings[0]!.id)!;
    expect(result.properties.evidence).toEqual({ header: hostile });
    expect(result.message.text.startsWith(hostile)).toBe(true);
  });

  it('a batch of 10,000 targets streams as one valid document', async () => {
    const base = byHost('good.secgrade.test');
    base.findings = base.findings.slice(0, 2);
    const source: ReportSource = async function* () {
      for (let i = 0; i < 10_000; i++) yield { ...base, target: { host: `t${i}.example`, port: 443 } };
    };
    let text = '';
    let chunks = 0;
    for await (const c of sarifRenderer.stream!(source, OPTS)) {
      text += c;
      chunks++;
    }
    // Streamed: a chunk per target and pass, not one string at the end.
    expect(chunks).toBeGreaterThan(10_000);
    const log = JSON.parse(text) as Log;
    expect(log.runs[0]!.results).toHaveLength(20_000);
    expect(log.runs[0]!.properties.targets).toBe(10_000);
    expect(githubProblems(log)).toEqual([]);
    expectSchemaValid(log);
  }, 120_000);

  it('over GitHub’s 25,000 results per run: the most severe are kept and the cut is told', async () => {
    expect(resultAllowance({ critical: 10, high: 20_000, medium: 10_000, low: 5, info: 0 })).toEqual({ critical: 10, high: 20_000, medium: 4_990, low: 0, info: 0 });
    const base = byHost('headers-broken.secgrade.test');
    const perTarget = base.findings.filter((f) => !f.id.endsWith('.untested'));
    const n = Math.ceil(GITHUB_LIMITS.resultsPerRun / perTarget.length) + 50;
    const source: ReportSource = async function* () {
      for (let i = 0; i < n; i++) yield { ...base, target: { host: `h${i}.example`, port: 443 } };
    };
    let text = '';
    for await (const c of sarifRenderer.stream!(source, OPTS)) text += c;
    const log = JSON.parse(text) as Log;
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(GITHUB_LIMITS.resultsPerRun);
    const total = Object.values(run.properties.findingsBySeverity).reduce((a, b) => a + b, 0);
    expect(total).toBe(perTarget.length * n);
    // Every high finding is kept; what was cut is the least severe.
    expect(run.properties.resultsBySeverity.high).toBe(run.properties.findingsBySeverity.high);
    expect(run.properties.resultsBySeverity.info).toBeLessThan(run.properties.findingsBySeverity.info);
    const limit = run.invocations[0]!.toolExecutionNotifications.find((x) => x.descriptor.id === 'sarif.result-limit')!;
    expect(limit.message.text).toMatch(/not written as results: GitHub code scanning rejects a run of more than 25000 results/);
    expect(githubProblems(log)).toEqual([]);
  }, 120_000);
});

describe('sarif renderer: the checks are live', () => {
  it('the schema and the GitHub checks reject what they should', async () => {
    const { log } = await sarif([byHost('expired.secgrade.test')]);
    const bad = clone(log);
    (bad.runs[0]!.results[0] as unknown as Record<string, unknown>).level = 'critical';
    delete (bad.runs[0]!.results[1] as unknown as Record<string, unknown>).message;
    expect(validateSarif(bad)).toBe(false);
    const gh = clone(log);
    gh.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = 'https://expired.secgrade.test/';
    gh.runs[0]!.tool.driver.rules[0]!.shortDescription.text = '';
    gh.runs[0]!.results[1]!.ruleIndex = 999;
    delete (gh.runs[0]!.results[2] as unknown as Record<string, unknown>).partialFingerprints;
    const problems = githubProblems(gh);
    expect(problems.some((p) => p.includes('artifact URI relative or file:'))).toBe(true);
    expect(problems.some((p) => p.includes('shortDescription.text'))).toBe(true);
    expect(problems.some((p) => p.includes('ruleIndex points at its rule'))).toBe(true);
    expect(problems.some((p) => p.includes('primaryLocationLineHash'))).toBe(true);
  });
});

describe('sarif renderer: file names', () => {
  it('.sarif and .sarif.json select SARIF; .json stays JSON', () => {
    expect(rendererForFile('out/report.sarif')?.id).toBe('sarif');
    expect(rendererForFile('out/REPORT.SARIF.JSON')?.id).toBe('sarif');
    expect(rendererForFile('out/report.json')?.id).toBe('json');
  });
});
