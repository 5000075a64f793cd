// Certification path building and evaluation, pure: which chain from the server's leaf reaches a
// trust anchor, and if none does (or the best one is flawed), why — in the terms a report needs
// (incomplete chain vs unknown root, expired intermediate, name constraints, distrusted root …).
//
// Building tries every candidate issuer (by name, verified by signature: cross-signs, expired
// alternatives, anchors first) depth first and stops at the first path that validates; each
// complete path is validated in full (src/trust/validate.ts: RFC 5280 §6 and the web-PKI profile).
// The work is bounded — paths, expansions, signature checks and wall time — so a hostile chain
// (hundreds of candidates, cycles) ends quickly with a typed 'path-building-limit' error.
import { createHash } from 'node:crypto';
import { aiaUrls } from '../cert/der.js';
import { decodeCertificate, type DecodedCertificate } from '../cert/decode.js';
import { ATTRIBUTE, attributeValues } from '../cert/name.js';
import { signedBy, signedBySelf } from '../cert/signature.js';
import type { PathError, PathErrorCode } from './path-error.js';
import type { Anchor, AnchorSet, AnchorSource } from './store.js';
import { selfIssued, validatePath } from './validate.js';
import { webPkiNotes, type ProfileNote } from './webpki.js';

export type { PathError, PathErrorCode } from './path-error.js';
export type { ProfileNote } from './webpki.js';

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
  /** Web-PKI profile violations browsers tolerate, on the chosen path (findings, not trust errors). */
  profile: ProfileNote[];
}

export interface BuildPathOptions {
  now: Date;
  /** Intermediates from elsewhere, e.g. fetched via AIA caIssuers. */
  extraIntermediates?: Buffer[];
  /** Longest path tried, anchor included (default 10). */
  maxDepth?: number;
  /** Wall-clock budget for building, in ms (default 750). */
  budgetMs?: number;
}

const DEFAULT_MAX_DEPTH = 10;
const DEFAULT_BUDGET_MS = 750;
// Cross-signed meshes can branch a lot; these bound the work whatever the server sends.
const MAX_PATHS = 64;
const MAX_EXPANSIONS = 2000;
const MAX_SIGNATURE_CHECKS = 1024;
/** Served or fetched certificates considered at all. */
const MAX_POOL = 256;

interface Node {
  cert: DecodedCertificate;
  /** Subject + public key: two certificates of one CA (e.g. a cross-sign) share it. */
  entity: string;
  from: PathEntry['from'];
  servedIndex: number | null;
  anchor: Anchor | null;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function makeNode(cert: DecodedCertificate, from: Node['from'], servedIndex: number | null, anchor: Anchor | null): Node {
  return { cert, entity: `${sha256(Buffer.from(cert.subjectKey))}:${sha256(cert.publicKey.der)}`, from, servedIndex, anchor };
}

function cn(c: DecodedCertificate, which: 'subject' | 'issuer' = 'subject'): string {
  const name = which === 'subject' ? c.subject : c.issuer;
  const text = which === 'subject' ? c.subjectText : c.issuerText;
  return attributeValues(name, ATTRIBUTE.commonName)[0] ?? (text || '(empty name)');
}

interface Candidate {
  p: Node[];
  complete: boolean;
  errors: PathError[];
}

class Builder {
  private readonly verified = new Map<string, boolean>();
  /** Per dead end: the issuer (same name, same key id or served) whose key does not verify the signature. */
  readonly badSignature = new Map<string, Node>();
  /** Per dead end: a certificate with the issuer's name but another key (e.g. a regenerated private CA). */
  readonly otherKey = new Map<string, Node>();
  readonly candidates: Candidate[] = [];
  found: Candidate | null = null;
  exhausted = false;
  /** Some path reached the depth limit with its top still not an anchor. */
  depthLimited = false;
  private paths = 0;
  private expansions = 0;
  private signatureChecks = 0;
  private readonly deadline: number;

  constructor(
    private readonly pool: Node[],
    private readonly anchors: AnchorSet,
    private readonly anchorNodes: Map<Anchor, Node>,
    private readonly now: Date,
    private readonly maxDepth: number,
    budgetMs: number,
  ) {
    this.deadline = performance.now() + budgetMs;
  }

  private anchorNode(a: Anchor): Node {
    let n = this.anchorNodes.get(a);
    if (!n) this.anchorNodes.set(a, (n = makeNode(a.cert, 'anchor', null, a)));
    return n;
  }

  private overBudget(): boolean {
    if (this.exhausted) return true;
    if (this.paths >= MAX_PATHS || this.expansions > MAX_EXPANSIONS || this.signatureChecks > MAX_SIGNATURE_CHECKS || performance.now() > this.deadline) {
      this.exhausted = true;
    }
    return this.exhausted;
  }

  private verifies(child: Node, parent: Node): boolean {
    const key = `${child.cert.id}>${parent.cert.id}`;
    let ok = this.verified.get(key);
    if (ok === undefined) {
      this.signatureChecks++;
      ok = signedBy(child.cert, parent.cert.publicKey);
      this.verified.set(key, ok);
    }
    return ok;
  }

  private validNow(n: Node): boolean {
    const t = this.now.getTime();
    const { notBefore, notAfter } = n.cert;
    return !!notBefore && !!notAfter && notBefore.getTime() <= t && t <= notAfter.getTime() + 999;
  }

  /** Issuers of `top` not yet on the path: anchors first, then valid before expired, served before fetched. */
  private issuers(top: Node, path: Node[]): Node[] {
    const onPath = new Set(path.map((n) => n.entity));
    const key = top.cert.issuerKey;
    const byName = [...this.anchors.anchorsFor(key).map((a) => this.anchorNode(a)), ...this.pool].filter(
      (c) => !onPath.has(c.entity) && c.cert.subjectKey === key,
    );
    const ok: Node[] = [];
    for (const c of byName) {
      if (this.overBudget()) break;
      if (this.verifies(top, c)) ok.push(c);
    }
    if (ok.length === 0 && !this.exhausted) {
      // Same name but a failing signature: a broken certificate when the key ids agree (or the
      // server sent that issuer itself), else merely another CA of the same name.
      const bad = byName.find((c) => keyIdsMatch(top, c) ?? c.from === 'served');
      if (bad) this.badSignature.set(top.cert.id, bad);
      else if (byName[0]) this.otherKey.set(top.cert.id, byName[0]);
    }
    const rank = (n: Node) => (n.anchor ? 0 : 4) + (this.validNow(n) ? 0 : 2) + (n.from === 'fetched' ? 1 : 0);
    const end = (n: Node) => n.cert.notAfter?.getTime() ?? 0;
    return ok.sort((x, y) => rank(x) - rank(y) || end(y) - end(x));
  }

  private record(p: Node[], complete: boolean): void {
    this.paths++;
    const c: Candidate = { p, complete, errors: evaluate(p, complete, this.now, this) };
    this.candidates.push(c);
    if (complete && c.errors.length === 0) this.found = c;
  }

  extend(path: Node[]): void {
    if (this.found || this.overBudget()) return;
    this.expansions++;
    const top = path[path.length - 1]!;
    if (top.anchor) {
      this.record(path, true);
      return;
    }
    if (path.length >= this.maxDepth) {
      // Deeper than any real chain: a depth limit, not an unknown issuer.
      this.depthLimited = true;
      this.record(path, false);
      return;
    }
    const next = this.issuers(top, path);
    if (next.length === 0) {
      if (!this.exhausted) this.record(path, false);
      return;
    }
    for (const n of next) {
      this.extend([...path, n]);
      if (this.found || this.exhausted) return;
    }
  }
}

function emptyResult(detail: string, code: PathErrorCode, served: number): PathResult {
  return {
    trusted: false,
    errors: [{ code, certIndex: null, subject: '', detail }],
    anchor: null,
    path: [],
    chainComplete: false,
    fetchedUsed: 0,
    extraCertificates: Array.from({ length: served }, (_, i) => i).slice(1),
    misordered: false,
    anchorServed: false,
    profile: [],
  };
}

export function buildPath(served: Buffer[], store: AnchorSet, opts: BuildPathOptions): PathResult {
  const decoded = served.map((der) => {
    const d = decodeCertificate(der);
    return d.ok ? d.cert : null;
  });
  const leafCert = decoded[0];
  if (!leafCert) {
    const why = served[0] ? (decodeCertificate(served[0]) as { error?: string }).error : 'no certificate';
    return emptyResult(`The server certificate cannot be read (${why}).`, 'malformed', served.length);
  }
  // A served copy of an anchor (same DER) is that anchor: it ends the path where it appears.
  const anchorNodes = new Map<Anchor, Node>();
  const anchorCopy = (cert: DecodedCertificate, i: number): Node | null => {
    const a = store.anchorsFor(cert.subjectKey).find((x) => x.der.equals(cert.der));
    if (!a) return null;
    const n = makeNode(a.cert, 'anchor', i, a);
    anchorNodes.set(a, n);
    return n;
  };
  const servedNodes: Node[] = [];
  decoded.forEach((c, i) => {
    if (c && i < MAX_POOL && !anchorCopy(c, i)) servedNodes.push(makeNode(c, 'served', i, null));
  });
  const fetchedNodes = (opts.extraIntermediates ?? [])
    .slice(0, MAX_POOL)
    .map((der) => decodeCertificate(der))
    .flatMap((d) => (d.ok ? [makeNode(d.cert, 'fetched', null, null)] : []));
  const pool = [...servedNodes.filter((n) => n.servedIndex !== 0), ...dedupe(fetchedNodes, servedNodes)];
  const leaf = [...anchorNodes.values()].find((n) => n.servedIndex === 0) ?? servedNodes[0]!;

  const builder = new Builder(pool, store, anchorNodes, opts.now, opts.maxDepth ?? DEFAULT_MAX_DEPTH, opts.budgetMs ?? DEFAULT_BUDGET_MS);
  builder.extend([leaf]);
  if (builder.found) return summarize(builder.found, decoded);

  const fetched = (p: Node[]) => p.filter((n) => n.from === 'fetched').length;
  const scored = [...builder.candidates].sort(
    (a, b) =>
      Number(b.complete) - Number(a.complete) ||
      a.errors.length - b.errors.length ||
      fetched(a.p) - fetched(b.p) ||
      (a.complete ? a.p.length - b.p.length : b.p.length - a.p.length), // dead ends: the one that got furthest
  );
  const best: Candidate = scored[0] ?? { p: [leaf], complete: false, errors: evaluate([leaf], false, opts.now, builder) };
  if (builder.exhausted || (builder.depthLimited && !best.complete)) {
    const limit = builder.exhausted
      ? `its work limit (${MAX_PATHS} paths, ${MAX_SIGNATURE_CHECKS} signature checks or ${opts.budgetMs ?? DEFAULT_BUDGET_MS} ms)`
      : `its depth limit (${opts.maxDepth ?? DEFAULT_MAX_DEPTH} certificates)`;
    best.errors = [
      ...best.errors.filter((e) => builder.exhausted || (e.code !== 'unknown-issuer' && e.code !== 'missing-intermediate')),
      {
        code: 'path-building-limit',
        certIndex: null,
        subject: leafCert.subjectText,
        detail: `Building a path from "${cn(leafCert)}" stopped at ${limit} before any path validated; the chain is refused as a client would.`,
        rule: 'RFC 4158 (path building), bounded',
      },
    ];
  }
  return summarize(best, decoded);
}

/** Fetched copies of served certificates add nothing. */
function dedupe(fetched: Node[], served: Node[]): Node[] {
  const seen = new Set(served.map((n) => n.cert.id));
  return fetched.filter((n) => !seen.has(n.cert.id) && (seen.add(n.cert.id), true));
}

function summarize(c: Candidate, certs: Array<DecodedCertificate | null>): PathResult {
  const { p, complete, errors } = c;
  const top = p[p.length - 1]!;
  const anchor = complete ? top.anchor : null;
  const onPath = new Set(p.map((n) => n.servedIndex).filter((i): i is number => i !== null));
  let anchorServedAt = top.servedIndex;
  // A self-signed served copy of the anchor (same subject and key, other DER) also counts as "sent".
  if (anchor && anchorServedAt === null) {
    const copy = certs.findIndex((x, i) => i > 0 && x !== null && !onPath.has(i) && isSelfCopy(x, top));
    if (copy > 0) {
      anchorServedAt = copy;
      onPath.add(copy);
    }
  }
  const order = p.map((n, i) => (i === p.length - 1 && anchor ? anchorServedAt : n.servedIndex)).filter((i): i is number => i !== null);
  const fetchedUsed = p.filter((n) => n.from === 'fetched').length;
  return {
    trusted: complete && errors.length === 0,
    errors,
    anchor: anchor ? { subject: anchor.cert.subjectText, label: anchor.label, source: anchor.source } : null,
    path: p.map((n, i) => ({ subject: n.cert.subjectText, from: n.from, servedIndex: i === p.length - 1 && anchor ? anchorServedAt : n.servedIndex, der: n.cert.der })),
    chainComplete: complete && fetchedUsed === 0,
    fetchedUsed,
    extraCertificates: certs.map((_, i) => i).filter((i) => i > 0 && !onPath.has(i)),
    misordered: order.some((v, i) => i > 0 && v < order[i - 1]!),
    anchorServed: anchor !== null && anchorServedAt !== null,
    profile: webPkiNotes(
      p.map((n) => n.cert),
      { complete, anchorVetted: complete && top.anchor !== null && top.anchor.source !== 'ca-file' },
    ),
  };
}

function isSelfCopy(cert: DecodedCertificate, anchor: Node): boolean {
  return makeNode(cert, 'served', null, null).entity === anchor.entity && selfIssued(cert);
}

/** Everything wrong with one candidate path, in path order. */
function evaluate(p: Node[], complete: boolean, now: Date, why: DeadEnds): PathError[] {
  const last = p.length - 1;
  const top = p[last]!;
  const anchorVetted = complete && top.anchor !== null && top.anchor.source !== 'ca-file';
  const errors = validatePath(
    p.map((n) => n.cert),
    { now, complete, anchorVetted },
  );
  const leafNotBefore = p[0]!.cert.notBefore;
  if (complete && top.anchor) {
    const a = top.anchor;
    const subject = a.cert.subjectText;
    if (!a.serverAuth) errors.push({ code: 'root-not-trusted-for-tls', certIndex: last, subject, detail: `The root "${a.label}" is in the trust store but not trusted to identify web sites.`, rule: 'Mozilla Root Store Policy' });
    if (a.serverDistrustAfter && leafNotBefore && leafNotBefore > a.serverDistrustAfter) {
      errors.push({
        code: 'distrusted-root',
        certIndex: last,
        subject,
        detail: `The root "${a.label}" is distrusted for server certificates issued after ${a.serverDistrustAfter.toISOString()}, and this one was issued on ${leafNotBefore.toISOString()}.`,
        rule: 'Mozilla Root Store Policy (distrust-after)',
      });
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
  const subject = top.cert.subjectText;
  const name = `"${cn(top.cert)}"`;
  const issuer = `"${cn(top.cert, 'issuer')}"`;
  const bad = why.badSignature.get(top.cert.id);
  if (bad) {
    return { code: 'bad-signature', certIndex: last, subject, detail: `The signature on ${name} does not verify with the key of its named issuer ${issuer}.` };
  }
  if (selfIssued(top.cert) && signedBySelf(top.cert)) {
    return last === 0
      ? { code: 'self-signed', certIndex: 0, subject, detail: `The server certificate ${name} is self-signed and not a trusted root.` }
      : { code: 'unknown-issuer', certIndex: last, subject, detail: `The chain ends at the root ${name}, which is not in the trust store.` };
  }
  // Only URLs fit to quote in one sentence.
  const aia = (aiaUrls(top.cert.der, 'caIssuers') ?? []).filter((u) => /^[\x21-\x7e]{1,500}$/.test(u));
  const other = why.otherKey.get(top.cert.id)?.anchor ? ' A trusted root has that name, but another key.' : '';
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
  const a = child.cert.ext.authorityKeyId?.keyId;
  const s = parent.cert.ext.subjectKeyId;
  return a && s ? a.equals(s) : null;
}
