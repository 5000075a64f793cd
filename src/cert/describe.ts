// Turn DER certificates into the report's certificate facts. Pure: the scan time is a parameter.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateSignatureOid } from './der.js';
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
 * Why a served certificate could not be read: `unparseable` (not DER X.509 Node can load) or
 * `bad-time` (it loads, but notBefore/notAfter is not a valid time: OpenSSL prints "Bad time
 * value"). Clients reject such a certificate, so the chain it is in is not trusted.
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

/** Node's X509Certificate of `der`, or a CertificateReadError('unparseable'). */
export function readCertificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new CertificateReadError('unparseable', `not a readable X.509 certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** notBefore and notAfter as dates, or a CertificateReadError('bad-time') naming the field and what OpenSSL made of it. */
export function validityOf(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const bad = [
    ...(Number.isNaN(notBefore.getTime()) ? [`notBefore ("${cert.validFrom}")`] : []),
    ...(Number.isNaN(notAfter.getTime()) ? [`notAfter ("${cert.validTo}")`] : []),
  ];
  if (bad.length > 0) throw new CertificateReadError('bad-time', `${bad.join(' and ')} ${bad.length > 1 ? 'are not valid times' : 'is not a valid time'}`);
  return { notBefore, notAfter };
}

export function signatureAlgorithmOf(der: Buffer): string {
  const oid = certificateSignatureOid(der);
  return oid === null ? 'unknown' : (SIGNATURE_OIDS[oid] ?? oid);
}

/** SANs from Node's `subjectAltName` string ("DNS:a, IP Address:1.2.3.4"), without the type tags. */
export function parseSubjectAltName(san: string | undefined): string[] {
  if (!san) return [];
  return san
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address|email|URI):/, '').trim())
    .filter((s) => s.length > 0);
}

/**
 * RFC 6125 as browsers apply it: DNS names only from subjectAltName (the subject CN is ignored,
 * as Chrome and Firefox do), a wildcard only as the whole left-most label and matching exactly
 * one label (`*.a.com` matches `x.a.com`, not `a.com` or `x.y.a.com`), IP addresses only against
 * IP SANs.
 */
export function matchesHost(cert: X509Certificate, host: string): boolean {
  if (isIP(host)) return cert.checkIP(host) !== undefined;
  return cert.checkHost(host, { subject: 'never', wildcards: true, partialWildcards: false, singleLabelSubdomains: false }) !== undefined;
}

/** DNS names in subjectAltName (without IPs, e-mail addresses or URIs). */
export function dnsSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4).trim());
}

function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
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
  const { notBefore, notAfter } = validityOf(cert);
  let key: KeyObject;
  try {
    key = cert.publicKey;
  } catch (err) {
    throw new CertificateReadError('unparseable', `its public key cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const details = key.asymmetricKeyDetails ?? {};
  const keyType = (key.asymmetricKeyType ?? 'unknown').toUpperCase().replace('ED25519', 'Ed25519').replace('ED448', 'Ed448');
  let keyBits: number | null = details.modulusLength ?? null;
  if (keyBits === null && details.namedCurve) {
    keyBits = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256 }[details.namedCurve] ?? null;
  }
  if (keyType === 'Ed25519') keyBits = 256;
  if (keyType === 'Ed448') keyBits = 456;
  const isLeaf = index === 0;
  const exponent = details.publicExponent;
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    sans: parseSubjectAltName(cert.subjectAltName),
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysRemaining: Math.floor((notAfter.getTime() - opts.now.getTime()) / DAY_MS),
    lifetimeDays: Math.round((notAfter.getTime() - notBefore.getTime()) / DAY_MS),
    keyType,
    keyBits,
    curve: details.namedCurve ?? null,
    rsaExponent: exponent === undefined ? null : Number(exponent),
    signatureAlgorithm: signatureAlgorithmOf(der),
    ca: cert.ca,
    // Node lists the extension's OIDs as `keyUsage`; undefined when the extension is absent.
    extendedKeyUsage: cert.keyUsage ?? null,
    trusted: isLeaf ? opts.trusted : null,
    trustError: isLeaf ? opts.trustError : null,
    hostnameMatch: isLeaf && opts.host !== null ? matchesHost(cert, opts.host) : null,
    chainComplete: null,
    // Name and signature, not checkIssued(): OpenSSL's check also wants keyCertSign, which a self-signed leaf lacks.
    selfSigned: cert.subject === cert.issuer && safeVerify(cert),
    ocspStapled: isLeaf ? opts.ocspStapled : null,
    scts: null,
  };
}

function safeVerify(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}
