// `--format markdown`: goldens over the lab's reports (a batch, one report, a partial and a failed
// scan), escaping of everything a server controls, and GitHub's 65,536-character comment limit for
// any number of targets. Regenerate the goldens with UPDATE_GOLDEN=1 (and read the diff).
import { describe, expect, it } from 'vitest';

import type { Report } from '../../src/model/report.js';
import { byHost, expectGolden, failedReport, GOLDEN_OPTS, LAB, partialReport } from '../helpers/lab-reports.js';
import { rendererById, rendererForFile } from '../../src/render/index.js';
import { htmlText, mdCode, mdReference, mdText, safeHref, tableCell } from '../../src/render/markdown-escape.js';
import { GITHUB_COMMENT_LIMIT, markdownRenderer } from '../../src/render/markdown.js';
import { renderToString, type RenderOptions, type ReportSource } from '../../src/render/renderer.js';

const OPTS = GOLDEN_OPTS;

const golden = (name: string, actual: string): void => expectGolden('markdown', name, actual);

const render = (reports: Report[], opts: Partial<RenderOptions> = {}) => renderToString(markdownRenderer, reports, { ...OPTS, ...opts });

/**
 * A GFM table row's cells as GitHub splits them: at each pipe not escaped by a backslash (a
 * backslash escapes whatever follows it, so `\\|` is an escaped backslash and then a cell break).
 */
function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (c === '\\' && i + 1 < row.length) {
      cur += c + row[++i];
      continue;
    }
    if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.slice(1, -1);
}

/** Every table in the document has, in each row, as many cells as its header. */
function expectTablesWellFormed(md: string): number {
  const lines = md.split('\n');
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| (?:--- \| )*--- \|$/.test(lines[i + 1] ?? '') || !lines[i]!.startsWith('|')) continue;
    tables++;
    const width = cells(lines[i]!).length;
    expect(cells(lines[i + 1]!).length).toBe(width);
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) expect(cells(lines[j]!), lines[j]).toHaveLength(width);
  }
  return tables;
}

describe('markdown renderer', () => {
  it('is registered for --format markdown and .md / .markdown files', () => {
    expect(rendererById('markdown')).toBe(markdownRenderer);
    expect(rendererForFile('out/REPORT.MD')).toBe(markdownRenderer);
    expect(rendererForFile('wiki.markdown')).toBe(markdownRenderer);
  });

  it('golden: the lab batch (fleet table worst first, counts, each target in <details>)', async () => {
    const md = await render(LAB);
    golden('lab.md', md);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.match(/<details>/g)).toHaveLength(LAB.length);
    expect(md.match(/<\/details>/g)).toHaveLength(LAB.length);
    // Worst first: the F targets come before the A ones in the fleet table.
    const fleet = md.slice(0, md.indexOf('### Targets'));
    expect(fleet.indexOf('legacy.secgrade.test')).toBeLessThan(fleet.indexOf('good.secgrade.test'));
    expect(fleet).toContain('**Targets:** 17 · ok 17');
    expect(expectTablesWellFormed(md)).toBeGreaterThan(LAB.length);
  });

  it('golden: one report alone (no fleet table, no <details>), findings at medium and above with links', async () => {
    const md = await render([byHost('legacy.secgrade.test')]);
    golden('single-legacy.md', md);
    expect(md).not.toContain('<details>');
    expect(md).toMatch(/^## secgrade: legacy\.secgrade\.test:\d+\n/);
    expect(md).toContain('Overall **F** · TLS **B** · HTTP **F** · Email **F**');
    expect(md).toContain('Cap **B** | TLS 1.0 or TLS 1.1 is supported');
    expect(md).toMatch(/weakest `TLS_/);
    expect(md).toMatch(/\[RFC 8996 — Deprecating TLS 1\.0 and TLS 1\.1\]\(https:\/\/www\.rfc-editor\.org\/rfc\/rfc8996\)/);
    expect(md).not.toMatch(/\*\*(LOW|INFO)\*\*/);
    expectTablesWellFormed(md);
  });

  it('--severity lowers (or raises) the listing threshold; the counts still include everything', async () => {
    const r = byHost('legacy.secgrade.test');
    const all = await render([r], { minSeverity: 'info' });
    const high = await render([r], { minSeverity: 'high' });
    expect(all).toMatch(/\*\*INFO\*\*/);
    expect(high).not.toMatch(/\*\*MEDIUM\*\*/);
    const counts = /\d+ finding\(s\): [^\n.]+/;
    expect(all.match(counts)![0]).toBe(high.match(counts)![0]);
  });

  it('golden: a partial and a failed scan say so, and untested sections read "not tested"', async () => {
    const partial = partialReport();
    const failed = failedReport('DNS lookup failed: SERVFAIL');
    const one = await render([partial]);
    golden('partial.md', one);
    expect(one).toContain('Scan **partial**: the email checks ran out of time');
    expect(one).toContain('not tested: email-mx (mx:mx1.mail.secgrade.test): timeout after 10 s');
    expect(one).toContain('Email _not tested_');
    expect(one).toContain('Overall _not graded_');
    const both = await render([byHost('good.secgrade.test'), failed, partial]);
    golden('partial-failed-batch.md', both);
    // The failed scan leads the fleet table (worst first) and is never shown as a pass.
    const rows = both.split('\n').filter((l) => l.startsWith('| good') || l.startsWith('| mail'));
    expect(rows[0]).toMatch(/^\| good\.secgrade\.test:\d+ \| _not tested_ \| _not tested_ \| _not tested_ \| _not tested_ \| 0 \| 0 \| 0 \| failed \|$/);
    expect(both).toContain('Scan **failed**: DNS lookup failed: SERVFAIL');
    expectTablesWellFormed(both);
  });

  it('no targets: a short document that says so', async () => {
    expect(await render([])).toBe('## secgrade report\n\nNo targets. Generated 2026-01-02T03:04:05Z.\n');
  });
});

describe('markdown escaping: a server cannot inject markup', () => {
  const hostile = (): Report => {
    const r = byHost('headers-weak.secgrade.test');
    r.findings[0] = {
      ...r.findings[0]!,
      severity: 'critical',
      title: 'a | b `code` <script>alert(1)</script>\n# heading [x](javascript:alert(1)) ![i](http://t/x.png) *em* _u_ ~~s~~ &amp; \\| end',
      subject: 'url:https://x/|<img src=x onerror=alert(1)>',
      remediation: 'Line one\r\nline two | with pipe',
      references: ['javascript:alert(1)', 'Evil (javascript:alert(1))', 'Good (https://example.com/a(b)|c)', 'https://example.org/x y', 'RFC 9150'],
    };
    r.endpoints[0]!.tls.rating!.caps.push({ id: 'x', grade: 'C', reason: 'cap | with\npipe and <b>html</b>' });
    r.email!.spf!.record = 'v=spf1 include:`a|b` -all';
    return r;
  };

  it('tables keep their shape and no HTML, image or non-http link survives', async () => {
    for (const md of [await render([hostile()]), await render([hostile(), byHost('good.secgrade.test')])]) {
      expectTablesWellFormed(md);
      expect(md).not.toContain('<script>');
      expect(md).not.toContain('<img');
      expect(md).not.toContain('<b>html');
      expect(md).not.toMatch(/(?<!\\)\]\((?!https?:)/);
      expect(md).not.toMatch(/!\[i/);
      expect(md).not.toMatch(/\n# heading/);
      expect(md).toContain('a \\| b \\`code\\` &lt;script&gt;alert(1)&lt;/script&gt; # heading \\[x\\](javascript:alert(1))');
      expect(md).toContain('\\*em\\* \\_u\\_ \\~\\~s\\~\\~ &amp;amp; \\\\\\| end');
      expect(md).toContain('Fix: Line one line two \\| with pipe');
      expect(md).toContain('References: javascript:alert(1) · Evil (javascript:alert(1)) · [Good](https://example.com/a%28b%29%7Cc) · https://example.org/x y · RFC 9150');
      expect(md).toContain('cap \\| with pipe and &lt;b&gt;html&lt;/b&gt;');
      expect(md).toContain('``v=spf1 include:`a\\|b` -all``');
    }
  });

  it('the <summary> of a batch target is HTML-escaped', async () => {
    const r = byHost('good.secgrade.test');
    r.target.host = 'x<script>"&.example';
    const md = await render([r, byHost('legacy.secgrade.test')]);
    expect(md).toContain('<summary><b>x&lt;script&gt;&quot;&amp;.example:');
  });

  it('helpers', () => {
    expect(mdText('a\nb\r\nc\rd')).toBe('a b c d');
    expect(mdCode('x')).toBe('`x`');
    expect(mdCode('a``b')).toBe('```a``b```');
    expect(mdCode('`a')).toBe('`` `a ``');
    expect(htmlText(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
    expect(safeHref('https://a.example/p?q=(1)')).toBe('https://a.example/p?q=%281%29');
    expect(safeHref('HTTP://A.example')).toBe('http://a.example/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', '/relative', 'not a url', 'vbscript:x']) expect(safeHref(bad)).toBeNull();
    expect(mdReference('https://a.example/')).toBe('[https://a.example/](https://a.example/)');
    expect(mdReference('MDN (https://developer.mozilla.org/)')).toBe('[MDN](https://developer.mozilla.org/)');
    expect(mdReference('CVE-2014-0160')).toBe('CVE-2014-0160');
    // The cells `secgrade diff` and `secgrade summary` have always written, byte for byte.
    expect(tableCell('a | b <c>\nd')).toBe('a \\| b &lt;c&gt; d');
    expect(tableCell('a | b <c>\nd', { gt: false })).toBe('a \\| b &lt;c> d');
  });
});

describe('markdown: under GitHub\'s 65,536 characters for any number of targets', () => {
  /** `n` targets made from the lab's, with long names and long hostile titles, streamed as a batch file would be. */
  function manyTargets(n: number): { source: ReportSource; passes: () => number } {
    let passes = 0;
    const source: ReportSource = async function* () {
      passes++;
      for (let i = 0; i < n; i++) {
        const r = structuredClone(LAB[i % LAB.length]!);
        r.target.host = `t${i}-${'x'.repeat(60)}.example`;
        for (const f of r.findings) f.title = `${f.title} ${'|<'.repeat(100)}`;
        yield r;
      }
    };
    return { source, passes: () => passes };
  }

  it.each([2, 40, 3000])('%i targets', async (n) => {
    const { source, passes } = manyTargets(n);
    let md = '';
    for await (const chunk of markdownRenderer.stream!(source, OPTS)) md += chunk;
    expect(passes()).toBe(2);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.match(/<details>/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0);
    const details = md.match(/<details>/g)?.length ?? 0;
    expect(details).toBeGreaterThan(0);
    if (details < n) expect(md).toContain(`_${n - details} more targets: see the full report._`);
    if (n === 3000) {
      // The fleet table's rows and its count line account for every target.
      const left = /_(\d+) more target\(s\), none worse than those above \(overall [^)]+\): see the full report\._/.exec(md);
      const rows = md.slice(0, md.indexOf('**Targets:**')).split('\n').filter((l) => l.startsWith('| t')).length;
      expect(Number(left![1]) + rows).toBe(n);
      expect(rows).toBeGreaterThan(50);
    }
    expectTablesWellFormed(md);
  });

  it('one report with hundreds of endpoints stays under the limit and names the sections left out', async () => {
    const r = byHost('legacy.secgrade.test');
    r.endpoints = Array.from({ length: 400 }, (_, i) => ({ ...structuredClone(r.endpoints[0]!), ip: `10.0.${i >> 8}.${i & 255}` }));
    const md = await render([r]);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/_Not shown for length: TLS 10\.0\.\d+\.\d+, .* and \d+ more; see the full report\._/);
    // The findings keep their room: every medium one is listed.
    expect(md.match(/^- \*\*MEDIUM\*\*/gm)).toHaveLength(r.findings.filter((f) => f.severity === 'medium').length);
    expectTablesWellFormed(md);
  });

  it('one report with thousands of findings stays under the limit and says how many are not shown', async () => {
    const r = byHost('legacy.secgrade.test');
    const f = r.findings.find((x) => x.severity === 'medium')!;
    r.findings = Array.from({ length: 5000 }, (_, i) => ({ ...f, id: `x.y${i}`, title: `${f.title} ${'long '.repeat(30)}` }));
    const md = await render([r]);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/- _\d+ more finding\(s\): see the full report\._/);
  });
});
