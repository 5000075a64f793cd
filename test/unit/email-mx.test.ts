// The pure part of the MX transport checks (src/email/mx-tls.ts) and the MX letter (src/grade/mx.ts): DANE verdicts per MX host,
// per-host SSL Labs letter, the report entries and the findings, from hand-built evidence.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/cert/describe.js';
import { spkiOf, type TlsaRecordData } from '../../src/email/dane.js';
import { assessZone, dsDigest, keyTag, type DnssecQuery, type ZoneEvidence } from '../../src/email/dnssec.js';
import {
  checkEmailMx,
  daneFlag,
  emailMxReport,
  mxDane,
  mxReport,
  tlsaSecurity,
  type EmailMxEvidence,
  type MxChainEvidence,
  type MxHostEvidence,
  type MxTlsEvidence,
} from '../../src/email/mx-tls.js';
import { gradedMx, mxGrade } from '../../src/grade/mx.js';
import type { ChainInfo } from '../../src/model/report.js';
import { Value } from '@sinclair/typebox/value';
import { EmailResultSchema } from '../../src/model/report.js';
import type { DnsRecord, LookupResult } from '../../src/net/dns/types.js';
import { makeCert, type TestCert } from '../helpers/certs.js';

const HOST = 'mx1.example.test';
let leafA: TestCert;
let leafB: TestCert;

beforeAll(async () => {
  leafA = await makeCert({ subject: `CN=${HOST}`, dnsNames: [HOST] });
  leafB = await makeCert({ subject: 'CN=other.example.test', dnsNames: ['other.example.test'], keyType: 'rsa-2048' });
});

const eeRecord = (cert: TestCert): TlsaRecordData => ({ usage: 3, selector: 1, matchingType: 1, data: createHash('sha256').update(spkiOf(cert.der)!).digest('hex') });

function chainOf(cert: TestCert, family: string, opts: { trusted?: boolean; host?: string } = {}): MxChainEvidence {
  const host = opts.host ?? HOST;
  const trusted = opts.trusted ?? true;
  const leaf = { ...describeCertificate(cert.der, 0, { host, now: new Date(), trusted, trustError: trusted ? null : 'unknown issuer', ocspStapled: false }), chain: 0, servedIndex: 0 };
  const chain: ChainInfo = {
    index: 0,
    requested: family,
    protocol: 'TLSv1.3',
    leafKeyType: `${leaf.keyType} ${leaf.keyBits}`,
    certificates: 1,
    trusted,
    trustErrors: trusted ? [] : [{ code: 'unknown-issuer', subject: leaf.subject, detail: 'The issuer is not a known CA.' }],
    anchor: trusted ? { subject: 'CN=root', label: 'root', source: 'ca-file' } : null,
    chainComplete: trusted,
    fetchedIntermediates: 0,
    extraCertificates: [],
    misordered: false,
    anchorServed: false,
    hostnameMatch: leaf.hostnameMatch,
    ocsp: [],
    ct: null,
  };
  return { family, protocol: 'TLSv1.3', der: [cert.der.toString('base64')], certificates: [{ ...leaf, chainComplete: trusted }], chain };
}

function tlsEvidence(over: Partial<MxTlsEvidence> = {}, protocols: Partial<Record<string, boolean | null>> = {}): MxTlsEvidence {
  return {
    reason: null,
    protocols: {
      protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true, ...protocols },
      attempts: {},
      sslv2Ciphers: [],
      firstPick: {},
    },
    ciphers: {
      suites: {
        'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'],
        'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
        ...(protocols['TLSv1.0'] ? { 'TLSv1.0': ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'] } : {}),
      },
      serverPreference: { 'TLSv1.3': true, 'TLSv1.2': true },
      incomplete: {},
    },
    dhPrimeBits: null,
    dhPrime: null,
    chains: [chainOf(leafA, 'ECDSA')],
    chainAttempts: ['ECDSA TLSv1.3: 1 certificate(s)'],
    ...over,
  };
}

function mxHost(over: Partial<MxHostEvidence> = {}): MxHostEvidence {
  return {
    host: HOST,
    preference: 10,
    port: 25,
    ip: '192.0.2.25',
    starttls: true,
    reason: null,
    smtp: { banner: `${HOST} ESMTP`, extensions: ['PIPELINING', 'STARTTLS'], starttlsAdvertised: true, ehloName: 'secgrade.invalid' },
    tls: tlsEvidence(),
    tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [], authenticated: false },
    ...over,
  };
}

const evidenceOf = (...mx: MxHostEvidence[]): EmailMxEvidence => ({ domain: 'example.test', port: mx[0]?.port ?? 25, nullMx: false, mx, omitted: [] });
const ids = (ev: EmailMxEvidence) => checkEmailMx(ev).map((f) => f.id);
/** The letter of a host with this TLS evidence, graded from its report entry as src/grade does it. */
const gradeOf = (tls: MxTlsEvidence) => mxGrade(mxReport(mxHost({ tls })));

describe('mxDane', () => {
  it('matches the served chain, and maps the status to the contract flag', () => {
    const mx = mxHost({ tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } });
    expect(mxDane(mx).status).toBe('match');
    expect(daneFlag('match')).toBe(true);
    expect(daneFlag('no-match')).toBe(false);
    for (const s of ['no-tlsa', 'unusable', 'error'] as const) expect(daneFlag(s)).toBeNull();
  });

  it('every served chain must match: an RSA chain beside a matching ECDSA one is a mismatch', () => {
    const tls = tlsEvidence({ chains: [chainOf(leafA, 'ECDSA'), chainOf(leafB, 'RSA')] });
    const r = mxDane(mxHost({ tls, tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } }));
    expect(r.status).toBe('no-match');
    expect(r.summary).toContain('RSA (TLSv1.3) chain matches no record');
  });

  it('TLSA records on a host without STARTTLS: a mismatch (DANE senders defer the mail)', () => {
    const r = mxDane(mxHost({ starttls: false, tls: null, tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } }));
    expect(r.status).toBe('no-match');
    expect(r.summary).toMatch(/does not offer STARTTLS/);
  });

  it('no records, a failed lookup, an untested host', () => {
    expect(mxDane(mxHost()).status).toBe('no-tlsa');
    const failed = mxDane(mxHost({ tlsa: { name: `_25._tcp.${HOST}`, status: 'error', records: [], authenticated: false, reason: 'SERVFAIL' } }));
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.summary).toContain('SERVFAIL');
    const untested = mxDane(mxHost({ starttls: null, tls: null, reason: 'timed out', tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } }));
    expect(untested.status).toBe('error');
    expect(untested.summary).toContain('timed out');
  });
});

describe('mxGrade', () => {
  it('grades protocols, suites and certificate without the vulnerability caps or HSTS, and says so', () => {
    const g = gradeOf(tlsEvidence());
    expect(g.letter).toBe('A');
    expect(g.note).toMatch(/not run against MX hosts/);
    expect(g.rating?.pending).toEqual([]);
    expect(g.rating?.notAPlus).toBeNull();
  });

  it('TLS 1.0 caps at B; an untrusted chain is T; a name mismatch is M', () => {
    expect(gradeOf(tlsEvidence({}, { 'TLSv1.0': true })).letter).toBe('B');
    expect(gradeOf(tlsEvidence({ chains: [chainOf(leafA, 'ECDSA', { trusted: false })] })).letter).toBe('T');
    expect(gradeOf(tlsEvidence({ chains: [chainOf(leafB, 'RSA')] })).letter).toBe('M');
  });

  it('no letter when TLS could not be tested, or no chain was read', () => {
    expect(gradeOf(tlsEvidence({ protocols: null, ciphers: null, chains: [], reason: 'handshake timed out' }))).toMatchObject({ letter: null, note: 'handshake timed out' });
    expect(gradeOf(tlsEvidence({ chains: [] })).letter).toBeNull();
  });
});

describe('mxReport', () => {
  it('carries the contract fields, dane as a flag and the richer status beside it', () => {
    const r = gradedMx(mxReport(mxHost({ tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } })));
    expect(r).toMatchObject({ host: HOST, preference: 10, starttls: true, dane: true, daneStatus: 'match', ip: '192.0.2.25', port: 25, grade: 'A' });
    expect(r.tlsaDnssec).toEqual({ status: 'secure', reason: 'the resolver validated the TLSA answer (AD bit set)' });
    expect(r.tls).toMatchObject({ status: 'ok', protocols: { 'TLSv1.3': true }, cipherSuites: { 'TLSv1.2': expect.any(Array) } });
    expect(r.tls).not.toHaveProperty('probes');
    expect(r.tlsa).toHaveLength(1);
    expect(r.tls?.certificates?.[0]).toMatchObject({ subject: `CN=${HOST}`, hostnameMatch: true, trusted: true });
  });

  it('no STARTTLS: no tls, no grade; untested: the reason', () => {
    expect(gradedMx(mxReport(mxHost({ starttls: false, tls: null })))).toMatchObject({ starttls: false, tls: null, grade: null, dane: null, daneStatus: 'no-tlsa' });
    expect(gradedMx(mxReport(mxHost({ starttls: null, tls: null, reason: 'SMTP: no SMTP greeting within 5000 ms' })))).toMatchObject({ reason: 'SMTP: no SMTP greeting within 5000 ms', gradeNote: 'SMTP: no SMTP greeting within 5000 ms' });
    expect(emailMxReport(evidenceOf(mxHost(), mxHost({ host: 'mx2.example.test', preference: 20 }))).mx.map((m) => m.host)).toEqual([HOST, 'mx2.example.test']);
  });
});

describe('checkEmailMx', () => {
  it('no STARTTLS is high and names the host; with TLSA records it says DANE senders defer', () => {
    const fs = checkEmailMx(evidenceOf(mxHost({ starttls: false, tls: null, tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records: [eeRecord(leafA)], authenticated: true } })));
    const f = fs.find((x) => x.id === 'email.mx.no-starttls')!;
    expect(f).toMatchObject({ severity: 'high', evidence: { host: HOST }, endpoint: '192.0.2.25:25' });
    expect(f.detail).toMatch(/DANE senders defer/);
    expect(fs.map((x) => x.id)).toContain('email.dane.mismatch');
  });

  it('untested hosts and untested TLS are info findings with the reason', () => {
    const untested = checkEmailMx(evidenceOf(mxHost({ starttls: null, tls: null, ip: null, reason: 'nowhere.example.test does not resolve' })));
    const u = untested.find((x) => x.id === 'email.mx.starttls-untested')!;
    expect(u).toMatchObject({ severity: 'info', evidence: { host: HOST } });
    expect(u.detail).toContain('does not resolve');
    expect(u).not.toHaveProperty('endpoint');
    const tlsUntested = checkEmailMx(evidenceOf(mxHost({ tls: tlsEvidence({ protocols: null, ciphers: null, chains: [], reason: 'STARTTLS: 454 TLS not available' }) })));
    expect(tlsUntested.find((x) => x.id === 'email.mx.tls.untested')?.detail).toContain('454');
  });

  it('runs the TLS checks on the MX evidence, re-prefixed, with the host in the evidence', () => {
    const fs = checkEmailMx(evidenceOf(mxHost({ tls: tlsEvidence({}, { 'TLSv1.0': true, 'TLSv1.3': false }) })));
    const tls10 = fs.find((x) => x.id === 'email.mx.tls.protocol.tls10')!;
    expect(tls10).toMatchObject({ severity: 'medium', evidence: { host: HOST, protocol: 'TLSv1.0' }, endpoint: '192.0.2.25:25' });
    expect(tls10.title).toBe(`MX ${HOST}: TLSv1.0 is enabled`);
    expect(fs.map((x) => x.id)).toEqual(expect.arrayContaining(['email.mx.tls.protocol.no-tls13', 'email.mx.tls.cipher.cbc']));
    expect(fs.filter((x) => x.id.startsWith('tls.'))).toEqual([]);
    const dh = checkEmailMx(evidenceOf(mxHost({ tls: tlsEvidence({ dhPrimeBits: 1024 }) })));
    expect(dh.find((x) => x.id === 'email.mx.tls.kx.dh-weak')?.evidence).toMatchObject({ host: HOST, dhPrimeBits: 1024 });
  });

  it('an untrusted or misnamed certificate is cert-invalid (medium)', () => {
    const fs = checkEmailMx(evidenceOf(mxHost({ tls: tlsEvidence({ chains: [chainOf(leafB, 'RSA', { trusted: false })] }) })));
    const f = fs.find((x) => x.id === 'email.mx.cert-invalid')!;
    expect(f).toMatchObject({ severity: 'medium', evidence: { host: HOST } });
    expect(f.detail).toContain('not trusted');
    expect(f.detail).toContain(`not ${HOST}`);
    expect(ids(evidenceOf(mxHost()))).not.toContain('email.mx.cert-invalid');
  });

  it('DANE findings name the TLSA name queried, and DNSSEC only counts when validated', () => {
    const records = [eeRecord(leafB)];
    const on2525 = checkEmailMx(evidenceOf(mxHost({ port: 2525, tlsa: { name: `_2525._tcp.${HOST}`, status: 'ok', records, authenticated: true } })));
    const mismatch = on2525.find((x) => x.id === 'email.dane.mismatch')!;
    expect(mismatch.detail).toContain(`_2525._tcp.${HOST}`);
    expect(mismatch.detail).not.toContain('_25._tcp');
    expect(mismatch.evidence).toMatchObject({ host: HOST, tlsaName: `_2525._tcp.${HOST}` });
    // An AD bit not set, with nothing else known, is "unknown" (DANE untested), neither "unsigned" nor a mismatch.
    const unknown = checkEmailMx(evidenceOf(mxHost({ tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records, authenticated: false } }))).map((x) => x.id);
    expect(unknown).toContain('email.dane.untested');
    expect(unknown).not.toContain('email.dane.not-dnssec');
    expect(unknown).not.toContain('email.dane.mismatch');
    const on25 = checkEmailMx(evidenceOf(mxHost({ tlsa: { name: `_25._tcp.${HOST}`, status: 'ok', records, authenticated: true } })));
    expect(on25.find((x) => x.id === 'email.dane.mismatch')?.detail).toContain(`_25._tcp.${HOST}`);
  });

  it('every finding names its MX host', () => {
    const ev = evidenceOf(
      mxHost({ tls: tlsEvidence({}, { 'TLSv1.0': true }) }),
      mxHost({ host: 'mx2.example.test', preference: 20, starttls: false, tls: null, tlsa: { name: '_25._tcp.mx2.example.test', status: 'ok', records: [], authenticated: false } }),
      mxHost({ host: 'mx3.example.test', preference: 30, starttls: null, tls: null, ip: null, reason: 'no address', tlsa: { name: '_25._tcp.mx3.example.test', status: 'ok', records: [], authenticated: false } }),
    );
    const fs = checkEmailMx(ev);
    expect(new Set(fs.map((f) => f.evidence.host))).toEqual(new Set([HOST, 'mx2.example.test', 'mx3.example.test']));
    for (const f of fs) expect(typeof f.evidence.host).toBe('string');
    for (const f of fs) expect(f.id).toMatch(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/);
  });
});

// RFC 7672 §2.2 / RFC 6698 §4.1: a DANE client uses TLSA records only from a secure (DNSSEC-
// validated) answer; records in an insecure zone are ignored. The zone evidence comes from
// assessZone over a fake resolver, as the email-mx probe gathers it.
describe('DANE only on DNSSEC-validated TLSA records', () => {
  const TLSA_NAME = `_25._tcp.${HOST}`;
  const ZONE = 'example.test';
  const KEY = 'EgzVgY1C9UFvrc8LihyJazhCIHC8BHDvwg4riiG4xZLB0upwzzoNs95VwxM/Vay9DHafbloPpHYll+v3NFGDBg==';
  const meta = { server: 'fake', transport: 'udp' as const };
  const ok = (records: DnsRecord[], ad = false): LookupResult => ({ status: 'ok', records, authenticated: ad, ...meta });
  const nodata: LookupResult = { status: 'nodata', authenticated: false, ...meta };
  const soa = (zone: string): DnsRecord => ({ type: 'SOA', name: zone, ttl: 300, mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, minimum: 300 });
  const tlsaRr = (r: TlsaRecordData): DnsRecord => ({ type: 'TLSA', name: TLSA_NAME, ttl: 300, ...r });
  const dnskey: DnsRecord = { type: 'DNSKEY', name: ZONE, ttl: 300, flags: 257, algorithm: 13, key: KEY };
  const ds: DnsRecord = { type: 'DS', name: ZONE, ttl: 300, keyTag: keyTag(257, 13, Buffer.from(KEY, 'base64')), algorithm: 13, digestType: 2, digest: dsDigest(ZONE, { flags: 257, algorithm: 13, key: KEY }, 2)! };

  /** The zone evidence of the TLSA name over a fake resolver answering `answers` ("name|TYPE"); the rest NXDOMAIN. */
  async function zoneOf(answers: Record<string, LookupResult>): Promise<ZoneEvidence> {
    const query: DnssecQuery = async (name, type) => answers[`${name}|${type}`] ?? { status: 'nxdomain', authenticated: false, ...meta };
    return assessZone(TLSA_NAME, 'tlsa', query, { checkingDisabled: true });
  }
  const unsigned = (records: TlsaRecordData[]) => zoneOf({ [`${ZONE}|SOA`]: ok([soa(ZONE)]), [`${ZONE}|DNSKEY`]: nodata, [`${ZONE}|DS`]: nodata, [`${TLSA_NAME}|TLSA`]: ok(records.map(tlsaRr)) });
  const withZone = (records: TlsaRecordData[], dnssec: ZoneEvidence, over: Partial<MxHostEvidence> = {}) =>
    mxHost({ tlsa: { name: TLSA_NAME, status: 'ok', records, authenticated: false, dnssec }, ...over });

  it('AD on the TLSA answer is secure; an unsigned zone, an island, or a chain of trust that does not reach it is insecure', async () => {
    expect(tlsaSecurity({ name: TLSA_NAME, status: 'ok', records: [eeRecord(leafA)], authenticated: true }).status).toBe('secure');
    expect(tlsaSecurity({ name: TLSA_NAME, status: 'ok', records: [eeRecord(leafA)], authenticated: false, dnssec: await unsigned([eeRecord(leafA)]) })).toEqual({
      status: 'insecure',
      reason: 'example.test is not DNSSEC-signed',
    });
    const island = await zoneOf({ [`${ZONE}|SOA`]: ok([soa(ZONE)]), [`${ZONE}|DNSKEY`]: ok([dnskey]), [`${ZONE}|DS`]: nodata, [`${TLSA_NAME}|TLSA`]: ok([tlsaRr(eeRecord(leafA))]) });
    expect(tlsaSecurity({ name: TLSA_NAME, status: 'ok', records: [eeRecord(leafA)], authenticated: false, dnssec: island }).status).toBe('insecure');
    // Signed and delegated, and the resolver validates the parent (AD on test. DNSKEY) but not the zone: insecure to it.
    const broken = await zoneOf({
      [`${ZONE}|SOA`]: ok([soa(ZONE)]),
      [`${ZONE}|DNSKEY`]: ok([dnskey]),
      [`${ZONE}|DS`]: ok([ds]),
      [`${TLSA_NAME}|TLSA`]: ok([tlsaRr(eeRecord(leafA))]),
      'test|DNSKEY': ok([{ ...dnskey, name: 'test' }], true),
    });
    expect(tlsaSecurity({ name: TLSA_NAME, status: 'ok', records: [eeRecord(leafA)], authenticated: false, dnssec: broken }).status).toBe('insecure');
  });

  it('a resolver that does not validate, a failed lookup, no zone evidence: unknown, never "unsigned"', async () => {
    const noValidation = await zoneOf({
      [`${ZONE}|SOA`]: ok([soa(ZONE)]),
      [`${ZONE}|DNSKEY`]: ok([dnskey]),
      [`${ZONE}|DS`]: ok([ds]),
      [`${TLSA_NAME}|TLSA`]: ok([tlsaRr(eeRecord(leafA))]),
      'test|DNSKEY': ok([{ ...dnskey, name: 'test' }]),
      '.|DNSKEY': ok([{ ...dnskey, name: '.' }]),
    });
    const base = { name: TLSA_NAME, status: 'ok' as const, records: [eeRecord(leafA)], authenticated: false };
    expect(tlsaSecurity({ ...base, dnssec: noValidation })).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/did not validate/) });
    const failed = await zoneOf({ [`${ZONE}|SOA`]: { status: 'error', reason: 'timeout: no response' } });
    expect(tlsaSecurity({ ...base, dnssec: failed }).status).toBe('unknown');
    expect(tlsaSecurity(base).status).toBe('unknown');
  });

  it('in an unsigned zone a matching TLSA record earns nothing: insecure, not match', async () => {
    const r = mxDane(withZone([eeRecord(leafA)], await unsigned([eeRecord(leafA)])));
    expect(r).toMatchObject({ status: 'insecure', matched: [], ifValidated: { status: 'match' } });
    expect(r.summary).toMatch(/^the TLSA records at _25\._tcp\.mx1\.example\.test are not DNSSEC-validated \(example\.test is not DNSSEC-signed\): sending servers ignore them/);
    expect(daneFlag(r.status)).toBeNull();
  });

  it('in an unsigned zone a TLSA record that does not match is no mismatch, with or without STARTTLS', async () => {
    const r = mxDane(withZone([eeRecord(leafB)], await unsigned([eeRecord(leafB)])));
    expect(r).toMatchObject({ status: 'insecure', ifValidated: { status: 'no-match' } });
    const plain = withZone([eeRecord(leafB)], await unsigned([eeRecord(leafB)]), { starttls: false, tls: null });
    expect(mxDane(plain).status).toBe('insecure');
    const fs = checkEmailMx(evidenceOf(plain));
    expect(fs.map((x) => x.id)).not.toContain('email.dane.mismatch');
    expect(fs.find((x) => x.id === 'email.mx.no-starttls')!.detail).not.toMatch(/DANE senders defer/);
  });

  it('the report says why: daneStatus insecure, tlsaDnssec with the reason, and one finding (not-dnssec)', async () => {
    const mx = withZone([eeRecord(leafB)], await unsigned([eeRecord(leafB)]));
    const r = gradedMx(mxReport(mx));
    expect(r).toMatchObject({ dane: null, daneStatus: 'insecure', tlsaDnssec: { status: 'insecure', reason: 'example.test is not DNSSEC-signed' } });
    expect(r.daneSummary).toContain('not DNSSEC-validated');
    // The new fields fit the report schema (the hand-built TLS part aside).
    expect([...Value.Errors(EmailResultSchema.properties.mx.items, JSON.parse(JSON.stringify({ ...r, tls: null })))].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    const dane = checkEmailMx(evidenceOf(mx)).filter((f) => f.id.startsWith('email.dane.'));
    expect(dane.map((f) => [f.id, f.severity])).toEqual([['email.dane.not-dnssec', 'medium']]);
    expect(dane[0]!.title).toBe('TLSA records are not DNSSEC-validated: DANE does not apply');
    expect(dane[0]!.detail).toMatch(/not DNSSEC-validated \(example\.test is not DNSSEC-signed\).*Were they validated: none of the 1 usable TLSA record\(s\) matches the served chain \(and DANE senders would then defer mail to this host\)/);
    expect(dane[0]!.evidence).toMatchObject({ status: 'insecure', ifValidated: 'no-match', host: HOST });
  });

  it('unknown validation leaves DANE untested (error), with the reason, whatever the records would give', async () => {
    const r = mxDane(mxHost({ tlsa: { name: TLSA_NAME, status: 'ok', records: [eeRecord(leafB)], authenticated: false } }));
    expect(r).toMatchObject({ status: 'error', ifValidated: { status: 'no-match' } });
    expect(r.summary).toMatch(/whether they are DNSSEC-validated could not be told/);
  });
});
