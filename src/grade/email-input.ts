// The email grade's input, read off the report's `email` object as the email probes wrote it. Kept
// apart from the table (email.ts) so the table stays a pure function of plain facts.
import type { EmailResult } from '../model/report.js';
import { EMAIL_GRADE_REFERENCE, emailGrade, type EmailGrade, type EmailGradeInput } from './email.js';
import type { Grader } from './grader.js';

type RecordState = EmailGradeInput['spf']['status'];
const RECORD_STATES: ReadonlySet<string> = new Set(['found', 'missing', 'invalid', 'multiple', 'error']);
const asRecordState = (s: string | undefined | null): RecordState => (s && RECORD_STATES.has(s) ? (s as RecordState) : 'error');
/** MTA-STS and TLS-RPT know no 'multiple' in the table: several records make the record invalid. */
const asSingleRecordState = (s: string | undefined | null): Exclude<RecordState, 'multiple'> => {
  const state = asRecordState(s);
  return state === 'multiple' ? 'invalid' : state;
};

function mailSetup(email: EmailResult): EmailGradeInput['mailSetup'] {
  switch (email.mxStatus) {
    case 'null-mx':
      return 'null-mx';
    case 'none':
      return 'no-mx';
    case 'error':
      return 'error';
    case 'regular':
      // MX hosts exist (even if the MX transport probe did not run: its checks are then untested).
      return 'mail';
    default:
      return email.mx.length ? 'mail' : 'no-mx';
  }
}

function dkimInput(email: EmailResult): EmailGradeInput['dkim'] {
  const d = email.dkim;
  if (!d) return { status: 'error', weakestRsaBits: null, allRevoked: false, testing: false };
  const keys = d.selectors;
  const usable = keys.filter((k) => k.keyBits !== null);
  const rsa = usable.filter((k) => k.keyType === 'rsa').map((k) => k.keyBits!);
  const invalidKeys = d.invalid?.length ?? 0;
  return {
    status: d.status ?? (usable.length ? 'found' : 'missing'),
    weakestRsaBits: rsa.length ? Math.min(...rsa) : null,
    allRevoked: keys.length > 0 && usable.length === 0,
    testing: usable.length > 0 && usable.every((k) => k.testing),
    ...(invalidKeys ? { invalidKeys } : {}),
  };
}

function mtaStsInput(email: EmailResult): EmailGradeInput['mtaSts'] {
  const m = email.mtaSts;
  if (!m) return { status: 'error', mode: null, policyValid: null, mxMismatch: false };
  const status = asSingleRecordState(m.status);
  const mode = m.mode === 'enforce' || m.mode === 'testing' || m.mode === 'none' ? m.mode : null;
  return { status, mode, policyValid: m.policyValid ?? null, mxMismatch: (m.mxNotCovered ?? []).length > 0 };
}

function mxInput(email: EmailResult): EmailGradeInput['mx'] {
  return email.mx.map((m) => {
    const chains = m.tls?.chains ?? [];
    const certificateValid = chains.length ? chains.every((c) => c.trusted && c.hostnameMatch === true) : null;
    // The certificate is its own check: the TLS part is the letter a valid certificate would get.
    const rating = m.tls?.rating;
    return {
      host: m.host,
      starttls: m.starttls,
      tlsGrade: rating?.ignoringTrust ?? rating?.letter ?? null,
      certificateValid: m.starttls ? certificateValid : null,
      dane: m.daneStatus ?? null,
    };
  });
}

export function emailGradeInput(email: EmailResult): EmailGradeInput {
  const spf = email.spf;
  const dmarc = email.dmarc;
  const policy = dmarc?.policy === 'none' || dmarc?.policy === 'quarantine' || dmarc?.policy === 'reject' ? dmarc.policy : null;
  return {
    mailSetup: mailSetup(email),
    spf: {
      status: spf ? asRecordState(spf.status) : 'error',
      all: spf?.effectiveAll !== undefined ? spf.effectiveAll : (spf?.all ?? null),
      // The lint marks a record invalid for every condition that makes receivers return permerror.
      permerror: spf?.status === 'invalid' || spf?.status === 'multiple',
      incomplete: spf?.status === 'found' && spf.incomplete === true,
      ...(spf ? (spf.reason ? { reason: spf.reason } : {}) : { reason: 'the mail records were not examined' }),
    },
    dmarc: {
      status: dmarc ? asRecordState(dmarc.status) : 'error',
      policy,
      subdomainPolicy: dmarc?.subdomainPolicy ?? null,
      pct: dmarc?.pct ?? null,
      hasRua: (dmarc?.rua.length ?? 0) > 0,
      ruaAuthorized: dmarc?.ruaAuthorized ?? null,
      ...(dmarc?.ruaInvalid?.length ? { invalidRua: dmarc.ruaInvalid } : {}),
    },
    dkim: dkimInput(email),
    mtaSts: mtaStsInput(email),
    tlsRpt: { status: asSingleRecordState(email.tlsRpt?.status) },
    mx: mailSetup(email) === 'mail' ? mxInput(email) : [],
    dnssec: { signed: email.dnssecDetail?.signed ?? null, validated: email.dnssecDetail?.validated ?? email.dnssec },
  };
}

/** The email grade of a report's email object (its MX entries already graded: the MX TLS check reads their letters). */
export const emailGrader: Grader<EmailResult, EmailGrade> = {
  id: 'email',
  reference: EMAIL_GRADE_REFERENCE,
  grade: (email) => emailGrade(emailGradeInput(email)),
};

/** The email section with its letter and `rating` (how it came about). */
export function gradedEmail(email: EmailResult): EmailResult {
  const g = emailGrader.grade(email);
  return {
    ...email,
    grade: g.grade,
    rating: {
      score: g.score,
      checks: g.checks.map(({ id, label, weight, status, points, max, reason }) => ({ id, label, weight, status, points, max, reason })),
      caps: g.caps.map(({ grade, reason }) => ({ grade, reason })),
      pending: g.pending,
      best: g.best,
      worst: g.worst,
      reasons: g.reasons,
    },
  };
}
