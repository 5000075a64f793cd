// Every certificate chain the endpoint serves (one per signature family), as sent, and what it is
// worth: trust path to the Mozilla roots (or --ca-file), hostname match, leaf facts, the OCSP
// staple (and the responder with --online-revocation), and Certificate Transparency from all three
// SCT sources against the CT log list. Collection here; judgement in src/cert/checks.ts.
// A served certificate that cannot be read (malformed DER, a date that is not a valid time) never
// disables the probe: it is listed in the chain's `unreadable` with its position and parse error,
// the chain is not trusted, and the rest of the chain is still judged.
import { chainInfo, describeServedChain, withUnreadable, type ChainTrustError } from '../../cert/chain.js';
import { checkCertificates, type CertificatesEvidence, type ChainEvidence } from '../../cert/checks.js';
import { dnsSans } from '../../cert/describe.js';
import type { OcspEvaluation } from '../../cert/ocsp.js';
import { evaluateScts } from '../../ct/index.js';
import type { CtLogListChoice } from '../../data/reference.js';
import { kindFromReason } from '../../engine/errors.js';
import { defineOption } from '../../engine/options.js';
import { defineEndpointProbe, ProbeFailed, ProbeSkipped, type ProbeContext } from '../../engine/probe.js';
import type { ChainInfo } from '../../model/report.js';
import { queryOcsp } from '../../net/ocsp-client.js';
import { fetchServedChains, type ServedChain } from '../../net/tls/served-chains.js';
import { fetchCaIssuers } from '../../trust/aia.js';
import { describeSnapshot } from '../../trust/mozilla.js';
import { buildPath, type PathResult } from '../../trust/path.js';
import { issuedByAnchorName } from '../../trust/store.js';
import { needProtocols, tlsProtocolsProbe, VERSIONS_BEST_FIRST } from './protocols.js';

/** --online-revocation: ask the certificate's OCSP responder (a CA's server) for its status. */
export const onlineRevocationOption = defineOption<boolean>({
  flag: '--online-revocation',
  description: "ask each certificate's OCSP responder (a CA's server) for its revocation status",
  default: false,
  parse: (raw) => raw === true,
});

/** --fetch-intermediates: download missing intermediates from the AIA caIssuers URL. */
export const fetchIntermediatesOption = defineOption<boolean>({
  flag: '--fetch-intermediates',
  description: 'download missing intermediates from the AIA caIssuers URL to finish chain building',
  default: false,
  parse: (raw) => raw === true,
});

type OcspStatus = ChainInfo['ocsp'][number];

/** The report's OCSP entry from an evaluation. */
export function ocspStatusOf(source: OcspStatus['source'], ev: OcspEvaluation, url?: string): OcspStatus {
  const usable = ev.responseStatus === 'successful' && ev.certStatus !== null;
  const parts: string[] = [];
  if (ev.responseStatus !== 'successful') parts.push(`response status ${ev.responseStatus ?? 'unreadable'}`);
  else if (ev.certStatus === null) parts.push('no response for this certificate in it');
  else parts.push(`${ev.certStatus}${ev.revocationReason ? ` (${ev.revocationReason})` : ''}`);
  if (usable && !ev.fresh) parts.push('stale');
  if (ev.signature.valid === false) parts.push(`bad signature: ${ev.signature.detail}`);
  if (ev.signature.valid === null && usable) parts.push(`signature not checked: ${ev.signature.detail}`);
  parts.push(...ev.errors);
  return {
    source,
    ...(url ? { url } : {}),
    status: usable ? ev.certStatus : null,
    revokedAt: ev.revokedAt?.toISOString() ?? null,
    thisUpdate: ev.thisUpdate?.toISOString() ?? null,
    nextUpdate: ev.nextUpdate?.toISOString() ?? null,
    fresh: usable ? ev.fresh : null,
    signatureValid: ev.signature.valid,
    detail: parts.join('; '),
  };
}

/** Resolve a third-party URL's host (OCSP responder, AIA) through the scan's resolver, as --dns asks. */
function lookupVia(ctx: ProbeContext) {
  return async (hostname: string): Promise<string> => {
    // A URL in the certificate is where the scanned site leads us: held to the address policy.
    const r = await ctx.addressOf(hostname);
    if (!r.ok) throw new Error(r.reason);
    return r.address;
  };
}

type ChainPath = Omit<PathResult, 'errors'> & { errors: ChainTrustError[] };

/** buildPath, which must not take the probe down: if it throws, the chain is untrusted with an 'unreadable' error saying why. */
function safeBuildPath(ctx: ProbeContext, served: Buffer[], now: Date, extraIntermediates?: Buffer[]): ChainPath {
  try {
    return buildPath(served, ctx.trust, { now, ...(extraIntermediates ? { extraIntermediates } : {}) });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      trusted: false,
      errors: [{ code: 'unreadable', certIndex: null, subject: 'served chain', detail: `The chain could not be evaluated: ${why}. Clients reject a chain they cannot parse.` }],
      anchor: null,
      path: [],
      chainComplete: false,
      fetchedUsed: 0,
      extraCertificates: [],
      misordered: false,
      anchorServed: false,
      profile: [],
    };
  }
}

async function completePath(ctx: ProbeContext, chain: ServedChain, now: Date): Promise<{ path: ChainPath; aiaErrors: string[] }> {
  const path = safeBuildPath(ctx, chain.certificates, now);
  if (path.chainComplete || !ctx.option(fetchIntermediatesOption)) return { path, aiaErrors: [] };
  // Download from the top of what we have: the last certificate on the best partial path.
  const top = path.path[path.path.length - 1]?.der ?? chain.certificates[0]!;
  const fetched = await fetchCaIssuers(top, {
    signal: ctx.signal,
    timeoutMs: ctx.connectTimeoutMs,
    lookup: lookupVia(ctx),
    follow: (der) => !issuedByAnchorName(ctx.trust, der),
  });
  if (fetched.certs.length === 0) return { path, aiaErrors: fetched.errors };
  return { path: safeBuildPath(ctx, chain.certificates, now, fetched.certs), aiaErrors: fetched.errors };
}

type OcspModule = typeof import('../../cert/ocsp.js');

/** The ASN.1 libraries behind OCSP cost ~180 ms to load: only scans that read certificates pay. */
const loadOcsp = (): Promise<OcspModule> => import('../../cert/ocsp.js');

async function onlineOcsp(ctx: ProbeContext, ocspLib: OcspModule, leafDer: Buffer, issuerDer: Buffer, now: Date): Promise<OcspStatus | null> {
  const { ocspResponderUrls, buildOcspRequest, evaluateOcspResponse } = ocspLib;
  const url = ocspResponderUrls(leafDer)[0];
  if (!url) return null;
  const answer = await queryOcsp(url, buildOcspRequest(leafDer, issuerDer), { signal: ctx.signal, timeoutMs: ctx.connectTimeoutMs, lookup: lookupVia(ctx) });
  if (!answer.ok) {
    return { source: 'responder', url, status: null, revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, detail: `could not ask: ${answer.reason}` };
  }
  return ocspStatusOf('responder', evaluateOcspResponse(answer.der, { leafDer, issuerDer, now }), url);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function examineChain(ctx: ProbeContext, chain: ServedChain, index: number, logList: CtLogListChoice): Promise<ChainEvidence> {
  const now = ctx.now();
  const host = ctx.target.sni ?? ctx.target.host;
  const leafDer = chain.certificates[0]!;
  const built = await completePath(ctx, chain, now);
  const { aiaErrors } = built;
  const facts = describeServedChain(chain.certificates, built.path, { host, now, index, ocspStapled: chain.ocspStaple !== null });
  // Unreadable certificates make the chain untrusted; their positions and errors are the trust errors.
  const path = withUnreadable(built.path, facts.unreadable);
  const leafReadable = facts.leaf !== null;
  const issuerDer = path.path[1]?.der ?? null;
  const ocspLib = await loadOcsp();
  const { evaluateOcspResponse, mustStaple } = ocspLib;

  // Revocation and CT are about the leaf: with the leaf unreadable they are not judged. Either may
  // still meet an unreadable certificate (the issuer): that is a note on it, not a failed probe.
  const ocsp: OcspStatus[] = [];
  let stapled: OcspEvaluation | null = null;
  if (chain.ocspStaple && leafReadable) {
    try {
      stapled = evaluateOcspResponse(chain.ocspStaple, { leafDer, issuerDer, now });
      ocsp.push(ocspStatusOf('stapled', stapled));
    } catch (err) {
      ocsp.push({ source: 'stapled', status: null, revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, detail: `could not be evaluated: ${message(err)}` });
    }
  }
  if (ctx.option(onlineRevocationOption) && issuerDer && leafReadable) {
    const online = await ctx.withConnection(ctx.endpoint?.ip ?? host, () => onlineOcsp(ctx, ocspLib, leafDer, issuerDer, now));
    if (online) ocsp.push(online);
  }

  let ct: ReturnType<typeof evaluateScts> | null = null;
  let ctUnavailable: string | null = logList.ok ? null : logList.reason;
  if (logList.ok && !leafReadable) ctUnavailable = 'the server certificate cannot be read';
  if (logList.ok && leafReadable) {
    try {
      ct = evaluateScts({ leafDer, issuerDer, tlsExtension: chain.sctList, ocspSctList: stapled?.sctList ?? null, logList: logList.list, now });
    } catch (err) {
      ctUnavailable = `CT could not be evaluated: ${message(err)}`;
    }
  }

  const certificates = facts.certificates;
  const leaf = certificates.find((c) => c.servedIndex === 0);
  if (leaf) {
    leaf.mustStaple = mustStaple(leafDer);
    leaf.scts = ct ? ct.scts.map(({ logId, logName, operator, logState, source, valid, timestamp }) => ({ logId, logName, operator, logState, source, valid, timestamp })) : null;
  }
  return {
    index,
    requested: chain.family,
    protocol: chain.protocol,
    certificates,
    path: { ...path, path: path.path.map(({ der: _der, ...rest }) => rest) },
    unreadable: facts.unreadable,
    aiaErrors,
    matchedName: host,
    leafDnsNames: facts.leaf ? dnsSans(facts.leaf) : [],
    ocsp,
    ct: ct
      ? { compliant: ct.policy.compliant, reason: ct.policy.reason, validScts: ct.scts.filter((s) => s.valid === true).length, logListDate: ct.logListDate, scts: ct.scts, parseErrors: ct.parseErrors, logListStale: ct.policy.logListStale }
      : null,
    ctUnavailable,
  };
}

export const tlsCertificatesProbe = defineEndpointProbe({
  id: 'tls-certificates',
  title: 'Certificate chains, trust, revocation and CT',
  categories: ['cert'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe],
  owns: ['certificates', 'chains', 'chainsIncomplete'],
  options: [onlineRevocationOption, fetchIntermediatesOption],
  async collect(ctx, deps): Promise<CertificatesEvidence> {
    const ep = ctx.endpoint;
    const { protocols } = needProtocols(deps);
    const version = VERSIONS_BEST_FIRST.find((v) => protocols[v] === true);
    if (!version) throw new ProbeSkipped('the endpoint accepts no TLS or SSLv3 handshake');
    // Reference data and the OCSP library load while the handshakes are on the wire.
    const logListLoading = ctx.reference.ctLogList();
    const ocspLoading = loadOcsp();
    ocspLoading.catch(() => undefined);
    logListLoading.catch(() => undefined);
    const { chains, attempts } = await fetchServedChains({
      ip: ep.ip,
      port: ep.port,
      servername: ctx.target.sni,
      timeoutMs: ctx.connectTimeoutMs,
      signal: ctx.signal,
      version,
      withConnection: (fn) => ctx.withConnection(ep.ip, fn),
    });
    if (chains.length === 0) {
      const why = `no certificate chain could be read (${attempts.map((a) => `${a.family}: ${a.detail}`).join('; ')})`;
      throw new ProbeFailed(why, kindFromReason(why, 'protocol'));
    }
    const logList = await logListLoading;
    await ocspLoading;
    const examined: ChainEvidence[] = [];
    for (const [i, chain] of chains.entries()) examined.push(await examineChain(ctx, chain, i, logList));
    const snapshot = ctx.trust.snapshot();
    return {
      chains: examined,
      attempts,
      rootStore: snapshot
        ? { version: `Mozilla ${describeSnapshot(snapshot)}`, date: snapshot.lastChanged ?? '', source: 'shipped' }
        : { version: ctx.trust.description, date: '', source: 'node' },
      logList: logList.ok ? { version: logList.list.version, date: logList.list.logListTimestamp.toISOString(), source: logList.list.source } : null,
    };
  },
  check: (ev: CertificatesEvidence, facts) => checkCertificates(ev, facts.now),
  fields: (ev) => ({
    certificates: ev.chains.flatMap((c) => c.certificates),
    chains: ev.chains.map((c) =>
      chainInfo({
        index: c.index,
        requested: c.requested,
        protocol: c.protocol,
        certificates: c.certificates,
        served: c.certificates.length + (c.unreadable?.length ?? 0),
        path: c.path,
        unreadable: c.unreadable ?? [],
        ocsp: c.ocsp,
        ct: c.ct ? { compliant: c.ct.compliant, reason: c.ct.reason, validScts: c.ct.validScts, logListDate: c.ct.logListDate } : null,
      }),
    ),
    // Hellos that got no chain back although they could have (not a refusal): another chain may exist.
    ...(ev.attempts.some((a) => a.outcome === 'untestable')
      ? { chainsIncomplete: ev.attempts.filter((a) => a.outcome === 'untestable').map((a) => `${a.family} ${a.protocol}: ${a.detail}`) }
      : {}),
  }),
  dataSources: (ev) => [
    ...(ev.logList ? [{ name: 'ct-log-list', version: ev.logList.version ?? 'unknown', date: ev.logList.date, source: ev.logList.source }] : []),
    { name: 'root-store', ...ev.rootStore },
  ],
});
