// `secgrade diff` on pairs of real lab reports: mail.secgrade.test scanned, rescanned unchanged
// (no change at all), then served by a second lab with four things changed — HSTS max-age, TLS 1.2
// turned off, DMARC p=reject → quarantine, a certificate reissued for 45 days — at the same port
// (StartLabOptions.ports), so the diff must show exactly those changes and what they cause, and
// nothing from the fields that differ on every scan (timestamps, durations, days remaining …).
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffResult } from '../../src/diff/types.js';
import { findLabDomain } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { runBinary, runInProcess } from '../helpers/cli.js';

const NAME = 'mail.secgrade.test';
const dir = mkdtempSync(join(tmpdir(), 'secgrade-diff-it-'));
const file = (name: string): string => join(dir, name);
let port = 0;

const labFlags = (lab: RunningLab): string[] => {
  const i = lab.info;
  return ['--dns', i.dns, '--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--http-port', String(i.httpPort), '--smtp-port', String(i.smtpPort)];
};

/**
 * A full scan of the domain written as a JSON report (exit 0: the lab answers everything), with the
 * checks a batch runs by default (a single scan adds the handshake simulation, see test/unit/diff.test.ts).
 */
async function scanTo(lab: RunningLab, out: string): Promise<void> {
  const run = await runBinary([NAME, ...labFlags(lab), '--checks', 'tls,cert,vulns,http,email', '--format', 'json', '--output', out], { timeoutMs: 50_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

const diff = (...args: string[]) => runBinary(['diff', ...args]);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the same configuration scanned twice', () => {
  beforeAll(async () => {
    const lab = await startLab();
    try {
      port = lab.info.domains[NAME]!.port;
      await scanTo(lab, file('a.json'));
      // The rescan as a batch run (NDJSON with a job and a summary line).
      writeFileSync(file('list.txt'), `${NAME}\n`);
      const batch = await runBinary(['batch', file('list.txt'), ...labFlags(lab), '--output', file('a2.ndjson'), '--quiet'], { timeoutMs: 50_000 });
      expect(batch.code).toBe(0);
    } finally {
      await lab.stop();
    }
  });

  it('shows no change at all and exits 0 (a JSON report against an NDJSON run)', async () => {
    const run = await diff(file('a.json'), file('a2.ndjson'), '--format', 'json', '--fail-on', 'info');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const d = JSON.parse(run.stdout) as DiffResult;
    expect(d.summary).toEqual({ targets: 1, changed: 0, unchanged: 1, onlyInA: 0, onlyInB: 0, regressions: 0, unknown: 0 });
    expect(d.targets[0]).toMatchObject({ target: NAME, status: 'unchanged', grades: [], facts: [], unknown: [], findings: { added: [], removed: [], severityChanged: [] } });
    // The scans did differ in their volatile fields: the diff ignored them.
    const a = JSON.parse(readFileSync(file('a.json'), 'utf8'));
    const b = JSON.parse(readFileSync(file('a2.ndjson'), 'utf8').split('\n')[0]!);
    expect(b.startedAt).not.toBe(a.startedAt);
    expect(b.job.runId).toEqual(expect.any(String));
  });

  it('ignores a torn last line of an NDJSON run, with a notice', async () => {
    copyFileSync(file('a2.ndjson'), file('torn.ndjson'));
    appendFileSync(file('torn.ndjson'), '{"schema":"secgrade/report@1","tar');
    const run = await diff(file('a.json'), file('torn.ndjson'));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`secgrade: B ${file('torn.ndjson')}: the last line is torn (the batch was stopped mid-line): ignored\n`);
    expect(run.stdout).toBe('1 target(s): 0 changed, 1 unchanged, 0 only in A, 0 only in B; 0 with a regression (grade drops); 0 item(s) not compared\n');
  });

  it('reads a report written on one line without a newline (not a torn NDJSON line)', async () => {
    writeFileSync(file('compact.json'), JSON.stringify(JSON.parse(readFileSync(file('a.json'), 'utf8'))));
    const run = await runInProcess(['diff', file('compact.json'), file('a.json'), '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ targets: 1, unchanged: 1 });
  });

  it('refuses what is not a run: one line, exit 2', async () => {
    writeFileSync(file('not-a-report.json'), '{"hello": 1}\n');
    writeFileSync(file('garbage.txt'), 'not json at all\n');
    writeFileSync(file('empty.json'), '[]\n');
    const cases: Array<[string[], string]> = [
      [[file('a.json'), file('missing.json')], `secgrade: B ${file('missing.json')}: ENOENT\n`],
      [[file('empty.json'), file('a.json')], `secgrade: A ${file('empty.json')} holds no secgrade report\n`],
      [[file('not-a-report.json'), file('a.json')], `secgrade: A ${file('not-a-report.json')}: the JSON is not a secgrade report (secgrade/report@1)\n`],
      [[file('garbage.txt'), file('a.json')], `secgrade: A ${file('garbage.txt')} is neither a JSON report nor an NDJSON run (no line is a report)\n`],
      [[file('a.json'), file('a.json'), '--format', 'html'], 'secgrade: diff --format "html" (one of text, json, markdown)\n'],
      [[file('a.json'), file('a.json'), '--fail-on', 'severe'], 'secgrade: --fail-on "severe" is not a severity (critical, high, medium, low, info)\n'],
      [[file('a.json')], 'secgrade: diff needs two runs (secgrade diff A B), or one target and --last N\n'],
    ];
    for (const [i, [args, stderr]] of cases.entries()) {
      // The first through the binary (no stack trace, the real exit code), the rest in-process (the same runCli).
      const run = i === 0 ? await diff(...args) : await runInProcess(['diff', ...args]);
      expect(run.stderr, args.join(' ')).toBe(stderr);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
    }
  });
});

describe('the domain changed between two runs', () => {
  beforeAll(async () => {
    const spec = findLabDomain(NAME)!;
    const lab = await startLab({
      ports: { [NAME]: port },
      overrides: {
        [NAME]: {
          http: { ...spec.http, headers: { ...spec.http.headers, 'Strict-Transport-Security': 'max-age=600; includeSubDomains' } },
          tls: { ...spec.tls, minVersion: 'TLSv1.3' },
          dns: spec.dns.map((r) => (r.type === 'TXT' && r.name === `_dmarc.${NAME}` ? { ...r, strings: r.strings.map((s) => s.replace('p=reject', 'p=quarantine')) } : r)),
          certificate: { ...spec.certificate, notAfterDays: 45 },
        },
      },
    });
    try {
      expect(lab.info.domains[NAME]!.port).toBe(port);
      await scanTo(lab, file('b.json'));
    } finally {
      await lab.stop();
    }
  });

  it('shows exactly the changes made and what they cause, and exits 1 for the grade drop', async () => {
    const run = await diff(file('a.json'), file('b.json'), '--format', 'json');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`secgrade: ${NAME}: regression: tls grade A+ → A\n`);
    const d = JSON.parse(run.stdout) as DiffResult;
    const a = JSON.parse(readFileSync(file('a.json'), 'utf8'));
    const b = JSON.parse(readFileSync(file('b.json'), 'utf8'));
    const cert = (r: any) => r.endpoints[0].tls.certificates[0];
    const endpoint = `endpoint:127.0.0.1:${port}`;
    const url = `url:https://${NAME}:${port}/`;
    expect(d.summary).toEqual({ targets: 1, changed: 1, unchanged: 0, onlyInA: 0, onlyInB: 0, regressions: 1, unknown: 0 });
    const t = d.targets[0]!;
    expect(t.facts).toEqual([
      { subject: `domain:${NAME}`, fact: 'email.dmarc.p', before: 'reject', after: 'quarantine' },
      // No sp= in the record: the subdomain policy is p's.
      { subject: `domain:${NAME}`, fact: 'email.dmarc.sp', before: 'reject', after: 'quarantine' },
      { subject: endpoint, fact: 'cert.0.notAfter', before: cert(a).notAfter, after: cert(b).notAfter },
      { subject: endpoint, fact: 'cert.0.serial', before: cert(a).serialNumber, after: cert(b).serialNumber },
      { subject: endpoint, fact: 'tls.protocol.TLSv1.2', before: true, after: false },
      { subject: url, fact: 'http.hsts.maxAge', before: 31_536_000, after: 600 },
    ]);
    // 45 days instead of 89 from each lab's start.
    expect(Date.parse(cert(a).notAfter) - Date.parse(cert(b).notAfter)).toBeGreaterThan(43 * 86_400_000);
    // A+ needs HSTS of at least six months (SSL Labs); the other grades hold.
    expect(t.grades).toEqual([{ section: 'tls', before: 'A+', after: 'A', change: 'worse' }]);
    expect(t.findings.added.map((f) => `${f.id}@${f.subject}:${f.severity}`)).toEqual([
      `http.hsts.short-max-age@${url}:low`,
      `email.dmarc.policy-quarantine@domain:${NAME}:info`,
    ]);
    expect(t.findings.removed).toEqual([]);
    expect(t.findings.severityChanged).toEqual([]);
    expect(t.unknown).toEqual([]);
    expect(t).toMatchObject({ regression: true, regressions: ['tls grade A+ → A'] });
  });

  it('--fail-on makes the new low finding a regression too; markdown fits a pull request', async () => {
    const run = await diff(file('a.json'), file('b.json'), '--format', 'markdown', '--fail-on', 'low', '--output', file('diff.md'));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`secgrade: ${NAME}: regression: tls grade A+ → A; new low finding http.hsts.short-max-age@url:https://${NAME}:${port}/\n`);
    const md = readFileSync(file('diff.md'), 'utf8');
    expect(md).toContain(`| ${NAME} | tls | A+ | A | 🔻 worse |`);
    expect(md).toContain('| `email.dmarc.p` | reject → quarantine |');
    expect(md).toContain('| `tls.protocol.TLSv1.2` | true → false |');
    expect(md).toContain('| `http.hsts.maxAge` | 31536000 → 600 |');
    // And the way back is an improvement: exit 0.
    const back = await diff(file('b.json'), file('a.json'));
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('grade tls: A → A+ (better)');
  });
});

describe('StartLabOptions.overrides', () => {
  it('refuses a name the catalogue does not have (a typo would otherwise serve the unchanged domain)', async () => {
    await expect(startLab({ overrides: { 'nope.secgrade.test': { description: 'x' } } })).rejects.toThrow('lab: no catalogue domain named nope.secgrade.test');
  });
});
