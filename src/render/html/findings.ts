// Findings grouped by severity, most severe first: title, what it is about, the detail, the
// evidence (JSON, bounded), the remediation and the references as links (http/https only).
import { SEVERITIES, type Finding, type Severity } from '../../model/report.js';
import { severityRank, sortFindings } from '../../model/severity.js';
import { esc } from './page.js';
import { code, h, plural, referenceHtml, sevTag } from './parts.js';

/** Evidence is site-controlled and may be large: at most this many characters are shown. */
export const EVIDENCE_MAX_CHARS = 4000;

const CAPITAL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

function evidenceHtml(ev: Finding['evidence']): string {
  if (!ev || !Object.keys(ev).length) return '';
  let json: string;
  try {
    json = JSON.stringify(ev, null, 2) ?? '';
  } catch {
    json = '(evidence not serialisable)';
  }
  const cut = json.length > EVIDENCE_MAX_CHARS ? `${json.slice(0, EVIDENCE_MAX_CHARS)}\n… (${json.length - EVIDENCE_MAX_CHARS} more characters in the JSON report)` : json;
  return `<details><summary>Evidence</summary><pre>${esc(cut)}</pre></details>`;
}

/** Finding prose marks commands and values with `backticks` (as in Markdown): shown as code, escaped first. */
export const prose = (text: string): string => esc(text).replace(/`([^`\n]+)`/g, '<code>$1</code>');

function findingHtml(f: Finding): string {
  const refs = f.references.length ? `<p><strong>References</strong></p><ul class="refs">${f.references.map((r) => `<li>${referenceHtml(r)}</li>`).join('')}</ul>` : '';
  return (
    `<li>${sevTag(f.severity)} <span class="title">${esc(f.title)}</span>` +
    `<div class="meta">${code(f.id)} · ${esc(f.subject)}${f.endpoint && !f.subject.endsWith(f.endpoint) ? ` · ${esc(f.endpoint)}` : ''}</div>` +
    (f.detail ? `<p>${prose(f.detail)}</p>` : '') +
    evidenceHtml(f.evidence) +
    (f.remediation ? `<p><strong>Remediation:</strong> ${prose(f.remediation)}</p>` : '') +
    refs +
    `</li>`
  );
}

/** The findings section's body: one group per severity (heading at `level`), the hidden ones counted. */
export function findingsHtml(findings: readonly Finding[], minSeverity: Severity | null, level: number, idp: string): string {
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const);
  const shown = minSeverity ? findings.filter((f) => severityRank(f.severity) <= severityRank(minSeverity)) : findings;
  const out: string[] = [];
  out.push(`<p>${plural(findings.length, 'finding')}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.</p>\n`);
  if (shown.length < findings.length) out.push(`<p class="muted">${plural(findings.length - shown.length, 'finding')} below ${esc(minSeverity!)} not listed (--severity).</p>\n`);
  const sorted = sortFindings(shown);
  for (const s of SEVERITIES) {
    const group = sorted.filter((f) => f.severity === s);
    if (!group.length) continue;
    out.push(h(level, `${CAPITAL[s]} (${group.length})`, ` id="${idp}-sev-${s}"`), `<ul class="findings">${group.map(findingHtml).join('')}</ul>\n`);
  }
  return out.join('');
}
