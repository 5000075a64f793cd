/** The operating system's configured DNS servers, as the client wants them. */
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { DnsServerAddress } from './types.js';

export type ServerSpecResult = { ok: true; value: DnsServerAddress } | { ok: false; error: string };

/**
 * Parse "IP", "IP:PORT", "[v6]:PORT", "[v6]" or a bare v6 literal; the port defaults to 53.
 * Shared by systemDnsServers() and the --dns-server option (parseDnsServer).
 */
export function parseServerSpec(spec: string, defaultPort = 53): ServerSpecResult {
  const raw = spec.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(raw);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(host) !== 6) return { ok: false, error: `"${spec}": "${host}" is not an IPv6 address` };
  } else if (isIP(raw) !== 0) {
    host = raw; // plain IPv4 or unbracketed IPv6 (whose colons are not a port separator)
  } else {
    const colon = raw.lastIndexOf(':');
    host = colon >= 0 ? raw.slice(0, colon) : raw;
    portText = colon >= 0 ? raw.slice(colon + 1) : undefined;
    if (isIP(host) !== 4) return { ok: false, error: `"${spec}": the DNS server must be an IP address` };
  }
  if (portText === undefined) return { ok: true, value: { host, port: defaultPort } };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, error: `"${spec}": "${portText}" is not a valid port` };
  return { ok: true, value: { host, port } };
}

/** Servers from node:dns (resolv.conf on Unix); entries that do not parse are skipped. */
export function systemDnsServers(): DnsServerAddress[] {
  const out: DnsServerAddress[] = [];
  for (const spec of dns.getServers()) {
    const parsed = parseServerSpec(spec);
    if (parsed.ok) out.push(parsed.value);
  }
  return out;
}
