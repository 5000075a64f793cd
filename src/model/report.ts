// The report contract (the README's "Report" section), written once as TypeBox schemas so that the
// TypeScript types and the JSON Schema printed by `secgrade schema` cannot drift apart.
// Field names here are public API: extend them, never rename.
// The sections live in report-base.ts, report-tls.ts, report-http.ts and report-email.ts; every
// name stays importable from here.
import { Type as T, type Static } from '@sinclair/typebox';

import { REPORT_SCHEMA_ID } from './constants.js';
import { FindingSchema, GradeSchema, Nullable, ProbeRunSchema, ProbeStatusSchema } from './report-base.js';
import { EmailResultSchema } from './report-email.js';
import { HttpResultSchema } from './report-http.js';
import { EndpointReportSchema } from './report-tls.js';

export * from './constants.js';
export {
  EvidenceSchema,
  FindingSchema,
  GradeSchema,
  ProbeErrorKindSchema,
  ProbeRunSchema,
  ProbeStatusSchema,
  SeveritySchema,
  type Finding,
  type Grade,
  type ProbeRun,
} from './report-base.js';
export * from './report-tls.js';
export * from './report-http.js';
export * from './report-email.js';

export const CaaResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  /** The name whose CAA set applies (the target or the closest ancestor with records, RFC 8659 §3). */
  foundAt: Nullable(T.String()),
  records: T.Array(T.Object({ flags: T.Integer(), tag: T.String(), value: T.String() })),
  issue: T.Array(T.String()),
  issuewild: T.Array(T.String()),
  iodef: T.Array(T.String()),
  /** Whether the served certificate's issuer is plausibly allowed by `issue` (informational); null = cannot say. */
  issuerPlausible: Nullable(T.Boolean()),
  issuerPlausibleReason: T.Optional(T.String()),
});
export type CaaResult = Static<typeof CaaResultSchema>;

export const DnsResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  caa: Nullable(CaaResultSchema),
});
export type DnsResult = Static<typeof DnsResultSchema>;

/** A dated reference list a verdict used: the CT log list, the root store, the HSTS preload list. */
export const DataSourceSchema = T.Object({ name: T.String(), version: T.String(), date: T.String(), source: T.String() });
export type DataSource = Static<typeof DataSourceSchema>;

export const ReportSchema = T.Object(
  {
    schema: T.Literal(REPORT_SCHEMA_ID),
    tool: T.Object({ name: T.Literal('secgrade'), version: T.String() }),
    algorithmVersion: T.String({ description: 'changes whenever a grading rule changes' }),
    target: T.Object({
      host: T.String(),
      port: T.Integer({ minimum: 1, maximum: 65535 }),
      url: T.Optional(T.String()),
      portSource: T.Optional(T.Union([T.Literal('default'), T.Literal('target'), T.Literal('dns-https-record')])),
      scheme: T.Optional(T.String({ description: 'a non-web target: its scheme (imap, imaps, smtp, submission, ldap …); HTTP and email checks do not apply' })),
      starttls: T.Optional(T.String({ description: 'the plaintext dialogue before TLS (smtp, lmtp, imap, pop3, sieve, ftp, xmpp, xmpp-server, ldap, postgres, mysql, nntp, irc)' })),
    }),
    /**
     * ok: every requested check completed; partial: some could not (`incomplete` says which and
     * why); interrupted: the user stopped the scan; error: nothing could be tested (DNS failure,
     * nothing reachable).
     */
    status: T.Union([T.Literal('ok'), T.Literal('partial'), T.Literal('interrupted'), T.Literal('error')]),
    reason: T.Optional(T.String()),
    /** The requested checks that did not complete: never read as a pass. */
    incomplete: T.Optional(
      T.Array(
        T.Object({
          section: T.String({ description: 'tls, http, email or dns' }),
          probe: T.String(),
          subject: T.Optional(T.String()),
          reason: T.String(),
        }),
      ),
    ),
    startedAt: T.String({ format: 'date-time' }),
    durationMs: T.Number(),
    grades: T.Object({ tls: GradeSchema, http: GradeSchema, email: GradeSchema, overall: GradeSchema }),
    /** Why a grade is null: not requested, or what untested part could still change it. */
    gradeReasons: T.Optional(
      T.Object({ tls: T.Optional(T.String()), http: T.Optional(T.String()), email: T.Optional(T.String()), overall: T.Optional(T.String()) }),
    ),
    /** Every probe run of the target (TLS, HTTP, email and DNS alike), with a typed error kind. */
    probes: T.Array(ProbeRunSchema),
    endpoints: T.Array(EndpointReportSchema),
    http: Nullable(HttpResultSchema),
    email: Nullable(EmailResultSchema),
    /** Domain-level DNS facts about the certificate side (CAA). */
    dns: T.Optional(Nullable(DnsResultSchema)),
    /** Dated reference data the verdicts used (CT log list, root store …), so a reader knows how fresh they were. */
    dataSources: T.Optional(T.Array(DataSourceSchema)),
    /** Set on a batch's lines (`secgrade batch`): the job this report answers; `key` is target|options-hash|run-id. */
    job: T.Optional(
      T.Object({
        key: T.String(),
        runId: T.String(),
        input: T.String({ description: 'the target as listed (normal form)' }),
        line: T.Optional(T.Integer({ description: 'line of the target list' })),
        tags: T.Optional(T.Array(T.String())),
      }),
    ),
    findings: T.Array(FindingSchema),
  },
  { $id: 'https://secgrade.dev/schema/report-1.json', title: 'secgrade report' },
);
export type Report = Static<typeof ReportSchema>;

/** The JSON Schema document printed by `secgrade schema`. */
export function reportJsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(ReportSchema)) };
}
