/**
 * DANE TLSA matching (RFC 6698/7671/7672) against chains made by the test PKI, with every
 * association value computed independently by the openssl command line.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { daneFindings, matchTlsa, requireSecureTlsa, spkiOf, type TlsaRecordData, type TlsaSecurity } from '../../src/email/dane.js';
import { FindingSchema } from '../../src/model/report.js';
import { withSubject } from '../../src/model/finding.js';
import { Value } from '@sinclair/typebox/value';
import { makeCert, makeChain, type TestCert } from '../helpers/certs.js';

/** Runs a shell pipeline of openssl commands with the certificate's PEM on stdin. */
function opensslPipe(pipeline: string, pem: string): Buffer {
  return execFileSync('sh', ['-c', pipeline], { input: pem });
}

/** `openssl x509 -pubkey | openssl pkey -pubin -outform DER`: the SubjectPublicKeyInfo. */
const spkiByOpenssl = (c: TestCert): Buffer => opensslPipe('openssl x509 -noout -pubkey | openssl pkey -pubin -outform DER', c.pem);

/** The association data for `selector`/`matchingType`, by openssl alone (dgst prints `hex *stdin`). */
function tlsaByOpenssl(c: TestCert, selector: 0 | 1, matchingType: 0 | 1 | 2): string {
  const select = selector === 1 ? 'openssl x509 -noout -pubkey | openssl pkey -pubin -outform DER' : 'openssl x509 -outform DER';
  if (matchingType === 0) return opensslPipe(select, c.pem).toString('hex');
  const digest = matchingType === 1 ? '-sha256' : '-sha512';
  const out = opensslPipe(`${select} | openssl dgst ${digest} -r`, c.pem).toString('latin1');
  const hex = /^([0-9a-f]+)\s/.exec(out)?.[1];
  if (!hex) throw new Error(`unexpected openssl dgst output: ${out}`);
  return hex;
}

const rec = (usage: number, selector: number, matchingType: number, data: string): TlsaRecordData => ({ usage, selector, matchingType, data });

let ec: Awaited<ReturnType<typeof makeChain>>;
let rsa: Awaited<ReturnType<typeof makeChain>>;
let other: TestCert;
let ecChain: Buffer[];

beforeAll(async () => {
  ec = await makeChain({ names: ['mx.secgrade.test'] });
  rsa = await makeChain({ keyType: 'rsa-2048', names: ['mx2.secgrade.test'] });
  other = await makeCert({ subject: 'CN=other.secgrade.test', dnsNames: ['other.secgrade.test'] });
  ecChain = [ec.leaf.der, ec.intermediate.der];
}, 30_000);

describe('spkiOf', () => {
  it('extracts the same SubjectPublicKeyInfo DER as openssl, for EC and RSA keys', () => {
    expect(spkiOf(ec.leaf.der)?.equals(spkiByOpenssl(ec.leaf))).toBe(true);
    expect(spkiOf(rsa.leaf.der)?.equals(spkiByOpenssl(rsa.leaf))).toBe(true);
    expect(spkiOf(ec.intermediate.der)?.equals(spkiByOpenssl(ec.intermediate))).toBe(true);
  });

  it('gives null for bytes that are not a certificate, and for a truncated one', () => {
    expect(spkiOf(Buffer.from('not a certificate'))).toBeNull();
    expect(spkiOf(ec.leaf.der.subarray(0, ec.leaf.der.length - 1))).toBeNull();
  });
});

describe('matchTlsa', () => {
  it('DANE-EE 3 1 1 (the recommended record) matches the leaf, EC and RSA', () => {
    const r = matchTlsa([rec(3, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1))], ecChain);
    expect(r.status).toBe('match');
    expect(r.matched).toEqual([{ record: 0, text: expect.stringMatching(/^3 1 1 /), usage: 'DANE-EE', certIndex: 0 }]);
    const rr = matchTlsa([rec(3, 1, 1, tlsaByOpenssl(rsa.leaf, 1, 1))], [rsa.leaf.der, rsa.intermediate.der]);
    expect(rr.status).toBe('match');
  });

  it('every selector and matching type: 3 0 0, 3 0 1, 3 0 2, 3 1 0, 3 1 2 (hex case ignored)', () => {
    for (const [selector, matchingType] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 2],
    ] as const) {
      const data = tlsaByOpenssl(ec.leaf, selector, matchingType).toUpperCase();
      expect(matchTlsa([rec(3, selector, matchingType, data)], ecChain).status, `3 ${selector} ${matchingType}`).toBe('match');
    }
  });

  it('DANE-EE matches the leaf only: a record for the intermediate does not match as EE', () => {
    const r = matchTlsa([rec(3, 1, 1, tlsaByOpenssl(ec.intermediate, 1, 1))], ecChain);
    expect(r.status).toBe('no-match');
    expect(r.details[0]).toMatchObject({ outcome: 'no-match', why: 'does not match the leaf certificate' });
  });

  it('DANE-TA 2 1 1 and 2 0 2 match the served intermediate as trust anchor', () => {
    const r = matchTlsa([rec(2, 1, 1, tlsaByOpenssl(ec.intermediate, 1, 1))], ecChain);
    expect(r).toMatchObject({ status: 'match', matched: [{ usage: 'DANE-TA', certIndex: 1 }] });
    expect(matchTlsa([rec(2, 0, 2, tlsaByOpenssl(ec.intermediate, 0, 2))], ecChain).status).toBe('match');
  });

  it('DANE-TA for a root the server does not send does not match (the server must send it, RFC 7672 §3.1.2)', () => {
    const data = tlsaByOpenssl(ec.root, 1, 1);
    expect(matchTlsa([rec(2, 1, 1, data)], ecChain).status).toBe('no-match');
    expect(matchTlsa([rec(2, 1, 1, data)], [...ecChain, ec.root.der])).toMatchObject({ status: 'match', matched: [{ certIndex: 2 }] });
  });

  it('DANE-TA: a served "anchor" that did not issue the leaf does not match', async () => {
    // Same name as the intermediate, another key: the TLSA matches it, but it signed nothing here.
    const impostor = await makeCert({ subject: ec.intermediate.subject, ca: true, issuer: ec.root });
    const r = matchTlsa([rec(2, 1, 1, tlsaByOpenssl(impostor, 1, 1))], [ec.leaf.der, impostor.der]);
    expect(r.status).toBe('no-match');
    expect(r.details[0]?.why).toMatch(/^matches certificate 1, but certificate 0 (was not issued by|'s signature does not verify with) certificate 1/);
  });

  it('a key that is not the served one: no-match', () => {
    const r = matchTlsa([rec(3, 1, 1, tlsaByOpenssl(other, 1, 1))], ecChain);
    expect(r).toMatchObject({ status: 'no-match', matched: [], summary: 'none of the 1 usable TLSA record(s) matches the served chain' });
  });

  it('PKIX-TA (0) and PKIX-EE (1) are unusable for SMTP, even when they would match', () => {
    const r = matchTlsa([rec(1, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1)), rec(0, 1, 1, tlsaByOpenssl(ec.intermediate, 1, 1))], ecChain);
    expect(r.status).toBe('unusable');
    expect(r.details.map((d) => d.why)).toEqual([
      'PKIX-EE (1) is not used for SMTP (RFC 7672 §3.1.3)',
      'PKIX-TA (0) is not used for SMTP (RFC 7672 §3.1.3)',
    ]);
  });

  it('unknown parameters and malformed data are unusable', () => {
    const good = tlsaByOpenssl(ec.leaf, 1, 1);
    const r = matchTlsa(
      [rec(4, 1, 1, good), rec(3, 2, 1, good), rec(3, 1, 3, good), rec(3, 1, 1, good.slice(0, 62)), rec(3, 1, 2, good), rec(3, 1, 0, 'zz'), rec(3, 1, 0, '')],
      ecChain,
    );
    expect(r.status).toBe('unusable');
    expect(r.details.map((d) => d.why)).toEqual([
      'unknown certificate usage 4',
      'unknown selector 2',
      'unknown matching type 3',
      'SHA2-256 data must be 32 bytes, not 31',
      'SHA2-512 data must be 64 bytes, not 32',
      'the association data is empty or not hex',
      'the association data is empty or not hex',
    ]);
  });

  it('one matching usable record among unusable and non-matching ones is a match', () => {
    const r = matchTlsa([rec(1, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1)), rec(3, 1, 1, tlsaByOpenssl(other, 1, 1)), rec(3, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1))], ecChain);
    expect(r.status).toBe('match');
    expect(r.matched.map((m) => m.record)).toEqual([2]);
    expect(r.details.map((d) => d.outcome)).toEqual(['unusable', 'no-match', 'match']);
  });

  it('no records: no-tlsa; no chain or unreadable certificates: error', () => {
    expect(matchTlsa([], ecChain).status).toBe('no-tlsa');
    expect(matchTlsa([rec(3, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1))], []).status).toBe('error');
    const junk = Buffer.from('0123456789 not DER');
    expect(matchTlsa([rec(3, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1))], [junk])).toMatchObject({ status: 'error', summary: 'the served certificates could not be read' });
    // Selector 0 needs no parsing: a full-certificate hash of any bytes can still be compared.
    expect(matchTlsa([rec(3, 0, 1, createHash('sha256').update(junk).digest('hex'))], [junk]).status).toBe('match');
  });
});

describe('daneFindings', () => {
  const ctx = { host: 'mx.secgrade.test', endpoint: '127.0.0.1:25' };

  function ids(records: TlsaRecordData[], chain: Buffer[], security?: TlsaSecurity) {
    const matched = matchTlsa(records, chain);
    const findings = daneFindings(security ? requireSecureTlsa(matched, security, `_25._tcp.${ctx.host}`) : matched, records, ctx);
    for (const f of findings) expect(Value.Check(FindingSchema, withSubject(f, `mx:${ctx.host}`)), f.id).toBe(true);
    return findings.map((f) => [f.id, f.severity]);
  }

  it('one finding per verdict, with severities', () => {
    const leaf311 = rec(3, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1));
    expect(ids([leaf311], ecChain)).toEqual([['email.dane.valid', 'info']]);
    expect(ids([rec(3, 1, 1, tlsaByOpenssl(other, 1, 1))], ecChain)).toEqual([['email.dane.mismatch', 'high']]);
    expect(ids([rec(1, 1, 1, tlsaByOpenssl(ec.leaf, 1, 1))], ecChain)).toEqual([['email.dane.unusable', 'medium']]);
    expect(ids([], ecChain)).toEqual([['email.dane.absent', 'info']]);
    expect(ids([leaf311], [])).toEqual([['email.dane.untested', 'info']]);
    expect(ids([rec(0, 1, 1, tlsaByOpenssl(ec.root, 1, 1)), leaf311], ecChain)).toEqual([
      ['email.dane.valid', 'info'],
      ['email.dane.unusable-records', 'low'],
    ]);
    // Records that are not DNSSEC-validated are ignored: one finding saying so, never "valid" or "mismatch" beside it.
    const insecure: TlsaSecurity = { status: 'insecure', reason: 'secgrade.test is not DNSSEC-signed' };
    expect(ids([leaf311], ecChain, insecure)).toEqual([['email.dane.not-dnssec', 'medium']]);
    expect(ids([rec(3, 1, 1, tlsaByOpenssl(other, 1, 1))], ecChain, insecure)).toEqual([['email.dane.not-dnssec', 'medium']]);
    expect(ids([rec(0, 1, 1, tlsaByOpenssl(ec.root, 1, 1)), leaf311], ecChain, insecure)).toEqual([['email.dane.not-dnssec', 'medium']]);
    expect(ids([leaf311], ecChain, { status: 'secure', reason: 'AD' })).toEqual([['email.dane.valid', 'info']]);
    expect(ids([leaf311], ecChain, { status: 'unknown', reason: 'the resolver does not validate' })).toEqual([['email.dane.untested', 'info']]);
    expect(ids([leaf311], ecChain, { status: 'bogus', reason: 'RRSIG expired' })).toEqual([['email.dane.untested', 'info']]);
    expect(ids([], ecChain, insecure)).toEqual([['email.dane.absent', 'info']]);
  });

  it('evidence carries the records and the per-record verdicts; the endpoint is set', () => {
    const records = [rec(3, 1, 1, tlsaByOpenssl(other, 1, 1))];
    const [f] = daneFindings(matchTlsa(records, ecChain), records, ctx);
    expect(f).toMatchObject({
      endpoint: '127.0.0.1:25',
      evidence: { host: 'mx.secgrade.test', status: 'no-match', tlsa: [`3 1 1 ${records[0]!.data}`], details: [{ outcome: 'no-match' }] },
      references: expect.arrayContaining([expect.stringContaining('RFC 7672')]),
    });
    expect(f?.detail).toContain('_25._tcp.mx.secgrade.test');
  });
});
