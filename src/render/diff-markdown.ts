// `secgrade diff --format markdown`: a pull-request comment. GitHub refuses comments over 65,536
// characters, so the output is built against a budget: long tables fold into <details>, and rows
// past the budget are cut with a line saying how many (the JSON output has them all).
import type { DiffResult, TargetDiff } from '../diff/types.js';
import { describeFactChange, hasNews } from '../diff/describe.js';
import { diffCode, tableCell } from './markdown-escape.js';

/** Under GitHub's 65,536-character limit, with room for the closing lines. */
export const MARKDOWN_BUDGET = 60_000;
/** Tables longer than this fold into <details>. */
const FOLD_ROWS = 10;

/** A table cell: one line, pipes escaped, no HTML (names and titles are not markup). */
const md = (v: string | number): string => tableCell(v);
const code = diffCode;

class Budget {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  /** Adds the text when it fits; false when it does not (nothing is added). */
  add(s: string): boolean {
    if (this.size + s.length + 1 > this.limit) return false;
    this.parts.push(s);
    this.size += s.length + 1;
    return true;
  }
  get left(): number {
    return this.limit - this.size;
  }
  text(): string {
    return this.parts.join('\n');
  }
}

/** A table under a heading, folded when long, cut when the budget runs out; false when not even its head fit. */
function table(out: Budget, title: string, head: string[], rows: string[][]): boolean {
  if (!rows.length) return true;
  const fold = rows.length > FOLD_ROWS;
  const opening = [
    fold ? `<details><summary><b>${md(title)}</b> (${rows.length})</summary>\n` : `### ${md(title)}\n`,
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ].join('\n');
  const closing = fold ? '\n</details>\n' : '';
  // Room for the closing and for a "rows not shown" line.
  if (out.left < opening.length + closing.length + 200) return false;
  out.add(opening);
  const reserve = closing.length + 120;
  let shown = 0;
  for (const r of rows) {
    const line = `| ${r.join(' | ')} |`;
    if (out.left - line.length - 1 < reserve) break;
    out.add(line);
    shown++;
  }
  if (shown < rows.length) out.add(`\n_${rows.length - shown} more row(s) not shown: the JSON output (\`--format json\`) has them all._`);
  out.add(closing);
  return true;
}

const arrow = (g: TargetDiff['grades'][number]): string => `${g.change === 'worse' ? '🔻' : g.change === 'better' ? '🔺' : '↔'} ${g.change}`;

export function renderDiffMarkdown(d: DiffResult, limit = MARKDOWN_BUDGET): string {
  const out = new Budget(limit);
  const s = d.summary;
  out.add('## secgrade diff\n');
  out.add(
    `${d.regression ? `**Regression** in ${s.regressions} target(s)` : 'No regression'}${d.failOn ? ` (grade drops and findings at or above **${d.failOn}**)` : ' (grade drops)'}. ` +
      `${s.targets} target(s): ${s.changed} changed, ${s.unchanged} unchanged, ${s.onlyInA} only in A, ${s.onlyInB} only in B.\n`,
  );
  const news = d.targets.filter(hasNews);
  const regressions = news.filter((t) => t.regression).flatMap((t) => t.regressions.map((r) => [md(t.target), md(r)]));
  const grades = news.flatMap((t) => t.grades.map((g) => [md(t.target), g.section, g.before ?? '–', g.after ?? '–', arrow(g)]));
  const added = news.flatMap((t) => t.findings.added.map((f) => [md(t.target), f.severity, code(f.id), md(f.subject), md(f.title)]));
  const removed = news.flatMap((t) => t.findings.removed.map((f) => [md(t.target), f.severity, code(f.id), md(f.subject), md(f.title)]));
  const raised = news.flatMap((t) => t.findings.severityChanged.map((f) => [md(t.target), `${f.before} → ${f.after}`, code(f.id), md(f.subject), md(f.title)]));
  const facts = news.flatMap((t) => t.facts.map((c) => [md(t.target), md(c.subject), code(c.fact), md(describeFactChange(c))]));
  const targets = news.filter((t) => t.status === 'only-in-a' || t.status === 'only-in-b').map((t) => [md(t.target), t.status === 'only-in-a' ? 'only in A' : 'only in B']);
  const unknown = news.flatMap((t) => t.unknown.map((u) => [md(t.target), code(u.what), md(u.subject ?? ''), md(u.reason)]));
  const findingHead = ['target', 'severity', 'finding', 'subject', 'title'];
  // Most important first, so that a cut falls on the least important rows.
  const sections: Array<[string, string[], string[][]]> = [
    ['Regressions', ['target', 'why'], regressions],
    ['Grades', ['target', 'section', 'A', 'B', 'change'], grades],
    ['Findings added', findingHead, added],
    ['Findings with a new severity', findingHead, raised],
    ['Findings removed', findingHead, removed],
    ['Changed facts', ['target', 'subject', 'fact', 'change'], facts],
    ['Targets in one run only', ['target', 'where'], targets],
    ['Not compared (untested on one side)', ['target', 'what', 'subject', 'reason'], unknown],
  ];
  const left: string[] = [];
  for (const [title, head, rows] of sections) if (!table(out, title, head, rows)) left.push(title);
  if (left.length) out.add(`\n_Not shown for length: ${left.join(', ')}._`);
  if (!news.length) out.add('Nothing changed.');
  return out.text() + '\n';
}
