// Test PKI: certificates of every shape the certificate tests need (RSA/EC/Ed25519 keys, SHA-1
// signatures, CA or leaf, any extension), generated at test time with WebCrypto + @peculiar/x509.
// MD5 signatures are not in WebCrypto; tests that need them use the openssl CLI.
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from '../../src/cert/x509-lib.js';
import { randomSerialHex, toPem } from '../../src/lab/pki.js';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type TestKeyType = 'rsa-1024' | 'rsa-2048' | 'rsa-3072' | 'ec-p256' | 'ec-p384' | 'ed25519';
export type TestHash = 'SHA-1' | 'SHA-256' | 'SHA-384';

export interface TestCert {
  der: Buffer;
  pem: string;
  /** PKCS#8 PEM of the certificate's private key. */
  keyPem: string;
  keys: CryptoKeyPair;
  keyType: TestKeyType;
  subject: string;
  cert: X509.X509Certificate;
}

export interface TestCertOptions {
  /** Distinguished name, e.g. 'CN=leaf.test'. */
  subject: string;
  /** Signs the certificate; omitted = self-signed. */
  issuer?: TestCert;
  keyType?: TestKeyType;
  /** Signature hash when the issuer's key is RSA or EC (default SHA-256). */
  hash?: TestHash;
  notBefore?: Date;
  notAfter?: Date;
  /** CA certificates get basicConstraints cA=TRUE and keyCertSign. */
  ca?: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Extended key usages (OIDs); default serverAuth for leaves, none for CAs; [] = omit the extension. */
  eku?: string[];
  /** Extra extensions appended after the standard ones. */
  extensions?: X509.Extension[];
  serialNumber?: string;
  /** Reuse an existing key pair (e.g. a re-issued CA with the same key). */
  keys?: CryptoKeyPair;
}

const DAY = 86_400_000;
const subtle = webcrypto.subtle;

export function keyAlgorithm(keyType: TestKeyType): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' } {
  switch (keyType) {
    case 'rsa-1024':
    case 'rsa-2048':
    case 'rsa-3072':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(keyType.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    case 'ec-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

function signingAlgorithm(issuerKey: TestKeyType, hash: TestHash): webcrypto.Algorithm & { hash?: string } {
  if (issuerKey.startsWith('rsa')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (issuerKey.startsWith('ec')) return { name: 'ECDSA', hash };
  return { name: 'Ed25519' };
}

export async function generateTestKeys(keyType: TestKeyType): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyAlgorithm(keyType) as webcrypto.EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Make one certificate. RSA keys that sign with a hash other than the key's default are re-imported. */
export async function makeCert(opts: TestCertOptions): Promise<TestCert> {
  const x509 = await loadX509();
  const keyType = opts.keyType ?? 'ec-p256';
  const keys = opts.keys ?? (await generateTestKeys(keyType));
  const signer = opts.issuer;
  const signerKeyType = signer?.keyType ?? keyType;
  let signingKey = signer?.keys.privateKey ?? keys.privateKey;
  const hash = opts.hash ?? 'SHA-256';
  const alg = signingAlgorithm(signerKeyType, hash);
  if (signerKeyType.startsWith('rsa') && hash !== 'SHA-256') {
    // WebCrypto binds an RSA key to one hash; import the same key again for the requested one.
    const pkcs8 = await subtle.exportKey('pkcs8', signingKey);
    signingKey = await subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, true, ['sign']);
  }
  const now = Date.now();
  const ca = opts.ca ?? false;
  const { keyCertSign, cRLSign, digitalSignature, keyEncipherment } = x509.KeyUsageFlags;
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(ca ? keyCertSign | cRLSign : digitalSignature | (keyType.startsWith('rsa') ? keyEncipherment : 0), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (signer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey));
  const eku = opts.eku ?? (ca ? [] : [x509.ExtendedKeyUsage.serverAuth]);
  if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const sans: X509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  extensions.push(...(opts.extensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serialNumber ?? randomSerialHex(),
    subject: opts.subject,
    issuer: signer?.subject ?? opts.subject,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: alg,
    extensions,
  });
  const der = Buffer.from(cert.rawData);
  return {
    der,
    pem: cert.toString('pem') + '\n',
    keyPem: toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey)),
    keys,
    keyType,
    subject: cert.subject,
    cert,
  };
}

/** Root → intermediate → leaf, the usual public-CA shape. */
export async function makeChain(opts: { leaf?: Partial<TestCertOptions>; keyType?: TestKeyType; names?: string[] } = {}) {
  const keyType = opts.keyType ?? 'ec-p256';
  const root = await makeCert({ subject: 'CN=secgrade test root, O=secgrade test', ca: true, keyType, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() + 3650 * DAY) });
  const intermediate = await makeCert({ subject: 'CN=secgrade test intermediate, O=secgrade test', ca: true, keyType, issuer: root, notBefore: new Date(Date.now() - 300 * DAY), notAfter: new Date(Date.now() + 1000 * DAY) });
  const names = opts.names ?? ['leaf.secgrade.test'];
  const leaf = await makeCert({ subject: `CN=${names[0]}`, dnsNames: names, keyType, issuer: intermediate, ...opts.leaf });
  return { root, intermediate, leaf };
}
