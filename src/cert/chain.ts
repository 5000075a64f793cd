// One served chain judged against the name it must serve: the facts of every certificate as sent,
// the leaf's host-name match, and the report's chain summary. Pure; shared by the endpoint's
// certificate probe and the MX transport probe (which judges each chain against the MX name).
//
// A served certificate that cannot be read (not a DER X.509 certificate, or a notBefore/notAfter
// that is not a valid time) does not stop the judgement: it gets a typed entry in `unreadable`,
// the rest of the chain is described, and the chain is not trusted (clients reject it): the
// trust errors gain an 'unreadable' entry naming its served position and the parse error. An
// unreadable leaf leaves the host-name match and the key facts unknown (null), never a pass.
import type { CertificateInfo, ChainInfo } from '../model/report.js';
import type { PathError, PathErrorCode, PathResult } from '../trust/path.js';
import type { DecodedCertificate } from './decode.js';
import { CertificateReadError, describeCertificate, readCertificate, type CertificateReadErrorCode } from './describe.js';

/** The trust errors of a served chain: the path's own, and 'unreadable' for a served certificate nobody can read. */
export type ChainErrorCode = PathErrorCode | 'unreadable';
export type ChainTrustError = Omit<PathError, 'code'> & { code: ChainErrorCode };

export interface UnreadableCertificate {
  /** Position in the server's list (0 = leaf). */
  servedIndex: number;
  code: CertificateReadErrorCode;
  /** The parse error, e.g. 'notAfter ("Bad time value") is not a valid time'. */
  error: string;
}

export interface ServedChainFacts {
  /** Each readable certificate as served (leaf first), with its place in the chain. */
  certificates: CertificateInfo[];
  /** The leaf as parsed, null when it could not be read. */
  leaf: DecodedCertificate | null;
  hostnameMatch: boolean | null;
  /** Served positions that could not be read, with why. */
  unreadable: UnreadableCertificate[];
}

function unreadableOf(servedIndex: number, err: unknown): UnreadableCertificate {
  if (err instanceof CertificateReadError) return { servedIndex, code: err.code, error: err.message };
  return { servedIndex, code: 'unparseable', error: err instanceof Error ? err.message : String(err) };
}

/** The trust error for one unreadable served certificate. */
export function unreadableError(u: Pick<UnreadableCertificate, 'servedIndex' | 'error'>): ChainTrustError {
  const what = u.servedIndex === 0 ? 'The server certificate' : `The certificate at served position ${u.servedIndex}`;
  return {
    code: 'unreadable',
    certIndex: null,
    subject: `served certificate #${u.servedIndex}`,
    detail: `${what} cannot be read: ${u.error}. Clients reject a chain with an unreadable certificate.`,
  };
}

/** `path` with the unreadable certificates counted: not trusted when there is any, one error each. */
export function withUnreadable<P extends Pick<PathResult, 'trusted'> & { errors: readonly ChainTrustError[] }>(
  path: P,
  unreadable: readonly Pick<UnreadableCertificate, 'servedIndex' | 'error'>[],
): Omit<P, 'errors'> & { errors: ChainTrustError[] } {
  const known = new Set(path.errors.filter((e) => e.code === 'unreadable').map((e) => e.subject));
  const added = unreadable.map(unreadableError).filter((e) => !known.has(e.subject));
  return { ...path, trusted: path.trusted && unreadable.length === 0 && known.size === 0, errors: [...path.errors, ...added] };
}

/** The certificates of chain number `index` (served `der`, trust `path`) judged for `host` at `now`. */
export function describeServedChain(
  der: readonly Buffer[],
  path: Pick<PathResult, 'trusted' | 'chainComplete'> & { errors: readonly ChainTrustError[] },
  o: { host: string; now: Date; index: number; ocspStapled: boolean },
): ServedChainFacts {
  const described: Array<{ info: CertificateInfo; i: number }> = [];
  const unreadable: UnreadableCertificate[] = [];
  for (const [i, cert] of der.entries()) {
    try {
      described.push({ info: describeCertificate(cert, i, { host: o.host, now: o.now, trusted: null, trustError: null, ocspStapled: o.ocspStapled }), i });
    } catch (err) {
      unreadable.push(unreadableOf(i, err));
    }
  }
  const trust = withUnreadable(path, unreadable);
  const trustError = trust.trusted ? null : trust.errors.map((e) => e.detail).join(' ') || 'not trusted';
  const leafInfo = described.find((d) => d.i === 0)?.info;
  // Read only when describeCertificate could: a leaf with unreadable dates has no facts at all.
  const leaf = leafInfo ? readCertificate(der[0]!) : null;
  const hostnameMatch = leafInfo ? leafInfo.hostnameMatch : null;
  const certificates = described.map(({ info, i }) => ({
    ...info,
    chain: o.index,
    servedIndex: i,
    ...(i === 0 ? { trusted: trust.trusted, trustError, chainComplete: path.chainComplete, hostnameMatch } : {}),
  }));
  return { certificates, leaf, hostnameMatch, unreadable };
}

/** Served positions missing from `certificates` (described certificates carry servedIndex). */
function missingPositions(certificates: readonly CertificateInfo[], served: number): UnreadableCertificate[] {
  if (certificates.some((c) => c.servedIndex === undefined)) return [];
  const present = new Set(certificates.map((c) => c.servedIndex));
  const out: UnreadableCertificate[] = [];
  for (let i = 0; i < served; i++) if (!present.has(i)) out.push({ servedIndex: i, code: 'unparseable', error: 'it could not be parsed' });
  return out;
}

/**
 * The report's summary of one served chain. `unreadable` lists the served certificates that could
 * not be read; when absent, served positions missing from `certificates` count as unreadable, so
 * a caller passing the path as built still gets an untrusted chain.
 */
export function chainInfo(c: {
  index: number;
  requested: string;
  protocol: string;
  certificates: readonly CertificateInfo[];
  served: number;
  path: Pick<PathResult, 'trusted' | 'anchor' | 'chainComplete' | 'fetchedUsed' | 'extraCertificates' | 'misordered' | 'anchorServed'> & { errors: readonly ChainTrustError[] };
  unreadable?: readonly UnreadableCertificate[];
  ocsp: ChainInfo['ocsp'];
  revocation?: ChainInfo['revocation'];
  ct: ChainInfo['ct'];
}): ChainInfo {
  const trust = withUnreadable(c.path, c.unreadable ?? missingPositions(c.certificates, c.served));
  const leaf = c.certificates.find((x) => x.servedIndex === 0) ?? (c.certificates[0]?.servedIndex === undefined ? c.certificates[0] : undefined);
  return {
    index: c.index,
    requested: c.requested,
    protocol: c.protocol,
    leafKeyType: leaf ? `${leaf.keyType}${leaf.keyBits ? ` ${leaf.keyBits}` : ''}` : 'unknown',
    certificates: c.served,
    trusted: trust.trusted,
    trustErrors: trust.errors.map(({ code, subject, detail, rule, ruleId }) => ({ code, subject, detail, ...(rule ? { rule } : {}), ...(ruleId ? { ruleId } : {}) })),
    anchor: c.path.anchor,
    chainComplete: c.path.chainComplete,
    fetchedIntermediates: c.path.fetchedUsed,
    extraCertificates: c.path.extraCertificates,
    misordered: c.path.misordered,
    anchorServed: c.path.anchorServed,
    hostnameMatch: leaf?.hostnameMatch ?? null,
    ocsp: c.ocsp,
    ...(c.revocation ? { revocation: c.revocation } : {}),
    ct: c.ct,
  };
}
