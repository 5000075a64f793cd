/** Shared DNS types: what the client returns and what the lab server serves. */

export type RecordType =
  | 'A'
  | 'AAAA'
  | 'MX'
  | 'TXT'
  /** The obsolete SPF RR type (RFC 7208 §3.1 / §14.1): only asked to note that it is published. */
  | 'SPF'
  | 'CAA'
  | 'TLSA'
  | 'CNAME'
  | 'NS'
  | 'SOA'
  | 'PTR'
  | 'DS'
  | 'DNSKEY'
  | 'HTTPS'
  | 'SVCB';

/** Numeric RR type codes (IANA), for the types we speak. */
export const RECORD_TYPE_CODES: Readonly<Record<RecordType, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  SPF: 99,
  AAAA: 28,
  DS: 43,
  DNSKEY: 48,
  TLSA: 52,
  SVCB: 64,
  HTTPS: 65,
  CAA: 257,
};

export const RECORD_TYPES: readonly RecordType[] = Object.keys(RECORD_TYPE_CODES) as RecordType[];

export function isRecordType(value: string): value is RecordType {
  return Object.prototype.hasOwnProperty.call(RECORD_TYPE_CODES, value);
}

/** A DNS server to talk to; `host` is an IP literal (no brackets). */
export interface DnsServerAddress {
  host: string;
  port: number;
}

/** SvcParams of an SVCB/HTTPS record (RFC 9460 section 7). */
export interface SvcParams {
  /** Keys (numeric) listed in the "mandatory" param, key 0. */
  mandatory?: number[];
  alpn?: string[];
  noDefaultAlpn?: boolean;
  port?: number;
  ipv4hint?: string[];
  ipv6hint?: string[];
  /** ECHConfigList, base64. */
  ech?: string;
  /** Unknown keys, named "keyNNNNN" (RFC 9460 presentation form), value as hex. */
  other?: Record<string, string>;
}

/**
 * One answer record. Names are lower-cased without a trailing dot; the root name is ".".
 */
export type DnsRecord =
  | { type: 'A' | 'AAAA'; name: string; ttl: number; address: string }
  | { type: 'MX'; name: string; ttl: number; preference: number; exchange: string }
  | {
      /** SPF (type 99) has TXT's wire format. */
      type: 'TXT' | 'SPF';
      name: string;
      ttl: number;
      strings: string[];
      /** `strings` joined with '' (RFC 7208 section 3.3). */
      text: string;
    }
  | { type: 'CAA'; name: string; ttl: number; flags: number; tag: string; value: string }
  | {
      type: 'TLSA';
      name: string;
      ttl: number;
      usage: number;
      selector: number;
      matchingType: number;
      /** Certificate association data, lower-case hex. */
      data: string;
    }
  | { type: 'CNAME' | 'NS' | 'PTR'; name: string; ttl: number; target: string }
  | { type: 'SOA'; name: string; ttl: number; mname: string; rname: string; serial: number; minimum: number }
  | {
      type: 'DS';
      name: string;
      ttl: number;
      keyTag: number;
      algorithm: number;
      digestType: number;
      /** Lower-case hex. */
      digest: string;
    }
  | {
      type: 'DNSKEY';
      name: string;
      ttl: number;
      flags: number;
      algorithm: number;
      /** Base64. */
      key: string;
    }
  | { type: 'HTTPS' | 'SVCB'; name: string; ttl: number; priority: number; target: string; params: SvcParams };

export type Transport = 'udp' | 'tcp';

/**
 * Outcome of one query. 'error' means "could not resolve" (SERVFAIL, REFUSED, timeout,
 * network, malformed); it must never be read as "the record does not exist".
 */
export type LookupResult =
  | { status: 'ok'; records: DnsRecord[]; authenticated: boolean; server: string; transport: Transport }
  | { status: 'nodata'; authenticated: boolean; server: string; transport: Transport }
  | { status: 'nxdomain'; authenticated: boolean; server: string; transport: Transport }
  | { status: 'error'; reason: string; rcode?: string };

/** "ip:port", with brackets around IPv6 literals. */
export function formatServer(server: DnsServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/** Lower-case, strip one trailing dot; the root stays ".". */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  if (lower === '.' || lower === '') return '.';
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
