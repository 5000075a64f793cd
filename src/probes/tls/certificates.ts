// Every certificate chain the endpoint serves (one per signature family), as sent, and what it is
// worth: trust path to the Mozilla roots (or --ca-file), completed from the AIA caIssuers URL when
// an intermediate is missing, hostname match, leaf facts, revocation (staple, responder, CRL: see
// revocation.ts) and Certificate Transparency from all three SCT sources against the CT log list.
// AIA, OCSP and CRL servers are contacted by default, as SSL Labs does; --no-phone-out turns every
// such third-party request off. An SSLv2-only server's certificate comes from its SERVER-HELLO.
// Collection here; judgement in src/cert/checks.ts.
// A served certificate that cannot be read (malformed DER, a date that is not a valid time) never
// disables the probe: it is listed in the chain's `unreadable` with its position and parse error,
// the chain is not trusted, and the rest of the chain is still judged.
import { chainInfo, describeServedChain, withUnreadable, type ChainTrustError } from '../../cert/chain.js';
import { checkCertificates, type CertificatesEvidence, type ChainEvidence } from '../../cert/checks.js';
import { dnsSans } from '../../cert/describe.js';
import { evaluateScts } from '../../ct/index.js';
import type { CtLogListChoice } from '../../data/reference.js';
import { kindFromReason } from '../../engine/errors.js';
import { defineOption } from '../../engine/options.js';
import { defineEndpointProbe, preambleOf, ProbeFailed, ProbeSkipped, type ProbeContext } from '../../engine/probe.js';
import { fetchSslv2Certificate } from '../../net/tls/sslv2-certificate.js';
import { fetchServedChains, type ServedChain } from '../../net/tls/served-chains.js';
import { fetchCaIssuers } from '../../trust/aia.js';
import { describeSnapshot } from '../../trust/mozilla.js';
import { buildPath, type PathResult } from '../../trust/path.js';
import { issuedByAnchorName } from '../../trust/store.js';
import { needProtocols, tlsProtocolsProbe, VERSIONS_BEST_FIRST } from './protocols.js';
import { AIA_DEADLINE_MS, checkRevocation, lookupVia } from './revocation.js';

/**
 * --no-phone-out: contact no third party the certificate names (AIA caIssuers, OCSP responder,
 * CRL server). Commander turns `--no-phone-out` into `phoneOut: false`; the default is true.
 */
export const phoneOutOption = defineOption<boolean>({
  flag: '--no-phone-out',
  description: 'contact no third party the certificate names: no AIA intermediate download, no OCSP responder, no CRL (revocation then only from the staple)',
  default: true,
  parse: (raw) => raw !== false,
});

/** --online-revocation: accepted for compatibility; asking the OCSP responder (and the CRL) is now the default. */
export const onlineRevocationOption = defineOption<boolean>({
  flag: '--online-revocation',
  description: 'no effect: revocation (OCSP responder, then CRL) is now checked by default (see --no-phone-out)',
  default: false,
  parse: (raw) => raw === true,
});

/** --fetch-intermediates: accepted for compatibility; AIA downloads are now the default. */
export const fetchIntermediatesOption = defineOption<boolean>({
  flag: '--fetch-intermediates',
  description: 'no effect: missing intermediates are now downloaded from the AIA URL by default (see --no-phone-out)',
  default: false,
  parse: (raw) => raw === true,
});

export { ocspStatusOf } from './revocation.js';

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

/** A chain to examine: one a TLS handshake served, or the SSLv2 SERVER-HELLO's single certificate. */
type ChainInput = Pick<ServedChain, 'certificates' | 'ocspStaple' | 'sctList'> & { family: string; protocol: string };

async function completePath(ctx: ProbeContext, chain: ChainInput, now: Date): Promise<{ path: ChainPath; aiaErrors: string[] }> {
  const path = safeBuildPath(ctx, chain.certificates, now);
  if (path.chainComplete) return { path, aiaErrors: [] };
  if (!ctx.option(phoneOutOption)) return { path, aiaErrors: ['AIA intermediates not downloaded (--no-phone-out)'] };
  // Download from the top of what we have: the last certificate on the best partial path.
  const top = path.path[path.path.length - 1]?.der ?? chain.certificates[0]!;
  const fetched = await fetchCaIssuers(top, {
    signal: ctx.signal,
    timeoutMs: AIA_DEADLINE_MS,
    lookup: lookupVia(ctx),
    follow: (der) => !issuedByAnchorName(ctx.trust, der),
  });
  if (fetched.certs.length === 0) return { path, aiaErrors: fetched.errors };
  return { path: safeBuildPath(ctx, chain.certificates, now, fetched.certs), aiaErrors: fetched.errors };
}

type OcspModule = typeof import('../../cert/ocsp.js');

/** The ASN.1 libraries behind OCSP cost ~180 ms to load: only scans that read certificates pay. */
const loadOcsp = (): Promise<OcspModule> => import('../../cert/ocsp.js');

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function examineChain(ctx: ProbeContext, chain: ChainInput, index: number, logList: CtLogListChoice): Promise<ChainEvidence> {
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

  // Revocation and CT are about the leaf: with the leaf unreadable they are not judged. Either may
  // still meet an unreadable certificate (the issuer): that is a note on it, not a failed probe.
  const { ocsp, stapled, revocation } = await checkRevocation(ctx, ocspLib, {
    leafDer, issuerDer, leafReadable, staple: chain.ocspStaple, now, phoneOut: ctx.option(phoneOutOption),
  });

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
    leaf.mustStaple = ocspLib.mustStaple(leafDer);
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
    revocation,
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
  options: [phoneOutOption, onlineRevocationOption, fetchIntermediatesOption],
  async collect(ctx, deps): Promise<CertificatesEvidence> {
    const ep = ctx.endpoint;
    const { protocols } = needProtocols(deps);
    const version = VERSIONS_BEST_FIRST.find((v) => protocols[v] === true);
    const sslv2 = protocols.SSLv2 === true;
    if (!version && !sslv2) throw new ProbeSkipped('the endpoint accepts no SSL or TLS handshake');
    // Reference data and the OCSP library load while the handshakes are on the wire.
    const logListLoading = ctx.reference.ctLogList();
    const ocspLoading = loadOcsp();
    ocspLoading.catch(() => undefined);
    logListLoading.catch(() => undefined);
    const served = version
      ? await fetchServedChains({
          ip: ep.ip,
          port: ep.port,
          servername: ctx.target.sni,
          timeoutMs: ctx.connectTimeoutMs,
          signal: ctx.signal,
          version,
          withConnection: (fn) => ctx.withConnection(ep.ip, fn),
          ...preambleOf(ctx.target),
        })
      : { chains: [], attempts: [] };
    const { attempts } = served;
    let chains: ChainInput[] = served.chains;
    const why: string[] = attempts.map((a) => `${a.family}: ${a.detail}`);
    // No SSLv3+/TLS handshake gave a chain: an SSLv2 server names its one certificate in its
    // SERVER-HELLO (SSL 2.0 authenticates with RSA only), and path building goes on from it.
    if (chains.length === 0 && sslv2) {
      const target = { ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) };
      const v2 = await ctx.withConnection(ep.ip, () => fetchSslv2Certificate(target));
      if (v2.ok) chains = [{ family: 'RSA', protocol: 'SSLv2', certificates: [v2.certificate], ocspStaple: null, sctList: null }];
      else why.push(`SSLv2: ${v2.reason}`);
    }
    if (chains.length === 0) {
      const reason = `no certificate chain could be read (${why.join('; ')})`;
      throw new ProbeFailed(reason, kindFromReason(reason, 'protocol'));
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
        ...(c.revocation ? { revocation: c.revocation } : {}),
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
