// Starts the whole offline lab: throwaway CA, one HTTPS server per catalogue domain and a DNS
// server for `secgrade.test` that tells clients where (which port) each domain lives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer, type ZoneRecord } from './dns-server.js';
import { LAB_DOMAINS, LAB_IP, LAB_ZONE, type LabDomain } from './domains.js';
import { createCa, issueCertificate, type CertificateAuthority, type KeyPairPem } from './pki.js';
import { startServer, type LabServer } from './servers.js';

export interface LabInfo {
  /** DNS server as "127.0.0.1:PORT". */
  dns: string;
  /** Absolute path of the CA certificate (PEM) in a fresh temp dir. */
  caFile: string;
  domains: Record<string, { ip: string; port: number; description: string }>;
}

export interface RunningLab {
  info: LabInfo;
  caPem: string;
  /** Closes every server and the DNS server, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** Aborting during start-up undoes what started and rejects; aborting later stops the lab. */
  signal?: AbortSignal;
}

const DAY_MS = 86_400_000;
const NS_NAME = `ns.${LAB_ZONE}`;

type Cleanup = () => Promise<void>;

function leafFor(ca: CertificateAuthority, domain: LabDomain, now: number): Promise<KeyPairPem> {
  const { keyType, names, notBeforeDays, notAfterDays } = domain.certificate;
  return issueCertificate(ca, {
    names,
    keyType,
    notBefore: new Date(now + notBeforeDays * DAY_MS),
    notAfter: new Date(now + notAfterDays * DAY_MS),
  });
}

/** Like Promise.all, but waits for every promise so that nothing started is left untracked. */
async function allTracked<T>(promises: Promise<T>[], track: (value: T) => void): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'fulfilled') track(r.value);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Zone data, built once the servers have their OS-chosen ports. */
function zoneRecords(servers: LabServer[]): ZoneRecord[] {
  const records: ZoneRecord[] = [
    { name: LAB_ZONE, type: 'SOA', mname: NS_NAME, rname: `hostmaster.${LAB_ZONE}`, serial: 1, minimum: 300 },
    { name: LAB_ZONE, type: 'NS', target: NS_NAME },
    { name: NS_NAME, type: 'A', address: LAB_IP },
  ];
  for (const server of servers) {
    records.push(
      { name: server.domain, type: 'A', address: LAB_IP },
      // RFC 9460 ServiceMode with target "." (= the owner): how a client learns the HTTPS port.
      { name: server.domain, type: 'HTTPS', priority: 1, target: '.', params: { port: server.port, alpn: ['http/1.1'] } },
    );
  }
  for (const domain of LAB_DOMAINS) records.push(...domain.dns);
  return records;
}

/** Runs cleanups newest first; every one runs even if an earlier one fails. */
async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((err: unknown) => errors.push(err));
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'lab: several cleanups failed');
}

export async function startLab(opts: StartLabOptions = {}): Promise<RunningLab> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const cleanups: Cleanup[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    signal?.removeEventListener('abort', onAbort);
    return (stopping ??= runCleanups(cleanups));
  };
  const onAbort = (): void => void stop().catch(() => {});
  const checkpoint = (): void => signal?.throwIfAborted();

  try {
    const now = Date.now();
    const ca = await createCa({ commonName: 'secgrade lab CA (throwaway)' });
    checkpoint();
    // RSA-2048 key generation dominates start-up; all leaves are generated concurrently.
    const leaves = await Promise.all(LAB_DOMAINS.map((domain) => leafFor(ca, domain, now)));
    checkpoint();
    const servers = await allTracked(
      LAB_DOMAINS.map((domain, i) => startServer({ domain, leaf: leaves[i]!, host: LAB_IP })),
      (server) => cleanups.push(() => server.close()),
    );
    checkpoint();
    const dns = await startDnsServer({ host: LAB_IP, port: 0, zones: [LAB_ZONE], records: zoneRecords(servers) });
    cleanups.push(() => dns.close());
    checkpoint();
    const dir = await mkdtemp(join(tmpdir(), 'secgrade-lab-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.certPem, { mode: 0o644 });
    checkpoint();

    signal?.addEventListener('abort', onAbort, { once: true });
    const domains: LabInfo['domains'] = {};
    LAB_DOMAINS.forEach((domain, i) => {
      domains[domain.name] = { ip: LAB_IP, port: servers[i]!.port, description: domain.description };
    });
    return { info: { dns: dns.address, caFile, domains }, caPem: ca.certPem, stop };
  } catch (err) {
    await stop().catch(() => {}); // the start-up error is the one worth reporting
    throw err;
  }
}
