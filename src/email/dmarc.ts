// DMARC (RFC 7489, and its revision RFC 9989 "DMARCbis" where the two differ): policy discovery,
// a tag-by-tag record validator, the external report-destination authorisation of RFC 7489 §7.1
// (RFC 9990 §4), and the findings.
//
// Discovery follows RFC 7489 §6.6.3: `_dmarc.<domain>`; when that holds no v=DMARC1 record,
// `_dmarc.<organisational domain>`. More than one record at the name that answered means no
// policy applies at all. A DNS failure stops discovery with status 'error' ("could not test").
//
// The record parser is in dmarc-record.ts and discovery in dmarc-discovery.ts; this module makes the
// findings, and every name stays importable from here.
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF } from './dns-lookup.js';
import type { DmarcDiscovery } from './dmarc-discovery.js';
import { isDmarcRecord } from './dmarc-record.js';

export { isDmarcRecord, parseDmarcRecord, parseDmarcUri } from './dmarc-record.js';
export type { DmarcPolicy, DmarcUri, ParsedDmarcRecord } from './dmarc-record.js';
export { checkReportAuthorizations, discoverDmarc, dmarcReport, ruaAuthorized } from './dmarc-discovery.js';
export type { DiscoverDmarcOptions, DmarcAuthorization, DmarcDiscovery, DmarcQuery } from './dmarc-discovery.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DMARC_FINDINGS = {
  missing: 'email.dmarc.missing',
  multiple: 'email.dmarc.multiple',
  invalid: 'email.dmarc.invalid',
  inherited: 'email.dmarc.inherited',
  policyImplied: 'email.dmarc.policy-implied',
  policyNone: 'email.dmarc.policy-none',
  policyQuarantine: 'email.dmarc.policy-quarantine',
  pctPartial: 'email.dmarc.pct-partial',
  testing: 'email.dmarc.testing',
  subdomainPolicyWeak: 'email.dmarc.subdomain-policy-weak',
  invalidTag: 'email.dmarc.invalid-tag',
  tagOrder: 'email.dmarc.tag-order',
  unknownTag: 'email.dmarc.unknown-tag',
  historicTag: 'email.dmarc.historic-tag',
  noRua: 'email.dmarc.no-rua',
  uriUnsupported: 'email.dmarc.uri-unsupported',
  invalidUri: 'email.dmarc.invalid-uri',
  reportUnauthorized: 'email.dmarc.report-unauthorized',
} as const;

const REFS = [EMAIL_REF.rfc7489, EMAIL_REF.rfc9989];

/** Findings for a DMARC discovery. */
export function checkDmarc(d: DmarcDiscovery): CheckFinding[] {
  const out: CheckFinding[] = [];
  const name = `_dmarc.${d.location ?? d.domain}`;
  if (d.status === 'error') {
    return [untestedFinding('email.dmarc', 'DMARC', d.reason ?? 'DNS lookup failed', { queries: d.queries }, REFS)];
  }
  if (d.status === 'missing') {
    return [
      finding({
        id: DMARC_FINDINGS.missing,
        severity: 'medium',
        title: 'No DMARC record',
        detail:
          d.domain === d.orgDomain
            ? `_dmarc.${d.domain} has no v=DMARC1 record: receivers get no policy for mail that fails SPF and DKIM.`
            : `Neither _dmarc.${d.domain} nor the organisational domain's _dmarc.${d.orgDomain} has a v=DMARC1 record.`,
        evidence: { queries: d.queries },
        remediation: 'Publish `v=DMARC1; p=reject; rua=mailto:…` (start with p=none and a rua address to monitor, then tighten).',
        references: REFS,
      }),
    ];
  }
  if (d.status === 'multiple') {
    return [
      finding({
        id: DMARC_FINDINGS.multiple,
        severity: 'high',
        title: 'More than one DMARC record',
        detail: `${name} has ${d.records.length} v=DMARC1 records; receivers then apply no DMARC policy at all (RFC 7489 §6.6.3).`,
        evidence: { name, records: d.records },
        remediation: 'Merge them into exactly one v=DMARC1 record.',
        references: REFS,
      }),
    ];
  }
  const p = d.parsed;
  if (d.status === 'invalid' || !p) {
    const noP = p !== null && p.usable === false && p.record !== '' && !('p' in p.tags) && isDmarcRecord(p.record);
    return [
      finding({
        id: DMARC_FINDINGS.invalid,
        severity: 'high',
        title: 'DMARC record is not applied',
        detail:
          `Receivers ignore the record at ${name}: ${d.reason ?? 'it is invalid'}.` +
          (noP ? ' (RFC 9989 reads a record without p= as p=none, which still protects nothing.)' : ''),
        evidence: { name, records: d.records, errors: p ? [...p.policyErrors, ...p.errors] : [], ...(p?.duplicateTags.length ? { duplicateTags: p.duplicateTags } : {}) },
        remediation: 'Publish one record that starts with `v=DMARC1;` followed by a valid `p=none|quarantine|reject`.',
        references: REFS,
      }),
    ];
  }

  const ev = { name, record: p.record };
  if (d.inherited) {
    out.push(
      finding({
        id: DMARC_FINDINGS.inherited,
        severity: 'info',
        title: 'DMARC policy comes from the organisational domain',
        detail: `${d.domain} has no record of its own; the one at _dmarc.${d.location} applies, with its subdomain policy (${d.policy}).`,
        evidence: { ...ev, domain: d.domain, orgDomain: d.orgDomain, policy: d.policy },
        remediation: 'Nothing to do, unless this domain needs a policy of its own.',
        references: [EMAIL_REF.rfc7489],
      }),
    );
  }
  if (p.policyImplied) {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyImplied,
        severity: 'medium',
        title: 'DMARC p= (or sp=) is missing or invalid',
        detail: 'Because rua holds a valid address, receivers act as if the record said p=none (RFC 7489 §6.6.3): nothing is enforced.',
        evidence: { ...ev, errors: p.policyErrors },
        remediation: 'Add a valid `p=quarantine` or `p=reject` right after `v=DMARC1;`.',
        references: REFS,
      }),
    );
  } else if (d.policy === 'none') {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyNone,
        severity: 'low',
        title: 'DMARC policy is p=none (monitoring only)',
        detail: 'Mail failing authentication is only reported, never quarantined or rejected: the domain can still be spoofed.',
        evidence: { ...ev, policy: d.policy },
        remediation: 'Move to p=quarantine, then p=reject, once aggregate reports show legitimate mail passes.',
        references: REFS,
      }),
    );
  } else if (d.policy === 'quarantine') {
    out.push(
      finding({
        id: DMARC_FINDINGS.policyQuarantine,
        severity: 'info',
        title: 'DMARC policy is p=quarantine',
        detail: 'Failing mail is delivered to spam rather than refused.',
        evidence: { ...ev, policy: d.policy },
        remediation: 'Move to p=reject when reports show no legitimate mail failing.',
        references: REFS,
      }),
    );
  }
  const enforcing = d.policy === 'quarantine' || d.policy === 'reject';
  if (enforcing && p.pct !== null && p.pct < 100) {
    out.push(
      finding({
        id: DMARC_FINDINGS.pctPartial,
        severity: p.pct === 0 ? 'medium' : 'low',
        title: `DMARC applies to ${p.pct}% of failing mail`,
        detail:
          `pct=${p.pct}: receivers apply p=${d.policy} to only ${p.pct}% of failing messages and the next weaker policy to the rest` +
          ' (RFC 7489 §6.3). RFC 9989 removed pct; receivers following it ignore the tag.',
        evidence: { ...ev, pct: p.pct },
        remediation: 'Remove pct= (it defaults to 100) once the policy is trusted.',
        references: REFS,
      }),
    );
  }
  if (enforcing && p.testing) {
    out.push(
      finding({
        id: DMARC_FINDINGS.testing,
        severity: 'low',
        title: 'DMARC policy is in test mode (t=y)',
        detail: `t=y asks RFC 9989 receivers to apply one level less than p=${d.policy}.`,
        evidence: { ...ev, t: p.tags['t'] },
        remediation: 'Remove t=y once the policy is trusted.',
        references: [EMAIL_REF.rfc9989],
      }),
    );
  }
  const weak: string[] = [];
  if (p.effectivePolicy !== 'none' && p.effectivePolicy !== null) {
    if (p.subdomainPolicy === 'none') weak.push('sp=none');
    if (p.nonExistentPolicy === 'none') weak.push('np=none');
  }
  if (weak.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.subdomainPolicyWeak,
        severity: 'low',
        title: 'DMARC does not enforce on subdomains',
        detail: `${weak.join(' and ')} lets mail from (possibly non-existent) subdomains be spoofed while p=${p.effectivePolicy}.`,
        evidence: { ...ev, sp: p.tags['sp'] ?? null, np: p.tags['np'] ?? null },
        remediation: 'Remove sp/np or set them to quarantine or reject.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9091],
      }),
    );
  }
  if (p.errors.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.invalidTag,
        severity: 'medium',
        title: 'DMARC record has invalid tags',
        detail: `Receivers ignore these tags or use their defaults: ${p.errors.join('; ')}.`,
        evidence: { ...ev, errors: p.errors },
        remediation: 'Correct the tags listed (RFC 7489 §6.3 gives each tag’s syntax).',
        references: REFS,
      }),
    );
  }
  if (p.warnings.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.tagOrder,
        severity: 'info',
        title: 'DMARC p= is not the second tag',
        detail: `${p.warnings.join('; ')}. Strict RFC 7489 parsers may reject the record.`,
        evidence: ev,
        remediation: 'Write the record as `v=DMARC1; p=…; …`.',
        references: REFS,
      }),
    );
  }
  if (p.unknownTags.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.unknownTag,
        severity: 'info',
        title: 'DMARC record has unknown tags',
        detail: `Receivers ignore ${p.unknownTags.join(', ')}.`,
        evidence: { ...ev, unknownTags: p.unknownTags },
        remediation: 'Remove the tags or correct their spelling.',
        references: REFS,
      }),
    );
  }
  if (p.historicTags.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.historicTag,
        severity: 'info',
        title: 'DMARC record uses tags removed by RFC 9989',
        detail: `${p.historicTags.join(', ')} ${p.historicTags.length > 1 ? 'are' : 'is'} historic in the revised DMARC specification; newer receivers ignore them.`,
        evidence: { ...ev, historicTags: p.historicTags },
        remediation: 'Do not rely on pct, rf or ri; remove them when convenient.',
        references: [EMAIL_REF.rfc9989],
      }),
    );
  }
  const validRua = p.rua.filter((u) => u.error === null);
  const invalidUris = [...p.rua.map((u) => ['rua', u] as const), ...p.ruf.map((u) => ['ruf', u] as const)].filter(([, u]) => u.error !== null);
  if (invalidUris.length) {
    const noValidRua = validRua.length === 0 && p.rua.length > 0;
    out.push(
      finding({
        id: DMARC_FINDINGS.invalidUri,
        severity: noValidRua ? 'medium' : 'low',
        title: 'DMARC report URIs are invalid',
        detail:
          `Report generators cannot send to these entries, which are not valid dmarc-uris (RFC 7489 §6.4: a URI, then an optional !size[k|m|g|t]): ` +
          `${invalidUris.map(([tag, u]) => `${tag}: ${u.error}`).join('; ')}.` +
          (noValidRua ? ' rua= holds no valid URI, so no aggregate report is sent at all.' : ''),
        evidence: { ...ev, invalid: invalidUris.map(([tag, u]) => ({ tag, uri: u.uri, error: u.error })) },
        remediation: 'Write each destination as `mailto:address@example.com` (optionally followed by a size limit such as `!10m`), percent-encoding any "," or "!" inside it.',
        references: REFS,
      }),
    );
  }
  if (validRua.length === 0 && !p.rua.some((u) => u.error !== null)) {
    out.push(
      finding({
        id: DMARC_FINDINGS.noRua,
        severity: 'low',
        title: 'No DMARC aggregate reports requested',
        detail: 'Without a valid rua= address the domain owner cannot see who sends mail in its name, nor safely tighten the policy.',
        evidence: ev,
        remediation: 'Add `rua=mailto:dmarc-reports@<your domain>`.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9990],
      }),
    );
  }
  const nonMailto = [...p.rua, ...p.ruf].filter((u) => u.error === null && u.scheme !== 'mailto');
  if (nonMailto.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.uriUnsupported,
        severity: 'low',
        title: 'DMARC report URI other than mailto:',
        detail: `Receivers are only required to support mailto: (RFC 7489 §6.2); ${nonMailto.map((u) => u.uri).join(', ')} may get no reports.`,
        evidence: { ...ev, uris: nonMailto.map((u) => u.uri) },
        remediation: 'Use mailto: report addresses.',
        references: REFS,
      }),
    );
  }
  const denied = d.authorizations.filter((a) => a.authorized === false);
  if (denied.length) {
    out.push(
      finding({
        id: DMARC_FINDINGS.reportUnauthorized,
        severity: 'low',
        title: 'External DMARC report destination not authorised',
        detail:
          `${denied.map((a) => a.destination).join(', ')} publish${denied.length > 1 ? '' : 'es'} no v=DMARC1 record at ` +
          `${denied.map((a) => a.name).join(', ')}, so report generators must not send reports there (RFC 7489 §7.1).`,
        evidence: { ...ev, destinations: denied },
        remediation: 'Ask the report receiver to publish `<your domain>._report._dmarc.<their domain> TXT "v=DMARC1"`, or use an address in your own domain.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc9990],
      }),
    );
  }
  const unknown = d.authorizations.filter((a) => a.authorized === null);
  if (unknown.length) {
    out.push(
      untestedFinding(
        'email.dmarc.report-authorization',
        'External DMARC report authorisation',
        unknown.map((a) => `${a.name}: ${a.reason ?? 'lookup failed'}`).join('; '),
        { ...ev, destinations: unknown },
        [EMAIL_REF.rfc7489],
      ),
    );
  }
  return out;
}
