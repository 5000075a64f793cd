// End-to-end CT with real crypto: synthetic logs (EC P-256 and RSA keys made here), a log list built
// here, a precertificate flow with makeCert, and SCTs over both precert and x509 entries.
import { createHash, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateScts, type EvaluateSctsInput } from '../../src/ct/index.js';
import { parseLogList, type CtLogList } from '../../src/ct/log-list.js';
import { precertTbs } from '../../src/ct/precert.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { generateTestKeys, makeCert, type TestCert } from '../helpers/certs.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-01T12:00:00Z');
const SCT_OID = '1.3.6.1.4.1.11129.2.4.2';

// --- encoders written here, independently of src/ct, so the tests do not check the code against itself

const uint = (v: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => Math.floor(v / 2 ** (8 * (n - 1 - i))) % 256));
const vec = (len: number, b: Buffer) => Buffer.concat([uint(b.length, len), b]);

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const der = (tag: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};

/** The TBSCertificate TLV: the first element inside the Certificate SEQUENCE. */
function tbsOf(certDer: Buffer): Buffer {
  const outerHeader = certDer[1]! & 0x80 ? 2 + (certDer[1]! & 0x7f) : 2;
  const at = outerHeader;
  const lenByte = certDer[at + 1]!;
  const n = lenByte & 0x80 ? lenByte & 0x7f : 0;
  let len = lenByte;
  if (n) len = [...certDer.subarray(at + 2, at + 2 + n)].reduce((a, b) => a * 256 + b, 0);
  return certDer.subarray(at, at + 2 + n + len);
}

type Entry = { kind: 'x509'; cert: Buffer } | { kind: 'precert'; issuerKeyHash: Buffer; tbs: Buffer };

interface TestLog {
  name: string;
  spki: Buffer;
  id: Buffer;
  priv: KeyObject;
  sigAlg: 1 | 3;
  sct(entry: Entry, timestamp: number, extensions?: Buffer): Buffer;
}

function makeLog(name: string, kind: 'ec' | 'rsa'): TestLog {
  const { publicKey, privateKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const id = createHash('sha256').update(spki).digest();
  const sigAlg = kind === 'ec' ? 3 : 1;
  return {
    name,
    spki,
    id,
    priv: privateKey,
    sigAlg,
    sct(entry, timestamp, extensions = Buffer.alloc(0)) {
      const signedEntry = entry.kind === 'x509' ? vec(3, entry.cert) : Buffer.concat([entry.issuerKeyHash, vec(3, entry.tbs)]);
      const data = Buffer.concat([Buffer.from([0, 0]), uint(timestamp, 8), uint(entry.kind === 'x509' ? 0 : 1, 2), signedEntry, vec(2, extensions)]);
      const signature = sign('sha256', data, kind === 'ec' ? { key: privateKey, dsaEncoding: 'der' } : privateKey);
      return Buffer.concat([Buffer.from([0]), id, uint(timestamp, 8), vec(2, extensions), Buffer.from([4, sigAlg]), vec(2, signature)]);
    },
  };
}

const sctList = (...scts: Buffer[]) => vec(2, Buffer.concat(scts.map((s) => vec(2, s))));

function logListFor(entries: Array<{ log: TestLog; operator: string; state?: string; stateAt?: string }>): CtLogList {
  const operators = new Map<string, unknown[]>();
  for (const { log, operator, state = 'usable', stateAt = '2025-01-01T00:00:00Z' } of entries) {
    const list = operators.get(operator) ?? [];
    list.push({ description: log.name, log_id: log.id.toString('base64'), key: log.spki.toString('base64'), url: `https://${log.name}.test/`, mmd: 86400, state: { [state]: { timestamp: stateAt } } });
    operators.set(operator, list);
  }
  const json = { version: '1.0', log_list_timestamp: '2026-10-30T00:00:00Z', operators: [...operators].map(([name, logs]) => ({ name, email: [], logs })) };
  const parsed = parseLogList(json, { source: 'file', path: null });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.list;
}

describe('SCT verification with synthetic logs', () => {
  const logA = makeLog('alpha', 'ec');
  const logB = makeLog('bravo', 'rsa');
  const logC = makeLog('charlie', 'ec');
  const stranger = makeLog('stranger', 'ec');
  let logList: CtLogList;
  let issuer: TestCert;
  let pre: TestCert;
  let final: TestCert;
  let issuerKeyHash: Buffer;
  let embedded: { a: Buffer; b: Buffer; stranger: Buffer };

  beforeAll(async () => {
    const x509 = await loadX509();
    logList = logListFor([
      { log: logA, operator: 'Operator A' },
      { log: logB, operator: 'Operator B' },
      { log: logC, operator: 'Operator A' },
    ]);
    issuer = await makeCert({ subject: 'CN=ct test CA', ca: true, notBefore: new Date(NOW.getTime() - 300 * DAY), notAfter: new Date(NOW.getTime() + 3000 * DAY) });
    const leafKeys = await generateTestKeys('ec-p256');
    const params = {
      subject: 'CN=ct.secgrade.test',
      dnsNames: ['ct.secgrade.test'],
      issuer,
      keys: leafKeys,
      serialNumber: '01d2c3b4a5968778',
      notBefore: new Date(NOW.getTime() - 10 * DAY),
      notAfter: new Date(NOW.getTime() + 80 * DAY),
    };
    // The precertificate's TBS is the final TBS without the SCT list: same serial, dates, keys, names.
    pre = await makeCert(params);
    issuerKeyHash = createHash('sha256').update(new X509Certificate(issuer.der).publicKey.export({ type: 'spki', format: 'der' })).digest();
    const entry: Entry = { kind: 'precert', issuerKeyHash, tbs: tbsOf(pre.der) };
    const ts = NOW.getTime() - 10 * DAY;
    embedded = { a: logA.sct(entry, ts), b: logB.sct(entry, ts + 5), stranger: stranger.sct(entry, ts + 9) };
    const value = der(0x04, sctList(embedded.a, embedded.b, embedded.stranger));
    final = await makeCert({ ...params, extensions: [new x509.Extension(SCT_OID, false, value)] });
  });

  const run = (over: Partial<EvaluateSctsInput> = {}) =>
    evaluateScts({ leafDer: final.der, issuerDer: issuer.der, tlsExtension: null, ocspSctList: null, logList, now: NOW, ...over });

  it('rebuilds the precertificate TBS byte for byte', () => {
    const rebuilt = precertTbs(final.der);
    expect(rebuilt.ok).toBe(true);
    if (rebuilt.ok) expect(Buffer.from(rebuilt.value).equals(tbsOf(pre.der))).toBe(true);
    expect(tbsOf(final.der).length).toBeGreaterThan(tbsOf(pre.der).length);
  });

  it('verifies embedded SCTs from an EC and an RSA log; an unknown log gives valid=null', () => {
    const result = run();
    expect(result.parseErrors).toEqual([]);
    expect(result.scts.map((s) => [s.logName, s.source, s.valid])).toEqual([
      ['alpha', 'certificate', true],
      ['bravo', 'certificate', true],
      [null, 'certificate', null],
    ]);
    expect(result.scts[0]).toMatchObject({ operator: 'Operator A', logState: 'usable', logId: logA.id.toString('base64') });
    expect(result.scts[0]!.timestamp).toBe(new Date(NOW.getTime() - 10 * DAY).toISOString());
    expect(result.scts[2]).toMatchObject({ logId: stranger.id.toString('base64'), operator: null, logState: null, error: 'log not in the CT log list' });
    expect(result.policy).toMatchObject({ compliant: true, via: 'embedded', requiredEmbeddedScts: 2, unverifiable: 1 });
    expect(result.policy.embedded.operators).toEqual(['Operator A', 'Operator B']);
    expect(result.logListDate).toBe('2026-10-30T00:00:00.000Z');
  });

  it('without the issuer the embedded SCTs are not verifiable (null), unless its SPKI is given', () => {
    const noIssuer = run({ issuerDer: null });
    expect(noIssuer.scts.map((s) => s.valid)).toEqual([null, null, null]);
    expect(noIssuer.scts[0]!.error).toMatch(/issuer unknown/);
    expect(noIssuer.policy.compliant).toBe(false);
    const spki = new X509Certificate(issuer.der).publicKey.export({ type: 'spki', format: 'der' });
    expect(run({ issuerDer: null, issuerSpkiDer: spki }).scts.map((s) => s.valid)).toEqual([true, true, null]);
  });

  it('the wrong issuer makes every embedded SCT fail', async () => {
    const other = await makeCert({ subject: 'CN=another CA', ca: true });
    expect(run({ issuerDer: other.der }).scts.map((s) => s.valid)).toEqual([false, false, null]);
  });

  it('a tampered SCT fails: one signature byte flipped, or a different timestamp', async () => {
    const x509 = await loadX509();
    const flipped = Buffer.from(embedded.a);
    flipped[flipped.length - 5]! ^= 0x01;
    const retimed = Buffer.from(embedded.b);
    retimed[33 + 7]! ^= 0x01; // low byte of the timestamp
    const tampered = await makeCert({
      subject: 'CN=ct.secgrade.test',
      dnsNames: ['ct.secgrade.test'],
      issuer,
      keys: pre.keys,
      serialNumber: '01d2c3b4a5968778',
      notBefore: new Date(NOW.getTime() - 10 * DAY),
      notAfter: new Date(NOW.getTime() + 80 * DAY),
      extensions: [new x509.Extension(SCT_OID, false, der(0x04, sctList(flipped, retimed)))],
    });
    const result = run({ leafDer: tampered.der });
    expect(result.scts.map((s) => s.valid)).toEqual([false, false]);
    expect(result.scts[0]!.error).toBe('signature does not verify');
    expect(result.policy.compliant).toBe(false);
  });

  it('x509_entry SCTs from the TLS extension and OCSP verify over the leaf DER', () => {
    const entry: Entry = { kind: 'x509', cert: final.der };
    const ts = NOW.getTime() - DAY;
    const tls = sctList(logA.sct(entry, ts), logB.sct(entry, ts));
    const ocspWrapped = der(0x04, sctList(logC.sct(entry, ts)));
    const result = run({ leafDer: pre.der, tlsExtension: tls, ocspSctList: ocspWrapped });
    // pre.der is not the certificate these SCTs cover: all fail.
    expect(result.scts.map((s) => s.valid)).toEqual([false, false, false]);
    const good = run({ tlsExtension: tls, ocspSctList: ocspWrapped });
    expect(good.scts.filter((s) => s.source !== 'certificate').map((s) => [s.source, s.logName, s.valid])).toEqual([
      ['tls-extension', 'alpha', true],
      ['tls-extension', 'bravo', true],
      ['ocsp', 'charlie', true],
    ]);
    // The bare TLS list is accepted for OCSP too.
    expect(run({ ocspSctList: sctList(logC.sct(entry, ts)) }).scts.at(-1)).toMatchObject({ source: 'ocsp', valid: true });
  });

  it('TLS-delivered SCTs alone can make the certificate compliant', () => {
    const entry: Entry = { kind: 'x509', cert: pre.der };
    const tls = sctList(logA.sct(entry, NOW.getTime() - DAY), logB.sct(entry, NOW.getTime() - DAY));
    const result = run({ leafDer: pre.der, tlsExtension: tls });
    expect(result.policy).toMatchObject({ compliant: true, via: 'tls-or-ocsp' });
    expect(result.policy.tlsOrOcsp).toEqual({ counted: 2, operators: ['Operator A', 'Operator B'] });
  });

  it('an SCT signed over the leaf (x509) does not pass as an embedded precert SCT', async () => {
    const x509 = await loadX509();
    const asX509 = logA.sct({ kind: 'x509', cert: pre.der }, NOW.getTime() - DAY);
    const cert = await makeCert({ subject: 'CN=x.test', issuer, extensions: [new x509.Extension(SCT_OID, false, der(0x04, sctList(asX509)))] });
    expect(run({ leafDer: cert.der }).scts[0]!.valid).toBe(false);
  });

  it('SCT timestamps in the future are invalid', () => {
    const entry: Entry = { kind: 'x509', cert: final.der };
    const result = run({ tlsExtension: sctList(logA.sct(entry, NOW.getTime() + DAY)) });
    expect(result.scts.at(-1)).toMatchObject({ valid: false, error: 'SCT timestamp is in the future' });
  });

  it('SCT extensions are part of what the log signs', () => {
    const entry: Entry = { kind: 'x509', cert: final.der };
    const withExt = logA.sct(entry, NOW.getTime() - DAY, Buffer.from([0, 5, 0, 1, 2]));
    expect(run({ tlsExtension: sctList(withExt) }).scts.at(-1)!.valid).toBe(true);
    const altered = Buffer.from(withExt);
    altered[33 + 8 + 2 + 4]! ^= 0xff; // last extension byte
    expect(run({ tlsExtension: sctList(altered) }).scts.at(-1)!.valid).toBe(false);
  });

  it('malformed lists become parseErrors, never exceptions', () => {
    const result = run({ tlsExtension: Uint8Array.from([0, 9, 1]), ocspSctList: Uint8Array.from([0, 0]) });
    expect(result.parseErrors).toEqual(['TLS extension: SCT list length 9 runs past the 1 bytes present', 'OCSP response: SCT list is empty (length 0)']);
    expect(result.scts).toHaveLength(3); // the embedded ones still count
    const junkLeaf = run({ leafDer: Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]) });
    expect(junkLeaf.parseErrors[0]).toMatch(/^certificate: /);
    expect(junkLeaf.policy).toMatchObject({ compliant: false, reason: 'Not evaluated: the certificate could not be parsed.' });
  });

  it('a certificate with a corrupt embedded list reports it and keeps going', async () => {
    const x509 = await loadX509();
    const cert = await makeCert({ subject: 'CN=bad.test', issuer, extensions: [new x509.Extension(SCT_OID, false, der(0x04, Buffer.from([0, 50, 0, 1])))] });
    const result = run({ leafDer: cert.der });
    expect(result.parseErrors).toEqual(['certificate: SCT list length 50 runs past the 2 bytes present']);
    expect(result.policy.compliant).toBe(false);
    const notOctets = await makeCert({ subject: 'CN=bad2.test', issuer, extensions: [new x509.Extension(SCT_OID, false, der(0x30))] });
    expect(run({ leafDer: notOctets.der }).parseErrors).toEqual(['certificate: SCT extension value is not a DER OCTET STRING']);
  });

  it('seeded fuzz of the whole pipeline: mutated certificates and lists never throw', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    const tls = sctList(logA.sct({ kind: 'x509', cert: final.der }, NOW.getTime() - DAY));
    for (let i = 0; i < 400; i++) {
      const leaf = Buffer.from(final.der);
      for (let k = 0; k < 1 + (rnd() % 3); k++) leaf[((rnd() << 8) | rnd()) % leaf.length] = rnd();
      const ext = Buffer.from(tls);
      ext[rnd() % ext.length] = rnd();
      expect(() => run({ leafDer: i % 4 === 0 ? leaf.subarray(0, rnd() * 4) : leaf, tlsExtension: ext, ocspSctList: i % 2 ? ext : null })).not.toThrow();
    }
  });
});

describe('precertificate TBS splice on hand-built DER', () => {
  const oid = der(0x06, Buffer.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02]));
  const otherOid = der(0x06, Buffer.from([0x55, 0x1d, 0x13]));
  const validity = der(0x30, der(0x17, Buffer.from('250101000000Z')), der(0x17, Buffer.from('260101000000Z')));
  const name = der(0x30, der(0x31, der(0x30, der(0x06, Buffer.from([0x55, 0x04, 0x03])), der(0x0c, Buffer.from('x')))));
  const spki = der(0x30, der(0x30, der(0x06, Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]))), der(0x03, Buffer.from([0, 4, 1, 2])));
  const alg = der(0x30, der(0x06, Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])));
  const head = [der(0xa0, der(0x02, Buffer.from([2]))), der(0x02, Buffer.from([1])), alg, name, validity, name, spki];
  const cert = (exts: Buffer[] | null) => {
    const tbs = der(0x30, ...head, ...(exts ? [der(0xa3, der(0x30, ...exts))] : []));
    return { tbs, cert: der(0x30, tbs, alg, der(0x03, Buffer.from([0, 1]))) };
  };
  const sctExt = (size: number) => der(0x30, oid, der(0x04, der(0x04, Buffer.alloc(size, 7))));
  const basic = der(0x30, otherOid, der(0x01, Buffer.from([0xff])), der(0x04, der(0x30)));

  it('drops the [3] wrapper when the SCT list was the only extension', () => {
    const out = precertTbs(cert([sctExt(10)]).cert);
    expect(out.ok && Buffer.from(out.value).equals(cert(null).tbs)).toBe(true);
  });

  it('re-encodes long-form lengths that shrink across the 128- and 256-byte boundaries', () => {
    for (const size of [100, 200, 300, 70_000]) {
      const out = precertTbs(cert([basic, sctExt(size)]).cert);
      expect(out.ok && Buffer.from(out.value).equals(cert([basic]).tbs)).toBe(true);
      const middle = precertTbs(cert([basic, sctExt(size), basic]).cert);
      expect(middle.ok && Buffer.from(middle.value).equals(cert([basic, basic]).tbs)).toBe(true);
    }
  });

  it('leaves a TBS without the extension unchanged; refuses duplicates and broken DER', () => {
    const plain = precertTbs(cert([basic]).cert);
    expect(plain.ok && Buffer.from(plain.value).equals(cert([basic]).tbs)).toBe(true);
    expect(precertTbs(cert([sctExt(5), sctExt(5)]).cert)).toMatchObject({ ok: false, error: { code: 'duplicate-extension' } });
    const broken = cert([basic, sctExt(20)]).cert;
    expect(precertTbs(broken.subarray(0, broken.length - 1))).toMatchObject({ ok: false, error: { code: 'bad-certificate' } });
    expect(precertTbs(cert([der(0x30, oid)]).cert)).toMatchObject({ ok: false, error: { code: 'bad-certificate' } });
  });
});
