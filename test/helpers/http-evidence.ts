// Hand-built HTTP evidence for the pure site checks and report: a chain of hops ending on a page.
import type { FetchChainResult, FetchHop, FetchStop, HttpToHttpsResult, HttpToHttpsStatus } from '../../src/http/fetch-chain.js';
import type { HttpSiteEvidence } from '../../src/http/site-evidence.js';

export interface HopSpec {
  url: string;
  status?: number;
  headers?: Record<string, string | string[]>;
  location?: string;
}

function pairs(headers: Record<string, string | string[]> = {}): Array<[string, string]> {
  return Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k.toLowerCase(), x] as [string, string]));
}

export function hop(spec: HopSpec, ip = '127.0.0.1'): FetchHop {
  const headers = pairs({ ...spec.headers, ...(spec.location !== undefined ? { location: spec.location } : {}) });
  const next = spec.location !== undefined ? new URL(spec.location, spec.url) : null;
  const from = new URL(spec.url);
  return {
    url: spec.url,
    ip,
    status: spec.status ?? (spec.location !== undefined ? 301 : 200),
    location: spec.location ?? null,
    next: next?.href ?? null,
    schemeChange: next && from.protocol !== next.protocol ? (next.protocol === 'https:' ? 'http-to-https' : 'https-to-http') : null,
    hostChange: next !== null && next.hostname !== from.hostname,
    headers,
    setCookies: headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v),
    durationMs: 1,
  };
}

export function chain(specs: HopSpec[], opts: { body?: string; contentType?: string; stop?: FetchStop } = {}): FetchChainResult {
  const hops = specs.map((s) => hop(s));
  const last = hops[hops.length - 1];
  const body = Buffer.from(opts.body ?? '');
  return {
    url: specs[0]!.url,
    hops,
    final: last
      ? {
          url: last.url,
          status: last.status,
          headers: last.headers,
          contentType: opts.contentType ?? (last.headers.find(([n]) => n === 'content-type')?.[1] ?? 'text/html; charset=utf-8'),
          body,
          bytesRead: body.length,
          truncated: false,
        }
      : null,
    stop: opts.stop ?? { kind: 'done' },
    downgraded: hops.some((h) => h.schemeChange === 'https-to-http'),
    durationMs: 2,
  };
}

export function httpCheck(status: HttpToHttpsStatus, specs: HopSpec[] = [], reason: string | null = null, stop: FetchStop = { kind: 'done' }): HttpToHttpsResult {
  return { status, url: specs[0]?.url ?? 'http://site.test/', hops: specs.map((s) => hop(s)), stop, reason };
}

/** A site whose https page has `headers`, reached directly, with http redirecting to it. */
export function siteEvidence(overrides: Partial<HttpSiteEvidence> & { headers?: Record<string, string | string[]>; body?: string } = {}): HttpSiteEvidence {
  const { headers, body, ...rest } = overrides;
  return {
    host: 'site.test',
    url: 'https://site.test/',
    at: '2026-11-22T00:00:00.000Z',
    https: chain([{ url: 'https://site.test/', headers: headers ?? {} }], body !== undefined ? { body } : {}),
    http: httpCheck('redirects-to-https-same-host', [{ url: 'http://site.test/', location: 'https://site.test/' }, { url: 'https://site.test/' }]),
    httpPort: 80,
    cors: null,
    securityTxt: null,
    certificateValid: true,
    preload: { 'site.test': 'not' },
    preloadList: { date: '2026-08-20', source: 'test' },
    ...rest,
  };
}
