// Set-Cookie analysis. The syntax is undici's parser (RFC 6265bis §5.4, the algorithm browsers
// follow); this module only judges the parsed attributes. Issues are grouped per id, one finding
// each, listing the cookies concerned, so a site with hundreds of cookies stays readable.
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { finding, type CheckFinding } from '../model/finding.js';
import type { Severity } from '../model/constants.js';
import { severityRank } from '../model/severity.js';

export type CookieIssueId =
  | 'http.cookie.no-secure'
  | 'http.cookie.set-over-http'
  | 'http.cookie.no-httponly'
  | 'http.cookie.samesite-missing'
  | 'http.cookie.samesite-none-insecure'
  | 'http.cookie.invalid-host-prefix'
  | 'http.cookie.invalid-secure-prefix'
  | 'http.cookie.broad-domain'
  | 'http.cookie.foreign-domain'
  | 'http.cookie.long-lifetime'
  | 'http.cookie.unparseable'
  | 'http.cookie.too-many';

export type CookieIssue = CheckFinding & { id: CookieIssueId };

export interface AnalysedCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Strict' | 'Lax' | 'None' | null;
  /** Lower-cased, leading dot removed (as browsers store it); null = host-only. */
  domain: string | null;
  path: string | null;
  /** ISO date, when Expires parsed. */
  expires: string | null;
  maxAge: number | null;
  prefix: '__Host-' | '__Secure-' | null;
  /** The name looks like a session or credential cookie. */
  sessionLike: boolean;
  fromUrl: string;
}

export interface CookieAnalysis {
  cookies: AnalysedCookie[];
  issues: CookieIssue[];
  /** Set-Cookie values received. */
  total: number;
  /** Values beyond the cap, not analysed. */
  dropped: number;
  /** Values undici's parser rejects (browsers ignore them too). */
  unparseable: number;
}

export interface CookieAnalysisOptions {
  /** Scheme and host the cookies were set on, used when a value's URL does not parse. */
  scheme: 'https' | 'http';
  host: string;
  now?: Date;
  /** Default 200. */
  maxCookies?: number;
}

export const MAX_COOKIES = 200;
const YEAR_S = 365 * 24 * 3600;
const MAX_LISTED = 20;
const REFS = {
  rfc6265bis: 'RFC 6265bis — Cookies: HTTP State Management Mechanism (https://datatracker.ietf.org/doc/draft-ietf-httpbis-rfc6265bis/)',
  mdnSetCookie: 'MDN: Set-Cookie (https://developer.mozilla.org/docs/Web/HTTP/Headers/Set-Cookie)',
  observatory: 'Mozilla Observatory: cookies (https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring)',
};

type UndiciCookie = { name: string; value: string; expires?: Date | number; maxAge?: number; domain?: string; path?: string; secure?: boolean; httpOnly?: boolean; sameSite?: 'Strict' | 'Lax' | 'None' };
let parseCookie: ((value: string) => UndiciCookie | null) | undefined;

/** undici loaded on first use (it costs ~140 ms), synchronously so analysis stays a pure function. */
function parser(): (value: string) => UndiciCookie | null {
  parseCookie ??= (createRequire(import.meta.url)('undici') as typeof import('undici')).parseCookie;
  return parseCookie;
}

const SESSION_NAMES = new Set(['sid', 'sessid', 'sessionid', 'phpsessid', 'jsessionid', 'connect.sid', 'asp.net_sessionid', 'cfid', 'cftoken', 'jwt']);
const SESSION_PARTS = ['session', 'sess', 'token', 'auth', 'jwt', 'login', 'remember'];

/** Session or credential cookies by name; anti-CSRF tokens are excluded (scripts must read them). */
export function isSessionLike(name: string): boolean {
  const n = name.toLowerCase().replace(/^__(host|secure)-/, '');
  if (n.includes('csrf') || n.includes('xsrf')) return false;
  if (SESSION_NAMES.has(n)) return true;
  if (n.split(/[-_.]/).includes('sid')) return true;
  return SESSION_PARTS.some((p) => n.includes(p));
}

/** Cookie names are case-sensitive, but browsers match the prefixes case-insensitively (RFC 6265bis §4.1.3). */
function prefixOf(name: string): AnalysedCookie['prefix'] {
  const n = name.toLowerCase();
  return n.startsWith('__host-') ? '__Host-' : n.startsWith('__secure-') ? '__Secure-' : null;
}

interface Hit {
  id: CookieIssueId;
  severity: Severity;
  cookie: AnalysedCookie;
  raw: string;
}

export function analyseCookies(setCookies: ReadonlyArray<{ url: string; value: string }>, opts: CookieAnalysisOptions): CookieAnalysis {
  const cap = opts.maxCookies ?? MAX_COOKIES;
  const now = (opts.now ?? new Date()).getTime();
  const parse = parser();
  const cookies: AnalysedCookie[] = [];
  const hits: Hit[] = [];
  const unparsed: Array<{ url: string; value: string }> = [];
  for (const { url, value } of setCookies.slice(0, cap)) {
    const c = parse(value);
    // RFC 6265bis §5.7 step 3: nameless cookies are stored, a nameless and valueless one is not.
    if (c === null || (c.name === '' && c.value === '')) {
      unparsed.push({ url, value });
      continue;
    }
    let scheme = opts.scheme;
    let host = opts.host.toLowerCase();
    try {
      const u = new URL(url);
      scheme = u.protocol === 'http:' ? 'http' : 'https';
      host = u.hostname.replace(/^\[|\]$/g, '');
    } catch {
      // keep the defaults
    }
    const expires = c.expires instanceof Date && !Number.isNaN(c.expires.getTime()) ? c.expires : typeof c.expires === 'number' ? new Date(c.expires) : null;
    const cookie: AnalysedCookie = {
      name: c.name,
      secure: c.secure === true,
      httpOnly: c.httpOnly === true,
      sameSite: c.sameSite ?? null,
      domain: c.domain === undefined || c.domain === '' ? null : c.domain,
      path: c.path ?? null,
      expires: expires?.toISOString() ?? null,
      maxAge: c.maxAge ?? null,
      prefix: prefixOf(c.name),
      sessionLike: isSessionLike(c.name),
      fromUrl: url,
    };
    cookies.push(cookie);
    const hit = (id: CookieIssueId, severity: Severity): void => void hits.push({ id, severity, cookie, raw: value });
    const s = cookie.sessionLike;
    if (scheme === 'https' && !cookie.secure) hit('http.cookie.no-secure', s ? 'medium' : 'low');
    // Set in clear text: readable and forgeable on the path, whatever its flags say.
    if (scheme === 'http') hit('http.cookie.set-over-http', s ? 'medium' : 'low');
    if (s && !cookie.httpOnly) hit('http.cookie.no-httponly', 'medium');
    if (cookie.sameSite === null) hit('http.cookie.samesite-missing', s ? 'low' : 'info');
    else if (cookie.sameSite === 'None' && !cookie.secure) hit('http.cookie.samesite-none-insecure', 'low');
    if (cookie.prefix === '__Host-' && (!cookie.secure || cookie.path !== '/' || cookie.domain !== null)) hit('http.cookie.invalid-host-prefix', 'low');
    if (cookie.prefix === '__Secure-' && !cookie.secure) hit('http.cookie.invalid-secure-prefix', 'low');
    if (cookie.domain !== null && cookie.domain !== host) {
      // A Domain must domain-match the host, or the browser drops the cookie; a parent domain shares it with every sibling.
      if (!isIP(host) && host.endsWith(`.${cookie.domain}`)) hit('http.cookie.broad-domain', s ? 'medium' : 'low');
      else hit('http.cookie.foreign-domain', 'low');
    }
    const lifetimeS = cookie.maxAge ?? (expires ? (expires.getTime() - now) / 1000 : null);
    if (lifetimeS !== null && lifetimeS > YEAR_S) hit('http.cookie.long-lifetime', s ? 'low' : 'info');
  }
  const dropped = Math.max(0, setCookies.length - cap);
  const issues = groupHits(hits);
  if (unparsed.length > 0) issues.push(unparseableIssue(unparsed));
  if (dropped > 0) {
    issues.push(
      issue('http.cookie.too-many', 'info', {
        title: 'More Set-Cookie headers than analysed',
        detail: `${setCookies.length} Set-Cookie headers were received; the first ${cap} were analysed and ${dropped} were not.`,
        evidence: { total: setCookies.length, analysed: cap, dropped },
        remediation: 'Set fewer cookies: browsers limit cookies per domain and every request carries them.',
      }),
    );
  }
  return { cookies, issues, total: setCookies.length, dropped, unparseable: unparsed.length };
}

const TEXT: Record<Exclude<CookieIssueId, 'http.cookie.unparseable' | 'http.cookie.too-many'>, { title: string; detail: string; remediation: string }> = {
  'http.cookie.no-secure': {
    title: 'Cookie set over HTTPS without Secure',
    detail: 'Without Secure the browser also sends the cookie over plain HTTP, where it can be read or injected on the network',
    remediation: 'Add `Secure` to every cookie set over HTTPS.',
  },
  'http.cookie.set-over-http': {
    title: 'Cookie set over plain HTTP',
    detail: 'The cookie was set in a plain-HTTP response, so anyone on the network path can read it, and forge or overwrite it',
    remediation: 'Set cookies only on HTTPS responses; answer plain HTTP with a redirect and nothing else.',
  },
  'http.cookie.no-httponly': {
    title: 'Session cookie without HttpOnly',
    detail: 'Scripts can read this session or credential cookie, so any XSS can steal it',
    remediation: 'Add `HttpOnly` to session and authentication cookies.',
  },
  'http.cookie.samesite-missing': {
    title: 'Cookie without SameSite',
    detail: 'Without SameSite the browser default applies (Lax in Chromium, none in some others), leaving cross-site requests to decide',
    remediation: 'Set `SameSite=Lax` (or `Strict`) explicitly; use `None; Secure` only for cookies that must be sent cross-site.',
  },
  'http.cookie.samesite-none-insecure': {
    title: 'SameSite=None without Secure',
    detail: 'Browsers reject SameSite=None cookies that are not Secure',
    remediation: 'Add `Secure` to cookies with `SameSite=None`.',
  },
  'http.cookie.invalid-host-prefix': {
    title: 'Invalid __Host- cookie',
    detail: 'A __Host- cookie must be Secure, have Path=/ and no Domain; browsers reject this one',
    remediation: 'Set `__Host-` cookies with `Secure; Path=/` and no `Domain`.',
  },
  'http.cookie.invalid-secure-prefix': {
    title: 'Invalid __Secure- cookie',
    detail: 'A __Secure- cookie must be Secure; browsers reject this one',
    remediation: 'Add `Secure` to `__Secure-` cookies.',
  },
  'http.cookie.broad-domain': {
    title: 'Cookie scoped to a parent domain',
    detail: 'Domain names a parent of the host, so every sibling subdomain receives (and can overwrite) the cookie',
    remediation: 'Omit `Domain` (a host-only cookie) unless sibling hosts must share the cookie; prefer the `__Host-` prefix.',
  },
  'http.cookie.foreign-domain': {
    title: 'Cookie Domain does not match the host',
    detail: 'Domain does not domain-match the host that set it, so browsers reject the cookie',
    remediation: 'Set Domain to the host or one of its parents, or omit it.',
  },
  'http.cookie.long-lifetime': {
    title: 'Cookie lives longer than a year',
    detail: 'Expires or Max-Age is more than a year away (browsers cap it at 400 days); a stolen cookie stays valid that long',
    remediation: 'Keep session cookies short-lived and other cookies to a year at most.',
  },
};

function issue(id: CookieIssueId, severity: Severity, f: { title: string; detail: string; evidence: Record<string, unknown>; remediation: string }): CookieIssue {
  return finding({ id, severity, ...f, references: [REFS.rfc6265bis, REFS.mdnSetCookie, REFS.observatory] }) as CookieIssue;
}

/** One issue per id, at the worst severity seen, listing (up to 20 of) the cookies. */
function groupHits(hits: readonly Hit[]): CookieIssue[] {
  const byId = new Map<CookieIssueId, Hit[]>();
  for (const h of hits) {
    const group = byId.get(h.id);
    if (group) group.push(h);
    else byId.set(h.id, [h]);
  }
  const out: CookieIssue[] = [];
  for (const [id, group] of byId) {
    const text = TEXT[id as keyof typeof TEXT];
    const severity = group.map((h) => h.severity).sort((a, b) => severityRank(a) - severityRank(b))[0] ?? 'info';
    const names = [...new Set(group.map((h) => h.cookie.name))];
    out.push(
      issue(id, severity, {
        title: text.title,
        detail: `${text.detail}: ${names.slice(0, MAX_LISTED).join(', ')}${names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : ''}.`,
        evidence: {
          count: group.length,
          cookies: group.slice(0, MAX_LISTED).map((h) => ({ name: h.cookie.name, url: h.cookie.fromUrl, setCookie: clip(h.raw), sessionLike: h.cookie.sessionLike })),
        },
        remediation: text.remediation,
      }),
    );
  }
  return out;
}

function unparseableIssue(values: ReadonlyArray<{ url: string; value: string }>): CookieIssue {
  return issue('http.cookie.unparseable', 'info', {
    title: 'Set-Cookie headers that browsers ignore',
    detail: `${values.length} Set-Cookie value(s) contain control characters, an oversized name and value, or nothing at all; browsers drop them.`,
    evidence: { count: values.length, values: values.slice(0, MAX_LISTED).map((v) => ({ url: v.url, setCookie: clip(v.value) })) },
    remediation: 'Fix or remove these Set-Cookie headers.',
  });
}

/** Evidence stays small whatever the server sends. */
function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
