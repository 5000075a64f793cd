// The offline lab, checked with plain Node clients (no secgrade code) so that the lab itself can be
// trusted as the ground truth for the scanner's tests.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import net from 'node:net';
import { dirname } from 'node:path';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DOMAINS } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';

let lab: RunningLab;

beforeAll(async () => {
  lab = await startLab();
});

afterAll(async () => {
  await lab?.stop();
});

function portOf(domain: string): number {
  const entry = lab.info.domains[domain];
  if (!entry) throw new Error(`not in lab: ${domain}`);
  return entry.port;
}

/** Resolves with the connected socket (caller closes it), rejects with the handshake error. */
function connect(domain: string, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: portOf(domain),
      servername: domain,
      ca: [lab.caPem],
      ...options,
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}

async function handshake<T>(domain: string, options: tls.ConnectionOptions, read: (s: tls.TLSSocket) => T): Promise<T> {
  const socket = await connect(domain, options);
  try {
    return read(socket);
  } finally {
    socket.destroy();
  }
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(domain: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port: portOf(domain), servername: domain, headers: { host: domain }, ca: [lab.caPem], agent: false, path: '/' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
  });
}

const LEGACY_CLIENT = { ciphers: 'ALL:@SECLEVEL=0' } as const;

describe('lab info', () => {
  it('lists every catalogue domain with a loopback port and writes the CA file', async () => {
    expect(Object.keys(lab.info.domains).sort()).toEqual(LAB_DOMAINS.map((d) => d.name).sort());
    for (const entry of Object.values(lab.info.domains)) {
      expect(entry.ip).toBe('127.0.0.1');
      expect(entry.port).toBeGreaterThan(0);
      expect(entry.description.length).toBeGreaterThan(0);
    }
    expect(lab.info.dns).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(dirname(lab.info.caFile)).toMatch(/secgrade-lab-/);
    expect(await readFile(lab.info.caFile, 'utf8')).toBe(lab.caPem);
  });

  it('writes a CT log list (Chrome v3 format) naming two usable logs of two operators', async () => {
    const list = JSON.parse(await readFile(lab.info.ctLogList, 'utf8')) as { operators: Array<{ name: string; logs: Array<{ state: object; key: string }> }> };
    expect(list.operators.map((o) => o.name)).toEqual(['secgrade lab CT operator A', 'secgrade lab CT operator B']);
    for (const o of list.operators) expect(Object.keys(o.logs[0]!.state)).toEqual(['usable']);
  });
});

describe('TLS', () => {
  it('good: negotiates TLS 1.3 and verifies against the lab CA', async () => {
    const result = await handshake('good.secgrade.test', {}, (s) => ({
      authorized: s.authorized,
      protocol: s.getProtocol(),
      alpn: s.alpnProtocol,
      cert: s.getPeerCertificate(),
    }));
    expect(result.authorized).toBe(true);
    expect(result.protocol).toBe('TLSv1.3');
    expect(result.cert.subjectaltname).toBe('DNS:good.secgrade.test');
    expect(tls.checkServerIdentity('good.secgrade.test', result.cert)).toBeUndefined();
  });

  it('good: TLS 1.2 uses a forward-secret AEAD suite chosen by the server, TLS 1.1 is refused', async () => {
    const cipher = await handshake('good.secgrade.test', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256' }, (s) => s.getCipher());
    expect(cipher.version).toBe('TLSv1.2');
    expect(cipher.standardName).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'); // server order wins
    await expect(connect('good.secgrade.test', { ...LEGACY_CLIENT, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('legacy: accepts TLS 1.0 with an RSA certificate', async () => {
    const result = await handshake('legacy.secgrade.test', { ...LEGACY_CLIENT, minVersion: 'TLSv1', maxVersion: 'TLSv1' }, (s) => ({
      authorized: s.authorized,
      protocol: s.getProtocol(),
      keyType: s.getPeerX509Certificate()?.publicKey.asymmetricKeyType,
    }));
    expect(result).toEqual({ authorized: true, protocol: 'TLSv1', keyType: 'rsa' });
  });

  it('legacy: offers static RSA key exchange and refuses TLS 1.3', async () => {
    const cipher = await handshake('legacy.secgrade.test', { ...LEGACY_CLIENT, ciphers: 'AES256-SHA:@SECLEVEL=0' }, (s) => s.getCipher());
    expect(cipher.standardName).toBe('TLS_RSA_WITH_AES_256_CBC_SHA');
    await expect(connect('legacy.secgrade.test', { minVersion: 'TLSv1.3' })).rejects.toThrow();
  });

  it('expired: fails verification with CERT_HAS_EXPIRED', async () => {
    await expect(connect('expired.secgrade.test')).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
  });

  it('wrong-host: the chain verifies but the name does not', async () => {
    const result = await handshake('wrong-host.secgrade.test', { checkServerIdentity: () => undefined }, (s) => ({
      authorized: s.authorized,
      cert: s.getPeerCertificate(),
    }));
    expect(result.authorized).toBe(true);
    expect(tls.checkServerIdentity('wrong-host.secgrade.test', result.cert)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await expect(connect('wrong-host.secgrade.test')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('certificates', () => {
  const peer = (s: tls.TLSSocket) => s.getPeerX509Certificate()!;

  it('the served chain is leaf + intermediate, and the intermediate chains to the root', async () => {
    const chain = await handshake('good.secgrade.test', {}, (s) => {
      const leaf = s.getPeerCertificate(true);
      return [leaf.subject.CN, leaf.issuerCertificate?.subject.CN, leaf.issuerCertificate?.issuerCertificate?.subject.CN];
    });
    expect(chain).toEqual(['good.secgrade.test', 'secgrade lab intermediate CA (throwaway)', 'secgrade lab root CA (throwaway)']);
  });

  it('dual: an ECDSA certificate for ECDSA-only clients, an RSA one for RSA-only clients', async () => {
    const ec = await handshake('dual.secgrade.test', { sigalgs: 'ecdsa_secp256r1_sha256', maxVersion: 'TLSv1.3' }, (s) => peer(s).publicKey.asymmetricKeyType);
    const rsa = await handshake('dual.secgrade.test', { sigalgs: 'rsa_pss_rsae_sha256', maxVersion: 'TLSv1.3' }, (s) => peer(s).publicKey.asymmetricKeyType);
    expect([ec, rsa]).toEqual(['ec', 'rsa']);
  });

  it('incomplete: the leaf alone does not verify; its AIA URL serves the missing intermediate', async () => {
    await expect(connect('incomplete.secgrade.test')).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const leaf = await handshake('incomplete.secgrade.test', { rejectUnauthorized: false }, peer);
    const url = /CA Issuers - URI:(\S+)/.exec(leaf.infoAccess ?? '')?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/intermediate\.der$/);
    const der = await new Promise<Buffer>((resolve, reject) =>
      http.get(url!, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
    expect(leaf.checkIssued(new X509Certificate(der))).toBe(true);
  });

  it('self-signed: verification fails as self-signed', async () => {
    await expect(connect('self-signed.secgrade.test')).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('revoked: the stapled OCSP response says revoked, as `openssl ocsp` reads it', async () => {
    const { response, leaf, issuer } = await new Promise<{ response: Buffer; leaf: string; issuer: string }>((resolve, reject) => {
      // requestOCSP is passed through by tls.connect; @types/node omits it.
      const options: tls.ConnectionOptions & { requestOCSP: boolean } = { host: '127.0.0.1', port: portOf('revoked.secgrade.test'), servername: 'revoked.secgrade.test', ca: [lab.caPem], requestOCSP: true };
      const socket = tls.connect(options);
      let response: Buffer | null = null;
      socket.on('OCSPResponse', (r: Buffer) => (response = r));
      socket.once('secureConnect', () => {
        const c = socket.getPeerCertificate(true);
        socket.destroy();
        if (!response) return reject(new Error('no staple'));
        const pem = (raw: Buffer) => new X509Certificate(raw).toString();
        resolve({ response, leaf: pem(c.raw), issuer: pem(c.issuerCertificate!.raw) });
      });
      socket.once('error', reject);
    });
    const dir = await mkdtemp(join(tmpdir(), 'secgrade-labocsp-'));
    try {
      await writeFile(join(dir, 'resp.der'), response);
      await writeFile(join(dir, 'leaf.pem'), leaf);
      await writeFile(join(dir, 'issuer.pem'), issuer);
      await writeFile(join(dir, 'root.pem'), lab.caPem);
      const out = execFileSync('openssl', ['ocsp', '-respin', 'resp.der', '-issuer', 'issuer.pem', '-cert', 'leaf.pem', '-CAfile', 'root.pem'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toMatch(/leaf\.pem: revoked/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP', () => {
  it('good: 200 with HSTS, CSP and a secure cookie', async () => {
    const res = await get('good.secgrade.test');
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['set-cookie']?.[0]).toMatch(/; Secure; HttpOnly; SameSite=Lax/);
    expect(res.body).toContain('good.secgrade.test');
  });

  it('legacy: no HSTS, version banners, insecure cookie', async () => {
    const res = await get('legacy.secgrade.test');
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(res.headers['server']).toBe('Apache/2.2.15 (CentOS)');
    expect(res.headers['x-powered-by']).toBe('PHP/5.3.3');
    expect(res.headers['set-cookie']?.[0]).not.toMatch(/secure|httponly/i);
  });
});

/** One UDP question to the lab's DNS server. */
type DnsAnswer = dnsPacket.Answer & { data: unknown };

/** With `edns`, advertise a 1232-byte buffer (a 2048-bit DKIM key does not fit 512 bytes). */
async function query(name: string, type: string, edns = false): Promise<DnsAnswer[]> {
  const [host, port] = lab.info.dns.split(':') as [string, string];
  const socket = dgram.createSocket('udp4');
  try {
    const id = Math.floor(Math.random() * 0xffff);
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
      setTimeout(() => reject(new Error(`DNS timeout: ${name} ${type}`)), 3000).unref();
    });
    const question = { type: type as dnsPacket.RecordType, name };
    const additionals: dnsPacket.Answer[] = edns
      ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
      : [];
    socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [question], additionals }), Number(port), host);
    const packet = dnsPacket.decode(await reply);
    expect(packet.id).toBe(id);
    return (packet.answers ?? []) as DnsAnswer[];
  } finally {
    socket.close();
  }
}

/** dns-packet has no SVCB/HTTPS codec: read priority, target and the `port` SvcParam (key 3) by hand. */
function parseHttpsRdata(rdata: Buffer): { priority: number; target: string; port?: number } {
  const priority = rdata.readUInt16BE(0);
  const labels: string[] = [];
  let offset = 2;
  for (let len = rdata[offset]!; len > 0; len = rdata[offset]!) {
    labels.push(rdata.subarray(offset + 1, offset + 1 + len).toString('ascii'));
    offset += len + 1;
  }
  offset += 1;
  let port: number | undefined;
  while (offset + 4 <= rdata.length) {
    const key = rdata.readUInt16BE(offset);
    const length = rdata.readUInt16BE(offset + 2);
    if (key === 3) port = rdata.readUInt16BE(offset + 4);
    offset += 4 + length;
  }
  return { priority, target: labels.join('.') || '.', port };
}

describe('DNS', () => {
  it('A and HTTPS records point every domain at its server', async () => {
    for (const [name, entry] of Object.entries(lab.info.domains)) {
      const a = await query(name, 'A');
      expect(a.map((r) => r.data)).toEqual(['127.0.0.1']);
      const [https65] = await query(name, 'UNKNOWN_65'); // HTTPS = type 65
      expect(https65).toBeDefined();
      expect(parseHttpsRdata(https65!.data as Buffer)).toEqual({ priority: 1, target: '.', port: entry.port });
    }
  });

  it('mail: MX, SPF and DMARC', async () => {
    const mx = await query('mail.secgrade.test', 'MX');
    expect(mx.map((r) => r.data)).toEqual([{ preference: 10, exchange: 'mx.mail.secgrade.test' }]);
    const txt = (rs: DnsAnswer[]) => rs.map((r) => (r.data as Buffer[]).map(String).join(''));
    expect(txt(await query('mail.secgrade.test', 'TXT'))).toEqual(['v=spf1 mx -all']);
    expect(txt(await query('_dmarc.mail.secgrade.test', 'TXT'))).toEqual([
      'v=DMARC1; p=reject; rua=mailto:dmarc@mail.secgrade.test; pct=100',
    ]);
  });
});

/** EHLO, then STARTTLS if offered and a TLS handshake (SNI `servername`, lab CA): what a sending MTA sees. */
async function smtpStarttls(ip: string, servername: string): Promise<{ ehlo: string; tls?: { authorized: boolean; subjectaltname?: string; protocol: string | null } }> {
  const socket = net.connect({ host: ip, port: lab.info.smtpPort });
  let buf = '';
  const reply = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onData = (d: Buffer): void => {
        buf += d.toString('latin1');
        const lines = buf.split('\r\n');
        const last = lines.findIndex((l) => /^\d{3} /.test(l));
        if (last < 0) return;
        socket.off('data', onData);
        const out = lines.slice(0, last + 1).join('\n');
        buf = lines.slice(last + 1).join('\r\n');
        resolve(out);
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  try {
    expect(await reply()).toMatch(/^220 /);
    socket.write('EHLO client.secgrade.test\r\n');
    const ehlo = await reply();
    if (!/^250[ -]STARTTLS$/m.test(ehlo)) return { ehlo };
    socket.write('STARTTLS\r\n');
    expect(await reply()).toMatch(/^220 /);
    const secure = tls.connect({ socket, servername, ca: [lab.caPem], rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    const result = { authorized: secure.authorized, subjectaltname: secure.getPeerCertificate().subjectaltname, protocol: secure.getProtocol() };
    secure.destroy();
    return { ehlo, tls: result };
  } finally {
    socket.destroy();
  }
}

describe('mail', () => {
  it('one SMTP port for every MX: STARTTLS with a lab-CA certificate per MX name (SNI) on 127.0.0.1, none on 127.0.0.2', async () => {
    for (const host of ['mx1.mail-good.secgrade.test', 'mx1.mail-weak.secgrade.test', 'mx.mail.secgrade.test']) {
      expect(lab.info.mx[host]).toEqual({ ip: '127.0.0.1', port: lab.info.smtpPort, starttls: true });
      const r = await smtpStarttls('127.0.0.1', host);
      expect(r.tls).toEqual({ authorized: true, subjectaltname: `DNS:${host}`, protocol: 'TLSv1.3' });
    }
    expect(lab.info.mx['mx1.mail-broken.secgrade.test']).toEqual({ ip: '127.0.0.2', port: lab.info.smtpPort, starttls: false });
    const broken = await smtpStarttls('127.0.0.2', 'mx1.mail-broken.secgrade.test');
    expect(broken.tls).toBeUndefined();
    expect(broken.ehlo).toMatch(/^250[ -]/);
  });

  it('mail-good: MX, SPF, DMARC with its external authorisation, TLSA, MTA-STS (HTTPS record and policy)', async () => {
    const txt = (rs: DnsAnswer[]) => rs.map((r) => (r.data as Buffer[]).map(String).join(''));
    expect((await query('mail-good.secgrade.test', 'MX')).map((r) => r.data)).toEqual([{ preference: 10, exchange: 'mx1.mail-good.secgrade.test' }]);
    expect(txt(await query('mail-good.secgrade.test', 'TXT'))).toEqual(['v=spf1 mx -all']);
    expect(txt(await query('_dmarc.mail-good.secgrade.test', 'TXT'))).toEqual(['v=DMARC1; p=reject; rua=mailto:dmarc@reports.example.net']);
    expect(txt(await query('mail-good.secgrade.test._report._dmarc.reports.example.net', 'TXT'))).toEqual(['v=DMARC1']);
    expect(await query('selector1._domainkey.mail-good.secgrade.test', 'TXT')).toEqual([]); // truncated without EDNS
    const [dkim] = await query('selector1._domainkey.mail-good.secgrade.test', 'TXT', true);
    expect((dkim!.data as Buffer[]).length).toBe(2); // 410 bytes: two character-strings
    expect(txt([dkim!])[0]).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/=]{384}$/);
    expect(await query('_25._tcp.mx1.mail-good.secgrade.test', 'TLSA')).toHaveLength(1);
    const [sts] = await query('mta-sts.mail-good.secgrade.test', 'UNKNOWN_65');
    const port = parseHttpsRdata(sts!.data as Buffer).port!;
    expect(port).toBe(lab.info.mtaSts['mta-sts.mail-good.secgrade.test']!.port);
    const policy = await new Promise<{ status: number; type?: string; body: string }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/.well-known/mta-sts.txt', servername: 'mta-sts.mail-good.secgrade.test', headers: { host: 'mta-sts.mail-good.secgrade.test' }, ca: [lab.caPem], agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
        })
        .on('error', reject);
    });
    expect(policy).toEqual({ status: 200, type: 'text/plain', body: 'version: STSv1\r\nmode: enforce\r\nmx: mx1.mail-good.secgrade.test\r\nmax_age: 604800\r\n' });
  });
});

function tcpRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** A UDP port is released once a fresh socket can bind it. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('start-up and shut-down', () => {
  it('rejects an already aborted start', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(startLab({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('undoes a start aborted mid-way', async () => {
    const controller = new AbortController();
    const starting = startLab({ signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
  });

  // Last on purpose: stops the shared lab.
  it('stop() closes every port, removes the temp dir and is idempotent', async () => {
    const ports = [...Object.values(lab.info.domains), ...Object.values(lab.info.mtaSts)].map((d) => d.port);
    const smtp = [...new Set(Object.values(lab.info.mx).map((m) => m.ip))];
    const dnsPort = Number(lab.info.dns.split(':')[1]);
    const dir = dirname(lab.info.caFile);
    await Promise.all([lab.stop(), lab.stop()]);
    await lab.stop();
    for (const port of ports) expect(await tcpRefused(port)).toBe(true);
    expect(smtp.sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    for (const ip of smtp) expect(await tcpRefused(lab.info.smtpPort, ip)).toBe(true);
    expect(await udpFree(dnsPort)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
