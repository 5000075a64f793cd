// Strict-Transport-Security parsing per RFC 6797 §6.1: directives separated by ";", names
// case-insensitive, max-age required exactly once, values may be quoted; unknown directives ignored.
export interface HstsPolicy {
  valid: boolean;
  /** Why the header is invalid, when it is. */
  error: string | null;
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
}

export function parseHsts(value: string): HstsPolicy {
  const policy: HstsPolicy = { valid: true, error: null, maxAge: null, includeSubDomains: false, preload: false };
  const seen = new Set<string>();
  for (const part of value.split(';')) {
    const directive = part.trim();
    if (directive === '') continue;
    const eq = directive.indexOf('=');
    const name = (eq < 0 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    let arg = eq < 0 ? null : directive.slice(eq + 1).trim();
    if (seen.has(name)) return { ...policy, valid: false, error: `directive "${name}" appears more than once` };
    seen.add(name);
    if (arg !== null && arg.startsWith('"') && arg.endsWith('"') && arg.length >= 2) arg = arg.slice(1, -1);
    if (name === 'max-age') {
      if (arg === null || !/^\d+$/.test(arg)) return { ...policy, valid: false, error: 'max-age is not a number' };
      policy.maxAge = Number(arg);
    } else if (name === 'includesubdomains') {
      policy.includeSubDomains = true;
    } else if (name === 'preload') {
      policy.preload = true;
    }
  }
  if (policy.maxAge === null) return { ...policy, valid: false, error: 'max-age is missing' };
  return policy;
}
