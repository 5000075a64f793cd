// OCSP (RFC 6960): build a request for a leaf, judge a responder's answer (status, freshness,
// signature, SCTs) and read the leaf's OCSP-related extensions. The answer comes from the network
// or a staple, so every byte is hostile: sizes are capped, parser exceptions become typed errors.
// The @peculiar ASN.1 modules cost ~180 ms to load: callers should import this module lazily.
import { createHash, createPublicKey, verify, constants, type KeyObject } from 'node:crypto';
import { AsnConvert, AsnParser, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReasons, ExtendedKeyUsage, Extension, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  Request,
  TBSRequest,
  type SingleResponse,
} from '@peculiar/asn1-ocsp';
import { certificateLayout, childrenOf, encodeOidContent, findExtensions, readTbsCertificate, readTlv, TAG, type Tlv } from './der.js';

export { ocspResponderUrls } from './der.js';

export type OcspResponseStatus = 'successful' | 'malformedRequest' | 'internalError' | 'tryLater' | 'sigRequired' | 'unauthorized';
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';
export type OcspSigner = 'issuer' | 'delegated' | 'unknown';

export interface OcspSignatureCheck {
  /** null: could not be checked (issuer unknown, unsupported algorithm, unparseable response). */
  valid: boolean | null;
  signer: OcspSigner;
  detail: string;
}

export interface OcspEvaluation {
  /** null when the bytes are not an OCSPResponse (or carry an undefined status value). */
  responseStatus: OcspResponseStatus | null;
  /** null when no SingleResponse matches our CertID. */
  certStatus: OcspCertStatus | null;
  revokedAt: Date | null;
  /** CRLReason name (RFC 5280 §5.3.1), e.g. 'keyCompromise'; null when absent or not revoked. */
  revocationReason: string | null;
  producedAt: Date | null;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  /** thisUpdate not in the future and nextUpdate not past (both with clock-skew allowance). */
  fresh: boolean;
  /** Name of the response signature algorithm, or its OID when unknown. */
  signatureAlgorithm: string | null;
  signature: OcspSignatureCheck;
  /** TLS-encoded SignedCertificateTimestampList from the matching SingleResponse (RFC 6962 §3.3). */
  sctList: Buffer | null;
  errors: string[];
}

export interface OcspEvaluationContext {
  leafDer: Uint8Array;
  /** The leaf's issuer; without it the signature cannot be checked and CertID matches on name and serial. */
  issuerDer: Uint8Array | null;
  now: Date;
}

export const MAX_OCSP_RESPONSE_BYTES = 64 * 1024;
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Without nextUpdate a response has no stated lifetime; older than this it is called stale. */
export const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 7 * 86_400_000;

const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.5';
const OID_TLS_FEATURE = encodeOidContent('1.3.6.1.5.5.7.1.24');
const MAX_TLS_FEATURES = 64;
const TLS_FEATURE_STATUS_REQUEST = 5;
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
// Bounds for asn1js on hostile input (its defaults allow 16 MB and 10 000 nodes).
const PARSE_OPTIONS = { berOptions: { maxDepth: 40, maxNodes: 20_000, maxContentLength: MAX_OCSP_RESPONSE_BYTES } };

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature OID → [display name, node hash (null for EdDSA), family]. */
const SIGNATURE_OIDS: Record<string, [string, string | null, 'rsa' | 'ecdsa' | 'eddsa']> = {
  '1.2.840.113549.1.1.5': ['SHA1withRSA', 'sha1', 'rsa'],
  '1.2.840.113549.1.1.14': ['SHA224withRSA', 'sha224', 'rsa'],
  '1.2.840.113549.1.1.11': ['SHA256withRSA', 'sha256', 'rsa'],
  '1.2.840.113549.1.1.12': ['SHA384withRSA', 'sha384', 'rsa'],
  '1.2.840.113549.1.1.13': ['SHA512withRSA', 'sha512', 'rsa'],
  '1.2.840.10045.4.1': ['SHA1withECDSA', 'sha1', 'ecdsa'],
  '1.2.840.10045.4.3.1': ['SHA224withECDSA', 'sha224', 'ecdsa'],
  '1.2.840.10045.4.3.2': ['SHA256withECDSA', 'sha256', 'ecdsa'],
  '1.2.840.10045.4.3.3': ['SHA384withECDSA', 'sha384', 'ecdsa'],
  '1.2.840.10045.4.3.4': ['SHA512withECDSA', 'sha512', 'ecdsa'],
  '1.3.101.112': ['Ed25519', null, 'eddsa'],
  '1.3.101.113': ['Ed448', null, 'eddsa'],
};

const RESPONSE_STATUS: Record<number, OcspResponseStatus> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

// Small schemas of our own, decorated by hand (the project compiles without experimentalDecorators).

/** RSASSA-PSS-params (RFC 4055); absent fields mean SHA-1, MGF1-SHA-1, salt 20. */
class PssParams {
  hashAlgorithm?: AlgorithmIdentifier;
  maskGenAlgorithm?: AlgorithmIdentifier;
  saltLength?: number;
  trailerField?: number;
}
AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true })(PssParams.prototype, 'hashAlgorithm');
AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })(PssParams.prototype, 'maskGenAlgorithm');
AsnProp({ type: AsnPropTypes.Integer, context: 2, optional: true })(PssParams.prototype, 'saltLength');
AsnProp({ type: AsnPropTypes.Integer, context: 3, optional: true })(PssParams.prototype, 'trailerField');

export class OcspInputError extends Error {
  override name = 'OcspInputError';
}

function bytes(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

function digest(alg: string, data: Uint8Array): Buffer {
  return createHash(alg).update(data).digest();
}

/** Serial numbers compared as integers: a stray leading zero byte must not break the match. */
function serialBytes(data: ArrayBuffer | ArrayBufferView): Buffer {
  const b = bytes(data);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

interface CertParts {
  cert: Certificate;
  tbsDer: Buffer;
  serial: Buffer;
  issuerNameDer: Buffer;
  subjectNameDer: Buffer;
  spkiDer: Buffer;
  /** subjectPublicKey BIT STRING contents: what CertID's issuerKeyHash covers. */
  publicKeyBits: Buffer;
}

function certParts(cert: Certificate): CertParts {
  if (!cert.tbsCertificateRaw) throw new OcspInputError('certificate without raw TBSCertificate');
  const tbsDer = bytes(cert.tbsCertificateRaw);
  // Hash the names and key exactly as encoded: re-serializing a parsed Name may change its bytes.
  const tbs = readTbsCertificate(tbsDer);
  if (!tbs) throw new OcspInputError('certificate TBSCertificate is incomplete');
  const raw = (t: Tlv) => tbsDer.subarray(t.headerStart, t.end);
  return {
    cert,
    tbsDer,
    serial: serialBytes(cert.tbsCertificate.serialNumber),
    issuerNameDer: raw(tbs.issuer),
    subjectNameDer: raw(tbs.subject),
    spkiDer: raw(tbs.spki),
    publicKeyBits: bytes(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
  };
}

function parseCert(der: Uint8Array, what: string): CertParts {
  try {
    return certParts(AsnParser.parse(der, Certificate, PARSE_OPTIONS));
  } catch (err) {
    throw new OcspInputError(`${what} certificate is not parseable: ${firstLine(err)}`);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'error';
}

/** CertID (RFC 6960 §4.1.1) with SHA-1, as every responder accepts. Throws OcspInputError on bad certificates. */
export function buildCertId(leafDer: Uint8Array, issuerDer: Uint8Array): CertID {
  const leaf = parseCert(leafDer, 'leaf');
  const issuer = parseCert(issuerDer, 'issuer');
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(digest('sha1', issuer.subjectNameDer)),
    issuerKeyHash: new OctetString(digest('sha1', issuer.publicKeyBits)),
    serialNumber: new Uint8Array(bytes(leaf.cert.tbsCertificate.serialNumber)).buffer,
  });
}

/**
 * DER OCSPRequest for one certificate. No nonce by default: many responders serve pre-signed
 * answers and ignore (or reject) nonces. Throws OcspInputError on bad certificates.
 */
export function buildOcspRequest(leafDer: Uint8Array, issuerDer: Uint8Array, opts: { nonce?: Uint8Array } = {}): Buffer {
  const tbsRequest = new TBSRequest({ requestList: [new Request({ reqCert: buildCertId(leafDer, issuerDer) })] });
  if (opts.nonce) {
    // RFC 8954: the nonce extension's value is itself an OCTET STRING.
    const inner = AsnConvert.serialize(new OctetString(opts.nonce));
    tbsRequest.requestExtensions = [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(inner) })];
  }
  return Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest })));
}

// ---------------------------------------------------------------------------------------------
// Signatures

type VerifyPlan = { name: string; hash: string | null; family: 'rsa' | 'ecdsa' | 'eddsa'; pssSalt?: number };

function verifyPlan(alg: AlgorithmIdentifier): VerifyPlan | string {
  const known = SIGNATURE_OIDS[alg.algorithm];
  if (known) return { name: known[0], hash: known[1], family: known[2] };
  if (alg.algorithm !== OID_RSASSA_PSS) return `unsupported signature algorithm ${alg.algorithm}`;
  try {
    const p = alg.parameters ? AsnParser.parse(alg.parameters, PssParams, PARSE_OPTIONS) : new PssParams();
    const hash = HASH_OIDS[p.hashAlgorithm?.algorithm ?? '1.3.14.3.2.26'];
    const mgf = p.maskGenAlgorithm;
    const mgfHash = mgf
      ? mgf.algorithm === OID_MGF1 && mgf.parameters
        ? HASH_OIDS[AsnParser.parse(mgf.parameters, AlgorithmIdentifier, PARSE_OPTIONS).algorithm]
        : undefined
      : 'sha1';
    // node:crypto uses the signature hash for MGF1 too; other combinations cannot be checked.
    if (!hash || mgfHash !== hash || (p.trailerField ?? 1) !== 1) return 'unsupported RSASSA-PSS parameters';
    return { name: `RSASSA-PSS (${hash.toUpperCase()})`, hash, family: 'rsa', pssSalt: p.saltLength ?? 20 };
  } catch {
    return 'malformed RSASSA-PSS parameters';
  }
}

function verifyWith(plan: VerifyPlan, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (plan.family === 'rsa' && key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
    if (plan.family === 'ecdsa' && key.asymmetricKeyType !== 'ec') return false;
    if (plan.family === 'eddsa' && key.asymmetricKeyType !== 'ed25519' && key.asymmetricKeyType !== 'ed448') return false;
    if (plan.pssSalt !== undefined) {
      return verify(plan.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: plan.pssSalt }, signature);
    }
    return verify(plan.hash, data, key, signature);
  } catch {
    return false; // malformed signature or key/algorithm mismatch
  }
}

function publicKeyOf(parts: CertParts): KeyObject | null {
  try {
    return createPublicKey({ key: parts.spkiDer, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

function hasOcspSigningEku(cert: Certificate): boolean {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (!ext) return false;
  try {
    return AsnParser.parse(ext.extnValue.buffer, ExtendedKeyUsage, PARSE_OPTIONS).includes(id_kp_OCSPSigning);
  } catch {
    return false;
  }
}

function subjectLabel(cert: Certificate): string {
  for (const rdn of cert.tbsCertificate.subject) {
    for (const atv of rdn) if (atv.type === '2.5.4.3') return `CN=${atv.value.toString()}`;
  }
  return 'no CN';
}

/** RFC 6960 §4.2.2.2: signed by the issuer itself, or by a responder certificate the issuer issued for OCSP signing. */
function checkSignature(basic: BasicOCSPResponse, tbsDer: Buffer, issuer: CertParts | null, now: Date): OcspSignatureCheck {
  const plan = verifyPlan(basic.signatureAlgorithm);
  if (typeof plan === 'string') return { valid: null, signer: 'unknown', detail: plan };
  if (!issuer) return { valid: null, signer: 'unknown', detail: 'issuer certificate unknown: the signature cannot be checked' };
  const issuerKey = publicKeyOf(issuer);
  if (!issuerKey) return { valid: null, signer: 'unknown', detail: 'issuer public key is not usable' };
  const signature = bytes(basic.signature);
  if (verifyWith(plan, issuerKey, tbsDer, signature)) return { valid: true, signer: 'issuer', detail: 'signed by the issuing CA' };

  for (const embedded of basic.certs ?? []) {
    let parts: CertParts;
    try {
      parts = certParts(embedded);
    } catch {
      continue;
    }
    const key = publicKeyOf(parts);
    if (!key || !verifyWith(plan, key, tbsDer, signature)) continue;
    const who = subjectLabel(embedded);
    const certPlan = verifyPlan(embedded.signatureAlgorithm);
    const issuedByIssuer =
      typeof certPlan !== 'string' &&
      parts.issuerNameDer.equals(issuer.subjectNameDer) &&
      verifyWith(certPlan, issuerKey, parts.tbsDer, bytes(embedded.signatureValue));
    if (!issuedByIssuer) {
      return { valid: false, signer: 'unknown', detail: `signed by an embedded certificate (${who}) the issuer did not issue` };
    }
    if (!hasOcspSigningEku(embedded)) {
      return { valid: false, signer: 'delegated', detail: `delegated responder certificate (${who}) lacks id-kp-OCSPSigning` };
    }
    const { notBefore, notAfter } = embedded.tbsCertificate.validity;
    if (now < notBefore.getTime() || now > notAfter.getTime()) {
      return { valid: false, signer: 'delegated', detail: `delegated responder certificate (${who}) is outside its validity period` };
    }
    return { valid: true, signer: 'delegated', detail: `signed by a delegated responder (${who}) the issuer certified` };
  }
  const byIssuerKey = basic.tbsResponseData.responderID.byKey;
  const namesIssuer = byIssuerKey
    ? bytes(byIssuerKey.buffer).equals(digest('sha1', issuer.publicKeyBits))
    : basic.tbsResponseData.responderID.byName !== undefined &&
      Buffer.from(AsnConvert.serialize(basic.tbsResponseData.responderID.byName)).equals(issuer.subjectNameDer);
  return {
    valid: false,
    signer: namesIssuer ? 'issuer' : 'unknown',
    detail: 'signature does not verify with the issuer key or an embedded responder certificate',
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function emptyEvaluation(errors: string[]): OcspEvaluation {
  return {
    responseStatus: null,
    certStatus: null,
    revokedAt: null,
    revocationReason: null,
    producedAt: null,
    thisUpdate: null,
    nextUpdate: null,
    fresh: false,
    signatureAlgorithm: null,
    signature: { valid: null, signer: 'unknown', detail: 'no signed response' },
    sctList: null,
    errors,
  };
}

function findSingleResponse(responses: SingleResponse[], leaf: CertParts, issuer: CertParts | null): SingleResponse | null {
  // The responder picks the CertID hash; the issuer name hash falls back to the leaf's issuer field.
  const nameDer = issuer?.subjectNameDer ?? leaf.issuerNameDer;
  for (const single of responses) {
    const id = single.certID;
    const hash = HASH_OIDS[id.hashAlgorithm.algorithm];
    if (!hash || !serialBytes(id.serialNumber).equals(leaf.serial)) continue;
    if (!bytes(id.issuerNameHash.buffer).equals(digest(hash, nameDer))) continue;
    if (issuer && !bytes(id.issuerKeyHash.buffer).equals(digest(hash, issuer.publicKeyBits))) continue;
    return single;
  }
  return null;
}

function sctListOf(single: SingleResponse, errors: string[]): Buffer | null {
  const ext = single.singleExtensions?.find((e) => e.extnID === OID_SCT_LIST);
  if (!ext) return null;
  try {
    // extnValue wraps a DER OCTET STRING that holds the TLS-encoded list.
    return bytes(AsnParser.parse(ext.extnValue.buffer, OctetString, PARSE_OPTIONS).buffer);
  } catch {
    errors.push('SCT list extension is malformed');
    return null;
  }
}

/** asn1js turns a malformed time into an Invalid Date, which would compare as neither past nor future. */
function validDate(d: Date | undefined): Date | null {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d : null;
}

function freshness(thisUpdate: Date | null, nextUpdate: Date | null, now: Date, errors: string[]): boolean {
  if (!thisUpdate) {
    errors.push('thisUpdate is not a valid time');
    return false;
  }
  const t = now.getTime();
  let fresh = true;
  if (thisUpdate.getTime() > t + CLOCK_SKEW_MS) {
    errors.push(`thisUpdate ${thisUpdate.toISOString()} is in the future`);
    fresh = false;
  }
  if (nextUpdate) {
    if (nextUpdate.getTime() < t - CLOCK_SKEW_MS) {
      errors.push(`response is stale: nextUpdate ${nextUpdate.toISOString()} has passed`);
      fresh = false;
    }
  } else if (t - thisUpdate.getTime() > MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    errors.push(`response is stale: no nextUpdate and thisUpdate ${thisUpdate.toISOString()} is more than 7 days old`);
    fresh = false;
  }
  return fresh;
}

/** Judge a DER OCSPResponse for ctx.leafDer. Never throws: problems land in `errors`. */
export function evaluateOcspResponse(der: Uint8Array, ctx: OcspEvaluationContext): OcspEvaluation {
  try {
    return evaluate(der, ctx);
  } catch (err) {
    return emptyEvaluation([`OCSP response could not be evaluated: ${firstLine(err)}`]);
  }
}

function evaluate(der: Uint8Array, ctx: OcspEvaluationContext): OcspEvaluation {
  if (der.length > MAX_OCSP_RESPONSE_BYTES) {
    return emptyEvaluation([`OCSP response is ${der.length} bytes, more than the ${MAX_OCSP_RESPONSE_BYTES} accepted`]);
  }
  if (der.length === 0) return emptyEvaluation(['OCSP response is empty']);
  let response: OCSPResponse;
  try {
    response = AsnParser.parse(der, OCSPResponse, PARSE_OPTIONS);
  } catch (err) {
    return emptyEvaluation([`OCSP response is malformed: ${firstLine(err)}`]);
  }
  const status = RESPONSE_STATUS[response.responseStatus];
  const out = emptyEvaluation([]);
  const errors = out.errors;
  if (!status) return { ...out, errors: [`OCSP responseStatus ${response.responseStatus} is undefined`] };
  out.responseStatus = status;
  if (status !== 'successful') return { ...out, errors: [`responder answered ${status}`] };
  if (!response.responseBytes) return { ...out, errors: ['successful response without responseBytes'] };
  if (response.responseBytes.responseType !== id_pkix_ocsp_basic) {
    return { ...out, errors: [`unsupported response type ${response.responseBytes.responseType}`] };
  }

  let basic: BasicOCSPResponse;
  try {
    basic = AsnParser.parse(response.responseBytes.response.buffer, BasicOCSPResponse, PARSE_OPTIONS);
  } catch (err) {
    return { ...out, errors: [`BasicOCSPResponse is malformed: ${firstLine(err)}`] };
  }
  if (!basic.tbsResponseDataRaw) return { ...out, errors: ['BasicOCSPResponse without raw ResponseData'] };
  const data = basic.tbsResponseData;
  out.producedAt = validDate(data.producedAt);
  const plan = verifyPlan(basic.signatureAlgorithm);
  out.signatureAlgorithm = typeof plan === 'string' ? basic.signatureAlgorithm.algorithm : plan.name;

  let leaf: CertParts;
  let issuer: CertParts | null = null;
  try {
    leaf = parseCert(ctx.leafDer, 'leaf');
    if (ctx.issuerDer) issuer = parseCert(ctx.issuerDer, 'issuer');
  } catch (err) {
    return { ...out, errors: [firstLine(err)] };
  }
  out.signature = checkSignature(basic, bytes(basic.tbsResponseDataRaw), issuer, ctx.now);
  if (out.signature.valid === false) errors.push(`OCSP signature invalid: ${out.signature.detail}`);
  if (!issuer) errors.push('issuer certificate unknown: CertID matched on issuer name and serial only');
  else if (out.signature.valid === null) errors.push(`OCSP signature not checked: ${out.signature.detail}`);

  const single = findSingleResponse(data.responses, leaf, issuer);
  if (!single) {
    errors.push('no SingleResponse for this certificate');
    return out;
  }
  const cs = single.certStatus;
  if (cs.revoked) {
    out.certStatus = 'revoked';
    out.revokedAt = validDate(cs.revoked.revocationTime);
    const reason = cs.revoked.revocationReason?.reason;
    out.revocationReason = reason === undefined ? null : (CRLReasons[reason] ?? `reason ${reason}`);
  } else if (cs.good !== undefined) {
    out.certStatus = 'good';
  } else {
    out.certStatus = 'unknown';
  }
  out.thisUpdate = validDate(single.thisUpdate);
  out.nextUpdate = validDate(single.nextUpdate);
  if (single.nextUpdate && !out.nextUpdate) errors.push('nextUpdate is not a valid time');
  out.fresh = freshness(out.thisUpdate, out.nextUpdate, ctx.now, errors) && !(single.nextUpdate && !out.nextUpdate);
  out.sctList = sctListOf(single, errors);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Certificate extensions

/** TLS Feature extension (RFC 7633, SEQUENCE OF INTEGER) listing status_request: the server must staple. */
export function mustStaple(leafDer: Uint8Array): boolean {
  const layout = certificateLayout(leafDer);
  const ext = layout && findExtensions(leafDer, layout, OID_TLS_FEATURE)?.[0];
  const features = ext && readTlv(leafDer, ext.value.start, ext.value.end);
  const list = features && features.tag === TAG.SEQUENCE ? childrenOf(leafDer, features, MAX_TLS_FEATURES) : null;
  return (list ?? []).some((f) => f.tag === TAG.INTEGER && f.end - f.start === 1 && leafDer[f.start] === TLS_FEATURE_STATUS_REQUEST);
}
