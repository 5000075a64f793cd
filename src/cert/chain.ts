// One served chain judged against the name it must serve: the facts of every certificate as sent,
// the leaf's host-name match, and the report's chain summary. Pure; shared by the endpoint's
// certificate probe and the MX transport probe (which judges each chain against the MX name).
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo, ChainInfo } from '../model/report.js';
import type { PathResult } from '../trust/path.js';
import { describeCertificate, matchesHost } from './describe.js';

export interface ServedChainFacts {
  /** Each readable certificate as served (leaf first), with its place in the chain. */
  certificates: CertificateInfo[];
  /** The leaf as parsed, null when it could not be read. */
  leaf: X509Certificate | null;
  hostnameMatch: boolean | null;
  /** Served positions that could not be read, with why. */
  unreadable: Array<{ index: number; error: string }>;
}

/** The certificates of chain number `index` (served `der`, trust `path`) judged for `host` at `now`. */
export function describeServedChain(
  der: readonly Buffer[],
  path: Pick<PathResult, 'trusted' | 'errors' | 'chainComplete'>,
  o: { host: string; now: Date; index: number; ocspStapled: boolean },
): ServedChainFacts {
  let leaf: X509Certificate | null = null;
  try {
    leaf = new X509Certificate(der[0]!);
  } catch {
    leaf = null;
  }
  const hostnameMatch = leaf ? matchesHost(leaf, o.host) : null;
  const trustError = path.trusted ? null : path.errors.map((e) => e.detail).join(' ') || 'not trusted';
  const certificates: CertificateInfo[] = [];
  const unreadable: ServedChainFacts['unreadable'] = [];
  for (const [i, cert] of der.entries()) {
    try {
      const info = describeCertificate(cert, i, { host: o.host, now: o.now, trusted: path.trusted, trustError, ocspStapled: o.ocspStapled });
      certificates.push({ ...info, chain: o.index, servedIndex: i, ...(i === 0 ? { chainComplete: path.chainComplete, hostnameMatch } : {}) });
    } catch (err) {
      unreadable.push({ index: i, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { certificates, leaf, hostnameMatch, unreadable };
}

/** The report's summary of one served chain. */
export function chainInfo(c: {
  index: number;
  requested: string;
  protocol: string;
  certificates: readonly CertificateInfo[];
  served: number;
  path: Pick<PathResult, 'trusted' | 'errors' | 'anchor' | 'chainComplete' | 'fetchedUsed' | 'extraCertificates' | 'misordered' | 'anchorServed'>;
  ocsp: ChainInfo['ocsp'];
  ct: ChainInfo['ct'];
}): ChainInfo {
  const leaf = c.certificates.find((x) => x.servedIndex === 0);
  return {
    index: c.index,
    requested: c.requested,
    protocol: c.protocol,
    leafKeyType: leaf ? `${leaf.keyType}${leaf.keyBits ? ` ${leaf.keyBits}` : ''}` : 'unknown',
    certificates: c.served,
    trusted: c.path.trusted,
    trustErrors: c.path.errors.map(({ code, subject, detail }) => ({ code, subject, detail })),
    anchor: c.path.anchor,
    chainComplete: c.path.chainComplete,
    fetchedIntermediates: c.path.fetchedUsed,
    extraCertificates: c.path.extraCertificates,
    misordered: c.path.misordered,
    anchorServed: c.path.anchorServed,
    hostnameMatch: leaf?.hostnameMatch ?? null,
    ocsp: c.ocsp,
    ct: c.ct,
  };
}
