// Starts the whole offline lab: a throwaway root and intermediate CA, two CT logs (and a log list
// naming them), one HTTPS server per catalogue domain, a small HTTP server for AIA downloads, the
// mail side (SMTP servers for the MX hosts at one shared port, MTA-STS policy hosts, DKIM keys),
// and a DNS server for `secgrade.test` that tells clients where (which port) each domain lives.
import { createHash, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BULK_ZONE, startBulk, type BulkInfo, type RunningBulk } from './bulk.js';
import { createLabCtLog, labLogListJson, type LabCtLog } from './ct-log.js';
import { startDnsServer, type ZoneRecord } from './dns-server.js';
import {
  LAB_DOMAINS,
  LAB_IP,
  LAB_REPORT_ZONE,
  LAB_ZONE,
  mtaStsPolicyText,
  txtStrings,
  type LabDkimSpec,
  type LabDomain,
  type LabMxSpec,
} from './domains.js';
import { signOcspResponse } from './ocsp-signer.js';
import { caKeyObject, createCa, issueCertificate, type CertificateAuthority, type IssuedCertificate, type KeyPairPem } from './pki.js';
import { startPlainHttpServer } from './plain-http.js';
import { startServer, startStaticHttpsServer, type LabServer } from './servers.js';
import { startLabSmtpServer, type LabSmtpServer } from './smtp-server.js';
import { LAB_DIR_PREFIX, removeStaleLabDirs, writeLabPid } from './stale.js';

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
  /** The SMTP port of every MX host (what port 25 is on the internet): pass it as --smtp-port. */
  smtpPort: number;
  /** The mail domains' MX hosts: address (as their A record says), SMTP port, STARTTLS offered. */
  mx: Record<string, { ip: string; port: number; starttls: boolean }>;
  /** MTA-STS policy hosts (mta-sts.<domain>); the port is also in their HTTPS DNS record. */
  mtaSts: Record<string, { ip: string; port: number }>;
  /** With `domains` (`secgrade lab --domains N`): the generated names, listed in files of the lab's dir. */
  bulk?: BulkInfo;
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
  /** Also serve this many generated names under bulk.secgrade.test (bulk.ts). */
  domains?: number;
  /**
   * Catalogue entries replaced in part, by domain name (e.g. another HSTS header or DMARC record):
   * the same name served with another configuration, as between two runs of a real site.
   */
  overrides?: Readonly<Record<string, Partial<Omit<LabDomain, 'name'>>>>;
  /** Fixed HTTPS ports by domain name (default: ports the system picks), so that two labs can serve a name at the same address. */
  ports?: Readonly<Record<string, number>>;
}

type MailDomain = LabDomain & { mail: NonNullable<LabDomain['mail']> };

/** The catalogue with the overrides applied; an override of a name the catalogue lacks is an error. */
function labCatalogue(overrides: StartLabOptions['overrides'] = {}): { domains: readonly LabDomain[]; mail: readonly MailDomain[] } {
  const unknown = Object.keys(overrides).filter((name) => !LAB_DOMAINS.some((d) => d.name === name));
  if (unknown.length) throw new Error(`lab: no catalogue domain named ${unknown.join(', ')}`);
  const domains = LAB_DOMAINS.map((d) => (overrides[d.name] ? { ...d, ...overrides[d.name], name: d.name } : d));
  return { domains, mail: domains.filter((d): d is MailDomain => d.mail !== undefined) };
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

/** What the mail side needs that is made at start-up: certificates and DKIM keys. */
interface MailMaterial {
  /** STARTTLS key and chain (PEM) per MX host name, with the leaf's DER. */
  mxCerts: Map<string, KeyPairPem & { certDer: Buffer }>;
  /** Key and chain per MTA-STS policy host (mta-sts.<domain>). */
  mtaStsCerts: Map<string, KeyPairPem>;
  /** DKIM key record text per `<selector>._domainkey.<domain>`. */
  dkim: Map<string, string>;
}

const mtaStsHost = (domain: string): string => `mta-sts.${domain}`;

function generateKeyPairAsync(spec: LabDkimSpec): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject): void => (err ? reject(err) : resolve(publicKey));
    if (spec.keyType === 'rsa') generateKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 }, done);
    else generateKeyPair('ed25519', {}, done);
  });
}

/** `v=DKIM1` key record (RFC 6376 §3.6.1): RSA as SubjectPublicKeyInfo, Ed25519 as the raw key (RFC 8463). */
async function dkimRecord(spec: LabDkimSpec): Promise<string> {
  const spki = (await generateKeyPairAsync(spec)).export({ type: 'spki', format: 'der' });
  const key = spec.keyType === 'ed25519' ? spki.subarray(spki.length - 32) : spki;
  return `v=DKIM1; k=${spec.keyType}; p=${key.toString('base64')}`;
}

async function mailMaterial(pki: LabPki, now: number, mailDomains: readonly MailDomain[]): Promise<MailMaterial> {
  const validity = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 89 * DAY_MS) };
  const issue = async (name: string): Promise<KeyPairPem & { certDer: Buffer }> => {
    const leaf = await issueCertificate(pki.intermediate, { names: [name], keyType: 'ecdsa-p256', ...validity });
    return { keyPem: leaf.keyPem, certPem: leaf.certPem + pki.intermediate.certPem, certDer: leaf.certDer };
  };
  const mxHosts = [...new Set(mailDomains.flatMap((d) => d.mail.mx.filter((m) => m.starttls).map((m) => m.host)))];
  const stsHosts = mailDomains.filter((d) => d.mail.mtaSts).map((d) => mtaStsHost(d.name));
  const dkimKeys = mailDomains.flatMap((d) => d.mail.dkim.map((spec) => ({ name: `${spec.selector}._domainkey.${d.name}`, spec })));
  const [mx, sts, dkim] = await Promise.all([
    Promise.all(mxHosts.map(issue)),
    Promise.all(stsHosts.map(issue)),
    Promise.all(dkimKeys.map(({ spec }) => dkimRecord(spec))),
  ]);
  return {
    mxCerts: new Map(mxHosts.map((h, i) => [h, mx[i]!])),
    mtaStsCerts: new Map(stsHosts.map((h, i) => [h, sts[i]!])),
    dkim: new Map(dkimKeys.map(({ name }, i) => [name, dkim[i]!])),
  };
}

const SMTP_BIND_ATTEMPTS = 5;

/**
 * One SMTP server per MX address, all on the same port (the scanner connects to every MX at one
 * port, as at port 25 on the internet). The first address (127.0.0.1) gets an OS-chosen port, the
 * others bind that port too; when it is taken there, everything is tried again on a new port.
 * A STARTTLS server picks each MX name's certificate by SNI.
 */
async function startSmtpServers(
  mxCerts: MailMaterial['mxCerts'],
  track: (server: LabSmtpServer) => void,
  mailDomains: readonly MailDomain[],
): Promise<{ port: number; mx: LabInfo['mx'] }> {
  const byAddress = new Map<string, LabMxSpec[]>();
  for (const m of mailDomains.flatMap((d) => d.mail.mx)) {
    const list = byAddress.get(m.address) ?? [];
    if (!list.some((x) => x.host === m.host)) list.push(m);
    byAddress.set(m.address, list);
  }
  const groups = [...byAddress.entries()].sort(([a], [b]) => (a === LAB_IP ? -1 : b === LAB_IP ? 1 : a.localeCompare(b)));
  for (const [address, hosts] of groups) {
    if (new Set(hosts.map((h) => h.starttls)).size > 1) throw new Error(`lab: the MX hosts at ${address} disagree on STARTTLS; give them different addresses`);
  }
  const start = (address: string, hosts: LabMxSpec[], port: number): Promise<LabSmtpServer> => {
    const certs = hosts.filter((h) => h.starttls).map((h) => [h.host, mxCerts.get(h.host)!] as const);
    const first = certs[0]?.[1];
    return startLabSmtpServer({
      host: address,
      port,
      name: hosts.length === 1 ? hosts[0]!.host : `mx.${LAB_ZONE}`,
      tls: first
        ? { key: first.keyPem, cert: first.certPem, minVersion: 'TLSv1.2', sni: Object.fromEntries(certs.map(([h, c]) => [h, { key: c.keyPem, cert: c.certPem }])) }
        : null,
    });
  };
  for (let attempt = 1; ; attempt++) {
    const started: LabSmtpServer[] = [];
    try {
      let port = 0;
      for (const [address, hosts] of groups) {
        const server = await start(address, hosts, port);
        started.push(server);
        port = server.port;
      }
      started.forEach(track);
      const mx: LabInfo['mx'] = {};
      for (const [address, hosts] of groups) for (const h of hosts) mx[h.host] = { ip: address, port, starttls: h.starttls };
      return { port, mx };
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL') {
        throw new Error(`lab: cannot listen on ${groups[started.length]?.[0]}: this system does not route all of 127.0.0.0/8 to loopback`, { cause: err });
      }
      if (code !== 'EADDRINUSE' || attempt >= SMTP_BIND_ATTEMPTS) throw err;
    }
  }
}

/** SHA-256 of the certificate's SubjectPublicKeyInfo: the data of a TLSA 3 1 1 record. */
function spkiSha256(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

/** The mail domains' records derived at start-up: MX and their A, DKIM keys, TLSA, MTA-STS. */
function mailRecords(material: MailMaterial, mtaStsServers: LabServer[], mailDomains: readonly MailDomain[]): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  const seenHosts = new Set<string>();
  for (const domain of mailDomains) {
    const { mx, dkim, mtaSts } = domain.mail;
    for (const m of mx) {
      records.push({ name: domain.name, type: 'MX', preference: m.preference, exchange: m.host });
      if (seenHosts.has(m.host)) continue;
      seenHosts.add(m.host);
      records.push({ name: m.host, type: 'A', address: m.address });
      const cert = material.mxCerts.get(m.host);
      if (m.tlsa && cert) {
        records.push({ name: `_25._tcp.${m.host}`, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: spkiSha256(cert.certDer) });
      }
    }
    for (const spec of dkim) {
      const name = `${spec.selector}._domainkey.${domain.name}`;
      records.push({ name, type: 'TXT', strings: txtStrings(material.dkim.get(name)!) });
    }
    if (mtaSts) {
      const host = mtaStsHost(domain.name);
      const server = mtaStsServers.find((s) => s.domain === host)!;
      records.push(
        { name: `_mta-sts.${domain.name}`, type: 'TXT', strings: [`v=STSv1; id=${mtaSts.id}`] },
        { name: host, type: 'A', address: LAB_IP },
        { name: host, type: 'HTTPS', priority: 1, target: '.', params: { port: server.port, alpn: ['http/1.1'] } },
      );
    }
  }
  return records;
}

/** Zone data, built once the servers have their OS-chosen ports. */
function zoneRecords(servers: LabServer[], mail: ZoneRecord[], catalogue: readonly LabDomain[]): ZoneRecord[] {
  const records: ZoneRecord[] = [
    { name: LAB_ZONE, type: 'SOA', mname: NS_NAME, rname: `hostmaster.${LAB_ZONE}`, serial: 1, minimum: 300 },
    { name: LAB_ZONE, type: 'NS', target: NS_NAME },
    { name: NS_NAME, type: 'A', address: LAB_IP },
    // The external DMARC report destination, answered by the same server.
    { name: LAB_REPORT_ZONE, type: 'SOA', mname: NS_NAME, rname: `hostmaster.${LAB_ZONE}`, serial: 1, minimum: 300 },
    { name: LAB_REPORT_ZONE, type: 'NS', target: NS_NAME },
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
  for (const domain of catalogue) records.push(...domain.dns);
  records.push(...mail);
  return records;
}

/** The bulk names as files in the lab's dir: a target list for `secgrade batch`, and which template each copies. */
async function writeBulkFiles(dir: string, bulk: RunningBulk): Promise<BulkInfo> {
  const targetsFile = join(dir, 'bulk-targets.txt');
  const domainsFile = join(dir, 'bulk-domains.json');
  await writeFile(targetsFile, bulk.domains.map((d) => d.name).join('\n') + '\n', { mode: 0o644 });
  const map = Object.fromEntries(bulk.domains.map((d) => [d.name, { ip: d.ip, port: bulk.httpsPort, template: d.template.name }]));
  await writeFile(domainsFile, JSON.stringify(map) + '\n', { mode: 0o644 });
  return { zone: BULK_ZONE, count: bulk.domains.length, httpsPort: bulk.httpsPort, targetsFile, domainsFile, templates: bulk.templates };
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
    const { domains: catalogue, mail: mailDomains } = labCatalogue(opts.overrides);
    await removeStaleLabDirs();
    const now = Date.now();
    const aia = await startAiaServer();
    cleanups.push(() => new Promise<void>((r) => aia.server.close(() => r())));
    const root = await createCa({ commonName: 'secgrade lab root CA (throwaway)' });
    const intermediate = await createCa({ commonName: 'secgrade lab intermediate CA (throwaway)', parent: root });
    aia.setIntermediate(intermediate.certDer);
    const logs = [createLabCtLog('secgrade lab log Alpha', 'secgrade lab CT operator A'), createLabCtLog('secgrade lab log Beta', 'secgrade lab CT operator B')];
    const pki: LabPki = { root, intermediate, logs, aiaUrl: `http://${LAB_IP}:${aia.port}/intermediate.der` };
    checkpoint();
    // RSA key generation dominates start-up; all leaves and DKIM keys are generated concurrently.
    const [served, material] = await Promise.all([
      Promise.all(catalogue.map((domain) => credentialsFor(pki, domain, now))),
      mailMaterial(pki, now, mailDomains),
    ]);
    checkpoint();
    const servers = await allTracked(
      catalogue.map((domain, i) => startServer({ domain, host: LAB_IP, ...served[i]!, ...(opts.ports?.[domain.name] ? { port: opts.ports[domain.name] } : {}) })),
      (server) => cleanups.push(() => server.close()),
    );
    checkpoint();
    const mtaStsServers = await allTracked(
      mailDomains.filter((d) => d.mail.mtaSts).map((d) =>
        startStaticHttpsServer({
          name: mtaStsHost(d.name),
          host: LAB_IP,
          credentials: material.mtaStsCerts.get(mtaStsHost(d.name))!,
          files: { '/.well-known/mta-sts.txt': { contentType: 'text/plain', body: mtaStsPolicyText(d.mail.mtaSts!) } },
        }),
      ),
      (server) => cleanups.push(() => server.close()),
    );
    checkpoint();
    const smtp = await startSmtpServers(material.mxCerts, (server) => cleanups.push(() => server.close()), mailDomains);
    checkpoint();
    const plain = await startPlainHttpServer(LAB_IP, catalogue);
    cleanups.push(() => plain.close());
    for (const server of servers) plain.setHttpsPort(server.domain, server.port);
    checkpoint();
    let bulk: RunningBulk | null = null;
    if (opts.domains) {
      bulk = await startBulk({
        count: opts.domains,
        credentials: (domain) => credentialsFor(pki, domain, now),
        dkimRecord: (name) => material.dkim.get(name),
        plain,
        track: (cleanup) => cleanups.push(cleanup),
      });
      checkpoint();
    }
    const records = [...zoneRecords(servers, mailRecords(material, mtaStsServers, mailDomains), catalogue), ...(bulk?.records ?? [])];
    const dns = await startDnsServer({ host: LAB_IP, port: 0, zones: [LAB_ZONE, LAB_REPORT_ZONE], records });
    cleanups.push(() => dns.close());
    checkpoint();
    const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeLabPid(dir);
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, root.certPem, { mode: 0o644 });
    const ctLogList = join(dir, 'ct-log-list.json');
    await writeFile(ctLogList, JSON.stringify(labLogListJson(logs, new Date(now)), null, 2), { mode: 0o644 });
    const bulkInfo = bulk ? await writeBulkFiles(dir, bulk) : undefined;
    checkpoint();

    signal?.addEventListener('abort', onAbort, { once: true });
    const domains: LabInfo['domains'] = {};
    catalogue.forEach((domain, i) => {
      domains[domain.name] = { ip: LAB_IP, port: servers[i]!.port, description: domain.description };
    });
    const mtaSts: LabInfo['mtaSts'] = {};
    for (const server of mtaStsServers) mtaSts[server.domain] = { ip: LAB_IP, port: server.port };
    return {
      info: { dns: dns.address, caFile, ctLogList, httpPort: plain.port, domains, smtpPort: smtp.port, mx: smtp.mx, mtaSts, ...(bulkInfo ? { bulk: bulkInfo } : {}) },
      caPem: root.certPem,
      stop,
    };
  } catch (err) {
    await stop().catch(() => {}); // the start-up error is the one worth reporting
    throw err;
  }
}
