// Throwaway PKI for the offline lab: an ECDSA P-256 root, an intermediate under it, and leaves
// issued by the intermediate (optionally with embedded SCTs from lab CT logs, an AIA caIssuers
// URL, or self-signed). Pure WebCrypto + @peculiar/x509, so the lab needs no openssl binary.
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from '../cert/x509-lib.js';
import { precertEntryFromIssuer } from '../ct/verify.js';
import { issueSct, sctExtensionValue, sctListOf, type LabCtLog } from './ct-log.js';

// The project compiles without the DOM lib, so name WebCrypto's types through node:crypto.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface KeyPairPem {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
}

/** A CA able to issue leaves; the CryptoKeys never leave the process. */
export interface CertificateAuthority extends KeyPairPem {
  /** Distinguished name as text, used as the leaves' issuer. */
  readonly subject: string;
  readonly signingKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly certDer: Buffer;
}

/** An issued leaf: PEMs for the server, the DER and a node:crypto key for OCSP/CT work. */
export interface IssuedCertificate extends KeyPairPem {
  certDer: Buffer;
}

export type LeafKeyType = 'ecdsa-p256' | 'rsa-2048';

export interface IssueOptions {
  /** DNS subjectAltNames. */
  names: string[];
  /** IP subjectAltNames. */
  ipAddresses?: string[];
  keyType: LeafKeyType;
  notBefore: Date;
  notAfter: Date;
  /** Defaults to the first DNS name. */
  commonName?: string;
  /** caIssuers URL in an AIA extension (where clients can download the issuer). */
  caIssuersUrl?: string;
  /** Embed SCTs from these logs (RFC 6962 precertificate flow: the logs sign the TBS without them). */
  ctLogs?: readonly LabCtLog[];
}

const subtle = webcrypto.subtle;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const RSA_2048 = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

/** 16 random bytes, top bit clear (positive) and first byte non-zero (keeps the full length). */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', key));
}

function generateKeys(keyType: LeafKeyType): Promise<CryptoKeyPair> {
  const algorithm = keyType === 'rsa-2048' ? RSA_2048 : ECDSA_P256;
  return subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

/** A root CA, or with `parent` an intermediate CA signed by it. */
export async function createCa(opts: { commonName?: string; parent?: CertificateAuthority } = {}): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const keys = await generateKeys('ecdsa-p256');
  const subject = `CN=${opts.commonName ?? 'secgrade lab throwaway CA'}, O=secgrade lab`;
  const now = Date.now();
  const extensions = [
    new x509.BasicConstraintsExtension(true, opts.parent ? 0 : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  // Back-dated so that the back-dated "expired" leaf still chains inside the CAs' validity.
  const validity = { notBefore: new Date(now - 365 * 86_400_000), notAfter: new Date(now + 365 * 86_400_000) };
  const cert = opts.parent
    ? await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialHex(),
        subject,
        issuer: opts.parent.subject,
        ...validity,
        publicKey: keys.publicKey,
        signingKey: opts.parent.signingKey,
        signingAlgorithm: ECDSA_SHA256,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(opts.parent.publicKey)],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: randomSerialHex(), name: subject, ...validity, keys, signingAlgorithm: ECDSA_SHA256, extensions });
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: await privateKeyPem(keys.privateKey),
    subject: cert.subject,
    signingKey: keys.privateKey,
    publicKey: keys.publicKey,
    certDer: Buffer.from(cert.rawData),
  };
}

/** The CA's private key for node:crypto signing (OCSP responses). */
export function caKeyObject(ca: CertificateAuthority): KeyObject {
  return KeyObject.from(ca.signingKey);
}

function subjectAltNames(opts: IssueOptions): X509.JsonGeneralName[] {
  return [
    ...opts.names.map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
}

/**
 * Issue a leaf signed by `ca`, or self-signed when `ca` is null. With `ctLogs`, the certificate is
 * first built without the SCT extension (the precertificate's TBS), the logs sign that, and the
 * final certificate is built again with the same fields plus the SCT list.
 */
export async function issueCertificate(ca: CertificateAuthority | null, opts: IssueOptions): Promise<IssuedCertificate> {
  const x509 = await loadX509();
  if (opts.names.length === 0 && !opts.ipAddresses?.length) throw new Error('issueCertificate: no names');
  const keys = await generateKeys(opts.keyType);
  const { digitalSignature, keyEncipherment } = x509.KeyUsageFlags;
  // RSA key exchange (the legacy suites) encrypts the premaster secret to the leaf key.
  const usages = opts.keyType === 'rsa-2048' ? digitalSignature | keyEncipherment : digitalSignature;
  const commonName = opts.commonName ?? opts.names[0] ?? opts.ipAddresses![0]!;
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(subjectAltNames(opts)),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (ca) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey));
  if (opts.caIssuersUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', opts.caIssuersUrl)] }));
  const fields = {
    serialNumber: randomSerialHex(),
    subject: `CN=${commonName}`,
    issuer: ca?.subject ?? `CN=${commonName}`,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca?.signingKey ?? keys.privateKey,
    signingAlgorithm: opts.keyType === 'rsa-2048' && !ca ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : ECDSA_SHA256,
  };
  let cert = await x509.X509CertificateGenerator.create({ ...fields, extensions });
  if (opts.ctLogs?.length && ca) {
    const entry = precertEntryFromIssuer(Buffer.from(cert.rawData), ca.certDer);
    if (!entry.ok) throw new Error(`lab CT: ${entry.error.message}`);
    const timestamp = opts.notBefore.getTime() + 60_000;
    const scts = opts.ctLogs.map((log) => issueSct(log, entry.value, timestamp));
    const sctExtension = new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, sctExtensionValue(sctListOf(scts)));
    cert = await x509.X509CertificateGenerator.create({ ...fields, extensions: [...extensions, sctExtension] });
  }
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey), certDer: Buffer.from(cert.rawData) };
}
