// `--format csv`: one row per target (grades, counts by severity, certificate expiry, protocols,
// timing, the kinds of probe errors), or with --csv-findings one row per finding. RFC 4180 with
// CRLF, formula-injection safe (csv.ts), streamed: the header, then each report's row(s) as the
// source yields it.
//
// The file starts with a UTF-8 byte order mark. Excel opens a CSV without one in the machine's
// legacy code page, and the reports hold non-ASCII text (em dashes in titles and references,
// certificate names, IDN U-labels) that would come out garbled; the spreadsheet is who this format
// is for (the apostrophes against formulas already assume one). Programs read it with the BOM
// skipped: csv-parse `bom: true`, Python `encoding="utf-8-sig"`.
import { PROTOCOLS, SEVERITIES } from '../model/constants.js';
import type { Finding, Report } from '../model/report.js';
import { severityRank, sortFindings } from '../model/severity.js';
import { csvRow } from './csv.js';
import { gradeWord } from './grade-words.js';
import type { Renderer, RenderOptions, ReportSource } from './renderer.js';

export const UTF8_BOM = '\uFEFF';

/** Excel keeps at most 32,767 characters in a cell; longer evidence is cut (the JSON report has it whole). */
const CELL_MAX = 32_000;
const clip = (s: string): string => (s.length > CELL_MAX ? `${s.slice(0, CELL_MAX - 1)}…` : s);
/** One line: a spreadsheet row per record, whatever a server put in its text. */
const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ');

export const TARGET_COLUMNS = [
  'target',
  'ip',
  'port',
  'status',
  'overall',
  'tls',
  'http',
  'email',
  ...SEVERITIES,
  'cert_not_after',
  'protocols',
  'started_at',
  'duration_ms',
  'errors',
] as const;

export const FINDING_COLUMNS = ['target', 'finding', 'subject', 'severity', 'status', 'title', 'evidence', 'remediation', 'reference'] as const;

/** The target's row: what a fleet spreadsheet sorts and filters on. */
export function targetRow(r: Report): Array<string | number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<string, number>;
  for (const f of r.findings) counts[f.severity]!++;
  const ips = [...new Set(r.endpoints.map((e) => e.ip))].join(' ');
  // Protocols any endpoint accepted, newest first.
  const protocols = [...PROTOCOLS].reverse().filter((p) => r.endpoints.some((e) => e.tls.protocols[p] === true));
  const errors = [...new Set(r.probes.filter((p) => p.status === 'error').map((p) => p.errorKind ?? 'unknown'))].sort();
  return [
    r.target.host,
    ips,
    r.target.port,
    r.status,
    gradeWord(r, 'overall'),
    gradeWord(r, 'tls'),
    gradeWord(r, 'http'),
    gradeWord(r, 'email'),
    ...SEVERITIES.map((s) => counts[s]!),
    r.endpoints[0]?.tls.certificates[0]?.notAfter ?? '',
    protocols.join(' '),
    r.startedAt,
    r.durationMs,
    errors.join(' '),
  ];
}

function findingRow(r: Report, f: Finding): Array<string | number> {
  return [
    r.target.host,
    f.id,
    f.subject,
    f.severity,
    r.status,
    clip(oneLine(f.title)),
    clip(JSON.stringify(f.evidence)),
    clip(oneLine(f.remediation)),
    f.references[0] ? clip(oneLine(f.references[0])) : '',
  ];
}

/**
 * The finding rows of one report, at or above --severity. A target whose scan did not complete
 * also gets a row without a finding id saying so: an incomplete scan never reads as a clean one.
 */
export function findingRows(r: Report, opts: RenderOptions): Array<Array<string | number>> {
  const min = opts.minSeverity;
  const listed = sortFindings(min ? r.findings.filter((f) => severityRank(f.severity) <= severityRank(min)) : r.findings);
  const rows = listed.map((f) => findingRow(r, f));
  if (r.status !== 'ok') {
    const untested = (r.incomplete ?? []).map((i) => `${i.probe}${i.subject ? ` ${i.subject}` : ''}: ${i.reason}`);
    const title = `scan ${r.status === 'error' ? 'failed' : r.status}${r.reason ? `: ${r.reason}` : ''}${untested.length ? ` (not tested: ${untested.join('; ')})` : ''}`;
    rows.unshift([r.target.host, '', '', '', r.status, clip(oneLine(title)), '', '', '']);
  }
  return rows;
}

async function* streamCsv(source: ReportSource, opts: RenderOptions): AsyncGenerator<string> {
  yield UTF8_BOM + csvRow(opts.csvFindings ? FINDING_COLUMNS : TARGET_COLUMNS);
  for await (const r of source()) {
    if (opts.csvFindings) yield findingRows(r, opts).map(csvRow).join('');
    else yield csvRow(targetRow(r));
  }
}

/** `--format csv`: a spreadsheet of the run, one row per target (or per finding with --csv-findings). */
export const csvRenderer: Renderer = {
  id: 'csv',
  extensions: ['.csv'],
  stream: streamCsv,
};
