import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

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

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetParseError(`"${input}" is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TargetParseError(`"${input}": only http:// and https:// URLs can be scanned`);
    }
    if (url.username || url.password) throw new TargetParseError(`"${input}": credentials in URLs are not accepted`);
    hostPart = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // An http:// URL still grades the host's HTTPS service; the port only carries over for https.
    portPart = url.port !== '' && url.protocol === 'https:' ? url.port : null;
    path = (url.pathname || '/') + url.search;
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
  return { host, port, path, input };
}

export const DEFAULT_HTTPS_PORT = 443;
