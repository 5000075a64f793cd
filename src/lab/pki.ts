// Throwaway PKI for the offline lab: one ECDSA P-256 root and leaves issued directly by it.
// Pure WebCrypto + @peculiar/x509, so the lab needs no openssl binary.
import { randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

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

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 pulls in tsyringe, which needs the reflect-metadata polyfill loaded first. Both
 * are imported lazily so that scans, which never issue certificates, do not pay for them.
 */
export function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })();
  return x509Module;
}

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

export async function createCa(opts: { commonName?: string } = {}): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const keys = await generateKeys('ecdsa-p256');
  const subject = `CN=${opts.commonName ?? 'secgrade lab throwaway CA'}, O=secgrade lab`;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: subject,
    // Back-dated so that the back-dated "expired" leaf still chains inside the CA's validity.
    notBefore: new Date(now - 365 * 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: await privateKeyPem(keys.privateKey),
    subject: cert.subject,
    signingKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
}

function subjectAltNames(opts: IssueOptions): X509.JsonGeneralName[] {
  return [
    ...opts.names.map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
}

export async function issueCertificate(ca: CertificateAuthority, opts: IssueOptions): Promise<KeyPairPem> {
  const x509 = await loadX509();
  if (opts.names.length === 0 && !opts.ipAddresses?.length) throw new Error('issueCertificate: no names');
  const keys = await generateKeys(opts.keyType);
  const { digitalSignature, keyEncipherment } = x509.KeyUsageFlags;
  // RSA key exchange (the legacy suites) encrypts the premaster secret to the leaf key.
  const usages = opts.keyType === 'rsa-2048' ? digitalSignature | keyEncipherment : digitalSignature;
  const commonName = opts.commonName ?? opts.names[0] ?? opts.ipAddresses![0]!;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: `CN=${commonName}`,
    issuer: ca.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(subjectAltNames(opts)),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}
