// The site over HTTP(S), as a browser and the MDN Observatory meet it: the https:// redirect chain and
// the page it ends on (body capped), http:// and its redirect to https (with its page, which the
// Observatory grades when https gives it nothing), and /.well-known/security.txt side by side; then
// what the Observatory asks next (src/http/observatory/retriever.ts plans it): /robots.txt after a
// certificate retry, and a cross-origin request with a test Origin (a CORS preflight) to where its
// redirect history ends. Each request is pinned to the endpoint for the target's own host (other
// hosts through the scan's resolver), each with a deadline, and each https hop records Node's
// verdict on its certificate. Judgement: src/http/site-checks.ts; grades: src/grade/site.ts.
import { isIP } from 'node:net';
import type { CertificatesEvidence } from '../../cert/checks.js';
import { hstsPreloadStatus, type HstsPreloadList } from '../../data/hsts-preload.js';
import { httpFailureKind } from '../../engine/errors.js';
import { defineOption, portValue } from '../../engine/options.js';
import { defineTargetProbe, ProbeFailed, ProbeSkipped, type ProbeContext } from '../../engine/probe.js';
import { chainPushback, checkHttpToHttps, fetchChain, type FetchChainOptions, type FetchChainResult, type FetchHop } from '../../http/fetch-chain.js';
import { fetchSecurityTxt } from '../../http/security-txt.js';
import {
  OBSERVATORY_CORS_ORIGIN, OBSERVATORY_CORS_REQUEST_HEADERS, OBSERVATORY_MAX_REDIRECTS, observatoryCorsUrl, observatoryFollowUps,
} from '../../http/observatory/index.js';
import type { CorsProbe, HttpSiteEvidence, PreloadState, RobotsProbe } from '../../http/site-evidence.js';
import { checkHttpSite } from '../../http/site-checks.js';
import { httpSiteDataSources, httpSiteFields } from '../../http/site-fields.js';
import { tlsCertificatesProbe } from '../tls/certificates.js';

/** --http-port: where the site's plain HTTP listens (the http → https check). */
export const httpPortOption = defineOption<number>({
  flag: '--http-port <port>',
  description: 'port of the plain-HTTP site checked for its redirect to HTTPS (default 80)',
  default: 80,
  parse: portValue,
});

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** The most of the http page read (as for the https page: fetch-chain's default). */
const HTTP_PAGE_MAX_BYTES = 2 * 1024 * 1024;

/** The certificate probe's verdict on the first chain: trusted and naming the host. */
function certificateValidOf(ev: CertificatesEvidence | undefined): boolean | null {
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

/** The address and SNI for a URL of the site: the target's own host is pinned; others come from the hops that met them, else the resolver. */
async function routeTo(base: Omit<FetchChainOptions, 'url'>, url: URL, target: string, hops: readonly FetchHop[]): Promise<{ ip: string; servername: string | null } | string> {
  const name = bare(url.hostname);
  if (name === bare(target)) return { ip: base.ip, servername: base.servername };
  const servername = isIP(name) ? null : name;
  const met = hops.find((h) => {
    try {
      return bare(new URL(h.url).hostname) === name;
    } catch {
      return false;
    }
  });
  if (met) return { ip: met.ip, servername };
  const addr = base.resolve ? await base.resolve(name).catch(() => null) : null;
  if (addr === null) return `${name} could not be resolved`;
  if (typeof addr !== 'string') return `${name} may not be connected to: ${addr.refused}`;
  return { ip: addr, servername };
}

const stopMessage = (chain: FetchChainResult): string | null => {
  const stop = chain.stop;
  if (stop.kind === 'done') return null;
  if (stop.kind === 'error') return stop.message;
  if (stop.kind === 'unresolvable-host') return stop.reason ?? `${stop.host} could not be resolved`;
  return stop.kind;
};

/** The CORS preflight (R9): OPTIONS with the Observatory's Origin, redirects followed as axios does. */
async function corsProbe(ctx: ProbeContext, base: Omit<FetchChainOptions, 'url'>, url: URL, hops: readonly FetchHop[]): Promise<CorsProbe> {
  const route = await routeTo(base, url, ctx.target.host, hops);
  if (typeof route === 'string') return { origin: OBSERVATORY_CORS_ORIGIN, url: url.href, status: null, headers: null, error: route, hops: [] };
  const chain = await ctx.withConnection(
    route.ip,
    () => fetchChain({ ...base, ...route, url, method: 'OPTIONS', headers: { ...OBSERVATORY_CORS_REQUEST_HEADERS }, maxBodyBytes: 0, maxRedirects: OBSERVATORY_MAX_REDIRECTS }),
    { feedback: (c) => chainPushback(c, route.ip) },
  );
  const error = stopMessage(chain);
  const last = chain.final;
  return {
    origin: OBSERVATORY_CORS_ORIGIN,
    url: url.href,
    status: error === null && last ? last.status : null,
    headers: error === null && last ? last.headers : null,
    error,
    hops: chain.hops,
  };
}

/** GET /robots.txt as the Observatory does after a certificate retry (R8, R10). */
async function robotsProbe(ctx: ProbeContext, base: Omit<FetchChainOptions, 'url'>, url: URL, hops: readonly FetchHop[]): Promise<RobotsProbe> {
  const route = await routeTo(base, url, ctx.target.host, hops);
  if (typeof route === 'string') return { url: url.href, status: null, hops: [], error: route };
  const chain = await ctx.withConnection(
    route.ip,
    () => fetchChain({ ...base, ...route, url, headers: { accept: 'text/plain,*/*;q=0.8' }, maxBodyBytes: 0, maxRedirects: OBSERVATORY_MAX_REDIRECTS }),
    { feedback: (c) => chainPushback(c, route.ip) },
  );
  const error = stopMessage(chain);
  return { url: url.href, status: error === null ? (chain.final?.status ?? null) : null, hops: chain.hops, error };
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
      ctx.withConnection(ep.ip, () => fetchChain({ ...base, url }), { feedback: (c) => chainPushback(c, ep.ip) }),
      // The http page's body too: it is the page the Observatory grades when https gives it nothing.
      ctx.withConnection(ep.ip, () => checkHttpToHttps({ ...base, host, port: httpPort, path, maxBodyBytes: HTTP_PAGE_MAX_BYTES }), { feedback: (c) => chainPushback(c, ep.ip) }),
      ctx.withConnection(ep.ip, () => fetchSecurityTxt({ ...base, origin: new URL(url.origin), now: ctx.now() }), { feedback: (r) => chainPushback(r.chain, ep.ip) }),
    ]);
    const certificateValid = certificateValidOf(deps.get(tlsCertificatesProbe));
    const plan = observatoryFollowUps({ host: bare(host), https, http, httpsCertificateValid: certificateValid ?? true });
    // Nothing to read: https answered nothing and http gave no page either (an http-only site is graded from its http page).
    if (https.hops.length === 0 && plan.auto === null) {
      const stop = https.stop;
      throw new ProbeFailed(`${url.href}: ${stop.kind === 'error' ? stop.message : stop.kind}`, stop.kind === 'error' ? httpFailureKind(stop.errorKind) : 'protocol');
    }
    const routeHops = [...https.hops, ...http.hops];
    // After a certificate retry the Observatory asks for robots.txt through the session's client (R10).
    const robots = plan.robotsUrl ? await robotsProbe(ctx, base, new URL(plan.robotsUrl), routeHops) : null;
    // The cross-origin request goes where the Observatory sends it: the end of its redirect history.
    const corsTarget = observatoryCorsUrl(plan, robots?.status) ?? https.final?.url ?? null;
    const cors = corsTarget ? await corsProbe(ctx, base, new URL(corsTarget), routeHops) : null;
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
      robots,
      securityTxt: securityTxtResult,
      certificateValid,
      preload: preloadStates([https, http], bare(host), list),
      preloadList: { date: list.date, source: list.source },
    };
  },
  check: (ev: HttpSiteEvidence) => checkHttpSite(ev),
  fields: (ev) => httpSiteFields(ev),
  dataSources: (ev) => httpSiteDataSources(ev),
});
