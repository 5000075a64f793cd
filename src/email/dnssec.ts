// DNSSEC of a mail domain and of its MX hosts, as seen through one resolver: is the zone signed
// (DNSKEY at its apex), delegated securely (DS in the parent), and are the answers validated (the AD
// bit from a validating resolver, RFC 4035 §3.2.3)? DANE for SMTP (RFC 7672) only works when the MX
// host's zone validates, so each MX host's zone is looked at too.
//
// Two steps, as everywhere: `assessDnssec` does the lookups and keeps what each answer said
// (evidence, no judgement); `dnssecVerdict` and `dnssecFindings` are pure.
//
// Honest semantics:
//  - AD=0 proves nothing by itself: a resolver that does not validate never sets it. When a signed,
//    delegated zone comes back without AD, the zone's ancestors' DNSKEY answers are looked at (up to
//    the root, whose DNSKEY every validating resolver authenticates): if one has AD, the resolver
//    validates and the chain of trust is broken above the zone; if none does, "the resolver did not
//    validate" is all that can be said.
//  - A SERVFAIL to a DO query can be a validation failure (bogus) or a broken server. With a query
//    function that can set CD (checking disabled, RFC 4035 §3.2.2), the question is asked again with
//    CD: an answer then means the data is there but does not validate. Without CD, it stays "could
//    not test", with the reason.
//  - A DS set of which no record matches a DNSKEY of the zone (digest recomputed here, RFC 4034
//    §5.1.4) is bogus whatever the resolver says.
//
// The lookups are in dnssec-evidence.ts, key tags and DS digests in dnssec-keys.ts and the verdict
// in dnssec-verdict.ts; this module makes the findings, and every name stays importable from here.
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import {
  algorithmName,
  DS_DIGEST_TYPES,
  FORBIDDEN_ALGORITHMS,
  SHA1_ALGORITHMS,
  WEAK_DS_DIGESTS,
  type DnssecVerdict,
  type ZoneVerdict,
} from './dnssec-verdict.js';

export { assessDnssec, assessZone, dnssecQueryFromClient, dnssecQueryFromResolver, MAX_MX_HOSTS } from './dnssec-evidence.js';
export type { AssessDnssecOptions, DnssecAnswer, DnssecEvidence, DnssecQuery, DnssecQueryOptions, ZoneEvidence, ZoneRole } from './dnssec-evidence.js';
export { dsDigest, dsMatchesDnskey, keyTag } from './dnssec-keys.js';
export type { DnskeyInfo, DsInfo } from './dnssec-keys.js';
export { algorithmName, DNSSEC_ALGORITHMS, DS_DIGEST_TYPES, dnssecVerdict, zoneVerdict } from './dnssec-verdict.js';
export type { DnssecStatus, DnssecVerdict, ZoneVerdict } from './dnssec-verdict.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DNSSEC_FINDINGS = {
  valid: 'email.dnssec.valid',
  unsigned: 'email.dnssec.unsigned',
  island: 'email.dnssec.island',
  notValidated: 'email.dnssec.not-validated',
  bogus: 'email.dnssec.bogus',
  weakAlgorithm: 'email.dnssec.weak-algorithm',
  weakDsDigest: 'email.dnssec.weak-ds-digest',
  mxBogus: 'email.dnssec.mx-bogus',
  mxNotSigned: 'email.dnssec.mx-not-signed',
} as const;

// ---------------------------------------------------------------------------------------------
// Findings (pure)

export const DNSSEC_REF = {
  rfc4033: 'RFC 4033 — DNS Security Introduction and Requirements (https://www.rfc-editor.org/rfc/rfc4033)',
  rfc4035: 'RFC 4035 — Protocol Modifications for the DNS Security Extensions (https://www.rfc-editor.org/rfc/rfc4035)',
  rfc6840: 'RFC 6840 — Clarifications and Implementation Notes for DNSSEC (https://www.rfc-editor.org/rfc/rfc6840)',
  rfc8624: 'RFC 8624 — Algorithm Implementation Requirements and Usage Guidance for DNSSEC (https://www.rfc-editor.org/rfc/rfc8624)',
  rfc9905: 'RFC 9905 — Deprecating the Use of SHA-1 in DNSSEC Signature Algorithms (https://www.rfc-editor.org/rfc/rfc9905)',
  rfc9364: 'RFC 9364 — DNS Security Extensions (DNSSEC), BCP 237 (https://www.rfc-editor.org/rfc/rfc9364)',
  rfc7672: 'RFC 7672 — SMTP Security via Opportunistic DANE TLS (https://www.rfc-editor.org/rfc/rfc7672)',
} as const;

function evidenceOf(v: ZoneVerdict): Record<string, unknown> {
  return {
    name: v.name,
    zone: v.zone,
    status: v.status,
    signed: v.signed,
    delegated: v.delegated,
    validated: v.validated,
    algorithms: v.algorithms.map(algorithmName),
    dsDigestTypes: v.dsDigestTypes.map((d) => DS_DIGEST_TYPES[d] ?? `type ${d}`),
    resolverValidates: v.resolverValidates,
    reason: v.reason,
  };
}

/** Findings `email.dnssec.*` for the domain and (grouped) for its MX hosts. */
export function dnssecFindings(v: DnssecVerdict): CheckFinding[] {
  const out: CheckFinding[] = [];
  const evidence = evidenceOf(v);
  const zone = v.zone ?? v.name;
  const core = [DNSSEC_REF.rfc9364, DNSSEC_REF.rfc4033, DNSSEC_REF.rfc4035];
  switch (v.status) {
    case 'secure':
      out.push(finding({ id: DNSSEC_FINDINGS.valid, severity: 'info', title: 'DNSSEC validates', detail: `${v.reason}.`, evidence, remediation: 'None. Keep the DS record at the parent in step with key rollovers.', references: core }));
      break;
    case 'insecure':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.unsigned,
          severity: v.mailDomain ? 'medium' : 'low',
          title: 'The domain is not DNSSEC-signed',
          detail: `${v.reason}: its MX, SPF, DMARC and TLSA answers can be forged or stripped on the way to a sending server, and DANE cannot be used.`,
          evidence,
          remediation: `Sign ${zone} (most DNS hosts offer automatic signing with ECDSAP256SHA256) and publish the DS record at the registrar.`,
          references: [...core, DNSSEC_REF.rfc7672],
        }),
      );
      break;
    case 'island':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.island,
          severity: 'medium',
          title: 'DNSSEC-signed, but no DS record at the parent',
          detail: `${v.reason}. Resolvers treat the zone as unsigned.`,
          evidence,
          remediation: `Publish the DS record of ${zone}'s key-signing key at the registrar (the parent zone).`,
          references: core,
        }),
      );
      break;
    case 'unvalidated':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.notValidated,
          severity: v.resolverValidates === true ? 'medium' : 'info',
          title: v.resolverValidates === true ? 'DNSSEC signed but not validatable' : 'DNSSEC validation could not be confirmed',
          detail: `${zone} has DNSKEY and DS records, but ${v.reason}.`,
          evidence,
          remediation:
            v.resolverValidates === true
              ? 'Make sure every zone from the signed parent down has a DS record, and sign with an algorithm validators accept (ECDSAP256SHA256, ED25519, RSASHA256).'
              : 'Re-run the scan with a validating resolver (--dns) to learn whether the zone validates.',
          references: [...core, DNSSEC_REF.rfc6840],
        }),
      );
      break;
    case 'bogus':
      out.push(
        finding({
          id: DNSSEC_FINDINGS.bogus,
          severity: 'high',
          title: 'DNSSEC validation fails (bogus)',
          detail: `${v.reason}. Validating resolvers answer SERVFAIL for the domain: mail to it is deferred or bounced by senders behind them.`,
          evidence,
          remediation: 'Fix the chain of trust: the DS at the parent must match a published DNSKEY, and signatures must be current (re-sign, or replace the DS).',
          references: core,
        }),
      );
      break;
    case 'untested':
      out.push(untestedFinding('email.dnssec', 'DNSSEC', v.reason, evidence, core, 'Re-run the scan; if this persists, check the zone with another resolver.'));
      break;
  }
  out.push(...algorithmFindings(v, evidence));
  out.push(...mxFindings(v));
  return out;
}

function algorithmFindings(v: ZoneVerdict, evidence: Record<string, unknown>): CheckFinding[] {
  if (v.status === 'untested' || v.status === 'insecure') return [];
  const out: CheckFinding[] = [];
  const zone = v.zone ?? v.name;
  const forbidden = v.algorithms.filter((a) => FORBIDDEN_ALGORITHMS.has(a));
  const sha1 = v.algorithms.filter((a) => SHA1_ALGORITHMS.has(a));
  const weak = [...forbidden, ...sha1];
  if (weak.length > 0) {
    const onlyWeak = weak.length === v.algorithms.length;
    const why = forbidden.length
      ? `${forbidden.map(algorithmName).join(', ')} MUST NOT be used for signing or validation (RFC 8624 §3.1)`
      : `SHA-1 signature algorithms (${sha1.map(algorithmName).join(', ')}) MUST NOT be used for signing, and validators are told to treat them as unsupported (RFC 9905 §2)`;
    out.push(
      finding({
        id: DNSSEC_FINDINGS.weakAlgorithm,
        severity: forbidden.length > 0 || onlyWeak ? 'medium' : 'low',
        title: 'DNSSEC keys use a deprecated algorithm',
        detail: `${zone} is signed with ${v.algorithms.map(algorithmName).join(', ')}: ${why}.${onlyWeak ? ' With no other algorithm, validators that drop it treat the zone as unsigned.' : ''}`,
        evidence,
        remediation: 'Roll the zone to ECDSAP256SHA256 (13) or ED25519 (15), following an algorithm rollover (RFC 6781 §4.1.4), then update the DS at the parent.',
        references: [DNSSEC_REF.rfc8624, DNSSEC_REF.rfc9905],
      }),
    );
  }
  const weakDigests = v.dsDigestTypes.filter((d) => WEAK_DS_DIGESTS.has(d));
  if (weakDigests.length > 0) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.weakDsDigest,
        severity: 'low',
        title: 'DS records use a deprecated digest',
        detail: `The parent's DS records for ${zone} use ${weakDigests.map((d) => DS_DIGEST_TYPES[d]).join(', ')}, which MUST NOT be used to create DS records (RFC 8624 §3.3).`,
        evidence,
        remediation: 'Publish a SHA-256 (digest type 2) DS record at the registrar and remove the SHA-1 one.',
        references: [DNSSEC_REF.rfc8624],
      }),
    );
  }
  return out;
}

/** One finding per kind of problem across MX hosts outside the domain's own zone. */
function mxFindings(v: DnssecVerdict): CheckFinding[] {
  const others = v.mx.filter((m) => m.zone === null || m.zone !== v.zone);
  const by = (pred: (m: ZoneVerdict) => boolean): ZoneVerdict[] => others.filter(pred);
  const hostsText = (ms: ZoneVerdict[]): string => ms.map((m) => `${m.name} (${m.reason})`).join('; ');
  const ev = (ms: ZoneVerdict[]): Record<string, unknown> => ({ hosts: ms.map(evidenceOf) });
  const refs = [DNSSEC_REF.rfc7672, DNSSEC_REF.rfc4035];
  const out: CheckFinding[] = [];
  const bogus = by((m) => m.status === 'bogus');
  if (bogus.length) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.mxBogus,
        severity: 'high',
        title: 'DNSSEC validation fails for an MX host',
        detail: `${hostsText(bogus)}. Senders behind validating resolvers cannot resolve the host and defer the mail.`,
        evidence: ev(bogus),
        remediation: "Fix the MX host zone's chain of trust (DS matching a DNSKEY, current signatures), or use MX hosts in a zone that validates.",
        references: refs,
      }),
    );
  }
  const notSecure = by((m) => m.status === 'insecure' || m.status === 'island' || (m.status === 'unvalidated' && m.resolverValidates === true));
  if (notSecure.length) {
    out.push(
      finding({
        id: DNSSEC_FINDINGS.mxNotSigned,
        severity: 'low',
        title: 'MX host zone does not validate with DNSSEC',
        detail: `${hostsText(notSecure)}. DANE TLSA records for these hosts cannot be trusted, so delivery to them cannot be protected with DANE (RFC 7672).`,
        evidence: ev(notSecure),
        remediation: 'Host mail on names in a DNSSEC-signed, securely delegated zone to allow DANE for SMTP.',
        references: refs,
      }),
    );
  }
  const unknown = by((m) => m.status === 'untested' || (m.status === 'unvalidated' && m.resolverValidates !== true));
  if (unknown.length) {
    out.push(untestedFinding('email.dnssec.mx', 'DNSSEC of MX hosts', hostsText(unknown), ev(unknown), refs, 'Re-run the scan with a validating resolver (--dns).'));
  }
  return out;
}
