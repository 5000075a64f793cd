// Key exchange groups: the TLS 1.3 groups the endpoint supports (in its order), the curves it uses
// for TLS ≤ 1.2 ECDHE, and the size of its DHE prime. All asked with hand-built hellos:
//  - TLS 1.3: offer every group with no key share, so the server must answer with a
//    HelloRetryRequest naming its favourite; remove that group and ask again until it refuses
//    (groups + 1 handshakes);
//  - TLS ≤ 1.2 ECDHE: offer the accepted ECDHE suites with the remaining curves and read the curve
//    from the ServerKeyExchange; remove it and ask again until refused (curves + 1 handshakes; up
//    to 2 more when only ECDSA suites exist, see enumerateTls12Curves). The report lists one set
//    of groups (the union), so once TLS 1.3 gave a complete list only the curves beyond it are
//    asked: one refused hello usually (its ServerKeyExchange is signed: the dearest kind);
//  - DHE: offer the accepted DHE suites once and read the prime from the ServerKeyExchange.
import { X509Certificate } from 'node:crypto';
import { kindFromReason } from '../../engine/errors.js';
import { defineEndpointProbe, ProbeFailed, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import type { ProtocolName } from '../../model/report.js';
import { offerTimedOut, offerTls, type OfferTarget } from '../../net/tls/offer.js';
import { probeOrder } from '../../net/tls/suite-order.js';
import { versionName } from '../../net/tls/wire/constants.js';
import { parseServerKeyExchange } from '../../net/tls/wire/server-messages.js';
import type { TlsCiphersEvidence } from '../../tls/ciphers.js';
import { assessDhPrime } from '../../tls/dh-prime.js';
import { checkTlsGroups, groupName, groupsUnion, INCOMPLETE, type TlsGroupsEvidence } from '../../tls/groups.js';
import { GROUPS, groupByName, suiteByCode, suiteByName, type CipherSuiteInfo, type GroupInfo } from '../../tls/registry/index.js';
import { tlsCiphersProbe } from './ciphers.js';
import { helloExtras, needProtocols, offerTarget, tlsProtocolsProbe, WIRE_VERSION_OF } from './protocols.js';

/** No enumeration loop sends more hellos than this. */
export const MAX_GROUP_ROUNDS = 64;

// Names a client can offer: the unspecified "arbitrary_explicit_*" pseudo-curves are not groups.
const offerable = (g: GroupInfo): boolean => g.kind !== 'unknown' && !g.name.startsWith('arbitrary_explicit_');

// What a current client prefers goes first, so a server that follows the client's order still
// yields a meaningful list; the rest follow in registry order.
const FIRST: readonly number[] = [0x11ec, 0x11eb, 0x11ed, 0x001d, 0x0017, 0x0018, 0x0019, 0x001e];
function offerOrder(groups: readonly GroupInfo[]): number[] {
  const codes = groups.map((g) => g.code);
  return [...FIRST.filter((c) => codes.includes(c)), ...codes.filter((c) => !FIRST.includes(c))];
}

/** Every group a TLS 1.3 client may name: EC, FFDHE, hybrid and pure post-quantum. */
export const TLS13_OFFER: readonly number[] = offerOrder(GROUPS.filter(offerable));
/** Every named curve for TLS ≤ 1.2 ECDHE (post-quantum groups are TLS 1.3 only). */
export const TLS12_CURVE_OFFER: readonly number[] = offerOrder(GROUPS.filter((g) => offerable(g) && g.kind === 'ecdhe'));

type LegacyVersion = Exclude<ProtocolName, 'SSLv2' | 'TLSv1.3'>;
const LEGACY_HIGH_FIRST: readonly LegacyVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

const isEcdhe = (s: CipherSuiteInfo): boolean => s.kx === 'ECDHE' || (s.kx === 'ECDH' && s.auth === 'anon');
const isDhe = (s: CipherSuiteInfo): boolean => s.kx === 'DHE' || (s.kx === 'DH' && s.auth === 'anon');

/** The highest protocol with accepted suites matching `test`, and those suites (codes). */
export function suitesToAsk(
  ciphers: TlsCiphersEvidence,
  test: (s: CipherSuiteInfo) => boolean,
  versions: readonly LegacyVersion[] = LEGACY_HIGH_FIRST,
): { version: LegacyVersion; suites: number[] } | null {
  for (const version of versions) {
    const suites = (ciphers.suites[version] ?? [])
      .map((n) => suiteByName(n))
      .filter((s): s is CipherSuiteInfo => s !== undefined && test(s))
      .map((s) => s.code);
    if (suites.length) return { version, suites };
  }
  return null;
}

interface Enumerated {
  codes: number[];
  /** The enumeration stopped before it could tell: the list is a lower bound. */
  incomplete?: string;
  /** Something worth knowing that leaves the list complete for what a client can negotiate. */
  note?: string;
}

/** TLS 1.3: empty key_share, so each answer is a HelloRetryRequest naming the server's favourite. */
export async function enumerateTls13Groups(ctx: ProbeContext, ep: Endpoint, offer: readonly number[] = TLS13_OFFER): Promise<Enumerated> {
  const suites = [...probeOrder('TLSv1.3')];
  let remaining = [...offer];
  const codes: number[] = [];
  for (let round = 0; remaining.length > 0; round++) {
    if (round >= MAX_GROUP_ROUNDS) return { codes, incomplete: `stopped after ${MAX_GROUP_ROUNDS} handshakes` };
    const groups = remaining;
    const v = await ctx.withConnection(ep.ip, () =>
      offerTls(offerTarget(ctx, ep), 'TLSv1.3', suites, { supportedVersions: ['TLSv1.3'], groups, keyShareGroups: [] }),
      { retryAlone: offerTimedOut },
    );
    if (v.kind === 'refused') {
      // Refusing the first offer means none of the registry's groups is supported: not believable
      // from a server that negotiated TLS 1.3 earlier, so say so rather than report "no groups".
      return codes.length ? { codes } : { codes, incomplete: `the server refused every offered group (${v.reason})` };
    }
    if (v.kind === 'untestable') return { codes, incomplete: v.reason };
    if (v.kind === 'other-version') return { codes, incomplete: `the server answered with ${versionName(v.selectedVersion)}` };
    const sh = v.serverHello;
    const g = sh.keyShareGroup;
    if (!sh.isHelloRetryRequest) {
      const what = g === undefined ? 'no key share' : `a key share for ${groupName(g)}`;
      return { codes, incomplete: `protocol error: the server sent a ServerHello with ${what} although the hello carried no key share` };
    }
    if (g === undefined) return { codes, incomplete: 'protocol error: a HelloRetryRequest without a key_share group' };
    if (!groups.includes(g)) return { codes, incomplete: `protocol error: the HelloRetryRequest named ${groupName(g)}, which was not offered` };
    codes.push(g);
    remaining = remaining.filter((c) => c !== g);
  }
  return { codes };
}

/** The curve of an ECDSA certificate's key (registry code), or null for other keys. */
export function certificateCurve(der: Buffer | undefined): number | null {
  if (!der) return null;
  try {
    const key = new X509Certificate(der).publicKey;
    if (key.asymmetricKeyType !== 'ec') return null;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (!curve) return null;
    return groupByName(OPENSSL_CURVE_ALIASES[curve] ?? curve)?.code ?? null;
  } catch {
    return null;
  }
}

// OpenSSL's names for the X9.62 curves that TLS calls secpXXXr1.
const OPENSSL_CURVE_ALIASES: Record<string, string> = { prime256v1: 'secp256r1', prime192v1: 'secp192r1' };

interface CurveAnswer {
  curve: number;
  certificate: Buffer | undefined;
}

type CurveAsk = (groups: number[]) => Promise<CurveAnswer | 'refused' | { error: string }>;

/** One TLS ≤ 1.2 hello offering `suites` with the curves given: the curve the ServerKeyExchange names. */
function curveAsker(ctx: ProbeContext, ep: Endpoint, version: LegacyVersion, suites: readonly number[]): CurveAsk {
  const wire = WIRE_VERSION_OF[version];
  return async (groups) => {
    const v = await ctx.withConnection(ep.ip, () =>
      offerTls(offerTarget(ctx, ep), wire, suites, { ...helloExtras(wire), groups, ecPointFormats: true }, 'server-hello-done'),
      { retryAlone: offerTimedOut },
    );
    if (v.kind === 'refused') return 'refused';
    if (v.kind === 'untestable') return { error: v.reason };
    if (v.kind === 'other-version') return { error: `the server answered with ${versionName(v.selectedVersion)}` };
    const ske = v.raw.serverKeyExchange;
    if (!ske) return { error: `no ServerKeyExchange (${v.raw.interruptedBy ?? 'the server sent none'})` };
    const parsed = parseServerKeyExchange(ske, 'ECDHE', v.serverHello.selectedVersion);
    if (!parsed.ok) return { error: parsed.error };
    if (parsed.value.kind !== 'ECDHE') return { error: 'not an ECDHE ServerKeyExchange' };
    const g = parsed.value.namedGroup;
    if (g === null) return { error: 'the server sent explicit curve parameters' };
    if (!groups.includes(g)) return { error: `the server used ${groupName(g)}, which was not offered` };
    return { curve: g, certificate: suiteByCode(v.suite)?.auth === 'ECDSA' ? v.raw.certificates[0] : undefined };
  };
}

/**
 * TLS ≤ 1.2: the curve named in the ECDHE ServerKeyExchange, removed from the offer each round.
 *
 * An ECDSA certificate is only usable when the client offers its curve (RFC 8422 §5.1; OpenSSL
 * enforces it), so once that curve has been found and removed the server refuses the ECDHE_ECDSA
 * suites. The curve is then kept at the end of every offer. If the server still picks it over all
 * that remain, either none of them is supported (a server that follows our order) or the server
 * ranks the certificate's curve above them (it follows its own): one more hello tells which.
 */
export async function enumerateTls12Curves(
  ctx: ProbeContext,
  ep: Endpoint,
  version: LegacyVersion,
  suites: readonly number[],
  offer: readonly number[] = TLS12_CURVE_OFFER,
): Promise<Enumerated> {
  const ask = curveAsker(ctx, ep, version, suites);

  let remaining = [...offer];
  const codes: number[] = [];
  let certCurve: number | null = null;
  /** The certificate's curve, once the server turned out to need it in every offer. */
  let keep: number | null = null;
  // An empty supported_groups would be omitted, which tells the server "any curve": stop instead.
  for (let round = 0; remaining.length > 0; round++) {
    if (round >= MAX_GROUP_ROUNDS) return { codes, incomplete: `stopped after ${MAX_GROUP_ROUNDS} handshakes` };
    const a = await ask(keep === null ? remaining : [...remaining, keep]);
    if (a === 'refused') {
      if (keep === null && certCurve !== null && codes.includes(certCurve)) {
        keep = certCurve;
        continue;
      }
      return { codes };
    }
    if ('error' in a) return { codes, incomplete: a.error };
    certCurve ??= certificateCurve(a.certificate);
    if (a.curve === keep) {
      if (await followsClientOrder(codes, keep, ask)) return { codes };
      // No client can negotiate the curves left: it must offer the certificate's curve, and the
      // server then picks that one. So the list is complete for what can be negotiated.
      const rest = remaining.length;
      return {
        codes,
        note: `the server prefers ${groupName(keep)}, its ECDSA certificate's curve, to the ${rest} curve(s) left, and refuses ECDSA suites without it: no client can negotiate those`,
      };
    }
    codes.push(a.curve);
    remaining = remaining.filter((c) => c !== a.curve);
  }
  return { codes };
}

/** Offer the first two curves found in reverse: a server that follows the client takes our first. */
async function followsClientOrder(
  codes: readonly number[],
  keep: number,
  ask: CurveAsk,
): Promise<boolean> {
  const [first, second] = codes;
  if (first === undefined || second === undefined) return false;
  const pair = [second, first];
  const a = await ask(pair.includes(keep) ? pair : [...pair, keep]);
  return typeof a === 'object' && 'curve' in a && a.curve === second;
}

/**
 * TLS ≤ 1.2 curves beyond `known`, a complete TLS 1.3 list: the report gives one set of groups,
 * so the curves TLS 1.3 showed need not be found again at TLS 1.2 (each such hello is signed by
 * the server). The curves beyond are offered first, and TLS 1.3's curves after them, since an
 * ECDSA-only server refuses any offer without its certificate's curve (RFC 8422 §5.1): a pick
 * from the curves beyond is a find (removed, and asked again); a refusal means none is usable.
 * A pick from the known tail ends it when it is the certificate's curve (ECDSA needs it offered,
 * so a client offering the curves beyond gets either it — the server ranks it higher — or none of
 * them); any other known pick narrows the tail to the certificate's curve, asked once more.
 * Usually 1 hello (RSA suites, nothing beyond) or 2 (ECDSA), where enumerating took curves + 1.
 */
export async function enumerateTls12CurvesBeyond(
  ctx: ProbeContext,
  ep: Endpoint,
  version: LegacyVersion,
  suites: readonly number[],
  known: readonly number[],
): Promise<Enumerated> {
  const ask = curveAsker(ctx, ep, version, suites);
  let remaining = TLS12_CURVE_OFFER.filter((c) => !known.includes(c));
  // RSA (free) suites need no tail: the curve choice does not depend on the certificate.
  const ecdsa = suites.every((c) => suiteByCode(c)?.auth === 'ECDSA');
  let tail = ecdsa ? TLS12_CURVE_OFFER.filter((c) => known.includes(c)) : [];
  const codes: number[] = [];
  let certCurve: number | null = null;
  for (let round = 0; remaining.length > 0; round++) {
    if (round >= MAX_GROUP_ROUNDS) return { codes, incomplete: `stopped after ${MAX_GROUP_ROUNDS} handshakes` };
    const a = await ask([...remaining, ...tail]);
    if (a === 'refused') return { codes };
    if ('error' in a) return { codes, incomplete: a.error };
    certCurve ??= certificateCurve(a.certificate);
    if (remaining.includes(a.curve)) {
      codes.push(a.curve);
      remaining = remaining.filter((c) => c !== a.curve);
      // A certificate on a curve TLS 1.3 did not show (brainpool, say): later offers need it too.
      if (ecdsa && a.curve === certCurve) tail = [...tail, a.curve];
      continue;
    }
    // A known curve: the ones beyond lost to it.
    if (a.curve === certCurve || tail.length <= 1) return { codes };
    if (certCurve === null) return { codes, incomplete: `the server picked ${groupName(a.curve)} and its certificate's curve could not be read` };
    // The certificate's curve alone stays behind the rest (unless it is one of the rest).
    tail = remaining.includes(certCurve) ? [] : [certCurve];
  }
  return { codes };
}

/**
 * The DHE prime, asked as an old client would (no supported_groups, so an RFC 7919 server cannot
 * switch to an FFDHE group): this is the weakest prime the server hands out. `target` overrides
 * where to ask (an MX host behind STARTTLS); by default the endpoint as every probe reaches it.
 */
export async function askDhPrime(
  ctx: ProbeContext,
  ep: Endpoint,
  version: LegacyVersion,
  suites: readonly number[],
  target: OfferTarget = offerTarget(ctx, ep),
): Promise<{ bits: number | null; prime?: string; incomplete?: string }> {
  const wire = WIRE_VERSION_OF[version];
  const v = await ctx.withConnection(target.ip, () =>
    offerTls(target, wire, suites, { ...helloExtras(wire), groups: [] }, 'server-hello-done'),
    { retryAlone: offerTimedOut },
  );
  if (v.kind === 'refused' || v.kind === 'untestable') return { bits: null, incomplete: v.reason };
  if (v.kind === 'other-version') return { bits: null, incomplete: `the server answered with ${versionName(v.selectedVersion)}` };
  const ske = v.raw.serverKeyExchange;
  if (!ske) return { bits: null, incomplete: `no ServerKeyExchange (${v.raw.interruptedBy ?? 'the server sent none'})` };
  const parsed = parseServerKeyExchange(ske, 'DHE', v.serverHello.selectedVersion);
  if (!parsed.ok) return { bits: null, incomplete: parsed.error };
  if (parsed.value.kind !== 'DHE') return { bits: null, incomplete: 'not a DHE ServerKeyExchange' };
  return { bits: parsed.value.primeBits, prime: parsed.value.prime.toString('hex').toUpperCase() };
}

export const tlsGroupsProbe = defineEndpointProbe({
  id: 'tls-groups',
  title: 'Key exchange groups',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe, tlsCiphersProbe],
  owns: ['groups', 'dhParameterBits', 'dhParameterPrime', 'groupsIncomplete'],
  async collect(ctx, deps) {
    const ep = ctx.endpoint;
    const protocols = needProtocols(deps);
    const ciphers = deps.get(tlsCiphersProbe);
    const ev: TlsGroupsEvidence = { tls13Groups: [], tls12Curves: [], dhPrimeBits: null, incomplete: [] };
    const incomplete: Partial<Record<keyof typeof INCOMPLETE, string>> = {};
    const tasks: Array<Promise<void>> = [];

    // The TLS 1.3 list, once complete, narrows what TLS 1.2 is asked (below).
    const tls13: Promise<number[] | null> =
      protocols.protocols['TLSv1.3'] === true
        ? enumerateTls13Groups(ctx, ep).then((e) => {
            ev.tls13Groups = e.codes.map(groupName);
            if (e.incomplete) incomplete.tls13 = e.incomplete;
            return e.incomplete ? null : e.codes;
          })
        : Promise.resolve(null);
    tasks.push(tls13.then(() => undefined));
    const legacy = LEGACY_HIGH_FIRST.some((p) => protocols.protocols[p] === true);
    if (legacy && !ciphers) {
      const why = 'cipher suites are unknown (tls-ciphers did not complete)';
      incomplete.tls12 = why;
      incomplete.dhe = why;
    }
    if (legacy && ciphers) {
      // ECDHE curves are negotiated through extensions, which SSLv3 hellos do not carry.
      const ecdhe = suitesToAsk(ciphers, isEcdhe, ['TLSv1.2', 'TLSv1.1', 'TLSv1.0']);
      if (ecdhe) {
        // Suites not signed with ECDSA leave the curve choice free of the certificate's curve.
        const free = ecdhe.suites.filter((c) => suiteByCode(c)?.auth !== 'ECDSA');
        const suites = free.length ? free : ecdhe.suites;
        tasks.push(
          tls13.then(async (known) => {
            const beyond = known !== null && known.length > 0;
            const e = beyond ? await enumerateTls12CurvesBeyond(ctx, ep, ecdhe.version, suites, known) : await enumerateTls12Curves(ctx, ep, ecdhe.version, suites);
            ev.tls12Curves = e.codes.map(groupName);
            if (beyond) ev.tls12Beyond13 = true;
            if (e.incomplete) incomplete.tls12 = e.incomplete;
            if (e.note) ev.notes = [...(ev.notes ?? []), `${INCOMPLETE.tls12}: ${e.note}`];
          }),
        );
      }
      const dhe = suitesToAsk(ciphers, isDhe);
      if (dhe) {
        tasks.push(
          askDhPrime(ctx, ep, dhe.version, dhe.suites).then((r) => {
            ev.dhPrimeBits = r.bits;
            if (r.prime) ev.dhPrime = r.prime;
            if (r.incomplete) incomplete.dhe = r.incomplete;
          }),
        );
      }
    }
    await Promise.all(tasks);
    for (const part of ['tls13', 'tls12', 'dhe'] as const) {
      const why = incomplete[part];
      if (why) ev.incomplete.push(`${INCOMPLETE[part]}: ${why}`);
    }
    if (ev.incomplete.length > 0 && groupsUnion(ev).length === 0 && ev.dhPrimeBits === null) {
      throw new ProbeFailed(ev.incomplete.join('; '), kindFromReason(ev.incomplete.join('; '), 'protocol'));
    }
    return ev;
  },
  check: (ev: TlsGroupsEvidence) => checkTlsGroups(ev),
  fields: (ev) => {
    const groups = groupsUnion(ev);
    // `null` means "not tested": an empty list only when nothing stopped early.
    return {
      groups: groups.length === 0 && ev.incomplete.length > 0 ? null : groups,
      dhParameterBits: ev.dhPrimeBits,
      // The same (cached) assessment the check makes, for the grader's composite-modulus cap; only
      // when a prime was read (dhParameterBits says whether one was).
      ...(ev.dhPrime ? { dhParameterPrime: assessDhPrime(ev.dhPrime).kind } : {}),
      ...(ev.incomplete.length ? { groupsIncomplete: ev.incomplete } : {}),
    };
  },
});
