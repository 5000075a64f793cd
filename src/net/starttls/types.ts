// What every STARTTLS dialogue shares: the protocols, how a dialogue is asked for, what it shows
// and how it fails. Each protocol's dialogue is one file beside this one (registry: index.ts).
import type { SmtpEvidence } from '../smtp/client.js';

import type { ProbeErrorKind } from '../../model/constants.js';
// The protocol names belong to the report contract (a target's `starttls`): defined in the model.
import { STARTTLS_PROTOCOLS, type StartTlsProtocol } from '../../model/target.js';

export { STARTTLS_PROTOCOLS, type StartTlsProtocol };

/** A dialogue with its parameters; a bare protocol name takes every default. */
export interface StartTlsSpec {
  protocol: StartTlsProtocol;
  /** SMTP/LMTP: the name we introduce ourselves with (EHLO/LHLO). */
  ehloName?: string;
  /** XMPP: the domain of the stream header's `to=` (default: the server name, else the address). */
  xmppHost?: string;
}

export type StartTlsOption = StartTlsProtocol | StartTlsSpec;

export function startTlsSpec(o: StartTlsOption): StartTlsSpec {
  return typeof o === 'string' ? { protocol: o } : o;
}

export type StartTlsFailureKind =
  /** The server does not offer STARTTLS (capabilities without it, a "not supported" answer). */
  | 'no-starttls'
  /** The STARTTLS command itself was answered with a refusal. */
  | 'starttls-refused'
  /** The greeting was an error (service unavailable, host blocked …). */
  | 'greeting-error'
  /** SMTP: EHLO (and HELO) refused. */
  | 'hello-refused'
  /** "Too many connections", 421, server busy: come back later (the per-host back-off slows down). */
  | 'throttled'
  /**
   * The server sent bytes after its go-ahead and before our ClientHello: plaintext that would be
   * read as the start of TLS (STARTTLS response injection, CVE-2011-0411-style). Never parsed.
   */
  | 'injected'
  | 'timeout'
  /** TCP connection refused. */
  | 'refused'
  /** The server closed (or reset) the connection during the dialogue. */
  | 'closed'
  /** Bytes that are not the protocol, a bound exceeded … */
  | 'protocol-error'
  | 'network'
  | 'aborted';

/** What a non-SMTP dialogue showed; JSON-friendly. */
export interface DialogueEvidence {
  protocol: Exclude<StartTlsProtocol, 'smtp' | 'lmtp'>;
  /** The server's first words (banner, server version, stream header …), printable, capped. */
  greeting: string | null;
  /** Capabilities / features the server listed, when the protocol lists any. */
  capabilities: string[];
  /** Whether the server said it offers STARTTLS; null when the protocol does not say before asking. */
  starttlsOffered: boolean | null;
  /** The go-ahead (`a002 OK …`, `+OK`, `234 …`, `<proceed/>`, `S` …). */
  goAhead: string | null;
  /** Bytes after the go-ahead and before any TLS (the dialogue then fails 'injected'). */
  bytesAfterGoAhead: number;
  bytesRead: number;
  /** What the dialogue was waiting for when it stopped ('done' once ready). */
  step: string;
}

/** The SMTP/LMTP dialogue keeps its own, richer evidence (src/net/smtp/client.ts). */
export type SmtpDialogueEvidence = { protocol: 'smtp' | 'lmtp' } & SmtpEvidence;

export type StartTlsEvidence = SmtpDialogueEvidence | DialogueEvidence;

export type DialogueResult = { ok: true; evidence: StartTlsEvidence } | { ok: false; kind: StartTlsFailureKind; reason: string; evidence: StartTlsEvidence };

/** A dialogue running on a socket; `done` is called once, synchronously from the socket event that decides it. */
export interface StartTlsDialogue {
  /** What a deadline passing now would mean ('no IMAP greeting', 'no reply to STARTTLS' …), null once done. */
  readonly waitingFor: string | null;
  /** A snapshot of what the dialogue has seen. */
  readonly evidence: StartTlsEvidence;
  /** Detaches from the socket without a result (the caller's deadline or abort won). */
  cancel(): void;
}

export interface DialogueContext {
  spec: StartTlsSpec;
  /** The server name the scan sends in SNI (XMPP's default `to=`), or null. */
  servername: string | null;
  /** The address connected to (XMPP's `to=` when there is no name at all). */
  ip: string;
}

/** The report's kind of "could not test" for a failed dialogue: the transport's own, else 'starttls'. */
export function startTlsErrorKind(kind: StartTlsFailureKind): ProbeErrorKind {
  switch (kind) {
    case 'timeout':
      return 'timeout';
    case 'refused':
    case 'throttled':
      return 'refused';
    case 'closed':
      return 'reset';
    case 'aborted':
      return 'interrupted';
    default:
      return 'starttls';
  }
}
