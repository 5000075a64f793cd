import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** Every plaintext protocol secgrade can upgrade to TLS before the ClientHello (src/net/starttls). */
export const STARTTLS_PROTOCOLS = ['smtp', 'lmtp', 'imap', 'pop3', 'sieve', 'ftp', 'xmpp', 'xmpp-server', 'ldap', 'postgres', 'mysql', 'nntp', 'irc'] as const;
export type StartTlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

/**
 * What a URL scheme (or --starttls name) means: its default port and, for the plaintext
 * protocols, the STARTTLS dialogue before TLS. Implicit-TLS schemes (imaps, smtps …) have none.
 */
export interface SchemeInfo {
  port: number;
  starttls: StartTlsProtocol | null;
}

export const SCHEMES: Readonly<Record<string, SchemeInfo>> = {
  https: { port: 443, starttls: null },
  smtp: { port: 25, starttls: 'smtp' },
  submission: { port: 587, starttls: 'smtp' },
  lmtp: { port: 24, starttls: 'lmtp' },
  imap: { port: 143, starttls: 'imap' },
  pop3: { port: 110, starttls: 'pop3' },
  sieve: { port: 4190, starttls: 'sieve' },
  ftp: { port: 21, starttls: 'ftp' },
  xmpp: { port: 5222, starttls: 'xmpp' },
  'xmpp-server': { port: 5269, starttls: 'xmpp-server' },
  ldap: { port: 389, starttls: 'ldap' },
  postgres: { port: 5432, starttls: 'postgres' },
  postgresql: { port: 5432, starttls: 'postgres' },
  mysql: { port: 3306, starttls: 'mysql' },
  nntp: { port: 119, starttls: 'nntp' },
  irc: { port: 6667, starttls: 'irc' },
  smtps: { port: 465, starttls: null },
  submissions: { port: 465, starttls: null },
  imaps: { port: 993, starttls: null },
  pop3s: { port: 995, starttls: null },
  ldaps: { port: 636, starttls: null },
  ftps: { port: 990, starttls: null },
  nntps: { port: 563, starttls: null },
  ircs: { port: 6697, starttls: null },
};

/** The --starttls names: the schemes with a dialogue. */
export const STARTTLS_NAMES: readonly string[] = Object.keys(SCHEMES).filter((k) => SCHEMES[k]!.starttls !== null);

/**
 * What the user asked to scan, after parsing: `host`, `host:port`, `[v6]:port` or an http(s) URL.
 * An internationalised name (bücher.example) becomes its A-label (xn--bcher-kva.example), as the
 * WHATWG URL parser does for URLs: DNS, SNI and certificates only know the A-label.
 */
export interface Target {
  /** The name as typed (lower-cased, no trailing dot) or an IP literal without brackets. */
  host: string;
  /** Explicit port, or null when the user gave none (443 unless DNS says otherwise). */
  port: number | null;
  /** Path and query from a URL target, for the HTTP probes; "/" otherwise. */
  path: string;
  /** The original input, for messages. */
  input: string;
  /**
   * A scheme other than http(s) (imap, imaps, smtp …), from the URL or --starttls: the service is
   * not a web site, so only TLS is graded. Absent for host, host:port and http(s) targets.
   */
  scheme?: string;
  /** The STARTTLS dialogue the scheme needs before TLS; absent or null: TLS from the first byte. */
  starttls?: StartTlsProtocol | null;
}

/** The port to scan when the target names none: the scheme's (143 for imap://), else 443. */
export function defaultPortOf(t: Pick<Target, 'scheme'>): number {
  return (t.scheme && SCHEMES[t.scheme]?.port) || DEFAULT_HTTPS_PORT;
}

/** A target that is not a web site (imap://, --starttls …): HTTP and email checks do not apply. */
export function isServiceTarget(t: Pick<Target, 'scheme'>): boolean {
  return t.scheme !== undefined && t.scheme !== 'https';
}

/** --starttls NAME applied to a parsed target; a URL naming another protocol is an error. */
export function withStartTls(t: Target, name: string): Target {
  const info = SCHEMES[name];
  if (!info?.starttls) throw new TargetParseError(`--starttls "${name}": not a STARTTLS protocol (one of ${STARTTLS_NAMES.join(', ')})`);
  if (t.scheme !== undefined && t.scheme !== name) throw new TargetParseError(`"${t.input}": its scheme ${t.scheme}:// disagrees with --starttls ${name}`);
  return { ...t, scheme: name, starttls: info.starttls };
}

/** `ip:port`, with brackets around an IPv6 address: how an endpoint is named everywhere. */
export function endpointKey(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export class TargetParseError extends Error {
  override name = 'TargetParseError';
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Parse one target argument. Throws TargetParseError with a one-line reason. */
export function parseTarget(input: string): Target {
  const raw = input.trim();
  if (raw === '') throw new TargetParseError('empty target');
  let hostPart: string;
  let portPart: string | null = null;
  let path = '/';
  let scheme: string | undefined;

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetParseError(`"${input}" is not a valid URL`);
    }
    const name = url.protocol.slice(0, -1).toLowerCase();
    if (name !== 'http' && SCHEMES[name] === undefined) {
      throw new TargetParseError(`"${input}": unknown scheme ${name}:// (http, https, ${Object.keys(SCHEMES).filter((k) => k !== 'https').join(', ')})`);
    }
    if (url.username || url.password) throw new TargetParseError(`"${input}": credentials in URLs are not accepted`);
    if (name === 'http' || name === 'https') {
      hostPart = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      // An http:// URL still grades the host's HTTPS service; the port only carries over for https.
      portPart = url.port !== '' && url.protocol === 'https:' ? url.port : null;
      path = (url.pathname || '/') + url.search;
    } else {
      // Not a special scheme to WHATWG: the authority is read by hand (host, [v6], :port, nothing else).
      const m = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]+\]|[^\/:?#\[\]]+)(?::(\d*))?\/?$/i.exec(raw);
      if (!m) throw new TargetParseError(`"${input}": a ${name}:// target is ${name}://host[:port] (no path, query or credentials)`);
      hostPart = (m[1] ?? '').replace(/^\[|\]$/g, '');
      if (m[1]?.startsWith('[') && isIP(hostPart) !== 6) throw new TargetParseError(`"${input}": "${hostPart}" is not an IPv6 address`);
      portPart = m[2] ? m[2] : null;
      scheme = name;
    }
  } else {
    if (/[\/?#@\s]/.test(raw)) throw new TargetParseError(`"${input}" is not a host, host:port or URL`);
    const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(raw);
    if (v6) {
      hostPart = v6[1] ?? '';
      portPart = v6[2] ?? null;
      if (isIP(hostPart) !== 6) throw new TargetParseError(`"${input}": "${hostPart}" is not an IPv6 address`);
    } else if (isIP(raw) === 6) {
      hostPart = raw;
    } else {
      const i = raw.lastIndexOf(':');
      hostPart = i >= 0 ? raw.slice(0, i) : raw;
      portPart = i >= 0 ? raw.slice(i + 1) : null;
    }
  }

  let port: number | null = null;
  if (portPart !== null) {
    if (!/^\d{1,5}$/.test(portPart)) throw new TargetParseError(`"${input}": port "${portPart}" is not a number`);
    port = Number(portPart);
    if (port < 1 || port > 65535) throw new TargetParseError(`"${input}": port ${port} is out of range 1-65535`);
  }

  let host = hostPart.toLowerCase().replace(/\.$/, '');
  // U-labels → A-labels (UTS #46 processing, as browsers do); '' means the name is not valid IDNA,
  // which also catches a malformed A-label (xn--zz). A URL's host arrives here already converted.
  if (/[^\x00-\x7f]/.test(host) || /(^|\.)xn--/.test(host)) {
    const ascii = domainToASCII(host);
    if (ascii === '') throw new TargetParseError(`"${input}": "${hostPart}" is not a valid internationalised host name`);
    host = ascii.replace(/\.$/, '');
  }
  if (isIP(host) === 0) {
    if (host.length === 0 || host.length > 253) throw new TargetParseError(`"${input}": host name length is invalid`);
    const labels = host.split('.');
    for (const label of labels) {
      if (!LABEL.test(label)) throw new TargetParseError(`"${input}": "${hostPart}" is not a valid host name`);
    }
    if (/^\d+$/.test(labels[labels.length - 1] ?? '')) {
      throw new TargetParseError(`"${input}": "${hostPart}" is neither a host name nor an IP address`);
    }
  } else if (isIP(host) === 6) {
    host = host.toLowerCase();
  }
  const target: Target = { host, port, path, input };
  if (scheme !== undefined) {
    target.scheme = scheme;
    target.starttls = SCHEMES[scheme]?.starttls ?? null;
  }
  return target;
}

export const DEFAULT_HTTPS_PORT = 443;
