// Google's CT log list, v3 schema (https://www.gstatic.com/ct/log_list/v3/log_list_schema.json).
// The shipped snapshot is data/ct-log-list.json; a caller may point at another file. The JSON is
// validated field by field: a malformed log is skipped with a warning, a malformed list is an error.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolveDataFile } from '../data/sources.js';

export const LOG_STATES = ['usable', 'qualified', 'readonly', 'retired', 'pending', 'rejected'] as const;
export type CtLogState = (typeof LOG_STATES)[number];

export interface CtLog {
  /** base64 of SHA-256(key), exactly as in the list. */
  logId: string;
  description: string;
  /** Current operator (the `operators[].name` entry holding the log). */
  operator: string;
  /** Earlier operators, each with the last moment it ran the log (v3 `previous_operators`). */
  previousOperators: Array<{ name: string; endTime: Date }>;
  /** SubjectPublicKeyInfo DER. */
  key: Buffer;
  /** null: the list gives no (known) state, e.g. test logs. */
  state: CtLogState | null;
  /** When the log entered `state`. */
  stateTimestamp: Date | null;
  /** The certificate expiry range the log accepts. */
  temporalInterval: { startInclusive: Date; endExclusive: Date } | null;
  /** static-ct-api (tiled) log rather than RFC 6962. */
  tiled: boolean;
  /** `log_type` when present ('test', 'monitoring_only' …). */
  logType: string | null;
  /** RFC 6962 url, or the submission url of a tiled log. */
  url: string | null;
}

export interface CtLogList {
  version: string | null;
  /** The list's own date: reports say which snapshot their CT verdicts rest on. */
  logListTimestamp: Date;
  /** snapshot: shipped in data/; cache: verified copy from `secgrade data update`; file: --ct-log-list. */
  source: 'snapshot' | 'cache' | 'file';
  path: string | null;
  logs: CtLog[];
  /** Logs keyed by base64 log id. */
  byId: ReadonlyMap<string, CtLog>;
  /** Entries skipped or fields ignored while validating. */
  warnings: string[];
}

export class CtLogListError extends Error {
  override name = 'CtLogListError';
}

const MAX_FILE_BYTES = 16 << 20;
const MAX_OPERATORS = 256;
const MAX_LOGS = 4096;
const MAX_WARNINGS = 100;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length <= 4096 ? v : null);

function date(v: unknown): Date | null {
  const s = str(v);
  if (!s || !/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function base64(v: unknown): Buffer | null {
  const s = str(v);
  if (!s || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}

function parseState(v: unknown, warn: (m: string) => void, name: string): { state: CtLogState | null; at: Date | null } {
  if (v === undefined) return { state: null, at: null };
  const keys = isObject(v) ? Object.keys(v) : [];
  const key = keys[0];
  if (keys.length !== 1 || !key || !(LOG_STATES as readonly string[]).includes(key)) {
    warn(`${name}: unrecognised state ${JSON.stringify(keys)}, treated as none`);
    return { state: null, at: null };
  }
  const detail = (v as Json)[key];
  return { state: key as CtLogState, at: isObject(detail) ? date(detail.timestamp) : null };
}

function parseLog(raw: unknown, operator: string, tiled: boolean, warn: (m: string) => void): CtLog | null {
  const skip = (m: string) => {
    warn(m);
    return null;
  };
  if (!isObject(raw)) return skip(`${operator}: a log entry is not an object`);
  const description = str(raw.description) ?? '(no description)';
  const name = `${operator} / ${description}`;
  const logId = str(raw.log_id);
  const idBytes = base64(raw.log_id);
  const key = base64(raw.key);
  if (!logId || !idBytes || idBytes.length !== 32) return skip(`${name}: log_id is not 32 bytes of base64`);
  if (!key || key.length === 0) return skip(`${name}: key is not base64`);
  // The id is defined as SHA-256 of the key (RFC 6962 §3.2); a mismatch means a corrupt entry.
  if (!createHash('sha256').update(key).digest().equals(idBytes)) return skip(`${name}: log_id is not SHA-256 of its key`);
  const { state, at } = parseState(raw.state, warn, name);
  const ti = raw.temporal_interval;
  const start = isObject(ti) ? date(ti.start_inclusive) : null;
  const end = isObject(ti) ? date(ti.end_exclusive) : null;
  const previousOperators: CtLog['previousOperators'] = [];
  if (Array.isArray(raw.previous_operators)) {
    for (const p of raw.previous_operators.slice(0, 16)) {
      const pName = isObject(p) ? str(p.name) : null;
      const endTime = isObject(p) ? date(p.end_time) : null;
      if (pName && endTime) previousOperators.push({ name: pName, endTime });
      else warn(`${name}: malformed previous_operators entry ignored`);
    }
    previousOperators.sort((a, b) => a.endTime.getTime() - b.endTime.getTime());
  }
  return {
    logId,
    description,
    operator,
    previousOperators,
    key,
    state,
    stateTimestamp: at,
    temporalInterval: start && end ? { startInclusive: start, endExclusive: end } : null,
    tiled,
    logType: str(raw.log_type),
    url: str(raw.url) ?? str(raw.submission_url),
  };
}

/** Validate a parsed log list JSON value. */
export function parseLogList(json: unknown, origin: { source: CtLogList['source']; path: string | null }): { ok: true; list: CtLogList } | { ok: false; error: string } {
  if (!isObject(json)) return { ok: false, error: 'log list is not a JSON object' };
  const logListTimestamp = date(json.log_list_timestamp);
  if (!logListTimestamp) return { ok: false, error: 'log list has no valid log_list_timestamp' };
  if (!Array.isArray(json.operators)) return { ok: false, error: 'log list has no operators array' };
  if (json.operators.length > MAX_OPERATORS) return { ok: false, error: `log list has more than ${MAX_OPERATORS} operators` };
  const warnings: string[] = [];
  const warn = (m: string) => void (warnings.length < MAX_WARNINGS && warnings.push(m));
  const logs: CtLog[] = [];
  const byId = new Map<string, CtLog>();
  for (const op of json.operators) {
    const operator = isObject(op) ? str(op.name) : null;
    if (!isObject(op) || !operator) {
      warn('an operator entry has no name; skipped');
      continue;
    }
    for (const [field, tiled] of [['logs', false], ['tiled_logs', true]] as const) {
      const entries = op[field];
      if (entries === undefined) continue;
      if (!Array.isArray(entries)) {
        warn(`${operator}: ${field} is not an array; skipped`);
        continue;
      }
      for (const raw of entries) {
        if (logs.length >= MAX_LOGS) return { ok: false, error: `log list has more than ${MAX_LOGS} logs` };
        const log = parseLog(raw, operator, tiled, warn);
        if (!log) continue;
        if (byId.has(log.logId)) {
          warn(`${operator} / ${log.description}: duplicate log_id; first entry kept`);
          continue;
        }
        logs.push(log);
        byId.set(log.logId, log);
      }
    }
  }
  const version = str(json.version);
  return { ok: true, list: { version, logListTimestamp, source: origin.source, path: origin.path, logs, byId, warnings } };
}

/** The operator running `log` when it issued an SCT at `timestampMs` (Chrome CT policy, previous_operators). */
export function operatorAt(log: CtLog, timestampMs: number): string {
  for (const p of log.previousOperators) if (timestampMs < p.endTime.getTime()) return p.name;
  return log.operator;
}

async function readListFile(path: string, source: CtLogList['source']): Promise<CtLogList> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) throw new CtLogListError(`${path}: ${info.size} bytes is too large for a CT log list`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof CtLogListError) throw err;
    throw new CtLogListError(`${path}: cannot read the CT log list (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CtLogListError(`${path}: not JSON (${(err as Error).message})`);
  }
  const parsed = parseLogList(json, { source, path });
  if (!parsed.ok) throw new CtLogListError(`${path}: ${parsed.error}`);
  return parsed.list;
}

/**
 * The list at `path`, or the default one: the copy `secgrade data update` verified into the cache
 * folder (`dir`), else the shipped snapshot. Throws CtLogListError. src/data/reference.ts keeps
 * what it read for the process.
 */
export function loadLogList(opts: { path?: string; dir?: string } = {}): Promise<CtLogList> {
  if (opts.path) return readListFile(opts.path, 'file');
  const choice = resolveDataFile('ct-log-list.json', opts.dir);
  return readListFile(choice.path, choice.source);
}
