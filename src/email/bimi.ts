// BIMI (draft-brand-indicators-for-message-identification): the assertion record at
// `<selector>._bimi.<domain>` (falling back to the organisational domain), its syntax, and the
// DMARC prerequisite: receivers show a brand indicator only for mail under an enforcing DMARC
// policy (p=quarantine or p=reject, applied to 100% of mail, subdomains not exempted).
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF, lookupTxt, organizationalDomain, parseTagList, type RecordStatus, type TxtLookup } from './dns-lookup.js';
import type { DmarcDiscovery } from './dmarc.js';
import { normalizeName } from '../net/dns/types.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const BIMI_FINDINGS = {
  missing: 'email.bimi.missing',
  multiple: 'email.bimi.multiple',
  invalid: 'email.bimi.invalid',
  declined: 'email.bimi.declined',
  noAuthority: 'email.bimi.no-authority',
  notes: 'email.bimi.notes',
  dmarcNotEnforced: 'email.bimi.dmarc-not-enforced',
} as const;

export interface BimiRecord {
  record: string;
  /** l=: the HTTPS URL of the SVG indicator; null when absent or empty. */
  location: string | null;
  /** a=: the HTTPS URL of the PEM evidence document (VMC/CMC); null when absent or empty. */
  authority: string | null;
  /** Empty l= and no a=: the domain declines to show an indicator. */
  declined: boolean;
  unknownTags: string[];
  errors: string[];
  warnings: string[];
}

const START = /^v=BIMI1(;|\s*$)/i;
const KNOWN = new Set(['v', 'l', 'a', 'avp', 's']);

function checkHttpsUrl(tag: string, value: string, ext: string, errors: string[], warnings: string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    errors.push(`${tag}=${value} is not a URL`);
    return null;
  }
  if (url.protocol !== 'https:') {
    errors.push(`${tag}= must be an https: URL, not ${url.protocol}`);
    return null;
  }
  if (!url.pathname.toLowerCase().endsWith(ext)) warnings.push(`${tag}= does not point at a ${ext} file`);
  return value;
}

/** Parse a BIMI assertion record. */
export function parseBimiRecord(record: string): BimiRecord {
  const out: BimiRecord = { record, location: null, authority: null, declined: false, unknownTags: [], errors: [], warnings: [] };
  if (!START.test(record)) {
    out.errors.push('the record must begin with "v=BIMI1;"');
    return out;
  }
  const list = parseTagList(record, { caseInsensitiveNames: true });
  out.errors.push(...list.errors);
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  const l = tags.get('l');
  const a = tags.get('a');
  if (l === undefined) out.errors.push('the l= tag is missing (write l= with no value to decline)');
  else if (l !== '') {
    if (l.includes(',')) out.errors.push('l= must hold a single URL');
    else out.location = checkHttpsUrl('l', l, '.svg', out.errors, out.warnings);
  }
  if (a !== undefined && a !== '') out.authority = checkHttpsUrl('a', a, '.pem', out.errors, out.warnings);
  out.declined = l === '' && (a === undefined || a === '');
  const avp = tags.get('avp');
  if (avp !== undefined && !['brand', 'personal'].includes(avp.toLowerCase())) out.warnings.push(`avp=${avp} is not brand or personal`);
  out.unknownTags = [...tags.keys()].filter((t) => !KNOWN.has(t));
  return out;
}

export interface BimiDiscovery {
  domain: string;
  selector: string;
  /** The name that answered (or the last one queried). */
  name: string;
  /** True when the record came from the organisational domain. */
  inherited: boolean;
  status: RecordStatus;
  reason?: string;
  records: string[];
  parsed: BimiRecord | null;
}

/** Look up `<selector>._bimi.<domain>`, then the organisational domain's record. */
export async function discoverBimi(
  domainIn: string,
  lookup: TxtLookup,
  opts: { selector?: string; signal?: AbortSignal } = {},
): Promise<BimiDiscovery> {
  const domain = normalizeName(domainIn);
  const selector = normalizeName(opts.selector ?? 'default');
  const org = organizationalDomain(domain);
  const where = domain === org ? [domain] : [domain, org];
  let last = `${selector}._bimi.${domain}`;
  for (const [i, at] of where.entries()) {
    const res = await lookupTxt(lookup, `${selector}._bimi.${at}`, opts.signal);
    last = res.name;
    const base = { domain, selector, name: res.name, inherited: i > 0 };
    if (res.status === 'error') return { ...base, status: 'error', reason: res.reason, records: [], parsed: null };
    const records = res.status === 'ok' ? res.texts.filter((t) => /^\s*v\s*=\s*BIMI1/i.test(t)) : [];
    if (records.length === 0) continue;
    if (records.length > 1) return { ...base, status: 'multiple', reason: `${records.length} v=BIMI1 records`, records, parsed: null };
    const parsed = parseBimiRecord(records[0] ?? '');
    if (parsed.errors.length) return { ...base, status: 'invalid', reason: parsed.errors.join('; '), records, parsed };
    return { ...base, status: 'found', records, parsed };
  }
  return { domain, selector, name: last, inherited: false, status: 'missing', records: [], parsed: null };
}

const REFS = [EMAIL_REF.bimi];

/** Findings for the BIMI record itself. */
export function checkBimi(d: BimiDiscovery): CheckFinding[] {
  const ev = { name: d.name, records: d.records };
  switch (d.status) {
    case 'error':
      return [untestedFinding('email.bimi', 'BIMI', d.reason ?? 'DNS lookup failed', ev, REFS)];
    case 'missing':
      return [
        finding({
          id: BIMI_FINDINGS.missing,
          severity: 'info',
          title: 'No BIMI record',
          detail: `No v=BIMI1 record at ${d.selector}._bimi.${d.domain}: mail clients show no brand logo.`,
          evidence: ev,
          remediation: 'Optional: once DMARC is at enforcement, publish `default._bimi TXT "v=BIMI1; l=https://…/logo.svg; a=https://…/vmc.pem"`.',
          references: REFS,
        }),
      ];
    case 'multiple':
      return [
        finding({
          id: BIMI_FINDINGS.multiple,
          severity: 'low',
          title: 'More than one BIMI record',
          detail: `${d.name} has ${d.records.length} v=BIMI1 records; receivers use none of them.`,
          evidence: ev,
          remediation: 'Keep exactly one v=BIMI1 record per selector.',
          references: REFS,
        }),
      ];
    case 'invalid':
      return [
        finding({
          id: BIMI_FINDINGS.invalid,
          severity: 'low',
          title: 'BIMI record is invalid',
          detail: `Receivers ignore ${d.name}: ${d.reason ?? 'syntax error'}.`,
          evidence: { ...ev, errors: d.parsed?.errors ?? [] },
          remediation: 'Publish `v=BIMI1; l=https://…/logo.svg; a=https://…/vmc.pem`.',
          references: REFS,
        }),
      ];
    case 'found':
      break;
  }
  const p = d.parsed;
  if (!p) return [];
  const out: CheckFinding[] = [];
  if (p.declined) {
    out.push(
      finding({
        id: BIMI_FINDINGS.declined,
        severity: 'info',
        title: 'BIMI declined',
        detail: `${d.name} has an empty l=: the domain asks receivers to show no indicator.`,
        evidence: ev,
        remediation: 'Nothing to do.',
        references: REFS,
      }),
    );
    return out;
  }
  if (p.authority === null) {
    out.push(
      finding({
        id: BIMI_FINDINGS.noAuthority,
        severity: 'info',
        title: 'BIMI record has no evidence document (a=)',
        detail: 'Major mailbox providers only show logos backed by a Verified or Common Mark Certificate named in a=.',
        evidence: { ...ev, location: p.location },
        remediation: 'Obtain a VMC or CMC and publish its PEM URL in a=.',
        references: REFS,
      }),
    );
  }
  if (p.warnings.length || p.unknownTags.length) {
    out.push(
      finding({
        id: BIMI_FINDINGS.notes,
        severity: 'info',
        title: 'BIMI record has minor issues',
        detail: [...p.warnings, ...p.unknownTags.map((t) => `unknown tag ${t} is ignored`)].join('; ') + '.',
        evidence: { ...ev, warnings: p.warnings, unknownTags: p.unknownTags },
        remediation: 'Point l= at the SVG Tiny PS logo and a= at the PEM file.',
        references: REFS,
      }),
    );
  }
  return out;
}

/** Whether a DMARC result meets BIMI's prerequisite, with the reasons it does not. */
export function bimiDmarcEligibility(dmarc: DmarcDiscovery): { eligible: boolean | null; problems: string[] } {
  if (dmarc.status === 'error') return { eligible: null, problems: [dmarc.reason ?? 'the DMARC lookup failed'] };
  if (dmarc.status !== 'found' || !dmarc.parsed) return { eligible: false, problems: [`no applicable DMARC record (${dmarc.status})`] };
  const p = dmarc.parsed;
  const problems: string[] = [];
  if (dmarc.policy !== 'quarantine' && dmarc.policy !== 'reject') problems.push(`the DMARC policy is ${dmarc.policy ?? 'missing'}, not quarantine or reject`);
  if (p.pct !== null && p.pct < 100) problems.push(`pct=${p.pct} (must be 100)`);
  if (p.subdomainPolicy === 'none') problems.push('sp=none exempts subdomains');
  if (p.testing) problems.push('t=y puts the policy in test mode');
  return { eligible: problems.length === 0, problems };
}

/** The BIMI × DMARC cross-check: only meaningful when a BIMI record asks for a logo. */
export function checkBimiDmarc(bimi: BimiDiscovery, dmarc: DmarcDiscovery): CheckFinding[] {
  if (bimi.status !== 'found' || !bimi.parsed || bimi.parsed.declined) return [];
  const { eligible, problems } = bimiDmarcEligibility(dmarc);
  const ev = { name: bimi.name, dmarcRecord: dmarc.records[0] ?? null, dmarcPolicy: dmarc.policy };
  if (eligible === null) return [untestedFinding('email.bimi.dmarc', 'The BIMI DMARC prerequisite', problems.join('; '), ev, [...REFS, EMAIL_REF.rfc7489])];
  if (eligible) return [];
  return [
    finding({
      id: BIMI_FINDINGS.dmarcNotEnforced,
      severity: 'low',
      title: 'BIMI logo will not be shown: DMARC is not at enforcement',
      detail: `Receivers display BIMI indicators only under an enforcing DMARC policy: ${problems.join('; ')}.`,
      evidence: { ...ev, problems },
      remediation: 'Set DMARC to p=quarantine or p=reject for all mail (no pct below 100, no sp=none).',
      references: [...REFS, EMAIL_REF.rfc7489],
    }),
  ];
}
