// Turn DER certificates into the report's certificate facts. Pure: the scan time is a parameter.
// Read by our own bounded DER reader (src/cert/decode.ts), so a certificate OpenSSL will not load
// (an empty subject, an odd string type, an unusual key) is still described.
import { createHash } from 'node:crypto';
import { decodeCertificate, type DecodedCertificate } from './decode.js';
import { generalNameText } from './general-name.js';
import { sanMatchesHost } from './host-match.js';
import { CURVES, type PublicKeyInfo } from './public-key.js';
import { signedBySelf } from './signature.js';
import { namesEqual } from './name.js';
import type { CertificateInfo } from '../model/report.js';

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5withRSA',
  '1.2.840.113549.1.1.5': 'SHA1withRSA',
  '1.2.840.113549.1.1.11': 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.113549.1.1.14': 'SHA224withRSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'SHA1withECDSA',
  '1.2.840.10045.4.3.1': 'SHA224withECDSA',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
  '1.2.840.10045.4.3.4': 'SHA512withECDSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.3': 'SHA1withDSA',
  '2.16.840.1.101.3.4.3.2': 'SHA256withDSA',
};

const DAY_MS = 86_400_000;

/**
 * Why a served certificate could not be read: `unparseable` (not a DER X.509 certificate) or
 * `bad-time` (it is one, but notBefore/notAfter is not a valid time). Clients reject such a
 * certificate, so the chain it is in is not trusted.
 */
export type CertificateReadErrorCode = 'unparseable' | 'bad-time';

export class CertificateReadError extends Error {
  constructor(
    readonly code: CertificateReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateReadError';
  }
}

/** The decoded certificate, or a CertificateReadError: 'unparseable', or 'bad-time' when a date is not a valid time. */
export function readCertificate(der: Buffer): DecodedCertificate & { notBefore: Date; notAfter: Date } {
  const d = decodeCertificate(der);
  if (!d.ok) throw new CertificateReadError('unparseable', `not a readable X.509 certificate: ${d.error}`);
  const bad = [...(d.cert.notBefore ? [] : [`notBefore ("${d.cert.validityText[0]}")`]), ...(d.cert.notAfter ? [] : [`notAfter ("${d.cert.validityText[1]}")`])];
  if (bad.length > 0) throw new CertificateReadError('bad-time', `${bad.join(' and ')} ${bad.length > 1 ? 'are not valid times' : 'is not a valid time'}`);
  return d.cert as DecodedCertificate & { notBefore: Date; notAfter: Date };
}

export function signatureAlgorithmOf(der: Buffer): string {
  const d = decodeCertificate(der);
  const oid = d.ok ? d.cert.signatureAlgorithm.oid : null;
  return oid === null ? 'unknown' : (SIGNATURE_OIDS[oid] ?? oid);
}

/** SAN entries as the report lists them: DNS names, IP addresses, e-mail addresses and URIs without type tags. */
function sanList(cert: DecodedCertificate): string[] {
  return (cert.ext.subjectAltName ?? []).flatMap((n) => {
    if (n.kind === 'dNSName' || n.kind === 'rfc822Name' || n.kind === 'uniformResourceIdentifier') return n.value ? [n.value] : [];
    if (n.kind === 'iPAddress') return [generalNameText(n).slice(3)];
    return [];
  });
}

/** Whether the certificate names `host` (RFC 6125 as browsers apply it; see host-match.ts). */
export function matchesHost(cert: DecodedCertificate, host: string): boolean {
  return sanMatchesHost(cert.ext.subjectAltName, host);
}

/** DNS names in subjectAltName (without IPs, e-mail addresses or URIs). */
export function dnsSans(cert: DecodedCertificate): string[] {
  return (cert.ext.subjectAltName ?? []).flatMap((n) => (n.kind === 'dNSName' ? [n.value] : []));
}

function keyFacts(k: PublicKeyInfo): Pick<CertificateInfo, 'keyType' | 'keyBits' | 'curve' | 'rsaExponent'> {
  const curve = k.curveOid ? CURVES[k.curveOid] : undefined;
  switch (k.kind) {
    case 'RSA':
    case 'RSA-PSS':
      return { keyType: k.kind, keyBits: k.rsaBits, curve: null, rsaExponent: k.rsaExponent };
    case 'EC':
      return { keyType: 'EC', keyBits: curve?.bits ?? null, curve: curve?.openssl ?? k.curveOid, rsaExponent: null };
    case 'DSA':
      return { keyType: 'DSA', keyBits: k.dsaBits, curve: null, rsaExponent: null };
    case 'Ed25519':
      return { keyType: 'Ed25519', keyBits: 256, curve: null, rsaExponent: null };
    case 'Ed448':
      return { keyType: 'Ed448', keyBits: 456, curve: null, rsaExponent: null };
    default:
      return { keyType: k.algorithm, keyBits: null, curve: null, rsaExponent: null };
  }
}

/** Serial number as hex, as OpenSSL prints it (no sign octet, upper case turned lower). */
function serialHex(serial: Buffer): string {
  const hex = serial.toString('hex');
  return hex.length > 2 && hex.startsWith('00') ? hex.slice(2) : hex;
}

export interface DescribeOptions {
  /** Host name the certificate should match, or null to leave hostnameMatch untested. */
  host: string | null;
  now: Date;
  /** Verification result of the whole chain, known only for the leaf. */
  trusted: boolean | null;
  trustError: string | null;
  ocspStapled: boolean | null;
}

/**
 * Facts of one certificate; `opts` applies to the leaf (index 0), later ones get nulls. Throws a
 * CertificateReadError when the certificate cannot be read or its dates are not valid times.
 */
export function describeCertificate(der: Buffer, index: number, opts: DescribeOptions): CertificateInfo {
  const cert = readCertificate(der);
  const { notBefore, notAfter } = cert;
  const isLeaf = index === 0;
  return {
    subject: cert.subjectText,
    issuer: cert.issuerText,
    sans: sanList(cert),
    serialNumber: serialHex(cert.serial),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysRemaining: Math.floor((notAfter.getTime() - opts.now.getTime()) / DAY_MS),
    lifetimeDays: Math.round((notAfter.getTime() - notBefore.getTime()) / DAY_MS),
    ...keyFacts(cert.publicKey),
    signatureAlgorithm: SIGNATURE_OIDS[cert.signatureAlgorithm.oid] ?? cert.signatureAlgorithm.oid,
    ca: cert.ext.basicConstraints?.ca ?? false,
    extendedKeyUsage: cert.ext.extKeyUsage ?? null,
    trusted: isLeaf ? opts.trusted : null,
    trustError: isLeaf ? opts.trustError : null,
    hostnameMatch: isLeaf && opts.host !== null ? matchesHost(cert, opts.host) : null,
    chainComplete: null,
    // Name and signature: the certificate's own key verifies it.
    selfSigned: namesEqual(cert.subject, cert.issuer) && signedBySelf(cert),
    ocspStapled: isLeaf ? opts.ocspStapled : null,
    scts: null,
  };
}
