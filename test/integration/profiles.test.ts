// Configuration profiles end to end: the lab's real servers scanned through the CLI with
// --profile, each verdict and deviation asserted, and the --fail-on gate they trip. Two lab
// domains are set up as Mozilla's generator writes them (its three curves, two-year HSTS):
// good (TLS 1.2 + 1.3, ECDSA) for intermediate, tls13 (TLS 1.3 only) for modern.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLabDomain } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { LabDomain } from '../../src/lab/domains.js';
import type { ProfileResult, Report } from '../../src/model/report.js';
import { runInProcess } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';

const GOOD = 'good.secgrade.test';
const TLS13 = 'tls13.secgrade.test';
const LEGACY = 'legacy.secgrade.test';
const DHE = 'dhe1024.secgrade.test';

/** The domain with Mozilla's curves (ssl_ecdh_curve X25519:prime256v1:secp384r1) and max-age=63072000. */
function asMozillaWrites(name: string): Partial<Omit<LabDomain, 'name'>> {
  const d = findLabDomain(name)!;
  return {
    tls: { ...d.tls, groups: 'X25519:prime256v1:secp384r1' },
    http: { ...d.http, headers: { ...d.http.headers, 'Strict-Transport-Security': 'max-age=63072000' } },
  };
}

let lab: RunningLab;
let base: string[];
const reports = new Map<string, Report>();

beforeAll(async () => {
  lab = await startLab({ overrides: { [GOOD]: asMozillaWrites(GOOD), [TLS13]: asMozillaWrites(TLS13) } });
  base = ['--dns', lab.info.dns, '--ca-file', lab.info.caFile, '--ct-log-list', lab.info.ctLogList, '--http-port', String(lab.info.httpPort), '--smtp-port', String(lab.info.smtpPort), '--checks', 'tls,cert,vulns,http'];
  const run = await runInProcess([GOOD, TLS13, LEGACY, DHE, ...base, '--profile', 'mozilla-modern,mozilla-intermediate', '--profile', 'mozilla-old', '--profile', 'nist-800-52r2', '--format', 'json']);
  expect(run.stderr).toBe('');
  for (const r of JSON.parse(run.stdout) as Report[]) {
    expectValidReport(r);
    reports.set(r.target.host, r);
  }
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** profile → [compliant, the deviating rules, the untested rules] of a domain's one endpoint. */
function verdicts(host: string): Record<string, [boolean | null, string[], string[]]> {
  const r = reports.get(host)!;
  expect(r.status, host).toBe('ok');
  return Object.fromEntries(r.endpoints[0]!.tls.profiles!.map((p: ProfileResult) => [p.profile, [p.compliant, p.deviations.map((d) => d.rule), p.untested.map((u) => u.rule)]]));
}
const deviation = (host: string, profile: string, rule: string) => {
  const d = reports.get(host)!.endpoints[0]!.tls.profiles!.find((p) => p.profile === profile)!.deviations.find((x) => x.rule === rule);
  if (!d) throw new Error(`${host} ${profile}: no ${rule} deviation`);
  return { expected: d.expected, actual: d.actual };
};

describe('--profile on the lab', () => {
  it('every profile asked for, in the order asked, on every endpoint', () => {
    for (const host of [GOOD, TLS13, LEGACY, DHE]) {
      expect(reports.get(host)!.endpoints[0]!.tls.profiles!.map((p) => `${p.profile} ${p.version}`), host).toEqual([
        'mozilla-modern 5.7',
        'mozilla-intermediate 5.7',
        'mozilla-old 5.7',
        'nist-800-52r2 Rev. 2',
      ]);
    }
  });

  it('a TLS 1.2 + 1.3 ECDHE server set up by the generator: intermediate yes, modern and old no', () => {
    expect(verdicts(GOOD)).toEqual({
      'mozilla-modern': [false, ['protocols', 'cipher-suites'], []],
      'mozilla-intermediate': [true, [], []],
      'mozilla-old': [false, ['protocols', 'certificate-types', 'certificate-signatures'], []],
      'nist-800-52r2': [false, ['cipher-suites', 'supported-groups'], []],
    });
    expect(deviation(GOOD, 'mozilla-modern', 'protocols')).toEqual({ expected: 'exactly TLSv1.3', actual: 'offers TLSv1.2' });
    expect(deviation(GOOD, 'nist-800-52r2', 'supported-groups').actual).toBe('offers x25519');
  });

  it('a TLS 1.3-only server: modern yes; intermediate and old no (TLS 1.2 refused)', () => {
    expect(verdicts(TLS13)).toEqual({
      'mozilla-modern': [true, [], []],
      'mozilla-intermediate': [false, ['protocols'], []],
      'mozilla-old': [false, ['protocols', 'certificate-types', 'certificate-signatures'], []],
      'nist-800-52r2': [false, ['protocols', 'cipher-suites', 'supported-groups'], []],
    });
    expect(deviation(TLS13, 'mozilla-intermediate', 'protocols')).toEqual({ expected: 'exactly TLSv1.2, TLSv1.3', actual: 'refuses TLSv1.2' });
  });

  it('the legacy server fails every profile, each deviation named', () => {
    const v = verdicts(LEGACY);
    expect(v['mozilla-modern']![0]).toBe(false);
    expect(v['mozilla-intermediate']).toEqual([false, ['protocols', 'cipher-suites', 'tls-curves', 'ocsp-staple', 'hsts-min-age'], []]);
    expect(deviation(LEGACY, 'mozilla-intermediate', 'protocols')).toEqual({ expected: 'exactly TLSv1.2, TLSv1.3', actual: 'offers TLSv1.0, TLSv1.1; refuses TLSv1.3' });
    expect(deviation(LEGACY, 'mozilla-intermediate', 'cipher-suites').actual).toBe(
      'TLSv1.0: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA; TLSv1.1: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA; TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    );
    expect(deviation(LEGACY, 'mozilla-intermediate', 'hsts-min-age').actual).toBe('no Strict-Transport-Security header');
    expect(v['nist-800-52r2']![1]).toEqual(['protocols', 'cipher-suites', 'supported-groups', 'ocsp-stapling']);
  });

  it('DHE over a 1024-bit group: intermediate names the parameters', () => {
    expect(verdicts(DHE)['mozilla-intermediate']![1]).toContain('dh-param-size');
    expect(deviation(DHE, 'mozilla-intermediate', 'dh-param-size').actual).toBe('DHE parameters of 1024 bits');
    expect(deviation(DHE, 'nist-800-52r2', 'dh-parameters').actual).toBe('1024 bits');
  });

  it('one medium finding per deviation, with the endpoint as subject', () => {
    const r = reports.get(TLS13)!;
    const ids = r.findings.filter((f) => f.id.startsWith('tls.profile.')).map((f) => `${f.id} ${f.severity}`);
    expect(ids).toContain('tls.profile.mozilla-intermediate.protocols medium');
    expect(ids.some((id) => id.startsWith('tls.profile.mozilla-modern.'))).toBe(false);
    const f = r.findings.find((x) => x.id === 'tls.profile.mozilla-intermediate.protocols')!;
    expect(f.subject).toBe(`endpoint:${r.endpoints[0]!.ip}:${r.endpoints[0]!.port}`);
  });
});

describe('--profile and the exit code', () => {
  it('--fail-on medium: exit 1 when not compliant, 0 when compliant', async () => {
    const notCompliant = await runInProcess([TLS13, ...base, '--profile', 'mozilla-intermediate', '--fail-on', 'medium', '--format', 'json']);
    expect(notCompliant.code).toBe(1);
    expect(notCompliant.stderr).toContain('tls.profile.mozilla-intermediate.protocols');
    const compliant = await runInProcess([TLS13, ...base, '--profile', 'mozilla-modern', '--fail-on', 'medium', '--format', 'json']);
    expect(compliant.stderr).toBe('');
    expect(compliant.code).toBe(0);
  }, 120_000);

  it('an unknown profile: one line on stderr, exit 2, nothing scanned', async () => {
    const run = await runInProcess([TLS13, ...base, '--profile', 'mozilla-modern,pci-dss']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--profile "pci-dss" is not a profile (one of mozilla-modern, mozilla-intermediate, mozilla-old, nist-800-52r2)');
  });

  it('batch: --profile applies to every line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'secgrade-profiles-'));
    const list = join(dir, 'targets.txt');
    writeFileSync(list, `${TLS13}\n${GOOD}\n`);
    const run = await runInProcess(['batch', list, ...base, '--profile', 'mozilla-modern']);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Report & { type?: string });
    const byHost = Object.fromEntries(lines.filter((l) => l.schema).map((l) => [l.target.host, l.endpoints[0]!.tls.profiles!.map((p) => [p.profile, p.compliant])]));
    expect(byHost).toEqual({ [TLS13]: [['mozilla-modern', true]], [GOOD]: [['mozilla-modern', false]] });
    // A batch runs every family but the handshake simulation unless --checks names it.
    for (const l of lines.filter((x) => x.schema)) {
      expect(l.endpoints[0]!.tls.simulation).toBeUndefined();
      expect(l.probes.map((p) => p.id)).not.toContain('tls-simulation');
    }
  }, 120_000);
});
