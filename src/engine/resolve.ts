// Resolution: a target's endpoints and port. The port comes from the target, else from the name's
// HTTPS record (RFC 9460 `port`, as browsers honour it), else 443.
import { isIP } from 'node:net';
import { defaultPortOf, isServiceTarget, type Target } from '../model/target.js';
import type { Resolver } from '../net/dns/resolver.js';
import type { Endpoint } from './probe.js';

export interface Resolved {
  port: number;
  portSource: 'default' | 'target' | 'dns-https-record';
  endpoints: Endpoint[];
  /** Why there are no endpoints, when there are none. */
  error: string | null;
  /**
   * fatal: nothing can be tested (the name does not exist, the scan was stopped); no-address: the
   * name exists but has no usable address (no A/AAAA, or their lookup failed), so only what needs
   * no connection to it (its DNS records, its mail) can be tested.
   */
  errorKind?: 'fatal' | 'no-address';
}

/** How long the optional HTTPS-record lookup may outlast the address lookup. */
const HTTPS_RECORD_GRACE_MS = 1000;

/** The port named by the host's HTTPS record (RFC 9460 `port`), or null. Never rejects. */
async function httpsRecordPort(host: string, resolver: Resolver, signal: AbortSignal): Promise<number | null> {
  const res = await resolver.query(host, 'HTTPS', signal);
  if (res.status !== 'ok') return null;
  for (const r of res.records) {
    if (r.type === 'HTTPS' && r.priority > 0 && r.params.port !== undefined) return r.params.port;
  }
  return null;
}

/**
 * Endpoints and port. The HTTPS lookup runs beside the address lookup and is given up after a
 * short grace, so an /etc/hosts pin with unreachable DNS servers is not held up by it.
 */
export async function resolveTarget(target: Target, opts: { resolver: Resolver; ips?: readonly string[] }, signal: AbortSignal): Promise<Resolved> {
  // An HTTPS record names the port of the web service only: not of imap:// or smtp://.
  const wantRecord = target.port === null && isIP(target.host) === 0 && !opts.ips?.length && !isServiceTarget(target);
  const recordPort = wantRecord ? httpsRecordPort(target.host, opts.resolver, signal) : Promise.resolve(null);
  const addresses = opts.ips?.length
    ? Promise.resolve({ status: 'ok' as const, addresses: opts.ips.map((ip) => ({ address: ip })) })
    : opts.resolver.addresses(target.host, signal);
  const res = await addresses;
  let grace: NodeJS.Timeout | undefined;
  const fromRecord = await Promise.race([
    recordPort,
    new Promise<null>((resolve) => (grace = setTimeout(() => resolve(null), HTTPS_RECORD_GRACE_MS))),
  ]);
  clearTimeout(grace);
  const port = target.port ?? fromRecord ?? defaultPortOf(target);
  const portSource = target.port !== null ? 'target' : fromRecord !== null ? 'dns-https-record' : 'default';
  if (res.status === 'ok') {
    const endpoints = res.addresses.map((a): Endpoint => ({ ip: a.address, port, family: isIP(a.address) === 6 ? 6 : 4 }));
    return { port, portSource, endpoints, error: null };
  }
  const why = res.status === 'nxdomain' ? `could not resolve ${target.host}: the name does not exist (NXDOMAIN)`
    : res.status === 'nodata' ? `could not resolve ${target.host}: no A or AAAA records`
    : res.reason.startsWith('could not resolve') ? res.reason : `could not resolve ${target.host}: ${res.reason}`;
  const fatal = res.status === 'nxdomain' || (res.status === 'error' && res.reason === 'aborted');
  return { port, portSource, endpoints: [], error: why, errorKind: fatal ? 'fatal' : 'no-address' };
}
