// Which of SSLv2, SSLv3, TLS 1.0, 1.1, 1.2 and 1.3 the endpoint accepts, asked with hand-built
// hellos over plain sockets (OpenSSL 3 can no longer offer SSLv2/SSLv3 or most legacy suites).
import { defineEndpointProbe, preambleOf, ProbeFailed, type Deps, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import { PROTOCOLS, untestedProtocols, type ProbeErrorKind, type ProtocolName } from '../../model/constants.js';
import { checkTlsProtocols, type TlsProtocolsEvidence } from '../../tls/protocols.js';
import { SSLV2_CIPHER_KINDS, suiteByCode } from '../../tls/registry/index.js';
import { offerSslv2, offerTimedOut, offerTls, type OfferTarget, type OfferVerdict } from '../../net/tls/offer.js';
import { bundles, probeOrder } from '../../net/tls/suite-order.js';
import { AlertDescription, versionName } from '../../net/tls/wire/constants.js';
import type { WireVersion } from '../../net/tls/wire/client-hello.js';

export const WIRE_VERSION_OF: Record<Exclude<ProtocolName, 'SSLv2'>, WireVersion> = {
  SSLv3: 'SSLv3',
  'TLSv1.0': 'TLSv1.0',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/** Protocol versions, best first: the one a chain or feature hello is asked at is the first accepted. */
export const VERSIONS_BEST_FIRST: readonly WireVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

export function offerTarget(ctx: ProbeContext, ep: Endpoint): OfferTarget {
  return { ip: ep.ip, port: ep.port, servername: ctx.target.sni, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) };
}

/** Hello options per version: SSLv3 servers predate extensions; TLS 1.3 is asked for alone. */
export function helloExtras(version: WireVersion) {
  if (version === 'SSLv3') return { extensions: false };
  if (version === 'TLSv1.3') return { supportedVersions: ['TLSv1.3' as const], keyShareGroups: [29, 23] };
  return { renegotiationInfo: true };
}

// Alerts that mean "no suite in common" rather than "not this version": try the next bundle.
const NO_COMMON_SUITE = new Set<number>([AlertDescription.handshakeFailure, AlertDescription.insufficientSecurity]);

interface VersionVerdict {
  accepted: boolean | null;
  why: string;
  /** Why it could not be asked (accepted null). */
  failure?: ProbeErrorKind;
  firstPick?: { suite: number; refusedBundles: number };
}

/** Offer each bundle until one is accepted or the answer shows the version itself is refused. */
async function testVersion(ctx: ProbeContext, target: OfferTarget, version: WireVersion): Promise<VersionVerdict> {
  let last: OfferVerdict | null = null;
  let refusedBundles = 0;
  for (const bundle of bundles(probeOrder(version))) {
    last = await ctx.withConnection(target.ip, () => offerTls(target, version, bundle, helloExtras(version)), { retryAlone: offerTimedOut });
    if (last.kind === 'accepted') {
      return { accepted: true, why: `negotiated ${suiteByCode(last.suite)?.name ?? last.suite}`, firstPick: { suite: last.suite, refusedBundles } };
    }
    if (last.kind === 'untestable') return { accepted: null, why: last.reason, failure: last.failure };
    if (last.kind === 'other-version') return { accepted: false, why: `server answered with ${versionName(last.selectedVersion)}` };
    if (last.alert !== undefined && !NO_COMMON_SUITE.has(last.alert)) return { accepted: false, why: last.reason };
    refusedBundles++;
  }
  return { accepted: false, why: last?.kind === 'refused' ? last.reason : 'no suite accepted' };
}

/** The versions a TLS 1.3 server is asked about in one hello (see refusedTogether). */
const OLD_VERSIONS: readonly Exclude<ProtocolName, 'SSLv2'>[] = ['TLSv1.1', 'TLSv1.0', 'SSLv3'];

/**
 * A server that negotiated TLS 1.3 reads the client's versions from supported_versions alone
 * (RFC 8446 §4.2.1: it MUST NOT use legacy_version) and, sharing none, answers protocol_version.
 * So one hello listing TLS 1.1, 1.0 and SSLv3 that gets that alert shows all three refused: two
 * handshakes fewer for most servers. Any other answer (a ServerHello, another alert, a close)
 * proves nothing about each version, which is then asked on its own as before.
 */
async function refusedTogether(ctx: ProbeContext, target: OfferTarget): Promise<string | null> {
  const [bundle] = bundles(probeOrder('TLSv1.0'));
  if (!bundle) return null;
  const v = await ctx.withConnection(
    target.ip,
    () => offerTls(target, 'TLSv1.1', bundle, { ...helloExtras('TLSv1.1'), supportedVersions: [...OLD_VERSIONS] }),
    { retryAlone: offerTimedOut },
  );
  return isProtocolVersionAlert(v) ? togetherReason(v, OLD_VERSIONS) : null;
}

const isProtocolVersionAlert = (v: OfferVerdict): v is Extract<OfferVerdict, { kind: 'refused' }> =>
  v.kind === 'refused' && v.alert === AlertDescription.protocolVersion;

const togetherReason = (v: Extract<OfferVerdict, { kind: 'refused' }>, versions: readonly string[]): string =>
  `${v.reason} to a hello whose supported_versions listed only ${versions.join(', ')} (a TLS 1.3 server chooses from that list alone)`;

/** TLS 1.2's first hello, which also names the older versions (see collectTlsProtocols). */
const TWELVE_AND_OLDER: readonly Exclude<ProtocolName, 'SSLv2'>[] = ['TLSv1.2', ...OLD_VERSIONS];

/**
 * Every version asked of `target` (an endpoint, or an MX host behind STARTTLS): the probe's
 * collect step. Throws ProbeFailed when no TLS version could be asked at all.
 *
 * TLS 1.2's first hello (its first bundle, as testVersion would send it) also lists TLS 1.1, 1.0
 * and SSLv3 in supported_versions, asked alongside TLS 1.3. A server picks the highest version it
 * shares from that list (a TLS 1.3 stack) or from legacy_version (an older one, which skips the
 * unknown extension), so a ServerHello or protocol_version means what it means to a plain TLS 1.2
 * hello; and where TLS 1.3 was accepted, protocol_version refuses all four at once (TLS 1.3-only
 * servers: one hello fewer). Any other answer is no evidence either way (an extension-intolerant
 * server, a suite outside the first bundle): TLS 1.2 is then asked exactly as before.
 */
export async function collectTlsProtocols(ctx: ProbeContext, target: OfferTarget): Promise<TlsProtocolsEvidence> {
  const protocols = untestedProtocols();
  const attempts: TlsProtocolsEvidence['attempts'] = {};
  let sslv2Ciphers: string[] = [];
  const firstPick: TlsProtocolsEvidence['firstPick'] = {};
  let failure: ProbeErrorKind = 'protocol';
  const sslv2 = async (): Promise<void> => {
    const kinds = SSLV2_CIPHER_KINDS.map((k) => k.code);
    const v = await ctx.withConnection(target.ip, () => offerSslv2(target, kinds), { retryAlone: offerTimedOut });
    protocols.SSLv2 = v.kind === 'accepted' ? true : v.kind === 'refused' ? false : null;
    attempts.SSLv2 = v.kind === 'accepted' ? `${v.cipherKinds.length} cipher kind(s)` : v.reason;
    if (v.kind === 'accepted') sslv2Ciphers = v.cipherKinds.map((c) => SSLV2_CIPHER_KINDS.find((k) => k.code === c)?.name ?? `0x${c.toString(16)}`);
  };
  const ask = async (name: Exclude<ProtocolName, 'SSLv2'>): Promise<void> => {
    const v = await testVersion(ctx, target, WIRE_VERSION_OF[name]);
    protocols[name] = v.accepted;
    attempts[name] = v.why;
    if (name === 'TLSv1.2' && v.failure) failure = v.failure;
    if (v.firstPick) firstPick[name] = v.firstPick;
  };
  const refuse = (names: readonly Exclude<ProtocolName, 'SSLv2'>[], why: string): void => {
    for (const name of names) {
      protocols[name] = false;
      attempts[name] = why;
    }
  };
  const thirteen = ask('TLSv1.3');
  const [twelveBundle] = bundles(probeOrder('TLSv1.2'));
  const twelveHello = twelveBundle
    ? ctx.withConnection(
        target.ip,
        () => offerTls(target, 'TLSv1.2', twelveBundle, { ...helloExtras('TLSv1.2'), supportedVersions: [...TWELVE_AND_OLDER] }),
        { retryAlone: offerTimedOut },
      )
    : Promise.resolve(null);
  // Whether TLS 1.2's first hello refused all four: protocol_version from a TLS 1.3 server.
  const allRefused = (async (): Promise<boolean> => {
    const v = await twelveHello;
    if (!v || !isProtocolVersionAlert(v)) return false;
    await thirteen;
    return protocols['TLSv1.3'] === true;
  })();
  // Awaited only on some paths: a hello that throws (the deadline) must not go unhandled here.
  allRefused.catch(() => undefined);
  const twelve = async (): Promise<void> => {
    const v = await twelveHello;
    if (v?.kind === 'accepted') {
      protocols['TLSv1.2'] = true;
      attempts['TLSv1.2'] = `negotiated ${suiteByCode(v.suite)?.name ?? v.suite}`;
      firstPick['TLSv1.2'] = { suite: v.suite, refusedBundles: 0 };
    } else if (v?.kind === 'other-version') {
      refuse(['TLSv1.2'], `server answered with ${versionName(v.selectedVersion)}`);
    } else if (v && isProtocolVersionAlert(v)) {
      // Refused either way: by supported_versions, or by legacy_version as a plain hello would be.
      if (await allRefused) refuse(TWELVE_AND_OLDER, togetherReason(v, TWELVE_AND_OLDER));
      else refuse(['TLSv1.2'], v.reason);
    } else {
      await ask('TLSv1.2');
    }
  };
  // The old versions wait for TLS 1.3's answer (and TLS 1.2's first): one hello may settle all three.
  const old = async (): Promise<void> => {
    await thirteen;
    if (protocols['TLSv1.3'] === true && (await allRefused)) return;
    const refused = protocols['TLSv1.3'] === true ? await refusedTogether(ctx, target) : null;
    if (refused === null) {
      await Promise.all(OLD_VERSIONS.map(ask));
      return;
    }
    refuse(OLD_VERSIONS, refused);
  };
  // Otherwise versions are independent: asked in parallel (the per-host limit still caps connections).
  await Promise.all([sslv2(), twelve(), old()]);
  // SSLv2's answer alone proves little (junk to an SSLv2 hello reads as a refusal): if no TLS
  // version could be asked, the endpoint could not be tested.
  if (PROTOCOLS.every((name) => name === 'SSLv2' || protocols[name] === null)) {
    throw new ProbeFailed(attempts['TLSv1.2'] ?? 'no version could be tested', failure);
  }
  return { protocols, attempts, sslv2Ciphers, firstPick };
}

export const tlsProtocolsProbe = defineEndpointProbe({
  id: 'tls-protocols',
  title: 'TLS protocol versions',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  // SSLv2 cipher kinds reach the report through tls-ciphers, which owns cipherSuites.
  owns: ['protocols'],
  collect: (ctx) => collectTlsProtocols(ctx, offerTarget(ctx, ctx.endpoint)),
  check: (ev: TlsProtocolsEvidence) => checkTlsProtocols(ev),
  fields: (ev) => ({ protocols: ev.protocols }),
});

/** The evidence later TLS probes start from: skipped, not failed, when it is missing. */
export const needProtocols = (deps: Deps): TlsProtocolsEvidence => deps.need(tlsProtocolsProbe, 'protocol versions are unknown');
