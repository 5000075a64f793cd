// Every certificate-path test vector, by area. Each group holds twins: a trusted vector and one or
// more rejected ones that differ from it only in the rule under test (checked by the unit test).
// Certificates are built here with our own raw builder (./x509-raw.ts); the rules and edge cases
// follow the x509-limbo catalogue (/work/notes/limbo-catalogue.md), resolved for the web PKI.
import { ncVectors } from './x509-vectors-nc.js';
import { pathVectors } from './x509-vectors-path.js';
import { rfc5280Vectors } from './x509-vectors-rfc5280.js';
import { webPkiVectors } from './x509-vectors-webpki.js';
import type { X509Vector } from './x509-pki.js';
import { decodeCertificate } from '../../src/cert/decode.js';
import { matchesHost } from '../../src/cert/describe.js';
import { buildPath, type PathResult } from '../../src/trust/path.js';
import { anchorFromCertificate, createAnchorSet } from '../../src/trust/store.js';

export type { X509Vector } from './x509-pki.js';
export { pathologicalVectors } from './x509-vectors-path.js';

let cached: X509Vector[] | null = null;

/** All vectors but the pathological ones, built once per process (keys are shared, signatures fresh). */
export function allVectors(): X509Vector[] {
  cached ??= [...rfc5280Vectors(), ...ncVectors(), ...webPkiVectors(), ...pathVectors()];
  return cached;
}

/** The area of a vector: the first segment of its id. */
export const areaOf = (v: Pick<X509Vector, 'id'>) => v.id.split('/')[0]!;

export interface VectorRun {
  path: PathResult;
  /** The leaf's SAN names the vector's host (false when the leaf cannot be read). */
  hostMatch: boolean;
  /** Our verdict: a trusted path and a matching host. */
  accepted: boolean;
}

/** Our verdict on one vector, as a TLS client would reach it. */
export function runVector(v: X509Vector, opts: { budgetMs?: number } = {}): VectorRun {
  // An anchor our reader cannot decode anchors nothing (as createTrustStore drops it).
  const anchors = v.anchors.flatMap((der) => {
    try {
      return [anchorFromCertificate(der, { source: v.anchorSource ?? 'ca-file' })];
    } catch {
      return [];
    }
  });
  const path = buildPath(v.served, createAnchorSet(anchors), { now: v.now, ...opts });
  const leaf = decodeCertificate(v.served[0]!);
  const hostMatch = leaf.ok && matchesHost(leaf.cert, v.host);
  return { path, hostMatch, accepted: path.trusted && hostMatch };
}
