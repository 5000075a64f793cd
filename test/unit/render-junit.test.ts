// `--format junit`: the lab's reports as JUnit XML, validated against the Jenkins xUnit plugin's
// junit-10.xsd (test/fixtures/junit, see PROVENANCE.md) by libxml2's xmllint (compiled to wasm:
// xmllint-wasm, no native build), and compared with a committed golden file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';

import type { Finding, Report } from '../../src/model/report.js';
import { ALL_PROBES } from '../../src/probes/index.js';
import { findingFamily, probeFamily } from '../../src/render/families.js';
import { rendererForFile } from '../../src/render/index.js';
import { JUNIT_DEFAULT_FAIL_ON, junitRenderer } from '../../src/render/junit.js';
import { DEFAULT_RENDER_OPTIONS, renderToString, type RenderOptions, type ReportSource } from '../../src/render/renderer.js';
import { xmlAttr, xmlText } from '../../src/render/xml.js';
import { LAB as lab, byHost } from '../helpers/lab-reports.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '../fixtures');
const GOLDEN = join(FIXTURES, 'golden/junit/lab.junit.xml');
const XSD = readFileSync(join(FIXTURES, 'junit/junit-10.xsd'), 'utf8');
const OPTS: RenderOptions = { ...DEFAULT_RENDER_OPTIONS, generatedAt: new Date('2026-12-01T12:00:00.000Z') };


const junit = (reports: readonly Report[], opts: Partial<RenderOptions> = {}) => renderToString(junitRenderer, reports, { ...OPTS, ...opts });

async function xsdErrors(xml: string): Promise<string[]> {
  const r = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: XSD }],
    maxMemoryPages: 16_384,
  });
  return r.valid ? [] : r.errors.slice(0, 10).map((e) => e.message);
}

/** The <testsuite> elements with their attributes and the outcome elements inside each. */
function suites(xml: string) {
  return [...xml.matchAll(/<testsuite ([^>]*)>([\s\S]*?)<\/testsuite>/g)].map((m) => {
    const attr = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    const cases = [...m[2]!.matchAll(/<testcase ([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)].map((c) => ({
      name: /(?:^|\s)name="([^"]*)"/.exec(c[1]!)![1]!,
      classname: /classname="([^"]*)"/.exec(c[1]!)![1]!,
      outcome: /^\s*<(failure|error|skipped)/.exec(c[3] ?? '')?.[1] ?? 'passed',
      body: c[3] ?? '',
    }));
    return { attr, cases };
  });
}

describe('junit renderer: the lab fixture', () => {
  it('matches the golden file and is valid against junit-10.xsd', async () => {
    const xml = await junit(lab);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, xml);
    expect(xml).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(await xsdErrors(xml)).toEqual([]);
  });

  it('one suite per target; its counts are the cases it holds; the totals add up', async () => {
    const xml = await junit(lab);
    const all = suites(xml);
    expect(all.map((s) => s.attr.name)).toEqual(lab.map((r) => `${r.target.host}:${r.target.port}`));
    for (const s of all) {
      expect(Number(s.attr.tests)).toBe(s.cases.length);
      expect(Number(s.attr.failures)).toBe(s.cases.filter((c) => c.outcome === 'failure').length);
      expect(Number(s.attr.errors)).toBe(s.cases.filter((c) => c.outcome === 'error').length);
      expect(Number(s.attr.skipped)).toBe(s.cases.filter((c) => c.outcome === 'skipped').length);
    }
    const root = /<testsuites ([^>]*)>/.exec(xml)![1]!;
    expect(root).toContain(`tests="${all.reduce((n, s) => n + s.cases.length, 0)}"`);
    expect(root).toContain(`failures="${all.reduce((n, s) => n + Number(s.attr.failures), 0)}"`);
    // Suite time and timestamp come from the report.
    const first = lab[0]!;
    expect(all[0]!.attr.time).toBe((first.durationMs / 1000).toFixed(3));
    expect(all[0]!.attr.timestamp).toBe(first.startedAt);
  });

  it('a case per family; a finding at or above the default threshold (high) fails it and has its own case', async () => {
    expect(JUNIT_DEFAULT_FAIL_ON).toBe('high');
    const report = byHost('expired.secgrade.test');
    const [s] = suites(await junit([report]));
    const target = `expired.secgrade.test:${report.target.port}`;
    expect(s!.cases.filter((c) => c.name.endsWith(' checks')).map((c) => [c.classname, c.name])).toEqual(
      ['tls', 'cert', 'vulns', 'http', 'email'].map((f) => [`${target}.${f}`, `${f} checks`]),
    );
    const cert = s!.cases.find((c) => c.name === 'cert checks')!;
    expect(cert.outcome).toBe('failure');
    expect(cert.body).toContain('type="critical"');
    const expired = report.findings.find((f) => f.id === 'tls.cert.expired')!;
    const own = s!.cases.find((c) => c.name === `tls.cert.expired @ ${expired.subject}`)!;
    expect(own.outcome).toBe('failure');
    expect(own.body).toContain(`message="${xmlAttr(expired.title)}"`);
    expect(own.body).toContain(xmlText(`Remediation: ${expired.remediation}`));
    expect(own.body).toContain('Evidence: {');
    // Every failing case is a finding at or above high (or a family holding one).
    const failing = report.findings.filter((f) => ['critical', 'high'].includes(f.severity));
    expect(s!.cases.filter((c) => c.outcome === 'failure' && !c.name.endsWith(' checks'))).toHaveLength(failing.length);
    // A clean family passes, with its grade and findings told in system-out.
    const http = s!.cases.find((c) => c.name === 'http checks')!;
    expect(http.outcome).toBe('passed');
    expect(http.body).toContain(`grade: ${report.grades.http}`);
  });

  it('--fail-on sets the threshold; --severity hides findings below it but the family still fails on them', async () => {
    const report = byHost('headers-weak.secgrade.test');
    const medium = suites(await junit([report], { failOn: 'medium' }))[0]!;
    const atOrAboveMedium = report.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity));
    expect(medium.cases.filter((c) => c.outcome === 'failure' && !c.name.endsWith(' checks'))).toHaveLength(atOrAboveMedium.length);
    const hidden = suites(await junit([report], { failOn: 'medium', minSeverity: 'high' }))[0]!;
    const high = report.findings.filter((f) => ['critical', 'high'].includes(f.severity));
    expect(hidden.cases.filter((c) => c.outcome === 'failure' && !c.name.endsWith(' checks'))).toHaveLength(high.length);
    const http = hidden.cases.find((c) => c.name === 'http checks')!;
    expect(http.outcome).toBe('failure');
    expect(http.body).toMatch(/\d+ more below --severity high \(not listed\)/);
  });
});

describe('junit renderer: untested, errored and failed targets', () => {
  it('a partial report: a failed probe errors its family, untested checks are skipped with their reason', async () => {
    const report = byHost('legacy.secgrade.test');
    const endpoint = report.probes.find((p) => p.id === 'vuln-robot')!.subject;
    report.status = 'partial';
    Object.assign(report.probes.find((p) => p.id === 'vuln-robot')!, { status: 'error', errorKind: 'reset', reason: 'connection reset by peer' });
    report.incomplete = [
      { section: 'tls', probe: 'vuln-robot', subject: endpoint, reason: 'connection reset by peer' },
      { section: 'email', probe: 'email-mx', subject: 'domain:legacy.secgrade.test', reason: 'no MX host address may be reached' },
    ];
    const untested: Finding = {
      id: 'tls.vuln.ticketbleed.untested',
      subject: endpoint,
      severity: 'info',
      title: 'Ticketbleed could not be tested',
      detail: 'No verdict: the server sent no session ticket.',
      evidence: {},
      remediation: 'Re-run the scan.',
      references: [],
    };
    report.findings.push(untested);
    const xml = await junit([report]);
    expect(await xsdErrors(xml)).toEqual([]);
    const s = suites(xml)[0]!;
    const vulns = s.cases.find((c) => c.name === 'vulns checks')!;
    expect(vulns.outcome).toBe('error');
    expect(vulns.body).toContain('type="reset"');
    expect(vulns.body).toContain('connection reset by peer');
    // The failed probe is the family's error, not also a skipped case.
    expect(s.cases.some((c) => c.name.startsWith('vuln-robot'))).toBe(false);
    const mx = s.cases.find((c) => c.name === 'email-mx @ domain:legacy.secgrade.test')!;
    expect(mx.outcome).toBe('skipped');
    expect(mx.body).toContain('message="no MX host address may be reached"');
    const tb = s.cases.find((c) => c.name === `tls.vuln.ticketbleed.untested @ ${endpoint}`)!;
    expect([tb.classname.endsWith('.vulns'), tb.outcome]).toEqual([true, 'skipped']);
    expect(s.attr.errors).toBe('1');
  });

  it('a target that could not be scanned: an erroring scan case, every family skipped with the reason', async () => {
    const report = byHost('good.secgrade.test');
    Object.assign(report, { status: 'error', reason: 'DNS lookup failed: SERVFAIL', probes: [], endpoints: [], http: null, email: null, findings: [] });
    report.grades = { tls: null, http: null, email: null, overall: null };
    const xml = await junit([report]);
    expect(await xsdErrors(xml)).toEqual([]);
    const s = suites(xml)[0]!;
    expect(s.cases[0]).toMatchObject({ name: 'scan', outcome: 'error' });
    expect(s.cases[0]!.body).toContain('message="DNS lookup failed: SERVFAIL"');
    const families = s.cases.filter((c) => c.name.endsWith(' checks'));
    expect(families.map((c) => c.outcome)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(families[0]!.body).toContain('not tested: DNS lookup failed: SERVFAIL');
    expect(families[0]!.body).toContain('grade: not graded');
  });

  it('a family not requested is skipped as such, never passed', async () => {
    const report = byHost('good.secgrade.test');
    report.probes = report.probes.filter((p) => !p.id.startsWith('email-'));
    report.findings = report.findings.filter((f) => !f.id.startsWith('email.'));
    report.email = null;
    report.grades.email = null;
    const s = suites(await junit([report]))[0]!;
    const email = s.cases.find((c) => c.name === 'email checks')!;
    expect(email.outcome).toBe('skipped');
    expect(email.body).toContain('not requested');
  });

  it('an empty run is a valid document', async () => {
    const xml = await junit([]);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml).toContain('<testsuites name="secgrade" tests="0" failures="0" errors="0" time="0.000">');
  });
});

describe('junit renderer: hostile text', () => {
  it('markup in the scanned site’s text is escaped, in attributes and in content', async () => {
    const report = byHost('expired.secgrade.test');
    const f = report.findings.find((x) => x.id === 'tls.cert.expired')!;
    const hostile = `"/><testcase name="injected"/><failure message='x'>&amp; ]]> <!-- --> <?pi?>`;
    f.title = hostile;
    f.detail = `${hostile}\nsecond line\ttab`;
    f.evidence = { server: hostile };
    const xml = await junit([report]);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml).not.toContain('<testcase name="injected"');
    const s = suites(xml)[0]!;
    expect(s.cases.some((c) => c.name === 'injected')).toBe(false);
    const own = s.cases.find((c) => c.name === `tls.cert.expired @ ${f.subject}`)!;
    expect(own.body).toContain(`message="${xmlAttr(hostile)}"`);
    expect(xmlAttr(hostile)).toBe('&quot;/&gt;&lt;testcase name=&quot;injected&quot;/&gt;&lt;failure message=\'x\'&gt;&amp;amp; ]]&gt; &lt;!-- --&gt; &lt;?pi?&gt;');
  });

  it('characters XML 1.0 forbids are replaced, so the document stays well-formed', async () => {
    const report = byHost('expired.secgrade.test');
    const f = report.findings.find((x) => x.id === 'tls.cert.expired')!;
    const controls = 'a\u0000b\u0001c\u0008d\u000be\u000cf\u001bg\u007fh\ud800i\udc00j\ufffek\uffffl\u{1F600}m';
    f.title = controls;
    f.evidence = { banner: controls };
    const xml = await junit([report]);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)).toBe(false);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(xml)).toBe(false);
    // Allowed characters pass through: DEL, astral code points.
    expect(xmlText(controls)).toBe('a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\u007fh\ufffdi\ufffdj\ufffdk\ufffdl\u{1F600}m');
    expect(xml).toContain(`message="${xmlAttr(controls)}"`);
  });

  it('the validator is live: it rejects a raw control character and an attribute the XSD does not allow', async () => {
    expect((await xsdErrors('<?xml version="1.0"?><testsuites><testsuite tests="1"><testcase name="a\u0001"/></testsuite></testsuites>')).length).toBeGreaterThan(0);
    expect((await xsdErrors('<?xml version="1.0"?><testsuites skipped="1"/>')).join()).toContain("attribute 'skipped' is not allowed");
  });
});

describe('junit renderer: batches, families, file names', () => {
  it('a batch of 10,000 targets streams as one valid document', async () => {
    const base = byHost('expired.secgrade.test');
    const source: ReportSource = async function* () {
      for (let i = 0; i < 10_000; i++) yield { ...base, target: { host: `t${i}.example`, port: 443 } };
    };
    const chunks: string[] = [];
    for await (const c of junitRenderer.stream!(source, OPTS)) chunks.push(c);
    expect(chunks.length).toBe(10_002);
    const xml = chunks.join('');
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml.match(/<testsuite /g)).toHaveLength(10_000);
  }, 120_000);

  it('every probe and finding id maps to the family its probe declares', () => {
    for (const p of ALL_PROBES) expect([p.id, probeFamily(p.id)]).toEqual([p.id, p.categories[0]]);
    const lookup: Array<[string, string]> = [
      ['tls.cert.expired', 'cert'],
      ['cert.caa.missing', 'cert'],
      ['ssllabs.cap.cert-untrusted', 'cert'],
      ['ssllabs.cap.chain-incomplete', 'cert'],
      ['ssllabs.cap.tls10-11', 'tls'],
      ['tls.vuln.beast', 'vulns'],
      ['tls.protocol.tls10', 'tls'],
      ['http.csp.missing', 'http'],
      ['email.mx.tls.cipher.cbc', 'email'],
    ];
    for (const [id, family] of lookup) expect([id, findingFamily(id)]).toEqual([id, family]);
  });

  it('.junit.xml and .xml select JUnit', () => {
    expect(rendererForFile('reports/secgrade.junit.xml')?.id).toBe('junit');
    expect(rendererForFile('TEST-secgrade.XML')?.id).toBe('junit');
  });
});
