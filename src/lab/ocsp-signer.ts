// OCSP responses signed by a lab CA (RFC 6960 §4.2): what the lab staples and what tests hand to
// `openssl s_server -status_file`. Optionally carries SCTs in the single-response extension
// 1.3.6.1.4.1.11129.2.4.5, the third way a server can deliver them (RFC 6962 §3.3).
import { createHash, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, AsnParser, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertStatus,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { buildCertId } from '../cert/ocsp.js';
import { sctExtensionValue } from './ct-log.js';

export interface OcspResponseSpec {
  leafDer: Buffer;
  issuerDer: Buffer;
  /** The issuer's private key (the lab signs as the issuing CA itself, no delegated responder). */
  issuerKey: KeyObject;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  thisUpdate: Date;
  /** null leaves nextUpdate out. */
  nextUpdate: Date | null;
  /** A SignedCertificateTimestampList to staple with the status. */
  sctList?: Buffer;
}

const OCSP_SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.5';

/** The signature algorithm (and hash) for `key`: SHA-256, or SHA-384 with a P-384 key; Ed25519 hashes itself. */
export function algorithmFor(key: KeyObject): { id: AlgorithmIdentifier; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }), hash: 'sha256' };
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'secp384r1'
        ? { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }), hash: 'sha384' }
        : { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), hash: 'sha256' };
    case 'ed25519':
      return { id: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), hash: null };
    default:
      throw new Error(`lab OCSP: cannot sign with a ${key.asymmetricKeyType} key`);
  }
}

/** ResponderID byKey (RFC 6960 §4.2.1): the SHA-1 of the responder certificate's public key. */
export function responderIdByKey(certDer: Buffer): ResponderID {
  const spki = AsnParser.parse(certDer, Certificate).tbsCertificate.subjectPublicKeyInfo;
  return new ResponderID({ byKey: new OctetString(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest()) });
}

/** A successful OCSPResponse carrying `basicDer` (a DER BasicOCSPResponse, or any bytes in its place). */
export function wrapBasicResponse(basicDer: ArrayBuffer | Buffer): Buffer {
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(basicDer) }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}

export function signOcspResponse(spec: OcspResponseSpec): Buffer {
  const certStatus =
    spec.status === 'good'
      ? new CertStatus({ good: null })
      : spec.status === 'unknown'
        ? new CertStatus({ unknown: null })
        : new CertStatus({ revoked: new RevokedInfo({ revocationTime: spec.revokedAt ?? spec.thisUpdate }) });
  const singleExtensions = spec.sctList
    ? [new Extension({ extnID: OCSP_SCT_LIST_OID, critical: false, extnValue: new OctetString(sctExtensionValue(spec.sctList)) })]
    : undefined;
  const single = new SingleResponse({
    certID: buildCertId(spec.leafDer, spec.issuerDer),
    certStatus,
    thisUpdate: spec.thisUpdate,
    ...(spec.nextUpdate ? { nextUpdate: spec.nextUpdate } : {}),
    ...(singleExtensions ? { singleExtensions } : {}),
  });
  const tbs = new ResponseData({
    responderID: responderIdByKey(spec.issuerDer),
    producedAt: spec.thisUpdate,
    responses: [single],
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const { id, hash } = algorithmFor(spec.issuerKey);
  const signature = sign(hash, tbsDer, spec.issuerKey);
  const basic = new BasicOCSPResponse({ tbsResponseData: tbs, signatureAlgorithm: id, signature: new Uint8Array(signature).buffer });
  return wrapBasicResponse(AsnConvert.serialize(basic));
}
