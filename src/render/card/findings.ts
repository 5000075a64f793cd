// The card's findings, most severe first; `--severity` leaves out the ones below it and says how
// many (the counts in the heading still include them).
import { SEVERITIES } from '../../model/constants.js';
import type { Finding, Severity } from '../../model/report.js';
import { severityRank, sortFindings } from '../../model/severity.js';
import { seg, SEVERITY_TAG, severityTone, showsDetail } from '../style.js';
import { FIELD_INDENT, FINDING_INDENT, heading, note, type CardLine, type CardOptions } from './lines.js';

/** "12 info findings hidden", "3 low and 12 info findings hidden". */
export function hiddenWords(hidden: ReadonlyMap<Severity, number>): string {
  const parts = SEVERITIES.filter((s) => (hidden.get(s) ?? 0) > 0).map((s) => `${hidden.get(s)} ${s}`);
  const total = [...hidden.values()].reduce((a, b) => a + b, 0);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '0');
  return `${list} finding${total === 1 ? '' : 's'} hidden`;
}

export function findingLines(findings: readonly Finding[], opts: CardOptions = {}): CardLine[] {
  const sorted = sortFindings(findings);
  const counts = new Map<string, number>();
  for (const f of sorted) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(' · ') || 'none';
  const lines = [heading([seg('Findings', 'strong')], [seg(summary, 'dim')])];
  const min = opts.minSeverity ?? null;
  const shown = min ? sorted.filter((f) => severityRank(f.severity) <= severityRank(min)) : sorted;
  for (const f of shown) {
    lines.push({
      indent: FINDING_INDENT,
      prefix: [seg(' '.repeat(FIELD_INDENT)), seg(SEVERITY_TAG[f.severity], severityTone(f.severity))],
      // The stable id is what scripts, --fail-on reports and suppressions refer to.
      items: [[seg(f.title)], [seg(f.id, 'dim')], ...(f.endpoint ? [[seg(f.endpoint, 'dim')]] : [])],
      gap: 2,
    });
    if (!showsDetail(f.severity)) continue;
    for (const para of f.detail.split(/\n+/).filter((p) => p.trim() !== '')) lines.push(note([seg(para)]));
    if (f.remediation.trim() !== '') lines.push(note([seg('Fix: ', 'dim'), seg(f.remediation)]));
    for (const ref of f.references) lines.push(note([seg('Ref: ', 'dim'), seg(ref)]));
  }
  if (min && shown.length < sorted.length) {
    const hidden = new Map<Severity, number>();
    for (const f of sorted) if (severityRank(f.severity) > severityRank(min)) hidden.set(f.severity, (hidden.get(f.severity) ?? 0) + 1);
    lines.push({ indent: FIELD_INDENT, prefix: [seg(' '.repeat(FIELD_INDENT))], items: [[seg(`${hiddenWords(hidden)} (--severity ${min})`, 'dim')]], gap: 1 });
  }
  return lines;
}
