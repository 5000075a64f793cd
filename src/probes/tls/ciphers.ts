// Every cipher suite the endpoint accepts, per accepted protocol, and whether it imposes its own
// order. Enumeration offers the registry in hellos of ≤ 128 suites and removes each suite the
// server picks, so it costs one handshake per accepted suite plus one per exhausted bundle.
import { defineEndpointProbe, type ProbeContext } from '../../engine/probe.js';
import type { ProtocolName } from '../../model/report.js';
import { offerTimedOut, offerTls, type OfferTarget } from '../../net/tls/offer.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../../net/tls/suite-order.js';
import { checkTlsCiphers, nonIanaField, type TlsCiphersEvidence } from '../../tls/ciphers.js';
import type { TlsProtocolsEvidence } from '../../tls/protocols.js';
import { suiteByCode } from '../../tls/registry/index.js';
import { helloExtras, needProtocols, offerTarget, tlsProtocolsProbe, WIRE_VERSION_OF } from './protocols.js';

type TlsVersionName = Exclude<ProtocolName, 'SSLv2'>;

const nameOf = (code: number): string => suiteByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;

interface Enumeration {
  accepted: number[];
  /** For each accepted suite, the bundle it was picked from: picks within one bundle are one ranking. */
  bundleOf: number[];
  /** Each accepting hello: the suites in the order offered, and the one picked. */
  rounds: Array<{ offered: readonly number[]; pick: number }>;
  /** The order the enumeration proved with its two known suites at the end of a hello (see orderProbe). */
  orderProof?: 'client' | 'server';
  incomplete?: string;
}

/**
 * Two suites already picked, to ride at the end of the next hello in the reverse of their pick
 * order, while the order is still unknown: `[…rest of the bundle, second, first]`. When every pick
 * so far came from one hello after another that offered all of them, a server that imposes its
 * order ranks `first` above `second` and, if it takes one of them, takes `first`; a server that
 * follows ours takes the first acceptable suite we list, so `second` only when nothing new in the
 * bundle is acceptable. The hello that ends a client-order bundle therefore also proves the order
 * (the separate check's hello saved); a server-order answer costs that one hello instead.
 */
function orderProbe(e: Enumeration, refusedBundles: number): [number, number] | null {
  if (e.orderProof || e.accepted.length < 2) return null;
  if (e.bundleOf.some((b) => b !== refusedBundles) || !offeredAllLeft(e)) return null;
  return [e.accepted[1]!, e.accepted[0]!];
}

async function enumerate(
  ctx: ProbeContext,
  target: OfferTarget,
  p: TlsVersionName,
  seed: TlsProtocolsEvidence['firstPick'][TlsVersionName],
): Promise<Enumeration> {
  const version = WIRE_VERSION_OF[p];
  let remaining = [...probeOrder(version)];
  const accepted: number[] = [];
  const bundleOf: number[] = [];
  const rounds: Enumeration['rounds'] = [];
  let refusedBundles = 0;
  // tls-protocols already made the first offers with the same order and options: continue there.
  if (seed) {
    const offered = remaining.slice(seed.refusedBundles * MAX_SUITES_PER_HELLO, (seed.refusedBundles + 1) * MAX_SUITES_PER_HELLO);
    remaining = remaining.slice(seed.refusedBundles * MAX_SUITES_PER_HELLO).filter((c) => c !== seed.suite);
    accepted.push(seed.suite);
    bundleOf.push(seed.refusedBundles);
    rounds.push({ offered, pick: seed.suite });
    refusedBundles = seed.refusedBundles;
  }
  const e: Enumeration = { accepted, bundleOf, rounds };
  while (remaining.length > 0) {
    // Every other accepting hello offers its bundle reversed, so a server that imposes its own
    // order shows it during the enumeration itself (see serverOrderShown).
    const known = e.orderProof || serverOrderShown(e) ? null : orderProbe(e, refusedBundles);
    // The two known suites take the last places of a full hello; what they displace comes next.
    const forward = remaining.slice(0, MAX_SUITES_PER_HELLO - (known ? known.length : 0));
    const bundle = rounds.length % 2 === 1 ? [...forward].reverse() : forward;
    const offer = known ? [...bundle, ...known] : bundle;
    const v = await ctx.withConnection(target.ip, () => offerTls(target, version, offer, helloExtras(version)), { retryAlone: offerTimedOut });
    if (v.kind === 'accepted' && known && known.includes(v.suite)) {
      // A known suite: the order is proven; `second` also shows nothing left here is acceptable.
      if (v.suite === known[1]) {
        e.orderProof = 'server';
        continue;
      }
      e.orderProof = 'client';
      remaining = remaining.slice(bundle.length);
      refusedBundles++;
    } else if (v.kind === 'accepted') {
      accepted.push(v.suite);
      bundleOf.push(refusedBundles);
      rounds.push({ offered: offer, pick: v.suite });
      remaining = remaining.filter((c) => c !== v.suite);
    } else if (v.kind === 'untestable') {
      return { ...e, incomplete: v.reason };
    } else {
      // Nothing left in this bundle is acceptable: move on to the next one.
      remaining = remaining.slice(bundle.length);
      refusedBundles++;
    }
  }
  return e;
}

/**
 * Whether the enumeration itself proved the server imposes its order, with every accepted suite
 * known: a hello whose first acceptable suite (in our order) was passed over for another. That
 * counts only where each hello offered every accepted suite not yet picked, so that the picks,
 * each the server's favourite among all that remained, are its ranking. A client-order server
 * never passes one over, and a server whose ranking happens to match our alternating orders
 * cannot be told from one: both get the explicit check in preference().
 */
function serverOrderShown(e: Enumeration): boolean {
  if (e.incomplete || e.accepted.length < 2 || !offeredAllLeft(e)) return false;
  const left = new Set(e.accepted);
  let shown = false;
  for (const { offered, pick } of e.rounds) {
    const firstAcceptable = offered.find((c) => left.has(c));
    if (firstAcceptable !== pick) shown = true;
    left.delete(pick);
  }
  return shown;
}

/** Whether each accepting hello offered every accepted suite not yet picked: the picks are then one ranking. */
function offeredAllLeft(e: Enumeration): boolean {
  if (e.rounds.length !== e.accepted.length) return false;
  const left = new Set(e.accepted);
  for (const { offered, pick } of e.rounds) {
    const offeredSet = new Set(offered);
    for (const suite of left) if (!offeredSet.has(suite)) return false;
    left.delete(pick);
  }
  return true;
}

/** The server's order (or that it follows ours): from the enumeration when it showed it, else asked. */
async function preference(ctx: ProbeContext, target: OfferTarget, p: TlsVersionName, e: Enumeration): Promise<{ server: boolean | null; order: number[] }> {
  if (e.accepted.length < 2) return { server: null, order: e.accepted };
  if (serverOrderShown(e)) return { server: true, order: e.accepted };
  const inOurOrder = inProbeOrder(p, e.accepted);
  if (e.orderProof === 'client') return { server: false, order: inOurOrder };
  // Proven while every pick was one ranking; a later bundle's picks still need merging in.
  if (e.orderProof === 'server' && offeredAllLeft(e)) return { server: true, order: e.accepted };
  const found = await serverPreference(ctx, target, p, e);
  // Without a server order the list is given in ours (the picks alternated direction).
  return found.server === true ? found : { server: found.server, order: inOurOrder };
}

function inProbeOrder(p: TlsVersionName, suites: readonly number[]): number[] {
  const rank = new Map(probeOrder(WIRE_VERSION_OF[p]).map((c, i) => [c, i]));
  return [...suites].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
}

/**
 * Server order: offer the accepted suites reversed. A client-order server takes our first; a
 * server-order server takes its own favourite again. When every pick came from one hello the first
 * pick is that favourite and the picks are already the server's ranking (one extra handshake).
 * Picks from several hellos are separate rankings: a forward offer finds the favourite, and later
 * groups are merged in by binary insertion, one two-suite hello per comparison.
 */
async function serverPreference(ctx: ProbeContext, target: OfferTarget, p: TlsVersionName, e: Enumeration): Promise<{ server: boolean | null; order: number[] }> {
  const version = WIRE_VERSION_OF[p];
  const offer = (suites: number[]) =>
    ctx.withConnection(target.ip, () => offerTls(target, version, suites.slice(0, MAX_SUITES_PER_HELLO), helloExtras(version)), { retryAlone: offerTimedOut });
  const spans = new Set(e.bundleOf).size > 1;
  const reversed = await offer([...e.accepted].reverse());
  if (reversed.kind !== 'accepted') return { server: null, order: e.accepted };
  let favourite = e.accepted[0];
  if (spans) {
    const forward = await offer(e.accepted);
    if (forward.kind !== 'accepted') return { server: null, order: e.accepted };
    favourite = forward.suite;
  }
  const server = reversed.suite === favourite;
  if (!server || !spans) return { server, order: e.accepted };

  const groups = new Map<number, number[]>();
  e.accepted.forEach((suite, i) => groups.set(e.bundleOf[i]!, [...(groups.get(e.bundleOf[i]!) ?? []), suite]));
  const [first, ...later] = [...groups.values()];
  const merged = [...(first ?? [])];
  for (const group of later) {
    let lo = 0;
    for (const suite of group) {
      // Within a group the order is known, so each suite goes after the one inserted before it.
      let hi = merged.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const v = await offer([suite, merged[mid]!]);
        if (v.kind !== 'accepted') return { server, order: e.accepted };
        if (v.suite === suite) hi = mid;
        else lo = mid + 1;
      }
      merged.splice(lo, 0, suite);
      lo++;
    }
  }
  return { server, order: merged };
}

/**
 * Every suite `target` (an endpoint, or an MX host behind STARTTLS) accepts on each version
 * `protocols` found, and its preference: the probe's collect step.
 */
export async function collectTlsCiphers(ctx: ProbeContext, target: OfferTarget, protocols: TlsProtocolsEvidence): Promise<TlsCiphersEvidence> {
  const ev: TlsCiphersEvidence = { suites: {}, serverPreference: {}, incomplete: {} };
  if (protocols.sslv2Ciphers.length) ev.suites.SSLv2 = protocols.sslv2Ciphers;
  const versions = (Object.keys(WIRE_VERSION_OF) as TlsVersionName[]).filter((p) => protocols.protocols[p] === true);
  await Promise.all(
    versions.map(async (p) => {
      const e = await enumerate(ctx, target, p, protocols.firstPick[p]);
      const pref = e.incomplete ? { server: null, order: inProbeOrder(p, e.accepted) } : await preference(ctx, target, p, e);
      ev.suites[p] = pref.order.map(nameOf);
      ev.serverPreference[p] = pref.server;
      if (e.incomplete) ev.incomplete[p] = e.incomplete;
    }),
  );
  return ev;
}

export const tlsCiphersProbe = defineEndpointProbe({
  id: 'tls-ciphers',
  title: 'TLS cipher suites',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['cipherSuites', 'serverPreference', 'cipherSuitesIncomplete', 'cipherSuitesNonIana'],
  collect: (ctx, deps) => collectTlsCiphers(ctx, offerTarget(ctx, ctx.endpoint), needProtocols(deps)),
  check: (ev: TlsCiphersEvidence) => checkTlsCiphers(ev),
  fields: (ev) => ({
    cipherSuites: ev.suites,
    serverPreference: ev.serverPreference,
    // Only when a list is a lower bound, so a complete report says nothing more.
    ...(Object.keys(ev.incomplete).length ? { cipherSuitesIncomplete: ev.incomplete as Record<string, string> } : {}),
    ...nonIanaField(ev),
  }),
});

