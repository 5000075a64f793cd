// secgrade diff, the pure part: every fact class, volatile fields ignored, "not tested" as unknown
// (never a change), the grade order with T, M and null, the regression rules, and the renderers'
// shapes (Markdown within a pull-request comment's size on a large batch).
import { describe, expect, it } from 'vitest';
import { compareGrades, diffReports, diffRuns, DIFF_SCHEMA_ID, targetName, type TargetDiff } from '../../src/diff/index.js';
import { MARKDOWN_BUDGET, renderDiffMarkdown } from '../../src/render/diff-markdown.js';
import { renderDiff } from '../../src/render/diff.js';
import { REPORT_SCHEMA_ID, type Finding, type Report } from '../../src/model/report.js';

const EP = '192.0.2.10';
const EPS = `endpoint:${EP}:443`;
const URL_S = 'url:https://shop.example/';
const DOM = 'domain:shop.example';

function finding(id: string, subject: string, severity: Finding['severity'] = 'low'): Finding {
  return { id, subject, severity, title: id, detail: 'd', evidence: { seen: 1 }, remediation: 'r', references: [] };
}

/** A complete report: one endpoint, HTTP, email with one MX, CAA. */
function base(): Report {
  const probe = (id: string, subject: string) => ({ id, subject, status: 'ok' as const, durationMs: 100, connections: 1 });
  return {
    schema: REPORT_SCHEMA_ID,
    tool: { name: 'secgrade', version: '0.1.0' },
    algorithmVersion: '1',
    target: { host: 'shop.example', port: 443, portSource: 'default' },
    status: 'ok',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 5000,
    grades: { tls: 'A', http: 'B', email: 'B', overall: 'B' },
    probes: [
      ...['tls-protocols', 'tls-ciphers', 'tls-groups', 'tls-certificates'].map((id) => probe(id, EPS)),
      probe('http-headers', URL_S),
      ...['email-records', 'email-mx-records', 'email-mx', 'email-dnssec', 'dns-caa'].map((id) => probe(id, DOM)),
    ],
    endpoints: [
      {
        ip: EP,
        port: 443,
        grade: 'A',
        tls: {
          status: 'ok',
          negotiated: { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', alpn: null },
          protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
          cipherSuites: {
            'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'],
            'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
          },
          serverPreference: { 'TLSv1.2': true },
          groups: ['x25519', 'secp256r1'],
          certificates: [
            {
              subject: 'CN=shop.example', issuer: 'CN=R11, O=Example CA', sans: ['shop.example'], serialNumber: '01ab',
              fingerprintSha256: 'aa'.repeat(32), notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', daysRemaining: 90,
              lifetimeDays: 90, keyType: 'EC', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'SHA256withECDSA', chain: 0, servedIndex: 0,
              trusted: true, trustError: null, hostnameMatch: true, chainComplete: true, selfSigned: false, ocspStapled: true, scts: [],
            },
          ],
          chains: [
            {
              index: 0, requested: 'ECDSA', protocol: 'TLSv1.3', leafKeyType: 'EC', certificates: 2, trusted: true, trustErrors: [], anchor: null,
              chainComplete: true, fetchedIntermediates: 0, extraCertificates: [], misordered: false, anchorServed: false, hostnameMatch: true,
              ocsp: [{ source: 'stapled', status: 'good', thisUpdate: '2026-01-01T00:00:00Z', nextUpdate: '2026-01-04T00:00:00Z', fresh: true, signatureValid: true, detail: 'good' }],
              ct: null,
            },
          ],
          vulnerabilities: {},
          probes: { 'tls-protocols': { status: 'ok', durationMs: 50, connections: 6 }, 'tls-ciphers': { status: 'ok', durationMs: 80, connections: 20 } },
        },
      },
    ],
    http: {
      status: 'ok', url: 'https://shop.example/', finalUrl: 'https://shop.example/', statusCode: 200, redirects: [],
      headers: { 'strict-transport-security': 'max-age=31536000', 'content-security-policy': "default-src 'self'", date: 'Thu, 01 Jan 2026 00:00:00 GMT' },
      cookies: [], hsts: { maxAge: 31536000, includeSubDomains: false, preload: false, preloaded: false }, score: 90, grade: 'B',
    },
    email: {
      status: 'ok',
      spf: { status: 'found', record: 'v=spf1 mx -all', lookups: 1, voidLookups: 0, all: '-all', errors: [] },
      dmarc: { status: 'found', record: 'v=DMARC1; p=reject', policy: 'reject', subdomainPolicy: 'reject', pct: 100, rua: [], ruaAuthorized: null },
      dkim: null,
      mtaSts: { status: 'found', mode: 'enforce', maxAge: 604800, mx: ['mx1.shop.example'] },
      tlsRpt: null,
      mx: [{ host: 'mx1.shop.example', preference: 10, starttls: true, tls: null, dane: false }],
      dnssec: false,
      mxStatus: 'regular',
      grade: 'B',
    },
    dns: { status: 'ok', caa: { status: 'ok', foundAt: 'shop.example', records: [{ flags: 0, tag: 'issue', value: 'ca.example' }], issue: ['ca.example'], issuewild: [], iodef: [], issuerPlausible: null } },
    findings: [finding('tls.kx.no-pq', EPS, 'info'), finding('http.csp.no-reporting', URL_S, 'info'), finding('email.dnssec.unsigned', DOM, 'medium'), finding('email.dane.absent', 'mx:mx1.shop.example', 'info')],
  };
}

const changed = (mutate: (r: Report) => void): Report => {
  const r = structuredClone(base());
  mutate(r);
  return r;
};
const tls = (r: Report) => r.endpoints[0]!.tls;
const factsOf = (d: TargetDiff) => d.facts.map((f) => [f.subject, f.fact, f.before, f.after]);

describe('diff: facts', () => {
  it('a report against itself: nothing changed, nothing unknown', () => {
    const d = diffReports(base(), base());
    expect(d).toMatchObject({ status: 'unchanged', regression: false, grades: [], facts: [], unknown: [] });
    expect(d.findings).toEqual({ added: [], removed: [], severityChanged: [] });
  });

  it('ignores volatile fields: days remaining, timestamps, durations, connections, OCSP updates, run ids, job keys, evidence', () => {
    const b = changed((r) => {
      r.startedAt = '2026-02-01T00:00:00.000Z';
      r.durationMs = 9999;
      r.job = { key: 'shop.example|x|run2', runId: 'run2', input: 'shop.example' };
      for (const p of r.probes) Object.assign(p, { durationMs: 1, connections: 9 });
      tls(r).certificates[0]!.daysRemaining = 59;
      tls(r).probes['tls-ciphers'] = { status: 'ok', durationMs: 1, connections: 99 };
      tls(r).chains![0]!.ocsp[0] = { ...tls(r).chains![0]!.ocsp[0]!, thisUpdate: '2026-02-01T00:00:00Z', nextUpdate: '2026-02-04T00:00:00Z' };
      tls(r).negotiated = { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', alpn: null };
      r.http!.headers['date'] = 'Sun, 01 Feb 2026 00:00:00 GMT';
      r.findings[0]!.evidence = { seen: 2 };
      r.findings[0]!.detail = 'reworded';
    });
    const a = changed((r) => void (r.job = { key: 'shop.example|x|run1', runId: 'run1', input: 'shop.example' }));
    const d = diffReports(a, b);
    expect(d).toMatchObject({ status: 'unchanged', facts: [], unknown: [], grades: [] });
  });

  const cases: Array<[string, (r: Report) => void, Array<[string, string, unknown, unknown]>]> = [
    ['a protocol', (r) => void (tls(r).protocols['TLSv1.0'] = true), [[EPS, 'tls.protocol.TLSv1.0', false, true]]],
    ['suites of a protocol', (r) => void tls(r).cipherSuites['TLSv1.2']!.push('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'),
      [[EPS, 'tls.suites.TLSv1.2', ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']]]],
    ['groups', (r) => void (tls(r).groups = ['x25519']), [[EPS, 'tls.groups', ['secp256r1', 'x25519'], ['x25519']]]],
    ['certificate serial', (r) => void (tls(r).certificates[0]!.serialNumber = '02cd'), [[EPS, 'cert.0.serial', '01ab', '02cd']]],
    ['certificate issuer', (r) => void (tls(r).certificates[0]!.issuer = 'CN=E5'), [[EPS, 'cert.0.issuer', 'CN=R11, O=Example CA', 'CN=E5']]],
    ['certificate subject', (r) => void (tls(r).certificates[0]!.subject = 'CN=www.shop.example'), [[EPS, 'cert.0.subject', 'CN=shop.example', 'CN=www.shop.example']]],
    ['certificate notAfter', (r) => void (tls(r).certificates[0]!.notAfter = '2026-06-01T00:00:00Z'), [[EPS, 'cert.0.notAfter', '2026-04-01T00:00:00Z', '2026-06-01T00:00:00Z']]],
    ['certificate key', (r) => void Object.assign(tls(r).certificates[0]!, { keyType: 'RSA', keyBits: 2048, curve: null }), [[EPS, 'cert.0.key', 'EC 256 prime256v1', 'RSA 2048']]],
    ['HSTS max-age', (r) => void (r.http!.hsts!.maxAge = 600), [[URL_S, 'http.hsts.maxAge', 31536000, 600]]],
    ['HSTS includeSubDomains and preload', (r) => void Object.assign(r.http!.hsts!, { includeSubDomains: true, preload: true }),
      [[URL_S, 'http.hsts.includeSubDomains', false, true], [URL_S, 'http.hsts.preload', false, true]]],
    ['HSTS gone', (r) => void (r.http!.hsts = null),
      [[URL_S, 'http.hsts.includeSubDomains', false, null], [URL_S, 'http.hsts.maxAge', 31536000, null], [URL_S, 'http.hsts.preload', false, null]]],
    ['CSP presence', (r) => {
      delete r.http!.headers['content-security-policy'];
      r.http!.headers['content-security-policy-report-only'] = "default-src 'self'";
    }, [[URL_S, 'http.csp', 'enforced', 'report-only']]],
    ['SPF all', (r) => void (r.email!.spf!.all = '~all'), [[DOM, 'email.spf.all', '-all', '~all']]],
    ['DMARC p, sp, pct', (r) => void Object.assign(r.email!.dmarc!, { policy: 'none', subdomainPolicy: 'quarantine', pct: 50 }),
      [[DOM, 'email.dmarc.p', 'reject', 'none'], [DOM, 'email.dmarc.pct', 100, 50], [DOM, 'email.dmarc.sp', 'reject', 'quarantine']]],
    ['MX host set', (r) => void r.email!.mx.push({ host: 'mx2.shop.example', preference: 20, starttls: true, tls: null, dane: false }),
      [[DOM, 'email.mx', ['mx1.shop.example'], ['mx1.shop.example', 'mx2.shop.example']]]],
    ['STARTTLS of an MX host', (r) => void (r.email!.mx[0]!.starttls = false), [['mx:mx1.shop.example', 'email.starttls', true, false]]],
    ['MTA-STS mode', (r) => void (r.email!.mtaSts!.mode = 'testing'), [[DOM, 'email.mtaSts.mode', 'enforce', 'testing']]],
    ['DNSSEC', (r) => void (r.email!.dnssec = true), [[DOM, 'email.dnssec', false, true]]],
    ['CAA', (r) => void r.dns!.caa!.records.push({ flags: 0, tag: 'iodef', value: 'mailto:sec@shop.example' }),
      [[DOM, 'dns.caa', ['0 issue "ca.example"'], ['0 iodef "mailto:sec@shop.example"', '0 issue "ca.example"']]]],
    ['an endpoint that came', (r) => void r.endpoints.push({ ...structuredClone(r.endpoints[0]!), ip: '192.0.2.11' }),
      [['endpoint:192.0.2.11:443', 'endpoint', null, 'present']]],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const d = diffReports(base(), changed(mutate));
    expect(factsOf(d)).toEqual(expected);
    expect(d.status).toBe('changed');
    expect(d.unknown).toEqual([]);
  });

  it('an address that rotated: paired with its partner, one endpoint.address fact, no finding churn', () => {
    const moved = (ip: string, mutate?: (r: Report) => void) => changed((r) => {
      const to = `endpoint:${ip.includes(':') ? `[${ip}]` : ip}:443`;
      r.endpoints[0]!.ip = ip;
      for (const x of [...r.probes, ...r.findings]) if (x.subject === EPS) x.subject = to;
      mutate?.(r);
    });
    const d = diffReports(base(), moved('192.0.2.99'));
    expect(factsOf(d)).toEqual([['endpoint:192.0.2.99:443', 'endpoint.address', '192.0.2.10:443', '192.0.2.99:443']]);
    expect(d.findings).toEqual({ added: [], removed: [], severityChanged: [] });
    // What changed on the moved endpoint is named under its new address.
    const weaker = diffReports(base(), moved('192.0.2.99', (r) => void (tls(r).protocols['TLSv1.1'] = true)));
    expect(factsOf(weaker)).toEqual([
      ['endpoint:192.0.2.99:443', 'endpoint.address', '192.0.2.10:443', '192.0.2.99:443'],
      ['endpoint:192.0.2.99:443', 'tls.protocol.TLSv1.1', false, true],
    ]);
    // IPv4 and IPv6 are never paired: one endpoint went, another came.
    const v6 = diffReports(base(), moved('2001:db8::1'));
    expect(factsOf(v6)).toEqual([['endpoint:192.0.2.10:443', 'endpoint', 'present', null], ['endpoint:[2001:db8::1]:443', 'endpoint', null, 'present']]);
    expect(v6.findings.removed.map((f) => f.subject)).toEqual([EPS]);
  });

  it('the order of suites, groups and MX records is not a change', () => {
    const d = diffReports(base(), changed((r) => {
      tls(r).cipherSuites['TLSv1.3']!.reverse();
      tls(r).groups!.reverse();
    }));
    expect(d.status).toBe('unchanged');
  });
});

describe('diff: untested is unknown, never a change', () => {
  it('a section not tested on one side: one unknown line, its findings neither removed nor added, its grade not compared', () => {
    const b = changed((r) => {
      r.email = null;
      r.grades.email = null;
      r.gradeReasons = { email: 'email not requested' };
      r.findings = r.findings.filter((f) => !f.id.startsWith('email.'));
    });
    const d = diffReports(base(), b, { failOn: 'info' });
    expect(d).toMatchObject({ status: 'unchanged', regression: false, facts: [], grades: [] });
    expect(d.findings.removed).toEqual([]);
    expect(d.unknown).toEqual(
      expect.arrayContaining([
        { what: 'grade.email', reason: 'no email grade in B: email not requested' },
        { what: 'email', reason: 'B: not tested' },
        { what: 'email.dnssec.unsigned@domain:shop.example', reason: 'seen in A; B cannot tell: email not tested' },
      ]),
    );
    // And the other way round: tested only in B is not "added".
    const back = diffReports(b, base(), { failOn: 'info' });
    expect(back.findings.added).toEqual([]);
    expect(back.regression).toBe(false);
  });

  it('findings of what one run did not ask for (the simulation, a --profile) are unknown there, never added or removed', () => {
    const a = changed((r) => {
      r.probes.push({ id: 'tls-simulation', subject: EPS, status: 'ok', durationMs: 900, connections: 37 });
      tls(r).profiles = [{ profile: 'mozilla-modern', version: '5.7', compliant: false, deviations: [], untested: [], notAssessed: [] }];
      r.findings.push(finding('tls.simulation.fails', EPS, 'info'), finding('tls.profile.mozilla-modern.protocols', EPS, 'medium'));
    });
    const d = diffReports(a, base(), { failOn: 'info' });
    expect(d.findings.removed).toEqual([]);
    expect(d.unknown).toEqual([
      { what: `tls.simulation.fails@${EPS}`, reason: 'seen in A; B cannot tell: the handshake simulation was not run (--checks simulation)' },
      { what: `tls.profile.mozilla-modern.protocols@${EPS}`, reason: 'seen in A; B cannot tell: profile mozilla-modern was not asked for (--profile)' },
    ]);
    const back = diffReports(base(), a, { failOn: 'info' });
    expect(back.findings.added).toEqual([]);
    expect(back.regression).toBe(false);
  });

  it('a probe that failed: its facts unknown with the reason, the findings on its subject not removed', () => {
    const b = changed((r) => {
      const p = r.probes.find((x) => x.id === 'tls-ciphers')!;
      Object.assign(p, { status: 'error', errorKind: 'timeout', reason: 'no answer in 10 s' });
      tls(r).probes['tls-ciphers'] = { status: 'error', reason: 'no answer in 10 s', durationMs: 10000, connections: 3 };
      tls(r).cipherSuites = {};
      r.findings = r.findings.filter((f) => f.id !== 'tls.kx.no-pq');
    });
    const d = diffReports(base(), b);
    expect(d.facts).toEqual([]);
    expect(d.findings.removed).toEqual([]);
    expect(d.unknown).toEqual([
      { what: 'tls.kx.no-pq@endpoint:192.0.2.10:443', reason: 'seen in A; B cannot tell: tls-ciphers failed (timeout): no answer in 10 s' },
      { what: 'tls.suites.TLSv1.2', subject: EPS, reason: 'B: tls-ciphers error: no answer in 10 s' },
      { what: 'tls.suites.TLSv1.3', subject: EPS, reason: 'B: tls-ciphers error: no answer in 10 s' },
    ]);
  });

  it('a null field (protocol not tested) and a partial enumeration are unknown', () => {
    const b = changed((r) => {
      tls(r).protocols['SSLv3'] = null;
      tls(r).groupsIncomplete = ['the server stopped answering'];
    });
    const d = diffReports(base(), b);
    expect(d.facts).toEqual([]);
    expect(d.unknown).toEqual([
      { what: 'tls.protocol.SSLv3', subject: EPS, reason: 'B: not tested' },
      { what: 'tls.groups', subject: EPS, reason: 'B: group enumeration stopped early: the server stopped answering' },
    ]);
  });

  it('an incomplete section (incomplete[]) keeps its missing findings unknown', () => {
    const b = changed((r) => {
      r.status = 'partial';
      r.incomplete = [{ section: 'http', probe: 'http-headers', reason: 'timeout' }];
      r.findings = r.findings.filter((f) => !f.id.startsWith('http.'));
    });
    const d = diffReports(base(), b);
    expect(d.findings.removed).toEqual([]);
    expect(d.unknown).toContainEqual({ what: 'http.csp.no-reporting@url:https://shop.example/', reason: 'seen in A; B cannot tell: http-headers did not complete: timeout' });
  });

  it('a scan that failed entirely: grades and findings unknown, no regression', () => {
    const b = changed((r) => {
      Object.assign(r, { status: 'error', reason: 'DNS failure', endpoints: [], http: null, email: null, dns: null, findings: [] });
      r.grades = { tls: null, http: null, email: null, overall: null };
    });
    const d = diffReports(base(), b, { failOn: 'info' });
    expect(d).toMatchObject({ status: 'unchanged', regression: false, facts: [], grades: [] });
    expect(d.findings.removed).toEqual([]);
    expect(d.unknown[0]).toEqual({ what: 'target', reason: 'B: the scan did not complete (DNS failure)' });
  });
});

describe('diff: grades and regressions', () => {
  it('orders A+ > A > A- > B > C > D > E > F > T, M; T ↔ M is a change, not a drop', () => {
    const order = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'] as const;
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareGrades(order[i]!, order[i + 1]!)).toBe('worse');
      expect(compareGrades(order[i + 1]!, order[i]!)).toBe('better');
    }
    expect(compareGrades('F', 'T')).toBe('worse');
    expect(compareGrades('F', 'M')).toBe('worse');
    expect(compareGrades('T', 'A')).toBe('better');
    expect(compareGrades('T', 'M')).toBe('changed');
    expect(compareGrades('B', 'B')).toBe('same');
  });

  it('a worse grade in any section is a regression; a better one is not; null is unknown', () => {
    const worse = diffReports(base(), changed((r) => void (r.grades.http = 'C')));
    expect(worse.grades).toEqual([{ section: 'http', before: 'B', after: 'C', change: 'worse' }]);
    expect(worse).toMatchObject({ regression: true, regressions: ['http grade B → C'] });
    const trust = diffReports(base(), changed((r) => void (r.grades.tls = 'T')));
    expect(trust.regression).toBe(true);
    const better = diffReports(base(), changed((r) => void (r.grades.overall = 'A')));
    expect(better).toMatchObject({ regression: false, grades: [{ section: 'overall', change: 'better' }] });
    const notDecided = diffReports(base(), changed((r) => void (r.grades.tls = null)));
    expect(notDecided).toMatchObject({ regression: false, grades: [], unknown: [{ what: 'grade.tls', reason: 'no tls grade in B (not decided)' }] });
  });

  it('compares the ssh grade when a report has one', () => {
    const withSsh = (g: string) => changed((r) => void ((r.grades as Record<string, unknown>)['ssh'] = g));
    expect(diffReports(withSsh('A'), withSsh('C')).grades).toEqual([{ section: 'ssh', before: 'A', after: 'C', change: 'worse' }]);
  });

  it('findings: added, removed, severity changed; new ones count at or above --fail-on only', () => {
    const b = changed((r) => {
      r.findings = r.findings.filter((f) => f.id !== 'http.csp.no-reporting');
      r.findings.push(finding('tls.protocol.tls10', EPS, 'medium'));
      r.findings.find((f) => f.id === 'email.dane.absent')!.severity = 'high';
    });
    const none = diffReports(base(), b);
    expect(none.findings.added.map((f) => `${f.id}@${f.subject}:${f.severity}`)).toEqual([`tls.protocol.tls10@${EPS}:medium`]);
    expect(none.findings.removed.map((f) => f.id)).toEqual(['http.csp.no-reporting']);
    expect(none.findings.severityChanged).toEqual([{ id: 'email.dane.absent', subject: 'mx:mx1.shop.example', title: 'email.dane.absent', before: 'info', after: 'high' }]);
    expect(none.regression).toBe(false); // no --fail-on: only grade drops count
    expect(diffReports(base(), b, { failOn: 'critical' }).regression).toBe(false);
    expect(diffReports(base(), b, { failOn: 'high' }).regressions).toEqual([`finding email.dane.absent@mx:mx1.shop.example raised info → high`]);
    expect(diffReports(base(), b, { failOn: 'medium' }).regressions).toEqual([
      `new medium finding tls.protocol.tls10@${EPS}`,
      'finding email.dane.absent@mx:mx1.shop.example raised info → high',
    ]);
    // A lowered severity is never a regression.
    const raised = changed((r) => void (r.findings.find((f) => f.id === 'email.dane.absent')!.severity = 'high'));
    expect(diffReports(raised, base(), { failOn: 'info' })).toMatchObject({ regression: false, findings: { severityChanged: [{ before: 'high', after: 'info' }] } });
  });
});

describe('diffRuns', () => {
  const named = (host: string, input?: string) => changed((r) => {
    r.target.host = host;
    if (input) r.job = { key: `${input}|h|run`, runId: 'run', input };
  });

  it('matches targets by name (batch input, else host), lists those in one run only', () => {
    const a = [named('a.example'), named('b.example', 'b.example'), named('c.example')];
    const b = [named('b.example'), changed((r) => { r.target.host = 'a.example'; r.grades.tls = 'B'; }), named('d.example')];
    const d = diffRuns(a, b);
    expect(d.targets.map((t) => [t.target, t.status])).toEqual([
      ['a.example', 'changed'], ['b.example', 'unchanged'], ['c.example', 'only-in-a'], ['d.example', 'only-in-b'],
    ]);
    expect(d).toMatchObject({ schema: DIFF_SCHEMA_ID, regression: true, failOn: null, summary: { targets: 4, changed: 1, unchanged: 1, onlyInA: 1, onlyInB: 1, regressions: 1 } });
  });

  it('names a target by host, adding the port only when the user gave one', () => {
    expect(targetName(base())).toBe('shop.example');
    expect(targetName(changed((r) => void (r.target = { host: 'shop.example', port: 8443, portSource: 'target' })))).toBe('shop.example:8443');
    expect(targetName(changed((r) => void (r.target = { host: 'shop.example', port: 8443, portSource: 'dns-https-record' })))).toBe('shop.example');
    expect(targetName(changed((r) => void (r.target = { host: '2001:db8::1', port: 8443, portSource: 'target' })))).toBe('[2001:db8::1]:8443');
  });
});

describe('diff renderers', () => {
  const one = diffRuns([base()], [changed((r) => {
    r.grades.http = 'C';
    r.http!.hsts!.maxAge = 600;
    r.findings.push(finding('http.hsts.short-max-age', URL_S, 'low'));
  })]);

  it('text: grouped by target, concise', () => {
    expect(renderDiff(one, 'text')).toBe(
      [
        'shop.example: changed — REGRESSION: http grade B → C',
        '  grade http: B → C (worse)',
        `  + [low] http.hsts.short-max-age @ ${URL_S}: http.hsts.short-max-age`,
        `  ${URL_S}`,
        '    http.hsts.maxAge: 31536000 → 600',
        '',
        '1 target(s): 1 changed, 0 unchanged, 0 only in A, 0 only in B; 1 with a regression (grade drops); 0 item(s) not compared',
        '',
      ].join('\n'),
    );
  });

  it('json: the DiffResult, schema secgrade/diff@1', () => {
    const parsed = JSON.parse(renderDiff(one, 'json'));
    expect(Object.keys(parsed)).toEqual(['schema', 'failOn', 'regression', 'summary', 'targets']);
    expect(parsed.schema).toBe('secgrade/diff@1');
    expect(Object.keys(parsed.targets[0])).toEqual(['target', 'status', 'regression', 'regressions', 'grades', 'findings', 'facts', 'unknown']);
  });

  it('markdown: grade table, findings and facts; a large batch stays under 65,536 characters with long parts folded', () => {
    const small = renderDiffMarkdown(one);
    expect(small).toContain('| shop.example | http | B | C | 🔻 worse |');
    expect(small).toContain('`http.hsts.maxAge` | 31536000 → 600 |');
    expect(small).not.toContain('<details>');
    // 2,500 targets, each with a grade drop, a new finding, a removed one and three changed facts.
    const many = (n: number, mutate?: (r: Report) => void) =>
      Array.from({ length: n }, (_, i) => changed((r) => {
        r.target.host = `t${i}.example`;
        mutate?.(r);
      }));
    const big = diffRuns(many(2500), many(2500, (r) => {
      r.grades.tls = 'C';
      tls(r).protocols['TLSv1.0'] = true;
      r.http!.hsts!.maxAge = 0;
      r.email!.dmarc!.policy = 'none';
      r.findings.shift();
      r.findings.push(finding('tls.protocol.tls10', EPS, 'medium'));
    }), { failOn: 'medium' });
    const md = renderDiffMarkdown(big);
    expect(md.length).toBeLessThan(65_536);
    expect(md.length).toBeGreaterThan(MARKDOWN_BUDGET - 5_000); // the budget is used, not wasted
    expect(md).toContain('<details><summary><b>Regressions</b> (5000)</summary>');
    expect(md).toMatch(/_\d+ more row\(s\) not shown: the JSON output/);
    expect(md.match(/<details>/g)!.length).toBe(md.match(/<\/details>/g)!.length);
    expect(md).toContain('_Not shown for length:');
  });

  it('markdown escapes table cells: a title cannot break the table or inject HTML', () => {
    const d = diffRuns([base()], [changed((r) => void r.findings.push({ ...finding('http.x', URL_S, 'low'), title: 'a | b <script>' }))]);
    expect(renderDiffMarkdown(d)).toContain('a \\| b &lt;script&gt;');
  });
});
