// A queued job's data: the target and its effective options (what the job key's hash covers),
// written by `batch --queue` and read back by a worker. Read back as untrusted input: anyone with
// access to the Redis database can write a job, so every field is checked again here and a job
// that does not hold together is refused (it never reaches the engine).
// The address policy is not in the payload: a worker takes it from the queue's metadata.
import { optionKey } from '../engine/options.js';
import { CHECK_CATEGORIES, withDependencies, type AnyProbe, type CheckCategory } from '../engine/probe.js';
import type { JobInfo, Job } from '../batch/jobs.js';
import { parseTarget, type Target } from '../model/target.js';
import { parseDnsServer } from '../net/dns/resolver.js';
import type { DnsServerAddress } from '../net/dns/types.js';
import type { TargetScanOptions } from '../engine/run.js';
import { ALL_PROBES, PROBE_OPTIONS } from '../probes/index.js';
import { isIP } from 'node:net';
import { isProfileId, type ProfileId } from '../tls/profiles/types.js';

export const JOB_NAME = 'scan';

export interface JobPayload {
  v: 1;
  key: string;
  runId: string;
  /** The target in normal form (Job.name), parsed again by the worker. */
  input: string;
  line: number;
  tags: string[];
  ips: string[];
  sni: string | null;
  dns: string | null;
  checks: string[] | null;
  probes: string[] | null;
  timeoutMs: number;
  maxEndpoints: number;
  /** Probe options (--http-port …) by key. */
  options: Array<[string, unknown]>;
  /** --profile ids; absent when none (and in payloads of older versions). */
  profiles?: string[];
  /** --xmpp-host; absent when not given. */
  xmppHost?: string;
}

/** What a worker scans: the engine's inputs and the line's `job`. */
export interface DecodedJob {
  target: Target;
  info: JobInfo;
  ips: string[];
  sni: string | null;
  dns: DnsServerAddress | null;
  checks: Set<CheckCategory> | undefined;
  probes: AnyProbe[] | undefined;
  timeoutMs: number;
  maxEndpoints: number;
  options: Map<string, unknown>;
  profiles: ProfileId[];
  xmppHost: string | null;
}

export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** BullMQ refuses ':' in a custom job id; percent-encoding keeps the key readable and one-to-one. */
export const jobIdOf = (key: string): string => encodeURIComponent(key);

export function toPayload(job: Job, runId: string): JobPayload {
  const o = job.options;
  return {
    v: 1,
    key: job.key,
    runId,
    input: job.name,
    line: job.line,
    tags: job.tags,
    ips: [...o.ips],
    sni: o.sni,
    dns: o.dns,
    checks: o.checks ? [...o.checks] : null,
    probes: o.probes ? [...o.probes] : null,
    timeoutMs: o.timeoutMs,
    maxEndpoints: o.maxEndpoints,
    options: [...o.options.entries()],
    ...(o.profiles?.length ? { profiles: [...o.profiles] } : {}),
    ...(o.xmppHost !== undefined ? { xmppHost: o.xmppHost } : {}),
  };
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const wholeIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** A probe option's value has its default's shape (port number, list of names, flag, address or null). */
function optionFits(value: unknown, fallback: unknown): boolean {
  if (Array.isArray(fallback)) return isStringArray(value);
  if (fallback === null) return value === null || typeof value === 'string';
  return typeof value === typeof fallback;
}

export function decodePayload(data: unknown): DecodedJob {
  const bad = (what: string): never => {
    throw new PayloadError(`job data: ${what}`);
  };
  if (!data || typeof data !== 'object') bad('not an object');
  const p = data as Partial<JobPayload>;
  if (p.v !== 1) bad(`unknown version ${String(p.v)}`);
  if (typeof p.key !== 'string' || typeof p.runId !== 'string' || typeof p.input !== 'string') bad('key, runId and input must be strings');
  if (!wholeIn(p.line, 0, Number.MAX_SAFE_INTEGER) || !isStringArray(p.tags)) bad('line or tags');
  if (!isStringArray(p.ips) || p.ips!.some((ip) => isIP(ip) === 0)) bad('ips must be IP addresses');
  if (p.sni !== null && (typeof p.sni !== 'string' || !/^[a-z0-9_.-]{1,253}$/i.test(p.sni))) bad('sni');
  if (!wholeIn(p.timeoutMs, 100, 3_600_000) || !wholeIn(p.maxEndpoints, 1, 1000)) bad('timeoutMs or maxEndpoints out of range');
  let target: Target;
  try {
    target = parseTarget(p.input!);
  } catch (err) {
    return bad(`target: ${(err as Error).message}`);
  }
  let dns: DnsServerAddress | null = null;
  if (p.dns !== null) {
    if (typeof p.dns !== 'string') bad('dns');
    try {
      dns = parseDnsServer(p.dns!);
    } catch (err) {
      bad(`dns: ${(err as Error).message}`);
    }
  }
  let checks: Set<CheckCategory> | undefined;
  if (p.checks !== null) {
    if (!isStringArray(p.checks) || !p.checks.every((c) => (CHECK_CATEGORIES as readonly string[]).includes(c))) bad('checks');
    checks = new Set(p.checks as CheckCategory[]);
  }
  let probes: AnyProbe[] | undefined;
  if (p.probes !== null) {
    const byId = new Map(ALL_PROBES.map((pr) => [pr.id, pr]));
    if (!isStringArray(p.probes) || p.probes.some((id) => !byId.has(id))) bad('probes: unknown probe id');
    probes = withDependencies(p.probes!.map((id) => byId.get(id)!), ALL_PROBES);
  }
  const specs = new Map(PROBE_OPTIONS.map((s) => [optionKey(s), s]));
  const options = new Map<string, unknown>();
  if (!Array.isArray(p.options)) bad('options');
  for (const entry of p.options!) {
    const [key, value] = Array.isArray(entry) ? entry : [];
    const spec = typeof key === 'string' ? specs.get(key) : undefined;
    if (!spec || !optionFits(value, spec.default)) bad(`option ${String(key)}`);
    options.set(key as string, value);
  }
  if (p.profiles !== undefined && (!isStringArray(p.profiles) || !p.profiles.every(isProfileId))) bad('profiles: unknown profile');
  const profiles = (p.profiles ?? []) as ProfileId[];
  if (p.xmppHost !== undefined && (typeof p.xmppHost !== 'string' || !/^[a-z0-9_.:-]{1,253}$/i.test(p.xmppHost))) bad('xmppHost');
  const xmppHost = p.xmppHost ?? null;
  const info: JobInfo = { key: p.key!, runId: p.runId!, input: p.input!, line: p.line!, ...(p.tags!.length ? { tags: p.tags! } : {}) };
  return { target, info, ips: p.ips!, sni: p.sni ?? null, dns, checks, probes, timeoutMs: p.timeoutMs!, maxEndpoints: p.maxEndpoints!, options, profiles, xmppHost };
}

/** The engine's options for a decoded job: what the payload says, the same for every reader of it. */
export function jobScanOptions(job: DecodedJob): Omit<TargetScanOptions, 'signal' | 'allowPrivate'> {
  return {
    dns: job.dns,
    ips: job.ips,
    sni: job.sni,
    ...(job.checks ? { checks: job.checks } : {}),
    ...(job.probes ? { probes: job.probes } : {}),
    timeoutMs: job.timeoutMs,
    maxEndpoints: job.maxEndpoints,
    options: job.options,
    ...(job.profiles.length ? { profiles: job.profiles } : {}),
    ...(job.xmppHost !== null ? { xmppHost: job.xmppHost } : {}),
  };
}
