import { describe, expect, it } from 'vitest';
import { gradeRank } from '../../src/model/severity.js';
import {
  EMAIL_CAPS,
  EMAIL_CHECK_IDS,
  EMAIL_GRADE_CHART,
  EMAIL_SCORE_TABLE,
  RECOMMENDED_POINTS,
  REQUIRED_POINTS,
  emailGrade,
  emailLetterForScore,
  type EmailCheckId,
  type EmailGradeCheck,
  type EmailGradeInput,
} from '../../src/grade/email.js';
import { emailGradeInput } from '../../src/grade/email-input.js';
import { discoverDkim, dkimReport } from '../../src/email/dkim.js';
import { discoverDmarc, dmarcReport } from '../../src/email/dmarc.js';
import type { TxtLookup } from '../../src/email/dns-lookup.js';

type Mx = EmailGradeInput['mx'][number];
const mx = (host: string, over: Partial<Mx> = {}): Mx => ({ host, starttls: true, tlsGrade: 'A', certificateValid: true, dane: 'match', ...over });

/** A mail domain with everything right. */
const goodMail = (): EmailGradeInput => ({
  mailSetup: 'mail',
  spf: { status: 'found', all: '-all', permerror: false },
  dmarc: { status: 'found', policy: 'reject', subdomainPolicy: null, pct: null, hasRua: true, ruaAuthorized: true },
  dkim: { status: 'found', weakestRsaBits: 2048, allRevoked: false, testing: false },
  mtaSts: { status: 'found', mode: 'enforce', policyValid: true, mxMismatch: false },
  tlsRpt: { status: 'found' },
  mx: [mx('mx1.example.com'), mx('mx2.example.com')],
  dnssec: { signed: true, validated: true },
});

/** A domain that takes no mail, done right (toolbox-wiki / M3AAWG parked domain). */
const goodNonMail = (): EmailGradeInput => ({
  mailSetup: 'null-mx',
  spf: { status: 'found', all: '-all', permerror: false },
  dmarc: { status: 'found', policy: 'reject', subdomainPolicy: null, pct: null, hasRua: true, ruaAuthorized: true },
  dkim: { status: 'missing', weakestRsaBits: null, allRevoked: false, testing: false },
  mtaSts: { status: 'missing', mode: null, policyValid: null, mxMismatch: false },
  tlsRpt: { status: 'missing' },
  mx: [],
  dnssec: { signed: true, validated: true },
});

/** A copy of `base` changed by `f`. */
function mod(base: () => EmailGradeInput, f: (i: EmailGradeInput) => void): EmailGradeInput {
  const i = structuredClone(base());
  f(i);
  return i;
}
const check = (g: { checks: EmailGradeCheck[] }, id: EmailCheckId) => {
  const c = g.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

/** One input per outcome (some outcomes several ways): check id, expected outcome, input. */
const CASES: Array<[EmailCheckId, string, string, EmailGradeInput]> = [
  ['spf', 'valid', 'one record, no permerror', goodMail()],
  ['spf', 'missing', 'no record', mod(goodMail, (i) => (i.spf = { status: 'missing', all: null, permerror: false }))],
  ['spf', 'invalid', 'does not parse', mod(goodMail, (i) => (i.spf.status = 'invalid'))],
  ['spf', 'invalid', 'permerror when evaluated', mod(goodMail, (i) => (i.spf.permerror = true))],
  ['spf', 'multiple', 'two records', mod(goodMail, (i) => (i.spf.status = 'multiple'))],
  ['spf', 'lookup-failed', 'timeout', mod(goodMail, (i) => (i.spf = { status: 'error', all: null, permerror: false }))],

  ['spf-policy', 'hardfail', '-all', goodMail()],
  ['spf-policy', 'hardfail', '-all, domain without mail', goodNonMail()],
  ['spf-policy', 'softfail', '~all on a mail domain', mod(goodMail, (i) => (i.spf.all = '~all'))],
  ['spf-policy', 'softfail-non-mail', '~all on a null-MX domain', mod(goodNonMail, (i) => (i.spf.all = '~all'))],
  ['spf-policy', 'neutral', '?all', mod(goodMail, (i) => (i.spf.all = '?all'))],
  ['spf-policy', 'neutral', 'no all', mod(goodMail, (i) => (i.spf.all = null))],
  ['spf-policy', 'pass-all', '+all', mod(goodMail, (i) => (i.spf.all = '+all'))],
  ['spf-policy', 'pass-all', 'bare all (+ is the default qualifier)', mod(goodMail, (i) => (i.spf.all = 'all'))],
  ['spf-policy', 'no-valid-record', 'no SPF record', mod(goodMail, (i) => (i.spf = { status: 'missing', all: null, permerror: false }))],
  ['spf-policy', 'no-valid-record', 'permerror', mod(goodMail, (i) => (i.spf.permerror = true))],
  ['spf-policy', 'lookup-failed', 'SPF lookup timeout', mod(goodMail, (i) => (i.spf = { status: 'error', all: null, permerror: false }))],
  ['spf-policy', 'mx-lookup-failed', '~all and the MX lookup failed', mod(goodMail, (i) => ((i.mailSetup = 'error'), (i.spf.all = '~all')))],

  ['dmarc', 'valid', 'one record', goodMail()],
  ['dmarc', 'missing', 'no record', mod(goodMail, (i) => (i.dmarc.status = 'missing'))],
  ['dmarc', 'invalid', 'does not parse', mod(goodMail, (i) => (i.dmarc.status = 'invalid'))],
  ['dmarc', 'multiple', 'two records', mod(goodMail, (i) => (i.dmarc.status = 'multiple'))],
  ['dmarc', 'lookup-failed', 'SERVFAIL', mod(goodMail, (i) => (i.dmarc.status = 'error'))],

  ['dmarc-policy', 'enforced', 'reject', goodMail()],
  ['dmarc-policy', 'enforced', 'quarantine on a mail domain', mod(goodMail, (i) => (i.dmarc.policy = 'quarantine'))],
  ['dmarc-policy', 'enforced', 'reject on a null-MX domain', goodNonMail()],
  ['dmarc-policy', 'weak-enforcement', 'pct=50', mod(goodMail, (i) => (i.dmarc.pct = 50))],
  ['dmarc-policy', 'weak-enforcement', 'sp=none', mod(goodMail, (i) => (i.dmarc.subdomainPolicy = 'none'))],
  ['dmarc-policy', 'weak-enforcement', 'reject, sp=quarantine, domain without mail', mod(goodNonMail, (i) => (i.dmarc.subdomainPolicy = 'quarantine'))],
  ['dmarc-policy', 'quarantine-non-mail', 'quarantine on a null-MX domain', mod(goodNonMail, (i) => (i.dmarc.policy = 'quarantine'))],
  ['dmarc-policy', 'monitor-only', 'p=none', mod(goodMail, (i) => (i.dmarc.policy = 'none'))],
  ['dmarc-policy', 'monitor-only', 'no p= (read as none)', mod(goodMail, (i) => (i.dmarc.policy = null))],
  ['dmarc-policy', 'no-valid-record', 'no DMARC record', mod(goodMail, (i) => (i.dmarc.status = 'missing'))],
  ['dmarc-policy', 'lookup-failed', 'DMARC lookup timeout', mod(goodMail, (i) => (i.dmarc.status = 'error'))],
  ['dmarc-policy', 'mx-lookup-failed', 'quarantine and the MX lookup failed', mod(goodMail, (i) => ((i.mailSetup = 'error'), (i.dmarc.policy = 'quarantine')))],

  ['starttls', 'all-hosts', 'both hosts', goodMail()],
  ['starttls', 'missing-on-some', 'one host without', mod(goodMail, (i) => (i.mx[1]!.starttls = false))],
  ['starttls', 'not-tested', 'one host untested', mod(goodMail, (i) => (i.mx[1]!.starttls = null))],
  ['starttls', 'not-tested', 'no MX host examined', mod(goodMail, (i) => (i.mx = []))],
  ['starttls', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['mx-certificate', 'valid', 'both valid', goodMail()],
  ['mx-certificate', 'invalid', 'one invalid', mod(goodMail, (i) => (i.mx[0]!.certificateValid = false))],
  ['mx-certificate', 'no-starttls', 'no host offers STARTTLS', mod(goodMail, (i) => i.mx.forEach((m) => (m.starttls = false)))],
  ['mx-certificate', 'not-tested', 'one certificate not examined', mod(goodMail, (i) => (i.mx[0]!.certificateValid = null))],
  ['mx-certificate', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['mx-tls', 'strong', 'A', goodMail()],
  ['mx-tls', 'strong', 'A+ and A-', mod(goodMail, (i) => ((i.mx[0]!.tlsGrade = 'A+'), (i.mx[1]!.tlsGrade = 'A-')))],
  ['mx-tls', 'adequate', 'one B', mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'B'))],
  ['mx-tls', 'weak', 'one C', mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'C'))],
  ['mx-tls', 'weak', 'one F beside an untested one', mod(goodMail, (i) => ((i.mx[0]!.tlsGrade = 'F'), (i.mx[1]!.tlsGrade = null)))],
  ['mx-tls', 'no-starttls', 'no host offers STARTTLS', mod(goodMail, (i) => i.mx.forEach((m) => (m.starttls = false)))],
  ['mx-tls', 'not-tested', 'no letter', mod(goodMail, (i) => (i.mx[1]!.tlsGrade = null))],
  ['mx-tls', 'not-tested', 'T hides the protocol grade', mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'T'))],
  ['mx-tls', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['dkim', 'strong', 'RSA 2048', goodMail()],
  ['dkim', 'rsa-1024', 'RSA 1024', mod(goodMail, (i) => (i.dkim.weakestRsaBits = 1024))],
  ['dkim', 'ed25519-only', 'no RSA key', mod(goodMail, (i) => (i.dkim.weakestRsaBits = null))],
  ['dkim', 'testing', 't=y', mod(goodMail, (i) => (i.dkim.testing = true))],
  ['dkim', 'rsa-weak', 'RSA 512', mod(goodMail, (i) => (i.dkim.weakestRsaBits = 512))],
  ['dkim', 'revoked', 'every key revoked', mod(goodMail, (i) => (i.dkim = { status: 'found', weakestRsaBits: null, allRevoked: true, testing: false }))],
  ['dkim', 'missing', 'no key under the selectors tried', mod(goodMail, (i) => (i.dkim.status = 'missing'))],
  ['dkim', 'invalid', 'the only key record has v=DKIM2 (RFC 6376 §3.6.1)', mod(goodMail, (i) => (i.dkim = { status: 'missing', weakestRsaBits: null, allRevoked: false, testing: false, invalidKeys: 1 }))],
  ['dkim', 'lookup-failed', 'timeouts', mod(goodMail, (i) => (i.dkim.status = 'error'))],
  ['dkim', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['spf-hardfail', 'hardfail', '-all', goodMail()],
  ['spf-hardfail', 'not-hardfail', '~all', mod(goodMail, (i) => (i.spf.all = '~all'))],
  ['spf-hardfail', 'not-hardfail', 'no SPF record', mod(goodMail, (i) => (i.spf = { status: 'missing', all: null, permerror: false }))],
  ['spf-hardfail', 'lookup-failed', 'SPF lookup timeout', mod(goodMail, (i) => (i.spf = { status: 'error', all: null, permerror: false }))],
  ['spf-hardfail', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['mta-sts', 'enforce', 'enforce', goodMail()],
  ['mta-sts', 'testing', 'testing', mod(goodMail, (i) => (i.mtaSts.mode = 'testing'))],
  ['mta-sts', 'enforce-mx-mismatch', 'enforce, MX not listed', mod(goodMail, (i) => (i.mtaSts.mxMismatch = true))],
  ['mta-sts', 'mode-none', 'mode none', mod(goodMail, (i) => (i.mtaSts.mode = 'none'))],
  ['mta-sts', 'missing', 'no record', mod(goodMail, (i) => (i.mtaSts = { status: 'missing', mode: null, policyValid: null, mxMismatch: false }))],
  ['mta-sts', 'invalid', 'invalid TXT record', mod(goodMail, (i) => (i.mtaSts.status = 'invalid'))],
  ['mta-sts', 'invalid', 'invalid policy file', mod(goodMail, (i) => (i.mtaSts.policyValid = false))],
  ['mta-sts', 'not-tested', 'TXT lookup timeout', mod(goodMail, (i) => (i.mtaSts.status = 'error'))],
  ['mta-sts', 'not-tested', 'policy file not fetched', mod(goodMail, (i) => (i.mtaSts.policyValid = null))],
  ['mta-sts', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['tls-rpt', 'valid', 'found', goodMail()],
  ['tls-rpt', 'missing', 'no record', mod(goodMail, (i) => (i.tlsRpt.status = 'missing'))],
  ['tls-rpt', 'invalid', 'invalid', mod(goodMail, (i) => (i.tlsRpt.status = 'invalid'))],
  ['tls-rpt', 'lookup-failed', 'timeout', mod(goodMail, (i) => (i.tlsRpt.status = 'error'))],
  ['tls-rpt', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['dane', 'match', 'both match', goodMail()],
  ['dane', 'partial-coverage', 'one host without TLSA', mod(goodMail, (i) => (i.mx[1]!.dane = 'no-tlsa'))],
  ['dane', 'no-match', 'one host mismatched', mod(goodMail, (i) => (i.mx[1]!.dane = 'no-match'))],
  ['dane', 'no-match', 'mismatched beside an untested one', mod(goodMail, (i) => ((i.mx[0]!.dane = 'error'), (i.mx[1]!.dane = 'no-match')))],
  ['dane', 'unusable', 'unusable TLSA', mod(goodMail, (i) => (i.mx[1]!.dane = 'unusable'))],
  ['dane', 'no-tlsa', 'no TLSA anywhere', mod(goodMail, (i) => i.mx.forEach((m) => (m.dane = 'no-tlsa')))],
  ['dane', 'insecure', 'TLSA in an unsigned zone on every host (RFC 7672 §2.2: ignored)', mod(goodMail, (i) => i.mx.forEach((m) => (m.dane = 'insecure')))],
  ['dane', 'insecure', 'TLSA not validated on one host, none on the other', mod(goodMail, (i) => ((i.mx[0]!.dane = 'insecure'), (i.mx[1]!.dane = 'no-tlsa')))],
  ['dane', 'partial-coverage', 'one host matches, the other has TLSA that is not validated', mod(goodMail, (i) => (i.mx[1]!.dane = 'insecure'))],
  ['dane', 'not-tested', 'TLSA lookup failed', mod(goodMail, (i) => (i.mx[1]!.dane = 'error'))],
  ['dane', 'not-tested', 'not checked', mod(goodMail, (i) => (i.mx[1]!.dane = null))],
  ['dane', 'mx-lookup-failed', 'MX lookup failed', mod(goodMail, (i) => (i.mailSetup = 'error'))],

  ['dnssec', 'secure', 'signed and validated', goodMail()],
  ['dnssec', 'unsigned', 'not signed', mod(goodMail, (i) => (i.dnssec = { signed: false, validated: null }))],
  ['dnssec', 'bogus', 'signed, does not validate', mod(goodMail, (i) => (i.dnssec.validated = false))],
  ['dnssec', 'not-tested', 'unknown', mod(goodMail, (i) => (i.dnssec = { signed: null, validated: null }))],
  ['dnssec', 'not-tested', 'validation unknown', mod(goodMail, (i) => (i.dnssec.validated = null))],

  ['dmarc-reporting', 'authorised', 'rua authorised', goodMail()],
  ['dmarc-reporting', 'unauthorised', 'external rua not authorised', mod(goodMail, (i) => (i.dmarc.ruaAuthorized = false))],
  ['dmarc-reporting', 'no-rua', 'no rua', mod(goodMail, (i) => ((i.dmarc.hasRua = false), (i.dmarc.ruaAuthorized = null)))],
  ['dmarc-reporting', 'invalid-rua', 'rua lists no valid dmarc-uri (RFC 7489 §6.4)', mod(goodMail, (i) => ((i.dmarc.hasRua = false), (i.dmarc.ruaAuthorized = null), (i.dmarc.invalidRua = ['dmarc@example.com'])))],
  ['dmarc-reporting', 'authorised', 'a valid rua beside an invalid one', mod(goodMail, (i) => (i.dmarc.invalidRua = ['mailto:bad address@example.com']))],
  ['dmarc-reporting', 'no-valid-record', 'no DMARC record', mod(goodMail, (i) => (i.dmarc.status = 'missing'))],
  ['dmarc-reporting', 'lookup-failed', 'authorisation lookup failed', mod(goodMail, (i) => (i.dmarc.ruaAuthorized = null))],
  ['dmarc-reporting', 'lookup-failed', 'DMARC lookup failed', mod(goodMail, (i) => (i.dmarc.status = 'error'))],

  ['null-mx', 'null-mx', 'null MX', goodNonMail()],
  ['null-mx', 'implicit-mx', 'no MX at all', mod(goodNonMail, (i) => (i.mailSetup = 'no-mx'))],
  ['null-mx', 'mx-lookup-failed', 'MX lookup failed', mod(goodNonMail, (i) => (i.mailSetup = 'error'))],
];

describe('the email score table', () => {
  it('has the checks, weights and points documented', () => {
    const summary = EMAIL_CHECK_IDS.map((id) => `${id}:${EMAIL_SCORE_TABLE[id].weight}:${EMAIL_SCORE_TABLE[id].scope}:${EMAIL_SCORE_TABLE[id].max}`);
    expect(summary).toEqual([
      'spf:required:all:20',
      'spf-policy:required:all:20',
      'dmarc:required:all:20',
      'dmarc-policy:required:all:20',
      'starttls:required:mail:20',
      'mx-certificate:required:mail:20',
      'mx-tls:required:mail:20',
      'dkim:required:mail:20',
      'spf-hardfail:recommended:mail:2',
      'mta-sts:recommended:mail:2',
      'tls-rpt:recommended:mail:2',
      'dane:recommended:mail:2',
      'dnssec:recommended:all:2',
      'dmarc-reporting:recommended:all:2',
      'null-mx:recommended:non-mail:2',
    ]);
  });

  it('gives every outcome points that fit its status: pass = max, fail/untested = 0, partial in between', () => {
    for (const id of EMAIL_CHECK_IDS) {
      const rule = EMAIL_SCORE_TABLE[id];
      expect(rule.max).toBe(rule.weight === 'required' ? REQUIRED_POINTS : RECOMMENDED_POINTS);
      for (const [name, o] of Object.entries(rule.outcomes)) {
        const at = `${id}.${name}`;
        if (o.status === 'pass') expect(o.points, at).toBe(rule.max);
        if (o.status === 'fail' || o.status === 'untested') expect(o.points, at).toBe(0);
        if (o.status === 'partial') expect(o.points > 0 && o.points < rule.max, at).toBe(true);
        expect(o.rule.length, at).toBeGreaterThan(0);
      }
      expect(Object.values(rule.outcomes).some((o) => o.status === 'pass'), id).toBe(true);
    }
  });

  it('is complete: every outcome of every check is produced by some input, and emailGrade produces nothing else', () => {
    const produced = new Map<string, Set<string>>();
    const inputs = [...CASES.map((c) => c[3]), goodMail(), goodNonMail(), mod(goodNonMail, (i) => (i.mailSetup = 'no-mx'))];
    for (const input of inputs) {
      const g = emailGrade(input);
      expect(g.checks.map((c) => c.id)).toEqual(EMAIL_CHECK_IDS);
      for (const c of g.checks) {
        if (!produced.has(c.id)) produced.set(c.id, new Set());
        produced.get(c.id)!.add(c.outcome);
      }
    }
    expect([...produced.keys()].sort()).toEqual([...EMAIL_CHECK_IDS].sort());
    for (const id of EMAIL_CHECK_IDS) {
      const got = [...produced.get(id)!].filter((o) => o !== 'not-applicable').sort();
      expect(got, id).toEqual(Object.keys(EMAIL_SCORE_TABLE[id].outcomes).sort());
    }
  });
});

describe('each check', () => {
  it.each(CASES)('%s → %s (%s)', (id, outcome, _why, input) => {
    const c = check(emailGrade(input), id);
    const rule = EMAIL_SCORE_TABLE[id];
    const o = (rule.outcomes as Record<string, { status: string; points: number }>)[outcome]!;
    expect(c.outcome).toBe(outcome);
    expect(c.status).toBe(o.status);
    expect(c.points).toBe(o.points);
    expect(c.max).toBe(o.status === 'untested' ? 0 : rule.max);
    expect(c.weight).toBe(rule.weight);
    expect(c.reason.length).toBeGreaterThan(0);
  });

  it('mail-only checks do not apply to a domain without mail, and null MX does not apply to one with mail', () => {
    for (const setup of ['null-mx', 'no-mx'] as const) {
      const g = emailGrade(mod(goodNonMail, (i) => (i.mailSetup = setup)));
      for (const id of ['starttls', 'mx-certificate', 'mx-tls', 'dkim', 'spf-hardfail', 'mta-sts', 'tls-rpt', 'dane'] as const) {
        expect(check(g, id)).toMatchObject({ status: 'not-applicable', points: 0, max: 0 });
      }
    }
    expect(check(emailGrade(goodMail()), 'null-mx')).toMatchObject({ status: 'not-applicable', max: 0, reason: 'not applicable: the domain takes mail' });
  });

  it('a failed MX lookup still judges SPF and DMARC policies both rules agree on', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.mailSetup = 'error')));
    expect(check(g, 'spf-policy').outcome).toBe('hardfail');
    expect(check(g, 'dmarc-policy').outcome).toBe('enforced');
    expect(check(emailGrade(mod(goodMail, (i) => ((i.mailSetup = 'error'), (i.dmarc.policy = 'none')))), 'dmarc-policy').outcome).toBe('monitor-only');
    expect(check(emailGrade(mod(goodMail, (i) => ((i.mailSetup = 'error'), (i.spf.all = '+all')))), 'spf-policy').outcome).toBe('pass-all');
  });
});

describe('could not test: never a pass, never a fail', () => {
  it('an untested required check leaves no letter when an outcome of it could change it, and counts neither way in the score', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.spf = { status: 'error', all: null, permerror: false, reason: 'timeout: no response from 192.0.2.53:53' })));
    expect(g.grade).toBeNull();
    // SPF could be -all (nothing lost) or +all (the F cap): anything from the full letter to F.
    expect([g.best, g.worst]).toEqual(['A+', 'F']);
    expect(g.pending).toEqual([
      'SPF record published and valid: the SPF lookup failed (timeout: no response from 192.0.2.53:53): could not test',
      'SPF ends in a restrictive all: the SPF lookup failed: could not test',
      'SPF -all rather than ~all: the SPF lookup failed: could not test',
    ]);
    for (const id of ['spf', 'spf-policy', 'spf-hardfail'] as const) expect(check(g, id)).toMatchObject({ status: 'untested', points: 0, max: 0 });
    expect(g.score).toBe(100); // everything tested passed
    expect(g.caps).toEqual([]);
    expect(g.reasons.join(' ')).toContain('no letter: 3 checks could not be tested (spf, spf-policy, spf-hardfail), and the letter could be anything from A+ to F');
  });

  it('a found SPF record whose include tree could not all be checked is untested, not valid: a permerror may hide there', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.spf = { ...i.spf, incomplete: true, reason: 'TXT lookup for _spf.provider.example failed: SERVFAIL' })));
    expect(check(g, 'spf')).toMatchObject({ status: 'untested', reason: expect.stringMatching(/include tree could not be checked \(TXT lookup for _spf\.provider\.example failed: SERVFAIL\)/) });
    expect([g.grade, g.best]).toEqual([null, 'A+']);
    expect(gradeRank(g.worst)).toBeLessThan(gradeRank('A'));
  });

  it('an unreachable MX (STARTTLS not tested) leaves no letter', () => {
    const g = emailGrade(mod(goodMail, (i) => i.mx.forEach((m) => Object.assign(m, { starttls: null, tlsGrade: null, certificateValid: null }))));
    expect(g.grade).toBeNull();
    expect([g.best, g.worst]).toEqual(['A+', 'F']);
    expect(g.pending.map((p) => p.split(':')[0])).toEqual(['STARTTLS on every MX', 'Valid certificate on every MX', 'Strong TLS on every MX']);
  });

  it('a failed MX lookup leaves no letter: whether the domain takes mail decides which checks apply', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.mailSetup = 'error')));
    expect(g.grade).toBeNull();
    // Taking mail, the records are all good (A+); taking none, it lacks a null MX (A).
    expect([g.best, g.worst]).toEqual(['A+', 'A']);
    // starttls, mx-certificate, mx-tls, dkim (required); spf-hardfail, mta-sts, tls-rpt, dane, null-mx (recommended)
    expect(g.pending.map((p) => p.split(':')[0])).toEqual([
      'STARTTLS on every MX', 'Valid certificate on every MX', 'Strong TLS on every MX', 'DKIM key published (RSA ≥ 2048 bits)',
      'SPF -all rather than ~all', 'MTA-STS in enforce mode', 'TLS-RPT reporting address', 'DANE TLSA records match on every MX', 'Null MX for a domain that takes no mail',
    ]);
    expect(check(g, 'null-mx').status).toBe('untested');
  });

  it('an untested recommended check that decides A+ against A leaves no letter', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.dnssec = { signed: null, validated: null })));
    expect(g.pending).toEqual(['DNSSEC signed and validated: whether the domain is signed is unknown: could not test']);
    expect(g.score).toBe(100);
    expect([g.grade, g.best, g.worst]).toEqual([null, 'A+', 'A']);
  });

  it('an untested check that no outcome of can change the letter leaves it: a certain cap floors it', () => {
    // DMARC p=none caps at C whatever DNSSEC turns out to be.
    const g = emailGrade(
      mod(goodMail, (i) => {
        i.dmarc.policy = 'none';
        i.dnssec = { signed: null, validated: null };
      }),
    );
    expect([g.grade, g.best, g.worst]).toEqual(['C', 'C', 'C']);
    expect(g.pending).toHaveLength(1);
    expect(g.reasons.join(' ')).toContain('no outcome of it changes the letter: C');
  });

  it('an F cap is certain whatever the untested checks say, and is reported', () => {
    const g = emailGrade(mod(goodMail, (i) => ((i.spf.all = '+all'), (i.dkim.status = 'error'))));
    expect([g.grade, g.best, g.worst]).toEqual(['F', 'F', 'F']);
    expect(g.caps.map((c) => c.id)).toEqual(['spf-pass-all']);
  });
});

describe('the letter chart', () => {
  it('maps scores to letters at the documented boundaries', () => {
    expect(EMAIL_GRADE_CHART.map((t) => `${t.letter}≥${t.min}`)).toEqual(['A≥90', 'B≥80', 'C≥65', 'D≥50', 'E≥35', 'F≥0']);
    const at: Array<[number, string]> = [
      [100, 'A'], [90, 'A'], [89, 'B'], [80, 'B'], [79, 'C'], [65, 'C'], [64, 'D'], [50, 'D'], [49, 'E'], [35, 'E'], [34, 'F'], [0, 'F'],
    ];
    for (const [score, letter] of at) expect(emailLetterForScore(score), String(score)).toBe(letter);
  });

  it('rounds the score down: 154 of 172 points is 89, a B', () => {
    // DKIM 1024 (10 of 20); recommended: only DNSSEC and rua pass (4 of 12).
    const g = emailGrade(
      mod(goodMail, (i) => {
        i.dkim.weakestRsaBits = 1024;
        i.spf.all = '~all';
        i.mtaSts = { status: 'missing', mode: null, policyValid: null, mxMismatch: false };
        i.tlsRpt.status = 'missing';
        i.mx.forEach((m) => (m.dane = 'no-tlsa'));
      }),
    );
    expect(g.score).toBe(89);
    expect(g.grade).toBe('B');
    expect(g.reasons[0]).toBe('score 89: 154 of 172 points over 14 applicable, tested checks');
  });

  it('155 of 172 points is 90, an A', () => {
    const g = emailGrade(
      mod(goodMail, (i) => {
        i.dkim.weakestRsaBits = 1024;
        i.spf.all = '~all';
        i.mtaSts.mode = 'testing';
        i.tlsRpt.status = 'missing';
        i.mx.forEach((m) => (m.dane = 'no-tlsa'));
      }),
    );
    expect(g.score).toBe(90);
    expect(g.grade).toBe('A');
  });

  it('A+ needs every applicable check passed', () => {
    expect(emailGrade(goodMail())).toMatchObject({ score: 100, grade: 'A+', caps: [], pending: [] });
    const g = emailGrade(mod(goodMail, (i) => (i.tlsRpt.status = 'missing')));
    expect(g.score).toBe(98);
    expect(g.grade).toBe('A');
    expect(g.reasons).toContain('A, not A+: tls-rpt (fail)');
  });
});

describe('caps', () => {
  const capped = (input: EmailGradeInput) => {
    const g = emailGrade(input);
    return { grade: g.grade, score: g.score, caps: g.caps.map((c) => `${c.id}:${c.grade}`) };
  };

  it('lists every cap with a letter or the MX letter', () => {
    expect(EMAIL_CAPS.map((c) => `${c.id}:${c.grade}`)).toEqual([
      'spf-pass-all:F',
      'no-dmarc:F',
      'dane-no-match:F',
      'mta-sts-mx-mismatch:F',
      'mta-sts-invalid-certificate:F',
      'dmarc-monitor-only:C',
      'starttls-missing:C',
      'dmarc-partial-enforcement:B',
      'mx-tls-letter:worst-mx-letter',
    ]);
  });

  it('SPF +all caps at F', () => {
    expect(capped(mod(goodMail, (i) => (i.spf.all = '+all')))).toEqual({ grade: 'F', score: 87, caps: ['spf-pass-all:F'] });
  });

  it('no valid DMARC record caps at F, on a mail domain and on one without mail', () => {
    expect(capped(mod(goodMail, (i) => (i.dmarc.status = 'missing')))).toMatchObject({ grade: 'F', score: 75, caps: ['no-dmarc:F'] });
    expect(capped(mod(goodMail, (i) => (i.dmarc.status = 'multiple')))).toMatchObject({ grade: 'F', caps: ['no-dmarc:F'] });
    expect(capped(mod(goodNonMail, (i) => (i.dmarc.status = 'invalid')))).toMatchObject({ grade: 'F', caps: ['no-dmarc:F'] });
  });

  it('a DANE mismatch caps at F', () => {
    expect(capped(mod(goodMail, (i) => (i.mx[1]!.dane = 'no-match')))).toEqual({ grade: 'F', score: 98, caps: ['dane-no-match:F'] });
  });

  it('TLSA records that are not DNSSEC-validated cap nothing: they are ignored (RFC 7672 §2.2), DANE only loses its points', () => {
    expect(capped(mod(goodMail, (i) => i.mx.forEach((m) => (m.dane = 'insecure'))))).toEqual({ grade: 'A', score: 98, caps: [] });
  });

  it('MTA-STS enforce with an MX the policy does not list caps at F; in testing mode it does not', () => {
    expect(capped(mod(goodMail, (i) => (i.mtaSts.mxMismatch = true)))).toEqual({ grade: 'F', score: 98, caps: ['mta-sts-mx-mismatch:F'] });
    expect(capped(mod(goodMail, (i) => ((i.mtaSts.mxMismatch = true), (i.mtaSts.mode = 'testing'))))).toEqual({ grade: 'A', score: 99, caps: [] });
  });

  it('MTA-STS enforce with an invalid MX certificate caps at F; without MTA-STS only the points are lost', () => {
    expect(capped(mod(goodMail, (i) => (i.mx[0]!.certificateValid = false)))).toEqual({ grade: 'F', score: 88, caps: ['mta-sts-invalid-certificate:F'] });
    const noSts = capped(mod(goodMail, (i) => ((i.mx[0]!.certificateValid = false), (i.mtaSts = { status: 'missing', mode: null, policyValid: null, mxMismatch: false }))));
    expect(noSts).toEqual({ grade: 'B', score: 87, caps: [] });
  });

  it('DMARC p=none caps at C', () => {
    expect(capped(mod(goodMail, (i) => (i.dmarc.policy = 'none')))).toEqual({ grade: 'C', score: 90, caps: ['dmarc-monitor-only:C'] });
  });

  it('an MX without STARTTLS caps at C', () => {
    const g = emailGrade(mod(goodMail, (i) => (i.mx[1]!.starttls = false)));
    expect(g).toMatchObject({ grade: 'C', score: 88 });
    expect(g.caps).toEqual([{ id: 'starttls-missing', grade: 'C', reason: 'no STARTTLS on mx2.example.com: mail to it travels in clear text' }]);
    expect(g.reasons).toContain('no STARTTLS on mx2.example.com: mail to it travels in clear text: capped at C');
  });

  it('partial DMARC enforcement caps at B (pct, sp=none, quarantine where reject is due)', () => {
    expect(capped(mod(goodMail, (i) => (i.dmarc.pct = 50)))).toEqual({ grade: 'B', score: 94, caps: ['dmarc-partial-enforcement:B'] });
    expect(capped(mod(goodMail, (i) => (i.dmarc.subdomainPolicy = 'none')))).toMatchObject({ grade: 'B', caps: ['dmarc-partial-enforcement:B'] });
    expect(capped(mod(goodNonMail, (i) => (i.dmarc.policy = 'quarantine')))).toMatchObject({ grade: 'B', caps: ['dmarc-partial-enforcement:B'] });
  });

  it('the mail grade is never better than its weakest MX letter (B or worse)', () => {
    expect(capped(mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'B')))).toEqual({ grade: 'B', score: 94, caps: ['mx-tls-letter:B'] });
    expect(capped(mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'F')))).toEqual({ grade: 'F', score: 88, caps: ['mx-tls-letter:F'] });
    expect(capped(mod(goodMail, (i) => (i.mx[1]!.tlsGrade = 'A-')))).toEqual({ grade: 'A+', score: 100, caps: [] });
  });

  it('several caps: the worst wins, all are listed worst first', () => {
    const g = capped(mod(goodMail, (i) => ((i.dmarc.policy = 'none'), (i.mx[1]!.starttls = false), (i.spf.all = '+all'))));
    expect(g.grade).toBe('F');
    expect(g.caps).toEqual(['spf-pass-all:F', 'dmarc-monitor-only:C', 'starttls-missing:C']);
  });

  it('no SPF has no cap of its own: its 40 required points keep an otherwise perfect mail domain at C', () => {
    expect(capped(mod(goodMail, (i) => (i.spf = { status: 'missing', all: null, permerror: false })))).toEqual({ grade: 'C', score: 75, caps: [] });
  });
});

describe('whole domains', () => {
  it('a good mail domain is A+', () => {
    const g = emailGrade(goodMail());
    expect(g).toMatchObject({ score: 100, grade: 'A+', caps: [], pending: [] });
    expect(g.checks.every((c) => c.status === 'pass' || c.status === 'not-applicable')).toBe(true);
    expect(g.reasons).toEqual(['score 100: 172 of 172 points over 14 applicable, tested checks', 'score 100 gives A', 'every applicable check passed: A+']);
  });

  it('a weak mail domain (~all, p=none, DKIM 1024, an MX rated B, nothing recommended) is C', () => {
    const g = emailGrade({
      mailSetup: 'mail',
      spf: { status: 'found', all: '~all', permerror: false },
      dmarc: { status: 'found', policy: 'none', subdomainPolicy: null, pct: null, hasRua: false, ruaAuthorized: null },
      dkim: { status: 'found', weakestRsaBits: 1024, allRevoked: false, testing: false },
      mtaSts: { status: 'missing', mode: null, policyValid: null, mxMismatch: false },
      tlsRpt: { status: 'missing' },
      mx: [mx('mx.example.net', { tlsGrade: 'B', dane: 'no-tlsa' })],
      dnssec: { signed: false, validated: null },
    });
    expect(g.score).toBe(72); // 124 of 172
    expect(g.grade).toBe('C');
    expect(g.caps.map((c) => c.id)).toEqual(['dmarc-monitor-only', 'mx-tls-letter']);
  });

  it('a broken mail domain (+all, no DMARC, an MX without STARTTLS, no DKIM) is F', () => {
    const g = emailGrade({
      mailSetup: 'mail',
      spf: { status: 'found', all: '+all', permerror: false },
      dmarc: { status: 'missing', policy: null, subdomainPolicy: null, pct: null, hasRua: false, ruaAuthorized: null },
      dkim: { status: 'missing', weakestRsaBits: null, allRevoked: false, testing: false },
      mtaSts: { status: 'missing', mode: null, policyValid: null, mxMismatch: false },
      tlsRpt: { status: 'missing' },
      mx: [mx('mx.example.org', { starttls: false, tlsGrade: null, certificateValid: null, dane: 'no-tlsa' })],
      dnssec: { signed: false, validated: null },
    });
    expect(g.score).toBe(11); // only SPF published: 20 of 172
    expect(g.grade).toBe('F');
    expect(g.caps.map((c) => c.id)).toEqual(['spf-pass-all', 'no-dmarc', 'starttls-missing']);
  });

  it('a domain without mail, done right (null MX, -all, p=reject), is A+', () => {
    const g = emailGrade(goodNonMail());
    expect(g).toMatchObject({ score: 100, grade: 'A+', caps: [], pending: [] });
    expect(g.checks.filter((c) => c.status !== 'not-applicable').map((c) => c.id)).toEqual(['spf', 'spf-policy', 'dmarc', 'dmarc-policy', 'dnssec', 'dmarc-reporting', 'null-mx']);
  });

  it('a domain with no MX at all is an A: a null MX is recommended', () => {
    const g = emailGrade(mod(goodNonMail, (i) => (i.mailSetup = 'no-mx')));
    expect(g.grade).toBe('A');
    expect(g.score).toBe(97);
  });

  it('a domain without mail that publishes a mail-domain policy (~all, quarantine) is marked down', () => {
    const g = emailGrade(mod(goodNonMail, (i) => ((i.spf.all = '~all'), (i.dmarc.policy = 'quarantine'))));
    expect(check(g, 'spf-policy').status).toBe('partial');
    expect(check(g, 'dmarc-policy').status).toBe('partial');
    expect(g.score).toBe(76); // 66 of 86
    expect(g.grade).toBe('C');
  });
});

// The RFC details end to end: a record as published → the report's email section the modules
// write → the grade input (src/grade/email-input.ts) → the letter.
describe('RFC details, from the record to the letter', () => {
  type Email = Parameters<typeof emailGradeInput>[0];
  const zone = (records: Record<string, string[]>): TxtLookup => async (name) => {
    const texts = records[name];
    const meta = { authenticated: false, server: 'fake', transport: 'udp' as const };
    return texts ? { status: 'ok', ...meta, records: texts.map((text) => ({ type: 'TXT' as const, name, ttl: 300, strings: [text], text })) } : { status: 'nxdomain', ...meta };
  };
  const mxEntry = (host: string, daneStatus: NonNullable<Email['mx'][number]['daneStatus']>): Email['mx'][number] => ({
    host,
    preference: 10,
    starttls: true,
    tls: { status: 'ok', chains: [{ trusted: true, hostnameMatch: true }], rating: { letter: 'A', ignoringTrust: 'A' } } as unknown as Email['mx'][number]['tls'],
    dane: daneStatus === 'match' ? true : daneStatus === 'no-match' ? false : null,
    daneStatus,
  });
  /** Everything right (as goodMail), as the report's email section. */
  const goodEmail = async (): Promise<Email> => ({
    status: 'ok',
    grade: null,
    mxStatus: 'regular',
    spf: { status: 'found', record: 'v=spf1 mx -all', lookups: 1, voidLookups: 0, all: '-all', errors: [], effectiveAll: '-all' },
    dmarc: dmarcReport(await discoverDmarc('example.com', zone({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=mailto:dmarc-feedback@example.com'] }))),
    dkim: { status: 'found', selectorsTried: ['s1'], selectors: [{ name: 's1', keyType: 'rsa', keyBits: 2048, testing: false }] },
    mtaSts: { status: 'found', mode: 'enforce', maxAge: 604800, mx: ['mx1.example.com'], policyValid: true, mxNotCovered: [] },
    tlsRpt: { status: 'found', rua: ['mailto:tls@example.com'] },
    mx: [mxEntry('mx1.example.com', 'match')],
    dnssec: true,
    dnssecDetail: { signed: true, delegated: true, validated: true, algorithms: [13], reason: null },
  });

  it('the good domain is A+', async () => {
    expect(emailGrade(emailGradeInput(await goodEmail()))).toMatchObject({ grade: 'A+', score: 100 });
  });

  it('DMARC with a repeated tag is invalid: no policy, capped at F (RFC 7489 §6.4, RFC 6376 §3.2)', async () => {
    const email = await goodEmail();
    email.dmarc = dmarcReport(await discoverDmarc('example.com', zone({ '_dmarc.example.com': ['v=DMARC1; p=reject; p=none; rua=mailto:dmarc-feedback@example.com'] })));
    const g = emailGrade(emailGradeInput(email));
    expect(check(g, 'dmarc').outcome).toBe('invalid');
    expect(check(g, 'dmarc-policy').outcome).toBe('no-valid-record');
    expect(g.grade).toBe('F');
    expect(g.caps.map((c) => c.id)).toEqual(['no-dmarc']);
  });

  it('rua with no valid dmarc-uri: the reporting check is "invalid-rua", not a failed lookup, and there is a letter', async () => {
    const email = await goodEmail();
    email.dmarc = dmarcReport(await discoverDmarc('example.com', zone({ '_dmarc.example.com': ['v=DMARC1; p=reject; rua=dmarc-feedback@example.com'] })));
    const g = emailGrade(emailGradeInput(email));
    expect(check(g, 'dmarc-reporting')).toMatchObject({ outcome: 'invalid-rua', status: 'fail', reason: expect.stringContaining('dmarc-feedback@example.com is not a valid dmarc-uri') });
    expect(g.pending).toEqual([]);
    expect(g.grade).toBe('A');
  });

  it('a DKIM record with v=DKIM2 is no key: the DKIM check fails as "invalid"', async () => {
    const email = await goodEmail();
    const d = await discoverDkim('example.com', zone({ 's1._domainkey.example.com': ['v=DKIM2; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB'] }), { defaults: false, selectors: ['s1'] });
    // email-records' status: found only when a selector holds a usable key.
    email.dkim = { ...dkimReport(d), status: 'missing' };
    const g = emailGrade(emailGradeInput(email));
    expect(check(g, 'dkim')).toMatchObject({ outcome: 'invalid', status: 'fail', points: 0 });
  });

  it('TLSA records that are not DNSSEC-validated: no DANE credit, and a non-matching one caps nothing', async () => {
    const email = await goodEmail();
    email.mx = [mxEntry('mx1.example.com', 'insecure')];
    const g = emailGrade(emailGradeInput(email));
    expect(check(g, 'dane')).toMatchObject({ outcome: 'insecure', points: 0 });
    expect(g.caps).toEqual([]);
    expect(g.grade).toBe('A');
  });
});
