// What the HTTP probe collects about a site: the https:// redirect chain with the page it ends on,
// the http:// chain (its redirect to https), the answer to a cross-origin request, security.txt,
// and the few outside facts the judgement needs (certificate validity, HSTS preload status).
import type { FetchChainResult, FetchHop, HttpToHttpsResult } from './fetch-chain.js';
import type { SecurityTxtResult } from './security-txt.js';

export type PreloadState = 'preloaded' | 'pending' | 'not';

/** A CORS preflight (OPTIONS with a test Origin) to the page, as the Observatory sends it. */
export interface CorsProbe {
  origin: string;
  url: string;
  status: number | null;
  /** The final response head (after redirects); null when the request failed. */
  headers: Array<[string, string]> | null;
  error: string | null;
  /** Every response of the request, redirects included (their cookies reach the Observatory's jar after a certificate retry). */
  hops?: FetchHop[];
}

/**
 * GET /robots.txt as the Observatory sends it after a certificate retry (its R8/R10): the answer
 * lands in its redirect history and cookie jar. Not fetched otherwise (no test reads it then).
 */
export interface RobotsProbe {
  url: string;
  /** Final status after redirects; null when the request failed. */
  status: number | null;
  hops: FetchHop[];
  error: string | null;
}

export interface HttpSiteEvidence {
  /** The target host (name or IP literal, no brackets). */
  host: string;
  /** The https URL asked for. */
  url: string;
  /** When the scan ran: cookie lifetimes and security.txt expiry are judged against it. */
  at: string;
  https: FetchChainResult;
  /** null when the http check was not made. */
  http: HttpToHttpsResult | null;
  /** The port the http check used. */
  httpPort: number | null;
  cors: CorsProbe | null;
  /** robots.txt, fetched only when the Observatory would (after a certificate retry); absent or null otherwise. */
  robots?: RobotsProbe | null;
  securityTxt: SecurityTxtResult | null;
  /**
   * The target's certificate validates (trusted path, name match) per the certificate probe; null =
   * unknown. The Observatory's own verdict is per hop (FetchHop.tls); this is the fallback for hops without one.
   */
  certificateValid: boolean | null;
  /** Every host met on either chain, with its HSTS preload state (IP literals are 'not'). */
  preload: Record<string, PreloadState>;
  /** The HSTS preload list snapshot looked up. */
  preloadList: { date: string; source: string } | null;
}
