// The email grade's score table: the input it reads, every check with its weight, scope, points
// and every outcome with the rule behind it, and the letter chart. Where each rule comes from (and
// which are our reading) is told at the top of email.ts, which evaluates the table.
import type { GradeLetter } from '../model/constants.js';
// Type only (erased): the caps are listed beside the code that applies them.
import type { EmailCapId } from './email.js';

export const EMAIL_GRADE_REFERENCE =
  'internet.nl mail test (checks/scoring.py, checks/tasks/mail.py, faqs/report), checkdmarc, RFC 7208/7489/6376/8301/7505/8461/8460/7672; weights, chart and caps are our reading';

/**
 * What the grader needs from the mail evidence. The shape is the Contract's `email` object, reduced
 * to what a rule reads; the caller fills it from the probes. Every "error" means the lookup could
 * not be completed (timeout, SERVFAIL): such a check is untested, never passed or failed.
 */
export interface EmailGradeInput {
  /** 'mail': a usable MX set; 'null-mx': RFC 7505 null MX; 'no-mx': no MX (implicit MX = A); 'error': MX lookup failed */
  mailSetup: 'mail' | 'null-mx' | 'no-mx' | 'error';
  /** `all`: the effective final qualifier after redirect= ('+all' | '?all' | '~all' | '-all'), null when the record has none. */
  spf: {
    status: 'found' | 'missing' | 'invalid' | 'multiple' | 'error';
    all: string | null;
    permerror: boolean;
    /** A found record whose include tree could not all be checked: whether it ends in permerror is unknown. */
    incomplete?: boolean;
    /** Why the lookup failed (status error) or the tree is incomplete, in the resolver's words. */
    reason?: string;
  };
  /**
   * `policy`: the policy that applies to the domain scanned (null with a found record = no p=, read
   * as none, RFC 7489 §6.6.3); `subdomainPolicy`: sp= (null = same as p); `pct`: null = 100;
   * `ruaAuthorized`: false when an external rua destination does not authorise the domain, null
   * when an authorisation lookup failed (or there is no rua).
   */
  dmarc: {
    status: 'found' | 'missing' | 'invalid' | 'multiple' | 'error';
    policy: 'none' | 'quarantine' | 'reject' | null;
    subdomainPolicy: string | null;
    pct: number | null;
    hasRua: boolean;
    ruaAuthorized: boolean | null;
    /** rua entries that are not valid dmarc-uris (RFC 7489 §6.4): no report goes there. Absent = none. */
    invalidRua?: readonly string[];
  };
  /** Among the keys found: the weakest RSA modulus (null when no RSA key), every key revoked, any key in testing (t=y). */
  dkim: {
    status: 'found' | 'missing' | 'error';
    weakestRsaBits: number | null;
    allRevoked: boolean;
    testing: boolean;
    /** Key records found that verifiers discard (RFC 6376 §3.6.1: v= not DKIM1, a repeated tag …); absent = none. */
    invalidKeys?: number;
  };
  /**
   * `policyValid`: null when the policy file could not be fetched (timeout …), false when it was
   * fetched and is invalid; `mxMismatch`: an MX host matches none of the policy's `mx` patterns.
   */
  mtaSts: { status: 'found' | 'missing' | 'invalid' | 'error'; mode: 'enforce' | 'testing' | 'none' | null; policyValid: boolean | null; mxMismatch: boolean };
  tlsRpt: { status: 'found' | 'missing' | 'invalid' | 'error' };
  /**
   * One per MX host; empty for null-mx/no-mx. `starttls`/`certificateValid`/`dane` null = could not
   * test. `tlsGrade` is the host's SSL Labs-style letter over STARTTLS *ignoring trust*
   * (SslLabsGrade.ignoringTrust): the certificate is its own check, so a T or M here hides the
   * protocol grade and counts as untested.
   */
  mx: Array<{
    host: string;
    starttls: boolean | null;
    tlsGrade: string | null;
    certificateValid: boolean | null;
    /** `insecure`: TLSA records that are not DNSSEC-validated, which senders ignore (RFC 7672 §2.2): as if none. */
    dane: 'match' | 'no-match' | 'no-tlsa' | 'unusable' | 'insecure' | 'error' | null;
  }>;
  /** `validated` false with `signed` true: the chain does not validate (bogus). */
  dnssec: { signed: boolean | null; validated: boolean | null };
}

export type EmailCheckWeight = 'required' | 'recommended';
export type EmailCheckStatus = 'pass' | 'fail' | 'partial' | 'untested' | 'not-applicable';
/** Which domains a check applies to: every domain, those that take mail, or those that take none. */
export type EmailCheckScope = 'all' | 'mail' | 'non-mail';

export interface EmailCheckOutcome {
  status: Exclude<EmailCheckStatus, 'not-applicable'>;
  points: number;
  /** When this outcome is given, in words. */
  rule: string;
}

export interface EmailCheckRule {
  label: string;
  weight: EmailCheckWeight;
  scope: EmailCheckScope;
  /** Points possible when the check applies and was tested. */
  max: number;
  /** Every outcome the check can give. Not applicable is not listed: it scores nothing either way. */
  outcomes: Readonly<Record<string, EmailCheckOutcome>>;
}

export interface EmailGradeCheck {
  id: EmailCheckId;
  label: string;
  weight: EmailCheckWeight;
  status: EmailCheckStatus;
  /** The table's outcome key, or 'not-applicable'. */
  outcome: string;
  points: number;
  /** 0 when the check does not count (not applicable, untested). */
  max: number;
  reason: string;
}

export interface EmailGradeCap {
  id: EmailCapId;
  grade: GradeLetter;
  reason: string;
}

export interface EmailGrade {
  /** 0-100 over the applicable, tested checks; null when none was tested. */
  score: number | null;
  /** Null while some outcome of the untested checks could change it (`best` ≠ `worst`). */
  grade: GradeLetter | null;
  checks: EmailGradeCheck[];
  /** Every cap that applies (whether or not it lowered the letter), worst first. */
  caps: EmailGradeCap[];
  /** Untested checks that apply, one sentence each: the letter exists only if no outcome of them changes it. */
  pending: string[];
  /** Why the grade is what it is, one sentence each. */
  reasons: string[];
  /** The letters the untested checks could still give (equal to `grade` when nothing is untested). */
  best: GradeLetter;
  worst: GradeLetter;
}

/** Points for a required check (internet.nl's full weight is 10; ours is 20 so that partials stay whole). */
export const REQUIRED_POINTS = 20;
/** Points for a recommended check: enough to move the score, too few to decide it. */
export const RECOMMENDED_POINTS = 2;

const R = REQUIRED_POINTS;
const r = RECOMMENDED_POINTS;
const untested = (rule: string): EmailCheckOutcome => ({ status: 'untested', points: 0, rule });
const MX_LOOKUP_FAILED = untested('the MX lookup failed, so whether the domain takes mail (and so this rule) is unknown');

/** The one table: every check id → weight, scope, points possible, and every outcome with its points and rule. */
export const EMAIL_SCORE_TABLE = {
  spf: {
    label: 'SPF record published and valid',
    weight: 'required',
    scope: 'all',
    max: R,
    outcomes: {
      valid: { status: 'pass', points: R, rule: 'exactly one v=spf1 record, which evaluates without permerror' },
      missing: { status: 'fail', points: 0, rule: 'no v=spf1 record' },
      invalid: { status: 'fail', points: 0, rule: 'the record does not parse, or evaluating it ends in permerror (e.g. more than 10 DNS lookups, RFC 7208 §4.6.4)' },
      multiple: { status: 'fail', points: 0, rule: 'more than one v=spf1 record: receivers return permerror (RFC 7208 §4.5)' },
      'lookup-failed': untested('the TXT lookup failed (timeout, SERVFAIL)'),
    },
  },
  'spf-policy': {
    label: 'SPF ends in a restrictive all',
    weight: 'required',
    scope: 'all',
    max: R,
    outcomes: {
      hardfail: { status: 'pass', points: R, rule: '-all' },
      softfail: { status: 'pass', points: R, rule: '~all on a domain that takes mail (internet.nl passes it)' },
      'softfail-non-mail': { status: 'partial', points: R / 2, rule: '~all on a domain that takes no mail, which should say -all' },
      neutral: { status: 'partial', points: 4, rule: '?all, or no all at all (the default result is neutral, RFC 7208 §4.7): internet.nl PARTIAL' },
      'pass-all': { status: 'fail', points: 0, rule: '+all: every host on the Internet may send as the domain' },
      'no-valid-record': { status: 'fail', points: 0, rule: 'not testable: the SPF check failed (internet.nl: null score)' },
      'lookup-failed': untested('the SPF lookup failed'),
      'mx-lookup-failed': untested('the MX lookup failed and the verdict depends on whether the domain takes mail (~all)'),
    },
  },
  dmarc: {
    label: 'DMARC record published and valid',
    weight: 'required',
    scope: 'all',
    max: R,
    outcomes: {
      valid: { status: 'pass', points: R, rule: 'exactly one valid v=DMARC1 record applies to the domain' },
      missing: { status: 'fail', points: 0, rule: 'no DMARC record at the domain or its organisational domain' },
      invalid: { status: 'fail', points: 0, rule: 'the record does not parse' },
      multiple: { status: 'fail', points: 0, rule: 'more than one DMARC record: receivers discard them all (RFC 7489 §6.6.3)' },
      'lookup-failed': untested('the _dmarc lookup failed (timeout, SERVFAIL)'),
    },
  },
  'dmarc-policy': {
    label: 'DMARC policy enforces',
    weight: 'required',
    scope: 'all',
    max: R,
    outcomes: {
      enforced: {
        status: 'pass',
        points: R,
        rule: 'p and sp quarantine or reject with pct 100 (a domain that takes no mail: p and sp reject, pct 100)',
      },
      'weak-enforcement': { status: 'partial', points: R / 2, rule: 'p enforces, but pct is below 100 or sp is weaker (for a domain that takes no mail: weaker than reject)' },
      'quarantine-non-mail': { status: 'partial', points: R / 2, rule: 'p=quarantine on a domain that takes no mail, which should say reject' },
      'monitor-only': { status: 'partial', points: 4, rule: 'p=none (or no p=, read as none): reports only, forged mail is delivered; internet.nl PARTIAL' },
      'no-valid-record': { status: 'fail', points: 0, rule: 'not testable: the DMARC check failed (internet.nl: null score)' },
      'lookup-failed': untested('the DMARC lookup failed'),
      'mx-lookup-failed': untested('the MX lookup failed and the verdict depends on whether the domain takes mail (quarantine)'),
    },
  },
  starttls: {
    label: 'STARTTLS on every MX',
    weight: 'required',
    scope: 'mail',
    max: R,
    outcomes: {
      'all-hosts': { status: 'pass', points: R, rule: 'every MX host offers STARTTLS' },
      'missing-on-some': { status: 'fail', points: 0, rule: 'an MX host does not offer STARTTLS: mail to it travels in clear text' },
      'not-tested': untested('STARTTLS could not be tested on an MX host (or no MX host was examined), and none was seen without it'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  'mx-certificate': {
    label: 'Valid certificate on every MX',
    weight: 'required',
    scope: 'mail',
    max: R,
    outcomes: {
      valid: { status: 'pass', points: R, rule: 'every MX host that offers STARTTLS serves a trusted certificate for its name' },
      invalid: { status: 'fail', points: 0, rule: 'an MX host serves an invalid certificate (MTA-STS senders refuse it)' },
      'no-starttls': { status: 'fail', points: 0, rule: 'not testable: no MX host offers STARTTLS' },
      'not-tested': untested('a certificate could not be examined, and none was seen invalid'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  'mx-tls': {
    label: 'Strong TLS on every MX',
    weight: 'required',
    scope: 'mail',
    max: R,
    outcomes: {
      strong: { status: 'pass', points: R, rule: "every STARTTLS host's TLS letter (ignoring trust) is A+, A or A-" },
      adequate: { status: 'partial', points: R / 2, rule: 'the worst STARTTLS host letter is B' },
      weak: { status: 'fail', points: 0, rule: 'a STARTTLS host letter is C or worse' },
      'no-starttls': { status: 'fail', points: 0, rule: 'not testable: no MX host offers STARTTLS' },
      'not-tested': untested('a STARTTLS host has no TLS letter (not tested, or T/M hiding it), and none was seen C or worse'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  dkim: {
    label: 'DKIM key published (RSA ≥ 2048 bits)',
    weight: 'required',
    scope: 'mail',
    max: R,
    outcomes: {
      strong: { status: 'pass', points: R, rule: 'a usable key, every RSA key at least 2048 bits (RFC 8301 SHOULD), not in testing' },
      'rsa-1024': { status: 'partial', points: R / 2, rule: 'the weakest RSA key is 1024-2047 bits (RFC 8301: MUST ≥ 1024, SHOULD ≥ 2048)' },
      'ed25519-only': { status: 'partial', points: R / 2, rule: 'only Ed25519 keys (RFC 8463), which many receivers do not verify yet' },
      testing: { status: 'partial', points: R / 2, rule: 't=y: verifiers treat the mail as unsigned (RFC 6376 §3.6.1)' },
      'rsa-weak': { status: 'fail', points: 0, rule: 'an RSA key below 1024 bits: verifiers must not accept it (RFC 8301 §3.2)' },
      revoked: { status: 'fail', points: 0, rule: 'every key found is revoked (empty p=)' },
      missing: { status: 'fail', points: 0, rule: 'no key under the selectors tried (a selector not tried may exist)' },
      invalid: { status: 'fail', points: 0, rule: 'the only key records found are invalid, so verifiers discard them (RFC 6376 §3.6.1)' },
      'lookup-failed': untested('the DKIM lookups failed'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  'spf-hardfail': {
    label: 'SPF -all rather than ~all',
    weight: 'recommended',
    scope: 'mail',
    max: r,
    outcomes: {
      hardfail: { status: 'pass', points: r, rule: 'a valid SPF record ending in -all' },
      'not-hardfail': { status: 'fail', points: 0, rule: 'anything else (~all, ?all, +all, no all, no valid record)' },
      'lookup-failed': untested('the SPF lookup failed'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  'mta-sts': {
    label: 'MTA-STS in enforce mode',
    weight: 'recommended',
    scope: 'mail',
    max: r,
    outcomes: {
      enforce: { status: 'pass', points: r, rule: 'a valid policy in enforce mode that matches every MX host' },
      testing: { status: 'partial', points: r / 2, rule: 'a valid policy in testing mode (failures are reported, not enforced)' },
      'enforce-mx-mismatch': { status: 'fail', points: 0, rule: 'enforce mode, but an MX host matches none of the policy mx patterns' },
      'mode-none': { status: 'fail', points: 0, rule: 'mode none: the policy is withdrawn' },
      missing: { status: 'fail', points: 0, rule: 'no _mta-sts record' },
      invalid: { status: 'fail', points: 0, rule: 'the _mta-sts record or the policy file is invalid' },
      'not-tested': untested('the _mta-sts lookup failed, or the policy file could not be fetched'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  'tls-rpt': {
    label: 'TLS-RPT reporting address',
    weight: 'recommended',
    scope: 'mail',
    max: r,
    outcomes: {
      valid: { status: 'pass', points: r, rule: 'a valid _smtp._tls record (RFC 8460)' },
      missing: { status: 'fail', points: 0, rule: 'no _smtp._tls record' },
      invalid: { status: 'fail', points: 0, rule: 'the _smtp._tls record is invalid' },
      'lookup-failed': untested('the _smtp._tls lookup failed'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  dane: {
    label: 'DANE TLSA records match on every MX',
    weight: 'recommended',
    scope: 'mail',
    max: r,
    outcomes: {
      match: { status: 'pass', points: r, rule: "every MX host's TLSA records match its certificate chain (RFC 7672)" },
      'partial-coverage': { status: 'partial', points: r / 2, rule: 'some MX hosts match, the others have no TLSA records (or only ones that are not DNSSEC-validated)' },
      'no-match': { status: 'fail', points: 0, rule: 'an MX host has TLSA records that do not match: DANE senders will not deliver to it' },
      unusable: { status: 'fail', points: 0, rule: 'an MX host has only unusable TLSA records (TLS is required, nothing is authenticated)' },
      'no-tlsa': { status: 'fail', points: 0, rule: 'no MX host has TLSA records' },
      insecure: {
        status: 'fail',
        points: 0,
        rule: 'TLSA records that are not DNSSEC-validated (an unsigned zone …): senders ignore them (RFC 7672 §2.2, RFC 6698 §4.1), so no credit and, whatever they say, no mismatch',
      },
      'not-tested': untested('DANE could not be checked on an MX host (or whether its TLSA records are DNSSEC-validated could not be told), and no mismatch was seen'),
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
  dnssec: {
    label: 'DNSSEC signed and validated',
    weight: 'recommended',
    scope: 'all',
    max: r,
    outcomes: {
      secure: { status: 'pass', points: r, rule: 'the domain is signed and its chain of trust validates' },
      unsigned: { status: 'fail', points: 0, rule: 'the domain is not signed' },
      bogus: { status: 'fail', points: 0, rule: 'signed, but the chain of trust does not validate' },
      'not-tested': untested('whether the domain is signed, or whether it validates, is unknown'),
    },
  },
  'dmarc-reporting': {
    label: 'DMARC aggregate reports to an authorised address',
    weight: 'recommended',
    scope: 'all',
    max: r,
    outcomes: {
      authorised: { status: 'pass', points: r, rule: 'rua is set and every external destination authorises the domain (RFC 7489 §7.1)' },
      unauthorised: { status: 'fail', points: 0, rule: 'an external rua destination does not authorise the domain: its reports are dropped' },
      'no-rua': { status: 'fail', points: 0, rule: 'no rua: abuse of the domain goes unseen' },
      'invalid-rua': { status: 'fail', points: 0, rule: 'rua lists no valid dmarc-uri (RFC 7489 §6.4): no aggregate report can be sent' },
      'no-valid-record': { status: 'fail', points: 0, rule: 'not testable: the DMARC check failed' },
      'lookup-failed': untested('the DMARC lookup, or a report-authorisation lookup, failed'),
    },
  },
  'null-mx': {
    label: 'Null MX for a domain that takes no mail',
    weight: 'recommended',
    scope: 'non-mail',
    max: r,
    outcomes: {
      'null-mx': { status: 'pass', points: r, rule: 'a null MX (RFC 7505) says the domain takes no mail' },
      'implicit-mx': { status: 'fail', points: 0, rule: 'no MX: senders fall back to the A/AAAA record (RFC 5321 §5.1)' },
      'mx-lookup-failed': MX_LOOKUP_FAILED,
    },
  },
} as const satisfies Record<string, EmailCheckRule>;

export type EmailCheckId = keyof typeof EMAIL_SCORE_TABLE;
export type EmailOutcomeOf<K extends EmailCheckId> = keyof (typeof EMAIL_SCORE_TABLE)[K]['outcomes'] & string;
export const EMAIL_CHECK_IDS = Object.keys(EMAIL_SCORE_TABLE) as EmailCheckId[];

/** Score → letter, best first (our reading). A+ is A with every applicable check passed: EMAIL_A_PLUS_RULE. */
export const EMAIL_GRADE_CHART: ReadonlyArray<{ min: number; letter: GradeLetter }> = [
  { min: 90, letter: 'A' },
  { min: 80, letter: 'B' },
  { min: 65, letter: 'C' },
  { min: 50, letter: 'D' },
  { min: 35, letter: 'E' },
  { min: 0, letter: 'F' },
];
export const EMAIL_A_PLUS_RULE = 'score 100 with no applicable check untested: every required and every recommended check passed';

export function emailLetterForScore(score: number): GradeLetter {
  return EMAIL_GRADE_CHART.find((t) => score >= t.min)?.letter ?? 'F';
}
