// `--format markdown`: GitHub-flavoured Markdown for pull-request comments and wikis. One target:
// the grade line, a compact table per section, the findings at or above medium (or --severity).
// A batch: a fleet table (worst first), the counts, then each target folded in <details>.
// GitHub refuses a comment over 65,536 characters, so the whole document is built against a budget
// for any number of targets: the fleet table summarises its best-graded rows as a count line past
// its share, and per-target details stop with "N more targets: see the full report".
// Streamed from a source read twice (digests first, details second); memory holds small digests
// of at most the rows and details that can fit, never the reports.
import { SEVERITIES, type Severity } from '../model/constants.js';
import type { Report } from '../model/report.js';
import { gradeRank, isGradeLetter } from '../model/severity.js';
import { htmlText, mdText } from './markdown-escape.js';
import {
  countWords,
  emailSection,
  findingItem,
  gradeLine,
  gradeReasonLine,
  httpSection,
  listedFindings,
  scannedLine,
  severityCounts,
  statusLines,
  targetLabel,
  simulationSection,
  tlsSection,
} from './markdown-sections.js';
import { gradeWord, type GradeKey } from './grade-words.js';
import type { Renderer, RenderOptions, ReportSource } from './renderer.js';

/** GitHub's limit for an issue or pull-request comment. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/**
 * What the document is built against. Every part is counted as it is added (separators and the
 * closing line included), so this only keeps a margin; lengths are UTF-16 code units, never fewer
 * than the characters GitHub counts.
 */
export const MARKDOWN_REPORT_BUDGET = 64_000;
/** The fleet table's share of the budget; the rest is for the counts and the per-target details. */
const FLEET_BUDGET = 24_000;
/** One target's details at most, so one huge report cannot take the whole comment. */
const TARGET_MAX = 12_000;
/** Rows kept for the fleet table, and targets rendered for details: more could never fit. */
const FLEET_ROWS_KEPT = 1_000;
const DETAILS_KEPT = 200;
/** Kept free for a closing "more … not shown" line. */
const CLOSING_RESERVE = 240;

/** Parts joined by blank lines, each added only when it fits within the limit. */
class Budget {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  fits(s: string, reserve = 0): boolean {
    return this.size + s.length + 2 + reserve <= this.limit;
  }
  add(s: string, reserve = 0): boolean {
    if (!this.fits(s, reserve)) return false;
    this.parts.push(s);
    this.size += s.length + 2;
    return true;
  }
  text(): string {
    return this.parts.join('\n\n');
  }
}

const minSeverity = (opts: RenderOptions): Severity => opts.minSeverity ?? 'medium';
const generated = (opts: RenderOptions): string => opts.generatedAt.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * One report's Markdown within `max` characters: grade line, status, the section tables, then the
 * findings one by one; what does not fit is named in a closing line.
 */
export function reportMarkdown(r: Report, opts: RenderOptions, max: number, h: '###' | '####'): string {
  const min = minSeverity(opts);
  const listed = listedFindings(r.findings, min);
  const hidden = r.findings.length - listed.length;
  const intro =
    r.status === 'error' && !r.findings.length
      ? `${h} Findings\n\n_None: the scan failed, so nothing was tested._`
      : `${h} Findings\n\n${r.findings.length} finding(s): ${countWords(severityCounts(r.findings))}.` +
        (listed.length ? ` Listed: ${min} and above${hidden ? ` (${hidden} below not listed)` : ''}.` : ` None at ${min} or above.`);
  // The findings are what a reader acts on: the tables may not take the room they need (up to 40%).
  const findingsShare = Math.floor(max * 0.4);
  let findingsWant = intro.length + 2;
  for (const f of listed) {
    if (findingsWant >= findingsShare) break;
    findingsWant += findingItem(f).length + 1;
  }
  const keep = CLOSING_RESERVE + Math.min(findingsWant, findingsShare);

  const out = new Budget(max);
  const cut: string[] = [];
  const put = (part: string, name: string) => {
    if (part && !out.add(part, keep)) cut.push(name);
  };
  // In a batch the <summary> already gives the grades.
  if (h === '###') put(gradeLine(r), 'grades');
  for (const s of statusLines(r)) put(s, 'status');
  put(gradeReasonLine(r), 'grade reasons');
  for (const e of r.endpoints) put(tlsSection(e, h), `TLS ${e.ip}`);
  if (!r.endpoints.length) put(`${h} TLS — _${gradeWord(r, 'tls')}_\n\n_No endpoint was reached._`, 'TLS');
  put(httpSection(r, h), 'HTTP');
  put(emailSection(r, h), 'Email');
  // Long tables, and no grade of their own: after the sections that carry one.
  for (const e of r.endpoints) put(simulationSection(e, h), `handshake simulation ${e.ip}`);

  if (out.add(intro, CLOSING_RESERVE)) {
    let shown = 0;
    // Items go in one part so they stay a single list (no blank line between them).
    let items = '';
    for (const f of listed) {
      const item = findingItem(f);
      const next = items ? `${items}\n${item}` : item;
      if (!out.fits(next, CLOSING_RESERVE)) break;
      items = next;
      shown++;
    }
    if (shown < listed.length) items += `${items ? '\n' : ''}- _${listed.length - shown} more finding(s): see the full report._`;
    if (items) out.add(items);
  } else cut.push('findings');
  if (cut.length) {
    // Named up to five, so the line itself fits the reserve kept for it.
    const names = [...new Set(cut)];
    const list = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    out.add(`_Not shown for length: ${mdText(list)}; see the full report._`);
  }
  return out.text();
}

// ---- batch digests ------------------------------------------------------------------------------

interface Digest {
  ordinal: number;
  label: string;
  status: Report['status'];
  grades: Record<GradeKey, string>;
  counts: Record<Severity, number>;
}

const GRADE_KEYS: readonly GradeKey[] = ['overall', 'tls', 'http', 'email'];
const rankOf = (w: string): number => (isGradeLetter(w) ? gradeRank(w) : 0);
const statusRank = (s: Report['status']): number => (s === 'ok' ? 2 : s === 'partial' ? 1 : 0);

/** Worst first: failed scans, then by overall, TLS, HTTP, email letter, then more severe findings; then by name. */
function worstFirst(a: Digest, b: Digest): number {
  const d = statusRank(a.status) - statusRank(b.status);
  if (d) return d;
  for (const k of GRADE_KEYS) {
    const g = rankOf(a.grades[k]) - rankOf(b.grades[k]);
    if (g) return g;
  }
  for (const s of SEVERITIES) if (a.counts[s] !== b.counts[s]) return b.counts[s] - a.counts[s];
  return a.label < b.label ? -1 : a.label > b.label ? 1 : a.ordinal - b.ordinal;
}

function digestOf(r: Report, ordinal: number): Digest {
  return {
    ordinal,
    label: targetLabel(r),
    status: r.status,
    grades: Object.fromEntries(GRADE_KEYS.map((k) => [k, gradeWord(r, k)])) as Record<GradeKey, string>,
    counts: severityCounts(r.findings),
  };
}

/** The `keep` worst digests seen, in memory proportional to `keep`, not to the number of targets. */
class WorstList {
  private items: Digest[] = [];
  constructor(private readonly keep: number) {}
  push(d: Digest): void {
    this.items.push(d);
    if (this.items.length >= this.keep * 2) this.trim();
  }
  private trim(): void {
    this.items.sort(worstFirst);
    this.items.length = Math.min(this.items.length, this.keep);
  }
  sorted(): Digest[] {
    this.trim();
    return this.items;
  }
}

interface Totals {
  count: number;
  byStatus: Map<string, number>;
  byOverall: Map<string, number>;
  findings: Record<Severity, number>;
  version: string;
}

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
/** Letters best first, then the words (not graded, not tested). */
const gradeOrder = (m: Map<string, number>): Array<[string, number]> => [...m].filter(([, n]) => n > 0).sort((a, b) => rankOf(b[0]) - rankOf(a[0]) || a[0].localeCompare(b[0]));
const gradeCell = (w: string): string => (isGradeLetter(w) ? w : `_${w}_`);
const statusWord = (s: Report['status']): string => (s === 'error' ? 'failed' : s);

function fleetTable(rows: Digest[], totals: Totals): string {
  const head = ['Target', 'Overall', 'TLS', 'HTTP', 'Email', 'Critical', 'High', 'Medium', 'Status'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  let size = lines.join('\n').length;
  const shown = new Map<string, number>();
  let n = 0;
  for (const d of rows) {
    const line = `| ${mdText(d.label)} | ${GRADE_KEYS.map((k) => gradeCell(d.grades[k])).join(' | ')} | ${d.counts.critical} | ${d.counts.high} | ${d.counts.medium} | ${statusWord(d.status)} |`;
    if (size + line.length + 1 > FLEET_BUDGET - CLOSING_RESERVE) break;
    lines.push(line);
    size += line.length + 1;
    bump(shown, d.grades.overall);
    n++;
  }
  let text = lines.join('\n');
  if (n < totals.count) {
    // The rows left out are the best graded (the table is worst first): say how many of each grade.
    const rest = new Map([...totals.byOverall].map(([g, c]) => [g, c - (shown.get(g) ?? 0)]));
    const grades = gradeOrder(rest).map(([g, c]) => `${mdText(g)} ${c}`).join(' · ');
    text += `\n\n_${totals.count - n} more target(s), none worse than those above (overall ${grades}): see the full report._`;
  }
  return text;
}

function countsBlock(t: Totals): string {
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${mdText(k)} ${n}`).join(' · ');
  return [
    `**Targets:** ${t.count} · ${list(new Map([...t.byStatus].map(([k, n]) => [statusWord(k as Report['status']), n])))}`,
    `**Overall grades:** ${gradeOrder(t.byOverall).map(([g, n]) => `${mdText(g)} ${n}`).join(' · ')}`,
    `**Findings:** ${countWords(t.findings)}`,
  ].join('  \n');
}

const SUMMARY_LABEL: Record<GradeKey, string> = { overall: 'overall', tls: 'TLS', http: 'HTTP', email: 'Email' };

function detailsBlock(d: Digest, body: string): string {
  const grades = GRADE_KEYS.map((k) => `${SUMMARY_LABEL[k]} ${d.grades[k]}`).join(' · ');
  const status = d.status === 'ok' ? '' : ` · ${statusWord(d.status)}`;
  const total = SEVERITIES.reduce((n, s) => n + d.counts[s], 0);
  const findings = total ? countWords(d.counts) : d.status === 'error' ? '' : 'no findings';
  return `<details><summary><b>${htmlText(d.label)}</b> — ${htmlText(grades)}${status}${findings ? ` · ${htmlText(findings)}` : ''}</summary>\n\n${body}\n\n</details>`;
}

async function* streamMarkdown(source: ReportSource, opts: RenderOptions): AsyncGenerator<string> {
  // Pass 1: totals and the worst digests (and the report itself while there is only one).
  const totals: Totals = { count: 0, byStatus: new Map(), byOverall: new Map(), findings: severityCounts([]), version: '' };
  const worst = new WorstList(FLEET_ROWS_KEPT);
  let only: Report | null = null;
  for await (const r of source()) {
    const d = digestOf(r, totals.count);
    only = totals.count === 0 ? r : null;
    totals.count++;
    totals.version ||= r.tool.version;
    bump(totals.byStatus, r.status);
    bump(totals.byOverall, d.grades.overall);
    for (const s of SEVERITIES) totals.findings[s] += d.counts[s];
    worst.push(d);
  }
  if (totals.count === 0) {
    yield `## secgrade report\n\nNo targets. Generated ${generated(opts)}.\n`;
    return;
  }
  if (only) {
    const head = `## secgrade: ${mdText(targetLabel(only))}\n\n${scannedLine(only)} · generated ${generated(opts)}`;
    yield `${head}\n\n${reportMarkdown(only, opts, MARKDOWN_REPORT_BUDGET - head.length - 2, '###')}\n`;
    return;
  }

  const doc = new Budget(MARKDOWN_REPORT_BUDGET);
  const rows = worst.sorted();
  doc.add(`## secgrade report: ${totals.count} targets\n\nGenerated ${generated(opts)} · secgrade ${mdText(totals.version)} · worst first`);
  doc.add(fleetTable(rows, totals));
  doc.add(countsBlock(totals));
  doc.add('### Targets');
  yield doc.text();

  // Pass 2: the details of the worst targets, rendered once each and kept only while they may fit.
  const candidates = new Map(rows.slice(0, DETAILS_KEPT).map((d, i) => [d.ordinal, i]));
  const bodies: string[] = [];
  let ordinal = 0;
  for await (const r of source()) {
    const at = candidates.get(ordinal++);
    if (at !== undefined) bodies[at] = reportMarkdown(r, opts, TARGET_MAX, '####');
  }
  let shown = 0;
  for (let i = 0; i < rows.length && i < DETAILS_KEPT; i++) {
    const body = bodies[i];
    if (body === undefined) break;
    const block = detailsBlock(rows[i]!, body);
    if (!doc.add(block, CLOSING_RESERVE)) break;
    yield `\n\n${block}`;
    shown++;
  }
  const rest = totals.count - shown;
  yield rest > 0 ? `\n\n_${rest} more targets: see the full report._\n` : '\n';
}

/** `--format markdown`: for pull-request comments and wikis (GitHub-flavoured). */
export const markdownRenderer: Renderer = {
  id: 'markdown',
  extensions: ['.md', '.markdown'],
  stream: streamMarkdown,
};
