// The Markdown report through cmark-gfm, GitHub's own Markdown implementation (Debian `cmark-gfm`),
// with the extensions github.com turns on (table, autolink, strikethrough, tagfilter): every table
// keeps its shape, every link goes to http(s), no element beyond what the report writes appears,
// and hostile report text reads back as the same text. Raw HTML is let through (--unsafe) as
// GitHub lets <details> and <summary> through, so an escaping gap would show here.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';

import { GITHUB_COMMENT_LIMIT, markdownRenderer } from '../../src/render/markdown.js';
import { renderToString } from '../../src/render/renderer.js';
import { LAB, GOLDEN_OPTS } from '../helpers/lab-reports.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const IN_CI = Boolean(process.env.CI);
const run = promisify(execFile);
const present = await run('cmark-gfm', ['--version']).then(
  () => true,
  () => false,
);
if (!present && !IN_CI) console.warn('conformance: skipping the Markdown tests, cmark-gfm is not installed (apt-get install cmark-gfm; CI would fail here)');

const OPTS = GOLDEN_OPTS;

/** Markdown → HTML as github.com renders a comment. */
async function gfm(md: string): Promise<string> {
  const child = execFile('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter'], { maxBuffer: 16 << 20 });
  const out: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cmark-gfm exited ${code}`)))));
  child.stdin!.end(md);
  await done;
  return Buffer.concat(out).toString('utf8');
}

const elements = (n: Node): Element[] => {
  const kids = 'childNodes' in n ? n.childNodes.flatMap(elements) : [];
  return 'tagName' in n ? [n as Element, ...kids] : kids;
};
const text = (n: Node): string => ('value' in n && n.nodeName === '#text' ? n.value : 'childNodes' in n ? n.childNodes.map(text).join('') : '');
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;

/** What the report writes, and nothing else. */
const ALLOWED = new Set(['html', 'head', 'body', 'h2', 'h3', 'h4', 'p', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'em', 'code', 'a', 'ul', 'li', 'blockquote', 'details', 'summary', 'b']);

async function checkHtml(md: string) {
  expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
  const doc = parse(await gfm(md));
  const all = elements(doc);
  expect([...new Set(all.map((e) => e.tagName))].filter((t) => !ALLOWED.has(t))).toEqual([]);
  for (const a of all.filter((e) => e.tagName === 'a')) expect(attr(a, 'href')).toMatch(/^https?:\/\//);
  for (const table of all.filter((e) => e.tagName === 'table')) {
    const rows = elements(table).filter((e) => e.tagName === 'tr');
    const width = elements(rows[0]!).filter((e) => e.tagName === 'th').length;
    for (const tr of rows) expect(elements(tr).filter((e) => e.tagName === 'td' || e.tagName === 'th')).toHaveLength(width);
  }
  expect(all.filter((e) => e.tagName === 'details')).toHaveLength((md.match(/<details>/g) ?? []).length);
  return { all, text: text(doc) };
}

describe.skipIf(!present && !IN_CI)('markdown report through cmark-gfm (GitHub)', () => {
  it('the lab batch and one report render as GitHub renders them', async () => {
    const batch = await checkHtml(await renderToString(markdownRenderer, LAB, OPTS));
    expect(batch.all.filter((e) => e.tagName === 'details')).toHaveLength(LAB.length);
    expect(batch.all.filter((e) => e.tagName === 'table').length).toBeGreaterThan(LAB.length * 2);
    const one = await checkHtml(await renderToString(markdownRenderer, [LAB[0]!], OPTS));
    expect(one.all.some((e) => e.tagName === 'a' && attr(e, 'href') === 'https://www.rfc-editor.org/rfc/rfc8996')).toBe(true);
  });

  it('hostile report text reads back as text, in one report and in a batch', async () => {
    const evil = 'a | b `c` <script>x</script> [l](javascript:alert(1)) <img src=x onerror=y> \\| \\\\| &lt; *e* _u_ ~~s~~ <!-- c -->';
    const r = structuredClone(LAB[11]!);
    for (const f of r.findings) {
      f.severity = 'high';
      f.title = `${evil}\n# h`;
      f.remediation = evil;
      f.references = ['javascript:alert(1)', 'X (javascript:alert(2))', 'Y (https://ok.example/a(b)|c<d>"e)'];
    }
    r.endpoints[0]!.tls.rating!.caps.push({ id: 'x', grade: 'C', reason: evil });
    r.email!.spf!.record = evil;
    for (const md of [await renderToString(markdownRenderer, [r], OPTS), await renderToString(markdownRenderer, [r, ...LAB.slice(0, 3)], OPTS)]) {
      const { all, text: shown } = await checkHtml(md);
      // The exact text a server sent is what a reader sees (line breaks become spaces).
      expect(shown).toContain(`${evil} # h`);
      expect(all.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href'))).toContain('https://ok.example/a%28b%29%7Cc%3Cd%3E%22e');
      expect(all.some((e) => ['script', 'img', 'del', 'h1'].includes(e.tagName))).toBe(false);
    }
  });
});
