// Validation of the Contract's flags into typed scan settings. Every failure is a UsageError whose
// message is the one line the user sees (exit code 2).
import { isIP } from 'node:net';
import { ALL_PROBES } from '../../probes/index.js';
import { CHECK_CATEGORIES, withDependencies, type CheckCategory, type Probe, type ProbeSettings } from '../engine/probe.js';
import { isGradeLetter, isSeverity } from '../model/severity.js';
import type { GradeLetter, Severity } from '../model/report.js';
import { parseTarget, TargetParseError, type Target } from '../model/target.js';
import { parseDnsServer } from '../net/dns/resolver.js';
import type { DnsServerAddress } from '../net/dns/types.js';
import { DEFAULT_TIMEOUT_MS } from '../engine/scan.js';
import { UsageError } from './exit.js';

export const FORMATS = ['tui', 'text', 'json', 'ndjson', 'markdown', 'html', 'sarif', 'junit', 'csv'] as const;
export type Format = (typeof FORMATS)[number];
/** Formats this build renders; the others are in the Contract and refused with a clear message. */
export const IMPLEMENTED_FORMATS: readonly Format[] = ['tui', 'text', 'json', 'ndjson'];

export interface RawScanFlags {
  ip?: string[];
  sni?: string;
  dns?: string;
  caFile?: string;
  checks?: string;
  probes?: string;
  format?: string;
  output?: string;
  timeout?: string;
  failOn?: string;
  failUnder?: string;
  onlineRevocation?: boolean;
  fetchIntermediates?: boolean;
  ctLogList?: string;
  httpPort?: string;
  smtpPort?: string;
  dkimSelector?: string[];
  spfIp?: string;
}

export interface ScanSettings {
  targets: Target[];
  ips: string[];
  sni: string | null;
  dns: DnsServerAddress | null;
  caFile: string | null;
  checks: Set<CheckCategory> | null;
  /** --probes: run exactly these probes (and the probes they depend on). */
  probes: Probe<any>[] | null;
  format: Format | null;
  output: string | null;
  timeoutMs: number;
  failOn: Severity | null;
  failUnder: GradeLetter | null;
  /** Opt-in reaches beyond the target (OCSP responders, AIA) and reference-data overrides. */
  probeSettings: ProbeSettings;
}

export function parseTargets(inputs: readonly string[]): Target[] {
  if (inputs.length === 0) throw new UsageError('no target given (usage: secgrade [scan] <host[:port]|url>…)');
  return inputs.map((input) => {
    try {
      return parseTarget(input);
    } catch (err) {
      if (err instanceof TargetParseError) throw new UsageError(`bad target ${err.message}`);
      throw err;
    }
  });
}

function parseFormat(raw: string | undefined, output: string | undefined): Format | null {
  if (raw === undefined) {
    if (output === undefined) return null;
    // Infer from the file name so `--output report.json` does what it says.
    if (/\.(ndjson|jsonl)$/i.test(output)) return 'ndjson';
    if (/\.json$/i.test(output)) return 'json';
    return 'text';
  }
  const f = raw.toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`unknown --format "${raw}" (one of ${FORMATS.join(', ')})`);
  }
  if (!IMPLEMENTED_FORMATS.includes(f as Format)) {
    throw new UsageError(`--format ${f} is not available in this version yet (available: ${IMPLEMENTED_FORMATS.join(', ')})`);
  }
  return f as Format;
}

/** `--probes a,b`: those probes plus, transitively, the ones they need evidence from. */
export function selectProbes(list: string): Probe<any>[] {
  const byId = new Map(ALL_PROBES.map((p) => [p.id, p]));
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError('--probes: no probe named');
  const selected = ids.map((id) => {
    const probe = byId.get(id);
    if (!probe) throw new UsageError(`--probes: unknown probe "${id}" (any of ${[...byId.keys()].join(',')})`);
    return probe;
  });
  return withDependencies(selected, ALL_PROBES);
}

export function parseScanFlags(targetArgs: readonly string[], flags: RawScanFlags, needTargets = true): ScanSettings {
  const ips = flags.ip ?? [];
  for (const ip of ips) {
    if (isIP(ip.replace(/^\[|\]$/g, '')) === 0) throw new UsageError(`--ip "${ip}" is not an IP address`);
  }
  let dns: DnsServerAddress | null = null;
  if (flags.dns !== undefined) {
    try {
      dns = parseDnsServer(flags.dns);
    } catch (err) {
      throw new UsageError(`--dns: ${(err as Error).message}`);
    }
  }
  let checks: Set<CheckCategory> | null = null;
  if (flags.checks !== undefined) {
    const names = flags.checks.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = names.filter((n) => !(CHECK_CATEGORIES as readonly string[]).includes(n));
    if (bad.length || names.length === 0) {
      throw new UsageError(`--checks: unknown check "${bad[0] ?? ''}" (any of ${CHECK_CATEGORIES.join(',')})`);
    }
    checks = new Set(names as CheckCategory[]);
  }
  let probes: Probe<any>[] | null = null;
  if (flags.probes !== undefined) probes = selectProbes(flags.probes);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (flags.timeout !== undefined) {
    if (!/^\d+$/.test(flags.timeout) || Number(flags.timeout) < 100 || Number(flags.timeout) > 3_600_000) {
      throw new UsageError(`--timeout "${flags.timeout}" must be a number of milliseconds between 100 and 3600000`);
    }
    timeoutMs = Number(flags.timeout);
  }
  let failOn: Severity | null = null;
  if (flags.failOn !== undefined) {
    const s = flags.failOn.toLowerCase();
    if (!isSeverity(s)) throw new UsageError(`--fail-on "${flags.failOn}" is not a severity (critical, high, medium, low, info)`);
    failOn = s;
  }
  let failUnder: GradeLetter | null = null;
  if (flags.failUnder !== undefined) {
    const g = flags.failUnder.toUpperCase();
    if (!isGradeLetter(g) || g === 'T' || g === 'M') {
      throw new UsageError(`--fail-under "${flags.failUnder}" is not a grade (A+, A, A-, B, C, D, E, F)`);
    }
    failUnder = g;
  }
  const port = (flag: string, value: string | undefined): number | null => {
    if (value === undefined) return null;
    if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`${flag} "${value}" must be a port number (1-65535)`);
    return Number(value);
  };
  const httpPort = port('--http-port', flags.httpPort);
  const smtpPort = port('--smtp-port', flags.smtpPort);
  const dkimSelectors = (flags.dkimSelector ?? []).flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const sel of dkimSelectors) {
    if (!/^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/.test(sel)) throw new UsageError(`--dkim-selector "${sel}" is not a DKIM selector`);
  }
  if (flags.spfIp !== undefined && isIP(flags.spfIp) === 0) throw new UsageError(`--spf-ip "${flags.spfIp}" is not an IP address`);
  if (flags.sni !== undefined && !/^[a-z0-9_.-]{1,253}$/i.test(flags.sni)) {
    throw new UsageError(`--sni "${flags.sni}" is not a host name`);
  }
  return {
    targets: needTargets ? parseTargets(targetArgs) : [],
    ips: ips.map((ip) => ip.replace(/^\[|\]$/g, '')),
    sni: flags.sni?.toLowerCase() ?? null,
    dns,
    caFile: flags.caFile ?? null,
    checks,
    probes,
    format: parseFormat(flags.format, flags.output),
    output: flags.output ?? null,
    timeoutMs,
    failOn,
    failUnder,
    probeSettings: {
      onlineRevocation: flags.onlineRevocation === true,
      fetchIntermediates: flags.fetchIntermediates === true,
      ctLogListPath: flags.ctLogList ?? null,
      httpPort,
      smtpPort,
      dkimSelectors,
      spfIp: flags.spfIp ?? null,
    },
  };
}
