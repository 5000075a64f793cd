// The report's building blocks that every section uses (null-or, grade, probe status, finding), apart
// so that the section modules and report.ts can all import them without importing each other.
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

import { GRADES, PROBE_ERROR_KINDS, PROBE_STATUSES, SEVERITIES } from './constants.js';

/** The schema, or null. */
export const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);

export const SeveritySchema = T.Union(SEVERITIES.map((s) => T.Literal(s)));
/** A letter, or null when nothing graded that part ("not tested"). */
export const GradeSchema = Nullable(T.Union(GRADES.map((g) => T.Literal(g))));
export type Grade = Static<typeof GradeSchema>;

export const ProbeStatusSchema = T.Union(PROBE_STATUSES.map((s) => T.Literal(s)));
export const ProbeErrorKindSchema = T.Union(PROBE_ERROR_KINDS.map((s) => T.Literal(s)));

/** One probe run: a probe on one endpoint, or once for the target. */
export const ProbeRunSchema = T.Object(
  {
    id: T.String({ description: 'probe id, as --probes takes it' }),
    subject: T.String({ description: 'endpoint:IP:PORT for endpoint probes, else domain:NAME (or url:URL for the site)' }),
    status: ProbeStatusSchema,
    errorKind: T.Optional(ProbeErrorKindSchema),
    reason: T.Optional(T.String()),
    durationMs: T.Number(),
    connections: T.Optional(T.Integer({ description: 'network connections the probe opened' })),
  },
  { additionalProperties: false },
);
export type ProbeRun = Static<typeof ProbeRunSchema>;

/** Arbitrary JSON evidence attached to a finding (what was seen that caused it). */
export const EvidenceSchema = T.Record(T.String(), T.Unknown());

export const FindingSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$', description: 'stable identifier, e.g. tls.cert.expired' }),
    subject: T.String({
      pattern: '^(endpoint|mx|domain|url):.+$',
      description: 'what the finding is about: endpoint:IP:PORT, mx:HOST, domain:NAME or url:URL; id@subject identifies a finding across runs',
    }),
    severity: SeveritySchema,
    title: T.String(),
    detail: T.String(),
    evidence: EvidenceSchema,
    remediation: T.String(),
    references: T.Array(T.String(), { description: 'RFCs, CVEs, guides (URLs or citations)' }),
    endpoint: T.Optional(T.String({ description: 'ip:port the finding was seen on' })),
  },
  { additionalProperties: false },
);
export type Finding = Static<typeof FindingSchema>;
