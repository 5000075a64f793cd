// Probe options: a flag a probe needs (--http-port, --spf-ip …) is declared once, beside the probe
// that reads it, as a spec the command line turns into a flag and a probe reads back typed through
// `ctx.option(spec)`. Scan-wide flags (--ip, --dns, --timeout …) belong to the CLI, not here.

/** A value the user got wrong; its message is the one line they see (exit code 2). */
export class OptionError extends Error {
  override name = 'OptionError';
}

export type RawOptionValue = string | string[] | boolean;

export interface ProbeOption<V> {
  /** Commander syntax: `--http-port <port>`, `--online-revocation`, `--dkim-selector <selector...>`. */
  flag: string;
  description: string;
  /** The value when the flag is not given. */
  default: V;
  /** The flag's raw value → V; throws OptionError. Not called when the flag is absent. */
  parse(raw: RawOptionValue, flag: string): V;
}

/** Parsed option values by key (see optionKey); what a scan is configured with. */
export type OptionValues = ReadonlyMap<string, unknown>;

export const NO_OPTIONS: OptionValues = new Map();

/** `--http-port <port>` → `--http-port`. */
export const optionFlagName = (o: Pick<ProbeOption<unknown>, 'flag'>): string => o.flag.split(/\s+/)[0]!;

/**
 * The key commander gives the flag's value: `--http-port` → `httpPort`. A negated flag names the
 * positive key (`--no-phone-out` → `phoneOut`, false when given, true by default), as commander does.
 */
export const optionKey = (o: Pick<ProbeOption<unknown>, 'flag'>): string =>
  optionFlagName(o).replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function optionValue<V>(values: OptionValues, spec: ProbeOption<V>): V {
  const key = optionKey(spec);
  return values.has(key) ? (values.get(key) as V) : spec.default;
}

/** Option values from raw flags (commander's object), each parsed by its spec. */
export function parseOptions(specs: readonly ProbeOption<unknown>[], raw: Readonly<Record<string, unknown>>): OptionValues {
  const out = new Map<string, unknown>();
  for (const spec of specs) {
    const key = optionKey(spec);
    const value = raw[key];
    if (value === undefined) continue;
    out.set(key, spec.parse(value as RawOptionValue, optionFlagName(spec)));
  }
  return out;
}

/** Option values written by key, for callers that are not a command line (tests, demo). */
export function optionValues(entries: ReadonlyArray<readonly [ProbeOption<any>, unknown]>): OptionValues {
  return new Map(entries.map(([spec, value]) => [optionKey(spec), value]));
}

export function defineOption<V>(o: ProbeOption<V>): ProbeOption<V> {
  return o;
}

// Parsers the specs share.

export function portValue(raw: RawOptionValue, flag: string): number {
  const value = String(raw);
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new OptionError(`${flag} "${value}" must be a port number (1-65535)`);
  return Number(value);
}
