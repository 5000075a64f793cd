// The words of an alert, shared by the notifiers: a title line, the changes, and the diff's lines.
import { describeFactChange } from '../../diff/describe.js';
import type { AlertChange, AlertEvent } from '../types.js';

const MAX_DIFF_LINES = 30;

const value = (v: unknown): string => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/** `[FIRING] high example.com: tls grade dropped A → C` */
export function alertTitle(e: AlertEvent): string {
  return `[${e.state.toUpperCase()}] ${e.alert.severity} ${e.alert.target}: ${e.alert.summary}`;
}

export function changeLine(c: AlertChange): string {
  return `${c.what}: ${value(c.before)} → ${value(c.after)}`;
}

/** What changed since the target's previous report, one line each (bounded). */
export function diffLines(e: AlertEvent): string[] {
  const d = e.diff;
  if (!d) return [];
  const lines = [
    ...d.grades.map((g) => `grade ${g.section}: ${g.before} → ${g.after} (${g.change})`),
    ...d.findings.added.map((f) => `+ ${f.severity} ${f.id}@${f.subject}: ${f.title}`),
    ...d.findings.removed.map((f) => `- ${f.severity} ${f.id}@${f.subject}: ${f.title}`),
    ...d.findings.severityChanged.map((f) => `~ ${f.id}@${f.subject}: ${f.before} → ${f.after}`),
    ...d.facts.map((f) => `${f.subject} ${f.fact}: ${describeFactChange(f)}`),
  ];
  return lines.length > MAX_DIFF_LINES ? [...lines.slice(0, MAX_DIFF_LINES), `… and ${lines.length - MAX_DIFF_LINES} more`] : lines;
}

/** The plain-text body (email, and the fallback text of chat payloads). */
export function alertText(e: AlertEvent): string {
  const a = e.alert;
  const out = [
    alertTitle(e),
    '',
    `rule: ${a.rule}`,
    `target: ${a.target}`,
    `subject: ${a.subject}`,
    `severity: ${a.severity}`,
    `opened: ${a.openedAt}`,
    ...(a.resolvedAt ? [`resolved: ${a.resolvedAt}`] : []),
    `run: ${e.runId}`,
  ];
  if (a.changes.length) out.push('', 'changes:', ...a.changes.map((c) => `  ${changeLine(c)}`));
  const diff = diffLines(e);
  if (diff.length) out.push('', 'since the previous report:', ...diff.map((l) => `  ${l}`));
  return out.join('\n') + '\n';
}
