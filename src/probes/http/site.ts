// The site over HTTP(S), as a browser and the MDN Observatory meet it: the https:// redirect chain and
// the page it ends on (body capped), http:// and its redirect to https, a cross-origin request with a
// test Origin (a CORS preflight), and /.well-known/security.txt — four requests side by side, each pinned to the
// endpoint for the target's own host, each with a deadline. Judgement: src/http/site-checks.ts;
// grades: src/grade/site.ts.
import { isIP } from 'node:net';
import type { CertificatesEvidence } from '../../cert/checks.js';
import { hstsPreloadStatus, type HstsPreloadList } from '../../data/hsts-preload.js';
import { httpFailureKind } from '../../engine/errors.js';
import { defineOption, portValue } from '../../engine/options.js';
import { defineTargetProbe, ProbeFailed, ProbeSkipped, type ProbeContext } from '../../engine/probe.js';
import { checkHttpToHttps, fetchChain, type FetchChainOptions, type FetchChainResult } from '../../http/fetch-chain.js';
import { fetchSecurityTxt } from '../../http/security-txt.js';
import { OBSERVATORY_CORS_ORIGIN, OBSERVATORY_CORS_REQUEST_HEADERS } from '../../http/observatory/index.js';
import type { CorsProbe, HttpSiteEvidence, PreloadState } from '../../http/site-evidence.js';
import { checkHttpSite } from '../../http/site-checks.js';
import { httpSiteDataSources, httpSiteFields } from '../../http/site-fields.js';
import { pinnedRequest, HttpRequestError } from '../../net/http/pinned-request.js';
import { tlsCertificatesProbe } from '../tls/certificates.js';

/** --http-port: where the site's plain HTTP listens (the http → https check). */
export const httpPortOption = defineOption<number>({
  flag: '--http-port <port>',
  description: 'port of the plain-HTTP site checked for its redirect to HTTPS (default 80)',
  default: 80,
  parse: portValue,
});

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** The certificate probe's verdict on the first chain: trusted and naming the host. */
function certificateValid(ev: CertificatesEvidence | undefined): boolean | null {
  const chain = ev?.chains[0];
  if (!chain) return null;
  return chain.path.trusted && chain.certificates[0]?.hostnameMatch === true;
}

function preloadStates(chains: ReadonlyArray<FetchChainResult | { hops: FetchChainResult['hops'] } | null>, host: string, list: HstsPreloadList): Record<string, PreloadState> {
  const hosts = new Set<string>([host]);
  for (const chain of chains) {
    for (const hop of chain?.hops ?? []) {
      for (const u of [hop.url, hop.next]) {
        if (!u) continue;
        try {
          hosts.add(bare(new URL(u).hostname));
        } catch {
          // an unparseable Location is judged elsewhere
        }
      }
    }
  }
  const out: Record<string, PreloadState> = {};
  for (const h of hosts) out[h] = isIP(h) ? 'not' : hstsPreloadStatus(h, list).preloaded ? 'preloaded' : 'not';
  return out;
}

async function corsProbe(ctx: ProbeContext, base: Omit<FetchChainOptions, 'url'>, url: URL, ip: string): Promise<CorsProbe> {
  const name = bare(url.hostname);
  const servername = name === bare(ctx.target.host) ? base.servername : isIP(name) ? null : name;
  try {
    const res = await ctx.withConnection(ip, () =>
      pinnedRequest({
        url, ip, servername, extraCa: base.extraCa, timeoutMs: base.timeoutMs, signal: base.signal,
        method: 'OPTIONS', headers: { ...OBSERVATORY_CORS_REQUEST_HEADERS }, maxBodyBytes: 0,
      }),
    );
    return { origin: OBSERVATORY_CORS_ORIGIN, url: url.href, status: res.statusCode, headers: res.rawHeaders, error: null };
  } catch (err) {
    if (err instanceof HttpRequestError) return { origin: OBSERVATORY_CORS_ORIGIN, url: url.href, status: null, headers: null, error: err.message };
    throw err;
  }
}

export const httpSiteProbe = defineTargetProbe({
  // The id users know from --probes and earlier reports; the probe fetches the whole site.
  id: 'http-headers',
  title: 'The site over HTTP: redirects, security headers, cookies, CORS, security.txt',
  categories: ['http'],
  scope: 'target',
  section: 'http',
  // Only for the certificate's validity, which the Observatory's HSTS and redirect tests depend on.
  after: [tlsCertificatesProbe],
  owns: ['url', 'finalUrl', 'statusCode', 'redirects', 'headers', 'cookies', 'hsts', 'httpRedirect', 'cors', 'securityTxt'],
  options: [httpPortOption],
  async collect(ctx, deps): Promise<HttpSiteEvidence> {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeSkipped('no address to connect to', { untested: true });
    const { host, port, path, sni } = ctx.target;
    const authority = host.includes(':') ? `[${host}]` : host;
    const url = new URL(`https://${authority}${port === 443 ? '' : `:${port}`}${path}`);
    const base: Omit<FetchChainOptions, 'url'> = {
      ip: ep.ip,
      servername: sni,
      extraCa: ctx.trust.extraCaPem,
      timeoutMs: ctx.connectTimeoutMs,
      signal: ctx.signal,
      // Other hosts on a redirect route are resolved like the target was (never by the OS behind --dns).
      resolve: async (name) => {
        if (isIP(name)) return null; // an address nobody asked for
        const r = await ctx.addressOf(name);
        return r.ok ? r.address : r.refused ? { refused: r.reason } : null;
      },
    };
    const httpPort = ctx.option(httpPortOption);
    const [https, http, securityTxt] = await Promise.all([
      ctx.withConnection(ep.ip, () => fetchChain({ ...base, url })),
      ctx.withConnection(ep.ip, () => checkHttpToHttps({ ...base, host, port: httpPort, path })),
      ctx.withConnection(ep.ip, () => fetchSecurityTxt({ ...base, origin: new URL(url.origin), now: ctx.now() })),
    ]);
    if (https.hops.length === 0) {
      const stop = https.stop;
      throw new ProbeFailed(`${url.href}: ${stop.kind === 'error' ? stop.message : stop.kind}`, stop.kind === 'error' ? httpFailureKind(stop.errorKind) : 'protocol');
    }
    // The cross-origin request goes where the page is, once the chain has shown where that is.
    const finalUrl = new URL(https.final?.url ?? url.href);
    const finalIp = https.hops[https.hops.length - 1]?.ip ?? ep.ip;
    const cors = finalUrl.protocol === 'https:' ? await corsProbe(ctx, base, finalUrl, finalIp) : null;
    const { chain: _chain, ...securityTxtResult } = securityTxt;
    const list = ctx.reference.hstsPreload();
    return {
      host: bare(host),
      url: url.href,
      at: ctx.now().toISOString(),
      https,
      http,
      httpPort,
      cors,
      securityTxt: securityTxtResult,
      certificateValid: certificateValid(deps.get(tlsCertificatesProbe)),
      preload: preloadStates([https, http], bare(host), list),
      preloadList: { date: list.date, source: list.source },
    };
  },
  check: (ev: HttpSiteEvidence) => checkHttpSite(ev),
  fields: (ev) => httpSiteFields(ev),
  dataSources: (ev) => httpSiteDataSources(ev),
});
