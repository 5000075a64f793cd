// The lab's mail domains (mail-good, mail-weak, mail-broken and mail), checked with secgrade's own
// DNS resolver, SPF/DMARC/DKIM/MTA-STS/TLS-RPT/DANE modules and SMTP + raw TLS clients against the
// lab DNS server and the lab's SMTP and MTA-STS servers: every record resolves as the catalogue
// says, and the served certificates, policies and STARTTLS offers match it.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchTlsa } from '../../src/email/dane.js';
import { discoverDkim, parseDkimRecord } from '../../src/email/dkim.js';
import { discoverDmarc, ruaAuthorized } from '../../src/email/dmarc.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';
import { analyseMtaStsPolicy, discoverMtaSts } from '../../src/email/mta-sts.js';
import { lintSpf, spfDnsFromResolver } from '../../src/email/spf/index.js';
import { discoverTlsRpt } from '../../src/email/tls-rpt.js';
import { LAB_DOMAINS, LAB_REPORT_ZONE, findLabDomain, mtaStsPolicyText, type LabDomain } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { createResolver, parseDnsServer, type Resolver } from '../../src/net/dns/resolver.js';
import type { DnsRecord, LookupResult, RecordType } from '../../src/net/dns/types.js';
import { hasExtension, smtpCapabilities } from '../../src/net/smtp/client.js';
import { rawHello } from '../../src/net/tls/raw-client.js';
import { buildClientHello } from '../../src/net/tls/wire/client-hello.js';

let lab: RunningLab;
let resolver: Resolver;
let txtLookup: TxtLookup;

beforeAll(async () => {
  lab = await startLab();
  resolver = createResolver({ server: parseDnsServer(lab.info.dns) });
  txtLookup = (name, signal) => resolver.query(name, 'TXT', signal);
});

afterAll(async () => {
  await lab?.stop();
});

type MailDomain = LabDomain & { mail: NonNullable<LabDomain['mail']>; expect: { email: NonNullable<LabDomain['expect']['email']> } };
const MAIL_DOMAINS = LAB_DOMAINS.filter((d): d is MailDomain => d.mail !== undefined && d.expect.email !== undefined);
const domain = (label: string): MailDomain => findLabDomain(`${label}.secgrade.test`) as MailDomain;
const signal = (): AbortSignal => new AbortController().signal;

async function records(name: string, type: RecordType): Promise<DnsRecord[]> {
  const r: LookupResult = await resolver.query(name, type);
  return r.status === 'ok' ? r.records.filter((x) => x.type === type) : [];
}

async function texts(name: string): Promise<string[]> {
  return (await records(name, 'TXT')).map((r) => (r.type === 'TXT' ? r.text : ''));
}

/** A TLS 1.2 hello with SNI, through the SMTP STARTTLS dialogue, to the MX at the lab's SMTP port. */
async function starttlsChain(host: string): Promise<Buffer[]> {
  const mx = lab.info.mx[host]!;
  const hello = buildClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02b, 0xc02c, 0xc02f], serverName: host }).record;
  const r = await rawHello({ ip: mx.ip, port: lab.info.smtpPort, timeoutMs: 5000, signal: signal(), hello, starttls: 'smtp' });
  if (r.kind !== 'server-hello') throw new Error(`${host}: ${r.kind} ${'reason' in r ? r.reason : ''}`);
  return r.certificates;
}

function httpsGet(host: string, port: number, path: string): Promise<{ status: number; contentType: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, servername: host, headers: { host }, ca: [lab.caPem], agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body }));
      })
      .on('error', reject);
  });
}

describe('lab info', () => {
  it('lists the mail domains, one SMTP port for every MX, and the MTA-STS host', () => {
    expect(MAIL_DOMAINS.map((d) => d.name).sort()).toEqual(
      ['mail-broken.secgrade.test', 'mail-good.secgrade.test', 'mail-weak.secgrade.test', 'mail.secgrade.test'],
    );
    for (const d of MAIL_DOMAINS) expect(lab.info.domains[d.name]).toBeDefined();
    expect(lab.info.smtpPort).toBeGreaterThan(0);
    expect(lab.info.mx).toEqual({
      'mx.mail.secgrade.test': { ip: '127.0.0.1', port: lab.info.smtpPort, starttls: true },
      'mx1.mail-good.secgrade.test': { ip: '127.0.0.1', port: lab.info.smtpPort, starttls: true },
      'mx1.mail-weak.secgrade.test': { ip: '127.0.0.1', port: lab.info.smtpPort, starttls: true },
      'mx1.mail-broken.secgrade.test': { ip: '127.0.0.2', port: lab.info.smtpPort, starttls: false },
    });
    expect(Object.keys(lab.info.mtaSts)).toEqual(['mta-sts.mail-good.secgrade.test']);
  });
});

describe('DNS: every published record resolves', () => {
  it('the catalogue records of each mail domain (TXT strings joined), including the report zone', async () => {
    for (const d of MAIL_DOMAINS) {
      for (const rec of d.dns) {
        const got = await records(rec.name, rec.type);
        if (rec.type === 'TXT') {
          expect(rec.strings.every((s) => Buffer.byteLength(s) <= 255)).toBe(true);
          expect(got.map((r) => (r.type === 'TXT' ? r.text : null)), rec.name).toContain(rec.strings.join(''));
        } else {
          expect(got.length, `${rec.type} ${rec.name}`).toBeGreaterThan(0);
        }
      }
    }
    expect(await texts(`mail-good.secgrade.test._report._dmarc.${LAB_REPORT_ZONE}`)).toEqual(['v=DMARC1']);
  });

  it('MX records and the MX hosts\' addresses follow the mail spec', async () => {
    for (const d of MAIL_DOMAINS) {
      const mx = (await records(d.name, 'MX')).map((r) => (r.type === 'MX' ? [r.preference, r.exchange] : null));
      expect(mx, d.name).toEqual(d.mail.mx.map((m) => [m.preference, m.host]));
      expect(d.expect.email.mx).toEqual(d.mail.mx.map((m) => m.host));
      for (const m of d.mail.mx) {
        const a = await resolver.addresses(m.host);
        expect(a).toEqual({ status: 'ok', addresses: [{ address: m.address, family: 4 }] });
        expect(lab.info.mx[m.host]?.ip).toBe(m.address);
      }
    }
  });

  it('the web side of every mail domain is published like the other lab domains', async () => {
    for (const d of MAIL_DOMAINS) {
      const [rec] = await records(d.name, 'HTTPS');
      expect(rec).toMatchObject({ type: 'HTTPS', priority: 1, target: '.', params: { port: lab.info.domains[d.name]!.port } });
    }
  });

  it('names outside both zones are refused, the report zone\'s other names do not exist', async () => {
    expect((await resolver.query('example.org', 'TXT')).status).toBe('error');
    expect((await resolver.query(`other._report._dmarc.${LAB_REPORT_ZONE}`, 'TXT')).status).toBe('nxdomain');
    expect((await resolver.query('mta-sts.mail-weak.secgrade.test', 'A')).status).toBe('nxdomain');
  });
});

describe('DKIM', () => {
  it('each selector publishes a freshly generated key of the catalogued type and size', async () => {
    for (const d of MAIL_DOMAINS) {
      const found = await discoverDkim(d.name, txtLookup, { defaults: true });
      const keys = found.results.filter((r) => r.status !== 'missing');
      expect(keys.map((r) => [r.selector, r.status, r.keys[0]?.keyType, r.keys[0]?.keyBits]), d.name).toEqual(
        d.expect.email.dkim.map((k) => [k.selector, 'found', k.keyType, k.bits]),
      );
    }
    const [good] = await records('selector1._domainkey.mail-good.secgrade.test', 'TXT');
    // A 2048-bit key does not fit one 255-byte character-string.
    expect(good?.type === 'TXT' && good.strings.length).toBeGreaterThan(1);
    expect(parseDkimRecord(good?.type === 'TXT' ? good.text : '')).toMatchObject({ keyType: 'rsa', keyBits: 2048, errors: [] });
  });
});

describe('SPF', () => {
  const lint = (name: string) => lintSpf(name, spfDnsFromResolver(resolver));

  it('good and mail: mx -all, one lookup', async () => {
    for (const label of ['mail-good', 'mail']) {
      const d = domain(label);
      const r = await lint(d.name);
      expect(r).toMatchObject({ status: d.expect.email.spfStatus, record: d.expect.email.spf, all: d.expect.email.spfAll, lookups: d.expect.email.spfLookups, voidLookups: 0, errors: [] });
    }
  });

  it('weak: ~all over an include tree that really costs 12 DNS lookups, none of them void', async () => {
    const d = domain('mail-weak');
    const r = await lint(d.name);
    expect(r).toMatchObject({ status: 'invalid', record: d.expect.email.spf, all: '~all', effectiveAll: '~all', lookups: 12, voidLookups: 0, incomplete: false });
    expect(r.lookups).toBe(d.expect.email.spfLookups);
    expect(r.issues.map((i) => i.id).sort()).toEqual(['email.spf.softfail-all', 'email.spf.too-many-lookups']);
  });

  it('broken: two SPF records at the domain, and an include loop under it', async () => {
    const d = domain('mail-broken');
    const r = await lint(d.name);
    expect(r).toMatchObject({ status: 'multiple', all: null, lookups: null });
    expect(r.record).toBe(d.expect.email.spf);
    expect(r.issues.map((i) => i.id)).toEqual(['email.spf.multiple']);
    const loop = await lint(d.expect.email.spfLoopAt!);
    expect(loop.issues.map((i) => i.id)).toContain('email.spf.include-loop');
    expect(loop.tree?.children[0]?.children[0]).toMatchObject({
      status: 'loop',
      reason: 'loop-a.mail-broken.secgrade.test → loop-b.mail-broken.secgrade.test → loop-a.mail-broken.secgrade.test',
    });
  });
});

describe('DMARC', () => {
  it('the policy, its status and the rua authorisation match the catalogue', async () => {
    for (const d of MAIL_DOMAINS) {
      const r = await discoverDmarc(d.name, txtLookup);
      const e = d.expect.email;
      expect([r.status, r.policy, r.records[0], ruaAuthorized(r)], d.name).toEqual([e.dmarcStatus, e.dmarcPolicy, e.dmarc, e.ruaAuthorized]);
    }
  });

  it('good: the external report destination authorises the domain', async () => {
    const r = await discoverDmarc('mail-good.secgrade.test', txtLookup);
    expect(r.authorizations).toEqual([
      { kinds: ['rua'], destination: LAB_REPORT_ZONE, name: `mail-good.secgrade.test._report._dmarc.${LAB_REPORT_ZONE}`, authorized: true },
    ]);
  });

  it('broken: the record has syntax errors receivers discard it for', async () => {
    const r = await discoverDmarc('mail-broken.secgrade.test', txtLookup);
    expect(r.parsed?.policyErrors.join(' ')).toMatch(/p=rejected/);
    expect(r.parsed?.errors.join(' ')).toMatch(/pct=200/);
  });
});

describe('MTA-STS and TLS-RPT', () => {
  it('good: the _mta-sts record, and the policy fetched over HTTPS from the port in the HTTPS record, trusted by the lab CA', async () => {
    const d = domain('mail-good');
    const sts = await discoverMtaSts(d.name, txtLookup);
    expect(sts).toMatchObject({ status: 'found', parsed: { id: d.mail.mtaSts!.id } });
    const host = 'mta-sts.mail-good.secgrade.test';
    const [rr] = await records(host, 'HTTPS');
    const port = rr?.type === 'HTTPS' ? rr.params.port : undefined;
    expect(port).toBe(lab.info.mtaSts[host]!.port);
    expect((await resolver.addresses(host)).status).toBe('ok');
    const res = await httpsGet(host, port!, '/.well-known/mta-sts.txt');
    expect(res.body).toBe(mtaStsPolicyText(d.mail.mtaSts!));
    const analysis = analyseMtaStsPolicy({ ...res, url: `https://${host}/.well-known/mta-sts.txt` }, d.expect.email.mx);
    expect(analysis).toMatchObject({ valid: true, contentTypeProblem: null, policy: { mode: 'enforce', maxAge: 604800, mx: ['mx1.mail-good.secgrade.test'], errors: [] } });
    expect(analysis.mxMatch?.unmatched).toEqual([]);
    expect(analysis.policy?.mode).toBe(d.expect.email.mtaSts);
    expect((await httpsGet(host, port!, '/')).status).toBe(404);
  });

  it('only good publishes MTA-STS and TLS-RPT', async () => {
    for (const d of MAIL_DOMAINS) {
      const sts = await discoverMtaSts(d.name, txtLookup);
      expect(sts.status === 'found', d.name).toBe(d.expect.email.mtaSts !== null);
      const rpt = await discoverTlsRpt(d.name, txtLookup);
      expect(rpt.status === 'found', d.name).toBe(d.expect.email.tlsRpt);
    }
    const rpt = await discoverTlsRpt('mail-good.secgrade.test', txtLookup);
    expect(rpt.parsed?.rua.map((u) => u.uri)).toEqual(['mailto:tlsrpt@mail-good.secgrade.test']);
  });
});

describe('SMTP', () => {
  it('STARTTLS is offered exactly where the catalogue says, all MX at one port', async () => {
    for (const d of MAIL_DOMAINS) {
      for (const m of d.mail.mx) {
        const r = await smtpCapabilities({ ip: m.address, port: lab.info.smtpPort, timeoutMs: 5000, signal: signal() });
        expect(r.ok, m.host).toBe(true);
        if (!r.ok) continue;
        expect(r.evidence.greeting?.code).toBe(220);
        expect(hasExtension(r.evidence, 'STARTTLS'), m.host).toBe(d.expect.email.starttls[m.host]);
      }
    }
  });

  it('each STARTTLS MX serves its own lab-CA certificate, picked by SNI', async () => {
    const intermediate = await starttlsChain('mx1.mail-good.secgrade.test').then((c) => new X509Certificate(c[1]!));
    expect(intermediate.verify(new X509Certificate(lab.caPem).publicKey)).toBe(true);
    for (const [host, mx] of Object.entries(lab.info.mx)) {
      if (!mx.starttls) continue;
      const chain = await starttlsChain(host);
      const leaf = new X509Certificate(chain[0]!);
      expect(leaf.checkHost(host), host).toBe(host);
      expect(leaf.verify(intermediate.publicKey)).toBe(true);
    }
  });

  it('the broken MX refuses STARTTLS', async () => {
    const hello = buildClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02b], serverName: 'mx1.mail-broken.secgrade.test' }).record;
    const r = await rawHello({ ip: '127.0.0.2', port: lab.info.smtpPort, timeoutMs: 5000, signal: signal(), hello, starttls: 'smtp' });
    expect(r).toMatchObject({ kind: 'network', starttls: expect.any(String) });
  });

  it('DANE: the TLSA record of the good MX matches the certificate it serves; the others publish none', async () => {
    for (const d of MAIL_DOMAINS) {
      for (const m of d.mail.mx) {
        const tlsa = (await records(`_25._tcp.${m.host}`, 'TLSA')).flatMap((r) => (r.type === 'TLSA' ? [r] : []));
        expect(tlsa.length > 0, m.host).toBe(d.expect.email.dane[m.host]);
        if (!tlsa.length) continue;
        expect(tlsa.map((r) => [r.usage, r.selector, r.matchingType])).toEqual([[3, 1, 1]]);
        expect(matchTlsa(tlsa, await starttlsChain(m.host))).toMatchObject({ status: 'match', matched: [{ certIndex: 0 }] });
        // Not a formality: another MX's certificate does not match.
        expect(matchTlsa(tlsa, await starttlsChain('mx1.mail-weak.secgrade.test')).status).toBe('no-match');
      }
    }
  });
});

describe('shut-down', () => {
  it('stop() closes the SMTP servers on both addresses and the MTA-STS server', async () => {
    const ports: Array<[string, number]> = [
      ['127.0.0.1', lab.info.smtpPort],
      ['127.0.0.2', lab.info.smtpPort],
      ...Object.values(lab.info.mtaSts).map((s): [string, number] => [s.ip, s.port]),
    ];
    await lab.stop();
    for (const [host, port] of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host, port });
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
      });
      expect(refused, `${host}:${port}`).toBe(true);
    }
  });
});
