// What the HTTP probe collects about a site: the https:// redirect chain with the page it ends on,
// the http:// chain (its redirect to https), the answer to a cross-origin request, security.txt,
// and the few outside facts the judgement needs (certificate validity, HSTS preload status).
import type { FetchChainResult, HttpToHttpsResult } from './fetch-chain.js';
import type { SecurityTxtResult } from './security-txt.js';

export type PreloadState = 'preloaded' | 'pending' | 'not';

/** A CORS preflight (OPTIONS with a test Origin) to the page, as the Observatory sends it. */
export interface CorsProbe {
  origin: string;
  url: string;
  status: number | null;
  /** The response head; null when the request failed. */
  headers: Array<[string, string]> | null;
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
  securityTxt: SecurityTxtResult | null;
  /** The target's certificate validates (trusted path, name match) per the certificate probe; null = unknown. */
  certificateValid: boolean | null;
  /** Every host met on either chain, with its HSTS preload state (IP literals are 'not'). */
  preload: Record<string, PreloadState>;
  /** The HSTS preload list snapshot looked up. */
  preloadList: { date: string; source: string } | null;
}
