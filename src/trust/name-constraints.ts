// Name constraints (RFC 5280 §4.2.1.10, processed as §6.1.3 (b)-(c) and §6.1.4 (g)): every name of
// a certificate below a constrained CA must lie in one of that CA's permitted subtrees of its form
// (when the CA has any of that form) and in none of its excluded subtrees. Keeping one entry per
// constraining CA, rather than folding them into one intersection, gives the same answer and lets a
// violation name the CA whose constraint it breaks.
//
// Forms processed: dNSName, iPAddress, rfc822Name, directoryName and uniformResourceIdentifier.
// Any other form in a critical extension cannot be processed: a subordinate name of that form
// makes the certificate unusable, as RFC 5280 requires.
import { ATTRIBUTE, attributeValues, nameWithin } from '../cert/name.js';
import { generalNameText, ipText, type GeneralName, type GeneralNameKind } from '../cert/general-name.js';
import type { DecodedCertificate } from '../cert/decode.js';
import { EXT, type GeneralSubtree, type NameConstraints } from '../cert/extensions.js';

const PROCESSED: ReadonlySet<GeneralNameKind> = new Set(['dNSName', 'iPAddress', 'rfc822Name', 'directoryName', 'uniformResourceIdentifier']);

/** One CA's constraints as they apply below it. */
export interface ConstraintSet {
  /** Who imposes them, for messages: the CA's subject text. */
  holder: string;
  nc: NameConstraints;
  critical: boolean;
}

/** A DNS name in preferred syntax (RFC 1034 §3.5, RFC 5280 §4.2.1.6): LDH labels, no empty label. */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** rfc822Name constraint forms (RFC 5280 §4.2.1.10): a mailbox, a host, or ".domain". */
function validEmailConstraint(v: string): boolean {
  const at = v.indexOf('@');
  if (at >= 0) return at > 0 && at === v.lastIndexOf('@') && DNS_NAME.test(v.slice(at + 1));
  return DNS_NAME.test(v.startsWith('.') ? v.slice(1) : v);
}

/**
 * Why a CA's name constraints extension cannot be used at all; null when it is well-formed. A
 * dNSName constraint is a domain (no leading period, no wildcard: those are URI and e-mail
 * conventions); an iPAddress constraint is an address and a contiguous mask of its family.
 */
export function constraintsProblem(nc: NameConstraints): string | null {
  for (const s of [...(nc.permitted ?? []), ...(nc.excluded ?? [])]) {
    if (s.minimum !== 0 || s.maximum !== null) return 'a subtree uses minimum or maximum, which RFC 5280 forbids';
    const b = s.base;
    if (b.kind === 'iPAddress') {
      if (b.bytes.length !== 8 && b.bytes.length !== 32) return `an iPAddress constraint is ${b.bytes.length} octets, not an address and mask (8 or 32)`;
      if (!contiguousMask(b.bytes.subarray(b.bytes.length / 2))) return `the iPAddress constraint ${generalNameText(b)} has a non-contiguous mask`;
    }
    if (b.kind === 'dNSName' && b.value !== '' && !DNS_NAME.test(b.value.replace(/\.$/, ''))) return `the dNSName constraint "${b.value}" is not a domain name`;
    if (b.kind === 'rfc822Name' && !validEmailConstraint(b.value)) return `the rfc822Name constraint "${b.value}" is not a mailbox, host or domain`;
    if (b.kind === 'uniformResourceIdentifier' && !DNS_NAME.test(b.value.replace(/^\./, ''))) return `the URI constraint "${b.value}" is not a host or domain`;
  }
  return null;
}

function contiguousMask(mask: Buffer): boolean {
  let zero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (byte >> bit) & 1;
      if (set && zero) return false;
      if (!set) zero = true;
    }
  }
  return true;
}

/**
 * The names constraints apply to (RFC 5280 §4.2.1.10): the subject DN when non-empty, every SAN
 * entry, and each emailAddress attribute of the subject as an rfc822Name. The subject CN is not
 * a DNS name here (browsers no longer read host names from it; a leaf without SAN is rejected).
 */
export function constrainedNames(cert: DecodedCertificate): GeneralName[] {
  const out: GeneralName[] = [];
  if (cert.subject.rdns.length > 0) out.push({ kind: 'directoryName', name: cert.subject, raw: cert.subject.der });
  out.push(...(cert.ext.subjectAltName ?? []));
  for (const email of attributeValues(cert.subject, ATTRIBUTE.emailAddress)) out.push({ kind: 'rfc822Name', value: email, raw: Buffer.from(email) });
  return out;
}

const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** `name` (no wildcard) lies in the DNS subtree `base`: equal, or `base` with labels added on the left. */
function dnsWithin(name: string, base: string): boolean {
  const n = lower(name);
  const b = lower(base);
  if (b === '') return true;
  return n === b || n.endsWith(`.${b}`);
}

/** A wildcard SAN "*.rest" overlaps `base` when some name it matches is inside it. */
function wildcardOverlaps(rest: string, base: string): boolean {
  if (dnsWithin(rest, base)) return true;
  const b = lower(base);
  const r = lower(rest);
  // base is exactly one label left of rest: "*.rest" matches it.
  return b.endsWith(`.${r}`) && !b.slice(0, -(r.length + 1)).includes('.');
}

function ipWithin(ip: Buffer, base: Buffer): boolean {
  const half = base.length / 2;
  if (ip.length !== half) return false; // another family
  for (let i = 0; i < half; i++) if ((ip[i]! & base[half + i]!) !== (base[i]! & base[half + i]!)) return false;
  return true;
}

/** rfc822Name constraints: a mailbox, a host (all mailboxes there), or ".domain" (any host in it). */
function emailWithin(email: string, base: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const host = lower(email.slice(at + 1));
  if (base.includes('@')) {
    const bat = base.lastIndexOf('@');
    return email.slice(0, at) === base.slice(0, bat) && host === lower(base.slice(bat + 1));
  }
  const b = lower(base);
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** URI constraints apply to the host: a host, or ".domain" for hosts inside it. No host: never within. */
function uriWithin(uri: string, base: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri)?.[1];
  if (!host || host.startsWith('[')) return false;
  const h = lower(host);
  const b = lower(base);
  return b.startsWith('.') ? h.endsWith(b) : h === b;
}

type Relation = 'within' | 'outside' | 'overlaps';

/** How `name` relates to the subtree `base` of the same form. */
function relate(name: GeneralName, base: GeneralName): Relation {
  switch (name.kind) {
    case 'dNSName': {
      const b = (base as Extract<GeneralName, { kind: 'dNSName' }>).value;
      if (name.value.startsWith('*.')) {
        const rest = name.value.slice(2);
        // Every name "*.rest" matches lies in `b` exactly when `rest` does.
        return dnsWithin(rest, b) ? 'within' : wildcardOverlaps(rest, b) ? 'overlaps' : 'outside';
      }
      return dnsWithin(name.value, b) ? 'within' : 'outside';
    }
    case 'iPAddress':
      return ipWithin(name.bytes, (base as Extract<GeneralName, { kind: 'iPAddress' }>).bytes) ? 'within' : 'outside';
    case 'rfc822Name':
      return emailWithin(name.value, (base as Extract<GeneralName, { kind: 'rfc822Name' }>).value) ? 'within' : 'outside';
    case 'directoryName':
      return nameWithin(name.name, (base as Extract<GeneralName, { kind: 'directoryName' }>).name) ? 'within' : 'outside';
    case 'uniformResourceIdentifier':
      return uriWithin(name.value, (base as Extract<GeneralName, { kind: 'uniformResourceIdentifier' }>).value) ? 'within' : 'outside';
    default:
      return 'outside';
  }
}

function describe(name: GeneralName, cert: DecodedCertificate): string {
  if (name.kind === 'directoryName') return name.name === cert.subject ? `the subject "${cert.subjectText}"` : 'a directoryName';
  if (name.kind === 'iPAddress') return `IP ${ipText(name.bytes)}`;
  return generalNameText(name);
}

const ofKind = (subtrees: GeneralSubtree[] | null, kind: GeneralNameKind) => (subtrees ?? []).filter((s) => s.base.kind === kind);

/**
 * The first name of `cert` that the constraints forbid, as a sentence; null when all are allowed.
 * `sets` are the constraints of the CAs above `cert`, any order.
 */
export function nameConstraintViolation(cert: DecodedCertificate, names: readonly GeneralName[], sets: readonly ConstraintSet[]): string | null {
  for (const set of sets) {
    for (const name of names) {
      const what = describe(name, cert);
      if (!PROCESSED.has(name.kind)) {
        const constrained = ofKind(set.nc.permitted, name.kind).length + ofKind(set.nc.excluded, name.kind).length > 0;
        if (constrained && set.critical) return `${what} is a name form whose constraints from "${set.holder}" cannot be processed`;
        continue;
      }
      // An IP SAN of the wrong length compares with nothing; it is caught as a malformed SAN elsewhere.
      for (const ex of ofKind(set.nc.excluded, name.kind)) {
        if (relate(name, ex.base) !== 'outside') return `${what} is inside the subtree ${generalNameText(ex.base)} that "${set.holder}" excludes`;
      }
      const permitted = ofKind(set.nc.permitted, name.kind);
      if (permitted.length > 0 && !permitted.some((p) => relate(name, p.base) === 'within')) {
        return `${what} is outside the subtrees "${set.holder}" permits (${permitted.map((p) => generalNameText(p.base)).join(', ')})`;
      }
    }
  }
  return null;
}

/** The constraints `cert` imposes on the certificates below it, or null when it has none. */
export function constraintSetOf(cert: DecodedCertificate): ConstraintSet | null {
  const nc = cert.ext.nameConstraints;
  if (!nc) return null;
  return { holder: cert.subjectText, nc, critical: cert.extensions.some((e) => e.oid === EXT.nameConstraints && e.critical) };
}
