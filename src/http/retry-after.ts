// Retry-After (RFC 9110 §10.2.3): how long a server asks a client to wait, as delta-seconds or an
// HTTP-date (§5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must still
// read). Parsed by hand: Date.parse reads far more than HTTP-dates (a bare "5" is a year to it) and
// takes an asctime date, which has no zone, as local time.

const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAYS = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAYS}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAYS} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

function utc(year: number, month: string, day: number, h: string, m: string, s: string): number | null {
  const t = Date.UTC(year, MONTHS.indexOf(month), day, Number(h), Number(m), Number(s));
  const d = new Date(t);
  // Reject what Date.UTC would roll over (31 Feb, 25:00): not a date the server meant.
  if (d.getUTCDate() !== day || d.getUTCHours() !== Number(h) || d.getUTCMinutes() !== Number(m) || d.getUTCSeconds() !== Number(s)) return null;
  return t;
}

/** An HTTP-date as ms since the epoch, or null when it is not one. `now` places a two-digit year. */
export function parseHttpDate(value: string, now: number = Date.now()): number | null {
  const v = value.trim();
  let m = IMF_FIXDATE.exec(v);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = RFC850.exec(v);
  if (m) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits (§5.6.7).
    let year = 2000 + Number(m[3]);
    if (year > new Date(now).getUTCFullYear() + 50) year -= 100;
    return utc(year, m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  }
  m = ASCTIME.exec(v);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  return null;
}

/**
 * The wait a Retry-After value asks for, in ms (0 when its date is past), or null when it is not a
 * valid value. An HTTP-date is measured from the response's own Date header when it has a valid one
 * (the server's clock against itself: no skew between the two machines), else from `now`.
 */
export function retryAfterMs(value: string, opts: { date?: string | null; now?: number } = {}): number | null {
  const v = value.trim();
  const now = opts.now ?? Date.now();
  if (/^\d+$/.test(v)) return Math.min(Number(v), Number.MAX_SAFE_INTEGER / 1000) * 1000;
  const at = parseHttpDate(v, now);
  if (at === null) return null;
  const from = (opts.date ? parseHttpDate(opts.date, now) : null) ?? now;
  return Math.max(0, at - from);
}
