// What both backends write for a report: the full report as compressed JSON, and the rows that
// history queries read instead (target name, grades per section, findings by id@subject and
// severity), so listing a timeline never decompresses a report.
import { brotliDecompress, gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SEVERITIES, type Grade, type Report, type Severity } from '../model/report.js';
import { reportTargetName } from './target-name.js';
import { GRADE_SECTIONS, STORE_SOURCES, StoreError, type SaveMeta, type SectionGrades, type SeverityCounts } from './types.js';

const compress = promisify(gzip);
const unbrotli = promisify(brotliDecompress);
const ungzip = promisify(gunzip);

/**
 * gzip -6. Measured on a lab report (42 KB of JSON): gzip 10.6 KB in 1.5 ms, brotli q6 10.1 KB in
 * 2.8 ms. Brotli saves 4 % for twice the time, and gzip is read by every tool (zcat on a row
 * exported from sqlite3 or psql). The column `encoding` names it, so a later version may change it
 * and still read old rows (brotli is read too).
 */
export const BODY_ENCODING = 'gzip';
const GZIP_OPTIONS = { level: 6 };
/** A stored report larger than this once decompressed is refused as damaged (reports are a few hundred KB). */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export interface ReportRows {
  key: string;
  target: string;
  runId: string;
  source: SaveMeta['source'];
  status: Report['status'];
  reason: string | null;
  /** Milliseconds since the epoch. */
  startedAt: number;
  durationMs: number;
  toolVersion: string;
  algorithmVersion: string;
  encoding: string;
  body: Buffer;
  bodyBytes: number;
  /** Every key of report.grades (a later section like ssh is kept too). */
  grades: Array<{ section: string; grade: Grade }>;
  findings: Array<{ id: string; subject: string; severity: Severity }>;
}

/** The key a report is saved under: the caller's, else the report's job key, else target|run. */
export function reportKey(report: Report, meta: SaveMeta, target: string): string {
  return meta.jobKey ?? report.job?.key ?? `${target}|${meta.runId}`;
}

export async function reportRows(report: Report, meta: SaveMeta): Promise<ReportRows> {
  if (!(STORE_SOURCES as readonly string[]).includes(meta.source)) throw new StoreError(`unknown report source "${meta.source}"`, 'usage');
  if (!meta.runId) throw new StoreError('a report is saved with a run id', 'usage');
  const startedAt = Date.parse(report.startedAt);
  if (!Number.isFinite(startedAt)) throw new StoreError(`report of ${report.target.host}: startedAt "${report.startedAt}" is not a date`, 'usage');
  const target = reportTargetName(report);
  const json = Buffer.from(JSON.stringify(report), 'utf8');
  return {
    key: reportKey(report, meta, target),
    target,
    runId: meta.runId,
    source: meta.source,
    status: report.status,
    reason: report.reason ?? null,
    startedAt,
    durationMs: Math.max(0, Math.round(report.durationMs)),
    toolVersion: report.tool.version,
    algorithmVersion: report.algorithmVersion,
    encoding: BODY_ENCODING,
    body: await compress(json, GZIP_OPTIONS),
    bodyBytes: json.length,
    grades: Object.entries(report.grades).map(([section, grade]) => ({ section, grade: grade ?? null })),
    findings: report.findings.map((f) => ({ id: f.id, subject: f.subject, severity: f.severity })),
  };
}

export async function decodeBody(encoding: string, body: Buffer): Promise<Report> {
  const opts = { maxOutputLength: MAX_REPORT_BYTES };
  if (encoding !== 'gzip' && encoding !== 'br') throw new StoreError(`a stored report has the unknown encoding "${encoding}" (written by a newer secgrade?)`, 'usage');
  try {
    const json = encoding === 'gzip' ? await ungzip(body, opts) : await unbrotli(body, opts);
    return JSON.parse(json.toString('utf8')) as Report;
  } catch (err) {
    throw new StoreError(`a stored report cannot be read (damaged, or over ${MAX_REPORT_BYTES >> 20} MB): ${(err as Error).message.split('\n')[0]}`, 'unavailable');
  }
}

/** The four sections' grades from (section, grade) rows; a missing row is null (not decided). */
export function gradesFromRows(rows: ReadonlyArray<{ section: string; grade: string | null }>): SectionGrades {
  const out = Object.fromEntries(GRADE_SECTIONS.map((s) => [s, null])) as SectionGrades;
  for (const r of rows) if ((GRADE_SECTIONS as readonly string[]).includes(r.section)) out[r.section as keyof SectionGrades] = r.grade as Grade;
  return out;
}

export function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

/** Rows by a key (Map.groupBy is not in Node 20). */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
