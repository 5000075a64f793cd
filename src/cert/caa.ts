// CAA (RFC 8659): which CAs a domain allows to issue for it, found by climbing from the name
// towards the root, and whether a served certificate's issuer fits that list. Issuance-time
// policy cannot be proven from outside (the CA checked CAA when it issued, possibly long ago, and
// under another record set), so the comparison is informational only.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { CaaResult } from '../model/report.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CAA_FINDINGS = {
  missing: 'cert.caa.missing',
  unknownCritical: 'cert.caa.unknown-critical',
  issuerNotListed: 'cert.caa.issuer-not-listed',
} as const;

export interface CaaRecordData {
  flags: number;
  tag: string;
  value: string;
}

/** The names to query, most specific first: a.b.example.com → a.b.example.com, b.example.com, example.com, com. */
export function caaClimb(host: string): string[] {
  const labels = host.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return labels.map((_, i) => labels.slice(i).join('.'));
}

/** The issuer-domain part of an issue/issuewild value ("letsencrypt.org; validationmethods=dns-01" → letsencrypt.org; ";" → ""). */
export function issuerDomainOf(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * CA identifying domains (as CAs publish them for CAA) → words found in the issuer DN of the
 * certificates they sign. Only used to say "plausible or not"; unknown CAs give null.
 */
export const CAA_ISSUERS: Readonly<Record<string, readonly string[]>> = {
  'letsencrypt.org': ["Let's Encrypt", 'ISRG'],
  'pki.goog': ['Google Trust Services'],
  'google.com': ['Google Trust Services'],
  'digicert.com': ['DigiCert', 'GeoTrust', 'RapidSSL', 'Thawte', 'Symantec', 'Encryption Everywhere'],
  'symantec.com': ['DigiCert', 'Symantec', 'GeoTrust', 'Thawte', 'RapidSSL'],
  'geotrust.com': ['GeoTrust', 'DigiCert'],
  'thawte.com': ['Thawte', 'DigiCert'],
  'rapidssl.com': ['RapidSSL', 'DigiCert'],
  'sectigo.com': ['Sectigo', 'COMODO', 'USERTrust'],
  'comodoca.com': ['Sectigo', 'COMODO', 'USERTrust'],
  'comodo.com': ['Sectigo', 'COMODO', 'USERTrust'],
  'usertrust.com': ['USERTrust', 'Sectigo'],
  'trust-provider.com': ['Sectigo', 'USERTrust'],
  'zerossl.com': ['ZeroSSL', 'Sectigo'],
  'amazon.com': ['Amazon'],
  'amazontrust.com': ['Amazon'],
  'awstrust.com': ['Amazon'],
  'amazonaws.com': ['Amazon'],
  'globalsign.com': ['GlobalSign'],
  'godaddy.com': ['GoDaddy', 'Starfield'],
  'starfieldtech.com': ['Starfield', 'GoDaddy'],
  'entrust.net': ['Entrust', 'AffirmTrust'],
  'affirmtrust.com': ['AffirmTrust', 'Entrust'],
  'identrust.com': ['IdenTrust'],
  'buypass.com': ['Buypass'],
  'buypass.no': ['Buypass'],
  'ssl.com': ['SSL.com', 'SSL Corporation'],
  'microsoft.com': ['Microsoft'],
  'certum.pl': ['Certum', 'Unizeto', 'Asseco'],
  'certum.eu': ['Certum', 'Unizeto', 'Asseco'],
  'harica.gr': ['HARICA', 'Hellenic Academic'],
  'actalis.it': ['Actalis'],
  'telesec.de': ['T-Systems', 'Deutsche Telekom', 'TeleSec'],
  'swisssign.com': ['SwissSign'],
  'e-tugra.com': ['E-Tugra'],
  'secom.co.jp': ['SECOM'],
};

function knownCaOf(issuerDn: string): string[] {
  const dn = issuerDn.toLowerCase();
  return Object.entries(CAA_ISSUERS)
    .filter(([, words]) => words.some((w) => dn.includes(w.toLowerCase())))
    .map(([domain]) => domain);
}

/** Compare the relevant CAA set with the leaf's issuer DN; wildcard leaves are governed by issuewild when present. */
export function issuerPlausibility(
  caa: Pick<CaaResult, 'issue' | 'issuewild' | 'foundAt'>,
  leaf: { issuer: string; wildcard: boolean },
): { plausible: boolean | null; reason: string } {
  if (caa.foundAt === null) return { plausible: true, reason: 'no CAA records: any CA may issue' };
  const set = leaf.wildcard && caa.issuewild.length > 0 ? caa.issuewild : caa.issue;
  const tag = leaf.wildcard && caa.issuewild.length > 0 ? 'issuewild' : 'issue';
  if (set.length === 0) return { plausible: true, reason: `the CAA set at ${caa.foundAt} has no ${tag} property: any CA may issue` };
  const allowed = set.map(issuerDomainOf).filter((d) => d !== '');
  if (allowed.length === 0) return { plausible: false, reason: `CAA at ${caa.foundAt} forbids all issuance (${tag} ";"), yet a certificate is served` };
  const issuerCas = knownCaOf(leaf.issuer);
  if (issuerCas.length === 0) return { plausible: null, reason: `the issuer "${leaf.issuer}" is not a CA we can map to a CAA domain` };
  if (issuerCas.some((d) => allowed.includes(d))) return { plausible: true, reason: `the issuer belongs to ${issuerCas.join('/')}, allowed by CAA ${tag}` };
  return {
    plausible: false,
    reason: `the issuer belongs to ${issuerCas.join('/')}, but CAA ${tag} at ${caa.foundAt} allows only ${allowed.join(', ')}`,
  };
}

/** Split the records of the relevant set into the report's lists. */
export function summariseCaa(foundAt: string | null, records: CaaRecordData[]): Omit<CaaResult, 'status' | 'issuerPlausible'> {
  const values = (tag: string) => records.filter((r) => r.tag.toLowerCase() === tag).map((r) => r.value);
  return { foundAt, records, issue: values('issue'), issuewild: values('issuewild'), iodef: values('iodef') };
}

export interface CaaEvidence {
  host: string;
  caa: CaaResult;
  /** Names asked, most specific first, with what each answered. */
  climbed: Array<{ name: string; answer: string }>;
}

export function coversExactly(sans: string[], host: string): boolean {
  return sans.some((s) => s.toLowerCase() === host.toLowerCase());
}

export function checkCaa(ev: CaaEvidence): CheckFinding[] {
  const { caa } = ev;
  const out: CheckFinding[] = [];
  if (caa.status !== 'ok') return out;
  if (caa.foundAt === null) {
    out.push(
      finding({
        id: CAA_FINDINGS.missing,
        severity: 'low',
        title: 'No CAA records',
        detail: `Neither ${ev.host} nor any parent domain publishes CAA records, so every public CA may issue certificates for it.`,
        evidence: { climbed: ev.climbed },
        remediation: 'Publish CAA "issue" records naming the CA(s) you use (and an "iodef" contact), e.g. `example.com. CAA 0 issue "letsencrypt.org"`.',
        references: [REF.rfc8659],
      }),
    );
  }
  const unknownCritical = caa.records.filter((r) => (r.flags & 128) !== 0 && !['issue', 'issuewild', 'iodef', 'issuemail', 'issuevmc'].includes(r.tag.toLowerCase()));
  if (unknownCritical.length > 0) {
    out.push(
      finding({
        id: CAA_FINDINGS.unknownCritical,
        severity: 'medium',
        title: 'CAA record with an unknown critical property',
        detail: `A critical CAA property that CAs do not understand (${unknownCritical.map((r) => r.tag).join(', ')}) forbids every CA from issuing (RFC 8659 §4.1).`,
        evidence: { records: unknownCritical },
        remediation: 'Remove the critical flag (128) from properties that are not issue/issuewild/iodef, or remove the record.',
        references: [REF.rfc8659],
      }),
    );
  }
  if (caa.issuerPlausible === false) {
    out.push(
      finding({
        id: CAA_FINDINGS.issuerNotListed,
        severity: 'info',
        title: "The certificate's issuer is not listed in CAA",
        detail: `${caa.issuerPlausibleReason ?? ''}. The CA checked CAA when it issued; this may be an older certificate, or CAA changed since.`,
        evidence: { issue: caa.issue, issuewild: caa.issuewild, foundAt: caa.foundAt },
        remediation: 'Make CAA name the CA that issues your certificates, or move to a CA that CAA allows before the next renewal fails.',
        references: [REF.rfc8659],
      }),
    );
  }
  return out;
}
