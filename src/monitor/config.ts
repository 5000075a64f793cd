// `secgrade monitor CONFIG.yaml`: the configuration file, read and checked before anything runs.
// Every mistake is one line naming the file and the path in it
// (`monitor.yaml: targets[2].schedule: "61 * * * *" is not a cron expression`). Shapes are TypeBox
// schemas checked one part at a time, so an error names the part the user wrote, not "expected a
// union". The scan flags' values (dns, checks, ip …) are checked by the CLI with the same code as
// `scan`'s flags; here only their shape.
//
// Shape (README "Monitoring"):
//   store: PATH | postgres://…     history (default: the store's default path)
//   schedule: CRON                 default for every target (default "0 * * * *", hourly)
//   timezone: IANA name            the cron expressions' zone (default: the machine's)
//   targets-in-flight: N           targets scanned at once (default 4)
//   defaults: { dns, ca-file, ct-log-list, allow-private, timeout, checks, options: {http-port …} }
//   targets:
//     - target: example.com        or a URL, host:port …
//       schedule, checks, ip, sni, dns, options   (each optional)
//     - file: targets.txt          a target list as `secgrade batch` reads it (relative to this file)
//       schedule, checks
//   rules: [{ rule: grade-dropped, sections: [tls, …] }, { rule: new-finding, severity: high }, …]
//   notify: [{ type: stdout } | { type: webhook, url, format: json|slack|teams, … } | { type: email, smtp, from, to }]
//   metrics: ":9464"               Prometheus endpoint (a port alone listens on 127.0.0.1)
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { parseTargetList } from '../batch/input.js';
import { DIFF_SECTIONS, type DiffSection } from '../diff/types.js';
import { SEVERITIES, type Severity } from '../model/constants.js';
import { validCron } from './schedule.js';
import { RULE_IDS, type RuleId } from './types.js';

/** Bad configuration: the message is the one line the user sees (exit 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_SCHEDULE = '0 * * * *';
export const DEFAULT_TARGETS_IN_FLIGHT = 4;
export const DEFAULT_METRICS_HOST = '127.0.0.1';
/** Largest config file read (a config is a few kB; a mistaken path to a log is refused, not parsed). */
const MAX_CONFIG_BYTES = 1_000_000;
const MAX_TARGETS = 10_000;

/** A target's scan flags as written (values checked later by the scan flags' own validation). */
export interface RawTargetFlags {
  ip?: string[];
  sni?: string;
  dns?: string;
  checks?: string;
  caFile?: string;
  ctLogList?: string;
  allowPrivate?: boolean;
  timeout?: string;
  /** Probe options by flag name without dashes (`http-port`), raw as commander would give them. */
  options?: Record<string, string | string[] | boolean>;
}

export interface ConfigTarget {
  /** Where it was written, for messages: `targets[2]` or `targets[1] (list.txt:4)`. */
  where: string;
  input: string;
  schedule: string;
  flags: RawTargetFlags;
}

export type RuleConfig =
  | { rule: 'grade-dropped'; sections: DiffSection[] }
  | { rule: 'new-finding'; severity: Severity }
  | { rule: 'cert-expiry'; days: number; percent: number | null }
  | { rule: 'scan-failing'; runs: number }
  | { rule: Exclude<RuleId, 'grade-dropped' | 'new-finding' | 'cert-expiry' | 'scan-failing'> };

export const WEBHOOK_FORMATS = ['json', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export type NotifierConfig =
  | { type: 'stdout' }
  | { type: 'webhook'; url: string; format: WebhookFormat; timeoutMs: number; attempts: number; headers: Record<string, string>; resolved: boolean }
  | { type: 'email'; smtp: string; from: string; to: string[]; timeoutMs: number; resolved: boolean };

export interface MonitorConfig {
  /** The file, for messages. */
  path: string;
  store: string | null;
  schedule: string;
  timezone: string | null;
  targetsInFlight: number;
  defaults: RawTargetFlags;
  targets: ConfigTarget[];
  rules: RuleConfig[];
  notify: NotifierConfig[];
  metrics: { host: string; port: number } | null;
}

/** Every rule with its defaults: what runs when the file has no `rules`. */
export const DEFAULT_RULES: readonly RuleConfig[] = [
  { rule: 'grade-dropped', sections: ['tls', 'http', 'email', 'overall'] },
  { rule: 'new-finding', severity: 'high' },
  { rule: 'cert-expiry', days: 14, percent: null },
  { rule: 'weak-protocol' },
  { rule: 'weak-suite' },
  { rule: 'hsts-weakened' },
  { rule: 'dmarc-weakened' },
  { rule: 'spf-weakened' },
  { rule: 'mx-starttls-lost' },
  { rule: 'scan-failing', runs: 3 },
];

const Str = T.String({ minLength: 1 });
const StrOrList = T.Union([Str, T.Array(Str, { minItems: 1 })]);
const OptionValue = T.Union([T.String(), T.Number(), T.Boolean(), T.Array(T.Union([T.String(), T.Number()]))]);
const Options = T.Record(T.String({ pattern: '^[a-z][a-z0-9-]*$' }), OptionValue);

const ScanFields = {
  checks: T.Optional(StrOrList),
  ip: T.Optional(StrOrList),
  sni: T.Optional(Str),
  dns: T.Optional(Str),
  options: T.Optional(Options),
};

const Top = T.Object(
  {
    store: T.Optional(Str),
    schedule: T.Optional(T.String()),
    timezone: T.Optional(Str),
    'targets-in-flight': T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
    defaults: T.Optional(T.Unknown()),
    targets: T.Array(T.Unknown(), { minItems: 1 }),
    rules: T.Optional(T.Array(T.Unknown())),
    notify: T.Optional(T.Array(T.Unknown())),
    metrics: T.Optional(T.Union([Str, T.Integer({ minimum: 0, maximum: 65535 })])),
  },
  { additionalProperties: false },
);

const Defaults = T.Object(
  {
    checks: ScanFields.checks,
    dns: ScanFields.dns,
    options: ScanFields.options,
    'ca-file': T.Optional(Str),
    'ct-log-list': T.Optional(Str),
    'allow-private': T.Optional(T.Boolean()),
    timeout: T.Optional(T.Integer({ minimum: 100, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
);

const TargetEntry = T.Object({ target: Str, schedule: T.Optional(T.String()), ...ScanFields }, { additionalProperties: false });
const FileEntry = T.Object({ file: Str, schedule: T.Optional(T.String()), checks: ScanFields.checks }, { additionalProperties: false });

const SectionList = T.Array(T.Union(DIFF_SECTIONS.map((s) => T.Literal(s))), { minItems: 1 });
const RuleSchemas: Record<string, TSchema> = {
  'grade-dropped': T.Object({ rule: T.Literal('grade-dropped'), sections: T.Optional(SectionList) }, { additionalProperties: false }),
  'new-finding': T.Object({ rule: T.Literal('new-finding'), severity: T.Optional(T.Union(SEVERITIES.map((s) => T.Literal(s)))) }, { additionalProperties: false }),
  'cert-expiry': T.Object(
    { rule: T.Literal('cert-expiry'), days: T.Optional(T.Number({ minimum: 0, maximum: 3650 })), percent: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 100 })) },
    { additionalProperties: false },
  ),
  'scan-failing': T.Object({ rule: T.Literal('scan-failing'), runs: T.Optional(T.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
};
const plainRule = (id: string): TSchema => T.Object({ rule: T.Literal(id) }, { additionalProperties: false });

const Timeout = T.Integer({ minimum: 100, maximum: 600_000 });
const NotifySchemas: Record<string, TSchema> = {
  stdout: T.Object({ type: T.Literal('stdout') }, { additionalProperties: false }),
  webhook: T.Object(
    {
      type: T.Literal('webhook'),
      url: Str,
      format: T.Optional(T.Union(WEBHOOK_FORMATS.map((f) => T.Literal(f)))),
      'timeout-ms': T.Optional(Timeout),
      attempts: T.Optional(T.Integer({ minimum: 1, maximum: 10 })),
      headers: T.Optional(T.Record(T.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$' }), T.String())),
      resolved: T.Optional(T.Boolean()),
    },
    { additionalProperties: false },
  ),
  email: T.Object(
    {
      type: T.Literal('email'),
      smtp: Str,
      from: Str,
      to: StrOrList,
      'timeout-ms': T.Optional(Timeout),
      resolved: T.Optional(T.Boolean()),
    },
    { additionalProperties: false },
  ),
};

/** `/targets/2/schedule` → `targets[2].schedule`. */
function dotted(path: string): string {
  return path
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

const join = (base: string, rest: string): string => (rest === '' ? base : rest.startsWith('[') ? `${base}${rest}` : base ? `${base}.${rest}` : rest);

const shown = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** The value checked against the schema, or a ConfigError naming the first problem's path. */
function check<S extends TSchema>(file: string, where: string, schema: S, value: unknown): Static<S> {
  const e = Value.Errors(schema, value).First();
  if (!e) return value as Static<S>;
  const path = join(where, dotted(e.path));
  const message = e.message === 'Unexpected property' ? 'is not a known setting' : e.message === 'Expected required property' ? 'is missing' : `${shown(e.value)}: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
  throw new ConfigError(`${file}: ${path || '(top level)'} ${message}`);
}

function fail(file: string, where: string, message: string): never {
  throw new ConfigError(`${file}: ${where}: ${message}`);
}

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : v.split(',').map((s) => s.trim()).filter(Boolean));

/** YAML option values as commander gives them: numbers as their text, lists as text lists. */
function rawOptions(options: Static<typeof Options> | undefined): RawTargetFlags['options'] {
  if (!options) return undefined;
  const out: Record<string, string | string[] | boolean> = {};
  for (const [k, v] of Object.entries(options)) out[k] = typeof v === 'boolean' ? v : Array.isArray(v) ? v.map(String) : String(v);
  return out;
}

function schedule(file: string, where: string, raw: string | undefined, fallback: string, timezone: string | null): string {
  if (raw === undefined) return fallback;
  const why = validCron(raw, timezone);
  if (why) fail(file, where, `${shown(raw)} is not a cron expression (${why})`);
  return raw;
}

/** `:9464`, `9464`, `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464` → host and port (a port alone: loopback; 0: any free port). */
export function parseListenAddress(raw: string | number): { host: string; port: number } | null {
  const text = String(raw).trim();
  const m = /^(?:(?:\[([0-9a-f:.]+)\]|([A-Za-z0-9.-]+))?:)?(\d{1,5})$/i.exec(text);
  if (!m) return null;
  // 0: any free port (the address is printed on start).
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2] ?? DEFAULT_METRICS_HOST, port };
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseRules(file: string, raw: unknown[] | undefined): RuleConfig[] {
  if (raw === undefined) return [...DEFAULT_RULES];
  const seen = new Set<string>();
  return raw.map((item, i): RuleConfig => {
    const where = `rules[${i}]`;
    const id = (item as { rule?: unknown } | null)?.rule;
    if (typeof id !== 'string') fail(file, where, `needs a rule: one of ${RULE_IDS.join(', ')}`);
    if (!(RULE_IDS as readonly string[]).includes(id)) fail(file, `${where}.rule`, `${shown(id)} is not a rule (one of ${RULE_IDS.join(', ')})`);
    if (seen.has(id)) fail(file, `${where}.rule`, `${id} is listed twice`);
    seen.add(id);
    const v = check(file, where, RuleSchemas[id] ?? plainRule(id), item) as Record<string, unknown>;
    const defaults = DEFAULT_RULES.find((r) => r.rule === id)!;
    switch (id) {
      case 'grade-dropped':
        return { rule: id, sections: (v['sections'] as DiffSection[] | undefined) ?? (defaults as { sections: DiffSection[] }).sections };
      case 'new-finding':
        return { rule: id, severity: (v['severity'] as Severity | undefined) ?? 'high' };
      case 'cert-expiry': {
        const days = (v['days'] as number | undefined) ?? (v['percent'] === undefined ? 14 : 0);
        return { rule: id, days, percent: (v['percent'] as number | undefined) ?? null };
      }
      case 'scan-failing':
        return { rule: id, runs: (v['runs'] as number | undefined) ?? 3 };
      default:
        return { rule: id as Exclude<RuleId, 'grade-dropped' | 'new-finding' | 'cert-expiry' | 'scan-failing'> };
    }
  });
}

function parseNotify(file: string, raw: unknown[] | undefined): NotifierConfig[] {
  if (raw === undefined || raw.length === 0) return [{ type: 'stdout' }];
  return raw.map((item, i): NotifierConfig => {
    const where = `notify[${i}]`;
    const type = (item as { type?: unknown } | null)?.type;
    const types = Object.keys(NotifySchemas);
    if (typeof type !== 'string') fail(file, where, `needs a type: one of ${types.join(', ')}`);
    if (!types.includes(type)) fail(file, `${where}.type`, `${shown(type)} is not a notifier (one of ${types.join(', ')})`);
    const v = check(file, where, NotifySchemas[type]!, item) as Record<string, unknown>;
    if (type === 'stdout') return { type };
    if (type === 'webhook') {
      const url = v['url'] as string;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        fail(file, `${where}.url`, `${shown(url)} is not a URL`);
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') fail(file, `${where}.url`, `${shown(url)}: only http:// and https:// URLs`);
      return {
        type,
        url,
        format: (v['format'] as WebhookFormat | undefined) ?? 'json',
        timeoutMs: (v['timeout-ms'] as number | undefined) ?? 10_000,
        attempts: (v['attempts'] as number | undefined) ?? 5,
        headers: (v['headers'] as Record<string, string> | undefined) ?? {},
        resolved: v['resolved'] !== false,
      };
    }
    const smtp = v['smtp'] as string;
    let parsed: URL;
    try {
      parsed = new URL(smtp);
    } catch {
      fail(file, `${where}.smtp`, `${shown(smtp)} is not an smtp:// or smtps:// URL`);
    }
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') fail(file, `${where}.smtp`, `${shown(smtp)} is not an smtp:// or smtps:// URL`);
    const to = list(v['to'] as string | string[])!;
    const address = /^[^\s@<>]+@[^\s@<>]+$/;
    if (!address.test(v['from'] as string)) fail(file, `${where}.from`, `${shown(v['from'])} is not an email address`);
    to.forEach((a, j) => {
      if (!address.test(a)) fail(file, `${where}.to${Array.isArray(v['to']) ? `[${j}]` : ''}`, `${shown(a)} is not an email address`);
    });
    return { type: 'email', smtp, from: v['from'] as string, to, timeoutMs: (v['timeout-ms'] as number | undefined) ?? 30_000, resolved: v['resolved'] !== false };
  });
}

/** Reads a `file:` entry's list (relative to the config) into targets; a bad line is a config error. */
async function fileTargets(file: string, dir: string, where: string, entry: Static<typeof FileEntry>, sched: string): Promise<ConfigTarget[]> {
  const path = resolve(dir, entry.file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    fail(file, `${where}.file`, `${entry.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed;
  try {
    parsed = parseTargetList(text);
  } catch (err) {
    fail(file, `${where}.file`, `${entry.file}: ${(err as Error).message}`);
  }
  const problem = parsed.problems[0];
  if (problem) fail(file, where, `${entry.file}:${problem.line}: ${problem.message}`);
  if (parsed.entries.length === 0) fail(file, `${where}.file`, `${entry.file} lists no target`);
  const checks = list(entry.checks)?.join(',');
  return parsed.entries.map((e) => ({
    where: `${where} (${basename(entry.file)}:${e.line})`,
    input: e.target,
    schedule: sched,
    flags: {
      ...(e.flags.ip ? { ip: e.flags.ip } : {}),
      ...(e.flags.sni ? { sni: e.flags.sni } : {}),
      ...(e.flags.dns ? { dns: e.flags.dns } : {}),
      ...((e.flags.checks ?? checks) ? { checks: e.flags.checks ?? checks } : {}),
    },
  }));
}

/** Parse and check a config's text. `path` names it in messages and anchors relative paths. */
export async function parseMonitorConfig(text: string, path: string): Promise<MonitorConfig> {
  const file = basename(path);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = yamlError.linePos?.[0];
    throw new ConfigError(`${file}${at ? `:${at.line}:${at.col}` : ''}: ${yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: expected a mapping with at least \`targets:\``);
  const top = check(file, '', Top, raw);
  const timezone = top.timezone ?? null;
  if (timezone && !validTimezone(timezone)) fail(file, 'timezone', `${shown(timezone)} is not a time zone (an IANA name such as UTC or Europe/Paris)`);
  const defaultSchedule = schedule(file, 'schedule', top.schedule, DEFAULT_SCHEDULE, timezone);
  const d = check(file, 'defaults', Defaults, top.defaults ?? {});
  const dir = dirname(resolve(path));
  const defaults: RawTargetFlags = {
    ...(d.checks ? { checks: list(d.checks)!.join(',') } : {}),
    ...(d.dns ? { dns: d.dns } : {}),
    ...(d['ca-file'] ? { caFile: resolve(dir, d['ca-file']) } : {}),
    ...(d['ct-log-list'] ? { ctLogList: resolve(dir, d['ct-log-list']) } : {}),
    ...(d['allow-private'] !== undefined ? { allowPrivate: d['allow-private'] } : {}),
    ...(d.timeout !== undefined ? { timeout: String(d.timeout) } : {}),
    ...(d.options ? { options: rawOptions(d.options)! } : {}),
  };

  const targets: ConfigTarget[] = [];
  for (const [i, item] of top.targets.entries()) {
    const where = `targets[${i}]`;
    if (item !== null && typeof item === 'object' && 'file' in item) {
      const e = check(file, where, FileEntry, item);
      targets.push(...(await fileTargets(file, dir, where, e, schedule(file, `${where}.schedule`, e.schedule, defaultSchedule, timezone))));
    } else {
      if (item === null || typeof item !== 'object' || !('target' in item)) fail(file, where, 'needs `target: HOST` or `file: LIST`');
      const e = check(file, where, TargetEntry, item);
      targets.push({
        where,
        input: e.target,
        schedule: schedule(file, `${where}.schedule`, e.schedule, defaultSchedule, timezone),
        flags: {
          ...(e.checks ? { checks: list(e.checks)!.join(',') } : {}),
          ...(e.ip ? { ip: list(e.ip)! } : {}),
          ...(e.sni ? { sni: e.sni } : {}),
          ...(e.dns ? { dns: e.dns } : {}),
          ...(e.options ? { options: rawOptions(e.options)! } : {}),
        },
      });
    }
    if (targets.length > MAX_TARGETS) fail(file, where, `more than ${MAX_TARGETS} targets: split the list over several monitors`);
  }

  let metrics: MonitorConfig['metrics'] = null;
  if (top.metrics !== undefined) {
    metrics = parseListenAddress(top.metrics);
    if (!metrics) fail(file, 'metrics', `${shown(top.metrics)} is not a listen address (:PORT, HOST:PORT or [IPv6]:PORT)`);
  }
  return {
    path,
    store: top.store ? (/^[a-z][a-z0-9+.-]*:\/\//i.test(top.store) ? top.store : resolve(dir, top.store)) : null,
    schedule: defaultSchedule,
    timezone,
    targetsInFlight: top['targets-in-flight'] ?? DEFAULT_TARGETS_IN_FLIGHT,
    defaults,
    targets,
    rules: parseRules(file, top.rules),
    notify: parseNotify(file, top.notify),
    metrics,
  };
}

export async function loadMonitorConfig(path: string): Promise<MonitorConfig> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (buf.length > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: larger than ${MAX_CONFIG_BYTES} bytes: not a monitor configuration`);
  return parseMonitorConfig(buf.toString('utf8'), path);
}
