// `secgrade diff` output: text (a terminal, grouped by target) and JSON (the DiffResult itself,
// schema secgrade/diff@1). Markdown lives in diff-markdown.ts.
import { describeFactChange, hasNews } from '../diff/describe.js';
import type { DiffResult, TargetDiff } from '../diff/types.js';
import { renderDiffMarkdown } from './diff-markdown.js';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

function targetText(t: TargetDiff): string[] {
  if (t.status === 'only-in-a') return [`${t.target}: only in A (not in B)`];
  if (t.status === 'only-in-b') return [`${t.target}: only in B (new)`];
  const out = [`${t.target}: ${t.status}${t.regression ? ` — REGRESSION: ${t.regressions.join('; ')}` : ''}`];
  for (const g of t.grades) out.push(`  grade ${g.section}: ${g.before} → ${g.after} (${g.change})`);
  for (const f of t.findings.added) out.push(`  + [${f.severity}] ${f.id} @ ${f.subject}: ${f.title}`);
  for (const f of t.findings.removed) out.push(`  - [${f.severity}] ${f.id} @ ${f.subject}: ${f.title}`);
  for (const f of t.findings.severityChanged) out.push(`  ~ [${f.before} → ${f.after}] ${f.id} @ ${f.subject}: ${f.title}`);
  let subject = '';
  for (const c of t.facts) {
    if (c.subject !== subject) out.push(`  ${(subject = c.subject)}`);
    out.push(`    ${c.fact}: ${describeFactChange(c)}`);
  }
  if (t.unknown.length) {
    out.push('  unknown (not compared):');
    for (const u of t.unknown) out.push(`    ${u.what}${u.subject ? ` @ ${u.subject}` : ''}: ${u.reason}`);
  }
  return out;
}

function text(d: DiffResult): string {
  const out = d.targets.filter(hasNews).flatMap(targetText);
  const s = d.summary;
  if (out.length) out.push('');
  out.push(
    `${s.targets} target(s): ${s.changed} changed, ${s.unchanged} unchanged, ${s.onlyInA} only in A, ${s.onlyInB} only in B; ` +
      `${s.regressions} with a regression${d.failOn ? ` (grade drops, findings at or above ${d.failOn})` : ' (grade drops)'}; ${s.unknown} item(s) not compared`,
  );
  return out.join('\n') + '\n';
}

export function renderDiff(d: DiffResult, format: DiffFormat): string {
  switch (format) {
    case 'text':
      return text(d);
    case 'json':
      return JSON.stringify(d, null, 2) + '\n';
    case 'markdown':
      return renderDiffMarkdown(d);
  }
}
