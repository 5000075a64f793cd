// One raw ClientHello and what it tells: the server accepted (which version and suite), refused
// (alert, silent close, a lower version), or could not be asked (timeout, refused connection …).
// Mechanism only: which offers to make is the probes' business.
//
// A refusal is something the server said: an alert, or a clean close (FIN) after our hello with
// nothing of a record received. A reset, or a close in the middle of a record, is the transport
// failing: the hello is sent once more, and if that breaks too the version is 'untestable'
// (failure 'reset'), never "refused" — a half-sent ServerHello is no evidence the version is off.
import type { ProbeErrorKind } from '../../model/constants.js';
import { rawHello, type RawHelloOptions, type RawHelloResult } from './raw-client.js';
import { buildClientHello, WIRE_VERSIONS, type ClientHelloOptions, type WireVersion } from './wire/client-hello.js';
import type { ParsedServerHello } from './wire/server-messages.js';
import { buildSslv2ClientHello } from './wire/sslv2.js';
import type { StartTlsOption } from './transport.js';
import { startTlsErrorKind } from '../starttls/types.js';

export interface OfferTarget {
  ip: string;
  port: number;
  servername: string | null;
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue before each hello (e.g. an MX host on port 25); absent = TLS from the first byte. */
  starttls?: StartTlsOption | null;
  ehloName?: string;
}

/** rawHello's STARTTLS options for a target (nothing at all without a preamble). */
function preamble(target: OfferTarget): { starttls?: StartTlsOption; ehloName?: string } {
  if (!target.starttls) return {};
  return { starttls: target.starttls, ...(target.ehloName ? { ehloName: target.ehloName } : {}) };
}

export type OfferVerdict =
  | { kind: 'accepted'; suite: number; serverHello: ParsedServerHello; raw: Extract<RawHelloResult, { kind: 'server-hello' }> }
  /** A ServerHello for another version than the one offered: this version is not supported. */
  | { kind: 'other-version'; selectedVersion: number }
  /** The server said no: an alert, or it closed the connection (FIN) without a byte of a record. */
  | { kind: 'refused'; reason: string; alert?: number }
  /** Nothing could be learnt: unreachable, timed out, aborted, reset or cut off twice, or bytes that are not TLS. */
  | { kind: 'untestable'; reason: string; failure: ProbeErrorKind; throttled?: true };

export type HelloExtras = Omit<ClientHelloOptions, 'version' | 'cipherSuites' | 'serverName'>;

function verdictOf(result: RawHelloResult, version: WireVersion, offered: readonly number[]): OfferVerdict {
  switch (result.kind) {
    case 'server-hello': {
      const sh = result.serverHello;
      if (sh.selectedVersion !== WIRE_VERSIONS[version]) return { kind: 'other-version', selectedVersion: sh.selectedVersion };
      // A suite we never offered is a broken (or hostile) server, not an acceptance.
      if (!offered.includes(sh.cipherSuite)) {
        return { kind: 'untestable', reason: `server chose cipher suite 0x${sh.cipherSuite.toString(16).padStart(4, '0')}, which was not offered`, failure: 'protocol' };
      }
      return { kind: 'accepted', suite: sh.cipherSuite, serverHello: sh, raw: result };
    }
    case 'alert':
      return { kind: 'refused', reason: `alert ${result.name}`, alert: result.description };
    case 'closed':
      return { kind: 'refused', reason: result.reason };
    case 'sslv2-server-hello':
      return { kind: 'untestable', reason: 'server answered a TLS hello in SSLv2 format', failure: 'protocol' };
    default:
      // A STARTTLS server saying "too many connections" is the host asking us to slow down.
      if (result.kind === 'network' && result.starttls) {
        return { kind: 'untestable', reason: result.reason, failure: startTlsErrorKind(result.starttls), ...(result.starttls === 'throttled' ? { throttled: true as const } : {}) };
      }
      return { kind: 'untestable', reason: result.reason, failure: failureOf(result) };
  }
}

type NoAnswer = Extract<RawHelloResult, { kind: 'timeout' | 'refused' | 'network' | 'aborted' | 'protocol-error' | 'reset' | 'truncated' }>;

/** The kind of "could not test" behind a hello that got no usable answer. */
function failureOf(result: NoAnswer): ProbeErrorKind {
  switch (result.kind) {
    case 'timeout':
      return 'timeout';
    case 'refused':
    case 'network':
      return 'refused';
    case 'reset':
    case 'truncated':
      return 'reset';
    case 'aborted':
      return 'interrupted';
    case 'protocol-error':
      return 'protocol';
  }
}

type Broken = Extract<RawHelloResult, { kind: 'reset' | 'truncated' }>;

/** A reset, or a close in the middle of a record: the connection broke, the server said nothing. */
function broke(result: RawHelloResult): result is Broken {
  return result.kind === 'reset' || result.kind === 'truncated';
}

/**
 * rawHello, sent once more when the connection broke. When the second attempt breaks too, its
 * result says both attempts did; any other answer to the second attempt stands.
 */
export async function helloWithRetry(opts: RawHelloOptions): Promise<RawHelloResult> {
  const first = await rawHello(opts);
  if (!broke(first) || opts.signal.aborted) return first;
  const second = await rawHello(opts);
  if (!broke(second)) return second;
  const both = second.reason === first.reason ? `${second.reason} (on both attempts)` : `${second.reason} (first attempt: ${first.reason})`;
  return { ...second, reason: both };
}

/** Offer `suites` at `version` (plus any extensions) and classify the answer. */
export async function offerTls(
  target: OfferTarget,
  version: WireVersion,
  suites: readonly number[],
  extras: HelloExtras = {},
  readUntil: 'server-hello' | 'server-hello-done' = 'server-hello',
): Promise<OfferVerdict> {
  const hello = buildClientHello({ ...extras, version, cipherSuites: [...suites], serverName: target.servername });
  const result = await helloWithRetry({ ip: target.ip, port: target.port, timeoutMs: target.timeoutMs, signal: target.signal, hello: hello.record, readUntil, ...preamble(target) });
  return verdictOf(result, version, suites);
}

export type Sslv2Verdict =
  | { kind: 'accepted'; cipherKinds: number[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'untestable'; reason: string; failure: ProbeErrorKind; throttled?: true };

/**
 * An SSL 2.0 CLIENT-HELLO offering `kinds`; accepted only when the server names a common cipher.
 * Servers that do not speak SSLv2 often answer its hello with junk, a close, or a reset before
 * sending anything (closing with our hello unread makes the kernel send RST): those stay refusals.
 * A reset or a close in the middle of a record is a broken connection: retried once, then untestable.
 */
export async function offerSslv2(target: OfferTarget, kinds: readonly number[]): Promise<Sslv2Verdict> {
  const hello = buildSslv2ClientHello({ cipherKinds: [...kinds] });
  const opts: RawHelloOptions = { ip: target.ip, port: target.port, timeoutMs: target.timeoutMs, signal: target.signal, hello, sslv2: true, ...preamble(target) };
  // A bare reset is retried too (a transient one must not read as a refusal), but twice is a refusal.
  const result = await helloWithRetry(opts);
  if (result.kind === 'reset' && result.pendingBytes === 0) return { kind: 'refused', reason: result.reason };
  switch (result.kind) {
    case 'sslv2-server-hello': {
      const common = result.value.cipherKinds.filter((k) => kinds.includes(k));
      // A SERVER-HELLO without ciphers means SSLv2 is compiled in but disabled (OpenSSL does this).
      return common.length ? { kind: 'accepted', cipherKinds: common } : { kind: 'refused', reason: 'SSLv2 SERVER-HELLO with no cipher in common' };
    }
    case 'alert':
      return { kind: 'refused', reason: `answered with a TLS alert ${result.name}` };
    case 'closed':
      return { kind: 'refused', reason: result.reason };
    case 'server-hello':
      return { kind: 'refused', reason: 'answered with a TLS ServerHello' };
    case 'protocol-error':
      // Servers that do not speak SSLv2 often answer its hello with a TLS alert record or junk.
      return { kind: 'refused', reason: result.reason };
    default:
      // A STARTTLS server saying "too many connections" is the host asking us to slow down.
      if (result.kind === 'network' && result.starttls) {
        return { kind: 'untestable', reason: result.reason, failure: startTlsErrorKind(result.starttls), ...(result.starttls === 'throttled' ? { throttled: true as const } : {}) };
      }
      return { kind: 'untestable', reason: result.reason, failure: failureOf(result) };
  }
}

/** The hello got no answer in time: the verdict a single-threaded server busy elsewhere gives (ask again alone). */
export const offerTimedOut = (v: OfferVerdict | Sslv2Verdict): boolean => v.kind === 'untestable' && v.failure === 'timeout';
