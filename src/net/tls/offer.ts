// One raw ClientHello and what it tells: the server accepted (which version and suite), refused
// (alert, silent close, a lower version), or could not be asked (timeout, refused connection …).
// Mechanism only: which offers to make is the probes' business.
import type { ProbeErrorKind } from '../../model/constants.js';
import { rawHello, type RawHelloResult } from './raw-client.js';
import { buildClientHello, WIRE_VERSIONS, type ClientHelloOptions, type WireVersion } from './wire/client-hello.js';
import type { ParsedServerHello } from './wire/server-messages.js';
import { buildSslv2ClientHello } from './wire/sslv2.js';
import type { StartTlsProtocol } from './transport.js';

export interface OfferTarget {
  ip: string;
  port: number;
  servername: string | null;
  timeoutMs: number;
  signal: AbortSignal;
  /** A plaintext STARTTLS dialogue before each hello (e.g. an MX host on port 25); absent = TLS from the first byte. */
  starttls?: StartTlsProtocol | null;
  ehloName?: string;
}

/** rawHello's STARTTLS options for a target (nothing at all without a preamble). */
function preamble(target: OfferTarget): { starttls?: StartTlsProtocol; ehloName?: string } {
  if (!target.starttls) return {};
  return { starttls: target.starttls, ...(target.ehloName ? { ehloName: target.ehloName } : {}) };
}

export type OfferVerdict =
  | { kind: 'accepted'; suite: number; serverHello: ParsedServerHello; raw: Extract<RawHelloResult, { kind: 'server-hello' }> }
  /** A ServerHello for another version than the one offered: this version is not supported. */
  | { kind: 'other-version'; selectedVersion: number }
  /** The server said no: an alert, or it closed the connection without a word. */
  | { kind: 'refused'; reason: string; alert?: number }
  /** Nothing could be learnt: unreachable, timed out, aborted, or bytes that are not TLS. */
  | { kind: 'untestable'; reason: string; failure: ProbeErrorKind };

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
      return { kind: 'untestable', reason: result.reason, failure: failureOf(result) };
  }
}

/** The kind of "could not test" behind a hello that got no usable answer. */
function failureOf(result: Extract<RawHelloResult, { kind: 'timeout' | 'refused' | 'network' | 'aborted' | 'protocol-error' }>): ProbeErrorKind {
  switch (result.kind) {
    case 'timeout':
      return 'timeout';
    case 'refused':
    case 'network':
      return 'refused';
    case 'aborted':
      return 'interrupted';
    case 'protocol-error':
      return 'protocol';
  }
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
  const result = await rawHello({ ip: target.ip, port: target.port, timeoutMs: target.timeoutMs, signal: target.signal, hello: hello.record, readUntil, ...preamble(target) });
  return verdictOf(result, version, suites);
}

export type Sslv2Verdict =
  | { kind: 'accepted'; cipherKinds: number[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'untestable'; reason: string; failure: ProbeErrorKind };

/** An SSL 2.0 CLIENT-HELLO offering `kinds`; accepted only when the server names a common cipher. */
export async function offerSslv2(target: OfferTarget, kinds: readonly number[]): Promise<Sslv2Verdict> {
  const hello = buildSslv2ClientHello({ cipherKinds: [...kinds] });
  const result = await rawHello({ ip: target.ip, port: target.port, timeoutMs: target.timeoutMs, signal: target.signal, hello, sslv2: true, ...preamble(target) });
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
      return { kind: 'untestable', reason: result.reason, failure: failureOf(result) };
  }
}
