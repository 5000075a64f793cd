// The monitor's alert rules, each on pairs of reports: what opens an alert, what keeps it open (the
// baseline survives), what resolves it, and that "not tested" never opens or resolves anything.
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/diff/diff.js';
import type { Report } from '../../src/model/report.js';
import type { RuleConfig } from '../../src/monitor/config.js';
import { alertKey, evaluateRules, unknownCovers } from '../../src/monitor/rules.js';
import type { AlertCondition, AlertRecord, RuleOutcome } from '../../src/monitor/types.js';
import { emailReport } from './fixtures-reports.js';

const T = 'mail.example';
const EP = 'endpoint:192.0.2.25:443';
const base = (): Report => structuredClone(emailReport);
const edit = (f: (r: Report) => void): Report => {
  const r = base();
  f(r);
  return r;
};

function run(rules: RuleConfig[], previous: Report | null, current: Report, opts: { statuses?: Report['status'][]; open?: AlertRecord[] } = {}): RuleOutcome {
  return evaluateRules(rules, {
    target: T,
    previous,
    current,
    diff: previous ? diffReports(previous, current) : null,
    statuses: opts.statuses ?? [current.status],
    open: opts.open ?? [],
  });
}

/** An open alert made from a condition (as the state machine would keep it). */
function opened(c: AlertCondition): AlertRecord {
  return { ...c, openedAt: '2025-02-01T10:00:00Z', lastSeenAt: '2025-02-01T10:00:00Z', lastNotifiedAt: '2025-02-01T10:00:01Z', resolvedAt: null };
}

const keys = (o: RuleOutcome): string[] => o.conditions.map((c) => c.key).sort();
const covered = (o: RuleOutcome, rule: AlertRecord['rule'], subject: string): boolean => o.unknown.some((u) => unknownCovers(u, rule, subject));

describe('grade-dropped', () => {
  const rules: RuleConfig[] = [{ rule: 'grade-dropped', sections: ['tls', 'email'] }];
  const dropped = edit((r) => (r.grades.tls = 'C'));

  it('opens on a worse grade of a configured section, and not for other sections or better grades', () => {
    const o = run(rules, base(), edit((r) => ((r.grades.tls = 'C'), (r.grades.http = 'F'), (r.grades.email = 'A'))));
    expect(o.conditions).toHaveLength(1);
    expect(o.conditions[0]).toMatchObject({ key: alertKey('grade-dropped', T, 'grade.tls'), severity: 'medium', summary: 'tls grade dropped A → C', baseline: { before: 'A' } });
    expect(o.conditions[0]!.changes).toEqual([{ what: 'grade.tls', before: 'A', after: 'C' }]);
  });

  it('keeps holding while the grade stays below the baseline, even when the diff no longer shows a change', () => {
    const first = run(rules, base(), dropped).conditions[0]!;
    const again = run(rules, dropped, dropped, { open: [opened(first)] });
    expect(keys(again)).toEqual([first.key]);
    const back = run(rules, dropped, base(), { open: [opened(first)] });
    expect(back.conditions).toEqual([]);
    expect(covered(back, 'grade-dropped', 'grade.tls')).toBe(false); // tested: may resolve
  });

  it('a grade that is not decided is unknown: it neither opens nor resolves', () => {
    const first = run(rules, base(), dropped).conditions[0]!;
    const o = run(rules, dropped, edit((r) => (r.grades.tls = null)), { open: [opened(first)] });
    expect(o.conditions).toEqual([]);
    expect(covered(o, 'grade-dropped', 'grade.tls')).toBe(true);
  });

  it('F (or T/M) is high severity', () => {
    expect(run(rules, base(), edit((r) => (r.grades.tls = 'T'))).conditions[0]!.severity).toBe('high');
  });
});

describe('new-finding', () => {
  const rules: RuleConfig[] = [{ rule: 'new-finding', severity: 'high' }];
  const finding = (id: string, severity: Report['findings'][number]['severity'], subject = EP): Report['findings'][number] => ({
    id, subject, severity, title: id, detail: '', evidence: {}, remediation: '', references: [],
  });
  const withHigh = edit((r) => r.findings.push(finding('tls.cert.weak-key', 'high')));

  it('opens for a new finding at or above the bar, not below it, not on the first run', () => {
    const o = run(rules, base(), edit((r) => r.findings.push(finding('tls.cert.weak-key', 'high'), finding('tls.cipher.cbc', 'low'))));
    expect(keys(o)).toEqual([alertKey('new-finding', T, `tls.cert.weak-key@${EP}`)]);
    expect(run(rules, null, withHigh).conditions).toEqual([]);
  });

  it('opens when a finding is raised across the bar', () => {
    const prev = edit((r) => r.findings.push(finding('tls.cert.weak-key', 'medium')));
    expect(keys(run(rules, prev, withHigh))).toEqual([alertKey('new-finding', T, `tls.cert.weak-key@${EP}`)]);
  });

  it('resolves when the finding is gone from a tested section; stays when the section was not tested', () => {
    const first = run(rules, base(), withHigh).conditions[0]!;
    expect(keys(run(rules, withHigh, withHigh, { open: [opened(first)] }))).toEqual([first.key]);
    const gone = run(rules, withHigh, base(), { open: [opened(first)] });
    expect(gone.conditions).toEqual([]);
    expect(covered(gone, 'new-finding', first.subject)).toBe(false);
    const untested = run(rules, withHigh, edit((r) => (r.endpoints = [])), { open: [opened(first)] });
    expect(untested.conditions).toEqual([]);
    expect(covered(untested, 'new-finding', first.subject)).toBe(true);
  });
});

describe('cert-expiry (check_ssl_cert semantics)', () => {
  const at = Date.parse(emailReport.startedAt);
  const day = 86_400_000;
  const leaf = (notBeforeDays: number, notAfterDays: number) =>
    edit((r) => {
      const c = r.endpoints[0]!.tls.certificates[0]!;
      c.notBefore = new Date(at + notBeforeDays * day).toISOString();
      c.notAfter = new Date(at + notAfterDays * day).toISOString();
    });

  it('holds when fewer than N days are left', () => {
    const o = run([{ rule: 'cert-expiry', days: 14, percent: null }], null, leaf(-80, 10));
    expect(o.conditions).toHaveLength(1);
    expect(o.conditions[0]).toMatchObject({ key: alertKey('cert-expiry', T, `${EP}#cert.0`), severity: 'high' });
    expect(o.conditions[0]!.summary).toMatch(/expires in 10 day\(s\)/);
    expect(run([{ rule: 'cert-expiry', days: 14, percent: null }], null, leaf(-80, 20)).conditions).toEqual([]);
  });

  it('holds when less than X % of the lifetime is left (a 47-day certificate with 10 days left)', () => {
    const short = leaf(-37, 10); // 47-day lifetime, 21 % left
    expect(run([{ rule: 'cert-expiry', days: 0, percent: 25 }], null, short).conditions).toHaveLength(1);
    expect(run([{ rule: 'cert-expiry', days: 0, percent: 20 }], null, short).conditions).toEqual([]);
  });

  it('an expired certificate is critical', () => {
    expect(run([{ rule: 'cert-expiry', days: 14, percent: null }], null, leaf(-100, -3)).conditions[0]!.severity).toBe('critical');
  });

  it('a certificate probe that failed on the endpoint is unknown, not "renewed"', () => {
    const r = leaf(-80, 10);
    r.probes.push({ id: 'tls-certificates', subject: EP, status: 'error', errorKind: 'timeout', reason: 'timed out', durationMs: 1 });
    const o = run([{ rule: 'cert-expiry', days: 14, percent: null }], null, r);
    expect(o.conditions).toEqual([]);
    expect(covered(o, 'cert-expiry', `${EP}#cert.0`)).toBe(true);
  });
});

describe('weak-protocol and weak-suite', () => {
  const tls10 = (v: boolean | null) => edit((r) => (r.endpoints[0]!.tls.protocols['TLSv1.0'] = v));

  it('a protocol ≤ TLS 1.1 newly offered opens; one already offered on the first run does not', () => {
    const o = run([{ rule: 'weak-protocol' }], tls10(false), tls10(true));
    expect(keys(o)).toEqual([alertKey('weak-protocol', T, `${EP}#TLSv1.0`)]);
    expect(o.conditions[0]!.changes).toEqual([{ what: 'tls.protocol.TLSv1.0', before: false, after: true }]);
    expect(run([{ rule: 'weak-protocol' }], null, tls10(true)).conditions).toEqual([]);
    expect(run([{ rule: 'weak-protocol' }], tls10(null), tls10(true)).conditions).toEqual([]); // untested before: not "newly"
  });

  it('stays open while offered, resolves when refused, is unknown when untested', () => {
    const first = opened(run([{ rule: 'weak-protocol' }], tls10(false), tls10(true)).conditions[0]!);
    expect(run([{ rule: 'weak-protocol' }], tls10(true), tls10(true), { open: [first] }).conditions).toHaveLength(1);
    const refused = run([{ rule: 'weak-protocol' }], tls10(true), tls10(false), { open: [first] });
    expect(refused.conditions).toEqual([]);
    expect(covered(refused, 'weak-protocol', first.subject)).toBe(false);
    const untested = run([{ rule: 'weak-protocol' }], tls10(true), tls10(null), { open: [first] });
    expect(covered(untested, 'weak-protocol', first.subject)).toBe(true);
  });

  const RC4 = 'TLS_RSA_WITH_RC4_128_SHA';
  const withRc4 = edit((r) => {
    r.endpoints[0]!.tls.cipherSuites['TLSv1.2'] = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', RC4];
    r.findings.push({ id: 'tls.cipher.rc4', subject: EP, severity: 'high', title: 'RC4', detail: '', evidence: { suites: { 'TLSv1.2': [RC4] } }, remediation: '', references: [], endpoint: '192.0.2.25:443' });
  });
  const without = edit((r) => (r.endpoints[0]!.tls.cipherSuites['TLSv1.2'] = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']));

  it('a suite the report marks weak, newly accepted, opens with the finding severity', () => {
    const o = run([{ rule: 'weak-suite' }], without, withRc4);
    expect(o.conditions).toHaveLength(1);
    expect(o.conditions[0]).toMatchObject({ key: alertKey('weak-suite', T, `${EP}#${RC4}`), severity: 'high' });
    expect(run([{ rule: 'weak-suite' }], withRc4, withRc4).conditions).toEqual([]); // not new
  });

  it('an earlier enumeration that stopped early cannot say the suite is new', () => {
    const cut = edit((r) => {
      r.endpoints[0]!.tls.cipherSuites['TLSv1.2'] = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'];
      r.endpoints[0]!.tls.cipherSuitesIncomplete = { 'TLSv1.2': 'deadline' };
    });
    expect(run([{ rule: 'weak-suite' }], cut, withRc4).conditions).toEqual([]);
  });
});

describe('hsts-weakened', () => {
  const hsts = (maxAge: number | null, includeSubDomains = true, preload = false) =>
    edit((r) => (r.http!.hsts = maxAge === null ? null : { maxAge, includeSubDomains, preload, preloaded: false }));

  it('max-age lowered, includeSubDomains or preload dropped, header gone: each opens', () => {
    const rule: RuleConfig[] = [{ rule: 'hsts-weakened' }];
    expect(run(rule, hsts(31536000), hsts(300)).conditions[0]!.summary).toMatch(/max-age 31536000 → 300/);
    expect(run(rule, hsts(31536000), hsts(31536000, false)).conditions[0]!.summary).toMatch(/includeSubDomains dropped/);
    expect(run(rule, hsts(31536000, true, true), hsts(31536000, true, false)).conditions[0]!.summary).toMatch(/preload dropped/);
    expect(run(rule, hsts(31536000), hsts(null)).conditions[0]!.summary).toMatch(/header gone/);
    expect(run(rule, hsts(300), hsts(31536000)).conditions).toEqual([]);
  });

  it('holds against the baseline until restored; an HTTP probe that failed is unknown', () => {
    const rule: RuleConfig[] = [{ rule: 'hsts-weakened' }];
    const first = opened(run(rule, hsts(31536000), hsts(300)).conditions[0]!);
    expect(run(rule, hsts(300), hsts(600), { open: [first] }).conditions).toHaveLength(1);
    expect(run(rule, hsts(600), hsts(31536000), { open: [first] }).conditions).toEqual([]);
    const failed = edit((r) => r.probes.push({ id: 'http-headers', subject: 'url:https://mail.example/', status: 'error', errorKind: 'timeout', durationMs: 1 }));
    const o = run(rule, hsts(300), failed, { open: [first] });
    expect(o.conditions).toEqual([]);
    expect(covered(o, 'hsts-weakened', first.subject)).toBe(true);
  });
});

describe('dmarc-weakened and spf-weakened', () => {
  const dmarc = (policy: string, pct: number | null = 100) => edit((r) => Object.assign(r.email!.dmarc!, { policy, pct }));
  const spf = (all: string) => edit((r) => (r.email!.spf!.all = all));

  it('p lowered (reject > quarantine > none) or pct lowered opens; raised does not', () => {
    const rule: RuleConfig[] = [{ rule: 'dmarc-weakened' }];
    expect(run(rule, dmarc('reject'), dmarc('none')).conditions[0]).toMatchObject({ key: alertKey('dmarc-weakened', T, 'domain:mail.example'), summary: 'DMARC weakened for mail.example: p=reject → p=none' });
    expect(run(rule, dmarc('quarantine', 100), dmarc('quarantine', 50)).conditions[0]!.summary).toMatch(/pct=100 → pct=50/);
    expect(run(rule, dmarc('none'), dmarc('reject')).conditions).toEqual([]);
    const missing = edit((r) => Object.assign(r.email!.dmarc!, { status: 'missing', policy: null }));
    expect(run(rule, dmarc('reject'), missing).conditions).toHaveLength(1);
  });

  it('a DMARC lookup that failed is unknown', () => {
    const first = opened(run([{ rule: 'dmarc-weakened' }], dmarc('reject'), dmarc('none')).conditions[0]!);
    const failed = edit((r) => Object.assign(r.email!.dmarc!, { status: 'error', reason: 'SERVFAIL' }));
    const o = run([{ rule: 'dmarc-weakened' }], dmarc('none'), failed, { open: [first] });
    expect(o.conditions).toEqual([]);
    expect(covered(o, 'dmarc-weakened', 'domain:mail.example')).toBe(true);
  });

  it('SPF all loosened (-all > ~all > ?all > +all) opens; tightened does not', () => {
    const rule: RuleConfig[] = [{ rule: 'spf-weakened' }];
    expect(run(rule, spf('-all'), spf('~all')).conditions[0]!.summary).toBe('SPF loosened for mail.example: -all → ~all');
    expect(run(rule, spf('~all'), spf('+all')).conditions).toHaveLength(1);
    expect(run(rule, spf('~all'), spf('-all')).conditions).toEqual([]);
  });
});

describe('mx-starttls-lost', () => {
  const tls = (v: boolean | null) => edit((r) => (r.email!.mx[1]!.starttls = v));
  it('an MX that offered STARTTLS and no longer does opens; untested STARTTLS is unknown', () => {
    const o = run([{ rule: 'mx-starttls-lost' }], tls(true), tls(false));
    expect(keys(o)).toEqual([alertKey('mx-starttls-lost', T, 'mx:mx1.mail.example')]);
    const first = opened(o.conditions[0]!);
    const untested = run([{ rule: 'mx-starttls-lost' }], tls(false), tls(null), { open: [first] });
    expect(untested.conditions).toEqual([]);
    expect(covered(untested, 'mx-starttls-lost', first.subject)).toBe(true);
    expect(run([{ rule: 'mx-starttls-lost' }], tls(false), tls(true), { open: [first] }).conditions).toEqual([]);
  });
});

describe('scan-failing and scans that did not complete', () => {
  const failed = edit((r) => ((r.status = 'error'), (r.reason = 'connection refused'), (r.endpoints = [])));
  const rule: RuleConfig[] = [{ rule: 'scan-failing', runs: 3 }];

  it('needs N consecutive failed runs: one flap is not an alert', () => {
    expect(run(rule, null, failed, { statuses: ['error', 'ok', 'error'] }).conditions).toEqual([]);
    expect(run(rule, null, failed, { statuses: ['error', 'partial', 'error', 'ok'] }).conditions).toHaveLength(1);
    expect(run(rule, null, failed, { statuses: ['error', 'interrupted', 'error', 'error'] }).conditions).toHaveLength(1); // interruptions are not judged
  });

  it('stays open while failing, resolves on an ok run', () => {
    const first = opened(run(rule, null, failed, { statuses: ['error', 'error', 'error'] }).conditions[0]!);
    expect(run(rule, null, failed, { statuses: ['error', 'ok'], open: [first] }).conditions).toHaveLength(1);
    expect(run(rule, null, base(), { statuses: ['ok', 'error'], open: [first] }).conditions).toEqual([]);
  });

  it('a scan that did not complete makes every other rule unknown for the target', () => {
    const o = run([{ rule: 'grade-dropped', sections: ['tls'] }, { rule: 'hsts-weakened' }, ...rule], base(), failed, { statuses: ['error'] });
    expect(o.unknown.map((u) => [u.rule, u.subject])).toEqual([['grade-dropped', null], ['hsts-weakened', null]]);
  });
});
