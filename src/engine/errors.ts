// What kind of "could not test" an error is (the closed list in model/constants.ts), from the
// failure kinds the network clients already report. One mapping, so every probe says it the same way.
import type { ProbeErrorKind } from '../model/constants.js';
import type { HttpErrorKind } from '../net/http/pinned-request.js';
import type { TlsFailureKind } from '../net/tls/node-client.js';
import { ProbeFailed } from './probe.js';

/** A failed Node TLS handshake (node-client's kinds). */
export function tlsFailureKind(kind: TlsFailureKind): ProbeErrorKind {
  switch (kind) {
    case 'refused':
    case 'network':
      return 'refused';
    case 'timeout':
      return 'timeout';
    case 'reset':
      return 'reset';
    case 'handshake':
      return 'tls-alert';
    case 'aborted':
      return 'interrupted';
  }
}

/** A failed HTTP request (pinned-request's kinds). */
export function httpFailureKind(kind: HttpErrorKind): ProbeErrorKind {
  switch (kind) {
    case 'timeout':
      return 'timeout';
    case 'refused':
    case 'unreachable':
      return 'refused';
    case 'reset':
      return 'reset';
    case 'tls-handshake':
      return 'tls-alert';
    case 'headers-too-large':
    case 'malformed':
      return 'protocol';
    case 'aborted':
      return 'interrupted';
    case 'other':
      return 'protocol';
  }
}

/** Node's socket error codes. */
function codeKind(code: string | undefined): ProbeErrorKind | null {
  switch (code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      return null;
  }
}

/** The kind of anything a probe threw (other than ProbeSkipped): a stray exception is our bug. */
export function errorKindOf(err: unknown): ProbeErrorKind {
  if (err instanceof ProbeFailed) return err.kind;
  return codeKind((err as NodeJS.ErrnoException | null)?.code) ?? 'bug';
}

/**
 * For a failure summed up from several attempts' reasons (no single kind travels with it): the
 * kind the words name, else `fallback`.
 */
export function kindFromReason(reason: string, fallback: ProbeErrorKind): ProbeErrorKind {
  if (/timed out|no answer within|within \d+ ms|deadline/i.test(reason)) return 'timeout';
  if (/connection refused|unreachable/i.test(reason)) return 'refused';
  if (/reset/i.test(reason)) return 'reset';
  if (/\bSTARTTLS: /.test(reason)) return 'starttls';
  return fallback;
}
