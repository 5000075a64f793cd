// The report's HTTP section (`http`): headers, cookies, redirects, the Observatory's score. Apart from
// report.ts to keep each section of the contract in a file of its own.
import { Type as T, type Static } from '@sinclair/typebox';

import { GradeSchema, Nullable, ProbeStatusSchema } from './report-base.js';

export const CookieSchema = T.Object({
  name: T.String(),
  secure: T.Boolean(),
  httpOnly: T.Boolean(),
  sameSite: Nullable(T.String()),
  domain: Nullable(T.String()),
  path: Nullable(T.String()),
  expires: T.Optional(Nullable(T.String())),
  maxAge: T.Optional(Nullable(T.Number())),
});

export const HttpResultSchema = T.Object({
  status: ProbeStatusSchema,
  reason: T.Optional(T.String()),
  url: T.String(),
  finalUrl: Nullable(T.String()),
  statusCode: Nullable(T.Integer({ description: 'HTTP status code of the final response' })),
  redirects: T.Array(T.Object({ url: T.String(), status: T.Integer(), location: T.String() })),
  headers: T.Record(T.String(), T.String(), { description: 'lower-cased names; repeated headers joined with ", "' }),
  cookies: T.Array(CookieSchema),
  hsts: Nullable(
    T.Object({
      maxAge: Nullable(T.Number()),
      includeSubDomains: T.Boolean(),
      preload: T.Boolean(),
      preloaded: Nullable(T.Boolean()),
    }),
  ),
  score: Nullable(T.Number({ description: 'MDN HTTP Observatory score (algorithm 1.4.8): 100 plus its modifiers, may exceed 100' })),
  grade: GradeSchema,
  /** What plain HTTP did: the http → https check. */
  httpRedirect: T.Optional(
    Nullable(
      T.Object({
        status: T.String({ description: 'redirects-to-https-same-host, redirects-to-https-other-host-first, redirects-to-https-not-first, redirects-not-to-https, no-redirect, no-http, error' }),
        url: T.String(),
        port: T.Integer(),
        redirects: T.Array(T.Object({ url: T.String(), status: T.Integer(), location: Nullable(T.String()) })),
        reason: Nullable(T.String()),
      }),
    ),
  ),
  observatory: T.Optional(
    Nullable(
      T.Object({
        score: T.Number(),
        grade: T.String({ description: "the Observatory's own letter (A+ … F, with + and -)" }),
        extraCredit: T.Boolean(),
        version: T.String(),
        scanError: Nullable(T.String({ description: 'why the Observatory itself would refuse this scan; always null since such a scan has no observatory object (see observatoryNotGraded)' })),
        tests: T.Array(T.Object({ test: T.String(), result: T.String(), modifier: T.Number(), description: T.String(), detail: T.String() })),
      }),
    ),
  ),
  /** The MDN Observatory refuses to grade the site (no score, no tests): why. `observatory`, `score` and `grade` are then null. */
  observatoryNotGraded: T.Optional(
    Nullable(
      T.Object({
        kind: T.Union([T.Literal('site-down'), T.Literal('unexpected-status')], {
          description: 'site-down: neither https:// nor http:// gave a response it uses; unexpected-status: the page answers < 200 or >= 400 other than 401/403',
        }),
        statusCode: Nullable(T.Integer({ description: 'the status of the response the Observatory reads, for unexpected-status' })),
        reason: T.String({ description: "the Observatory's own message (its CLI's error)" }),
      }),
    ),
  ),
  securityHeaders: T.Optional(
    Nullable(
      T.Object({
        grade: GradeSchema,
        missing: T.Array(T.String()),
        warnings: T.Array(T.String()),
        reasons: T.Array(T.String()),
      }),
    ),
  ),
  cors: T.Optional(Nullable(T.Object({ origin: T.String(), allowOrigin: Nullable(T.String()), allowCredentials: T.Boolean() }))),
  securityTxt: T.Optional(
    Nullable(T.Object({ status: T.String(), valid: T.Boolean(), url: T.String(), finalUrl: Nullable(T.String()), expires: Nullable(T.String()) })),
  ),
});
export type HttpResult = Static<typeof HttpResultSchema>;
