// The batch's own flags (scheduling, output, resume, progress) and the per-line merge of a target
// list's flags with the command line's. Values are checked here; every failure is a UsageError.
import { Command } from 'commander';
import { formatServer } from '../net/dns/types.js';
import type { InputEntry, LineFlags } from '../batch/input.js';
import type { JobOptions } from '../batch/jobs.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from '../batch/progress.js';
import { RENDERERS, rendererForFile, type Renderer } from '../render/index.js';
import { UsageError } from './exit.js';

/** The usual file ending of a format, for the hint when a batch is asked for one with --format. */
const REPORT_EXTENSION: Record<string, string> = { markdown: 'md', junit: 'xml', text: 'txt' };
import { parseScanFlags, parseTargets, type RawScanFlags, type ScanSettings } from './options.js';

export const BATCH_DEFAULTS = {
  /** Targets scanned at once. */
  targetsInFlight: 8,
  /** Connections open at once to one IP address, across the whole batch (as for a single scan). */
  maxConnectionsPerHost: 4,
  /** New connections per second across the whole batch. */
  rate: 100,
  /** DNS queries per second to each DNS server, across the batch (0: no cap). */
  dnsRate: 500,
  /** How long targets in flight may finish after Ctrl-C / SIGTERM, in ms. */
  graceMs: 10_000,
} as const;

/** --gentle: what a small hosting or mail provider would not notice; any explicit flag overrides it. */
export const GENTLE = {
  targetsInFlight: 2,
  maxConnectionsPerHost: 1,
  rate: 10,
  dnsRate: 20,
} as const;

export interface RawBatchFlags extends RawScanFlags {
  targets?: string;
  threads?: string;
  targetsInFlight?: string;
  maxConnectionsPerHost?: string;
  rate?: string;
  dnsRate?: string;
  gentle?: boolean;
  outputDir?: string;
  resume?: string;
  grace?: string;
  quiet?: boolean;
  progressInterval?: string;
  /** Scale-out (src/cli/batch-queue.ts): enqueue on this Redis queue instead of scanning here. */
  queue?: string;
  /** With --queue: wait for the queued jobs' results and write them to this NDJSON file. */
  collect?: string;
  /** Whole-batch reports rendered from the results when the batch ends (format from each name). */
  report?: string[];
}

export interface BatchSettings {
  targetsInFlight: number;
  /** Scan threads (1: the main thread scans, as before). */
  threads: number;
  maxConnectionsPerHost: number;
  /** 0: no cap. */
  rate: number;
  /** DNS queries per second per server; 0: no cap. */
  dnsRate: number;
  graceMs: number;
  /** Where the NDJSON goes: a file, or null for stdout. */
  ndjsonPath: string | null;
  /** Append to ndjsonPath after reading it back (--resume), rather than replacing it. */
  resume: boolean;
  /** One JSON file per target, or null. */
  outputDir: string | null;
  quiet: boolean;
  progressIntervalMs: number;
  /** --report: files rendered from the results file when the batch ends, each in its extension's format. */
  reports: Array<{ path: string; renderer: Renderer }>;
}

/** The flags only a batch understands (so `scan` without --targets can refuse them). */
const BATCH_ONLY: ReadonlyArray<[keyof RawBatchFlags, string]> = [
  ['targetsInFlight', '--targets-in-flight'],
  ['threads', '--threads'],
  ['maxConnectionsPerHost', '--max-connections-per-host'],
  ['rate', '--rate'],
  ['dnsRate', '--dns-rate'],
  ['gentle', '--gentle'],
  ['outputDir', '--output-dir'],
  ['resume', '--resume'],
  ['grace', '--grace'],
  ['progressInterval', '--progress-interval'],
  ['quiet', '--quiet'],
  ['queue', '--queue'],
  ['collect', '--collect'],
  ['report', '--report'],
];

export function addBatchFlags(cmd: Command): Command {
  return cmd
    .option('--targets-in-flight <n>', `targets scanned at once (default ${BATCH_DEFAULTS.targetsInFlight})`)
    .option('--threads <n>', 'scan on this many threads of this process (up to one per core), each with its share of the limits, at most --max-connections-per-host (default 1)')
    .option('--max-connections-per-host <n>', `connections open at once to one IP address, across the batch (default ${BATCH_DEFAULTS.maxConnectionsPerHost})`)
    .option('--rate <n>', `new connections per second across the batch, 0 for no cap (default ${BATCH_DEFAULTS.rate})`)
    .option('--dns-rate <n>', `DNS queries per second to each DNS server, across the batch, 0 for no cap (default ${BATCH_DEFAULTS.dnsRate})`)
    .option('--gentle', `polite preset: --targets-in-flight ${GENTLE.targetsInFlight} --max-connections-per-host ${GENTLE.maxConnectionsPerHost} --rate ${GENTLE.rate} --dns-rate ${GENTLE.dnsRate} (explicit flags override)`)
    .option('--output-dir <dir>', 'also write one JSON file per target into this folder')
    .option('--resume <file.ndjson>', 'continue the batch whose results are in this file: skip finished targets, append the rest')
    .option('--grace <ms>', `on Ctrl-C/SIGTERM, how long targets in flight may finish (default ${BATCH_DEFAULTS.graceMs})`)
    .option('--progress-interval <ms>', `off a terminal, how often the progress line is printed on stderr (default ${DEFAULT_PROGRESS_INTERVAL_MS})`)
    .option('--quiet', 'no progress view or line and no notices on stderr (errors still)')
    .option('--queue <redis-url>', 'enqueue one job per target on this Redis queue (redis://HOST:PORT/DB) for `secgrade worker`s')
    .option('--report <file>', 'when the batch ends, also render all its results into this file, in the format of its extension (.html, .md, .sarif, .xml, .csv, .json, .txt); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--collect <file.ndjson>', 'with --queue: wait for the results and write them to this file (again to continue)');
}

/** `scan` without --targets: a batch flag there is a mistake, not something to ignore. */
export function refuseBatchOnlyFlags(flags: RawBatchFlags): void {
  const given = BATCH_ONLY.find(([key]) => flags[key] !== undefined);
  if (given) throw new UsageError(`${given[1]} applies to a list of targets: use \`secgrade batch FILE\` or \`scan --targets FILE\``);
}

function wholeNumber(raw: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`${flag} "${raw}" must be a whole number between ${min} and ${max}`);
  return Number(raw);
}

/** A path that names a folder: it ends with a slash. */
const namesDir = (p: string): boolean => /[\\/]$/.test(p);

/** A rate per second: 0 (no cap) up to 100000, decimals allowed. */
function perSecond(raw: string | undefined, flag: string, what: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > 100_000) throw new UsageError(`${flag} "${raw}" must be a number of ${what} per second (0 for no cap, at most 100000)`);
  return Number(raw);
}

export function parseBatchFlags(flags: RawBatchFlags): BatchSettings {
  if (flags.collect !== undefined && flags.queue === undefined) throw new UsageError('--collect reads results from a queue: give --queue redis://HOST:PORT/DB too');
  const defaults = flags.gentle ? { ...BATCH_DEFAULTS, ...GENTLE } : BATCH_DEFAULTS;
  const rate = perSecond(flags.rate, '--rate', 'connections', defaults.rate);
  const dnsRate = perSecond(flags.dnsRate, '--dns-rate', 'DNS queries', defaults.dnsRate);
  if (flags.format !== undefined && flags.format.toLowerCase() !== 'ndjson') {
    const f = flags.format.toLowerCase();
    throw new UsageError(`a batch streams its results as ndjson (--output FILE.ndjson); for ${f}, add --report FILE.${REPORT_EXTENSION[f] ?? f} (rendered when the batch ends) or run \`secgrade render FILE.ndjson --format ${f}\``);
  }
  // --output DIR/ is the folder form of --output (the Contract's FILE|DIR|-): results.ndjson and one file per target in it.
  let output = flags.output === '-' ? null : (flags.output ?? null);
  let outputDir = flags.outputDir ?? null;
  if (output !== null && namesDir(output)) {
    if (outputDir !== null) throw new UsageError('give either --output DIR/ or --output-dir, not both');
    outputDir = output;
    output = `${output}results.ndjson`;
  }
  if (flags.resume !== undefined && output !== null && output !== flags.resume) {
    throw new UsageError(`--resume ${flags.resume} appends to that file: --output ${flags.output} names another`);
  }
  const reports = (flags.report ?? []).map((path) => {
    const renderer = rendererForFile(path);
    if (!renderer) throw new UsageError(`--report ${path}: name the format by the extension (${RENDERERS.flatMap((r) => r.extensions).join(', ')})`);
    return { path, renderer };
  });
  const ndjsonPath = flags.resume ?? output;
  if (reports.length && (ndjsonPath === null || flags.queue !== undefined)) {
    throw new UsageError('--report renders the results file when the batch ends: give --output FILE.ndjson (or --resume) and no --queue (then `secgrade render`)');
  }
  const targetsInFlight = wholeNumber(flags.targetsInFlight, '--targets-in-flight', 1, 1000, defaults.targetsInFlight);
  const maxConnectionsPerHost = wholeNumber(flags.maxConnectionsPerHost, '--max-connections-per-host', 1, 64, defaults.maxConnectionsPerHost);
  return {
    reports,
    targetsInFlight,
    threads: batchThreads(flags.threads, maxConnectionsPerHost),
    maxConnectionsPerHost,
    rate,
    dnsRate,
    graceMs: wholeNumber(flags.grace, '--grace', 0, 600_000, BATCH_DEFAULTS.graceMs),
    ndjsonPath,
    resume: flags.resume !== undefined,
    outputDir,
    quiet: flags.quiet === true,
    progressIntervalMs: wholeNumber(flags.progressInterval, '--progress-interval', 100, 3_600_000, DEFAULT_PROGRESS_INTERVAL_MS),
  };
}

/**
 * --threads (default 1: each thread adds its own heap, ~65 MB at 64 targets in flight, measured on
 * 1,000 lab domains: 247 MB → 378 MB peak RSS for 56 s → 47 s with two). Each thread holds a whole
 * share of the per-host cap, so never more threads than connections per host (--gentle's one
 * connection per host means one thread).
 */
function batchThreads(raw: string | undefined, perHost: number): number {
  if (raw === undefined) return 1;
  const n = wholeNumber(raw, '--threads', 1, 64, 1);
  if (n > perHost) throw new UsageError(`--threads ${n} is more than --max-connections-per-host ${perHost}: each thread needs a share of at least one connection per host`);
  return n;
}

/**
 * One list entry's scan settings: the command line's, with the line's flags on top (a line's --ip
 * replaces the command line's addresses; --sni, --checks and --dns override). Validated by the same
 * code as `scan`'s flags, so a value means the same on a line as on the command line.
 */
export function entrySettings(entry: InputEntry, base: ScanSettings, flags: RawScanFlags): ScanSettings {
  const line: LineFlags = entry.flags;
  const own = line.ip !== undefined || line.sni !== undefined || line.checks !== undefined || line.dns !== undefined;
  if (!own) return { ...base, targets: parseTargets([entry.target], flags.starttls) };
  const merged: RawScanFlags = { ...flags };
  if (line.ip !== undefined) merged.ip = line.ip;
  if (line.sni !== undefined) merged.sni = line.sni;
  if (line.checks !== undefined) merged.checks = line.checks;
  if (line.dns !== undefined) merged.dns = line.dns;
  return parseScanFlags([entry.target], merged);
}

/** The options that make two jobs the same scan (hashed into the job key). */
export function jobOptions(s: ScanSettings): JobOptions {
  return {
    ips: s.ips,
    sni: s.sni,
    dns: s.dns ? formatServer(s.dns) : null,
    checks: s.checks ? [...s.checks] : null,
    probes: s.probes ? s.probes.map((p) => p.id) : null,
    timeoutMs: s.timeoutMs,
    maxEndpoints: s.maxEndpoints,
    allowPrivate: s.allowPrivate,
    options: s.options,
    // Only when given, so the job keys of runs without profiles stay what they were.
    ...(s.profiles.length ? { profiles: [...s.profiles] } : {}),
    ...(s.xmppHost !== null ? { xmppHost: s.xmppHost } : {}),
  };
}
