// @peculiar/x509 for the few places that need it (the lab's and tests' certificate issuance,
// PKCS#7 bundles from AIA downloads), loaded on first use with Node's WebCrypto as its provider.
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 pulls in tsyringe, which needs the reflect-metadata polyfill loaded first. Both
 * are imported lazily so that scans, which rarely need them, do not pay for them.
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
