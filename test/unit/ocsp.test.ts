// OCSP evaluation against responses built here with @peculiar/asn1-ocsp (the responder id, signature
// algorithms and wrapping are the lab signer's) and signed with the test PKI's keys: status,
// freshness, signer authorization, SCTs, and hostile bytes.
import { KeyObject, randomBytes, sign, constants } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert, AsnParser, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReason, CRLReasons, Extension } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { buildCertId, buildOcspRequest, evaluateOcspResponse, mustStaple, ocspResponderUrls } from '../../src/cert/ocsp.js';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { algorithmFor, responderIdByKey, wrapBasicResponse } from '../../src/lab/ocsp-signer.js';
import { makeChain, makeCert, type TestCert } from '../helpers/certs.js';

const MIN = 60_000;
const DAY = 86_400_000;
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.5';

type Chain = Awaited<ReturnType<typeof makeChain>>;

interface ResponseOptions {
  chain: Chain;
  /** Signs the response (default: the leaf's issuer). */
  signer?: TestCert;
  status?: 'good' | 'revoked' | 'unknown';
  reason?: CRLReasons;
  thisUpdate?: Date;
  /** null omits nextUpdate. */
  nextUpdate?: Date | null;
  /** CertID for another certificate of the same issuer. */
  certIdFor?: TestCert;
  certs?: TestCert[];
  singleExtensions?: Extension[];
  flipSignatureByte?: boolean;
  pss?: boolean;
}

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, content]);
}

const SHA256_ALG = Buffer.from(AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1', parameters: null })));

/** RSASSA-PSS-params { [0] sha256, [1] mgf1(sha256), [2] 32 }. */
function pssAlgorithm(): AlgorithmIdentifier {
  const mgf1 = Buffer.from(AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.8', parameters: new Uint8Array(SHA256_ALG).buffer })));
  const params = tlv(0x30, Buffer.concat([tlv(0xa0, SHA256_ALG), tlv(0xa1, mgf1), tlv(0xa2, Buffer.from([0x02, 0x01, 32]))]));
  return new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.10', parameters: new Uint8Array(params).buffer });
}

/** The signature and its algorithm, as the lab signs (RSA PKCS#1 v1.5, ECDSA, Ed25519), or RSASSA-PSS. */
function signWith(signer: TestCert, data: Buffer, pss: boolean): { signature: Buffer; algorithm: AlgorithmIdentifier } {
  // The WebCrypto key through node:crypto, which encodes ECDSA signatures as DER (as OCSP wants).
  const key = KeyObject.from(signer.keys.privateKey);
  const { id, hash } = algorithmFor(key);
  if (pss) return { signature: sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }), algorithm: pssAlgorithm() };
  return { signature: sign(hash, data, key), algorithm: id };
}

function makeResponse(o: ResponseOptions): Buffer {
  const signer = o.signer ?? o.chain.intermediate;
  const now = Date.now();
  const status = o.status ?? 'good';
  const certStatus =
    status === 'good'
      ? new CertStatus({ good: null })
      : status === 'unknown'
        ? new CertStatus({ unknown: null })
        : new CertStatus({
            revoked: new RevokedInfo({
              revocationTime: new Date(now - 2 * DAY),
              ...(o.reason === undefined ? {} : { revocationReason: new CRLReason(o.reason) }),
            }),
          });
  const single = new SingleResponse({
    certID: buildCertId((o.certIdFor ?? o.chain.leaf).der, o.chain.intermediate.der),
    certStatus,
    thisUpdate: o.thisUpdate ?? new Date(now - 60 * MIN),
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? new Date(now + 3 * DAY) }),
    ...(o.singleExtensions ? { singleExtensions: o.singleExtensions } : {}),
  });
  const tbs = new ResponseData({
    responderID: responderIdByKey(signer.der),
    producedAt: new Date(now - 30 * MIN),
    responses: [single],
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const { signature, algorithm } = signWith(signer, tbsDer, o.pss ?? false);
  if (o.flipSignatureByte) signature[signature.length - 1]! ^= 0x01;
  const basic = new BasicOCSPResponse({
    tbsResponseData: tbs,
    signatureAlgorithm: algorithm,
    signature: new Uint8Array(signature).buffer,
    ...(o.certs ? { certs: o.certs.map((c) => AsnParser.parse(c.der, Certificate)) } : {}),
  });
  return wrapBasicResponse(Buffer.from(AsnConvert.serialize(basic)));
}

describe('evaluateOcspResponse', () => {
  let chain: Chain;
  let other: TestCert;
  let delegated: TestCert;
  let delegatedNoEku: TestCert;
  let foreignResponder: TestCert;

  beforeAll(async () => {
    chain = await makeChain();
    other = await makeCert({ subject: 'CN=other.secgrade.test', issuer: chain.intermediate });
    delegated = await makeCert({ subject: 'CN=ocsp.secgrade.test', issuer: chain.intermediate, eku: [OCSP_SIGNING] });
    delegatedNoEku = await makeCert({ subject: 'CN=ocsp-no-eku.secgrade.test', issuer: chain.intermediate });
    // Right EKU, but certified by the root rather than the leaf's issuer.
    foreignResponder = await makeCert({ subject: 'CN=ocsp-foreign.secgrade.test', issuer: chain.root, eku: [OCSP_SIGNING] });
  });

  const ctx = (now = new Date()) => ({ leafDer: chain.leaf.der, issuerDer: chain.intermediate.der, now });

  it('reads a good, fresh response signed by the issuer', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain }), ctx());
    expect(ev).toMatchObject({ responseStatus: 'successful', certStatus: 'good', fresh: true, revokedAt: null, sctList: null, errors: [] });
    expect(ev.signature).toMatchObject({ valid: true, signer: 'issuer' });
    expect(ev.signatureAlgorithm).toBe('SHA256withECDSA');
    expect(ev.thisUpdate).toBeInstanceOf(Date);
    expect(ev.nextUpdate).toBeInstanceOf(Date);
    expect(ev.producedAt).toBeInstanceOf(Date);
  });

  it('reads a revocation with its time and reason', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, status: 'revoked', reason: CRLReasons.keyCompromise }), ctx());
    expect(ev.certStatus).toBe('revoked');
    expect(ev.revocationReason).toBe('keyCompromise');
    expect(ev.revokedAt!.getTime()).toBeLessThan(Date.now() - DAY);
    expect(ev.signature.valid).toBe(true);
  });

  it('reads a revocation without a reason', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, status: 'revoked' }), ctx());
    expect(ev).toMatchObject({ certStatus: 'revoked', revocationReason: null });
  });

  it('reads unknown', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, status: 'unknown' }), ctx());
    expect(ev.certStatus).toBe('unknown');
    expect(ev.signature.valid).toBe(true);
  });

  it('calls a response stale once nextUpdate has passed', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, thisUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - 3 * DAY) }), ctx());
    expect(ev.certStatus).toBe('good');
    expect(ev.fresh).toBe(false);
    expect(ev.errors.join('\n')).toMatch(/stale.*nextUpdate/);
  });

  it('tolerates a few minutes of clock skew but not a thisUpdate in the future', () => {
    const skewed = evaluateOcspResponse(makeResponse({ chain, thisUpdate: new Date(Date.now() + 2 * MIN) }), ctx());
    expect(skewed.fresh).toBe(true);
    const future = evaluateOcspResponse(makeResponse({ chain, thisUpdate: new Date(Date.now() + 2 * DAY) }), ctx());
    expect(future.fresh).toBe(false);
    expect(future.errors.join('\n')).toMatch(/thisUpdate .* in the future/);
  });

  it('without nextUpdate, is fresh for a week and stale after', () => {
    const recent = evaluateOcspResponse(makeResponse({ chain, nextUpdate: null, thisUpdate: new Date(Date.now() - DAY) }), ctx());
    expect(recent).toMatchObject({ fresh: true, nextUpdate: null });
    const old = evaluateOcspResponse(makeResponse({ chain, nextUpdate: null, thisUpdate: new Date(Date.now() - 8 * DAY) }), ctx());
    expect(old.fresh).toBe(false);
    expect(old.errors.join('\n')).toMatch(/no nextUpdate/);
  });

  it('rejects a response whose signature has a flipped byte', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, flipSignatureByte: true }), ctx());
    expect(ev.certStatus).toBe('good'); // still reported, but not to be trusted
    expect(ev.signature).toMatchObject({ valid: false, signer: 'issuer' });
    expect(ev.errors.join('\n')).toMatch(/signature invalid/);
  });

  it('rejects a response signed by an unrelated key', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, signer: chain.root }), ctx());
    expect(ev.signature).toMatchObject({ valid: false, signer: 'unknown' });
  });

  it('accepts a delegated responder the issuer certified for OCSP signing', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, signer: delegated, certs: [delegated] }), ctx());
    expect(ev.signature).toMatchObject({ valid: true, signer: 'delegated' });
    expect(ev.signature.detail).toContain('CN=ocsp.secgrade.test');
    expect(ev.errors).toEqual([]);
  });

  it('rejects a delegated responder without id-kp-OCSPSigning', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, signer: delegatedNoEku, certs: [delegatedNoEku] }), ctx());
    expect(ev.signature).toMatchObject({ valid: false, signer: 'delegated' });
    expect(ev.signature.detail).toMatch(/OCSPSigning/);
  });

  it('rejects a responder certificate from another CA, even with the EKU', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, signer: foreignResponder, certs: [foreignResponder] }), ctx());
    expect(ev.signature).toMatchObject({ valid: false, signer: 'unknown' });
    expect(ev.signature.detail).toMatch(/did not issue/);
  });

  it('rejects a delegated responder outside its validity period', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, signer: delegated, certs: [delegated] }), ctx(new Date(Date.now() + 400 * DAY)));
    expect(ev.signature).toMatchObject({ valid: false, signer: 'delegated' });
    expect(ev.signature.detail).toMatch(/validity/);
  });

  it('cannot check the signature without the issuer, but still matches on name hash and serial', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain }), { leafDer: chain.leaf.der, issuerDer: null, now: new Date() });
    expect(ev.certStatus).toBe('good');
    expect(ev.signature).toMatchObject({ valid: null });
    expect(ev.errors.join('\n')).toMatch(/issuer certificate unknown/);
  });

  it('finds no SingleResponse when the responder answered for another serial', () => {
    const ev = evaluateOcspResponse(makeResponse({ chain, certIdFor: other }), ctx());
    expect(ev).toMatchObject({ responseStatus: 'successful', certStatus: null, thisUpdate: null, fresh: false });
    expect(ev.signature.valid).toBe(true);
    expect(ev.errors).toContain('no SingleResponse for this certificate');
  });

  it.each(['malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const)('reports responseStatus %s', (name) => {
    const der = Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus[name] })));
    const ev = evaluateOcspResponse(der, ctx());
    expect(ev).toMatchObject({ responseStatus: name, certStatus: null, fresh: false });
    expect(ev.errors).toEqual([`responder answered ${name}`]);
  });

  it('reports an undefined responseStatus value as a typed error', () => {
    // OCSPResponse { ENUMERATED 4 } ("not used" in RFC 6960)
    const ev = evaluateOcspResponse(Buffer.from('30030a0104', 'hex'), ctx());
    expect(ev.responseStatus).toBeNull();
    expect(ev.errors[0]).toMatch(/undefined/);
  });

  it('never throws on garbage, truncation, oversize or deep nesting', () => {
    const good = makeResponse({ chain });
    const inputs: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('not der at all'),
      randomBytes(512),
      good.subarray(0, good.length >> 1),
      good.subarray(0, good.length - 1),
      Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(16)]), // absurd length
      Buffer.from(Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? 0x30 : 0x80))), // indefinite nesting
      Buffer.concat([good, Buffer.alloc(1024 * 1024 - good.length)]),
    ];
    for (const der of inputs) {
      const ev = evaluateOcspResponse(der, ctx());
      expect(ev.certStatus).toBeNull();
      expect(ev.signature.valid).not.toBe(true);
      expect(ev.errors.length).toBeGreaterThan(0);
    }
    const huge = evaluateOcspResponse(Buffer.alloc(1024 * 1024, 0x30), ctx());
    expect(huge.errors[0]).toMatch(/more than the 65536 accepted/);
  });

  it('survives a successful response whose BasicOCSPResponse is garbage, and bad certificates', () => {
    expect(evaluateOcspResponse(wrapBasicResponse(Buffer.from('3003020101', 'hex')), ctx()).errors[0]).toMatch(/BasicOCSPResponse is malformed/);
    const ev = evaluateOcspResponse(makeResponse({ chain }), { leafDer: Buffer.from('garbage'), issuerDer: chain.intermediate.der, now: new Date() });
    expect(ev.certStatus).toBeNull();
    expect(ev.errors[0]).toMatch(/leaf certificate is not parseable/);
  });

  it('does not call a response with an unreadable thisUpdate fresh', () => {
    const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000 - 60 * MIN); // whole seconds: no fraction in the DER
    const der = makeResponse({ chain, thisUpdate });
    // GeneralizedTime "YYYYMMDDHHMMSSZ": replace the month digits of thisUpdate with letters.
    const text = thisUpdate.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    const at = der.indexOf(Buffer.from([0x18, 15, ...Buffer.from(text)]));
    expect(at).toBeGreaterThan(0);
    der.write('AB', at + 2 + 4, 'latin1');
    const ev = evaluateOcspResponse(der, ctx());
    expect(ev.fresh).toBe(false);
    expect(ev.errors.length).toBeGreaterThan(0);
  });

  it('reports an unsupported signature algorithm as unchecked', () => {
    const der = makeResponse({ chain });
    const ecdsaSha256 = Buffer.from('06082a8648ce3d040302', 'hex');
    const at = der.lastIndexOf(ecdsaSha256);
    der[at + ecdsaSha256.length - 1] = 0x09; // 1.2.840.10045.4.3.9: no such algorithm
    const ev = evaluateOcspResponse(der, ctx());
    expect(ev.signature).toMatchObject({ valid: null, detail: 'unsupported signature algorithm 1.2.840.10045.4.3.9' });
    expect(ev.errors.join('\n')).toMatch(/signature not checked/);
  });

  it('extracts the SCT list from the single-response extension', () => {
    const sctTls = Buffer.concat([Buffer.from([0x00, 0x06, 0x00, 0x04]), Buffer.from('sct!')]);
    const ext = new Extension({ extnID: SCT_LIST_OID, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(sctTls))) });
    const ev = evaluateOcspResponse(makeResponse({ chain, singleExtensions: [ext] }), ctx());
    expect(ev.sctList?.equals(sctTls)).toBe(true);
    expect(ev.signature.valid).toBe(true);
  });

  it('reports a malformed SCT list extension without failing the response', () => {
    const ext = new Extension({ extnID: SCT_LIST_OID, critical: false, extnValue: new OctetString(Buffer.from([0x30, 0x05])) });
    const ev = evaluateOcspResponse(makeResponse({ chain, singleExtensions: [ext] }), ctx());
    expect(ev.certStatus).toBe('good');
    expect(ev.sctList).toBeNull();
    expect(ev.errors).toContain('SCT list extension is malformed');
  });

  describe.each([
    ['rsa-2048', 'SHA256withRSA', false],
    ['rsa-2048', 'RSASSA-PSS (SHA256)', true],
    ['ec-p384', 'SHA384withECDSA', false],
    ['ed25519', 'Ed25519', false],
  ] as const)('with %s keys (%s)', (keyType, algName, pss) => {
    let c: Chain;
    beforeAll(async () => {
      c = await makeChain({ keyType });
    });

    it('verifies the issuer signature and rejects a flipped byte', () => {
      const now = new Date();
      const ev = evaluateOcspResponse(makeResponse({ chain: c, pss }), { leafDer: c.leaf.der, issuerDer: c.intermediate.der, now });
      expect(ev.signatureAlgorithm).toBe(algName);
      expect(ev.signature).toMatchObject({ valid: true, signer: 'issuer' });
      const bad = evaluateOcspResponse(makeResponse({ chain: c, pss, flipSignatureByte: true }), { leafDer: c.leaf.der, issuerDer: c.intermediate.der, now });
      expect(bad.signature.valid).toBe(false);
    });
  });
});

describe('buildOcspRequest', () => {
  it('encodes one SHA-1 CertID and a nonce only on request', async () => {
    const { leaf, intermediate } = await makeChain();
    const plain = AsnParser.parse(buildOcspRequest(leaf.der, intermediate.der), OCSPRequest);
    expect(plain.tbsRequest.requestList).toHaveLength(1);
    expect(plain.tbsRequest.requestExtensions).toBeUndefined();
    const id = plain.tbsRequest.requestList[0]!.reqCert;
    expect(id.hashAlgorithm.algorithm).toBe('1.3.14.3.2.26');
    expect(Buffer.from(id.serialNumber).toString('hex')).toBe(leaf.cert.serialNumber.toLowerCase());
    expect(AsnConvert.serialize(id)).toEqual(AsnConvert.serialize(buildCertId(leaf.der, intermediate.der)));
    // issuerKeyHash covers the issuer's public key BIT STRING contents.
    expect(Buffer.from(id.issuerKeyHash.buffer).equals(Buffer.from(responderIdByKey(intermediate.der).byKey!.buffer))).toBe(true);

    const nonce = randomBytes(16);
    const withNonce = AsnParser.parse(buildOcspRequest(leaf.der, intermediate.der, { nonce }), OCSPRequest);
    const ext = withNonce.tbsRequest.requestExtensions?.[0];
    expect(ext?.extnID).toBe(id_pkix_ocsp_nonce);
    expect(Buffer.from(AsnParser.parse(ext!.extnValue.buffer, OctetString).buffer).equals(nonce)).toBe(true);
  });

  it('throws a typed error on unparseable certificates', async () => {
    const { intermediate } = await makeChain();
    expect(() => buildOcspRequest(Buffer.from('nope'), intermediate.der)).toThrow(/leaf certificate is not parseable/);
    expect(() => buildCertId(intermediate.der, Buffer.alloc(0))).toThrow(/issuer certificate is not parseable/);
    expect(CertID).toBeDefined();
  });
});

describe('certificate extensions', () => {
  it('detects must-staple (TLS Feature with status_request)', async () => {
    const x509 = await loadX509();
    const root = await makeCert({ subject: 'CN=ext root', ca: true });
    const staple = await makeCert({
      subject: 'CN=staple.secgrade.test',
      issuer: root,
      extensions: [new x509.Extension('1.3.6.1.5.5.7.1.24', false, Buffer.from('3003020105', 'hex'))],
    });
    const v2Only = await makeCert({
      subject: 'CN=v2.secgrade.test',
      issuer: root,
      extensions: [new x509.Extension('1.3.6.1.5.5.7.1.24', false, Buffer.from('3003020111', 'hex'))],
    });
    const plain = await makeCert({ subject: 'CN=plain.secgrade.test', issuer: root });
    expect(mustStaple(staple.der)).toBe(true);
    expect(mustStaple(v2Only.der)).toBe(false);
    expect(mustStaple(plain.der)).toBe(false);
    expect(mustStaple(Buffer.from('garbage'))).toBe(false);
  });

  it('reads http OCSP responder URLs from AIA', async () => {
    const x509 = await loadX509();
    const root = await makeCert({ subject: 'CN=aia root', ca: true });
    const aia = new x509.AuthorityInfoAccessExtension({
      ocsp: ['http://ocsp.secgrade.test/', 'https://ocsp-tls.secgrade.test/', 'ldap://ldap.secgrade.test/'],
      caIssuers: ['http://ca.secgrade.test/int.der'],
    });
    const leaf = await makeCert({ subject: 'CN=aia.secgrade.test', issuer: root, extensions: [aia] });
    expect(ocspResponderUrls(leaf.der)).toEqual(['http://ocsp.secgrade.test/']);
    expect(ocspResponderUrls(root.der)).toEqual([]);
    expect(ocspResponderUrls(Buffer.from('garbage'))).toEqual([]);
  });
});
