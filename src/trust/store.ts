// Trust anchors for chain verification: Node's bundled Mozilla roots plus the user's --ca-file.
// (The certificates issue replaces the bundled list with the certdata snapshot and its trust bits.)
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

export interface TrustStore {
  /** Anchors added to Node's bundled Mozilla roots (--ca-file), as PEM. */
  readonly extraCaPem: readonly string[];
  /** Anchors added by the user (--ca-file), for display. */
  readonly extraAnchors: readonly X509Certificate[];
  readonly description: string;
}

export class TrustStoreError extends Error {
  override name = 'TrustStoreError';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CA_FILE_BYTES = 8 * 1024 * 1024;

export function createTrustStore(extraPem: readonly string[] = []): TrustStore {
  const extraAnchors = extraPem.map((pem) => new X509Certificate(pem));
  return {
    extraCaPem: extraPem,
    extraAnchors,
    description:
      `${rootCertificates.length} Mozilla roots (Node ${process.versions.node})` +
      (extraPem.length ? ` + ${extraPem.length} from --ca-file` : ''),
  };
}

/** Read a PEM bundle; every certificate in it must parse. Throws TrustStoreError with one line. */
export async function loadCaFile(path: string): Promise<string[]> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_CA_FILE_BYTES) throw new TrustStoreError(`--ca-file ${path}: larger than 8 MiB`);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof TrustStoreError) throw err;
    throw new TrustStoreError(`--ca-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new TrustStoreError(`--ca-file ${path}: no PEM certificate found`);
  for (const [i, pem] of pems.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new TrustStoreError(`--ca-file ${path}: certificate #${i + 1} does not parse`);
    }
  }
  return pems;
}
