// The email grade: one table of checks, each required or recommended, each with every outcome it
// can have and the points that outcome earns; a score from the points; a letter from the score
// through a chart; caps that no score can outweigh. Pure: the mail evidence in, the grade out.
//
// Read from internet.nl (https://github.com/internetstandards/Internet.nl, Apache-2.0), not copied:
//   - checks/scoring.py: a subtest whose worst status is STATUS_FAIL is mandatory and counts in the
//     score; STATUS_NOTICE / STATUS_INFO subtests are optional and do not. Full weight is 10
//     points, "less" weight 2. Mail subtests: SPF exists, SPF policy (PARTIAL for a bad `all`),
//     DMARC exists, DMARC policy (PARTIAL for p/sp=none), DKIM exists, STARTTLS exists, DANE
//     exists/valid, DNSSEC (secure 10, insecure 2, bogus 0). MX certificate trust and host-name
//     match are INFO for mail: not scored.
//   - checks/tasks/mail.py: SPF policy passes with `-all` or `~all`; `+all`, `?all` and no `all`
//     at all are invalid_all (PARTIAL). DMARC p=none (or sp=none on an organisational record) is
//     PARTIAL. skip_dkim_for_non_sending_domain(): with `v=spf1 -all` and `v=DMARC1; p=reject`
//     DKIM counts as passed ("no email"). External rua/ruf destinations are verified (RFC 7489
//     §7.1) but an unverified one costs no points.
//   - internet.nl/faqs/report ("Explanation of score and icons"): a failed must-have ⇒ no score for
//     it; a failed should/could-have ⇒ no score impact; "Not testable, because already failed
//     related parent subtest ⇒ null score"; new subtests start as RECOMMENDED or OPTIONAL.
//   - internetstandards/toolbox-wiki parked-domain-how-to.md: a domain without mail publishes a
//     null MX (RFC 7505), `v=spf1 -all`, DMARC `p=reject` (and may revoke DKIM keys).
// Read from checkdmarc (https://github.com/domainaware/checkdmarc, Apache-2.0), not copied: its
// `parked` mode expects exactly `v=spf1 -all`; a rua destination that does not authorise the domain
// is a warning (UnverifiedDMARCURIDestination); multiple DMARC records disable DMARC; STARTTLS is
// judged over every MX host ("a single host without it weakens delivery for the whole domain"), and
// a skipped STARTTLS test is left empty, not failed.
// The M3AAWG "Protecting Parked Domains" BCP (2015-12) gives the same parked-domain records; we know
// it through summaries that cite it, not from the paper itself.
// RFCs behind single rules: 7208 (SPF: §4.5 one record, §4.6.4 lookup limit, §4.7 default neutral),
// 7489 (DMARC: §6.6.3 several records or no p=, §7.1 external report destinations), 6376 §3.6.1 (t=y,
// empty p= revokes), 8301 (RSA keys: ≥ 1024 MUST, ≥ 2048 SHOULD), 8463 (Ed25519), 7505 (null MX),
// 5321 §5.1 (no MX: implicit MX = the A/AAAA record), 8461 (MTA-STS: in enforce mode a sender
// delivers only to an MX that matches the policy and presents a valid certificate), 8460 (TLS-RPT),
// 7672 (DANE for SMTP: a DANE sender refuses an MX whose TLSA records do not match).
//
// Our reading (neither internet.nl nor checkdmarc gives a letter):
//   - required checks are worth 20 points, recommended ones 2: unlike internet.nl, recommended
//     checks move the score a little, and all of them must pass for A+. Partial points keep
//     internet.nl's proportions (its "less" weight, 2 of 10, is 4 of 20 here; half is 10).
//   - the score is the points earned over the points possible, counting only checks that apply and
//     were tested, rounded down to a whole percent; the letter chart is EMAIL_GRADE_CHART.
//   - DNSSEC and DANE are recommended here (internet.nl requires them for mail); the MX
//     certificate is required here (internet.nl only informs), because MTA-STS senders refuse an
//     invalid one; the MX TLS quality is one required check read from each MX's SSL Labs-style
//     letter; SPF `-all` is recommended over `~all` (internet.nl passes both).
//   - a domain with a null MX or no MX at all is graded as one that sends no mail: it must publish
//     `-all` and p=reject, and the MX, STARTTLS and DKIM checks do not apply (RFC 7505 §4.2 says a
//     null-MX domain should not be used as a sender address; for no MX this is our reading, and a null MX is
//     recommended so senders do not fall back to the A record).
//   - DMARC pct below 100, or a subdomain policy of none, is partial enforcement.
//   - DKIM is found by trying known selectors, so "missing" may mean a selector we did not try; it
//     still fails (internet.nl fails a domain without DKIM too), and the reason says so.
//   - a lookup that timed out or got SERVFAIL is "could not test", never a pass and never a fail:
//     an untested check earns and costs nothing; an untested required check leaves the grade
//     without a letter (`pending`), as ssllabs.ts does for an untested Heartbleed.
//   - the caps (EMAIL_CAPS) are ours: each names what a sender or a forger can do. A missing SPF
//     record has no cap of its own: with DMARC enforcing, forged mail is still refused, and losing
//     both SPF checks (40 required points) already keeps a domain at C or below.
import type { GradeLetter } from '../model/constants.js';
import { gradeRank, isGradeLetter, worstGrade } from '../model/severity.js';
import {
  EMAIL_CHECK_IDS,
  EMAIL_SCORE_TABLE,
  emailLetterForScore,
  type EmailCheckId,
  type EmailCheckRule,
  type EmailGrade,
  type EmailGradeCap,
  type EmailGradeCheck,
  type EmailGradeInput,
  type EmailOutcomeOf,
} from './email-table.js';

export * from './email-table.js';

type Outcomes = { [K in EmailCheckId]: string };

interface EmailCapRule {
  id: string;
  /** The letter the grade cannot exceed; 'worst-mx-letter' = the worst STARTTLS host's TLS letter. */
  grade: GradeLetter | 'worst-mx-letter';
  rule: string;
  /** The reason when the cap applies, else null. Reads the checks' outcomes (and the input for details). */
  applies: (o: Outcomes, input: EmailGradeInput) => string | null;
}

const when = (cond: boolean, reason: string) => (cond ? reason : null);

/** Every cap, worst first. Each names what a sender or a forger can do (our reading). */
export const EMAIL_CAPS = [
  {
    id: 'spf-pass-all',
    grade: 'F',
    rule: 'SPF +all: any host passes SPF for the domain, so forged mail even passes DMARC through aligned SPF',
    applies: (o) => when(o['spf-policy'] === 'pass-all', 'SPF ends in +all: any host on the Internet passes SPF (and DMARC) as the domain'),
  },
  {
    id: 'no-dmarc',
    grade: 'F',
    rule: 'no valid DMARC record: nothing asks receivers to refuse mail with a forged From:',
    applies: (o) => when(['missing', 'invalid', 'multiple'].includes(o.dmarc), 'no valid DMARC record: nothing asks receivers to refuse a forged From:'),
  },
  {
    id: 'dane-no-match',
    grade: 'F',
    rule: 'TLSA records that do not match an MX: DANE-validating senders will not deliver to it',
    applies: (o, i) => when(o.dane === 'no-match', `TLSA records do not match on ${hosts(i.mx.filter((m) => m.dane === 'no-match'))}: DANE senders will not deliver there`),
  },
  {
    id: 'mta-sts-mx-mismatch',
    grade: 'F',
    rule: 'MTA-STS in enforce mode that does not list an MX: MTA-STS senders will not deliver to it',
    applies: (o) => when(o['mta-sts'] === 'enforce-mx-mismatch', 'MTA-STS enforces a policy that an MX host does not match: MTA-STS senders will not deliver there'),
  },
  {
    id: 'mta-sts-invalid-certificate',
    grade: 'F',
    rule: 'MTA-STS in enforce mode with an invalid MX certificate: MTA-STS senders will not deliver to it (RFC 8461 §5.1)',
    applies: (o, i) =>
      when(
        (o['mta-sts'] === 'enforce' || o['mta-sts'] === 'enforce-mx-mismatch') && o['mx-certificate'] === 'invalid',
        `MTA-STS enforces, and ${hosts(i.mx.filter((m) => m.starttls === true && m.certificateValid === false))} serves an invalid certificate: MTA-STS senders will not deliver there`,
      ),
  },
  {
    id: 'dmarc-monitor-only',
    grade: 'C',
    rule: 'DMARC p=none: forged mail is reported, and delivered',
    applies: (o) => when(o['dmarc-policy'] === 'monitor-only', 'DMARC p=none: forged mail is reported, and delivered'),
  },
  {
    id: 'starttls-missing',
    grade: 'C',
    rule: 'an MX without STARTTLS: mail to it travels in clear text',
    applies: (o, i) => when(o.starttls === 'missing-on-some', `no STARTTLS on ${hosts(i.mx.filter((m) => m.starttls === false))}: mail to it travels in clear text`),
  },
  {
    id: 'dmarc-partial-enforcement',
    grade: 'B',
    rule: 'DMARC enforces only in part (pct below 100, a weaker sp, or quarantine where reject is due)',
    applies: (o) =>
      when(o['dmarc-policy'] === 'weak-enforcement' || o['dmarc-policy'] === 'quarantine-non-mail', 'DMARC enforces only in part: some forged mail is still delivered'),
  },
  {
    id: 'mx-tls-letter',
    grade: 'worst-mx-letter',
    rule: "the worst STARTTLS host's TLS letter, when it is B or worse: the mail grade is never better than its weakest MX",
    applies: (o, i) => {
      if (o['mx-tls'] !== 'adequate' && o['mx-tls'] !== 'weak') return null;
      const w = worstMxLetter(i);
      return w === null ? null : `the weakest MX TLS letter is ${w} (${hosts(mxWithLetter(i, w))})`;
    },
  },
] as const satisfies readonly EmailCapRule[];

export type EmailCapId = (typeof EMAIL_CAPS)[number]['id'];

// ── The checks ──────────────────────────────────────────────────────────────────────────────────

interface Verdict<K extends EmailCheckId> {
  outcome: EmailOutcomeOf<K>;
  reason: string;
}
type Evaluator<K extends EmailCheckId> = (input: EmailGradeInput, mail: boolean) => Verdict<K>;

const v = <K extends EmailCheckId>(outcome: EmailOutcomeOf<K>, reason: string): Verdict<K> => ({ outcome, reason });
const hosts = (mx: EmailGradeInput['mx']) => mx.map((m) => m.host).join(', ');
const spfValid = (i: EmailGradeInput) => i.spf.status === 'found' && !i.spf.permerror;
const enforcing = (p: string | null) => p === 'quarantine' || p === 'reject';

function normalAll(all: string | null): '+all' | '?all' | '~all' | '-all' | null {
  const a = all?.trim().toLowerCase() ?? null;
  if (a === 'all' || a === '+all') return '+all';
  return a === '?all' || a === '~all' || a === '-all' ? a : null;
}

/** The MX hosts that offer STARTTLS, and whether any host's STARTTLS is unknown. */
function tlsHosts(i: EmailGradeInput) {
  return { on: i.mx.filter((m) => m.starttls === true), unknown: i.mx.filter((m) => m.starttls === null), off: i.mx.filter((m) => m.starttls === false) };
}

/** A STARTTLS host's letter, or null when it says nothing about the protocols (not tested, T, M, unknown). */
function mxLetter(m: EmailGradeInput['mx'][number]): GradeLetter | null {
  const g = m.tlsGrade;
  return g !== null && isGradeLetter(g) && g !== 'T' && g !== 'M' ? g : null;
}
function worstMxLetter(i: EmailGradeInput): GradeLetter | null {
  return worstGrade(tlsHosts(i).on.map(mxLetter));
}
function mxWithLetter(i: EmailGradeInput, g: GradeLetter) {
  return tlsHosts(i).on.filter((m) => mxLetter(m) === g);
}

const EVALUATORS: { [K in EmailCheckId]: Evaluator<K> } = {
  spf: (i) => {
    switch (i.spf.status) {
      case 'error':
        return v('lookup-failed', `the SPF lookup failed (${i.spf.reason ?? 'no answer'}): could not test`);
      case 'missing':
        return v('missing', 'no v=spf1 record');
      case 'multiple':
        return v('multiple', 'more than one v=spf1 record: receivers return permerror (RFC 7208 §4.5)');
      case 'invalid':
        return v('invalid', 'receivers get permerror from the SPF record (a syntax error, more than 10 DNS lookups, an include loop …: see the email.spf findings)');
      case 'found':
        if (i.spf.permerror) return v('invalid', 'evaluating the SPF record ends in permerror (RFC 7208 §2.6.7)');
        // Part of the include tree unchecked: a permerror (lookups, loops) may hide there.
        if (i.spf.incomplete) return v('lookup-failed', `part of the SPF include tree could not be checked (${i.spf.reason ?? 'lookup failed'}): could not test`);
        return v('valid', 'one SPF record, evaluated without permerror');
    }
  },
  'spf-policy': (i, mail) => {
    if (i.spf.status === 'error') return v('lookup-failed', 'the SPF lookup failed: could not test');
    if (!spfValid(i)) return v('no-valid-record', 'no valid SPF record, so no all qualifier applies');
    switch (normalAll(i.spf.all)) {
      case '-all':
        return v('hardfail', 'SPF ends in -all');
      case '~all':
        return mail ? v('softfail', 'SPF ends in ~all') : v('softfail-non-mail', 'SPF ends in ~all, but a domain that takes no mail should say -all');
      case '+all':
        return v('pass-all', 'SPF ends in +all: every host may send as the domain');
      case '?all':
        return v('neutral', 'SPF ends in ?all: unlisted hosts get neutral, not fail');
      case null:
        return v('neutral', `SPF has no all (${i.spf.all ?? 'none'}): unlisted hosts get the default neutral (RFC 7208 §4.7)`);
    }
  },
  dmarc: (i) => {
    switch (i.dmarc.status) {
      case 'error':
        return v('lookup-failed', 'the DMARC lookup failed (timeout or SERVFAIL): could not test');
      case 'missing':
        return v('missing', 'no DMARC record at the domain or its organisational domain');
      case 'multiple':
        return v('multiple', 'more than one DMARC record: receivers discard them all (RFC 7489 §6.6.3)');
      case 'invalid':
        return v('invalid', 'the DMARC record is invalid, so receivers ignore it (see the email.dmarc findings)');
      case 'found':
        return v('valid', 'one valid DMARC record');
    }
  },
  'dmarc-policy': (i, mail) => {
    const d = i.dmarc;
    if (d.status === 'error') return v('lookup-failed', 'the DMARC lookup failed: could not test');
    if (d.status !== 'found') return v('no-valid-record', 'no valid DMARC record, so no policy applies');
    const p = d.policy ?? 'none';
    const sp = d.subdomainPolicy ?? p;
    const pct = d.pct ?? 100;
    const detail = `p=${p}${d.subdomainPolicy !== null ? `, sp=${sp}` : ''}${pct < 100 ? `, pct=${pct}` : ''}`;
    if (!enforcing(p)) return v('monitor-only', `${detail}: reports only, forged mail is delivered`);
    if (mail) {
      return enforcing(sp) && pct >= 100 ? v('enforced', `${detail}: enforced`) : v('weak-enforcement', `${detail}: ${pct < 100 ? 'applied to only part of the mail' : 'subdomains are not protected'}`);
    }
    if (p === 'reject' && sp === 'reject' && pct >= 100) return v('enforced', `${detail}: enforced, as a domain that takes no mail should`);
    if (p === 'reject') return v('weak-enforcement', `${detail}: a domain that takes no mail should reject everything, subdomains included, at pct 100`);
    return v('quarantine-non-mail', `${detail}: a domain that takes no mail should say reject`);
  },
  starttls: (i) => {
    const t = tlsHosts(i);
    if (t.off.length) return v('missing-on-some', `no STARTTLS on ${hosts(t.off)}`);
    if (i.mx.length === 0) return v('not-tested', 'no MX host was examined: could not test');
    if (t.unknown.length) return v('not-tested', `STARTTLS could not be tested on ${hosts(t.unknown)}`);
    return v('all-hosts', `every MX host offers STARTTLS (${hosts(i.mx)})`);
  },
  'mx-certificate': (i) => {
    const t = tlsHosts(i);
    const bad = t.on.filter((m) => m.certificateValid === false);
    if (bad.length) return v('invalid', `invalid certificate on ${hosts(bad)}`);
    if (i.mx.length === 0) return v('not-tested', 'no MX host was examined: could not test');
    const unknown = [...t.unknown, ...t.on.filter((m) => m.certificateValid === null)];
    if (unknown.length) return v('not-tested', `the certificate could not be examined on ${hosts(unknown)}`);
    if (t.on.length === 0) return v('no-starttls', 'not testable: no MX host offers STARTTLS');
    return v('valid', `every STARTTLS host serves a valid certificate (${hosts(t.on)})`);
  },
  'mx-tls': (i) => {
    const t = tlsHosts(i);
    const worst = worstMxLetter(i);
    if (worst !== null && gradeRank(worst) <= gradeRank('C')) return v('weak', `TLS letter ${worst} on ${hosts(mxWithLetter(i, worst))}`);
    if (i.mx.length === 0) return v('not-tested', 'no MX host was examined: could not test');
    const unknown = [...t.unknown, ...t.on.filter((m) => mxLetter(m) === null)];
    if (unknown.length) return v('not-tested', `no TLS letter for ${hosts(unknown)} (not tested, or T/M: pass the letter ignoring trust)`);
    if (t.on.length === 0 || worst === null) return v('no-starttls', 'not testable: no MX host offers STARTTLS');
    if (worst === 'B') return v('adequate', `TLS letter B on ${hosts(mxWithLetter(i, 'B'))}`);
    return v('strong', `every STARTTLS host rates ${worst} or better`);
  },
  dkim: (i) => {
    const k = i.dkim;
    if (k.status === 'error') return v('lookup-failed', 'the DKIM lookups failed (timeout or SERVFAIL): could not test');
    if (k.status === 'missing' && (k.invalidKeys ?? 0) > 0) {
      return v('invalid', `no usable DKIM key: the ${k.invalidKeys === 1 ? 'key record' : `${k.invalidKeys} key records`} found ${k.invalidKeys === 1 ? 'is' : 'are'} invalid, so verifiers discard ${k.invalidKeys === 1 ? 'it' : 'them'} (RFC 6376 §3.6.1; see the email.dkim.invalid findings)`);
    }
    if (k.status === 'missing') return v('missing', 'no DKIM key found under the selectors tried (a selector not tried may exist)');
    if (k.allRevoked) return v('revoked', 'every DKIM key found is revoked (empty p=)');
    const bits = k.weakestRsaBits;
    if (bits !== null && bits < 1024) return v('rsa-weak', `an RSA key of ${bits} bits: verifiers must not accept it (RFC 8301)`);
    if (k.testing) return v('testing', 'a DKIM key is in testing mode (t=y): receivers treat the mail as unsigned');
    if (bits === null) return v('ed25519-only', 'only Ed25519 keys: many receivers do not verify them yet');
    if (bits < 2048) return v('rsa-1024', `the weakest RSA key is ${bits} bits (2048 recommended, RFC 8301)`);
    return v('strong', `DKIM keys found, the weakest RSA key ${bits} bits`);
  },
  'spf-hardfail': (i) => {
    if (i.spf.status === 'error') return v('lookup-failed', 'the SPF lookup failed: could not test');
    if (spfValid(i) && normalAll(i.spf.all) === '-all') return v('hardfail', 'SPF ends in -all');
    return v('not-hardfail', spfValid(i) ? `SPF ends in ${normalAll(i.spf.all) ?? 'no all'}, not -all` : 'there is no valid SPF record');
  },
  'mta-sts': (i) => {
    const m = i.mtaSts;
    switch (m.status) {
      case 'error':
        return v('not-tested', 'the _mta-sts lookup failed: could not test');
      case 'missing':
        return v('missing', 'no _mta-sts record');
      case 'invalid':
        return v('invalid', 'the _mta-sts record is invalid');
      case 'found':
        break;
    }
    if (m.policyValid === null) return v('not-tested', 'the MTA-STS policy file could not be fetched: could not test');
    if (m.policyValid === false) return v('invalid', 'the MTA-STS policy file is invalid');
    if (m.mode === 'enforce') return m.mxMismatch ? v('enforce-mx-mismatch', 'enforce mode, but an MX host matches no mx pattern of the policy') : v('enforce', 'MTA-STS in enforce mode');
    if (m.mode === 'testing') return v('testing', `MTA-STS in testing mode${m.mxMismatch ? ' (and an MX host matches no mx pattern)' : ''}`);
    if (m.mode === 'none') return v('mode-none', 'MTA-STS mode none: the policy is withdrawn');
    return v('invalid', 'the MTA-STS policy has no mode');
  },
  'tls-rpt': (i) => {
    switch (i.tlsRpt.status) {
      case 'error':
        return v('lookup-failed', 'the _smtp._tls lookup failed: could not test');
      case 'missing':
        return v('missing', 'no _smtp._tls record');
      case 'invalid':
        return v('invalid', 'the _smtp._tls record is invalid');
      case 'found':
        return v('valid', 'TLS-RPT reports have an address');
    }
  },
  dane: (i) => {
    const by = (s: EmailGradeInput['mx'][number]['dane']) => i.mx.filter((m) => m.dane === s);
    if (by('no-match').length) return v('no-match', `TLSA records do not match on ${hosts(by('no-match'))}`);
    if (i.mx.length === 0) return v('not-tested', 'no MX host was examined: could not test');
    const unknown = [...by('error'), ...by(null)];
    if (unknown.length) return v('not-tested', `DANE could not be checked on ${hosts(unknown)}`);
    if (by('unusable').length) return v('unusable', `only unusable TLSA records on ${hosts(by('unusable'))}`);
    if (by('match').length === i.mx.length) return v('match', 'TLSA records match on every MX host');
    const ignored = by('insecure');
    const ignoredText = ignored.length ? `TLSA records that are not DNSSEC-validated, which senders ignore, on ${hosts(ignored)}` : '';
    if (by('match').length) {
      const none = by('no-tlsa');
      return v('partial-coverage', [none.length ? `no TLSA records on ${hosts(none)}` : '', ignoredText].filter(Boolean).join('; '));
    }
    if (ignored.length) return v('insecure', `${ignoredText} (RFC 7672 §2.2): DANE does not apply`);
    return v('no-tlsa', 'no MX host has TLSA records');
  },
  dnssec: (i) => {
    const d = i.dnssec;
    if (d.signed === false) return v('unsigned', 'the domain is not signed');
    if (d.signed === null) return v('not-tested', 'whether the domain is signed is unknown: could not test');
    if (d.validated === true) return v('secure', 'signed, and the chain of trust validates');
    if (d.validated === false) return v('bogus', 'signed, but the chain of trust does not validate');
    return v('not-tested', 'signed, but validation could not be checked');
  },
  'dmarc-reporting': (i) => {
    const d = i.dmarc;
    if (d.status === 'error') return v('lookup-failed', 'the DMARC lookup failed: could not test');
    if (d.status !== 'found') return v('no-valid-record', 'no valid DMARC record, so no policy applies');
    const invalid = d.invalidRua ?? [];
    if (!d.hasRua && invalid.length) return v('invalid-rua', `rua is invalid: ${invalid.join(', ')} ${invalid.length > 1 ? 'are not valid dmarc-uris' : 'is not a valid dmarc-uri'} (RFC 7489 §6.4), so no aggregate report can be sent`);
    if (!d.hasRua) return v('no-rua', 'no rua: no aggregate reports');
    if (d.ruaAuthorized === false) return v('unauthorised', 'an external rua destination does not authorise the domain (RFC 7489 §7.1)');
    if (d.ruaAuthorized === null) return v('lookup-failed', 'a report-authorisation lookup failed: could not test');
    return v('authorised', `aggregate reports go to authorised addresses${invalid.length ? ` (the invalid ${invalid.join(', ')} ignored)` : ''}`);
  },
  'null-mx': (i) =>
    i.mailSetup === 'null-mx' ? v('null-mx', 'a null MX says the domain takes no mail') : v('implicit-mx', 'no MX: senders fall back to the A/AAAA record; publish a null MX (RFC 7505)'),
};

/** Checks whose rule (not only whether they apply) depends on whether the domain takes mail. */
const SETUP_DEPENDENT: ReadonlySet<EmailCheckId> = new Set(['spf-policy', 'dmarc-policy']);

function evaluate<K extends EmailCheckId>(id: K, input: EmailGradeInput): EmailGradeCheck {
  const rule: EmailCheckRule = EMAIL_SCORE_TABLE[id];
  const base = { id, label: rule.label, weight: rule.weight };
  const setup = input.mailSetup;
  const mail = setup === 'mail';
  if ((rule.scope === 'mail' && (setup === 'null-mx' || setup === 'no-mx')) || (rule.scope === 'non-mail' && mail)) {
    const why = rule.scope === 'mail' ? 'the domain takes no mail' : 'the domain takes mail';
    return { ...base, status: 'not-applicable', outcome: 'not-applicable', points: 0, max: 0, reason: `not applicable: ${why}` };
  }
  let verdict: { outcome: string; reason: string };
  if (setup === 'error' && rule.scope !== 'all') {
    verdict = { outcome: 'mx-lookup-failed', reason: 'the MX lookup failed: whether this applies is unknown, could not test' };
  } else if (setup === 'error' && SETUP_DEPENDENT.has(id)) {
    // Judge by both rules; keep the verdict when they agree, else it cannot be told.
    const asMail = EVALUATORS[id](input, true);
    const asNonMail = EVALUATORS[id](input, false);
    verdict = asMail.outcome === asNonMail.outcome ? asMail : { outcome: 'mx-lookup-failed', reason: `the MX lookup failed, and the verdict depends on it: ${asMail.reason}` };
  } else {
    verdict = EVALUATORS[id](input, mail);
  }
  const o = rule.outcomes[verdict.outcome];
  if (!o) throw new Error(`email grade: ${id} gave outcome ${verdict.outcome}, which the table does not list`);
  const counted = o.status !== 'untested';
  return { ...base, status: o.status, outcome: verdict.outcome, points: o.points, max: counted ? rule.max : 0, reason: verdict.reason };
}

/** The letter of a set of checks and caps: the score's letter, A+ when nothing is short, then every cap. */
function letterOf(checks: readonly EmailGradeCheck[], caps: readonly EmailGradeCap[], score: number | null, reasons: string[] | null): GradeLetter | null {
  if (score === null) return null;
  let grade = emailLetterForScore(score);
  reasons?.push(`score ${score} gives ${grade}`);
  if (grade === 'A') {
    if (score === 100 && checks.every((c) => c.status !== 'untested')) {
      grade = 'A+';
      reasons?.push('every applicable check passed: A+');
    } else {
      const short = checks.filter((c) => c.status !== 'pass' && c.status !== 'not-applicable').map((c) => `${c.id} (${c.status})`);
      reasons?.push(`A, not A+: ${short.join(', ')}`);
    }
  }
  for (const cap of caps) {
    const capped: GradeLetter | null = worstGrade<GradeLetter>([grade, cap.grade]);
    if (capped !== null && capped !== grade) {
      reasons?.push(`${cap.reason}: capped at ${cap.grade}`);
      grade = capped;
    }
  }
  return grade;
}

/** Checks, score and caps of one input, letter aside. */
function score(input: EmailGradeInput) {
  const checks = EMAIL_CHECK_IDS.map((id) => evaluate(id, input));
  const outcomes = Object.fromEntries(checks.map((c) => [c.id, c.outcome])) as Outcomes;
  const points = checks.reduce((s, c) => s + c.points, 0);
  const max = checks.reduce((s, c) => s + c.max, 0);
  const caps: EmailGradeCap[] = [];
  for (const cap of EMAIL_CAPS as readonly EmailCapRule[]) {
    const reason = cap.applies(outcomes, input);
    if (reason === null) continue;
    const grade = cap.grade === 'worst-mx-letter' ? worstMxLetter(input) : cap.grade;
    if (grade !== null) caps.push({ id: cap.id as EmailCapId, grade, reason });
  }
  return { checks, points, max, score: max > 0 ? Math.floor((100 * points) / max) : null, caps };
}

/** The letter an input gives when nothing is untested (each scenario below has nothing left untested). */
function scenarioLetter(input: EmailGradeInput): GradeLetter {
  const s = score(input);
  return letterOf(s.checks, s.caps, s.score, null) ?? 'F';
}

type Extreme = 'best' | 'worst';

/**
 * One MX host as good (or as bad) as it could be where it was not tested. An unknown STARTTLS is
 * not monotone (no STARTTLS caps at C; STARTTLS with weak TLS can cap at F): `starttlsAtWorst`
 * says which way the worst case takes it, and both are tried.
 */
function extremeMx(m: EmailGradeInput['mx'][number], x: Extreme, starttlsAtWorst: boolean): EmailGradeInput['mx'][number] {
  const best = x === 'best';
  const starttls = m.starttls ?? (best || starttlsAtWorst);
  return {
    host: m.host,
    starttls,
    tlsGrade: m.tlsGrade ?? (best ? 'A+' : 'F'),
    certificateValid: m.certificateValid ?? (starttls ? best : null),
    dane: m.dane === null || m.dane === 'error' ? (best ? 'match' : 'no-match') : m.dane,
  };
}

/**
 * The input with every fact a lookup could not establish set to its best (or worst) value, for
 * one mail setup: what the grade would be if every untested check had passed (or failed).
 */
function extremeInput(i: EmailGradeInput, x: Extreme, mailSetup: Exclude<EmailGradeInput['mailSetup'], 'error'>, starttlsAtWorst = false): EmailGradeInput {
  const best = x === 'best';
  const mail = mailSetup === 'mail';
  const mx = mail ? (i.mx.length ? i.mx : [{ host: 'the MX hosts', starttls: null, tlsGrade: null, certificateValid: null, dane: null }]).map((m) => extremeMx(m, x, starttlsAtWorst)) : [];
  return {
    mailSetup,
    spf:
      i.spf.status === 'error'
        ? { status: 'found', all: best ? '-all' : '+all', permerror: false }
        : i.spf.incomplete
          ? { ...i.spf, incomplete: false, permerror: !best }
          : i.spf,
    dmarc:
      i.dmarc.status === 'error'
        ? best
          ? { status: 'found', policy: 'reject', subdomainPolicy: null, pct: null, hasRua: true, ruaAuthorized: true }
          : { status: 'missing', policy: null, subdomainPolicy: null, pct: null, hasRua: false, ruaAuthorized: null }
        : { ...i.dmarc, ruaAuthorized: i.dmarc.ruaAuthorized ?? (i.dmarc.hasRua ? best : null) },
    dkim: i.dkim.status === 'error' ? (best ? { status: 'found', weakestRsaBits: 2048, allRevoked: false, testing: false } : { status: 'missing', weakestRsaBits: null, allRevoked: false, testing: false }) : i.dkim,
    mtaSts:
      i.mtaSts.status === 'error' || (i.mtaSts.status === 'found' && i.mtaSts.policyValid === null)
        ? { status: 'found', mode: 'enforce', policyValid: true, mxMismatch: !best }
        : i.mtaSts,
    tlsRpt: i.tlsRpt.status === 'error' ? { status: best ? 'found' : 'missing' } : i.tlsRpt,
    mx,
    dnssec: { signed: i.dnssec.signed ?? best, validated: i.dnssec.validated ?? (i.dnssec.signed === false ? null : best) },
  };
}

/** The best and the worst letter over every outcome of what could not be tested. */
export function emailGradeRange(input: EmailGradeInput): { best: GradeLetter; worst: GradeLetter } {
  const setups: Array<Exclude<EmailGradeInput['mailSetup'], 'error'>> = input.mailSetup === 'error' ? ['mail', 'null-mx', 'no-mx'] : [input.mailSetup];
  const bests = setups.map((setup) => scenarioLetter(extremeInput(input, 'best', setup)));
  const worsts = setups.flatMap((setup) => [false, true].map((starttls) => scenarioLetter(extremeInput(input, 'worst', setup, starttls))));
  const best = bests.reduce((a, b) => (gradeRank(b) > gradeRank(a) ? b : a));
  return { best, worst: worstGrade(worsts)! };
}

export function emailGrade(input: EmailGradeInput): EmailGrade {
  const { checks, points, max, score: s, caps } = score(input);
  const untestedChecks = checks.filter((c) => c.status === 'untested');
  // Anything untested that applies could still change the letter: required or recommended.
  const pending = untestedChecks.map((c) => `${c.label}: ${c.reason}`);
  const reasons: string[] = [];
  const tested = checks.filter((c) => c.max > 0).length;
  if (s !== null) reasons.push(`score ${s}: ${points} of ${max} points over ${tested} applicable, tested checks`);
  const range = emailGradeRange(input);
  let grade: GradeLetter | null = null;
  if (untestedChecks.length === 0) {
    grade = letterOf(checks, caps, s, reasons);
  } else if (range.best === range.worst) {
    grade = range.best;
    reasons.push(`${untestedChecks.length === 1 ? 'a check' : `${untestedChecks.length} checks`} could not be tested (${untestedChecks.map((c) => c.id).join(', ')}), but no outcome of ${untestedChecks.length === 1 ? 'it' : 'them'} changes the letter: ${grade}`);
  } else {
    reasons.push(
      `no letter: ${untestedChecks.length === 1 ? 'a check' : `${untestedChecks.length} checks`} could not be tested (${untestedChecks.map((c) => c.id).join(', ')}), and the letter could be anything from ${range.best} to ${range.worst}`,
    );
  }
  return { score: s, grade, checks, caps, pending, reasons, best: range.best, worst: range.worst };
}
