// Certification path building and evaluation, pure: which chain from the server's leaf reaches a
// trust anchor, and if none does (or the best one is flawed), why — in the terms a report needs
// (incomplete chain vs unknown root, expired intermediate, distrusted root …).
import { createHash, X509Certificate } from 'node:crypto';
import { aiaUrls, certificateFacts, type CertificateFacts } from '../cert/der.js';
import type { Anchor, AnchorSet, AnchorSource } from './store.js';

export type PathErrorCode =
  | 'unknown-issuer'
  | 'self-signed'
  | 'missing-intermediate'
  | 'expired'
  | 'not-yet-valid'
  | 'not-a-ca'
  | 'path-length'
  | 'eku'
  | 'root-not-trusted-for-tls'
  | 'distrusted-root'
  | 'bad-signature';

export interface PathError {
  code: PathErrorCode;
  /** Index in `path`, or null when the error is about no certificate in particular. */
  certIndex: number | null;
  subject: string;
  /** One plain sentence. */
  detail: string;
}

export interface PathEntry {
  subject: string;
  from: 'served' | 'fetched' | 'anchor';
  /** Position in the server's list (also for an anchor the server sent), else null. */
  servedIndex: number | null;
  /** The certificate itself: the next entry is the issuer OCSP and SCT checks need. */
  der: Buffer;
}

export interface PathResult {
  trusted: boolean;
  errors: PathError[];
  anchor: { subject: string; label: string; source: AnchorSource } | null;
  /** Leaf first; ends at the anchor when one was reached. */
  path: PathEntry[];
  /**
   * The chosen path reaches an anchor with served certificates only. Validity and usage errors are
   * reported separately: an expired leaf in a complete chain is still a complete chain.
   */
  chainComplete: boolean;
  /** Certificates from `extraIntermediates` (e.g. AIA downloads) on the chosen path. */
  fetchedUsed: number;
  /** Served indices not on the chosen path. */
  extraCertificates: number[];
  /** Served certificates on the path are not in leaf → root order. */
  misordered: boolean;
  /** The server sent the anchor itself (a copy with the same subject and key). */
  anchorServed: boolean;
}

export interface BuildPathOptions {
  now: Date;
  /** Intermediates from elsewhere, e.g. fetched via AIA caIssuers. */
  extraIntermediates?: Buffer[];
  /** Longest path tried, anchor included (default 10). */
  maxDepth?: number;
}

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_ANY_EKU = '2.5.29.37.0';
const DEFAULT_MAX_DEPTH = 10;
// Cross-signed meshes can branch a lot; these bound the work whatever the server sends.
const MAX_PATHS = 64;
const MAX_EXPANSIONS = 2000;

interface Node {
  cert: X509Certificate;
  der: Buffer;
  id: string;
  /** Subject + public key: two certificates of one CA (e.g. a cross-sign) share it. */
  entity: string;
  from: PathEntry['from'];
  servedIndex: number | null;
  anchor: Anchor | null;
  facts: CertificateFacts;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

function makeNode(cert: X509Certificate, from: Node['from'], servedIndex: number | null, anchor: Anchor | null): Node {
  const der = Buffer.from(cert.raw);
  const facts = certificateFacts(der);
  const key = facts.spki ?? Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' }));
  const subject = facts.subject ?? Buffer.from(cert.subject);
  return { cert, der, id: sha256(der), entity: `${sha256(subject)}:${sha256(key)}`, from, servedIndex, anchor, facts };
}

function parse(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

function dateOf(text: string): Date {
  return new Date(text);
}

/** Names equal byte for byte, or equal as OpenSSL compares them (case, spacing, string types). */
function namesMatch(child: Node, parent: Node): boolean {
  const a = child.facts.issuer;
  const b = parent.facts.subject;
  if (a && b && a.equals(b)) return true;
  try {
    return child.cert.checkIssued(parent.cert);
  } catch {
    return false;
  }
}

function selfIssued(n: Node): boolean {
  return namesMatch(n, n);
}

class Builder {
  private readonly verified = new Map<string, boolean>();
  /** Per dead end: the issuer (same name, same key id or served) whose key does not verify the signature. */
  readonly badSignature = new Map<string, Node>();
  /** Per dead end: a certificate with the issuer's name but another key (e.g. a regenerated private CA). */
  readonly otherKey = new Map<string, Node>();
  readonly complete: Node[][] = [];
  readonly partial: Node[][] = [];
  private expansions = 0;

  constructor(
    private readonly pool: Node[],
    private readonly anchors: AnchorSet,
    private readonly anchorNodes: Map<Anchor, Node>,
    private readonly now: Date,
    private readonly maxDepth: number,
  ) {}

  private anchorNode(a: Anchor): Node {
    let n = this.anchorNodes.get(a);
    if (!n) this.anchorNodes.set(a, (n = makeNode(a.cert, 'anchor', null, a)));
    return n;
  }

  private verifies(child: Node, parent: Node): boolean {
    const key = `${child.id}>${parent.id}`;
    let ok = this.verified.get(key);
    if (ok === undefined) {
      try {
        ok = child.cert.verify(parent.cert.publicKey);
      } catch {
        ok = false; // an algorithm this OpenSSL cannot verify counts as not verifying
      }
      this.verified.set(key, ok);
    }
    return ok;
  }

  private validNow(n: Node): boolean {
    const t = this.now.getTime();
    return dateOf(n.cert.validFrom).getTime() <= t && t <= dateOf(n.cert.validTo).getTime();
  }

  /** Issuers of `top` not yet on the path: anchors first, then valid before expired, served before fetched. */
  private issuers(top: Node, path: Node[]): Node[] {
    const onPath = new Set(path.map((n) => n.entity));
    const byName = [
      ...this.anchors.anchorsBySubject(top.cert.issuer).map((a) => this.anchorNode(a)),
      ...this.pool,
    ].filter((c) => !onPath.has(c.entity) && namesMatch(top, c));
    const ok = byName.filter((c) => this.verifies(top, c));
    if (ok.length === 0) {
      // Same name but a failing signature: a broken certificate when the key ids agree (or the
      // server sent that issuer itself), else merely another CA of the same name.
      const bad = byName.find((c) => keyIdsMatch(top, c) ?? c.from === 'served');
      if (bad) this.badSignature.set(top.id, bad);
      else if (byName[0]) this.otherKey.set(top.id, byName[0]);
    }
    const rank = (n: Node) => (n.anchor ? 0 : 4) + (this.validNow(n) ? 0 : 2) + (n.from === 'fetched' ? 1 : 0);
    return ok.sort((x, y) => rank(x) - rank(y) || dateOf(y.cert.validTo).getTime() - dateOf(x.cert.validTo).getTime());
  }

  extend(path: Node[]): void {
    if (this.complete.length + this.partial.length >= MAX_PATHS || ++this.expansions > MAX_EXPANSIONS) return;
    const top = path[path.length - 1]!;
    if (top.anchor) {
      this.complete.push(path);
      return;
    }
    const next = path.length < this.maxDepth ? this.issuers(top, path) : [];
    if (next.length === 0) this.partial.push(path);
    for (const n of next) this.extend([...path, n]);
  }
}

export function buildPath(served: Buffer[], store: AnchorSet, opts: BuildPathOptions): PathResult {
  const certs = served.map(parse);
  const leafCert = certs[0];
  if (!leafCert) {
    return {
      trusted: false,
      errors: [{ code: 'unknown-issuer', certIndex: null, subject: '', detail: 'The server sent no certificate that could be parsed.' }],
      anchor: null,
      path: [],
      chainComplete: false,
      fetchedUsed: 0,
      extraCertificates: served.map((_, i) => i).slice(1),
      misordered: false,
      anchorServed: false,
    };
  }
  // A served copy of an anchor (same DER) is that anchor: it ends the path where it appears.
  const anchorNodes = new Map<Anchor, Node>();
  const anchorCopy = (cert: X509Certificate, i: number): Node | null => {
    const a = store.anchorsBySubject(cert.subject).find((x) => x.der.equals(cert.raw));
    if (!a) return null;
    const n = makeNode(a.cert, 'anchor', i, a);
    anchorNodes.set(a, n);
    return n;
  };
  const servedNodes: Node[] = [];
  certs.forEach((c, i) => {
    if (c && !anchorCopy(c, i)) servedNodes.push(makeNode(c, 'served', i, null));
  });
  const fetchedNodes = (opts.extraIntermediates ?? [])
    .map(parse)
    .filter((c): c is X509Certificate => c !== null)
    .map((c) => makeNode(c, 'fetched', null, null));
  const pool = [...servedNodes.filter((n) => n.servedIndex !== 0), ...dedupe(fetchedNodes, servedNodes)];
  const leaf = [...anchorNodes.values()].find((n) => n.servedIndex === 0) ?? servedNodes[0]!;

  const builder = new Builder(pool, store, anchorNodes, opts.now, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  builder.extend([leaf]);
  const candidates = [...builder.complete.map((p) => ({ p, complete: true })), ...builder.partial.map((p) => ({ p, complete: false }))];
  const scored = candidates.map((c) => ({ ...c, errors: evaluate(c.p, c.complete, opts.now, builder) }));
  const fetched = (p: Node[]) => p.filter((n) => n.from === 'fetched').length;
  scored.sort(
    (a, b) =>
      Number(b.complete) - Number(a.complete) ||
      a.errors.length - b.errors.length ||
      fetched(a.p) - fetched(b.p) ||
      (a.complete ? a.p.length - b.p.length : b.p.length - a.p.length), // dead ends: the one that got furthest
  );
  const best = scored[0]!; // the leaf alone is always at least a partial path
  return summarize(best.p, best.complete, best.errors, certs);
}

/** Fetched copies of served certificates add nothing. */
function dedupe(fetched: Node[], served: Node[]): Node[] {
  const seen = new Set(served.map((n) => n.id));
  return fetched.filter((n) => !seen.has(n.id) && (seen.add(n.id), true));
}

function summarize(p: Node[], complete: boolean, errors: PathError[], certs: Array<X509Certificate | null>): PathResult {
  const top = p[p.length - 1]!;
  const anchor = complete ? top.anchor : null;
  const onPath = new Set(p.map((n) => n.servedIndex).filter((i): i is number => i !== null));
  // A self-signed served copy of the anchor (same subject and key, other DER) also counts as "sent".
  if (anchor && top.servedIndex === null) {
    const copy = certs.findIndex((c, i) => i > 0 && c !== null && !onPath.has(i) && isSelfCopy(c, top));
    if (copy > 0) {
      top.servedIndex = copy;
      onPath.add(copy);
    }
  }
  const order = p.map((n) => n.servedIndex).filter((i): i is number => i !== null);
  const fetchedUsed = p.filter((n) => n.from === 'fetched').length;
  return {
    trusted: complete && errors.length === 0,
    errors,
    anchor: anchor ? { subject: oneLine(anchor.cert.subject), label: anchor.label, source: anchor.source } : null,
    path: p.map((n) => ({ subject: oneLine(n.cert.subject), from: n.from, servedIndex: n.servedIndex, der: n.der })),
    chainComplete: complete && fetchedUsed === 0,
    fetchedUsed,
    extraCertificates: certs.map((_, i) => i).filter((i) => i > 0 && !onPath.has(i)),
    misordered: order.some((v, i) => i > 0 && v < order[i - 1]!),
    anchorServed: anchor !== null && top.servedIndex !== null,
  };
}

function isSelfCopy(cert: X509Certificate, anchor: Node): boolean {
  const n = makeNode(cert, 'served', null, null);
  return n.entity === anchor.entity && selfIssued(n);
}

/** Everything wrong with one candidate path, in path order. */
function evaluate(p: Node[], complete: boolean, now: Date, why: DeadEnds): PathError[] {
  const errors: PathError[] = [];
  const err = (code: PathErrorCode, i: number, detail: string) =>
    errors.push({ code, certIndex: i, subject: oneLine(p[i]!.cert.subject), detail });
  const leaf = p[0]!;
  const leafNotBefore = dateOf(leaf.cert.validFrom);
  p.forEach((n, i) => {
    const what = i === 0 ? 'The server certificate' : n.anchor ? 'The root' : 'The intermediate';
    const name = `"${cn(n.cert.subject)}"`;
    // An anchor's own validity is not checked (as browsers do), unless the anchor is the leaf.
    if (!n.anchor || i === 0) {
      const from = dateOf(n.cert.validFrom);
      const to = dateOf(n.cert.validTo);
      if (now < from) err('not-yet-valid', i, `${what} ${name} is not valid before ${from.toISOString()}.`);
      if (now > to) err('expired', i, `${what} ${name} expired on ${to.toISOString()}.`);
    }
    if (i > 0 && !n.anchor) {
      if (!n.cert.ca) err('not-a-ca', i, `The intermediate ${name} is not a CA certificate (basicConstraints cA is missing or false).`);
      else if (n.facts.keyCertSign === false) err('not-a-ca', i, `The intermediate ${name} has a key usage that does not allow signing certificates.`);
      const below = p.slice(1, i).filter((x) => !selfIssued(x)).length;
      if (n.cert.ca && n.facts.pathLen !== null && below > n.facts.pathLen) {
        err('path-length', i, `The intermediate ${name} allows ${n.facts.pathLen} intermediate(s) below it, but the path has ${below}.`);
      }
    }
    const eku = ekuOf(n.cert);
    if ((i === 0 || !n.anchor) && eku && !eku.includes(OID_SERVER_AUTH) && !eku.includes(OID_ANY_EKU)) {
      err('eku', i, `${what} ${name} has an extended key usage without TLS server authentication.`);
    }
  });
  const top = p[p.length - 1]!;
  const last = p.length - 1;
  if (complete && top.anchor) {
    const a = top.anchor;
    if (!a.serverAuth) err('root-not-trusted-for-tls', last, `The root "${a.label}" is in the trust store but not trusted to identify web sites.`);
    if (a.serverDistrustAfter && leafNotBefore > a.serverDistrustAfter) {
      err('distrusted-root', last, `The root "${a.label}" is distrusted for server certificates issued after ${a.serverDistrustAfter.toISOString()}, and this one was issued on ${leafNotBefore.toISOString()}.`);
    }
  } else if (!complete) {
    errors.push(deadEnd(p, why));
  }
  return errors;
}

/** Why the path stops at its last certificate: incomplete chain, unknown or self-signed root, bad signature. */
type DeadEnds = Pick<Builder, 'badSignature' | 'otherKey'>;

function deadEnd(p: Node[], why: DeadEnds): PathError {
  const last = p.length - 1;
  const top = p[last]!;
  const subject = oneLine(top.cert.subject);
  const name = `"${cn(top.cert.subject)}"`;
  const issuer = `"${cn(top.cert.issuer)}"`;
  const bad = why.badSignature.get(top.id);
  if (bad) {
    return { code: 'bad-signature', certIndex: last, subject, detail: `The signature on ${name} does not verify with the key of its named issuer ${issuer}.` };
  }
  if (selfIssued(top) && safeVerify(top.cert, top.cert)) {
    return last === 0
      ? { code: 'self-signed', certIndex: 0, subject, detail: `The server certificate ${name} is self-signed and not a trusted root.` }
      : { code: 'unknown-issuer', certIndex: last, subject, detail: `The chain ends at the root ${name}, which is not in the trust store.` };
  }
  // Only URLs fit to quote in one sentence.
  const aia = (aiaUrls(top.der, 'caIssuers') ?? []).filter((u) => /^[\x21-\x7e]{1,500}$/.test(u));
  const other = why.otherKey.get(top.id)?.anchor ? ' A trusted root has that name, but another key.' : '';
  if (last === 0 || aia.length > 0) {
    const where = (aia.length > 0 ? ` Its AIA extension points to ${aia[0]}.` : '') + other;
    return {
      code: 'missing-intermediate',
      certIndex: last,
      subject,
      detail: `The issuer ${issuer} of ${name} was not sent by the server and is not a trusted root: the chain is incomplete, or its root is unknown.${where}`,
    };
  }
  return { code: 'unknown-issuer', certIndex: last, subject, detail: `${name} is issued by ${issuer}, which is neither sent by the server nor a trusted root.${other}` };
}

/** Child's authorityKeyIdentifier vs parent's subjectKeyIdentifier; null when either is absent. */
function keyIdsMatch(child: Node, parent: Node): boolean | null {
  const a = child.facts.authorityKeyId;
  const s = parent.facts.subjectKeyId;
  return a && s ? a.equals(s) : null;
}

function safeVerify(cert: X509Certificate, by: X509Certificate): boolean {
  try {
    return cert.verify(by.publicKey);
  } catch {
    return false;
  }
}

function cn(name: string): string {
  return /^CN=(.*)$/m.exec(name)?.[1] ?? oneLine(name);
}

/** Extended key usage OIDs, or null when the extension is absent. */
function ekuOf(cert: X509Certificate): string[] | null {
  const eku = cert.keyUsage as string[] | undefined;
  return eku && eku.length > 0 ? eku : null;
}
