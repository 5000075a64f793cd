// `secgrade lab --domains N`: N generated names (d0001.bulk.secgrade.test …), each a copy of one
// catalogue domain, taken in turn so that grades vary, and each at its own loopback address so
// that a batch's per-address limits see N hosts, as on the internet. Cheap by construction: one
// TLS server per catalogue domain (a wildcard certificate for the bulk zone, not N certificates)
// and, per name, two bare listeners (HTTPS, plain HTTP) that hand their connections to it.
import net from 'node:net';
import { LAB_DOMAINS, LAB_ZONE, txtStrings, type LabDnsRecord, type LabDomain } from './domains.js';
import type { ZoneRecord } from './dns-server.js';
import type { KeyPairPem } from './pki.js';
import type { PlainHttpServer } from './plain-http.js';
import { createServer } from './servers.js';

export const BULK_ZONE = `bulk.${LAB_ZONE}`;
/** Two file descriptors per name; 20,000 names stay well inside a usual hard limit of 65,536. */
export const MAX_BULK_DOMAINS = 20_000;
const BIND_ATTEMPTS = 5;
/** Listeners bound at once: enough to be quick, few enough not to flood the event loop. */
const BIND_CHUNK = 256;

export interface BulkInfo {
  zone: string;
  count: number;
  /** The HTTPS port of every bulk name (also in each name's HTTPS DNS record). */
  httpsPort: number;
  /** One name per line: `secgrade batch` reads it as it is. */
  targetsFile: string;
  /** name → { ip, port, template }: which catalogue domain each name copies. */
  domainsFile: string;
  /** Catalogue domain → how many bulk names copy it. */
  templates: Record<string, number>;
}

export interface BulkDomain {
  name: string;
  ip: string;
  template: LabDomain;
}

export interface StartBulkOptions {
  count: number;
  /** The served chain(s) and OCSP staples for a domain spec (lab.ts's credentialsFor). */
  credentials(domain: LabDomain): Promise<{ credentials: KeyPairPem[]; staples: Array<{ certDer: Buffer; response: Buffer }> }>;
  /** The DKIM key record the catalogue publishes at this name, if any. */
  dkimRecord(name: string): string | undefined;
  plain: PlainHttpServer;
  /** Registers a cleanup with the lab (run newest first at stop). */
  track(cleanup: () => Promise<void>): void;
}

export interface RunningBulk {
  domains: BulkDomain[];
  httpsPort: number;
  records: ZoneRecord[];
  templates: Record<string, number>;
}

/**
 * The i-th bulk address (0-based): 127.1.0.1 onward, the last octet 1–254, clear of the 127.0.0.x
 * addresses the catalogue uses. Linux routes all of 127.0.0.0/8 to lo, so no setup is needed.
 */
export function bulkAddress(i: number): string {
  const row = Math.floor(i / 254);
  return `127.${1 + Math.floor(row / 256)}.${row % 256}.${1 + (i % 254)}`;
}

export function bulkDomains(count: number): BulkDomain[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    name: `d${String(i + 1).padStart(width, '0')}.${BULK_ZONE}`,
    ip: bulkAddress(i),
    template: LAB_DOMAINS[i % LAB_DOMAINS.length]!,
  }));
}

/**
 * The template's own records under the bulk name. A plain text replacement is enough: the
 * catalogue's `dns` names its domain only as an owner or inside TXT values; MX exchanges (which
 * must keep their names, certificates and TLSA) come from `mail`, not from `dns`.
 */
function renamed(records: readonly LabDnsRecord[], from: string, to: string): ZoneRecord[] {
  return records.map((r) => JSON.parse(JSON.stringify(r).split(from).join(to)) as ZoneRecord);
}

/**
 * A bulk name's records: its address and HTTPS port, the template's records renamed, its MX hosts
 * (the catalogue's own, shared as a mail provider's are) and DKIM keys. No MTA-STS: the policy host
 * mta-sts.<name> would need a certificate per name, which a wildcard cannot cover.
 */
function recordsOf(d: BulkDomain, httpsPort: number, dkimRecord: StartBulkOptions['dkimRecord']): ZoneRecord[] {
  const t = d.template;
  const records: ZoneRecord[] = [
    { name: d.name, type: 'A', address: d.ip },
    { name: d.name, type: 'HTTPS', priority: 1, target: '.', params: { port: httpsPort, alpn: ['http/1.1'] } },
    ...renamed(t.dns, t.name, d.name),
  ];
  for (const m of t.mail?.mx ?? []) records.push({ name: d.name, type: 'MX', preference: m.preference, exchange: m.host });
  for (const spec of t.mail?.dkim ?? []) {
    const text = dkimRecord(`${spec.selector}._domainkey.${t.name}`);
    if (text !== undefined) records.push(...renamed([{ name: `${spec.selector}._domainkey.${t.name}`, type: 'TXT', strings: txtStrings(text) }], t.name, d.name));
  }
  return records;
}

/** The template's certificate, for every bulk name at once (names other than its own are kept: wrong-host). */
function bulkSpec(t: LabDomain): LabDomain {
  return { ...t, certificate: { ...t.certificate, names: t.certificate.names.map((n) => (n === t.name ? `*.${BULK_ZONE}` : n)) } };
}

function listenOne(host: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

const closeServer = (s: net.Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

/**
 * One listener per address, all at one port (0: the first one's OS-chosen port). On failure every
 * listener bound so far is closed and the error says which address failed.
 */
async function listenAll(hosts: readonly string[], port: number, handler: (i: number) => (socket: net.Socket) => void): Promise<{ port: number; servers: net.Server[] }> {
  const servers: net.Server[] = [];
  try {
    const first = await listenOne(hosts[0]!, port, handler(0));
    servers.push(first);
    const chosen = (first.address() as net.AddressInfo).port;
    for (let i = 1; i < hosts.length; i += BIND_CHUNK) {
      const chunk = hosts.slice(i, i + BIND_CHUNK).map((h, k) => listenOne(h, chosen, handler(i + k)));
      const settled = await Promise.allSettled(chunk);
      for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value);
      const failed = settled.findIndex((s) => s.status === 'rejected');
      if (failed !== -1) {
        const err = (settled[failed] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
        throw Object.assign(new Error(`lab: cannot listen on ${hosts[i + failed]}:${chosen}: ${err.code ?? err.message}`, { cause: err }), { code: err.code });
      }
    }
    return { port: chosen, servers };
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
}

function explain(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRNOTAVAIL') return new Error(`${(err as Error).message}: this system does not route all of 127.0.0.0/8 to loopback`, { cause: err });
  if (code === 'EMFILE') return new Error(`${(err as Error).message}: too many open files; raise the limit (ulimit -n) or ask for fewer --domains`, { cause: err });
  return err;
}

export async function startBulk(opts: StartBulkOptions): Promise<RunningBulk> {
  const domains = bulkDomains(opts.count);
  const used = [...new Set(domains.map((d) => d.template))];
  // Certificates (and their RSA keys) for the templates in use, concurrently: the bulk's start-up cost.
  const material = await Promise.all(used.map((t) => opts.credentials(bulkSpec(t))));
  const tls = new Map(
    used.map((t, i) => {
      const { server, close } = createServer({ domain: t, ...material[i]! });
      opts.track(close);
      return [t, server] as const;
    }),
  );
  const ips = domains.map((d) => d.ip);
  let https: { port: number; servers: net.Server[] } | undefined;
  for (let attempt = 1; !https; attempt++) {
    try {
      https = await listenAll(ips, 0, (i) => (socket) => tls.get(domains[i]!.template)!.emit('connection', socket));
    } catch (err) {
      // The OS-chosen port of the first address may be taken on another one: try a new port.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BIND_ATTEMPTS) throw explain(err);
    }
  }
  opts.track(() => Promise.all(https.servers.map(closeServer)).then(() => undefined));
  // Plain HTTP stands at the catalogue's shared port, so one --http-port serves every lab name.
  const plain = await listenAll(ips, opts.plain.port, () => (socket) => opts.plain.server.emit('connection', socket)).catch((err: unknown) => {
    throw explain(err);
  });
  opts.track(() => Promise.all(plain.servers.map(closeServer)).then(() => undefined));
  for (const d of domains) {
    opts.plain.addAlias(d.name, d.template.name);
    opts.plain.setHttpsPort(d.name, https.port);
  }
  const templates: Record<string, number> = {};
  for (const d of domains) templates[d.template.name] = (templates[d.template.name] ?? 0) + 1;
  return { domains, httpsPort: https.port, records: domains.flatMap((d) => recordsOf(d, https.port, opts.dkimRecord)), templates };
}
