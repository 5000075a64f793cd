// Validation of the Contract's flags into typed scan settings. Every failure is a UsageError whose
// message is the one line the user sees (exit code 2).
import { isIP } from 'node:net';
import { OptionError, parseOptions, type OptionValues } from '../engine/options.js';
import { CHECK_CATEGORIES, withDependencies, type AnyProbe, type CheckCategory } from '../engine/probe.js';
import { ALL_PROBES, PROBE_OPTIONS } from '../probes/index.js';
import { RENDERERS, rendererForFile, type RenderOptions } from '../render/index.js';
import { isGradeLetter, isSeverity } from '../model/severity.js';
import type { GradeLetter, Severity } from '../model/report.js';
import { parseTarget, TargetParseError, withStartTls, type Target } from '../model/target.js';
import { validXmppDomain } from '../net/starttls/xmpp.js';
import { parseDnsServer } from '../net/dns/resolver.js';
import type { DnsServerAddress } from '../net/dns/types.js';
import { DEFAULT_MAX_ENDPOINTS, DEFAULT_TIMEOUT_MS, type ScanOptions } from '../engine/scan.js';
import { parseStoreSpec } from '../store/spec.js';
import { StoreError } from '../store/types.js';
import { isProfileId, PROFILE_IDS, type ProfileId } from '../tls/profiles/types.js';
import { UsageError } from './exit.js';

export const FORMATS = ['tui', 'text', 'json', 'ndjson', 'markdown', 'html', 'sarif', 'junit', 'csv'] as const;
export type Format = (typeof FORMATS)[number];
/** The Contract's formats: the live terminal UI and one renderer each (test/unit/cli-options.test.ts holds them together). */
export const IMPLEMENTED_FORMATS: readonly Format[] = ['tui', ...FORMATS.filter((f) => RENDERERS.some((r) => r.id === f))];

export interface RawScanFlags {
  ip?: string[];
  sni?: string;
  starttls?: string;
  xmppHost?: string;
  dns?: string;
  caFile?: string;
  checks?: string;
  probes?: string;
  format?: string;
  output?: string;
  timeout?: string;
  failOn?: string;
  failUnder?: string;
  ctLogList?: string;
  allowPartial?: boolean;
  allowPrivate?: boolean;
  maxEndpoints?: string;
  severity?: string;
  csvFindings?: boolean;
  /** --profile (repeatable, each a comma list). */
  profile?: string[];
  /** The probes' own flags (--http-port …), by commander's key; each probe declares and parses its own. */
  [probeOption: string]: unknown;
}

export interface ScanSettings {
  targets: Target[];
  ips: string[];
  sni: string | null;
  /** --xmpp-host: `to=` of XMPP targets' stream header. */
  xmppHost: string | null;
  dns: DnsServerAddress | null;
  caFile: string | null;
  checks: Set<CheckCategory> | null;
  /** --probes: run exactly these probes (and the probes they depend on). */
  probes: AnyProbe[] | null;
  format: Format | null;
  output: string | null;
  timeoutMs: number;
  failOn: Severity | null;
  failUnder: GradeLetter | null;
  /** --ct-log-list: a CT log list to judge with instead of the cached or shipped one. */
  ctLogListPath: string | null;
  /** --allow-partial: passed to the exit-code gate. */
  allowPartial: boolean;
  /** --allow-private: passed to the engine (ScanOptions.allowPrivate). */
  allowPrivate: boolean;
  /** --max-endpoints: addresses scanned per target. */
  maxEndpoints: number;
  /** The probes' options (--http-port, --online-revocation …). */
  options: OptionValues;
  /** --store: the history store every report is saved to (a file path or a postgres:// URL), checked but not opened. */
  store: string | null;
  /** --severity: findings below it are not listed by the human formats. */
  minSeverity: Severity | null;
  /** --csv-findings: the CSV format writes one row per finding. */
  csvFindings: boolean;
  /** --profile: configuration profiles every endpoint is held to, in the order given, each once. */
  profiles: ProfileId[];
}

export function parseTargets(inputs: readonly string[], starttls?: string): Target[] {
  if (inputs.length === 0) throw new UsageError('no target given (usage: secgrade [scan] <host[:port]|url>…)');
  return inputs.map((input) => {
    try {
      const target = parseTarget(input);
      return starttls === undefined ? target : withStartTls(target, starttls.toLowerCase());
    } catch (err) {
      if (err instanceof TargetParseError) throw new UsageError(`bad target ${err.message}`);
      throw err;
    }
  });
}

/** `--output -` is stdout, like most Unix tools. */
export const STDOUT_OUTPUT = '-';

function parseFormat(raw: string | undefined, output: string | undefined): Format | null {
  if (raw === undefined) {
    if (output === undefined || output === STDOUT_OUTPUT) return null;
    // Infer from the file name so `--output report.html` does what it says; other names get text.
    return (rendererForFile(output)?.id as Format | undefined) ?? 'text';
  }
  const f = raw.toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`unknown --format "${raw}" (one of ${FORMATS.join(', ')})`);
  }
  return f as Format;
}

/** `--probes a,b`: those probes plus, transitively, the ones they need evidence from. */
export function selectProbes(list: string): AnyProbe[] {
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

/** `--fail-on SEVERITY` (scan, batch, diff): null when not given. */
export function parseFailOn(raw: string | undefined, flag = '--fail-on'): Severity | null {
  if (raw === undefined) return null;
  const s = raw.toLowerCase();
  if (!isSeverity(s)) throw new UsageError(`${flag} "${raw}" is not a severity (critical, high, medium, low, info)`);
  return s;
}

/** `--profile a,b --profile c`: known profile ids, each once, in the order given. */
export function parseProfiles(raw: readonly string[] | undefined): ProfileId[] {
  const out: ProfileId[] = [];
  for (const name of (raw ?? []).flatMap((r) => r.split(',')).map((n) => n.trim().toLowerCase())) {
    if (!isProfileId(name)) throw new UsageError(`--profile "${name}" is not a profile (one of ${PROFILE_IDS.join(', ')})`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** What the renderers need from the settings, plus what only the command knows (terminal, colour). */
export function renderOptionsOf(s: Pick<ScanSettings, 'failOn' | 'minSeverity' | 'csvFindings'>, terminal: { color: boolean; width: number }, generatedAt = new Date()): RenderOptions {
  return { ...terminal, failOn: s.failOn, minSeverity: s.minSeverity, csvFindings: s.csvFindings, generatedAt };
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
  let probes: AnyProbe[] | null = null;
  if (flags.probes !== undefined) probes = selectProbes(flags.probes);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (flags.timeout !== undefined) {
    if (!/^\d+$/.test(flags.timeout) || Number(flags.timeout) < 100 || Number(flags.timeout) > 3_600_000) {
      throw new UsageError(`--timeout "${flags.timeout}" must be a number of milliseconds between 100 and 3600000`);
    }
    timeoutMs = Number(flags.timeout);
  }
  const failOn = parseFailOn(flags.failOn);
  let failUnder: GradeLetter | null = null;
  if (flags.failUnder !== undefined) {
    const g = flags.failUnder.toUpperCase();
    if (!isGradeLetter(g) || g === 'T' || g === 'M') {
      throw new UsageError(`--fail-under "${flags.failUnder}" is not a grade (A+, A, A-, B, C, D, E, F)`);
    }
    failUnder = g;
  }
  let maxEndpoints = DEFAULT_MAX_ENDPOINTS;
  if (flags.maxEndpoints !== undefined) {
    if (!/^\d+$/.test(flags.maxEndpoints) || Number(flags.maxEndpoints) < 1 || Number(flags.maxEndpoints) > 1000) {
      throw new UsageError(`--max-endpoints "${flags.maxEndpoints}" must be a whole number between 1 and 1000`);
    }
    maxEndpoints = Number(flags.maxEndpoints);
  }
  let options: OptionValues;
  try {
    options = parseOptions(PROBE_OPTIONS, flags);
  } catch (err) {
    if (err instanceof OptionError) throw new UsageError(err.message);
    throw err;
  }
  // --store: read from the index signature (monitor's --no-store makes it false there).
  const store = typeof flags['store'] === 'string' ? flags['store'] : null;
  if (store !== null) {
    try {
      parseStoreSpec(store);
    } catch (err) {
      if (err instanceof StoreError) throw new UsageError(`--store ${err.message}`);
      throw err;
    }
  }
  if (flags.sni !== undefined && !/^[a-z0-9_.-]{1,253}$/i.test(flags.sni)) {
    throw new UsageError(`--sni "${flags.sni}" is not a host name`);
  }
  if (flags.xmppHost !== undefined && !validXmppDomain(flags.xmppHost)) throw new UsageError(`--xmpp-host "${flags.xmppHost}" is not a domain name or address`);
  return {
    targets: needTargets ? parseTargets(targetArgs, flags.starttls) : [],
    ips: ips.map((ip) => ip.replace(/^\[|\]$/g, '')),
    sni: flags.sni?.toLowerCase() ?? null,
    xmppHost: flags.xmppHost?.toLowerCase() ?? null,
    dns,
    caFile: flags.caFile ?? null,
    checks,
    probes,
    format: parseFormat(flags.format, flags.output),
    output: flags.output === STDOUT_OUTPUT ? null : (flags.output ?? null),
    timeoutMs,
    failOn,
    failUnder,
    ctLogListPath: flags.ctLogList ?? null,
    allowPartial: flags.allowPartial === true,
    allowPrivate: flags.allowPrivate === true,
    maxEndpoints,
    options,
    store,
    minSeverity: parseFailOn(flags.severity, '--severity'),
    csvFindings: flags.csvFindings === true,
    profiles: parseProfiles(flags.profile),
  };
}

/** The engine options a target's settings give (the rest — resolver, trust, signal … — is the command's). */
export function targetScanOptions(s: ScanSettings): Pick<ScanOptions, 'ips' | 'sni' | 'xmppHost' | 'checks' | 'probes' | 'timeoutMs' | 'allowPrivate' | 'maxEndpoints' | 'options' | 'profiles'> {
  return {
    ips: s.ips,
    sni: s.sni,
    xmppHost: s.xmppHost,
    checks: s.checks ?? undefined,
    ...(s.probes ? { probes: s.probes } : {}),
    timeoutMs: s.timeoutMs,
    allowPrivate: s.allowPrivate,
    maxEndpoints: s.maxEndpoints,
    options: s.options,
    ...(s.profiles.length ? { profiles: s.profiles } : {}),
  };
}
