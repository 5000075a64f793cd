// The Observatory's cookie jar (R10 in retriever.ts): tough-cookie 5's parsing and storing rules,
// reproduced so the cookies test sees exactly the cookies the real Observatory would have stored.
import { isIP } from 'node:net';
import { getDomain } from 'tldts';

// ───────────────────────── The cookie jar (tough-cookie 5, R10) ─────────────────────────

export interface JarCookie {
  key: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'strict' | 'lax' | 'none' | undefined;
  domain: string;
  path: string;
  hostOnly: boolean;
}

type ParsedCookie = Omit<JarCookie, 'domain' | 'path' | 'hostOnly'> & { domain: string | null; path: string | null };

/**
 * tough-cookie's strict (non-loose) Cookie.parse: trimmed; the pair before the first ";" must have
 * a non-empty name before "=" and no control character (a pair is cut at \n, \r or \0); attributes
 * are case-insensitive, later ones override earlier ones; SameSite other than strict/lax/none
 * resets it to unset; Domain drops one leading "." and is lower-cased; Path must start with "/".
 */
export function toughParseCookie(input: string): ParsedCookie | null {
  const str = input.trim();
  if (str === '') return null;
  const semi = str.indexOf(';');
  let pair = semi === -1 ? str : str.slice(0, semi);
  for (const t of ['\n', '\r', '\0']) {
    const i = pair.indexOf(t);
    if (i !== -1) pair = pair.slice(0, i);
  }
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const key = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (/[\x00-\x1f]/.test(key) || /[\x00-\x1f]/.test(value)) return null;
  const c: ParsedCookie = { key, secure: false, httpOnly: false, sameSite: undefined, domain: null, path: null };
  if (semi === -1) return c;
  for (const part of str.slice(semi + 1).split(';')) {
    const av = part.trim();
    if (av === '') continue;
    const sep = av.indexOf('=');
    const name = (sep === -1 ? av : av.slice(0, sep)).trim().toLowerCase();
    const raw = sep === -1 ? null : av.slice(sep + 1);
    const val = raw ? raw.trim() : raw;
    if (name === 'domain') {
      const d = val ? val.trim().replace(/^\./, '') : '';
      if (d) c.domain = d.toLowerCase();
    } else if (name === 'path') c.path = val && val[0] === '/' ? val : null;
    else if (name === 'secure') c.secure = true;
    else if (name === 'httponly') c.httpOnly = true;
    else if (name === 'samesite') {
      const s = val ? val.toLowerCase() : '';
      c.sameSite = s === 'strict' || s === 'lax' || s === 'none' ? s : undefined;
    }
  }
  return c;
}

// tough-cookie getPublicSuffix with allowSpecialUseDomain (the CookieJar default).
const SPECIAL_USE = ['local', 'example', 'invalid', 'localhost', 'test'];
const SPECIAL_SINGLE = ['localhost', 'invalid'];

function publicSuffixRejects(domain: string): boolean {
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  if (SPECIAL_USE.includes(tld) && (labels.length > 1 || SPECIAL_SINGLE.includes(tld))) return false;
  if (getDomain(domain, { allowIcannDomains: true, allowPrivateDomains: true })) return false;
  return isIP(domain.replace(/^\[|\]$/g, '')) !== 6;
}

function canonicalDomain(d: string): string {
  const s = d.trim().replace(/^\./, '');
  if (/[^\u0001-\u007f]/.test(s)) {
    try {
      return new URL(`http://${s}`).hostname;
    } catch {
      return s.toLowerCase();
    }
  }
  return s.toLowerCase();
}

/** tough-cookie domainMatch (no canonicalisation): equal, or a dot-aligned suffix of a non-IP host. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  const idx = host.lastIndexOf(domain);
  if (idx <= 0 || host.length !== domain.length + idx || host[idx - 1] !== '.') return false;
  return isIP(host) === 0;
}

/** tough-cookie defaultPath (RFC 6265 §5.1.4). */
function defaultPath(path: string): string {
  if (!path || !path.startsWith('/') || path === '/') return '/';
  const right = path.lastIndexOf('/');
  return right === 0 ? '/' : path.slice(0, right);
}

/**
 * Store one Set-Cookie from a response to `url` in the jar, as tough-cookie 5's setCookie with
 * ignoreError does: unparsable, public-suffix Domain, Domain not matching the host, and __Secure-/
 * __Host- prefix violations (case-sensitive; __Host- checked after the default path is applied)
 * are dropped silently; the same (domain, path, name) replaces the earlier cookie.
 */
export function jarSetCookie(jar: Map<string, JarCookie>, setCookie: string, url: string): void {
  const c = toughParseCookie(setCookie);
  if (!c) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return;
  }
  const host = canonicalDomain(u.hostname.replace(/^\[|\]$/g, ''));
  let domain: string;
  let hostOnly: boolean;
  if (c.domain) {
    if (publicSuffixRejects(canonicalDomain(c.domain))) return;
    if (!domainMatches(host, canonicalDomain(c.domain))) return;
    domain = c.domain;
    hostOnly = false;
  } else {
    domain = host;
    hostOnly = true;
  }
  // http-cookie-agent gives the request path with its query folded in ("?" escaped as %3F).
  const requestPath = u.pathname + (u.search ? `%3F${u.search.slice(1)}` : '');
  const path = c.path && c.path.startsWith('/') ? c.path : defaultPath(requestPath);
  if (c.key.startsWith('__Secure-') && !c.secure) return;
  if (c.key.startsWith('__Host-') && !(c.secure && hostOnly && path === '/')) return;
  jar.set(JSON.stringify([domain, path, c.key]), { ...c, domain, path, hostOnly });
}
