/**
 * The email-mx probe end to end on 127.0.0.1: real SMTP servers (the lab MX, and smtp-server
 * configured with chosen TLS versions and suites), the lab DNS server with MX, A and TLSA records,
 * and the probe's collect → check → report as the engine runs them. DANE counts only on
 * DNSSEC-validated TLSA records (RFC 7672 §2.2): the scans ask through a scripted fake of a
 * validating resolver (test/helpers/ad-proxy.ts) that vouches for mxlab.test and not for
 * insecure.test, an unsigned zone (no DNSKEY) whose TLSA records senders ignore.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailMxRecordsProbe } from '../../src/probes/email/mx-records.js';
import { emailMxProbe, smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { spkiOf } from '../../src/email/dane.js';
import type { EmailMxEvidence, MxReport } from '../../src/email/mx-tls.js';
import { optionValues } from '../../src/engine/options.js';
import { ProbeFailed, type TargetContext } from '../../src/engine/probe.js';
import { createSharedWork, type SharedWork } from '../../src/engine/shared-work.js';
import { gradedMx } from '../../src/grade/mx.js';
import { emailGrade } from '../../src/grade/email.js';
import { emailGradeInput } from '../../src/grade/email-input.js';
import type { CheckFinding } from '../../src/model/finding.js';
import { startDnsServer, type DnsServerHandle, type ZoneRecord } from '../../src/lab/dns-server.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { createTrustStore } from '../../src/trust/store.js';
import { startAdProxy, type AdProxy } from '../helpers/ad-proxy.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';

const ZONE = 'mxlab.test';
const DAY = 86_400_000;

let root: TestCert;
let intermediate: TestCert;
let mx1Leaf: TestCert;
let mx3Leaf: TestCert;
let lab: LabSmtpServer;
let plain: LabSmtpServer;
let tls12: { port: number; close(): Promise<void> };
let silent: net.Server;
let silentPort: number;
let dns: DnsServerHandle;
let validating: AdProxy;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** smtp-server with the given TLS options: what the lab MX cannot be told (versions, suites). */
async function configuredSmtp(tlsOptions: Record<string, unknown>): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({ name: 'mx3.mxlab.test', logger: false, disabledCommands: ['AUTH'], authOptional: true, ...tlsOptions });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    const l = server.listen(0, '127.0.0.1', () => resolve((l.address() as net.AddressInfo).port));
    l.once('error', reject);
  });
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  const now = Date.now();
  root = await makeCert({ subject: 'CN=secgrade mx-test root', ca: true, notBefore: new Date(now - 400 * DAY), notAfter: new Date(now + 3650 * DAY) });
  intermediate = await makeCert({ subject: 'CN=secgrade mx-test intermediate', ca: true, issuer: root, notBefore: new Date(now - 300 * DAY), notAfter: new Date(now + 1000 * DAY) });
  mx1Leaf = await makeCert({ subject: 'CN=mx1.mxlab.test', dnsNames: ['mx1.mxlab.test'], issuer: intermediate });
  mx3Leaf = await makeCert({ subject: 'CN=mx3.mxlab.test', dnsNames: ['mx3.mxlab.test'], issuer: intermediate });

  lab = await startLabSmtpServer({ tls: { key: mx1Leaf.keyPem, cert: mx1Leaf.pem + intermediate.pem }, name: 'mx1.mxlab.test' });
  plain = await startLabSmtpServer({ name: 'mxplain.mxlab.test' });
  // TLS 1.2 only, three ECDSA suites in the server's order (one CBC).
  tls12 = await configuredSmtp({
    key: mx3Leaf.keyPem,
    cert: mx3Leaf.pem + intermediate.pem,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA',
    honorCipherOrder: true,
  });
  // Accepts and never says a word.
  silent = net.createServer((s) => s.on('error', () => undefined));
  silentPort = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as net.AddressInfo).port)));

  const spkiHash = sha256(spkiOf(mx1Leaf.der)!);
  const a = (name: string, address = '127.0.0.1'): ZoneRecord => ({ type: 'A', name, address });
  const mx = (name: string, exchange: string, preference = 10): ZoneRecord => ({ type: 'MX', name, exchange, preference });
  const tlsa = (host: string, data: string): ZoneRecord => ({ type: 'TLSA', name: `_25._tcp.${host}`, usage: 3, selector: 1, matchingType: 1, data });
  dns = await startDnsServer({
    zones: [ZONE, 'insecure.test'],
    records: [
      { type: 'SOA', name: ZONE, mname: `ns.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 1, minimum: 60 },
      // insecure.test: not signed (no DNSKEY), the same MX server under two names, a TLSA record
      // that matches its key and one that does not. Senders ignore both (RFC 7672 §2.2).
      { type: 'SOA', name: 'insecure.test', mname: 'ns.insecure.test', rname: 'hostmaster.insecure.test', serial: 1, minimum: 60 },
      a('mx1.insecure.test'),
      a('mx2.insecure.test'),
      mx('match.insecure.test', 'mx1.insecure.test'),
      tlsa('mx1.insecure.test', spkiHash),
      mx('mismatch.insecure.test', 'mx2.insecure.test'),
      tlsa('mx2.insecure.test', sha256(Buffer.from('not the key'))),
      mx('plain.insecure.test', 'mx2.insecure.test'),
      a('mx1.mxlab.test'),
      a('mx2.mxlab.test'),
      a('mx3.mxlab.test'),
      a('mxplain.mxlab.test'),
      a('silent.mxlab.test'),
      // good: the lab MX, its name on the certificate, a DANE-EE record for its key.
      mx('good.mxlab.test', 'mx1.mxlab.test'),
      // another domain on the same provider: the same MX host.
      mx('sibling.mxlab.test', 'mx1.mxlab.test'),
      tlsa('mx1.mxlab.test', spkiHash),
      // mismatch: the same server under another name, and a TLSA record for some other key.
      mx('mismatch.mxlab.test', 'mx2.mxlab.test'),
      tlsa('mx2.mxlab.test', sha256(Buffer.from('not the key'))),
      mx('tls12.mxlab.test', 'mx3.mxlab.test'),
      mx('plain.mxlab.test', 'mxplain.mxlab.test'),
      mx('silent.mxlab.test', 'silent.mxlab.test'),
      // multi: the lab MX and a name that does not exist, listed out of order.
      mx('multi.mxlab.test', 'nowhere.mxlab.test', 20),
      mx('multi.mxlab.test', 'MX1.mxlab.test.', 5),
      mx('nullmx.mxlab.test', '.', 0),
      { type: 'TXT', name: 'nomx.mxlab.test', strings: ['v=spf1 -all'] },
    ],
    behaviour: ({ name }) => (name === 'broken.mxlab.test' ? 'servfail' : undefined),
  });
  validating = await startAdProxy({ host: dns.host, port: dns.port }, [ZONE]);
});

afterAll(async () => {
  await Promise.all([lab?.close(), plain?.close(), tls12?.close(), validating?.close(), dns?.close(), new Promise<void>((r) => (silent ? silent.close(() => r()) : r()))]);
});

/** `via`: 'validating' (the fake validating resolver, the default) or 'lab' (the lab DNS server itself, which validates nothing). */
interface MxContextOptions {
  connectTimeoutMs?: number;
  via?: 'validating' | 'lab';
  /** The run's shared work (a batch's): default, the context's own. */
  sharedWork?: SharedWork;
  signal?: AbortSignal;
}

function mxContext(domain: string, smtpPort: number, opts: MxContextOptions = {}): { ctx: TargetContext; connections: () => number } {
  const server = opts.via === 'lab' ? { host: dns.host, port: dns.port } : { host: validating.host, port: validating.port };
  const base = loopbackContext(443, {
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    target: { host: domain, port: 443, path: '/', sni: domain },
    resolver: createResolver({ server, timeoutMs: 2000, retries: 0 }),
    trust: createTrustStore([root.pem]),
    options: optionValues([[smtpPortOption, smtpPort]]),
    ...(opts.sharedWork ? { sharedWork: opts.sharedWork } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // A target probe for a domain with no endpoint of its own.
  const ctx: TargetContext = { ...base.ctx, endpoint: null, endpoints: [] };
  return { ctx, connections: base.connections };
}

/** email-mx-records, then email-mx with its MX set, as the engine runs them. */
async function collectMx(ctx: TargetContext): Promise<EmailMxEvidence> {
  const mxSet = await emailMxRecordsProbe.collect(ctx, testDeps());
  return emailMxProbe.collect(ctx, testDeps([[emailMxRecordsProbe, mxSet]]));
}

async function scan(domain: string, port: number, opts: MxContextOptions = {}) {
  const { ctx, connections } = mxContext(domain, port, opts);
  const evidence: EmailMxEvidence = await collectMx(ctx);
  const findings = emailMxProbe.check(evidence, { target: ctx.target, endpoint: null, now: new Date() });
  // The report's mx entries: the probe's fields, each graded as src/grade does after assembly.
  const report = emailMxProbe.fields(evidence);
  const mx = (report.mx ?? []).map(gradedMx);
  // Round-trip: the report fragment is JSON.
  return { evidence, findings, mx: JSON.parse(JSON.stringify(mx)) as MxReport[], connections: connections() };
}

const ids = (fs: CheckFinding[]): string[] => fs.map((f) => f.id);
const byId = (fs: CheckFinding[], id: string): CheckFinding[] => fs.filter((f) => f.id === id);

describe('email-mx against the lab MX (STARTTLS, TLS 1.2 + 1.3, DANE-EE record)', () => {
  it('finds STARTTLS, the versions behind it, a trusted chain for the MX name, and a DANE match', async () => {
    const { mx, findings, connections } = await scan('good.mxlab.test', lab.port);
    expect(mx).toHaveLength(1);
    const m = mx[0]!;
    expect(m).toMatchObject({ host: 'mx1.mxlab.test', preference: 10, starttls: true, ip: '127.0.0.1', port: lab.port, dane: true, daneStatus: 'match' });
    expect(m.tlsaDnssec).toEqual({ status: 'secure', reason: 'the resolver validated the TLSA answer (AD bit set)' });
    expect(m.smtp?.banner).toContain('mx1.mxlab.test');
    expect(m.smtp?.extensions).toContain('STARTTLS');
    const tls = m.tls!;
    expect(tls.status).toBe('ok');
    expect(tls.protocols).toMatchObject({ SSLv2: false, SSLv3: false, 'TLSv1.2': true, 'TLSv1.3': true });
    expect(tls.cipherSuites?.['TLSv1.3']).toEqual(expect.arrayContaining(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']));
    // An ECDSA certificate: only ECDSA-authenticated suites can be accepted on TLS 1.2.
    expect(tls.cipherSuites?.['TLSv1.2']?.length).toBeGreaterThan(0);
    expect(tls.cipherSuites?.['TLSv1.2']?.every((s) => s.includes('_ECDSA_'))).toBe(true);
    const leaf = tls.certificates?.find((c) => c.servedIndex === 0);
    expect(leaf).toMatchObject({ subject: 'CN=mx1.mxlab.test', sans: ['mx1.mxlab.test'], trusted: true, hostnameMatch: true });
    expect(tls.chains?.[0]).toMatchObject({ trusted: true, hostnameMatch: true, chainComplete: true });
    expect(m.grade).toMatch(/^A/);
    expect(m.gradeNote).toMatch(/not run against MX hosts/);
    expect(ids(findings)).not.toContain('email.mx.no-starttls');
    expect(ids(findings)).not.toContain('email.mx.cert-invalid');
    const dane = byId(findings, 'email.dane.valid');
    expect(dane).toHaveLength(1);
    expect(dane[0]!.evidence.host).toBe('mx1.mxlab.test');
    // The TLSA name is port 25's whatever port the scan connected to (RFC 7672 §2.2).
    expect(dane[0]!.detail).toContain('_25._tcp.mx1.mxlab.test');
    for (const f of findings) expect(f.evidence.host).toBe('mx1.mxlab.test');
    expect(connections).toBeLessThan(80);
  });

  it('the same server under a name its certificate lacks and a TLSA record for another key: cert-invalid and a DANE mismatch', async () => {
    const { mx, findings } = await scan('mismatch.mxlab.test', lab.port);
    const m = mx[0]!;
    expect(m).toMatchObject({ host: 'mx2.mxlab.test', starttls: true, dane: false, daneStatus: 'no-match' });
    expect(m.tls?.chains?.[0]).toMatchObject({ trusted: true, hostnameMatch: false });
    expect(m.grade).toBe('M');
    const invalid = byId(findings, 'email.mx.cert-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ severity: 'medium', evidence: { host: 'mx2.mxlab.test' } });
    expect(invalid[0]!.detail).toContain('not mx2.mxlab.test');
    const mismatch = byId(findings, 'email.dane.mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatchObject({ severity: 'high', evidence: { host: 'mx2.mxlab.test' } });
  });
});

describe('email-mx in a batch: an MX host many domains name is examined once', () => {
  it('two domains naming one MX host share its examination; the same server under another name does not', async () => {
    const sharedWork = createSharedWork();
    const [good, sibling] = await Promise.all([scan('good.mxlab.test', lab.port, { sharedWork }), scan('sibling.mxlab.test', lab.port, { sharedWork })]);
    // One examination's connections in all, counted for the target that started it.
    expect(Math.min(good.connections, sibling.connections)).toBe(0);
    expect(good.connections + sibling.connections).toBeGreaterThan(5);
    expect(sibling.mx[0]).toMatchObject({ host: 'mx1.mxlab.test', starttls: true });
    expect(sibling.mx[0]!.tls).toEqual(good.mx[0]!.tls);
    expect(sibling.mx[0]!.grade).toBe(good.mx[0]!.grade);
    // Its own findings name its own domain's MX; DANE is read per domain (TLSA through its resolver).
    expect(ids(sibling.findings).sort()).toEqual(ids(good.findings).sort());
    // mx2.mxlab.test is the same address and port, but another name (SNI, certificate match): examined anew.
    const other = await scan('mismatch.mxlab.test', lab.port, { sharedWork });
    expect(other.connections).toBeGreaterThan(5);
    expect(other.mx[0]!.tls?.chains?.[0]).toMatchObject({ hostnameMatch: false });
    // Asked again later in the run: read, not redone.
    const again = await scan('good.mxlab.test', lab.port, { sharedWork });
    expect(again.connections).toBe(0);
    expect(again.mx[0]!.tls).toEqual(good.mx[0]!.tls);
  });

  it('the target that started the examination stopping early does not cut it short for another still waiting', async () => {
    const sharedWork = createSharedWork();
    const first = new AbortController();
    const started = scan('good.mxlab.test', lab.port, { sharedWork, signal: first.signal });
    const waiting = scan('sibling.mxlab.test', lab.port, { sharedWork });
    setTimeout(() => first.abort(new DOMException('deadline', 'TimeoutError')), 30);
    await expect(started).rejects.toThrow();
    const { mx } = await waiting;
    expect(mx[0]).toMatchObject({ host: 'mx1.mxlab.test', starttls: true });
    expect(mx[0]!.tls?.status).toBe('ok');
    expect(mx[0]!.tls?.protocols).toMatchObject({ 'TLSv1.2': true, 'TLSv1.3': true });
  });
});

describe('email-mx against smtp-server configured for TLS 1.2 only and three suites', () => {
  it('reports exactly the configured version and suites, in the server order, and their findings re-prefixed', async () => {
    const { mx, findings, connections } = await scan('tls12.mxlab.test', tls12.port);
    const m = mx[0]!;
    expect(m).toMatchObject({ host: 'mx3.mxlab.test', starttls: true, daneStatus: 'no-tlsa', dane: null });
    expect(m.tls?.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false });
    expect(m.tls?.cipherSuites).toEqual({
      'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
    });
    expect(m.tls?.serverPreference).toEqual({ 'TLSv1.2': true });
    expect(m.tls?.certificates?.[0]).toMatchObject({ subject: 'CN=mx3.mxlab.test', hostnameMatch: true, trusted: true });
    // No TLS 1.3: A- by the rating guide's warning.
    expect(m.grade).toBe('A-');
    const tls13 = byId(findings, 'email.mx.tls.protocol.no-tls13');
    expect(tls13).toHaveLength(1);
    expect(tls13[0]!.evidence).toMatchObject({ host: 'mx3.mxlab.test', port: tls12.port, protocol: 'TLSv1.3' });
    expect(tls13[0]!.title).toContain('mx3.mxlab.test');
    const cbc = byId(findings, 'email.mx.tls.cipher.cbc');
    expect(cbc).toHaveLength(1);
    expect(cbc[0]!.evidence).toMatchObject({ host: 'mx3.mxlab.test', suites: { 'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'] } });
    expect(ids(findings)).toContain('email.dane.absent');
    expect(ids(findings).filter((id) => id.startsWith('tls.'))).toEqual([]);
    expect(connections).toBeLessThan(60);
  });
});

describe('email-mx: hosts that cannot be tested, or offer no STARTTLS', () => {
  it('an MX without STARTTLS is a high finding naming the host', async () => {
    const { mx, findings } = await scan('plain.mxlab.test', plain.port);
    expect(mx[0]).toMatchObject({ host: 'mxplain.mxlab.test', starttls: false, tls: null, grade: null, daneStatus: 'no-tlsa' });
    expect(mx[0]!.smtp?.extensions).not.toContain('STARTTLS');
    const f = byId(findings, 'email.mx.no-starttls');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', evidence: { host: 'mxplain.mxlab.test' }, endpoint: `127.0.0.1:${plain.port}` });
  });

  it('an SMTP server that never answers is untested at the deadline, with the reason', async () => {
    // The 400 ms deadline ends it (the reason names it); a scan that hung would fail by the test's
    // timeout. No elapsed time is asserted.
    const { mx, findings } = await scan('silent.mxlab.test', silentPort, { connectTimeoutMs: 400 });
    expect(mx[0]).toMatchObject({ host: 'silent.mxlab.test', starttls: null, tls: null });
    expect(mx[0]!.reason).toMatch(/no SMTP greeting within 400 ms/);
    const f = byId(findings, 'email.mx.starttls-untested');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'info', evidence: { host: 'silent.mxlab.test' } });
    expect(f[0]!.detail).toMatch(/no SMTP greeting/);
  });

  it('several MX hosts by preference; one whose name does not resolve is untested with the reason', async () => {
    const { mx, findings } = await scan('multi.mxlab.test', lab.port);
    expect(mx.map((m) => [m.host, m.preference])).toEqual([
      ['mx1.mxlab.test', 5],
      ['nowhere.mxlab.test', 20],
    ]);
    expect(mx[0]).toMatchObject({ starttls: true, daneStatus: 'match' });
    expect(mx[1]).toMatchObject({ starttls: null, ip: null, tls: null, dane: null });
    expect(mx[1]!.reason).toMatch(/nowhere\.mxlab\.test does not resolve/);
    const untested = byId(findings, 'email.mx.starttls-untested');
    expect(untested.map((f) => f.evidence.host)).toEqual(['nowhere.mxlab.test']);
  });

  it('a null MX or no MX at all: nothing to test', async () => {
    for (const domain of ['nullmx.mxlab.test', 'nomx.mxlab.test']) {
      const { evidence, mx, findings } = await scan(domain, lab.port);
      expect(mx).toEqual([]);
      expect(findings).toEqual([]);
      expect(evidence.nullMx).toBe(domain === 'nullmx.mxlab.test');
    }
  });

  it('a failed MX lookup fails the probe with the reason', async () => {
    const { ctx } = mxContext('broken.mxlab.test', lab.port);
    await expect(collectMx(ctx)).rejects.toThrow(ProbeFailed);
    await expect(collectMx(ctx)).rejects.toThrow(/MX records of broken\.mxlab\.test/);
    await expect(collectMx(ctx)).rejects.toMatchObject({ kind: 'dns' });
  });
});

// RFC 7672 §2.2, RFC 6698 §4.1: TLSA records from an insecure (unsigned) zone are ignored. Before,
// a matching record there earned DANE credit and a non-matching one capped the letter at F, while
// the same report said the zone was not signed.
describe('email-mx: TLSA records in a zone that is not DNSSEC-signed', () => {
  it('a matching record earns nothing: insecure, with the reason, not a DANE match', async () => {
    const { mx, findings } = await scan('match.insecure.test', lab.port);
    const m = mx[0]!;
    expect(m).toMatchObject({ host: 'mx1.insecure.test', starttls: true, dane: null, daneStatus: 'insecure', tlsa: [expect.stringMatching(/^3 1 1 /)] });
    expect(m.tlsaDnssec).toEqual({ status: 'insecure', reason: 'insecure.test is not DNSSEC-signed' });
    expect(m.daneSummary).toMatch(/not DNSSEC-validated \(insecure\.test is not DNSSEC-signed\): sending servers ignore them/);
    const dane = findings.filter((f) => f.id.startsWith('email.dane.'));
    expect(dane.map((f) => [f.id, f.severity])).toEqual([['email.dane.not-dnssec', 'medium']]);
    expect(dane[0]!.evidence).toMatchObject({ host: 'mx1.insecure.test', status: 'insecure', ifValidated: 'match' });
  });

  it('a record that does not match is no mismatch: no email.dane.mismatch, and the grade is not capped', async () => {
    const { mx, findings } = await scan('mismatch.insecure.test', lab.port);
    const m = mx[0]!;
    expect(m).toMatchObject({ host: 'mx2.insecure.test', starttls: true, dane: null, daneStatus: 'insecure' });
    expect(ids(findings)).not.toContain('email.dane.mismatch');
    const notDnssec = byId(findings, 'email.dane.not-dnssec');
    expect(notDnssec).toHaveLength(1);
    expect(notDnssec[0]!.evidence).toMatchObject({ ifValidated: 'no-match' });
    expect(notDnssec[0]!.detail).toMatch(/Were they validated: none of the 1 usable TLSA record\(s\) matches the served chain/);
    const dane = check(m);
    expect(dane).toMatchObject({ outcome: 'insecure', points: 0 });
    expect(capsOf(m)).toEqual([]);
  });

  it('an MX without STARTTLS under such a record: no STARTTLS (C), and no DANE mismatch (F)', async () => {
    const { mx, findings } = await scan('plain.insecure.test', plain.port);
    expect(mx[0]).toMatchObject({ host: 'mx2.insecure.test', starttls: false, daneStatus: 'insecure' });
    expect(ids(findings)).toContain('email.mx.no-starttls');
    expect(ids(findings)).not.toContain('email.dane.mismatch');
    expect(byId(findings, 'email.mx.no-starttls')[0]!.detail).not.toMatch(/DANE senders defer/);
    expect(capsOf(mx[0]!)).toEqual(['starttls-missing']);
  });

  it('through a resolver that validates nothing, the unsigned mxlab.test is insecure too: AD=0 is read with the zone', async () => {
    const { mx } = await scan('good.mxlab.test', lab.port, { via: 'lab' });
    expect(mx[0]).toMatchObject({ daneStatus: 'insecure', tlsaDnssec: { status: 'insecure', reason: 'mxlab.test is not DNSSEC-signed' } });
  });
});

/** The DANE check and caps of a mail domain whose one MX is `m` and whose records are otherwise all right. */
function gradeWith(m: MxReport) {
  return emailGrade(
    emailGradeInput({
      status: 'ok',
      grade: null,
      mxStatus: 'regular',
      spf: { status: 'found', record: 'v=spf1 mx -all', lookups: 1, voidLookups: 0, all: '-all', errors: [], effectiveAll: '-all' },
      dmarc: { status: 'found', record: 'v=DMARC1; p=reject', policy: 'reject', subdomainPolicy: 'reject', pct: 100, rua: [], ruaAuthorized: null },
      dkim: { status: 'found', selectorsTried: ['s1'], selectors: [{ name: 's1', keyType: 'rsa', keyBits: 2048, testing: false }] },
      mtaSts: { status: 'missing', mode: null, maxAge: null, mx: [] },
      tlsRpt: { status: 'missing', rua: [] },
      mx: [m],
      dnssec: false,
      dnssecDetail: { signed: false, delegated: false, validated: false, algorithms: [], reason: null },
    }),
  );
}
const check = (m: MxReport) => gradeWith(m).checks.find((c) => c.id === 'dane')!;
const capsOf = (m: MxReport) => gradeWith(m).caps.map((c) => c.id);
