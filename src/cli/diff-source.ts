// Where `secgrade diff` reads each side from: a file — a JSON report or array of reports (`secgrade
// scan --format json`), or a batch's NDJSON run (report lines and a summary line; a torn last line
// is ignored with a notice) — or the history store: every report of a run id, or a target's runs
// (`secgrade diff TARGET --last N`). loadDiffSide is the one place that knows them.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { readResults } from '../batch/results-file.js';
import type { DiffSource, LoadedSide } from '../diff/types.js';
import { REPORT_SCHEMA_ID, type Report } from '../model/report.js';
import type { Store } from '../store/types.js';
import { UsageError } from './exit.js';

/** What the diff reads of a report is kept; the bulk (evidence, chains, rating details) is dropped as it is read, so a large run stays small in memory. */
function slim(r: Report): Report {
  return {
    ...r,
    dataSources: [],
    findings: r.findings.map((f) => ({ id: f.id, subject: f.subject, severity: f.severity, title: f.title, detail: '', evidence: {}, remediation: '', references: [] })),
    endpoints: r.endpoints.map((e) => {
      const { chains: _c, simulation: _s, rating: _r, ...tls } = e.tls as typeof e.tls & { simulation?: unknown };
      return { ...e, tls };
    }),
    http: r.http ? { ...r.http, observatory: null, cookies: [] } : null,
    email: r.email ? { ...r.email, rating: null } : null,
  };
}

function isReport(v: unknown): v is Report {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<Report>;
  return (
    r.schema === REPORT_SCHEMA_ID && typeof r.status === 'string' && typeof r.target === 'object' && r.target !== null &&
    typeof r.grades === 'object' && r.grades !== null && Array.isArray(r.findings) && Array.isArray(r.probes) && Array.isArray(r.endpoints)
  );
}

/** Files up to this size are tried as one JSON document first; larger ones can only be NDJSON runs. */
const MAX_JSON_DOCUMENT = 64 * 1024 * 1024;

async function loadFile(source: DiffSource & { kind: 'file' }, label: string): Promise<LoadedSide> {
  const { path } = source;
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new UsageError(`${label} ${path} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${label} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const notices: string[] = [];
  const reports: Report[] = [];
  let document: unknown;
  if (size <= MAX_JSON_DOCUMENT) {
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      document = undefined; // not one JSON document: an NDJSON run, or nothing of ours
    }
  }
  if (document !== undefined) {
    // `secgrade scan --format json`: one report, or an array of them.
    const list = Array.isArray(document) ? document : [document];
    const bad = list.findIndex((v) => !isReport(v));
    if (bad !== -1) throw new UsageError(`${label} ${path}: ${Array.isArray(document) ? `element ${bad}` : 'the JSON'} is not a secgrade report (${REPORT_SCHEMA_ID})`);
    for (const r of list as Report[]) reports.push(slim(r));
  } else {
    // NDJSON: a batch run, read a line at a time.
    let invalid = 0;
    let summaries = 0;
    for await (const line of readResults(path)) {
      if (line.kind === 'report') {
        if (isReport(line.report)) reports.push(slim(line.report));
        else invalid++;
      } else if (line.kind === 'summary') summaries++;
      else if (line.kind === 'torn') notices.push(`${label} ${path}: the last line is torn (the batch was stopped mid-line): ignored`);
      else invalid++;
    }
    if (!reports.length && !summaries) throw new UsageError(`${label} ${path} is neither a JSON report nor an NDJSON run (no line is a report)`);
    if (invalid) notices.push(`${label} ${path}: ${invalid} line(s) that are not reports ignored`);
  }
  if (!reports.length) throw new UsageError(`${label} ${path} holds no secgrade report`);
  return { source, label, reports, notices };
}

/** A run id as `newRunId()` makes them (src/batch/jobs.ts): UTC time to the second, then 6 hex digits. */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

async function loadRun(store: Store, runId: string, label: string, where: string): Promise<LoadedSide> {
  const reports = await store.runReports(runId);
  if (!reports.length) throw new UsageError(`${label}: no run ${runId} in the store ${where}`);
  return { source: { kind: 'run', runId }, label, reports: reports.map(slim), notices: [] };
}

/**
 * The reports of one side of a diff; every problem is a UsageError (one line, exit 2). `store`
 * (with `where`, how it is named in messages) is needed for run ids and target histories.
 */
export async function loadDiffSide(source: DiffSource, label: string, store?: { store: Store; where: string }): Promise<LoadedSide> {
  switch (source.kind) {
    case 'file':
      return loadFile(source, label);
    case 'run':
      if (!store) throw new UsageError(`${label}: ${source.runId} is a run id: it is read from a history store (--store)`);
      return loadRun(store.store, source.runId, label, store.where);
    case 'target-run': {
      if (!store) throw new UsageError(`${label}: a target's runs are read from a history store (--store)`);
      const reports = await store.store.lastReports(source.target, source.back + 1);
      const report = reports[source.back];
      if (!report) throw new UsageError(`${source.target}: ${reports.length} run(s) in the store ${store.where}, ${source.back + 1} needed`);
      return { source, label, reports: [slim(report)], notices: [] };
    }
  }
}

/** A command-line argument as a source: an existing file, else a run id of the store. */
export function parseDiffSource(arg: string): DiffSource {
  if (!existsSync(arg) && RUN_ID.test(arg)) return { kind: 'run', runId: arg };
  return { kind: 'file', path: arg };
}

/** Whether a source needs the history store. */
export const needsStore = (s: DiffSource): boolean => s.kind !== 'file';
