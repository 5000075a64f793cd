// A batch job: one target with its effective options (the batch's flags with the line's on top).
// Its key — target, a hash of the options, run id — names the job everywhere: the NDJSON line,
// resume, the per-target file, and later the queue and the store (idempotent by key).
import { createHash, randomBytes } from 'node:crypto';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';

/** What decides a scan's result besides the target: two jobs with equal options scan alike. */
export interface JobOptions {
  ips: readonly string[];
  sni: string | null;
  /** "host:port" of the DNS server, or null for the system resolver. */
  dns: string | null;
  checks: readonly string[] | null;
  probes: readonly string[] | null;
  timeoutMs: number;
  maxEndpoints: number;
  allowPrivate: boolean;
  /** Probe options (--http-port …) by key. */
  options: ReadonlyMap<string, unknown>;
  /** --profile ids; absent when none. */
  profiles?: readonly string[];
  /** --xmpp-host (the stream's to= domain of an xmpp:// target); absent when not given. */
  xmppHost?: string;
}

export interface Job {
  /** target|optionsHash|runId */
  key: string;
  target: Target;
  /** The target in normal form (lower-case host, port and path when given). */
  name: string;
  optionsHash: string;
  options: JobOptions;
  /** The line of the input it came from (the first, when duplicates were merged). */
  line: number;
  tags: string[];
}

/** What each NDJSON line carries beside the report: the Contract's `job` (src/model/report.ts). */
export type JobInfo = NonNullable<Report['job']>;

/** Sortable and unique enough for a run: UTC time to the second, then 6 random hex digits. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function targetName(t: Target): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  // A service target keeps its scheme: imap://host and pop3://host are different scans.
  return `${t.scheme ? `${t.scheme}://` : ''}${host}${t.port !== null ? `:${t.port}` : ''}${t.path !== '/' ? t.path : ''}`;
}

/** Canonical JSON: object (and map) keys sorted, so the hash does not depend on the order flags were given in. */
function canonical(value: unknown): unknown {
  if (value instanceof Map) return canonical(Object.fromEntries([...value.entries()].sort(([a], [b]) => String(a).localeCompare(String(b)))));
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function optionsHash(o: JobOptions): string {
  const normal = { ...o, ips: [...o.ips].sort(), checks: o.checks ? [...o.checks].sort() : null, probes: o.probes ? [...o.probes].sort() : null };
  return createHash('sha256').update(JSON.stringify(canonical(normal))).digest('hex').slice(0, 12);
}

/** The key without the run: equal for the same target scanned the same way in any run. */
export const jobIdentity = (name: string, hash: string): string => `${name}|${hash}`;

export function makeJob(target: Target, options: JobOptions, runId: string, line: number, tags: readonly string[]): Job {
  const name = targetName(target);
  const hash = optionsHash(options);
  return { key: `${jobIdentity(name, hash)}|${runId}`, target, name, optionsHash: hash, options, line, tags: [...new Set(tags)] };
}

export function jobInfo(job: Job, runId: string): JobInfo {
  return { key: job.key, runId, input: job.name, line: job.line, ...(job.tags.length ? { tags: job.tags } : {}) };
}

/**
 * Drop jobs that repeat an earlier one (same target, same options); their tags join the first.
 * Returns the duplicates' lines with the line they repeat, for a notice.
 */
export function dedupeJobs(jobs: readonly Job[]): { jobs: Job[]; duplicates: Array<{ line: number; of: number }> } {
  const first = new Map<string, Job>();
  const duplicates: Array<{ line: number; of: number }> = [];
  for (const job of jobs) {
    const seen = first.get(job.key);
    if (!seen) first.set(job.key, job);
    else {
      duplicates.push({ line: job.line, of: seen.line });
      seen.tags = [...new Set([...seen.tags, ...job.tags])];
    }
  }
  return { jobs: [...first.values()], duplicates };
}
