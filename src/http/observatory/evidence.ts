// What goes into the Observatory tests and what comes out: the requests' constants the probe must
// reproduce (Origin, User-Agent, headers, redirect limit), the evidence the probe collects
// (ObservatoryEvidence), the results (ObservatoryTestResults), and the small pieces every test
// shares (Outcome, worse, clip). The R1–R11 rules cited here are in retriever.ts.
import type { ObservatoryResultOf, ObservatoryResults, ObservatoryTestName } from './results.js';
import type { FetchChainResult, FetchHop, HttpToHttpsResult } from '../fetch-chain.js';
import type { ObservatoryNotGraded } from './retriever.js';

/** What the Observatory sends as Origin in its CORS request (config.js, retriever.corsOrigin). */
export const OBSERVATORY_CORS_ORIGIN = 'https://http-observatory.security.mozilla.org';
/** The Observatory's User-Agent (config.js, retriever.retrieverUserAgent). */
export const OBSERVATORY_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:129.0) Gecko/20100101 Firefox/129.0 Observatory/129.0';
/** Headers the Observatory sends on the page requests of both chains (retriever.js STANDARD_HEADERS, session.js). */
export const OBSERVATORY_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'user-agent': OBSERVATORY_USER_AGENT,
};
/** Extra headers of the CORS request (retriever.js). */
export const OBSERVATORY_CORS_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'access-control-request-method': 'GET',
  origin: OBSERVATORY_CORS_ORIGIN,
};
/** session.js MAX_REDIRECTS: redirects followed; the chain has at most this + 1 responses. */
export const OBSERVATORY_MAX_REDIRECTS = 10;

export type PreloadLookup = 'preloaded' | 'pending' | 'not';

export interface ObservatoryEvidence {
  /** The scanned host name (the Observatory's `hostname`, used for the preload and SRI site checks). */
  host: string;
  /** The https://HOST/ chain (R1–R4); null = no HTTPS at all. Each https hop's `tls` is Node's verdict on its certificate (R3). */
  https: FetchChainResult | null;
  /** The http://HOST/ check; its hops are the http chain. null = not made (taken as no HTTP). */
  http: HttpToHttpsResult | null;
  /** The certificate of https://HOST validates for HOST (trusted path, name, dates): the fallback for hops without `tls`. */
  httpsCertificateValid: boolean;
  /**
   * Headers of the final answer to the CORS request of R9; null when it failed or was not made.
   * When the probe sends no such request, pass the https final response's headers and say so: the
   * Observatory reads only Access-Control-Allow-Origin/-Credentials from it.
   */
  corsResponseHeaders: Array<[string, string]> | null;
  /**
   * HSTS preload list lookup (src/analyzer/hsts.js isHstsPreloaded): 'preloaded' must mean a
   * force-https entry for the host itself or for a parent with include_subdomains. The Observatory
   * reads Chromium's static list only, where pending names are absent: 'pending' counts as not preloaded.
   */
  preloaded: (host: string) => PreloadLookup;
  /**
   * Status of the final CORS answer. Axios rejects anything but 2xx, and then the test sees no
   * response (R9). Omitted: corsResponseHeaders is taken as a 2xx answer.
   */
  corsStatus?: number | null;
  /** The URL the CORS request went to (its cookies join the jar after a certificate retry, R10). */
  corsUrl?: string | null;
  /**
   * Every response of the CORS request, redirects included: their https Set-Cookie headers join the
   * jar after a certificate retry (R10), and without a retry a bad certificate on their route means
   * no answer (R9). Omitted: only corsResponseHeaders (at corsUrl) is known.
   */
  corsHops?: FetchHop[] | null;
  /**
   * The Origin the CORS test reads back from the request. In a live 1.4.8 scan it is always missing
   * (R9), which is the default (null). Pass OBSERVATORY_CORS_ORIGIN to apply the test as written
   * (and as upstream's own unit tests exercise it): ACAO equal to it plus credentials → universal.
   */
  corsOriginSeenByTest?: string | null;
  /**
   * Certificate validity of an https host met on either chain (R3), for the hops that carry no
   * verdict of their own (FetchHop.tls, which the probe records on every https hop). Default:
   * HOST → httpsCertificateValid, any other host → valid.
   */
  certificateValidFor?: (hostname: string) => boolean;
  /**
   * Body of the http chain's final response: only read when HTTPS failed and http is the auto
   * response. Omitted: the http chain's own `final.body`.
   */
  httpBody?: Buffer | null;
  /**
   * The robots.txt answer (R8); only matters after a certificate retry (R10), when the cookies of
   * its https responses (`hops`, redirects included; else `headers` at `url`) join the jar.
   */
  robots?: { url: string; status: number | null; headers: Array<[string, string]>; hops?: FetchHop[] } | null;
}

export type ObservatoryTestResults = ObservatoryResults & {
  /** One sentence per test: why it gave its result. */
  details: Record<ObservatoryTestName, string>;
  /** Why the Observatory itself would abort this scan (R11), or null. Results are computed anyway, for explanation only. */
  scanError: string | null;
  /** The same, typed: when set, the Observatory gives no score at all. */
  notGraded: ObservatoryNotGraded | null;
};

// ───────────────────────────────── What every test shares ─────────────────────────────────

export type Outcome<T extends ObservatoryTestName> = { result: ObservatoryResultOf<T>; detail: string };

/** analyzer/utils.js onlyIfWorse: keep the later of the two in `order` (a result not in it ranks first). */
export function worse<T extends string>(next: T, current: T | null, order: readonly T[]): T {
  if (current === null) return next;
  return order.indexOf(next) > order.indexOf(current) ? next : current;
}

export const clip = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n)}…` : s);
