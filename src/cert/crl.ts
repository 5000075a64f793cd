// Certificate revocation lists (RFC 5280 §5): where a certificate's CRL lives (its http CRL
// Distribution Points) and what a downloaded CRL says about it. The CRL comes from the network, so
// it is read with our bounded DER reader in one linear pass (no tree of objects: a CA's CRL can list
// a million serials), only the matching entry is decoded, and the signature is checked against the
// issuer certificate before anything it says is used.
import { bytesEqual, childrenOf, decodeOid, decodeTime, encodeOidContent, readTlv, TAG, type Tlv } from './der.js';
import { decodeCertificate, extensionOf, type AlgorithmIdentifier } from './decode.js';
import { EXT } from './extensions.js';
import { decodeName, namesEqual, nameText } from './name.js';
import { verifySignature } from './signature.js';

/** Largest CRL read (a large public CA's CRL is a few MiB; this leaves room and stays bounded). */
export const MAX_CRL_BYTES = 20 * 1024 * 1024;
/** Clock skew tolerated on thisUpdate/nextUpdate, as for OCSP. */
export const CRL_CLOCK_SKEW_MS = 5 * 60_000;
/** A CRL without nextUpdate (RFC 5280 requires one) is taken as fresh for this long after thisUpdate. */
export const CRL_MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 7 * 86_400_000;

const GN_URI = 0x86;
const DP_NAME = 0xa0; // DistributionPoint.distributionPoint [0] (explicit: it tags a CHOICE)
const DP_FULL_NAME = 0xa0; // DistributionPointName.fullName [0] IMPLICIT GeneralNames
const MAX_POINTS = 16;
const MAX_NAMES = 16;

/**
 * http:// URLs of the certificate's CRL Distribution Points, in order. A point limited to some
 * reasons or with its own cRLIssuer (an indirect CRL) does not give the whole answer: skipped.
 * https and ldap are skipped too (https would need a revocation check of its own).
 */
export function crlDistributionUrls(certDer: Uint8Array): string[] {
  const d = decodeCertificate(certDer);
  const ext = d.ok ? extensionOf(d.cert, EXT.cRLDistributionPoints) : undefined;
  if (!ext) return [];
  const buf = ext.value;
  const outer = readTlv(buf, 0, buf.length);
  const points = outer && outer.tag === TAG.SEQUENCE ? childrenOf(buf, outer, MAX_POINTS) : null;
  const urls: string[] = [];
  for (const p of points ?? []) {
    const fields = p.tag === TAG.SEQUENCE ? childrenOf(buf, p, 3) : null;
    if (!fields || fields.length !== 1 || fields[0]!.tag !== DP_NAME) continue;
    const full = readTlv(buf, fields[0]!.start, fields[0]!.end);
    const names = full && full.tag === DP_FULL_NAME ? childrenOf(buf, full, MAX_NAMES) : null;
    for (const n of names ?? []) {
      if (n.tag !== GN_URI) continue;
      const url = Buffer.from(buf.subarray(n.start, n.end)).toString('latin1');
      if (/^http:\/\/[^\s]+$/i.test(url) && !urls.includes(url)) urls.push(url);
    }
  }
  return urls;
}

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'reason 7', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

// Extensions we understand (RFC 5280 §5.2, §5.3); an unknown critical one makes the CRL unusable.
const CRL_EXTENSIONS = new Set([EXT.authorityKeyIdentifier, EXT.issuerAltName, EXT.cRLNumber, EXT.freshestCRL, EXT.authorityInfoAccess, '2.5.29.27', '2.5.29.28', '2.5.29.60']);
const OID_DELTA = '2.5.29.27';
const OID_IDP = '2.5.29.28';
const OID_REASON = '2.5.29.21';
const OID_CERT_ISSUER_BYTES = encodeOidContent('2.5.29.29');
const ENTRY_EXTENSIONS = new Set([OID_REASON, '2.5.29.23' /* holdInstructionCode */, '2.5.29.24' /* invalidityDate */]);

export interface CrlEvaluation {
  /** good: not listed; revoked: listed; null: the CRL cannot be used (`errors` say why). */
  status: 'good' | 'revoked' | null;
  revokedAt: Date | null;
  revocationReason: string | null;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  /** thisUpdate not in the future and nextUpdate not past (with clock skew); null when unreadable. */
  fresh: boolean | null;
  /** Signed by the issuer's key: true/false, or null when it could not be checked. */
  signatureValid: boolean | null;
  entries: number | null;
  errors: string[];
}

export interface CrlEvaluationContext {
  leafDer: Uint8Array;
  issuerDer: Uint8Array;
  now: Date;
}

interface Ext {
  oid: string;
  critical: boolean;
  value: Tlv;
}

/** Extensions ::= SEQUENCE OF Extension; null when malformed. */
function readExtensions(buf: Buffer, seq: Tlv, max: number): Ext[] | null {
  if (seq.tag !== TAG.SEQUENCE) return null;
  const list = childrenOf(buf, seq, max);
  if (!list) return null;
  const out: Ext[] = [];
  for (const e of list) {
    const f = e.tag === TAG.SEQUENCE ? childrenOf(buf, e, 3) : null;
    if (!f || f.length < 2 || f[0]!.tag !== TAG.OID) return null;
    const oid = decodeOid(buf.subarray(f[0]!.start, f[0]!.end));
    const critical = f.length === 3 && f[1]!.tag === TAG.BOOLEAN && buf[f[1]!.start] !== 0;
    const value = f[f.length - 1]!;
    if (!oid || value.tag !== TAG.OCTET_STRING) return null;
    out.push({ oid, critical, value });
  }
  return out;
}

function algorithm(buf: Buffer, t: Tlv): AlgorithmIdentifier | null {
  const f = t.tag === TAG.SEQUENCE ? childrenOf(buf, t, 2) : null;
  const oid = f?.[0]?.tag === TAG.OID ? decodeOid(buf.subarray(f[0].start, f[0].end)) : null;
  if (!f || !oid) return null;
  const p = f[1];
  return { oid, params: p ? buf.subarray(p.headerStart, p.end) : null, der: buf.subarray(t.headerStart, t.end) };
}

/** The serial's octets without leading zero octets: serials compare as positive integers. */
function serialDigits(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** Whether the INTEGER at `t` in `buf` is the serial `want` (compared in place: no copy per entry). */
function serialIs(buf: Uint8Array, t: Tlv, want: Uint8Array): boolean {
  let i = t.start;
  while (i < t.end - 1 && buf[i] === 0) i++;
  if (t.end - i !== want.length) return false;
  for (let j = 0; j < want.length; j++) if (buf[i + j] !== want[j]) return false;
  return true;
}

/** An entry's extensions, read only as far as the checks need: criticality and the indirect-CRL marker. */
function entryExtensionProblem(buf: Buffer, seq: Tlv): string | null {
  if (seq.tag !== TAG.SEQUENCE) return 'malformed';
  for (let at = seq.start, n = 0; at < seq.end; n++) {
    const e = n < 16 ? readTlv(buf, at, seq.end) : null;
    const id = e && e.tag === TAG.SEQUENCE ? readTlv(buf, e.start, e.end) : null;
    if (!e || !id || id.tag !== TAG.OID) return 'malformed';
    at = e.end;
    const idBytes = buf.subarray(id.start, id.end);
    if (bytesEqual(idBytes, OID_CERT_ISSUER_BYTES)) return 'it is an indirect CRL (an entry names another certificate issuer)';
    const flag = readTlv(buf, id.end, e.end);
    if (!flag) return 'malformed';
    if (flag.tag === TAG.BOOLEAN && buf[flag.start] !== 0) {
      const oid = decodeOid(idBytes);
      if (!oid || !ENTRY_EXTENSIONS.has(oid)) return `unknown critical CRL entry extension ${oid ?? '(unreadable)'}`;
    }
  }
  return null;
}

/** Why the issuingDistributionPoint keeps this CRL from answering for a server certificate, or null. */
function idpLimit(buf: Buffer, value: Tlv): string | null {
  const seq = readTlv(buf, value.start, value.end);
  const fields = seq && seq.tag === TAG.SEQUENCE ? childrenOf(buf, seq, 6) : null;
  if (!fields) return 'its issuingDistributionPoint is malformed';
  for (const f of fields) {
    const on = f.end > f.start && buf[f.start] !== 0;
    if (f.tag === 0x82 && on) return 'it covers CA certificates only';
    if (f.tag === 0x83) return 'it covers only some revocation reasons';
    if (f.tag === 0x84 && on) return 'it is an indirect CRL';
    if (f.tag === 0x85 && on) return 'it covers attribute certificates only';
  }
  return null;
}

const empty = (errors: string[]): CrlEvaluation => ({
  status: null, revokedAt: null, revocationReason: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, entries: null, errors,
});

/** What `der` (a CertificateList) says about the leaf, judged against its issuer certificate. */
export function evaluateCrl(der: Buffer, ctx: CrlEvaluationContext): CrlEvaluation {
  if (der.length > MAX_CRL_BYTES) return empty([`CRL of ${der.length} bytes exceeds the ${MAX_CRL_BYTES}-byte limit`]);
  const leaf = decodeCertificate(ctx.leafDer);
  const issuer = decodeCertificate(ctx.issuerDer);
  if (!leaf.ok || !issuer.ok) return empty([`certificate unreadable: ${!leaf.ok ? leaf.error : !issuer.ok ? issuer.error : ''}`]);
  const top = readTlv(der, 0, der.length);
  const parts = top && top.tag === TAG.SEQUENCE && top.end === der.length ? childrenOf(der, top, 3) : null;
  if (!parts || parts.length !== 3 || parts[0]!.tag !== TAG.SEQUENCE || parts[2]!.tag !== TAG.BIT_STRING) return empty(['not a DER CertificateList']);
  const [tbs, outerAlg, sigBits] = parts as [Tlv, Tlv, Tlv];
  // TBSCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] crlExtensions?
  // Walked field by field (not childrenOf): revokedCertificates may hold a million entries.
  const fields: Tlv[] = [];
  for (let at = tbs.start; at < tbs.end && fields.length < 7; ) {
    const t = readTlv(der, at, tbs.end);
    if (!t) return empty(['malformed TBSCertList']);
    fields.push(t);
    at = t.end;
  }
  if (fields.length === 0 || fields[fields.length - 1]!.end !== tbs.end) return empty(['malformed TBSCertList']);
  let i = fields[0]!.tag === TAG.INTEGER ? 1 : 0;
  const innerAlg = fields[i++];
  const issuerName = fields[i++];
  const thisTlv = fields[i++];
  if (!innerAlg || !issuerName || !thisTlv) return empty(['malformed TBSCertList']);
  let nextTlv: Tlv | null = null;
  if (fields[i] && (fields[i]!.tag === TAG.UTC_TIME || fields[i]!.tag === TAG.GENERALIZED_TIME)) nextTlv = fields[i++]!;
  const revokedList = fields[i]?.tag === TAG.SEQUENCE ? fields[i++]! : null;
  const extWrapper = fields[i]?.tag === TAG.CTX0 ? fields[i++]! : null;
  if (i !== fields.length) return empty(['malformed TBSCertList (unexpected fields)']);

  const errors: string[] = [];
  const out: CrlEvaluation = { ...empty(errors), errors };
  out.thisUpdate = decodeTime(thisTlv.tag, der.subarray(thisTlv.start, thisTlv.end));
  out.nextUpdate = nextTlv ? decodeTime(nextTlv.tag, der.subarray(nextTlv.start, nextTlv.end)) : null;
  if (!out.thisUpdate || (nextTlv && !out.nextUpdate)) errors.push('thisUpdate or nextUpdate is not a valid time');

  // Signature first: nothing an unsigned CRL says is used.
  const alg = algorithm(der, outerAlg);
  const inner = algorithm(der, innerAlg);
  if (!alg || !inner || !alg.der.equals(inner.der)) {
    out.signatureValid = false;
    errors.push('the signature algorithm inside and outside the signed part differ (RFC 5280 §5.1.1.2)');
  } else if (der[sigBits.start] !== 0) {
    out.signatureValid = false;
    errors.push('malformed signature BIT STRING');
  } else {
    out.signatureValid = verifySignature(alg, der.subarray(tbs.headerStart, tbs.end), der.subarray(sigBits.start + 1, sigBits.end), issuer.cert.publicKey);
    if (!out.signatureValid) errors.push(`the signature does not verify with the key of ${issuer.cert.subjectText}`);
  }
  const crlIssuer = decodeName(der, issuerName);
  if (!crlIssuer || !namesEqual(crlIssuer, leaf.cert.issuer) || !namesEqual(crlIssuer, issuer.cert.subject)) {
    errors.push(`the CRL issuer (${crlIssuer ? nameText(crlIssuer) : 'unreadable'}) is not the certificate's issuer (${leaf.cert.issuerText})`);
  }
  if (issuer.cert.ext.keyUsage && !issuer.cert.ext.keyUsage.has('cRLSign')) errors.push("the issuer's key usage does not include cRLSign");

  if (extWrapper) {
    const seq = readTlv(der, extWrapper.start, extWrapper.end);
    const exts = seq && seq.end === extWrapper.end ? readExtensions(der, seq, 32) : null;
    if (!exts) errors.push('malformed crlExtensions');
    for (const e of exts ?? []) {
      if (e.oid === OID_DELTA) errors.push('it is a delta CRL, not a complete one');
      else if (e.oid === OID_IDP) {
        const limit = idpLimit(der, e.value);
        if (limit) errors.push(`it does not answer for a server certificate: ${limit}`);
      } else if (e.critical && !CRL_EXTENSIONS.has(e.oid)) errors.push(`unknown critical CRL extension ${e.oid}`);
    }
  }

  const wanted = serialDigits(leaf.cert.serial);
  let entries = 0;
  let match: { date: Tlv; exts: Tlv | null } | null = null;
  if (revokedList) {
    // revokedCertificates: one pass, each entry's serial compared in place; only extensions are looked into.
    for (let at = revokedList.start; at < revokedList.end; entries++) {
      const entry = readTlv(der, at, revokedList.end);
      const serial = entry && entry.tag === TAG.SEQUENCE ? readTlv(der, entry.start, entry.end) : null;
      const date = serial && serial.tag === TAG.INTEGER ? readTlv(der, serial.end, entry!.end) : null;
      const exts = date && date.end < entry!.end ? readTlv(der, date.end, entry!.end) : null;
      if (!entry || !date || (date.end < entry.end && (!exts || exts.end !== entry.end))) {
        errors.push(`malformed revokedCertificates entry ${entries}`);
        break;
      }
      at = entry.end;
      const problem = exts ? entryExtensionProblem(der, exts) : null;
      if (problem) {
        errors.push(problem === 'malformed' ? `malformed extensions in revokedCertificates entry ${entries}` : problem);
        break;
      }
      if (match === null && serialIs(der, serial!, wanted)) match = { date, exts };
    }
  }
  out.entries = entries;

  if (match) {
    out.revokedAt = decodeTime(match.date.tag, der.subarray(match.date.start, match.date.end));
    const reasonExt = match.exts ? readExtensions(der, match.exts, 16)?.find((e) => e.oid === OID_REASON) : undefined;
    const enumTlv = reasonExt ? readTlv(der, reasonExt.value.start, reasonExt.value.end) : null;
    if (enumTlv && enumTlv.tag === 0x0a && enumTlv.end - enumTlv.start === 1) out.revocationReason = REASONS[der[enumTlv.start]!] ?? `reason ${der[enumTlv.start]}`;
  }
  const now = ctx.now.getTime();
  if (out.thisUpdate) {
    const notYet = out.thisUpdate.getTime() > now + CRL_CLOCK_SKEW_MS;
    const expired = out.nextUpdate ? out.nextUpdate.getTime() + CRL_CLOCK_SKEW_MS < now : out.thisUpdate.getTime() + CRL_MAX_AGE_WITHOUT_NEXT_UPDATE_MS < now;
    out.fresh = !notYet && !expired;
  }
  // Usable only when signed by the issuer, readable, fresh and complete for this certificate.
  if (errors.length === 0 && out.signatureValid === true && out.fresh === true) {
    // removeFromCRL belongs to delta CRLs; listed with it, the certificate is not revoked.
    out.status = match && out.revocationReason !== 'removeFromCRL' ? 'revoked' : 'good';
  } else {
    out.revokedAt = match ? out.revokedAt : null;
    if (out.fresh === false) errors.push(out.nextUpdate ? `stale: nextUpdate ${out.nextUpdate.toISOString()} has passed` : 'stale or not yet valid');
  }
  return out;
}
