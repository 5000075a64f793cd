// DANE for SMTP (RFC 6698, RFC 7671, RFC 7672): does the chain an MX host served match its TLSA
// records? Pure: records and DER certificates in, a verdict and findings out; no I/O.
//
// RFC 7672 rules applied:
//  - DANE-EE(3) matches the leaf only; its names and dates do not matter (§3.1.1).
//  - DANE-TA(2) matches a certificate of the served chain, which the server must send (§3.1.2);
//    the certificates from the leaf up to it must chain by signature (checked here). The leaf's
//    name against the MX host (§3.2.3) is not checked here: that is the certificate checks' job.
//  - PKIX-TA(0) and PKIX-EE(1) are not for SMTP: such records are unusable (§3.1.3).
//  - Unknown usages, selectors or matching types, and malformed data, are unusable (RFC 6698
//    §4.1, RFC 7671 §4); when every record is unusable, a DANE sender still requires TLS but does
//    not authenticate the server (RFC 7672 §2.2).
//  - Only DNSSEC-validated ("secure") TLSA records count (RFC 7672 §2.2, RFC 6698 §4.1): records
//    in an unsigned or otherwise insecure zone are ignored by senders, so they earn nothing and a
//    non-matching one is no mismatch (`insecure`); when whether they validate cannot be told (a
//    resolver that does not validate, a lookup that failed), DANE is untested (`error`).
import { createHash, X509Certificate } from 'node:crypto';
import { certificateLayout } from '../cert/der.js';
import { finding, type CheckFinding } from '../model/finding.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DANE_FINDINGS = {
  notDnssec: 'email.dane.not-dnssec',
  absent: 'email.dane.absent',
  valid: 'email.dane.valid',
  mismatch: 'email.dane.mismatch',
  unusable: 'email.dane.unusable',
  untested: 'email.dane.untested',
  unusableRecords: 'email.dane.unusable-records',
} as const;

/** A TLSA record's RDATA, as in DnsRecord 'TLSA' (src/net/dns/types.ts). */
export interface TlsaRecordData {
  usage: number;
  selector: number;
  matchingType: number;
  /** Certificate association data, hex. */
  data: string;
}

/** `insecure`: TLSA records that are not DNSSEC-validated, which senders ignore (see requireSecureTlsa). */
export type DaneStatus = 'match' | 'no-match' | 'no-tlsa' | 'unusable' | 'insecure' | 'error';

export const TLSA_USAGE: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
export const TLSA_SELECTOR: Record<number, string> = { 0: 'Cert', 1: 'SPKI' };
export const TLSA_MATCHING: Record<number, string> = { 0: 'Full', 1: 'SHA2-256', 2: 'SHA2-512' };

export interface DaneMatch {
  /** Index of the record in the input. */
  record: number;
  /** `3 1 1 abcd…` (data shortened). */
  text: string;
  usage: string;
  /** Index of the matching certificate in the chain (0 = leaf). */
  certIndex: number;
}

export interface DaneRecordDetail {
  record: number;
  text: string;
  /** How the record fared. */
  outcome: 'match' | 'no-match' | 'unusable' | 'error';
  why: string;
}

export interface DaneResult {
  status: DaneStatus;
  matched: DaneMatch[];
  /** One entry per record, in input order. */
  details: DaneRecordDetail[];
  /** One sentence on the verdict. */
  summary: string;
  /**
   * Set when the records were not used because they are not DNSSEC-validated (`insecure`, or
   * `error` when that could not be told): what they would give if they were, and its summary.
   */
  ifValidated?: { status: DaneStatus; summary: string };
}

/**
 * Whether a TLSA answer is DNSSEC-validated, in RFC 4035 §4.3 terms as a DANE sender sees it:
 * `secure` (validated), `insecure` (provably not signed, or no chain of trust reaches it),
 * `bogus` (fails validation), `unknown` (could not be told: the resolver does not validate, a
 * lookup failed). `reason` says how it was decided.
 */
export interface TlsaSecurity {
  status: 'secure' | 'insecure' | 'bogus' | 'unknown';
  reason: string;
}

/**
 * RFC 7672 §2.2 and RFC 6698 §4.1: a DANE client uses TLSA records only when their answer is
 * secure. Insecure records are ignored as if there were none (`insecure`: no credit, and a record
 * that does not match is no mismatch); bogus or undetermined ones leave DANE untested (`error`).
 * A result without records, or with secure ones, is returned as it is.
 */
export function requireSecureTlsa(result: DaneResult, security: TlsaSecurity, tlsaName: string): DaneResult {
  if (result.status === 'no-tlsa' || security.status === 'secure') return result;
  const ifValidated = { status: result.status, summary: result.summary };
  if (security.status === 'insecure') {
    return {
      status: 'insecure',
      matched: [],
      details: result.details,
      ifValidated,
      summary: `the TLSA records at ${tlsaName} are not DNSSEC-validated (${security.reason}): sending servers ignore them (RFC 7672 §2.2), so DANE does not apply to this host`,
    };
  }
  return {
    status: 'error',
    matched: [],
    details: result.details,
    ifValidated,
    summary:
      security.status === 'bogus'
        ? `the TLSA records at ${tlsaName} fail DNSSEC validation (${security.reason}): DANE could not be checked`
        : `TLSA records are published at ${tlsaName}, but whether they are DNSSEC-validated could not be told (${security.reason}): DANE could not be checked`,
  };
}

/** More than any zone should publish for one name; the rest are ignored (and said so). */
export const MAX_TLSA_RECORDS = 64;
/** Chains longer than this are not something a server sends; the rest are ignored. */
export const MAX_CHAIN_CERTS = 16;

const HASH: Record<number, { name: string; bytes: number } | undefined> = {
  1: { name: 'sha256', bytes: 32 },
  2: { name: 'sha512', bytes: 64 },
};

export function tlsaText(r: TlsaRecordData, max = 16): string {
  const data = r.data.toLowerCase();
  return `${r.usage} ${r.selector} ${r.matchingType} ${data.length > max ? `${data.slice(0, max)}…` : data}`;
}

/** The SubjectPublicKeyInfo DER of a certificate, or null if it is not a well-formed certificate. */
export function spkiOf(der: Uint8Array): Buffer | null {
  const layout = certificateLayout(der);
  return layout ? Buffer.from(der.subarray(layout.spki.headerStart, layout.spki.end)) : null;
}

/** What one certificate offers to the matcher: its selected bytes and their digests, computed once. */
class CertView {
  private spki: Buffer | null | undefined;
  private readonly digests = new Map<string, string>();
  constructor(readonly der: Buffer) {}

  /** Selected bytes as hex-comparable buffer; null when the selector cannot be applied (bad DER). */
  selected(selector: number): Buffer | null {
    if (selector === 0) return this.der;
    if (this.spki === undefined) this.spki = spkiOf(this.der);
    return this.spki;
  }

  association(selector: number, matchingType: number): string | null {
    const key = `${selector}/${matchingType}`;
    const cached = this.digests.get(key);
    if (cached !== undefined) return cached;
    const bytes = this.selected(selector);
    if (!bytes) return null;
    const hash = HASH[matchingType];
    const value = hash ? createHash(hash.name).update(bytes).digest('hex') : bytes.toString('hex');
    this.digests.set(key, value);
    return value;
  }
}

/** Why a record is unusable for SMTP, or null when it is usable. */
function unusableWhy(r: TlsaRecordData): string | null {
  if (r.usage === 0 || r.usage === 1) return `${TLSA_USAGE[r.usage]} (${r.usage}) is not used for SMTP (RFC 7672 §3.1.3)`;
  if (r.usage !== 2 && r.usage !== 3) return `unknown certificate usage ${r.usage}`;
  if (r.selector !== 0 && r.selector !== 1) return `unknown selector ${r.selector}`;
  if (r.matchingType !== 0 && r.matchingType !== 1 && r.matchingType !== 2) return `unknown matching type ${r.matchingType}`;
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(r.data)) return 'the association data is empty or not hex';
  const hash = HASH[r.matchingType];
  if (hash && r.data.length !== hash.bytes * 2) return `${TLSA_MATCHING[r.matchingType]} data must be ${hash.bytes} bytes, not ${r.data.length / 2}`;
  return null;
}

/** Do certificates 0…taIndex chain by name and signature (each issued and signed by the next)? */
function chainsTo(taIndex: number, parsed: (i: number) => X509Certificate | null): string | null {
  for (let i = 0; i < taIndex; i++) {
    const child = parsed(i);
    const parent = parsed(i + 1);
    if (!child || !parent) return `certificate ${child ? i + 1 : i} cannot be parsed`;
    if (!child.checkIssued(parent)) return `certificate ${i} was not issued by certificate ${i + 1}`;
    let signed = false;
    try {
      signed = child.verify(parent.publicKey);
    } catch {
      signed = false;
    }
    if (!signed) return `certificate ${i}'s signature does not verify with certificate ${i + 1}'s key`;
  }
  return null;
}

/**
 * Matches TLSA records against a served chain (DER, leaf first, as sent). Never throws.
 * `no-tlsa`: no records; `unusable`: records, none usable; `match`: a usable record matched;
 * `no-match`: usable records, none matched; `error`: nothing to match against (no chain, or
 * certificates that cannot be read for any usable record).
 */
export function matchTlsa(records: readonly TlsaRecordData[], chain: readonly Buffer[]): DaneResult {
  const details: DaneRecordDetail[] = [];
  const matched: DaneMatch[] = [];
  if (records.length === 0) return { status: 'no-tlsa', matched, details, summary: 'no TLSA records' };
  const certs = chain.slice(0, MAX_CHAIN_CERTS).map((der) => new CertView(der));
  const parsedCache = new Map<number, X509Certificate | null>();
  const parsed = (i: number): X509Certificate | null => {
    if (!parsedCache.has(i)) {
      let cert: X509Certificate | null = null;
      try {
        cert = certs[i] ? new X509Certificate(certs[i].der) : null;
      } catch {
        cert = null;
      }
      parsedCache.set(i, cert);
    }
    return parsedCache.get(i) ?? null;
  };

  let usable = 0;
  let errors = 0;
  records.slice(0, MAX_TLSA_RECORDS).forEach((r, index) => {
    const text = tlsaText(r);
    const why = unusableWhy(r);
    if (why) {
      details.push({ record: index, text, outcome: 'unusable', why });
      return;
    }
    usable++;
    if (certs.length === 0) {
      errors++;
      details.push({ record: index, text, outcome: 'error', why: 'no certificate was served' });
      return;
    }
    const want = r.data.toLowerCase();
    // DANE-EE: the leaf only. DANE-TA: any certificate the server sent, the leaf's issuers first.
    const candidates = r.usage === 3 ? [0] : certs.map((_, i) => i);
    let unreadable = 0;
    let brokenChain: string | null = null;
    for (const i of candidates) {
      const have = certs[i]!.association(r.selector, r.matchingType);
      if (have === null) {
        unreadable++;
        continue;
      }
      if (have !== want) continue;
      if (r.usage === 2) {
        const broken = chainsTo(i, parsed);
        if (broken) {
          brokenChain ??= `matches certificate ${i}, but ${broken}`;
          continue;
        }
      }
      matched.push({ record: index, text, usage: TLSA_USAGE[r.usage]!, certIndex: i });
      details.push({ record: index, text, outcome: 'match', why: r.usage === 3 ? 'matches the leaf' : `matches certificate ${i} as trust anchor` });
      return;
    }
    if (unreadable === candidates.length) {
      errors++;
      details.push({ record: index, text, outcome: 'error', why: 'the served certificate(s) could not be read for the SubjectPublicKeyInfo' });
      return;
    }
    const where = r.usage === 3 ? 'the leaf certificate' : `any of the ${certs.length} served certificate(s)`;
    details.push({ record: index, text, outcome: 'no-match', why: brokenChain ?? `does not match ${where}` });
  });
  if (records.length > MAX_TLSA_RECORDS) {
    details.push({ record: MAX_TLSA_RECORDS, text: '…', outcome: 'unusable', why: `only the first ${MAX_TLSA_RECORDS} of ${records.length} records were considered` });
  }

  if (matched.length > 0) {
    const first = matched[0]!;
    return { status: 'match', matched, details, summary: `${first.usage} record ${first.text} matches ${first.certIndex === 0 ? 'the leaf' : `certificate ${first.certIndex}`}` };
  }
  if (usable === 0) return { status: 'unusable', matched, details, summary: `none of the ${records.length} TLSA record(s) is usable for SMTP` };
  if (errors === usable) return { status: 'error', matched, details, summary: certs.length === 0 ? 'no certificate to match' : 'the served certificates could not be read' };
  return { status: 'no-match', matched, details, summary: `none of the ${usable} usable TLSA record(s) matches the served chain` };
}

const DANE_REF = {
  rfc6698: 'RFC 6698 — DNS-Based Authentication of Named Entities (DANE) TLSA (https://www.rfc-editor.org/rfc/rfc6698)',
  rfc7671: 'RFC 7671 — DANE protocol: updates and operational guidance (https://www.rfc-editor.org/rfc/rfc7671)',
  rfc7672: 'RFC 7672 — SMTP security via opportunistic DANE TLS (https://www.rfc-editor.org/rfc/rfc7672)',
} as const;

export interface DaneContext {
  /** The MX host whose `_25._tcp` TLSA records these are. */
  host: string;
  /** `ip:port` the chain was served on. */
  endpoint?: string;
}

/** Findings `email.dane.*` for one MX endpoint. */
export function daneFindings(result: DaneResult, records: readonly TlsaRecordData[], ctx: DaneContext): CheckFinding[] {
  const evidence = {
    host: ctx.host,
    tlsa: records.slice(0, MAX_TLSA_RECORDS).map((r) => tlsaText(r, 64)),
    status: result.status,
    matched: result.matched,
    details: result.details,
  };
  const endpoint = ctx.endpoint ? { endpoint: ctx.endpoint } : {};
  const out: CheckFinding[] = [];
  const refs = [DANE_REF.rfc7672, DANE_REF.rfc7671, DANE_REF.rfc6698];
  const tlsaName = `_25._tcp.${ctx.host}`;

  switch (result.status) {
    case 'no-tlsa':
      out.push(
        finding({
          id: DANE_FINDINGS.absent,
          severity: 'info',
          title: 'No DANE TLSA records',
          detail: `${tlsaName} has no TLSA records: sending servers cannot authenticate this MX host with DANE, and STARTTLS to it can be stripped or intercepted.`,
          evidence,
          remediation: `On a DNSSEC-signed zone, publish "${tlsaName}. IN TLSA 3 1 1 <SHA-256 of the server key's SubjectPublicKeyInfo>" (and a second record for the next key before rolling it).`,
          references: refs,
          ...endpoint,
        }),
      );
      break;
    case 'match':
      out.push(
        finding({
          id: DANE_FINDINGS.valid,
          severity: 'info',
          title: 'The served certificate matches a DANE TLSA record',
          detail: `${tlsaName}: ${result.summary}.`,
          evidence,
          remediation: 'None. Keep a TLSA record for the next key published before any key or certificate change (RFC 7671 §8).',
          references: refs,
          ...endpoint,
        }),
      );
      break;
    case 'no-match':
      out.push(
        finding({
          id: DANE_FINDINGS.mismatch,
          severity: 'high',
          title: 'The served certificate matches no DANE TLSA record',
          detail: `${tlsaName}: ${result.summary}. Sending servers that use DANE will not deliver mail to this host (they defer it), RFC 7672 §2.2.`,
          evidence,
          remediation:
            'Update the TLSA records to the certificate or key the server serves (3 1 1 = SHA-256 of the leaf SubjectPublicKeyInfo); for DANE-TA (2) records, make sure the server sends the trust-anchor certificate in its chain. Publish new records before rolling keys.',
          references: refs,
          ...endpoint,
        }),
      );
      break;
    case 'insecure': {
      const would = result.ifValidated;
      out.push(
        finding({
          id: DANE_FINDINGS.notDnssec,
          severity: 'medium',
          title: 'TLSA records are not DNSSEC-validated: DANE does not apply',
          detail:
            `${result.summary}.` +
            (would ? ` Were they validated: ${would.summary}${would.status === 'no-match' ? ' (and DANE senders would then defer mail to this host)' : ''}.` : ''),
          evidence: { ...evidence, ...(would ? { ifValidated: would.status } : {}) },
          remediation: 'Sign the zone of the TLSA records with DNSSEC and publish its DS record at the parent (check that the records match the served key first), or remove the TLSA records.',
          references: refs,
          ...endpoint,
        }),
      );
      break;
    }
    case 'unusable':
      out.push(
        finding({
          id: DANE_FINDINGS.unusable,
          severity: 'medium',
          title: 'No usable DANE TLSA record',
          detail: `${tlsaName}: ${result.summary} (${result.details.map((d) => `${d.text}: ${d.why}`).join('; ')}). DANE senders still require TLS but cannot authenticate the server.`,
          evidence,
          remediation: 'Replace the records with DANE-EE (3 1 1) or DANE-TA (2 1 1) records; PKIX-TA (0) and PKIX-EE (1) are not used for SMTP.',
          references: refs,
          ...endpoint,
        }),
      );
      break;
    case 'error':
      out.push(
        finding({
          id: DANE_FINDINGS.untested,
          severity: 'info',
          title: 'DANE could not be checked',
          detail: `${tlsaName}: ${result.summary}.`,
          evidence,
          remediation: 'Re-run the scan; if this persists, check the server with another tool.',
          references: refs,
          ...endpoint,
        }),
      );
      break;
  }

  // Unusable records beside usable ones: harmless to DANE senders, but a sign of confusion.
  const pkix = result.details.filter((d) => d.outcome === 'unusable');
  if (result.status !== 'unusable' && result.status !== 'no-tlsa' && result.status !== 'insecure' && pkix.length > 0) {
    out.push(
      finding({
        id: DANE_FINDINGS.unusableRecords,
        severity: 'low',
        title: 'Some TLSA records are unusable for SMTP',
        detail: `${tlsaName}: ${pkix.map((d) => `${d.text}: ${d.why}`).join('; ')}.`,
        evidence,
        remediation: 'Remove the unusable records; keep DANE-EE (3) or DANE-TA (2) records only.',
        references: refs,
        ...endpoint,
      }),
    );
  }
  return out;
}
