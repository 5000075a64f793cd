// Report URIs in mail records: the generic URI syntax of RFC 3986 (§3, Appendix A) that DMARC's
// `dmarc-uri` (RFC 7489 §6.4) and TLS-RPT's `tlsrpt-uri` (RFC 8460 §3) import, and the one mail
// address a `mailto:` URI (RFC 6068 §2) must hold for a report to be sent to it. Pure.
import { isIP } from 'node:net';
import { isHostname } from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';

// RFC 3986 Appendix A.
const UNRESERVED = "A-Za-z0-9\\-._~";
const SUB_DELIMS = "!$&'()*+,;=";
const PCT = '%[0-9A-Fa-f]{2}';
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const QUERY_OR_FRAGMENT = new RegExp(`^(?:${PCHAR}|[/?])*$`);
const PATH_ABEMPTY = new RegExp(`^(?:/${PCHAR}*)*$`);
const PATH_NOAUTH = new RegExp(`^(?:${PCHAR}|/)*$`);
const USERINFO = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*$`);
const REG_NAME = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*$`);
const IPV_FUTURE = new RegExp(`^v[0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+$`);
/** Every character RFC 3986 allows anywhere in a URI (the rest must be percent-encoded). */
const URI_CHAR = new RegExp(`[${UNRESERVED}${SUB_DELIMS}:@/?#\\[\\]%]`);

/** The first character that may not appear in a URI, described; null when there is none. */
function badCharacter(text: string): string | null {
  for (const ch of text) {
    if (!URI_CHAR.test(ch)) {
      const code = ch.codePointAt(0)!;
      const shown = code < 0x21 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
      return `${shown} may not appear in a URI unencoded (RFC 3986 §2)`;
    }
  }
  const pct = /%(?![0-9A-Fa-f]{2})/.exec(text);
  return pct ? '"%" must start a percent-encoding of two hex digits (RFC 3986 §2.1)' : null;
}

function authorityError(authority: string): string | null {
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  if (userinfo !== null && !USERINFO.test(userinfo)) return 'the user information is not valid (RFC 3986 §3.2.1)';
  let host = hostPort;
  let port = '';
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return 'an IP literal misses its "]" (RFC 3986 §3.2.2)';
    const literal = hostPort.slice(1, close);
    if (isIP(literal) !== 6 && !IPV_FUTURE.test(literal)) return `[${literal}] is not an IPv6 address (RFC 3986 §3.2.2)`;
    host = '';
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return 'only ":port" may follow an IP literal (RFC 3986 §3.2)';
    port = after.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  if (!REG_NAME.test(host)) return `"${host}" is not a host name (RFC 3986 §3.2.2)`;
  if (!/^\d*$/.test(port)) return `":${port}" is not a port number (RFC 3986 §3.2.3)`;
  return null;
}

/**
 * Why `uri` is not a URI by RFC 3986 (`scheme ":" hier-part [ "?" query ] [ "#" fragment ]`), or
 * null when it is one. Relative references are not URIs.
 */
export function uriSyntaxError(uri: string): string | null {
  const scheme = SCHEME.exec(uri);
  if (!scheme) return 'it has no scheme (a URI starts with "scheme:", e.g. "mailto:")';
  const bad = badCharacter(uri);
  if (bad) return bad;
  let rest = uri.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const fragment = rest.slice(hash + 1);
    if (!QUERY_OR_FRAGMENT.test(fragment)) return 'the fragment is not valid (RFC 3986 §3.5)';
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    if (!QUERY_OR_FRAGMENT.test(rest.slice(q + 1))) return 'the query is not valid (RFC 3986 §3.4)';
    rest = rest.slice(0, q);
  }
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    const path = slash < 0 ? '' : rest.slice(slash);
    return authorityError(authority) ?? (PATH_ABEMPTY.test(path) ? null : 'the path is not valid (RFC 3986 §3.3)');
  }
  return PATH_NOAUTH.test(rest) ? null : 'the path is not valid (RFC 3986 §3.3)';
}

/** The scheme of a URI, lower-cased, or null. */
export function uriScheme(uri: string): string | null {
  return SCHEME.exec(uri)?.[1]?.toLowerCase() ?? null;
}

// RFC 5322 §3.2.3 atext: what a dot-atom local part is made of.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// RFC 5322 §3.2.4 quoted-string (qtext or quoted-pair), no folding.
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;

export type MailtoAddress = { ok: true; address: string; domain: string } | { ok: false; error: string };

/**
 * The one mail address a `mailto:` URI sends to (RFC 6068 §2: `"mailto:" [ to ] [ hfields ]`, the
 * `to` list of addr-specs, percent-decoded). `uri` must already be a valid URI. A report needs one
 * address it can be delivered to: a local part that is a dot-atom or quoted string (RFC 5322
 * §3.4.1) and a domain that is a host name with a dot. Several addresses in one URI (an encoded
 * comma) are refused here: each report URI names one destination, whose authorisation is looked
 * up by its domain (our reading; RFC 7489 §6.2 lists destinations as separate URIs).
 */
export function mailtoAddress(uri: string): MailtoAddress {
  const body = uri.slice('mailto:'.length);
  const to = body.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return { ok: false, error: 'it has a malformed %-escape' };
  }
  if (decoded === '') return { ok: false, error: 'it names no mail address (write mailto:reports@example.com)' };
  const at = decoded.lastIndexOf('@');
  if (at <= 0) return { ok: false, error: 'it does not hold a mail address (local-part@domain)' };
  const local = decoded.slice(0, at);
  const domain = normalizeName(decoded.slice(at + 1));
  if (!DOT_ATOM.test(local) && !QUOTED.test(local)) {
    return decoded.includes(',')
      ? { ok: false, error: 'it lists several addresses in one URI: write one mailto: URI per address' }
      : { ok: false, error: `"${local}" is not a valid local part of a mail address (RFC 5322 §3.4.1)` };
  }
  if (!isHostname(domain) || !domain.includes('.')) return { ok: false, error: `"${decoded.slice(at + 1)}" is not a mail domain` };
  return { ok: true, address: decoded, domain };
}
