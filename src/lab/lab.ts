// Starts the whole offline lab: a throwaway root and intermediate CA, two CT logs (and a log list
// naming them), one HTTPS server per catalogue domain, a small HTTP server for AIA downloads, and
// a DNS server for `secgrade.test` that tells clients where (which port) each domain lives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabCtLog, labLogListJson, type LabCtLog } from './ct-log.js';
import { startDnsServer, type ZoneRecord } from './dns-server.js';
import { LAB_DOMAINS, LAB_IP, LAB_ZONE, type LabDomain } from './domains.js';
import { signOcspResponse } from './ocsp-signer.js';
import { caKeyObject, createCa, issueCertificate, type CertificateAuthority, type IssuedCertificate, type KeyPairPem } from './pki.js';
import { startPlainHttpServer } from './plain-http.js';
import { startServer, type LabServer } from './servers.js';

export interface LabInfo {
  /** DNS server as "127.0.0.1:PORT". */
  dns: string;
  /** Absolute path of the root CA certificate (PEM) in a fresh temp dir: pass it as --ca-file. */
  caFile: string;
  /** A CT log list (Chrome v3 format) naming the lab's two logs: pass it as --ct-log-list. */
  ctLogList: string;
  /** The shared plain-HTTP port of every lab name (what port 80 is for a real site): pass it as --http-port. */
  httpPort: number;
  domains: Record<string, { ip: string; port: number; description: string }>;
}

export interface RunningLab {
  info: LabInfo;
  /** The root CA certificate (the lab's trust anchor). */
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

interface LabPki {
  root: CertificateAuthority;
  intermediate: CertificateAuthority;
  logs: LabCtLog[];
  /** Where the intermediate can be downloaded (the AIA caIssuers URL of leaf-only domains). */
  aiaUrl: string;
}

/** A domain's certificate(s) as served (chains in PEM) and the OCSP response to staple. */
async function credentialsFor(
  pki: LabPki,
  domain: LabDomain,
  now: number,
): Promise<{ credentials: KeyPairPem[]; staples: Array<{ certDer: Buffer; response: Buffer }> }> {
  const spec = domain.certificate;
  const chain = spec.chain ?? 'full';
  const issue = (keyType: typeof spec.keyType): Promise<IssuedCertificate> =>
    issueCertificate(chain === 'self-signed' ? null : pki.intermediate, {
      names: spec.names,
      keyType,
      notBefore: new Date(now + spec.notBeforeDays * DAY_MS),
      notAfter: new Date(now + spec.notAfterDays * DAY_MS),
      ...(spec.scts ? { ctLogs: pki.logs } : {}),
      ...(chain === 'leaf-only' ? { caIssuersUrl: pki.aiaUrl } : {}),
    });
  const leaves = await Promise.all([issue(spec.keyType), ...(spec.alsoKeyType ? [issue(spec.alsoKeyType)] : [])]);
  const credentials = leaves.map((leaf) => ({ keyPem: leaf.keyPem, certPem: chain === 'full' ? leaf.certPem + pki.intermediate.certPem : leaf.certPem }));
  const status = spec.staple;
  if (!status) return { credentials, staples: [] };
  const staples = leaves.map((leaf) => ({
    certDer: leaf.certDer,
    response: signOcspResponse({
      leafDer: leaf.certDer,
      issuerDer: pki.intermediate.certDer,
      issuerKey: caKeyObject(pki.intermediate),
      status,
      ...(status === 'revoked' ? { revokedAt: new Date(now - DAY_MS) } : {}),
      thisUpdate: new Date(now - 3_600_000),
      nextUpdate: new Date(now + 3 * DAY_MS),
    }),
  }));
  return { credentials, staples };
}

/** The AIA server: GET /intermediate.der returns the lab intermediate, as a CA's caIssuers URL does. */
async function startAiaServer(): Promise<{ server: http.Server; setIntermediate(der: Buffer): void; port: number }> {
  let intermediate: Buffer | null = null;
  const server = http.createServer((req, res) => {
    if (req.url !== '/intermediate.der' || !intermediate) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/pkix-cert');
    res.end(intermediate);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LAB_IP, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, setIntermediate: (der) => void (intermediate = der) };
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
  // CAA at the apex covers every lab name (RFC 8659 climbs to it); the lab CA calls itself secgrade.test.
  records.push({ name: LAB_ZONE, type: 'CAA', flags: 0, tag: 'issue', value: LAB_ZONE });
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
    const aia = await startAiaServer();
    cleanups.push(() => new Promise<void>((r) => aia.server.close(() => r())));
    const root = await createCa({ commonName: 'secgrade lab root CA (throwaway)' });
    const intermediate = await createCa({ commonName: 'secgrade lab intermediate CA (throwaway)', parent: root });
    aia.setIntermediate(intermediate.certDer);
    const logs = [createLabCtLog('secgrade lab log Alpha', 'secgrade lab CT operator A'), createLabCtLog('secgrade lab log Beta', 'secgrade lab CT operator B')];
    const pki: LabPki = { root, intermediate, logs, aiaUrl: `http://${LAB_IP}:${aia.port}/intermediate.der` };
    checkpoint();
    // RSA-2048 key generation dominates start-up; all leaves are generated concurrently.
    const served = await Promise.all(LAB_DOMAINS.map((domain) => credentialsFor(pki, domain, now)));
    checkpoint();
    const servers = await allTracked(
      LAB_DOMAINS.map((domain, i) => startServer({ domain, host: LAB_IP, ...served[i]! })),
      (server) => cleanups.push(() => server.close()),
    );
    checkpoint();
    const plain = await startPlainHttpServer(LAB_IP);
    cleanups.push(() => plain.close());
    for (const server of servers) plain.setHttpsPort(server.domain, server.port);
    checkpoint();
    const dns = await startDnsServer({ host: LAB_IP, port: 0, zones: [LAB_ZONE], records: zoneRecords(servers) });
    cleanups.push(() => dns.close());
    checkpoint();
    const dir = await mkdtemp(join(tmpdir(), 'secgrade-lab-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, root.certPem, { mode: 0o644 });
    const ctLogList = join(dir, 'ct-log-list.json');
    await writeFile(ctLogList, JSON.stringify(labLogListJson(logs, new Date(now)), null, 2), { mode: 0o644 });
    checkpoint();

    signal?.addEventListener('abort', onAbort, { once: true });
    const domains: LabInfo['domains'] = {};
    LAB_DOMAINS.forEach((domain, i) => {
      domains[domain.name] = { ip: LAB_IP, port: servers[i]!.port, description: domain.description };
    });
    return { info: { dns: dns.address, caFile, ctLogList, httpPort: plain.port, domains }, caPem: root.certPem, stop };
  } catch (err) {
    await stop().catch(() => {}); // the start-up error is the one worth reporting
    throw err;
  }
}
