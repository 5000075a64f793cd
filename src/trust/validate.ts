// RFC 5280 §6.1 path validation of one built path, pure: validity, basic constraints and path
// length (self-issued intermediates not counted), key usage, name constraints, critical
// extensions, policies — plus the web-PKI profile browsers add (src/trust/webpki.ts). The path
// building (src/trust/path.ts) has already checked that each certificate's issuer name and
// signature chain to the next.
//
// The trust anchor: when it is a certificate (always, here), browsers check its validity and
// the constraints it carries (Chrome's anchor constraints, Firefox through mozilla::pkix), so
// this does too: an expired root, a root that is not a CA, or a root's name constraints fail the
// path. Alternatives (a cross-signed path to another root) are the path builder's to try.
import type { DecodedCertificate } from '../cert/decode.js';
import { extensionName, PROCESSED_CRITICAL } from '../cert/decode.js';
import { namesEqual } from '../cert/name.js';
import { constrainedNames, constraintSetOf, constraintsProblem, nameConstraintViolation, type ConstraintSet } from './name-constraints.js';
import type { PathError, PathErrorCode } from './path-error.js';
import { policyViolation } from './policy.js';
import { webPkiRejections } from './webpki.js';

export interface ValidateOptions {
  now: Date;
  /** The path ends at a trust anchor (else the top is a dead end, validated as far as it goes). */
  complete: boolean;
  /**
   * The anchor is a root store's own root (Mozilla's): vetted by the store's policy and taken as
   * it is for the certificate profile (some predate today's rules, and browsers accept them), but
   * still held to its validity and constraints. Anchors from --ca-file are vetted by nobody and
   * meet the whole profile.
   */
  anchorVetted?: boolean;
}

/** Name comparisons allowed per path (Chrome's and Go's order of magnitude): more is hostile. */
export const MAX_NAME_CHECKS = 1 << 20;

export const selfIssued = (c: DecodedCertificate): boolean => namesEqual(c.issuer, c.subject);

/** Validity at second precision: notAfter 23:59:59Z holds through 23:59:59.999. */
function timeProblem(c: DecodedCertificate, now: Date): 'expired' | 'not-yet-valid' | null {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  if (c.notBefore && t < c.notBefore.getTime()) return 'not-yet-valid';
  if (c.notAfter && t > c.notAfter.getTime()) return 'expired';
  return null;
}

function cn(c: DecodedCertificate): string {
  return /(?:^|, )CN=([^,]*)/.exec(c.subjectText)?.[1] ?? (c.subjectText || '(empty subject)');
}

/** Every problem of path `p` (leaf first), in path order; [] when it validates. */
export function validatePath(p: readonly DecodedCertificate[], o: ValidateOptions): PathError[] {
  const errors: PathError[] = [];
  const last = p.length - 1;
  const err = (code: PathErrorCode, i: number, detail: string, rule: string) => errors.push({ code, certIndex: i, subject: p[i]!.subjectText, detail, rule });

  p.forEach((c, i) => {
    const isLeaf = i === 0;
    const isAnchor = o.complete && i === last && !isLeaf;
    const what = isLeaf ? 'The server certificate' : isAnchor ? 'The root' : 'The intermediate';
    const name = `"${cn(c)}"`;
    for (const m of c.malformed) err('malformed', i, `${what} ${name} is malformed: ${m}`, 'RFC 5280 §4');

    const time = timeProblem(c, o.now);
    if (time === 'expired') err('expired', i, `${what} ${name} expired on ${c.notAfter!.toISOString()}.`, 'RFC 5280 §6.1.3 (a)(2)');
    if (time === 'not-yet-valid') err('not-yet-valid', i, `${what} ${name} is not valid before ${c.notBefore!.toISOString()}.`, 'RFC 5280 §6.1.3 (a)(2)');

    const unknown = c.extensions.filter((e) => e.critical && !PROCESSED_CRITICAL.has(e.oid));
    for (const e of unknown) err('critical-extension', i, `${what} ${name} has a critical ${extensionName(e.oid)} extension, which cannot be processed.`, 'RFC 5280 §6.1.4 (o)');

    if (!isLeaf) {
      const bc = c.ext.basicConstraints;
      if (!bc?.ca) {
        err('not-a-ca', i, `${what} ${name} is not a CA certificate (basicConstraints cA is ${bc ? 'false' : 'missing'}).`, 'RFC 5280 §6.1.4 (k)');
      } else {
        if (c.ext.keyUsage && !c.ext.keyUsage.has('keyCertSign')) {
          err('key-usage', i, `${what} ${name} has a key usage that does not allow signing certificates.`, 'RFC 5280 §6.1.4 (n)');
        }
        const below = p.slice(1, i).filter((x) => !selfIssued(x)).length;
        if (bc.pathLen !== null && below > bc.pathLen) {
          err('path-length', i, `${what} ${name} allows ${bc.pathLen} intermediate(s) below it, but the path has ${below}.`, 'RFC 5280 §6.1.4 (l)-(m)');
        }
      }
      const nc = c.ext.nameConstraints;
      const ncProblem = nc && constraintsProblem(nc);
      if (ncProblem) err('name-constraints', i, `${what} ${name} has unusable name constraints: ${ncProblem}.`, 'RFC 5280 §4.2.1.10');
    }
  });

  // Name constraints, top down: each certificate's names against every constraining CA above it.
  // Self-issued intermediates are exempt (§6.1.3 (b)); the leaf never is.
  const sets: Array<{ at: number; set: ConstraintSet }> = [];
  let budget = MAX_NAME_CHECKS;
  for (let i = last; i >= 0; i--) {
    const c = p[i]!;
    const applicable = sets.filter((s) => s.at > i).map((s) => s.set);
    if (applicable.length > 0 && (i === 0 || !selfIssued(c))) {
      const names = constrainedNames(c);
      const cost = names.length * applicable.reduce((n, s) => n + (s.nc.permitted?.length ?? 0) + (s.nc.excluded?.length ?? 0), 0);
      budget -= cost;
      if (budget < 0) {
        err('name-constraints', i, `Checking the names of "${cn(c)}" against the name constraints above it takes more than ${MAX_NAME_CHECKS} comparisons; the chain is refused as hostile.`, 'RFC 5280 §6.1.3 (b)');
        break;
      }
      const why = nameConstraintViolation(c, names, applicable);
      if (why) err('name-constraints', i, `${i === 0 ? 'The server certificate' : 'The intermediate'} "${cn(c)}" violates name constraints: ${why}.`, 'RFC 5280 §4.2.1.10');
    }
    const own = i > 0 ? constraintSetOf(c) : null;
    if (own && !constraintsProblem(own.nc)) sets.push({ at: i, set: own });
  }

  // Policies over the path below the anchor (or the whole dead-end path), top first.
  const chain = (o.complete && last > 0 ? p.slice(0, last) : p.slice()).reverse();
  const policy = policyViolation(chain, selfIssued);
  if (policy) {
    const i = chain.length - 1 - policy.index;
    err('policy', i, policy.detail, 'RFC 5280 §6.1.3-§6.1.5');
  }

  errors.push(...webPkiRejections(p, o));
  // Path order, then by rule: the report reads top-down from the server's certificate.
  return errors.sort((a, b) => (a.certIndex ?? 0) - (b.certIndex ?? 0));
}

/** Whether `c` may be used as an issuer at all (a cheap pre-check for path building). */
export function canIssue(c: DecodedCertificate): boolean {
  return c.ext.basicConstraints?.ca === true && (c.ext.keyUsage === undefined || c.ext.keyUsage.has('keyCertSign'));
}

