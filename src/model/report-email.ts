// The report's email section (`email`): SPF, DMARC, DKIM, MTA-STS, TLS-RPT, MX hosts, DNSSEC, the
// rating. Apart from report.ts to keep each section of the contract in a file of its own.
import { Type as T, type Static } from '@sinclair/typebox';

import { GradeSchema, Nullable, ProbeStatusSchema } from './report-base.js';
import { TlsResultSchema } from './report-tls.js';

const RecordStatus = T.Union([
  T.Literal('found'),
  T.Literal('missing'),
  T.Literal('invalid'),
  T.Literal('multiple'),
  T.Literal('error'),
]);

export const EmailResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  spf: Nullable(
    T.Object({
      status: RecordStatus,
      reason: T.Optional(T.String()),
      record: Nullable(T.String()),
      lookups: Nullable(T.Integer()),
      voidLookups: Nullable(T.Integer()),
      all: Nullable(T.String({ description: '+all, ?all, ~all, -all, or the redirect= target' })),
      errors: T.Array(T.String()),
      effectiveAll: T.Optional(Nullable(T.String({ description: 'the all that finally applies, following redirect=' }))),
      warnings: T.Optional(T.Array(T.String())),
      incomplete: T.Optional(T.Boolean({ description: 'part of the include tree could not be checked: counts are lower bounds' })),
      check: T.Optional(Nullable(T.Object({ ip: T.String(), result: T.String(), mechanism: Nullable(T.String()) }))),
    }),
  ),
  dmarc: Nullable(
    T.Object({
      status: RecordStatus,
      reason: T.Optional(T.String()),
      record: Nullable(T.String()),
      policy: Nullable(T.String()),
      subdomainPolicy: Nullable(T.String()),
      pct: Nullable(T.Number()),
      rua: T.Array(T.String()),
      ruaAuthorized: Nullable(T.Boolean()),
      ruaInvalid: T.Optional(T.Array(T.String({ description: 'rua entries that are not valid dmarc-uris (RFC 7489 §6.4): no report is sent there' }))),
    }),
  ),
  dkim: Nullable(
    T.Object({
      status: T.Optional(T.Union([T.Literal('found'), T.Literal('missing'), T.Literal('error')])),
      reason: T.Optional(T.String()),
      selectorsTried: T.Array(T.String()),
      selectors: T.Array(
        T.Object({ name: T.String(), keyType: T.String(), keyBits: Nullable(T.Integer()), testing: T.Boolean() }),
      ),
      invalid: T.Optional(
        T.Array(T.Object({ name: T.String({ description: 'the selector' }), reason: T.String({ description: 'why verifiers discard the key record (RFC 6376 §3.6.1)' }) })),
      ),
    }),
  ),
  mtaSts: Nullable(
    T.Object({
      status: T.String(),
      mode: Nullable(T.String()),
      maxAge: Nullable(T.Number()),
      mx: T.Array(T.String()),
      policyValid: T.Optional(Nullable(T.Boolean({ description: 'senders would apply the policy (fetched over valid HTTPS, parsed without error)' }))),
      mxNotCovered: T.Optional(T.Array(T.String({ description: 'MX hosts no policy pattern matches: enforce mode makes delivery to them fail' }))),
    }),
  ),
  tlsRpt: Nullable(T.Object({ status: T.String(), rua: T.Array(T.String()) })),
  mx: T.Array(
    T.Object({
      host: T.String(),
      preference: T.Integer(),
      starttls: Nullable(T.Boolean()),
      tls: Nullable(T.Partial(TlsResultSchema)),
      dane: Nullable(T.Boolean()),
      ip: T.Optional(Nullable(T.String())),
      port: T.Optional(T.Integer()),
      reason: T.Optional(T.String()),
      smtp: T.Optional(
        Nullable(T.Object({ banner: Nullable(T.String()), extensions: T.Array(T.String()), starttlsAdvertised: T.Boolean(), ehloName: T.String() })),
      ),
      daneStatus: T.Optional(
        T.Union([T.Literal('match'), T.Literal('no-match'), T.Literal('no-tlsa'), T.Literal('unusable'), T.Literal('insecure'), T.Literal('error')], {
          description: 'insecure: TLSA records that are not DNSSEC-validated, which senders ignore (RFC 7672 §2.2)',
        }),
      ),
      tlsaDnssec: T.Optional(
        T.Object(
          {
            status: T.Union([T.Literal('secure'), T.Literal('insecure'), T.Literal('bogus'), T.Literal('unknown')]),
            reason: T.String(),
          },
          { description: 'whether the TLSA answer is DNSSEC-validated (only with TLSA records): DANE applies only when secure' },
        ),
      ),
      daneSummary: T.Optional(T.String()),
      tlsa: T.Optional(T.Array(T.String({ description: 'TLSA records in presentation form, e.g. "3 1 1 ab12…"' }))),
      grade: T.Optional(GradeSchema),
      gradeNote: T.Optional(Nullable(T.String())),
    }),
  ),
  dnssec: Nullable(T.Boolean()),
  /** RFC 7505: 'null-mx' declares the domain receives no mail; 'none' = no MX at all. */
  mxStatus: T.Optional(T.Union([T.Literal('regular'), T.Literal('null-mx'), T.Literal('invalid-null-mx'), T.Literal('none'), T.Literal('error')])),
  bimi: T.Optional(Nullable(T.Object({ status: T.String(), record: Nullable(T.String()), logo: Nullable(T.String()) }))),
  dnssecDetail: T.Optional(
    Nullable(
      T.Object({
        signed: Nullable(T.Boolean({ description: 'the zone publishes DNSKEY records' })),
        delegated: Nullable(T.Boolean({ description: 'the parent publishes DS records (a chain of trust can reach it)' })),
        validated: Nullable(T.Boolean({ description: 'the validating resolver set the AD bit on the answers' })),
        algorithms: T.Array(T.Integer()),
        reason: Nullable(T.String()),
      }),
    ),
  ),
  /** How the email grade came about: the score table's checks, the caps, what is untested. */
  rating: T.Optional(
    Nullable(
      T.Object({
        score: Nullable(T.Number()),
        checks: T.Array(T.Object({ id: T.String(), label: T.String(), weight: T.String(), status: T.String(), points: T.Number(), max: T.Number(), reason: T.String() })),
        caps: T.Array(T.Object({ grade: GradeSchema, reason: T.String() })),
        pending: T.Array(T.String()),
        /** The letters the untested checks could still give, best and worst; the grade exists when they agree. */
        best: T.Optional(GradeSchema),
        worst: T.Optional(GradeSchema),
        reasons: T.Array(T.String()),
      }),
    ),
  ),
  grade: GradeSchema,
});
export type EmailResult = Static<typeof EmailResultSchema>;
