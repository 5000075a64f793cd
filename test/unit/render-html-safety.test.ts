// `--format html` on what the scanned site controls and on what could not be tested: hostile text
// (a finding title with <script>, a header value with quotes, javascript: references, a certificate
// subject with markup) is text on the page and never markup or a link; untested checks read as
// untested (never as a pass); partial and failed scans render and say why; --severity hides
// findings below it while the counts keep them.
import { describe, expect, it } from 'vitest';

import { SummaryBuilder, summaryEntry } from '../../src/batch/summary.js';
import { VULNERABILITY_KEYS, type Report } from '../../src/model/report.js';
import { htmlRenderer } from '../../src/render/html/index.js';
import { esc, htmlPage } from '../../src/render/html/page.js';
import { referenceHtml, safeHttpUrl } from '../../src/render/html/parts.js';
import { renderToString, type RenderOptions } from '../../src/render/renderer.js';
import { renderSummary } from '../../src/render/summary.js';
import { all, attr, checkDocument, headings, parseHtml, textOf } from '../helpers/html-dom.js';
import { LAB, byHost, GOLDEN_OPTS } from '../helpers/lab-reports.js';

const OPTS = GOLDEN_OPTS;
const render = (reports: Report[], opts: Partial<RenderOptions> = {}) => renderToString(htmlRenderer, reports, { ...OPTS, ...opts });

const SCRIPT_TITLE = '<script>alert("title")</script>';
const QUOTED_HEADER = `"><script>alert(5)</script>' onmouseover='alert(6)`;
const EVIL_REFS = [
  'Click me (javascript:alert(1))',
  'javascript:alert(2)',
  ' JaVaScRiPt:alert(3)',
  'Creds (https://user:pw@evil.example/)',
  'Data (data:text/html,<script>alert(4)</script>)',
  'Fine (https://example.org/doc?a=1&b="2")',
];

function hostile(): Report {
  const r = byHost('legacy.secgrade.test');
  const f = r.findings[0]!;
  f.title = SCRIPT_TITLE;
  f.detail = '</p><img src=x onerror=alert(7)><p>';
  f.remediation = '<a href="javascript:alert(8)">fix</a>';
  f.references = EVIL_REFS;
  f.evidence = { body: '</pre><script>alert(9)</script>', '"key"': "'" };
  r.http!.headers['x-evil'] = QUOTED_HEADER;
  r.http!.finalUrl = 'https://legacy.secgrade.test/"><script>alert(10)</script>';
  r.http!.cookies[0]!.name = '<b onclick=alert(11)>c</b>';
  r.http!.observatory!.tests[0]!.detail = '<style>body{display:none}</style>';
  r.endpoints[0]!.tls.certificates[0]!.subject = 'CN=<svg onload=alert(12)>';
  r.endpoints[0]!.tls.rating!.caps[0]!.reason = '<iframe src="https://evil.example/"></iframe>';
  r.email!.spf!.status = 'found';
  r.email!.spf!.record = 'v=spf1 <script>alert(13)</script> -all';
  r.dns!.caa!.records[0]!.value = '"><base href="https://evil.example/">';
  return r;
}

describe('html: hostile text', () => {
  it('escapes everything the site controls and links only http(s) references', async () => {
    const r = hostile();
    const html = await render([r]);
    const doc = parseHtml(html);
    checkDocument(doc, 'hostile'); // no script/img/iframe/base, no on* attribute, no javascript:, no stray URL
    expect(all(doc, (e) => e.tagName === 'style').length).toBe(1); // only the page's own stylesheet
    const text = textOf(doc);
    for (const s of [SCRIPT_TITLE, QUOTED_HEADER, 'CN=<svg onload=alert(12)>', '<b onclick=alert(11)>c</b>', 'v=spf1 <script>alert(13)</script> -all', '</pre><script>alert(9)</script>']) {
      expect(text).toContain(s);
    }
    // The header value sits whole in its table cell.
    const cell = all(doc, (e) => e.tagName === 'td' && textOf(e) === QUOTED_HEADER);
    expect(cell.length).toBe(1);
    // References: the two http(s) ones without credentials are links (noreferrer); the others text.
    const refs = all(doc, (e) => e.tagName === 'a' && attr(e, 'class') === 'ref').map((a) => attr(a, 'href'));
    expect(refs).toContain('https://example.org/doc?a=1&b=%222%22');
    expect(refs.some((h) => /evil|javascript|data:/i.test(h ?? ''))).toBe(false);
    for (const ref of EVIL_REFS.slice(0, 5)) expect(text).toContain(ref);
    // The raw page never contains an unescaped hostile tag.
    expect(html).not.toMatch(/<script|<img|<iframe|<svg onload|<base /i);
  });

  it('escapes a hostile target name in the fleet table and its section', async () => {
    const a = byHost('good.secgrade.test');
    a.target.host = '<i>x</i>.example';
    const html = await render([a, byHost('legacy.secgrade.test')]);
    const doc = parseHtml(html);
    checkDocument(doc, 'hostile batch');
    expect(all(doc, (e) => e.tagName === 'i').length).toBe(0);
    expect(textOf(doc)).toContain('<i>x</i>.example:40267');
  });

  it('esc, safeHttpUrl and referenceHtml', () => {
    expect(esc(`<a href="x" title='y'>&amp;\u0000\u0007</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;\uFFFD\uFFFD&lt;/a&gt;');
    expect(safeHttpUrl('https://a.example/x y')).toBe('https://a.example/x%20y');
    for (const bad of ['javascript:alert(1)', '//evil.example/', '/relative', 'data:,x', 'https://u:p@a.example/', 'http://[bad']) expect(safeHttpUrl(bad)).toBeNull();
    expect(referenceHtml('RFC 8446 — TLS 1.3 (https://www.rfc-editor.org/rfc/rfc8446)')).toBe(
      '<a class="ref" href="https://www.rfc-editor.org/rfc/rfc8446" rel="noreferrer">RFC 8446 — TLS 1.3</a>',
    );
    expect(referenceHtml('https://example.org/a')).toBe('<a class="ref" href="https://example.org/a" rel="noreferrer">https://example.org/a</a>');
    expect(referenceHtml('CVE-2014-0160 (Heartbleed)')).toBe('CVE-2014-0160 (Heartbleed)');
    expect(referenceHtml('X (javascript:alert(1))')).toBe('X (javascript:alert(1))');
  });

  it('htmlPage: a complete page with the title escaped and a safe lang', () => {
    const doc = parseHtml(htmlPage({ title: '<b>t</b>', body: '<section><h2>s</h2></section>', generatedAt: new Date('2026-01-02T03:04:05Z'), lang: '"><x' }));
    checkDocument(doc, 'htmlPage');
    expect(headings(doc)).toEqual([
      { level: 1, text: '<b>t</b>' },
      { level: 2, text: 's' },
    ]);
    expect(attr(all(doc, (e) => e.tagName === 'html')[0]!, 'lang')).toBe('en');
    expect(textOf(doc)).toContain('Generated by secgrade on 2026-01-02 03:04:05 UTC');
  });
});

function untested(): Report {
  const r = byHost('good.secgrade.test');
  r.grades = { tls: null, http: null, email: null, overall: null };
  r.gradeReasons = { overall: 'nothing was graded', tls: 'TLS checks did not run' };
  const tls = r.endpoints[0]!.tls;
  r.endpoints[0]!.grade = null;
  for (const p of Object.keys(tls.protocols)) (tls.protocols as Record<string, boolean | null>)[p] = null;
  tls.cipherSuites = {};
  tls.serverPreference = {};
  tls.groups = null;
  tls.features = null;
  tls.rating = null;
  tls.negotiated = null;
  tls.certificates = [];
  tls.chains = [];
  tls.vulnerabilities = Object.fromEntries(VULNERABILITY_KEYS.map((k) => [k, 'unknown']));
  r.http = null;
  r.email = null;
  r.dns = null;
  r.findings = [];
  return r;
}

describe('html: what could not be tested', () => {
  it('shows untested checks as untested, never as a pass', async () => {
    const doc = parseHtml(await render([untested()]));
    checkDocument(doc, 'untested');
    const text = textOf(doc);
    const badges = all(doc, (e) => /^badge( |$)/.test(attr(e, 'class') ?? ''));
    expect(badges.length).toBeGreaterThanOrEqual(5);
    expect(badges.every((b) => textOf(b) === 'not graded')).toBe(true);
    expect(text).toContain('nothing was graded');
    for (const word of ['not vulnerable', 'accepted', 'refused', 'trusted', 'compliant']) expect(text).not.toContain(word);
    expect(text.match(/not tested \(unknown\)/g)?.length).toBe(VULNERABILITY_KEYS.length);
    const protoRows = all(doc, (e) => e.tagName === 'caption' && textOf(e) === 'Protocols')[0]!.parentNode as never;
    expect(textOf(protoRows).match(/not tested/g)?.length).toBe(6);
    for (const s of ['Groups: not tested', 'Protocol features: not tested', 'No rating', 'No certificate: not tested', 'HTTP: not tested', 'Email: not tested']) expect(text).toContain(s);
  });

  it('renders a partial scan with what is missing and why', async () => {
    const r = byHost('legacy.secgrade.test');
    r.status = 'partial';
    r.reason = 'the target deadline ran out';
    r.incomplete = [{ section: 'tls', probe: 'tls-ciphers', subject: 'endpoint:127.0.0.1:43247', reason: 'timeout after 10 s' }];
    r.probes[3] = { ...r.probes[3]!, status: 'error', errorKind: 'timeout', reason: 'no answer within 10 s' };
    r.endpoints[0]!.tls.probes['tls-ciphers'] = { status: 'error', reason: 'no answer within 10 s', durationMs: 10_000, connections: 3 };
    r.endpoints[0]!.tls.cipherSuitesIncomplete = { 'TLSv1.2': 'timeout after 10 s' };
    const doc = parseHtml(await render([r]));
    checkDocument(doc, 'partial');
    const text = textOf(doc);
    expect(text).toContain('Scan partial: some checks could not complete');
    expect(text).toContain('the target deadline ran out');
    expect(text).toContain('tls · tls-ciphers · endpoint:127.0.0.1:43247: timeout after 10 s');
    expect(text).toMatch(/tls-ciphers\s*endpoint:127\.0\.0\.1:43247\s*error\s*timeout\s*no answer within 10 s/);
    expect(text).toContain('suite list incomplete: timeout after 10 s');
    expect(text).toContain('TLSv1.2 — 4 suites, client order (list incomplete)');
  });

  it('renders a failed scan, alone and first in a fleet', async () => {
    const f = byHost('good.secgrade.test');
    Object.assign(f, { status: 'error', reason: 'DNS lookup failed: NXDOMAIN', endpoints: [], http: null, email: null, dns: null, probes: [], findings: [] });
    f.target.host = 'gone.example';
    f.grades = { tls: null, http: null, email: null, overall: null };
    const alone = parseHtml(await render([f]));
    checkDocument(alone, 'failed');
    expect(textOf(alone)).toContain('Scan failed: nothing could be tested — DNS lookup failed: NXDOMAIN');
    expect(textOf(alone)).toContain('TLS: not tested (no endpoint could be reached)');
    const fleet = parseHtml(await render([byHost('good.secgrade.test'), f, byHost('legacy.secgrade.test')]));
    checkDocument(fleet, 'fleet with a failed scan');
    const firstRow = all(fleet, (e) => e.tagName === 'table' && attr(e, 'class') === 'fleet')[0]!;
    const rows = all(firstRow, (e) => e.tagName === 'tr').slice(1).map((tr) => textOf(tr));
    expect(rows[0]).toMatch(/^gone\.example:\d+failednot graded/);
    expect(rows[1]).toMatch(/^legacy/);
  });

  it('--severity hides findings below it; the counts keep them', async () => {
    const r = byHost('legacy.secgrade.test');
    const low = r.findings.filter((f) => f.severity === 'low' || f.severity === 'info').length;
    const doc = parseHtml(await render([r], { minSeverity: 'medium' }));
    checkDocument(doc, 'severity');
    const hs = headings(doc).map((x) => x.text);
    expect(hs).toContain(`Medium (${r.findings.filter((f) => f.severity === 'medium').length})`);
    expect(hs.some((t) => /^(Low|Info) \(/.test(t))).toBe(false);
    expect(textOf(doc)).toContain(`${low} findings below medium not listed (--severity)`);
    expect(textOf(doc)).toContain(`${r.findings.length} findings:`);
  });
});

describe('html: batch summary (secgrade summary --format html)', () => {
  it('renders counts, the histogram, errors, worst and incomplete targets, escaped', () => {
    const b = new SummaryBuilder();
    for (const r of LAB) b.add(summaryEntry(r));
    b.add({ target: '<script>x</script>:443', status: 'error', grade: null, reason: 'refused "all"', errorKinds: ['refused'], startedAt: Date.parse('2026-12-07T17:50:00Z'), durationMs: 10 });
    const html = renderSummary(b.build('run-<1>', { duplicates: 2 }), 'html', { generatedAt: new Date('2026-01-02T03:04:05Z') });
    const doc = parseHtml(html);
    checkDocument(doc, 'summary');
    expect(headings(doc).map((x) => `h${x.level} ${x.text}`)).toEqual([
      'h1 secgrade batch summary: 18 targets',
      'h2 Status',
      'h2 Overall grades',
      'h2 Errors by kind',
      'h2 Worst grades',
      'h2 Not completed',
    ]);
    const text = textOf(doc);
    expect(text).toContain('run-<1>');
    expect(text).toMatch(/complete\s*17/);
    expect(text).toMatch(/failed\s*1/);
    expect(text).toMatch(/refused\s*1/);
    expect(text).toContain('<script>x</script>:443');
    expect(text).toContain('not graded: 1.');
    expect(text).toMatch(/Duplicates dropped\s*2/);
    expect(html).toContain('Generated by secgrade on <time datetime="2026-01-02T03:04:05.000Z">');
  });
});
