// Null MX (RFC 7505): a domain that accepts no mail says so with one MX record of preference 0 and
// the root name "." as exchange. Such a domain sends no mail either, so it should also tell
// receivers to refuse mail in its name: SPF `v=spf1 -all` and DMARC `p=reject`.
import { finding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF } from './dns-lookup.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const NULL_MX_FINDINGS = {
  declared: 'email.null-mx.declared',
  spfNotStrict: 'email.null-mx.spf-not-strict',
  dmarcNotReject: 'email.null-mx.dmarc-not-reject',
} as const;

export interface MxInput {
  preference: number;
  exchange: string;
}

export type NullMxState =
  /** Exactly one MX, "." with preference 0. */
  | 'null-mx'
  /** A "." MX, but with other MX records or a non-zero preference. */
  | 'invalid-null-mx'
  /** Ordinary MX records. */
  | 'regular'
  /** No MX records at all. */
  | 'none';

export interface NullMxAnalysis {
  state: NullMxState;
  nullRecords: MxInput[];
  otherRecords: MxInput[];
  problems: string[];
}

/** Whether an MX exchange is the root name ("." or empty). */
export function isRootExchange(exchange: string): boolean {
  const e = exchange.trim();
  return e === '.' || e === '';
}

/** Classify a domain's MX set (RFC 7505 §3). */
export function analyseNullMx(mx: readonly MxInput[]): NullMxAnalysis {
  const nullRecords = mx.filter((r) => isRootExchange(r.exchange));
  const otherRecords = mx.filter((r) => !isRootExchange(r.exchange));
  const problems: string[] = [];
  if (nullRecords.length === 0) return { state: mx.length ? 'regular' : 'none', nullRecords, otherRecords, problems };
  if (otherRecords.length) problems.push(`the null MX is published together with ${otherRecords.length} other MX record(s) (RFC 7505 §3 forbids it)`);
  if (nullRecords.length > 1) problems.push(`${nullRecords.length} null MX records (exactly one is allowed)`);
  const badPref = nullRecords.filter((r) => r.preference !== 0);
  if (badPref.length) problems.push(`the null MX has preference ${badPref.map((r) => r.preference).join(', ')} instead of 0`);
  return { state: problems.length ? 'invalid-null-mx' : 'null-mx', nullRecords, otherRecords, problems };
}

export interface NullMxCheckInput {
  domain: string;
  mx: readonly MxInput[];
  /** The SPF record's final qualifier as reported (`-all`, `~all`, `+all`, `?all`, a redirect=…), null when no SPF record. */
  spfAll: string | null;
  /** The DMARC policy that applies to the domain, null when none. */
  dmarcPolicy: string | null;
}

/** Findings for null MX: a malformed one, and a mail-less domain that does not forbid mail in its name. */
export function checkNullMx(input: NullMxCheckInput): CheckFinding[] {
  const a = analyseNullMx(input.mx);
  const out: CheckFinding[] = [];
  const ev = { domain: input.domain, mx: input.mx.map((r) => ({ preference: r.preference, exchange: r.exchange })) };
  if (a.state === 'regular' || a.state === 'none') return out;
  if (a.state === 'invalid-null-mx') {
    const mixed = a.otherRecords.length > 0;
    out.push(
      finding({
        id: mixed ? 'email.null-mx.mixed' : 'email.null-mx.malformed',
        severity: mixed ? 'medium' : 'low',
        title: mixed ? 'Null MX mixed with other MX records' : 'Null MX record is malformed',
        detail:
          `${a.problems.join('; ')}. ` +
          (mixed
            ? 'Senders may bounce mail as undeliverable or try the other hosts: the domain’s intent is ambiguous.'
            : 'A null MX is one MX record, preference 0, exchange ".".'),
        evidence: { ...ev, problems: a.problems },
        remediation: mixed
          ? 'If the domain receives mail, remove the "." MX record; if it does not, keep only `MX 0 .`.'
          : 'Publish exactly `MX 0 .`.',
        references: [EMAIL_REF.rfc7505],
      }),
    );
  }
  // Only a clean null MX declares the domain mail-less.
  if (a.state !== 'null-mx') return out;
  out.push(
    finding({
      id: NULL_MX_FINDINGS.declared,
      severity: 'info',
      title: 'Domain accepts no mail (null MX)',
      detail: `${input.domain} publishes a null MX (RFC 7505): senders fail mail to it at once instead of retrying.`,
      evidence: ev,
      remediation: 'Nothing to do; make sure SPF and DMARC also forbid mail from the domain.',
      references: [EMAIL_REF.rfc7505],
    }),
  );
  if (input.spfAll !== '-all') {
    out.push(
      finding({
        id: NULL_MX_FINDINGS.spfNotStrict,
        severity: 'medium',
        title: 'Mail-less domain without SPF `-all`',
        detail:
          input.spfAll === null
            ? `${input.domain} accepts no mail and publishes no SPF record, so anyone can send mail in its name unchecked.`
            : `${input.domain} accepts no mail but its SPF record ends in ${input.spfAll}; a domain that sends no mail should publish \`v=spf1 -all\`.`,
        evidence: { ...ev, spfAll: input.spfAll },
        remediation: 'Publish `v=spf1 -all`.',
        references: [EMAIL_REF.rfc7208, EMAIL_REF.rfc7505],
      }),
    );
  }
  if (input.dmarcPolicy !== 'reject') {
    out.push(
      finding({
        id: NULL_MX_FINDINGS.dmarcNotReject,
        severity: 'medium',
        title: 'Mail-less domain without DMARC p=reject',
        detail: `${input.domain} accepts no mail, but its DMARC policy is ${input.dmarcPolicy ?? 'missing'}: mail forged in its name is not refused.`,
        evidence: { ...ev, dmarcPolicy: input.dmarcPolicy },
        remediation: 'Publish `_dmarc TXT "v=DMARC1; p=reject"`.',
        references: [EMAIL_REF.rfc7489, EMAIL_REF.rfc7505],
      }),
    );
  }
  return out;
}
